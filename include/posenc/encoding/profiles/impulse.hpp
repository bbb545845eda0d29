// posenc/encoding/profiles/impulse.hpp — the impulse profile: one-hot on the nearest shift.
#pragma once
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/encoding/profiles/profile.hpp"

namespace posenc {

/// Impulse profile: psi(u) = 1 where |u D| <= 1/2, else 0, i.e. a one-hot code on the nearest shift.
/// A point half-way between two shifts (within rounding: |u D| <= 1/2 + 4 D epsilon(T)) hits both.
/// This is protocol A's `round(u D) == 0` (docs/protocols.md) with NumPy's round-half-to-even (which
/// also hits both shifts of an exact tie), made robust: when rounding pushes |u D| just above 1/2 on
/// both sides (e.g. x = 0.5 with an odd D), round() would give a zero code, this gives two hits.
/// Needs the number of shifts D: ShiftedBasis calls bind(D).
///
/// * support() = zero_radius() = 0.5 / D (plus the rounding slack); derivative 0.
/// * kernel(delta) = 1 for |delta| D < 0.5, else 0 (on the shift grid).
class Impulse {
public:
    /// An unbound impulse; bind(D) before evaluating (ShiftedBasis does).
    Impulse() = default;

    /// Sets the number of shifts D (> 0).
    void bind(Index D) {
        detail::require(D > 0, "Impulse: D must be > 0 (got ", D, ")");
        D_ = double(D);
    }
    /// psi(u).
    template <class T> T value(T u) const {
        const T slack = T(4) * T(D_) * std::numeric_limits<T>::epsilon();
        return std::abs(u * T(D_)) <= T(0.5) + slack ? T(1) : T(0);
    }
    /// 0 (piecewise constant).
    template <class T> T derivative(T) const { return T(0); }
    /// (0.5 + slack) / D, with the float rounding slack 4 D epsilon(float) (+inf while unbound).
    double support() const {
        return D_ > 0 ? (0.5 + 4.0 * D_ * double(std::numeric_limits<float>::epsilon())) / D_ : infinite_support;
    }
    /// Same as support() (exactly zero beyond, whatever eps).
    double zero_radius(double /*eps*/) const { return support(); }
    /// 1 for |delta| D < 0.5 (delta == 0 while unbound), else 0.
    double kernel(double delta) const {
        if (D_ > 0) return std::abs(delta) * D_ < 0.5 ? 1.0 : 0.0;
        return delta == 0 ? 1.0 : 0.0;
    }
    /// "impulse".
    std::string name() const { return "impulse"; }
    /// No parameters in the factory spec.
    void spec_params(std::map<std::string, double>&) const {}
    /// The bound number of shifts (0 while unbound).
    Index bound_dim() const { return Index(D_); }

private:
    double D_ = 0;
};

}  // namespace posenc

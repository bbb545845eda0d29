// posenc/encoding/profiles/impulse.hpp — the impulse profile: one-hot on the nearest shift.
#pragma once
#include <cmath>
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/encoding/profiles/profile.hpp"

namespace posenc {

/// Impulse profile: psi(u) = 1 where round(u D) == 0, else 0, i.e. a one-hot code on the nearest
/// shift (round half to even, as NumPy: a point exactly half-way between two shifts hits both).
/// Needs the number of shifts D: ShiftedBasis calls bind(D).
///
/// * support() = zero_radius() = 0.5 / D; derivative 0.
/// * kernel(delta) = 1 for |delta| D < 0.5, else 0 (on the shift grid).
class Impulse {
public:
    /// An unbound impulse; bind(D) before evaluating (ShiftedBasis does).
    Impulse() = default;

    /// Sets the number of shifts D (> 0).
    void bind(Index D) {
        detail::require(D > 0, "Impulse: D must be > 0 (got " + std::to_string(D) + ")");
        D_ = double(D);
    }
    /// psi(u); rounding is half to even (the default floating-point rounding mode).
    template <class T> T value(T u) const { return std::rint(u * T(D_)) == T(0) ? T(1) : T(0); }
    /// 0 (piecewise constant).
    template <class T> T derivative(T) const { return T(0); }
    /// 0.5 / D (+inf while unbound).
    double support() const { return D_ > 0 ? 0.5 / D_ : infinite_support; }
    /// Same as support() (exactly zero beyond, whatever eps).
    double zero_radius(double /*eps*/) const { return support(); }
    /// 1 for |delta| D < 0.5 (delta == 0 while unbound), else 0.
    double kernel(double delta) const {
        if (D_ > 0) return std::abs(delta) * D_ < 0.5 ? 1.0 : 0.0;
        return delta == 0 ? 1.0 : 0.0;
    }
    /// "impulse".
    std::string name() const { return "impulse"; }
    /// The bound number of shifts (0 while unbound).
    Index bound_dim() const { return Index(D_); }

private:
    double D_ = 0;
};

}  // namespace posenc

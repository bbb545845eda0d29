// posenc/encoding/profiles/square_wave.hpp — the square-wave profile sign(sin(2 pi f u)).
#pragma once
#include <cmath>
#include <map>
#include <numbers>
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/encoding/profiles/profile.hpp"

namespace posenc {

/// Square-wave profile: psi(u) = +1 where sin(2 pi f u) > 0, else -1 (a low-rank, non-local basis).
///
/// * support() = +inf; derivative 0.
/// * kernel: the triangle wave k(delta) = 1 - 4 f |delta'|, delta' = delta folded to [-1/(2f), 1/(2f)]
///   (periodic domain, integer f).
class SquareWave {
public:
    /// freq: f (finite, > 0), periods per unit length.
    explicit SquareWave(double freq = 1.0) : f_(freq) { detail::require_positive(freq, "SquareWave: freq"); }

    /// psi(u).
    template <class T> T value(T u) const {
        return std::sin(T(2.0 * std::numbers::pi * f_) * u) > T(0) ? T(1) : T(-1);
    }
    /// 0 (piecewise constant).
    template <class T> T derivative(T) const { return T(0); }
    /// +inf.
    double support() const { return infinite_support; }
    /// Triangle wave 1 - 4 f |delta| folded to the period 1/f.
    double kernel(double delta) const {
        const double p = delta * f_;
        const double folded = p - std::round(p);  // in [-0.5, 0.5]
        return 1.0 - 4.0 * std::abs(folded);
    }
    /// "square".
    std::string name() const { return "square"; }
    /// {"freq"} for the factory spec.
    void spec_params(std::map<std::string, double>& out) const { out["freq"] = f_; }
    /// Frequency f.
    double freq() const { return f_; }

private:
    double f_;
};

}  // namespace posenc

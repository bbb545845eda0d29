// posenc/encoding/profiles/sine_wave.hpp — the offset sine profile sin(2 pi f u) + c.
#pragma once
#include <cmath>
#include <map>
#include <numbers>
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/encoding/profiles/profile.hpp"

namespace posenc {

/// Sine-wave profile psi(u) = sin(2 pi f u) + c (rank-3 embedding: a low-rank, non-local basis).
///
/// * support() = +inf; derivative 2 pi f cos(2 pi f u).
/// * kernel(delta) = (0.5 cos(2 pi f delta) + c^2) / (0.5 + c^2) (periodic domain, integer f).
class SineWave {
public:
    /// freq: f (finite, > 0); offset: c (finite).
    explicit SineWave(double freq = 1.0, double offset = 0.7) : f_(freq), c_(offset) {
        detail::require_positive(freq, "SineWave: freq");
        detail::require(std::isfinite(offset), "SineWave: offset must be finite (got ", offset, ")");
    }

    /// psi(u).
    template <class T> T value(T u) const { return std::sin(T(2.0 * std::numbers::pi * f_) * u) + T(c_); }
    /// psi'(u).
    template <class T> T derivative(T u) const {
        const T w = T(2.0 * std::numbers::pi * f_);
        return w * std::cos(w * u);
    }
    /// +inf.
    double support() const { return infinite_support; }
    /// (0.5 cos(2 pi f delta) + c^2) / (0.5 + c^2).
    double kernel(double delta) const {
        return (0.5 * std::cos(2.0 * std::numbers::pi * f_ * delta) + c_ * c_) / (0.5 + c_ * c_);
    }
    /// "sine".
    std::string name() const { return "sine"; }
    /// {"freq", "offset"} for the factory spec.
    void spec_params(std::map<std::string, double>& out) const {
        out["freq"] = f_;
        out["offset"] = c_;
    }
    /// Frequency f.
    double freq() const { return f_; }
    /// Offset c.
    double offset() const { return c_; }

private:
    double f_;
    double c_;
};

}  // namespace posenc

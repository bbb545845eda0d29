// posenc/encoding/profiles/triangle.hpp — the triangle (hat) profile max(0, 1 - |u| / d).
#pragma once
#include <Eigen/Core>
#include <cmath>
#include <map>
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/encoding/profiles/profile.hpp"

namespace posenc {

/// Triangle profile psi(u) = max(0, 1 - |u| / d) with half-width d (linear interpolation basis
/// when d = 1/D).
///
/// * support() = zero_radius() = d (exactly zero beyond).
/// * derivative: -sign(u) / d for 0 < |u| < d, 0 at u = 0 and for |u| >= d.
/// * kernel: the normalised autocorrelation, with t = |delta| / d:
///   k = 1 - 1.5 t^2 + 0.75 t^3 (t <= 1), k = (2 - t)^3 / 4 (1 <= t <= 2), 0 beyond.
class Triangle {
public:
    /// half_width: d (finite, > 0).
    explicit Triangle(double half_width) : d_(half_width) { detail::require_positive(half_width, "Triangle: half_width"); }

    /// psi(u).
    template <class T> T value(T u) const {
        const T v = T(1) - std::abs(u) / T(d_);
        return v > T(0) ? v : T(0);
    }
    /// psi'(u).
    template <class T> T derivative(T u) const {
        const T a = std::abs(u);
        if (a >= T(d_) || u == T(0)) return T(0);
        return u > T(0) ? T(-1.0 / d_) : T(1.0 / d_);
    }
    /// Vectorised in place: u[i] <- psi(u[i]).
    template <class T> void value_inplace(T* u, Index n) const {
        const T d = T(d_);
        apply_blocked(u, n, [d](auto& a) { a = (T(1) - a.abs() / d).max(T(0)); });
    }
    /// Vectorised in place: u[i] <- psi'(u[i]).
    template <class T> void derivative_inplace(T* u, Index n) const {
        const T d = T(d_), g = T(1.0 / d_);
        apply_blocked(u, n, [d, g](auto& a) { a = (a.abs() < d).select(-g * a.sign(), T(0)); });
    }
    /// d.
    double support() const { return d_; }
    /// d (exactly zero beyond, whatever eps).
    double zero_radius(double /*eps*/) const { return d_; }
    /// Normalised autocorrelation (piecewise cubic in |delta| / d).
    double kernel(double delta) const {
        const double t = std::abs(delta) / d_;
        if (t <= 1) return 1.0 - 1.5 * t * t + 0.75 * t * t * t;
        if (t <= 2) return 0.25 * (2.0 - t) * (2.0 - t) * (2.0 - t);
        return 0.0;
    }
    /// "triangle".
    std::string name() const { return "triangle"; }
    /// {"width"} (the half-width) for the factory spec.
    void spec_params(std::map<std::string, double>& out) const { out["width"] = d_; }
    /// Half-width d.
    double half_width() const { return d_; }

private:
    double d_;
};

}  // namespace posenc

// posenc/encoding/profiles/sinc.hpp — the band-limited sinc profile sin(pi u / w) / (pi u / w).
#pragma once
#include <Eigen/Core>
#include <cmath>
#include <map>
#include <numbers>
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/encoding/profiles/profile.hpp"

namespace posenc {

/// Sinc profile psi(u) = sin(a) / a with a = pi u / w (psi(0) = 1), band-limited to frequency 1/(2w).
///
/// * support() = +inf (no compact support: windows are not available).
/// * kernel(delta) = sinc(delta / w) (the autocorrelation of a sinc is a sinc).
class Sinc {
public:
    /// width: w (finite, > 0), the distance from the peak to the first zero.
    explicit Sinc(double width) : w_(width) { detail::require_positive(width, "Sinc: width"); }

    /// psi(u).
    template <class T> T value(T u) const {
        const T a = T(std::numbers::pi) * (u / T(w_));
        if (a == T(0)) return T(1);
        return std::sin(a) / a;
    }
    /// psi'(u) = (a cos a - sin a) / a^2 * pi / w (Taylor series near 0).
    template <class T> T derivative(T u) const {
        const T c = T(std::numbers::pi / w_);
        const T a = c * u;
        if (std::abs(a) < T(1e-3)) return c * (-a / T(3) + a * a * a / T(30));
        return c * (a * std::cos(a) - std::sin(a)) / (a * a);
    }
    /// Vectorised in place: u[i] <- psi(u[i]) (SIMD sine for float).
    template <class T> void value_inplace(T* u, Index n) const {
        const T w = T(w_), pi = T(std::numbers::pi);
        apply_blocked(u, n, [w, pi](auto& a) {
            a = pi * (a / w);  // as in value()
            a = (a == T(0)).select(T(1), a.sin() / a);
        });
    }
    /// +inf.
    double support() const { return infinite_support; }
    /// sinc(delta / w).
    double kernel(double delta) const {
        const double a = std::numbers::pi * delta / w_;
        return a == 0 ? 1.0 : std::sin(a) / a;
    }
    /// "sinc".
    std::string name() const { return "sinc"; }
    /// {"width"} for the factory spec.
    void spec_params(std::map<std::string, double>& out) const { out["width"] = w_; }
    /// Width w.
    double width() const { return w_; }

private:
    double w_;
};

}  // namespace posenc

// posenc/encoding/profiles/gaussian.hpp — the Gaussian profile exp(-u^2 / (2 sigma^2)).
#pragma once
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/encoding/profiles/profile.hpp"

namespace posenc {

/// Gaussian profile psi(u) = exp(-u^2 / (2 sigma^2)).
///
/// * support(): sigma * sqrt(2 ln(1/tol)), the radius where psi falls to the truncation tolerance
///   `tol` (relative to the peak 1); windows are truncated there.
/// * kernel(delta) = exp(-delta^2 / (4 sigma^2)) (continuum limit).
/// * zero_radius(eps): beyond it value and derivative underflow eps (about 40 sigma for double's
///   smallest normal, 15 sigma for float's); the dense encoder writes exact zeros there.
class Gaussian {
public:
    /// sigma: standard deviation in coordinate units (finite, > 0); tol: truncation tolerance in (0, 1).
    explicit Gaussian(double sigma, double tol = 1e-8) : sigma_(sigma), tol_(tol) {
        detail::require_positive(sigma, "Gaussian: sigma");
        detail::require(std::isfinite(tol) && tol > 0 && tol < 1,
                        "Gaussian: tol must be in (0, 1) (got ", tol, ")");
        inv_two_sigma2_ = 1.0 / (2.0 * sigma * sigma);
        detail::require(std::isfinite(inv_two_sigma2_), "Gaussian: sigma is too small (got ",
                                                            sigma, ")");
    }

    /// psi(u).
    template <class T> T value(T u) const { return std::exp(-u * u * T(inv_two_sigma2_)); }
    /// psi'(u) = -u / sigma^2 * psi(u).
    template <class T> T derivative(T u) const {
        return T(-2.0 * inv_two_sigma2_) * u * std::exp(-u * u * T(inv_two_sigma2_));
    }
    /// Vectorised in place: u[i] <- psi(u[i]).
    template <class T> void value_inplace(T* u, Index n) const {
        const T c = T(inv_two_sigma2_);
        apply_blocked(u, n, [c](auto& a) { a = (-a.square() * c).exp(); });
    }
    /// Vectorised in place: u[i] <- psi'(u[i]).
    template <class T> void derivative_inplace(T* u, Index n) const {
        const T c = T(inv_two_sigma2_), m = T(-2.0 * inv_two_sigma2_);
        apply_blocked(u, n, [c, m](auto& a) { a = m * a * (-a.square() * c).exp(); });
    }
    /// Truncation radius sigma * sqrt(2 ln(1/tol)).
    double support() const { return sigma_ * std::sqrt(2.0 * std::log(1.0 / tol_)); }
    /// Radius beyond which psi and psi' are < eps: with z = |u| / sigma, psi = exp(-z^2/2) and
    /// |psi'| = z/sigma exp(-z^2/2) <= exp(-z^2/2 + ln(z/sigma)); the bound below covers both
    /// (z <= 64 is assumed for the ln z term, and checked).
    double zero_radius(double eps) const {
        const double l = std::log(1.0 / eps) + std::max(0.0, std::log(64.0 / sigma_));
        const double z = std::sqrt(2.0 * std::max(l, 1.0));
        return sigma_ * std::max(z, 1.0);
    }
    /// exp(-delta^2 / (4 sigma^2)).
    double kernel(double delta) const { return std::exp(-delta * delta * inv_two_sigma2_ * 0.5); }
    /// "gaussian".
    std::string name() const { return "gaussian"; }
    /// {"sigma", "tol"} for the factory spec.
    void spec_params(std::map<std::string, double>& out) const {
        out["sigma"] = sigma_;
        out["tol"] = tol_;
    }
    /// Standard deviation.
    double sigma() const { return sigma_; }
    /// Truncation tolerance.
    double tol() const { return tol_; }

private:
    double sigma_;
    double tol_;
    double inv_two_sigma2_ = 0;
};

}  // namespace posenc

// posenc/encoding/profiles/oneblob_bin.hpp — the bin profile of tiny-cuda-nn's OneBlob encoding: the mass
// of a quartic kernel of radius 1/D, centred at x, that falls into the bin [t_d, t_d + 1/D) on the unit circle.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>

#include "posenc/core/types.hpp"
#include "posenc/encoding/profiles/profile.hpp"

namespace posenc {

/// OneBlob bin profile (Mueller et al. 2019, "Neural Importance Sampling"; tiny-cuda-nn's
/// encodings/oneblob.h, which replaced the Gaussian kernel by a quartic one). With D bins of width
/// h = 1/D, the quartic kernel k(v) = (15/16) (1 - (vD)^2)^2 D on |v| < h and its CDF
///
///     F(v) = clamp((15/16) w (1 - (2/3) w^2 + (1/5) w^4) + 1/2, 0, 1),   w = v D,
///
/// bin d of a coordinate x is   psi(u) = S(h - u) - S(-u),   u = x - t_d,   t_d = d / D,
/// S(v) = F(v) + F(v - 1) + F(v + 1) (the kernel wrapped once around the unit circle, as tcnn does).
/// psi is 1-periodic in u for |u| <= 1, non-negative, sums to 1 over the D bins, and is exactly 0 unless
/// -h < u < 2h (support() = 2h). Meant for Domain::Periodic (tcnn's OneBlob wraps); the encoder
/// `OneBlob` (encoding/oneblob.hpp) builds it that way. bind(D) sets the radius: the profile has no
/// parameter of its own.
class OneBlobBin {
public:
    /// Told the number of bins D by ShiftedBasis (the kernel's radius is one bin, 1/D).
    void bind(Index D) { n_ = double(D); }

    /// psi(u) = S(h - u') - S(-u'), u' = u mod 1 in [0, 1) (tcnn's u = x - t_d lies in [h - 1, 1]; psi
    /// is 1-periodic there, so u' gives tcnn's value for every D, D = 1 and 2 included), evaluated in T
    /// like tcnn (boundary minus x, then the CDF).
    template <class T> T value(T u) const {
        const T n = T(n_), h = T(1) / n;  // h = 1/D is a power of two for tcnn's D: exact
        const T v = u - std::floor(u);    // u' in [0, 1)
        return wrapped_cdf(h - v, n) - wrapped_cdf(-v, n);
    }
    /// psi'(u) = -S'(h - u') + S'(-u'), S'(v) = k(v) + k(v - 1) + k(v + 1) (du'/du = 1).
    template <class T> T derivative(T u) const {
        const T n = T(n_), h = T(1) / n;
        const T v = u - std::floor(u);
        return wrapped_pdf(-v, n) - wrapped_pdf(h - v, n);
    }
    /// 2 / D: psi is zero outside (-1/D, 2/D).
    double support() const { return 2.0 / n_; }
    /// The same radius: psi and psi' are exactly 0 beyond it (the dense encoder writes exact zeros).
    double zero_radius(double /*eps*/) const { return 2.0 / n_; }
    /// "oneblob".
    std::string name() const { return "oneblob"; }

    /// F(v) of the quartic kernel of radius 1/n (tcnn's quartic_cdf with inv_radius n).
    template <class T> static T cdf(T v, T n) {
        const T w = v * n, w2 = w * w, w4 = w2 * w2;
        // (15/16) w (1 - 2/3 w^2 + 1/5 w^4) + 1/2 is the integral of (15/16)(1 - w^2)^2 from -1 to w
        const T F = T(15.0 / 16.0) * w * (T(1) - T(2.0 / 3.0) * w2 + T(1.0 / 5.0) * w4) + T(0.5);
        return std::max(T(0), std::min(T(1), F));
    }
    /// k(v) = F'(v) = (15/16) max(1 - (vn)^2, 0)^2 n.
    template <class T> static T pdf(T v, T n) {
        const T w = v * n, a = std::max(T(1) - w * w, T(0));
        return T(15.0 / 16.0) * a * a * n;
    }

private:
    // S(v) and S'(v), summed in tcnn's order (v, v - 1, v + 1)
    template <class T> static T wrapped_cdf(T v, T n) { return cdf(v, n) + cdf(v - T(1), n) + cdf(v + T(1), n); }
    template <class T> static T wrapped_pdf(T v, T n) { return pdf(v, n) + pdf(v - T(1), n) + pdf(v + T(1), n); }

    double n_ = 1;  // D, set by bind()
};

}  // namespace posenc

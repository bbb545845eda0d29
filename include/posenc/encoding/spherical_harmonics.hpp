// posenc/encoding/spherical_harmonics.hpp — SphericalHarmonics<T>: tiny-cuda-nn's SphericalHarmonics
// encoding, the degree^2 real spherical harmonics of bands 0..degree-1 of a unit direction.
#pragma once
#include <array>
#include <cmath>
#include <numbers>
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"

namespace posenc {

/// tiny-cuda-nn's SphericalHarmonics (encodings/spherical_harmonics.h): the input x in [0, 1]^3 is
/// mapped to the direction d = 2x - 1 (tcnn's convention), which must be unit length: | |d| - 1 | <= tol
/// (posenc::Error otherwise; tcnn does not check). "degree" L in [1, 8] counts bands, as in tcnn: bands
/// l = 0..L-1, L^2 outputs, in tcnn's order: index l^2 + l + m for m = -l..l. With d = (dx, dy, dz),
///
///     C_m + i S_m = (dx + i dy)^m                          (C_m = r^m sin^m(theta) cos(m phi), ...)
///     Q_l^m(dz) = d^m P_l / dz^m (Legendre):  Q_m^m = (2m - 1)!!,  Q_{m+1}^m = (2m + 1) dz Q_m^m,
///                 (l - m) Q_l^m = (2l - 1) dz Q_{l-1}^m - (l + m - 1) Q_{l-2}^m
///     K_l^m = sqrt((2l + 1) / (4 pi) (l - m)! / (l + m)!)
///     Y_l^0 = K_l^0 Q_l^0,   Y_l^{+-m} = (-1)^m sqrt(2) K_l^m {C_m, S_m} Q_l^m   (m > 0)
///
/// i.e. the orthonormal real spherical harmonics with the Condon-Shortley phase (-1)^m (tcnn's
/// Y_1 = -0.4886 dy, 0.4886 dz, -0.4886 dx). These are the same polynomials in (dx, dy, dz) as tcnn's
/// (generated from Sloan's recurrences, "Stupid SH tricks" appendix A1), so off the sphere too they
/// agree, and backward() is tcnn's: the partial derivatives of those polynomials times 2 (the chain
/// rule of d = 2x - 1), not projected onto the sphere's tangent plane. No scaling, no parameters.
template <class T = double>
class SphericalHarmonics {
public:
    using Scalar = T;  ///< scalar type of inputs and codes
    static constexpr Index kMaxDegree = 8;  ///< tcnn's limit

    /// degree in [1, 8]; tol in (0, 1) is the accepted | |2x - 1| - 1 |. Throws posenc::Error naming the
    /// parameter otherwise.
    explicit SphericalHarmonics(Index degree, double tol = 1e-3) : L_(degree), tol_(tol) {
        detail::require(degree >= 1 && degree <= kMaxDegree, "SphericalHarmonics: degree must be in [1, ",
                        kMaxDegree, "] (tcnn's convention: degree^2 outputs; got ", degree, ")");
        detail::require(std::isfinite(tol) && tol > 0 && tol < 1,
                        "SphericalHarmonics: tol must be in (0, 1) (got ", tol, ")");
        constexpr double inv4pi = 0.25 / std::numbers::pi;
        for (Index l = 0; l < L_; ++l)
            for (Index m = 0; m <= l; ++m) {
                double ratio = 1;  // (l - m)! / (l + m)!
                for (Index j = l - m + 1; j <= l + m; ++j) ratio /= double(j);
                const double K = std::sqrt(double(2 * l + 1) * inv4pi * ratio);
                // c_l^m = K (m = 0), (-1)^m sqrt(2) K (m > 0)
                coef_[std::size_t(l * kMaxDegree + m)] =
                    T(m == 0 ? K : (m % 2 == 0 ? 1.0 : -1.0) * std::numbers::sqrt2 * K);
            }
    }

    /// 3: a direction, given in [0, 1]^3.
    Index input_dim() const { return 3; }
    /// degree^2.
    Index output_dim() const { return L_ * L_; }
    /// Number of bands L.
    Index degree() const { return L_; }
    /// Accepted deviation of |2x - 1| from 1.
    double tol() const { return tol_; }
    /// The factory's form {"type": "spherical_harmonics", "degree", "input_dim": 3, "tol"}.
    EncoderSpec spec() const {
        return EncoderSpec{"spherical_harmonics", {{"degree", double(L_)}, {"input_dim", 3.0}, {"tol", tol_}}, {}};
    }

    /// out (L^2 x N, pre-sized) = Y(2 X - 1), X 3 x N.
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        check(X);
        detail::check_shape(out, output_dim(), X.cols(), "SphericalHarmonics", "output");
        const Index N = X.cols();
        [[maybe_unused]] const bool par = N > 1 && N * output_dim() >= 16384;
        POSENC_OMP(parallel for schedule(static) if(par))
        for (Index n = 0; n < N; ++n) point(X.col(n), &out(0, n), nullptr);
    }

    /// dX(j, n) = 2 sum_k dY(k, n) dY_k / dd_j at d = 2 X(:, n) - 1 (tcnn's factor 2).
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        check(X);
        detail::check_shape(dY, output_dim(), X.cols(), "SphericalHarmonics", "dY");
        detail::check_shape(dX, 3, X.cols(), "SphericalHarmonics", "dX");
        const Index N = X.cols();
        [[maybe_unused]] const bool par = N > 1 && N * output_dim() >= 16384;
        POSENC_OMP(parallel for schedule(static) if(par))
        for (Index n = 0; n < N; ++n) {
            std::array<T, 3 * kMaxDegree * kMaxDegree> J{};  // J[3k + j] = dY_k / dd_j
            point(X.col(n), nullptr, J.data());
            T g[3] = {0, 0, 0};
            for (Index k = 0; k < output_dim(); ++k)
                for (int j = 0; j < 3; ++j) g[j] += dY(k, n) * J[std::size_t(3 * k + j)];
            for (int j = 0; j < 3; ++j) dX(j, n) = T(2) * g[j];  // dd/dx = 2
        }
    }

private:
    /// Codes (val, L^2) and/or the Jacobian wrt d (jac, 3 L^2, row-major per output) of one point.
    template <class Col>
    void point(const Col& x, T* val, T* jac) const {
        const T dx = x(0) * T(2) - T(1), dy = x(1) * T(2) - T(1), dz = x(2) * T(2) - T(1);  // d = 2x - 1
        constexpr Index M = kMaxDegree;
        // C_m + i S_m = (dx + i dy)^m
        T C[M], S[M];
        C[0] = 1;
        S[0] = 0;
        for (Index m = 1; m < L_; ++m) {
            C[m] = dx * C[m - 1] - dy * S[m - 1];
            S[m] = dx * S[m - 1] + dy * C[m - 1];
        }
        for (Index m = 0; m < L_; ++m) {
            // Q_l^m(dz) and dQ_l^m/dz for l = m..L-1 by the Legendre recurrence
            T Q[M], dQ[M];
            T qmm = 1;
            for (Index j = 1; j <= m; ++j) qmm *= T(2 * j - 1);  // (2m - 1)!!
            Q[m] = qmm;
            dQ[m] = 0;
            if (m + 1 < L_) {
                Q[m + 1] = T(2 * m + 1) * dz * qmm;  // Q_{m+1}^m = (2m + 1) dz Q_m^m
                dQ[m + 1] = T(2 * m + 1) * qmm;
            }
            for (Index l = m + 2; l < L_; ++l) {
                const T a = T(double(2 * l - 1) / double(l - m)), b = T(double(l + m - 1) / double(l - m));
                Q[l] = a * dz * Q[l - 1] - b * Q[l - 2];                // (l-m) Q_l = (2l-1) z Q_{l-1} - (l+m-1) Q_{l-2}
                dQ[l] = a * (Q[l - 1] + dz * dQ[l - 1]) - b * dQ[l - 2];  // its derivative in z
            }
            for (Index l = m; l < L_; ++l) {
                const T c = coef_[std::size_t(l * M + m)];
                const Index centre = l * l + l;
                if (m == 0) {
                    if (val) val[centre] = c * Q[l];  // Y_l^0 = K Q_l^0(dz)
                    if (jac) {
                        T* J = jac + 3 * centre;
                        J[0] = 0;
                        J[1] = 0;
                        J[2] = c * dQ[l];
                    }
                    continue;
                }
                if (val) {
                    val[centre + m] = c * C[m] * Q[l];  // Y_l^m = c C_m Q_l^m
                    val[centre - m] = c * S[m] * Q[l];  // Y_l^-m = c S_m Q_l^m
                }
                if (jac) {
                    // dC_m/ddx = m C_{m-1}, dC_m/ddy = -m S_{m-1}, dS_m/ddx = m S_{m-1}, dS_m/ddy = m C_{m-1}
                    const T cm = c * T(m);
                    T* Jp = jac + 3 * (centre + m);
                    Jp[0] = cm * C[m - 1] * Q[l];
                    Jp[1] = -cm * S[m - 1] * Q[l];
                    Jp[2] = c * C[m] * dQ[l];
                    T* Jn = jac + 3 * (centre - m);
                    Jn[0] = cm * S[m - 1] * Q[l];
                    Jn[1] = cm * C[m - 1] * Q[l];
                    Jn[2] = c * S[m] * dQ[l];
                }
            }
        }
    }

    /// Right shape, finite, and 2x - 1 of unit length within tol (tcnn's coordinate domain).
    void check(ConstMatRef<T> X) const {
        detail::check_points<T>(X, 3, "SphericalHarmonics");
        for (Index n = 0; n < X.cols(); ++n) {
            double r2 = 0;
            for (Index j = 0; j < 3; ++j) {
                const double d = 2.0 * double(X(j, n)) - 1.0;  // d = 2x - 1
                r2 += d * d;
            }
            const double r = std::sqrt(r2);
            if (!(std::abs(r - 1.0) <= tol_))
                detail::fail("SphericalHarmonics: coordinate domain: column ", n,
                             " is not a unit direction in tcnn's convention (|2x - 1| = ", r,
                             ", must be 1 within tol = ", tol_, "; x in [0, 1]^3 is mapped to 2x - 1)");
        }
    }

    Index L_;
    double tol_;
    std::array<T, kMaxDegree * kMaxDegree> coef_{};  // c_l^m at l * 8 + m
};

}  // namespace posenc

// tiny-cuda-nn's parameter-free encodings in posenc: OneBlob, TriangleWave, SphericalHarmonics
// (encoding/oneblob.hpp, triangle_wave.hpp, spherical_harmonics.hpp; docs/encodings.md section 6).
// Values against hand-computed ones, parity with tcnn's formulas (re-derived here from
// include/tiny-cuda-nn/encodings/*.h and common_device.h), backward against finite differences in
// double, closed-form and orthonormal spherical harmonics, errors, factory and model-file round trips.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include "posenc/core/random.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/encoding/oneblob.hpp"
#include "posenc/encoding/spherical_harmonics.hpp"
#include "posenc/encoding/triangle_wave.hpp"
#include "posenc/io/model_file.hpp"
#include "posenc/nn/model.hpp"

using namespace posenc;
using Catch::Matchers::Contains;

namespace {

EncoderSpec tspec(std::string type, std::map<std::string, double> params) {
    return EncoderSpec{std::move(type), std::move(params), {}};
}

// ---- tcnn's formulas, written out directly (the reference the encoders must match) -------------------

/// tcnn quartic_cdf(x, inv_radius).
template <class U>
U quartic_cdf(U x, U inv_radius) {
    const U u = x * inv_radius, u2 = u * u, u4 = u2 * u2;
    return std::max(U(0), std::min(U(1), U(15) / U(16) * u * (U(1) - U(2) / U(3) * u2 + U(1) / U(5) * u4) + U(0.5)));
}
/// tcnn quartic_cdf_deriv(x, inv_radius) = quartic(x, inv_radius) * inv_radius.
template <class U>
U quartic_pdf(U x, U inv_radius) {
    const U u = x * inv_radius, t = std::max(U(1) - u * u, U(0));
    return U(15) / U(16) * t * t * inv_radius;
}
/// tcnn's kernel_one_blob_soa for one coordinate: bin k = S((k+1)/n - x) - S(k/n - x), S wrapped by +-1.
template <class U>
std::vector<U> tcnn_oneblob(U x, int n) {
    const U N = U(n);
    auto S = [&](U b) { return quartic_cdf(b - x, N) + quartic_cdf(b - x - U(1), N) + quartic_cdf(b - x + U(1), N); };
    std::vector<U> out(static_cast<std::size_t>(n));
    U left = S(U(0));
    for (int k = 0; k < n; ++k) {
        const U right = S(std::ldexp(U(k + 1), -int(std::log2(n))));
        out[std::size_t(k)] = right - left;
        left = right;
    }
    return out;
}
/// tcnn's kernel_one_blob_backward: d/dx of the code, per bin.
template <class U>
std::vector<U> tcnn_oneblob_deriv(U x, int n) {
    const U N = U(n);
    auto Sp = [&](U b) { return quartic_pdf(b - x, N) + quartic_pdf(b - x - U(1), N) + quartic_pdf(b - x + U(1), N); };
    std::vector<U> out(static_cast<std::size_t>(n));
    for (int k = 0; k < n; ++k) out[std::size_t(k)] = Sp(U(k) / N) - Sp(U(k + 1) / N);
    return out;
}
/// tcnn's triangle_wave_encoding for one coordinate and frequency k: value and dy/dx.
template <class U>
std::pair<U, U> tcnn_triangle(U x, int k) {
    const U v = std::ldexp(x, k - 1) + U(k) * U(0.25);
    const U val = std::abs(v - std::floor(v) - U(0.5)) * U(4) - U(1);
    const U d = std::ldexp(long(std::floor(v * U(2))) % 2 == 0 ? U(-1) : U(1), k + 1);
    return {val, d};
}

template <class T>
Mat<T> uniform_points(Index d, Index n, std::uint64_t seed) {
    Rng rng(seed);
    Mat<T> X(d, n);
    for (Index i = 0; i < X.size(); ++i) X.data()[i] = T(rng.uniform());
    return X;
}

/// Unit directions d (3 x n), uniform-ish, and their inputs x = (d + 1) / 2.
Mat<double> direction_inputs(Index n, std::uint64_t seed) {
    Rng rng(seed);
    Mat<double> X(3, n);
    for (Index j = 0; j < n; ++j) {
        double v[3], r = 0;
        do {
            r = 0;
            for (double& c : v) {
                c = rng.uniform(-1.0, 1.0);
                r += c * c;
            }
        } while (r < 1e-2 || r > 1);
        r = std::sqrt(r);
        for (int i = 0; i < 3; ++i) X(i, j) = 0.5 * (v[i] / r + 1.0);
    }
    return X;
}

/// Central differences of <dY, code(X)> wrt every X entry against backward().
template <class E>
void check_backward_fd(const E& e, const Mat<double>& X, double h, double tol) {
    const Index N = X.cols();
    Mat<double> dY = uniform_points<double>(e.output_dim(), N, 99).array() - 0.5;
    Mat<double> dX(e.input_dim(), N);
    e.backward(X, dY, dX);
    for (Index n = 0; n < N; ++n)
        for (Index j = 0; j < e.input_dim(); ++j) {
            Mat<double> Xp = X.col(n), Xm = X.col(n);
            Xp(j, 0) += h;
            Xm(j, 0) -= h;
            Mat<double> cp(e.output_dim(), 1), cm(e.output_dim(), 1);
            e.encode(Xp, cp);
            e.encode(Xm, cm);
            const double fd = dY.col(n).dot((cp - cm).col(0)) / (2 * h);
            INFO("point " << n << " axis " << j << " x " << X(j, n));
            CHECK(dX(j, n) == Approx(fd).margin(tol));
        }
}

}  // namespace

// ---- OneBlob --------------------------------------------------------------------------------------------

TEST_CASE("oneblob: hand-computed bins", "[tcnn][oneblob]") {
    const OneBlob<double> e(4);
    REQUIRE(e.output_dim() == 4);
    // x = 0.5: the kernel [0.25, 0.75] splits evenly between bins 1 and 2.
    Mat<double> X(1, 2);
    X << 0.5, 0.125;
    const Mat<double> c = encode(e, X);
    CHECK(c(0, 0) == Approx(0).margin(1e-15));
    CHECK(c(1, 0) == Approx(0.5));
    CHECK(c(2, 0) == Approx(0.5));
    CHECK(c(3, 0) == Approx(0).margin(1e-15));
    // x = 0.125: kernel [-0.125, 0.375]; F(w = 1/2) = 1/2 + (15/32)(1 - 1/6 + 1/80) = 1/2 + 203/512.
    const double F = 0.5 + 203.0 / 512.0;
    CHECK(c(0, 1) == Approx(F - (1 - F)));  // bin [0, 1/4): F(1/2) - F(-1/2)
    CHECK(c(1, 1) == Approx(1 - F));        // bin [1/4, 1/2): the tail beyond w = 1/2
    CHECK(c(2, 1) == Approx(0).margin(1e-15));
    CHECK(c(3, 1) == Approx(1 - F));        // bin [3/4, 1): the tail wrapped from below 0
    CHECK(c.col(1).sum() == Approx(1));
}

TEMPLATE_TEST_CASE("oneblob: parity with tcnn's kernels for every bin count", "[tcnn][oneblob]", float, double) {
    using T = TestType;
    const T tol = std::is_same_v<T, float> ? T(2e-6) : T(1e-13);
    for (int n : {1, 2, 4, 8, 16, 64}) {
        const OneBlob<T> e(n, 2);
        Mat<T> X = uniform_points<T>(2, 200, 7 + std::uint64_t(n));
        X(0, 0) = 0;
        X(1, 0) = 1;
        X(0, 1) = T(0.5);
        X(1, 1) = T(1) / T(n);
        const Mat<T> c = encode(e, X);
        Mat<T> dY = uniform_points<T>(e.output_dim(), X.cols(), 3).array() - T(0.5), dX(2, X.cols());
        e.backward(X, dY, dX);
        for (Index j = 0; j < X.cols(); ++j)
            for (Index a = 0; a < 2; ++a) {
                const auto ref = tcnn_oneblob<T>(X(a, j), n);
                const auto dref = tcnn_oneblob_deriv<T>(X(a, j), n);
                T dsum = 0, csum = 0;
                for (int k = 0; k < n; ++k) {
                    INFO("n_bins " << n << " x " << X(a, j) << " bin " << k);
                    CHECK(std::abs(c(a * n + k, j) - ref[std::size_t(k)]) <= tol * T(n));
                    dsum += dY(a * n + k, j) * dref[std::size_t(k)];
                    csum += c(a * n + k, j);
                }
                CHECK(std::abs(csum - T(1)) <= tol * T(n));  // the bins of an axis sum to 1
                CHECK(std::abs(dX(a, j) - dsum) <= tol * T(n) * T(n));
            }
    }
}

TEST_CASE("oneblob: backward matches finite differences in double", "[tcnn][oneblob]") {
    for (int n : {1, 4, 16, 32}) {
        INFO("n_bins " << n);
        const OneBlob<double> e(n, 2);
        Mat<double> X = uniform_points<double>(2, 30, 3) * 0.98 + Mat<double>::Constant(2, 30, 0.01);
        check_backward_fd(e, X, 1e-7, 1e-5 * n);
    }
}

TEST_CASE("oneblob: sparse windows equal the dense code", "[tcnn][oneblob]") {
    CHECK(OneBlob<double>(8).window_width() == 0);
    const OneBlob<double> e(32, 2);
    REQUIRE(e.window_width() == 16);
    const Mat<double> X = uniform_points<double>(2, 100, 11);
    const Mat<double> c = encode(e, X);
    Windows<double> w;
    e.windows(X, w);
    for (Index j = 0; j < X.cols(); ++j) {
        Mat<double> dense = Mat<double>::Zero(e.output_dim(), 1);
        for (Index k = 0; k < w.width; ++k) dense(w.index(k, j), 0) += w.weight(k, j);
        CHECK((dense.col(0) - c.col(j)).cwiseAbs().maxCoeff() <= 1e-15);
    }
}

TEST_CASE("oneblob: bad parameters and coordinates throw posenc::Error", "[tcnn][oneblob]") {
    CHECK_THROWS_WITH(OneBlob<double>(3), Contains("n_bins must be a power of two"));
    CHECK_THROWS_WITH(OneBlob<double>(0), Contains("n_bins"));
    CHECK_THROWS_WITH(OneBlob<double>(4, 0), Contains("input dimension"));
    const OneBlob<double> e(4, 2);
    Mat<double> X(2, 1);
    X << 0.5, 1.5;
    Mat<double> out(8, 1);
    CHECK_THROWS_WITH(e.encode(X, out), Contains("domain [0, 1]"));
    X << 0.5, std::nan("");
    CHECK_THROWS_AS(e.encode(X, out), Error);
    CHECK_THROWS_WITH(encode(e, Mat<double>::Constant(3, 1, 0.5)), Contains("input dimension"));
}

// ---- TriangleWave ---------------------------------------------------------------------------------------

TEST_CASE("triangle_wave: hand-computed values and derivatives", "[tcnn][triangle_wave]") {
    const TriangleWave<double> e(3);
    Mat<double> X(1, 1);
    X << 0.3;
    const Mat<double> c = encode(e, X);
    // v = 0.15, 0.55, 1.1: 4 |frac v - 1/2| - 1 = 0.4, -0.8, 0.6
    CHECK(c(0, 0) == Approx(0.4));
    CHECK(c(1, 0) == Approx(-0.8));
    CHECK(c(2, 0) == Approx(0.6));
    // d/dx: floor(2v) = 0 (even), 1 (odd), 2 (even): -2, +4, -8; each alone via a one-hot dY
    for (int k = 0; k < 3; ++k) {
        Mat<double> dY = Mat<double>::Zero(3, 1), dX(1, 1);
        dY(k, 0) = 1;
        e.backward(X, dY, dX);
        CHECK(dX(0, 0) == (k == 1 ? 4.0 : (k == 0 ? -2.0 : -8.0)));
    }
}

TEMPLATE_TEST_CASE("triangle_wave: parity with tcnn's kernel, axis-major layout", "[tcnn][triangle_wave]", float,
                   double) {
    using T = TestType;
    const int L = 12, d = 3;
    const TriangleWave<T> e(L, d);
    REQUIRE(e.output_dim() == L * d);
    Mat<T> X = uniform_points<T>(d, 300, 5).array() * T(3) - T(1);  // tcnn accepts any finite x
    const Mat<T> c = encode(e, X);
    for (Index j = 0; j < X.cols(); ++j)
        for (Index a = 0; a < d; ++a) {
            T dsum = 0;
            for (int k = 0; k < L; ++k) {
                const auto [v, dv] = tcnn_triangle<T>(X(a, j), k);
                // the same operations in the same order (equal up to a possible fused multiply-add)
                CHECK(std::abs(c(a * L + k, j) - v) <= T(8) * std::numeric_limits<T>::epsilon());
                dsum += dv;
            }
            Mat<T> dY = Mat<T>::Zero(e.output_dim(), 1), dX(d, 1);
            dY.middleRows(a * L, L).setOnes();
            e.backward(X.col(j), dY, dX);
            CHECK(dX(a, 0) == dsum);
        }
}

TEST_CASE("triangle_wave: backward matches finite differences in double", "[tcnn][triangle_wave]") {
    const TriangleWave<double> e(8, 2);
    // away from the kinks (frac(2v) = 0): h 2^(k+1) stays far below the distance to the nearest kink
    Mat<double> X = uniform_points<double>(2, 40, 21);
    Mat<double> dY = uniform_points<double>(16, 40, 4).array() - 0.5, dX(2, 40);
    e.backward(X, dY, dX);
    const double h = 1e-9;
    for (Index n = 0; n < X.cols(); ++n)
        for (Index a = 0; a < 2; ++a) {
            bool near_kink = false;
            for (int k = 0; k < 8; ++k) {
                const double v2 = 2 * (std::ldexp(X(a, n), k - 1) + 0.25 * k);
                near_kink |= std::abs(v2 - std::round(v2)) < 1e-5;
            }
            if (near_kink) continue;
            Mat<double> Xp = X.col(n), Xm = X.col(n);
            Xp(a, 0) += h;
            Xm(a, 0) -= h;
            const double fd = dY.col(n).dot((encode(e, Xp) - encode(e, Xm)).col(0)) / (2 * h);
            CHECK(dX(a, n) == Approx(fd).margin(1e-4));
        }
}

TEST_CASE("triangle_wave: bad parameters and coordinates throw posenc::Error", "[tcnn][triangle_wave]") {
    CHECK_THROWS_WITH(TriangleWave<double>(0), Contains("n_frequencies"));
    CHECK_THROWS_WITH(TriangleWave<double>(65), Contains("n_frequencies"));
    CHECK_THROWS_WITH(TriangleWave<double>(4, 0), Contains("input dimension"));
    const TriangleWave<float> e(64);
    Mat<float> X = Mat<float>::Constant(1, 1, 1e30f), out(64, 1);
    CHECK_THROWS_WITH(e.encode(X, out), Contains("out of the domain"));
    CHECK_THROWS_WITH(encode(e, Mat<float>::Constant(2, 1, 0.5f)), Contains("input dimension"));
}

// ---- SphericalHarmonics ---------------------------------------------------------------------------------

TEST_CASE("spherical_harmonics: bands 0-2 equal the closed-form real SH with the Condon-Shortley phase",
          "[tcnn][spherical_harmonics]") {
    const SphericalHarmonics<double> e(3);
    REQUIRE(e.output_dim() == 9);
    const Mat<double> X = direction_inputs(50, 3);
    const Mat<double> c = encode(e, X);
    const double pi = std::numbers::pi;
    for (Index n = 0; n < X.cols(); ++n) {
        const double x = 2 * X(0, n) - 1, y = 2 * X(1, n) - 1, z = 2 * X(2, n) - 1;
        const double ref[9] = {0.5 * std::sqrt(1 / pi),
                               -std::sqrt(3 / (4 * pi)) * y,
                               std::sqrt(3 / (4 * pi)) * z,
                               -std::sqrt(3 / (4 * pi)) * x,
                               0.5 * std::sqrt(15 / pi) * x * y,
                               -0.5 * std::sqrt(15 / pi) * y * z,
                               0.25 * std::sqrt(5 / pi) * (3 * z * z - 1),
                               -0.5 * std::sqrt(15 / pi) * x * z,
                               0.25 * std::sqrt(15 / pi) * (x * x - y * y)};
        for (int k = 0; k < 9; ++k) CHECK(c(k, n) == Approx(ref[k]).margin(1e-14));
    }
}

TEST_CASE("spherical_harmonics: tcnn's polynomials of bands 3-7, also off the sphere", "[tcnn][spherical_harmonics]") {
    // tcnn's generated formulas (comments of kernel_sh), at a direction of norm 0.911: equal polynomials
    // agree off the sphere too, which pins down tcnn's exact forms (and so its backward).
    const SphericalHarmonics<double> e(8, 0.5);
    const double x = 0.3, y = -0.7, z = 0.5, sp = std::sqrt(std::numbers::pi);
    Mat<double> X(3, 1);
    X << (x + 1) / 2, (y + 1) / 2, (z + 1) / 2;
    const Mat<double> c = encode(e, X);
    const double x2 = x * x, y2 = y * y, z2 = z * z, x4 = x2 * x2, y4 = y2 * y2, z4 = z2 * z2, x6 = x4 * x2,
                 y6 = y4 * y2, z6 = z4 * z2;
    const std::vector<std::pair<int, double>> ref = {
        {9, std::sqrt(70.0) * y * (-3 * x2 + y2) / (8 * sp)},
        {12, std::sqrt(7.0) * z * (5 * z2 - 3) / (4 * sp)},
        {13, std::sqrt(42.0) * x * (1 - 5 * z2) / (8 * sp)},
        {20, 3 * (-30 * z2 + 35 * z4 + 3) / (16 * sp)},
        {24, 3 * std::sqrt(35.0) * (-6 * x2 * y2 + x4 + y4) / (16 * sp)},
        {27, -std::sqrt(770.0) * y * (3 * x2 - y2) * (9 * z2 - 1) / (32 * sp)},
        {30, std::sqrt(11.0) * z * (-70 * z2 + 63 * z4 + 15) / (16 * sp)},
        {35, 3 * std::sqrt(154.0) * x * (10 * x2 * y2 - x4 - 5 * y4) / (32 * sp)},
        {42, std::sqrt(13.0) * (105 * z2 - 315 * z4 + 231 * z6 - 5) / (32 * sp)},
        {44, std::sqrt(2730.0) * (x2 - y2) * (11 * z2 * (3 * z2 - 1) - 7 * z2 + 1) / (64 * sp)},
        {48, std::sqrt(6006.0) * (15 * x2 * y4 - 15 * x4 * y2 + x6 - y6) / (64 * sp)},
        {49, 3 * std::sqrt(715.0) * y * (-21 * x2 * y4 + 35 * x4 * y2 - 7 * x6 + y6) / (64 * sp)},
        {53, -3 * std::sqrt(35.0) * y * (3 * x2 - y2) * (13 * z2 * (11 * z2 - 3) - 27 * z2 + 3) / (64 * sp)},
        {56, std::sqrt(15.0) * z * (315 * z2 - 693 * z4 + 429 * z6 - 35) / (32 * sp)},
        {58, std::sqrt(70.0) * z * (x2 - y2) * (143 * z2 * (3 * z2 - 1) - 187 * z2 + 45) / (64 * sp)},
        {63, 3 * std::sqrt(715.0) * x * (-35 * x2 * y4 + 21 * x4 * y2 - x6 + 7 * y6) / (64 * sp)},
    };
    for (const auto& [k, v] : ref) {
        INFO("output " << k);
        CHECK(c(k, 0) == Approx(v).margin(1e-13));
    }
    // tcnn's backward: 2 x the partial derivatives of those polynomials, e.g. dx[9] = -3 sqrt(70) xy / (4 sqrt(pi))
    // and dz[30] = 15 sqrt(11) (-14 z^2 + 21 z^4 + 1) / (16 sqrt(pi)).
    Mat<double> dY = Mat<double>::Zero(64, 1), dX(3, 1);
    dY(9, 0) = 1;
    e.backward(X, dY, dX);
    CHECK(dX(0, 0) == Approx(2 * -3 * std::sqrt(70.0) * x * y / (4 * sp)));
    dY.setZero();
    dY(30, 0) = 1;
    e.backward(X, dY, dX);
    CHECK(dX(2, 0) == Approx(2 * 15 * std::sqrt(11.0) * (-14 * z2 + 21 * z4 + 1) / (16 * sp)));
    CHECK(dX(0, 0) == 0);
    CHECK(dX(1, 0) == 0);
}

TEST_CASE("spherical_harmonics: orthonormal on the sphere by Gauss-Legendre x trapezoid quadrature",
          "[tcnn][spherical_harmonics]") {
    // Products of bands < 8 are polynomials of degree <= 14: 16 Gauss-Legendre nodes in z = cos(theta) and
    // 32 equispaced azimuths integrate them exactly.
    const int nz = 16, nphi = 32;
    std::vector<double> zs(nz), ws(nz);
    for (int i = 0; i < nz; ++i) {
        double t = std::cos(std::numbers::pi * (i + 0.75) / (nz + 0.5)), dp = 0;
        for (int it = 0; it < 100; ++it) {  // Newton on P_nz
            double p0 = 1, p1 = t;
            for (int k = 2; k <= nz; ++k) {
                const double p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            dp = nz * (t * p1 - p0) / (t * t - 1);
            const double dt = p1 / dp;
            t -= dt;
            if (std::abs(dt) < 1e-16) break;
        }
        zs[std::size_t(i)] = t;
        ws[std::size_t(i)] = 2 / ((1 - t * t) * dp * dp);
    }
    Mat<double> X(3, nz * nphi);
    std::vector<double> w(std::size_t(nz * nphi));
    for (int i = 0; i < nz; ++i)
        for (int j = 0; j < nphi; ++j) {
            const double z = zs[std::size_t(i)], s = std::sqrt(1 - z * z), phi = 2 * std::numbers::pi * j / nphi;
            const Index c = i * nphi + j;
            X(0, c) = 0.5 * (s * std::cos(phi) + 1);
            X(1, c) = 0.5 * (s * std::sin(phi) + 1);
            X(2, c) = 0.5 * (z + 1);
            w[std::size_t(c)] = ws[std::size_t(i)] * 2 * std::numbers::pi / nphi;
        }
    const SphericalHarmonics<double> e(8);
    const Mat<double> Y = encode(e, X);
    Mat<double> G = Mat<double>::Zero(64, 64);
    for (Index c = 0; c < X.cols(); ++c) G += w[std::size_t(c)] * Y.col(c) * Y.col(c).transpose();
    CHECK((G - Mat<double>::Identity(64, 64)).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("spherical_harmonics: float agrees with double", "[tcnn][spherical_harmonics]") {
    const Mat<double> X = direction_inputs(100, 8);
    const Mat<double> cd = encode(SphericalHarmonics<double>(8), X);
    const Mat<float> cf = encode(SphericalHarmonics<float>(8), Mat<float>(X.cast<float>()));
    CHECK((cf.cast<double>() - cd).cwiseAbs().maxCoeff() < 2e-5);
}

TEST_CASE("spherical_harmonics: backward matches finite differences in double", "[tcnn][spherical_harmonics]") {
    // the polynomial's partials (not projected on the sphere), so off-sphere finite differences are exact
    for (Index L = 1; L <= 8; ++L) {
        INFO("degree " << L);
        check_backward_fd(SphericalHarmonics<double>(L), direction_inputs(20, 30 + std::uint64_t(L)), 1e-6, 1e-6);
    }
}

TEST_CASE("spherical_harmonics: bad parameters and non-unit directions throw posenc::Error",
          "[tcnn][spherical_harmonics]") {
    CHECK_THROWS_WITH(SphericalHarmonics<double>(0), Contains("degree must be in [1, 8]"));
    CHECK_THROWS_WITH(SphericalHarmonics<double>(9), Contains("degree"));
    CHECK_THROWS_WITH(SphericalHarmonics<double>(4, 0.0), Contains("tol"));
    const SphericalHarmonics<double> e(4);
    Mat<double> X = Mat<double>::Constant(3, 1, 0.5), out(16, 1);  // direction 0
    CHECK_THROWS_WITH(e.encode(X, out), Contains("not a unit direction"));
    X << 1.0, 1.0, 0.5;  // direction (1, 1, 0): norm sqrt(2)
    CHECK_THROWS_WITH(e.encode(X, out), Contains("coordinate domain"));
    Mat<double> dX(3, 1);
    CHECK_THROWS_AS(e.backward(X, out, dX), Error);
    X << 1.0 + 2e-4, 0.5, 0.5;  // |2x - 1| = 1.0004: within the tolerance
    CHECK_NOTHROW(e.encode(X, out));
    CHECK_THROWS_WITH(encode(e, Mat<double>::Constant(2, 1, 0.5)), Contains("input dimension"));
}

// ---- factory, specs, model files ------------------------------------------------------------------------

TEST_CASE("tcnn encodings: factory specs round trip and hand-built encoders describe themselves",
          "[tcnn][factory]") {
    const std::vector<std::pair<EncoderSpec, EncoderSpec>> cases = {
        {tspec("oneblob", {{"n_bins", 16}, {"input_dim", 2}}), OneBlob<double>(16, 2).spec()},
        {tspec("oneblob", {{"param", 8}}), OneBlob<double>(8).spec()},
        {tspec("triangle_wave", {{"n_frequencies", 12}, {"input_dim", 3}}), TriangleWave<double>(12, 3).spec()},
        {tspec("spherical_harmonics", {{"degree", 4}}), SphericalHarmonics<double>(4).spec()},
        {tspec("spherical_harmonics", {{"param", 8}, {"tol", 0.01}}), SphericalHarmonics<double>(8, 0.01).spec()},
    };
    for (const auto& [s, hand] : cases) {
        INFO(to_string(s));
        const AnyEncoder<double> e = make_encoder<double>(s);
        CHECK(e.spec() == hand);  // the factory's normalised form is the hand-built encoder's
        const AnyEncoder<double> back = make_encoder<double>(e.spec());
        CHECK(back.spec() == e.spec());
        const Mat<double> X = s.type == "spherical_harmonics" ? direction_inputs(10, 1) : uniform_points<double>(e.input_dim(), 10, 1);
        CHECK(encode(back, X) == encode(e, X));
        CHECK(AnyEncoder<double>(OneBlob<double>(16, 2)).spec().type == "oneblob");
    }
    const auto types = encoder_types();
    for (const char* t : {"oneblob", "triangle_wave", "spherical_harmonics"})
        CHECK(std::find(types.begin(), types.end(), t) != types.end());
    CHECK(spec_for("oneblob", {{"param", 16}, {"dim", 100}}).params == std::map<std::string, double>{{"param", 16}});
    // the factory's table is sorted (encoder_types() promises it)
    CHECK(std::is_sorted(types.begin(), types.end()));
    // a hand-built OneBlob keeps its windows through AnyEncoder
    CHECK(AnyEncoder<float>(OneBlob<float>(32)).window_width() == 8);
    CHECK(make_encoder<float>(tspec("oneblob", {{"n_bins", 32}})).window_width() == 8);
}

TEST_CASE("tcnn encodings: the factory names the bad parameter", "[tcnn][factory]") {
    auto msg = [](const EncoderSpec& s) {
        try {
            (void)make_encoder<float>(s);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    CHECK_THAT(msg(tspec("oneblob", {})), Contains("missing required parameter \"n_bins\""));
    CHECK_THAT(msg(tspec("oneblob", {{"n_bins", 12}})), Contains("\"n_bins\" must be a power of two"));
    CHECK_THAT(msg(tspec("oneblob", {{"n_bins", 0.5}})), Contains("\"n_bins\" must be an integer"));
    CHECK_THAT(msg(tspec("oneblob", {{"n_bins", 1 << 20}, {"input_dim", 1000}})), Contains("too large"));
    CHECK_THAT(msg(tspec("oneblob", {{"n_bins", 4}, {"dim", 4}})), Contains("unknown parameter \"dim\""));
    CHECK_THAT(msg(tspec("triangle_wave", {{"n_frequencies", 65}})), Contains("\"n_frequencies\" must be an integer in [1, 64]"));
    CHECK_THAT(msg(tspec("triangle_wave", {{"n_frequencies", 4}, {"input_dim", 0}})), Contains("\"input_dim\""));
    CHECK_THAT(msg(tspec("spherical_harmonics", {{"degree", 9}})), Contains("\"degree\" must be an integer in [1, 8]"));
    CHECK_THAT(msg(tspec("spherical_harmonics", {{"degree", 2}, {"input_dim", 2}})), Contains("\"input_dim\" must be 3"));
    CHECK_THAT(msg(tspec("spherical_harmonics", {{"degree", 2}, {"tol", 1}})), Contains("\"tol\" must be in (0, 1)"));
    CHECK_THAT(msg(tspec("spherical_harmonics", {{"degree", 2}, {"tol", -1}})), Contains("\"tol\" must be > 0"));
}

TEMPLATE_TEST_CASE("tcnn encodings: a model file round trip", "[tcnn][model_file]", float, double) {
    using T = TestType;
    for (const EncoderSpec& s : {tspec("oneblob", {{"n_bins", 16}, {"input_dim", 2}}),
                                 tspec("triangle_wave", {{"n_frequencies", 6}, {"input_dim", 2}})}) {
        INFO(to_string(s));
        MlpConfig cfg;
        cfg.output_dim = 3;
        cfg.width = 8;
        cfg.depth = 1;
        cfg.seed = 5;
        const Model<T> m(make_encoder<T>(s), cfg);
        const std::string bytes = model_to_bytes(m);
        const Model<T> back = model_from_bytes<T>(bytes);
        CHECK(back.encoder().spec() == m.encoder().spec());
        const Mat<T> X = uniform_points<T>(2, 50, 9);
        CHECK(back.predict(X) == m.predict(X));
        CHECK(model_to_bytes(back) == bytes);
    }
}

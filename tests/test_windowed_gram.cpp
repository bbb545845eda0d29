// Windowed Gram matrix and embedding_stable_rank (analysis/windowed_gram.hpp): agreement with the
// dense Gram of the same windows scattered into a matrix, with the untruncated code, wrapped
// periodic windows, zero-padded bounded windows, two-run per-axis windows, the dense fallback for
// encoders without windows, and errors for malformed windows.
#include <catch2/catch.hpp>

#include <cmath>

#include "posenc/analysis/stable_rank.hpp"
#include "posenc/analysis/windowed_gram.hpp"
#include "posenc/encoding/frequencies.hpp"
#include "posenc/encoding/per_axis.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/profiles/triangle.hpp"
#include "posenc/encoding/shifted_basis.hpp"

using namespace posenc;

namespace {

// The windows written out as the dense output_dim x N code (the same truncated numbers).
template <class T>
Mat<double> scatter(const Windows<T>& w, Index output_dim) {
    Mat<double> A = Mat<double>::Zero(output_dim, w.cols());
    for (Index n = 0; n < w.cols(); ++n)
        for (Index k = 0; k < w.width; ++k) A(w.index(k, n), n) += double(w.weight(k, n));
    return A;
}

// Points 0.003 + i / N * span in [0, span) (off the shift grid, so windows are not symmetric).
Mat<double> line_points(Index N, double span) {
    Mat<double> X(1, N);
    for (Index i = 0; i < N; ++i) X(0, i) = 0.003 + span * double(i) / double(N);
    return X;
}

double max_abs_diff(const Mat<double>& a, const Mat<double>& b) { return (a - b).cwiseAbs().maxCoeff(); }

/// D x N periodic Gaussian codes exp(-u^2 / (2 sigma^2)) of the points X (1 x N), u the wrapped
/// distance to the shifts d / D: written out independently of the encoder, no truncation, no scale.
Mat<double> periodic_gaussian_code(const Mat<double>& X, Index D, double sigma) {
    Mat<double> full(D, X.cols());
    for (Index j = 0; j < X.cols(); ++j)
        for (Index d = 0; d < D; ++d) {
            const double u = std::fmod(X(0, j) - double(d) / double(D) + 2.5, 1.0) - 0.5;
            full(d, j) = std::exp(-u * u / (2 * sigma * sigma));
        }
    return full;
}
}  // namespace

TEST_CASE("windowed_gram equals the Gram of the scattered windows (periodic, wrapping)", "[windowed_gram]") {
    const ShiftedBasis<Gaussian, double> e(Gaussian(0.02), 700, Domain::Periodic, Scaling::None);
    const Mat<double> X = line_points(90, 1.0);  // points near 0 and 1 have wrapped windows
    Windows<double> w;
    e.windows(X, w);
    const Mat<double> G = windowed_gram(w, e.output_dim());
    const Mat<double> A = scatter(w, e.output_dim());
    const Mat<double> ref = A.transpose() * A;
    REQUIRE(G.rows() == 90);
    CHECK(max_abs_diff(G, ref) <= 1e-12 * ref.diagonal().maxCoeff());
    CHECK(max_abs_diff(G, G.transpose()) == 0.0);
    // Points far apart (beyond two truncation radii, across the wrap) have exactly zero entries.
    CHECK(G(0, 45) == 0.0);
    CHECK(G(0, 89) > 0.1 * G(0, 0));  // 0.003 and 0.992 are neighbours on the circle
}

TEST_CASE("windowed_gram matches the untruncated code to the truncation tolerance", "[windowed_gram]") {
    const double sigma = 0.01;
    const Index D = 2000, N = 120;
    const ShiftedBasis<Gaussian, double> e(Gaussian(sigma), D, Domain::Periodic, Scaling::None);
    const Mat<double> X = line_points(N, 1.0);
    const Mat<double> full = periodic_gaussian_code(X, D, sigma);
    Windows<double> w;
    e.windows(X, w);
    const Mat<double> G = windowed_gram(w, D);
    const Mat<double> ref = full.transpose() * full;
    // Dropped entries are below tol = 1e-8 of the peak; their products reach ~tol of the diagonal.
    CHECK(max_abs_diff(G, ref) <= 2e-8 * ref.diagonal().maxCoeff());
    const double sr_windowed = embedding_stable_rank(e, X);
    const double sr_dense = stable_rank(full);
    CHECK(std::abs(sr_windowed - sr_dense) <= 1e-7 * sr_dense);
}

TEST_CASE("windowed_gram on the bounded domain (zero-weight padding slots)", "[windowed_gram]") {
    const ShiftedBasis<Triangle, float> e(Triangle(0.05), 300, Domain::Bounded);
    Mat<float> X(1, 40);
    for (Index i = 0; i < 40; ++i) X(0, i) = float(i) / 39.0f;  // includes both ends 0 and 1
    Windows<float> w;
    e.windows(X, w);
    const Mat<double> A = scatter(w, e.output_dim());
    const Mat<double> ref = A.transpose() * A;
    const Mat<double> G = windowed_gram(w, e.output_dim());
    CHECK(max_abs_diff(G, ref) <= 1e-12 * ref.diagonal().maxCoeff());
    // Float code: the dense encode agrees with the windows, so the two stable ranks agree closely.
    const double sr = embedding_stable_rank(e, X);
    const double sr_dense = stable_rank(encode(e, X));
    CHECK(std::abs(sr - sr_dense) <= 1e-5 * sr_dense);
}

TEST_CASE("windowed_gram of a per-axis 2D code (two runs per point)", "[windowed_gram]") {
    const PerAxis<ShiftedBasis<Gaussian, double>> e(ShiftedBasis<Gaussian, double>(Gaussian(0.03), 80), 2);
    Mat<double> X(2, 64);
    for (Index i = 0; i < 64; ++i) {
        X(0, i) = double(i % 8) / 8.0 + 0.01;
        X(1, i) = double(i / 8) / 8.0 + 0.02;
    }
    Windows<double> w;
    e.windows(X, w);
    const Mat<double> G = windowed_gram(w, e.output_dim());
    const Mat<double> dense = encode(e, X);
    const Mat<double> ref = dense.transpose() * dense;
    CHECK(max_abs_diff(G, ref) <= 1e-7 * ref.diagonal().maxCoeff());
    // Exact eigenvalues (64 <= exact_max_dim) and forced Lanczos agree with the dense stable rank.
    const double sr_dense = stable_rank(dense);
    CHECK(std::abs(embedding_stable_rank(e, X) - sr_dense) <= 1e-6 * sr_dense);
    StableRankOptions lanczos;
    lanczos.method = StableRankMethod::Iterative;
    CHECK(std::abs(embedding_stable_rank(e, X, lanczos) - sr_dense) <= 1e-6 * sr_dense);
}

TEST_CASE("embedding_stable_rank falls back to the dense code without windows", "[windowed_gram]") {
    const auto f = rff<double>(1, 50, 4.0, 7);
    const Mat<double> X = line_points(200, 1.0);
    CHECK(embedding_stable_rank(f, X) == Approx(stable_rank(encode(f, X))).epsilon(1e-12));
    // A Gaussian too wide for windows (K >= D) also takes the dense path.
    const ShiftedBasis<Gaussian, double> wide(Gaussian(0.4), 50);
    REQUIRE(wide.window_width() == 0);
    CHECK(embedding_stable_rank(wide, X) == Approx(stable_rank(encode(wide, X))).epsilon(1e-12));
}

TEST_CASE("windowed_gram rejects malformed windows", "[windowed_gram]") {
    Windows<double> w;
    w.width = 3;
    w.index.resize(3, 2);
    w.weight.setOnes(3, 2);
    w.index << 0, 5, 1, 6, 2, 7;
    CHECK_NOTHROW(windowed_gram(w, 8));
    CHECK_THROWS_WITH(windowed_gram(w, 7), Catch::Contains("outside [0, 7)"));
    w.index(2, 0) = 0;  // row 0 twice with non-zero weight
    CHECK_THROWS_WITH(windowed_gram(w, 8), Catch::Contains("twice"));
    w.weight(2, 0) = 0;  // ... but a zero-weight padding slot may repeat a row
    CHECK_NOTHROW(windowed_gram(w, 8));
    w.weight.resize(2, 2);
    CHECK_THROWS_WITH(windowed_gram(w, 8), Catch::Contains("inconsistent"));
    CHECK_THROWS_WITH(windowed_gram(Windows<double>{}, 0), Catch::Contains("output_dim"));
    const ShiftedBasis<Gaussian, double> e(Gaussian(0.01), 100, Domain::Periodic, Scaling::None);
    CHECK_THROWS_AS(embedding_stable_rank(e, Mat<double>(1, 0)), Error);
    Mat<double> bad(1, 2);
    bad << 0.5, std::nan("");
    CHECK_THROWS_AS(embedding_stable_rank(e, bad), Error);
}

// ---- embedding_stable_ranks: L2 and L1 stable ranks from one windowed Gram ----------------------

namespace {

double rel_diff(double a, double b) { return std::abs(a - b) / std::abs(b); }

// x_i = i / N, the points of rank_curves (protocol A).
Mat<double> protocol_points(Index N) {
    Mat<double> X(1, N);
    for (Index i = 0; i < N; ++i) X(0, i) = double(i) / double(N);
    return X;
}

}  // namespace

TEST_CASE("embedding_stable_ranks: windowed L2 and L1 match the dense ones (periodic Gaussian)", "[windowed_gram]") {
    const ShiftedBasis<Gaussian, double> e(Gaussian(0.01), 4000, Domain::Periodic);
    // 300 > exact_max_dim: the dense L2 takes Lanczos on the formed Gram, the windowed one every eigenvalue.
    for (const Mat<double>& X : {protocol_points(300), line_points(257, 1.0)}) {
        CAPTURE(X.cols());
        REQUIRE(windowed_gram_applies(e, X.cols()));
        const EmbeddingStableRanks r = embedding_stable_ranks(e, X);
        CHECK(r.path == EmbeddingRankPath::WindowedGram);
        CHECK(std::string(to_string(r.path)) == "windowed_gram");
        const Mat<double> A = encode(e, X);
        const double l2 = stable_rank(A), l1 = stable_rank_l1(A);
        CHECK(rel_diff(r.l2, l2) <= 1e-6);
        CHECK(rel_diff(r.l1, l1) <= 1e-6);
        // The two ranks really differ here (L1 ~ sqrt(2) L2 for a Gaussian), so neither check passes
        // for the other quantity.
        CHECK(r.l1 > 1.3 * r.l2);
        CHECK(embedding_stable_rank_l1(e, X) == r.l1);
        CHECK(rel_diff(embedding_stable_rank(e, X), r.l2) <= 1e-10);
        // --dense path: exactly the direct calls on the formed matrix.
        EmbeddingRankOptions dense;
        dense.force_dense = true;
        const EmbeddingStableRanks d = embedding_stable_ranks(e, X, dense);
        CHECK(d.path == EmbeddingRankPath::Dense);
        CHECK(std::string(to_string(d.path)) == "dense");
        CHECK(d.l2 == l2);
        CHECK(d.l1 == l1);
    }
}

TEST_CASE("embedding_stable_ranks agrees with the singular values of the untruncated code", "[windowed_gram]") {
    const double sigma = 0.02;
    const Index D = 1500, N = 150;
    const ShiftedBasis<Gaussian, double> e(Gaussian(sigma), D, Domain::Periodic, Scaling::None);
    const Mat<double> X = line_points(N, 1.0);
    const Mat<double> full = periodic_gaussian_code(X, D, sigma);
    const Vec<double> s = Eigen::JacobiSVD<Mat<double>>(full).singularValues();
    const double l2_ref = s.squaredNorm() / (s[0] * s[0]), l1_ref = s.sum() / s[0];
    const EmbeddingStableRanks r = embedding_stable_ranks(e, X);
    REQUIRE(r.path == EmbeddingRankPath::WindowedGram);
    CHECK(rel_diff(r.l2, l2_ref) <= 1e-6);
    CHECK(rel_diff(r.l1, l1_ref) <= 1e-6);
}

TEST_CASE("embedding_stable_ranks on bounded (padded) and per-axis windows", "[windowed_gram]") {
    SECTION("bounded triangle, zero-weight padding slots at both ends") {
        const ShiftedBasis<Triangle, double> e(Triangle(0.02), 600, Domain::Bounded);
        Mat<double> X(1, 90);
        for (Index i = 0; i < 90; ++i) X(0, i) = double(i) / 89.0;  // includes both ends 0 and 1
        const EmbeddingStableRanks r = embedding_stable_ranks(e, X);
        REQUIRE(r.path == EmbeddingRankPath::WindowedGram);
        const Mat<double> A = encode(e, X);
        CHECK(rel_diff(r.l2, stable_rank(A)) <= 1e-6);
        CHECK(rel_diff(r.l1, stable_rank_l1(A)) <= 1e-6);
    }
    SECTION("per-axis 2D Gaussian (two runs per point)") {
        const PerAxis<ShiftedBasis<Gaussian, double>> e(ShiftedBasis<Gaussian, double>(Gaussian(0.03), 80), 2);
        Mat<double> X(2, 64);
        for (Index i = 0; i < 64; ++i) {
            X(0, i) = double(i % 8) / 8.0 + 0.01;
            X(1, i) = double(i / 8) / 8.0 + 0.02;
        }
        const EmbeddingStableRanks r = embedding_stable_ranks(e, X);
        REQUIRE(r.path == EmbeddingRankPath::WindowedGram);
        const Mat<double> A = encode(e, X);
        CHECK(rel_diff(r.l2, stable_rank(A)) <= 1e-6);
        CHECK(rel_diff(r.l1, stable_rank_l1(A)) <= 1e-6);
    }
}

TEST_CASE("embedding_stable_ranks takes the dense path without windows or with more points than rows",
          "[windowed_gram]") {
    SECTION("random Fourier features: no windows") {
        const auto f = rff<double>(1, 60, 4.0, 7);
        const Mat<double> X = line_points(100, 1.0);
        CHECK_FALSE(windowed_gram_applies(f, X.cols()));
        const EmbeddingStableRanks r = embedding_stable_ranks(f, X);
        CHECK(r.path == EmbeddingRankPath::Dense);
        const Mat<double> A = encode(f, X);
        CHECK(r.l2 == stable_rank(A));
        CHECK(r.l1 == stable_rank_l1(A));
    }
    SECTION("N > output_dim: the dense output_dim-side Gram is the smaller one") {
        const ShiftedBasis<Gaussian, double> e(Gaussian(0.02), 50, Domain::Periodic);
        REQUIRE(e.window_width() > 0);
        CHECK(windowed_gram_applies(e, 50));
        CHECK_FALSE(windowed_gram_applies(e, 51));
        const Mat<double> X = line_points(80, 1.0);
        const EmbeddingStableRanks r = embedding_stable_ranks(e, X);
        CHECK(r.path == EmbeddingRankPath::Dense);
        const Mat<double> A = encode(e, X);
        CHECK(r.l2 == stable_rank(A));
        CHECK(r.l1 == stable_rank_l1(A));
        CHECK(embedding_stable_rank(e, X) == stable_rank(A));
    }
}

TEST_CASE("embedding_stable_ranks: all-zero codes and bad points", "[windowed_gram]") {
    // Triangles of half width 0.001 on shifts 0.01 apart: x = 0.005 is 0.005 from every shift.
    const ShiftedBasis<Triangle, double> e(Triangle(0.001), 100, Domain::Bounded);
    REQUIRE(e.window_width() > 0);
    const Mat<double> X = Mat<double>::Constant(1, 3, 0.005);
    REQUIRE(encode(e, X).squaredNorm() == 0.0);
    EmbeddingRankOptions opt;
    for (const bool dense : {false, true}) {
        CAPTURE(dense);
        opt.force_dense = dense;
        opt.nan_if_zero = false;
        CHECK_THROWS_WITH(embedding_stable_ranks(e, X, opt), Catch::Contains("all zero"));
        opt.nan_if_zero = true;
        const EmbeddingStableRanks r = embedding_stable_ranks(e, X, opt);
        CHECK(std::isnan(r.l2));
        CHECK(std::isnan(r.l1));
        CHECK(r.path == (dense ? EmbeddingRankPath::Dense : EmbeddingRankPath::WindowedGram));
        CHECK_THROWS_WITH(embedding_stable_ranks(e, Mat<double>(1, 0), opt), Catch::Contains("no points"));
        Mat<double> bad(1, 2);
        bad << 0.5, std::nan("");
        CHECK_THROWS_AS(embedding_stable_ranks(e, bad, opt), Error);
    }
    CHECK_THROWS_WITH(embedding_stable_rank_l1(e, X), Catch::Contains("all zero"));
}

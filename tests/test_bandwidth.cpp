// recommend_bandwidth (analysis/bandwidth.hpp): the floor and the evidence agree with the closed forms
// they come from, the choice follows the signal (smooth -> wider than rough, on the same grid), the
// Kronecker layout works on a 2D grid, and every kind of bad input is a posenc::Error naming it.
// Small problems with the closed form (fast at the tests' -O1).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "posenc/analysis/bandwidth.hpp"
#include "posenc/analysis/windowed_gram.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/shifted_basis.hpp"

using namespace posenc;

namespace {

// N samples x_i = i / (2N) (the even samples of a 2N-sample signal, as protocol B's train split).
Mat<double> bw_line(Index N) {
    Mat<double> X(1, N);
    for (Index i = 0; i < N; ++i) X(0, i) = double(i) / double(2 * N);
    return X;
}

// f(x) on the points.
template <class F>
Mat<double> bw_values(const Mat<double>& X, F f) {
    Mat<double> Y(1, X.cols());
    for (Index i = 0; i < X.cols(); ++i) Y(0, i) = f(X(0, i));
    return Y;
}

BandwidthModel bw_closed_form_1d(Index dim) {
    BandwidthModel m;
    m.dim = dim;
    m.closed_form = true;
    m.lambda = 1e-6;
    return m;
}

}  // namespace

TEST_CASE("recommend_bandwidth: evidence matches the kernel and the embedding", "[bandwidth]") {
    const Mat<double> X = bw_line(64);
    const Mat<double> Y = bw_values(X, [](double x) { return 0.5 + 0.4 * std::sin(2 * std::numbers::pi * 3 * x); });
    const BandwidthRecommendation r = recommend_bandwidth<double>(X, Y, bw_closed_form_1d(1024));
    const double h = 1.0 / 128;
    CHECK(r.spacing == Approx(h).epsilon(1e-12));
    CHECK(r.parameter == "sigma");
    // Floor: Gaussian kernel exp(-d^2 / (4 sigma^2)) is 1/2 at d = 2 sigma sqrt(ln 2); half-width = h / 2.
    CHECK(r.floor == Approx(h / (4 * std::sqrt(std::log(2.0)))).epsilon(1e-9));
    REQUIRE(r.candidates.size() >= 10);
    double prev_rank = std::numeric_limits<double>::infinity();
    for (const auto& c : r.candidates) {
        CHECK(c.half_width == Approx(2 * c.param * std::sqrt(std::log(2.0))).epsilon(1e-9));
        CHECK(c.eligible == (c.half_width >= 0.5 * h * (1 - 1e-9)));
        CHECK(c.stable_rank <= prev_rank * (1 + 1e-9));  // wider basis, lower stable rank (paper, Sec. 4)
        prev_rank = c.stable_rank;
        CHECK(std::isfinite(c.cv_psnr));
    }
    // The choice: eligible, within the tolerance of the best, and no narrower eligible candidate is.
    CHECK(r.param >= r.floor);
    CHECK(r.chosen_psnr >= r.best_psnr - 0.5);
    for (const auto& c : r.candidates)
        if (c.eligible && c.param < r.param) CHECK(c.cv_psnr < r.best_psnr - 0.5);
    // The reported stable rank is that of the train embedding at the chosen width.
    const ShiftedBasis<Gaussian, double> e(Gaussian(r.param), 1024);
    CHECK(r.stable_rank == Approx(embedding_stable_rank(e, ConstMatRef<double>(X))).epsilon(1e-9));
}

TEST_CASE("recommend_bandwidth: a smooth signal gets a wider basis than a rough one", "[bandwidth]") {
    const Mat<double> X = bw_line(128);
    const Mat<double> smooth = bw_values(X, [](double x) { return 0.5 + 0.3 * std::sin(2 * std::numbers::pi * x); });
    // Rough: a square wave switching every ~5 samples (edges) plus a fine ripple.
    const Mat<double> rough = bw_values(X, [](double x) {
        return (std::fmod(x * 25.0, 1.0) < 0.5 ? 0.8 : 0.2) + 0.05 * std::sin(2 * std::numbers::pi * 40 * x);
    });
    const BandwidthModel m = bw_closed_form_1d(2048);
    const BandwidthRecommendation rs = recommend_bandwidth<double>(X, smooth, m);
    const BandwidthRecommendation rr = recommend_bandwidth<double>(X, rough, m);
    INFO("smooth sigma " << rs.param << ", rough sigma " << rr.param << ", spacing " << rs.spacing);
    CHECK(rs.param >= 2 * rr.param);
    CHECK(rs.best_psnr > rr.best_psnr);
}

TEST_CASE("recommend_bandwidth: Kronecker 2D on a grid", "[bandwidth]") {
    const Index n = 24;  // 24 x 24 training grid, spacing 1/48
    Mat<double> X(2, n * n), Y(1, n * n);
    for (Index r = 0; r < n; ++r)
        for (Index c = 0; c < n; ++c) {
            const double x = double(c) / (2 * n), y = double(r) / (2 * n);
            X(0, r * n + c) = x;
            X(1, r * n + c) = y;
            Y(0, r * n + c) = 0.5 + 0.3 * std::sin(2 * std::numbers::pi * x) * std::cos(2 * std::numbers::pi * y);
        }
    BandwidthModel m;
    m.layout = BandwidthLayout::Kronecker2D;
    m.dim = 48;
    m.closed_form = true;
    m.lambda = 0.1;
    m.clip = true;
    const BandwidthRecommendation r = recommend_bandwidth<double>(X, Y, m);
    CHECK(r.grid_x == n);
    CHECK(r.grid_y == n);
    CHECK(r.param >= r.floor);
    // srank(Px (x) Py) = srank(Px) srank(Py) on the grid.
    const ShiftedBasis<Gaussian, double> b(Gaussian(r.param), 48, Domain::Bounded, Scaling::None);
    Mat<double> axis(1, n);
    for (Index i = 0; i < n; ++i) axis(0, i) = double(i) / (2 * n);
    const double sx = embedding_stable_rank(b, ConstMatRef<double>(axis));
    CHECK(r.stable_rank == Approx(sx * sx).epsilon(1e-9));
    // Shuffled columns: same grid, same answer.
    Mat<double> Xs = X, Ys = Y;
    for (Index i = 0; i < n * n; ++i) {
        const Index j = (i * 7 + 3) % (n * n);
        Xs.col(i) = X.col(j);
        Ys.col(i) = Y.col(j);
    }
    CHECK(recommend_bandwidth<double>(Xs, Ys, m).param == r.param);
}

TEST_CASE("recommend_bandwidth: bad input is a posenc::Error", "[bandwidth]") {
    const Mat<double> X = bw_line(32);
    const Mat<double> Y = bw_values(X, [](double x) { return x; });
    const BandwidthModel m = bw_closed_form_1d(256);
    using Catch::Matchers::Contains;

    BandwidthModel sinc = m;
    sinc.profile = "impulse";
    CHECK_THROWS_WITH(recommend_bandwidth<double>(X, Y, sinc), Contains("no tunable width"));

    const Mat<double> X8 = bw_line(8), Y8 = bw_values(X8, [](double x) { return x; });
    CHECK_THROWS_WITH(recommend_bandwidth<double>(X8, Y8, m), Contains("too few samples"));

    Mat<double> Ynan = Y;
    Ynan(0, 5) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(recommend_bandwidth<double>(X, Ynan, m), Contains("values must be finite"));
    Mat<double> Xinf = X;
    Xinf(0, 3) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH(recommend_bandwidth<double>(Xinf, Y, m), Contains("positions must be finite"));

    BandwidthSearch empty;
    empty.lo = 0.01;
    empty.hi = 0.01;
    CHECK_THROWS_WITH(recommend_bandwidth<double>(X, Y, m, empty), Contains("empty search range"));
    BandwidthSearch below;  // every candidate under the floor
    below.lo = 1e-4;
    below.hi = 2e-4;
    CHECK_THROWS_WITH(recommend_bandwidth<double>(X, Y, m, below), Contains("DP half-width"));

    Mat<double> Xdup = X;
    Xdup(0, 1) = Xdup(0, 0);
    CHECK_THROWS_WITH(recommend_bandwidth<double>(Xdup, Y, m), Contains("grid"));
    CHECK_THROWS_WITH(recommend_bandwidth<double>(Mat<double>(Mat<double>::Zero(2, 32)), Y, m), Contains("1 x N"));
    CHECK_THROWS_WITH(recommend_bandwidth<double>(X, Mat<double>(Y.leftCols(10)), m), Contains("values must be C x N"));

    BandwidthModel deep = m;
    deep.depth = 2;
    CHECK_THROWS_WITH(recommend_bandwidth<double>(X, Y, deep), Contains("closed form needs depth 0"));
    BandwidthModel neg = m;
    neg.lambda = -1;
    CHECK_THROWS_WITH(recommend_bandwidth<double>(X, Y, neg), Contains("lambda"));
}

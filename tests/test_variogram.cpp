// analysis/variogram.hpp: the empirical variogram has the closed-form values of white noise and of a
// ramp, the factorised kriging error equals the brute-force sum over every test point and every pair
// of samples, and its limiting cases (no weights, copying the nearest sample of white noise) have the
// textbook errors m2 and 2 var. The criterion in recommend_bandwidth: it predicts the real test error of
// the Kronecker closed form, and a smooth signal gets a wider basis than a rough one.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "posenc/analysis/bandwidth.hpp"
#include "posenc/analysis/variogram.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/shifted_basis.hpp"
#include "posenc/nn/solvers/kronecker2d.hpp"

using namespace posenc;

namespace {

Mat<double> vg_noise(Index ny, Index nx, unsigned seed) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Mat<double> z(ny, nx);
    for (Index r = 0; r < ny; ++r)
        for (Index c = 0; c < nx; ++c) z(r, c) = u(gen);
    return z;
}

// Brute force of the header's kriging error, averaged over every test pair (q + 0.5, p + 0.5).
double vg_brute_force(const GridVariogram& g, const Mat<double>& Wx, const Mat<double>& Wy) {
    const Index n = Wx.rows(), m = Wy.rows();
    double total = 0;
    for (Index q = 0; q < Wx.cols(); ++q)
        for (Index p = 0; p < Wy.cols(); ++p) {
            const double s = Wx.col(q).sum() * Wy.col(p).sum();
            double e = g.mean_square * (1 - s) * (1 - s);
            for (Index c = 0; c < n; ++c)
                for (Index r = 0; r < m; ++r) {
                    const double w = Wx(c, q) * Wy(r, p);
                    e += 2 * w * g(std::hypot(double(c) - double(q) - 0.5, double(r) - double(p) - 0.5));
                    for (Index c2 = 0; c2 < n; ++c2)
                        for (Index r2 = 0; r2 < m; ++r2)
                            e -= w * Wx(c2, q) * Wy(r2, p) * g(std::hypot(double(c - c2), double(r - r2)));
                }
            total += e;
        }
    return total / double(Wx.cols() * Wy.cols());
}

std::vector<double> vg_midpoints(Index n) {
    std::vector<double> t(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) t[std::size_t(i)] = double(i) + 0.5;
    return t;
}

// S x S grey image of a smooth or rough signal, split as protocol D: train even/even, test odd/odd.
struct VgImage {
    Mat<double> X, Y;                 // train positions (2 x N, column r * n + c) and values (1 x N)
    std::vector<double> xs;           // train coordinates per axis
    Mat<double> test;                 // test values, n x n
    std::vector<double> tx;           // test coordinates per axis
};

template <class F>
VgImage vg_image(Index S, F f) {
    VgImage im;
    const Index n = S / 2;
    im.X.resize(2, n * n);
    im.Y.resize(1, n * n);
    im.test.resize(n, n);
    for (Index i = 0; i < n; ++i) im.xs.push_back(double(2 * i) / double(S)), im.tx.push_back(double(2 * i + 1) / double(S));
    for (Index r = 0; r < n; ++r)
        for (Index c = 0; c < n; ++c) {
            im.X(0, r * n + c) = im.xs[std::size_t(c)];
            im.X(1, r * n + c) = im.xs[std::size_t(r)];
            im.Y(0, r * n + c) = f(2 * r, 2 * c);
            im.test(r, c) = f(2 * r + 1, 2 * c + 1);
        }
    return im;
}

Mat<double> vg_row(const std::vector<double>& v) {
    Mat<double> X(1, Index(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i) X(0, Index(i)) = v[i];
    return X;
}

BandwidthModel vg_protocol_d(Index S) {
    BandwidthModel m;
    m.layout = BandwidthLayout::Kronecker2D;
    m.dim = S;
    m.closed_form = true;
    m.lambda = 0.1;
    return m;
}

}  // namespace

TEST_CASE("grid_variogram: white noise is flat at the variance, a ramp grows with slope 2", "[variogram]") {
    const GridVariogram w = grid_variogram({vg_noise(64, 64, 3)}, 6);
    for (double v : w.value) CHECK(v == Approx(1.0 / 12).epsilon(0.08));  // var of U(0, 1)
    CHECK(w.alpha < 0.2);
    CHECK(w.mean_square == Approx(1.0 / 3).epsilon(0.05));  // E[U^2]

    CHECK(w(1) == Approx(1.0 / 12).epsilon(0.08));

    Mat<double> ramp(40, 40);
    for (Index r = 0; r < 40; ++r)
        for (Index c = 0; c < 40; ++c) ramp(r, c) = 0.01 * double(c);
    const GridVariogram g = grid_variogram({ramp}, 4);
    // lag (dx, dy): 0.5 (0.01 dx)^2; over the directions of one length, dx^2 averages r^2 / 2:
    // gamma = 0.25e-4 r^2 exactly at every radius (r = 1: half the pairs are vertical, 0)
    CHECK(g.radius.front() == 1);
    CHECK(g.radius.back() == Approx(4));
    for (std::size_t i = 0; i < g.radius.size(); ++i)
        CHECK(g.value[i] == Approx(0.25e-4 * g.radius[i] * g.radius[i]).epsilon(1e-9));
    CHECK(g.alpha == Approx(1.99));  // the fitted 2, clamped below 2
    CHECK(g(1) == Approx(0.25e-4).epsilon(0.02));
    CHECK(g(0.5) == Approx(0.25e-4 * std::pow(0.5, 1.99)).epsilon(0.02));  // the model below one spacing
    CHECK(g(0) == 0);
    // a constant signal: no variation at any lag
    const GridVariogram flat = grid_variogram({Mat<double>::Constant(10, 10, 0.5)}, 3);
    CHECK(flat(2) == 0);
    CHECK(flat.mean_square == Approx(0.25));
}

TEST_CASE("predicted_smoother_mse equals the brute-force kriging error over all test points", "[variogram]") {
    const Index n = 6, m = 5;
    std::mt19937 gen(11);
    std::normal_distribution<double> nd(0.0, 0.4);
    Mat<double> Wx(n, n), Wy(m, m);
    for (Index i = 0; i < Wx.size(); ++i) Wx.data()[i] = nd(gen);
    for (Index i = 0; i < Wy.size(); ++i) Wy.data()[i] = nd(gen);
    Mat<double> z = vg_noise(20, 20, 5);
    for (Index r = 1; r < 20; ++r) z.row(r) = 0.7 * z.row(r - 1) + 0.3 * z.row(r);  // correlated rows
    const GridVariogram g = grid_variogram({z, 0.5 * z.transpose()}, 8);
    const double fast = predicted_smoother_mse(g, axis_smoother(Wx, vg_midpoints(n)), axis_smoother(Wy, vg_midpoints(m)));
    CHECK(fast == Approx(vg_brute_force(g, Wx, Wy)).epsilon(1e-10));

    // Limiting cases: no weights -> m2; copy the nearest sample of white noise -> 2 var.
    const GridVariogram w = grid_variogram({vg_noise(64, 64, 8)}, 6);
    const AxisSmoother zero = axis_smoother(Mat<double>::Zero(n, n), vg_midpoints(n));
    CHECK(predicted_smoother_mse(w, zero, zero) == Approx(w.mean_square).epsilon(1e-12));
    const AxisSmoother copy = axis_smoother(Mat<double>::Identity(n, n), vg_midpoints(n));
    CHECK(predicted_smoother_mse(w, copy, copy) == Approx(2.0 / 12).epsilon(0.1));
}

TEST_CASE("the variogram criterion predicts the Kronecker closed form's test error", "[variogram][bandwidth]") {
    // A random field with a natural image's power-law spectrum: 60 waves of random direction and phase,
    // frequency f in [0.02, 1] rad per pixel, amplitude ~ f^-1.5; S = 64 (32 x 32 training pixels).
    const Index S = 64;
    std::mt19937 gen(2);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<std::array<double, 4>> waves;
    for (int k = 0; k < 60; ++k) {
        const double f = 0.02 * std::pow(50.0, u(gen)), th = 6.2832 * u(gen);
        waves.push_back({f * std::cos(th), f * std::sin(th), 6.2832 * u(gen), 0.01 * std::pow(f, -1.5) / 60});
    }
    const VgImage im = vg_image(S, [&](Index r, Index c) {
        double v = 0.5;
        for (const auto& w : waves) v += w[3] * std::sin(w[0] * double(c) + w[1] * double(r) + w[2]);
        return v;
    });
    BandwidthSearch s;
    s.criterion = BandwidthCriterion::Variogram;
    const BandwidthRecommendation rec = recommend_bandwidth<double>(im.X, im.Y, vg_protocol_d(S), s);
    CHECK(rec.criterion == "variogram");
    CHECK(std::isfinite(rec.predicted_psnr));
    int compared = 0;
    double best_measured = -1e300, measured_at_predicted_best = 0, best_predicted = -1e300;
    for (const auto& c : rec.candidates) {
        if (c.param > 4 * rec.spacing) continue;
        const ShiftedBasis<Gaussian, double> b(Gaussian(c.param), S, Domain::Bounded, Scaling::None);
        const Mat<double> px = encode(b, vg_row(im.xs)), qx = encode(b, vg_row(im.tx));
        const std::vector<Mat<double>> grid{Mat<double>(im.Y.reshaped(S / 2, S / 2).transpose())};
        const KroneckerLinear<double> km = fit_kronecker_ridge<double>(px, px, grid, 0.1);
        const double mse = (km.predict_grid(qx, qx)[0] - im.test).squaredNorm() / double(im.test.size());
        const double psnr = -10 * std::log10(mse);
        INFO("sigma " << c.param << ": predicted " << c.predicted_psnr << " dB, measured " << psnr << " dB");
        // within 1 dB here (pessimistic by 0.3-0.9 dB); 2 dB allowed
        CHECK(std::abs(c.predicted_psnr - psnr) < 2.0);
        best_measured = std::max(best_measured, psnr);
        if (c.predicted_psnr > best_predicted) best_predicted = c.predicted_psnr, measured_at_predicted_best = psnr;
        ++compared;
    }
    CHECK(compared >= 5);
    CHECK(measured_at_predicted_best > best_measured - 0.5);
}

TEST_CASE("the variogram criterion gives a smooth signal a wider basis than a rough one", "[variogram][bandwidth]") {
    const Index S = 64;
    const Mat<double> noise = vg_noise(S, S, 21);
    // rough: detail at 1 rad per training sample (Nyquist: pi), smooth: 0.2 rad
    const VgImage rough = vg_image(S, [](Index r, Index c) {
        return 0.5 + 0.2 * std::sin(0.5 * double(c)) * std::cos(0.45 * double(r)) + 0.1 * std::sin(double(c + r) / 9);
    });
    const VgImage smooth = vg_image(S, [](Index r, Index c) {
        return 0.5 + 0.3 * std::sin(double(c) / 9) * std::cos(double(r) / 11);
    });
    const BandwidthRecommendation a = recommend_bandwidth<double>(rough.X, rough.Y, vg_protocol_d(S));
    const BandwidthRecommendation b = recommend_bandwidth<double>(smooth.X, smooth.Y, vg_protocol_d(S));
    CHECK(a.criterion == "variogram");  // Auto: the closed form on a uniform 32 x 32 grid
    CHECK(b.criterion == "variogram");
    CHECK(b.param > a.param);
    for (const auto& c : a.candidates) CHECK(std::isfinite(c.predicted_psnr));

    // Auto below 26 samples per axis, and the Thinned criterion, do not predict.
    const VgImage small = vg_image(40, [&](Index r, Index c) { return noise(r, c); });
    CHECK(recommend_bandwidth<double>(small.X, small.Y, vg_protocol_d(40)).criterion == "thinned");
    // Auto with no candidate the variogram may rank (all wider than 4 spacings): the thinned criterion;
    // forced, the variogram criterion is an error.
    BandwidthSearch wide;
    wide.lo = 5 * a.spacing;
    wide.hi = 12 * a.spacing;
    CHECK(recommend_bandwidth<double>(rough.X, rough.Y, vg_protocol_d(S), wide).criterion == "thinned");
    wide.criterion = BandwidthCriterion::Variogram;
    CHECK_THROWS_WITH(recommend_bandwidth<double>(rough.X, rough.Y, vg_protocol_d(S), wide),
                      Catch::Matchers::Contains("variogram_max_width"));
    BandwidthSearch thinned;
    thinned.criterion = BandwidthCriterion::Thinned;
    const BandwidthRecommendation t = recommend_bandwidth<double>(rough.X, rough.Y, vg_protocol_d(S), thinned);
    CHECK(t.criterion == "thinned");
    CHECK(std::isnan(t.predicted_psnr));
}

TEST_CASE("variogram: bad input is a posenc::Error", "[variogram]") {
    using Catch::Matchers::Contains;
    CHECK_THROWS_WITH(grid_variogram({}, 4), Contains("at least one channel"));
    CHECK_THROWS_WITH(grid_variogram({Mat<double>::Zero(8, 8)}, 1), Contains("max_lag must be >= 2"));
    CHECK_THROWS_WITH(grid_variogram({Mat<double>::Zero(8, 8)}, 8), Contains("max_lag + 2"));
    CHECK_THROWS_WITH(grid_variogram({Mat<double>::Zero(8, 8), Mat<double>::Zero(8, 9)}, 3), Contains("every channel"));
    Mat<double> nan = Mat<double>::Zero(8, 8);
    nan(2, 3) = std::nan("");
    CHECK_THROWS_WITH(grid_variogram({nan}, 3), Contains("finite"));
    CHECK_THROWS_WITH(axis_smoother(Mat<double>::Zero(4, 3), vg_midpoints(4)), Contains("3 test positions"));
    CHECK_THROWS_WITH(axis_smoother(Mat<double>(0, 0), {}), Contains("non-empty"));

    // recommend_bandwidth: the criterion where it does not apply, bad constants.
    const Index S = 64;
    const VgImage im = vg_image(S, [](Index r, Index c) { return 0.5 + 0.1 * std::sin(double(r + c) / 5); });
    BandwidthSearch s;
    s.criterion = BandwidthCriterion::Variogram;
    BandwidthModel adam = vg_protocol_d(S);
    adam.closed_form = false;
    adam.steps = 2;
    CHECK_THROWS_WITH(recommend_bandwidth<double>(im.X, im.Y, adam, s), Contains("closed form"));
    BandwidthModel one_d;
    one_d.dim = 64;
    one_d.closed_form = true;
    const Mat<double> X1 = im.X.row(0).leftCols(32), Y1 = im.Y.leftCols(32);
    CHECK_THROWS_WITH(recommend_bandwidth<double>(X1, Y1, one_d, s), Contains("Kronecker 2D"));
    BandwidthSearch bad = s;
    bad.variogram_max_width = 0;
    CHECK_THROWS_WITH(recommend_bandwidth<double>(im.X, im.Y, vg_protocol_d(S), bad), Contains("variogram_max_width"));
    bad = s;
    bad.variogram_max_lag = 1;
    CHECK_THROWS_WITH(recommend_bandwidth<double>(im.X, im.Y, vg_protocol_d(S), bad), Contains("variogram_max_lag"));
}

// Tests for ShiftedBasis<P, T> (encoding/shifted_basis.hpp): dense codes against an independent
// evaluation of protocol A (docs/protocols.md), unit norm at 0.5, backward against finite
// differences, windows against the dense codes, a user-defined profile, kernels against empirical
// inner products, errors.
#include <catch2/catch.hpp>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/profiles/impulse.hpp"
#include "posenc/encoding/profiles/random_noise.hpp"
#include "posenc/encoding/profiles/sinc.hpp"
#include "posenc/encoding/profiles/sine_wave.hpp"
#include "posenc/encoding/profiles/square_wave.hpp"
#include "posenc/encoding/profiles/triangle.hpp"
#include "posenc/encoding/shifted_basis.hpp"

using namespace posenc;

namespace {

/// A profile written in "user code": Laplace exp(-|u| / s), truncated where it falls below tol.
struct Laplace {
    double s = 0.01;
    double tol = 1e-9;
    double value(double u) const { return std::exp(-std::abs(u) / s); }
    double derivative(double u) const { return (u > 0 ? -1.0 : 1.0) / s * std::exp(-std::abs(u) / s); }
    double support() const { return s * std::log(1.0 / tol); }
    std::string name() const { return "laplace"; }
};

static_assert(Profile<Laplace, double> && Profile<Laplace, float> && !HasKernel<Laplace>);
static_assert(WindowedEncoder<ShiftedBasis<Gaussian, float>> && WindowedEncoder<ShiftedBasis<Laplace>>);
static_assert(Encoder<ShiftedBasis<Sinc, double>>);

void require_error_mentions(const std::function<void()>& f, const std::string& what) {
    try {
        f();
        FAIL("expected posenc::Error mentioning '" << what << "'");
    } catch (const Error& e) {
        CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains(what));
    }
}

/// Protocol A offset, written independently: periodic u = ((x - t + 0.5) mod 1) - 0.5 (floored mod).
double offset_ref(double x, double t, bool periodic) {
    if (!periodic) return x - t;
    double m = std::fmod(x - t + 0.5, 1.0);
    if (m < 0) m += 1.0;
    return m - 0.5;
}

/// Dense code built from the profile directly (raw, unscaled), in double.
template <class P>
Mat<double> raw_codes(P p, Index D, const std::vector<double>& xs, bool periodic) {
    if constexpr (Bindable<P>) p.bind(D);
    Mat<double> C(D, Index(xs.size()));
    for (Index n = 0; n < C.cols(); ++n)
        for (Index d = 0; d < D; ++d)
            C(d, n) = p.value(offset_ref(xs[std::size_t(n)], double(d) / double(D), periodic));
    return C;
}

template <class T>
Mat<T> row(const std::vector<double>& xs) {
    Mat<T> X(1, Index(xs.size()));
    for (Index i = 0; i < X.cols(); ++i) X(0, i) = T(xs[std::size_t(i)]);
    return X;
}

/// Scatters windows into a dense D x N matrix (adds, so duplicated indices would show up).
template <class T>
Mat<T> scatter(const Windows<T>& w, Index D) {
    Mat<T> C = Mat<T>::Zero(D, w.cols());
    for (Index n = 0; n < w.cols(); ++n)
        for (Index k = 0; k < w.width; ++k) {
            if (w.index(k, n) < 0 || w.index(k, n) >= D) FAIL("window index out of range: " << w.index(k, n));
            C(w.index(k, n), n) += w.weight(k, n);
        }
    return C;
}

/// Stable rank ||A||_F^2 / ||A||_2^2 from the N x N Gram matrix (test helper).
double srank(const Mat<double>& C) {
    const Mat<double> G = C.transpose().lazyProduct(C);  // coefficient-wise: no threaded GEMM for a 50 x 50 Gram
    Eigen::SelfAdjointEigenSolver<Mat<double>> es(G);
    return G.trace() / es.eigenvalues().maxCoeff();
}

const std::vector<double> bounded_xs = {0.0, 1e-7, 0.0004, 0.013, 0.25, 0.3337, 0.5, 0.73, 0.9981, 0.99999, 1.0};
const std::vector<double> periodic_xs = {-2.7, -0.0003, 0.0, 0.0004, 0.25, 0.5, 0.73, 0.99999, 1.0, 1.37, 5.0004};

}  // namespace

TEMPLATE_TEST_CASE("dense codes equal protocol A and have unit norm at 0.5", "[shifted_basis]", float, double) {
    using T = TestType;
    // float: the offsets u are rounded to float (relative 6e-8 of |x|), amplified by |psi'| <= ~60
    const double tol = std::is_same_v<T, float> ? 2e-5 : 1e-13;
    const Index D = 200;
    auto check = [&](auto p, Domain dom) {
        const bool periodic = dom == Domain::Periodic;
        const auto& xs = periodic ? periodic_xs : bounded_xs;
        ShiftedBasis<decltype(p), T> sb(p, D, dom);
        REQUIRE(sb.input_dim() == 1);
        REQUIRE(sb.output_dim() == D);
        CHECK(sb.shift(7) == Approx(7.0 / 200));
        const Mat<double> raw = raw_codes(p, D, xs, periodic);
        const Mat<double> center = raw_codes(p, D, {0.5}, periodic);
        const double s = 1.0 / center.norm();
        CHECK(sb.scale() == Approx(s).epsilon(1e-12));
        const Mat<T> C = encode(sb, row<T>(xs));
        // compare with the independent evaluation (float: arguments rounded to float first)
        const Mat<double> ref = std::is_same_v<T, float> ? Mat<double>(s * raw_codes(p, D, [&] {
            std::vector<double> r;
            for (double x : xs) r.push_back(double(float(x)));
            return r;
        }(), periodic)) : Mat<double>(s * raw);
        const double err = (C.template cast<double>() - ref).cwiseAbs().maxCoeff();
        INFO(sb.name() << (periodic ? " periodic" : " bounded") << " max error " << err);
        CHECK(err <= tol * std::max(1.0, ref.cwiseAbs().maxCoeff()));
        const Mat<T> c05 = encode(sb, row<T>({0.5}));
        CHECK(double(c05.norm()) == Approx(1.0).epsilon(10 * tol));
        ShiftedBasis<decltype(p), T> unscaled(p, D, dom, Scaling::None);
        CHECK(unscaled.scale() == 1.0);
        CHECK((encode(unscaled, row<T>(xs)).template cast<double>() * s - C.template cast<double>()).cwiseAbs().maxCoeff() <= 10 * tol);
    };
    for (Domain dom : {Domain::Bounded, Domain::Periodic}) {
        check(Gaussian(0.01), dom);
        check(Gaussian(0.3), dom);
        check(Triangle(0.02), dom);
        check(Sinc(0.01), dom);
        check(SineWave(1.0, 0.7), dom);
        check(Laplace{}, dom);
    }
    // piecewise-constant profiles: compare exactly away from the jumps (the grid points themselves
    // and half-way points are ties that depend on rounding)
    for (Domain dom : {Domain::Bounded, Domain::Periodic}) {
        const bool periodic = dom == Domain::Periodic;
        // (x = 0.5 puts u = +-0.5 exactly, where sin(2 pi u) is +-1e-16 in double but -9e-8 in float)
        const std::vector<double> xs = std::is_same_v<T, float> ? std::vector<double>{0.0013, 0.2571, 0.6666, 0.9123}
                                                                : std::vector<double>{0.0013, 0.2571, 0.5, 0.6666, 0.9123};
        auto check_pc = [&](auto p) {
            ShiftedBasis<decltype(p), T> sb(p, D, dom, Scaling::None);
            const Mat<double> ref = raw_codes(p, D, xs, periodic);
            const Mat<T> C = encode(sb, row<T>(xs));
            // exact but for the float rounding of the noise samples
            CHECK((C.template cast<double>() - ref).cwiseAbs().maxCoeff() <= (std::is_same_v<T, float> ? 1e-6 : 0.0));
        };
        check_pc(Impulse());
        check_pc(RandomNoise(11));
        check_pc(SquareWave(1.0));
    }
}

TEST_CASE("protocol A reference values (analysis.json, D = 10000, periodic)", "[shifted_basis][reference]") {
    // Figures copied from the independent reference values of protocol A (docs/protocols.md; all of
    // them are in data/analysis_reference.hpp): stable rank of the N x D embedding of x_i = i / N at
    // N = 10, 32, 50, and the distance-preservation curve k(delta) around x0 = 0.5 at
    // delta = -0.495, -0.005, 0.25. They pin down the exact profile definitions
    // (e.g. the impulse's round-half-to-even: two hits for x exactly half-way, srank 24 at N = 32).
    struct Ref {
        std::function<Mat<double>(const std::vector<double>&)> codes;
        double sr10, sr32, sr50, k1, k99, k150;
    };
    const Index D = 10000;
    auto make = [&](auto p) {
        return [p, D](const std::vector<double>& xs) {
            ShiftedBasis<decltype(p)> sb(p, D, Domain::Periodic);
            return encode(sb, row<double>(xs));
        };
    };
    const std::vector<std::pair<std::string, Ref>> refs = {
        {"impulse", {make(Impulse()), 10.0, 24.0, 50.0, 0.0, 0.0, 0.0}},
        {"square", {make(SquareWave(1.0)), 2.3875155577617537, 2.459521915018782, 2.4642044166952517, -0.98, 0.98, 0.0}},
        {"sine", {make(SineWave(1.0, 0.7)), 2.020408163265305, 2.020408163265306, 2.020408163265306, -0.009851798164511006, 0.9997507880635005, 0.49494949494949503}},
        {"gaussian_0.01", {make(Gaussian(0.01)), 9.999999999722242, 27.252794385435532, 28.206561310942128, 9.27868495595392e-267, 0.9394130628134755, 1.3851193699226117e-68}},
        {"gaussian_0.05", {make(Gaussian(0.05)), 5.64131226218842, 5.64189583547757, 5.641895835477569, 3.124260797637903e-11, 0.9975031223974598, 0.0019304541362277117}},
        {"triangle_0.01", {make(Triangle(0.01)), 9.999999999999995, 31.998800059996974, 49.99999999999997, 0.0, 0.7187265636718156, 0.0}},
        {"sinc_0.01", {make(Sinc(0.01)), 9.677072229870321, 23.33465657125721, 45.25594225456375, -0.007584853521219761, 0.6379254795706834, 0.0037530672255430787}},
    };
    for (const auto& [name, r] : refs) {
        INFO(name);
        auto grid = [](int N) {
            std::vector<double> xs;
            for (int i = 0; i < N; ++i) xs.push_back(double(i) / N);
            return xs;
        };
        CHECK(srank(r.codes(grid(10))) == Approx(r.sr10).epsilon(1e-9));
        CHECK(srank(r.codes(grid(32))) == Approx(r.sr32).epsilon(1e-9));
        CHECK(srank(r.codes(grid(50))) == Approx(r.sr50).epsilon(1e-9));
        // delta = linspace(-0.5, 0.5, 201)[i]; x0 + delta computed as NumPy does
        const std::vector<double> deltas = {-0.5 + 1 * 0.005, -0.5 + 99 * 0.005, -0.5 + 150 * 0.005};
        std::vector<double> xs = {0.5};
        for (double dl : deltas) xs.push_back(0.5 + dl);
        const Mat<double> C = r.codes(xs);
        auto k = [&](Index i) { return C.col(0).dot(C.col(i)) / (C.col(0).norm() * C.col(i).norm()); };
        CHECK(k(1) == Approx(r.k1).epsilon(1e-9).margin(1e-12));
        CHECK(k(2) == Approx(r.k99).epsilon(1e-9).margin(1e-12));
        CHECK(k(3) == Approx(r.k150).epsilon(1e-9).margin(1e-12));
    }
}

TEMPLATE_TEST_CASE("windows equal the dense codes for compact profiles", "[shifted_basis][windows]", float, double) {
    using T = TestType;
    const double eps = std::is_same_v<T, float> ? 1e-6 : 1e-14;
    auto check = [&](auto p, Index D, Domain dom, double trunc) {
        const bool periodic = dom == Domain::Periodic;
        ShiftedBasis<decltype(p), T> sb(p, D, dom);
        const Index K = sb.window_width();
        INFO(sb.name() << " D=" << D << (periodic ? " periodic" : " bounded") << " K=" << K);
        REQUIRE(K > 0);
        REQUIRE(K < D);
        CHECK(double(K) <= 2 * sb.support() * double(D) + 4);
        std::vector<double> xs = periodic ? periodic_xs : bounded_xs;
        Rng rng(5);
        for (int i = 0; i < 200; ++i) xs.push_back(periodic ? rng.uniform(-3, 3) : rng.uniform());
        const Index step = std::max<Index>(1, D / 150);
        for (Index d = 0; d < D; d += step) xs.push_back(double(d) / double(D));                   // on the grid
        for (Index d = 0; d < D; d += step + 1) xs.push_back((double(d) + 0.5) / double(D));  // half-way
        for (Index d = D - 3; d < D; ++d) xs.push_back((double(d) + 0.5) / double(D));        // near the right end
        const Mat<T> X = row<T>(xs);
        Windows<T> w;
        sb.windows(X, w);
        REQUIRE(w.width == K);
        REQUIRE(w.index.rows() == K);
        REQUIRE(w.weight.cols() == X.cols());
        const Mat<T> C = encode(sb, X);
        const Mat<T> S = scatter(w, D);
        const double err = (C - S).template cast<double>().cwiseAbs().maxCoeff();
        CHECK(err <= trunc * sb.scale() + eps);
        // each window entry is bit-for-bit the dense entry at its index (unless it is padding)
        Index mismatches = 0, repeats = 0;
        for (Index n = 0; n < X.cols(); ++n)
            for (Index k = 0; k < K; ++k)
                mismatches += w.weight(k, n) != T(0) && w.weight(k, n) != C(w.index(k, n), n);
        if (periodic) {  // periodic windows never repeat an index
            for (Index n = 0; n < X.cols(); ++n) {
                std::vector<int> seen(std::size_t(D), 0);
                for (Index k = 0; k < K; ++k) repeats += ++seen[std::size_t(w.index(k, n))] > 1;
            }
        }
        CHECK(mismatches == 0);
        CHECK(repeats == 0);
    };
    for (Domain dom : {Domain::Bounded, Domain::Periodic}) {
        check(Gaussian(0.01), 1000, dom, 1e-8);
        check(Gaussian(0.002, 1e-4), 10000, dom, 1e-4);
        check(Triangle(0.004), 1000, dom, 0.0);
        check(Triangle(1.0 / 64), 64, dom, 0.0);
        check(Impulse(), 1000, dom, 0.0);
        check(Impulse(), 37, dom, 0.0);
        check(Impulse(), 101, dom, 0.0);  // odd D: x = 0.5 is a tie spoilt by rounding
        check(Laplace{}, 2000, dom, 1e-9);
    }
}

TEST_CASE("bounded windows pad with weight 0 and a valid index", "[shifted_basis][windows]") {
    ShiftedBasis sb(Triangle(0.01), 1000, Domain::Bounded, Scaling::None);
    Windows<double> w;
    sb.windows(row<double>({0.0, 1.0}), w);
    const Index K = sb.window_width();
    CHECK(K == 24);
    int zeros0 = 0, zeros1 = 0;
    for (Index k = 0; k < K; ++k) {
        zeros0 += w.weight(k, 0) == 0;
        zeros1 += w.weight(k, 1) == 0;
        CHECK(w.index(k, 0) >= 0);
        CHECK(w.index(k, 1) <= 999);
    }
    CHECK(zeros0 >= K / 2);  // the half of the window left of 0 is padding
    CHECK(zeros1 >= K / 2);
    CHECK(w.weight.col(0).sum() == Approx(1.0 + 9 * 0.9 - 0.9 * 10 / 2 + 4.5 - 4.5 + 0.0).margin(10));  // sanity only
    CHECK(w.weight.col(0).maxCoeff() == 1.0);                                                        // at index 0
}

TEST_CASE("window_width is 0 without compact support, and windows() then throws", "[shifted_basis][windows]") {
    CHECK(ShiftedBasis(Sinc(0.01), 1000).window_width() == 0);
    CHECK(ShiftedBasis(SquareWave(), 100).window_width() == 0);
    CHECK(ShiftedBasis(SineWave(), 100, Domain::Periodic).window_width() == 0);
    CHECK(ShiftedBasis(RandomNoise(1), 100).window_width() == 0);
    CHECK(ShiftedBasis(Gaussian(0.3), 100).window_width() == 0);  // K would exceed D
    CHECK(ShiftedBasis(Gaussian(0.01), 100).window_width() > 0);
    Windows<double> w;
    require_error_mentions([&] { ShiftedBasis(Sinc(0.01), 100).windows(row<double>({0.5}), w); }, "window_width");
}

TEST_CASE("backward agrees with finite differences (double)", "[shifted_basis][backward]") {
    auto check = [](auto p, Index D, Domain dom, const std::vector<double>& xs) {
        ShiftedBasis<decltype(p)> sb(p, D, dom);
        INFO(sb.name() << (dom == Domain::Periodic ? " periodic" : " bounded"));
        const Mat<double> X = row<double>(xs);
        Mat<double> dY(D, X.cols());
        Rng rng(9);
        for (Index i = 0; i < dY.size(); ++i) dY.data()[i] = rng.normal();
        Mat<double> dX(1, X.cols());
        sb.backward(X, dY, dX);
        const double h = 1e-7;
        for (Index n = 0; n < X.cols(); ++n) {
            const Mat<double> cp = encode(sb, row<double>({xs[std::size_t(n)] + h}));
            const Mat<double> cm = encode(sb, row<double>({xs[std::size_t(n)] - h}));
            const double fd = ((cp - cm).col(0).dot(dY.col(n))) / (2 * h);
            CHECK(dX(0, n) == Approx(fd).epsilon(1e-6).margin(1e-6 * std::max(1.0, std::abs(fd))));
        }
    };
    // points chosen away from the triangle's kinks (multiples of 1/D +- d)
    const std::vector<double> xs = {0.00131, 0.2503, 0.5007, 0.77713, 0.99871};
    for (Domain dom : {Domain::Bounded, Domain::Periodic}) {
        check(Gaussian(0.01), 500, dom, xs);
        check(Gaussian(0.002, 1e-12), 2000, dom, xs);
        check(Triangle(0.0101), 500, dom, xs);
        check(Sinc(0.01), 500, dom, xs);
        check(SineWave(2.0, 0.7), 300, dom, xs);
        check(Laplace{0.02, 1e-9}, 500, dom, xs);
    }
    check(Gaussian(0.05), 400, Domain::Periodic, {-1.3, 2.0001, 7.77});
    // piecewise-constant profiles have zero input gradient
    ShiftedBasis imp(Impulse(), 100);
    Mat<double> dY = Mat<double>::Ones(100, 2), dX(1, 2);
    imp.backward(row<double>({0.3, 0.71}), dY, dX);
    CHECK(dX.cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("float backward matches double backward", "[shifted_basis][backward]") {
    const std::vector<double> xs = {0.0123, 0.5, 0.9};
    ShiftedBasis<Gaussian, double> sd(Gaussian(0.02), 300, Domain::Periodic);
    ShiftedBasis<Gaussian, float> sf(Gaussian(0.02), 300, Domain::Periodic);
    Mat<double> dYd(300, 3);
    Rng rng(2);
    for (Index i = 0; i < dYd.size(); ++i) dYd.data()[i] = rng.normal();
    Mat<double> dXd(1, 3);
    Mat<float> dXf(1, 3);
    sd.backward(row<double>(xs), dYd, dXd);
    sf.backward(row<float>(xs), dYd.cast<float>(), dXf);
    for (Index n = 0; n < 3; ++n) CHECK(double(dXf(0, n)) == Approx(dXd(0, n)).margin(1e-3 * dXd.cwiseAbs().maxCoeff()));
}

TEST_CASE("closed-form kernels match empirical normalised inner products for large D", "[shifted_basis][kernel]") {
    const Index D = 20000;
    const double x0 = 0.5;
    auto check = [&](auto p, double margin, const std::vector<double>& deltas) {
        ShiftedBasis<decltype(p)> sb(p, D, Domain::Periodic);
        std::vector<double> xs = {x0};
        for (double dl : deltas) xs.push_back(x0 + dl);
        const Mat<double> C = encode(sb, row<double>(xs));
        for (std::size_t i = 0; i < deltas.size(); ++i) {
            const Index n = Index(i) + 1;
            const double k = C.col(0).dot(C.col(n)) / (C.col(0).norm() * C.col(n).norm());
            INFO(sb.name() << " delta=" << deltas[i]);
            CHECK(k == Approx(sb.kernel(deltas[i])).margin(margin));
        }
    };
    const std::vector<double> near = {-0.02, -0.0073, -0.001, 0.0, 0.0005, 0.003, 0.011, 0.017, 0.03};
    const std::vector<double> far = {-0.49, -0.31, -0.2, -0.05, 0.125, 0.25, 0.4, 0.5};
    check(Gaussian(0.01), 1e-9, near);
    check(Gaussian(0.05), 1e-9, far);
    check(Triangle(0.01), 2e-5, near);  // discretisation: 200 shifts per half-width
    // sinc(delta / w) is the whole-line autocorrelation; on the unit period the slow 1/u tails are
    // cut off, which costs O(w): ~2e-3 at w = 0.01, ~5e-4 at w = 0.002
    check(Sinc(0.01), 3e-3, near);
    check(Sinc(0.002), 1e-3, near);
    check(SquareWave(1.0), 2e-4, far);
    check(SquareWave(3.0), 2e-4, far);
    check(SineWave(1.0, 0.7), 1e-9, far);
    check(SineWave(2.0, 0.3), 1e-9, far);
    check(Impulse(), 0.0, {0.0, 1e-5, 0.02, 0.3});
}

TEST_CASE("a point's code does not depend on its batch", "[shifted_basis]") {
    ShiftedBasis<Gaussian, float> sb(Gaussian(0.003), 3000, Domain::Periodic);
    const std::vector<double> xs = {0.1, 0.37, 0.5, 0.99};
    const Mat<float> all = encode(sb, row<float>(xs));
    for (std::size_t i = 0; i < xs.size(); ++i) CHECK(encode(sb, row<float>({xs[i]})) == all.col(Index(i)));
    // periodic: x and x + k encode alike
    const Mat<double> a = encode(ShiftedBasis(Gaussian(0.01), 500, Domain::Periodic), row<double>({0.3, 1.3, -2.7}));
    CHECK((a.col(0) - a.col(1)).cwiseAbs().maxCoeff() < 1e-12);
    CHECK((a.col(0) - a.col(2)).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("large float encode: dense, windowed and scalar paths agree", "[shifted_basis]") {
    // D = 10000 as in the paper; 64 points is enough to exercise the OpenMP loop.
    ShiftedBasis<Gaussian, float> sb(Gaussian(0.002), 10000, Domain::Bounded);
    Mat<float> X(1, 64);
    for (Index i = 0; i < 64; ++i) X(0, i) = float(i) / 63.0f;
    const Mat<float> C = encode(sb, X);
    Windows<float> w;
    sb.windows(X, w);
    CHECK((scatter(w, 10000) - C).cwiseAbs().maxCoeff() <= 1e-8f * float(sb.scale()) + 1e-7f);
    // at x = 0 the bounded code is half a Gaussian row plus half the peak: norm^2 = (1 + s^2) / 2
    CHECK(double(C.col(0).norm()) == Approx(std::sqrt(0.5 + 0.5 * sb.scale() * sb.scale())).epsilon(1e-5));
}

TEST_CASE("bad arguments throw posenc::Error naming the parameter", "[shifted_basis][errors]") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    require_error_mentions([] { ShiftedBasis sb(Gaussian(0.1), 0); }, "dim");
    require_error_mentions([] { ShiftedBasis sb(Gaussian(0.1), -5); }, "dim");
    require_error_mentions([] { ShiftedBasis sb(Gaussian(-0.1), 10); }, "sigma");
    ShiftedBasis sb(Gaussian(0.1), 10);
    ShiftedBasis per(Gaussian(0.1), 10, Domain::Periodic);
    Mat<double> out(10, 1);
    require_error_mentions([&] { sb.encode(row<double>({nan}), out); }, "finite");
    require_error_mentions([&] { per.encode(row<double>({std::numeric_limits<double>::infinity()}), out); }, "finite");
    require_error_mentions([&] { sb.encode(Mat<double>::Zero(2, 1), out); }, "input dimension");
    require_error_mentions([&] { sb.encode(row<double>({1.5}), out); }, "[0, 1]");
    require_error_mentions([&] { sb.encode(row<double>({-1e-9}), out); }, "coordinate x");
    Mat<double> bad(9, 1);
    require_error_mentions([&] { sb.encode(row<double>({0.5}), bad); }, "out");
    Mat<double> dX(1, 1);
    require_error_mentions([&] { sb.backward(row<double>({0.5}), bad, dX); }, "dY");
    require_error_mentions([&] { sb.backward(row<double>({2.0}), out, dX); }, "[0, 1]");
    Windows<double> w;
    require_error_mentions([&] { ShiftedBasis(Triangle(0.01), 1000).windows(row<double>({nan}), w); }, "finite");
    require_error_mentions([&] { ShiftedBasis(Triangle(0.01), 1000).windows(row<double>({1.01}), w); }, "[0, 1]");
    // periodic accepts any finite coordinate
    CHECK_NOTHROW(per.encode(row<double>({-17.25}), out));
    struct Zero {
        double value(double) const { return 0; }
        double derivative(double) const { return 0; }
        double support() const { return 1; }
        std::string name() const { return "zero"; }
    };
    require_error_mentions([] { ShiftedBasis sb(Zero{}, 10); }, "norm");
    CHECK_NOTHROW(ShiftedBasis(Zero{}, 10, Domain::Bounded, Scaling::None));
    // A profile far too narrow for D: norm^2 at 0.5 ~ 1e-272, a scale of ~1e136 that float cannot hold
    // (fuzz_encoder_spec finding: the float codes were NaN). Double can still represent it.
    require_error_mentions([] { ShiftedBasis<Gaussian, float> sb(Gaussian(0.02), 1); }, "too narrow");
    CHECK_NOTHROW(ShiftedBasis<Gaussian, double>(Gaussian(0.02), 1));
    // odd D puts x = 0.5 half-way between two shifts: the impulse code there is still non-zero
    for (Index D : {Index(37), Index(101), Index(1001), Index(12345), Index(99999)}) {
        ShiftedBasis imp(Impulse(), D);
        CHECK(imp.scale() == Approx(std::sqrt(0.5)));
    }
}

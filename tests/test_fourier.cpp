// Tests for the Fourier family (encoding/fourier.hpp, encoding/frequencies.hpp) and Identity.
#include <catch2/catch.hpp>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <numbers>
#include <string>

#include "posenc/encoding/fourier.hpp"
#include "posenc/encoding/frequencies.hpp"
#include "posenc/encoding/identity.hpp"

using namespace posenc;
using Catch::Matchers::Contains;

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

/// Uniform points in [lo, hi]^d (deterministic).
Mat<double> random_points(Index d, Index n, std::uint64_t seed, double lo = 0.0, double hi = 1.0) {
    Rng rng(seed);
    Mat<double> X(d, n);
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < d; ++i) X(i, j) = rng.uniform(lo, hi);
    return X;
}

/// Relative error of e.backward against central finite differences of e.encode (double), for a random
/// cotangent dY: compares dX(i, n) with dY(:, n) . (code(x + h e_i) - code(x - h e_i)) / 2h.
template <class E>
double backward_fd_error(const E& e, const Mat<double>& X, double h = 1e-6) {
    const Index N = X.cols(), d = e.input_dim();
    Mat<double> dY = random_points(e.output_dim(), N, 99, -1.0, 1.0);
    Mat<double> dX(d, N);
    e.backward(X, dY, dX);
    Mat<double> fd(d, N);
    for (Index i = 0; i < d; ++i) {
        Mat<double> Xp = X, Xm = X;
        Xp.row(i).array() += h;
        Xm.row(i).array() -= h;
        const Mat<double> diff = (encode(e, Xp) - encode(e, Xm)) / (2 * h);
        for (Index n = 0; n < N; ++n) fd(i, n) = dY.col(n).dot(diff.col(n));
    }
    return (dX - fd).norm() / std::max(fd.norm(), 1e-300);
}

/// Stable rank ||A||_F^2 / ||A||_2^2 of the embedding whose rows are the codes (columns of C).
double stable_rank_of_codes(const Mat<double>& C) {
    // lazyProduct: a plain loop, not Eigen's threaded GEMM (which crawls on an oversubscribed machine).
    const Mat<double> G = C.transpose().lazyProduct(C);
    Eigen::SelfAdjointEigenSolver<Mat<double>> es(G, Eigen::EigenvaluesOnly);
    return es.eigenvalues().sum() / es.eigenvalues().maxCoeff();
}

}  // namespace

TEMPLATE_TEST_CASE("FourierFeatures: layout [x, sin 2 pi B x, cos 2 pi B x] and values", "[fourier]", float, double) {
    using T = TestType;
    Eigen::MatrixXd B(3, 2);
    B << 1, 0, 0, 2, 0.5, -1.25;
    const FourierFeatures<T> raw(B, true, Scaling::None);
    REQUIRE(raw.input_dim() == 2);
    REQUIRE(raw.num_frequencies() == 3);
    REQUIRE(raw.output_dim() == 2 + 6);
    REQUIRE(raw.scale() == 1.0);

    const Mat<double> Xd = random_points(2, 300, 1);  // > one chunk of 256 points
    const Mat<T> X = Xd.cast<T>();
    const Mat<T> C = encode(raw, X);
    const double tol = std::is_same_v<T, float> ? 2e-6 : 1e-14;
    for (Index n = 0; n < X.cols(); ++n) {
        const Eigen::Vector2d x = Xd.col(n);
        CHECK(std::abs(double(C(0, n)) - x(0)) <= tol);
        CHECK(std::abs(double(C(1, n)) - x(1)) <= tol);
        for (Index m = 0; m < 3; ++m) {
            const double phase = kTwoPi * B.row(m).dot(x);
            CHECK(std::abs(double(C(2 + m, n)) - std::sin(phase)) <= 10 * tol);
            CHECK(std::abs(double(C(5 + m, n)) - std::cos(phase)) <= 10 * tol);
        }
    }
}

TEMPLATE_TEST_CASE("FourierFeatures: UnitNormAtCenter gives the centre a unit-norm code", "[fourier]", float, double) {
    using T = TestType;
    for (bool with_input : {false, true}) {
        const FourierFeatures<T> e(random_frequencies(7, 3, 4.0, 3), with_input, Scaling::UnitNormAtCenter);
        const Mat<T> centre = Mat<T>::Constant(3, 1, T(0.5));
        CHECK(encode(e, centre).template cast<double>().norm() == Approx(1.0).epsilon(1e-6));
        // The constant is one number, not a per-point normalisation: without the pass-through every
        // code has norm 1, with it codes of other points differ from 1.
        const Mat<T> X = random_points(3, 5, 4).cast<T>();
        const Mat<T> C = encode(e, X);
        if (!with_input)
            for (Index n = 0; n < 5; ++n) CHECK(double(C.col(n).norm()) == Approx(1.0).epsilon(1e-6));
        else
            CHECK(std::abs(double(C.col(0).norm()) - 1.0) > 1e-4);
        // Codes of a point never depend on the batch it comes in.
        const Mat<T> single = encode(e, Mat<T>(X.col(2)));
        CHECK((single - C.col(2)).norm() == T(0));
    }
}

TEST_CASE("FourierFeatures: backward matches finite differences (double)", "[fourier][gradient]") {
    const Mat<double> X1 = random_points(1, 20, 5);
    const Mat<double> X2 = random_points(2, 20, 6);
    const Mat<double> X3 = random_points(3, 300, 7);  // several parallel chunks
    CHECK(backward_fd_error(basic_fourier<double>(1), X1) < 1e-7);
    CHECK(backward_fd_error(basic_fourier<double>(2, Scaling::None), X2) < 1e-7);
    CHECK(backward_fd_error(linf<double>(2, 8, 12.0), X2) < 1e-7);
    CHECK(backward_fd_error(logf<double>(2, 6, true), X2) < 1e-7);
    CHECK(backward_fd_error(logf<double>(1, 8, true, Scaling::None), X1) < 1e-7);
    CHECK(backward_fd_error(rff<double>(3, 64, 5.0, 11), X3) < 1e-7);
    Eigen::MatrixXd B(2, 2);  // user-supplied frequency matrix
    B << 0.3, -2.0, 7.5, 1.0;
    CHECK(backward_fd_error(FourierFeatures<double>(B, true), X2) < 1e-7);
}

TEST_CASE("FourierFeatures: float backward agrees with double", "[fourier][gradient]") {
    const auto ed = rff<double>(2, 32, 3.0, 5);
    const auto ef = rff<float>(2, 32, 3.0, 5);
    const Mat<double> X = random_points(2, 40, 8);
    const Mat<double> dY = random_points(ed.output_dim(), 40, 9, -1, 1);
    Mat<double> gd(2, 40);
    Mat<float> gf(2, 40);
    ed.backward(X, dY, gd);
    ef.backward(X.cast<float>(), dY.cast<float>(), gf);
    CHECK((gf.cast<double>() - gd).norm() / gd.norm() < 1e-5);
}

TEST_CASE("FourierFeatures: integer frequencies are 1-periodic, any finite coordinate is accepted", "[fourier]") {
    const auto e = logf<double>(2, 5);
    const Mat<double> X = random_points(2, 10, 10, -3.0, 3.0);
    const Mat<double> Xs = X.array() + 1.0;
    CHECK((encode(e, X) - encode(e, Xs)).cwiseAbs().maxCoeff() < 1e-11);
}

TEST_CASE("frequencies: basic, LinF, LogF, log-spaced", "[fourier][frequencies]") {
    CHECK(basic_frequencies(3) == Eigen::MatrixXd::Identity(3, 3));

    const Eigen::MatrixXd L = linear_frequencies(2, 4, 7.0);  // 1, 3, 5, 7 per axis, axis-major
    REQUIRE(L.rows() == 8);
    REQUIRE(L.cols() == 2);
    for (Index k = 0; k < 4; ++k) {
        CHECK(L(k, 0) == Approx(1.0 + 2.0 * k));
        CHECK(L(k, 1) == 0.0);
        CHECK(L(4 + k, 1) == Approx(1.0 + 2.0 * k));
        CHECK(L(4 + k, 0) == 0.0);
    }
    CHECK(linear_frequencies(1, 1, 9.0)(0, 0) == 1.0);

    const Eigen::MatrixXd G = log_frequencies(1, 10);  // NeRF: 1, 2, 4, ..., 512
    REQUIRE(G.rows() == 10);
    for (Index k = 0; k < 10; ++k) CHECK(G(k, 0) == std::exp2(double(k)));

    const Eigen::MatrixXd S = log_spaced_frequencies(1, 5, 5.5);  // ECCV'22 LogF: 2^linspace(0, 5.5, 5)
    CHECK(S(0, 0) == 1.0);
    CHECK(S(4, 0) == Approx(std::exp2(5.5)));
    CHECK(S(2, 0) == Approx(std::exp2(2.75)));

    CHECK(logf<float>(3, 4, true).output_dim() == 3 + 2 * 3 * 4);
    CHECK(linf<float>(2, 8, 12.0).output_dim() == 32);
    CHECK(basic_fourier<float>(2).output_dim() == 4);
}

TEST_CASE("RFF: seeded, reproducible, and B ~ sigma N(0, I)", "[fourier][rff]") {
    const Eigen::MatrixXd a = random_frequencies(100, 3, 2.0, 42);
    const Eigen::MatrixXd b = random_frequencies(100, 3, 2.0, 42);
    const Eigen::MatrixXd c = random_frequencies(100, 3, 2.0, 43);
    CHECK(a == b);
    CHECK((a - c).norm() > 1.0);
    CHECK(rff<double>(3, 100, 2.0, 42).frequencies() == a);
    // sigma only scales the draw
    CHECK((random_frequencies(100, 3, 4.0, 42) - 2.0 * a).norm() < 1e-12);

    // Empirical moments of 60000 draws: standard error of the std is sigma / sqrt(2n) ~ 0.3%.
    const double sigma = 10.0;
    const Eigen::MatrixXd big = random_frequencies(20000, 3, sigma, 7);
    const double n = double(big.size());
    const double mean = big.mean();
    const double sd = std::sqrt((big.array() - mean).square().sum() / (n - 1));
    CHECK(std::abs(mean) < 4 * sigma / std::sqrt(n));
    CHECK(sd == Approx(sigma).epsilon(0.012));
    // independent columns: correlation ~ N(0, 1/n)
    const double corr = (big.col(0).array() * big.col(1).array()).mean() / (sigma * sigma);
    CHECK(std::abs(corr) < 4 / std::sqrt(20000.0));
}

TEST_CASE("RFF: stable rank at N = 50 matches the reference distribution (protocol A)", "[fourier][rff]") {
    // Protocol A (docs/protocols.md): 1D RFF, D = 10000 -> D/2 = 5000 frequencies
    // b ~ sigma_b N(0, 1), codes [sin 2 pi b x, cos 2 pi b x] at x_i = i / 50. Reference mean / std over
    // 10 draws, copied from the independent reference values (also in data/analysis_reference.hpp).
    struct Ref { double sigma, mean, std; };
    const Ref refs[] = {{1.0, 2.758888062019567, 0.03912025919668752},
                        {5.0, 12.48507825839586, 0.3521139913014044},
                        {10.0, 24.180366118962052, 0.7130793059613736},
                        {20.0, 42.24931317642411, 1.6882895384619556}};
    Mat<double> X(1, 50);
    for (Index i = 0; i < 50; ++i) X(0, i) = double(i) / 50.0;
    for (const Ref& r : refs) {
        double sum = 0;
        const int draws = 5;
        for (int s = 0; s < draws; ++s) {
            const double sr = stable_rank_of_codes(encode(rff<double>(1, 5000, r.sigma, 100 + s), X));
            INFO("sigma_b = " << r.sigma << " seed " << 100 + s << " srank " << sr);
            CHECK(std::abs(sr - r.mean) < 4 * r.std);
            sum += sr;
        }
        INFO("sigma_b = " << r.sigma << " mean srank " << sum / draws);
        CHECK(std::abs(sum / draws - r.mean) < 3 * r.std / std::sqrt(double(draws)) + 1e-12);
    }
}

TEST_CASE("RFF: normalised inner products follow exp(-2 pi^2 sigma^2 delta^2)", "[fourier][rff]") {
    const double sigma = 3.0;
    const auto e = rff<double>(1, 40000, sigma, 5);
    Mat<double> X(1, 9);
    for (Index i = 0; i < 9; ++i) X(0, i) = 0.5 + 0.025 * double(i);
    const Mat<double> C = encode(e, X);  // every code has unit norm
    for (Index i = 0; i < 9; ++i) {
        const double delta = 0.025 * double(i);
        const double k = std::exp(-2 * std::numbers::pi * std::numbers::pi * sigma * sigma * delta * delta);
        CHECK(std::abs(C.col(0).dot(C.col(i)) - k) < 0.02);  // Monte Carlo error ~ 1/sqrt(2 M)
    }
}

TEST_CASE("Fourier family: bad parameters and bad input throw posenc::Error naming the problem", "[fourier][errors]") {
    CHECK_THROWS_WITH(FourierFeatures<double>(Eigen::MatrixXd(0, 1)), Contains("at least one row"));
    CHECK_THROWS_WITH(FourierFeatures<double>(Eigen::MatrixXd(2, 0)), Contains("input_dim"));
    Eigen::MatrixXd Bn = Eigen::MatrixXd::Ones(2, 1);
    Bn(1, 0) = std::nan("");
    CHECK_THROWS_WITH(FourierFeatures<double>(Bn), Contains("frequencies must be finite"));

    CHECK_THROWS_WITH(random_frequencies(10, 1, 0.0, 1), Contains("sigma"));
    CHECK_THROWS_WITH(random_frequencies(10, 1, -2.0, 1), Contains("sigma"));
    CHECK_THROWS_WITH(random_frequencies(0, 1, 1.0, 1), Contains("count"));
    CHECK_THROWS_WITH(rff<float>(0, 10, 1.0), Contains("input_dim"));
    CHECK_THROWS_WITH(log_frequencies(1, 0), Contains("levels"));
    CHECK_THROWS_WITH(log_frequencies(1, 62), Contains("levels"));
    CHECK_THROWS_WITH(linear_frequencies(1, 4, 0.5), Contains("max_freq"));
    CHECK_THROWS_WITH(linear_frequencies(1, 0, 4.0), Contains("per_axis"));
    CHECK_THROWS_AS(basic_frequencies(0), Error);

    const auto e = basic_fourier<double>(2);
    Mat<double> X = random_points(2, 4, 1);
    Mat<double> out(4, 4);
    X(1, 2) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(e.encode(X, out), Contains("finite"));
    X(1, 2) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH(e.encode(X, out), Contains("finite"));
    const Mat<double> X3 = random_points(3, 4, 1);
    CHECK_THROWS_WITH(e.encode(X3, out), Contains("input dimension must be 2"));
    Mat<double> wrong(5, 4);
    CHECK_THROWS_WITH(e.encode(random_points(2, 4, 1), wrong), Contains("output"));
    Mat<double> dX(2, 4), dYw(3, 4);
    CHECK_THROWS_WITH(e.backward(random_points(2, 4, 1), dYw, dX), Contains("dY"));
}

TEMPLATE_TEST_CASE("Identity: code = x, backward = dY, validation", "[identity]", float, double) {
    using T = TestType;
    const Identity<T> id(3);
    CHECK(id.input_dim() == 3);
    CHECK(id.output_dim() == 3);
    const Mat<T> X = random_points(3, 7, 2, -5, 5).cast<T>();
    CHECK(encode(id, X) == X);
    const Mat<T> dY = random_points(3, 7, 3).cast<T>();
    Mat<T> dX(3, 7);
    id.backward(X, dY, dX);
    CHECK(dX == dY);
    if constexpr (std::is_same_v<T, double>) CHECK(backward_fd_error(id, random_points(3, 7, 2)) < 1e-8);
    CHECK_THROWS_WITH(Identity<T>(0), Contains("input_dim"));
    Mat<T> bad = X;
    bad(0, 0) = std::numeric_limits<T>::quiet_NaN();
    Mat<T> out(3, 7);
    CHECK_THROWS_WITH(id.encode(bad, out), Contains("finite"));
    CHECK_THROWS_WITH(id.encode(X.topRows(2), out), Contains("input dimension"));
}

// Four-direction encoding (ECCV'22): block layout against the 1D encoder, dense == windows, the
// vector-Jacobian product against finite differences, unit norm at the centre, errors.
#include <catch2/catch.hpp>

#include <cmath>

#include "posenc/core/random.hpp"
#include "posenc/encoding/directional.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/encoding/fourier.hpp"
#include "posenc/encoding/frequencies.hpp"
#include "posenc/encoding/per_axis.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/profiles/triangle.hpp"
#include "posenc/encoding/shifted_basis.hpp"

using namespace posenc;

namespace {
Mat<double> random_points(Rng& rng, Index n) {
    Mat<double> X(2, n);
    for (Index k = 0; k < X.size(); ++k) X(k) = rng.uniform();
    X.col(0) << 0.0, 1.0;  // corners: u_3 = 0 and u_2 = 0.5
    X.col(1) << 1.0, 0.0;  // u_3 = 1
    X.col(2) << 1.0, 1.0;  // u_2 = 1
    return X;
}
}  // namespace

TEST_CASE("Directional: blocks are the 1D code at x, y, (x+y)/2, (x-y+1)/2", "[directional]") {
    using B = ShiftedBasis<Gaussian, double>;
    const B b(Gaussian(0.05), 16, Domain::Bounded, Scaling::None);
    const Directional<B> dir(b, Scaling::None);
    REQUIRE(dir.input_dim() == 2);
    REQUIRE(dir.output_dim() == 64);
    Rng rng(1);
    const Mat<double> X = random_points(rng, 9);
    const Mat<double> C = encode(dir, X);
    for (Index n = 0; n < X.cols(); ++n) {
        const double x = X(0, n), y = X(1, n);
        const double u[4] = {x, y, (x + y) / 2, (x - y + 1) / 2};
        for (Index blk = 0; blk < 4; ++blk) {
            const Mat<double> ref = encode(b, Mat<double>::Constant(1, 1, u[blk]));
            CHECK((C.block(blk * 16, n, 16, 1) - ref).norm() <= 1e-14);
        }
    }
}

TEST_CASE("Directional: unit norm at the centre", "[directional]") {
    using B = ShiftedBasis<Gaussian, double>;
    const Directional<B> dir(B(Gaussian(0.03), 20, Domain::Bounded, Scaling::None));
    const Mat<double> c = Mat<double>::Constant(2, 1, 0.5);
    CHECK(encode(dir, c).norm() == Approx(1.0).epsilon(1e-12));
    // scaling the already-scaled 1D basis again also gives unit norm
    const Directional<B> dir2(B(Gaussian(0.03), 20));
    CHECK(encode(dir2, c).norm() == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("Directional: windows == dense code (triangle: exact, gaussian: within the tolerance)", "[directional]") {
    Rng rng(2);
    const Mat<double> X = random_points(rng, 50);
    auto check = [&](const auto& dir, double tol) {
        REQUIRE(dir.window_width() == 4 * dir.axis().window_width());
        REQUIRE(dir.window_width() > 0);
        const Mat<double> C = encode(dir, X);
        Windows<double> w;
        dir.windows(X, w);
        REQUIRE(w.index.rows() == dir.window_width());
        REQUIRE(w.cols() == X.cols());
        Mat<double> S = Mat<double>::Zero(C.rows(), C.cols());
        for (Index n = 0; n < X.cols(); ++n)
            for (Index k = 0; k < w.index.rows(); ++k) {
                const Index r = w.index(k, n);
                REQUIRE(r >= 0);
                REQUIRE(r < C.rows());
                if (w.weight(k, n) != 0.0) {
                    CHECK(w.weight(k, n) == C(r, n));  // weights equal the dense code exactly
                    S(r, n) = w.weight(k, n);
                }
            }
        CHECK((S - C).cwiseAbs().maxCoeff() <= tol);  // nothing outside the windows (beyond the tolerance)
    };
    using BT = ShiftedBasis<Triangle, double>;
    check(Directional<BT>(BT(Triangle(0.08), 32, Domain::Bounded, Scaling::None)), 0.0);
    using BG = ShiftedBasis<Gaussian, double>;
    const Directional<BG> g(BG(Gaussian(0.02, 1e-8), 64, Domain::Bounded, Scaling::None), Scaling::None);
    check(g, 1e-8);
    // periodic basis: wrapped windows
    check(Directional<BT>(BT(Triangle(0.1), 24, Domain::Periodic, Scaling::None)), 0.0);
}

TEST_CASE("Directional: backward (VJP) matches finite differences", "[directional]") {
    using B = ShiftedBasis<Gaussian, double>;
    const Directional<B> dir(B(Gaussian(0.08), 10, Domain::Periodic, Scaling::None));
    Rng rng(3);
    Mat<double> X(2, 6);
    for (Index k = 0; k < X.size(); ++k) X(k) = rng.uniform(0.05, 0.95);
    Mat<double> G(dir.output_dim(), X.cols());
    for (Index k = 0; k < G.size(); ++k) G(k) = rng.normal();
    Mat<double> dX(2, X.cols());
    dir.backward(X, G, dX);
    const double h = 1e-6;
    for (Index n = 0; n < X.cols(); ++n)
        for (Index a = 0; a < 2; ++a) {
            Mat<double> Xp = X, Xm = X;
            Xp(a, n) += h;
            Xm(a, n) -= h;
            const double fd = (encode(dir, Xp).col(n).dot(G.col(n)) - encode(dir, Xm).col(n).dot(G.col(n))) / (2 * h);
            CHECK(dX(a, n) == Approx(fd).epsilon(1e-6).margin(1e-8));
        }
}

TEST_CASE("Directional: JVP via the VJP agrees with a finite-difference directional derivative", "[directional]") {
    // <G, J v> = <J^T G, v>: checks the Jacobian along random directions v, for the Fourier 1D encoder too.
    const FourierFeatures<double> f(basic_frequencies(1));
    using BT = ShiftedBasis<Triangle, double>;
    const Directional<BT> t(BT(Triangle(0.2), 8, Domain::Bounded, Scaling::None));
    Rng rng(4);
    auto check = [&](const auto& dir) {
        for (int rep = 0; rep < 5; ++rep) {
            Mat<double> X(2, 1), v(2, 1), G(dir.output_dim(), 1), dX(2, 1);
            X << rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9);
            v << rng.normal(), rng.normal();
            for (Index k = 0; k < G.size(); ++k) G(k) = rng.normal();
            dir.backward(X, G, dX);
            const double h = 1e-7;
            const double fd = (encode(dir, Mat<double>(X + h * v)).col(0).dot(G.col(0)) -
                               encode(dir, Mat<double>(X - h * v)).col(0).dot(G.col(0))) / (2 * h);
            CHECK(dX.col(0).dot(v.col(0)) == Approx(fd).epsilon(1e-5).margin(1e-7));
        }
    };
    check(Directional<FourierFeatures<double>>(f));
    check(t);
}

TEST_CASE("Directional: bad input throws posenc::Error", "[directional]") {
    using B = ShiftedBasis<Gaussian, double>;
    const Directional<B> dir(B(Gaussian(0.1), 8));
    CHECK_THROWS_WITH(encode(dir, Mat<double>::Constant(3, 2, 0.5)), Catch::Contains("input dimension must be 2"));
    CHECK_THROWS_WITH(encode(dir, Mat<double>::Constant(1, 2, 0.5)), Catch::Contains("input dimension must be 2"));
    Mat<double> bad = Mat<double>::Constant(2, 1, 0.5);
    bad(1, 0) = std::nan("");
    CHECK_THROWS_AS(encode(dir, bad), Error);
    bad(1, 0) = 1.5;  // bounded basis: y outside [0, 1]
    CHECK_THROWS_AS(encode(dir, bad), Error);
    Mat<double> dX(3, 1);
    CHECK_THROWS_WITH(dir.backward(Mat<double>::Constant(2, 1, 0.5), Mat<double>::Zero(32, 1), dX), Catch::Contains("dX"));
    // a 2D axis encoder is rejected
    using PA = PerAxis<B>;
    CHECK_THROWS_WITH(Directional<PA>(PA(B(Gaussian(0.1), 8), 2)), Catch::Contains("input_dim 1"));
    // no windows: Gaussian without truncation window (K >= D)
    const Directional<B> wide(B(Gaussian(0.5), 8));
    CHECK(wide.window_width() == 0);
    Windows<double> w;
    CHECK_THROWS_WITH(wide.windows(Mat<double>::Constant(2, 1, 0.5), w), Catch::Contains("window"));
}

TEST_CASE("Directional from the factory: spec \"directional\" equals the class", "[directional][factory]") {
    const EncoderSpec child{"gaussian", {{"sigma", 0.05}, {"dim", 16}, {"scale", 0}}, {}};
    const AnyEncoder<double> e = make_encoder<double>(EncoderSpec{"directional", {}, {child}});
    const Directional<ShiftedBasis<Gaussian, double>> ref(ShiftedBasis<Gaussian, double>(Gaussian(0.05), 16, Domain::Bounded,
                                                                                         Scaling::None));
    REQUIRE(e.input_dim() == 2);
    REQUIRE(e.output_dim() == 64);
    Rng rng(4);
    Mat<double> X(2, 30);
    for (Index j = 0; j < X.cols(); ++j) X.col(j) << rng.uniform(), rng.uniform();
    CHECK((encode(e, X) - encode(ref, X)).cwiseAbs().maxCoeff() < 1e-15);
    // windows pass through AnyEncoder (the fused sparse first layer can use them)
    REQUIRE(e.window_width() == ref.window_width());
    Windows<double> we, wr;
    e.windows(X, we);
    ref.windows(X, wr);
    CHECK(we.index == wr.index);
    CHECK((we.weight - wr.weight).cwiseAbs().maxCoeff() < 1e-15);
    // the normalised spec keeps the child and the default scale
    CHECK(e.spec().type == "directional");
    REQUIRE(e.spec().children.size() == 1);
    CHECK(e.spec().children[0].type == "gaussian");
    // errors name the encoder
    CHECK_THROWS_WITH(make_encoder<double>(EncoderSpec{"directional", {}, {}}), Catch::Contains("exactly one child"));
    CHECK_THROWS_WITH(make_encoder<double>(EncoderSpec{"directional", {}, {child, child}}), Catch::Contains("exactly one child"));
    const EncoderSpec two_d{"gaussian2", {{"sigma", 0.05}, {"dim", 16}}, {}};
    CHECK_THROWS_WITH(make_encoder<double>(EncoderSpec{"directional", {}, {two_d}}), Catch::Contains("input_dim 1"));
    CHECK_THROWS_WITH(make_encoder<double>(EncoderSpec{"directional", {{"dim", 3}}, {child}}), Catch::Contains("directional"));
}

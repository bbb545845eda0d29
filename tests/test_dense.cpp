// Dense layer: forward against an explicit loop, gradients against finite differences (double),
// init statistics (PyTorch and SIREN bounds), seeded reproducibility, shape errors.
#include <catch2/catch.hpp>

#include <cmath>

#include "nn_gradcheck.hpp"
#include "posenc/nn/layers/dense.hpp"

using namespace posenc;
using posenc::test::fd_gradient;
using posenc::test::rel_error;
using posenc::test::uniform_mat;

TEST_CASE("Dense forward equals the explicit sum", "[dense]") {
    Rng rng(3);
    Dense<double> L(5, 4);
    L.init_pytorch(rng);
    const Mat<double> X = uniform_mat(rng, 5, 7);
    const Mat<double> Z = L.forward(X);
    for (Index n = 0; n < 7; ++n)
        for (Index o = 0; o < 4; ++o) {
            double s = L.b(o);
            for (Index i = 0; i < 5; ++i) s += L.W(o, i) * X(i, n);
            CHECK(Z(o, n) == Approx(s).epsilon(1e-12).margin(1e-14));
        }
}

TEST_CASE("Dense gradients match finite differences (double, rel < 1e-6)", "[dense][gradcheck]") {
    for (auto [in, out, N] : {std::tuple<Index, Index, Index>{3, 2, 5}, {7, 5, 11}, {1, 1, 1}, {16, 9, 40}}) {
        INFO("in " << in << " out " << out << " N " << N);
        Rng rng(in * 100 + out);
        Dense<double> L(in, out);
        L.init_pytorch(rng);
        Mat<double> X = uniform_mat(rng, in, N);
        const Mat<double> R = uniform_mat(rng, out, N);  // L = sum(R .* Z), so dL/dZ = R
        auto loss = [&] { return (L.forward(X).array() * R.array()).sum(); };
        Mat<double> dX;
        L.backward(R, X, &dX);
        const Mat<double> dW = L.dW;
        const Vec<double> db = L.db;
        CHECK(rel_error(Eigen::Map<const Vec<double>>(dW.data(), dW.size()), fd_gradient(L.W.data(), L.W.size(), loss)) < 1e-6);
        CHECK(rel_error(db, fd_gradient(L.b.data(), L.b.size(), loss)) < 1e-6);
        CHECK(rel_error(Eigen::Map<const Vec<double>>(dX.data(), dX.size()), fd_gradient(X.data(), X.size(), loss)) < 1e-6);
    }
}

TEST_CASE("Dense backward overwrites (does not accumulate) gradients", "[dense]") {
    Rng rng(1);
    Dense<double> L(4, 3);
    L.init_pytorch(rng);
    const Mat<double> X = uniform_mat(rng, 4, 6), R = uniform_mat(rng, 3, 6);
    L.backward(R, X);
    const Mat<double> dW1 = L.dW;
    L.backward(R, X);
    CHECK((L.dW - dW1).cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("Dense PyTorch init: uniform in +-1/sqrt(fan_in)", "[dense][init]") {
    Rng rng(42);
    Dense<double> L(256, 200);
    L.init_pytorch(rng);
    const double bound = 1.0 / 16.0;
    CHECK(L.W.cwiseAbs().maxCoeff() <= bound);
    CHECK(L.b.cwiseAbs().maxCoeff() <= bound);
    CHECK(L.W.maxCoeff() > 0.99 * bound);
    CHECK(L.W.minCoeff() < -0.99 * bound);
    // uniform(-B, B): mean 0, variance B^2 / 3; 51200 draws -> standard errors ~ 1e-4 B and 0.6% of the variance
    const double mean = L.W.mean();
    const double var = (L.W.array() - mean).square().mean();
    CHECK(std::abs(mean) < 0.01 * bound);
    CHECK(var == Approx(bound * bound / 3).epsilon(0.03));
}

TEST_CASE("Dense SIREN init bounds", "[dense][init]") {
    Rng rng(7);
    Dense<double> first(64, 128), hidden(128, 128);
    first.init_siren(rng, 30.0, true);
    hidden.init_siren(rng, 30.0, false);
    CHECK(first.W.cwiseAbs().maxCoeff() <= 1.0 / 64);
    CHECK(first.W.cwiseAbs().maxCoeff() > 0.98 / 64);
    const double hb = std::sqrt(6.0 / 128) / 30.0;
    CHECK(hidden.W.cwiseAbs().maxCoeff() <= hb);
    CHECK(hidden.W.cwiseAbs().maxCoeff() > 0.98 * hb);
    CHECK(hidden.b.cwiseAbs().maxCoeff() <= 1.0 / std::sqrt(128.0));
    CHECK_THROWS_AS(hidden.init_siren(rng, 0.0, false), Error);
}

TEST_CASE("Dense init is reproducible from the seed", "[dense][init]") {
    Dense<float> a(10, 6), b(10, 6), c(10, 6);
    Rng r1(5), r2(5), r3(6);
    a.init_pytorch(r1);
    b.init_pytorch(r2);
    c.init_pytorch(r3);
    CHECK(a.W == b.W);
    CHECK(a.b == b.b);
    CHECK(a.W != c.W);
}

TEST_CASE("Dense float forward agrees with double", "[dense]") {
    Rng rng(9);
    Dense<double> Ld(33, 17);
    Ld.init_pytorch(rng);
    Dense<float> Lf(33, 17);
    Lf.W = Ld.W.cast<float>();
    Lf.b = Ld.b.cast<float>();
    const Mat<double> X = uniform_mat(rng, 33, 50);
    const Mat<float> Zf = Lf.forward(X.cast<float>());
    CHECK((Zf.cast<double>() - Ld.forward(X)).cwiseAbs().maxCoeff() < 1e-5);
}

TEST_CASE("Dense bad shapes throw posenc::Error naming the argument", "[dense][errors]") {
    CHECK_THROWS_WITH(Dense<double>(0, 3), Catch::Contains("in"));
    CHECK_THROWS_WITH(Dense<double>(3, 0), Catch::Contains("out"));
    Dense<double> L(4, 3);
    Mat<double> X(5, 2), Z(3, 2);
    CHECK_THROWS_WITH(L.forward(X), Catch::Contains("X must have 4 rows"));
    Mat<double> X4 = Mat<double>::Zero(4, 2), Zbad(2, 2);
    CHECK_THROWS_WITH(L.forward(X4, Zbad), Catch::Contains("Z must be 3 x 2"));
    Mat<double> dZbad(3, 3);
    CHECK_THROWS_WITH(L.backward(dZbad, X4), Catch::Contains("dZ"));
    CHECK_NOTHROW(L.forward(X4, Z));
}

TEST_CASE("Dense parameters view W and b with their gradients", "[dense]") {
    Dense<double> L(4, 3);
    auto ps = L.parameters("layer0.");
    REQUIRE(ps.size() == 2);
    CHECK(ps[0].name == "layer0.weight");
    CHECK(ps[0].size == 12);
    CHECK(ps[0].rows == 3);
    CHECK(ps[0].cols == 4);
    CHECK(ps[0].value == L.W.data());
    CHECK(ps[0].grad == L.dW.data());
    CHECK(ps[1].name == "layer0.bias");
    CHECK(ps[1].size == 3);
    ps[1].values().setConstant(2.0);
    CHECK(L.b(2) == 2.0);
}

TEST_CASE("split-k weight-gradient product equals the plain product and is reproducible", "[dense]") {
    Rng rng(12);
    for (Index N : {Index(100), Index(5000), Index(20000)}) {  // below and above the split threshold
        INFO("N = " << N);
        const Mat<double> A = uniform_mat(rng, 7, N), B = uniform_mat(rng, 5, N);
        Mat<double> C, C2;
        detail::gemm_nt<double>(A, B, C);
        detail::gemm_nt<double>(A, B, C2);
        const Mat<double> ref = A * B.transpose();
        CHECK((C - ref).cwiseAbs().maxCoeff() < 1e-10 * ref.cwiseAbs().maxCoeff());
        CHECK(C == C2);
    }
    // through Dense::backward on a long batch
    Dense<double> L(6, 4);
    L.init_pytorch(rng);
    const Mat<double> X = uniform_mat(rng, 6, 9000), dZ = uniform_mat(rng, 4, 9000);
    L.backward(dZ, X);
    const Mat<double> ref = dZ * X.transpose();
    CHECK((L.dW - ref).cwiseAbs().maxCoeff() < 1e-10 * ref.cwiseAbs().maxCoeff());
}

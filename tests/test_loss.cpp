// Losses: values against explicit sums, gradients against finite differences (double), errors.
#include <catch2/catch.hpp>

#include "nn_gradcheck.hpp"
#include "posenc/nn/loss.hpp"

using namespace posenc;
using posenc::test::fd_gradient;
using posenc::test::rel_error;
using posenc::test::uniform_mat;

TEST_CASE("mse and l1 values are means over all entries (like torch)", "[loss]") {
    Mat<double> Y(2, 2), T(2, 2);
    Y << 1, 2, 3, 4;
    T << 0, 2, 5, 1;
    CHECK(mse(Y, T) == Approx((1.0 + 0 + 4 + 9) / 4).epsilon(1e-15));
    CHECK(l1(Y, T) == Approx((1.0 + 0 + 2 + 3) / 4).epsilon(1e-15));
    CHECK(loss_value(Loss::Mse, Y, T) == mse(Y, T));
    CHECK(loss_value(Loss::L1, Y, T) == l1(Y, T));
    Mat<float> Yf = Y.cast<float>(), Tf = T.cast<float>(), g;
    CHECK(mse(Yf, Tf, g) == Approx(3.5));
    CHECK(g(1, 0) == Approx(2.0f * (3 - 5) / 4));
}

TEST_CASE("loss gradients match finite differences (double, rel < 1e-6)", "[loss][gradcheck]") {
    Rng rng(11);
    for (Loss kind : {Loss::Mse, Loss::L1}) {
        INFO("loss " << to_string(kind));
        Mat<double> Y = uniform_mat(rng, 3, 17), T = uniform_mat(rng, 3, 17), g;
        loss_value(kind, Y, T, g);
        auto f = [&] { return loss_value(kind, Y, T); };
        CHECK(rel_error(Eigen::Map<const Vec<double>>(g.data(), g.size()), fd_gradient(Y.data(), Y.size(), f)) < 1e-6);
    }
}

TEST_CASE("loss names and shape errors", "[loss][errors]") {
    CHECK(loss_from_string("mse") == Loss::Mse);
    CHECK(loss_from_string("l1") == Loss::L1);
    CHECK_THROWS_WITH(loss_from_string("huber"), Catch::Contains("huber"));
    Mat<double> Y(2, 3), T(3, 2), g;
    Y.setZero();
    T.setZero();
    CHECK_THROWS_WITH(mse(Y, T), Catch::Contains("target"));
    CHECK_THROWS_AS(l1(Y, T, g), Error);
    Mat<double> E(0, 0);
    CHECK_THROWS_AS(mse(E, E), Error);
}

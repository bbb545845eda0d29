// Mlp: parameter and input gradients against finite differences (double) for several depths and
// activations, the fused-first-layer hooks, predict, seeded bitwise reproducibility, errors.
#include <catch2/catch.hpp>

#include <tuple>

#include "nn_gradcheck.hpp"
#include "posenc/nn/loss.hpp"
#include "posenc/nn/mlp.hpp"

// This file also checks the member-state API deprecated on 2026-12-02 (docs/migration.md).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

using namespace posenc;
using posenc::test::fd_gradient;
using posenc::test::flat;
using posenc::test::rel_error;
using posenc::test::uniform_mat;

TEST_CASE("Mlp gradients (parameters and input) match finite differences", "[mlp][gradcheck]") {
    using A = Activation;
    const std::vector<std::tuple<Index, ActivationSpec, ActivationSpec>> cases = {
        {0, {A::ReLU, 0}, {A::Identity, 0}},  {0, {A::ReLU, 0}, {A::Sigmoid, 0}}, {1, {A::ReLU, 0}, {A::Identity, 0}},
        {3, {A::ReLU, 0}, {A::Sigmoid, 0}},   {2, {A::Tanh, 0}, {A::Identity, 0}}, {2, {A::Sigmoid, 0}, {A::Tanh, 0}},
        {3, {A::Sine, 0}, {A::Identity, 0}},  {2, {A::Sine, 3}, {A::Sine, 2}},     {2, {A::Gaussian, 0}, {A::Identity, 0}},
        {3, {A::Gaussian, 0.8}, {A::Gaussian, 1.5}}};
    for (const auto& [depth, hidden, output] : cases) {
        INFO("depth " << depth << " hidden " << to_string(hidden.kind) << " output " << to_string(output.kind));
        MlpConfig cfg{3, 2, 6, depth, hidden, output, 17};
        Mlp<double> net(cfg);
        Rng rng(100 + std::uint64_t(depth));
        Mat<double> X = uniform_mat(rng, 3, 5, 0, 1);
        const Mat<double> R = uniform_mat(rng, 2, 5);  // loss = sum(R .* Y), dL/dY = R
        auto loss = [&] { return (net.predict(X).array() * R.array()).sum(); };
        net.forward(X);
        Mat<double> dX;
        net.backward(R, &dX);
        for (auto& p : net.parameters()) {
            INFO("parameter " << p.name);
            const Vec<double> an = p.grads();
            CHECK(rel_error(an, fd_gradient(p.value, p.size, loss)) < 1e-6);
        }
        CHECK(rel_error(flat(dX), fd_gradient(X.data(), X.size(), loss)) < 1e-6);
    }
}

TEST_CASE("Mlp gradient check through an mse loss", "[mlp][gradcheck]") {
    MlpConfig cfg{2, 3, 8, 2, {Activation::ReLU}, {Activation::Sigmoid}, 5};
    Mlp<double> net(cfg);
    Rng rng(1);
    const Mat<double> X = uniform_mat(rng, 2, 9, 0, 1), T = uniform_mat(rng, 3, 9, 0, 1);
    Mat<double> g;
    mse(net.forward(X), T, g);
    net.backward(g);
    auto loss = [&] { return mse(net.predict(X), T); };
    for (auto& p : net.parameters()) {
        INFO("parameter " << p.name);
        CHECK(rel_error(p.grads(), fd_gradient(p.value, p.size, loss)) < 1e-6);
    }
}

TEST_CASE("Mlp forward_ref / first-layer hooks give the same results as forward", "[mlp]") {
    MlpConfig cfg{4, 2, 16, 2, {Activation::Sine, 0}, {Activation::Identity}, 3};
    Mlp<double> a(cfg), b(cfg);
    Rng rng(2);
    const Mat<double> X = uniform_mat(rng, 4, 50, 0, 1), R = uniform_mat(rng, 2, 50);
    const Mat<double> Ya = a.forward(X);
    a.backward(R);
    const Mat<double> Yb = b.forward_ref(X);
    b.backward_with_input(X, R);
    CHECK(Ya == Yb);
    for (Index l = 0; l < a.num_layers(); ++l) {
        CHECK(a.layer(l).dW == b.layer(l).dW);
        CHECK(a.layer(l).db == b.layer(l).db);
    }
    // the hooks: caller computes W0 X
    b.first_product(X.cols()).noalias() = b.layer(0).W * X;
    CHECK(b.forward_from_first_product() == Ya);
    CHECK_THROWS_AS(b.backward(R), Error);  // no cached input after the hooks
    // input-gradient-only pass leaves parameter gradients untouched
    const Mat<double> dW1 = b.layer(1).dW;
    b.layer(1).dW.setConstant(7.0);
    b.backward_to_first(R, false);
    CHECK(b.layer(1).dW.isConstant(7.0));
    b.backward_to_first(R, true);
    CHECK(b.layer(1).dW == dW1);
}

TEST_CASE("Mlp predict equals forward, in any chunking", "[mlp]") {
    MlpConfig cfg{3, 2, 32, 3, {Activation::Gaussian, 0.5}, {Activation::Sigmoid}, 4};
    Mlp<double> net(cfg);
    Rng rng(3);
    const Mat<double> X = uniform_mat(rng, 3, 333, 0, 1);
    const Mat<double> Y = net.forward(X);
    CHECK((net.predict(X) - Y).cwiseAbs().maxCoeff() < 1e-13);
    CHECK((net.predict(X, 50) - Y).cwiseAbs().maxCoeff() < 1e-13);
    CHECK((net.predict(X, 1) - Y).cwiseAbs().maxCoeff() < 1e-13);
}

TEST_CASE("Mlp with the same seed gives bitwise identical forward and gradients", "[mlp][reproducible]") {
    MlpConfig cfg{20, 3, 64, 3, {Activation::ReLU}, {Activation::Sigmoid}, 123};
    Mlp<float> a(cfg), b(cfg);
    Rng rng(4);
    const Mat<float> X = uniform_mat(rng, 20, 9000, 0, 1).cast<float>();
    const Mat<float> R = uniform_mat(rng, 3, 9000).cast<float>();
    const Mat<float> Ya = a.forward(X);
    a.backward(R);
    const Mat<float> Yb = b.forward(X);
    b.backward(R);
    CHECK(Ya == Yb);
    for (Index l = 0; l < a.num_layers(); ++l) CHECK(a.layer(l).dW == b.layer(l).dW);
    // a second pass through the reused buffers gives the same bits
    CHECK(a.forward(X) == Ya);
    cfg.seed = 124;
    Mlp<float> c(cfg);
    CHECK(c.forward(X) != Ya);
}

TEST_CASE("Mlp float and double agree", "[mlp]") {
    MlpConfig cfg{5, 2, 32, 2, {Activation::Tanh}, {Activation::Identity}, 8};
    Mlp<double> d(cfg);
    Mlp<float> f(cfg);
    for (Index l = 0; l < d.num_layers(); ++l) {
        f.layer(l).W = d.layer(l).W.cast<float>();
        f.layer(l).b = d.layer(l).b.cast<float>();
    }
    Rng rng(5);
    const Mat<double> X = uniform_mat(rng, 5, 100, 0, 1);
    CHECK((f.forward(X.cast<float>()).cast<double>() - d.forward(X)).cwiseAbs().maxCoeff() < 1e-5);
}

TEST_CASE("Mlp structure, init and parameters", "[mlp]") {
    MlpConfig cfg{7, 3, 16, 0};
    Mlp<double> lin(cfg);
    REQUIRE(lin.num_layers() == 1);
    CHECK(lin.layer(0).in_dim() == 7);
    CHECK(lin.layer(0).out_dim() == 3);
    CHECK(lin.parameter_count() == 7 * 3 + 3);
    CHECK(lin.layer(0).W.cwiseAbs().maxCoeff() <= 1.0 / std::sqrt(7.0));

    MlpConfig deep{2, 1, 10, 3};
    Mlp<double> net(deep);
    CHECK(net.num_layers() == 4);
    auto ps = net.parameters();
    REQUIRE(ps.size() == 8);
    CHECK(ps[0].name == "layer0.weight");
    CHECK(ps[7].name == "layer3.bias");
    CHECK(parameter_count(ps) == net.parameter_count());
    CHECK(net.parameter_count() == 2 * 10 + 10 + 2 * (10 * 10 + 10) + 10 + 1);

    MlpConfig siren{2, 1, 64, 2, {Activation::Sine, 30}};
    Mlp<double> s(siren);  // Auto init -> SIREN bounds
    CHECK(s.layer(0).W.cwiseAbs().maxCoeff() <= 0.5);
    CHECK(s.layer(1).W.cwiseAbs().maxCoeff() <= std::sqrt(6.0 / 64) / 30);
    siren.init = MlpInit::PyTorch;
    Mlp<double> p(siren);
    CHECK(p.layer(1).W.cwiseAbs().maxCoeff() > std::sqrt(6.0 / 64) / 30);
}

TEST_CASE("Mlp bad configs and shapes throw posenc::Error naming the parameter", "[mlp][errors]") {
    CHECK_THROWS_WITH(Mlp<double>(MlpConfig{0, 1}), Catch::Contains("input_dim"));
    CHECK_THROWS_WITH(Mlp<double>(MlpConfig{1, 0}), Catch::Contains("output_dim"));
    CHECK_THROWS_WITH(Mlp<double>(MlpConfig{1, 1, 0, 2}), Catch::Contains("width"));
    CHECK_THROWS_WITH(Mlp<double>(MlpConfig{1, 1, 4, -1}), Catch::Contains("depth"));
    CHECK_THROWS_WITH(Mlp<double>(MlpConfig{1, 1, 4, 1, {Activation::Gaussian, -1}}), Catch::Contains("hidden"));
    CHECK_NOTHROW(Mlp<double>(MlpConfig{1, 1, 0, 0}));  // width unused at depth 0

    Mlp<double> net(MlpConfig{3, 2, 4, 1});
    Mat<double> R = Mat<double>::Zero(2, 5);
    CHECK_THROWS_WITH(net.backward(R), Catch::Contains("forward"));
    CHECK_THROWS_WITH(net.forward(Mat<double>::Zero(4, 5)), Catch::Contains("input_dim"));
    CHECK_THROWS_AS(net.forward(Mat<double>::Zero(3, 0)), Error);
    net.forward(Mat<double>::Zero(3, 5));
    CHECK_THROWS_WITH(net.backward(Mat<double>::Zero(2, 4)), Catch::Contains("dY"));
    CHECK_THROWS_WITH(net.backward_with_input(Mat<double>::Zero(3, 4), R), Catch::Contains("columns"));
    CHECK_THROWS_AS(net.predict(Mat<double>::Zero(2, 5)), Error);
}

#pragma GCC diagnostic pop

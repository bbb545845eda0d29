// Kron-MLP first layer: the grid product Py^T W_k Px per hidden unit against a dense layer on explicit
// Kronecker features, its backward against that layer and finite differences (double), and KronMlp
// (that layer + posenc::Mlp) against the same Mlp on explicit features, plus a small Adam fit of a grid.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

#include "nn_gradcheck.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/random.hpp"
#include "posenc/encoding/kronecker.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/shifted_basis.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/first_layer/kron_grid.hpp"

using namespace posenc;
using Basis = ShiftedBasis<Gaussian, double>;

namespace {
Mat<double> coords(Index n, double first, double step) {
    Mat<double> X(1, n);
    for (Index i = 0; i < n; ++i) X(0, i) = first + step * double(i);
    return X;
}
/// A grid case: points (x_j, y_i) as columns n = i + j * Ny (the layout of kron_grid_product).
Mat<double> grid_points(const Mat<double>& xs, const Mat<double>& ys) {
    const Index Nx = xs.cols(), Ny = ys.cols();
    Mat<double> P(2, Nx * Ny);
    for (Index j = 0; j < Nx; ++j)
        for (Index i = 0; i < Ny; ++i) P.col(i + j * Ny) << xs(0, j), ys(0, i);
    return P;
}
struct KronGridCase {
    Basis bx{Gaussian(0.09), 6, Domain::Bounded, Scaling::None};
    Basis by{Gaussian(0.12), 4, Domain::Bounded, Scaling::None};
    Mat<double> xs = coords(7, 0.0, 1.0 / 7), ys = coords(5, 0.05, 0.2);
    Mat<double> Px = encode(bx, xs), Py = encode(by, ys);
    Mat<double> F = encode(Kronecker<Basis>(bx, by), grid_points(xs, ys));  // 24 x 35 explicit features
};
}  // namespace

TEST_CASE("kron_grid_product == W F on explicit Kronecker features", "[kron_mlp]") {
    const KronGridCase g;
    Rng rng(1);
    const Mat<double> W = test::uniform_mat(rng, 5, 24);
    Mat<double> Z(5, 35);
    kron_grid_product<double>(W, g.Px, g.Py, Z);
    const Mat<double> ref = W * g.F;
    CHECK((Z - ref).norm() <= 1e-13 * ref.norm());
    // hidden unit k over the grid is Py^T W_k Px with W_k(a, b) = W(k, a + b Dy)
    for (Index k = 0; k < 5; ++k) {
        Mat<double> Wk(4, 6);
        for (Index a = 0; a < 4; ++a)
            for (Index b = 0; b < 6; ++b) Wk(a, b) = W(k, a + b * 4);
        const Mat<double> img = g.Py.transpose() * Wk * g.Px;  // Ny x Nx
        const Eigen::Map<const RowVec<double>> v(img.data(), 35);
        CHECK((Z.row(k) - v).norm() <= 1e-13 * v.norm());
    }
    // a strided (non-contiguous) W gives the same result
    const Mat<double> big = test::uniform_mat(rng, 9, 24);
    Mat<double> Zb(5, 35);
    kron_grid_product<double>(big.topRows(5), g.Px, g.Py, Zb);
    CHECK((Zb - big.topRows(5) * g.F).norm() <= 1e-13 * Zb.norm());
}

TEST_CASE("KronFirstLayer: forward/backward == Dense on explicit features, gradients match finite differences", "[kron_mlp]") {
    const KronGridCase g;
    Rng rng(2);
    KronFirstLayer<double> layer(6, 4, 5);
    layer.init_pytorch(rng);
    Dense<double> dense = layer.dense();
    const Mat<double> Z = layer.forward(g.Px, g.Py), Zd = dense.forward(g.F);
    CHECK((Z - Zd).norm() <= 1e-13 * Zd.norm());

    const Mat<double> G = test::uniform_mat(rng, 5, 35);  // loss = <G, tanh(Z)>: a non-linear head
    auto loss = [&](const KronFirstLayer<double>& l) { return (G.array() * l.forward(g.Px, g.Py).array().tanh()).sum(); };
    const Mat<double> dZ = (G.array() * (1 - Z.array().tanh().square())).matrix();
    layer.backward(dZ, g.Px, g.Py);
    dense.backward(dZ, g.F);
    CHECK((layer.dense().dW - dense.dW).norm() <= 1e-12 * dense.dW.norm());
    CHECK((layer.dense().db - dense.db).norm() <= 1e-12 * dense.db.norm());

    KronFirstLayer<double> p = layer;
    const Vec<double> fdW = test::fd_gradient(p.dense().W.data(), p.dense().W.size(), [&] { return loss(p); });
    const Vec<double> fdb = test::fd_gradient(p.dense().b.data(), p.dense().b.size(), [&] { return loss(p); });
    CHECK(test::rel_error(Eigen::Map<const Vec<double>>(layer.dense().dW.data(), fdW.size()), fdW) <= 1e-8);
    CHECK(test::rel_error(layer.dense().db, fdb) <= 1e-8);
}

TEST_CASE("KronMlp == Mlp on explicit Kronecker features (outputs, every gradient), FD check", "[kron_mlp]") {
    const KronGridCase g;
    MlpConfig cfg;
    cfg.output_dim = 3;
    cfg.width = 8;
    cfg.depth = 2;
    cfg.hidden = ActivationSpec{Activation::ReLU};
    cfg.output = ActivationSpec{Activation::Sigmoid};
    cfg.seed = 5;
    KronMlp<double> km(6, 4, cfg);
    REQUIRE(km.mlp().input_dim() == 24);
    Mlp<double> ref = km.mlp();  // same weights, explicit features

    Rng rng(3);
    const Mat<double> Y = test::uniform_mat(rng, 3, 35, 0, 1);
    KronMlp<double>::Workspace wk;
    Mlp<double>::Workspace wr;
    const Mat<double> out = km.forward(wk, g.Px, g.Py);
    const Mat<double> out_ref = ref.forward(wr, g.F);
    CHECK((out - out_ref).norm() <= 1e-13 * out_ref.norm());
    CHECK((km.predict(g.Px, g.Py) - out_ref).norm() <= 1e-13 * out_ref.norm());

    const Mat<double> dY = out - Y;  // loss 0.5 ||out - Y||^2
    km.backward(wk, g.Px, g.Py, dY);
    ref.backward(wr, g.F, dY);
    auto pk = km.parameters();
    auto pr = ref.parameters();
    REQUIRE(pk.size() == pr.size());
    for (std::size_t i = 0; i < pk.size(); ++i) {
        INFO(pk[i].name);
        CHECK((pk[i].grads() - pr[i].grads()).norm() <= 1e-12 * std::max(1e-300, pr[i].grads().norm()));
    }
    // finite differences on the first layer (the part computed without features)
    KronMlp<double> p = km;
    auto loss = [&] { return 0.5 * (p.predict(g.Px, g.Py) - Y).squaredNorm(); };
    const Vec<double> fdW = test::fd_gradient(p.mlp().layer(0).W.data(), p.mlp().layer(0).W.size(), loss);
    const Vec<double> fdb = test::fd_gradient(p.mlp().layer(0).b.data(), p.mlp().layer(0).b.size(), loss);
    CHECK(test::rel_error(Eigen::Map<const Vec<double>>(km.mlp().layer(0).dW.data(), fdW.size()), fdW) <= 1e-7);
    CHECK(test::rel_error(km.mlp().layer(0).db, fdb) <= 1e-7);
}

TEST_CASE("KronMlp: Adam fit of a small grid (float) lowers the loss", "[kron_mlp]") {
    // 16 x 16 smooth RGB target, D = 12 per axis, first layer 32 units, one more hidden layer.
    const ShiftedBasis<Gaussian, float> b(Gaussian(0.06), 12, Domain::Bounded, Scaling::None);
    Mat<float> xs(1, 16);
    for (Index i = 0; i < 16; ++i) xs(0, i) = float(i) / 16.0f;
    const Mat<float> P = encode(b, xs);
    Mat<float> Y(3, 256);
    for (Index j = 0; j < 16; ++j)
        for (Index i = 0; i < 16; ++i) {
            const float x = xs(0, j), y = xs(0, i);
            Y.col(i + 16 * j) << 0.5f + 0.4f * std::sin(6.0f * x) * std::cos(4.0f * y), x * y, 0.5f + 0.3f * std::cos(9.0f * (x - y));
        }
    MlpConfig cfg;
    cfg.output_dim = 3;
    cfg.width = 32;
    cfg.depth = 2;
    cfg.output = ActivationSpec{Activation::Sigmoid};
    cfg.seed = 1;
    KronMlp<float> km(12, 12, cfg);
    AdamOptions ao;
    ao.lr = 3e-3;
    Adam<float> adam(ao);
    auto params = km.parameters();
    auto mse = [&] { return double((km.predict(P, P) - Y).squaredNorm()) / double(Y.size()); };
    const double loss0 = mse();
    KronMlp<float>::Workspace ws;
    for (int s = 0; s < 300; ++s) {
        const Mat<float> out = km.forward(ws, P, P);
        km.backward(ws, P, P, (2.0f / float(Y.size())) * (out - Y));
        adam.step(params);
    }
    const double loss1 = mse();
    INFO("mse " << loss0 << " -> " << loss1);
    CHECK(loss1 < 0.1 * loss0);
}

TEST_CASE("Kron-MLP first layer: bad shapes throw posenc::Error", "[kron_mlp]") {
    const KronGridCase g;
    KronFirstLayer<double> layer(6, 4, 3);
    CHECK_THROWS_WITH(layer.forward(g.Py, g.Px), Catch::Contains("Dx"));
    CHECK_THROWS_AS(KronFirstLayer<double>(0, 4, 3), Error);
    CHECK_THROWS_WITH(KronFirstLayer<double>(6, 4, 0), Catch::Contains("hidden"));
    Mat<double> Z(3, 34);
    CHECK_THROWS_WITH(kron_grid_product<double>(Mat<double>::Zero(3, 24), g.Px, g.Py, Z), Catch::Contains("Z"));
    CHECK_THROWS_WITH(layer.backward(Mat<double>::Zero(3, 30), g.Px, g.Py), Catch::Contains("dZ"));
    MlpConfig cfg;
    cfg.output_dim = 1;
    cfg.width = 4;
    cfg.depth = 1;
    KronMlp<double> km(6, 4, cfg);
    KronMlp<double>::Workspace ws;
    CHECK_THROWS_WITH(km.forward(ws, g.Px, g.Px), Catch::Contains("Dy"));
}

// ---- hidden benchmark: build/k/tests/test_kron_first_layer "[.bench]" ----------------------------------
TEST_CASE("bench: Kron-MLP first layer vs Dense on explicit Kronecker features (float, forward + backward)",
          "[.bench]") {
    // 64 x 64 grid (the train pixels of a 128 x 128 image), D = 64 shifts per axis (4096 features), H = 256.
    const Index N = 64, D = 64, H = 256;
    const ShiftedBasis<Gaussian, float> b(Gaussian(1.0 / 64), D, Domain::Bounded, Scaling::None);
    Mat<float> xs(1, N);
    for (Index i = 0; i < N; ++i) xs(0, i) = float(2 * i) / 128.0f;
    const Mat<float> P = encode(b, xs);
    Mat<float> pts(2, N * N);
    for (Index j = 0; j < N; ++j)
        for (Index i = 0; i < N; ++i) pts.col(i + j * N) << xs(0, j), xs(0, i);
    const Mat<float> F = encode(Kronecker<ShiftedBasis<Gaussian, float>>(b, b), pts);  // 4096 x 4096
    Rng rng(1);
    KronFirstLayer<float> layer(D, D, H);
    layer.init_pytorch(rng);
    Dense<float> dense = layer.dense();
    Mat<float> dZ = Mat<float>::Random(H, N * N);
    using clock = std::chrono::steady_clock;
    auto secs = [](clock::time_point a) { return std::chrono::duration<double>(clock::now() - a).count(); };
    const int reps = 5;
    double tk = 1e9, td = 1e9;
    Mat<float> Zk, Zd;
    for (int r = 0; r < reps; ++r) {
        auto t0 = clock::now();
        Zk = layer.forward(P, P);
        layer.backward(dZ, P, P);
        tk = std::min(tk, secs(t0));
        t0 = clock::now();
        Zd = dense.forward(F);
        dense.backward(dZ, F);
        td = std::min(td, secs(t0));
    }
    WARN("Kron first layer (forward + backward): " << tk * 1e3 << " ms; Dense on the 4096 x 4096 explicit features: "
                                                 << td * 1e3 << " ms (best of " << reps << ", " << num_threads()
                                                 << " threads); max |Z diff| " << (Zk - Zd).cwiseAbs().maxCoeff());
    CHECK((Zk - Zd).cwiseAbs().maxCoeff() <= 1e-3f * Zd.cwiseAbs().maxCoeff());
}

// Fused sparse first layer and Model: gather/scatter against the dense products, sparse == dense
// paths (double exactly to rounding, float to float rounding, incl. the per-axis 2D encoder),
// finite-difference checks of the parameter gradients and of Model::input_gradient, subset,
// predict, reproducibility, the Auto choice, errors. A hidden "[.bench]" case measures the
// sparse/dense crossover behind kSparseAutoDensity (run it by hand; it asserts nothing).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <numeric>

#include "nn_gradcheck.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/nn/loss.hpp"
#include "posenc/nn/model.hpp"

// This file also checks the member-state API deprecated on 2026-12-02 (docs/migration.md).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

using namespace posenc;
using posenc::test::fd_gradient;
using posenc::test::flat;
using posenc::test::rel_error;
using posenc::test::uniform_mat;

namespace {
/// Random windows: K slots per point with indices in [0, D) (some repeated) and some zero weights.
Windows<double> random_windows(Rng& rng, Index K, Index N, Index D) {
    Windows<double> w;
    w.width = K;
    w.index.resize(K, N);
    w.weight.resize(K, N);
    for (Index n = 0; n < N; ++n)
        for (Index k = 0; k < K; ++k) {
            w.index(k, n) = std::int32_t(rng.below(std::uint64_t(D)));
            w.weight(k, n) = rng.uniform() < 0.2 ? 0.0 : rng.uniform(-1, 1);
        }
    return w;
}
/// Like random_windows, but every other point's window is a contiguous index run (what a shifted
/// basis produces away from the domain's ends), which the one-row kernels take as a dot product / AXPY.
Windows<double> mixed_windows(Rng& rng, Index K, Index N, Index D) {
    Windows<double> w = random_windows(rng, K, N, D);
    for (Index n = 0; n < N; n += 2) {
        const auto start = std::int32_t(rng.below(std::uint64_t(D - K + 1)));
        for (Index k = 0; k < K; ++k) w.index(k, n) = start + std::int32_t(k);
    }
    return w;
}
Mat<double> densify(const Windows<double>& w, Index D) {
    Mat<double> P = Mat<double>::Zero(D, w.cols());
    for (Index n = 0; n < w.cols(); ++n)
        for (Index k = 0; k < w.index.rows(); ++k) P(w.index(k, n), n) += w.weight(k, n);
    return P;
}
double rel_max(const Mat<double>& a, const Mat<double>& b) {
    return (a - b).cwiseAbs().maxCoeff() / std::max(b.cwiseAbs().maxCoeff(), 1e-300);
}
EncoderSpec spec(const char* type, std::map<std::string, double> p) { return EncoderSpec{type, std::move(p), {}}; }
}  // namespace

TEST_CASE("sparse gather/scatter equal the dense products", "[sparse]") {
    // rows: 1 and 3 (serial scatter), 40 and 100 (transposed gather; 100 = one register block + remainder)
    for (Index R : {1, 3, 40, 100}) {
        INFO("R = " << R);
        Rng rng{std::uint64_t(R)};
        const Index D = 57, K = 9, N = 300;
        for (int mixed = 0; mixed < 2; ++mixed) {
            INFO((mixed ? "half the windows contiguous runs" : "random windows"));
            const Windows<double> win = mixed ? mixed_windows(rng, K, N, D) : random_windows(rng, K, N, D);
            const Mat<double> Psi = densify(win, D);
            const Mat<double> W = uniform_mat(rng, R, D);
            const Vec<double> b = uniform_mat(rng, R, 1);
            Mat<double> Z(R, N);
            sparse_first_forward<double>(W, b, win, Z);
            Mat<double> Zd = W * Psi;
            Zd.colwise() += b;
            CHECK(rel_max(Z, Zd) < 1e-13);

            const Mat<double> dZ = uniform_mat(rng, R, N);
            Mat<double> dW;
            Vec<double> db;
            sparse_first_backward<double>(win, dZ, D, dW, &db);
            CHECK(rel_max(dW, dZ * Psi.transpose()) < 1e-13);
            CHECK(rel_max(db, dZ.rowwise().sum()) < 1e-13);

            Mat<double> dw;
            sparse_weight_gradient<double>(W, win, dZ, dw);
            const Mat<double> dPsi = W.transpose() * dZ;
            for (Index n = 0; n < N; n += 37)
                for (Index k = 0; k < K; ++k) CHECK(dw(k, n) == Approx(dPsi(win.index(k, n), n)).epsilon(1e-12).margin(1e-13));
        }
    }
}

TEST_CASE("sparse layer errors name the argument", "[sparse][errors]") {
    Rng rng(1);
    Windows<double> win = random_windows(rng, 3, 5, 10);
    Mat<double> W = uniform_mat(rng, 4, 10), Z(4, 5), dW;
    Vec<double> b = Vec<double>::Zero(4);
    win.index(1, 2) = 10;
    CHECK_THROWS_WITH(sparse_product<double>(W, win, Z), Catch::Contains("windows.index"));
    win.index(1, 2) = 0;
    Mat<double> Zbad(4, 4);
    CHECK_THROWS_WITH(sparse_product<double>(W, win, Zbad), Catch::Contains("Z must be"));
    Vec<double> bbad = Vec<double>::Zero(3);
    CHECK_THROWS_WITH(sparse_first_forward<double>(W, bbad, win, Z), Catch::Contains("bias"));
    Mat<double> dZbad(4, 6);
    CHECK_THROWS_WITH(sparse_first_backward<double>(win, dZbad, 10, dW), Catch::Contains("dZ"));
    win.weight.resize(2, 5);
    CHECK_THROWS_WITH(sparse_product<double>(W, win, Z), Catch::Contains("windows.weight"));
}

TEST_CASE("Model sparse and dense paths agree (double)", "[sparse][model]") {
    for (const auto& s : {spec("gaussian", {{"sigma", 0.02}, {"dim", 200}}), spec("triangle", {{"width", 0.03}, {"dim", 150}}),
                          spec("gaussian2", {{"sigma", 0.03}, {"dim", 120}})}) {
        INFO("encoder " << to_string(s));
        const AnyEncoder<double> enc = make_encoder<double>(s);
        REQUIRE(enc.window_width() > 0);
        for (Index depth : {0, 2}) {
            INFO("depth " << depth);
            MlpConfig cfg{0, 3, 16, depth, {Activation::ReLU}, {Activation::Identity}, 9};
            Model<double> sp(enc, cfg, FirstLayerPath::Sparse), de(enc, cfg, FirstLayerPath::Dense);
            Rng rng(5);
            const Mat<double> X = uniform_mat(rng, enc.input_dim(), 150, 0.02, 0.98);
            const Mat<double> R = uniform_mat(rng, 3, 150);
            const auto bs = sp.prepare(X), bd = de.prepare(X);
            CHECK(bs.sparse);
            CHECK_FALSE(bd.sparse);
            // Gaussian windows drop entries below the profile's truncation tolerance (1e-8 of the peak)
            CHECK(rel_max(sp.forward(bs), de.forward(bd)) < 1e-7);
            sp.backward(bs, R);
            de.backward(bd, R);
            for (Index l = 0; l < sp.mlp().num_layers(); ++l) {
                CHECK(rel_max(sp.mlp().layer(l).dW, de.mlp().layer(l).dW) < 1e-7);
                CHECK(rel_max(sp.mlp().layer(l).db, de.mlp().layer(l).db) < 1e-7);
            }
        }
    }
}

TEST_CASE("Model sparse path equals dense path to float rounding (per-axis 2D)", "[sparse][model]") {
    const AnyEncoder<float> enc = make_encoder<float>(spec("gaussian2", {{"sigma", 0.01}, {"dim", 400}}));
    REQUIRE(enc.input_dim() == 2);
    REQUIRE(enc.window_width() > 0);
    MlpConfig cfg{0, 3, 64, 3, {Activation::ReLU}, {Activation::Sigmoid}, 1};
    Model<float> sp(enc, cfg, FirstLayerPath::Sparse), de(enc, cfg, FirstLayerPath::Dense);
    Rng rng(8);
    const Mat<float> X = uniform_mat(rng, 2, 2000, 0, 1).cast<float>();
    const Mat<float> R = uniform_mat(rng, 3, 2000).cast<float>();
    const auto bs = sp.prepare(X), bd = de.prepare(X);
    REQUIRE(bs.windows.index.rows() == enc.window_width());
    const Mat<double> Ys = sp.forward(bs).cast<double>(), Yd = de.forward(bd).cast<double>();
    CHECK(rel_max(Ys, Yd) < 1e-5);
    sp.backward(bs, R);
    de.backward(bd, R);
    for (Index l = 0; l < 4; ++l) {
        INFO("layer " << l);
        CHECK(rel_max(sp.mlp().layer(l).dW.cast<double>(), de.mlp().layer(l).dW.cast<double>()) < 1e-4);
        CHECK(rel_max(sp.mlp().layer(l).db.cast<double>(), de.mlp().layer(l).db.cast<double>()) < 1e-4);
    }
    CHECK(rel_max(sp.predict(X).cast<double>(), Yd) < 1e-5);
}

TEST_CASE("Model gradients (sparse path) match finite differences", "[sparse][model][gradcheck]") {
    for (const auto& s : {spec("gaussian", {{"sigma", 0.03}, {"dim", 40}}), spec("gaussian2", {{"sigma", 0.05}, {"dim", 40}})}) {
        INFO("encoder " << to_string(s));
        const AnyEncoder<double> enc = make_encoder<double>(s);
        for (auto [depth, act] : {std::pair<Index, Activation>{0, Activation::Identity}, {2, Activation::Tanh}, {2, Activation::Sine}}) {
            INFO("depth " << depth << " " << to_string(act));
            MlpConfig cfg{0, 2, 6, depth, {act}, {Activation::Identity}, 3};
            Model<double> m(enc, cfg, FirstLayerPath::Sparse);
            Rng rng(2);
            const Mat<double> X = uniform_mat(rng, enc.input_dim(), 7, 0.1, 0.9);
            const Mat<double> R = uniform_mat(rng, 2, 7);
            const auto batch = m.prepare(X);
            REQUIRE(batch.sparse);
            auto loss = [&] { return (m.predict(X).array() * R.array()).sum(); };
            m.forward(batch);
            m.backward(batch, R);
            for (auto& p : m.parameters()) {
                INFO("parameter " << p.name);
                CHECK(rel_error(p.grads(), fd_gradient(p.value, p.size, loss)) < 1e-6);
            }
        }
    }
}

TEST_CASE("Model::input_gradient matches finite differences through the encoder", "[model][gradcheck]") {
    for (const auto& s : {spec("gaussian", {{"sigma", 0.05}, {"dim", 60}}), spec("gaussian2", {{"sigma", 0.08}, {"dim", 40}}),
                          spec("rff", {{"sigma", 3}, {"dim", 16}, {"input_dim", 2}})}) {
        INFO("encoder " << to_string(s));
        const AnyEncoder<double> enc = make_encoder<double>(s);
        MlpConfig cfg{0, 2, 8, 2, {Activation::Tanh}, {Activation::Sigmoid}, 4};
        Model<double> m(enc, cfg, FirstLayerPath::Dense);  // smooth in x (no window truncation)
        Rng rng(6);
        Mat<double> X = uniform_mat(rng, enc.input_dim(), 9, 0.1, 0.9);
        const Mat<double> R = uniform_mat(rng, 2, 9);
        // parameter gradients must survive an input_gradient call
        const auto batch = m.prepare(X);
        m.forward(batch);
        m.backward(batch, R);
        const Mat<double> dW0 = m.mlp().layer(0).dW;
        const Mat<double> dX = m.input_gradient(X, R);
        CHECK(m.mlp().layer(0).dW == dW0);
        auto loss = [&] { return (m.predict(X).array() * R.array()).sum(); };
        CHECK(rel_error(flat(dX), fd_gradient(X.data(), X.size(), loss)) < 1e-6);
        if (enc.window_width() > 0) {  // the sparse forward gives the same input gradient (truncation ~1e-8)
            m.set_path(FirstLayerPath::Sparse);
            CHECK(rel_max(m.input_gradient(X, R), dX) < 1e-6);
            CHECK(rel_max(m.input_gradient(X, R, 4), dX) < 1e-6);  // chunked
        }
    }
}

TEST_CASE("Model subset, predict and reproducibility", "[model]") {
    const AnyEncoder<float> enc = make_encoder<float>(spec("gaussian", {{"sigma", 0.005}, {"dim", 1000}}));
    MlpConfig cfg{0, 1, 32, 2, {Activation::ReLU}, {Activation::Identity}, 11};
    Model<float> a(enc, cfg), b(enc, cfg);
    REQUIRE(a.uses_sparse());
    Rng rng(3);
    const Mat<float> X = uniform_mat(rng, 1, 3000, 0, 1).cast<float>();
    const auto full = a.prepare(X);
    CHECK(full.sparse);
    const Mat<float> Ya = a.forward(full);
    CHECK(b.forward(b.prepare(X)) == Ya);  // same seed, bitwise
    CHECK(a.predict(X) == Ya);  // same sizes, same kernels: bitwise
    // other chunk sizes change the GEMM blocking of the hidden layers: equal to float rounding
    CHECK((a.predict(X, 7) - Ya).cwiseAbs().maxCoeff() < 1e-5f * Ya.cwiseAbs().maxCoeff());
    std::vector<Index> cols = {5, 2999, 0, 17, 17};
    const auto sub = a.subset(full, cols);
    CHECK(sub.cols() == 5);
    const Mat<float> Ys = a.forward(sub);
    for (std::size_t i = 0; i < cols.size(); ++i) CHECK(Ys(0, Index(i)) == Approx(Ya(0, cols[i])).epsilon(1e-5));
    CHECK_THROWS_WITH(a.subset(full, {3000}), Catch::Contains("out of range"));
    // dense path subset
    a.set_path(FirstLayerPath::Dense);
    const auto fd = a.prepare(X);
    CHECK_FALSE(fd.sparse);
    const Mat<float> Yd = a.forward(a.subset(fd, cols));
    CHECK((Yd - Ys).cwiseAbs().maxCoeff() < 1e-5f);
}

TEST_CASE("Model Auto path follows the window density", "[model]") {
    MlpConfig cfg{0, 1, 8, 1};
    // K ~ 2 * 6.07 sigma D + 4: sigma 0.002, D 1000 -> K/D ~ 0.03 (sparse); sigma 0.05 -> ~0.6 (dense)
    Model<double> narrow(make_encoder<double>(spec("gaussian", {{"sigma", 0.002}, {"dim", 1000}})), cfg);
    Model<double> wide(make_encoder<double>(spec("gaussian", {{"sigma", 0.05}, {"dim", 1000}})), cfg);
    Model<double> rff(make_encoder<double>(spec("rff", {{"sigma", 10}, {"dim", 64}})), cfg);
    CHECK(narrow.uses_sparse());
    CHECK_FALSE(wide.uses_sparse());
    CHECK_FALSE(rff.uses_sparse());
    CHECK(narrow.mlp().input_dim() == 1000);
    CHECK_THROWS_WITH(rff.set_path(FirstLayerPath::Sparse), Catch::Contains("windows"));
    CHECK_THROWS_AS(Model<double>(make_encoder<double>(spec("rff", {{"sigma", 10}, {"dim", 64}})), cfg, FirstLayerPath::Sparse),
                    Error);
    wide.set_path(FirstLayerPath::Sparse);
    CHECK(wide.uses_sparse());
}

TEST_CASE("Model bad inputs throw posenc::Error", "[model][errors]") {
    MlpConfig cfg{0, 2, 8, 1};
    Model<double> m(make_encoder<double>(spec("gaussian", {{"sigma", 0.01}, {"dim", 100}})), cfg);
    CHECK_THROWS_AS(Model<double>(AnyEncoder<double>(), cfg), Error);
    const Mat<double> X = Mat<double>::Constant(1, 4, 0.5);
    CHECK_THROWS_WITH(m.predict(Mat<double>::Constant(2, 4, 0.5)), Catch::Contains("input dimension"));
    CHECK_THROWS_AS(m.predict(Mat<double>::Constant(1, 4, NAN)), Error);
    const auto batch = m.prepare(X);
    m.forward(batch);
    CHECK_THROWS_WITH(m.backward(batch, Mat<double>::Zero(3, 4)), Catch::Contains("dY"));
    CHECK_THROWS_WITH(m.input_gradient(X, Mat<double>::Zero(2, 3)), Catch::Contains("dY"));
    EncodedBatch<double> bad;
    CHECK_THROWS_AS(m.forward(bad), Error);
    bad.dense = Mat<double>::Zero(99, 4);
    CHECK_THROWS_WITH(m.forward(bad), Catch::Contains("output_dim"));
}

TEST_CASE("Model uses the batch's WindowRuns plan, edited windows are still range-checked", "[model]") {
    // One output row (the depth-0 linear model): the one-row kernels read the plan made by prepare().
    // Bounded domain: the windows at both ends are zero-padded (trimmed runs); periodic: wrapped (no run).
    for (const double periodic : {0.0, 1.0}) {
        const EncoderSpec s = spec("gaussian", {{"sigma", 0.01}, {"dim", 500}, {"periodic", periodic}});
        Model<double> m(make_encoder<double>(s), MlpConfig{0, 1, 8, 0}, FirstLayerPath::Sparse);
        Rng rng(9);
        Mat<double> X = uniform_mat(rng, 1, 40, 0, 1);
        X(0, 0) = 0.0;
        X(0, 1) = 1.0;
        auto batch = m.prepare(X);
        REQUIRE(batch.runs.cols() == 40);
        const Index runs = std::accumulate(batch.runs.run.begin(), batch.runs.run.end(), Index(0));
        CHECK(runs >= (periodic == 0 ? 40 : 30));
        auto plain = batch;
        plain.runs = WindowRuns{};  // a hand-made batch: every step scans the windows
        const Mat<double> Y = m.forward(batch);
        const Mat<double> dY = uniform_mat(rng, 1, 40, -1, 1);
        m.backward(batch, dY);
        const Mat<double> dW = m.mlp().layer(0).dW;
        CHECK(m.forward(plain) == Y);
        m.backward(plain, dY);
        CHECK(m.mlp().layer(0).dW == dW);
        // an index moved out of range after prepare() is caught, for run and non-run points alike
        for (Index n : {Index(0), Index(5)}) {
            auto edited = batch;
            edited.windows.index(edited.runs.a[std::size_t(n)], n) = 500;
            CHECK_THROWS_WITH(m.forward(edited), Catch::Contains("[0, 500)"));
            edited.runs = make_window_runs(edited.windows);  // refreshed plan: still out of range
            CHECK_THROWS_WITH(m.forward(edited), Catch::Contains("[0, 500)"));
        }
        auto short_plan = batch;
        short_plan.runs.a.pop_back();
        CHECK_THROWS_WITH(m.forward(short_plan), Catch::Contains("do not match"));
    }
    // Many output rows: those kernels read every non-zero slot, so an index edited inside a run after
    // prepare() (the plan still says "run") is caught too.
    Model<double> wide(make_encoder<double>(spec("gaussian", {{"sigma", 0.01}, {"dim", 500}})), MlpConfig{0, 3, 8, 1},
                       FirstLayerPath::Sparse);
    Rng rng(2);
    auto batch = wide.prepare(uniform_mat(rng, 1, 20, 0.2, 0.8));
    REQUIRE(batch.runs.run[3] == 1);
    batch.windows.index((batch.runs.a[3] + batch.runs.b[3]) / 2, 3) = 600;
    CHECK_THROWS_WITH(wide.forward(batch), Catch::Contains("[0, 500)"));
}

// ---- hidden benchmark: build/c/tests/test_sparse_first_layer "[.bench]" ------------------------
TEST_CASE("bench: fused sparse vs dense first layer (float, forward + backward)", "[.bench]") {
    using clk = std::chrono::steady_clock;
    auto best_of = [](int reps, auto&& f) {
        double best = 1e30;
        for (int i = 0; i < reps; ++i) {
            const auto t0 = clk::now();
            f();
            best = std::min(best, std::chrono::duration<double>(clk::now() - t0).count());
        }
        return best;
    };
    std::printf("%5s %6s %6s %6s %8s | %9s %9s | %9s %9s | %s\n", "R", "D", "N", "K", "K/D", "sp fwd s", "sp bwd s",
                "de fwd s", "de bwd s", "dense/sparse");
    for (Index R : {Index(256), Index(3)})
        for (Index D : {Index(1000), Index(10000)}) {
            const Index N = D == 1000 ? 8192 : 2048;
            Rng rng(1);
            const Mat<float> W = uniform_mat(rng, R, D).cast<float>();
            for (Index K : {16, 32, 64, 128, 256, 384, 512}) {
                if (K >= D) continue;
                Windows<float> win;  // points in random order, contiguous windows like a 1D shifted basis
                win.width = K;
                win.index.resize(K, N);
                win.weight.resize(K, N);
                Mat<float> Psi = Mat<float>::Zero(D, N);
                for (Index n = 0; n < N; ++n) {
                    const Index s0 = Index(rng.below(std::uint64_t(D - K)));
                    for (Index k = 0; k < K; ++k) {
                        win.index(k, n) = std::int32_t(s0 + k);
                        win.weight(k, n) = Psi(s0 + k, n) = float(rng.uniform(0.1, 1));
                    }
                }
                Mat<float> Z(R, N), dW(R, D);
                const Mat<float> dZ = uniform_mat(rng, R, N).cast<float>();
                Vec<float> db;
                const double sf = best_of(3, [&] { sparse_product<float>(W, win, Z); });
                const double sb = best_of(3, [&] { sparse_first_backward<float>(win, dZ, D, dW, &db); });
                const double df = best_of(3, [&] { Z.noalias() = W * Psi; });
                const double dbk = best_of(3, [&] {  // what Mlp's dense path runs
                    detail::gemm_nt<float>(dZ, Psi, dW);
                    detail::row_sums<float>(dZ, db);
                });
                std::printf("%5ld %6ld %6ld %6ld %8.3f | %9.4f %9.4f | %9.4f %9.4f | %.2f\n", long(R), long(D), long(N),
                            long(K), double(K) / double(D), sf, sb, df, dbk, (df + dbk) / (sf + sb));
            }
        }
}

// ---- hidden benchmark: build/c/tests/test_sparse_first_layer "[.bench_step]" ------------------
TEST_CASE("bench: Model training step, 4 x 256 ReLU on a 256 x 256 grid (65536 points)", "[.bench_step]") {
    using clk = std::chrono::steady_clock;
    const Index S = 256, N = S * S;
    Mat<float> X(2, N);
    for (Index r = 0; r < S; ++r)
        for (Index c = 0; c < S; ++c) {
            X(0, r * S + c) = float(c) / float(S);
            X(1, r * S + c) = float(r) / float(S);
        }
    const Mat<float> Y = (X.topRows(1).array() * 7.0f).sin().matrix().replicate(3, 1);
    const AnyEncoder<float> enc = make_encoder<float>(spec("gaussian2", {{"sigma", 0.01}, {"dim", 1000}}));
    for (FirstLayerPath path : {FirstLayerPath::Sparse, FirstLayerPath::Dense}) {
        Model<float> m(enc, MlpConfig{0, 3, 256, 4, {Activation::ReLU}, {Activation::Sigmoid}, 0}, path);
        auto t0 = clk::now();
        const auto batch = m.prepare(X);
        const double prep = std::chrono::duration<double>(clk::now() - t0).count();
        Mat<float> g;
        double best = 1e30, bf = 1e30, bb = 1e30;
        for (int it = 0; it < 3; ++it) {
            const auto a = clk::now();
            const Mat<float>& out = m.forward(batch);
            const auto b = clk::now();
            mse(out, Y, g);
            const auto c = clk::now();
            m.backward(batch, g);
            const auto d = clk::now();
            best = std::min(best, std::chrono::duration<double>(d - a).count());
            bf = std::min(bf, std::chrono::duration<double>(b - a).count());
            bb = std::min(bb, std::chrono::duration<double>(d - c).count());
        }
        Mat<float> A = Mat<float>::Ones(256, N), W = Mat<float>::Ones(256, 256), Z(256, N);
        double gemm = 1e30;
        for (int it = 0; it < 3; ++it) {
            const auto a = clk::now();
            Z.noalias() = W * A;
            gemm = std::min(gemm, std::chrono::duration<double>(clk::now() - a).count());
        }
        std::printf("%s path (K = %ld of D = %ld): prepare %.3f s, step %.3f s (forward %.3f, backward %.3f); "
                    "reference 256x256xN GEMM %.3f s = %.1f GFLOP/s\n",
                    path == FirstLayerPath::Sparse ? "sparse" : "dense", long(enc.window_width()), long(enc.output_dim()),
                    prep, best, bf, bb, gemm, 2.0 * 256 * 256 * double(N) / gemm / 1e9);
    }
}

#pragma GCC diagnostic pop

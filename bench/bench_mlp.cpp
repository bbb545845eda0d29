// bench/bench_mlp.cpp — the MLP at protocol C's shapes (65 536 points, width 256), in GFLOP/s
// (protocols B and C: docs/protocols.md).
//
// * BM_mlp_hidden_*: the hidden part of protocol C's network (3 layers 256 -> 256 with ReLU + the
//   256 -> 3 sigmoid output), forward, and forward + backward including the input gradient (exactly the
//   work behind the first layer inside the full model). Compare with bench_gemm's sgemm peak.
// * BM_mlp_full_dense: the whole protocol C network with a dense D = 1000 input (what PyTorch does:
//   forward + backward, no input gradient for the first layer).
// * BM_adam_step: one Adam update of the protocol C network's ~454k parameters.
// * BM_first_layer_{dense,sparse}: the first layer W Psi (256 x 1000 weights) forward and backward
//   (dW = dZ Psi^T) from a dense embedding vs from K-slot windows, at several window densities K / D
//   (gaussian2 sigma 0.003 at D = 1000 has K = 44, i.e. 4.4 %).
// * BM_first_layer_1d_{dense,sparse}: the same at protocol B's shape (depth 0: one output row, D = 10000,
//   256 train points), windows of K = 84 (triangle 0.004), 246 (gaussian 0.002), 1217 (gaussian 0.01).
// Second argument: threads (Eigen + OpenMP).
#include <algorithm>

#include "bench_util.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/mlp.hpp"
#include "posenc/nn/first_layer/sparse_windows.hpp"

namespace {

using posenc::Index;
using posenc::Mat;
using posenc::bench::ThreadScope;

constexpr Index kPoints = 65536;  // protocol C at S = 512
constexpr Index kWidth = 256;
constexpr Index kDim = 1000;      // protocol C encoding size
constexpr Index kChannels = 3;

posenc::MlpConfig config(Index input_dim, Index depth) {
    posenc::MlpConfig cfg;
    cfg.input_dim = input_dim;
    cfg.output_dim = kChannels;
    cfg.width = kWidth;
    cfg.depth = depth;
    cfg.output = posenc::ActivationSpec{posenc::Activation::Sigmoid};
    return cfg;
}

/// FLOPs of the GEMMs of layers `in -> width (x depth) -> C`: 2 m n k per product.
double gemm_flops(Index in, Index depth, Index n, bool backward, bool input_grad) {
    double fwd = 0, wgrad = 0, xgrad = 0;
    for (Index l = 0; l <= depth; ++l) {
        const double i = double(l == 0 ? in : kWidth), o = double(l == depth ? kChannels : kWidth);
        const double f = 2.0 * i * o * double(n);
        fwd += f;
        wgrad += f;
        if (l > 0 || input_grad) xgrad += f;
    }
    return fwd + (backward ? wgrad + xgrad : 0.0);
}

void BM_mlp_hidden_forward(benchmark::State& state) {
    ThreadScope threads(static_cast<int>(state.range(0)));
    posenc::Mlp<float> mlp(config(kWidth, 3));
    const Mat<float> X = posenc::bench::random_matrix<float>(kWidth, kPoints, 1);
    posenc::Mlp<float>::Workspace ws;
    for (auto _ : state) {
        benchmark::DoNotOptimize(mlp.forward(ws, X).data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_gflops(state, gemm_flops(kWidth, 3, kPoints, false, false));
}
BENCHMARK(BM_mlp_hidden_forward)->ArgNames({"threads"})->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_mlp_hidden_forward_backward(benchmark::State& state) {
    ThreadScope threads(static_cast<int>(state.range(0)));
    posenc::Mlp<float> mlp(config(kWidth, 3));
    const Mat<float> X = posenc::bench::random_matrix<float>(kWidth, kPoints, 1);
    const Mat<float> dY = posenc::bench::random_matrix<float>(kChannels, kPoints, 2) * 1e-3f;
    Mat<float> dX;
    posenc::Mlp<float>::Workspace ws;
    for (auto _ : state) {
        mlp.forward(ws, X);
        mlp.backward(ws, X, dY, &dX);
        benchmark::DoNotOptimize(dX.data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_gflops(state, gemm_flops(kWidth, 3, kPoints, true, true));
}
BENCHMARK(BM_mlp_hidden_forward_backward)
    ->ArgNames({"threads"})
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_mlp_full_dense_forward_backward(benchmark::State& state) {
    ThreadScope threads(static_cast<int>(state.range(0)));
    posenc::Mlp<float> mlp(config(kDim, 4));
    const Mat<float> X = posenc::bench::random_matrix<float>(kDim, kPoints, 1) * 0.03f;
    const Mat<float> dY = posenc::bench::random_matrix<float>(kChannels, kPoints, 2) * 1e-3f;
    posenc::Mlp<float>::Workspace ws;
    for (auto _ : state) {
        mlp.forward(ws, X);
        mlp.backward(ws, X, dY);
        benchmark::ClobberMemory();
    }
    posenc::bench::set_gflops(state, gemm_flops(kDim, 4, kPoints, true, false));
}
BENCHMARK(BM_mlp_full_dense_forward_backward)
    ->ArgNames({"threads"})
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_adam_step(benchmark::State& state) {
    ThreadScope threads(static_cast<int>(state.range(0)));
    posenc::Mlp<float> mlp(config(kDim, 4));
    auto params = mlp.parameters();
    for (const auto& p : params) p.grads().setConstant(1e-3f);
    posenc::AdamOptions opt;
    opt.weight_decay = 1e-8;
    posenc::Adam<float> adam(opt);
    for (auto _ : state) {
        adam.step(params);
        benchmark::ClobberMemory();
    }
    const double n = double(posenc::parameter_count(params));
    posenc::bench::set_rate(state, "params/s", n);
    state.SetLabel(std::to_string(Index(n)) + " parameters");
}
BENCHMARK(BM_adam_step)->ArgNames({"threads"})->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);

/// K-slot windows of consecutive indices starting at a point-dependent offset (like a 1D shifted basis),
/// with smooth positive weights; and the equivalent dense D x N embedding.
posenc::Windows<float> make_windows(Index K, Index D, Index N) {
    posenc::Windows<float> w;
    w.width = K;
    w.index.resize(K, N);
    w.weight.resize(K, N);
    for (Index n = 0; n < N; ++n) {
        const Index start = (n * 7919) % (D - K + 1);
        for (Index k = 0; k < K; ++k) {
            w.index(k, n) = std::int32_t(start + k);
            const double u = (double(k) - 0.5 * double(K - 1)) / double(K);
            w.weight(k, n) = float(std::exp(-8.0 * u * u) * 0.1);
        }
    }
    return w;
}

Mat<float> densify(const posenc::Windows<float>& w, Index D) {
    Mat<float> P = Mat<float>::Zero(D, w.cols());
    for (Index n = 0; n < w.cols(); ++n)
        for (Index k = 0; k < w.index.rows(); ++k) P(w.index(k, n), n) += w.weight(k, n);
    return P;
}

void first_layer_args(benchmark::internal::Benchmark* b) {
    b->ArgNames({"K", "threads"});
    for (Index K : {8, 16, 44, 64, 128, 256, 512})
        for (int t : {1, 2}) b->Args({K, t});
    b->UseRealTime()->Unit(benchmark::kMillisecond);
}

/// Forward + backward (dW, db) of the first layer from the dense embedding (two GEMMs).
void BM_first_layer_dense(benchmark::State& state) {
    const Index K = state.range(0);
    ThreadScope threads(static_cast<int>(state.range(1)));
    const auto w = make_windows(K, kDim, kPoints);
    const Mat<float> P = densify(w, kDim);
    posenc::Dense<float> layer(kDim, kWidth);
    posenc::Rng rng(1);
    layer.init_pytorch(rng);
    const Mat<float> dZ = posenc::bench::random_matrix<float>(kWidth, kPoints, 2);
    Mat<float> Z(kWidth, kPoints);
    for (auto _ : state) {
        layer.forward(P, Z);
        layer.backward(dZ, P);
        benchmark::ClobberMemory();
    }
    posenc::bench::set_gflops(state, 2.0 * 2.0 * double(kDim) * double(kWidth) * double(kPoints));
    state.SetLabel("density " + std::to_string(100.0 * double(K) / double(kDim)).substr(0, 4) + "%");
}
BENCHMARK(BM_first_layer_dense)->Apply(first_layer_args);

/// Forward + backward (dW, db) of the fused sparse first layer (gather + scatter-add). The GFLOP/s
/// counter counts the DENSE-equivalent work, so it is directly comparable with BM_first_layer_dense.
void BM_first_layer_sparse(benchmark::State& state) {
    const Index K = state.range(0);
    ThreadScope threads(static_cast<int>(state.range(1)));
    const auto w = make_windows(K, kDim, kPoints);
    posenc::Dense<float> layer(kDim, kWidth);
    posenc::Rng rng(1);
    layer.init_pytorch(rng);
    const Mat<float> dZ = posenc::bench::random_matrix<float>(kWidth, kPoints, 2);
    Mat<float> Z(kWidth, kPoints);
    for (auto _ : state) {
        posenc::sparse_first_forward<float>(layer, w, Z);
        posenc::sparse_first_backward<float>(layer, w, dZ);
        benchmark::ClobberMemory();
    }
    posenc::bench::set_gflops(state, 2.0 * 2.0 * double(kDim) * double(kWidth) * double(kPoints));
    state.SetLabel("density " + std::to_string(100.0 * double(K) / double(kDim)).substr(0, 4) + "%");
}
BENCHMARK(BM_first_layer_sparse)->Apply(first_layer_args);

void first_layer_1d_args(benchmark::internal::Benchmark* b) {
    b->ArgNames({"K", "threads"});
    for (Index K : {84, 246, 1217})
        for (int t : {1, 2}) b->Args({K, t});
    b->UseRealTime()->Unit(benchmark::kMicrosecond);
}

constexpr Index kDim1d = 10000, kPoints1d = 256;

/// Protocol B first layer (1 x 10000 weights, 256 points) from the dense embedding: forward + backward.
void BM_first_layer_1d_dense(benchmark::State& state) {
    const Index K = state.range(0);
    ThreadScope threads(static_cast<int>(state.range(1)));
    const auto w = make_windows(K, kDim1d, kPoints1d);
    const Mat<float> P = densify(w, kDim1d);
    posenc::Dense<float> layer(kDim1d, 1);
    posenc::Rng rng(1);
    layer.init_pytorch(rng);
    const Mat<float> dZ = posenc::bench::random_matrix<float>(1, kPoints1d, 2);
    Mat<float> Z(1, kPoints1d);
    for (auto _ : state) {
        layer.forward(P, Z);
        layer.backward(dZ, P);
        benchmark::ClobberMemory();
    }
    posenc::bench::set_rate(state, "steps/s", 1.0);
}
BENCHMARK(BM_first_layer_1d_dense)->Apply(first_layer_1d_args);

/// Protocol B first layer through the fused sparse path: forward + backward.
void BM_first_layer_1d_sparse(benchmark::State& state) {
    const Index K = state.range(0);
    ThreadScope threads(static_cast<int>(state.range(1)));
    const auto w = make_windows(K, kDim1d, kPoints1d);
    posenc::Dense<float> layer(kDim1d, 1);
    posenc::Rng rng(1);
    layer.init_pytorch(rng);
    const Mat<float> dZ = posenc::bench::random_matrix<float>(1, kPoints1d, 2);
    Mat<float> Z(1, kPoints1d);
    for (auto _ : state) {
        posenc::sparse_first_forward<float>(layer, w, Z);
        posenc::sparse_first_backward<float>(layer, w, dZ);
        benchmark::ClobberMemory();
    }
    posenc::bench::set_rate(state, "steps/s", 1.0);
}
BENCHMARK(BM_first_layer_1d_sparse)->Apply(first_layer_1d_args);

}  // namespace

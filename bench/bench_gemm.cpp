// bench/bench_gemm.cpp — the yardstick: measured Eigen sgemm throughput on this machine.
//
// * square sizes n x n x n (the "peak" posenc's MLP numbers are compared with);
// * the three GEMMs of one 256-wide hidden layer on protocol C's (docs/protocols.md) 65 536 points
//   (forward Z = W X, weight gradient dW = dZ X^T, input gradient dX = W^T dZ);
// * the dense first layer of protocol C (D = 1000 -> 256) for comparison with the sparse path.
// Second argument: thread count (Eigen::setNbThreads + OpenMP). Counter GFLOP/s = 2 m n k / time.
#include "bench_util.hpp"

namespace {

using posenc::Mat;
using posenc::bench::ThreadScope;

/// C(m x n) = A(m x k) * B(k x n), float.
void BM_sgemm_square(benchmark::State& state) {
    const auto n = static_cast<posenc::Index>(state.range(0));
    ThreadScope threads(static_cast<int>(state.range(1)));
    const Mat<float> A = posenc::bench::random_matrix<float>(n, n, 1);
    const Mat<float> B = posenc::bench::random_matrix<float>(n, n, 2);
    Mat<float> C(n, n);
    for (auto _ : state) {
        C.noalias() = A * B;
        benchmark::DoNotOptimize(C.data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_gflops(state, 2.0 * double(n) * double(n) * double(n));
}
BENCHMARK(BM_sgemm_square)
    ->ArgNames({"n", "threads"})
    ->ArgsProduct({{256, 512, 1024, 2048, 3072}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

/// Same in double, for reference (the stable-rank and gradient-check paths use double).
void BM_dgemm_square(benchmark::State& state) {
    const auto n = static_cast<posenc::Index>(state.range(0));
    ThreadScope threads(static_cast<int>(state.range(1)));
    const Mat<double> A = posenc::bench::random_matrix<double>(n, n, 1);
    const Mat<double> B = posenc::bench::random_matrix<double>(n, n, 2);
    Mat<double> C(n, n);
    for (auto _ : state) {
        C.noalias() = A * B;
        benchmark::DoNotOptimize(C.data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_gflops(state, 2.0 * double(n) * double(n) * double(n));
}
BENCHMARK(BM_dgemm_square)
    ->ArgNames({"n", "threads"})
    ->ArgsProduct({{1024, 2048}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

constexpr posenc::Index kWidth = 256;    // protocol C hidden width
constexpr posenc::Index kPoints = 65536; // protocol C at S = 512: 256 x 256 train pixels

/// Hidden-layer forward: Z (256 x N) = W (256 x 256) X (256 x N).
void BM_sgemm_mlp_forward(benchmark::State& state) {
    const auto in = static_cast<posenc::Index>(state.range(0));
    ThreadScope threads(static_cast<int>(state.range(1)));
    const Mat<float> W = posenc::bench::random_matrix<float>(kWidth, in, 1);
    const Mat<float> X = posenc::bench::random_matrix<float>(in, kPoints, 2);
    Mat<float> Z(kWidth, kPoints);
    for (auto _ : state) {
        Z.noalias() = W * X;
        benchmark::DoNotOptimize(Z.data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_gflops(state, 2.0 * double(kWidth) * double(in) * double(kPoints));
}
BENCHMARK(BM_sgemm_mlp_forward)
    ->ArgNames({"in", "threads"})
    ->ArgsProduct({{256, 1000}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

/// Hidden-layer weight gradient: dW (256 x in) = dZ (256 x N) X^T (N x in); the inner dimension is N.
void BM_sgemm_mlp_weight_grad(benchmark::State& state) {
    const auto in = static_cast<posenc::Index>(state.range(0));
    ThreadScope threads(static_cast<int>(state.range(1)));
    const Mat<float> dZ = posenc::bench::random_matrix<float>(kWidth, kPoints, 1);
    const Mat<float> X = posenc::bench::random_matrix<float>(in, kPoints, 2);
    Mat<float> dW(kWidth, in);
    for (auto _ : state) {
        dW.noalias() = dZ * X.transpose();
        benchmark::DoNotOptimize(dW.data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_gflops(state, 2.0 * double(kWidth) * double(in) * double(kPoints));
}
BENCHMARK(BM_sgemm_mlp_weight_grad)
    ->ArgNames({"in", "threads"})
    ->ArgsProduct({{256, 1000}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

/// Hidden-layer input gradient: dX (256 x N) = W^T (256 x 256) dZ (256 x N).
void BM_sgemm_mlp_input_grad(benchmark::State& state) {
    ThreadScope threads(static_cast<int>(state.range(0)));
    const Mat<float> W = posenc::bench::random_matrix<float>(kWidth, kWidth, 1);
    const Mat<float> dZ = posenc::bench::random_matrix<float>(kWidth, kPoints, 2);
    Mat<float> dX(kWidth, kPoints);
    for (auto _ : state) {
        dX.noalias() = W.transpose() * dZ;
        benchmark::DoNotOptimize(dX.data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_gflops(state, 2.0 * double(kWidth) * double(kWidth) * double(kPoints));
}
BENCHMARK(BM_sgemm_mlp_input_grad)->ArgNames({"threads"})->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

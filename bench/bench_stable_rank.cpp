// bench/bench_stable_rank.cpp — stable rank of a D x 500 shifted-Gaussian embedding (double), D = 10^3..10^5:
// a full SVD (Eigen's BDCSVD, singular values only: the textbook way, like torch.linalg.svdvals)
// against posenc's stable_rank paths: exact (all Gram eigenvalues), iterative (Gram matrix +
// Lanczos, the default for large inputs) and matrix-free Lanczos (never forms the Gram matrix).
// The label shows the computed stable rank so the paths can be checked against each other.
#include <Eigen/SVD>
#include <cstdio>

#include "bench_util.hpp"
#include "posenc/analysis/stable_rank.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/shifted_basis.hpp"

namespace {

using posenc::Index;
using posenc::Mat;

constexpr Index kPoints = 500;
constexpr double kSigma = 0.01;

/// D x 500 embedding of x_i = i / 500 by D periodic Gaussian shifts (sigma 0.01), unscaled.
Mat<double> embedding(Index D) {
    posenc::ShiftedBasis<posenc::Gaussian, double> basis(posenc::Gaussian(kSigma), D, posenc::Domain::Periodic,
                                                         posenc::Scaling::None);
    Mat<double> X(1, kPoints);
    for (Index i = 0; i < kPoints; ++i) X(0, i) = double(i) / double(kPoints);
    Mat<double> A(D, kPoints);
    basis.encode(X, A);
    return A;
}

void label(benchmark::State& state, double sr) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "srank=%.12g", sr);
    state.SetLabel(buf);
}

void BM_srank_full_svd(benchmark::State& state) {
    const Mat<double> A = embedding(state.range(0));
    double sr = 0;
    for (auto _ : state) {
        Eigen::BDCSVD<Mat<double>> svd(A);  // no U, V: singular values only
        const auto& s = svd.singularValues();
        sr = s.squaredNorm() / (s[0] * s[0]);
        benchmark::DoNotOptimize(sr);
    }
    label(state, sr);
}
BENCHMARK(BM_srank_full_svd)
    ->ArgName("D")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void run_posenc(benchmark::State& state, const posenc::StableRankOptions& opt) {
    const Mat<double> A = embedding(state.range(0));
    double sr = 0;
    for (auto _ : state) {
        sr = posenc::stable_rank(A, opt);
        benchmark::DoNotOptimize(sr);
    }
    label(state, sr);
}

void BM_srank_posenc_exact(benchmark::State& state) {
    posenc::StableRankOptions opt;
    opt.method = posenc::StableRankMethod::Exact;
    run_posenc(state, opt);
}
BENCHMARK(BM_srank_posenc_exact)->ArgName("D")->Arg(1000)->Arg(10000)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_srank_posenc_gram_lanczos(benchmark::State& state) {
    posenc::StableRankOptions opt;
    opt.method = posenc::StableRankMethod::Iterative;
    run_posenc(state, opt);
}
BENCHMARK(BM_srank_posenc_gram_lanczos)
    ->ArgName("D")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_srank_posenc_matrix_free(benchmark::State& state) {
    posenc::StableRankOptions opt;
    opt.method = posenc::StableRankMethod::Iterative;
    opt.gram_max_dim = 0;  // never form the Gram matrix
    run_posenc(state, opt);
}
BENCHMARK(BM_srank_posenc_matrix_free)
    ->ArgName("D")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

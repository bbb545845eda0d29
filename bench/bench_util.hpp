// bench/bench_util.hpp — small helpers shared by the Google Benchmark programs in bench/.
#pragma once
#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include "posenc/core/parallel.hpp"
#include "posenc/core/random.hpp"
#include "posenc/core/types.hpp"

namespace posenc::bench {

/// Sets the thread count used by Eigen's GEMM and posenc's OpenMP loops for one benchmark and
/// restores the previous values when it goes out of scope.
class ThreadScope {
public:
    /// threads <= 0 keeps the current setting.
    explicit ThreadScope(int threads) : eigen_(Eigen::nbThreads()), omp_(posenc::num_threads()) {
        if (threads > 0) set(threads, threads);
    }
    ~ThreadScope() { set(eigen_, omp_); }
    ThreadScope(const ThreadScope&) = delete;
    ThreadScope& operator=(const ThreadScope&) = delete;

private:
    static void set(int eigen, [[maybe_unused]] int omp) {
        Eigen::setNbThreads(eigen);
#if defined(_OPENMP)
        omp_set_num_threads(omp);
#endif
    }
    int eigen_, omp_;
};

/// A rows x cols matrix of uniform(-1, 1) entries from a seeded posenc::Rng.
template <class T>
Mat<T> random_matrix(Index rows, Index cols, std::uint64_t seed) {
    Rng rng(seed);
    Mat<T> m(rows, cols);
    for (Index j = 0; j < cols; ++j)
        for (Index i = 0; i < rows; ++i) m(i, j) = T(rng.uniform(-1.0, 1.0));
    return m;
}

/// Adds a "GFLOP/s" counter: `flops_per_iteration` floating-point operations per iteration,
/// divided by the measured (real, when UseRealTime) time.
inline void set_gflops(benchmark::State& state, double flops_per_iteration) {
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

/// Adds an "items/s" style counter named `name` counting `items_per_iteration` per iteration.
inline void set_rate(benchmark::State& state, const char* name, double items_per_iteration) {
    state.counters[name] = benchmark::Counter(items_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace posenc::bench

// bench/bench_grid.cpp — the multiresolution grid encoding (encoding/grid.hpp) at protocol E's size
// (docs/protocols.md): S = 512, the 65 536 train pixels of a 512 x 512 image, L = 16 levels of F = 2
// features, T = 2^15 entries per level, N_min = 16, N_max = S / 2; vertex (protocol E) and
// tiny-cuda-nn alignment. Timed: forward (codes + the context backward uses) and backward into the
// table (scatter-add), and the context-free pair a Model uses (encode; accumulate_param_grads, which
// recomputes the corners), 1 and 2 threads. Counter: points/s (= samples/s of one training step's
// encoding part).
#include <string>

#include "bench_util.hpp"
#include "posenc/encoding/grid.hpp"

namespace {

using posenc::Index;
using posenc::Mat;

/// The train pixels (even rows and columns) of an S x S image: (x, y) = (c / S, r / S).
Mat<float> train_pixels(Index S) {
    const Index h = (S + 1) / 2;
    Mat<float> X(2, h * h);
    for (Index r = 0; r < h; ++r)
        for (Index c = 0; c < h; ++c) {
            X(0, r * h + c) = float(2 * c) / float(S);
            X(1, r * h + c) = float(2 * r) / float(S);
        }
    return X;
}

posenc::GridConfig protocol_e(Index S, posenc::GridAlignment a) {
    posenc::GridConfig c;
    c.input_dim = 2;
    c.levels = 16;
    c.features = 2;
    c.log2_table_size = 15;
    c.base_resolution = 16;
    c.max_resolution = double(S / 2);
    c.alignment = a;
    c.seed = 1;
    return c;
}

void BM_grid_forward(benchmark::State& state, posenc::GridAlignment a) {
    posenc::bench::ThreadScope threads(int(state.range(0)));
    const posenc::Grid<float> g(protocol_e(512, a));
    const Mat<float> X = train_pixels(512);
    Mat<float> codes(g.output_dim(), X.cols());
    posenc::GridContext<float> ctx = g.forward(X, codes);
    for (auto _ : state) {
        g.forward(X, codes, ctx);
        benchmark::DoNotOptimize(codes.data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_rate(state, "points/s", double(X.cols()));
}

void BM_grid_backward(benchmark::State& state, posenc::GridAlignment a) {
    posenc::bench::ThreadScope threads(int(state.range(0)));
    posenc::Grid<float> g(protocol_e(512, a));
    const Mat<float> X = train_pixels(512);
    Mat<float> codes(g.output_dim(), X.cols());
    const posenc::GridContext<float> ctx = g.forward(X, codes);
    const Mat<float> dcodes = posenc::bench::random_matrix<float>(g.output_dim(), X.cols(), 3);
    for (auto _ : state) {
        g.zero_grad();
        g.backward(ctx, dcodes);
        benchmark::DoNotOptimize(g.table_grad().data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_rate(state, "points/s", double(X.cols()));
}

/// Encoder::encode (no context): what Model's forward calls for an encoder with parameters.
void BM_grid_encode(benchmark::State& state, posenc::GridAlignment a) {
    posenc::bench::ThreadScope threads(int(state.range(0)));
    const posenc::Grid<float> g(protocol_e(512, a));
    const Mat<float> X = train_pixels(512);
    Mat<float> codes(g.output_dim(), X.cols());
    for (auto _ : state) {
        g.encode(X, codes);
        benchmark::DoNotOptimize(codes.data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_rate(state, "points/s", double(X.cols()));
}

/// accumulate_param_grads (corners recomputed, no context): what Model's backward calls.
void BM_grid_accumulate(benchmark::State& state, posenc::GridAlignment a) {
    posenc::bench::ThreadScope threads(int(state.range(0)));
    posenc::Grid<float> g(protocol_e(512, a));
    const Mat<float> X = train_pixels(512);
    const Mat<float> dcodes = posenc::bench::random_matrix<float>(g.output_dim(), X.cols(), 3);
    for (auto _ : state) {
        g.zero_grad();
        g.accumulate_param_grads(X, dcodes);
        benchmark::DoNotOptimize(g.table_grad().data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_rate(state, "points/s", double(X.cols()));
}

const int registered = [] {
    for (auto [name, a] : {std::pair{"vertex", posenc::GridAlignment::Vertex},
                           std::pair{"tcnn", posenc::GridAlignment::TinyCudaNN}}) {
        benchmark::RegisterBenchmark((std::string("BM_grid_forward/") + name).c_str(), BM_grid_forward, a)
            ->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark((std::string("BM_grid_backward/") + name).c_str(), BM_grid_backward, a)
            ->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark((std::string("BM_grid_encode/") + name).c_str(), BM_grid_encode, a)
            ->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark((std::string("BM_grid_accumulate/") + name).c_str(), BM_grid_accumulate, a)
            ->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
    }
    return 0;
}();

}  // namespace

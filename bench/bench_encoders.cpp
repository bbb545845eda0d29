// bench/bench_encoders.cpp — throughput (points/s) of every encoder, dense encode and sparse windows.
//
// Encoders are built by name through the runtime factory (make_encoder<float>), at the sizes of the
// paper's protocols (docs/protocols.md): 1D with D = 10000 shifts (protocol B) and 2D with D = 1000
// (protocol C, per-axis "gaussian2" and RFF). Dense = encode() into a pre-sized D x N matrix;
// windows = windows() into a reused Windows<float> (only for encoders with compact support,
// window_width() > 0).
// Counters: points/s, and for dense also the written code entries per second ("entries/s").
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "posenc/encoding/factory.hpp"

namespace {

using posenc::Index;
using posenc::Mat;

struct Case {
    const char* label;  ///< benchmark name suffix
    posenc::EncoderSpec spec;
    Index input_dim;
    Index points;
};

posenc::EncoderSpec spec(const char* type, std::vector<std::pair<const char*, double>> params) {
    posenc::EncoderSpec s;
    s.type = type;
    for (const auto& [k, v] : params) s.params[k] = v;
    return s;
}

std::vector<Case> cases() {
    constexpr double D1 = 10000, D2 = 1000;
    constexpr Index N1 = 4096, N2 = 65536;
    return {
        {"gaussian_0.01/D:10000", spec("gaussian", {{"sigma", 0.01}, {"dim", D1}}), 1, N1},
        {"gaussian_0.002/D:10000", spec("gaussian", {{"sigma", 0.002}, {"dim", D1}}), 1, N1},
        {"gaussian_0.002_periodic/D:10000", spec("gaussian", {{"sigma", 0.002}, {"dim", D1}, {"periodic", 1}}), 1, N1},
        {"triangle_0.004/D:10000", spec("triangle", {{"width", 0.004}, {"dim", D1}}), 1, N1},
        {"impulse/D:10000", spec("impulse", {{"dim", D1}}), 1, N1},
        {"sinc_0.004/D:10000", spec("sinc", {{"width", 0.004}, {"dim", D1}}), 1, N1},
        {"square/D:10000", spec("square", {{"dim", D1}}), 1, N1},
        {"sine/D:10000", spec("sine", {{"dim", D1}}), 1, N1},
        {"noise/D:10000", spec("noise", {{"dim", D1}}), 1, N1},
        {"rff_10/D:10000", spec("rff", {{"sigma", 10}, {"dim", D1}}), 1, N1},
        {"linf_100/D:200", spec("linf", {{"max_freq", 100}, {"dim", 200}}), 1, N1},
        {"logf_10/D:20", spec("logf", {{"levels", 10}}), 1, N1},
        {"basic/D:2", spec("basic", {}), 1, N1},
        {"none/D:1", spec("none", {}), 1, N1},
        {"gaussian2_0.003/D:1000", spec("gaussian2", {{"sigma", 0.003}, {"dim", D2}}), 2, N2},
        {"gaussian2_0.01/D:1000", spec("gaussian2", {{"sigma", 0.01}, {"dim", D2}}), 2, N2},
        {"rff2_10/D:1000", spec("rff", {{"sigma", 10}, {"dim", D2}, {"input_dim", 2}}), 2, N2},
        {"logf2_10/D:40", spec("logf", {{"levels", 10}, {"input_dim", 2}}), 2, N2},
    };
}

/// N points spread over [0, 1] per axis (a golden-ratio sequence: deterministic, no clustering).
Mat<float> points(Index input_dim, Index n) {
    Mat<float> X(input_dim, n);
    for (Index a = 0; a < input_dim; ++a) {
        const double step = a == 0 ? 0.6180339887498949 : 0.7548776662466927;
        for (Index j = 0; j < n; ++j) {
            const double v = double(j) * step + 0.5 * double(a);
            X(a, j) = float(v - static_cast<double>(static_cast<long long>(v)));
        }
    }
    return X;
}

void BM_encode_dense(benchmark::State& state, const Case& c) {
    const auto enc = posenc::make_encoder<float>(c.spec);
    const Mat<float> X = points(c.input_dim, c.points);
    Mat<float> out(enc.output_dim(), c.points);
    for (auto _ : state) {
        enc.encode(X, out);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_rate(state, "points/s", double(c.points));
    posenc::bench::set_rate(state, "entries/s", double(c.points) * double(enc.output_dim()));
    state.SetLabel("D=" + std::to_string(enc.output_dim()) + " N=" + std::to_string(c.points));
}

void BM_encode_windows(benchmark::State& state, const Case& c) {
    const auto enc = posenc::make_encoder<float>(c.spec);
    const Mat<float> X = points(c.input_dim, c.points);
    posenc::Windows<float> w;
    enc.windows(X, w);
    for (auto _ : state) {
        enc.windows(X, w);
        benchmark::DoNotOptimize(w.weight.data());
        benchmark::ClobberMemory();
    }
    posenc::bench::set_rate(state, "points/s", double(c.points));
    state.SetLabel("K=" + std::to_string(enc.window_width()) + " of D=" + std::to_string(enc.output_dim()) +
                   " N=" + std::to_string(c.points));
}

/// Registers every case (dense always, windows when the encoder has them) before main() runs.
const int registered = [] {
    for (const Case& c : cases()) {
        benchmark::RegisterBenchmark(("BM_encode_dense/" + std::string(c.label)).c_str(), BM_encode_dense, c)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
        if (posenc::make_encoder<float>(c.spec).window_width() > 0)
            benchmark::RegisterBenchmark(("BM_encode_windows/" + std::string(c.label)).c_str(), BM_encode_windows, c)
                ->UseRealTime()
                ->Unit(benchmark::kMicrosecond);
    }
    return 0;
}();

}  // namespace

// bench/posenc_driver.cpp — the posenc side of bench/compare_pytorch: runs one protocol (B or C of
// docs/protocols.md) and prints ONE line of JSON on stdout (the script alternates these runs with the
// same protocol in PyTorch).
//
//   posenc_driver fit1d  --data FILE --encoder gaussian|rff|triangle|sinc --param P [--dim 10000]
//                        [--steps 2000] [--path auto|dense|sparse]
//       protocol B on the 1 x 1 x 512 signal in FILE: encode once, one linear layer D -> 1, Adam
//       (lr 1e-3, wd 1e-8 added to the gradient), MSE, full batch -> seconds, PSNRs
//   posenc_driver fit2d  --data FILE --encoder gaussian2|rff --param P [--dim 1000] [--width 256]
//                        [--depth 4] [--steps 5] [--warmup 1] [--path auto|dense|sparse] [--chunk 0]
//       protocol C on the C x S x S image in FILE: seconds per Adam step (median of --steps timed
//       steps after --warmup), encode seconds, the first-layer path used, peak RSS; --chunk n > 0:
//       each full-batch step runs n points at a time, gradients summed (nn/chunked.hpp)
//   posenc_driver profile2d  (same options as fit2d)
//       one protocol C step phase by phase (first layer, hidden/output forward, loss, backward, first
//       layer backward, Adam): median seconds per phase
//   posenc_driver hidden --points N [--width 256] [--layers 3] [--steps 5]
//       forward + backward (with the input gradient) of `layers` width x width ReLU layers plus a
//       3-channel output layer on N points: the hidden part of protocol C's MLP -> GFLOP/s
//   posenc_driver gemm   [--n 1024,2048]
//       Eigen sgemm C = A B at square sizes -> best GFLOP/s (the peak the hidden layers are held to)
//   posenc_driver srank  --points N --dim D --sigma S [--path windows|dense]
//       stable rank of the D x N periodic shifted-Gaussian embedding (double, x_i = i / N) -> seconds;
//       windows: from the sparse windows (analysis/windowed_gram.hpp), dense: of the formed matrix
//   posenc_driver grid2d --data FILE [--levels 16] [--features 2] [--log2-table 15] [--base-res 16]
//                        [--max-res S/2] [--width 64] [--depth 2] [--lr 1e-2] [--beta2 0.99] [--eps 1e-15]
//                        [--steps 1000] [--warmup 5] [--checkpoints 250,500]
//       protocol E (docs/protocols.md) on the C x S x S image in FILE: multiresolution grid (vertex
//       alignment, hashed where (N_l + 1)^2 > T) + MLP L F -> width^depth -> C (ReLU, linear output),
//       tables and network in one Adam, MSE, full batch on the even/even pixels -> seconds per Adam
//       step (median of the steps after --warmup), samples/s, clipped train / test PSNR at the
//       checkpoints and the end, heap allocations per timed step (malloc calls counted), peak RSS
//   posenc_driver noop   (process baseline: peak RSS of an idle posenc process)
// Common options: --threads T (OpenMP and Eigen), --seed K. Data files are written by compare_pytorch:
// "PSNCDAT1", three little-endian int64 (channels, height, width), then float32 [c][h][w].
// Only Eigen and the standard library are used (no third-party CLI/JSON), so it builds wherever posenc does.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "posenc/analysis/metrics.hpp"
#include "posenc/analysis/stable_rank.hpp"
#include "posenc/analysis/windowed_gram.hpp"
#include "posenc/nn/chunked.hpp"
#include "posenc/core/error.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/random.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/any_encoder.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/shifted_basis.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/loss.hpp"
#include "posenc/nn/mlp.hpp"
#include "posenc/nn/model.hpp"

// Heap allocations of this process, counted: malloc / calloc / realloc are interposed (glibc) and
// forwarded to glibc's implementation; every C++ `new` and every Eigen buffer goes through them. The
// grid2d mode reports the count per timed training step (0 = no allocation in the fit loop).
extern "C" void* __libc_malloc(std::size_t);
extern "C" void* __libc_calloc(std::size_t, std::size_t);
extern "C" void* __libc_realloc(void*, std::size_t);
namespace {
std::atomic<long long> g_mallocs{0};
}
extern "C" void* malloc(std::size_t n) {
    g_mallocs.fetch_add(1, std::memory_order_relaxed);
    return __libc_malloc(n);
}
extern "C" void* calloc(std::size_t n, std::size_t m) {
    g_mallocs.fetch_add(1, std::memory_order_relaxed);
    return __libc_calloc(n, m);
}
extern "C" void* realloc(void* p, std::size_t n) {
    g_mallocs.fetch_add(1, std::memory_order_relaxed);
    return __libc_realloc(p, n);
}

namespace {

using posenc::Index;
using posenc::Mat;
using Clock = std::chrono::steady_clock;

/// Seconds since t0.
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// CPU seconds used so far by this process (all threads). Reported next to wall times: on a shared,
/// oversubscribed machine the CPU time still measures the work done, the wall time does not.
double cpu_now() { return double(std::clock()) / double(CLOCKS_PER_SEC); }

/// Median of a non-empty list.
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// Peak resident set size of this process in kB (VmHWM), -1 when /proc is unavailable.
long peak_rss_kb() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return -1;
}

/// "--key value" pairs after the mode; every option takes a value.
class Options {
public:
    /// Parses argv[2..] (argv[1] is the mode) as --key value pairs.
    Options(int argc, char** argv) {
        for (int i = 2; i < argc; i += 2) {
            const std::string k = argv[i];
            if (k.rfind("--", 0) != 0 || i + 1 >= argc)
                throw posenc::Error("posenc_driver: expected --option value pairs (at '" + k + "')");
            values_[k.substr(2)] = argv[i + 1];
        }
    }
    /// The value of --k, or def; throws when missing and def is empty.
    std::string str(const std::string& k, const std::string& def = {}) const {
        used_.push_back(k);
        auto it = values_.find(k);
        if (it != values_.end()) return it->second;
        if (def.empty()) throw posenc::Error("posenc_driver: missing --" + k);
        return def;
    }
    /// The numeric value of --k, or def; throws when missing and def is NaN, or not a number.
    double num(const std::string& k, double def = NAN) const {
        used_.push_back(k);
        auto it = values_.find(k);
        if (it == values_.end()) {
            if (std::isnan(def)) throw posenc::Error("posenc_driver: missing --" + k);
            return def;
        }
        char* end = nullptr;
        const double v = std::strtod(it->second.c_str(), &end);
        if (end == it->second.c_str() || *end) throw posenc::Error("posenc_driver: --" + k + " is not a number");
        return v;
    }
    /// Like num(), but must be an integer >= 1.
    Index count(const std::string& k, double def = NAN) const {
        const double v = num(k, def);
        if (!(v >= 1) || v != std::floor(v)) throw posenc::Error("posenc_driver: --" + k + " must be an integer >= 1");
        return Index(v);
    }
    /// Throws for options no mode asked about (typos).
    void check_all_used() const {
        for (const auto& [k, v] : values_)
            if (std::find(used_.begin(), used_.end(), k) == used_.end())
                throw posenc::Error("posenc_driver: unknown option --" + k);
    }

private:
    std::map<std::string, std::string> values_;
    mutable std::vector<std::string> used_;
};

/// A float32 tensor channels x height x width from a compare_pytorch data file.
struct Data {
    Index channels = 0, height = 0, width = 0;
    std::vector<float> v;
    /// Value at channel c, row r, column col.
    float at(Index c, Index r, Index col) const { return v[std::size_t((c * height + r) * width + col)]; }
};

/// Reads a compare_pytorch data file (throws posenc::Error for a missing, foreign or truncated file).
Data read_data(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw posenc::Error("posenc_driver: cannot open --data " + path);
    char magic[8];
    std::int64_t shape[3];
    f.read(magic, 8);
    f.read(reinterpret_cast<char*>(shape), sizeof shape);
    if (!f || std::memcmp(magic, "PSNCDAT1", 8) != 0) throw posenc::Error("posenc_driver: " + path + " is not a data file");
    for (auto s : shape)
        if (s <= 0 || s > (1 << 16)) throw posenc::Error("posenc_driver: bad shape in " + path);
    Data d{shape[0], shape[1], shape[2], {}};
    d.v.resize(std::size_t(d.channels * d.height * d.width));
    f.read(reinterpret_cast<char*>(d.v.data()), std::streamsize(d.v.size() * sizeof(float)));
    if (!f) throw posenc::Error("posenc_driver: " + path + " is truncated");
    return d;
}

/// Minimal JSON object writer (numbers and strings).
class Json {
public:
    /// Adds "k": v (null when not finite).
    Json& num(const std::string& k, double v) {
        std::ostringstream s;
        s.precision(17);
        if (std::isfinite(v)) s << v;
        else s << "null";
        return raw(k, s.str());
    }
    /// Adds "k": "v" (v must not need escaping).
    Json& str(const std::string& k, const std::string& v) { return raw(k, "\"" + v + "\""); }
    /// Adds "k": [v...].
    Json& list(const std::string& k, const std::vector<double>& v) {
        std::ostringstream s;
        s.precision(17);
        s << '[';
        for (std::size_t i = 0; i < v.size(); ++i) s << (i ? "," : "") << v[i];
        s << ']';
        return raw(k, s.str());
    }
    /// The object as one line.
    std::string text() const { return "{" + body_ + "}"; }

private:
    Json& raw(const std::string& k, const std::string& v) {
        body_ += (body_.empty() ? "\"" : ",\"") + k + "\":" + v;
        return *this;
    }
    std::string body_;
};

/// "auto" | "dense" | "sparse" -> FirstLayerPath.
posenc::FirstLayerPath parse_path(const std::string& s) {
    if (s == "auto") return posenc::FirstLayerPath::Auto;
    if (s == "dense") return posenc::FirstLayerPath::Dense;
    if (s == "sparse") return posenc::FirstLayerPath::Sparse;
    throw posenc::Error("posenc_driver: --path must be auto, dense or sparse (got " + s + ")");
}

/// Builds the encoder by name through the library's factory (as an application would).
posenc::AnyEncoder<float> make_encoder(const std::string& name, double param, Index dim, Index input_dim,
                                       std::uint64_t seed) {
    posenc::EncoderSpec spec;
    spec.type = name;
    spec.params["param"] = param;
    spec.params["dim"] = double(dim);
    if (name == "rff") {
        spec.params["seed"] = double(seed);
        spec.params["input_dim"] = double(input_dim);
    }
    return posenc::make_encoder<float>(spec);
}

/// One full-batch Adam step: forward, MSE gradient, backward, update. Returns the loss.
/// The model's Context (forward fills it, backward consumes it) is kept across steps, like train().
double adam_step(posenc::Model<float>& model, const posenc::EncodedBatch<float>& batch, const Mat<float>& Y,
                 posenc::Adam<float>& adam, std::vector<posenc::Param<float>>& params, Mat<float>& grad) {
    static posenc::Model<float>::Context ctx;
    const Mat<float>& out = model.forward(ctx, batch);
    const double loss = posenc::mse(out, Y, grad);
    model.backward(ctx, grad);
    adam.step(params);
    return loss;
}

/// Adam as in protocols B and C: lr 1e-3, betas (0.9, 0.999), eps 1e-8, L2 weight decay 1e-8.
posenc::AdamOptions protocol_adam() {
    posenc::AdamOptions o;
    o.lr = 1e-3;
    o.beta1 = 0.9;
    o.beta2 = 0.999;
    o.eps = 1e-8;
    o.weight_decay = 1e-8;  // added to the gradient, like torch.optim.Adam(weight_decay=...)
    return o;
}

/// Protocol B: 512 samples, train even / test odd, x_i = i / 512, one linear layer D -> 1.
std::string fit1d(const Options& o) {
    const Data d = read_data(o.str("data"));
    if (d.width < 512) throw posenc::Error("posenc_driver: fit1d needs >= 512 samples");
    const std::string enc = o.str("encoder");
    const double param = o.num("param");
    const Index D = o.count("dim", 10000), steps = o.count("steps", 2000);
    const auto seed = std::uint64_t(o.num("seed", 0));
    const auto path = parse_path(o.str("path", "auto"));
    o.check_all_used();

    const auto t0 = Clock::now();
    const double c0 = cpu_now();
    Mat<float> Xtr(1, 256), Xte(1, 256), Ytr(1, 256), Yte(1, 256);
    for (Index i = 0; i < 512; ++i) {
        (i % 2 ? Xte : Xtr)(0, i / 2) = float(double(i) / 512.0);
        (i % 2 ? Yte : Ytr)(0, i / 2) = d.at(0, 0, i);
    }
    posenc::MlpConfig cfg;
    cfg.output_dim = 1;
    cfg.depth = 0;
    cfg.seed = seed;
    posenc::Model<float> model(make_encoder(enc, param, D, 1, seed), cfg, path);
    const auto batch = model.prepare(Xtr);
    const double t_enc = since(t0);
    posenc::Adam<float> adam(protocol_adam());
    auto params = model.parameters();
    Mat<float> grad;
    const auto t1 = Clock::now();
    for (Index s = 0; s < steps; ++s) adam_step(model, batch, Ytr, adam, params, grad);
    const double t_steps = since(t1);
    const double tr = posenc::metrics::psnr(model.predict(Xtr), Ytr), te = posenc::metrics::psnr(model.predict(Xte), Yte);
    const double total = since(t0), cpu_total = cpu_now() - c0;
    return Json()
        .num("seconds", total)
        .num("cpu_seconds", cpu_total)
        .num("encode_seconds", t_enc)
        .num("steps_seconds", t_steps)
        .num("train_psnr", tr)
        .num("test_psnr", te)
        .str("first_layer", batch.sparse ? "sparse" : "dense")
        .num("window", double(model.encoder().window_width()))
        .num("peak_rss_kb", double(peak_rss_kb()))
        .text();
}

/// Protocol C set-up shared by fit2d and profile2d: the train split of the image, the model, the encoded batch.
struct Fit2d {
    Index N = 0, C = 0, D = 0, width = 0, depth = 0;
    Mat<float> X, Y;
    posenc::Model<float> model;
    posenc::EncodedBatch<float> batch;
    double encode_seconds = 0;
};

/// Reads the image and builds the protocol C model and its encoded train batch from the options.
Fit2d setup2d(const Options& o) {
    const Data d = read_data(o.str("data"));
    const std::string enc = o.str("encoder");
    const double param = o.num("param");
    Fit2d f;
    f.D = o.count("dim", 1000);
    f.width = o.count("width", 256);
    f.depth = o.count("depth", 4);
    const auto seed = std::uint64_t(o.num("seed", 0));
    const auto path = parse_path(o.str("path", "auto"));
    const Index S = d.height, h = S / 2;
    if (d.width != S) throw posenc::Error("posenc_driver: fit2d needs a square image");
    f.C = d.channels;
    f.N = h * h;
    f.X.resize(2, f.N);
    f.Y.resize(f.C, f.N);
    for (Index r = 0; r < h; ++r)
        for (Index c = 0; c < h; ++c) {
            const Index n = r * h + c;
            f.X(0, n) = float(double(2 * c) / double(S));
            f.X(1, n) = float(double(2 * r) / double(S));
            for (Index ch = 0; ch < f.C; ++ch) f.Y(ch, n) = d.at(ch, 2 * r, 2 * c);
        }
    const auto t0 = Clock::now();
    posenc::MlpConfig cfg;
    cfg.output_dim = f.C;
    cfg.width = f.width;
    cfg.depth = f.depth;
    cfg.hidden = posenc::ActivationSpec{posenc::Activation::ReLU};
    cfg.output = posenc::ActivationSpec{posenc::Activation::Sigmoid};
    cfg.seed = seed;
    f.model = posenc::Model<float>(make_encoder(enc, param, f.D, 2, seed), cfg, path);
    f.batch = f.model.prepare(f.X);
    f.encode_seconds = since(t0);
    return f;
}

/// Protocol C: image C x S x S, (x, y) = (c / S, r / S), train even/even, MLP depth x width ReLU,
/// sigmoid output, Adam; times individual steps.
std::string fit2d(const Options& o) {
    Fit2d f = setup2d(o);
    const Index steps = o.count("steps", 5), warmup = Index(o.num("warmup", 1));
    const double chunk_opt = o.num("chunk", 0);
    o.check_all_used();
    if (!(chunk_opt >= 0) || chunk_opt != std::floor(chunk_opt))
        throw posenc::Error("posenc_driver: --chunk must be an integer >= 0");
    const Index chunk = Index(chunk_opt);
    posenc::Adam<float> adam(protocol_adam());
    auto params = f.model.parameters();
    Mat<float> grad;
    // --chunk n: each full-batch step runs chunk by chunk (nn/chunked.hpp, what TrainOptions::chunk_size
    // does); the whole-set encoding is dropped once the chunks are cut.
    using Batch = posenc::EncodedBatch<float>;
    posenc::Chunks<Batch, float> chunks;
    const bool chunked = chunk > 0 && chunk < f.N;
    if (chunked) {
        std::vector<Index> all(static_cast<std::size_t>(f.N));
        for (Index i = 0; i < f.N; ++i) all[std::size_t(i)] = i;
        chunks = posenc::make_chunks(f.model, f.batch, posenc::ConstMatRef<float>(f.Y), all, chunk);
        f.batch = Batch{};
    }
    std::vector<double> times, cpu;
    for (Index s = 0; s < warmup + steps; ++s) {
        const auto t1 = Clock::now();
        const double c1 = cpu_now();
        if (chunked) {
            posenc::chunked_gradient(f.model, chunks, posenc::Loss::Mse, params);
            adam.step(params);
        } else {
            adam_step(f.model, f.batch, f.Y, adam, params, grad);
        }
        if (s >= warmup) {
            times.push_back(since(t1));
            cpu.push_back(cpu_now() - c1);
        }
    }
    posenc::Model<float>::Context ectx;
    const double tr = posenc::metrics::psnr(chunked ? f.model.predict(f.X) : Mat<float>(f.model.forward(ectx, f.batch)), f.Y);
    return Json()
        .num("seconds_per_step", median(times))
        .num("chunk", double(chunked ? chunk : f.N))
        .num("cpu_seconds_per_step", median(cpu))
        .list("step_seconds", times)
        .num("encode_seconds", f.encode_seconds)
        .num("train_psnr", tr)
        .str("first_layer", f.model.uses_sparse() ? "sparse" : "dense")
        .num("window", double(f.model.encoder().window_width()))
        .num("peak_rss_kb", double(peak_rss_kb()))
        .text();
}

/// Where one protocol C Adam step spends its time: the step of Model::forward / Model::backward
/// replayed phase by phase through the same library calls (Mlp's first-layer hooks,
/// sparse_product / sparse_first_backward or the dense GEMMs), with a timer around each phase.
/// Reports the median wall and CPU seconds per phase (and GFLOP/s for the GEMM phases).
std::string profile2d(const Options& o) {
    Fit2d f = setup2d(o);
    const Index steps = o.count("steps", 5), warmup = Index(o.num("warmup", 1));
    o.check_all_used();
    posenc::Mlp<float>& mlp = f.model.mlp();
    posenc::Adam<float> adam(protocol_adam());
    auto params = f.model.parameters();
    Mat<float> grad;
    posenc::Mlp<float>::Workspace ws;
    const char* names[] = {"first_forward", "rest_forward", "loss", "rest_backward", "first_backward", "adam"};
    constexpr int P = 6;
    std::vector<double> t[P], c[P];
    for (Index s = 0; s < warmup + steps; ++s) {
        double dt[P], dc[P];
        auto t1 = Clock::now();
        double c1 = cpu_now();
        auto lap = [&](int i) {
            const auto now = Clock::now();
            const double cnow = cpu_now();
            dt[i] = std::chrono::duration<double>(now - t1).count();
            dc[i] = cnow - c1;
            t1 = now;
            c1 = cnow;
        };
        auto Z0 = mlp.first_product(ws, f.N);
        if (f.batch.sparse) posenc::sparse_product<float>(mlp.layer(0).W, f.batch.windows, Z0);
        else Z0.noalias() = mlp.layer(0).W * f.batch.dense;
        lap(0);
        const Mat<float>& out = mlp.run_from_first_product(ws);
        lap(1);
        posenc::mse(out, f.Y, grad);
        lap(2);
        const auto dZ0 = mlp.backward_to_first(ws, grad, true);
        lap(3);
        if (f.batch.sparse) posenc::sparse_first_backward<float>(mlp.layer(0), f.batch.windows, dZ0);
        else {
            mlp.layer(0).dW.noalias() = dZ0 * f.batch.dense.transpose();
            mlp.layer(0).db = dZ0.rowwise().sum();
        }
        lap(4);
        adam.step(params);
        lap(5);
        if (s >= warmup)
            for (int i = 0; i < P; ++i) {
                t[i].push_back(dt[i]);
                c[i].push_back(dc[i]);
            }
    }
    // GEMM work per phase: hidden layers (depth - 1 of width^2) + output (width x C).
    const double N = double(f.N), w = double(f.width), hid = double(f.depth - 1) * w * w + w * double(f.C);
    const double flops_rest_fwd = 2.0 * N * hid, flops_rest_bwd = 2.0 * 2.0 * N * hid;
    Json j;
    double total = 0;
    double total_cpu = 0;
    for (int i = 0; i < P; ++i) {
        j.num(std::string(names[i]) + "_seconds", median(t[i]));
        j.num(std::string(names[i]) + "_cpu_seconds", median(c[i]));
        total += median(t[i]);
        total_cpu += median(c[i]);
    }
    return j.num("total_seconds", total)
        .num("total_cpu_seconds", total_cpu)
        .num("hidden_cpu_gflops", (flops_rest_fwd + flops_rest_bwd) / (median(c[1]) + median(c[3])) * 1e-9)
        .num("rest_forward_gflops", flops_rest_fwd / median(t[1]) * 1e-9)
        .num("rest_backward_gflops", flops_rest_bwd / median(t[3]) * 1e-9)
        .num("hidden_gflops", (flops_rest_fwd + flops_rest_bwd) / (median(t[1]) + median(t[3])) * 1e-9)
        .str("first_layer", f.batch.sparse ? "sparse" : "dense")
        .num("window", double(f.model.encoder().window_width()))
        .text();
}

/// Hidden layers of protocol C's MLP: `layers` width x width ReLU layers + a 3-channel sigmoid output on
/// N points, forward + backward including the input gradient (as inside the full model).
std::string hidden(const Options& o) {
    const Index N = o.count("points"), width = o.count("width", 256), layers = o.count("layers", 3);
    const Index steps = o.count("steps", 5);
    const auto seed = std::uint64_t(o.num("seed", 0));
    o.check_all_used();
    constexpr Index C = 3;
    posenc::MlpConfig cfg;
    cfg.input_dim = width;
    cfg.output_dim = C;
    cfg.width = width;
    cfg.depth = layers;
    cfg.output = posenc::ActivationSpec{posenc::Activation::Sigmoid};
    cfg.seed = seed;
    posenc::Mlp<float> mlp(cfg);
    posenc::Rng rng(seed + 1);
    Mat<float> X(width, N), dY(C, N), dX;
    posenc::Mlp<float>::Workspace ws;
    for (Index j = 0; j < N; ++j) {
        for (Index i = 0; i < width; ++i) X(i, j) = float(rng.uniform());
        for (Index i = 0; i < C; ++i) dY(i, j) = float(rng.uniform(-1e-3, 1e-3));
    }
    std::vector<double> times, cpu;
    for (Index s = 0; s < steps + 1; ++s) {
        const auto t1 = Clock::now();
        const double c1 = cpu_now();
        mlp.forward(ws, X);
        mlp.backward(ws, X, dY, &dX);
        if (s > 0) {
            times.push_back(since(t1));
            cpu.push_back(cpu_now() - c1);
        }
    }
    // 3 GEMMs (forward, weight gradient, input gradient) per layer: layers square ones + the output layer.
    const double flops = 3.0 * 2.0 * double(N) * (double(layers) * double(width * width) + double(width * C));
    const double t = median(times);
    // cpu_gflops: per thread-second of CPU (robust on a shared machine; = gflops / threads when idle).
    return Json()
        .num("seconds", t)
        .num("gflops", flops / t * 1e-9)
        .num("cpu_gflops", flops / median(cpu) * 1e-9)
        .num("flops", flops)
        .text();
}

/// Best Eigen sgemm throughput over square sizes (median of 3 runs per size).
std::string gemm(const Options& o) {
    std::vector<Index> sizes;
    {
        std::stringstream ss(o.str("n", "1024,2048"));
        std::string tok;
        while (std::getline(ss, tok, ',')) sizes.push_back(Index(std::stol(tok)));
    }
    o.num("seed", 0);
    o.check_all_used();
    double best = 0, best_cpu = 0;
    Index best_n = 0;
    for (Index n : sizes) {
        const Mat<float> A = Mat<float>::Random(n, n), B = Mat<float>::Random(n, n);
        Mat<float> Cm(n, n);
        Cm.noalias() = A * B;  // warm-up
        std::vector<double> t, c;
        for (int r = 0; r < 3; ++r) {
            const auto t1 = Clock::now();
            const double c1 = cpu_now();
            Cm.noalias() = A * B;
            t.push_back(since(t1));
            c.push_back(cpu_now() - c1);
        }
        const double flops = 2.0 * double(n) * double(n) * double(n);
        const double g = flops / median(t) * 1e-9;
        if (g > best) best = g, best_n = n;
        best_cpu = std::max(best_cpu, flops / median(c) * 1e-9);
    }
#if defined(EIGEN_USE_BLAS)
    const char* backend = "OpenBLAS (EIGEN_USE_BLAS)";
#else
    const char* backend = "Eigen";
#endif
    return Json().num("gflops", best).num("cpu_gflops", best_cpu).num("n", double(best_n)).str("backend", backend).text();
}

/// Stable rank of the D x N periodic shifted-Gaussian embedding (no scaling), double. --path windows
/// (default): embedding_stable_rank() from the points (windows + N x N windowed Gram + eigenvalue, all
/// timed; the D x N matrix is never formed). --path dense: the D x N matrix is encoded first (not
/// timed, like the PyTorch side) and stable_rank() is timed on it.
std::string srank(const Options& o) {
    const Index N = o.count("points"), D = o.count("dim");
    const double sigma = o.num("sigma");
    const std::string path = o.str("path", "windows");
    if (path != "windows" && path != "dense") throw posenc::Error("--path must be windows or dense (got " + path + ")");
    o.num("seed", 0);
    o.check_all_used();
    posenc::ShiftedBasis<posenc::Gaussian, double> basis(posenc::Gaussian(sigma), D, posenc::Domain::Periodic,
                                                         posenc::Scaling::None);
    Mat<double> X(1, N);
    for (Index i = 0; i < N; ++i) X(0, i) = double(i) / double(N);
    const posenc::StableRankOptions opt;
    const bool exact = posenc::detail::resolve_method(opt, std::min(N, D)) == posenc::StableRankMethod::Exact;
    std::string method = exact ? "exact (Gram eigenvalues)" : "Gram + Lanczos";
    double sr = 0, t = 0, ct = 0;
    if (path == "windows" && basis.window_width() > 0) {
        method = "windowed Gram (" + std::to_string(basis.window_width()) + " of " + std::to_string(D) + " rows per point), " + method;
        const auto t0 = Clock::now();
        const double c0 = cpu_now();
        sr = posenc::embedding_stable_rank(basis, X, opt);
        t = since(t0), ct = cpu_now() - c0;
    } else {
        method = "dense " + method;
        Mat<double> A(D, N);
        basis.encode(X, A);
        const auto t0 = Clock::now();
        const double c0 = cpu_now();
        sr = posenc::stable_rank(A, opt);
        t = since(t0), ct = cpu_now() - c0;
    }
    return Json()
        .num("seconds", t)
        .num("cpu_seconds", ct)
        .num("stable_rank", sr)
        .str("method", method)
        .num("peak_rss_kb", double(peak_rss_kb()))
        .text();
}

/// Clipped PSNR of predictions (clamped to [0, 1]) against Y (protocol E reports clipped PSNRs).
double clipped_psnr(const Mat<float>& pred, const Mat<float>& Y) {
    return posenc::metrics::psnr(Mat<float>(pred.cwiseMax(0.0f).cwiseMin(1.0f)), Y);
}

/// Protocol E (docs/protocols.md) at the image's size S: the even/even pixels train, the odd/odd test,
/// (x, y) = (c / S, r / S); the model goes through the library's public path (factory "hashgrid" ->
/// Model -> prepare -> forward / mse / backward with a caller-owned context -> Adam), as an
/// application would.
std::string grid2d(const Options& o) {
    const Data d = read_data(o.str("data"));
    const Index S = d.height;
    if (d.width != S || S < 4) throw posenc::Error("posenc_driver: grid2d needs a square image of side >= 4");
    const Index L = o.count("levels", 16), F = o.count("features", 2), log2T = o.count("log2-table", 15);
    const Index nmin = o.count("base-res", 16);
    const double nmax = o.num("max-res", double(S / 2));
    const Index width = o.count("width", 64), depth = o.count("depth", 2);
    const double lr = o.num("lr", 1e-2), beta2 = o.num("beta2", 0.99), eps = o.num("eps", 1e-15);
    const Index steps = o.count("steps", 1000), warmup = Index(o.num("warmup", 5));
    const std::string cps = o.str("checkpoints", "none");
    const auto seed = std::uint64_t(o.num("seed", 0));
    o.check_all_used();
    std::vector<Index> checkpoints;
    if (cps != "none") {
        std::stringstream ss(cps);
        std::string tok;
        while (std::getline(ss, tok, ',')) checkpoints.push_back(Index(std::stol(tok)));
    }
    if (warmup >= steps) throw posenc::Error("posenc_driver: --warmup must be < --steps");
    const Index C = d.channels;
    auto split = [&](Index r0, Mat<float>& X, Mat<float>& Y) {
        const Index h = (S - r0 + 1) / 2;
        X.resize(2, h * h);
        Y.resize(C, h * h);
        for (Index r = 0; r < h; ++r)
            for (Index c = 0; c < h; ++c) {
                const Index n = r * h + c;
                X(0, n) = float(double(r0 + 2 * c) / double(S));
                X(1, n) = float(double(r0 + 2 * r) / double(S));
                for (Index ch = 0; ch < C; ++ch) Y(ch, n) = d.at(ch, r0 + 2 * r, r0 + 2 * c);
            }
    };
    Mat<float> Xtr, Ytr, Xte, Yte;
    split(0, Xtr, Ytr);
    split(1, Xte, Yte);
    const auto t0 = Clock::now();
    posenc::EncoderSpec spec;
    spec.type = "hashgrid";
    spec.params = {{"input_dim", 2.0},         {"levels", double(L)},        {"features", double(F)},
                   {"log2_table_size", double(log2T)}, {"base_resolution", double(nmin)},
                   {"max_resolution", nmax},    {"alignment", 1.0},           {"seed", double(seed)}};
    posenc::MlpConfig cfg;
    cfg.output_dim = C;
    cfg.width = width;
    cfg.depth = depth;
    cfg.hidden = posenc::ActivationSpec{posenc::Activation::ReLU};
    cfg.output = posenc::ActivationSpec{posenc::Activation::Identity};
    cfg.seed = seed;
    posenc::Model<float> model(posenc::make_encoder<float>(spec), cfg);
    const auto batch = model.prepare(Xtr);
    posenc::AdamOptions ao;
    ao.lr = lr;
    ao.beta1 = 0.9;
    ao.beta2 = beta2;
    ao.eps = eps;
    posenc::Adam<float> adam(ao);
    auto params = model.parameters();
    posenc::Model<float>::Context ctx;
    Mat<float> grad;
    const double setup = since(t0);
    std::vector<double> times, cpu;
    times.reserve(std::size_t(steps));
    cpu.reserve(std::size_t(steps));
    std::string at = "{";
    double fit_seconds = 0, train_psnr = 0, test_psnr = 0;
    long long mallocs = 0;
    for (Index s = 1; s <= steps; ++s) {
        const long long m0 = g_mallocs.load(std::memory_order_relaxed);
        const auto t1 = Clock::now();
        const double c1 = cpu_now();
        const Mat<float>& out = model.forward(ctx, batch);
        posenc::mse(out, Ytr, grad);
        model.backward(ctx, grad);
        adam.step(params);
        const double dt = since(t1);
        fit_seconds += dt;
        if (s > warmup) {
            times.push_back(dt);
            cpu.push_back(cpu_now() - c1);
            mallocs += g_mallocs.load(std::memory_order_relaxed) - m0;
        }
        if (s == steps || std::find(checkpoints.begin(), checkpoints.end(), s) != checkpoints.end()) {
            train_psnr = clipped_psnr(model.predict(Xtr), Ytr);
            test_psnr = clipped_psnr(model.predict(Xte), Yte);
            std::ostringstream e;
            e.precision(17);
            e << (at.size() > 1 ? "," : "") << "\"" << s << "\":{\"train_psnr\":" << train_psnr
              << ",\"test_psnr\":" << test_psnr << ",\"seconds\":" << setup + fit_seconds << "}";
            at += e.str();
        }
    }
    at += "}";
    const double sps = median(times);
    std::string out = Json()
                          .num("seconds_per_step", sps)
                          .num("cpu_seconds_per_step", median(cpu))
                          .num("setup_seconds", setup)
                          .num("seconds", setup + fit_seconds)
                          .num("train_psnr", train_psnr)
                          .num("test_psnr", test_psnr)
                          .num("samples_per_second", double(Xtr.cols()) / sps)
                          .num("train_points", double(Xtr.cols()))
                          .num("steps", double(steps))
                          .num("mallocs_per_step", double(mallocs) / double(times.size()))
                          .num("peak_rss_kb", double(peak_rss_kb()))
                          .text();
    out.pop_back();  // append the checkpoints object
    return out + ",\"at\":" + at + "}";
}

/// Dispatches on the mode (argv[1]) after setting the thread count; prints the mode's JSON line.
int run(int argc, char** argv) {
    if (argc < 2) throw posenc::Error("usage: posenc_driver fit1d|fit2d|profile2d|grid2d|hidden|gemm|srank|noop [--option value]...");
    const std::string mode = argv[1];
    const Options o(argc, argv);
    const Index threads = Index(o.num("threads", double(posenc::num_threads())));
#if defined(_OPENMP)
    omp_set_num_threads(int(threads));
#endif
    Eigen::setNbThreads(int(threads));
    std::string out;
    if (mode == "fit1d") out = fit1d(o);
    else if (mode == "fit2d") out = fit2d(o);
    else if (mode == "profile2d") out = profile2d(o);
    else if (mode == "hidden") out = hidden(o);
    else if (mode == "gemm") out = gemm(o);
    else if (mode == "srank") out = srank(o);
    else if (mode == "grid2d") out = grid2d(o);
    else if (mode == "noop") {
        o.num("seed", 0);
        o.check_all_used();
        out = Json().num("peak_rss_kb", double(peak_rss_kb())).text();
    } else throw posenc::Error("posenc_driver: unknown mode '" + mode + "'");
    std::cout << out << std::endl;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "posenc_driver: error: " << e.what() << "\n";
        return 2;
    }
}

// layer_stable_rank — stable rank of every hidden layer's activations during training (the paper's
// "stable rank through the layers" observation), for no encoding, basic, RFF and a Gaussian basis.
//
//   layer_stable_rank [--image PATH --row R] [--depth 4] [--width 128] [--dim 512] [--sigma 0.01]
//                     [--steps 1000] [--every 50] [--lr 1e-3] [--quick] [--json] [--out DIR] [--quiet]
//                     [--threads N]
//
// Data: protocol B of docs/protocols.md (512-sample 1D signal, 256 even samples for training, 256
// odd for test).
// Model: encoder -> `depth` ReLU layers of `width` -> linear output, PyTorch default init (seed 1),
// Adam (lr, weight decay 1e-8), full batch, MSE. Encoders: none (x itself), basic ([sin 2 pi x,
// cos 2 pi x]), RFF with D/2 frequencies at the kernel-matched sigma_b = 1/(2 sqrt 2 pi sigma), seed 1,
// and a Gaussian basis of D shifts of width sigma (bounded domain, unit norm at 0.5).
// Every --every steps (and at step 0) the train points are pushed through the network and the stable
// rank ||A||_F^2 / ||A||_2^2 of each layer's activation matrix A (width x 256) is recorded; "layer 0"
// is the encoding itself (from the Gram matrix of its sparse windows when the encoder has them - the
// Gaussian basis; --json says which per encoder as "layer0_method": "windowed_gram" or "dense").
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/chart.hpp"
#include "common/cli.hpp"
#include "common/image.hpp"
#include "common/protocol_b.hpp"
#include "common/signals.hpp"
#include "posenc/analysis/stable_rank.hpp"
#include "posenc/analysis/windowed_gram.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/trainer.hpp"

namespace {

using namespace posenc;
using namespace posenc::examples;
using Clock = std::chrono::steady_clock;

constexpr const char* kDescription =
    "Stable rank of each hidden layer's activations during training (1D signal, protocol B split), for\n"
    "no encoding, basic, RFF (kernel-matched) and a Gaussian basis. Layer 0 is the encoding.";

/// Every command-line setting of layer_stable_rank.
struct Options {
    ProtocolBOptions pb;       ///< signal, Adam, --quick/--json/--out/--quiet
    int depth = 4;             ///< hidden layers
    int width = 128;           ///< hidden width
    std::int64_t dim = 512;    ///< RFF / Gaussian embedding dimension
    double sigma = 0.01;       ///< Gaussian width (RFF sigma_b matched to it)
    int every = 50;            ///< measure every this many steps
};

/// The trajectory of one encoder.
struct Trace {
    std::string name;                         ///< encoder label
    std::vector<int> step;                    ///< measurement steps
    std::vector<std::vector<double>> srank;   ///< srank[m][l]: measurement m, layer l (0 = encoding)
    double train_psnr = 0, test_psnr = 0, seconds = 0;
    std::string layer0_method;                ///< "windowed_gram" or "dense": how layer 0's rank is computed
};

/// Stable rank of the encoding and of each hidden layer's (ReLU) activations at points X. The encoding's
/// comes from the Gram matrix of its sparse windows when it has them (embedding_stable_rank(), Gram in
/// double), otherwise from the formed code in double; the code itself is still formed for the layers.
std::vector<double> layer_ranks(const Model<float>& model, const Mat<float>& X) {
    std::vector<double> r;
    Mat<float> A = encode(model.encoder(), X);
    if (windowed_gram_applies(model.encoder(), X.cols())) r.push_back(embedding_stable_rank(model.encoder(), X));
    else r.push_back(stable_rank(Mat<double>(A.cast<double>())));
    const Mlp<float>& mlp = model.mlp();
    for (Index l = 0; l + 1 < mlp.num_layers(); ++l) {
        const Dense<float>& d = mlp.layer(l);
        Mat<float> Z = d.W * A;
        Z.colwise() += d.b;
        A = Z.cwiseMax(0.0f);
        const Mat<double> Ad = A.cast<double>();
        r.push_back(Ad.squaredNorm() > 0 ? stable_rank(Ad) : 0.0);  // all-dead layer: rank 0
    }
    return r;
}

/// Trains one encoder + MLP, measuring layer ranks along the way.
Trace run_encoder(const std::string& name, const EncoderSpec& spec, const Options& o, const Split& sp) {
    Trace t;
    t.name = name;
    const auto t0 = Clock::now();
    const AnyEncoder<float> enc = make_encoder<float>(spec);
    t.layer0_method = to_string(windowed_gram_applies(enc, sp.x_train.cols()) ? EmbeddingRankPath::WindowedGram
                                                                              : EmbeddingRankPath::Dense);
    MlpConfig cfg;
    cfg.input_dim = enc.output_dim();
    cfg.output_dim = 1;
    cfg.depth = o.depth;
    cfg.width = o.width;
    cfg.seed = 1;
    Model<float> model(enc, cfg);
    AdamOptions ao;
    ao.lr = o.pb.lr;
    ao.weight_decay = 1e-8;
    Adam<float> adam(ao);
    int step = 0;
    t.step.push_back(0);
    t.srank.push_back(layer_ranks(model, sp.x_train));
    while (step < o.pb.steps) {
        TrainOptions to;
        to.steps = std::min(o.every, o.pb.steps - step);
        train(model, sp.x_train, sp.y_train, adam, to);  // the optimizer keeps its moments between calls
        step += int(to.steps);
        t.step.push_back(step);
        t.srank.push_back(layer_ranks(model, sp.x_train));
        if (!o.pb.quiet) std::fprintf(stderr, "\rlayer_stable_rank: %-10s step %d/%d   ", name.c_str(), step, o.pb.steps);
    }
    t.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    t.train_psnr = psnr_db(model.predict(sp.x_train), sp.y_train);
    t.test_psnr = psnr_db(model.predict(sp.x_test), sp.y_test);
    return t;
}

/// One chart per encoder (rank against step, a series per layer) and one of the final ranks per layer.
void write_charts(const Options& o, const std::vector<Trace>& traces) {
    const std::filesystem::path dir(o.pb.out);
    ensure_directory(dir);
    for (const Trace& t : traces) {
        Chart ch;
        ch.title = "stable rank of each layer's activations during training: " + t.name;
        ch.xlabel = "Adam step";
        ch.ylabel = "stable rank (256 train points)";
        ch.logy = true;
        std::vector<double> x(t.step.begin(), t.step.end());
        for (std::size_t l = 0; l < t.srank.front().size(); ++l) {
            std::vector<double> y;
            for (const auto& m : t.srank) y.push_back(std::max(m[l], 1e-3));
            ch.add(l == 0 ? std::string("layer 0 (encoding)") : "hidden layer " + std::to_string(l), x, y,
                   SeriesStyle::Line);
        }
        std::cerr << "layer_stable_rank: " << write_chart(ch, dir / ("layer_rank_" + t.name + ".png")).message << "\n";
    }
    Chart f;
    f.title = "stable rank per layer after " + std::to_string(o.pb.steps) + " steps";
    f.xlabel = "layer (0 = encoding)";
    f.ylabel = "stable rank";
    f.logy = true;
    for (const Trace& t : traces) {
        std::vector<double> x, y;
        for (std::size_t l = 0; l < t.srank.back().size(); ++l) {
            x.push_back(double(l));
            y.push_back(std::max(t.srank.back()[l], 1e-3));
        }
        f.add(t.name, x, y, SeriesStyle::LinePoints);
    }
    std::cerr << "layer_stable_rank: " << write_chart(f, dir / "layer_rank_final.png").message << "\n";
}

int run(CLI::App& app, int argc, char** argv) {
    Options o;
    o.pb.add_signal_options(app);
    app.add_option("--depth", o.depth, "hidden layers")->capture_default_str();
    app.add_option("--width", o.width, "units per hidden layer")->capture_default_str();
    app.add_option("--dim", o.dim, "RFF / Gaussian embedding dimension (even)")->capture_default_str();
    app.add_option("--sigma", o.sigma, "Gaussian width; RFF uses sigma_b = 1/(2 sqrt(2) pi sigma)")->capture_default_str();
    app.add_option("--every", o.every, "measure the ranks every this many steps")->capture_default_str();
    o.pb.add_run_options(app, 1000, "a few seconds: depth 3, width 32, D = 128, 100 steps, every 25 (unless given)",
                         "directory for the charts (layer_rank_<encoder>.png, layer_rank_final.png)");
    app.parse(argc, argv);

    if (o.pb.quick) {
        if (!app.count("--depth")) o.depth = 3;
        if (!app.count("--width")) o.width = 32;
        if (!app.count("--dim")) o.dim = 128;
        if (!o.pb.steps_given()) o.pb.steps = 100;
        if (!app.count("--every")) o.every = 25;
    }
    if (o.depth < 1 || o.depth > 32) throw Error("--depth must be in [1, 32] (got " + std::to_string(o.depth) + ")");
    if (o.width < 1 || o.width > 4096) throw Error("--width must be in [1, 4096] (got " + std::to_string(o.width) + ")");
    if (o.dim < 2 || o.dim > 100000 || o.dim % 2 != 0)
        throw Error("--dim must be even and in [2, 100000] (got " + std::to_string(o.dim) + ")");
    if (!(o.sigma > 0) || !std::isfinite(o.sigma)) throw Error("--sigma must be finite and > 0");
    if (o.every <= 0) throw Error("--every must be > 0 (got " + std::to_string(o.every) + ")");
    o.pb.check();
    o.pb.threads.apply();

    const Split sp = split_1d(o.pb.signal());
    const double sigma_b = kernel_matched_sigma_b(o.sigma);
    const double D = double(o.dim);

    std::vector<Trace> traces;
    traces.push_back(run_encoder("none", EncoderSpec{"none", {}, {}}, o, sp));
    traces.push_back(run_encoder("basic", EncoderSpec{"basic", {}, {}}, o, sp));
    traces.push_back(run_encoder("rff", EncoderSpec{"rff", {{"sigma", sigma_b}, {"dim", D}, {"seed", 1}}, {}}, o, sp));
    traces.push_back(run_encoder("gaussian", EncoderSpec{"gaussian", {{"sigma", o.sigma}, {"dim", D}}, {}}, o, sp));
    if (!o.pb.quiet) std::fprintf(stderr, "\n");

    if (o.pb.json) {
        nlohmann::json enc = nlohmann::json::array();
        for (const Trace& t : traces)
            enc.push_back({{"encoder", t.name}, {"steps", t.step}, {"stable_rank", t.srank}, {"final", t.srank.back()},
                           {"layer0_method", t.layer0_method}, {"train_psnr", t.train_psnr},
                           {"test_psnr", t.test_psnr}, {"seconds", t.seconds}});
        nlohmann::json j;
        j["depth"] = o.depth;
        j["width"] = o.width;
        j["dim"] = o.dim;
        j["sigma"] = o.sigma;
        j["sigma_b"] = sigma_b;
        j["encoders"] = enc;
        std::cout << j.dump() << std::endl;
    } else {
        std::printf("depth %d x width %d ReLU MLP, %d Adam steps; RFF sigma_b = %.4g, Gaussian sigma = %g, D = %lld\n",
                    o.depth, o.width, o.pb.steps, sigma_b, o.sigma, (long long)o.dim);
        std::printf("stable rank per layer (0 = encoding) at step 0 -> after training\n");
        for (const Trace& t : traces) {
            std::printf("%-9s", t.name.c_str());
            for (std::size_t l = 0; l < t.srank.back().size(); ++l)
                std::printf("  L%zu %6.2f->%-6.2f", l, t.srank.front()[l], t.srank.back()[l]);
            std::printf("  train %.2f dB  test %.2f dB  (%.1f s)\n", t.train_psnr, t.test_psnr, t.seconds);
        }
    }
    if (!o.pb.out.empty()) write_charts(o, traces);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return posenc::examples::run_main(argc, argv, kDescription, [&](CLI::App& app) { return run(app, argc, argv); });
}

// fit_1d — fit a 1D signal with a positional encoding + linear layer / MLP (protocol B of
// docs/protocols.md, the paper's 1D experiment).
//
//   fit_1d [--image PATH --row R] --encoder NAME [--param P|auto] --dim D [--periodic] [--depth 0]
//          [--width 256] [--steps 2000] [--lr 1e-3] [--seed K] [--closed-form [--lambda L]]
//          [--json] [--out DIR] [--quiet]
//
// Signal: the first 512 samples of one image row (values /255, grey; an RGB image is converted to
// luma), or the built-in procedural signal without --image. x_i = i / 512; train = even i, test = odd i.
// Encoder: any name of posenc::make_encoder (gaussian, triangle, sinc, impulse, square, sine, noise, rff,
// linf, logf, basic, none), bounded domain unless --periodic, one constant scale (unit norm at 0.5).
// Model: depth 0 = one linear layer D -> 1 with bias (PyTorch default init); depth > 0 adds ReLU hidden
// layers of --width. Fit: Adam (lr, betas 0.9/0.999, eps 1e-8, L2 weight decay 1e-8 added to the
// gradient), MSE, full batch, float. --closed-form (depth 0 only) solves the ridge problem instead.
// --param auto (gaussian, triangle): the width recommended from the training samples only for this very
// model (posenc::recommend_bandwidth, docs/theory.md §9); the JSON's "param" is the chosen value.
// --encoder hashgrid: the multiresolution grid with input_dim 1 (Grid<T>, docs/encodings.md section 5),
// its table trained by Adam with the network; the grid flags --levels --features --log2-table
// --base-res --max-res --per-level-scale --interpolation --grid-alignment apply, and what they leave
// open defaults to 8 levels, 2 features, 2^12 entries, N_min 8, N_max 256 (fit_1d's choice for 256
// training samples; the factory's are tiny-cuda-nn's 3D ones). Its "stable_rank" is that of the
// grid's weight matrix on the train points (analysis/grid_embedding.hpp), which the table maps.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/chart.hpp"
#include "common/cli.hpp"
#include "common/fit_common.hpp"
#include "common/image.hpp"
#include "common/signals.hpp"
#include "common/recommend.hpp"
#include "posenc/analysis/grid_embedding.hpp"
#include "posenc/analysis/metrics.hpp"
#include "posenc/analysis/windowed_gram.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/callbacks.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/solvers/ridge.hpp"
#include "posenc/nn/trainer.hpp"

namespace {

using namespace posenc;
using namespace posenc::examples;

constexpr double kDefaultDim = 10000;  ///< protocol B: D = 10000 shifts
constexpr const char* kDescription =
    "Fit a 1D signal (protocol B): positional encoding + linear layer or MLP, Adam or closed form.\n"
    "Signal: first 512 samples of --row of --image (/255), or the built-in signal; train even, test odd.\n"
    "--dim defaults to 10000; --seed also seeds the weight initialisation.\n"
    "--encoder hashgrid defaults here (where the grid flags say nothing): 8 levels, 2 features, 2^12 entries,\n"
    "N_min 8, N_max 256, vertex alignment; its table is trained by Adam (no --closed-form).";

/// Every command-line setting of fit_1d.
struct Options {
    std::string image;          ///< image file; empty = built-in signal
    int row = 256;              ///< image row (protocol B: 100, 256, 400)
    int samples = 512;          ///< samples taken from the start of the row
    EncoderOptions enc;         ///< --encoder --param --dim --periodic --seed (--offset for sine)
    int depth = 0;              ///< hidden layers (0 = linear)
    int width = 256;            ///< hidden width
    int steps = 2000;           ///< Adam steps
    double lr = 1e-3;           ///< Adam learning rate
    double weight_decay = 1e-8; ///< Adam L2 weight decay (added to the gradient)
    bool closed_form = false;   ///< ridge closed form instead of Adam (depth 0)
    double lambda = 1e-8;       ///< ridge penalty for --closed-form
    bool json = false;          ///< print one JSON object on stdout
    std::string out;            ///< output directory for the chart
    bool quiet = false;         ///< no progress line
    std::string first_layer = "auto";  ///< first-layer path: auto, dense, sparse
};

/// What one fit produced.
struct Result {
    Index dim = 0;  ///< the encoder's output dimension
    double train_psnr = 0, test_psnr = 0, stable_rank = 0, seconds = 0;
    Mat<float> dense_x, dense_pred;  ///< reconstruction on a 4x finer grid (for the chart)
};

/// The GridConfig of a (normalised) hashgrid spec, as the factory reads it.
GridConfig grid_config_of(const EncoderSpec& s) {
    auto get = [&](const char* k, double def) {
        const auto it = s.params.find(k);
        return it == s.params.end() ? def : it->second;
    };
    GridConfig c;
    c.input_dim = Index(get("input_dim", double(c.input_dim)));
    c.levels = Index(get("levels", double(c.levels)));
    c.features = Index(get("features", double(c.features)));
    c.log2_table_size = Index(get("log2_table_size", double(c.log2_table_size)));
    c.base_resolution = Index(get("base_resolution", double(c.base_resolution)));
    c.per_level_scale = get("per_level_scale", c.per_level_scale);
    c.max_resolution = get("max_resolution", c.max_resolution);
    c.interpolation = GridInterpolation(int(get("interpolation", double(int(c.interpolation)))));
    c.alignment = GridAlignment(int(get("alignment", double(int(c.alignment)))));
    return c;
}

/// fit_1d's defaults for the grid parameters the flags leave open (see the header comment).
EncoderSpec encoder_spec(const Options& o) {
    EncoderSpec s = spec_with_defaults(o.enc, 1, kDefaultDim);
    if (o.enc.encoder == "hashgrid") {
        auto set_default = [&](const char* key, double v) {
            if (!s.params.count(key)) s.params[key] = v;
        };
        set_default("levels", 8);
        set_default("log2_table_size", 12);
        set_default("base_resolution", 8);
        if (!s.params.count("per_level_scale")) set_default("max_resolution", 256);
    }
    return s;
}

/// Stable rank of the train embedding (D x N_train), computed in double from the same spec: from the
/// N x N Gram matrix of the sparse windows when the encoder has them (embedding_stable_rank), else dense.
/// A hashgrid's is that of its weight matrix (table entries x N_train): its codes are a learned table
/// applied to it, so the codes themselves depend on the training.
double train_stable_rank(const EncoderSpec& spec, const Mat<float>& x_train) {
    const Mat<double> X = x_train.cast<double>();
    if (spec.type == "hashgrid") return grid_embedding_stable_rank(grid_embedding(grid_config_of(spec), X));
    const AnyEncoder<double> e = make_encoder<double>(spec);
    return embedding_stable_rank(e, ConstMatRef<double>(X));
}

/// --param auto: the width recommended from the training split only (posenc::recommend_bandwidth).
BandwidthRecommendation recommend(const Options& o, const Split& sp) {
    const RecommendSettings rs = recommend_settings(o, 1, o.enc.dim > 0 ? Index(o.enc.dim) : Index(kDefaultDim));
    return recommend_for(rs, sp);
}

Result fit(const Options& o, const Split& sp) {
    const AnyEncoder<float> enc = make_encoder<float>(encoder_spec(o));
    const EncoderSpec spec = enc.spec();  // normalised: every grid parameter explicit
    if (o.closed_form && enc.has_parameters())
        throw Error("--closed-form: encoder \"" + o.enc.encoder +
                    "\" has a trained table, which only Adam fits (drop --closed-form)");

    MlpConfig cfg;
    cfg.input_dim = enc.output_dim();
    cfg.output_dim = 1;
    cfg.width = o.width;
    cfg.depth = o.depth;
    cfg.seed = init_seed(o.enc.seed);  // independent of the encoder's stream
    Model<float> model(enc, cfg, first_layer_path(o.first_layer));

    Result r;
    r.dim = enc.output_dim();
    const auto t0 = std::chrono::steady_clock::now();
    if (o.closed_form) {
        if (o.depth != 0) throw Error("--closed-form needs --depth 0 (got " + std::to_string(o.depth) + ")");
        RidgeOptions ro;
        ro.lambda = o.lambda;
        fit_ridge(model, model.prepare(sp.x_train), sp.y_train, ro);
    } else {
        AdamOptions ao;
        ao.lr = o.lr;
        ao.weight_decay = o.weight_decay;
        Adam<float> adam(ao);
        TrainOptions to;
        to.steps = o.steps;
        ProgressOptions po;
        po.label = "fit_1d " + enc.name();
        if (!::isatty(2)) po.interval = 10.0;  // logs: a line every 10 s, not a redraw storm
        if (o.quiet)
            train(model, sp.x_train, sp.y_train, adam, to);
        else
            train(model, sp.x_train, sp.y_train, adam, to, Progress(po));
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    r.train_psnr = metrics::psnr(model.predict(sp.x_train), sp.y_train);
    r.test_psnr = metrics::psnr(model.predict(sp.x_test), sp.y_test);
    r.stable_rank = train_stable_rank(spec, sp.x_train);
    if (!o.out.empty()) {
        const Index n = 4 * (sp.x_train.cols() + sp.x_test.cols());
        r.dense_x = line_coordinates(n);
        r.dense_pred = model.predict(r.dense_x);
    }
    return r;
}

/// Chart of the target, the train points and the reconstruction (4x finer grid) in DIR/fit_1d.png.
void write_outputs(const Options& o, const std::vector<float>& signal, const Split& sp, const Result& r) {
    const std::filesystem::path dir(o.out);
    ensure_directory(dir);
    Chart ch;
    char param[32] = "";
    if (o.enc.has_param()) std::snprintf(param, sizeof param, " %g", o.enc.param);
    char title[256];
    std::snprintf(title, sizeof title, "fit_1d: %s%s, D = %lld, depth %d: train %.2f dB, test %.2f dB",
                  o.enc.encoder.c_str(), param, (long long)r.dim, o.depth, r.train_psnr, r.test_psnr);
    ch.title = title;
    ch.xlabel = "x";
    ch.ylabel = "value";
    std::vector<double> xs, ys, xt, yt, xr, yr;
    const double n = double(signal.size());
    for (std::size_t i = 0; i < signal.size(); ++i) { xs.push_back(double(i) / n); ys.push_back(signal[i]); }
    for (Index i = 0; i < sp.x_train.cols(); ++i) { xt.push_back(sp.x_train(0, i)); yt.push_back(sp.y_train(0, i)); }
    for (Index i = 0; i < r.dense_x.cols(); ++i) { xr.push_back(r.dense_x(0, i)); yr.push_back(r.dense_pred(0, i)); }
    ch.add("target", xs, ys, SeriesStyle::Line);
    ch.add("reconstruction (4x finer grid)", xr, yr, SeriesStyle::Line);
    ch.add("train points", xt, yt, SeriesStyle::Points);
    const ChartFiles f = write_chart(ch, dir / "fit_1d.png");
    std::cerr << "fit_1d: " << f.message << "\n";
}

int run(CLI::App& app, int argc, char** argv) {
    Options o;
    app.add_option("--image", o.image, "image file (grey or RGB, at least 512 pixels wide); default: built-in signal");
    app.add_option("--row", o.row, "image row to fit (0-based)")->capture_default_str();
    o.enc.add_to(app, /*dim_required=*/false);
    app.add_option("--depth", o.depth, "hidden layers (0 = one linear layer)")->capture_default_str();
    app.add_option("--width", o.width, "units per hidden layer")->capture_default_str();
    app.add_option("--steps", o.steps, "Adam steps")->capture_default_str();
    app.add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
    app.add_flag("--closed-form", o.closed_form, "solve the ridge problem in closed form (depth 0) instead of Adam");
    app.add_option("--lambda", o.lambda, "ridge penalty for --closed-form")->capture_default_str();
    app.add_flag("--json", o.json, "print one JSON object on stdout");
    app.add_option("--out", o.out, "directory for the chart (fit_1d.png + .dat + .gp)");
    app.add_flag("--quiet", o.quiet, "no progress line on stderr");
    app.add_option("--first-layer", o.first_layer,
                   "first layer: auto (sparse windows when the encoder has them and they are narrow), dense, "
                   "sparse (needs a compact-support encoder)")
        ->capture_default_str();
    app.parse(argc, argv);

    if (o.depth < 0) throw Error("--depth must be >= 0 (got " + std::to_string(o.depth) + ")");
    if (o.width <= 0) throw Error("--width must be > 0 (got " + std::to_string(o.width) + ")");
    if (o.steps <= 0) throw Error("--steps must be > 0 (got " + std::to_string(o.steps) + ")");
    if (!(o.lr > 0) || !std::isfinite(o.lr)) throw Error("--lr must be finite and > 0");
    if (!(o.lambda >= 0) || !std::isfinite(o.lambda)) throw Error("--lambda must be finite and >= 0");
    if (app.count("--row") && o.image.empty()) throw Error("--row needs --image");
    if (o.enc.encoder == "hashgrid" && o.enc.dim_opt->count())
        throw Error("--dim does not apply to --encoder hashgrid (its output is levels x features: --levels, --features)");
    if (o.enc.encoder == "hashgrid" && o.enc.periodic) throw Error("--periodic does not apply to --encoder hashgrid");

    const std::vector<float> signal = o.image.empty() ? default_signal_1d(o.samples)
                                                      : image_row(load_image(o.image), o.row, o.samples);
    const Split sp = split_1d(signal);
    if (o.enc.param_auto) {
        if (o.closed_form && o.depth != 0)
            throw Error("--closed-form needs --depth 0 (got " + std::to_string(o.depth) + ")");
        const BandwidthRecommendation rec = recommend(o, sp);
        o.enc.param = rec.param;
        o.enc.param_auto = false;
        if (!o.quiet && !o.json)
            std::fprintf(stderr, "fit_1d: --param auto: %s = %.4g (stable rank %.1f, DP half-width %.2f x spacing)\n",
                         rec.parameter.c_str(), rec.param, rec.stable_rank, rec.half_width_over_spacing);
    }
    const Result r = fit(o, sp);

    if (o.json) {
        nlohmann::json j;
        j["encoder"] = o.enc.encoder;
        j["param"] = o.enc.has_param() ? nlohmann::json(o.enc.param) : nlohmann::json(nullptr);
        j["dim"] = r.dim;
        j["steps"] = o.closed_form ? 0 : o.steps;
        j["train_psnr"] = r.train_psnr;
        j["test_psnr"] = r.test_psnr;
        j["stable_rank"] = r.stable_rank;
        j["seconds"] = r.seconds;
        std::cout << j.dump() << std::endl;
    } else {
        std::printf("signal      %s\n", o.image.empty() ? "built-in" : (o.image + " row " + std::to_string(o.row)).c_str());
        std::printf("encoder     %s\n", o.enc.encoder.c_str());
        std::printf("train PSNR  %.2f dB\ntest PSNR   %.2f dB\nstable rank %.3f (train embedding)\nseconds     %.3f\n",
                    r.train_psnr, r.test_psnr, r.stable_rank, r.seconds);
    }
    if (!o.out.empty()) write_outputs(o, signal, sp, r);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return posenc::examples::run_main(argc, argv, kDescription, [&](CLI::App& app) { return run(app, argc, argv); });
}

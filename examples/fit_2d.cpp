// fit_2d — fit an image with a positional encoding + MLP (protocol C of docs/protocols.md, the paper's 2D
// experiment at reduced size), or the Kronecker encoding at depth 0 (protocol D).
//
//   fit_2d [--image PATH] [--size S] --encoder gaussian2|rff|complex_gaussian|NAME [--param P|auto] --dim D [--depth 4]
//          [--width 256] [--steps 500] [--lr 1e-3] [--beta1 0.9] [--beta2 0.999] [--eps 1e-8]
//          [--weight-decay 1e-8] [--output-activation sigmoid|none] [--seed K] [--closed-form] [--lambda L] [--chunk N]
//          [--criterion auto|thinned|variogram] [--json] [--out DIR] [--quiet]
//
// Image: RGB or grey in [0, 1] (a grey image stored as RGB is one channel), downsampled to S x S
// (f = min(h, w) / S, centred crop of f S, f x f block average); without --image the built-in
// procedural image. Pixel (r, c) is at (c / S, r / S); train = even r and even c, test = odd r and odd c.
// Encoder: gaussian2 = per-axis shifted Gaussian, D/2 shifts per axis; rff = D/2 random frequencies
// B ~ sigma N(0, I); any other make_encoder name is applied per axis (input_dim 2). One constant scale
// (unit norm at (0.5, 0.5)). Model: --depth ReLU hidden layers of --width, linear layer to C channels,
// sigmoid (--output-activation none: linear, predictions clipped to [0, 1] for the PSNR, as protocol E
// of docs/protocols.md asks). Fit: Adam (--lr, --beta1/--beta2 0.9/0.999, --eps 1e-8, L2
// --weight-decay 1e-8 added to the gradient: protocol C's defaults), MSE, full batch, float.
//
// --param auto (gaussian, gaussian2, triangle, complex_gaussian): the width recommended from the training
// pixels only for this very model (posenc::recommend_bandwidth, docs/theory.md §9); JSON "param" = the choice.
//
// --max-res auto / --log2-table auto (hashgrid): the finest resolution and the table size recommended
// from the training pixels' spacing (posenc::recommend_grid, docs/theory.md §11); JSON "max_resolution",
// "log2_table_size" and "grid_recommendation" (the evidence) report them.
//
// --closed-form (with --depth 0) solves the ridge problem (--lambda) for a linear output instead of
// running Adam; predictions are clipped to [0, 1]. The Kronecker ("complex") encodings (protocol D)
// plug in through fit_complex() below.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/cli.hpp"
#include "common/fit_common.hpp"
#include "common/grid_json.hpp"
#include "common/complex_fit.hpp"
#include "common/recommend.hpp"
#include "common/image.hpp"
#include "common/signals.hpp"
#include "posenc/analysis/grid_resolution.hpp"
#include "posenc/analysis/metrics.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/callbacks.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/solvers/ridge.hpp"
#include "posenc/nn/trainer.hpp"

namespace {

using namespace posenc;
using namespace posenc::examples;

constexpr double kDefaultDim = 1000;  ///< protocol C: D = 1000 (500 shifts per axis for gaussian2)
constexpr const char* kDescription =
    "Fit an image (protocol C): positional encoding + MLP (ReLU, sigmoid output) with Adam, or a closed form.\n"
    "The image is downsampled to S x S; train on even rows and columns, test on odd rows and columns.\n"
    "--dim defaults to 1000 (gaussian2: 500 shifts per axis); --seed also seeds the weight initialisation.";

/// Every command-line setting of fit_2d.
struct Options {
    std::string image;          ///< image file; empty = built-in procedural image
    int size = 128;             ///< S: the image is downsampled to S x S (protocol C reference: 128)
    EncoderOptions enc;         ///< --encoder --param --dim --periodic --seed (--offset for sine)
    int depth = 4;              ///< hidden layers
    int width = 256;            ///< hidden width
    int steps = 500;            ///< Adam steps
    double lr = 1e-3;           ///< Adam learning rate
    double weight_decay = 1e-8; ///< --weight-decay: Adam L2 weight decay (added to the gradient)
    double beta1 = 0.9;         ///< --beta1: Adam first-moment decay
    double beta2 = 0.999;       ///< --beta2: Adam second-moment decay (protocol E: 0.99)
    double eps = 1e-8;          ///< --eps: Adam epsilon (protocol E: 1e-15)
    std::string output_activation = "sigmoid";  ///< --output-activation: sigmoid (protocol C) or none (protocol E)
    bool closed_form = false;   ///< closed-form ridge fit (depth 0) instead of Adam
    double lambda = 1e-3;       ///< ridge penalty for --closed-form
    bool json = false;          ///< print one JSON object on stdout
    std::string out;            ///< output directory for the PNGs
    bool quiet = false;         ///< no progress line
    std::string first_layer = "auto";  ///< first-layer path: auto, dense, sparse
    int chunk = 0;              ///< points per forward/backward (0 = the whole batch at once)
    std::string crop;           ///< --crop X,Y,SIDE: a square of the image before downsampling
    bool grey = false;          ///< --grey: luma of an RGB image
    double blur = 0;            ///< --blur PX: Gaussian blur of the image (pixels) before the crop
    std::string criterion = "auto";  ///< --criterion: what ranks the widths of --param auto (auto, thinned, variogram)
};

/// What one fit produced.
struct Result {
    double train_psnr = 0, test_psnr = 0;  ///< PSNR (dB) on the train / test pixels
    double seconds = 0;                    ///< wall time of the fit (encoding + optimisation)
    double seconds_per_step = 0;           ///< seconds / steps (0 for closed forms)
    Mat<float> full;                       ///< prediction at every pixel (C x S*S, column r*S + c)
};

/// Values clipped to [0, 1] (what an 8-bit image can show; protocol D clips before the PSNR).
Mat<float> clip01(const Mat<float>& P) { return P.cwiseMax(0.0f).cwiseMin(1.0f); }

/// Protocol C: encoder (input_dim 2) + MLP fitted by Adam, or a depth-0 ridge fit with --closed-form.
Result fit_mlp(const Options& o, const Image& img, const Split& sp) {
    const AnyEncoder<float> enc = make_encoder<float>(spec_with_defaults(o.enc, 2, kDefaultDim));

    MlpConfig cfg;
    cfg.input_dim = enc.output_dim();
    cfg.output_dim = img.channels;
    cfg.width = o.width;
    cfg.depth = o.depth;
    cfg.hidden = ActivationSpec{Activation::ReLU};
    const bool linear_output = o.closed_form || o.output_activation == "none";
    cfg.output = ActivationSpec{linear_output ? Activation::Identity : Activation::Sigmoid};
    cfg.seed = init_seed(o.enc.seed);  // independent of the encoder's stream
    Model<float> model(enc, cfg, first_layer_path(o.first_layer));

    Result r;
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
        ao.beta1 = o.beta1;
        ao.beta2 = o.beta2;
        ao.eps = o.eps;
        Adam<float> adam(ao);
        TrainOptions to;
        to.steps = o.steps;
        to.chunk_size = o.chunk;
        ProgressOptions po;
        po.label = "fit_2d " + enc.name();
        if (!::isatty(2)) po.interval = 10.0;  // logs: a line every 10 s, not a redraw storm
        if (o.quiet)
            train(model, sp.x_train, sp.y_train, adam, to);
        else
            train(model, sp.x_train, sp.y_train, adam, to, Progress(po));
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.seconds_per_step = o.closed_form ? 0.0 : r.seconds / o.steps;

    auto predict = [&](const Mat<float>& X) {  // a linear output is clipped to [0, 1] (protocols D, E)
        Mat<float> P = model.predict(X);
        return linear_output ? clip01(P) : P;
    };
    r.train_psnr = metrics::psnr(predict(sp.x_train), sp.y_train);
    r.test_psnr = metrics::psnr(predict(sp.x_test), sp.y_test);
    if (!o.out.empty()) r.full = predict(grid_coordinates(img.height, img.width));
    return r;
}

/// True for the Kronecker ("complex") encoder names of issue 7, which fit_complex() handles.
bool is_complex_encoder(const std::string& name) { return name.rfind("complex_", 0) == 0; }

/// Hook for the Kronecker ("complex") encoding of issue 7 (protocol D): `--encoder complex_gaussian
/// --param SIGMA --dim D --depth 0 --closed-form --lambda L` (D = shifts per axis) fits
/// Y = Py W Px^T on the S x S grid without forming the D^2 features, and --steps N without
/// --closed-form runs Adam on W. It must fill the same Result (train/test PSNR, seconds,
/// seconds_per_step, and `full` when --out is given) from `img` (S x S) and `sp` (the protocol C split).
Result fit_complex(const Options& o, const Image& img, const Split& sp) {
    (void)sp;  // protocol D uses the same even/odd split, on the grid (common/complex_fit.hpp)
    if (o.enc.encoder != "complex_gaussian")
        throw Error("unknown encoder \"" + o.enc.encoder + "\" (the Kronecker encoder is complex_gaussian)");
    if (o.depth != 0) throw Error("--encoder complex_gaussian needs --depth 0 (got " + std::to_string(o.depth) + ")");
    if (!o.enc.has_param()) throw Error("--encoder complex_gaussian needs --param SIGMA");
    ComplexFitOptions co;
    co.sigma = o.enc.param;
    co.dim = o.enc.dim > 0 ? Index(o.enc.dim) : Index(img.width);  // D = shifts per axis (default S)
    co.closed_form = o.closed_form;
    co.lambda = o.lambda;
    co.steps = o.steps;
    co.lr = o.lr;
    const ComplexFitResult c = complex_fit(img, co);
    Result r;
    r.train_psnr = c.train_psnr;
    r.test_psnr = c.test_psnr;
    r.seconds = c.seconds;
    r.seconds_per_step = c.seconds_per_step;
    if (!o.out.empty()) r.full = c.full;
    return r;
}

/// --max-res auto / --log2-table auto: recommend_grid() on the train pixels with the grid flags given
/// (levels, features, base resolution, interpolation, alignment; a given --max-res is kept), then
/// written back into the flags so that spec() builds the recommended grid.
GridRecommendation recommend_grid_for(Options& o, const Split& sp) {
    GridRecommendSettings s;
    GridConfig& c = s.base;
    c.input_dim = 2;
    auto given = [&](std::size_t i) { return o.enc.grid_opts.size() > i && o.enc.grid_opts[i]->count() > 0; };
    if (given(0)) c.levels = o.enc.levels;
    if (given(1)) c.features = o.enc.features;
    if (given(3)) c.base_resolution = o.enc.base_res;
    c.interpolation = grid_interpolation_from_name(o.enc.interpolation);
    c.alignment = grid_alignment_from_name(o.enc.grid_alignment);
    if (!o.enc.max_res_auto && given(4)) s.max_resolution = o.enc.max_res;
    if (!o.enc.log2_table_auto && given(2)) s.min_log2_table = s.max_log2_table = o.enc.log2_table;
    const GridRecommendation r = recommend_grid<float>(sp.x_train, s);
    if (o.enc.max_res_auto) o.enc.max_res = r.max_resolution;
    if (o.enc.log2_table_auto) o.enc.log2_table = r.log2_table_size;
    o.enc.max_res_auto = o.enc.log2_table_auto = false;
    return r;
}

/// --param auto: the width recommended from the training split only (posenc::recommend_bandwidth) for
/// this model: protocol D (complex_gaussian: Kronecker, D shifts per axis, clipped) or the per-axis
/// encoder + MLP / closed form.
BandwidthRecommendation recommend(const Options& o, const Image& img, const Split& sp) {
    const bool complex = is_complex_encoder(o.enc.encoder);
    RecommendSettings rs = recommend_settings(
        o, 2, o.enc.dim > 0 ? Index(o.enc.dim) : complex ? Index(img.width) : Index(kDefaultDim));
    if (complex) rs.model.weight_decay = 0.0;  // complex_fit's Adam has no weight decay
    rs.linear_output = o.output_activation == "none";
    rs.search.criterion = bandwidth_criterion_from_name(o.criterion);
    return recommend_for(rs, sp);
}

/// Mean absolute error per pixel over the channels, as a grey image scaled so that an error of 0.25
/// (a quarter of the range) or more is white.
Image error_map(const Image& target, const Image& pred) {
    Image e(target.height, target.width, 1);
    for (int r = 0; r < target.height; ++r)
        for (int c = 0; c < target.width; ++c) {
            double s = 0;
            for (int k = 0; k < target.channels; ++k) s += std::abs(double(pred.at(r, c, k)) - target.at(r, c, k));
            e.at(r, c, 0) = float(std::min(1.0, 4.0 * s / target.channels));
        }
    return e;
}

/// DIR/target.png (the S x S target), DIR/reconstruction.png (prediction at every pixel) and
/// DIR/error.png (see error_map).
void write_outputs(const Options& o, const Image& img, const Result& r) {
    const std::filesystem::path dir(o.out);
    ensure_directory(dir);
    const Image pred = Image::from_columns(r.full, img.height, img.width);
    write_png(dir / "target.png", img);
    write_png(dir / "reconstruction.png", pred);
    write_png(dir / "error.png", error_map(img, pred));
    std::cerr << "fit_2d: wrote " << (dir / "target.png").string() << ", " << (dir / "reconstruction.png").string()
              << ", " << (dir / "error.png").string() << " (error x4, white = 0.25 or more)\n";
}

int run(CLI::App& app, int argc, char** argv) {
    Options o;
    o.enc.extra_encoders = "complex_gaussian";  // handled by fit_complex(), not the factory
    app.add_option("--image", o.image, "image file (PNG, JPEG, ...); default: built-in procedural image");
    app.add_option("--size", o.size, "downsample to S x S (protocol C)")->capture_default_str();
    app.add_option("--crop", o.crop, "X,Y,SIDE: use the SIDE x SIDE square at column X, row Y of the image");
    app.add_flag("--grey", o.grey, "use the luma (BT.601) of an RGB image");
    app.add_option("--blur", o.blur, "PX: blur the image with a Gaussian of PX pixels before --crop (a smooth signal)");
    o.enc.add_to(app, /*dim_required=*/false);
    app.add_option("--depth", o.depth, "hidden layers (0 = one linear layer)")->capture_default_str();
    app.add_option("--width", o.width, "units per hidden layer")->capture_default_str();
    app.add_option("--steps", o.steps, "Adam steps")->capture_default_str();
    app.add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
    app.add_option("--beta1", o.beta1, "Adam first-moment decay, in [0, 1)")->capture_default_str();
    app.add_option("--beta2", o.beta2, "Adam second-moment decay, in [0, 1)")->capture_default_str();
    app.add_option("--eps", o.eps, "Adam epsilon, >= 0")->capture_default_str();
    app.add_option("--weight-decay", o.weight_decay, "Adam L2 weight decay, >= 0")->capture_default_str();
    app.add_option("--output-activation", o.output_activation,
                   "activation of the last layer: sigmoid or none (linear; predictions clipped to [0, 1] for the PSNR)")
        ->capture_default_str();
    app.add_flag("--closed-form", o.closed_form, "closed-form ridge fit (depth 0) instead of Adam");
    app.add_option("--lambda", o.lambda, "ridge penalty for --closed-form")->capture_default_str();
    app.add_option("--criterion", o.criterion,
                   "--param auto: what ranks the widths: auto, thinned or variogram (posenc::BandwidthCriterion)")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "thinned", "variogram"}));
    app.add_flag("--json", o.json, "print one JSON object on stdout");
    app.add_option("--out", o.out, "directory for target.png, reconstruction.png and error.png");
    app.add_flag("--quiet", o.quiet, "no progress line on stderr");
    app.add_option("--first-layer", o.first_layer,
                   "first layer: auto (sparse windows when the encoder has them and they are narrow), dense, "
                   "sparse (needs a compact-support encoder)")
        ->capture_default_str();
    app.add_option("--chunk", o.chunk,
                   "points per forward/backward; each full-batch step sums the chunks' gradients "
                   "(same fit to rounding, less memory); 0 = all at once")
        ->capture_default_str();
    app.parse(argc, argv);

    if (o.chunk < 0) throw Error("--chunk must be >= 0 (got " + std::to_string(o.chunk) + ")");
    if (o.size <= 0) throw Error("--size must be > 0 (got " + std::to_string(o.size) + ")");
    if (o.depth < 0) throw Error("--depth must be >= 0 (got " + std::to_string(o.depth) + ")");
    if (o.width <= 0) throw Error("--width must be > 0 (got " + std::to_string(o.width) + ")");
    if (o.steps <= 0) throw Error("--steps must be > 0 (got " + std::to_string(o.steps) + ")");
    if (!(o.lr > 0) || !std::isfinite(o.lr)) throw Error("--lr must be finite and > 0");
    if (!(o.lambda >= 0) || !std::isfinite(o.lambda)) throw Error("--lambda must be finite and >= 0");
    if (!(o.beta1 >= 0 && o.beta1 < 1)) throw Error("--beta1 must be in [0, 1) (got " + std::to_string(o.beta1) + ")");
    if (!(o.beta2 >= 0 && o.beta2 < 1)) throw Error("--beta2 must be in [0, 1) (got " + std::to_string(o.beta2) + ")");
    if (!(o.eps >= 0) || !std::isfinite(o.eps)) throw Error("--eps must be finite and >= 0");
    if (!(o.weight_decay >= 0) || !std::isfinite(o.weight_decay)) throw Error("--weight-decay must be finite and >= 0");
    if (o.output_activation != "sigmoid" && o.output_activation != "none")
        throw Error("--output-activation must be sigmoid or none (got \"" + o.output_activation + "\")");

    const Image source = o.image.empty() ? default_image_2d(256) : load_image(o.image);
    const Image img = prepare_image(source, o.blur, o.crop, o.grey, o.size);
    const Split sp = split_2d(img);
    if (o.enc.encoder == "hashgrid" && o.enc.dim_opt && o.enc.dim_opt->count())
        throw Error("--dim does not apply to --encoder hashgrid (its output is levels x features)");
    if (o.enc.encoder == "hashgrid" && o.enc.periodic) throw Error("--periodic does not apply to --encoder hashgrid");
    const bool auto_grid = o.enc.max_res_auto || o.enc.log2_table_auto;
    GridRecommendation grid_rec;
    if (auto_grid) {
        if (o.enc.encoder != "hashgrid")
            throw Error(std::string(o.enc.max_res_auto ? "--max-res" : "--log2-table") +
                        " auto only applies to --encoder hashgrid (got " + o.enc.encoder + ")");
        grid_rec = recommend_grid_for(o, sp);
        if (!o.quiet && !o.json)
            std::fprintf(stderr, "fit_2d: hashgrid: max_resolution %g, log2_table_size %lld (%s)\n",
                         grid_rec.max_resolution, (long long)grid_rec.log2_table_size, grid_rec.rule.c_str());
    }
    const bool auto_param = o.enc.param_auto;
    if (!auto_param && o.criterion != "auto") throw Error("--criterion is for --param auto");
    std::string used_criterion;
    if (o.enc.param_auto) {
        if (o.closed_form && o.depth != 0)
            throw Error("--closed-form needs --depth 0 (got " + std::to_string(o.depth) + ")");
        const BandwidthRecommendation rec = recommend(o, img, sp);
        o.enc.param = rec.param;
        o.enc.param_auto = false;
        used_criterion = rec.criterion;
        if (!o.quiet && !o.json)
            std::fprintf(stderr, "fit_2d: --param auto: %s = %.4g (stable rank %.1f, DP half-width %.2f x spacing)\n",
                         rec.parameter.c_str(), rec.param, rec.stable_rank, rec.half_width_over_spacing);
    }
    const Result r = is_complex_encoder(o.enc.encoder) ? fit_complex(o, img, sp) : fit_mlp(o, img, sp);

    if (o.json) {
        nlohmann::json j;
        j["train_psnr"] = r.train_psnr;
        j["test_psnr"] = r.test_psnr;
        if (auto_param) j["param"] = o.enc.param;  // --param auto: the chosen value
        if (auto_param) j["criterion"] = used_criterion;
        if (auto_grid) {  // --max-res auto / --log2-table auto: the chosen values and their evidence
            j["max_resolution"] = grid_rec.max_resolution;
            j["log2_table_size"] = grid_rec.log2_table_size;
            j["grid_recommendation"] = grid_evidence_json(grid_rec);
        }
        j["seconds"] = r.seconds;
        j["seconds_per_step"] = r.seconds_per_step;
        std::cout << j.dump() << std::endl;
    } else {
        std::printf("image       %s, %d x %d x %d\n", o.image.empty() ? "built-in" : o.image.c_str(), img.height,
                    img.width, img.channels);
        std::printf("encoder     %s\n", o.enc.encoder.c_str());
        std::printf("train PSNR  %.2f dB\ntest PSNR   %.2f dB\nseconds     %.3f (%.4f per step)\n", r.train_psnr,
                    r.test_psnr, r.seconds, r.seconds_per_step);
    }
    if (!o.out.empty()) write_outputs(o, img, r);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return posenc::examples::run_main(argc, argv, kDescription, [&](CLI::App& app) { return run(app, argc, argv); });
}

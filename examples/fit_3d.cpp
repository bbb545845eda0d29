// fit_3d — fit a 3D field (a truncated signed distance field of a torus or a sphere) with a
// multiresolution hash grid (input_dim 3) + MLP and Adam, and test it on held-out points.
//
//   fit_3d [--shape torus|sphere] [--res R] [--test-points N] [--truncation T]
//          [--encoder hashgrid] [--levels L] [--features F] [--log2-table K] [--base-res N] [--max-res N]
//          [--per-level-scale B] [--interpolation linear|smoothstep|nearest] [--grid-alignment vertex|tcnn]
//          [--depth 2] [--width 64] [--steps 300] [--lr 1e-2] [--beta1 0.9] [--beta2 0.99] [--eps 1e-15]
//          [--seed K] [--threads N] [--json] [--quiet]
//
// Field: the signed distance d(p) of the shape centred at (0.5, 0.5, 0.5) (torus: major radius 0.25,
// minor 0.1, around the y axis; sphere: radius 0.3), truncated and mapped to [0, 1]:
// y = clamp(0.5 + d / (2 T), 0, 1) (T = --truncation, default 0.1; 0.5 on the surface). Train: the R^3
// lattice of cell centres (i + 0.5) / R. Test: N points uniform in [0, 1]^3 (Rng(seed + 1)), off the
// lattice. Model: the encoder (default hashgrid: 8 levels, 2 features, 2^15 entries per level, N_min 4,
// N_max 64, vertex alignment, unless the grid flags say otherwise; any factory encoder with input_dim 3
// works too) + --depth ReLU layers of --width + a linear output. Fit: Adam (instant-NGP's betas 0.9 /
// 0.99, eps 1e-15, lr 1e-2), MSE, full batch, float; the grid's table is trained with the network.
// Metrics: MSE and PSNR (peak 1) on the train lattice and the test points. --json prints one object:
//   {"shape", "res", "train_points", "test_points", "truncation", "encoder" (the spec), "dim", "depth",
//    "width", "steps", "train_mse", "test_mse", "train_psnr", "test_psnr", "seconds", "seconds_per_step"}
// Errors: one line on stderr, exit 2.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/cli.hpp"
#include "common/fit_common.hpp"
#include "posenc/analysis/metrics.hpp"
#include "posenc/core/random.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/callbacks.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/trainer.hpp"

namespace {

using namespace posenc;
using namespace posenc::examples;

constexpr const char* kDescription =
    "Fit a 3D truncated signed distance field (torus or sphere) with a hash grid (input_dim 3) + MLP and Adam;\n"
    "train on the R^3 lattice of cell centres, test on uniform random points. --json: one object with metrics.\n"
    "Grid defaults here (where the flags say nothing): 8 levels, 2 features, 2^15 entries, N_min 4, N_max 64, vertex.";

/// Every command-line setting of fit_3d.
struct Options {
    std::string shape = "torus";  ///< torus or sphere
    int res = 24;                 ///< R: train lattice R^3
    int test_points = 4096;       ///< held-out uniform points
    double truncation = 0.1;      ///< T of the truncated SDF
    EncoderOptions enc;           ///< --encoder (default hashgrid) and the grid flags
    int depth = 2;                ///< hidden layers
    int width = 64;               ///< hidden width
    int steps = 300;              ///< Adam steps
    double lr = 1e-2;             ///< Adam learning rate
    double beta1 = 0.9, beta2 = 0.99, eps = 1e-15;  ///< Adam moments (instant-NGP's)
    bool json = false;            ///< one JSON object on stdout
    bool quiet = false;           ///< no progress line
};

/// Signed distance of p to the shape centred at (0.5, 0.5, 0.5).
double sdf(const std::string& shape, double x, double y, double z) {
    x -= 0.5;
    y -= 0.5;
    z -= 0.5;
    if (shape == "sphere") return std::sqrt(x * x + y * y + z * z) - 0.3;
    const double q = std::sqrt(x * x + z * z) - 0.25;  // torus around the y axis
    return std::sqrt(q * q + y * y) - 0.1;
}

/// The target y = clamp(0.5 + d / (2 T), 0, 1) at the columns of X (3 x N).
Mat<float> field(const Options& o, const Mat<float>& X) {
    Mat<float> Y(1, X.cols());
    for (Index n = 0; n < X.cols(); ++n) {
        const double d = sdf(o.shape, X(0, n), X(1, n), X(2, n));
        Y(0, n) = float(std::clamp(0.5 + d / (2.0 * o.truncation), 0.0, 1.0));
    }
    return Y;
}

/// The encoder spec: --encoder (input_dim 3) with fit_3d's grid defaults for what the flags leave open.
EncoderSpec encoder_spec(const Options& o) {
    EncoderSpec s = spec_with_defaults(o.enc, 3, 256);
    if (o.enc.encoder == "hashgrid") {
        auto set_default = [&](const char* key, double v) {
            if (!s.params.count(key)) s.params[key] = v;
        };
        set_default("levels", 8);
        set_default("log2_table_size", 15);
        set_default("base_resolution", 4);
        if (!s.params.count("per_level_scale")) set_default("max_resolution", 64);
    }
    return s;
}

int run(CLI::App& app, int argc, char** argv) {
    Options o;
    o.enc.encoder = "hashgrid";
    app.add_option("--shape", o.shape, "torus or sphere")->capture_default_str();
    app.add_option("--res", o.res, "train lattice R^3 (cell centres)")->capture_default_str();
    app.add_option("--test-points", o.test_points, "held-out uniform random points")->capture_default_str();
    app.add_option("--truncation", o.truncation, "SDF truncation T: y = clamp(0.5 + d / (2 T), 0, 1)")
        ->capture_default_str();
    o.enc.add_to(app, /*dim_required=*/false);
    o.enc.encoder_opt->required(false);  // default hashgrid
    app.add_option("--depth", o.depth, "hidden layers")->capture_default_str();
    app.add_option("--width", o.width, "units per hidden layer")->capture_default_str();
    app.add_option("--steps", o.steps, "Adam steps")->capture_default_str();
    app.add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
    app.add_option("--beta1", o.beta1, "Adam first-moment decay, in [0, 1)")->capture_default_str();
    app.add_option("--beta2", o.beta2, "Adam second-moment decay, in [0, 1)")->capture_default_str();
    app.add_option("--eps", o.eps, "Adam epsilon, >= 0")->capture_default_str();
    app.add_flag("--json", o.json, "print one JSON object on stdout");
    app.add_flag("--quiet", o.quiet, "no progress line on stderr");
    ThreadOption threads;
    threads.add_to(app);
    app.parse(argc, argv);
    threads.apply();

    if (o.shape != "torus" && o.shape != "sphere") throw Error("--shape must be torus or sphere (got \"" + o.shape + "\")");
    if (o.res < 2 || o.res > 256) throw Error("--res must be in [2, 256] (got " + std::to_string(o.res) + ")");
    if (o.test_points < 1 || o.test_points > (1 << 22))
        throw Error("--test-points must be in [1, 2^22] (got " + std::to_string(o.test_points) + ")");
    if (!(o.truncation > 0) || !std::isfinite(o.truncation)) throw Error("--truncation must be finite and > 0");
    if (o.depth < 0) throw Error("--depth must be >= 0 (got " + std::to_string(o.depth) + ")");
    if (o.width <= 0) throw Error("--width must be > 0 (got " + std::to_string(o.width) + ")");
    if (o.steps <= 0) throw Error("--steps must be > 0 (got " + std::to_string(o.steps) + ")");
    if (!(o.lr > 0) || !std::isfinite(o.lr)) throw Error("--lr must be finite and > 0");
    if (!(o.beta1 >= 0 && o.beta1 < 1)) throw Error("--beta1 must be in [0, 1) (got " + std::to_string(o.beta1) + ")");
    if (!(o.beta2 >= 0 && o.beta2 < 1)) throw Error("--beta2 must be in [0, 1) (got " + std::to_string(o.beta2) + ")");
    if (!(o.eps >= 0) || !std::isfinite(o.eps)) throw Error("--eps must be finite and >= 0");
    if (o.enc.encoder == "hashgrid" && o.enc.dim_opt->count())
        throw Error("--dim does not apply to --encoder hashgrid (its output is levels x features: --levels, --features)");
    if (o.enc.encoder == "hashgrid" && o.enc.periodic) throw Error("--periodic does not apply to --encoder hashgrid");

    const EncoderSpec spec = encoder_spec(o);
    const AnyEncoder<float> enc = make_encoder<float>(spec);
    if (enc.input_dim() != 3)
        throw Error("--encoder: fit_3d needs an encoder of 3 coordinates (\"" + o.enc.encoder + "\" takes " +
                    std::to_string(enc.input_dim()) + ")");

    // train: the R^3 lattice of cell centres; test: uniform random points
    const Index R = o.res, N = R * R * R;
    Mat<float> x_train(3, N);
    for (Index k = 0; k < R; ++k)
        for (Index j = 0; j < R; ++j)
            for (Index i = 0; i < R; ++i) {
                const Index n = (k * R + j) * R + i;
                x_train(0, n) = float((double(i) + 0.5) / double(R));
                x_train(1, n) = float((double(j) + 0.5) / double(R));
                x_train(2, n) = float((double(k) + 0.5) / double(R));
            }
    Rng rng(o.enc.seed + 1);
    Mat<float> x_test(3, o.test_points);
    for (Index i = 0; i < x_test.size(); ++i) x_test.data()[i] = float(rng.uniform());
    const Mat<float> y_train = field(o, x_train), y_test = field(o, x_test);

    MlpConfig cfg;
    cfg.input_dim = enc.output_dim();
    cfg.output_dim = 1;
    cfg.width = o.width;
    cfg.depth = o.depth;
    cfg.hidden = ActivationSpec{Activation::ReLU};
    cfg.output = ActivationSpec{Activation::Identity};
    cfg.seed = init_seed(o.enc.seed);
    Model<float> model(enc, cfg);

    AdamOptions ao;
    ao.lr = o.lr;
    ao.beta1 = o.beta1;
    ao.beta2 = o.beta2;
    ao.eps = o.eps;
    ao.weight_decay = 0;
    Adam<float> adam(ao);
    TrainOptions to;
    to.steps = o.steps;
    const auto t0 = std::chrono::steady_clock::now();
    if (o.quiet) {
        train(model, x_train, y_train, adam, to);
    } else {
        ProgressOptions po;
        po.label = "fit_3d " + enc.name();
        if (!::isatty(2)) po.interval = 10.0;
        train(model, x_train, y_train, adam, to, Progress(po));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    auto mse = [](const Mat<float>& P, const Mat<float>& Y) { return double((P - Y).squaredNorm()) / double(Y.size()); };
    const Mat<float> p_train = model.predict(x_train), p_test = model.predict(x_test);
    const double train_mse = mse(p_train, y_train), test_mse = mse(p_test, y_test);
    const double train_psnr = metrics::psnr(p_train, y_train), test_psnr = metrics::psnr(p_test, y_test);

    if (o.json) {
        nlohmann::json j;
        j["shape"] = o.shape;
        j["res"] = o.res;
        j["train_points"] = N;
        j["test_points"] = o.test_points;
        j["truncation"] = o.truncation;
        j["encoder"] = nlohmann::json::parse(to_string(enc.spec()));
        j["dim"] = enc.output_dim();
        j["depth"] = o.depth;
        j["width"] = o.width;
        j["steps"] = o.steps;
        j["train_mse"] = train_mse;
        j["test_mse"] = test_mse;
        j["train_psnr"] = train_psnr;
        j["test_psnr"] = test_psnr;
        j["seconds"] = seconds;
        j["seconds_per_step"] = seconds / o.steps;
        std::cout << j.dump() << std::endl;
    } else {
        std::printf("field       %s, truncated SDF (T = %g), train %d^3 = %ld lattice points, test %d random points\n",
                    o.shape.c_str(), o.truncation, o.res, long(N), o.test_points);
        std::printf("encoder     %s (%ld features)\n", to_string(enc.spec()).c_str(), long(enc.output_dim()));
        std::printf("model       depth %d, width %d, %d Adam steps (lr %g)\n", o.depth, o.width, o.steps, o.lr);
        std::printf("train MSE   %.3e  PSNR %.2f dB\ntest MSE    %.3e  PSNR %.2f dB\nseconds     %.3f (%.4f per step)\n",
                    train_mse, train_psnr, test_mse, test_psnr, seconds, seconds / o.steps);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return posenc::examples::run_main(argc, argv, kDescription, [&](CLI::App& app) { return run(app, argc, argv); });
}

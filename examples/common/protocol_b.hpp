// examples/common/protocol_b.hpp — what the 1D paper examples (demo, sigma_sweep_1d, rff_vs_gaussian,
// layer_stable_rank) share for protocol B of the paper (docs/protocols.md):
//
//  * ProtocolBOptions: the flags --image PATH --row R (the signal), --steps --lr (Adam), --quick --json
//    --out DIR --quiet --threads N (the run), their checks and the signal they select;
//  * fit_linear(): one linear layer with bias on top of an encoder, Adam (weight decay 1e-8), full
//    batch, MSE - the protocol-B model;
//  * measure_linear_fit(): fit_linear() from a spec, plus the protocol-B numbers of one table row
//    (stable rank of the train embedding, DP half width, train / test PSNR, seconds);
//  * psnr_db() and kernel_matched_sigma_b().
// fit_linear() and measure_linear_fit() are defined in protocol_b.cpp (posenc_examples_lib).
//
// Usage:
//
//     ProtocolBOptions pb;
//     pb.add_signal_options(app);
//     app.add_option("--sigma", ...);                       // the example's own flags
//     pb.add_run_options(app, 1000, "quick: ...", "chart directory (...)");
//     app.parse(argc, argv);
//     if (pb.quick && !pb.steps_given()) pb.steps = 300;
//     pb.check();                                           // posenc::Error naming the flag
//     pb.threads.apply();                                   // OpenMP threads (default 1)
//     const Split sp = split_1d(pb.signal());
//     const Model<float> m = fit_linear(make_encoder<float>(spec), sp, pb.steps, pb.lr);
#pragma once
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

#include "common/cli.hpp"
#include "common/image.hpp"
#include "common/signals.hpp"
#include "posenc/core/error.hpp"
#include "posenc/analysis/distance_preservation.hpp"
#include "posenc/analysis/stable_rank.hpp"
#include "posenc/analysis/windowed_gram.hpp"
#include "posenc/encoding/any_encoder.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/trainer.hpp"

namespace posenc::examples {

/// PSNR in dB of the prediction P against the target Y (values in [0, 1]): -10 log10(mean squared error),
/// accumulated in double.
inline double psnr_db(const Mat<float>& P, const Mat<float>& Y) {
    return -10.0 * std::log10((P.cast<double>() - Y.cast<double>()).squaredNorm() / double(Y.size()));
}

/// The RFF frequency scale whose expected kernel is the Gaussian of width sigma (protocol B):
/// sigma_b = 1 / (2 sqrt(2) pi sigma).
inline double kernel_matched_sigma_b(double sigma) { return 1.0 / (2.0 * std::sqrt(2.0) * std::numbers::pi * sigma); }

/// Protocol-B model fit: `enc` -> one linear layer with bias (PyTorch default init, seeded by `seed`),
/// Adam with learning rate `lr` and weight decay 1e-8, full batch, MSE, `steps` steps on the train split;
/// first-layer path chosen by Model's Auto.
Model<float> fit_linear(const AnyEncoder<float>& enc, const Split& sp, int steps, double lr,
                        std::uint64_t seed = MlpConfig{}.seed);

/// A protocol-B fit and its numbers.
struct LinearFit {
    Model<float> model;     ///< the fitted model
    double srank = 0;       ///< stable rank of the train embedding (computed in double)
    double half = 0;        ///< DP half width around x0 = 0.5 (201 protocol offsets)
    double train_psnr = 0;  ///< PSNR on the train split (dB)
    double test_psnr = 0;   ///< PSNR on the test split (dB)
    double seconds = 0;     ///< wall time of building the encoder and fitting
};

/// Builds the encoder of `spec`, fits it with fit_linear() and measures it: train / test PSNR, the
/// stable rank of the (double-precision) train embedding (embedding_stable_rank: from the windowed Gram
/// matrix when the encoder has windows, else dense) and the DP half width at x0 = 0.5.
LinearFit measure_linear_fit(const EncoderSpec& spec, const Split& sp, int steps, double lr,
                             std::uint64_t seed = MlpConfig{}.seed);

/// The command-line settings shared by the protocol-B examples (signal, Adam, run / output flags).
struct ProtocolBOptions {
    std::string image;   ///< --image PATH: image file; empty = built-in signal
    int row = 256;       ///< --row R: image row (0-based)
    int steps = 1000;    ///< --steps: Adam steps per fit
    double lr = 1e-3;    ///< --lr: Adam learning rate
    bool quick = false;  ///< --quick: a small run
    bool json = false;   ///< --json: one JSON object on stdout
    std::string out;     ///< --out DIR: chart directory (empty = no charts)
    bool quiet = false;  ///< --quiet: no progress on stderr
    ThreadOption threads;  ///< --threads N: OpenMP threads

    CLI::Option* row_opt = nullptr;    ///< set by add_signal_options()
    CLI::Option* steps_opt = nullptr;  ///< set by add_run_options()

    /// Adds --image and --row.
    void add_signal_options(CLI::App& app) {
        app.add_option("--image", image, "image file (at least 512 pixels wide); default: built-in signal");
        row_opt = app.add_option("--row", row, "image row to fit (0-based)")->capture_default_str();
    }

    /// Adds --steps (default `default_steps`), --lr, --quick (help `quick_help`), --json, --out (help
    /// `out_help`), --quiet and --threads.
    void add_run_options(CLI::App& app, int default_steps, const std::string& quick_help, const std::string& out_help) {
        steps = default_steps;
        steps_opt = app.add_option("--steps", steps, "Adam steps per fit")->capture_default_str();
        app.add_option("--lr", lr, "Adam learning rate")->capture_default_str();
        app.add_flag("--quick", quick, quick_help);
        app.add_flag("--json", json, "print one JSON object on stdout");
        app.add_option("--out", out, out_help);
        app.add_flag("--quiet", quiet, "no progress on stderr");
        threads.add_to(app);
    }

    /// True when --steps was given on the command line.
    bool steps_given() const { return steps_opt && steps_opt->count() > 0; }

    /// Checks the shared settings and creates the --out directory (so that an unusable one fails before
    /// any output is printed); throws posenc::Error naming the flag or the directory.
    void check() const {
        if (steps_opt && steps <= 0) throw Error("--steps must be > 0 (got " + std::to_string(steps) + ")");
        if (steps_opt && (!(lr > 0) || !std::isfinite(lr))) throw Error("--lr must be finite and > 0");
        if (row_opt && row_opt->count() && image.empty()) throw Error("--row needs --image");
        if (!out.empty()) ensure_directory(out);
    }

    /// The 512-sample signal: the first 512 pixels of row --row of --image (grey, /255), or the built-in one.
    std::vector<float> signal() const {
        return image.empty() ? default_signal_1d(512) : image_row(load_image(image), row, 512);
    }
};

}  // namespace posenc::examples

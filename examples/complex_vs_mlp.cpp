// complex_vs_mlp — time-to-PSNR on one image: the Kronecker ("complex") encoding with a depth-0 model
// (separable closed form, protocol D; and Adam on the separable gradient) against gaussian2 + a 4 x 256
// ReLU MLP trained with Adam (protocol C; protocols: docs/protocols.md). The headline comparison of the
// ECCV'22 follow-up ("Trading Positional Complexity vs Deepness in Coordinate Networks").
//
//   complex_vs_mlp [--image PATH] [--size 128] [--dim D] [--sigma S] [--lambda 0.1] [--complex-steps 500]
//                  [--complex-lr 1e-3] [--mlp-sigma 0.01] [--mlp-dim 1000] [--steps 500] [--width 256]
//                  [--depth 4] [--lr 1e-3] [--seed 0] [--eval-every 10] [--target DB] [--quick]
//                  [--json] [--out DIR] [--quiet]
//                  [--kron-mlp [--kron-dim 64] [--kron-sigma S] [--kron-width 256] [--kron-depth 1]
//                              [--kron-steps 500] [--kron-lr 1e-3]]
//
// Image and split as in fit_2d (S x S, train = even rows and columns, test = odd rows and columns; the
// built-in procedural image without --image). Complex: per-axis Gaussian basis, D shifts (default S),
// sigma default 2 / S, not rescaled; Y = Py^T W Px per channel (never the D^2 features); predictions
// clipped to [0, 1]. MLP: gaussian2 with --mlp-dim features (D/2 shifts per axis), unit norm at the
// centre, --depth x --width ReLU, sigmoid output, Adam, full batch, float.
//
// Time-to-PSNR: the Adam runs evaluate the test PSNR every --eval-every steps (evaluation time is not
// counted); "to target" is the fit time at which the test PSNR first reached --target (default: the
// closed form's test PSNR - 0.5 dB), "-" / null if never. Writes DIR/target.png and one reconstruction per
// method (complex_closed_form.png, complex_adam.png, mlp.png) to --out (default out/complex_vs_mlp).
//
// --kron-mlp adds a fourth method (kron_mlp.png): the ECCV'22 Kron-MLP, a Gaussian basis of --kron-dim
// shifts per axis whose D^2 Kronecker features feed a first layer of --kron-width units computed as
// Py^T W_k Px per unit (nn/first_layer/kron_grid.hpp: never the features), then --kron-depth - 1 more ReLU
// layers and a sigmoid output; Adam, full batch, float.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/cli.hpp"
#include "common/complex_fit.hpp"
#include "common/image.hpp"
#include "common/signals.hpp"
#include "posenc/analysis/metrics.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/callbacks.hpp"
#include "posenc/nn/first_layer/kron_grid.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/trainer.hpp"

namespace {

using namespace posenc;
using namespace posenc::examples;

constexpr const char* kDescription =
    "Time-to-PSNR on one image: Kronecker (complex) encoding with a depth-0 model (closed form and Adam)\n"
    "against gaussian2 + a 4 x 256 MLP (Adam). Prints a table (method, test PSNR, seconds, time to the\n"
    "target PSNR) and writes the reconstructions as PNG.";

/// Short text of a number for messages and labels ("0.01", "1e-05").
std::string num(double x) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", x);
    return b;
}

/// Every command-line setting.
struct Options {
    std::string image;            ///< image file; empty = built-in procedural image
    int size = 128;               ///< S
    int dim = 0;                  ///< complex: shifts per axis (0 = S)
    double sigma = 0;             ///< complex: Gaussian width (0 = 2 / S)
    double lambda = 0.1;          ///< complex closed form ridge
    int complex_steps = 500;      ///< complex + Adam steps
    double complex_lr = 1e-3;     ///< complex + Adam learning rate
    double mlp_sigma = 0.01;      ///< gaussian2 sigma (protocol C's best at S = 128)
    int mlp_dim = 1000;           ///< gaussian2 features (D/2 shifts per axis)
    int steps = 500;              ///< MLP Adam steps
    int width = 256;              ///< MLP width
    int depth = 4;                ///< MLP hidden layers
    double lr = 1e-3;             ///< MLP learning rate
    std::uint64_t seed = 0;       ///< MLP weight initialisation seed
    int eval_every = 10;          ///< steps between test-PSNR evaluations of the Adam runs
    double target = std::numeric_limits<double>::quiet_NaN();  ///< target test PSNR (NaN = closed form - 0.5)
    bool kron_mlp = false;        ///< also run the Kron-MLP (Kronecker first layer + MLP)
    int kron_dim = 64;            ///< Kron-MLP: shifts per axis
    double kron_sigma = 0;        ///< Kron-MLP: Gaussian width (0 = 2 / S)
    int kron_width = 256;         ///< Kron-MLP: units of the Kronecker first layer and later hidden layers
    int kron_depth = 1;           ///< Kron-MLP: hidden layers including the Kronecker first layer
    int kron_steps = 500;         ///< Kron-MLP: Adam steps
    double kron_lr = 1e-3;        ///< Kron-MLP: learning rate
    bool quick = false;           ///< small smoke run
    bool json = false;            ///< one JSON object on stdout
    std::string out = "out/complex_vs_mlp";  ///< PNG directory
    bool quiet = false;           ///< no progress on stderr
};

/// One row of the table.
struct Row {
    std::string method;                         ///< complex_closed_form, complex_adam, mlp
    std::string settings;                        ///< settings in words
    int steps = 0;                              ///< Adam steps (0 for the closed form)
    double train_psnr = 0, test_psnr = 0;       ///< final PSNR (dB)
    double seconds = 0;                         ///< fit time (evaluations excluded)
    double to_target = -1;                      ///< seconds to reach the target test PSNR (-1 = never)
    std::vector<std::pair<int, double>> curve;  ///< (step, test PSNR) during Adam
    std::vector<double> curve_seconds;          ///< fit seconds at each curve point
    Mat<float> full;                            ///< reconstruction (C x S*S, column r*S + c)
};

/// The first time a curve reaches `target` (-1 if never).
double time_to(const Row& r, double target) {
    for (std::size_t i = 0; i < r.curve.size(); ++i)
        if (r.curve[i].second >= target) return r.curve_seconds[i];
    return -1;
}

/// gaussian2 + MLP (protocol C), Adam with test evaluations every o.eval_every steps.
Row run_mlp(const Options& o, const Image& img, const Split& sp) {
    EncoderSpec spec;
    spec.type = "gaussian2";
    spec.params = {{"sigma", o.mlp_sigma}, {"dim", double(o.mlp_dim)}, {"input_dim", 2.0}};
    const AnyEncoder<float> enc = make_encoder<float>(spec);
    MlpConfig cfg;
    cfg.input_dim = enc.output_dim();
    cfg.output_dim = img.channels;
    cfg.width = o.width;
    cfg.depth = o.depth;
    cfg.hidden = ActivationSpec{Activation::ReLU};
    cfg.output = ActivationSpec{Activation::Sigmoid};
    cfg.seed = o.seed;
    Model<float> model(enc, cfg);

    Row r;
    r.method = "mlp";
    r.settings = "gaussian2 sigma=" + num(o.mlp_sigma) + " D=" + std::to_string(o.mlp_dim) + ", " +
               std::to_string(o.depth) + "x" + std::to_string(o.width) + " ReLU, Adam lr=" + num(o.lr);
    r.steps = o.steps;
    AdamOptions ao;
    ao.lr = o.lr;
    Adam<float> adam(ao);
    TrainOptions to;
    to.steps = o.steps;
    double eval_seconds = 0;
    // Called before update `step` is applied: the weights are those after step - 1 updates.
    auto evaluate = [&](const StepInfo& info) {
        const Index done = info.step - 1;
        if (done == 0 || done % o.eval_every != 0) return;
        const auto e0 = std::chrono::steady_clock::now();
        const double p = metrics::psnr(model.predict(sp.x_test), sp.y_test);
        const double e = std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count();
        r.curve.emplace_back(int(done), p);
        r.curve_seconds.push_back(info.elapsed - eval_seconds);
        eval_seconds += e;
    };
    ProgressOptions po;
    po.label = "complex_vs_mlp mlp";
    if (!::isatty(2)) po.interval = 10.0;
    const TrainResult tr = o.quiet ? train(model, sp.x_train, sp.y_train, adam, to, evaluate)
                                   : train(model, sp.x_train, sp.y_train, adam, to, evaluate, Progress(po));
    r.seconds = tr.seconds - eval_seconds;
    r.train_psnr = metrics::psnr(model.predict(sp.x_train), sp.y_train);
    r.test_psnr = metrics::psnr(model.predict(sp.x_test), sp.y_test);
    r.curve.emplace_back(o.steps, r.test_psnr);
    r.curve_seconds.push_back(r.seconds);
    r.full = model.predict(grid_coordinates(img.height, img.width));
    return r;
}

/// Kron-MLP (ECCV'22): Gaussian basis per axis, Kronecker first layer of kron_width units computed as
/// Py^T W_k Px per unit (nn/first_layer/kron_grid.hpp), then ReLU layers, sigmoid output; Adam, full batch, float.
Row run_kron_mlp(const Options& o, const Image& img) {
    const int S = img.width, C = img.channels, n = (S + 1) / 2, nt = S / 2;
    const ShiftedBasis<Gaussian, float> basis(Gaussian(o.kron_sigma), o.kron_dim, Domain::Bounded, Scaling::None);
    auto coords = [&](int first, int step, int count) {
        Mat<float> X(1, count);
        for (int i = 0; i < count; ++i) X(0, i) = float(double(first + step * i) / S);
        return X;
    };
    // grid column i + j * Ny holds pixel (row i, column j) of the subgrid (kron_grid_product's layout)
    auto grid = [&](int r0, int count) {
        Mat<float> Y(C, Index(count) * count);
        for (int j = 0; j < count; ++j)
            for (int i = 0; i < count; ++i)
                for (int k = 0; k < C; ++k) Y(k, i + Index(j) * count) = img.at(r0 + 2 * i, r0 + 2 * j, k);
        return Y;
    };
    const Mat<float> Ytr = grid(0, n), Yte = grid(1, nt);
    MlpConfig cfg;
    cfg.output_dim = C;
    cfg.width = o.kron_width;
    cfg.depth = o.kron_depth;
    cfg.hidden = ActivationSpec{Activation::ReLU};
    cfg.output = ActivationSpec{Activation::Sigmoid};
    cfg.seed = o.seed;

    Row r;
    r.method = "kron_mlp";
    r.settings = "gaussian sigma=" + num(o.kron_sigma) + " D=" + std::to_string(o.kron_dim) + "^2, Kronecker first layer, " +
                 std::to_string(o.kron_depth) + "x" + std::to_string(o.kron_width) + " ReLU, Adam lr=" + num(o.kron_lr);
    r.steps = o.kron_steps;
    const auto t0 = std::chrono::steady_clock::now();
    const Mat<float> Ptr = encode(basis, coords(0, 2, n));
    KronMlp<float> net(o.kron_dim, o.kron_dim, cfg);
    AdamOptions ao;
    ao.lr = o.kron_lr;
    Adam<float> adam(ao);
    auto params = net.parameters();
    double eval_seconds = 0, last_print = 0;
    Mat<float> Pte;
    const float scale = 2.0f / float(Ytr.size());
    KronMlp<float>::Workspace ws;
    for (int s = 1; s <= o.kron_steps; ++s) {
        const Mat<float>& out = net.forward(ws, Ptr, Ptr);
        const Mat<float> dY = scale * (out - Ytr);
        net.backward(ws, Ptr, Ptr, dY);
        adam.step(params);
        if (s % o.eval_every == 0 || s == o.kron_steps) {
            const auto e0 = std::chrono::steady_clock::now();
            if (Pte.size() == 0) Pte = encode(basis, coords(1, 2, nt));
            const double p = metrics::psnr(net.predict(Pte, Pte), Yte);
            const auto e1 = std::chrono::steady_clock::now();
            eval_seconds += std::chrono::duration<double>(e1 - e0).count();
            const double t = std::chrono::duration<double>(e1 - t0).count() - eval_seconds;
            r.curve.emplace_back(s, p);
            r.curve_seconds.push_back(t);
            if (!o.quiet && (t - last_print >= 10.0 || s == o.kron_steps)) {
                std::cerr << "complex_vs_mlp kron_mlp step " << s << "/" << o.kron_steps << "  test PSNR " << p << " dB  "
                          << t << " s\n";
                last_print = t;
            }
        }
    }
    r.seconds = r.curve_seconds.back();
    r.test_psnr = r.curve.back().second;
    r.train_psnr = metrics::psnr(net.predict(Ptr, Ptr), Ytr);
    const Mat<float> Pall = encode(basis, coords(0, 1, S));
    const Mat<float> all = net.predict(Pall, Pall);  // column i + j * S = pixel (row i, column j)
    r.full.resize(C, Index(S) * S);
    for (int row = 0; row < S; ++row)
        for (int col = 0; col < S; ++col) r.full.col(Index(row) * S + col) = all.col(row + Index(col) * S);
    return r;
}

/// Complex encoding, closed form or Adam (common/complex_fit.hpp).
Row run_complex(const Options& o, const Image& img, bool closed_form) {
    ComplexFitOptions co;
    co.sigma = o.sigma;
    co.dim = o.dim;
    co.closed_form = closed_form;
    co.lambda = o.lambda;
    co.steps = o.complex_steps;
    co.lr = o.complex_lr;
    co.eval_every = closed_form ? 0 : o.eval_every;
    const ComplexFitResult c = complex_fit(img, co);
    Row r;
    r.method = closed_form ? "complex_closed_form" : "complex_adam";
    r.settings = "gaussian sigma=" + num(o.sigma) + " D=" + std::to_string(o.dim) + "^2, depth 0, " +
               (closed_form ? "ridge lambda=" + num(o.lambda) : "Adam lr=" + num(o.complex_lr));
    r.steps = closed_form ? 0 : o.complex_steps;
    r.train_psnr = c.train_psnr;
    r.test_psnr = c.test_psnr;
    r.seconds = c.seconds;
    for (const auto& p : c.curve) {
        r.curve.emplace_back(p.step, p.test_psnr);
        r.curve_seconds.push_back(p.seconds);
    }
    if (closed_form) {
        r.curve.emplace_back(0, c.test_psnr);
        r.curve_seconds.push_back(c.seconds);
    }
    r.full = c.full;
    return r;
}

int run(CLI::App& app, int argc, char** argv) {
    Options o;
    app.add_option("--image", o.image, "image file (PNG, JPEG); default: built-in procedural image");
    app.add_option("--size", o.size, "downsample to S x S")->capture_default_str();
    app.add_option("--dim", o.dim, "complex: Gaussian shifts per axis (default S)");
    app.add_option("--sigma", o.sigma, "complex: Gaussian width (default 2 / S)");
    app.add_option("--lambda", o.lambda, "complex closed form: ridge penalty")->capture_default_str();
    app.add_option("--complex-steps", o.complex_steps, "complex + Adam: steps")->capture_default_str();
    app.add_option("--complex-lr", o.complex_lr, "complex + Adam: learning rate")->capture_default_str();
    app.add_option("--mlp-sigma", o.mlp_sigma, "MLP: gaussian2 sigma")->capture_default_str();
    app.add_option("--mlp-dim", o.mlp_dim, "MLP: gaussian2 features (D/2 shifts per axis)")->capture_default_str();
    app.add_option("--steps", o.steps, "MLP: Adam steps")->capture_default_str();
    app.add_option("--width", o.width, "MLP: units per hidden layer")->capture_default_str();
    app.add_option("--depth", o.depth, "MLP: hidden layers")->capture_default_str();
    app.add_option("--lr", o.lr, "MLP: Adam learning rate")->capture_default_str();
    app.add_option("--seed", o.seed, "MLP: weight initialisation seed")->capture_default_str();
    app.add_option("--eval-every", o.eval_every, "Adam runs: steps between test-PSNR evaluations")->capture_default_str();
    app.add_option("--target", o.target, "target test PSNR in dB (default: complex closed form - 0.5)");
    app.add_flag("--kron-mlp", o.kron_mlp, "also run a Kron-MLP (Kronecker first layer + MLP, never the D^2 features)");
    app.add_option("--kron-dim", o.kron_dim, "Kron-MLP: Gaussian shifts per axis")->capture_default_str();
    app.add_option("--kron-sigma", o.kron_sigma, "Kron-MLP: Gaussian width (default 2 / S)");
    app.add_option("--kron-width", o.kron_width, "Kron-MLP: units per hidden layer")->capture_default_str();
    app.add_option("--kron-depth", o.kron_depth, "Kron-MLP: hidden layers, the Kronecker one included")->capture_default_str();
    app.add_option("--kron-steps", o.kron_steps, "Kron-MLP: Adam steps")->capture_default_str();
    app.add_option("--kron-lr", o.kron_lr, "Kron-MLP: Adam learning rate")->capture_default_str();
    app.add_flag("--quick", o.quick, "smoke run: S = 64, 100 complex Adam steps, 20 MLP steps of a 2 x 64 MLP");
    app.add_flag("--json", o.json, "print one JSON object on stdout");
    app.add_option("--out", o.out, "directory for the PNGs")->capture_default_str();
    app.add_flag("--quiet", o.quiet, "no progress on stderr");
    app.parse(argc, argv);

    if (o.quick) {
        auto unset = [&](const char* flag) { return app.count(flag) == 0; };
        if (unset("--size")) o.size = 64;
        if (unset("--complex-steps")) o.complex_steps = 100;
        if (unset("--steps")) o.steps = 20;
        if (unset("--width")) o.width = 64;
        if (unset("--depth")) o.depth = 2;
        if (unset("--mlp-dim")) o.mlp_dim = 256;
        if (unset("--eval-every")) o.eval_every = 5;
        if (unset("--kron-dim")) o.kron_dim = 16;
        if (unset("--kron-width")) o.kron_width = 32;
        if (unset("--kron-steps")) o.kron_steps = 20;
    }
    auto positive = [](double v, const char* flag) {
        if (!(std::isfinite(v) && v > 0)) throw Error(std::string(flag) + " must be finite and > 0 (got " + num(v) + ")");
    };
    if (o.size < 4) throw Error("--size must be >= 4 (got " + std::to_string(o.size) + ")");
    if (o.dim < 0) throw Error("--dim must be > 0 (got " + std::to_string(o.dim) + ")");
    if (o.sigma < 0 || !std::isfinite(o.sigma)) throw Error("--sigma must be finite and > 0 (got " + num(o.sigma) + ")");
    if (!(o.lambda >= 0) || !std::isfinite(o.lambda)) throw Error("--lambda must be finite and >= 0 (got " + num(o.lambda) + ")");
    if (o.complex_steps <= 0) throw Error("--complex-steps must be > 0 (got " + std::to_string(o.complex_steps) + ")");
    positive(o.complex_lr, "--complex-lr");
    positive(o.mlp_sigma, "--mlp-sigma");
    if (o.mlp_dim < 2 || o.mlp_dim % 2 != 0) throw Error("--mlp-dim must be even and >= 2 (got " + std::to_string(o.mlp_dim) + ")");
    if (o.steps <= 0) throw Error("--steps must be > 0 (got " + std::to_string(o.steps) + ")");
    if (o.width <= 0) throw Error("--width must be > 0 (got " + std::to_string(o.width) + ")");
    if (o.depth < 0) throw Error("--depth must be >= 0 (got " + std::to_string(o.depth) + ")");
    positive(o.lr, "--lr");
    if (o.eval_every <= 0) throw Error("--eval-every must be > 0 (got " + std::to_string(o.eval_every) + ")");
    if (!std::isnan(o.target) && !std::isfinite(o.target)) throw Error("--target must be finite");
    if (o.out.empty()) throw Error("--out must not be empty");
    if (o.kron_dim <= 0) throw Error("--kron-dim must be > 0 (got " + std::to_string(o.kron_dim) + ")");
    if (o.kron_sigma < 0 || !std::isfinite(o.kron_sigma)) throw Error("--kron-sigma must be finite and > 0 (got " + num(o.kron_sigma) + ")");
    if (o.kron_width <= 0) throw Error("--kron-width must be > 0 (got " + std::to_string(o.kron_width) + ")");
    if (o.kron_depth < 1) throw Error("--kron-depth must be >= 1 (got " + std::to_string(o.kron_depth) + ")");
    if (o.kron_steps <= 0) throw Error("--kron-steps must be > 0 (got " + std::to_string(o.kron_steps) + ")");
    positive(o.kron_lr, "--kron-lr");

    const Image source = o.image.empty() ? default_image_2d(256) : load_image(o.image);
    const Image img = downsample(source, o.size);
    if (o.dim == 0) o.dim = o.size;
    if (o.sigma == 0) o.sigma = 2.0 / o.size;
    if (o.kron_sigma == 0) o.kron_sigma = 2.0 / o.size;
    const Split sp = split_2d(img);

    std::vector<Row> rows;
    rows.push_back(run_complex(o, img, true));
    const double target = std::isnan(o.target) ? rows[0].test_psnr - 0.5 : o.target;
    rows.push_back(run_complex(o, img, false));
    rows.push_back(run_mlp(o, img, sp));
    if (o.kron_mlp) rows.push_back(run_kron_mlp(o, img));
    for (Row& r : rows) r.to_target = time_to(r, target);

    const std::filesystem::path dir(o.out);
    ensure_directory(dir);
    write_png(dir / "target.png", img);
    for (const Row& r : rows) write_png(dir / (r.method + ".png"), Image::from_columns(r.full, img.height, img.width));

    const std::string image_name = o.image.empty() ? "built-in" : o.image;
    if (o.json) {
        nlohmann::json j;
        j["image"] = image_name;
        j["size"] = o.size;
        j["channels"] = img.channels;
        j["target_psnr"] = target;
        j["out"] = o.out;
        for (const Row& r : rows) {
            nlohmann::json m;
            m["settings"] = r.settings;
            m["steps"] = r.steps;
            m["train_psnr"] = r.train_psnr;
            m["test_psnr"] = r.test_psnr;
            m["seconds"] = r.seconds;
            m["seconds_to_target"] = r.to_target >= 0 ? nlohmann::json(r.to_target) : nlohmann::json(nullptr);
            nlohmann::json curve = nlohmann::json::array();
            for (std::size_t i = 0; i < r.curve.size(); ++i)
                curve.push_back({{"step", r.curve[i].first}, {"seconds", r.curve_seconds[i]}, {"test_psnr", r.curve[i].second}});
            m["curve"] = curve;
            j["methods"][r.method] = m;
        }
        std::cout << j.dump() << std::endl;
    } else {
        std::printf("image %s, %d x %d x %d; target test PSNR %.2f dB\n", image_name.c_str(), img.height, img.width,
                    img.channels, target);
        std::printf("%-20s %10s %10s %10s %12s  %s\n", "method", "test dB", "train dB", "seconds", "to target s",
                    "settings");
        for (const Row& r : rows) {
            char tt[32] = "-";
            if (r.to_target >= 0) std::snprintf(tt, sizeof tt, "%.3f", r.to_target);
            std::printf("%-20s %10.2f %10.2f %10.3f %12s  %s\n", r.method.c_str(), r.test_psnr, r.train_psnr, r.seconds,
                        tt, r.settings.c_str());
        }
        std::printf("PNGs in %s\n", o.out.c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return posenc::examples::run_main(argc, argv, kDescription, [&](CLI::App& app) { return run(app, argc, argv); });
}

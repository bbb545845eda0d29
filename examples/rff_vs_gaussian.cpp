// rff_vs_gaussian — the variance experiment: random Fourier features at the kernel-matched sigma_b
// against the (deterministic) Gaussian shifted basis, over embedding dimensions and seeds (protocol B).
//
//   rff_vs_gaussian [--image PATH --row R] [--sigma 0.01] [--dims 100,200,...,1000] [--seeds 10]
//                   [--steps 1000] [--lr 1e-3] [--quick] [--json] [--out DIR] [--quiet]
//
// For every dimension D and seed k = 1..seeds: (a) RFF with D/2 frequencies b ~ sigma_b N(0, 1),
// sigma_b = 1 / (2 sqrt(2) pi sigma) (same kernel as the Gaussian of width sigma), seeded by k;
// (b) a Gaussian basis of D shifts and width sigma (the seed only changes the weight initialisation).
// Both: bounded domain, unit norm at 0.5, one linear layer with bias, Adam (full batch, MSE) on the 256
// even samples of the 512-sample signal; test PSNR on the 256 odd samples. Reports mean and standard
// deviation of test PSNR over the seeds: the RFF spread comes from the random frequencies.
#include <unistd.h>

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
#include "common/signals.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/nn/adam.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/trainer.hpp"

namespace {

using namespace posenc;
using namespace posenc::examples;
using Clock = std::chrono::steady_clock;

constexpr const char* kDescription =
    "RFF (kernel-matched sigma_b) vs Gaussian basis on a 1D signal (protocol B): mean / std of test PSNR over seeds\n"
    "for each embedding dimension. Signal: first 512 samples of --row of --image, or the built-in signal.";

/// Every command-line setting of rff_vs_gaussian.
struct Options {
    std::string image;               ///< image file; empty = built-in signal
    int row = 256;                   ///< image row
    double sigma = 0.01;             ///< Gaussian width (RFF: sigma_b = 1 / (2 sqrt 2 pi sigma))
    std::vector<std::int64_t> dims;  ///< embedding dimensions (default 100..1000 step 100)
    int seeds = 10;                  ///< seeds per dimension
    int steps = 1000;                ///< Adam steps per fit
    double lr = 1e-3;                ///< Adam learning rate
    bool quick = false;              ///< a few seconds
    bool json = false;               ///< JSON on stdout
    std::string out;                 ///< chart directory
    bool quiet = false;              ///< no progress on stderr
};

/// Mean and (sample) standard deviation of test PSNR for one encoder at one dimension.
struct Stat {
    double mean = 0, std = 0, min = 0, max = 0;
    std::vector<double> values;  ///< one test PSNR per seed
};

/// Test PSNR of one fit.
double fit_test_psnr(const EncoderSpec& spec, std::uint64_t seed, const Options& o, const Split& sp) {
    const AnyEncoder<float> enc = make_encoder<float>(spec);
    MlpConfig cfg;
    cfg.input_dim = enc.output_dim();
    cfg.output_dim = 1;
    cfg.depth = 0;
    cfg.seed = seed;
    Model<float> model(enc, cfg);
    AdamOptions ao;
    ao.lr = o.lr;
    ao.weight_decay = 1e-8;
    Adam<float> adam(ao);
    TrainOptions to;
    to.steps = o.steps;
    train(model, sp.x_train, sp.y_train, adam, to);
    const Mat<float> P = model.predict(sp.x_test);
    const double mse = (P.cast<double>() - sp.y_test.cast<double>()).squaredNorm() / double(sp.y_test.size());
    return -10.0 * std::log10(mse);
}

/// Mean, sample std, min, max of v.
Stat summarise(std::vector<double> v) {
    Stat s;
    s.values = v;
    double sum = 0;
    for (double x : v) sum += x;
    s.mean = sum / double(v.size());
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.std = v.size() > 1 ? std::sqrt(ss / double(v.size() - 1)) : 0.0;
    s.min = *std::min_element(v.begin(), v.end());
    s.max = *std::max_element(v.begin(), v.end());
    return s;
}

int run(CLI::App& app, int argc, char** argv) {
    Options o;
    app.add_option("--image", o.image, "image file (at least 512 pixels wide); default: built-in signal");
    app.add_option("--row", o.row, "image row to fit (0-based)")->capture_default_str();
    app.add_option("--sigma", o.sigma, "Gaussian width; RFF uses sigma_b = 1/(2 sqrt(2) pi sigma)")->capture_default_str();
    app.add_option("--dims", o.dims, "embedding dimensions, comma separated (default 100,200,...,1000)")->delimiter(',');
    app.add_option("--seeds", o.seeds, "seeds per dimension")->capture_default_str();
    app.add_option("--steps", o.steps, "Adam steps per fit")->capture_default_str();
    app.add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
    app.add_flag("--quick", o.quick, "a few seconds: dims 100,400,1000, 3 seeds, 300 steps (unless given)");
    app.add_flag("--json", o.json, "print one JSON object on stdout");
    app.add_option("--out", o.out, "directory for the chart (rff_vs_gaussian.png)");
    app.add_flag("--quiet", o.quiet, "no progress on stderr");
    app.parse(argc, argv);

    if (o.dims.empty()) {
        if (o.quick)
            o.dims = {100, 400, 1000};
        else
            for (int d = 100; d <= 1000; d += 100) o.dims.push_back(d);
    }
    if (o.quick) {
        if (!app.count("--seeds")) o.seeds = 3;
        if (!app.count("--steps")) o.steps = 300;
    }
    if (!(o.sigma > 0) || !std::isfinite(o.sigma)) throw Error("--sigma must be finite and > 0");
    for (std::int64_t d : o.dims)
        if (d < 2 || d > 100000 || d % 2 != 0)
            throw Error("--dims: every dimension must be even and in [2, 100000] (got " + std::to_string(d) + ")");
    if (o.seeds < 1 || o.seeds > 1000) throw Error("--seeds must be in [1, 1000] (got " + std::to_string(o.seeds) + ")");
    if (o.steps <= 0) throw Error("--steps must be > 0 (got " + std::to_string(o.steps) + ")");
    if (!(o.lr > 0) || !std::isfinite(o.lr)) throw Error("--lr must be finite and > 0");
    if (app.count("--row") && o.image.empty()) throw Error("--row needs --image");

    const std::vector<float> signal = o.image.empty() ? default_signal_1d(512) : image_row(load_image(o.image), o.row, 512);
    const Split sp = split_1d(signal);
    const double sigma_b = 1.0 / (2.0 * std::sqrt(2.0) * M_PI * o.sigma);

    std::vector<Stat> rff, gauss;
    const auto t0 = Clock::now();
    const int total = int(o.dims.size()) * o.seeds;
    int done = 0;
    for (std::int64_t D : o.dims) {
        std::vector<double> r, g;
        for (int k = 1; k <= o.seeds; ++k) {
            if (!o.quiet)
                std::fprintf(stderr, "\rrff_vs_gaussian: D = %lld, seed %d/%d (%d/%d fits)   ", (long long)D, k, o.seeds,
                             2 * done, 2 * total);
            const EncoderSpec rs{"rff", {{"sigma", sigma_b}, {"dim", double(D)}, {"seed", double(k)}}, {}};
            const EncoderSpec gs{"gaussian", {{"sigma", o.sigma}, {"dim", double(D)}}, {}};
            r.push_back(fit_test_psnr(rs, std::uint64_t(k), o, sp));
            g.push_back(fit_test_psnr(gs, std::uint64_t(k), o, sp));
            ++done;
        }
        rff.push_back(summarise(r));
        gauss.push_back(summarise(g));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!o.quiet) std::fprintf(stderr, "\n");

    if (o.json) {
        nlohmann::json rows = nlohmann::json::array();
        for (std::size_t i = 0; i < o.dims.size(); ++i)
            rows.push_back({{"dim", o.dims[i]},
                            {"rff", {{"mean", rff[i].mean}, {"std", rff[i].std}, {"min", rff[i].min}, {"max", rff[i].max}, {"test_psnr", rff[i].values}}},
                            {"gaussian", {{"mean", gauss[i].mean}, {"std", gauss[i].std}, {"min", gauss[i].min}, {"max", gauss[i].max}, {"test_psnr", gauss[i].values}}}});
        nlohmann::json j;
        j["sigma"] = o.sigma;
        j["sigma_b"] = sigma_b;
        j["seeds"] = o.seeds;
        j["steps"] = o.steps;
        j["rows"] = rows;
        j["seconds"] = seconds;
        std::cout << j.dump() << std::endl;
    } else {
        std::printf("test PSNR (dB) over %d seeds, %d Adam steps; Gaussian sigma = %g, RFF sigma_b = %.4g\n", o.seeds,
                    o.steps, o.sigma, sigma_b);
        std::printf("%6s %10s %9s %10s %10s %9s %10s\n", "D", "RFF mean", "RFF std", "RFF min", "Gauss mean",
                    "Gauss std", "Gauss min");
        for (std::size_t i = 0; i < o.dims.size(); ++i)
            std::printf("%6lld %10.2f %9.3f %10.2f %10.2f %9.3f %10.2f\n", (long long)o.dims[i], rff[i].mean, rff[i].std,
                        rff[i].min, gauss[i].mean, gauss[i].std, gauss[i].min);
        std::printf("seconds %.1f\n", seconds);
    }
    if (!o.out.empty()) {
        const std::filesystem::path dir(o.out);
        ensure_directory(dir);
        Chart ch;
        char title[160];
        std::snprintf(title, sizeof title, "test PSNR over %d seeds: RFF (sigma_b = %.3g) vs Gaussian basis (sigma = %g)",
                      o.seeds, sigma_b, o.sigma);
        ch.title = title;
        ch.xlabel = "embedding dimension D";
        ch.ylabel = "test PSNR (dB)";
        std::vector<double> x, rm, rlo, rhi, gm, glo, ghi;
        for (std::size_t i = 0; i < o.dims.size(); ++i) {
            x.push_back(double(o.dims[i]));
            rm.push_back(rff[i].mean);
            rlo.push_back(rff[i].mean - rff[i].std);
            rhi.push_back(rff[i].mean + rff[i].std);
            gm.push_back(gauss[i].mean);
            glo.push_back(gauss[i].mean - gauss[i].std);
            ghi.push_back(gauss[i].mean + gauss[i].std);
        }
        ch.add("RFF mean", x, rm, SeriesStyle::LinePoints)
            .add("RFF mean - std", x, rlo, SeriesStyle::Line)
            .add("RFF mean + std", x, rhi, SeriesStyle::Line)
            .add("Gaussian mean", x, gm, SeriesStyle::LinePoints)
            .add("Gaussian mean - std", x, glo, SeriesStyle::Line)
            .add("Gaussian mean + std", x, ghi, SeriesStyle::Line);
        std::cerr << "rff_vs_gaussian: " << write_chart(ch, dir / "rff_vs_gaussian.png").message << "\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return posenc::examples::run_main(argc, argv, kDescription, [&](CLI::App& app) { return run(app, argc, argv); });
}

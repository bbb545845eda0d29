// rff_vs_gaussian — the variance experiment: random Fourier features at the kernel-matched sigma_b
// against the (deterministic) Gaussian shifted basis, over embedding dimensions and seeds (protocol B,
// docs/protocols.md).
//
//   rff_vs_gaussian [--image PATH --row R] [--sigma 0.01] [--dims 100,200,...,1000] [--seeds 10]
//                   [--steps 1000] [--lr 1e-3] [--quick] [--json] [--out DIR] [--quiet]
//                   [--threads N]
//
// For every dimension D and seed k = 1..seeds: (a) RFF with D/2 frequencies b ~ sigma_b N(0, 1),
// sigma_b = 1 / (2 sqrt(2) pi sigma) (same kernel as the Gaussian of width sigma), seeded by k;
// (b) a Gaussian basis of D shifts and width sigma (the seed only changes the weight initialisation).
// Both: bounded domain, unit norm at 0.5, one linear layer with bias, Adam (full batch, MSE) on the 256
// even samples of the 512-sample signal; test PSNR on the 256 odd samples. Reports mean and standard
// deviation of test PSNR over the seeds: the RFF spread comes from the random frequencies.
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
#include "posenc/encoding/factory.hpp"

namespace {

using namespace posenc;
using namespace posenc::examples;
using Clock = std::chrono::steady_clock;

constexpr const char* kDescription =
    "RFF (kernel-matched sigma_b) vs Gaussian basis on a 1D signal (protocol B): mean / std of test PSNR over seeds\n"
    "for each embedding dimension. Signal: first 512 samples of --row of --image, or the built-in signal.";

/// Every command-line setting of rff_vs_gaussian.
struct Options {
    ProtocolBOptions pb;             ///< signal, Adam, --quick/--json/--out/--quiet
    double sigma = 0.01;             ///< Gaussian width (RFF: sigma_b = 1 / (2 sqrt 2 pi sigma))
    std::vector<std::int64_t> dims;  ///< embedding dimensions (default 100..1000 step 100)
    int seeds = 10;                  ///< seeds per dimension
};

/// Mean and (sample) standard deviation of test PSNR for one encoder at one dimension.
struct Stat {
    double mean = 0, std = 0, min = 0, max = 0;
    std::vector<double> values;  ///< one test PSNR per seed
};

/// Test PSNR of one protocol-B fit (weights initialised with `seed`).
double fit_test_psnr(const EncoderSpec& spec, std::uint64_t seed, const Options& o, const Split& sp) {
    const Model<float> model = fit_linear(make_encoder<float>(spec), sp, o.pb.steps, o.pb.lr, seed);
    return psnr_db(model.predict(sp.x_test), sp.y_test);
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
    o.pb.add_signal_options(app);
    app.add_option("--sigma", o.sigma, "Gaussian width; RFF uses sigma_b = 1/(2 sqrt(2) pi sigma)")->capture_default_str();
    app.add_option("--dims", o.dims, "embedding dimensions, comma separated (default 100,200,...,1000)")->delimiter(',');
    app.add_option("--seeds", o.seeds, "seeds per dimension")->capture_default_str();
    o.pb.add_run_options(app, 1000, "a few seconds: dims 100,400,1000, 3 seeds, 300 steps (unless given)",
                         "directory for the chart (rff_vs_gaussian.png)");
    app.parse(argc, argv);

    if (o.dims.empty()) {
        if (o.pb.quick)
            o.dims = {100, 400, 1000};
        else
            for (int d = 100; d <= 1000; d += 100) o.dims.push_back(d);
    }
    if (o.pb.quick) {
        if (!app.count("--seeds")) o.seeds = 3;
        if (!o.pb.steps_given()) o.pb.steps = 300;
    }
    if (!(o.sigma > 0) || !std::isfinite(o.sigma)) throw Error("--sigma must be finite and > 0");
    for (std::int64_t d : o.dims)
        if (d < 2 || d > 100000 || d % 2 != 0)
            throw Error("--dims: every dimension must be even and in [2, 100000] (got " + std::to_string(d) + ")");
    if (o.seeds < 1 || o.seeds > 1000) throw Error("--seeds must be in [1, 1000] (got " + std::to_string(o.seeds) + ")");
    o.pb.check();
    o.pb.threads.apply();

    const Split sp = split_1d(o.pb.signal());
    const double sigma_b = kernel_matched_sigma_b(o.sigma);

    std::vector<Stat> rff, gauss;
    const auto t0 = Clock::now();
    const int total = int(o.dims.size()) * o.seeds;
    int done = 0;
    for (std::int64_t D : o.dims) {
        std::vector<double> r, g;
        for (int k = 1; k <= o.seeds; ++k) {
            if (!o.pb.quiet)
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
    if (!o.pb.quiet) std::fprintf(stderr, "\n");

    if (o.pb.json) {
        nlohmann::json rows = nlohmann::json::array();
        for (std::size_t i = 0; i < o.dims.size(); ++i)
            rows.push_back({{"dim", o.dims[i]},
                            {"rff", {{"mean", rff[i].mean}, {"std", rff[i].std}, {"min", rff[i].min}, {"max", rff[i].max}, {"test_psnr", rff[i].values}}},
                            {"gaussian", {{"mean", gauss[i].mean}, {"std", gauss[i].std}, {"min", gauss[i].min}, {"max", gauss[i].max}, {"test_psnr", gauss[i].values}}}});
        nlohmann::json j;
        j["sigma"] = o.sigma;
        j["sigma_b"] = sigma_b;
        j["seeds"] = o.seeds;
        j["steps"] = o.pb.steps;
        j["rows"] = rows;
        j["seconds"] = seconds;
        std::cout << j.dump() << std::endl;
    } else {
        std::printf("test PSNR (dB) over %d seeds, %d Adam steps; Gaussian sigma = %g, RFF sigma_b = %.4g\n", o.seeds,
                    o.pb.steps, o.sigma, sigma_b);
        std::printf("%6s %10s %9s %10s %10s %9s %10s\n", "D", "RFF mean", "RFF std", "RFF min", "Gauss mean",
                    "Gauss std", "Gauss min");
        for (std::size_t i = 0; i < o.dims.size(); ++i)
            std::printf("%6lld %10.2f %9.3f %10.2f %10.2f %9.3f %10.2f\n", (long long)o.dims[i], rff[i].mean, rff[i].std,
                        rff[i].min, gauss[i].mean, gauss[i].std, gauss[i].min);
        std::printf("seconds %.1f\n", seconds);
    }
    if (!o.pb.out.empty()) {
        const std::filesystem::path dir(o.pb.out);
        ensure_directory(dir);
        Chart ch;
        char title[160];
        std::snprintf(title, sizeof title, "test PSNR over %d seeds: RFF (sigma_b = %.3g) vs Gaussian basis (sigma = %g)",
                      o.seeds, sigma_b, o.sigma);
        ch.title = title;
        ch.xlabel = "embedding dimension D";
        ch.ylabel = "test PSNR (dB)";
        std::vector<double> x, rm, rs, gm, gs;
        for (std::size_t i = 0; i < o.dims.size(); ++i) {
            x.push_back(double(o.dims[i]));
            rm.push_back(rff[i].mean);
            rs.push_back(rff[i].std);
            gm.push_back(gauss[i].mean);
            gs.push_back(gauss[i].std);
        }
        ch.add_with_errors("RFF: mean +- std", x, rm, rs).add_with_errors("Gaussian basis: mean +- std", x, gm, gs);
        std::cerr << "rff_vs_gaussian: " << write_chart(ch, dir / "rff_vs_gaussian.png").message << "\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return posenc::examples::run_main(argc, argv, kDescription, [&](CLI::App& app) { return run(app, argc, argv); });
}

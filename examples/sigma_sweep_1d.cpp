// sigma_sweep_1d — train/test PSNR and stable rank against sigma for a Gaussian basis (protocol B of
// docs/protocols.md, the paper's trade-off between stable rank and distance preservation).
//
//   sigma_sweep_1d [--image PATH --row R] [--min 1e-4] [--max 0.05] [--count 12] [--dim 10000]
//                  [--steps 1000] [--lr 1e-3] [--quick] [--json] [--out DIR] [--quiet] [--threads N]
//
// For each sigma (log-spaced between --min and --max): a Gaussian basis of --dim shifts on the bounded
// domain (unit norm at 0.5), one linear layer with bias fitted by Adam (full batch, MSE) to the 256
// train points (even samples) of the 512-sample signal; test on the 256 odd samples. Reports the
// stable rank of the train embedding, the distance-preservation half width at x0 = 0.5, train and test
// PSNR. Narrow sigma: high stable rank, train PSNR up, test PSNR down (memorisation); wide sigma: low
// stable rank, both down (blur); test PSNR peaks in between.
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

constexpr const char* kDescription =
    "Gaussian sigma sweep on a 1D signal (protocol B): stable rank, DP half width, train / test PSNR per sigma.\n"
    "Signal: first 512 samples of --row of --image (/255), or the built-in signal; train even, test odd.";

/// Every command-line setting of sigma_sweep_1d.
struct Options {
    ProtocolBOptions pb;       ///< signal, Adam, --quick/--json/--out/--quiet
    double min = 1e-4;         ///< smallest sigma
    double max = 0.05;         ///< largest sigma
    int count = 12;            ///< number of sigmas (log-spaced)
    std::int64_t dim = 10000;  ///< number of shifts
};

/// One point of the sweep.
struct Point {
    double sigma = 0, srank = 0, half = 0, train = 0, test = 0, seconds = 0;
};

/// Fits one Gaussian basis of width sigma and measures it.
Point run_sigma(double sigma, const Options& o, const Split& sp) {
    const LinearFit f =
        measure_linear_fit(EncoderSpec{"gaussian", {{"sigma", sigma}, {"dim", double(o.dim)}}, {}}, sp, o.pb.steps, o.pb.lr);
    return Point{sigma, f.srank, f.half, f.train_psnr, f.test_psnr, f.seconds};
}

/// PSNR chart and stable-rank chart in DIR.
void write_charts(const Options& o, const std::vector<Point>& pts) {
    const std::filesystem::path dir(o.pb.out);
    ensure_directory(dir);
    std::vector<double> s, tr, te, sr;
    for (const Point& p : pts) {
        s.push_back(p.sigma);
        tr.push_back(p.train);
        te.push_back(p.test);
        sr.push_back(p.srank);
    }
    Chart c1;
    c1.title = "Gaussian basis, D = " + std::to_string(o.dim) + ": PSNR against sigma";
    c1.xlabel = "sigma";
    c1.ylabel = "PSNR (dB)";
    c1.logx = true;
    c1.add("train PSNR", s, tr, SeriesStyle::LinePoints).add("test PSNR", s, te, SeriesStyle::LinePoints);
    std::cerr << "sigma_sweep_1d: " << write_chart(c1, dir / "sigma_sweep_psnr.png").message << "\n";
    Chart c2;
    c2.title = "Gaussian basis, D = " + std::to_string(o.dim) + ": stable rank of the train embedding (256 points)";
    c2.xlabel = "sigma";
    c2.ylabel = "stable rank";
    c2.logx = true;
    c2.logy = true;
    c2.add("stable rank", s, sr, SeriesStyle::LinePoints);
    std::cerr << "sigma_sweep_1d: " << write_chart(c2, dir / "sigma_sweep_rank.png").message << "\n";
}

int run(CLI::App& app, int argc, char** argv) {
    Options o;
    o.pb.add_signal_options(app);
    app.add_option("--min", o.min, "smallest sigma")->capture_default_str();
    app.add_option("--max", o.max, "largest sigma")->capture_default_str();
    app.add_option("--count", o.count, "number of sigmas, log-spaced")->capture_default_str();
    app.add_option("--dim", o.dim, "number of shifts D")->capture_default_str();
    o.pb.add_run_options(app, 1000, "a few seconds: 5 sigmas, D = 2000, 300 steps (unless given explicitly)",
                         "directory for the charts (sigma_sweep_psnr.png, sigma_sweep_rank.png)");
    app.parse(argc, argv);

    if (o.pb.quick) {
        if (!app.count("--count")) o.count = 5;
        if (!app.count("--dim")) o.dim = 2000;
        if (!o.pb.steps_given()) o.pb.steps = 300;
    }
    if (!(o.min > 0) || !std::isfinite(o.min)) throw Error("--min must be finite and > 0");
    if (!(o.max >= o.min) || !std::isfinite(o.max)) throw Error("--max must be finite and >= --min");
    if (o.count < 1 || o.count > 200) throw Error("--count must be in [1, 200] (got " + std::to_string(o.count) + ")");
    if (o.dim < 1 || o.dim > 1000000) throw Error("--dim must be in [1, 1000000] (got " + std::to_string(o.dim) + ")");
    o.pb.check();
    o.pb.threads.apply();

    const std::vector<float> signal = o.pb.signal();
    const Split sp = split_1d(signal);

    std::vector<Point> pts;
    for (int i = 0; i < o.count; ++i) {
        const double t = o.count == 1 ? 0.0 : double(i) / double(o.count - 1);
        const double sigma = o.min * std::pow(o.max / o.min, t);
        if (!o.pb.quiet) std::fprintf(stderr, "\rsigma_sweep_1d: sigma %d/%d (%.3g)   ", i + 1, o.count, sigma);
        pts.push_back(run_sigma(sigma, o, sp));
    }
    if (!o.pb.quiet) std::fprintf(stderr, "\n");

    if (o.pb.json) {
        nlohmann::json a = nlohmann::json::array();
        for (const Point& p : pts)
            a.push_back({{"sigma", p.sigma}, {"stable_rank", p.srank}, {"dp_half_width", p.half},
                         {"train_psnr", p.train}, {"test_psnr", p.test}, {"seconds", p.seconds}});
        std::size_t best = 0;
        for (std::size_t i = 1; i < pts.size(); ++i)
            if (pts[i].test > pts[best].test) best = i;
        nlohmann::json j;
        j["dim"] = o.dim;
        j["steps"] = o.pb.steps;
        j["points"] = a;
        j["best_sigma"] = pts[best].sigma;
        j["best_test_psnr"] = pts[best].test;
        std::cout << j.dump() << std::endl;
    } else {
        std::printf("Gaussian basis, D = %lld, %d Adam steps, 256 train / 256 test points\n", (long long)o.dim, o.pb.steps);
        std::printf("%10s %12s %10s %11s %10s %8s\n", "sigma", "stable rank", "DP half-w", "train PSNR", "test PSNR",
                    "seconds");
        for (const Point& p : pts)
            std::printf("%10.3g %12.2f %10.4f %11.2f %10.2f %8.2f\n", p.sigma, p.srank, p.half, p.train, p.test,
                        p.seconds);
    }
    if (!o.pb.out.empty()) write_charts(o, pts);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return posenc::examples::run_main(argc, argv, kDescription, [&](CLI::App& app) { return run(app, argc, argv); });
}

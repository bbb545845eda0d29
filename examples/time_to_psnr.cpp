// time_to_psnr — test PSNR against wall-clock seconds for posenc's image fits (docs/examples.md,
// "Time to quality"): how fast each model reaches a given quality, not only where it ends.
//
//   time_to_psnr [--image PATH] [--size 512] [--methods LIST] [--budget SECONDS] [--steps N]
//                [--threads N] [--out FILE.csv] [--quiet]
//   time_to_psnr --plot A.csv[,B.csv...] --png OUT.png
//
// Image, downsampling and split: protocol C of docs/protocols.md (S x S box average, train = even
// rows and columns, test = odd rows and columns, pixel (r, c) at (c / S, r / S)); without --image
// the built-in procedural image. Methods (--methods, comma-separated; default all four):
//
//   gaussian2_mlp  protocol C: gaussian2, D = 1000 (500 shifts per axis), sigma 0.003, 4 x 256 ReLU
//                  MLP, sigmoid output, Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-8;
//   kronecker      protocol D, depth 0, separable ridge closed form: D = S shifts per axis,
//                  sigma = 2 / S, lambda = 0.1 (the best of protocol D's grid at S = 512 on astronaut.png,
//                  27.10 dB in the reference); one point;
//   hashgrid       protocol E: 16 levels x 2 features, log2 T = 15, N_min 16, N_max S / 2, vertex
//                  alignment, 32 -> 64 -> 64 -> C ReLU MLP, linear output (clipped for the PSNR),
//                  Adam lr 1e-2, betas (0.9, 0.99), eps 1e-15, no weight decay;
//   densegrid      the same with the smallest table in which every level is dense (log2 T = 17 at S = 512).
//
// Clock: steady_clock from the construction of the encoder (so the encoding of the training pixels
// and the model's initialisation are counted) to the end of each step; image loading and the split
// are not counted, and neither is any evaluation: the time spent predicting the test pixels at a
// checkpoint is subtracted. The closed form's time is complex_fit's (bases + solve).
//
// Checkpoints (the same rule as bench/compare_pytorch --time-to-psnr): after step s, with t seconds
// on the clock, the test PSNR is evaluated when s reaches the next step mark floor(10^(k/8))
// (1, 2, 3, 4, 5, 7, 10, 13, 17, 23, ...), or t reaches the next time mark 10^(k/8 - 2) s (0.01,
// 0.013, 0.018, ... s; the marks passed are skipped), or the run ends. A run ends after the step at
// which t >= --budget (that step is completed, so the last time slightly exceeds the budget) or at
// --steps.
//
// Output: CSV with the header `method,step,seconds,test_psnr` (one row per checkpoint; the closed
// form has step 0) on stdout or --out; a summary line per method on stderr (unless --quiet).
// --plot reads such CSV files (e.g. this program's and the PyTorch side's) and draws test PSNR against
// seconds, log x axis, through gnuplot (examples/common/chart.hpp: OUT.dat and OUT.gp beside OUT.png);
// it prints the Markdown table of docs/examples.md on stdout (per method: the test PSNR of the last
// checkpoint at or before 1, 10 and 100 s, at the end, the steps done and the final seconds).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/chart.hpp"
#include "common/cli.hpp"
#include "common/complex_fit.hpp"
#include "common/fit_common.hpp"
#include "common/image.hpp"
#include "common/signals.hpp"
#include "posenc/analysis/metrics.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/nn/loss.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/optim/adam.hpp"

namespace {

using namespace posenc;
using namespace posenc::examples;
using Clock = std::chrono::steady_clock;

constexpr const char* kDescription =
    "Test PSNR against wall-clock seconds (evaluation time excluded) for protocol C (gaussian2 + MLP),\n"
    "protocol D (Kronecker closed form) and protocol E (hash grid / dense grid + MLP) on one image;\n"
    "CSV method,step,seconds,test_psnr. --plot draws such CSV files (log time axis) with gnuplot.";

const std::vector<std::string> kMethods = {"gaussian2_mlp", "kronecker", "hashgrid", "densegrid"};

/// Every command-line setting.
struct Options {
    std::string image;          ///< image file; empty = built-in procedural image
    int size = 512;             ///< S
    std::string methods = "gaussian2_mlp,kronecker,hashgrid,densegrid";  ///< --methods
    double budget = 60;         ///< seconds of training clock per method
    int steps = 1000;           ///< step cap per method
    std::string out;            ///< CSV file (empty: stdout)
    bool quiet = false;         ///< no summary lines
    std::string plot;           ///< --plot: CSV files to draw
    std::string png;            ///< --png: the chart
    ThreadOption threads;       ///< --threads
};

/// One checkpoint of a run.
struct Point {
    std::string method;  ///< method name
    long step = 0;       ///< optimizer steps done (0: closed form)
    double seconds = 0;  ///< clock at that point, evaluation excluded
    double psnr = 0;     ///< test PSNR (dB)
};

/// The checkpoint rule (see the header comment); identical in bench/compare_pytorch.
class Checkpoints {
public:
    /// True when step `s` finished at `t` seconds is a checkpoint (advances the marks), or `last`.
    bool due(long s, double t, bool last) {
        bool hit = last;
        if (s >= step_mark()) {
            hit = true;
            while (step_mark() <= s) ++ks_;
        }
        if (t >= time_mark()) {
            hit = true;
            while (time_mark() <= t) ++kt_;
        }
        return hit;
    }

private:
    double step_mark() const { return std::floor(std::pow(10.0, ks_ / 8.0) + 1e-9); }
    double time_mark() const { return std::pow(10.0, kt_ / 8.0 - 2.0); }
    int ks_ = 0, kt_ = 0;
};

/// PSNR of predictions clipped to [0, 1] (protocols D and E; a sigmoid output is inside already).
double clipped_psnr(const Mat<float>& P, const Mat<float>& Y) {
    return metrics::psnr(Mat<float>(P.cwiseMax(0.0f).cwiseMin(1.0f)), Y);
}

/// log2 of the smallest table in which every level of protocol E's grid at S (N_max = S / 2) is dense.
Index dense_log2_table(int S) {
    const double n = double(S / 2) + 1.0;
    Index k = 1;
    while (std::ldexp(1.0, int(k)) < n * n) ++k;
    return k;
}

/// Trains `model` full batch with Adam under the budget / step cap, recording the checkpoints.
void run_adam(const std::string& method, Model<float>& model, const Split& sp, const AdamOptions& ao,
              Clock::time_point t0, const Options& o, std::vector<Point>& out) {
    const EncodedBatch<float> batch = model.prepare(sp.x_train);
    Adam<float> adam(ao);
    auto params = model.parameters();
    Model<float>::Context ctx;
    Mat<float> grad;
    Checkpoints cp;
    double excluded = 0;  // seconds spent evaluating
    for (long s = 1; s <= o.steps; ++s) {
        const Mat<float>& P = model.forward(ctx, batch);
        mse(P, sp.y_train, grad);
        model.backward(ctx, grad);
        adam.step(params);
        const auto t1 = Clock::now();
        const double t = std::chrono::duration<double>(t1 - t0).count() - excluded;
        const bool last = t >= o.budget || s == o.steps;
        if (cp.due(s, t, last)) {
            out.push_back({method, s, t, clipped_psnr(model.predict(sp.x_test), sp.y_test)});
            excluded += std::chrono::duration<double>(Clock::now() - t1).count();
        }
        if (last) break;
    }
}

/// The protocols' MLP: `depth` ReLU layers of `width` units, then `channels` outputs through `output`;
/// PyTorch-default initialisation with the examples' seed 0.
MlpConfig relu_mlp(int channels, Index width, Index depth, Activation output) {
    MlpConfig cfg;
    cfg.output_dim = channels;
    cfg.width = width;
    cfg.depth = depth;
    cfg.hidden = ActivationSpec{Activation::ReLU};
    cfg.output = ActivationSpec{output};
    cfg.seed = init_seed(0);
    return cfg;
}

/// Protocol C: gaussian2 (D = 1000, sigma 0.003) + 4 x 256 ReLU MLP, sigmoid, Adam.
void gaussian2_mlp(const Split& sp, int channels, const Options& o, std::vector<Point>& out) {
    const auto t0 = Clock::now();
    EncoderSpec spec;
    spec.type = "gaussian2";
    spec.params = {{"param", 0.003}, {"dim", 1000.0}, {"input_dim", 2.0}};
    Model<float> model(make_encoder<float>(spec), relu_mlp(channels, 256, 4, Activation::Sigmoid));
    AdamOptions ao;  // protocol C: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-8
    ao.lr = 1e-3;
    ao.beta1 = 0.9;
    ao.beta2 = 0.999;
    ao.eps = 1e-8;
    ao.weight_decay = 1e-8;
    run_adam("posenc_gaussian2_mlp", model, sp, ao, t0, o, out);
}

/// Protocol E: 16 x 2 grid (log2 T given) + 64 x 2 ReLU MLP, linear output, Adam lr 1e-2.
void grid_mlp(const std::string& method, Index log2_table, const Split& sp, int channels, int S, const Options& o,
              std::vector<Point>& out) {
    const auto t0 = Clock::now();
    EncoderSpec spec;
    spec.type = "hashgrid";
    spec.params = {{"input_dim", 2.0},          {"levels", 16.0},           {"features", 2.0},
                   {"log2_table_size", double(log2_table)}, {"base_resolution", 16.0},
                   {"max_resolution", double(S / 2)}, {"alignment", double(int(GridAlignment::Vertex))},
                   {"seed", 0.0}};
    Model<float> model(make_encoder<float>(spec), relu_mlp(channels, 64, 2, Activation::Identity));
    AdamOptions ao;  // protocol E
    ao.lr = 1e-2;
    ao.beta1 = 0.9;
    ao.beta2 = 0.99;
    ao.eps = 1e-15;
    ao.weight_decay = 0.0;
    run_adam(method, model, sp, ao, t0, o, out);
}

/// Protocol D: Kronecker encoding, depth 0, closed form (D = S, sigma = 2 / S, lambda = 0.1).
void kronecker(const Image& img, std::vector<Point>& out) {
    ComplexFitOptions co;
    co.dim = img.width;
    co.sigma = 2.0 / img.width;
    co.closed_form = true;
    co.lambda = 0.1;
    const ComplexFitResult r = complex_fit(img, co);
    out.push_back({"posenc_kronecker_closed_form", 0, r.seconds, r.test_psnr});
}

std::string csv(const std::vector<Point>& pts) {
    std::ostringstream s;
    s.precision(6);
    s << "method,step,seconds,test_psnr\n";
    for (const Point& p : pts) s << p.method << ',' << p.step << ',' << p.seconds << ',' << p.psnr << '\n';
    return s.str();
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> v;
    std::stringstream ss(text);
    std::string tok;
    while (std::getline(ss, tok, ','))
        if (!tok.empty()) v.push_back(tok);
    return v;
}

/// Reads a CSV written by this program or bench/compare_pytorch --time-to-psnr (header checked).
std::vector<Point> read_csv(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw Error("--plot: cannot read \"" + path + "\"");
    std::string line;
    if (!std::getline(f, line) || line != "method,step,seconds,test_psnr")
        throw Error("--plot: \"" + path + "\" does not start with the header method,step,seconds,test_psnr");
    std::vector<Point> pts;
    int n = 1;
    while (std::getline(f, line)) {
        ++n;
        if (line.empty()) continue;
        const auto v = split_list(line);
        Point p;
        try {
            if (v.size() != 4) throw Error("");
            p = {v[0], std::stol(v[1]), std::stod(v[2]), std::stod(v[3])};
        } catch (const std::exception&) {
            throw Error("--plot: \"" + path + "\" line " + std::to_string(n) + " is not method,step,seconds,test_psnr");
        }
        pts.push_back(p);
    }
    return pts;
}

int plot(const Options& o) {
    if (o.png.empty()) throw Error("--plot needs --png OUT.png");
    std::vector<std::string> order;
    std::map<std::string, std::vector<Point>> by;
    for (const auto& path : split_list(o.plot))
        for (const Point& p : read_csv(path)) {
            if (!by.count(p.method)) order.push_back(p.method);
            by[p.method].push_back(p);
        }
    if (order.empty()) throw Error("--plot: no data rows");
    Chart ch;
    ch.title = "Test PSNR against wall-clock seconds (evaluation excluded)";
    ch.xlabel = "seconds (log scale)";
    ch.ylabel = "test PSNR (dB)";
    ch.logx = true;
    for (const auto& m : order) {
        std::vector<double> x, y;
        for (const Point& p : by[m]) {
            x.push_back(std::max(p.seconds, 1e-3));
            y.push_back(p.psnr);
        }
        ch.add(m, x, y, x.size() == 1 ? SeriesStyle::Points : SeriesStyle::LinePoints);
    }
    const ChartFiles f = write_chart(ch, o.png);
    std::cerr << "time_to_psnr: " << f.message << "\n";
    // The table of docs/examples.md: the PSNR at t = the last checkpoint at or before t ("-" if none).
    std::printf("| method | test PSNR at 1 s | at 10 s | at 100 s | at the end | steps | seconds |\n|---|---|---|---|---|---|---|\n");
    for (const auto& m : order) {
        const auto& v = by[m];
        std::printf("| %s |", m.c_str());
        for (double t : {1.0, 10.0, 100.0}) {
            const Point* at = nullptr;
            for (const Point& p : v)
                if (p.seconds <= t) at = &p;
            if (at) std::printf(" %.2f |", at->psnr);
            else std::printf(" - |");
        }
        std::printf(" %.2f | %ld | %.3g |\n", v.back().psnr, v.back().step, v.back().seconds);
    }
    return 0;
}

int run(CLI::App& app, int argc, char** argv) {
    Options o;
    app.add_option("--image", o.image, "image file (PNG, JPEG); default: built-in procedural image");
    app.add_option("--size", o.size, "downsample to S x S (protocol C)")->capture_default_str();
    app.add_option("--methods", o.methods, "comma list of gaussian2_mlp, kronecker, hashgrid, densegrid")
        ->capture_default_str();
    app.add_option("--budget", o.budget, "seconds of training clock per method (evaluation excluded)")
        ->capture_default_str();
    app.add_option("--steps", o.steps, "step cap per method")->capture_default_str();
    app.add_option("--out", o.out, "CSV file (default: stdout)");
    app.add_flag("--quiet", o.quiet, "no summary lines on stderr");
    app.add_option("--plot", o.plot, "draw these CSV files (comma list) instead of fitting");
    app.add_option("--png", o.png, "--plot: the chart (OUT.dat and OUT.gp are written beside it)");
    o.threads.add_to(app);
    app.parse(argc, argv);
    if (!o.plot.empty()) return plot(o);

    if (o.size < 4) throw Error("--size must be >= 4 (got " + std::to_string(o.size) + ")");
    if (o.steps <= 0) throw Error("--steps must be > 0 (got " + std::to_string(o.steps) + ")");
    if (!(o.budget > 0) || !std::isfinite(o.budget)) throw Error("--budget must be finite and > 0");
    const auto methods = split_list(o.methods);
    if (methods.empty()) throw Error("--methods is empty");
    for (const auto& m : methods)
        if (std::find(kMethods.begin(), kMethods.end(), m) == kMethods.end())
            throw Error("--methods: unknown method \"" + m + "\" (known: gaussian2_mlp, kronecker, hashgrid, densegrid)");
    const int threads = o.threads.apply();

    const Image source = o.image.empty() ? default_image_2d(256) : load_image(o.image);
    const Image img = downsample(source, o.size);
    const Split sp = split_2d(img);
    std::vector<Point> pts;
    for (const auto& m : methods) {
        const std::size_t first = pts.size();
        if (m == "gaussian2_mlp") gaussian2_mlp(sp, img.channels, o, pts);
        else if (m == "kronecker") kronecker(img, pts);
        else if (m == "hashgrid") grid_mlp("posenc_hashgrid", 15, sp, img.channels, o.size, o, pts);
        else grid_mlp("posenc_densegrid", dense_log2_table(o.size), sp, img.channels, o.size, o, pts);
        if (!o.quiet && pts.size() > first)
            std::fprintf(stderr, "time_to_psnr: %-30s %d threads: step %ld, %.3f s, test PSNR %.2f dB (%zu checkpoints)\n",
                         pts.back().method.c_str(), threads, pts.back().step, pts.back().seconds, pts.back().psnr,
                         pts.size() - first);
    }
    if (o.out.empty())
        std::cout << csv(pts) << std::flush;
    else
        write_text_file(o.out, csv(pts));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return posenc::examples::run_main(argc, argv, kDescription, [&](CLI::App& app) { return run(app, argc, argv); });
}

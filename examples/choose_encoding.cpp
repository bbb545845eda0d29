// choose_encoding — which sigma? The width of a shifted basis recommended from the training samples
// (posenc::recommend_bandwidth, posenc/analysis/bandwidth.hpp; the rule: docs/theory.md §9), printed
// with a table of its evidence and drawn as the paper's trade-off. With --encoder hashgrid: which finest
// resolution and table? (posenc::recommend_grid, posenc/analysis/grid_resolution.hpp; docs/theory.md §11).
//
//   choose_encoding [--image PATH] [--row R | --size S] --encoder gaussian|triangle|gaussian2|complex_gaussian
//                   [--dim D] [--depth 0] [--width 256] [--steps 2000] [--lr 1e-3] [--closed-form [--lambda L]]
//                   [--periodic] [--lo W] [--hi W] [--per-octave 2] [--tolerance 0.5] [--sweep FILE]
//                   [--criterion auto|thinned|variogram]
//                   [--crop X,Y,SIDE] [--grey] [--blur PX]
//                   [--json] [--out DIR] [--threads N]
//
// Data and split as fit_1d (protocol B: --row of --image, train = even samples) or, with --size or a 2D
// encoder, as fit_2d (protocols C / D: S x S, train = even rows and columns). Only the training samples
// are given to the recommender. The model flags mean what they mean in fit_1d / fit_2d; defaults: 1D
// D = 10000, 2000 Adam steps (protocol B); 2D D = 1000 (per axis: gaussian2) or S (complex_gaussian),
// closed form with lambda 0.1 for complex_gaussian.
//
// --out DIR writes DIR/choose_tradeoff.png (stable rank of the train embedding and DP half-width / sample
// spacing against the width, floor and choice marked) and DIR/choose_criterion.png (the thinned
// validation PSNR against the width and, under the variogram criterion, the predicted test PSNR; the
// floor, the best validation and the chosen width). --criterion: auto (the variogram for
// complex_gaussian's closed form on >= 26 x 26 training pixels, thinned otherwise), thinned or variogram
// (posenc::BandwidthCriterion; JSON "criterion", and "predicted_psnr" per candidate for the variogram). --sweep FILE adds measured test PSNRs to the second
// chart ("width test_psnr" per line, e.g. from fit_1d --json runs): for validation only, the
// recommendation never reads them.
//
//   choose_encoding --encoder hashgrid [--image PATH] [--size 128] [--crop X,Y,SIDE] [--grey] [--blur PX] [--levels 16]
//                   [--features 2] [--base-res 16] [--grid-alignment vertex|tcnn] [--sweep FILE] [--json] [--out DIR]
//
// Prints recommend_grid's evidence for the S x S image's training pixels (even rows and columns, as
// fit_2d): per candidate finest resolution N_max the finest cell width over the spacing h and the
// occupancy of the finest cells, per candidate table whether every level is dense and the shared
// fraction of trained finest vertices. --out DIR writes DIR/choose_grid.png (occupancy and cell width / h
// against N_max, the choice marked; --sweep FILE of "N_max test_psnr" lines, e.g. from
// examples/protocol_f_grid.sh, drawn on the right-hand axis, for validation only).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/chart.hpp"
#include "common/cli.hpp"
#include "common/fit_common.hpp"
#include "common/grid_json.hpp"
#include "common/image.hpp"
#include "common/recommend.hpp"
#include "common/signals.hpp"
#include "posenc/analysis/grid_resolution.hpp"

namespace {

using namespace posenc;
using namespace posenc::examples;

constexpr const char* kDescription =
    "Recommend the width (Gaussian sigma, triangle half-width) of a shifted-basis encoding from the training\n"
    "samples of a 1D image row (protocol B) or an S x S image (protocols C / D), with its evidence: stable rank\n"
    "of the train embedding, DP half-width against the sample spacing, validation PSNR of the test-free rule.\n"
    "--encoder hashgrid: the finest resolution and table size of a grid (recommend_grid) with their evidence.";

/// Reads "width test_psnr" lines (blank lines and # comments skipped); throws posenc::Error naming --sweep.
std::vector<std::pair<double, double>> read_sweep(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("--sweep: cannot read \"" + path + "\"");
    std::vector<std::pair<double, double>> v;
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.find_first_not_of(" \t\r") == std::string::npos || line[line.find_first_not_of(" \t")] == '#') continue;
        std::istringstream ss(line);
        double a = 0, b = 0;
        if (!(ss >> a >> b) || !std::isfinite(a) || !std::isfinite(b) || !(a > 0))
            throw Error("--sweep: line " + std::to_string(n) + " of \"" + path + "\" is not \"width psnr\"");
        v.push_back({a, b});
    }
    if (v.empty()) throw Error("--sweep: \"" + path + "\" has no data");
    return v;
}

/// A vertical marker from y0 to y1 at x.
void add_marker(Chart& ch, const std::string& name, double x, double y0, double y1) {
    ch.add(name, {x, x}, {y0, y1}, SeriesStyle::Line);
}

/// The grid flags of choose_encoding --encoder hashgrid.
struct GridFlags {
    std::int64_t levels = 16, features = 2, base_res = 16;  ///< --levels, --features, --base-res
    std::string alignment = "vertex";                       ///< --grid-alignment
};

/// --encoder hashgrid: recommend_grid() on the training pixels, its evidence as a table or JSON, and
/// the chart (with the measured sweep on the right-hand axis) when `out` is given.
int run_grid(const Split& sp, const std::string& what, const std::string& label, const GridFlags& g,
             const std::vector<std::pair<double, double>>& measured, bool json, const std::string& out) {
    GridRecommendSettings s;
    s.base.input_dim = 2;
    s.base.levels = Index(g.levels);
    s.base.features = Index(g.features);
    s.base.base_resolution = double(g.base_res);
    s.base.alignment = grid_alignment_from_name(g.alignment);
    const GridRecommendation r = recommend_grid<float>(sp.x_train, s);
    const double h = *std::max_element(r.spacing.begin(), r.spacing.end());
    if (json) {
        nlohmann::json j;
        j["encoder"] = "hashgrid";
        j["max_resolution"] = r.max_resolution;
        j["log2_table_size"] = r.log2_table_size;
        j.update(grid_evidence_json(r));  // spacing, resolutions, tables, rule
        std::cout << j.dump() << std::endl;
    } else {
        std::printf("signal    %s: %lld training pixels, spacing h = %.6g\n", what.c_str(), (long long)sp.x_train.cols(), h);
        std::printf("grid      %lld levels x %lld features, N_min = %lld, %s alignment\n", (long long)g.levels,
                    (long long)g.features, (long long)g.base_res, g.alignment.c_str());
        std::printf("\n%8s %12s %10s\n", "N_max", "cell / h", "occupancy");
        for (const auto& c : r.resolutions)
            std::printf("%8g %12.3f %10.4f%s\n", c.resolution, c.cell_over_spacing, c.occupancy,
                        c.chosen ? "  <- recommended" : "");
        std::printf("\n%8s %6s %16s\n", "log2 T", "dense", "shared fraction");
        for (const auto& t : r.tables)
            std::printf("%8lld %6s %16.4f%s\n", (long long)t.log2_table_size, t.dense ? "yes" : "no", t.shared_fraction,
                        t.chosen ? "  <- recommended" : "");
        std::printf("\nrule      %s\n", r.rule.c_str());
        std::printf("recommend --max-res %g --log2-table %lld\n", r.max_resolution, (long long)r.log2_table_size);
    }
    if (!out.empty()) {
        std::vector<double> n, occ, cell;
        double ylo = std::numeric_limits<double>::infinity(), yhi = 0;
        for (const auto& c : r.resolutions) {
            n.push_back(c.resolution);
            occ.push_back(c.occupancy);
            cell.push_back(c.cell_over_spacing);
            for (double v : {c.occupancy, c.cell_over_spacing})
                if (v > 0 && std::isfinite(v)) ylo = std::min(ylo, v), yhi = std::max(yhi, v);
        }
        Chart t;
        char choice[64];
        std::snprintf(choice, sizeof choice, "N_max %g, log2 T %lld", r.max_resolution, (long long)r.log2_table_size);
        t.title = "grid: " + label + " (choice " + choice + ")";
        t.xmin = n.front() / 1.25;
        t.xmax = n.back() * 1.25;
        t.xtics = n;
        t.xlabel = "finest resolution N_max";
        t.ylabel = "finest-cell occupancy / (cell width / spacing h)";
        t.logx = t.logy = true;
        t.add("occupancy of the finest cells", n, occ, SeriesStyle::LinePoints);
        t.add("finest cell width / h", n, cell, SeriesStyle::LinePoints);
        add_marker(t, "recommended", r.max_resolution, ylo, yhi);
        if (!measured.empty()) {
            std::vector<double> mx, my;
            for (const auto& [a, b] : measured) {
                mx.push_back(a), my.push_back(b);
                t.xmin = std::min(t.xmin, a / 1.25), t.xmax = std::max(t.xmax, a * 1.25);
                if (std::find(t.xtics.begin(), t.xtics.end(), a) == t.xtics.end()) t.xtics.push_back(a);
            }
            t.y2label = "test PSNR (dB)";
            t.add_y2("test PSNR (--sweep; not used)", mx, my);
        }
        std::cerr << "choose_encoding: " << write_chart(t, std::filesystem::path(out) / "choose_grid.png").message << "\n";
    }
    return 0;
}

int run(CLI::App& app, int argc, char** argv) {
    std::string image, sweep, out, encoder, crop, criterion = "auto";
    bool grey = false;
    double blur = 0;
    int row = 256, size = 0, depth = 0, width = 256, steps = 2000, per_octave = 2;
    std::int64_t dim = 0;
    double lr = 1e-3, lambda = -1, lo = 0, hi = 0, tolerance = -1;
    bool closed_form = false, periodic = false, json = false;
    ThreadOption threads;
    GridFlags grid;
    app.add_option("--image", image, "image file; default: built-in signal / image");
    auto* row_opt = app.add_option("--row", row, "1D: image row (protocol B)")->capture_default_str();
    auto* size_opt = app.add_option("--size", size, "2D: downsample to S x S (protocols C / D)");
    app.add_option("--crop", crop, "2D: X,Y,SIDE: use the SIDE x SIDE square at column X, row Y of the image");
    app.add_flag("--grey", grey, "2D: use the luma (BT.601) of an RGB image");
    app.add_option("--blur", blur, "2D: PX: blur the image with a Gaussian of PX pixels before --crop (a smooth signal)");
    app.add_option("--encoder", encoder,
                   "gaussian, triangle (1D, or per axis with --size), gaussian2, complex_gaussian; hashgrid (2D)")
        ->required();
    auto* levels_opt = app.add_option("--levels", grid.levels, "hashgrid: levels L")->capture_default_str()->check(CLI::Range(1, 32));
    auto* features_opt =
        app.add_option("--features", grid.features, "hashgrid: features per level")->capture_default_str()->check(CLI::Range(1, 8));
    auto* base_opt = app.add_option("--base-res", grid.base_res, "hashgrid: coarsest resolution N_min")
                         ->capture_default_str()
                         ->check(CLI::Range(1, 1 << 20));
    auto* align_opt = app.add_option("--grid-alignment", grid.alignment, "hashgrid: vertex (protocol E) or tcnn")
                          ->capture_default_str();
    app.add_option("--dim", dim, "D: shifts (1D), total code size (per axis), shifts per axis (complex_gaussian)")
        ->check(CLI::Range(std::int64_t(1), std::int64_t(1) << 26));
    app.add_option("--depth", depth, "hidden layers of the model (0 = linear)")->capture_default_str();
    app.add_option("--width", width, "units per hidden layer")->capture_default_str();
    app.add_option("--steps", steps, "Adam steps of the model")->capture_default_str();
    app.add_option("--lr", lr, "Adam learning rate")->capture_default_str();
    app.add_flag("--closed-form", closed_form, "the model is fitted in closed form (depth 0)");
    app.add_option("--lambda", lambda, "ridge penalty of the closed form (default 1e-8; complex_gaussian 0.1)");
    app.add_flag("--periodic", periodic, "periodic domain");
    app.add_option("--lo", lo, "smallest candidate width (default: the floor, DP half-width = spacing / 2)");
    app.add_option("--hi", hi, "largest candidate width (default 16 x spacing)");
    app.add_option("--per-octave", per_octave, "candidates per factor 2")->capture_default_str();
    app.add_option("--tolerance", tolerance,
                   "dB: the narrowest width within this of the best validation PSNR (default 0.5 Adam, 0.25 closed form)");
    app.add_option("--criterion", criterion,
                   "what ranks the widths: auto (variogram for complex_gaussian's closed form, thinned otherwise), "
                   "thinned (validation on the training grid thinned 2x), variogram (predicted kriging error)")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "thinned", "variogram"}));
    app.add_option("--sweep", sweep, "file of measured \"width test_psnr\" lines to draw beside the criterion (validation)");
    app.add_flag("--json", json, "print one JSON object on stdout");
    app.add_option("--out", out, "directory for choose_tradeoff.png and choose_criterion.png");
    threads.add_to(app);
    app.parse(argc, argv);
    threads.apply();

    const bool complex = encoder == "complex_gaussian";
    const bool is_grid = encoder == "hashgrid";
    if (!is_grid)
        for (const CLI::Option* opt : {levels_opt, features_opt, base_opt, align_opt})
            if (opt->count()) throw Error(opt->get_name() + " is for --encoder hashgrid");
    const bool two_d = size_opt->count() > 0 || complex || encoder == "gaussian2" || is_grid;
    if (!two_d && (!crop.empty() || grey || blur != 0))
        throw Error("--crop, --grey and --blur are for 2D images (with --size)");
    if (two_d && row_opt->count()) throw Error("--row is for 1D signals; drop it with --size / a 2D encoder");
    if (row_opt->count() && image.empty()) throw Error("--row needs --image");
    if (two_d && size <= 0) size = 128;
    if (!two_d && size_opt->count()) throw Error("--size must be > 0");
    if (depth < 0) throw Error("--depth must be >= 0 (got " + std::to_string(depth) + ")");
    if (steps <= 0) throw Error("--steps must be > 0 (got " + std::to_string(steps) + ")");
    if (!(lr > 0) || !std::isfinite(lr)) throw Error("--lr must be finite and > 0");
    if (lambda < 0 && lambda != -1) throw Error("--lambda must be finite and >= 0");
    if (!std::isfinite(lambda)) throw Error("--lambda must be finite and >= 0");
    if (per_octave < 1 || per_octave > 64) throw Error("--per-octave must be in [1, 64] (got " + std::to_string(per_octave) + ")");
    if (!std::isfinite(tolerance) || (tolerance < 0 && tolerance != -1)) throw Error("--tolerance must be finite and >= 0");
    if (!(lo >= 0) || !(hi >= 0) || !std::isfinite(lo) || !std::isfinite(hi))
        throw Error("--lo and --hi must be finite and >= 0");
    if (lo > 0 && hi > 0 && !(lo < hi)) throw Error("--lo must be < --hi (empty sweep range)");
    if (complex && !closed_form && lambda == -1) closed_form = true;  // protocol D default
    const std::vector<std::pair<double, double>> measured = sweep.empty() ? std::vector<std::pair<double, double>>{}
                                                                          : read_sweep(sweep);
    if (!out.empty()) ensure_directory(out);

    Split sp;
    std::string what;
    if (two_d) {
        const Image img =
            prepare_image(image.empty() ? default_image_2d(256) : load_image(image), blur, crop, grey, size);
        sp = split_2d(img);
        what = (image.empty() ? std::string("built-in image") : image) + (crop.empty() ? "" : " crop " + crop) + ", " + std::to_string(size) + " x " +
               std::to_string(size);
    } else {
        sp = split_1d(image.empty() ? default_signal_1d(512) : image_row(load_image(image), row, 512));
        what = image.empty() ? std::string("built-in signal") : image + " row " + std::to_string(row);
    }
    if (is_grid) {
        for (const CLI::Option* opt : {app.get_option("--dim"), app.get_option("--depth"), app.get_option("--width"),
                                       app.get_option("--steps"), app.get_option("--lr"), app.get_option("--lambda"),
                                       app.get_option("--lo"), app.get_option("--hi"), app.get_option("--per-octave"),
                                       app.get_option("--tolerance"), app.get_option("--criterion")})
            if (opt->count()) throw Error(opt->get_name() + " does not apply to --encoder hashgrid");
        if (closed_form || periodic) throw Error("--closed-form and --periodic do not apply to --encoder hashgrid");
        (void)grid_alignment_from_name(grid.alignment);  // posenc::Error for an unknown name
        const std::string label =
            image.empty() ? what : std::filesystem::path(image).filename().string() + what.substr(image.size());
        return run_grid(sp, what, label, grid, measured, json, out);
    }

    RecommendSettings rs;
    rs.encoder = encoder;
    rs.input_dim = two_d ? 2 : 1;
    rs.model.dim = dim > 0 ? Index(dim) : (!two_d ? 10000 : complex ? Index(size) : 1000);
    rs.model.periodic = periodic;
    rs.model.depth = depth;
    rs.model.width = width;
    rs.model.closed_form = closed_form;
    rs.model.lambda = lambda >= 0 ? lambda : complex ? 0.1 : 1e-8;
    rs.model.steps = steps;
    rs.model.lr = lr;
    rs.model.seed = init_seed(0);
    rs.search.lo = lo;
    rs.search.hi = hi;
    rs.search.per_octave = per_octave;
    rs.search.tolerance_db = tolerance;
    rs.search.criterion = bandwidth_criterion_from_name(criterion);
    const BandwidthRecommendation r = recommend_for(rs, sp);
    const double h = r.spacing;

    if (json) {
        nlohmann::json j;
        j["encoder"] = encoder;
        j["profile"] = r.profile;
        j["parameter"] = r.parameter;
        j["param"] = r.param;
        j["spacing"] = h;
        j["stable_rank"] = r.stable_rank;
        j["half_width"] = r.half_width;
        j["half_width_over_spacing"] = r.half_width_over_spacing;
        j["floor"] = r.floor;
        j["best_param"] = r.best_param;
        j["best_psnr"] = r.best_psnr;
        j["chosen_psnr"] = r.chosen_psnr;
        j["criterion"] = r.criterion;
        const bool vg = r.criterion == "variogram";
        if (vg) j["predicted_psnr"] = r.predicted_psnr;
        nlohmann::json c = nlohmann::json::array();
        for (const auto& k : r.candidates) {
            c.push_back({{"param", k.param}, {"stable_rank", k.stable_rank}, {"half_width", k.half_width},
                         {"cv_psnr", k.cv_psnr}, {"eligible", k.eligible}});
            if (vg) c.back()["predicted_psnr"] = k.predicted_psnr;
        }
        j["candidates"] = c;
        std::cout << j.dump() << std::endl;
    } else {
        std::printf("signal    %s: %lld training samples (%lld x %lld grid), spacing h = %.6g\n", what.c_str(),
                    (long long)r.train_points, (long long)r.grid_x, (long long)r.grid_y, h);
        std::printf("model     %s, %s, D = %lld, depth %d, %s\n", encoder.c_str(), to_string(bandwidth_model(rs).layout),
                    (long long)rs.model.dim, depth,
                    closed_form ? ("closed form, lambda " + std::to_string(rs.model.lambda)).c_str()
                                : ("Adam, " + std::to_string(steps) + " steps, lr " + std::to_string(lr)).c_str());
        const bool vg = r.criterion == "variogram";
        std::printf("\n%12s %7s %12s %10s %8s %10s%s\n", r.parameter.c_str(), "w/h", "stable rank", "DP half-w", "hw/h",
                    "CV PSNR", vg ? "  predicted" : "");
        for (const auto& k : r.candidates) {
            std::printf("%12.4g %7.3f %12.2f %10.4g %8.3f %10.2f", k.param, k.param / h, k.stable_rank, k.half_width,
                        k.half_width / h, k.cv_psnr);
            if (vg) std::printf(" %10.2f", k.predicted_psnr);
            std::printf("%s%s\n", k.eligible ? "" : "  (below the floor)",
                        k.param == r.param ? "  <- recommended" : k.param == r.best_param ? "  <- best validation" : "");
        }
        std::printf("\nfloor     %s >= %.4g (DP half-width >= h / 2)\n", r.parameter.c_str(), r.floor);
        if (vg) {
            std::printf("criterion variogram: the test error of the closed-form smoother predicted from the training grid's\n"
                        "          empirical variogram (kriging variance), widths up to %g h\n",
                        rs.search.variogram_max_width);
            std::printf("best      predicted %.2f dB at %s = %.4g (thinned validation: best %s = %.4g, %.2f dB)\n",
                        r.predicted_psnr, r.parameter.c_str(), r.param, r.parameter.c_str(), r.best_param, r.best_psnr);
        } else {
            std::printf("criterion validation PSNR on the training grid thinned 2x (fit on the kept samples, validate halfway)\n");
            std::printf("best      %s = %.4g: %.2f dB; narrowest within %.2g dB: %s = %.4g (%.2f dB)\n", r.parameter.c_str(),
                        r.best_param, r.best_psnr, r.tolerance_db, r.parameter.c_str(), r.param, r.chosen_psnr);
        }
        std::printf("recommend %s = %.4g  (%.3f h; stable rank %.2f of %lld; DP half-width %.4g = %.2f h)\n",
                    r.parameter.c_str(), r.param, r.param / h, r.stable_rank, (long long)r.train_points, r.half_width,
                    r.half_width_over_spacing);
    }

    if (!out.empty()) {
        const std::filesystem::path dir(out);
        char choice[32];
        std::snprintf(choice, sizeof choice, "%.4g", r.param);
        const std::string label = image.empty() ? what : std::filesystem::path(image).filename().string() +
                                                             what.substr(image.size());
        std::vector<double> w, sr, hw, c1, pv;
        double ylo = std::numeric_limits<double>::infinity(), yhi = -ylo;
        for (const auto& k : r.candidates) {
            w.push_back(k.param);
            sr.push_back(k.stable_rank);
            hw.push_back(k.half_width / h);
            c1.push_back(k.cv_psnr);
            ylo = std::min(ylo, k.cv_psnr), yhi = std::max(yhi, k.cv_psnr);
            if (r.criterion == "variogram") {
                pv.push_back(k.predicted_psnr);
                ylo = std::min(ylo, k.predicted_psnr), yhi = std::max(yhi, k.predicted_psnr);
            }
        }
        Chart t;
        t.title = "trade-off: " + label + ", " + encoder + " (choice " + r.parameter + " = " + std::string(choice) + ")";
        t.xlabel = r.parameter;
        t.ylabel = "stable rank / (DP half-width / spacing h)";
        t.logx = t.logy = true;
        t.add("stable rank (train)", w, sr, SeriesStyle::LinePoints);
        t.add("DP half-width / h", w, hw, SeriesStyle::LinePoints);
        double smin = std::numeric_limits<double>::infinity(), smax = 0;
        for (double v : sr) smin = std::min(smin, v), smax = std::max(smax, v);
        for (double v : hw) smin = std::min(smin, v), smax = std::max(smax, v);
        add_marker(t, "floor (DP half-width h/2)", r.floor, smin, smax);
        add_marker(t, "recommended", r.param, smin, smax);
        std::cerr << "choose_encoding: " << write_chart(t, dir / "choose_tradeoff.png").message << "\n";

        Chart c;
        c.title = "criterion: " + label + ", " + encoder + " (choice " + r.parameter + " = " +
                  std::string(choice) + ")";
        c.xlabel = r.parameter;
        c.ylabel = "PSNR (dB)";
        c.logx = true;
        c.add("validation (train grid thinned 2x)", w, c1, SeriesStyle::LinePoints);
        if (!pv.empty()) c.add("predicted test PSNR (variogram)", w, pv, SeriesStyle::LinePoints);
        if (!measured.empty()) {
            std::vector<double> mx, my;
            for (const auto& [a, b] : measured) mx.push_back(a), my.push_back(b), ylo = std::min(ylo, b), yhi = std::max(yhi, b);
            c.add("test PSNR (--sweep; not used)", mx, my, SeriesStyle::LinePoints);
        }
        add_marker(c, "floor (DP half-width h/2)", r.floor, ylo, yhi);
        add_marker(c, "best validation", r.best_param, ylo, yhi);
        add_marker(c, "recommended", r.param, ylo, yhi);
        std::cerr << "choose_encoding: " << write_chart(c, dir / "choose_criterion.png").message << "\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return posenc::examples::run_main(argc, argv, kDescription, [&](CLI::App& app) { return run(app, argc, argv); });
}

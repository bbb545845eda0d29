// rank_curves — stable-rank curves and distance-preservation curves of positional encodings
// (protocol A of the paper "Rethinking Positional Encoding"). Two modes:
//
// 1. One encoder:
//
//   rank_curves --encoder NAME [--param P] [--offset O] --dim D [--periodic] --samples 1,10,50
//               [--seed K] [--dense] [--json] [--out DIR]
//
// For every N in --samples: the embedding matrix of the N points x_i = i / N (i = 0..N-1), i.e. the
// D x N matrix of their codes, and its stable rank ||A||_F^2 / ||A||_2^2 and L1 stable rank
// sum(s) / max(s). Both come from the eigenvalues of the N x N Gram matrix: for an encoder with sparse
// windows (compact or truncated profile) and N <= D it is built from the windows
// (embedding_stable_ranks() in analysis/windowed_gram.hpp, method "windowed_gram") and the D x N
// matrix is never formed; otherwise (Fourier features, N > D, or --dense) the matrix is formed
// (method "dense": stable_rank() and stable_rank_l1()). The two agree to ~1e-8 relative (the windows'
// truncation). Then the distance-preservation curve around x0 = 0.5:
// k(delta) = <Psi(x0), Psi(x0 + delta)> / (||Psi(x0)|| ||Psi(x0 + delta)||) for the 201 offsets
// delta in linspace(-0.5, 0.5, 201), and its half width (smallest |delta| where k falls to 1/2).
//
// --json prints one JSON object on stdout:
//   {"encoder", "param", "dim", "samples", "stable_rank", "stable_rank_l1", "method",
//    "dp": {"delta", "k"}, "half_width", "spec"}
// ("method": "windowed_gram" or "dense" for each N; "param" is null when not given, a stable rank is
// null when the embedding is all zero, half_width is null when k never falls to 1/2). Without --json:
// a readable table (with a method column). --out DIR also writes the two
// curves as charts DIR/<encoder>_srank.png and DIR/<encoder>_dp.png.
//
// 2. The paper's comparison figure (--all):
//
//   rank_curves --all [--dim 10000] [--max-samples 50] [--sigmas 0.002,0.005,0.01,0.02,0.05,0.1]
//               [--bounded] [--quick] [--dense] [--json] [--out DIR]
//
// The same two curves, stable rank for every N = 1..max-samples and the DP curve, for every embedder
// at once - impulse, square (f = 1), sine (f = 1, offset 0.7), gaussian (0.01, 0.05), triangle (0.01),
// sinc (0.01) (the reference set of protocol A), random noise (seed 1), RFF (sigma_b = 10, seed 1),
// basic and LogF (L = 8) - and for a family of Gaussian widths. D shifts t_d = d / D on the periodic
// domain of protocol A (--bounded: bounded domain). --json prints
//   {"dim", "max_samples", "periodic", "delta", "embedders": {NAME: {"stable_rank" (N = 1..max),
//    "stable_rank_at_max", "method" (N = 1..max), "dp_k", "half_width"}}, "sigma_family": {...same...}}
// --out DIR writes embedders_srank.png, embedders_dp.png, sigma_family_srank.png, sigma_family_dp.png.
//
// 3. Multiresolution grids (--grid):
//
//   rank_curves --grid [--grid-dim 1|2] [--grid-points P] [--hash-log2 K] [--interpolation linear|smoothstep|nearest]
//               [--grid-alignment tcnn|vertex] [--json] [--out DIR]
//
// The embedding of a grid before its learned table is its sparse weight matrix, table entries x points
// (analysis/grid_embedding.hpp; docs/theory.md section 10). On P points (1D: x_i = i / P; 2D: a
// sqrt(P) x sqrt(P) lattice of cell centres) its stable rank, and its DP curve around x0 = 0.5 (2D:
// (0.5, 0.5) along axis 0; protocol offsets) with the half width, for three sweeps, each with a dense
// table (2^20 entries per level) and a hashed one (2^K entries, default K = 6): one level of
// resolution N_min = 2, 4, ..., 512; L = 1..8 levels (N_min 4, b 2); one level of N_min 256 with
// tables of 2^3 .. 2^12 entries. --json prints {"mode": "grid", "input_dim", "points", "hash_log2",
// "resolution": {"base", "dense": {"stable_rank", "half_width"}, "hashed": {...}}, "levels": {"levels",
// "dense", "hashed"}, "table": {"log2_table", "stable_rank", "half_width"}, "dp": {"delta", NAME: k}};
// --out DIR writes grid_resolution_srank.png, grid_resolution_dp.png, grid_levels_srank.png,
// grid_levels_dp.png, grid_table_srank.png and grid_dp_curves.png.
//
// All modes: --dense forms every embedding matrix (the slow reference path, for checks and timings);
// --threads N, OpenMP threads (default 1 unless OMP_NUM_THREADS is set; 0 = all cores).
// Charts go through gnuplot when it is installed; the .dat data and .gp script are written either way
// (the program prints how to render them). Errors: one line on stderr, exit 2.
#include <unistd.h>  // isatty

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/chart.hpp"
#include "common/cli.hpp"
#include "common/image.hpp"
#include "posenc/analysis/distance_preservation.hpp"
#include "posenc/analysis/grid_embedding.hpp"
#include "posenc/analysis/stable_rank.hpp"
#include "posenc/analysis/windowed_gram.hpp"
#include "posenc/encoding/factory.hpp"

namespace {

using namespace posenc;
using namespace posenc::examples;

constexpr const char* kDescription =
    "Stable-rank curves and distance preservation of positional encodings (protocol A: samples x_i = i/N, DP around\n"
    "x0 = 0.5 for 201 offsets in [-0.5, 0.5]). One encoder (--encoder ... --dim ... --samples ...), or --all: every\n"
    "embedder and a Gaussian sigma family at once (the paper's comparison figure), with PNG charts under --out DIR.";

/// Stable ranks (L2 and L1) of the embedding of x_i = i / N, NaN when the embedding is all zero, and
/// the path taken: the windowed Gram when the encoder has windows and N <= D, unless `dense`.
EmbeddingStableRanks ranks_at(const AnyEncoder<double>& enc, Index N, bool dense) {
    Mat<double> X(enc.input_dim(), N);
    for (Index i = 0; i < N; ++i) X.col(i).setConstant(double(i) / double(N));
    EmbeddingRankOptions opt;
    opt.force_dense = dense;
    opt.nan_if_zero = true;
    return embedding_stable_ranks(enc, X, opt);
}

/// The DP curve of `enc` around x0 = 0.5 at the protocol offsets: distance_curve() on blocks of
/// offsets (a multiple of 8 of them, about 2^21 code entries per block), so that only one block of
/// codes is held at a time instead of all 201 (160 MB at D = 100 000, most of the run time as page
/// faults). Each k depends only on its own code and that of x0, so the values are those of one call.
DistanceCurve dp_curve(const AnyEncoder<double>& enc) {
    const Vec<double> deltas = protocol_deltas();
    const Index M = deltas.size();
    const Index block = std::max<Index>(8, (Index(1) << 21) / std::max<Index>(1, enc.output_dim()) / 8 * 8);
    DistanceCurve c;
    c.delta = deltas;
    c.k.resize(M);
    for (Index j0 = 0; j0 < M; j0 += block) {
        const Index n = std::min(block, M - j0);
        c.k.segment(j0, n) = distance_curve(enc, 0.5, Vec<double>(deltas.segment(j0, n))).k;
    }
    return c;
}

/// JSON number, or null for NaN / infinity.
nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

/// A std::vector copy of an Eigen vector.
std::vector<double> to_std(const Vec<double>& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

/// One encoder's curves: stable rank at each sample count, DP curve and its half width.
struct Curves {
    std::string name;            ///< label (legend entry, JSON key)
    std::vector<double> samples; ///< the numbers of points N
    std::vector<double> srank;   ///< stable rank at each N; NaN for an all-zero embedding
    std::vector<double> srank1;  ///< L1 stable rank at each N; NaN for an all-zero embedding
    std::vector<std::string> method;  ///< "windowed_gram" or "dense" at each N
    DistanceCurve dp;            ///< DP curve around 0.5 (protocol offsets)
    double half = 0;             ///< DP half width (NaN / inf when k never falls to 1/2)
};

/// Measures one encoder at the given sample counts (`dense`: always form the embedding matrix).
Curves measure(std::string name, const AnyEncoder<double>& enc, const std::vector<double>& samples, bool dense) {
    Curves c;
    c.name = std::move(name);
    c.samples = samples;
    for (const double N : samples) {
        const EmbeddingStableRanks r = ranks_at(enc, Index(N), dense);
        c.srank.push_back(r.l2);
        c.srank1.push_back(r.l1);
        c.method.push_back(to_string(r.path));
    }
    c.dp = dp_curve(enc);
    c.half = half_width(c.dp);
    return c;
}

/// Writes the stable-rank chart DIR/<stem>_srank.png and the DP chart DIR/<stem>_dp.png of a group
/// of curves; prints where they went (or how to render them) on stderr.
void chart_group(const std::filesystem::path& dir, const std::string& stem, const std::string& what,
                 const std::vector<Curves>& group, const std::string& setting) {
    Chart a;
    a.title = what + ": stable rank of the embedding of N points x_i = i/N (" + setting + ")";
    a.xlabel = "number of samples N";
    a.ylabel = "stable rank";
    Chart b;
    b.title = what + ": distance preservation around x0 = 0.5 (" + setting + ")";
    b.xlabel = "delta";
    b.ylabel = "normalised inner product k(delta)";
    b.xmin = -0.5;
    b.xmax = 0.5;
    const auto style = group.front().samples.size() > 12 ? SeriesStyle::Line : SeriesStyle::LinePoints;
    for (const Curves& c : group) {
        std::vector<double> n, s;
        for (std::size_t i = 0; i < c.srank.size(); ++i)
            if (std::isfinite(c.srank[i])) {
                n.push_back(c.samples[i]);
                s.push_back(c.srank[i]);
            }
        a.add(c.name, n, s, style);
        b.add(c.name, to_std(c.dp.delta), to_std(c.dp.k), SeriesStyle::Line);
    }
    std::cerr << "rank_curves: " << write_chart(a, dir / (stem + "_srank.png")).message << "\n";
    std::cerr << "rank_curves: " << write_chart(b, dir / (stem + "_dp.png")).message << "\n";
}

// ------------------------------------------------------------------------------ mode 1: one encoder

/// One encoder at the --samples counts: table or JSON, optional charts.
int run_one(const EncoderOptions& eo, const std::vector<std::int64_t>& samples, bool dense, bool json,
            const std::string& out) {
    const EncoderSpec spec = eo.spec();
    const AnyEncoder<double> enc = make_encoder<double>(spec);
    if (enc.input_dim() != 1)
        throw Error("--encoder: rank_curves needs a 1D encoder (input_dim = " + std::to_string(enc.input_dim()) + ")");
    // Bound the largest embedding (D x N doubles) to 2^28 entries (2 GiB).
    for (const auto N : samples)
        if (double(enc.output_dim()) * double(N) > double(Index(1) << 28))
            throw Error("--samples: " + std::to_string(N) + " points x dim " + std::to_string(enc.output_dim()) +
                        " is too large (limit 2^28 entries)");

    if (!out.empty()) ensure_directory(out);  // an unusable --out fails before anything is printed
    const Curves c = measure(eo.encoder, enc, std::vector<double>(samples.begin(), samples.end()), dense);
    const std::vector<double>& sr = c.srank;
    const std::vector<double>& sr1 = c.srank1;
    const DistanceCurve& dp = c.dp;
    const double hw = c.half;

    if (json) {
        nlohmann::json j;
        j["encoder"] = eo.encoder;
        j["param"] = eo.has_param() ? nlohmann::json(eo.param) : nlohmann::json(nullptr);
        j["dim"] = enc.output_dim();
        j["samples"] = samples;
        j["stable_rank"] = nlohmann::json::array();
        j["stable_rank_l1"] = nlohmann::json::array();
        for (std::size_t i = 0; i < samples.size(); ++i) {
            j["stable_rank"].push_back(number_or_null(sr[i]));
            j["stable_rank_l1"].push_back(number_or_null(sr1[i]));
        }
        j["method"] = c.method;
        j["dp"]["delta"] = to_std(dp.delta);
        j["dp"]["k"] = to_std(dp.k);
        j["half_width"] = number_or_null(hw);
        j["spec"] = nlohmann::json::parse(to_string(enc.spec()));
        std::cout << j.dump() << "\n";
    } else {
        std::printf("encoder %s, output dim %ld\n", to_string(enc.spec()).c_str(), long(enc.output_dim()));
        std::printf("\nstable rank of the embedding of x_i = i/N, i = 0..N-1\n");
        std::printf("%10s  %14s  %14s  %s\n", "N", "stable_rank", "stable_rank_l1", "method");
        for (std::size_t i = 0; i < samples.size(); ++i)
            std::printf("%10ld  %14.6f  %14.6f  %s\n", long(samples[i]), sr[i], sr1[i], c.method[i].c_str());
        std::printf("\ndistance preservation around x0 = 0.5 (201 offsets; selected |delta| shown)\n");
        std::printf("%10s  %12s  %12s\n", "|delta|", "k(-delta)", "k(+delta)");
        const Index mid = 100;  // delta = 0 in the 201 protocol offsets
        for (const Index off : {0, 1, 2, 4, 10, 20, 50, 100})
            std::printf("%10.4f  %12.6f  %12.6f\n", dp.delta[mid + off], dp.k[mid - off], dp.k[mid + off]);
        if (std::isfinite(hw)) std::printf("\nhalf width (k falls to 1/2 at |delta| =) %.6f\n", hw);
        else std::printf("\nhalf width: k never falls to 1/2 within |delta| <= 0.5\n");
        std::fflush(stdout);
    }
    if (!out.empty()) {
        const std::filesystem::path dir(out);
        ensure_directory(dir);
        chart_group(dir, eo.encoder, eo.encoder, {c}, "D = " + std::to_string(enc.output_dim()));
    }
    return 0;
}

// ------------------------------------------------------------------------ mode 2: --all (the figure)

/// Settings of the --all mode.
struct AllOptions {
    std::int64_t dim = 10000;  ///< number of shifts D (RFF / noise: output size)
    int max_samples = 50;      ///< N = 1..max_samples
    std::vector<double> sigmas{0.002, 0.005, 0.01, 0.02, 0.05, 0.1};  ///< Gaussian family
    bool bounded = false;      ///< bounded domain instead of the periodic one of protocol A
    bool dense = false;        ///< form every embedding matrix (no windowed Gram)
};

/// Prints one group as a table: stable rank at a few N, DP half width.
void print_group(const char* title, const std::vector<Curves>& group) {
    std::printf("\n%s\n%-16s", title, "embedder");
    const int n = int(group.front().srank.size());
    std::vector<int> cols;
    for (int N : {1, 5, 10, 20, 50})
        if (N <= n) cols.push_back(N);
    if (cols.back() != n) cols.push_back(n);
    for (int N : cols) std::printf(" %9s", ("N=" + std::to_string(N)).c_str());
    std::printf(" %10s\n", "DP half-w");
    for (const Curves& c : group) {
        std::printf("%-16s", c.name.c_str());
        for (int N : cols) std::printf(" %9.3f", c.srank[std::size_t(N - 1)]);
        std::printf(" %10.4f\n", c.half);
    }
}

/// Every embedder and the sigma family at N = 1..max: table or JSON, optional charts.
int run_all(const AllOptions& o, bool json, const std::string& out) {
    if (!out.empty()) ensure_directory(out);  // an unusable --out fails before anything is printed
    const double D = double(o.dim), per = o.bounded ? 0.0 : 1.0;
    auto basis = [&](std::string type, std::map<std::string, double> p) {
        p["dim"] = D;
        p["periodic"] = per;
        return EncoderSpec{std::move(type), std::move(p), {}};
    };
    auto fourier = [](std::string type, std::map<std::string, double> p) {
        return EncoderSpec{std::move(type), std::move(p), {}};
    };
    const std::vector<std::pair<std::string, EncoderSpec>> list = {
        {"impulse", basis("impulse", {})},
        {"square", basis("square", {{"freq", 1}})},
        {"sine", basis("sine", {{"freq", 1}, {"offset", 0.7}})},
        {"gaussian_0.01", basis("gaussian", {{"sigma", 0.01}})},
        {"gaussian_0.05", basis("gaussian", {{"sigma", 0.05}})},
        {"triangle_0.01", basis("triangle", {{"width", 0.01}})},
        {"sinc_0.01", basis("sinc", {{"width", 0.01}})},
        {"noise", basis("noise", {{"seed", 1}})},
        {"rff_10", fourier("rff", {{"sigma", 10}, {"dim", D}, {"seed", 1}})},
        {"basic", fourier("basic", {})},
        {"logf_8", fourier("logf", {{"levels", 8}})},
    };
    std::vector<double> samples;
    for (int N = 1; N <= o.max_samples; ++N) samples.push_back(N);

    std::vector<Curves> all, family;
    const bool progress = ::isatty(2);  // a progress line only on a terminal
    for (const auto& [name, s] : list) {
        if (progress) std::fprintf(stderr, "\rrank_curves: %-16s", name.c_str());
        all.push_back(measure(name, make_encoder<double>(s), samples, o.dense));
    }
    for (double s : o.sigmas) {
        char name[40];
        std::snprintf(name, sizeof name, "gaussian_%g", s);
        if (progress) std::fprintf(stderr, "\rrank_curves: %-16s", name);
        family.push_back(measure(name, make_encoder<double>(basis("gaussian", {{"sigma", s}})), samples, o.dense));
    }
    if (progress) std::fprintf(stderr, "\r%40s\r", "");

    if (json) {
        nlohmann::json j;
        j["dim"] = o.dim;
        j["max_samples"] = o.max_samples;
        j["periodic"] = !o.bounded;
        j["delta"] = to_std(all.front().dp.delta);
        for (const auto* group : {&all, &family}) {
            nlohmann::json g = nlohmann::json::object();
            for (const Curves& c : *group) {
                nlohmann::json sr = nlohmann::json::array();
                for (double v : c.srank) sr.push_back(number_or_null(v));
                g[c.name] = {{"stable_rank", sr},
                             {"stable_rank_at_max", number_or_null(c.srank.back())},
                             {"method", c.method},
                             {"dp_k", to_std(c.dp.k)},
                             {"half_width", number_or_null(c.half)}};
            }
            j[group == &all ? "embedders" : "sigma_family"] = g;
        }
        std::cout << j.dump() << std::endl;
    } else {
        std::printf("protocol A: D = %lld, %s domain, x_i = i/N; stable rank at selected N and DP half width\n",
                    (long long)o.dim, o.bounded ? "bounded" : "periodic");
        print_group("all embedders", all);
        print_group("Gaussian sigma family", family);
        std::fflush(stdout);
    }
    if (!out.empty()) {
        const std::filesystem::path dir(out);
        ensure_directory(dir);
        const std::string setting = "D = " + std::to_string(o.dim) + (o.bounded ? ", bounded" : ", periodic");
        chart_group(dir, "embedders", "all embedders", all, setting);
        chart_group(dir, "sigma_family", "Gaussian sigma family", family, setting);
    }
    return 0;
}

// ------------------------------------------------------------------------ mode 3: --grid

/// Settings of the --grid mode.
struct GridModeOptions {
    Index dim = 1;            ///< input dimension of the grids (1 or 2)
    Index points = 256;       ///< number of points (2D: rounded down to a square lattice)
    Index hash_log2 = 6;      ///< log2 of the hashed table size
    GridInterpolation interpolation = GridInterpolation::Linear;
    GridAlignment alignment = GridAlignment::TinyCudaNN;
};

/// Stable rank and DP curve of one grid configuration.
struct GridMeasure {
    double srank = 0;
    DistanceCurve dp;
    double half = 0;
};

/// The points of the --grid mode: 1D x_i = i / P; 2D the n x n lattice of cell centres (i + 0.5) / n.
Mat<double> grid_mode_points(const GridModeOptions& o) {
    if (o.dim == 1) {
        Mat<double> X(1, o.points);
        for (Index i = 0; i < o.points; ++i) X(0, i) = double(i) / double(o.points);
        return X;
    }
    const Index n = Index(std::floor(std::sqrt(double(o.points)) + 1e-9));
    Mat<double> X(2, n * n);
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < n; ++i) {
            X(0, j * n + i) = (double(i) + 0.5) / double(n);
            X(1, j * n + i) = (double(j) + 0.5) / double(n);
        }
    return X;
}

GridMeasure grid_measure(const GridModeOptions& o, const Mat<double>& X, Index levels, Index base, Index log2T) {
    GridConfig c;
    c.input_dim = o.dim;
    c.levels = levels;
    c.features = 1;
    c.log2_table_size = log2T;
    c.base_resolution = base;
    c.per_level_scale = 2.0;
    c.interpolation = o.interpolation;
    c.alignment = o.alignment;
    GridMeasure m;
    m.srank = grid_embedding_stable_rank(grid_embedding(c, X));
    Vec<double> x0 = Vec<double>::Constant(o.dim, 0.5), dir = Vec<double>::Zero(o.dim);
    dir[0] = 1.0;
    m.dp = grid_distance_curve(c, x0, dir, protocol_deltas());
    m.half = half_width(m.dp);
    return m;
}

int run_grid(const GridModeOptions& o, bool json, const std::string& out) {
    if (!out.empty()) ensure_directory(out);
    const Mat<double> X = grid_mode_points(o);
    constexpr Index kDenseLog2 = 20;
    struct Sweep {
        std::vector<double> x, sr_dense, sr_hashed, hw_dense, hw_hashed;
    };
    Sweep res, lev;
    std::map<std::string, DistanceCurve> curves;  // a few DP curves for the chart
    for (Index base = 2; base <= 512; base *= 2) {
        const GridMeasure d = grid_measure(o, X, 1, base, kDenseLog2), h = grid_measure(o, X, 1, base, o.hash_log2);
        res.x.push_back(double(base));
        res.sr_dense.push_back(d.srank);
        res.sr_hashed.push_back(h.srank);
        res.hw_dense.push_back(d.half);
        res.hw_hashed.push_back(h.half);
        if (base == 4 || base == 16 || base == 64) curves["1 level, N_min " + std::to_string(base) + ", dense"] = d.dp;
        if (base == 64) curves["1 level, N_min 64, 2^" + std::to_string(o.hash_log2) + " entries"] = h.dp;
    }
    for (Index L = 1; L <= 8; ++L) {
        const GridMeasure d = grid_measure(o, X, L, 4, kDenseLog2), h = grid_measure(o, X, L, 4, o.hash_log2);
        lev.x.push_back(double(L));
        lev.sr_dense.push_back(d.srank);
        lev.sr_hashed.push_back(h.srank);
        lev.hw_dense.push_back(d.half);
        lev.hw_hashed.push_back(h.half);
        if (L == 8) curves["8 levels, N_min 4, b 2, dense"] = d.dp;
    }
    std::vector<double> tab_x, tab_sr, tab_hw;
    for (Index k = 3; k <= 12; ++k) {
        const GridMeasure m = grid_measure(o, X, 1, 256, k);
        tab_x.push_back(double(k));
        tab_sr.push_back(m.srank);
        tab_hw.push_back(m.half);
    }
    const std::string hashed = "2^" + std::to_string(o.hash_log2) + " entries (hashed)";
    if (json) {
        nlohmann::json j;
        j["mode"] = "grid";
        j["input_dim"] = o.dim;
        j["points"] = X.cols();
        j["hash_log2"] = o.hash_log2;
        j["interpolation"] = grid_interpolation_name(o.interpolation);
        j["alignment"] = grid_alignment_name(o.alignment);
        auto arr = [](const std::vector<double>& v) {
            nlohmann::json a = nlohmann::json::array();
            for (double x : v) a.push_back(number_or_null(x));
            return a;
        };
        j["resolution"] = {{"base", res.x},
                           {"dense", {{"stable_rank", arr(res.sr_dense)}, {"half_width", arr(res.hw_dense)}}},
                           {"hashed", {{"stable_rank", arr(res.sr_hashed)}, {"half_width", arr(res.hw_hashed)}}}};
        j["levels"] = {{"levels", lev.x},
                       {"dense", {{"stable_rank", arr(lev.sr_dense)}, {"half_width", arr(lev.hw_dense)}}},
                       {"hashed", {{"stable_rank", arr(lev.sr_hashed)}, {"half_width", arr(lev.hw_hashed)}}}};
        j["table"] = {{"log2_table", tab_x}, {"base", 256}, {"stable_rank", arr(tab_sr)}, {"half_width", arr(tab_hw)}};
        j["dp"]["delta"] = to_std(protocol_deltas());
        for (const auto& [name, c] : curves) j["dp"][name] = to_std(c.k);
        std::cout << j.dump() << "\n";
    } else {
        std::printf("grid embeddings (weight matrix, table entries x points): %ldD, %ld points, %s, %s alignment\n",
                    long(o.dim), long(X.cols()), grid_interpolation_name(o.interpolation), grid_alignment_name(o.alignment));
        std::printf("\none level of resolution N_min (scale N_min - 1 for tcnn alignment)\n");
        std::printf("%8s  %12s  %12s  %12s  %12s\n", "N_min", "srank dense", "srank hashed", "DP hw dense", "DP hw hashed");
        for (std::size_t i = 0; i < res.x.size(); ++i)
            std::printf("%8.0f  %12.4f  %12.4f  %12.5f  %12.5f\n", res.x[i], res.sr_dense[i], res.sr_hashed[i], res.hw_dense[i],
                        res.hw_hashed[i]);
        std::printf("\nL levels, N_min 4, b 2 (finest N_min 4 * 2^(L-1))\n");
        std::printf("%8s  %12s  %12s  %12s  %12s\n", "L", "srank dense", "srank hashed", "DP hw dense", "DP hw hashed");
        for (std::size_t i = 0; i < lev.x.size(); ++i)
            std::printf("%8.0f  %12.4f  %12.4f  %12.5f  %12.5f\n", lev.x[i], lev.sr_dense[i], lev.sr_hashed[i], lev.hw_dense[i],
                        lev.hw_hashed[i]);
        std::printf("\none level, N_min 256, table of 2^K entries (hashed when smaller than the level)\n");
        std::printf("%8s  %12s  %12s\n", "K", "srank", "DP hw");
        for (std::size_t i = 0; i < tab_x.size(); ++i) std::printf("%8.0f  %12.4f  %12.5f\n", tab_x[i], tab_sr[i], tab_hw[i]);
        std::printf("(hashed = %s; dense = 2^%ld entries)\n", hashed.c_str(), long(kDenseLog2));
        std::fflush(stdout);
    }
    if (!out.empty()) {
        const std::filesystem::path dir(out);
        const std::string setting = std::to_string(o.dim) + "D, " + std::to_string(X.cols()) + " points";
        auto pair_chart = [&](const std::string& stem, const std::string& title, const std::string& xlabel,
                              const std::string& ylabel, const std::vector<double>& x, const std::vector<double>& a,
                              const std::vector<double>& b, bool logx) {
            Chart c;
            c.title = title + " (" + setting + ")";
            c.xlabel = xlabel;
            c.ylabel = ylabel;
            c.logx = logx;
            c.add("dense table", x, a, SeriesStyle::LinePoints);
            if (!b.empty()) c.add(hashed, x, b, SeriesStyle::LinePoints);
            std::cerr << "rank_curves: " << write_chart(c, dir / (stem + ".png")).message << "\n";
        };
        pair_chart("grid_resolution_srank", "grid, one level: stable rank of the weight matrix", "resolution N_min",
                   "stable rank", res.x, res.sr_dense, res.sr_hashed, true);
        pair_chart("grid_resolution_dp", "grid, one level: DP half width around x0 = 0.5", "resolution N_min",
                   "half width", res.x, res.hw_dense, res.hw_hashed, true);
        pair_chart("grid_levels_srank", "grid, L levels (N_min 4, b 2): stable rank", "levels L", "stable rank", lev.x,
                   lev.sr_dense, lev.sr_hashed, false);
        pair_chart("grid_levels_dp", "grid, L levels (N_min 4, b 2): DP half width", "levels L", "half width", lev.x,
                   lev.hw_dense, lev.hw_hashed, false);
        Chart t;
        t.title = "grid, one level N_min 256: stable rank vs table size (" + setting + ")";
        t.xlabel = "log2 table size K";
        t.ylabel = "stable rank";
        t.add("N_min 256", tab_x, tab_sr, SeriesStyle::LinePoints);
        std::cerr << "rank_curves: " << write_chart(t, dir / "grid_table_srank.png").message << "\n";
        Chart k;
        k.title = "grid: distance preservation around x0 = 0.5 (" + setting + ")";
        k.xlabel = "delta";
        k.ylabel = "normalised inner product k(delta)";
        k.xmin = -0.5;
        k.xmax = 0.5;
        for (const auto& [name, c] : curves) k.add(name, to_std(c.delta), to_std(c.k), SeriesStyle::Line);
        std::cerr << "rank_curves: " << write_chart(k, dir / "grid_dp_curves.png").message << "\n";
    }
    return 0;
}

int run(CLI::App& app, int argc, char** argv) {
    EncoderOptions eo;
    eo.add_to(app, /*dim_required=*/false);
    eo.encoder_opt->required(false);  // required in the one-encoder mode only (checked below)
    std::vector<std::int64_t> samples;
    bool json = false, all = false, quick = false, dense = false;
    std::string out;
    AllOptions ao;
    auto* samples_opt =
        app.add_option("--samples", samples, "numbers of points N, comma-separated (1,10,50) or one per argument")
            ->delimiter(',')
            ->check(CLI::Range(std::int64_t(1), std::int64_t(1) << 24));
    app.add_flag("--json", json, "print one JSON object on stdout instead of a table");
    app.add_flag("--dense", dense, "form every D x N embedding matrix (slow reference path) instead of the Gram matrix "
                                   "of the encoder's sparse windows");
    app.add_option("--out", out, "directory for PNG charts (+ .dat data and .gp gnuplot scripts)");
    app.add_flag("--all", all, "all embedders and a Gaussian sigma family (the paper's figure); --dim defaults to 10000");
    auto* max_opt = app.add_option("--max-samples", ao.max_samples, "--all: curves for N = 1..max (default 50)");
    auto* sig_opt = app.add_option("--sigmas", ao.sigmas, "--all: Gaussian widths of the sigma family, comma separated "
                                                          "(default 0.002,0.005,0.01,0.02,0.05,0.1)")
                        ->delimiter(',');
    auto* bounded_opt = app.add_flag("--bounded", ao.bounded, "--all: bounded domain instead of the periodic one");
    auto* quick_opt = app.add_flag("--quick", quick, "--all: D = 2000 and N up to 20 (unless given)");
    bool grid = false;
    GridModeOptions go;
    app.add_flag("--grid", grid, "multiresolution grids: stable rank and DP of the weight matrix for sweeps of the "
                                 "resolution, the number of levels and the table size, dense and hashed");
    auto* gdim_opt = app.add_option("--grid-dim", go.dim, "--grid: input dimension 1 or 2 (default 1)")
                         ->check(CLI::Range(Index(1), Index(2)));
    auto* gpts_opt = app.add_option("--grid-points", go.points, "--grid: number of points (2D: a square lattice; default 256)")
                         ->check(CLI::Range(Index(4), Index(4096)));
    auto* ghash_opt = app.add_option("--hash-log2", go.hash_log2, "--grid: log2 of the hashed table size (default 6)")
                          ->check(CLI::Range(Index(1), Index(16)));
    ThreadOption threads;
    threads.add_to(app);
    app.parse(argc, argv);
    threads.apply();

    if (grid) {
        if (all) throw Error("--grid and --all are separate modes");
        for (const CLI::Option* opt : {eo.encoder_opt, eo.param_opt, eo.offset_opt, eo.seed_opt, eo.dim_opt, samples_opt,
                                       max_opt, sig_opt, bounded_opt, quick_opt})
            if (opt->count()) throw Error(opt->get_name() + " cannot be used with --grid");
        for (std::size_t i = 0; i + 2 < eo.grid_opts.size(); ++i)  // all but --interpolation, --grid-alignment
            if (eo.grid_opts[i]->count())
                throw Error(eo.grid_opts[i]->get_name() + " cannot be used with --grid (it sweeps its own grids)");
        if (eo.periodic) throw Error("--periodic cannot be used with --grid");
        if (dense) throw Error("--dense cannot be used with --grid");
        go.interpolation = grid_interpolation_from_name(eo.interpolation);
        go.alignment = eo.grid_opts.back()->count() ? grid_alignment_from_name(eo.grid_alignment) : GridAlignment::TinyCudaNN;
        return run_grid(go, json, out);
    }
    for (const CLI::Option* opt : {gdim_opt, gpts_opt, ghash_opt})
        if (opt->count()) throw Error(opt->get_name() + " only applies with --grid");

    if (!all) {
        for (const CLI::Option* opt : {max_opt, sig_opt, bounded_opt, quick_opt})
            if (opt->count()) throw Error(opt->get_name() + " only applies with --all");
        if (!eo.encoder_opt->count()) throw Error("--encoder is required (or --all for every embedder)");
        if (!eo.dim_opt->count()) throw Error("--dim is required");
        if (!samples_opt->count()) throw Error("--samples is required");
        return run_one(eo, samples, dense, json, out);
    }

    for (const CLI::Option* opt : {eo.encoder_opt, eo.param_opt, eo.offset_opt, eo.seed_opt, samples_opt})
        if (opt->count())
            throw Error(opt->get_name() + " cannot be used with --all (it sets its own encoders and N = 1..--max-samples)");
    if (eo.periodic) throw Error("--periodic cannot be used with --all (periodic is its default; --bounded switches)");
    if (eo.dim_opt->count()) ao.dim = eo.dim;
    else if (quick) ao.dim = 2000;
    if (quick && !max_opt->count()) ao.max_samples = 20;
    if (ao.dim < 2 || ao.dim > 100000 || ao.dim % 2 != 0)
        throw Error("--dim must be even and in [2, 100000] with --all (got " + std::to_string(ao.dim) + ")");
    if (ao.max_samples < 1 || ao.max_samples > 2000)
        throw Error("--max-samples must be in [1, 2000] (got " + std::to_string(ao.max_samples) + ")");
    if (ao.sigmas.empty()) throw Error("--sigmas must not be empty");
    ao.dense = dense;
    for (double s : ao.sigmas)
        if (!(s > 0) || !std::isfinite(s)) throw Error("--sigmas: every sigma must be finite and > 0");
    return run_all(ao, json, out);
}

}  // namespace

int main(int argc, char** argv) {
    return posenc::examples::run_main(argc, argv, kDescription, [&](CLI::App& app) { return run(app, argc, argv); });
}

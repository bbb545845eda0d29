// posenc/analysis/grid_resolution.hpp — recommend_grid(): the finest resolution and the table size of
// a multiresolution grid encoding from the training positions, with the evidence (docs/theory.md,
// section 11).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/grid/grid_config.hpp"
#include "posenc/encoding/grid/hash.hpp"

namespace posenc {

/// What recommend_grid() may choose and what it keeps: `base` gives the levels, features, base
/// resolution, interpolation and alignment of the grid to be trained (its max_resolution and
/// log2_table_size are the ones chosen); the table is at most 2^max_log2_table entries per level.
struct GridRecommendSettings {
    /// The grid to be trained (input_dim, levels, features, base_resolution, interpolation, alignment);
    /// default: 2D, tiny-cuda-nn's 16 levels x 2 features from N_min 16, vertex alignment (protocol E).
    GridConfig base = [] {
        GridConfig c;
        c.input_dim = 2;
        c.alignment = GridAlignment::Vertex;
        return c;
    }();
    Index min_log2_table = 10;  ///< smallest table considered (log2)
    Index max_log2_table = 19;  ///< largest table allowed (log2; tiny-cuda-nn's default size)
    double max_resolution = 0;  ///< > 0: keep this finest resolution (>= base_resolution), choose only the table
};

/// One candidate finest resolution and how the training points cover its vertices.
struct GridResolutionCandidate {
    double resolution = 0;      ///< N_max (the grid's max_resolution)
    double cell_over_spacing = 0;  ///< finest cell width over the sample spacing: (1 / N_l) / h, coarsest axis
    double occupancy = 0;       ///< finest-level cells holding at least one training point, over all cells (NaN: too many to count, more than 2^24 cells)
    bool chosen = false;        ///< the recommended resolution
};

/// One candidate table size and how its hash merges the finest level's trained vertices.
struct GridTableCandidate {
    Index log2_table_size = 0;      ///< log2 of the table size per level
    bool dense = false;             ///< every level indexed densely (no hashing)
    double shared_fraction = 0;     ///< finest-level vertices touched by train points whose entry another touched vertex shares (NaN: not counted, R^d > 2^24)
    bool chosen = false;            ///< the recommended table
};

/// The recommendation and its evidence.
struct GridRecommendation {
    std::vector<double> spacing;  ///< per axis: median gap of the distinct training coordinates
    double max_resolution = 0;    ///< chosen N_max
    Index log2_table_size = 0;    ///< chosen log2 T
    GridConfig config;            ///< settings.base with the two chosen values
    std::vector<GridResolutionCandidate> resolutions;  ///< N_max / 4 ... 4 N_max (those >= base_resolution), with the occupancy of their finest cells
    std::vector<GridTableCandidate> tables;            ///< chosen log2 T - 4 ... + 1 (within the allowed range)
    std::string rule;             ///< the rule, in words
};

namespace detail {

/// Median gap of the sorted distinct values of row `axis` of X.
template <class T>
double grid_axis_spacing(ConstMatRef<T> X, Index axis) {
    std::vector<double> v(std::size_t(X.cols()));
    for (Index n = 0; n < X.cols(); ++n) v[std::size_t(n)] = double(X(axis, n));
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    detail::require(v.size() >= 2, "recommend_grid: axis ", axis, " has ", v.size(),
                    " distinct coordinate(s); at least 2 are needed to measure the sample spacing");
    std::vector<double> gaps(v.size() - 1);
    for (std::size_t i = 0; i + 1 < v.size(); ++i) gaps[i] = v[i + 1] - v[i];
    std::nth_element(gaps.begin(), gaps.begin() + std::ptrdiff_t(gaps.size() / 2), gaps.end());
    return gaps[gaps.size() / 2];
}

/// Calls f(vertex index on the finest level, weight) for every corner of every point's cell.
template <class T, class F>
void grid_finest_corners(ConstMatRef<T> X, const GridConfig& c, const GridLevel& lv, F&& f) {
    const Index d = c.input_dim;
    const int corners = 1 << d;
    for (Index n = 0; n < X.cols(); ++n) {
        std::uint32_t g[4] = {0, 0, 0, 0};
        double p[4] = {0, 0, 0, 0};
        for (Index i = 0; i < d; ++i) {
            const double pos = lv.scale * double(X(i, n)) + lv.shift;  // pos_i = s x_i + shift
            const double fl = std::floor(pos);
            g[i] = std::uint32_t(fl);
            p[i] = pos - fl;  // linear weight (smoothstep has the same zero set)
        }
        for (int k = 0; k < corners; ++k) {
            std::uint64_t index = 0, stride = 1;
            double w = 1;
            for (Index i = 0; i < d; ++i) {
                const bool up = (k >> i) & 1;
                w *= up ? p[i] : 1 - p[i];  // w_c = prod_i (c_i ? p_i : 1 - p_i)
                index += std::uint64_t(std::min(g[i] + (up ? 1u : 0u), lv.resolution - 1)) * stride;
                stride *= lv.resolution;
            }
            f(index, w);
        }
    }
}

inline std::uint64_t grid_vertex_count(const GridConfig& c, const GridLevel& lv) {
    std::uint64_t r = 1;
    for (Index i = 0; i < c.input_dim; ++i) r *= lv.resolution;
    return r;
}

inline constexpr std::uint64_t kGridEvidenceMaxVertices = std::uint64_t(1) << 24;

/// Fraction of the level's cells ((R - 1)^d of them) that hold at least one point of X; NaN when there
/// are more than 2^24 cells.
template <class T>
double grid_cell_occupancy(ConstMatRef<T> X, const GridConfig& c, const GridLevel& lv) {
    const Index d = c.input_dim;
    const std::uint64_t cells_per_axis = std::max<std::uint32_t>(lv.resolution, 2) - 1;
    std::uint64_t cells = 1;
    for (Index i = 0; i < d; ++i) {
        cells *= cells_per_axis;
        if (cells > kGridEvidenceMaxVertices) return std::nan("");
    }
    std::vector<char> hit(std::size_t(cells), 0);
    for (Index n = 0; n < X.cols(); ++n) {
        std::uint64_t index = 0, stride = 1;
        for (Index i = 0; i < d; ++i) {
            const double pos = lv.scale * double(X(i, n)) + lv.shift;  // cell g = floor(s x + shift)
            const std::uint64_t g = std::min<std::uint64_t>(std::uint64_t(std::max(0.0, std::floor(pos))), cells_per_axis - 1);
            index += g * stride;
            stride *= cells_per_axis;
        }
        hit[std::size_t(index)] = 1;
    }
    std::uint64_t occupied = 0;
    for (char h : hit) occupied += h ? 1 : 0;
    return double(occupied) / double(cells);
}

}  // namespace detail

/// Recommends the finest resolution N_max and the table size T of a multiresolution grid encoding
/// (Grid<T>, encoding/grid.hpp) from the training positions X (d x N, points as columns, in [0, 1]).
/// The rule (docs/theory.md section 11): a level is a triangle shifted basis per axis with its
/// shifts 1 / N_l apart, followed by a learned table; its vertices are learned only from the samples
/// in their cells. The finest level is the one whose cells are one sample spacing h wide:
/// N_max = floor(1 / h) on the coarsest-sampled axis (h: median gap of the distinct coordinates), the
/// grid's version of "bandwidth about the sample spacing". Finer levels have vertices no training
/// sample lies next to (occupancy below 1: cells without a sample keep vertices at their initial
/// values, noise between the samples); coarser ones give up resolution the data has. T is the smallest table in which every
/// level is dense (no two vertices share an entry), at most 2^max_log2_table: beyond it a larger
/// table changes nothing, below it the hash merges trained vertices (shared_fraction > 0).
/// With settings.max_resolution > 0 that resolution is kept and only the table is chosen.
/// Throws posenc::Error for: X not input_dim x N, non-finite or out-of-[0, 1] coordinates, fewer than
/// 2 distinct coordinates on an axis, an invalid base config or table range.
template <class T>
GridRecommendation recommend_grid(ConstMatRef<T> X, const GridRecommendSettings& s = {}) {
    GridConfig c = s.base;
    c.max_resolution = 0;
    c.validate();
    detail::require(s.min_log2_table >= 1 && s.max_log2_table <= 30 && s.min_log2_table <= s.max_log2_table,
                    "recommend_grid: the table range must satisfy 1 <= min_log2_table <= max_log2_table <= 30 (got ",
                    s.min_log2_table, ", ", s.max_log2_table, ")");
    detail::require(X.rows() == c.input_dim, "recommend_grid: X must have input_dim = ", c.input_dim,
                    " rows (got ", X.rows(), ")");
    detail::require(X.cols() >= 2, "recommend_grid: at least 2 training points are needed (got ", X.cols(), ")");
    for (Index n = 0; n < X.cols(); ++n)
        for (Index i = 0; i < X.rows(); ++i) {
            const double x = double(X(i, n));
            if (!(x >= 0.0 && x <= 1.0))
                detail::fail("recommend_grid: coordinate (", i, ", ", n, ") = ", x, " is not in [0, 1]");
        }

    GridRecommendation r;
    double h = 0;
    for (Index i = 0; i < c.input_dim; ++i) {
        r.spacing.push_back(detail::grid_axis_spacing<T>(X, i));
        h = std::max(h, r.spacing.back());
    }
    if (s.max_resolution != 0)
        detail::require(std::isfinite(s.max_resolution) && s.max_resolution >= double(c.base_resolution),
                        "recommend_grid: max_resolution must be 0 (choose it) or >= base_resolution ",
                        c.base_resolution, " (got ", s.max_resolution, ")");
    const double nmax = s.max_resolution > 0 ? s.max_resolution
                                             : std::max(double(c.base_resolution), std::floor(1.0 / h + 1e-9));
    auto config_for = [&](double N, Index log2t) {
        GridConfig k = c;
        k.max_resolution = N;
        k.log2_table_size = log2t;
        return k;
    };

    // T: the smallest table with every level dense, within the range.
    Index log2t = s.min_log2_table;
    while (log2t < s.max_log2_table && !grid_levels(config_for(nmax, log2t)).back().dense) ++log2t;
    r.max_resolution = nmax;
    r.log2_table_size = log2t;
    r.config = config_for(nmax, log2t);
    r.config.validate();

    // Evidence 1: occupancy of the finest level's cells for N_max / 4 ... 4 N_max.
    for (double f : {0.25, 0.5, 1.0, 2.0, 4.0}) {
        const double N = std::floor(nmax * f);
        if (N < double(c.base_resolution) || N > double(Index(1) << 24)) continue;
        GridConfig k = config_for(N, log2t);
        GridResolutionCandidate cand;
        cand.resolution = N;
        cand.chosen = f == 1.0;
        const std::vector<GridLevel> lv = grid_levels(k);
        cand.cell_over_spacing = (1.0 / lv.back().scale) / h;
        cand.occupancy = detail::grid_cell_occupancy<T>(X, k, lv.back());
        r.resolutions.push_back(cand);
    }

    // Evidence 2: how the hash merges the finest level's trained vertices, for log2 T - 4 ... + 1.
    const GridLevel finest = grid_levels(r.config).back();
    const std::uint64_t V = detail::grid_vertex_count(r.config, finest);
    std::vector<char> touched;
    if (V <= detail::kGridEvidenceMaxVertices) {
        touched.assign(std::size_t(V), 0);
        detail::grid_finest_corners<T>(X, r.config, finest, [&](std::uint64_t v, double w) {
            if (w > 1e-6) touched[std::size_t(v)] = 1;
        });
    }
    for (Index t = std::max(s.min_log2_table, log2t - 4); t <= std::min(s.max_log2_table, log2t + 1); ++t) {
        const GridConfig k = config_for(nmax, t);
        const std::vector<GridLevel> lv = grid_levels(k);
        GridTableCandidate cand;
        cand.log2_table_size = t;
        cand.chosen = t == log2t;
        cand.dense = lv.back().dense;
        if (touched.empty()) {
            cand.shared_fraction = std::nan("");
        } else {
            const GridLevel& L = lv.back();
            std::vector<std::uint32_t> count(L.size, 0);
            std::vector<std::uint32_t> entry_of;
            std::uint64_t n_touched = 0;
            const int d = int(k.input_dim);
            for (std::uint64_t v = 0; v < V; ++v) {
                if (!touched[std::size_t(v)]) continue;
                std::uint32_t g[4] = {0, 0, 0, 0};
                std::uint64_t rest = v;
                for (int i = 0; i < d; ++i) {
                    g[i] = std::uint32_t(rest % L.resolution);
                    rest /= L.resolution;
                }
                const std::uint32_t e = grid_level_index(g, d, L.resolution, L.size, L.dense);
                ++count[e];
                entry_of.push_back(e);
                ++n_touched;
            }
            std::uint64_t shared = 0;
            for (std::uint32_t e : entry_of) shared += count[e] > 1 ? 1 : 0;
            cand.shared_fraction = n_touched ? double(shared) / double(n_touched) : 0.0;
        }
        r.tables.push_back(cand);
    }
    r.rule = "finest resolution N_max = floor(1 / h) with h the sample spacing of the coarsest-sampled axis "
             "(finest cells one spacing wide: every vertex trained); table: the smallest 2^k with every level "
             "dense, at most 2^" + std::to_string(s.max_log2_table);
    return r;
}

}  // namespace posenc

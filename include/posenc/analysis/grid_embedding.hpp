// posenc/analysis/grid_embedding.hpp — the embedding of a multiresolution grid before its learned
// table: the sparse matrix of interpolation weights (table entries x points), its stable rank and its
// distance-preservation curve (docs/theory.md, section 10: a level is a triangle shifted basis per axis,
// Kronecker across axes, and hashing sums columns per bucket; docs/examples.md, rank_curves --grid).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <Eigen/SparseCore>

#include "posenc/analysis/distance_preservation.hpp"
#include "posenc/analysis/stable_rank.hpp"
#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/grid.hpp"
#include "posenc/encoding/grid/grid_config.hpp"

namespace posenc {

/// The weight matrix of a grid on N points: A (rows = table entries of the selected levels, N columns),
/// A(r, n) = sum of the interpolation weights w_c that point n gives to entry r (corners of a point that
/// land in the same entry, by hashing or by the dense wrap-around, add up). The grid's codes are
/// codes(l F + f, n) = sum_r table(f, offset_l + r) A(r, n) per level: A is the "embedding" the table
/// maps linearly, the analogue of a shifted basis's D x N code matrix.
struct GridEmbedding {
    Eigen::SparseMatrix<double> A;  ///< (sum of the selected levels' sizes) x N, column-major
    Index first_level = 0;          ///< first selected level
    Index num_levels = 0;           ///< number of selected levels (consecutive)
    std::vector<Index> row_offset;  ///< row of the first entry of each selected level (num_levels + 1 values)
};

/// Which levels grid_embedding() uses: -1 all of them, else the single level `level`.
inline constexpr Index kAllGridLevels = -1;

/// The weight matrix of `grid` on X (d x N, in [0, 1]^d): all levels (level = kAllGridLevels) stacked
/// in the table's layout order, or one level. The weights come from Grid::forward() (its context), so
/// they are exactly those the grid blends with; the table's values do not matter. Throws posenc::Error
/// naming `level` when it is out of range, and propagates the grid's errors for bad points.
template <class T>
GridEmbedding grid_embedding(const Grid<T>& grid, ConstMatRef<T> X, Index level = kAllGridLevels) {
    const Index L = grid.config().levels;
    detail::require(level == kAllGridLevels || (level >= 0 && level < L), "grid_embedding: level must be -1 (all) or in [0, ",
                    L - 1, "] (got ", level, ")");
    const Index N = X.cols();
    Mat<T> codes(grid.output_dim(), N);
    const GridContext<T> ctx = grid.forward(X, codes);
    GridEmbedding e;
    e.first_level = level == kAllGridLevels ? 0 : level;
    e.num_levels = level == kAllGridLevels ? L : 1;
    const auto& lv = grid.levels();
    e.row_offset.resize(std::size_t(e.num_levels) + 1, 0);
    for (Index j = 0; j < e.num_levels; ++j)
        e.row_offset[std::size_t(j) + 1] = e.row_offset[std::size_t(j)] + Index(lv[std::size_t(e.first_level + j)].size);
    const Index C = ctx.corners;
    std::vector<Eigen::Triplet<double, Index>> trip;
    trip.reserve(std::size_t(N * C * e.num_levels));
    for (Index n = 0; n < N; ++n)
        for (Index j = 0; j < e.num_levels; ++j) {
            const Index l = e.first_level + j;
            for (Index c = 0; c < C; ++c) {
                const double w = double(ctx.weight(l * C + c, n));
                if (w != 0.0)
                    trip.emplace_back(e.row_offset[std::size_t(j)] + Index(ctx.index(l * C + c, n)), n, w);
            }
        }
    e.A.resize(e.row_offset.back(), N);
    e.A.setFromTriplets(trip.begin(), trip.end());  // duplicates (merged corners) are summed
    return e;
}

/// The same for a configuration: builds a Grid<double> with one feature per level (the weights do not
/// depend on F or on the table) and evaluates it on X. Throws posenc::Error for a bad configuration.
inline GridEmbedding grid_embedding(GridConfig cfg, ConstMatRef<double> X, Index level = kAllGridLevels) {
    cfg.features = 1;
    const Grid<double> grid(cfg);
    return grid_embedding<double>(grid, X, level);
}

/// The rows of A that hold a nonzero, as a dense matrix (used rows x N, rows in ascending order): the
/// same singular values as A, so stable_rank() of it is the stable rank of the embedding. At most
/// N C levels rows (C = 2^d corners). Throws posenc::Error when that would exceed 2^27 entries.
inline Mat<double> grid_embedding_used_rows(const GridEmbedding& e) {
    const Eigen::SparseMatrix<double>& A = e.A;
    std::vector<char> is_used(std::size_t(A.rows()), 0);
    for (Index n = 0; n < A.outerSize(); ++n)
        for (Eigen::SparseMatrix<double>::InnerIterator it(A, n); it; ++it)
            if (it.value() != 0.0) is_used[std::size_t(it.row())] = 1;
    std::vector<Index> row_of(std::size_t(A.rows()), -1);  // used row -> its row in the dense matrix
    Index used = 0;
    for (std::size_t r = 0; r < is_used.size(); ++r)
        if (is_used[r]) row_of[r] = used++;
    detail::require(double(used) * double(A.cols()) <= double(Index(1) << 27), "grid_embedding_used_rows: ", used,
                    " used entries x ", A.cols(), " points is too large (limit 2^27)");
    Mat<double> D = Mat<double>::Zero(used, A.cols());
    for (Index n = 0; n < A.outerSize(); ++n)
        for (Eigen::SparseMatrix<double>::InnerIterator it(A, n); it; ++it)
            if (it.value() != 0.0) D(row_of[std::size_t(it.row())], n) = it.value();
    return D;
}

/// Stable rank ||A||_F^2 / ||A||_2^2 of the embedding (stable_rank() of its used rows). Throws
/// posenc::Error for an all-zero embedding.
inline double grid_embedding_stable_rank(const GridEmbedding& e, const StableRankOptions& opt = {}) {
    return stable_rank(grid_embedding_used_rows(e), opt);
}

/// Distance-preservation curve of the grid embedding around x0 (d values in [0, 1]) along `direction`
/// (d values, used as given): k_j = <a(x0), a(x0 + delta_j direction)> / (||a(x0)|| ||a(x0 + ...)||)
/// with a(x) the column of the weight matrix (all levels, or one), 0 when either column is zero: the
/// grid analogue of distance_curve() for a shifted basis. Every point must lie in [0, 1]^d.
inline DistanceCurve grid_distance_curve(const GridConfig& cfg, const Vec<double>& x0, const Vec<double>& direction,
                                         const Vec<double>& deltas = protocol_deltas(), Index level = kAllGridLevels) {
    const Index d = cfg.input_dim, M = deltas.size();
    detail::require(x0.size() == d && direction.size() == d, "grid_distance_curve: x0 and direction need input_dim = ",
                    d, " entries (got ", x0.size(), " and ", direction.size(), ")");
    Mat<double> X(d, M + 1);
    X.col(0) = x0;
    for (Index j = 0; j < M; ++j) X.col(j + 1) = x0 + deltas[j] * direction;
    const GridEmbedding e = grid_embedding(cfg, X, level);
    // <a_j, a_0>: merge of two columns whose row indices are sorted (setFromTriplets sorts them)
    auto dot = [&](Index j) {
        using It = Eigen::SparseMatrix<double>::InnerIterator;
        It a(e.A, 0), b(e.A, j);
        double s = 0;
        while (a && b) {
            if (a.row() < b.row()) ++a;
            else if (b.row() < a.row()) ++b;
            else {
                s += a.value() * b.value();
                ++a;
                ++b;
            }
        }
        return s;
    };
    DistanceCurve c;
    c.delta = deltas;
    c.k.resize(M);
    const double n0 = e.A.col(0).norm();
    for (Index j = 0; j < M; ++j) {
        const double nj = e.A.col(j + 1).norm();
        c.k[j] = n0 > 0 && nj > 0 ? dot(j + 1) / (n0 * nj) : 0.0;
    }
    return c;
}

/// 1D convenience (input_dim 1): the curve around x0 (protocol A: 0.5) at `deltas`, direction +1.
inline DistanceCurve grid_distance_curve(const GridConfig& cfg, double x0 = 0.5, const Vec<double>& deltas = protocol_deltas(),
                                         Index level = kAllGridLevels) {
    detail::require(cfg.input_dim == 1, "grid_distance_curve: the scalar form needs input_dim 1 (got ", cfg.input_dim, ")");
    return grid_distance_curve(cfg, Vec<double>::Constant(1, x0), Vec<double>::Constant(1, 1.0), deltas, level);
}

}  // namespace posenc

// posenc/analysis/windowed_gram.hpp — Gram matrix and stable rank of a compact-support embedding
// from its sparse windows, without forming the output_dim x N matrix.
//
// A shifted basis with a compact (or truncated) profile gives each point a window of K non-zero
// entries (encoding/windows.hpp). The N x N Gram matrix of the points, G(i, j) = code_i . code_j,
// then only needs the overlaps of the windows: each window is split into runs of consecutive rows
// (one run for a 1D shifted basis, two when a periodic window wraps or for a per-axis 2D code), and
// G(i, j) sums the dot products of the overlapping parts of the runs of i and j. Pairs whose row
// ranges do not intersect are skipped.
//
// Cost: O(N^2) range tests plus O(N * n_overlap * K) multiply-adds (n_overlap: points whose windows
// meet a given one), memory N^2 doubles for G, nothing of size output_dim. For a 500-point
// shifted-Gaussian embedding with D = 100 000 this is ~10^8 multiply-adds against ~10^10 for the
// dense Gram (analysis/stable_rank.hpp), and 2 MB instead of 400 MB.
//
// Truncation: windows drop the entries below the profile's tolerance (Gaussian: 1e-8 of the peak),
// so G differs from the Gram of the untruncated code by products of a dropped entry with another
// entry. For the Gaussian profile the largest such error is ~tol times the diagonal (pairs about one
// truncation radius apart), so the stable rank moves by ~tol relative (measured: 1e-8 or less).
//
// embedding_stable_ranks() gives both the L2 stable rank ||Psi||_F^2 / ||Psi||_2^2 and the L1 stable
// rank sum(s_i) / s_1 from ONE windowed Gram matrix and all of its eigenvalues (s_i^2), with the same
// noise floor as stable_rank_l1(); it falls back to the dense code (stable_rank() and
// stable_rank_l1(), the same numbers as before) for encoders without windows, for more points than
// code rows (then the dense Gram of the output_dim side is the smaller one), or on request. Measured on
// the 500-point, D = 100 000 shifted-Gaussian embedding: see docs/performance.md.
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Eigenvalues>

#include "posenc/analysis/stable_rank.hpp"
#include "posenc/core/error.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/windows.hpp"

namespace posenc {

namespace detail {

/// Rows [row, row + len) of the code hold the window slots [slot, slot + len) of one point.
struct GramRun {
    Index row, slot, len;
};

/// The runs of every point of `w` (zero-weight slots dropped), as one flat array with per-point
/// offsets, plus each point's row range [lo, hi). Throws posenc::Error for an index outside
/// [0, output_dim) or a row that appears twice with non-zero weight in one window.
template <class T>
struct GramRuns {
    std::vector<GramRun> runs;
    std::vector<Index> begin;  ///< runs of point n: [begin[n], begin[n + 1])
    std::vector<Index> lo, hi;

    GramRuns(const Windows<T>& w, Index output_dim, const char* who) {
        const Index N = w.cols(), K = w.width;
        if (w.index.rows() != K || w.weight.rows() != K || w.weight.cols() != N)
            detail::fail(who, ": windows are inconsistent (index ", w.index.rows(), " x ",
                        w.index.cols(), ", weight ", w.weight.rows(), " x ",
                        w.weight.cols(), ", width ", K, ")");
        begin.assign(std::size_t(N) + 1, 0);
        lo.assign(std::size_t(N), output_dim);
        hi.assign(std::size_t(N), 0);
        std::vector<GramRun> col;
        for (Index n = 0; n < N; ++n) {
            col.clear();
            for (Index k = 0; k < K; ++k) {
                const Index r = w.index(k, n);
                if (r < 0 || r >= output_dim)
                    detail::fail(who, ": window index ", r, " of point ",
                                n, " is outside [0, ", output_dim, ")");
                if (w.weight(k, n) == T(0)) continue;
                if (!col.empty() && col.back().row + col.back().len == r && col.back().slot + col.back().len == k)
                    ++col.back().len;
                else
                    col.push_back({r, k, 1});
            }
            std::sort(col.begin(), col.end(), [](const GramRun& a, const GramRun& b) { return a.row < b.row; });
            for (std::size_t i = 1; i < col.size(); ++i)
                if (col[i - 1].row + col[i - 1].len > col[i].row)
                    detail::fail(who, ": point ", n, " has row ",
                                col[i].row, " twice in its window");
            if (!col.empty()) {
                lo[std::size_t(n)] = col.front().row;
                hi[std::size_t(n)] = col.back().row + col.back().len;
            }
            runs.insert(runs.end(), col.begin(), col.end());
            begin[std::size_t(n) + 1] = Index(runs.size());
        }
    }
};

}  // namespace detail

/// N x N Gram matrix G(i, j) = code_i . code_j (in double) of the embedding described by `w`, whose
/// codes have `output_dim` rows. Equals gram_matrix() of the dense output_dim x N code (points as
/// columns, so the N x N side) up to rounding. Parallel over rows of G; the result does not depend
/// on the thread count. Throws posenc::Error for inconsistent windows or an index out of range.
template <class T>
Mat<double> windowed_gram(const Windows<T>& w, Index output_dim) {
    constexpr const char* who = "windowed_gram";
    detail::require(output_dim > 0, who, ": output_dim must be > 0");
    const detail::GramRuns<T> R(w, output_dim, who);
    const Index N = w.cols();
    Mat<double> G = Mat<double>::Zero(N, N);
    [[maybe_unused]] const bool par = N > 1 && N * w.width >= 16384;
    POSENC_OMP(parallel for schedule(dynamic, 8) if(par))
    for (Index i = 0; i < N; ++i) {
        const auto wi = w.weight.col(i);
        for (Index j = 0; j <= i; ++j) {
            if (R.hi[std::size_t(i)] <= R.lo[std::size_t(j)] || R.hi[std::size_t(j)] <= R.lo[std::size_t(i)]) continue;
            const auto wj = w.weight.col(j);
            double s = 0;
            for (Index a = R.begin[std::size_t(i)]; a < R.begin[std::size_t(i) + 1]; ++a) {
                const detail::GramRun& ra = R.runs[std::size_t(a)];
                for (Index b = R.begin[std::size_t(j)]; b < R.begin[std::size_t(j) + 1]; ++b) {
                    const detail::GramRun& rb = R.runs[std::size_t(b)];
                    const Index r0 = std::max(ra.row, rb.row), r1 = std::min(ra.row + ra.len, rb.row + rb.len);
                    if (r0 >= r1) continue;
                    const auto x = wi.segment(ra.slot + (r0 - ra.row), r1 - r0);
                    const auto y = wj.segment(rb.slot + (r0 - rb.row), r1 - r0);
                    if constexpr (std::is_same_v<T, double>) s += x.dot(y);
                    else s += x.template cast<double>().dot(y.template cast<double>());
                }
            }
            G(i, j) = s;
            G(j, i) = s;
        }
    }
    return G;
}

/// True when the stable ranks of the encoding of `n_points` points by `e` come from windowed_gram()
/// (embedding_stable_rank(), embedding_stable_ranks()): E is a WindowedEncoder, e has windows
/// (window_width() > 0) and n_points <= e.output_dim() (so the N x N Gram is the smaller side; with
/// more points than code rows the dense output_dim x output_dim Gram is cheaper and smaller).
template <Encoder E>
bool windowed_gram_applies(const E& e, Index n_points) {
    if constexpr (WindowedEncoder<E>) return e.window_width() > 0 && n_points <= e.output_dim();
    else return false;
}

/// Stable rank ||Psi||_F^2 / ||Psi||_2^2 of the encoding Psi (output_dim x N) of the points X
/// (input_dim x N, points as columns). When windowed_gram_applies(e, N) (sparse windows from a
/// compact or truncated profile, and N <= output_dim), it is computed from windowed_gram() (trace and
/// top eigenvalue of the N x N Gram matrix; `opt` chooses exact or Lanczos for the eigenvalue) and the
/// dense code is never formed; otherwise the code is encoded densely and passed to stable_rank().
/// Throws posenc::Error for bad points, an all-zero code or a failing eigen-solver.
template <Encoder E>
double embedding_stable_rank(const E& e, ConstMatRef<typename E::Scalar> X, const StableRankOptions& opt = {}) {
    using T = typename E::Scalar;
    constexpr const char* who = "embedding_stable_rank";
    if constexpr (WindowedEncoder<E>) {
        if (windowed_gram_applies(e, X.cols())) {
            detail::require(X.cols() > 0, who, ": no points");
            Windows<T> w;
            e.windows(X, w);
            const Mat<double> G = windowed_gram(w, e.output_dim());
            const double fro2 = G.trace();
            if (!(fro2 > 0)) detail::fail(who, ": the code is all zero (stable rank undefined)");
            const Index m = G.rows();
            double top = 0;
            if (detail::resolve_method(opt, m) == StableRankMethod::Exact) {
                Eigen::SelfAdjointEigenSolver<Mat<double>> es(G, Eigen::EigenvaluesOnly);
                if (es.info() != Eigen::Success) detail::fail(who, ": eigen-solver failed");
                top = es.eigenvalues()[m - 1];
            } else {
                top = detail::lanczos_top<double>(
                    m, [&](const Vec<double>& q, Vec<double>& r) { r.noalias() = G * q; }, opt, who);
            }
            return fro2 / top;
        }
    }
    return stable_rank(encode(e, X), opt);
}

/// The matrix embedding_stable_ranks() took the stable ranks from.
enum class EmbeddingRankPath {
    WindowedGram,  ///< the N x N Gram matrix of the encoder's sparse windows (windowed_gram())
    Dense          ///< the dense output_dim x N code (stable_rank() and stable_rank_l1())
};

/// "windowed_gram" or "dense" (the names the example tools print as "method").
inline const char* to_string(EmbeddingRankPath p) {
    return p == EmbeddingRankPath::WindowedGram ? "windowed_gram" : "dense";
}

/// Options of embedding_stable_ranks().
struct EmbeddingRankOptions {
    /// Always encode densely (stable_rank() and stable_rank_l1() of the output_dim x N code), even when
    /// windowed_gram_applies(); for checks and timings of the dense path.
    bool force_dense = false;
    /// An all-zero code gives NaN for both ranks instead of throwing posenc::Error.
    bool nan_if_zero = false;
    /// Passed to stable_rank() on the dense path (the windowed path computes every eigenvalue exactly).
    StableRankOptions dense;
};

/// L2 and L1 stable ranks of one embedding, and the path they came from.
struct EmbeddingStableRanks {
    double l2 = 0;  ///< ||Psi||_F^2 / ||Psi||_2^2 = sum(s_i^2) / s_1^2
    double l1 = 0;  ///< sum(s_i) / s_1
    EmbeddingRankPath path = EmbeddingRankPath::Dense;  ///< windowed Gram or dense code
};

namespace detail {

/// Both stable ranks from ALL eigenvalues of the symmetric PSD Gram matrix G (lower triangle read) of
/// an embedding whose smaller side is `min_side`: L2 = trace(G) / top eigenvalue, L1 = sum of the
/// square roots of the eigenvalues above min_side * epsilon * top (the noise floor of
/// stable_rank_l1()) / sqrt(top). A trace that is not > 0 gives {NaN, NaN} when `nan_if_zero`, else
/// throws posenc::Error (prefixed by `who`), as does a failing eigen-solver.
/// (A template, MatD = Mat<double>: a translation unit that never calls it does not instantiate Eigen's
/// eigen-solver, docs/development.md.)
template <class MatD>
std::pair<double, double> gram_stable_ranks(const MatD& G, Index min_side, bool nan_if_zero, const char* who) {
    const double fro2 = G.trace();
    if (!(fro2 > 0)) {
        if (nan_if_zero) return {std::nan(""), std::nan("")};
        detail::fail(who, ": the code is all zero (stable rank undefined)");
    }
    Eigen::SelfAdjointEigenSolver<Mat<double>> es(G, Eigen::EigenvaluesOnly);
    if (es.info() != Eigen::Success) detail::fail(who, ": eigen-solver failed");
    const Vec<double> ev = es.eigenvalues().reverse().cwiseMax(0.0);  // descending
    const double top = ev[0];
    if (!(top > 0)) detail::fail(who, ": the Gram matrix has no positive eigenvalue");
    const double floor = double(min_side) * std::numeric_limits<double>::epsilon() * top;
    double s = 0;
    for (Index i = 0; i < ev.size(); ++i)
        if (ev[i] > floor) s += std::sqrt(ev[i]);
    return {fro2 / top, s / std::sqrt(top)};
}

}  // namespace detail

/// L2 stable rank ||Psi||_F^2 / ||Psi||_2^2 and L1 stable rank sum(s_i) / s_1 of the encoding Psi
/// (output_dim x N) of the points X (input_dim x N, points as columns).
///
/// When windowed_gram_applies(e, N) and not opt.force_dense: one windowed_gram() (N x N, from the
/// sparse windows; the dense code is never formed) and all of its eigenvalues (dense symmetric
/// eigen-solver, O(N^3)); L2 = trace / top eigenvalue, L1 as in stable_rank_l1() (same noise floor).
/// The values equal the dense ones up to rounding and the window truncation (~1e-8 relative for the
/// Gaussian's default tol). Otherwise: stable_rank(code, opt.dense) and stable_rank_l1(code) of the
/// dense code, exactly as called directly. The result says which path was taken.
///
/// Throws posenc::Error for bad points (no points, non-finite or outside the encoder's domain), an
/// all-zero code (unless opt.nan_if_zero: then both ranks are NaN), or a failing eigen-solver.
template <Encoder E>
EmbeddingStableRanks embedding_stable_ranks(const E& e, ConstMatRef<typename E::Scalar> X,
                                            const EmbeddingRankOptions& opt = {}) {
    using T = typename E::Scalar;
    constexpr const char* who = "embedding_stable_ranks";
    detail::require(X.cols() > 0, who, ": no points");
    EmbeddingStableRanks r;
    if constexpr (WindowedEncoder<E>) {
        if (!opt.force_dense && windowed_gram_applies(e, X.cols())) {
            Windows<T> w;
            e.windows(X, w);
            const Mat<double> G = windowed_gram(w, e.output_dim());
            std::tie(r.l2, r.l1) = detail::gram_stable_ranks(G, X.cols(), opt.nan_if_zero, who);
            r.path = EmbeddingRankPath::WindowedGram;
            return r;
        }
    }
    const Mat<T> A = encode(e, X);
    r.path = EmbeddingRankPath::Dense;
    if (opt.nan_if_zero && A.squaredNorm() == 0) {
        r.l2 = r.l1 = std::nan("");
        return r;
    }
    r.l2 = stable_rank(A, opt.dense);
    r.l1 = stable_rank_l1(A);
    return r;
}

/// L1 stable rank sum(s_i) / s_1 of the encoding of the points X: embedding_stable_ranks(e, X).l1
/// (windowed Gram when windowed_gram_applies(), else stable_rank_l1() of the dense code). Throws
/// posenc::Error like embedding_stable_ranks().
template <Encoder E>
double embedding_stable_rank_l1(const E& e, ConstMatRef<typename E::Scalar> X) {
    return embedding_stable_ranks(e, X).l1;
}

}  // namespace posenc

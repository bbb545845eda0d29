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
#pragma once
#include <algorithm>
#include <string>
#include <type_traits>
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
            throw Error(std::string(who) + ": windows are inconsistent (index " + std::to_string(w.index.rows()) + " x " +
                        std::to_string(w.index.cols()) + ", weight " + std::to_string(w.weight.rows()) + " x " +
                        std::to_string(w.weight.cols()) + ", width " + std::to_string(K) + ")");
        begin.assign(std::size_t(N) + 1, 0);
        lo.assign(std::size_t(N), output_dim);
        hi.assign(std::size_t(N), 0);
        std::vector<GramRun> col;
        for (Index n = 0; n < N; ++n) {
            col.clear();
            for (Index k = 0; k < K; ++k) {
                const Index r = w.index(k, n);
                if (r < 0 || r >= output_dim)
                    throw Error(std::string(who) + ": window index " + std::to_string(r) + " of point " +
                                std::to_string(n) + " is outside [0, " + std::to_string(output_dim) + ")");
                if (w.weight(k, n) == T(0)) continue;
                if (!col.empty() && col.back().row + col.back().len == r && col.back().slot + col.back().len == k)
                    ++col.back().len;
                else
                    col.push_back({r, k, 1});
            }
            std::sort(col.begin(), col.end(), [](const GramRun& a, const GramRun& b) { return a.row < b.row; });
            for (std::size_t i = 1; i < col.size(); ++i)
                if (col[i - 1].row + col[i - 1].len > col[i].row)
                    throw Error(std::string(who) + ": point " + std::to_string(n) + " has row " +
                                std::to_string(col[i].row) + " twice in its window");
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
    detail::require(output_dim > 0, std::string(who) + ": output_dim must be > 0");
    const detail::GramRuns<T> R(w, output_dim, who);
    const Index N = w.cols();
    Mat<double> G = Mat<double>::Zero(N, N);
    const bool par = N > 1 && N * w.width >= 16384;
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

/// Stable rank ||Psi||_F^2 / ||Psi||_2^2 of the encoding Psi (output_dim x N) of the points X
/// (input_dim x N, points as columns). When the encoder has sparse windows (a compact or truncated
/// profile, window_width() > 0), it is computed from windowed_gram() (trace and top eigenvalue of the
/// N x N Gram matrix; `opt` chooses exact or Lanczos for the eigenvalue) and the dense code is never
/// formed; otherwise the code is encoded densely and passed to stable_rank(). Throws posenc::Error
/// for bad points, an all-zero code or a failing eigen-solver.
template <Encoder E>
double embedding_stable_rank(const E& e, ConstMatRef<typename E::Scalar> X, const StableRankOptions& opt = {}) {
    using T = typename E::Scalar;
    constexpr const char* who = "embedding_stable_rank";
    if constexpr (WindowedEncoder<E>) {
        if (e.window_width() > 0) {
            detail::require(X.cols() > 0, std::string(who) + ": no points");
            Windows<T> w;
            e.windows(X, w);
            const Mat<double> G = windowed_gram(w, e.output_dim());
            const double fro2 = G.trace();
            if (!(fro2 > 0)) throw Error(std::string(who) + ": the code is all zero (stable rank undefined)");
            const Index m = G.rows();
            double top = 0;
            if (detail::resolve_method(opt, m) == StableRankMethod::Exact) {
                Eigen::SelfAdjointEigenSolver<Mat<double>> es(G, Eigen::EigenvaluesOnly);
                if (es.info() != Eigen::Success) throw Error(std::string(who) + ": eigen-solver failed");
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

}  // namespace posenc

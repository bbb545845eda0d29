// posenc/nn/first_layer/sparse_windows.hpp — the fused first layer W Psi(X) + b for windowed encodings:
// gathers the K columns of W inside each point's window instead of forming the D x N embedding.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/windows.hpp"
#include "posenc/nn/layers/dense.hpp"
#include "posenc/nn/first_layer/dense_codes.hpp"

namespace posenc {

namespace detail {
/// Throws unless `win` is a consistent K x N window set with indices in [0, D) (Windows::check).
template <class T>
void check_windows(const Windows<T>& win, Index D, const char* who) {
    win.check(D, who);
}
}  // namespace detail

namespace detail {
/// Rows per register block of the gather/scatter kernels: 8 AVX registers of accumulators.
template <class T>
inline constexpr int kSparseRowBlock = int(64 / sizeof(T)) * 4;

/// out[0:rows] = sum_j coef[j] * src(:, col[j])[r0 : r0 + rows] for m (coef, col) pairs, where src is a
/// column-major matrix with leading dimension ld. Accumulates in registers, rows in blocks of
/// kSparseRowBlock; the sum runs in j order (deterministic). Pairs with coef == 0 are skipped.
template <class T, class ColOf, class CoefOf>
void gather_columns(const T* src, Index ld, Index r0, Index rows, Index m, ColOf col, CoefOf coef, T* out) {
    constexpr int RB = kSparseRowBlock<T>;
    using Blk = Eigen::Matrix<T, RB, 1>;
    Index r = 0;
    for (; r + RB <= rows; r += RB) {
        Blk acc = Blk::Zero();
        for (Index j = 0; j < m; ++j) {
            const T c = coef(j);
            if (c != T(0)) acc.noalias() += c * Eigen::Map<const Blk>(src + Index(col(j)) * ld + r0 + r);
        }
        Eigen::Map<Blk>(out + r) = acc;
    }
    // The last rows < RB (all rows of a narrow layer, e.g. the 1-output linear model): plain scalar
    // loops, still summed in j order; a dynamic-size Eigen map per (j, block) costs more than the FMAs.
    for (; r < rows; ++r) {
        T acc = T(0);
        for (Index j = 0; j < m; ++j) {
            const T c = coef(j);
            if (c != T(0)) acc += c * src[Index(col(j)) * ld + r0 + r];
        }
        out[r] = acc;
    }
}
/// True when idx[0..K) is the contiguous run idx[0], idx[0] + 1, ... (a shifted basis window away
/// from the domain's ends): the gather/scatter of a one-row layer is then one dot product / AXPY.
inline bool is_index_run(const std::int32_t* idx, Index K) {
    // Integer arithmetic only, no early exit, so that the loop vectorises (unsigned: no overflow UB).
    const std::uint32_t base = std::uint32_t(idx[0]);
    std::uint32_t diff = 0;
    for (Index k = 1; k < K; ++k) diff |= (std::uint32_t(idx[k]) - std::uint32_t(k)) ^ base;
    return diff == 0;
}

/// Trims the zero weights at both ends of a K-slot window (the padding of a window clipped at a
/// bounded domain's end) to [a, b) and tells whether the remaining indices are a contiguous run.
template <class T>
bool trimmed_index_run(const std::int32_t* idx, const T* w, Index K, Index& a, Index& b) {
    a = 0;
    b = K;
    while (a < b && w[a] == T(0)) ++a;
    while (b > a && w[b - 1] == T(0)) --b;
    return b > a && is_index_run(idx + a, b - a);
}

/// Work (multiply-adds) below which the sparse kernels stay serial: a parallel region costs more than
/// a few microseconds of work, and far more on a loaded machine.
inline constexpr Index kSparseParallelWork = Index(1) << 20;
}  // namespace detail

/// Per-point layout of a batch's windows, found once per batch (Model::prepare) instead of once per
/// kernel call: the slot range [a, b) left after trimming zero weights at both ends, and whether the
/// indices there are one contiguous run (then the one-row kernels do one dot product / AXPY).
/// It describes the windows it was made from: after editing their index or weight entries, make it
/// again (an out-of-range index is still caught, see detail::check_windows_with_runs).
struct WindowRuns {
    std::vector<std::int32_t> a;     ///< first slot of the trimmed range [a, b), per point
    std::vector<std::int32_t> b;     ///< end of the trimmed range [a, b), per point
    std::vector<std::uint8_t> run;   ///< 1 when index(a..b-1, n) is a contiguous run
    /// Number of points described (0 = no plan).
    Index cols() const { return Index(run.size()); }
};

/// The WindowRuns of `win` (one pass over the windows).
template <class T>
WindowRuns make_window_runs(const Windows<T>& win) {
    const Index K = win.index.rows(), N = win.cols();
    WindowRuns r;
    r.a.resize(std::size_t(N));
    r.b.resize(std::size_t(N));
    r.run.resize(std::size_t(N));
    for (Index n = 0; n < N; ++n) {
        Index a = 0, b = 0;
        r.run[std::size_t(n)] = detail::trimmed_index_run(win.index.col(n).data(), win.weight.col(n).data(), K, a, b);
        r.a[std::size_t(n)] = std::int32_t(a);
        r.b[std::size_t(n)] = std::int32_t(b);
    }
    return r;
}

namespace detail {
/// check_windows for a batch with a WindowRuns plan: shapes, and the plan's runs inside [0, D) (O(1)
/// per run point, so a plan makes the per-step check O(N)); points that are not runs are checked
/// entry by entry. Enough for the one-row kernels, which read a run point's window only as
/// W[index(a) .. index(a) + b - a); the many-row kernels read every non-zero slot and need
/// check_windows. Throws posenc::Error naming `who`.
template <class T>
void check_windows_with_runs(const Windows<T>& win, const WindowRuns& runs, Index D, const char* who) {
    const Index K = win.index.rows(), N = win.cols();
    if (win.weight.rows() != K || win.weight.cols() != N || runs.cols() != N || Index(runs.a.size()) != N ||
        Index(runs.b.size()) != N)
        detail::fail(who, ": windows and their WindowRuns plan do not match (", K, " x ",
                    N, " index, ", win.weight.rows(), " x ",
                    win.weight.cols(), " weight, plan for ", runs.cols(), " points)");
    bool ok = true;
    for (Index n = 0; n < N && ok; ++n) {
        const Index a = runs.a[std::size_t(n)], b = runs.b[std::size_t(n)];
        if (runs.run[std::size_t(n)]) {
            ok = a >= 0 && a < b && b <= K;
            if (ok) ok = win.index(a, n) >= 0 && win.index(a, n) + (b - a) <= D;
        } else {
            for (Index k = 0; k < K; ++k) ok = ok && win.index(k, n) >= 0 && win.index(k, n) < D;
        }
    }
    if (!ok) detail::fail(who, ": windows.index entries must lie in [0, ", D, ")");
}
}  // namespace detail

namespace detail {
/// The trimmed range [a, b) of point n and whether it is a run: from the plan when there is one, else
/// by scanning the window (trimmed_index_run).
template <class T>
bool one_row_run(const WindowRuns* runs, Index n, const std::int32_t* idx, const T* w, Index K, Index& a, Index& b) {
    if (!runs) return trimmed_index_run(idx, w, K, a, b);
    a = runs->a[std::size_t(n)];
    b = runs->b[std::size_t(n)];
    return runs->run[std::size_t(n)] != 0;
}

template <class T>
void sparse_product_unchecked(const Mat<T>& W, const Windows<T>& win, MatRef<T> Z, const WindowRuns* runs = nullptr);
template <class T>
void sparse_first_backward_unchecked(const Windows<T>& win, ConstMatRef<T> dZ, Index D, Mat<T>& dW, Vec<T>* db,
                                     const WindowRuns* runs = nullptr);
}  // namespace detail

/// Z = W Psi without bias, where Psi (D x N, D = W.cols()) is given by its windows:
/// Z(:, n) = sum_k weight(k, n) W(:, index(k, n)). Z must be pre-sized W.rows() x N.
/// Parallel over columns; each column is summed in slot order in registers (deterministic).
template <class T>
void sparse_product(const Mat<T>& W, const Windows<T>& win, MatRef<T> Z) {
    detail::check_windows(win, W.cols(), "sparse_product");
    detail::check_shape(Z, W.rows(), win.cols(), "sparse_product", "Z");
    detail::sparse_product_unchecked<T>(W, win, Z);
}

namespace detail {
/// sparse_product without the O(KN) validation of the windows (the caller has checked them: Model
/// checks a batch once per step, not once per kernel). `runs`, if given, is the batch's checked
/// WindowRuns plan (used by the one-row kernel instead of re-scanning every window).
template <class T>
void sparse_product_unchecked(const Mat<T>& W, const Windows<T>& win, MatRef<T> Z, const WindowRuns* runs) {
    const Index K = win.index.rows(), N = win.cols(), R = W.rows();
    const bool par = N * K * R > detail::kSparseParallelWork;
    (void)par;  // used only by the OpenMP pragma
    if (R == 1) {  // one output row (a linear model): a dot product per point
        const T* Wd = W.data();
        POSENC_OMP(parallel for schedule(static) if(par))
        for (Index n = 0; n < N; ++n) {
            const std::int32_t* idx = win.index.col(n).data();
            const T* w = win.weight.col(n).data();
            T z = T(0);
            Index a = 0, b = 0;
            if (one_row_run(runs, n, idx, w, K, a, b)) {
                z = Eigen::Map<const Vec<T>>(Wd + idx[a], b - a).dot(Eigen::Map<const Vec<T>>(w + a, b - a));
            } else {
                for (Index k = 0; k < K; ++k)
                    if (w[k] != T(0)) z += w[k] * Wd[idx[k]];
            }
            Z(0, n) = z;
        }
        return;
    }
    POSENC_OMP(parallel for schedule(static) if(par))
    for (Index n = 0; n < N; ++n) {
        const std::int32_t* idx = win.index.col(n).data();
        const T* w = win.weight.col(n).data();
        detail::gather_columns<T>(W.data(), R, 0, R, K, [idx](Index j) { return idx[j]; },
                                  [w](Index j) { return w[j]; }, Z.col(n).data());
    }
}

}  // namespace detail

/// Fused first-layer forward Z = W Psi + b (Psi given by its windows); Z pre-sized W.rows() x N.
template <class T>
void sparse_first_forward(const Mat<T>& W, const Vec<T>& b, const Windows<T>& win, MatRef<T> Z) {
    detail::require(b.size() == W.rows(), "sparse_first_forward: bias b must have W.rows() entries");
    sparse_product<T>(W, win, Z);
    Z.colwise() += b;
}

/// Fused first-layer backward: overwrites dW (resized R x D) with dZ Psi^T, i.e. the scatter-add
/// dW(:, index(k, n)) += weight(k, n) dZ(:, n), and, if given, *db = sum_n dZ(:, n).
/// The rows of dW are cut into one block per thread (multiples of 64 bytes); each block is owned by
/// one thread, which walks all (n, k) in order for its rows. Every entry of dW is therefore summed in
/// the same (n, k) order whatever the thread count or schedule: deterministic, no atomics, dZ and the
/// windows are streamed once per block. (Measured alternatives, slower here: a gather on the
/// transposed windows, 3x slower once dZ outgrows the cache; L2-sized row blocks, which re-read the
/// windows per block, 1.2-2x slower; see docs/nn.md.)
template <class T>
void sparse_first_backward(const Windows<T>& win, ConstMatRef<T> dZ, Index D, Mat<T>& dW, Vec<T>* db = nullptr) {
    detail::check_windows(win, D, "sparse_first_backward");
    detail::check_shape(dZ, dZ.rows(), win.cols(), "sparse_first_backward", "dZ (columns = window columns)");
    detail::sparse_first_backward_unchecked<T>(win, dZ, D, dW, db);
}

namespace detail {
/// sparse_first_backward without the O(KN) validation of the windows (see sparse_product_unchecked).
template <class T>
void sparse_first_backward_unchecked(const Windows<T>& win, ConstMatRef<T> dZ, Index D, Mat<T>& dW, Vec<T>* db,
                                     const WindowRuns* runs) {
    const Index K = win.index.rows(), N = win.cols(), R = dZ.rows();
    dW.resize(R, D);
    if (R == 1) {  // one output row (a linear model): dW(idx) += w * dz per point, serial
        dW.setZero();
        T* dst = dW.data();
        for (Index n = 0; n < N; ++n) {
            const T g = dZ(0, n);
            const std::int32_t* idx = win.index.col(n).data();
            const T* w = win.weight.col(n).data();
            Index a = 0, b = 0;
            if (one_row_run(runs, n, idx, w, K, a, b)) {
                Eigen::Map<Vec<T>>(dst + idx[a], b - a) += g * Eigen::Map<const Vec<T>>(w + a, b - a);  // one AXPY
            } else {
                for (Index k = 0; k < K; ++k)
                    if (w[k] != T(0)) dst[idx[k]] += w[k] * g;
            }
        }
        if (db) detail::row_sums<T>(dZ, *db);
        return;
    }
    constexpr Index G = 64 / Index(sizeof(T));  // rows per fixed-size step (two AVX registers)
    // block height: R / threads rounded up to a multiple of G
    const Index nt = num_threads();
    const Index B = ((R + nt - 1) / nt + G - 1) / G * G;
    const Index nblocks = (R + B - 1) / B;
    const T* dz = dZ.data();
    const Index ld = dZ.outerStride();
    using Step = Eigen::Matrix<T, G, 1>;
    const bool par = nblocks > 1 && N * K * R > detail::kSparseParallelWork;
    (void)par;  // used only by the OpenMP pragma
    POSENC_OMP(parallel for schedule(dynamic, 1) if(par))
    for (Index blk = 0; blk < nblocks; ++blk) {
        const Index r0 = blk * B, nr = std::min(B, R - r0), full = nr / G * G;
        dW.middleRows(r0, nr).setZero();
        for (Index n = 0; n < N; ++n) {
            const std::int32_t* idx = win.index.col(n).data();
            const T* w = win.weight.col(n).data();
            const T* src = dz + n * ld + r0;
            for (Index k = 0; k < K; ++k) {
                const T c = w[k];
                if (c == T(0)) continue;
                T* dst = dW.data() + Index(idx[k]) * R + r0;
                for (Index r = 0; r < full; r += G) Eigen::Map<Step>(dst + r) += c * Eigen::Map<const Step>(src + r);
                for (Index r = full; r < nr; ++r) dst[r] += c * src[r];  // scalar tail (see gather_columns)
            }
        }
    }
    if (db) detail::row_sums<T>(dZ, *db);
}

}  // namespace detail

/// Gradient with respect to the window weights: dweight(k, n) = W(:, index(k, n)) . dZ(:, n)
/// (K x N, resized). Chain it with the encoder's window derivative for deeper chains; it is the
/// sparse counterpart of dPsi = W^T dZ.
template <class T>
void sparse_weight_gradient(const Mat<T>& W, const Windows<T>& win, ConstMatRef<T> dZ, Mat<T>& dweight) {
    detail::check_windows(win, W.cols(), "sparse_weight_gradient");
    detail::check_shape(dZ, W.rows(), win.cols(), "sparse_weight_gradient", "dZ");
    const Index K = win.index.rows(), N = win.cols();
    dweight.resize(K, N);
    POSENC_OMP(parallel for schedule(static) if(N * K * W.rows() > detail::kSparseParallelWork))
    for (Index n = 0; n < N; ++n)
        for (Index k = 0; k < K; ++k) dweight(k, n) = W.col(win.index(k, n)).dot(dZ.col(n));
}

/// Fused forward/backward of a Dense layer whose input is a windowed embedding of dimension D = layer.in_dim().
template <class T>
void sparse_first_forward(const Dense<T>& layer, const Windows<T>& win, MatRef<T> Z) {
    sparse_first_forward<T>(layer.W, layer.b, win, Z);
}
/// Overwrites layer.dW and layer.db from dZ for a windowed input (see sparse_first_backward).
template <class T>
void sparse_first_backward(Dense<T>& layer, const Windows<T>& win, ConstMatRef<T> dZ) {
    detail::check_shape(dZ, layer.out_dim(), win.cols(), "sparse_first_backward", "dZ");
    sparse_first_backward<T>(win, dZ, layer.in_dim(), layer.dW, &layer.db);
}

/// The fused sparse first layer as a FirstLayerInput (nn/first_layer/dense_codes.hpp): P = W0 Psi and
/// dW0 = dZ0 Psi^T from the windows of Psi (sparse_product / sparse_first_backward kernels). Made
/// with the first layer's shape, it validates the windows once: with a WindowRuns plan of these
/// windows and a one-row first layer in O(N) (the one-row kernels then follow the plan), otherwise
/// every index in O(KN). Views `win` (and the plan): keep them alive and unchanged while it is used.
template <class T>
class SparseWindows {
public:
    /// Validates `win` for a first layer of `out` rows on D inputs; `runs` (may be null or empty) is
    /// the batch's plan (Model::prepare makes one). Throws posenc::Error naming `who`.
    SparseWindows(const Windows<T>& win, const WindowRuns* runs, Index D, Index out, const char* who)
        : win_(&win), dim_(D) {
        if (runs == nullptr || runs->cols() == 0 || out != 1) {
            detail::check_windows(win, D, who);
        } else {
            detail::check_windows_with_runs(win, *runs, D, who);
            plan_ = runs;
        }
    }
    /// Views windows already validated by the checking constructor for the same first layer, with the
    /// plan it chose (`plan()`): Model's backward on its forward's batch.
    SparseWindows(const Windows<T>& win, const WindowRuns* plan, Index D) : win_(&win), dim_(D), plan_(plan) {}
    /// D, rows of the embedding the windows describe.
    Index dim() const { return dim_; }
    /// N, points.
    Index cols() const { return win_->cols(); }
    /// The windows.
    const Windows<T>& windows() const { return *win_; }
    /// The plan the one-row kernels follow (null: they scan each window).
    const WindowRuns* plan() const { return plan_; }
    /// P = W Psi without the bias (P pre-sized W.rows() x N).
    void product(const Mat<T>& W, MatRef<T> P) const { detail::sparse_product_unchecked<T>(W, *win_, P, plan_); }
    /// dW = dZ Psi^T, db = sum over points of dZ (overwritten).
    void weight_grad(ConstMatRef<T> dZ, Mat<T>& dW, Vec<T>& db) const {
        detail::sparse_first_backward_unchecked<T>(*win_, dZ, dim_, dW, &db, plan_);
    }

private:
    const Windows<T>* win_;
    Index dim_;
    const WindowRuns* plan_ = nullptr;
};

}  // namespace posenc

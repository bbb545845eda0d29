// posenc/nn/first_layer/dense_codes.hpp — the first layer of an Mlp as a pluggable strategy: how the product
// W0 Psi (no bias) and its weight gradient are computed from what the encoder produced.
//
// An Mlp's forward/backward (nn/mlp.hpp) take the network input as a FirstLayerInput: an object that
// knows the input's shape (dim() x cols()) and computes, for the first layer's weights W0
// (width0 x dim()),
//   s.product(W0, P)               P = W0 Psi (width0 x cols(), pre-sized), without the bias;
//   s.weight_grad(dZ0, dW0, db0)   dW0 = dZ0 Psi^T and db0 = sum_n dZ0(:, n), both overwritten.
// The strategies (design and data path: docs/design.md, "Data path"; choice: docs/nn.md):
//   DenseCodes<T>      the dense codes Psi (D x N): one GEMM each way (this header);
//   SparseWindows<T>   the encoder's compact-support windows (K x N): the fused gather / scatter-add
//                      kernels of nn/first_layer/sparse_windows.hpp, validated when it is made;
//   KronGrid<T>        the Kronecker features of a grid from the two axis codes, never formed
//                      (nn/first_layer/kron_grid.hpp).
// A strategy object is a light view of its input (it owns nothing): it must not outlive the codes,
// windows or axis codes it was made from. Model (nn/model.hpp) picks DenseCodes or SparseWindows by
// FirstLayerPath (Auto as before 2026-12-02); a learned-table strategy plugs in the same way.
#pragma once
#include <algorithm>
#include <concepts>

#include "posenc/core/error.hpp"
#include "posenc/core/gemm.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/types.hpp"
#include "posenc/nn/layers/dense.hpp"

namespace posenc {

namespace detail {
/// Columns per product inside gemm_columns / gemm_nt_columns: small enough that the operands stay in
/// cache and Eigen's packing buffers fit its stack limit (no heap allocation per call), large enough
/// that a width-64 product is not dominated by the call.
inline constexpr Index kGemmColumnBlock = 256;

/// C = op(A) B (pre-sized) for a layer-sized op(A) (m x k) and a batch B (k x N) of many columns: every
/// OpenMP thread multiplies its own contiguous range of the N columns with a single-threaded product
/// (Eigen runs serially inside a parallel region), so the threads never synchronise inside the GEMM
/// (Eigen's own parallel GEMM shares packed panels between threads and waits on them: slow for
/// m, k <= 64 and on a loaded machine). A column's result does not depend on the split; the split
/// depends only on the thread count. Small batches take one product.
template <class T>
void gemm_columns(Op oa, ConstMatRef<T> A, ConstMatRef<T> B, MatRef<T> C) {
    const Index N = B.cols();
    const int nt = num_threads();
    if (nt <= 1 || N < Index(2048) * nt) {
        gemm<T>(oa, Op::N, A, B, C);
        return;
    }
    const Index m = oa == Op::N ? A.rows() : A.cols(), k = oa == Op::N ? A.cols() : A.rows();
    if (B.rows() != k || C.rows() != m || C.cols() != N)
        detail::fail("gemm: shapes do not match: op(A) is ", m, " x ", k, ", B ", B.rows(), " x ", N, ", C ", C.rows(),
                     " x ", C.cols());
    POSENC_OMP(parallel num_threads(nt))
    {
const Index t = thread_index(), n = team_size();
        const Index c0 = N * t / n, c1 = N * (t + 1) / n;
        for (Index j = c0; j < c1; j += kGemmColumnBlock) {  // blocks in cache; Eigen's buffers on the stack
            const Index nb = std::min(kGemmColumnBlock, c1 - j);
            gemm<T>(oa, Op::N, A, B.middleCols(j, nb), C.middleCols(j, nb));
        }
    }
}

/// C = A B^T (resized) for A (m x N), B (n x N) with a long inner dimension N (weight gradients
/// dW = dZ X^T): like gemm_nt (nn/layers/dense.hpp) each OpenMP thread takes a contiguous range of the N
/// columns, here in blocks of kGemmColumnBlock accumulated into its own partial product (thread 0:
/// C itself, the others a per-thread buffer kept between calls, so no allocation once the shapes
/// are known); the partials are added in thread order. Deterministic for a fixed thread count.
template <class T>
void gemm_nt_columns(ConstMatRef<T> A, ConstMatRef<T> B, Mat<T>& C) {
    const Index N = A.cols();
    detail::require(B.cols() == N, "gemm: A B^T needs as many columns in B (", B.cols(), ") as in A (", N, ")");
    const int nt = num_threads();
    if (C.rows() != A.rows() || C.cols() != B.rows()) C.resize(A.rows(), B.rows());
    if (nt <= 1 || N < Index(2048) * nt) {
        gemm<T>(Op::N, Op::T, A, B, C);
        return;
    }
    static thread_local Vec<T> partial;  // one per thread, grown when needed, reused between calls
    constexpr int kMaxTeam = 256;
    const T* parts[kMaxTeam] = {};
    POSENC_OMP(parallel num_threads(std::min(nt, kMaxTeam)))
    {
const Index t = thread_index(), n = team_size();
        const Index c0 = N * t / n, c1 = N * (t + 1) / n;
        if (t > 0 && partial.size() < C.size()) partial.resize(C.size());
        Eigen::Map<Mat<T>> dst(t == 0 ? C.data() : partial.data(), C.rows(), C.cols());
        dst.setZero();
        for (Index j = c0; j < c1; j += kGemmColumnBlock) {
            const Index nb = std::min(kGemmColumnBlock, c1 - j);
            gemm<T>(Op::N, Op::T, A.middleCols(j, nb), B.middleCols(j, nb), dst, true);
        }
        parts[t] = dst.data();
        POSENC_OMP(barrier)
        if (t == 0)  // partials added in thread order
            for (Index u = 1; u < n; ++u) C += Eigen::Map<const Mat<T>>(parts[u], C.rows(), C.cols());
    }
}
}  // namespace detail

/// What an Mlp accepts as the input of its first layer (see the header comment).
template <class S, class T>
concept FirstLayerInput = requires(const S& s, const Mat<T>& W, MatRef<T> P, ConstMatRef<T> dZ, Mat<T>& dW,
                                   Vec<T>& db) {
    { s.dim() } -> std::convertible_to<Index>;
    { s.cols() } -> std::convertible_to<Index>;
    s.product(W, P);
    s.weight_grad(dZ, dW, db);
};

/// The dense first layer on codes Psi (D x N): P = W0 Psi (GEMM), dW0 = dZ0 Psi^T (detail::gemm_nt),
/// db0 = row sums of dZ0. Views `codes`: keep them alive while the strategy is used.
template <class T>
class DenseCodes {
public:
    /// Views the codes (D x N).
    explicit DenseCodes(ConstMatRef<T> codes) : codes_(codes) {}
    /// D, rows of the codes.
    Index dim() const { return codes_.rows(); }
    /// N, points.
    Index cols() const { return codes_.cols(); }
    /// The codes.
    const ConstMatRef<T>& codes() const { return codes_; }
    /// P = W Psi (P pre-sized W.rows() x N).
    void product(const Mat<T>& W, MatRef<T> P) const { detail::gemm_columns<T>(detail::Op::N, W, codes_, P); }
    /// dW = dZ Psi^T, db = sum over points of dZ (both resized and overwritten).
    void weight_grad(ConstMatRef<T> dZ, Mat<T>& dW, Vec<T>& db) const {
        detail::gemm_nt_columns<T>(dZ, codes_, dW);
        detail::row_sums<T>(dZ, db);
    }

private:
    ConstMatRef<T> codes_;
};

}  // namespace posenc

// posenc/nn/first_layer.hpp — the first layer of an Mlp as a pluggable strategy: how the product
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
//                      kernels of nn/sparse_first_layer.hpp, validated when it is made;
//   KronGrid<T>        the Kronecker features of a grid from the two axis codes, never formed
//                      (nn/kron_first_layer.hpp).
// A strategy object is a light view of its input (it owns nothing): it must not outlive the codes,
// windows or axis codes it was made from. Model (nn/model.hpp) picks DenseCodes or SparseWindows by
// FirstLayerPath (Auto as before 2026-12-02); a learned-table strategy plugs in the same way.
#pragma once
#include <concepts>

#include "posenc/core/error.hpp"
#include "posenc/core/gemm.hpp"
#include "posenc/core/types.hpp"
#include "posenc/nn/dense.hpp"

namespace posenc {

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
    void product(const Mat<T>& W, MatRef<T> P) const { detail::gemm<T>(detail::Op::N, detail::Op::N, W, codes_, P); }
    /// dW = dZ Psi^T, db = sum over points of dZ (both resized and overwritten).
    void weight_grad(ConstMatRef<T> dZ, Mat<T>& dW, Vec<T>& db) const {
        detail::gemm_nt<T>(dZ, codes_, dW);
        detail::row_sums<T>(dZ, db);
    }

private:
    ConstMatRef<T> codes_;
};

}  // namespace posenc

// posenc/nn/fused_mlp.hpp — the fused MLP pass: a block of points goes through every layer while its
// activations are in cache (tiny-cuda-nn's fully fused MLP, on CPU), forward and backward.
//
// Eigen's path (nn/mlp.hpp) runs one whole-batch GEMM per layer and product, each followed by an
// elementwise pass over the batch: for a width-64 layer the packing of the operands costs about as
// much as the multiply. Here the batch is cut into blocks of kFusedBlock points; each OpenMP thread
// takes a contiguous range of blocks and, block by block,
//   forward   P_l = W_l A_{l-1} (+ b_l), A_l = f_l(P_l)                   for l = 0 .. L-1
//   backward  dZ_l = dA_l * f_l'(Z_l),  dW_l += dZ_l A_{l-1}^T,  db_l += sum dZ_l,
//             dA_{l-1} = W_l^T dZ_l                                    for l = L-1 .. 1,
//             dZ_0 = dA_0 * f_0'(Z_0) (and with dense codes Psi: dW_0 += dZ_0 Psi^T, dPsi = W_0^T dZ_0)
// with every product a register-tiled core/small_gemm.hpp kernel on the block (no packing). The
// activations are written to the Workspace exactly as Eigen's path writes them (both paths read each
// other's), and the weight gradients of a thread are summed in block order, then over threads in
// thread order: deterministic for a fixed thread count. Measured against Eigen's path:
// docs/performance.md, "The fused MLP kernel".
#pragma once
#include <algorithm>
#include <utility>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/small_gemm.hpp"
#include "posenc/core/types.hpp"
#include "posenc/nn/layers/activations.hpp"

namespace posenc {

/// Which kernel an Mlp's passes use: Auto = Fused when every layer has at most kFusedMaxWidth inputs
/// and outputs (the widths where it was measured faster, docs/performance.md), else Eigen.
enum class MlpKernel { Auto, Eigen, Fused };

/// Lower-case name of a kernel ("auto", "eigen", "fused").
inline const char* to_string(MlpKernel k) {
    return k == MlpKernel::Eigen ? "eigen" : k == MlpKernel::Fused ? "fused" : "auto";
}

namespace detail {
/// Points per block of the fused pass: a width-64 block's activations are 32 KiB in float.
inline constexpr Index kFusedBlock = 128;
/// Auto picks the fused kernel when no layer is wider than this.
inline constexpr Index kFusedMaxWidth = 128;

/// Scratch of the fused pass, kept in the caller's Workspace between steps (no allocation once the
/// shapes are known): the transposed weights and, per thread, two block buffers and its partial
/// gradients.
template <class T>
struct FusedScratch {
    std::vector<Mat<T>> Wt;      ///< W_l^T (in x out) of the last pass
    std::vector<Vec<T>> thread;  ///< per thread: block buffers, then the partial dW_l, db_l
    int team = 0;                ///< threads of the last backward
};

/// How the weight gradient of a layer is accumulated: dW (out x in) itself, or its transpose when
/// out is not a whole number of packets (the output layer: 3 x 64 as 64 x 3 keeps the kernel's tiles full).
template <class T>
bool fused_grad_transposed(Index out, Index in) {
    constexpr Index PS = SmallGemmPacket<T>::size;
    return out % PS != 0 && in % PS == 0;
}

/// W^T into `Wt` for every layer of `mlp` (resized only when the shapes change).
template <class M, class T>
void fused_transpose_weights(const M& mlp, FusedScratch<T>& s) {
    const std::size_t L = std::size_t(mlp.num_layers());
    s.Wt.resize(L);
    for (std::size_t l = 0; l < L; ++l) s.Wt[l] = mlp.layer(Index(l)).W.transpose();
}

/// The forward pass of `mlp` on ws.n points in blocks. With `codes` (D x n, column-major) the first
/// product W_0 Psi is computed here; without, ws's layer-0 pre-activation buffer already holds it.
template <class M, class T>
void fused_forward(const M& mlp, typename M::Workspace& ws, const T* codes, Index D) {
    const Index L = mlp.num_layers(), N = ws.n;
    fused_transpose_weights(mlp, ws.fused);
    const int nt = num_threads();
    const bool par = nt > 1 && N >= 2 * kFusedBlock * nt;
    (void)par;  // used only by the OpenMP pragma
    POSENC_OMP(parallel num_threads(nt) if(par))
    {
        const Index t = thread_index(), n = team_size();
        const Index c0 = N * t / n, c1 = N * (t + 1) / n;
        for (Index j = c0; j < c1; j += kFusedBlock) {
            const Index nb = std::min(kFusedBlock, c1 - j);
            for (Index l = 0; l < L; ++l) {
                const auto& layer = mlp.layer(l);
                const ActivationSpec& act = mlp.activation(l);
                const Index out = layer.out_dim(), in = layer.in_dim();
                const std::size_t u = std::size_t(l);
                const bool keepz = needs_preactivation(act.kind);
                T* P = (keepz ? ws.Z[u] : ws.A[u]).data() + j * out;
                const T* Wt = ws.fused.Wt[u].data();
                if (l > 0)  // P = W_l A_{l-1}
                    small_gemm<T>(out, nb, in, layer.W.data(), out, ws.A[u - 1].data() + j * in, 1, in, P, out, false,
                                  Wt, in);
                else if (codes)  // P = W_0 Psi
                    small_gemm<T>(out, nb, D, layer.W.data(), out, codes + j * D, 1, D, P, out, false, Wt, D);
                Eigen::Map<Mat<T>> Pb(P, out, nb);
                Pb.colwise() += layer.b;                                      // z = W a + b
                activate<T>(act, P, ws.A[u].data() + j * out, out * nb);      // a = f(z)
            }
        }
    }
}

/// Size of one thread's scratch: two block buffers of the widest layer, then per layer dW and db
/// (layer 0's only when `first` is set).
template <class M>
Index fused_thread_size(const M& mlp, bool first) {
    Index maxr = 0, grads = 0;
    for (Index l = 0; l < mlp.num_layers(); ++l) {
        const auto& layer = mlp.layer(l);
        maxr = std::max({maxr, layer.out_dim(), layer.in_dim()});
        if (l > 0 || first) grads += layer.W.size() + layer.b.size();
    }
    return 2 * maxr * kFusedBlock + grads;
}

/// The backward pass of `mlp` through the forward in `ws` (fused_forward or Eigen's; the activations
/// have the same layout): writes dZ_0 (width_0 x ws.n) to `dZ0`. With param_grads, overwrites dW_l,
/// db_l of layers 1 .. L-1; with `codes` (D x n) also dW_0 = dZ_0 Psi^T, db_0; with `dcodes` (D x n)
/// sets dPsi = W_0^T dZ_0.
template <class M, class T>
void fused_backward(M& mlp, typename M::Workspace& ws, ConstMatRef<T> dY, bool param_grads, T* dZ0,
                    const T* codes, Index D, T* dcodes) {
    const Index L = mlp.num_layers(), N = ws.n;
    const Index w0 = mlp.layer(0).out_dim(), outL = mlp.layer(L - 1).out_dim();
    const bool first = param_grads && codes != nullptr;
    fused_transpose_weights(mlp, ws.fused);  // the current weights (cheap: layer-sized copies)
    const Index per_thread = fused_thread_size(mlp, first);
    const int nt = num_threads();
    const bool par = nt > 1 && N >= 2 * kFusedBlock * nt;
    (void)par;  // used only by the OpenMP pragma
    FusedScratch<T>& s = ws.fused;
    if (int(s.thread.size()) < nt) s.thread.resize(std::size_t(nt));
    s.team = 1;
    POSENC_OMP(parallel num_threads(nt) if(par))
    {
        const Index t = thread_index(), n = team_size();
        if (t == 0) s.team = int(n);
        Vec<T>& mine = s.thread[std::size_t(t)];
        if (mine.size() < per_thread) mine.resize(per_thread);
        Index maxr = 0;
        for (Index l = 0; l < L; ++l) maxr = std::max({maxr, mlp.layer(l).out_dim(), mlp.layer(l).in_dim()});
        T* buf[2] = {mine.data(), mine.data() + maxr * kFusedBlock};
        T* grads = mine.data() + 2 * maxr * kFusedBlock;
        mine.segment(2 * maxr * kFusedBlock, per_thread - 2 * maxr * kFusedBlock).setZero();
        const Index c0 = N * t / n, c1 = N * (t + 1) / n;
        for (Index j = c0; j < c1; j += kFusedBlock) {
            const Index nb = std::min(kFusedBlock, c1 - j);
            T* slot = dZ0 + j * w0;  // this block's dZ_0
            T* cur = L == 1 ? slot : buf[0];
            Eigen::Map<Mat<T>>(cur, outL, nb) = dY.middleCols(j, nb);
            T* g = grads;  // this thread's partial gradients, layer L-1 first
            for (Index l = L - 1; l >= 0; --l) {
                const auto& layer = mlp.layer(l);
                const ActivationSpec& act = mlp.activation(l);
                const Index out = layer.out_dim(), in = layer.in_dim();
                const std::size_t u = std::size_t(l);
                const T* Zb = needs_preactivation(act.kind) ? ws.Z[u].data() + j * out : nullptr;
                activation_backward<T>(act, Zb, ws.A[u].data() + j * out, cur, cur, out * nb);  // dz = da f'(z)
                const T* Ain = l > 0 ? ws.A[u - 1].data() + j * in : codes + j * D;
                if (param_grads && (l > 0 || codes)) {
                    if (fused_grad_transposed<T>(out, in))  // dW^T += A_{l-1} dZ^T
                        small_gemm<T>(in, out, nb, Ain, in, cur, out, 1, g, in, true);
                    else  // dW += dZ A_{l-1}^T
                        small_gemm<T>(out, in, nb, cur, out, Ain, in, 1, g, out, true);
                    Eigen::Map<Vec<T>>(g + out * in, out) += Eigen::Map<const Mat<T>>(cur, out, nb).rowwise().sum();
                    g += out * in + out;
                }
                if (l == 0) break;
                T* dst = l == 1 ? slot : (cur == buf[0] ? buf[1] : buf[0]);
                // da_{l-1} = W_l^T dz
                small_gemm<T>(in, nb, out, s.Wt[u].data(), in, cur, 1, out, dst, in, false, layer.W.data(), out);
                cur = dst;
            }
            if (dcodes)  // dPsi = W_0^T dZ_0
                small_gemm<T>(D, nb, w0, s.Wt[0].data(), D, slot, 1, w0, dcodes + j * D, D, false,
                              mlp.layer(0).W.data(), w0);
        }
    }
    if (!param_grads) return;
    // Sum the partials over threads in thread order into each layer's dW, db.
    Index maxr = 0;
    for (Index l = 0; l < L; ++l) maxr = std::max({maxr, mlp.layer(l).out_dim(), mlp.layer(l).in_dim()});
    Index off = 2 * maxr * kFusedBlock;
    for (Index l = L - 1; l >= 0; --l) {
        if (l == 0 && !codes) break;
        auto& layer = mlp.layer(l);
        const Index out = layer.out_dim(), in = layer.in_dim();
        const bool tr = fused_grad_transposed<T>(out, in);
        layer.dW.resize(out, in);
        layer.db.resize(out);
        for (int t = 0; t < s.team; ++t) {
            const T* g = s.thread[std::size_t(t)].data() + off;
            if (tr) {
                const Eigen::Map<const Mat<T>> G(g, in, out);
                if (t == 0) layer.dW = G.transpose();
                else layer.dW += G.transpose();
            } else {
                const Eigen::Map<const Mat<T>> G(g, out, in);
                if (t == 0) layer.dW = G;
                else layer.dW += G;
            }
            const Eigen::Map<const Vec<T>> gb(g + out * in, out);
            if (t == 0) layer.db = gb;
            else layer.db += gb;
        }
        off += out * in + out;
    }
}

}  // namespace detail
}  // namespace posenc

// posenc/nn/mlp.hpp — a multilayer perceptron with hand-written backprop: forward fills a caller-owned
// Workspace (the pass's context), backward consumes it (docs/nn.md, "Forward and backward").
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "posenc/core/checks.hpp"
#include "posenc/core/error.hpp"
#include "posenc/core/gemm.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/random.hpp"
#include "posenc/core/types.hpp"
#include "posenc/nn/fused_mlp.hpp"
#include "posenc/nn/layers/activations.hpp"
#include "posenc/nn/layers/dense.hpp"
#include "posenc/core/param.hpp"
#include "posenc/nn/first_layer/dense_codes.hpp"

namespace posenc {

/// How an Mlp's weights are initialised: Auto = SIREN when the hidden activation is Sine, else PyTorch.
enum class MlpInit { Auto, PyTorch, Siren };

/// Shape of an Mlp: depth hidden layers of `width` units, then a linear layer to output_dim followed by
/// the output activation. depth = 0 is a single linear layer input_dim -> output_dim.
struct MlpConfig {
    Index input_dim = 0;                          ///< size of the network input (the encoding's output_dim)
    Index output_dim = 0;                         ///< number of outputs (channels)
    Index width = 256;                            ///< units per hidden layer
    Index depth = 4;                              ///< hidden layers; 0 = one linear layer input -> output
    ActivationSpec hidden{Activation::ReLU};      ///< activation after every hidden layer
    ActivationSpec output{Activation::Identity};  ///< activation after the last layer
    std::uint64_t seed = 0;                       ///< seed of the weight initialisation
    MlpInit init = MlpInit::Auto;                 ///< initialisation scheme
};

namespace detail {
/// Columns per chunk of posenc's elementwise loops: a fixed split (independent of the thread count).
inline constexpr Index kColChunk = 32;

/// P(:, n) += b, then A = f(P) (A == nullptr: in place), parallel over fixed column chunks.
template <class T>
void bias_activate(const ActivationSpec& s, Eigen::Map<Mat<T>> P, const Vec<T>& b, T* A) {
    const Index rows = P.rows(), cols = P.cols();
    const Index chunks = (cols + kColChunk - 1) / kColChunk;
    const bool par = rows * cols > (Index(1) << 15);
    (void)par;  // used only by the OpenMP pragma
    POSENC_OMP(parallel for schedule(static) if(par))
    for (Index c = 0; c < chunks; ++c) {
        const Index c0 = c * kColChunk, nc = std::min(kColChunk, cols - c0);
        auto blk = P.middleCols(c0, nc);
        blk.colwise() += b;
        activate<T>(s, blk.data(), A ? A + c0 * rows : blk.data(), rows * nc);
    }
}

/// dZ = dA * f'(Z, A) in place on dA (rows x cols, contiguous), parallel over fixed column chunks.
template <class T>
void activation_backward_inplace(const ActivationSpec& s, const T* Z, const T* A, T* dA, Index rows, Index cols) {
    if (s.kind == Activation::Identity) return;
    const Index chunks = (cols + kColChunk - 1) / kColChunk;
    const bool par = rows * cols > (Index(1) << 15);
    (void)par;  // used only by the OpenMP pragma
    POSENC_OMP(parallel for schedule(static) if(par))
    for (Index c = 0; c < chunks; ++c) {
        const Index off = c * kColChunk * rows, n = std::min(kColChunk, cols - c * kColChunk) * rows;
        activation_backward<T>(s, Z ? Z + off : nullptr, A + off, dA + off, dA + off, n);
    }
}
}  // namespace detail

/// Multilayer perceptron on batches of points as columns (input_dim x N -> output_dim x N).
///
/// Training, the context protocol (no state kept in the Mlp between the calls):
///   typename Mlp<T>::Workspace ws;                 // the caller's; reused between steps
///   const Mat<T>& Y = mlp.forward(ws, X);          // fills ws with every layer's activations
///   mlp.backward(ws, X, dY, &dX);                  // consumes ws: overwrites every dW, db (and dX)
/// The first layer is a strategy (nn/first_layer/dense_codes.hpp): forward(ws, in) / backward(ws, in, dY) take any
/// FirstLayerInput `in` (DenseCodes, SparseWindows, KronGrid), which computes W0 Psi and dW0 itself.
/// Deprecated convenience: forward(X) / backward(dY) keep one Workspace (and a copy of X) inside the Mlp.
/// Inference: predict(X) is const and keeps no state. Copying an Mlp invalidates earlier Params.
template <class T>
class Mlp {
public:
    using Scalar = T;  ///< the scalar type (float or double)

    /// Activations of one pass: pre-activations (only for layers whose activation needs them),
    /// outputs per layer (A.back() is the network output) and the backward scratch buffers.
    struct Workspace {
        std::vector<Mat<T>> Z;  ///< Z[l] = W_l A_{l-1} + b_l, kept when needs_preactivation
        std::vector<Mat<T>> A;  ///< A[l] = f_l(Z[l])
        Vec<T> g0;              ///< backward ping-pong storage (max layer size x N), first buffer
        Vec<T> g1;              ///< backward ping-pong storage, second buffer
        Index n = 0;            ///< batch size of the last pass
        detail::FusedScratch<T> fused;  ///< the fused kernel's scratch (nn/fused_mlp.hpp)
    };

    Mlp() = default;
    /// Builds and initialises the network; throws posenc::Error for a bad config (sizes <= 0, bad activation).
    explicit Mlp(const MlpConfig& cfg) : cfg_(cfg) {
        detail::require(cfg.input_dim > 0, "Mlp: input_dim must be > 0 (got ", cfg.input_dim, ")");
        detail::require(cfg.output_dim > 0, "Mlp: output_dim must be > 0 (got ", cfg.output_dim, ")");
        detail::require(cfg.depth >= 0, "Mlp: depth must be >= 0 (got ", cfg.depth, ")");
        detail::require(cfg.depth == 0 || cfg.width > 0, "Mlp: width must be > 0 (got ", cfg.width, ")");
        validate(cfg.hidden, "Mlp: hidden");
        validate(cfg.output, "Mlp: output");
        for (Index l = 0; l <= cfg.depth; ++l) {
            const Index in = l == 0 ? cfg.input_dim : cfg.width;
            const Index out = l == cfg.depth ? cfg.output_dim : cfg.width;
            layers_.emplace_back(in, out);
        }
        init(cfg.seed);
    }

    /// Re-initialises every layer from `seed` (layer 0 first, W then b) with the config's scheme.
    void init(std::uint64_t seed) {
        cfg_.seed = seed;
        Rng rng(seed);
        const bool siren = cfg_.init == MlpInit::Siren ||
                           (cfg_.init == MlpInit::Auto && cfg_.hidden.kind == Activation::Sine);
        const double omega = cfg_.hidden.kind == Activation::Sine ? cfg_.hidden.value() : 30.0;
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            if (siren) layers_[l].init_siren(rng, omega, l == 0);
            else layers_[l].init_pytorch(rng);
        }
    }

    const MlpConfig& config() const { return cfg_; }                  ///< the config it was built with
    Index input_dim() const { return cfg_.input_dim; }                ///< rows of X
    Index output_dim() const { return cfg_.output_dim; }              ///< rows of the output
    Index num_layers() const { return Index(layers_.size()); }        ///< depth + 1
    Dense<T>& layer(Index l) { return layers_.at(std::size_t(l)); }   ///< layer l (0 = first)
    const Dense<T>& layer(Index l) const { return layers_.at(std::size_t(l)); }  ///< layer l
    /// Activation applied after layer l (hidden for l < depth, output for the last).
    const ActivationSpec& activation(Index l) const { return l + 1 == num_layers() ? cfg_.output : cfg_.hidden; }

    /// Chooses the kernel of the forward and backward passes (nn/fused_mlp.hpp); both give the same
    /// results to rounding. Not part of the model: a copy keeps it, model files do not store it.
    void set_kernel(MlpKernel k) { kernel_ = k; }
    /// The kernel asked for (Auto unless set_kernel was called).
    MlpKernel kernel() const { return kernel_; }
    /// True when the passes run the fused kernel: Fused, or Auto with no layer wider than
    /// detail::kFusedMaxWidth (inputs and outputs).
    bool uses_fused() const {
        if (kernel_ == MlpKernel::Eigen) return false;
        if (kernel_ == MlpKernel::Fused) return true;
        for (const auto& L : layers_)
            if (L.in_dim() > detail::kFusedMaxWidth || L.out_dim() > detail::kFusedMaxWidth) return false;
        return true;
    }

    /// Views of all weights and biases with their gradients: "layer<l>.weight", "layer<l>.bias".
    std::vector<Param<T>> parameters() {
        std::vector<Param<T>> ps;
        for (std::size_t l = 0; l < layers_.size(); ++l)
            for (auto& p : layers_[l].parameters("layer" + std::to_string(l) + ".")) ps.push_back(std::move(p));
        return ps;
    }
    /// Total number of trainable scalars.
    Index parameter_count() const {
        Index n = 0;
        for (const auto& L : layers_) n += L.W.size() + L.b.size();
        return n;
    }

    // ---- training path: the context protocol ---------------------------------------------------
    /// Forward pass on X (input_dim x N) into the caller's workspace `ws` (resized as needed); returns
    /// the output (output_dim x N, inside ws). Pass the same X and ws to backward.
    const Mat<T>& forward(Workspace& ws, ConstMatRef<T> X) const {
        check_input(X);
        return forward(ws, DenseCodes<T>(X));
    }
    /// Forward pass with a first-layer strategy `in` (nn/first_layer/dense_codes.hpp): in.product computes W0 Psi.
    template <class S>
        requires FirstLayerInput<S, T>
    const Mat<T>& forward(Workspace& ws, const S& in) const {
        detail::require(!layers_.empty(), "Mlp: the network is empty (default-constructed)");
        if (in.dim() != input_dim())
            detail::fail("Mlp: input X must have input_dim = ", input_dim(), " rows (got ", in.dim(), ")");
        auto P0 = first_product(ws, in.cols());
        if (uses_fused()) {
            if constexpr (std::is_same_v<S, DenseCodes<T>>) {
                if (contiguous(in.codes())) {  // the first product inside the fused pass too
                    detail::fused_forward(*this, ws, in.codes().data(), in.dim());
                    return ws.A.back();
                }
            }
        }
        in.product(layers_.front().W, P0);
        return run_from_first_product(ws);
    }
    /// Back-propagates dY = dL/dY (output_dim x N) through the pass that filled `ws` on input X:
    /// overwrites every layer's dW, db; if dX is given, sets *dX = dL/dX (input_dim x N). `ws` keeps
    /// the forward activations' buffers (its backward scratch is overwritten).
    void backward(Workspace& ws, ConstMatRef<T> X, ConstMatRef<T> dY, Mat<T>* dX = nullptr) {
        check_input(X);
        detail::require(X.cols() == ws.n, "Mlp::backward: X must have the forward batch's ", ws.n,
                                              " columns (got ", X.cols(), ")");
        backward(ws, DenseCodes<T>(X), dY, dX);
    }
    /// Back-propagates dY through the pass that filled `ws` with the first-layer strategy `in` (the
    /// same input): overwrites every layer's dW, db (layer 0's by in.weight_grad). Returns
    /// dZ0 = dL/dZ0 (width0 x N, a view into ws). With `dinput`, also sets *dinput = W0^T dZ0
    /// (dim() x N, resized): the gradient of the codes, for an encoder with parameters.
    template <class S>
        requires FirstLayerInput<S, T>
    Eigen::Map<const Mat<T>> backward(Workspace& ws, const S& in, ConstMatRef<T> dY, Mat<T>* dinput = nullptr) {
        detail::require(in.cols() == ws.n, "Mlp::backward: the input must have the forward batch's ", ws.n,
                        " columns (got ", in.cols(), ")");
        Dense<T>& L0 = layers_.front();
        if (dinput) dinput->resize(input_dim(), ws.n);
        if (uses_fused()) {
            if constexpr (std::is_same_v<S, DenseCodes<T>>) {
                if (contiguous(in.codes())) {  // dW0, db0 and W0^T dZ0 inside the fused pass too
                    check_backward(ws, dY);
                    T* dZ0 = fused_dz0(ws);
                    detail::fused_backward(*this, ws, dY, true, dZ0, in.codes().data(), in.dim(),
                                           dinput ? dinput->data() : static_cast<T*>(nullptr));
                    return Eigen::Map<const Mat<T>>(dZ0, L0.out_dim(), ws.n);
                }
            }
        }
        auto dZ0 = backward_to_first(ws, dY, true);
        in.weight_grad(dZ0, L0.dW, L0.db);
        if (dinput) detail::gemm_columns<T>(detail::Op::T, L0.W, dZ0, *dinput);
        return dZ0;
    }
    /// Back-propagates dY through every layer of the pass in `ws` but stops at layer 0's
    /// pre-activation: returns dZ0 = dL/dZ0 (width0 x N, a view into ws). With param_grads, overwrites
    /// dW, db of layers 1..depth (layer 0's are left to the caller's strategy); without, leaves all
    /// gradients untouched (pure input-gradient pass).
    Eigen::Map<const Mat<T>> backward_to_first(Workspace& ws, ConstMatRef<T> dY, bool param_grads) {
        check_backward(ws, dY);
        if (uses_fused()) {
            T* dZ0 = fused_dz0(ws);
            detail::fused_backward(*this, ws, dY, param_grads, dZ0, static_cast<const T*>(nullptr), Index(0),
                                   static_cast<T*>(nullptr));
            return Eigen::Map<const Mat<T>>(dZ0, layers_.front().out_dim(), ws.n);
        }
        const Index N = ws.n, L = num_layers();
        Index maxr = 0;
        for (const auto& l : layers_) maxr = std::max(maxr, l.out_dim());
        if (ws.g0.size() < maxr * N) ws.g0.resize(maxr * N);
        if (ws.g1.size() < maxr * N) ws.g1.resize(maxr * N);
        T* cur = ws.g0.data();
        T* nxt = ws.g1.data();
        Eigen::Map<Mat<T>>(cur, output_dim(), N) = dY;
        for (Index l = L - 1; l >= 0; --l) {
            const Index rows = layers_[std::size_t(l)].out_dim();
            const bool keepz = needs_preactivation(activation(l).kind);
            detail::activation_backward_inplace<T>(activation(l), keepz ? ws.Z[std::size_t(l)].data() : nullptr,
                                                   ws.A[std::size_t(l)].data(), cur, rows, N);
            Eigen::Map<Mat<T>> dZ(cur, rows, N);
            if (l == 0) break;
            Dense<T>& D = layers_[std::size_t(l)];
            const Mat<T>& Aprev = ws.A[std::size_t(l - 1)];
            if (param_grads) {
                detail::gemm_nt_columns<T>(dZ, Aprev, D.dW);
                detail::row_sums<T>(dZ, D.db);
            }
            Eigen::Map<Mat<T>> dA(nxt, D.in_dim(), N);
            detail::gemm_columns<T>(detail::Op::T, D.W, dZ, dA);
            std::swap(cur, nxt);
        }
        return Eigen::Map<const Mat<T>>(cur, layers_.front().out_dim(), N);
    }

    // ---- deprecated convenience forms with the Mlp's own workspace (hidden state between the two
    // calls; deprecated 2026-12-02, docs/migration.md) ------------------------------------------------
    /// Deprecated: forward(ws, X) with a caller-owned Workspace. Forward pass on X (input_dim x N) in
    /// the Mlp's own workspace; keeps a copy of X for backward(dY).
    [[deprecated("use forward(workspace, X) (docs/migration.md)")]] const Mat<T>& forward(ConstMatRef<T> X) {
        check_input(X);
        input_ = X;
        has_input_ = true;
        return forward(ws_, DenseCodes<T>(input_));
    }
    /// Deprecated: the output returned by forward(ws, X). The output of the last forward(X).
    [[deprecated("use the output forward(workspace, X) returns (docs/migration.md)")]] const Mat<T>& output() const {
        return ws_.A.back();
    }
    /// Deprecated: backward(ws, X, dY, dX). Back-propagates dY = dL/dY (output_dim x N) through the
    /// last forward(X): overwrites every layer's dW, db; if dX is given, sets *dX = dL/dX (input_dim x N).
    [[deprecated("use backward(workspace, X, dY, dX) (docs/migration.md)")]] void backward(ConstMatRef<T> dY,
                                                                                         Mat<T>* dX = nullptr) {
        detail::require(has_input_, "Mlp::backward: needs a preceding forward(X) (after forward_ref use backward_with_input)");
        backward(ws_, input_, dY, dX);
    }

    // ---- deprecated member-state hooks (before 2026-12-02; docs/migration.md) ---------------------
    /// Deprecated: forward(ws, X) with a caller-owned Workspace.
    [[deprecated("use forward(workspace, X) (docs/migration.md)")]] const Mat<T>& forward_ref(ConstMatRef<T> X) {
        check_input(X);
        has_input_ = false;
        return forward(ws_, DenseCodes<T>(X));
    }
    /// Deprecated: backward(ws, X, dY, dX) with the workspace of forward(ws, X).
    [[deprecated("use backward(workspace, X, dY, dX) (docs/migration.md)")]] void backward_with_input(
        ConstMatRef<T> X, ConstMatRef<T> dY, Mat<T>* dX = nullptr) {
        backward(ws_, X, dY, dX);
    }
    /// Deprecated: a FirstLayerInput strategy (nn/first_layer/dense_codes.hpp) and forward(ws, in).
    [[deprecated("use forward(workspace, first_layer_input) (docs/migration.md)")]] Eigen::Map<Mat<T>> first_product(
        Index n) {
        return first_product(ws_, n);
    }
    /// Deprecated: see first_product(n).
    [[deprecated("use forward(workspace, first_layer_input) (docs/migration.md)")]] const Mat<T>&
    forward_from_first_product() {
        has_input_ = false;
        return run_from_first_product(ws_);
    }
    /// Deprecated: backward_to_first(ws, dY, param_grads) or backward(ws, in, dY).
    [[deprecated("use backward_to_first(workspace, dY, param_grads) (docs/migration.md)")]] Eigen::Map<const Mat<T>>
    backward_to_first(ConstMatRef<T> dY, bool param_grads = true) {
        return backward_to_first(ws_, dY, param_grads);
    }

    // ---- inference ------------------------------------------------------------------------------
    /// Output for X (input_dim x N) in chunks of `chunk` columns; const, keeps no state.
    Mat<T> predict(ConstMatRef<T> X, Index chunk = 8192) const {
        check_input(X);
        detail::require(chunk > 0, "Mlp::predict: chunk must be > 0");
        Mat<T> Y(output_dim(), X.cols());
        Workspace ws;
        for (Index c0 = 0; c0 < X.cols(); c0 += chunk) {
            const Index nc = std::min(chunk, X.cols() - c0);
            Y.middleCols(c0, nc) = forward(ws, DenseCodes<T>(X.middleCols(c0, nc)));
        }
        return Y;
    }
    /// Const form of the first-layer hook for an external workspace (used by Model::predict).
    Eigen::Map<Mat<T>> first_product(Workspace& ws, Index n) const {
        detail::require(n > 0, "Mlp: batch must have at least one column");
        const std::size_t L = layers_.size();
        ws.Z.resize(L);
        ws.A.resize(L);
        ws.n = n;
        for (std::size_t l = 0; l < L; ++l) {
            const Index r = layers_[l].out_dim();
            if (needs_preactivation(activation(Index(l)).kind)) ws.Z[l].resize(r, n);
            else ws.Z[l].resize(0, 0);
            ws.A[l].resize(r, n);
        }
        Mat<T>& P = pre_buffer(ws, 0);
        return Eigen::Map<Mat<T>>(P.data(), P.rows(), P.cols());
    }
    /// Runs layers from the filled first product to the output, in the given workspace.
    const Mat<T>& run_from_first_product(Workspace& ws) const {
        if (uses_fused()) {
            detail::fused_forward(*this, ws, static_cast<const T*>(nullptr), Index(0));
            return ws.A.back();
        }
        const Index L = num_layers();
        for (Index l = 0; l < L; ++l) {
            const std::size_t u = std::size_t(l);
            Mat<T>& P = pre_buffer(ws, l);
            if (l > 0) detail::gemm_columns<T>(detail::Op::N, layers_[u].W, ws.A[u - 1], P);
            const bool inplace = &P == &ws.A[u];
            detail::bias_activate<T>(activation(l), Eigen::Map<Mat<T>>(P.data(), P.rows(), P.cols()), layers_[u].b,
                                     inplace ? nullptr : ws.A[u].data());
        }
        return ws.A.back();
    }

private:
    static bool contiguous(const ConstMatRef<T>& M) { return M.outerStride() == M.rows() || M.cols() <= 1; }
    void check_backward(const Workspace& ws, ConstMatRef<T> dY) const {
        detail::require(ws.n > 0 && Index(ws.A.size()) == num_layers(), "Mlp::backward: needs a preceding forward");
        detail::check_shape(dY, output_dim(), ws.n, "Mlp::backward", "dY");
    }
    /// The fused backward's dZ0 storage (ws.g0, width0 x N).
    T* fused_dz0(Workspace& ws) const {
        const Index need = layers_.front().out_dim() * ws.n;
        if (ws.g0.size() < need) ws.g0.resize(need);
        return ws.g0.data();
    }
    Mat<T>& pre_buffer(Workspace& ws, Index l) const {
        const std::size_t u = std::size_t(l);
        return needs_preactivation(activation(l).kind) ? ws.Z[u] : ws.A[u];
    }
    void check_input(ConstMatRef<T> X) const {
        detail::require(!layers_.empty(), "Mlp: the network is empty (default-constructed)");
        if (X.rows() != input_dim())
            detail::fail("Mlp: input X must have input_dim = ", input_dim(), " rows (got ",
                        X.rows(), ")");
        detail::require(X.cols() > 0, "Mlp: input X must have at least one column");
    }

    MlpConfig cfg_{};
    MlpKernel kernel_ = MlpKernel::Auto;
    std::vector<Dense<T>> layers_;
    Workspace ws_;   // only the deprecated forms (forward(X) / backward(dY), the member-state hooks) use it
    Mat<T> input_;
    bool has_input_ = false;
};

}  // namespace posenc

// posenc/nn/model.hpp — an encoder followed by an Mlp, with the fused sparse first layer.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "posenc/core/checks.hpp"
#include "posenc/core/error.hpp"
#include "posenc/core/gemm.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/any_encoder.hpp"
#include "posenc/encoding/windows.hpp"
#include "posenc/nn/mlp.hpp"
#include "posenc/core/param.hpp"
#include "posenc/nn/first_layer/sparse_windows.hpp"

namespace posenc {

/// How a Model computes its first layer W0 Psi(X) + b0.
///  * Dense: encode Psi (D x N) and multiply (GEMM).
///  * Sparse: the fused path (nn/first_layer/sparse_windows.hpp) on the encoder's windows; needs
///    encoder.window_width() > 0.
///  * Auto: Sparse when the encoder has windows and K / D <= kSparseAutoDensity, else Dense.
enum class FirstLayerPath { Auto, Dense, Sparse };

/// Window density K / D up to which FirstLayerPath::Auto takes the fused sparse path, for every
/// first-layer width. Chosen from measurements of the fused and the dense path (forward + backward,
/// float, wide and one-row first layers): docs/nn.md, "How `Auto` chooses".
inline constexpr double kSparseAutoDensity = 0.2;

/// Deprecated: the one-row limit is now kSparseAutoDensity (they were equal); removed in the next release.
[[deprecated("use posenc::kSparseAutoDensity")]] inline constexpr double kSparseAutoDensityNarrow = kSparseAutoDensity;

/// An encoded batch: either the dense embedding (D x N) or its windows (K x N), as chosen by
/// Model::prepare. Encode once, reuse for every step (and take mini-batches with Model::subset).
/// For an encoder with parameters the codes change at every step, so the batch keeps the
/// coordinates instead (`raw`) and Model::forward encodes them with the current parameters.
template <class T>
struct EncodedBatch {
    bool sparse = false;  ///< true: `windows` holds the batch; false: `dense` does (raw: the path used)
    Mat<T> dense;         ///< D x N embedding (dense path)
    Windows<T> windows;   ///< K x N windows (sparse path)
    bool raw = false;     ///< true: `points` holds the batch (an encoder with parameters)
    Mat<T> points;        ///< input_dim x N coordinates (raw batches)
    /// Layout of `windows` found by prepare()/subset() (sparse path; see WindowRuns): lets every step
    /// skip re-scanning the windows. Empty for a hand-made batch (then each step scans). After editing
    /// `windows`, refresh it: `batch.runs = make_window_runs(batch.windows)`.
    WindowRuns runs;
    /// Number of points N.
    Index cols() const { return raw ? points.cols() : sparse ? windows.cols() : dense.cols(); }
};

/// A coordinate network: x (input_dim x N) -> Psi(x) (D x N) -> Mlp -> output_dim x N.
/// The Mlp's input_dim is set from the encoder. Training goes through prepare, then per step
/// forward(ctx, batch) / backward(ctx, dY) with a caller-owned Context (backward overwrites the
/// parameter gradients); the first layer is a strategy (nn/first_layer/dense_codes.hpp) chosen by FirstLayerPath.
/// predict and input_gradient take raw coordinates and keep no state.
template <class T>
class Model {
public:
    using Scalar = T;  ///< the scalar type (float or double)

    Model() = default;
    /// Builds the network for `encoder` (cfg.input_dim is replaced by encoder.output_dim()).
    /// Throws posenc::Error for an empty encoder, a bad config, or path == Sparse without windows.
    Model(AnyEncoder<T> encoder, MlpConfig cfg, FirstLayerPath path = FirstLayerPath::Auto)
        : encoder_(std::move(encoder)), path_(path) {
        detail::require(!encoder_.empty(), "Model: encoder must not be empty");
        cfg.input_dim = encoder_.output_dim();
        mlp_ = Mlp<T>(cfg);
        set_path(path);
    }

    /// The first-layer policy.
    FirstLayerPath path() const { return path_; }
    /// Changes the first-layer policy (affects later prepare/predict calls); Sparse needs windows.
    void set_path(FirstLayerPath p) {
        if (p == FirstLayerPath::Sparse)
            detail::require(encoder_.window_width() > 0,
                            "Model: path Sparse needs an encoder with compact-support windows (window_width() > 0), got ",
                                encoder_.name());
        path_ = p;
    }
    /// True when prepare() / predict() use the fused sparse first layer under the current policy.
    bool uses_sparse() const {
        const Index K = encoder_.window_width(), D = encoder_.output_dim();
        if (path_ == FirstLayerPath::Sparse) return true;
        if (path_ == FirstLayerPath::Dense || K <= 0) return false;
        const double limit = kSparseAutoDensity;
        return double(K) <= limit * double(D);
    }

    Index input_dim() const { return encoder_.input_dim(); }    ///< coordinate dimension
    Index output_dim() const { return mlp_.output_dim(); }      ///< channels
    Mlp<T>& mlp() { return mlp_; }                              ///< the network after the encoder
    const Mlp<T>& mlp() const { return mlp_; }                  ///< the network after the encoder
    const AnyEncoder<T>& encoder() const { return encoder_; }   ///< the encoder
    /// All trainable tensors with their gradients: the Mlp's ("layer<l>.weight", "layer<l>.bias", see
    /// Mlp::parameters), then the encoder's, if it has any, as "encoder.<name>" (ParametricEncoder).
    std::vector<Param<T>> parameters() {
        std::vector<Param<T>> ps = mlp_.parameters();
        if (encoder_.has_parameters())
            for (auto& p : encoder_.parameters()) {
                p.name = "encoder." + p.name;
                ps.push_back(std::move(p));
            }
        return ps;
    }

    /// Encodes X (input_dim x N) once: windows when uses_sparse(), else the dense embedding.
    EncodedBatch<T> prepare(ConstMatRef<T> X) const {
        EncodedBatch<T> b;
        b.sparse = uses_sparse();
        if (encoder_.has_parameters()) {  // codes depend on the parameters: keep the coordinates
            detail::check_points<T>(X, input_dim(), "Model::prepare");
            b.raw = true;
            b.points = X;
        } else if (b.sparse) {
            encoder_.windows(X, b.windows);
            b.runs = make_window_runs(b.windows);
        } else {
            b.dense.resize(encoder_.output_dim(), X.cols());
            encoder_.encode(X, b.dense);
        }
        return b;
    }

    /// The columns `cols` of an encoded batch (a mini-batch), in that order; throws for an index out of range.
    EncodedBatch<T> subset(const EncodedBatch<T>& batch, const std::vector<Index>& cols) const {
        const Index N = batch.cols();
        for (Index c : cols)
            if (c < 0 || c >= N)
                detail::fail("Model::subset: column ", c, " is out of range [0, ", N, ")");
        EncodedBatch<T> s;
        s.sparse = batch.sparse;
        s.raw = batch.raw;
        if (batch.raw) {
            s.points = batch.points(Eigen::all, cols);
        } else if (batch.sparse) {
            s.windows.width = batch.windows.width;
            s.windows.index = batch.windows.index(Eigen::all, cols);
            s.windows.weight = batch.windows.weight(Eigen::all, cols);
            s.runs = make_window_runs(s.windows);
        } else {
            s.dense = batch.dense(Eigen::all, cols);
        }
        return s;
    }

    /// The context of one training pass, owned by the caller (docs/nn.md, "Forward and backward"):
    /// forward(ctx, batch) fills it, backward(ctx, dY) consumes it. It refers to the batch of the pass
    /// (keep the batch alive and unchanged until backward) and holds the network's activations; reuse
    /// one Context between steps to keep its buffers.
    struct Context {
        typename Mlp<T>::Workspace mlp;          ///< the network's activations and backward scratch
        const EncodedBatch<T>* batch = nullptr;  ///< the batch of the last forward (read by backward)
        const WindowRuns* plan = nullptr;        ///< sparse path: the plan its validation chose (or null)
        Mat<T> codes;                            ///< raw batches, dense path: the codes of this pass
        Windows<T> windows;                      ///< raw batches, sparse path: the windows of this pass
        Mat<T> dcodes;                           ///< raw batches: dL/dcodes = W0^T dZ0 (backward)
    };

    /// Forward pass on an encoded batch into `ctx`; returns output_dim x N (inside ctx). The batch's
    /// windows are validated here (sparse path: O(N) with a WindowRuns plan and a one-row first layer,
    /// else O(KN)); backward(ctx, dY) trusts them.
    const Mat<T>& forward(Context& ctx, const EncodedBatch<T>& batch) const {
        check_batch(batch);
        ctx.batch = nullptr;
        if (batch.raw) {  // an encoder with parameters: encode with the current values
            ctx.plan = nullptr;
            if (batch.sparse) {
                encoder_.windows(batch.points, ctx.windows);
                const SparseWindows<T> first(ctx.windows, nullptr, mlp_.layer(0).in_dim(), mlp_.layer(0).out_dim(),
                                             "Model::forward");
                const Mat<T>& out = mlp_.forward(ctx.mlp, first);
                ctx.batch = &batch;
                return out;
            }
            ctx.codes.resize(encoder_.output_dim(), batch.cols());
            encoder_.encode(batch.points, ctx.codes);
            const Mat<T>& out = mlp_.forward(ctx.mlp, DenseCodes<T>(ctx.codes));
            ctx.batch = &batch;
            return out;
        }
        if (!batch.sparse) {
            ctx.plan = nullptr;
            const Mat<T>& out = mlp_.forward(ctx.mlp, DenseCodes<T>(batch.dense));
            ctx.batch = &batch;
            return out;
        }
        const SparseWindows<T> first(batch.windows, &batch.runs, mlp_.layer(0).in_dim(), mlp_.layer(0).out_dim(),
                                     "Model::forward");
        ctx.plan = first.plan();
        const Mat<T>& out = mlp_.forward(ctx.mlp, first);
        ctx.batch = &batch;
        return out;
    }

    /// Back-propagates dY (output_dim x N) through the pass in `ctx` (on its batch): overwrites every
    /// parameter gradient.
    void backward(Context& ctx, ConstMatRef<T> dY) {
        detail::require(ctx.batch != nullptr, "Model::backward: needs a preceding forward(context, batch)");
        const EncodedBatch<T>& batch = *ctx.batch;
        if (batch.raw) {
            const Index D = mlp_.layer(0).in_dim();
            Mat<T>* dcodes = encoder_.has_parameters() ? &ctx.dcodes : nullptr;  // dC = W0^T dZ0
            if (batch.sparse) mlp_.backward(ctx.mlp, SparseWindows<T>(ctx.windows, nullptr, D), dY, dcodes);
            else mlp_.backward(ctx.mlp, DenseCodes<T>(ctx.codes), dY, dcodes);
            encoder_backward(batch.points, ctx.dcodes);
            return;
        }
        if (!batch.sparse) {
            mlp_.backward(ctx.mlp, DenseCodes<T>(batch.dense), dY);
            return;
        }
        mlp_.backward(ctx.mlp, SparseWindows<T>(batch.windows, ctx.plan, mlp_.layer(0).in_dim()), dY);
    }

    /// Deprecated (member-state form): forward(ctx, batch) with a caller-owned Context. Runs in the
    /// Model's own context; returns output_dim x N.
    [[deprecated("use forward(context, batch) (docs/migration.md)")]] const Mat<T>& forward(const EncodedBatch<T>& batch) {
        return forward(ctx_, batch);
    }

    /// Deprecated (member-state form): backward(ctx, dY). Back-propagates dY for the last
    /// forward(batch) (pass the same batch): overwrites every parameter gradient. The batch's windows
    /// are validated again.
    [[deprecated("use backward(context, dY) (docs/migration.md)")]] void backward(const EncodedBatch<T>& batch,
                                                                               ConstMatRef<T> dY) {
        check_batch(batch);
        if (batch.raw) {  // the context refers to the forward's batch: this one must have its size
            detail::require(ctx_.batch != nullptr && ctx_.batch->cols() == batch.cols(),
                            "Model::backward: batch must be the one of the last forward");
            ctx_.batch = &batch;
            backward(ctx_, dY);
            return;
        }
        if (!batch.sparse) {
            mlp_.backward(ctx_.mlp, batch.dense, dY);
            return;
        }
        detail::require(ctx_.mlp.n > 0 && !ctx_.mlp.A.empty(), "Mlp::backward: needs a preceding forward");
        detail::require(batch.cols() == ctx_.mlp.A.back().cols(),
                        "Model::backward: batch must be the one of the last forward (",
                            ctx_.mlp.A.back().cols(), " columns, got ", batch.cols(), ")");
        const SparseWindows<T> first(batch.windows, &batch.runs, mlp_.layer(0).in_dim(), mlp_.layer(0).out_dim(),
                                     "Model::backward");
        mlp_.backward(ctx_.mlp, first, dY);
    }

    /// Output for coordinates X (input_dim x N), encoded and evaluated in chunks of `chunk` points;
    /// const, keeps no state (safe to call while training state is cached).
    Mat<T> predict(ConstMatRef<T> X, Index chunk = 4096) const {
        detail::require(chunk > 0, "Model::predict: chunk must be > 0 (got ", chunk, ")");
        detail::check_points<T>(X, input_dim(), "Model::predict");
        Mat<T> Y(output_dim(), X.cols());
        typename Mlp<T>::Workspace ws;
        const bool sparse = uses_sparse();
        Windows<T> win;
        Mat<T> psi;
        for (Index c0 = 0; c0 < X.cols(); c0 += chunk) {
            const Index nc = std::min(chunk, X.cols() - c0);
            if (sparse) {
                encoder_.windows(X.middleCols(c0, nc), win);
                Y.middleCols(c0, nc) = mlp_.forward(
                    ws, SparseWindows<T>(win, nullptr, mlp_.layer(0).in_dim(), mlp_.layer(0).out_dim(), "sparse_product"));
            } else {
                psi.resize(encoder_.output_dim(), nc);
                encoder_.encode(X.middleCols(c0, nc), psi);
                Y.middleCols(c0, nc) = mlp_.forward(ws, DenseCodes<T>(psi));
            }
        }
        return Y;
    }

    /// d/dx of sum(dY .* f(X)): the gradient of the output, contracted with dY (output_dim x N), with
    /// respect to the coordinates X (input_dim x N), through the Mlp and the encoder's input Jacobian
    /// (encoder.backward). Leaves the parameter gradients untouched and keeps no state (it runs in its
    /// own Context). Works in chunks of `chunk` points.
    Mat<T> input_gradient(ConstMatRef<T> X, ConstMatRef<T> dY, Index chunk = 4096) {
        detail::require(chunk > 0, "Model::input_gradient: chunk must be > 0 (got ", chunk, ")");
        detail::check_points<T>(X, input_dim(), "Model::input_gradient");
        detail::check_shape(dY, output_dim(), X.cols(), "Model::input_gradient", "dY");
        Mat<T> dX(input_dim(), X.cols()), dpsi;
        Context ctx;
        for (Index c0 = 0; c0 < X.cols(); c0 += chunk) {
            const Index nc = std::min(chunk, X.cols() - c0);
            const auto Xc = X.middleCols(c0, nc);
            const EncodedBatch<T> batch = prepare(Xc);
            forward(ctx, batch);
            const auto dZ0 = mlp_.backward_to_first(ctx.mlp, dY.middleCols(c0, nc), false);
            dpsi.resize(encoder_.output_dim(), nc);
            detail::gemm<T>(detail::Op::T, detail::Op::N, mlp_.layer(0).W, dZ0, dpsi);
            encoder_.backward(Xc, dpsi, dX.middleCols(c0, nc));
        }
        return dX;
    }

private:
    /// Encoder parameter gradients from the code gradient dC = W0^T dZ0 (Mlp::backward computed it):
    /// zeroed, then dC handed to the encoder (nothing for a fixed encoder).
    void encoder_backward(ConstMatRef<T> points, const Mat<T>& dcodes) {
        if (!encoder_.has_parameters()) return;
        if (enc_params_.v.empty()) enc_params_.v = encoder_.parameters();  // once: no allocation per step
        for (const auto& p : enc_params_.v) p.grads().setZero();
        encoder_.accumulate_param_grads(points, dcodes);
    }

    void check_batch(const EncodedBatch<T>& b) const {
        detail::require(b.cols() > 0, "Model: encoded batch must contain at least one point");
        if (b.raw) {
            detail::check_points<T>(b.points, input_dim(), "Model: raw batch");
            detail::require(encoder_.has_parameters(),
                            "Model: a raw batch (coordinates) is for an encoder with parameters; use prepare()");
            if (b.sparse)
                detail::require(encoder_.window_width() > 0, "Model: sparse batch for an encoder without windows");
            return;
        }
        if (encoder_.has_parameters())
            detail::fail("Model: the encoder has trainable parameters, so a batch must keep its coordinates (raw): "
                         "make it with prepare()");
        if (b.sparse) {
            detail::require(encoder_.window_width() > 0, "Model: sparse batch for an encoder without windows");
            detail::require(b.windows.weight.cols() == b.windows.index.cols() &&
                                b.windows.weight.rows() == b.windows.index.rows(),
                            "Model: batch windows index and weight must have the same shape");
        } else if (b.dense.rows() != encoder_.output_dim()) {
            detail::fail("Model: dense batch must have the encoder's output_dim = ",
                        encoder_.output_dim(), " rows (got ", b.dense.rows(), ")");
        }
    }

    AnyEncoder<T> encoder_;
    Mlp<T> mlp_;
    FirstLayerPath path_ = FirstLayerPath::Auto;
    Context ctx_;  ///< used only by the deprecated member-state forward(batch) / backward(batch, dY)
    /// The encoder's parameter views, listed once for encoder_backward(); a copied or moved-into Model
    /// starts with an empty list (its encoder owns other buffers) and lists them again.
    struct ParamCache {
        std::vector<Param<T>> v;
        ParamCache() = default;
        ParamCache(const ParamCache&) {}
        ParamCache(ParamCache&&) noexcept {}
        ParamCache& operator=(const ParamCache&) {
            v.clear();
            return *this;
        }
        ParamCache& operator=(ParamCache&&) noexcept {
            v.clear();
            return *this;
        }
    };
    ParamCache enc_params_;
};

}  // namespace posenc

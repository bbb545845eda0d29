// posenc/nn/chunked.hpp — one step's gradient computed chunk by chunk (gradient accumulation), so
// that only one chunk's activations are alive at a time.
//
// A full-batch step over N points keeps every layer's activations for N points (protocol C of
// docs/protocols.md at S = 512: 4 x 64 MiB). Cutting the batch into chunks of n points, running
// forward + loss + backward per chunk and summing the gradients (chunk c weighted by n_c / N, because
// the loss is a mean) gives the same gradient up to float summation order with activations for n
// points only.
//
//   auto chunks = make_chunks(model, model.prepare(X), Y, all_columns, 8192);
//   for (...) { chunked_gradient(model, chunks, Loss::Mse, params); adam.step(params); }
//
// train() does this when TrainOptions::chunk_size > 0.
#pragma once
#include <algorithm>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/nn/loss.hpp"
#include "posenc/core/param.hpp"

namespace posenc {

namespace detail {
template <class M, bool HasContext>
struct ContextOf {
    using type = int;
};
template <class M>
struct ContextOf<M, true> {
    using type = typename M::Context;
};
}  // namespace detail

/// A model with the context protocol (posenc::Model): forward(ctx, batch) fills a caller-owned
/// `typename M::Context`, backward(ctx, dY) consumes it. Models with only the member-state
/// forward(batch) / backward(batch, dY) (a user's TrainableModel) are still trained through those.
template <class M, class B>
concept ContextModel = requires(M& m, const B& b, typename M::Context& ctx, ConstMatRef<typename M::Scalar> dY) {
    m.forward(ctx, b);
    m.backward(ctx, dY);
};

/// A batch cut into consecutive chunks: encoded sub-batches (model.subset) and their targets.
template <class B, class T>
struct Chunks {
    std::vector<B> parts;    ///< encoded chunks, in order
    std::vector<Mat<T>> Y;   ///< targets of each chunk (channels x chunk points)
    Index points = 0;        ///< total points over all chunks
};

/// Cuts the columns `cols` of an encoded `batch` (via model.subset) and of the targets Y (channels x
/// N) into consecutive chunks of at most `chunk` points. Throws posenc::Error for chunk <= 0, no
/// columns, or a column outside Y.
template <class M, class B, class T>
Chunks<B, T> make_chunks(const M& model, const B& batch, const ConstMatRef<T>& Y, const std::vector<Index>& cols,
                         Index chunk) {
    detail::require(chunk > 0, "make_chunks: chunk must be > 0 (got ", chunk, ")");
    detail::require(!cols.empty(), "make_chunks: no columns");
    for (Index c : cols)
        if (c < 0 || c >= Y.cols())
            detail::fail("make_chunks: column ", c, " is outside the targets' ",
                        Y.cols(), " columns");
    Chunks<B, T> out;
    for (std::size_t c0 = 0; c0 < cols.size(); c0 += std::size_t(chunk)) {
        const std::size_t c1 = std::min(cols.size(), c0 + std::size_t(chunk));
        const std::vector<Index> part(cols.begin() + std::ptrdiff_t(c0), cols.begin() + std::ptrdiff_t(c1));
        out.parts.push_back(model.subset(batch, part));
        out.Y.emplace_back(Y(Eigen::all, part));
    }
    out.points = Index(cols.size());
    return out;
}

/// Forward, loss and backward over every chunk; leaves in the parameters' gradients the gradient of
/// the loss over the whole chunked batch (the mean over all its entries, like one pass over it), and
/// returns {loss, MSE} of that batch (the MSE equals the loss for Loss::Mse). `params` must be
/// model.parameters(). `ctx` is the model's Context (ContextModel; any int for a member-state model),
/// reused by the caller between steps. This is train()'s one gradient path: a full batch is one chunk, a mini-batch
/// is one chunk or several. Throws posenc::Error when a chunk's output is not the shape of its targets.
template <class M, class B, class T>
std::pair<double, double> chunked_gradient(M& model, const Chunks<B, T>& chunks, Loss loss,
                                           std::vector<Param<T>>& params,
                                           typename detail::ContextOf<M, ContextModel<M, B>>::type& ctx) {
    detail::require(!chunks.parts.empty() && chunks.parts.size() == chunks.Y.size(),
                    "chunked_gradient: no chunks, or chunks and targets differ in number");
    const bool one = chunks.parts.size() == 1;
    std::vector<Vec<T>> acc(one ? 0 : params.size());
    Mat<T> dY;
    double total = 0, sq = 0;
    constexpr bool contexts = ContextModel<M, B>;
    for (std::size_t c = 0; c < chunks.parts.size(); ++c) {
        const Mat<T>& out = [&]() -> const Mat<T>& {
            if constexpr (contexts) return model.forward(ctx, chunks.parts[c]);
            else return model.forward(chunks.parts[c]);
        }();
        const ConstMatRef<T> Yc(chunks.Y[c]);
        if (out.rows() != Yc.rows() || out.cols() != Yc.cols())
            detail::fail("train: model output (", out.rows(), " x ", out.cols(),
                        ") must match its targets (", Yc.rows(), " x ", Yc.cols(),
                        "): Y must have the model's ", out.rows(),
                        " output rows and one column per point");
        const double share = double(out.cols()) / double(chunks.points);
        total += share * loss_value(loss, out, Yc, dY);
        if (loss != Loss::Mse) sq += share * mse(out, Yc);
        if (!one) dY *= T(share);
        if constexpr (contexts) model.backward(ctx, dY);
        else model.backward(chunks.parts[c], dY);
        if (one) break;
        for (std::size_t i = 0; i < params.size(); ++i) {
            if (c == 0) acc[i] = params[i].grads();
            else acc[i] += params[i].grads();
        }
    }
    if (!one)
        for (std::size_t i = 0; i < params.size(); ++i) params[i].grads() = acc[i];
    return {total, loss == Loss::Mse ? total : sq};
}

/// chunked_gradient in a context of its own (made for this call; train() keeps one across steps so
/// that the activation buffers are reused).
template <class M, class B, class T>
std::pair<double, double> chunked_gradient(M& model, const Chunks<B, T>& chunks, Loss loss,
                                           std::vector<Param<T>>& params) {
    typename detail::ContextOf<M, ContextModel<M, B>>::type ctx{};
    return chunked_gradient(model, chunks, loss, params, ctx);
}

}  // namespace posenc

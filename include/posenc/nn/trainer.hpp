// posenc/nn/trainer.hpp — full-batch and seeded mini-batch training of a Model with any Optimizer
// and composable callbacks (nn/callbacks.hpp).
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/random.hpp"
#include "posenc/core/types.hpp"
#include "posenc/nn/callbacks.hpp"
#include "posenc/nn/chunked.hpp"
#include "posenc/nn/loss.hpp"
#include "posenc/nn/optim/optimizer.hpp"
#include "posenc/core/param.hpp"

namespace posenc {

/// Deprecated alias of posenc::Loss (nn/loss.hpp); removed in the next release (docs/migration.md).
using LossKind [[deprecated("use posenc::Loss")]] = Loss;

/// How train() runs.
struct TrainOptions {
    Index steps = 1000;            ///< optimizer steps (>= 0); one step = one batch
    Index batch_size = 0;          ///< 0 (or >= N): full batch; else mini-batches of this many points
    std::uint64_t seed = 0;        ///< seed of the mini-batch shuffles (unused for full batch)
    Loss loss = Loss::Mse;         ///< loss minimised (mean over all entries, like torch)
    bool evaluate_final = true;    ///< evaluate the returned weights on the whole training set (one
                                   ///< forward for full batch, predict(X) for mini-batches); if false,
                                   ///< final_loss is the last step's batch loss
    /// 0: each step's batch goes through forward/backward at once. Else at most this many points at a
    /// time: the batch is cut into consecutive chunks whose gradients (each weighted by its share of
    /// the batch) are summed before the optimizer step. Same step as without chunks up to float
    /// summation order, but only one chunk's activations are alive, so peak memory falls by about
    /// the number of chunks (protocol C of docs/protocols.md, S = 512: see docs/performance.md).
    Index chunk_size = 0;
};

/// What train() needs from a model (posenc::Model satisfies it): encode a batch once (prepare), take
/// columns of an encoded batch (subset), forward/backward on an encoded batch (backward overwrites the
/// gradients), parameter views, and a stateless predict. Forward/backward: the context protocol
/// (ContextModel, nn/chunked.hpp: forward(ctx, batch), backward(ctx, dY)) or the member-state
/// forward(batch) / backward(batch, dY).
template <class M, class T>
concept TrainableModel = requires(M& m, const M& cm, ConstMatRef<T> X, const std::vector<Index>& cols,
                                  ConstMatRef<T> dY) {
    cm.prepare(X);
    cm.subset(cm.prepare(X), cols);
    { m.parameters() } -> std::same_as<std::vector<Param<T>>>;
    { cm.predict(X) } -> std::convertible_to<Mat<T>>;
} && (ContextModel<M, decltype(std::declval<const M&>().prepare(std::declval<ConstMatRef<T>>()))> ||
      requires(M& m, const M& cm, ConstMatRef<T> X, ConstMatRef<T> dY) {
          { m.forward(cm.prepare(X)) } -> std::convertible_to<const Mat<T>&>;
          m.backward(cm.prepare(X), dY);
      });

/// Fits `model` to targets Y (channels x N) at points X (input_dim x N) by `options.steps` steps of
/// `optimizer` on `options.loss`, calling `callbacks` (see nn/callbacks.hpp) after each step's loss.
///
/// Each step: take the batch; its gradient (forward, loss and dL/dY, backward, which overwrites the
/// gradients: chunked_gradient of nn/chunked.hpp, part by part); callbacks with the step's loss (any
/// may ask to stop: then the step's update is not applied); optimizer.step(parameters).
///  * Full batch (batch_size 0 or >= N): X is encoded ONCE (model.prepare) and reused every step.
///  * Mini-batches: X is also encoded once; each epoch shuffles the N columns with Rng(seed)
///    (Fisher-Yates), then takes consecutive batches of batch_size (the last one may be smaller);
///    batches are model.subset() of the encoded set, so nothing is re-encoded.
///  * chunk_size > 0: each step's batch is cut into consecutive chunks of at most chunk_size points;
///    forward, loss and backward run chunk by chunk and the gradients are summed (each chunk weighted
///    by its share of the batch). The final evaluation then uses predict(X) (chunked, stateless).
///  * The optimizer is neither reset nor copied: calling train() again continues training.
///  * Same seed, same thread count, same model -> bitwise identical weights.
/// Throws posenc::Error for mismatched X/Y columns, Y rows != the model output, empty sets,
/// non-finite targets, negative steps/batch_size (invalid coordinates are rejected by the encoder).
template <class M, Optimizer O, class... Callbacks>
    requires TrainableModel<M, typename O::Scalar> && (detail::CallbackFor<std::remove_cvref_t<Callbacks>,
                                                                            typename O::Scalar> && ...)
TrainResult train(M& model, const ConstMatRef<typename O::Scalar>& X, const ConstMatRef<typename O::Scalar>& Y,
                  O& optimizer, const TrainOptions& options, Callbacks&&... callbacks) {
    using T = typename O::Scalar;
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(clock::now() - t0).count(); };

    detail::require(options.steps >= 0, "train: steps must be >= 0 (got ", options.steps, ")");
    detail::require(options.batch_size >= 0,
                    "train: batch_size must be >= 0 (got ", options.batch_size, ")");
    detail::require(options.chunk_size >= 0,
                    "train: chunk_size must be >= 0 (got ", options.chunk_size, ")");
    detail::require(X.cols() > 0, "train: X must contain at least one point (got 0 columns)");
    detail::require(Y.cols() == X.cols(), "train: Y must have one column per point of X (", X.cols(),
                                              "), got ", Y.cols());
    detail::require(Y.rows() > 0, "train: Y must have at least one channel (row)");
    detail::require(Y.allFinite(), "train: targets Y must be finite (got NaN or Inf)");

    const Index N = X.cols();
    const bool mini = options.batch_size > 0 && options.batch_size < N;
    std::vector<Param<T>> params = model.parameters();
    auto full = model.prepare(X);  // the one encoding of the training set
    using Batch = decltype(full);

    // One gradient path (nn/chunked.hpp, chunked_gradient) for every kind of step: the step's batch
    // is a list of encoded parts with their targets. Full batch: one part, the whole set, made once.
    // Mini-batch: the batch's columns of the encoded set, made each step. chunk_size cuts either into
    // parts of at most that many points (then the whole-set encoding of a full batch is dropped:
    // chunking is about memory).
    const Index step_points = mini ? options.batch_size : N;
    const bool chunked = options.chunk_size > 0 && options.chunk_size < step_points;
    const Index part_size = chunked ? options.chunk_size : step_points;
    Chunks<Batch, T> parts;
    typename detail::ContextOf<M, ContextModel<M, Batch>>::type ctx{};  // reused by every step
    if (!mini) {
        if (chunked) {
            std::vector<Index> all(static_cast<std::size_t>(N));
            std::iota(all.begin(), all.end(), Index(0));
            parts = make_chunks(model, full, Y, all, part_size);
            full = Batch{};
        } else {
            parts.parts.push_back(std::move(full));
            parts.Y.emplace_back(Y);
            parts.points = N;
        }
    }

    Rng rng(options.seed);
    std::vector<Index> perm(static_cast<std::size_t>(N)), cols;
    std::iota(perm.begin(), perm.end(), Index(0));
    Index cursor = N, epoch = mini ? -1 : 0;

    TrainResult result;
    StepInfo info;
    info.steps = options.steps;
    (detail::callback_begin<T>(callbacks, info), ...);

    double last_loss = std::numeric_limits<double>::quiet_NaN();
    bool stop = false;
    for (Index step = 1; step <= options.steps && !stop; ++step) {
        if (mini) {
            if (cursor >= N) {  // new epoch: Fisher-Yates shuffle from the seeded Rng
                for (Index i = N - 1; i > 0; --i)
                    std::swap(perm[std::size_t(i)], perm[std::size_t(rng.below(std::uint64_t(i + 1)))]);
                cursor = 0;
                ++epoch;
            }
            const Index b = std::min(options.batch_size, N - cursor);
            cols.assign(perm.begin() + cursor, perm.begin() + cursor + b);
            cursor += b;
            parts = make_chunks(model, full, Y, cols, part_size);
        }
        // This step's gradient, then its loss to the callbacks (in the order given; any may ask to
        // stop: then the update is not applied), then the optimizer step.
        const auto [loss, mse_value] = chunked_gradient(model, parts, options.loss, params, ctx);
        last_loss = loss;
        info.psnr = detail::psnr_db(mse_value);
        info.epoch = epoch;
        info.step = step;
        info.loss = loss;
        info.elapsed = seconds();
        info.eta = info.elapsed / double(step) * double(options.steps - step);
        bool any = false;
        ((any = detail::callback_step<T>(callbacks, info, params) || any), ...);
        if ((stop = any)) break;
        optimizer.step(params);
        result.steps_done = step;
    }

    // Final evaluation of the returned weights (NanGuard may have restored older ones): the kept
    // whole-set encoding for a full batch, a stateless predict(X) otherwise.
    if (options.evaluate_final || options.steps == 0) {
        Mat<T> predicted;
        const bool whole = !mini && !chunked;
        const Mat<T>& P = whole ? [&]() -> const Mat<T>& {
            if constexpr (ContextModel<M, Batch>) return model.forward(ctx, parts.parts[0]);
            else return model.forward(parts.parts[0]);
        }()
                                : (predicted = model.predict(X));
        if (P.rows() != Y.rows() || P.cols() != N)
            detail::fail("train: model output (", P.rows(), " x ", P.cols(),
                        ") must match the targets (", Y.rows(), " x ", N,
                        "): Y must have the model's ", P.rows(), " output rows");
        result.final_loss = loss_value(options.loss, P, Y);
        result.final_psnr = detail::psnr_db(mse(P, Y));
    } else {
        result.final_loss = last_loss;
        result.final_psnr = info.psnr;
    }

    result.stopped_early = stop;
    result.diverged = !std::isfinite(result.final_loss);
    result.message = stop ? "stopped at step " + std::to_string(info.step) + " of " + std::to_string(options.steps)
                          : "completed " + std::to_string(result.steps_done) + " steps";
    if (result.diverged) result.message += "; final loss is not finite";
    result.seconds = seconds();
    (detail::callback_end<T>(callbacks, info, result), ...);
    return result;
}

}  // namespace posenc

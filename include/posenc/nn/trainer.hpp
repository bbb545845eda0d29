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
#include "posenc/nn/optimizer.hpp"
#include "posenc/nn/param.hpp"

namespace posenc {

/// The training loss (alias of posenc::Loss from nn/loss.hpp: Mse or L1).
using LossKind = Loss;

/// How train() runs.
struct TrainOptions {
    Index steps = 1000;            ///< optimizer steps (>= 0); one step = one batch
    Index batch_size = 0;          ///< 0 (or >= N): full batch; else mini-batches of this many points
    std::uint64_t seed = 0;        ///< seed of the mini-batch shuffles (unused for full batch)
    LossKind loss = LossKind::Mse; ///< loss minimised (mean over all entries, like torch)
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
/// gradients), parameter views, and a stateless predict.
template <class M, class T>
concept TrainableModel = requires(M& m, const M& cm, ConstMatRef<T> X, const std::vector<Index>& cols,
                                  ConstMatRef<T> dY) {
    cm.prepare(X);
    cm.subset(cm.prepare(X), cols);
    { m.forward(cm.prepare(X)) } -> std::convertible_to<const Mat<T>&>;
    m.backward(cm.prepare(X), dY);
    { m.parameters() } -> std::same_as<std::vector<Param<T>>>;
    { cm.predict(X) } -> std::convertible_to<Mat<T>>;
};

/// Fits `model` to targets Y (channels x N) at points X (input_dim x N) by `options.steps` steps of
/// `optimizer` on `options.loss`, calling `callbacks` (see nn/callbacks.hpp) after each step's loss.
///
/// Each step: take the batch; forward; loss and dL/dY; callbacks (any may ask to stop: then the step's
/// update is not applied); backward (overwrites gradients); optimizer.step(parameters).
///  * Full batch (batch_size 0 or >= N): X is encoded ONCE (model.prepare) and reused every step.
///  * Mini-batches: X is also encoded once; each epoch shuffles the N columns with Rng(seed)
///    (Fisher-Yates), then takes consecutive batches of batch_size (the last one may be smaller);
///    batches are model.subset() of the encoded set, so nothing is re-encoded.
///  * chunk_size > 0: each step's batch is cut into consecutive chunks of at most chunk_size points;
///    forward, loss and backward run chunk by chunk and the gradients are summed (each chunk weighted
///    by its share of the batch), then the callbacks see the step's loss and the optimizer steps.
///    The final evaluation then uses predict(X) (chunked, stateless).
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

    detail::require(options.steps >= 0, "train: steps must be >= 0 (got " + std::to_string(options.steps) + ")");
    detail::require(options.batch_size >= 0,
                    "train: batch_size must be >= 0 (got " + std::to_string(options.batch_size) + ")");
    detail::require(options.chunk_size >= 0,
                    "train: chunk_size must be >= 0 (got " + std::to_string(options.chunk_size) + ")");
    detail::require(X.cols() > 0, "train: X must contain at least one point (got 0 columns)");
    detail::require(Y.cols() == X.cols(), "train: Y must have one column per point of X (" + std::to_string(X.cols()) +
                                              "), got " + std::to_string(Y.cols()));
    detail::require(Y.rows() > 0, "train: Y must have at least one channel (row)");
    detail::require(Y.allFinite(), "train: targets Y must be finite (got NaN or Inf)");

    const Index N = X.cols();
    const bool mini = options.batch_size > 0 && options.batch_size < N;
    std::vector<Param<T>> params = model.parameters();
    auto full = model.prepare(X);  // the one encoding of the training set
    using Batch = decltype(full);

    // Chunked steps (nn/chunked.hpp): forward + backward chunk by chunk, gradients summed. Full batch:
    // the chunks are cut once and the whole-set encoding is dropped (chunking is about memory).
    const Index step_points = mini ? options.batch_size : N;
    const bool chunked = options.chunk_size > 0 && options.chunk_size < step_points;
    Chunks<Batch, T> chunks;
    if (chunked && !mini) {
        std::vector<Index> all(static_cast<std::size_t>(N));
        std::iota(all.begin(), all.end(), Index(0));
        chunks = make_chunks(model, full, Y, all, options.chunk_size);
        full = Batch{};
    }

    Rng rng(options.seed);
    std::vector<Index> perm(static_cast<std::size_t>(N)), cols;
    std::iota(perm.begin(), perm.end(), Index(0));
    Index cursor = N, epoch = -1;
    Mat<T> Yb, dY;

    TrainResult result;
    StepInfo info;
    info.steps = options.steps;
    (detail::callback_begin<T>(callbacks, info), ...);

    // Every callback sees every step, in the order given (a comma fold is sequenced left to right).
    auto run_callbacks = [&] {
        bool any = false;
        ((any = detail::callback_step<T>(callbacks, info, params) || any), ...);
        return any;
    };

    double last_loss = std::numeric_limits<double>::quiet_NaN();
    bool stop = false;
    // Records a step's loss (and the MSE its PSNR comes from) in `info` and runs the callbacks;
    // true when one of them asks to stop (the step's update is then not applied).
    auto report = [&](Index step, Index ep, double loss, double mse_value) {
        last_loss = loss;
        info.psnr = psnr_from_mse(mse_value);
        info.epoch = ep;
        info.step = step;
        info.loss = loss;
        info.elapsed = seconds();
        info.eta = info.elapsed / double(step) * double(options.steps - step);
        return run_callbacks();
    };
    for (Index step = 1; step <= options.steps && !stop; ++step) {
        const Mat<T>* out = nullptr;
        const bool needs_shape_check = step == 1;
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
            if (chunked) {
                chunks = make_chunks(model, full, Y, cols, options.chunk_size);
                const auto [l, m] = chunked_gradient(model, chunks, options.loss, params);
                if ((stop = report(step, epoch, l, m))) break;
            } else {
                const auto batch = model.subset(full, cols);
                Yb = Y(Eigen::all, cols);
                out = &model.forward(batch);
                if (needs_shape_check) detail::check_shape(*out, Y.rows(), b, "train", "model output (Y's rows x batch)");
                const double l = loss_value(options.loss, *out, Yb, dY);
                if ((stop = report(step, epoch, l, options.loss == LossKind::Mse ? l : mse(*out, Yb)))) break;
                model.backward(batch, dY);
            }
        } else if (chunked) {
            const auto [l, m] = chunked_gradient(model, chunks, options.loss, params);
            if ((stop = report(step, 0, l, m))) break;
        } else {
            out = &model.forward(full);
            if (needs_shape_check && out->rows() != Y.rows())
                throw Error("train: Y must have the model's " + std::to_string(out->rows()) + " output rows (got " +
                            std::to_string(Y.rows()) + ")");
            const double l = loss_value(options.loss, *out, Y, dY);
            if ((stop = report(step, 0, l, options.loss == LossKind::Mse ? l : mse(*out, Y)))) break;
            model.backward(full, dY);
        }
        optimizer.step(params);
        result.steps_done = step;
    }

    // Final evaluation of the returned weights (NanGuard may have restored older ones).
    if (options.evaluate_final || options.steps == 0) {
        if (mini || chunked) {
            const Mat<T> P = model.predict(X);
            detail::check_shape(P, Y.rows(), N, "train", "model output (Y's rows x N)");
            result.final_loss = loss_value(options.loss, P, Y);
            result.final_psnr = psnr_from_mse(mse(P, Y));
        } else {
            const Mat<T>& P = model.forward(full);
            if (P.rows() != Y.rows())
                throw Error("train: Y must have the model's " + std::to_string(P.rows()) + " output rows (got " +
                            std::to_string(Y.rows()) + ")");
            result.final_loss = loss_value(options.loss, P, Y);
            result.final_psnr = psnr_from_mse(mse(P, Y));
        }
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

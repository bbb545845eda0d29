// posenc/nn/train/result.hpp — what a training callback sees after each step (StepInfo) and what
// train() returns (TrainResult).
#pragma once
#include <cmath>
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"

namespace posenc {

/// What a callback sees after the loss of one step has been computed (before that step's update).
struct StepInfo {
    Index step = 0;        ///< 1-based index of the step being taken (0 in on_begin)
    Index steps = 0;       ///< planned number of steps
    Index epoch = 0;       ///< 0-based pass over the training set (always 0 for full batch)
    double loss = 0;       ///< training loss of this step's batch, at the weights before the update
    double psnr = 0;       ///< -10 log10(MSE of this step's batch), whatever the training loss
    double elapsed = 0;    ///< seconds since train() started
    double eta = 0;        ///< estimated seconds left: elapsed / step * (steps - step)
};

/// Outcome of train(). Callbacks may annotate it in on_end (e.g. NanGuard sets `diverged`).
struct TrainResult {
    Index steps_done = 0;      ///< optimizer updates applied (a stop at step k leaves k - 1)
    double final_loss = 0;     ///< loss of the returned weights on the whole training set
    double final_psnr = 0;     ///< -10 log10(MSE) of the returned weights on the whole training set
    bool stopped_early = false;///< a callback (EarlyStop, NanGuard, user) ended training before `steps`
    bool diverged = false;     ///< a NaN/Inf loss was seen (NanGuard) or the final loss is not finite
    std::string message;       ///< human-readable summary ("completed 2000 steps", "early stop: ...")
    double seconds = 0;        ///< wall time of train(), including the final evaluation
};

namespace detail {
/// -10 log10(mse): the PSNR in dB a training step reports (peak 1; inf for mse == 0, NaN passes
/// through: a diverged step must not throw). The checked form is metrics::psnr_from_mse.
template <class = void>
double psnr_db(double mse) {
    return -10.0 * std::log10(mse);
}
}  // namespace detail

/// Deprecated: use metrics::psnr_from_mse (analysis/metrics.hpp), which checks its input; removed
/// in the next release (docs/migration.md).
[[deprecated("use posenc::metrics::psnr_from_mse")]] inline double psnr_from_mse(double mse) {
    return detail::psnr_db(mse);
}

}  // namespace posenc

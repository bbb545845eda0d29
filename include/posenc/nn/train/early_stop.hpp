// posenc/nn/train/early_stop.hpp — the EarlyStop callback: stop at a target loss or after `patience`
// steps without improvement.
#pragma once
#include <limits>
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/nn/train/result.hpp"

namespace posenc {

/// Settings of EarlyStop; both criteria may be combined (the first that fires stops training).
struct EarlyStopOptions {
    Index patience = 0;        ///< stop after this many steps without improvement (0 = off)
    double min_delta = 0;      ///< an improvement must lower the best loss by more than this
    double target_loss = -std::numeric_limits<double>::infinity();  ///< stop once loss <= target
};

/// Stops when the loss reaches `target_loss`, or when it has not improved on the best loss so far
/// by more than `min_delta` for `patience` consecutive steps. Adds its reason to the result message.
class EarlyStop {
public:
    /// EarlyStop with the given criteria (throws posenc::Error for patience < 0 or min_delta < 0).
    explicit EarlyStop(EarlyStopOptions options = {}) : opt_(options) {
        detail::require(opt_.patience >= 0, "EarlyStop: patience must be >= 0");
        detail::require(opt_.min_delta >= 0, "EarlyStop: min_delta must be >= 0");
    }
    /// Resets the best loss and the counter.
    void on_begin(const StepInfo&) {
        best_ = std::numeric_limits<double>::infinity();
        since_ = 0;
        fired_ = false;
        reason_.clear();
    }
    /// Returns true (stop) when a criterion is met.
    bool on_step(const StepInfo& s) {
        if (s.loss <= opt_.target_loss) {
            fire("target loss " + std::to_string(opt_.target_loss) + " reached at step " + std::to_string(s.step));
            return true;
        }
        if (opt_.patience == 0) return false;
        if (s.loss < best_ - opt_.min_delta) {
            best_ = s.loss;
            since_ = 0;
        } else if (++since_ >= opt_.patience) {
            fire("no improvement > " + std::to_string(opt_.min_delta) + " for " + std::to_string(opt_.patience) +
                 " steps (stopped at step " + std::to_string(s.step) + ")");
            return true;
        }
        return false;
    }
    /// Appends the stop reason to the result's message.
    void on_end(const StepInfo&, TrainResult& r) {
        if (fired_) r.message += (r.message.empty() ? "" : "; ") + ("early stop: " + reason_);
    }
    /// Whether it stopped training in the last run.
    bool fired() const { return fired_; }

private:
    void fire(std::string why) {
        fired_ = true;
        reason_ = std::move(why);
    }
    EarlyStopOptions opt_;
    double best_ = std::numeric_limits<double>::infinity();
    Index since_ = 0;
    bool fired_ = false;
    std::string reason_;
};

}  // namespace posenc

// posenc/nn/train/nan_guard.hpp — the NanGuard callback: stop on a NaN/Inf loss and restore the last
// finite weights.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/core/param.hpp"
#include "posenc/nn/train/result.hpp"

namespace posenc {

/// Detects a NaN/Inf training loss, stops training, and restores the last weights whose loss was
/// finite; on_end sets result.diverged and explains it in result.message.
///
/// Cost: one copy of every parameter (memory = model size) and, every `interval` steps, a finiteness
/// check and copy of all parameters (O(parameters) per step; a forward/backward pass costs
/// O(parameters x batch), so this is ~1/batch of a step). With interval k > 1 the restored weights
/// can be up to k - 1 steps older. Weights that are not all finite are never snapshotted (a callback
/// earlier in the list may have corrupted them). The optimizer's own state (moments) is NOT restored:
/// call its reset() before training further.
template <class T>
class NanGuard {
public:
    /// Guard snapshotting every `interval` steps (>= 1).
    explicit NanGuard(Index interval = 1) : interval_(interval) {
        detail::require(interval >= 1, "NanGuard: interval must be >= 1 (got ", interval, ")");
    }
    /// Clears the state of a previous run.
    void on_begin(const StepInfo&) {
        tripped_ = false;
        bad_step_ = restored_step_ = 0;
        snap_.clear();
    }
    /// Snapshots finite weights after a finite loss; on a NaN/Inf loss restores them and stops.
    bool on_step(const StepInfo& s, std::vector<Param<T>>& params) {
        if (std::isfinite(s.loss)) {
            if ((s.step - 1) % interval_ == 0 || snap_.empty()) snapshot(params, s.step);
            return false;
        }
        tripped_ = true;
        bad_step_ = s.step;
        if (!snap_.empty()) restore(params);
        return true;
    }
    /// Marks the result as diverged and says what was restored.
    void on_end(const StepInfo&, TrainResult& r) {
        if (!tripped_) return;
        r.diverged = true;
        std::string m = "diverged: non-finite loss at step " + std::to_string(bad_step_) + "; ";
        m += restored_step_ > 0 ? "restored the weights of step " + std::to_string(restored_step_) + " (last finite loss)"
                                : "no finite weights to restore";
        r.message += (r.message.empty() ? "" : "; ") + m;
    }
    bool tripped() const { return tripped_; }          ///< a non-finite loss was seen in the last run
    Index bad_step() const { return bad_step_; }       ///< step with the first non-finite loss (0 if none)
    Index restored_step() const { return restored_step_; }  ///< step whose weights were restored (0 if none)

private:
    void snapshot(const std::vector<Param<T>>& params, Index step) {
        for (const auto& p : params)
            if (!p.values().allFinite()) return;  // keep the older snapshot
        snap_.resize(params.size());
        for (std::size_t i = 0; i < params.size(); ++i) snap_[i] = params[i].values();  // no realloc after the first
        snap_step_ = step;
    }
    void restore(std::vector<Param<T>>& params) {
        detail::require(snap_.size() == params.size(), "NanGuard: parameter list changed during training");
        for (std::size_t i = 0; i < params.size(); ++i) {
            detail::require(snap_[i].size() == params[i].size, "NanGuard: parameter size changed during training");
            params[i].values() = snap_[i];
        }
        restored_step_ = snap_step_;
    }

    Index interval_;
    std::vector<Vec<T>> snap_;
    Index snap_step_ = 0;
    bool tripped_ = false;
    Index bad_step_ = 0, restored_step_ = 0;
};

}  // namespace posenc

// posenc/nn/callbacks.hpp — composable training callbacks (ensmallen style): progress line,
// early stopping, NaN/Inf guard, and plain lambdas. The trainer (nn/trainer.hpp) calls them.
#pragma once
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdio>
#include <limits>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#if __has_include(<unistd.h>)
#include <unistd.h>  // isatty, fileno
#define POSENC_HAVE_ISATTY 1
#elif defined(_WIN32) && __has_include(<io.h>)
#include <io.h>  // _isatty, _fileno
#define POSENC_HAVE_WIN_ISATTY 1
#endif
#if defined(__GLIBCXX__) && __has_include(<ext/stdio_sync_filebuf.h>)
#include <ext/stdio_sync_filebuf.h>  // the buffer of std::cerr / std::cout: tells which FILE* they write to
#define POSENC_HAVE_STDIO_SYNC_FILEBUF 1
#endif

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/core/param.hpp"

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

// ---- callback protocol ---------------------------------------------------------------------------
// A callback is any object with one or more of these members (all optional):
//   void on_begin(const StepInfo& info)                          before the first step (info.step == 0)
//   R    on_step(const StepInfo& info)                           after each step's loss, before its update
//   R    on_step(const StepInfo& info, std::vector<Param<T>>& p) same, with the model's parameters
//   void on_end(const StepInfo& last, TrainResult& result)       after the loop and the final evaluation
// or a plain callable `R f(const StepInfo&)` (a lambda), used as on_step. R is void or bool; returning
// true asks the trainer to stop (no update is applied for that step). Every callback sees every step.

namespace detail {
template <class F>
bool as_stop(F&& f) {
    if constexpr (std::is_void_v<decltype(f())>) {
        f();
        return false;
    } else {
        return bool(f());
    }
}

/// True when C implements at least one hook of the protocol for scalar T.
template <class C, class T>
concept CallbackFor = requires(C& c, const StepInfo& s) { c.on_begin(s); } || requires(C& c, const StepInfo& s) { c.on_step(s); } ||
                      requires(C& c, const StepInfo& s, std::vector<Param<T>>& p) { c.on_step(s, p); } ||
                      requires(C& c, const StepInfo& s, TrainResult& r) { c.on_end(s, r); } ||
                      std::invocable<C&, const StepInfo&>;

template <class T, class C>
void callback_begin(C& c, const StepInfo& s) {
    if constexpr (requires { c.on_begin(s); }) c.on_begin(s);
}
template <class T, class C>
bool callback_step(C& c, const StepInfo& s, std::vector<Param<T>>& p) {
    if constexpr (requires { c.on_step(s, p); }) return as_stop([&] { return c.on_step(s, p); });
    else if constexpr (requires { c.on_step(s); }) return as_stop([&] { return c.on_step(s); });
    else if constexpr (std::invocable<C&, const StepInfo&>) return as_stop([&] { return c(s); });
    else return false;
}
template <class T, class C>
void callback_end(C& c, const StepInfo& s, TrainResult& r) {
    if constexpr (requires { c.on_end(s, r); }) c.on_end(s, r);
}

/// "m:ss" or "h:mm:ss" for a duration in seconds ("--:--" if not finite).
inline std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "--:--";
    const long long s = (long long)(seconds + 0.5);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    return buf;
}

/// True when `f` is an interactive terminal (POSIX isatty(fileno(f)); _isatty on Windows; false where
/// neither exists or f is null).
inline bool file_is_terminal(std::FILE* f) {
    if (!f) return false;
#if defined(POSENC_HAVE_ISATTY)
    return ::isatty(::fileno(f)) == 1;
#elif defined(POSENC_HAVE_WIN_ISATTY)
    return ::_isatty(::_fileno(f)) != 0;
#else
    return false;
#endif
}

/// True when `os` writes straight to a C stream that is a terminal: std::cerr, std::clog or std::cout
/// (with the default sync_with_stdio(true), libstdc++) on a terminal. Any other stream (a file, a string
/// stream, a redirected std::cerr, or where the stream's FILE cannot be found) is not a terminal.
inline bool stream_is_terminal(std::ostream& os) {
#if defined(POSENC_HAVE_STDIO_SYNC_FILEBUF)
    if (auto* b = dynamic_cast<__gnu_cxx::stdio_sync_filebuf<char>*>(os.rdbuf())) return file_is_terminal(b->file());
#endif
    (void)os;
    return false;
}
}  // namespace detail

// ---- Progress ------------------------------------------------------------------------------------

/// How Progress writes its line.
enum class ProgressStyle {
    Auto,    ///< Redraw on a terminal, Lines otherwise (see ProgressOptions::file and ProgressOptions::out)
    Redraw,  ///< one line redrawn in place with a carriage return at most every `interval` seconds (for terminals)
    Lines,   ///< a plain line at most every `log_interval` seconds plus the final one (for logs and CI)
};

/// Settings of the Progress line. Output goes to `out` when it is set, else to the C stream `file`
/// (stderr by default). With ProgressStyle::Auto, a `file` is a terminal when isatty(fileno(file)) says
/// so; an `out` stream is a terminal only when it is std::cerr / std::clog / std::cout writing to a
/// terminal (as far as the standard library lets one see); any other stream counts as a log.
struct ProgressOptions {
    double interval = 0.5;          ///< Redraw: minimum seconds between redraws (0 = no time throttle)
    Index every = 0;                ///< also draw every `every` steps, in either style (0 = only by time)
    std::ostream* out = nullptr;    ///< a stream to write to instead of `file` (nullptr: use `file`)
    std::string label = {};         ///< optional prefix, e.g. the encoder name
    std::FILE* file = stderr;       ///< where to write when `out` is null
    ProgressStyle style = ProgressStyle::Auto;  ///< redraw in place or write plain lines (Auto: by terminal)
    double log_interval = 5.0;      ///< Lines: minimum seconds between lines (0 = a line every step)
};

/// A progress report "label  step 120/2000  loss 1.234e-03  psnr 29.09 dB  0:12 elapsed  ETA 3:08".
///
/// * On a terminal (ProgressStyle::Redraw): one line redrawn in place (carriage return) at most every
///   `interval` seconds (or every `every` steps) and on the last step, finished with a newline in on_end.
/// * Otherwise (ProgressStyle::Lines: stderr redirected to a file, a pipe or CI, or a user stream): plain
///   lines without carriage returns, the first step's, then at most one every `log_interval` seconds (or every `every`
///   steps), and the final one in on_end, so a log holds a few readable lines instead of one run-on line
///   of every redraw.
///
/// The final line carries "  [diverged]" / "  [stopped]" when training diverged or stopped early.
/// Costs nothing between draws.
class Progress {
public:
    /// Progress with the given throttle, style and destination; throws posenc::Error for a negative
    /// interval, log_interval or every, or when both `out` and `file` are null.
    explicit Progress(ProgressOptions options = {}) : opt_(std::move(options)) {
        detail::require(opt_.interval >= 0, "Progress: interval must be >= 0");
        detail::require(opt_.log_interval >= 0, "Progress: log_interval must be >= 0");
        detail::require(opt_.every >= 0, "Progress: every must be >= 0");
        detail::require(opt_.out != nullptr || opt_.file != nullptr, "Progress: out and file must not both be null");
        redraw_ = opt_.style == ProgressStyle::Redraw ||
                  (opt_.style == ProgressStyle::Auto &&
                   (opt_.out ? detail::stream_is_terminal(*opt_.out) : detail::file_is_terminal(opt_.file)));
    }
    /// Resets the throttle.
    void on_begin(const StepInfo&) {
        last_draw_ = -std::numeric_limits<double>::infinity();
        width_ = 0;
        draws_ = 0;
    }
    /// Draws when due; never asks to stop.
    void on_step(const StepInfo& s) {
        const bool by_time = s.elapsed - last_draw_ >= (redraw_ ? opt_.interval : opt_.log_interval);
        const bool by_count = opt_.every > 0 && s.step % opt_.every == 0;
        // Redraw shows the last step at once; Lines leaves it to on_end's final line (no duplicate).
        if (by_time || by_count || (redraw_ && s.step == s.steps)) draw(s);
    }
    /// Draws the final state (the result) and ends the line.
    void on_end(const StepInfo& last, TrainResult& r) {
        StepInfo s = last;
        s.elapsed = r.seconds;
        s.eta = 0;
        const char* tail = r.diverged ? "  [diverged]" : r.stopped_early ? "  [stopped]" : "";
        if (redraw_) {
            if (draws_ > 0 || s.step > 0) draw(s);
            write(std::string(tail) + '\n');
        } else if (draws_ > 0 || s.step > 0) {
            draw(s, tail);
        }
    }
    /// Number of times the line was drawn (for tests).
    Index draws() const { return draws_; }
    /// True when the line is redrawn in place (a terminal, or ProgressStyle::Redraw), false for plain lines.
    bool redraws() const { return redraw_; }

private:
    void draw(const StepInfo& s, const char* tail = "") {
        char buf[256];
        std::snprintf(buf, sizeof buf, "%s%sstep %lld/%lld  loss %.4e  psnr %.2f dB  %s elapsed  ETA %s",
                      opt_.label.c_str(), opt_.label.empty() ? "" : "  ", (long long)s.step, (long long)s.steps,
                      s.loss, s.psnr, detail::format_duration(s.elapsed).c_str(), detail::format_duration(s.eta).c_str());
        std::string line(buf);
        if (redraw_) {
            const std::size_t w = line.size();
            if (w < width_) line.append(width_ - w, ' ');  // erase the tail of a longer previous line
            width_ = std::max(width_, w);
            write('\r' + line);
        } else {
            write(line + tail + '\n');
        }
        last_draw_ = s.elapsed;
        ++draws_;
    }
    void write(const std::string& text) {
        if (opt_.out) {
            opt_.out->write(text.data(), std::streamsize(text.size()));
            opt_.out->flush();
        } else {
            std::fwrite(text.data(), 1, text.size(), opt_.file);
            std::fflush(opt_.file);
        }
    }

    ProgressOptions opt_;
    bool redraw_ = false;
    double last_draw_ = -std::numeric_limits<double>::infinity();
    std::size_t width_ = 0;
    Index draws_ = 0;
};

// ---- EarlyStop -----------------------------------------------------------------------------------

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

// ---- NanGuard ------------------------------------------------------------------------------------

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

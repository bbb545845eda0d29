// posenc/nn/train/progress.hpp — the Progress callback: one redrawn line on a terminal, a few plain
// lines in a log ("label  step 120/2000  loss ...  ETA 3:08").
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <ostream>
#include <string>
#include <utility>

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
#include "posenc/nn/train/result.hpp"

namespace posenc {

namespace detail {

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

}  // namespace posenc

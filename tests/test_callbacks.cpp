// Tests for the Progress callback (nn/callbacks.hpp) outside a terminal (issue 12 item 5): plain lines
// without '\r', throttled by log_interval, the final line always present; terminal detection for a
// FILE*, std::cerr and user streams; the in-place redraw when asked for.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "posenc/nn/callbacks.hpp"

#if __has_include(<unistd.h>) && __has_include(<fcntl.h>)
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#define POSENC_TEST_HAVE_PTY 1
#endif

using namespace posenc;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

/// Feeds p the hooks of a `steps`-step run taking `dt` seconds per step, as train() would call them.
/// dt should be a power of two so that the elapsed times (and so the throttle) are exact.
void drive_progress(Progress& p, Index steps, double dt, TrainResult r = {}) {
    StepInfo s;
    s.steps = steps;
    p.on_begin(s);
    for (Index k = 1; k <= steps; ++k) {
        s.step = k;
        s.elapsed = dt * double(k);
        s.loss = 1.0 / double(k);
        s.psnr = detail::psnr_db(s.loss);
        s.eta = dt * double(steps - k);
        p.on_step(s);
    }
    r.seconds = dt * double(steps);
    p.on_end(s, r);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> v;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) v.push_back(line);
    return v;
}

std::size_t count_char(const std::string& text, char c) { return std::size_t(std::count(text.begin(), text.end(), c)); }

}  // namespace

TEST_CASE("Progress: a user stream is a log: plain lines every log_interval seconds plus the final one",
          "[callbacks][progress]") {
    // 80 steps of 0.125 s (10 s). Default log_interval 5 s: the first step (t = 0.125), step 41
    // (t = 5.125), and the final line from on_end.
    std::ostringstream out;
    Progress p({.out = &out, .label = "fit"});
    CHECK_FALSE(p.redraws());
    drive_progress(p, 80, 0.125);
    const std::string text = out.str();
    CHECK(count_char(text, '\r') == 0);
    REQUIRE(text.back() == '\n');
    const auto lines = lines_of(text);
    REQUIRE(lines.size() == 3);
    CHECK(p.draws() == 3);
    for (const auto& l : lines) CHECK_THAT(l, StartsWith("fit  step "));
    CHECK_THAT(lines[0], StartsWith("fit  step 1/80  loss 1.0000e+00"));
    CHECK_THAT(lines[1], StartsWith("fit  step 41/80 "));
    CHECK_THAT(lines[2], StartsWith("fit  step 80/80 ") && Contains("0:10 elapsed") && Contains("ETA 0:00"));
}

TEST_CASE("Progress: the number of log lines follows log_interval and every", "[callbacks][progress]") {
    auto run = [](ProgressOptions o) {
        std::ostringstream out;
        o.out = &out;
        Progress p(o);
        drive_progress(p, 80, 0.125);
        const std::string text = out.str();
        CHECK(count_char(text, '\r') == 0);
        CHECK(text.back() == '\n');
        CHECK_THAT(lines_of(text).back(), StartsWith("step 80/80 "));  // the final line is always there
        return lines_of(text).size();
    };
    CHECK(run({.log_interval = 0}) == 80 + 1);   // a line per step, plus the final one
    CHECK(run({.log_interval = 1}) <= 11 + 1);   // t = 0.125, 1.125, ..., 9.125 and the final one
    CHECK(run({.log_interval = 1}) >= 3);
    CHECK(run({.log_interval = 1e9}) == 2);      // the first step and the final line
    CHECK(run({.every = 20, .log_interval = 1e9}) == 1 + 4 + 1);  // step 1, steps 20..80, final
    // interval (the terminal's redraw throttle) does not make a log chattier
    CHECK(run({.interval = 0, .log_interval = 1e9}) == 2);
}

TEST_CASE("Progress: the final log line says when training diverged or stopped early", "[callbacks][progress]") {
    std::ostringstream out;
    Progress p({.out = &out});
    TrainResult r;
    r.diverged = true;
    drive_progress(p, 10, 0.5, r);
    CHECK_THAT(lines_of(out.str()).back(), StartsWith("step 10/10 ") && Contains("[diverged]"));
    std::ostringstream out2;
    Progress q({.out = &out2});
    r = {};
    r.stopped_early = true;
    drive_progress(q, 10, 0.5, r);
    CHECK_THAT(lines_of(out2.str()).back(), Contains("[stopped]"));
    // a run without steps writes nothing
    std::ostringstream out3;
    Progress z({.out = &out3});
    drive_progress(z, 0, 0.5);
    CHECK(out3.str().empty());
}

TEST_CASE("Progress: a FILE* that is not a terminal gets plain lines too", "[callbacks][progress]") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    Progress p({.label = "tmp", .file = f});
    CHECK_FALSE(p.redraws());
    drive_progress(p, 80, 0.125);
    std::rewind(f);
    std::string text;
    for (int c; (c = std::fgetc(f)) != EOF;) text += char(c);
    std::fclose(f);
    CHECK(count_char(text, '\r') == 0);
    CHECK(lines_of(text).size() == 3);
    CHECK_THAT(lines_of(text).back(), StartsWith("tmp  step 80/80 "));
}

TEST_CASE("Progress: ProgressStyle::Redraw keeps the in-place line on any stream", "[callbacks][progress]") {
    std::ostringstream out;
    Progress p({.interval = 0, .out = &out, .style = ProgressStyle::Redraw});
    CHECK(p.redraws());
    drive_progress(p, 20, 0.125);
    const std::string text = out.str();
    CHECK(count_char(text, '\r') == 21);  // every step (interval 0) and on_end
    CHECK(count_char(text, '\n') == 1);
    CHECK(text.back() == '\n');
    // and Lines on a terminal, when asked for, is plain too (checked on a string stream here)
    std::ostringstream out2;
    Progress q({.out = &out2, .style = ProgressStyle::Lines, .log_interval = 0});
    drive_progress(q, 5, 0.125);
    CHECK(count_char(out2.str(), '\r') == 0);
    CHECK(lines_of(out2.str()).size() == 6);
}

TEST_CASE("Progress: terminal detection of stderr, std::cerr and a pseudo-terminal", "[callbacks][progress]") {
    // The defaults write to stderr, and std::cerr is recognised as stderr: both redraw exactly when fd 2
    // is a terminal (under CTest it is not).
#if defined(POSENC_TEST_HAVE_PTY)
    const bool tty2 = ::isatty(2) == 1;
    CHECK(Progress().redraws() == tty2);
    CHECK(Progress({.out = &std::cerr}).redraws() == tty2);
    CHECK(Progress({.out = &std::clog}).redraws() == tty2);
    // A pseudo-terminal is a terminal: a FILE* on it, and std::cerr while fd 2 points at it.
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
        WARN("no pseudo-terminal available: terminal branch not checked");
        if (master >= 0) ::close(master);
        return;
    }
    const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
    REQUIRE(slave >= 0);
    std::FILE* tty = ::fdopen(::dup(slave), "w");
    REQUIRE(tty != nullptr);
    CHECK(Progress({.file = tty}).redraws());
    CHECK_FALSE(Progress({.file = tty, .style = ProgressStyle::Lines}).redraws());
    std::fclose(tty);
    std::fflush(stderr);
    std::cerr.flush();
    const int saved = ::dup(2);
    REQUIRE(saved >= 0);
    ::dup2(slave, 2);
    const bool cerr_redraws = Progress({.out = &std::cerr}).redraws();
    const bool default_redraws = Progress().redraws();
    std::ostringstream other;
    const bool other_redraws = Progress({.out = &other}).redraws();
    ::dup2(saved, 2);
    ::close(saved);
    ::close(slave);
    ::close(master);
    CHECK(cerr_redraws);
    CHECK(default_redraws);
    CHECK_FALSE(other_redraws);  // a user stream is a log unless told otherwise
#else
    std::ostringstream other;
    CHECK_FALSE(Progress({.out = &other}).redraws());
#endif
}

TEST_CASE("Progress: bad options throw posenc::Error", "[callbacks][progress][errors]") {
    CHECK_THROWS_WITH(Progress({.interval = -1}), Contains("interval"));
    CHECK_THROWS_WITH(Progress({.log_interval = -1}), Contains("log_interval"));
    CHECK_THROWS_WITH(Progress({.every = -1}), Contains("every"));
    CHECK_THROWS_WITH(Progress({.out = nullptr, .file = nullptr}), Contains("null"));
}

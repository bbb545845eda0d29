// examples/common/chart.hpp — line / scatter charts as PNG through gnuplot.
//
// write_chart() always writes NAME.dat (the data, one gnuplot "index" block per series) and NAME.gp
// (a script rendering NAME.png) beside the requested PNG; when gnuplot is installed it runs the script
// (pngcairo terminal if available, else png) and the PNG appears atomically (temporary name + rename).
// Without gnuplot it returns a message telling the user how to render the chart later.
#pragma once
#include <unistd.h>  // access()

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "common/image.hpp"
#include "posenc/core/error.hpp"

namespace posenc::examples {

/// How a series is drawn.
enum class SeriesStyle { Line, Points, LinePoints };

/// One (x, y) series of a chart.
struct Series {
    std::string name;            ///< legend entry
    std::vector<double> x;       ///< abscissae
    std::vector<double> y;       ///< ordinates (same length as x)
    SeriesStyle style = SeriesStyle::Line;  ///< lines, points or both
    std::vector<double> yerr;    ///< optional error bar half lengths (empty, or same length as x)
    bool y2 = false;             ///< drawn against the right-hand axis (Chart::y2label)
};

/// A 2D chart: title, axis labels, optional log axes, any number of series.
struct Chart {
    std::string title;    ///< chart title
    std::string xlabel;   ///< x-axis label
    std::string ylabel;   ///< y-axis label
    std::string y2label;  ///< right-hand axis label (used when a series has y2 set)
    bool logx = false;    ///< logarithmic x axis
    bool logy = false;    ///< logarithmic y axis
    int width = 1000;     ///< PNG width in pixels
    int height = 600;     ///< PNG height in pixels
    double xmin = std::nan("");  ///< x range start (NaN: automatic)
    double xmax = std::nan("");  ///< x range end (NaN: automatic)
    double ymin = std::nan("");  ///< y range start (NaN: automatic)
    double ymax = std::nan("");  ///< y range end (NaN: automatic)
    std::vector<double> xtics;   ///< explicit x tick positions (empty: automatic)
    std::vector<Series> series;  ///< the data

    /// Appends a series and returns *this (for chaining).
    Chart& add(std::string name, std::vector<double> x, std::vector<double> y, SeriesStyle style = SeriesStyle::Line) {
        series.push_back(Series{std::move(name), std::move(x), std::move(y), style, {}});
        return *this;
    }

    /// Appends a series drawn against the right-hand (linear) axis and returns *this.
    Chart& add_y2(std::string name, std::vector<double> x, std::vector<double> y, SeriesStyle style = SeriesStyle::LinePoints) {
        series.push_back(Series{std::move(name), std::move(x), std::move(y), style, {}, true});
        return *this;
    }

    /// Appends a series with error bars y +- yerr (drawn as lines with error bars) and returns *this.
    Chart& add_with_errors(std::string name, std::vector<double> x, std::vector<double> y, std::vector<double> yerr) {
        series.push_back(Series{std::move(name), std::move(x), std::move(y), SeriesStyle::LinePoints, std::move(yerr)});
        return *this;
    }
};

/// What write_chart() produced.
struct ChartFiles {
    std::filesystem::path png;     ///< the PNG (exists only when rendered)
    std::filesystem::path data;    ///< the .dat file (always written)
    std::filesystem::path script;  ///< the .gp script (always written)
    bool rendered = false;         ///< true when gnuplot produced the PNG
    std::string message;           ///< one line for the user: where the chart is or how to render it
};

namespace chart_impl {

/// Single-quotes `s` for /bin/sh.
inline std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char ch : s) q += (ch == '\'') ? std::string("'\\''") : std::string(1, ch);
    return q + "'";
}

/// Escapes a string for a gnuplot double-quoted literal.
inline std::string gp_string(const std::string& s) {
    std::string q = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') q += '\\';
        if (ch == '\n') { q += "\\n"; continue; }
        q += ch;
    }
    return q + "\"";
}

/// True when an executable named `name` is on PATH.
inline bool on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    if (!path) return false;
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
        if (dir.empty()) continue;
        std::error_code ec;
        const auto p = std::filesystem::path(dir) / name;
        if (std::filesystem::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0) return true;
    }
    return false;
}

/// The PNG terminal this machine's gnuplot supports ("pngcairo", "png"), or "" without gnuplot.
/// Checked once per process.
inline const std::string& gnuplot_png_terminal() {
    static const std::string term = [] {
        if (!on_path("gnuplot")) return std::string();
        for (const char* t : {"pngcairo", "png"}) {
            const std::string cmd = std::string("gnuplot -e \"set terminal ") + t + "\" >/dev/null 2>&1";
            if (std::system(cmd.c_str()) == 0) return std::string(t);
        }
        return std::string();
    }();
    return term;
}

/// "set xrange [lo:hi]\n" for axis "x" (an empty bound for a NaN one), or "" when both are NaN.
inline std::string range(const char* axis, double lo, double hi) {
    if (!std::isfinite(lo) && !std::isfinite(hi)) return "";
    std::ostringstream r;
    r.precision(9);
    r << "set " << axis << "range [";
    if (std::isfinite(lo)) r << lo;
    r << ":";
    if (std::isfinite(hi)) r << hi;
    r << "]\n";
    return r.str();
}

/// Line colour and dash type of series `s`: 12 distinct colours, then the same colours dashed, so
/// that charts with many series (rank_curves --all has 11) never repeat a look.
inline std::string series_look(std::size_t s) {
    static const char* const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                                          "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#f0c000"};
    constexpr std::size_t n = sizeof colours / sizeof colours[0];
    return std::string("lc rgb \"") + colours[s % n] + "\" dt " + std::to_string(1 + (s / n) % 5);
}

}  // namespace chart_impl

/// Writes the chart: `png` names the output image (e.g. out/fit.png); out/fit.dat and out/fit.gp are
/// written beside it in any case, and the PNG is rendered when gnuplot is available.
/// Throws posenc::Error when a file cannot be written or a series has mismatched x/y lengths;
/// a gnuplot failure is not an error (reported in the returned message, no partial PNG is left).
inline ChartFiles write_chart(const Chart& chart, const std::filesystem::path& png) {
    ChartFiles files;
    files.png = png;
    files.data = std::filesystem::path(png).replace_extension(".dat");
    files.script = std::filesystem::path(png).replace_extension(".gp");
    const auto dir = png.has_parent_path() ? png.parent_path() : std::filesystem::path(".");

    std::ostringstream dat;
    dat.precision(9);
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
        const Series& se = chart.series[s];
        if (se.x.size() != se.y.size())
            throw Error("chart series \"" + se.name + "\": x and y lengths differ (" + std::to_string(se.x.size()) +
                        " vs " + std::to_string(se.y.size()) + ")");
        if (!se.yerr.empty() && se.yerr.size() != se.x.size())
            throw Error("chart series \"" + se.name + "\": x and yerr lengths differ (" + std::to_string(se.x.size()) +
                        " vs " + std::to_string(se.yerr.size()) + ")");
        dat << "# " << s << ": " << se.name << "\n";
        for (std::size_t i = 0; i < se.x.size(); ++i) {
            dat << se.x[i] << ' ' << se.y[i];
            if (!se.yerr.empty()) dat << ' ' << se.yerr[i];
            dat << '\n';
        }
        dat << "\n\n";  // two blank lines: next gnuplot index block
    }

    const std::string& term = chart_impl::gnuplot_png_terminal();
    std::ostringstream gp;
    gp << "# Renders " << png.filename().string() << " from " << files.data.filename().string()
       << ". Run in this directory: gnuplot " << files.script.filename().string() << "\n"
       << "# (if your gnuplot lacks the pngcairo terminal, replace it by png)\n"
       << "if (!exists(\"outfile\")) outfile = " << chart_impl::gp_string(png.filename().string()) << "\n"
       << "set terminal " << (term.empty() ? "pngcairo" : term) << " size " << chart.width << "," << chart.height
       << "\nset output outfile\n"
       << "set title " << chart_impl::gp_string(chart.title) << " noenhanced\n"
       << "set xlabel " << chart_impl::gp_string(chart.xlabel) << " noenhanced\n"
       << "set ylabel " << chart_impl::gp_string(chart.ylabel) << " noenhanced\n"
       << "set grid\nset key outside below center maxrows 3 noenhanced\n";  // key below: plot and title get the full width
    if (chart.logx) gp << "set logscale x\n";
    if (chart.logy) gp << "set logscale y\n";
    gp << chart_impl::range("x", chart.xmin, chart.xmax) << chart_impl::range("y", chart.ymin, chart.ymax);
    if (!chart.xtics.empty()) {
        std::ostringstream tics;
        tics.precision(9);
        for (std::size_t i = 0; i < chart.xtics.size(); ++i) tics << (i ? ", " : "") << chart.xtics[i];
        gp << "set xtics (" << tics.str() << ")\n";
    }
    for (const Series& se : chart.series)
        if (se.y2) {  // a right-hand axis of its own
            gp << "set y2label " << chart_impl::gp_string(chart.y2label) << " noenhanced\nset ytics nomirror\nset y2tics\n";
            break;
        }
    for (const Series& se : chart.series)
        if (!se.yerr.empty()) {  // keep the end points' error bars off the frame
            gp << "set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n";
            break;
        }
    gp << "plot ";
    const std::string datname = chart_impl::gp_string(files.data.filename().string());
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
        const Series& se = chart.series[s];
        const char* with = !se.yerr.empty()                  ? "yerrorlines pt 7 ps 0.5"
                           : se.style == SeriesStyle::Line     ? "lines lw 1.5"
                           : se.style == SeriesStyle::Points ? "points pt 7 ps 0.5"
                                                             : "linespoints pt 7 ps 0.5";
        gp << (s ? ", \\\n     " : "") << datname << " index " << s << " using " << (se.yerr.empty() ? "1:2" : "1:2:3")
           << (se.y2 ? " axes x1y2" : "") << " with " << with << " "
           << chart_impl::series_look(s) << " title " << chart_impl::gp_string(se.name);
    }
    if (chart.series.empty()) gp << "NaN notitle";
    gp << "\nunset output\n";

    ensure_directory(dir);
    write_text_file(files.data, dat.str());
    write_text_file(files.script, gp.str());

    const std::string how = "cd " + chart_impl::shell_quote(dir.string()) + " && gnuplot " +
                            chart_impl::shell_quote(files.script.filename().string());
    if (term.empty()) {
        files.message = "gnuplot not found: wrote " + files.data.string() + " and " + files.script.string() +
                        "; install gnuplot and run `" + how + "` to get " + png.string();
        return files;
    }
    const auto tmp = image_impl::temp_path_for(png);
    const std::string cmd = "cd " + chart_impl::shell_quote(dir.string()) + " && gnuplot -e " +
                            chart_impl::shell_quote("outfile=" + chart_impl::gp_string(tmp.filename().string())) + " " +
                            chart_impl::shell_quote(files.script.filename().string()) + " >/dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    std::error_code ec;
    if (rc != 0 || !std::filesystem::is_regular_file(tmp, ec) || std::filesystem::file_size(tmp, ec) == 0) {
        std::filesystem::remove(tmp, ec);
        files.message = "gnuplot failed to render " + png.string() + "; the data and script are in " +
                        files.data.string() + " and " + files.script.string() + " (run `" + how + "`)";
        return files;
    }
    image_impl::commit_temp(tmp, png);
    files.rendered = true;
    files.message = "wrote " + png.string();
    return files;
}

}  // namespace posenc::examples

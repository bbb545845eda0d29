// examples/common/cli.hpp — what every example's command line shares:
//
//  * run_main(): owns the CLI::App and turns every failure (CLI11 parse error, posenc::Error, any
//    std::exception) into ONE line on stderr, "<prog>: error: <message>", and exit code 2;
//    --help prints the usage on stdout and exits 0.
//  * ThreadOption: --threads N, the number of OpenMP threads (default 1 unless OMP_NUM_THREADS is set);
//  * EncoderOptions: the common encoder flags --encoder NAME --param P --dim D --periodic --seed K
//    (--offset O for sine) and their mapping to a posenc::EncoderSpec for make_encoder().
//
// Usage:
//
//     int main(int argc, char** argv) {
//         return posenc::examples::run_main(argc, argv, "What the program does", [&](CLI::App& app) {
//             posenc::examples::EncoderOptions enc;
//             enc.add_to(app);
//             int steps = 100;
//             app.add_option("--steps", steps, "training steps")->check(CLI::PositiveNumber);
//             app.parse(argc, argv);                 // throws on bad arguments / --help
//             auto encoder = posenc::make_encoder<float>(enc.spec());
//             ...
//             return 0;
//         });
//     }
#pragma once
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/factory.hpp"

namespace posenc::examples {

/// Exit code of every example for bad arguments and any other error.
inline constexpr int kExitError = 2;

/// The program name for messages: the last path component of argv[0] ("rank_curves").
inline std::string program_name(const char* argv0) {
    std::string s = argv0 ? argv0 : "";
    const auto slash = s.find_last_of('/');
    if (slash != std::string::npos) s = s.substr(slash + 1);
    return s.empty() ? std::string("posenc") : s;
}

/// The message on one line: newlines and tabs become spaces, surrounding blanks are trimmed.
inline std::string one_line(std::string msg) {
    for (char& c : msg)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    const auto b = msg.find_first_not_of(' ');
    const auto e = msg.find_last_not_of(' ');
    return b == std::string::npos ? std::string("unknown error") : msg.substr(b, e - b + 1);
}

/// Runs an example's main. Creates the CLI::App (named after argv[0], with `description`) and calls
/// `body(app)`, which adds its options, calls `app.parse(argc, argv)` itself and then does the work,
/// returning the exit code. Turns a CLI11 parse error, a posenc::Error or any std::exception into
/// one line "<prog>: error: <message>" on stderr and returns kExitError (2); --help (and
/// --help-all) print the usage on stdout and return 0.
template <class F>
int run_main(int argc, char** argv, const std::string& description, F&& body) {
    const std::string prog = program_name(argc > 0 ? argv[0] : nullptr);
    CLI::App app{description, prog};
    auto fail = [&](const std::string& msg) {
        std::cout.flush();
        std::cerr << prog << ": error: " << one_line(msg) << std::endl;
        return kExitError;
    };
    try {
        return body(app);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help
        return fail(e.what());
    } catch (const posenc::Error& e) {
        return fail(e.what());
    } catch (const std::exception& e) {
        return fail(e.what());
    } catch (...) {
        return fail("unknown exception");
    }
}

/// --threads N: how many OpenMP threads posenc (and Eigen's GEMM) use.
///
/// Default: 1, unless the environment sets OMP_NUM_THREADS (then OpenMP's own setting is kept). The
/// examples' problems are small (a few hundred points); every parallel region then costs more than it
/// saves as soon as the second core is busy with anything else (measured on the shared 2-core build
/// machine: the demo took 25 s with 1 thread and over 6 min with 2, see docs/examples.md).
/// `--threads 0` keeps OpenMP's default (all cores).
struct ThreadOption {
    int threads = 1;                ///< --threads N (0 = OpenMP default)
    CLI::Option* opt = nullptr;     ///< set by add_to()

    /// Adds --threads to `app`.
    void add_to(CLI::App& app) {
        opt = app.add_option("--threads", threads,
                             "OpenMP threads (default 1 unless OMP_NUM_THREADS is set; 0 = OpenMP default, all cores)")
                  ->check(CLI::Range(0, 1024));
    }

    /// Applies the setting (call after parsing); returns the number of threads in use.
    int apply() const {
#if defined(_OPENMP)
        const bool given = opt && opt->count() > 0;
        if (given ? threads > 0 : std::getenv("OMP_NUM_THREADS") == nullptr) omp_set_num_threads(given ? threads : 1);
#endif
        return num_threads();
    }
};

/// The encoder flags shared by the examples and their mapping to an EncoderSpec:
///
///     --encoder NAME   any make_encoder() type except the composites (the list in --help comes from
///                      the factory's registry, posenc/encoding/factory.hpp)
///     --param P        the type's main parameter (sigma, width, freq, max_freq, levels); required
///                      when the type requires it, an error for types without one (impulse, noise,
///                      basic, none)
///     --offset O       sine only: the constant added to sin(2 pi f u) (default 0.7)
///     --dim D          output size (number of shifts / 2 x frequencies); ignored by types without
///                      a dim (basic, none)
///     --periodic       periodic domain for the shifted bases (ignored by the Fourier types)
///     --seed K         seed of rff / learnable_fourier / noise / the hashgrid's table init (ignored by the others)
///     --levels L --features F --log2-table K --base-res N --max-res N --per-level-scale B
///     --interpolation linear|smoothstep|nearest --grid-alignment vertex|tcnn
///                      hashgrid only (Grid<T>, docs/encodings.md section 5); the examples default to
///                      protocol E's vertex alignment (docs/protocols.md), the library to tiny-cuda-nn's
struct EncoderOptions {
    std::string encoder;        ///< --encoder NAME
    double param = 0;           ///< --param P (only used when given)
    bool param_auto = false;    ///< --param auto (fit_1d / fit_2d resolve it before calling spec())
    double offset = 0.7;        ///< --offset O (sine only; only used when given)
    std::int64_t dim = 0;       ///< --dim D (only used when given)
    bool periodic = false;      ///< --periodic
    std::int64_t seed = 0;      ///< --seed K (only used when given; >= 0)
    /// hashgrid flags (only used when given, except the alignment): --levels, --features, --log2-table,
    /// --base-res, --max-res, --per-level-scale, --interpolation, --grid-alignment (default vertex)
    std::int64_t levels = 16, features = 2, log2_table = 19, base_res = 16;
    double max_res = 0, per_level_scale = 2;
    std::string interpolation = "linear", grid_alignment = "vertex";
    bool max_res_auto = false, log2_table_auto = false;  ///< --max-res auto / --log2-table auto (fit_2d resolves them before spec())

    /// "auto" -> true; else `value` = the number (CLI::ValidationError naming `flag` if it is not one).
    static bool parse_real_or_auto(const char* flag, const std::string& text, double& value) {
        if (text == "auto") return true;
        std::size_t used = 0;
        try {
            value = std::stod(text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != text.size() || text.empty())
            throw CLI::ValidationError(flag, "expected a number or \"auto\", got \"" + text + "\"");
        return false;
    }
    static bool parse_int_or_auto(const char* flag, const std::string& text, std::int64_t& value) {
        double v = 0;
        if (parse_real_or_auto(flag, text, v)) return true;
        if (!(v == std::floor(v) && std::abs(v) < 9.0e15))
            throw CLI::ValidationError(flag, "expected an integer or \"auto\", got \"" + text + "\"");
        value = std::int64_t(v);
        return false;
    }
    std::vector<CLI::Option*> grid_opts;  ///< set by add_to()

    CLI::Option* encoder_opt = nullptr;  ///< set by add_to()
    CLI::Option* param_opt = nullptr;    ///< set by add_to()
    CLI::Option* offset_opt = nullptr;   ///< set by add_to()
    CLI::Option* dim_opt = nullptr;      ///< set by add_to()
    CLI::Option* seed_opt = nullptr;     ///< set by add_to()

    /// The accepted --encoder names for --help: every non-composite type of the factory's table
    /// (posenc/encoding/factory.hpp), then `extra` (names a program handles itself, e.g. fit_2d's
    /// complex_gaussian), comma-separated.
    static std::string encoder_names(const std::string& extra = {}) {
        std::string s;
        for (const auto& t : detail::encoder_table()) {
            if (t.composite) continue;
            if (!s.empty()) s += ", ";
            s += t.type;
        }
        if (!extra.empty()) s += ", " + extra;
        return s;
    }

    std::string extra_encoders;  ///< names the program accepts beyond the factory's (for --help); set before add_to()

    /// Adds the flags to `app`; --encoder is always required, --dim when `dim_required`.
    void add_to(CLI::App& app, bool dim_required = true) {
        encoder_opt = app.add_option("--encoder", encoder, "encoder: " + encoder_names(extra_encoders))->required();
        param_opt = app.add_option_function<std::string>(
            "--param",
            [this](const std::string& text) {
                param_auto = text == "auto";
                if (param_auto) return;
                std::size_t used = 0;
                try {
                    param = std::stod(text, &used);
                } catch (const std::exception&) {
                    used = 0;
                }
                if (used != text.size() || text.empty())
                    throw CLI::ValidationError("--param", "expected a number or \"auto\", got \"" + text + "\"");
            },
            "main parameter: sigma (gaussian, rff, learnable_gaussian, learnable_fourier), width (triangle half width, sinc), freq (square, sine), "
            "max_freq (linf), levels (logf); fit_1d / fit_2d also take \"auto\" (recommended from the training "
            "samples, posenc/analysis/bandwidth.hpp)");
        offset_opt = app.add_option("--offset", offset, "sine only: offset added to the sine (default 0.7)");
        dim_opt = app.add_option("--dim", dim, "output dimension D (shifts, or 2 x frequencies)")
                      ->check(CLI::Range(std::int64_t(1), std::int64_t(1) << 26));
        if (dim_required) dim_opt->required();
        app.add_flag("--periodic", periodic, "periodic domain (shifted bases)");
        seed_opt = app.add_option("--seed", seed, "random seed (rff, learnable_fourier, noise, hashgrid table), an integer >= 0")
                       ->check(CLI::Range(std::int64_t(0), std::int64_t(1) << 53));
        grid_opts = {
            app.add_option("--levels", levels, "hashgrid: levels L (default 16)"),
            app.add_option("--features", features, "hashgrid: features per level F (default 2)"),
            app.add_option_function<std::string>(
                "--log2-table", [this](const std::string& t) { log2_table_auto = parse_int_or_auto("--log2-table", t, log2_table); },
                "hashgrid: log2 of the table size per level (default 19); fit_2d also takes \"auto\" (the smallest "
                "table with every level dense, posenc/analysis/grid_resolution.hpp)"),
            app.add_option("--base-res", base_res, "hashgrid: coarsest resolution N_min (default 16)"),
            app.add_option_function<std::string>(
                "--max-res", [this](const std::string& t) { max_res_auto = parse_real_or_auto("--max-res", t, max_res); },
                "hashgrid: finest resolution N_max (overrides --per-level-scale); fit_2d also takes \"auto\" (finest "
                "cells one training-sample spacing wide, posenc/analysis/grid_resolution.hpp)"),
            app.add_option("--per-level-scale", per_level_scale, "hashgrid: resolution growth b per level (default 2)"),
            app.add_option("--interpolation", interpolation, "hashgrid: linear, smoothstep or nearest (default linear)"),
            app.add_option("--grid-alignment", grid_alignment,
                           "hashgrid: vertex (protocol E, default) or tcnn (tiny-cuda-nn's +0.5 offset)")};
    }

    /// True when --param was given.
    bool has_param() const { return param_opt && param_opt->count() > 0; }

    /// The EncoderSpec for make_encoder(): validated against the factory's table (unknown or composite
    /// type, missing/unexpected --param, --offset for a type other than sine -> posenc::Error naming
    /// the flag). Parameter values themselves are checked by make_encoder().
    EncoderSpec spec() const {
        if (encoder == "per_axis" || encoder == "concat")
            throw Error("--encoder: \"" + encoder + "\" needs child encoders and cannot be built from flags");
        const auto keys = encoder_parameters(encoder);  // throws for an unknown type, listing the known ones
        const auto* info = detail::find_encoder_type(encoder);
        std::map<std::string, double> opts;
        if (dim_opt && dim_opt->count()) opts["dim"] = double(dim);
        if (periodic) opts["periodic"] = 1;
        if (seed_opt && seed_opt->count()) opts["seed"] = double(seed);
        EncoderSpec s = spec_for(encoder, opts);
        const bool has_main = info && *info->main;
        if (has_param() && param_auto)
            throw Error("--param auto: this program does not choose the parameter (fit_1d, fit_2d and "
                        "choose_encoding do, for gaussian, gaussian2, triangle and complex_gaussian)");
        if (has_param()) {
            if (!has_main) throw Error("--param: encoder \"" + encoder + "\" has no parameter");
            s.params["param"] = param;
        } else if (has_main) {
            if (const auto* m = info->find(info->main); m && m->required())
                throw Error("--param is required for encoder \"" + encoder + "\" (its " + info->main + ")");
        }
        const bool grid_flags = std::any_of(grid_opts.begin(), grid_opts.end(), [](CLI::Option* o) { return o->count() > 0; });
        if (max_res_auto || log2_table_auto)
            throw Error(std::string(max_res_auto ? "--max-res" : "--log2-table") +
                        " auto: this program does not choose it (fit_2d does, for --encoder hashgrid)");
        if (encoder == "hashgrid") {
            auto given = [&](std::size_t i) { return grid_opts.size() > i && grid_opts[i]->count() > 0; };
            if (given(0)) s.params["levels"] = double(levels);
            if (given(1)) s.params["features"] = double(features);
            if (given(2)) s.params["log2_table_size"] = double(log2_table);
            if (given(3)) s.params["base_resolution"] = double(base_res);
            if (given(4)) s.params["max_resolution"] = max_res;
            if (given(5)) s.params["per_level_scale"] = per_level_scale;
            s.params["interpolation"] = double(int(grid_interpolation_from_name(interpolation)));
            s.params["alignment"] = double(int(grid_alignment_from_name(grid_alignment)));
        } else if (grid_flags) {
            throw Error("--levels, --features, --log2-table, --base-res, --max-res, --per-level-scale, --interpolation "
                        "and --grid-alignment only apply to --encoder hashgrid (got " + encoder + ")");
        }
        if (offset_opt && offset_opt->count()) {
            if (encoder != "sine") throw Error("--offset only applies to --encoder sine (got " + encoder + ")");
            s.params["offset"] = offset;
        }
        return s;
    }
};

}  // namespace posenc::examples

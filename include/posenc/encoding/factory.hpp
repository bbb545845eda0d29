// posenc/encoding/factory.hpp — build any posenc encoder at run time from a name + numeric parameters.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/encoding/any_encoder.hpp"
#include "posenc/encoding/concat.hpp"
#include "posenc/encoding/directional.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/fourier.hpp"
#include "posenc/encoding/frequencies.hpp"
#include "posenc/encoding/grid.hpp"
#include "posenc/encoding/identity.hpp"
#include "posenc/encoding/oneblob.hpp"
#include "posenc/encoding/per_axis.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/profiles/impulse.hpp"
#include "posenc/encoding/profiles/random_noise.hpp"
#include "posenc/encoding/profiles/sinc.hpp"
#include "posenc/encoding/profiles/sine_wave.hpp"
#include "posenc/encoding/profiles/square_wave.hpp"
#include "posenc/encoding/profiles/triangle.hpp"
#include "posenc/encoding/scaling.hpp"
#include "posenc/encoding/shifted_basis.hpp"
#include "posenc/encoding/spherical_harmonics.hpp"
#include "posenc/encoding/triangle_wave.hpp"

namespace posenc {

namespace detail {

/// One row of the factory's table: a type, the parameters it accepts (required ones first in `required`),
/// and the parameter the generic key "param" stands for ("" if none).
struct EncoderTypeInfo {
    const char* type;
    const char* main;                      // target of the "param" alias, "" = none
    std::vector<const char*> required;     // must be present (after alias resolution)
    std::vector<const char*> optional;     // may be present
    bool composite = false;                // takes children
    const char* summary;                   // one line for docs / --help
};

inline const std::vector<EncoderTypeInfo>& encoder_table() {
    // Parameters shared by every shifted basis and every Fourier type.
    static const std::vector<EncoderTypeInfo> table = [] {
        const std::vector<const char*> basis = {"periodic", "scale", "input_dim"};
        const std::vector<const char*> fourier = {"input_dim", "scale", "include_input"};
        auto with = [](std::vector<const char*> a, std::vector<const char*> b) {
            a.insert(a.end(), b.begin(), b.end());
            return a;
        };
        return std::vector<EncoderTypeInfo>{
            {"basic", "", {}, fourier, false, "[sin 2 pi x; cos 2 pi x] per axis"},
            {"concat", "", {}, {}, true, "children's codes stacked (same input)"},
            {"directional", "", {}, {"scale"}, true,
             "four-direction 2D code of one 1D child: x, y, (x+y)/2, (x-y+1)/2"},
            {"gaussian", "sigma", {"sigma", "dim"}, with(basis, {"tol"}), false,
             "shifted Gaussian basis exp(-u^2/(2 sigma^2))"},
            {"gaussian2", "sigma", {"sigma", "dim"}, with(basis, {"tol"}), false,
             "per-axis 2D Gaussian basis (gaussian with input_dim 2)"},
            {"hashgrid", "", {},
             {"input_dim", "levels", "features", "log2_table_size", "base_resolution", "per_level_scale",
              "max_resolution", "interpolation", "alignment", "seed"},
             false, "multiresolution hash grid with a trainable table (tiny-cuda-nn Grid; Grid<T>)"},
            {"identity", "", {}, {"input_dim"}, false, "no encoding: code = x"},
            {"impulse", "", {"dim"}, basis, false, "one-hot on the nearest shift"},
            {"linf", "max_freq", {"max_freq", "dim"}, fourier, false,
             "linearly spaced frequencies 1..max_freq per axis"},
            {"logf", "levels", {"levels"}, with(fourier, {"dim"}), false,
             "log-spaced frequencies 2^0..2^(levels-1) per axis (NeRF)"},
            {"noise", "", {"dim"}, with(basis, {"seed"}), false, "random profile sampled on the shift grid"},
            {"none", "", {}, {"input_dim"}, false, "no encoding (same as identity)"},
            {"oneblob", "n_bins", {"n_bins"}, {"input_dim"}, false,
             "tiny-cuda-nn OneBlob: n_bins quartic-kernel bins per axis on [0, 1] (wrapping)"},
            {"per_axis", "", {}, {"input_dim", "scale"}, true, "one 1D child encoder per axis"},
            {"rff", "sigma", {"sigma", "dim"}, with(fourier, {"seed"}), false,
             "random Fourier features B ~ sigma N(0, I)"},
            {"sinc", "width", {"width", "dim"}, basis, false, "shifted sinc basis sin(pi u/w)/(pi u/w)"},
            {"sine", "freq", {"dim"}, with(basis, {"freq", "offset"}), false, "shifted sin(2 pi f u) + offset"},
            {"spherical_harmonics", "degree", {"degree"}, {"input_dim", "tol"}, false,
             "tiny-cuda-nn SphericalHarmonics: degree^2 real SH of the unit direction 2x - 1"},
            {"square", "freq", {"dim"}, with(basis, {"freq"}), false, "shifted square wave sign(sin 2 pi f u)"},
            {"triangle", "width", {"width", "dim"}, basis, false, "shifted triangle max(0, 1 - |u|/width)"},
            {"triangle_wave", "n_frequencies", {"n_frequencies"}, {"input_dim"}, false,
             "tiny-cuda-nn TriangleWave: 4|frac(x 2^(k-1) + k/4) - 1/2| - 1, k < n_frequencies, per axis"},
        };
    }();
    return table;
}

inline const EncoderTypeInfo* find_encoder_type(const std::string& type) {
    for (const auto& t : encoder_table())
        if (type == t.type) return &t;
    return nullptr;
}

inline std::string known_encoder_list() {
    std::string s;
    for (const auto& t : encoder_table()) {
        if (!s.empty()) s += ", ";
        s += t.type;
    }
    return s;
}

/// Number for messages: shortest round-trip text, or nan / inf / -inf.
inline std::string number_text(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return format_number(x);
}

constexpr double kMaxDim = 67108864.0;              // 2^26: far beyond real use, bounds allocations
constexpr double kMaxSeed = 9007199254740992.0;     // 2^53: every integer below is exact in double
constexpr double kMaxInputDim = 1024.0;
constexpr double kMaxGridTable = 268435456.0;     // 2^28 table values of a hashgrid (1 GiB in float)
constexpr double kMaxFrequencyEntries = 16777216.0;  // 2^24 entries of a Fourier frequency matrix B
constexpr int kMaxSpecDepth = 16;                     // nesting levels of composite specs

/// Largest frequency, inverse width and |offset| the factory accepts for codes in T: sqrt(max<T>) / 8
/// (about 2.3e18 in float, 1.7e153 in double). Products of two such numbers (1 / sigma^2, pi/w * pi/w in
/// the sinc derivative, 2 pi f, a phase summed over 1024 axes) stay far below max<T>, so no profile or
/// Fourier phase evaluates to inf or NaN on the domain (e.g. float's 1 / (2 sigma^2) = inf for
/// sigma = 1e-20 made psi(0) = exp(-0 * inf) = NaN). Far beyond any real use: D <= 2^26 shifts are
/// 1.5e-8 apart, and logf's 2^60 is below both limits.
template <class T>
double max_rate() {
    return std::sqrt(double(std::numeric_limits<T>::max())) / 8.0;
}
/// rff draws B = sigma * N(0, 1) with |N(0, 1)| < 8.6 (posenc::Rng's Box-Muller), so sigma <= max_rate / 16.
constexpr double kRffSigmaMargin = 16.0;

/// Validates and reads the parameters of one spec; records the normalised spec (alias resolved,
/// defaults filled in) and prefixes every error with `encoder "<type>": `.
class SpecReader {
public:
    SpecReader(const EncoderSpec& spec, const EncoderTypeInfo& info) : info_(info) {
        norm_.type = spec.type;
        norm_.params = spec.params;  // children are normalised (and copied) by the composite builders only
        auto& p = norm_.params;
        // The generic "param" is an alias for the type's main parameter.
        if (auto it = p.find("param"); it != p.end()) {
            if (*info.main == '\0') fail("unknown parameter \"param\" (this encoder has no main parameter; known: " +
                                         known_params() + ")");
            if (p.count(info.main))
                fail("parameter \"param\" is an alias of \"" + std::string(info.main) + "\"; give only one of them");
            const double v = it->second;
            p.erase(it);
            p[info.main] = v;
        }
        for (const auto& [key, value] : p) {
            if (!accepts(key)) fail("unknown parameter \"" + key + "\" (known: " + known_params() + ")");
            if (!std::isfinite(value))
                fail("parameter \"" + key + "\" must be finite (got " + number_text(value) + ")");
        }
        for (const char* r : info.required)
            if (!p.count(r)) fail("missing required parameter \"" + std::string(r) + "\"");
        if (!info.composite && !spec.children.empty())
            fail("takes no children (got " + std::to_string(spec.children.size()) + ")");
    }

    [[noreturn]] void fail(const std::string& msg) const {
        detail::fail("encoder \"", norm_.type, "\": ", msg);
    }

    bool has(const char* key) const { return norm_.params.count(key) > 0; }

    /// Finite real; fills the default when absent.
    double real(const char* key, double def) {
        auto [it, inserted] = norm_.params.try_emplace(key, def);
        (void)inserted;
        return it->second;
    }
    /// positive(key) that must also be >= lo: a width the codes divide by in the scalar type `type`.
    double width(const char* key, double lo, const char* type) {
        const double v = positive(key);
        if (v < lo)
            fail("parameter \"" + std::string(key) + "\" is too small for " + type + " (got " + number_text(v) +
                 "; must be >= " + number_text(lo) + ", or the codes overflow " + type + ")");
        return v;
    }
    /// A finite real (default `def` when absent) with |value| <= hi: a frequency or offset the codes are
    /// multiplied by in the scalar type `type`.
    double at_most(const char* key, double def, double hi, const char* type) {
        const double v = real(key, def);
        if (!(std::abs(v) <= hi))
            fail("parameter \"" + std::string(key) + "\" is too large for " + type + " (got " + number_text(v) +
                 "; |" + key + "| must be <= " + number_text(hi) + ", or the codes overflow " + type + ")");
        return v;
    }
    /// Finite and > 0.
    double positive(const char* key) {
        const double v = norm_.params.at(key);
        if (!(v > 0)) fail("parameter \"" + std::string(key) + "\" must be > 0 (got " + number_text(v) + ")");
        return v;
    }
    double positive(const char* key, double def) {
        real(key, def);
        return positive(key);
    }
    /// Integer in [lo, hi]; fills the default when absent (def < lo means "required").
    Index integer(const char* key, double lo, double hi, double def = -1) {
        if (!has(key)) {
            if (def < lo) fail("missing required parameter \"" + std::string(key) + "\"");
            norm_.params[key] = def;
        }
        const double v = norm_.params.at(key);
        if (!(v == std::floor(v) && v >= lo && v <= hi))
            fail("parameter \"" + std::string(key) + "\" must be an integer in [" + number_text(lo) + ", " +
                 number_text(hi) + "] (got " + number_text(v) + ")");
        return Index(v);
    }
    /// 0 or 1.
    bool flag(const char* key, bool def) {
        if (!has(key)) norm_.params[key] = def ? 1.0 : 0.0;
        const double v = norm_.params.at(key);
        if (v != 0.0 && v != 1.0) fail("parameter \"" + std::string(key) + "\" must be 0 or 1 (got " + number_text(v) + ")");
        return v == 1.0;
    }
    /// The output size "dim", required, in [1, 2^26].
    Index dim() { return integer("dim", 1, kMaxDim); }
    /// "input_dim" with a default.
    Index input_dim(Index def) { return integer("input_dim", 1, kMaxInputDim, double(def)); }
    /// "scale" flag as a Scaling (default: unit norm at the centre).
    Scaling scaling() { return flag("scale", true) ? Scaling::UnitNormAtCenter : Scaling::None; }
    /// A seed: integer in [0, 2^53].
    std::uint64_t seed() { return std::uint64_t(integer("seed", 0, kMaxSeed, 0)); }
    /// dim / divisor, requiring exact divisibility.
    Index divide(Index dim, Index divisor, const std::string& why) {
        if (dim % divisor != 0)
            fail("parameter \"dim\" must be a multiple of " + std::to_string(divisor) + " (" + why + "; got " +
                 std::to_string(dim) + ")");
        return dim / divisor;
    }

    const EncoderSpec& normalised() const { return norm_; }
    EncoderSpec& normalised() { return norm_; }

private:
    bool accepts(const std::string& key) const {
        for (const char* k : info_.required)
            if (key == k) return true;
        for (const char* k : info_.optional)
            if (key == k) return true;
        return false;
    }
    std::string known_params() const {
        std::string s;
        auto add = [&](const char* k) {
            if (!s.empty()) s += ", ";
            s += k;
        };
        for (const char* k : info_.required) add(k);
        for (const char* k : info_.optional) add(k);
        if (*info_.main) add("param");
        return s.empty() ? "none" : s;
    }

    const EncoderTypeInfo& info_;
    EncoderSpec norm_;
};

/// build(scaling) with the spec's scaling. When that throws posenc::Error but build(Scaling::None) works,
/// the unit-norm constant is what failed (the raw code of the centre underflows or overflows T): the
/// error then names the parameter "scale" and says how to avoid it.
template <class T, class Build>
AnyEncoder<T> build_scaled(SpecReader& r, Scaling scaling, Build&& build) {
    try {
        return build(scaling);
    } catch (const Error& e) {
        if (scaling != Scaling::UnitNormAtCenter) throw;
        bool unscaled_ok = true;
        try {
            (void)build(Scaling::None);
        } catch (const Error&) {
            unscaled_ok = false;
        }
        if (!unscaled_ok) throw;  // the original error: not about the scale
        r.fail(std::string("parameter \"scale\" = 1 (unit norm at the centre) is impossible in ") +
               scalar_name<T>() + ": " + e.what() + "; \"scale\": 0 keeps the raw codes");
    }
}

/// A shifted basis of profile p from the common basis keys (dim, periodic, scale, input_dim).
template <class T, class P>
AnyEncoder<T> make_shifted(SpecReader& r, P profile, Index default_input_dim) {
    const Index dim = r.dim();
    const Domain domain = r.flag("periodic", false) ? Domain::Periodic : Domain::Bounded;
    const Scaling scaling = r.scaling();
    const Index d = r.input_dim(default_input_dim);
    if (d == 1)
        return build_scaled<T>(r, scaling, [&](Scaling s) {
            return AnyEncoder<T>(ShiftedBasis<P, T>(profile, dim, domain, s), r.normalised());
        });
    const Index per_axis = r.divide(dim, d, "dim / input_dim shifts per axis");
    // Protocol C: unscaled axes, ONE constant making the code of (0.5, ..., 0.5) unit norm.
    ShiftedBasis<P, T> axis(std::move(profile), per_axis, domain, Scaling::None);
    return build_scaled<T>(r, scaling, [&](Scaling s) {
        return AnyEncoder<T>(PerAxis<ShiftedBasis<P, T>>(axis, d, s), r.normalised());
    });
}

template <class T>
AnyEncoder<T> make_fourier(SpecReader& r, const EncoderSpec& spec) {
    const std::string& type = spec.type;
    const Index d = r.input_dim(1);
    const Scaling scaling = r.scaling();
    const bool include_input = r.flag("include_input", false);
    // Bound the frequency matrix (count x d entries) before allocating it.
    auto check_size = [&](double count) {
        if (count * double(d) > kMaxFrequencyEntries)
            r.fail("the frequency matrix would have " + number_text(count * double(d)) +
                   " entries (frequencies x input_dim must be <= 2^24)");
    };
    Eigen::MatrixXd B;
    if (type == "basic") {
        check_size(double(d));
        B = basic_frequencies(d);
    } else if (type == "linf") {
        const double fmax = r.positive("max_freq");
        if (fmax < 1) r.fail("parameter \"max_freq\" must be >= 1 (got " + number_text(fmax) + ")");
        r.at_most("max_freq", fmax, max_rate<T>(), scalar_name<T>());
        const Index n = r.divide(r.dim(), 2 * d, "2 * input_dim: sin and cos per frequency per axis");
        check_size(double(n) * double(d));
        B = linear_frequencies(d, n, fmax);
    } else if (type == "logf") {
        const double levels = r.positive("levels");
        if (r.has("dim")) {
            if (!(levels >= 1 && levels <= 61))
                r.fail("parameter \"levels\" must be in [1, 61] (got " + number_text(levels) + ")");
            const Index n = r.divide(r.dim(), 2 * d, "2 * input_dim: sin and cos per frequency per axis");
            check_size(double(n) * double(d));
            B = log_spaced_frequencies(d, n, levels - 1.0);
        } else {
            const Index L = r.integer("levels", 1, 61);
            check_size(double(L) * double(d));
            B = log_frequencies(d, L);
        }
    } else {  // rff
        const double sigma = r.positive("sigma");
        r.at_most("sigma", sigma, max_rate<T>() / kRffSigmaMargin, scalar_name<T>());
        const Index M = r.divide(r.dim(), 2, "the output is [sin; cos] of dim/2 frequencies");
        check_size(double(M));
        B = random_frequencies(M, d, sigma, r.seed());
    }
    return AnyEncoder<T>(FourierFeatures<T>(std::move(B), include_input, scaling), r.normalised());
}

template <class T>
AnyEncoder<T> make_encoder_impl(const EncoderSpec& spec, int depth);

template <class T>
AnyEncoder<T> make_child(const EncoderSpec& parent, std::size_t i, int depth) {
    try {
        return make_encoder_impl<T>(parent.children[i], depth + 1);
    } catch (const Error& e) {
        detail::fail("encoder \"", parent.type, "\": child ", i, ": ", e.what());
    }
}

template <class T>
AnyEncoder<T> make_encoder_impl(const EncoderSpec& spec, int depth) {
    if (depth >= kMaxSpecDepth)
        detail::fail("encoder spec nested too deeply (more than ", kMaxSpecDepth, " levels)");
    const EncoderTypeInfo* info = find_encoder_type(spec.type);
    if (!info) detail::fail("unknown encoder \"", spec.type, "\" (known: ", known_encoder_list(), ")");
    SpecReader r(spec, *info);
    const std::string& t = spec.type;
    // Widths, frequencies and offsets within what T can evaluate (see max_rate), named when out of range.
    const char* tname = scalar_name<T>();
    const double min_width = 1.0 / max_rate<T>();
    auto freq = [&] {
        r.positive("freq", 1.0);
        return r.at_most("freq", 1.0, max_rate<T>(), tname);
    };
    try {
        if (t == "identity" || t == "none") return AnyEncoder<T>(Identity<T>(r.input_dim(1)), r.normalised());
        if (t == "basic" || t == "linf" || t == "logf" || t == "rff") return make_fourier<T>(r, spec);
        if (t == "gaussian" || t == "gaussian2") {
            const double sigma = r.width("sigma", min_width, tname);
            const Gaussian g = r.has("tol") ? Gaussian(sigma, r.positive("tol")) : Gaussian(sigma);
            return make_shifted<T>(r, g, t == "gaussian2" ? 2 : 1);
        }
        if (t == "triangle") return make_shifted<T>(r, Triangle(r.width("width", min_width, tname)), 1);
        if (t == "sinc") return make_shifted<T>(r, Sinc(r.width("width", min_width, tname)), 1);
        if (t == "impulse") return make_shifted<T>(r, Impulse(), 1);
        if (t == "square") return make_shifted<T>(r, SquareWave(freq()), 1);
        if (t == "sine") {
            const double f = freq();
            return make_shifted<T>(r, SineWave(f, r.at_most("offset", 0.7, max_rate<T>(), tname)), 1);
        }
        if (t == "noise") return make_shifted<T>(r, RandomNoise(r.seed()), 1);
        if (t == "oneblob" || t == "triangle_wave") {
            // tiny-cuda-nn's per-axis encodings (docs/encodings.md section 6): n per axis, d axes
            const bool blob = t == "oneblob";
            const char* key = blob ? "n_bins" : "n_frequencies";
            const Index n = r.integer(key, 1, blob ? kMaxDim : double(TriangleWave<T>::kMaxFrequencies));
            if (blob && (n & (n - 1)) != 0)
                r.fail("parameter \"n_bins\" must be a power of two (tcnn's requirement; got " + std::to_string(n) + ")");
            const Index d = r.input_dim(1);
            if (double(n) * double(d) > kMaxDim)
                r.fail("output dim input_dim x " + std::string(key) + " = " + std::to_string(d) + " x " +
                       std::to_string(n) + " is too large (at most " + number_text(kMaxDim) + ")");
            if (blob) return AnyEncoder<T>(OneBlob<T>(n, d), r.normalised());
            return AnyEncoder<T>(TriangleWave<T>(n, d), r.normalised());
        }
        if (t == "hashgrid") {
            // Grid<T> (encoding/grid.hpp, docs/encodings.md section 5); GridConfig::validate() names
            // what is out of range, the table's size is checked here before it is allocated
            GridConfig c;
            c.input_dim = r.input_dim(2);
            c.levels = r.integer("levels", 1, 32, 16);
            c.features = r.integer("features", 1, 8, 2);
            c.log2_table_size = r.integer("log2_table_size", 1, 30, 19);
            c.base_resolution = r.integer("base_resolution", 2, double(Index(1) << 24), 16);
            c.per_level_scale = r.real("per_level_scale", 2.0);
            c.max_resolution = r.real("max_resolution", 0.0);
            c.interpolation = GridInterpolation(r.integer("interpolation", 0, 2, 1));  // nearest, linear, smoothstep
            c.alignment = GridAlignment(r.integer("alignment", 0, 1, 0));              // tcnn, vertex
            c.seed = std::uint64_t(r.integer("seed", 0, kMaxSeed, 1337));
            try {
                c.validate();
            } catch (const Error& e) {
                r.fail(e.what());
            }
            double entries = 0;
            for (const GridLevel& lv : grid_levels(c)) entries += double(lv.size);
            if (entries * double(c.features) > kMaxGridTable)
                r.fail("the table would hold " + number_text(entries * double(c.features)) + " values (at most " +
                       number_text(kMaxGridTable) + "): lower log2_table_size, levels or features");
            return AnyEncoder<T>(Grid<T>(c), r.normalised());
        }
        if (t == "spherical_harmonics") {
            const Index L = r.integer("degree", 1, double(SphericalHarmonics<T>::kMaxDegree));
            const Index d = r.input_dim(3);
            if (d != 3)
                r.fail("parameter \"input_dim\" must be 3 (a direction; got " + std::to_string(d) + ")");
            const double tol = r.positive("tol", 1e-3);
            if (!(tol < 1)) r.fail("parameter \"tol\" must be in (0, 1) (got " + number_text(tol) + ")");
            return AnyEncoder<T>(SphericalHarmonics<T>(L, tol), r.normalised());
        }
        if (t == "directional") {
            if (spec.children.size() != 1)
                r.fail("needs exactly one child (the 1D encoder; got " + std::to_string(spec.children.size()) + ")");
            const Scaling scaling = r.scaling();
            AnyEncoder<T> child = make_child<T>(spec, 0, depth);
            if (child.input_dim() != 1)
                r.fail("the child must have input_dim 1 (got " + std::to_string(child.input_dim()) + ")");
            if (double(Directional<AnyEncoder<T>>::kBlocks) * double(child.output_dim()) > kMaxDim)
                r.fail("output dim 4 x child dim = 4 x " + std::to_string(child.output_dim()) +
                       " is too large (at most " + number_text(kMaxDim) + ")");
            r.normalised().children = {child.spec()};
            return build_scaled<T>(r, scaling, [&](Scaling s) {
                return AnyEncoder<T>(Directional<AnyEncoder<T>>(child, s), r.normalised());
            });
        }
        if (t == "per_axis") {
            if (spec.children.size() != 1)
                r.fail("needs exactly one child (the 1D encoder; got " + std::to_string(spec.children.size()) + ")");
            const Index d = r.input_dim(2);
            const Scaling scaling = r.scaling();
            AnyEncoder<T> child = make_child<T>(spec, 0, depth);
            if (child.input_dim() != 1)
                r.fail("the child must have input_dim 1 (got " + std::to_string(child.input_dim()) + ")");
            // The code has input_dim x child dim rows: bounded like a single encoder's dim (a fuzz finding:
            // 809 axes of a 19.9-million-shift child passed every per-parameter check).
            if (double(d) * double(child.output_dim()) > kMaxDim)
                r.fail("output dim input_dim x child dim = " + std::to_string(d) + " x " +
                       std::to_string(child.output_dim()) + " is too large (at most " + number_text(kMaxDim) + ")");
            r.normalised().children = {child.spec()};
            return build_scaled<T>(r, scaling, [&](Scaling s) {
                return AnyEncoder<T>(PerAxis<AnyEncoder<T>>(child, d, s), r.normalised());
            });
        }
        // concat
        if (spec.children.empty()) r.fail("needs at least one child (got 0)");
        std::vector<AnyEncoder<T>> parts;
        r.normalised().children.clear();
        double rows = 0;
        for (std::size_t i = 0; i < spec.children.size(); ++i) {
            parts.push_back(make_child<T>(spec, i, depth));
            r.normalised().children.push_back(parts.back().spec());
            rows += double(parts.back().output_dim());
            if (rows > kMaxDim)
                r.fail("output dim (the sum of the children's) is too large (more than " + number_text(kMaxDim) + ")");
        }
        return AnyEncoder<T>(Concat<T>(std::move(parts)), r.normalised());
    } catch (const Error& e) {
        const std::string msg = e.what();
        if (msg.rfind("encoder \"", 0) == 0) throw;  // already has context
        r.fail(msg);
    }
}

}  // namespace detail

/// Builds an encoder from its runtime description. Types (parameters; * = required; the generic key
/// "param" is an alias of the type's main parameter, shown first):
///
/// | type | parameters |
/// |---|---|
/// | "identity", "none" | input_dim = 1 |
/// | "basic" | input_dim = 1, scale = 1, include_input = 0 |
/// | "linf" | max_freq*, dim* (= 2 * input_dim * frequencies per axis), input_dim, scale, include_input |
/// | "logf" | levels*, dim (if given: dim/(2 input_dim) frequencies log-spaced in [2^0, 2^(levels-1)]; if not: 2^0..2^(levels-1), levels integer), input_dim, scale, include_input |
/// | "rff" | sigma*, dim* (output size 2M, even), seed = 0, input_dim = 1, scale, include_input |
/// | "gaussian" | sigma*, dim*, tol, + basis keys |
/// | "gaussian2" | as gaussian with input_dim = 2 |
/// | "triangle", "sinc" | width*, dim*, + basis keys (triangle: half width) |
/// | "impulse" | dim*, + basis keys |
/// | "square" | freq = 1, dim*, + basis keys |
/// | "sine" | freq = 1, offset = 0.7, dim*, + basis keys |
/// | "noise" | dim*, seed = 0, + basis keys |
/// | "oneblob" | n_bins* (a power of two), input_dim = 1 (tiny-cuda-nn's OneBlob, OneBlob<T>) |
/// | "triangle_wave" | n_frequencies* in [1, 64], input_dim = 1 (tiny-cuda-nn's TriangleWave, TriangleWave<T>) |
/// | "spherical_harmonics" | degree* in [1, 8] (degree^2 outputs), input_dim = 3 (only), tol = 1e-3 (accepted deviation of the norm of 2x - 1 from 1) (tiny-cuda-nn's SphericalHarmonics) |
/// | "hashgrid" | input_dim = 2 (1 to 4), levels = 16, features = 2, log2_table_size = 19, base_resolution = 16, per_level_scale = 2, max_resolution = 0 (> 0: overrides per_level_scale), interpolation = 1 (0 nearest, 1 linear, 2 smoothstep), alignment = 0 (0 tcnn, 1 vertex: protocol E), seed = 1337; at most 2^28 table values (Grid<T>, trainable) |
/// | "per_axis" | children = {one 1D spec}, input_dim = 2, scale = 1 |
/// | "directional" | children = {one 1D spec}, scale = 1 (input_dim is always 2: blocks at x, y, (x+y)/2, (x-y+1)/2) |
/// | "concat" | children = {one or more specs with the same input_dim} |
///
/// Sizes (checked before anything is allocated): dim <= 2^26, input_dim <= 1024, Fourier frequency
/// matrices <= 2^24 entries (frequencies x input_dim), composite specs nested <= 16 levels; seeds are
/// integers in [0, 2^53]; flags are exactly 0 or 1.
///
/// Basis keys: periodic = 0 (1 = periodic domain), scale = 1 (0 = raw values, 1 = one constant making the
/// code of the centre unit norm), input_dim = 1 (> 1: per-axis, dim / input_dim shifts per axis, total
/// output dim, one constant scale for the whole code: protocol C's "gaussian2"). Fourier keys: scale as
/// above, include_input = 0 (1 = prepend x), input_dim.
///
/// Ranges of the scalar type T (so that every encoder built here has finite codes on its whole domain,
/// composites included): widths (sigma, width) >= 8 / sqrt(max<T>), frequencies (freq, max_freq) and
/// |offset| <= sqrt(max<T>) / 8, rff sigma <= sqrt(max<T>) / 128, i.e. about 4.3e-19, 2.3e18 and 1.4e17
/// in float. With scale = 1 the raw code of the centre must be large enough for its unit-norm constant
/// to fit T (norm^2 >= the smallest normal T, detail::unit_norm_scale): a basis far too narrow for its
/// shifts (gaussian sigma 0.02 with dim 1: norm^2 ~ 1e-272, nothing in float), or a per_axis /
/// directional over such a child, is refused with an error naming "scale" (scale = 0 keeps raw codes).
///
/// Unknown type, unknown parameter, missing required parameter or a bad value throw posenc::Error naming
/// it, e.g. `unknown encoder "gausian" (known: ...)`, `encoder "gaussian": unknown parameter "sgima"`.
/// The result's spec() is the normalised spec ("param" resolved, defaults filled in), so
/// make_encoder<T>(e.spec()) rebuilds an identical encoder.
template <class T = double>
AnyEncoder<T> make_encoder(const EncoderSpec& spec) {
    return detail::make_encoder_impl<T>(spec, 0);
}

/// Every type name make_encoder() knows, sorted.
inline std::vector<std::string> encoder_types() {
    std::vector<std::string> v;
    for (const auto& t : detail::encoder_table()) v.emplace_back(t.type);
    return v;
}

/// The parameter names `type` accepts (required first; "param" last when the type has a main parameter).
/// Throws posenc::Error for an unknown type.
inline std::vector<std::string> encoder_parameters(const std::string& type) {
    const auto* info = detail::find_encoder_type(type);
    if (!info) detail::fail("unknown encoder \"", type, "\" (known: ", detail::known_encoder_list(), ")");
    std::vector<std::string> v(info->required.begin(), info->required.end());
    v.insert(v.end(), info->optional.begin(), info->optional.end());
    if (*info->main) v.emplace_back("param");
    return v;
}

/// A one-line description of `type` (for --help texts). Throws posenc::Error for an unknown type.
inline std::string encoder_summary(const std::string& type) {
    const auto* info = detail::find_encoder_type(type);
    if (!info) detail::fail("unknown encoder \"", type, "\" (known: ", detail::known_encoder_list(), ")");
    return info->summary;
}

/// Lenient spec builder for command lines: keeps only the `options` that `type` accepts and drops the
/// rest (so one `{param, dim, periodic, seed}` set works for every type, e.g. "basic" ignores dim).
/// Throws posenc::Error for an unknown type. Validation happens later, in make_encoder().
inline EncoderSpec spec_for(const std::string& type, const std::map<std::string, double>& options) {
    const auto keys = encoder_parameters(type);
    EncoderSpec s{type, {}, {}};
    for (const auto& [k, v] : options)
        for (const auto& known : keys)
            if (k == known) s.params[k] = v;
    return s;
}

}  // namespace posenc

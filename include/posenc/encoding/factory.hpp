// posenc/encoding/factory.hpp — build any posenc encoder at run time from a name + numeric parameters.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <type_traits>
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
#include "posenc/encoding/learnable_fourier.hpp"
#include "posenc/encoding/learnable_gaussian.hpp"
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

/// One parameter of an encoder type: its name, its default as text (nullptr = required) and one line
/// on its meaning. The default text is documentation (encoder_reference_markdown()); the builder
/// applies the default itself.
struct EncoderParam {
    const char* name;
    const char* def;      // nullptr: required
    const char* meaning;  // one line for docs / --help
    bool required() const { return def == nullptr; }
};

/// What the factory knows about one type independently of the scalar: its name, the parameter the
/// generic key "param" stands for ("" if none), its parameters, whether it takes children, a summary.
struct EncoderTypeInfo {
    const char* type;
    const char* main;                   // target of the "param" alias, "" = none
    std::vector<EncoderParam> params;   // in documentation order
    bool composite = false;             // takes children
    const char* summary;                // one line for docs / --help

    const EncoderParam* find(const std::string& key) const {
        for (const EncoderParam& p : params)
            if (key == p.name) return &p;
        return nullptr;
    }
    /// The accepted keys: required ones first, then the optional ones (each in table order), then
    /// "param" when the type has a main parameter (the order of error messages and encoder_parameters()).
    std::vector<std::string> parameter_names() const {
        std::vector<std::string> v;
        for (const EncoderParam& p : params)
            if (p.required()) v.emplace_back(p.name);
        for (const EncoderParam& p : params)
            if (!p.required()) v.emplace_back(p.name);
        if (*main) v.emplace_back("param");
        return v;
    }
};

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
        for (const EncoderParam& q : info.params)
            if (q.required() && !p.count(q.name)) fail("missing required parameter \"" + std::string(q.name) + "\"");
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
    bool accepts(const std::string& key) const { return info_.find(key) != nullptr; }
    std::string known_params() const {
        std::string s;
        for (const std::string& k : info_.parameter_names()) {
            if (!s.empty()) s += ", ";
            s += k;
        }
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

// ---- builders: one per family of types, called through the registry below -----------------------

/// What a builder gets: the reader of the spec's parameters (which records the normalised spec), the
/// spec itself (type, children) and the nesting depth (for children).
template <class T>
struct BuildContext {
    using Scalar = T;
    SpecReader& r;
    const EncoderSpec& spec;
    int depth;
};

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

/// Smallest width (sigma, width) the codes in T can divide by (see max_rate).
template <class T>
double min_width() {
    return 1.0 / max_rate<T>();
}

template <class T>
AnyEncoder<T> build_identity(BuildContext<T>& c) {
    return AnyEncoder<T>(Identity<T>(c.r.input_dim(1)), c.r.normalised());
}

template <class T>
AnyEncoder<T> build_fourier(BuildContext<T>& c) {
    return make_fourier<T>(c.r, c.spec);
}

template <class T>
AnyEncoder<T> build_gaussian(BuildContext<T>& c) {
    SpecReader& r = c.r;
    const double sigma = r.width("sigma", min_width<T>(), scalar_name<T>());
    const Gaussian g = r.has("tol") ? Gaussian(sigma, r.positive("tol")) : Gaussian(sigma);
    return make_shifted<T>(r, g, c.spec.type == "gaussian2" ? 2 : 1);
}

template <class T>
AnyEncoder<T> build_triangle(BuildContext<T>& c) {
    return make_shifted<T>(c.r, Triangle(c.r.width("width", min_width<T>(), scalar_name<T>())), 1);
}

template <class T>
AnyEncoder<T> build_sinc(BuildContext<T>& c) {
    return make_shifted<T>(c.r, Sinc(c.r.width("width", min_width<T>(), scalar_name<T>())), 1);
}

template <class T>
AnyEncoder<T> build_impulse(BuildContext<T>& c) {
    return make_shifted<T>(c.r, Impulse(), 1);
}

/// "freq" (default 1): > 0 and within what T can evaluate.
template <class T>
double read_freq(SpecReader& r) {
    r.positive("freq", 1.0);
    return r.at_most("freq", 1.0, max_rate<T>(), scalar_name<T>());
}

template <class T>
AnyEncoder<T> build_square(BuildContext<T>& c) {
    return make_shifted<T>(c.r, SquareWave(read_freq<T>(c.r)), 1);
}

template <class T>
AnyEncoder<T> build_sine(BuildContext<T>& c) {
    const double f = read_freq<T>(c.r);
    return make_shifted<T>(c.r, SineWave(f, c.r.at_most("offset", 0.7, max_rate<T>(), scalar_name<T>())), 1);
}

template <class T>
AnyEncoder<T> build_noise(BuildContext<T>& c) {
    return make_shifted<T>(c.r, RandomNoise(c.r.seed()), 1);
}

/// tiny-cuda-nn's per-axis encodings (docs/encodings.md section 6): n per axis, d axes.
template <class T>
AnyEncoder<T> build_tcnn_axis(BuildContext<T>& c) {
    SpecReader& r = c.r;
    const bool blob = c.spec.type == "oneblob";
    const char* key = blob ? "n_bins" : "n_frequencies";
    const Index n = r.integer(key, 1, blob ? kMaxDim : double(TriangleWave<T>::kMaxFrequencies));
    if (blob && (n & (n - 1)) != 0)
        r.fail("parameter \"n_bins\" must be a power of two (tcnn's requirement; got " + std::to_string(n) + ")");
    const Index d = r.input_dim(1);
    if (double(n) * double(d) > kMaxDim)
        r.fail("output dim input_dim x " + std::string(key) + " = " + std::to_string(d) + " x " + std::to_string(n) +
               " is too large (at most " + number_text(kMaxDim) + ")");
    if (blob) return AnyEncoder<T>(OneBlob<T>(n, d), r.normalised());
    return AnyEncoder<T>(TriangleWave<T>(n, d), r.normalised());
}

/// Grid<T> (encoding/grid.hpp, docs/encodings.md section 5); GridConfig::validate() names what is out
/// of range, the table's size is checked here before it is allocated.
template <class T>
AnyEncoder<T> build_hashgrid(BuildContext<T>& c) {
    SpecReader& r = c.r;
    GridConfig g;
    g.input_dim = r.input_dim(2);
    g.levels = r.integer("levels", 1, 32, 16);
    g.features = r.integer("features", 1, 8, 2);
    g.log2_table_size = r.integer("log2_table_size", 1, 30, 19);
    g.base_resolution = r.integer("base_resolution", 2, double(Index(1) << 24), 16);
    g.per_level_scale = r.real("per_level_scale", 2.0);
    g.max_resolution = r.real("max_resolution", 0.0);
    g.interpolation = GridInterpolation(r.integer("interpolation", 0, 2, 1));  // nearest, linear, smoothstep
    g.alignment = GridAlignment(r.integer("alignment", 0, 1, 0));              // tcnn, vertex
    g.seed = std::uint64_t(r.integer("seed", 0, kMaxSeed, 1337));
    try {
        g.validate();
    } catch (const Error& e) {
        r.fail(e.what());
    }
    double entries = 0;
    for (const GridLevel& lv : grid_levels(g)) entries += double(lv.size);
    if (entries * double(g.features) > kMaxGridTable)
        r.fail("the table would hold " + number_text(entries * double(g.features)) + " values (at most " +
               number_text(kMaxGridTable) + "): lower log2_table_size, levels or features");
    return AnyEncoder<T>(Grid<T>(g), r.normalised());
}

template <class T>
AnyEncoder<T> build_spherical_harmonics(BuildContext<T>& c) {
    SpecReader& r = c.r;
    const Index L = r.integer("degree", 1, double(SphericalHarmonics<T>::kMaxDegree));
    const Index d = r.input_dim(3);
    if (d != 3) r.fail("parameter \"input_dim\" must be 3 (a direction; got " + std::to_string(d) + ")");
    const double tol = r.positive("tol", 1e-3);
    if (!(tol < 1)) r.fail("parameter \"tol\" must be in (0, 1) (got " + number_text(tol) + ")");
    return AnyEncoder<T>(SphericalHarmonics<T>(L, tol), r.normalised());
}

template <class T>
AnyEncoder<T> build_directional(BuildContext<T>& c) {
    SpecReader& r = c.r;
    if (c.spec.children.size() != 1)
        r.fail("needs exactly one child (the 1D encoder; got " + std::to_string(c.spec.children.size()) + ")");
    const Scaling scaling = r.scaling();
    AnyEncoder<T> child = make_child<T>(c.spec, 0, c.depth);
    if (child.input_dim() != 1)
        r.fail("the child must have input_dim 1 (got " + std::to_string(child.input_dim()) + ")");
    if (double(Directional<AnyEncoder<T>>::kBlocks) * double(child.output_dim()) > kMaxDim)
        r.fail("output dim 4 x child dim = 4 x " + std::to_string(child.output_dim()) + " is too large (at most " +
               number_text(kMaxDim) + ")");
    r.normalised().children = {child.spec()};
    return build_scaled<T>(r, scaling, [&](Scaling s) {
        return AnyEncoder<T>(Directional<AnyEncoder<T>>(child, s), r.normalised());
    });
}

template <class T>
AnyEncoder<T> build_per_axis(BuildContext<T>& c) {
    SpecReader& r = c.r;
    if (c.spec.children.size() != 1)
        r.fail("needs exactly one child (the 1D encoder; got " + std::to_string(c.spec.children.size()) + ")");
    const Index d = r.input_dim(2);
    const Scaling scaling = r.scaling();
    AnyEncoder<T> child = make_child<T>(c.spec, 0, c.depth);
    if (child.input_dim() != 1)
        r.fail("the child must have input_dim 1 (got " + std::to_string(child.input_dim()) + ")");
    // The code has input_dim x child dim rows: bounded like a single encoder's dim (a fuzz finding:
    // 809 axes of a 19.9-million-shift child passed every per-parameter check).
    if (double(d) * double(child.output_dim()) > kMaxDim)
        r.fail("output dim input_dim x child dim = " + std::to_string(d) + " x " + std::to_string(child.output_dim()) +
               " is too large (at most " + number_text(kMaxDim) + ")");
    r.normalised().children = {child.spec()};
    return build_scaled<T>(r, scaling, [&](Scaling s) {
        return AnyEncoder<T>(PerAxis<AnyEncoder<T>>(child, d, s), r.normalised());
    });
}

template <class T>
AnyEncoder<T> build_concat(BuildContext<T>& c) {
    SpecReader& r = c.r;
    if (c.spec.children.empty()) r.fail("needs at least one child (got 0)");
    std::vector<AnyEncoder<T>> parts;
    r.normalised().children.clear();
    double rows = 0;
    for (std::size_t i = 0; i < c.spec.children.size(); ++i) {
        parts.push_back(make_child<T>(c.spec, i, c.depth));
        r.normalised().children.push_back(parts.back().spec());
        rows += double(parts.back().output_dim());
        if (rows > kMaxDim)
            r.fail("output dim (the sum of the children's) is too large (more than " + number_text(kMaxDim) + ")");
    }
    return AnyEncoder<T>(Concat<T>(std::move(parts)), r.normalised());
}

/// LearnableFourier<T> (encoding/learnable_fourier.hpp): B drawn as rff's, then trained.
template <class T>
AnyEncoder<T> build_learnable_fourier(BuildContext<T>& c) {
    SpecReader& r = c.r;
    const double sigma = r.positive("sigma");
    r.at_most("sigma", sigma, max_rate<T>() / kRffSigmaMargin, scalar_name<T>());
    const Index d = r.input_dim(1);
    const Index M = r.divide(r.dim(), 2, "the output is [sin; cos] of dim/2 frequencies");
    if (double(M) * double(d) > kMaxFrequencyEntries)
        r.fail("the frequency matrix would have " + number_text(double(M) * double(d)) +
               " entries (frequencies x input_dim must be <= 2^24)");
    const std::uint64_t seed = r.seed();
    const Scaling scaling = r.scaling();
    return AnyEncoder<T>(LearnableFourier<T>(M, d, sigma, seed, scaling), r.normalised());
}

/// LearnableGaussian<T> (encoding/learnable_gaussian.hpp): shifts and log-widths trained per axis.
template <class T>
AnyEncoder<T> build_learnable_gaussian(BuildContext<T>& c) {
    SpecReader& r = c.r;
    const double sigma = r.width("sigma", min_width<T>(), scalar_name<T>());
    const Index dim = r.dim();
    // shifts, log-widths and their two gradients: 4 dim values, bounded like a frequency matrix
    if (double(dim) > kMaxFrequencyEntries)
        r.fail("parameter \"dim\" must be <= 2^24 for a learnable basis (it owns 4 dim trainable values and "
               "gradients; got " + std::to_string(dim) + ")");
    const Index d = r.input_dim(1);
    r.divide(dim, d, "dim / input_dim shifts per axis");
    const Scaling scaling = r.scaling();
    return build_scaled<T>(r, scaling, [&](Scaling s) {
        return AnyEncoder<T>(LearnableGaussian<T>(dim, sigma, d, s), r.normalised());
    });
}

// ---- the registry: one row per type ------------------------------------------------------------

/// A row's builder for scalar T; for T = void (the metadata only: names, parameters, summaries) there
/// is none, so reading the metadata instantiates no builder.
template <class T>
struct EncoderBuilderOf {
    using type = AnyEncoder<T> (*)(BuildContext<T>&);
};
template <>
struct EncoderBuilderOf<void> {
    using type = std::nullptr_t;
};

/// One row of the registry: the type's metadata and its builder for T.
template <class T>
struct EncoderType : EncoderTypeInfo {
    typename EncoderBuilderOf<T>::type build = nullptr;
};

/// The factory's registry for scalar T (float, double; void = metadata only), sorted by type. Each
/// row's builder is a generic lambda that is converted to a function pointer only for T != void.
template <class T>
const std::vector<EncoderType<T>>& encoder_registry() {
    static const std::vector<EncoderType<T>> rows = [] {
        using Params = std::vector<EncoderParam>;
        constexpr const char* req = nullptr;
        auto cat = [](Params a, const Params& b) {
            a.insert(a.end(), b.begin(), b.end());
            return a;
        };
        // Keys shared by every shifted basis and every Fourier type.
        auto basis = [](const char* input_dim) {
            return Params{
                {"periodic", "0", "1 = periodic domain (coordinates wrap mod 1), 0 = bounded [0, 1]"},
                {"scale", "1", "1 = one constant making the code of the centre unit norm, 0 = raw values"},
                {"input_dim", input_dim,
                 "> 1: per axis, dim / input_dim shifts per axis, one constant for the whole code (protocol C)"}};
        };
        const Params fourier = {
            {"input_dim", "1", "input dimension d"},
            {"scale", "1", "1 = unit-norm codes (s = 1 / sqrt(frequencies (+ d/4 with the input))), 0 = raw"},
            {"include_input", "0", "1 = prepend x to the code"}};
        const Params dim_shifts = {{"dim", req, "number of shifts D (output size), in [1, 2^26]"}};
        auto row = [](const char* type, const char* main, Params params, bool composite, const char* summary,
                      auto build) {
            EncoderType<T> e;
            static_cast<EncoderTypeInfo&>(e) = EncoderTypeInfo{type, main, std::move(params), composite, summary};
            if constexpr (!std::is_void_v<T>)
                e.build = static_cast<typename EncoderBuilderOf<T>::type>(build);
            else
                (void)build;
            return e;
        };
        return std::vector<EncoderType<T>>{
            row("basic", "", fourier, false, "[sin 2 pi x; cos 2 pi x] per axis",
                [](auto& c) { return build_fourier(c); }),
            row("concat", "", {}, true, "children's codes stacked (same input)",
                [](auto& c) { return build_concat(c); }),
            row("directional", "",
                {{"scale", "1", "1 = one constant making the code of the centre unit norm, 0 = raw values"}}, true,
                "four-direction 2D code of one 1D child: x, y, (x+y)/2, (x-y+1)/2",
                [](auto& c) { return build_directional(c); }),
            row("gaussian", "sigma",
                cat(cat({{"sigma", req, "standard deviation of the Gaussian, in coordinate units"}}, dim_shifts),
                    cat(basis("1"), {{"tol", "1e-8", "truncation tolerance of the windows (relative to the peak)"}})),
                false, "shifted Gaussian basis exp(-u^2/(2 sigma^2))", [](auto& c) { return build_gaussian(c); }),
            row("gaussian2", "sigma",
                cat(cat({{"sigma", req, "standard deviation of the Gaussian, in coordinate units"}}, dim_shifts),
                    cat(basis("2"), {{"tol", "1e-8", "truncation tolerance of the windows (relative to the peak)"}})),
                false, "per-axis 2D Gaussian basis (gaussian with input_dim 2)",
                [](auto& c) { return build_gaussian(c); }),
            row("hashgrid", "",
                {{"input_dim", "2", "input dimension, 1 to 4"},
                 {"levels", "16", "resolution levels L, 1 to 32"},
                 {"features", "2", "features per level F, 1 to 8"},
                 {"log2_table_size", "19", "log2 of the table size per level, 1 to 30 (at most 2^28 values in all)"},
                 {"base_resolution", "16", "coarsest resolution N_min"},
                 {"per_level_scale", "2", "resolution growth b per level"},
                 {"max_resolution", "0", "> 0: finest resolution N_max, overrides per_level_scale"},
                 {"interpolation", "1", "0 nearest, 1 linear, 2 smoothstep"},
                 {"alignment", "0", "0 tiny-cuda-nn's (+0.5 offset), 1 vertex (protocol E)"},
                 {"seed", "1337", "seed of the table's initialisation"}},
                false, "multiresolution hash grid with a trainable table (tiny-cuda-nn Grid; Grid<T>)",
                [](auto& c) { return build_hashgrid(c); }),
            row("identity", "", {{"input_dim", "1", "input dimension d"}}, false, "no encoding: code = x",
                [](auto& c) { return build_identity(c); }),
            row("impulse", "", cat(dim_shifts, basis("1")), false, "one-hot on the nearest shift",
                [](auto& c) { return build_impulse(c); }),
            row("learnable_fourier", "sigma",
                {{"sigma", req, "standard deviation of the initial frequencies B ~ sigma N(0, I)"},
                 {"dim", req, "output size 2M (even): M trainable frequencies"},
                 {"input_dim", "1", "input dimension d"},
                 {"seed", "0", "seed of the initial B (the same B as rff's)"},
                 {"scale", "1", "1 = unit-norm codes (s = 1 / sqrt(M)), 0 = raw"}},
                false, "learnable Fourier features: [sin 2 pi B x; cos 2 pi B x] with B (M x d) trained",
                [](auto& c) { return build_learnable_fourier(c); }),
            row("learnable_gaussian", "sigma",
                {{"sigma", req, "initial width of every Gaussian (log sigma is trained)"},
                 {"dim", req, "number of Gaussians (output size), dim / input_dim per axis, at most 2^24"},
                 {"input_dim", "1", "input dimension d (each axis has its own shifts and widths)"},
                 {"scale", "1", "1 = one constant making the initial code of the centre unit norm, 0 = raw"}},
                false, "Gaussian basis exp(-(x - t_k)^2/(2 sigma_k^2)) with trainable shifts t_k and widths sigma_k",
                [](auto& c) { return build_learnable_gaussian(c); }),
            row("linf", "max_freq",
                cat({{"max_freq", req, "largest frequency (cycles per unit), >= 1"},
                     {"dim", req, "output size 2 x input_dim x frequencies per axis"}},
                    fourier),
                false, "linearly spaced frequencies 1..max_freq per axis", [](auto& c) { return build_fourier(c); }),
            row("logf", "levels",
                cat({{"levels", req,
                      "without dim: integer L, frequencies 2^0..2^(L-1); with dim: largest frequency 2^(levels-1)"}},
                    cat(fourier, {{"dim", "unset", "if given: dim / (2 input_dim) log-spaced frequencies per axis"}})),
                false, "log-spaced frequencies 2^0..2^(levels-1) per axis (NeRF)",
                [](auto& c) { return build_fourier(c); }),
            row("noise", "", cat(dim_shifts, cat(basis("1"), {{"seed", "0", "seed of the random profile"}})), false,
                "random profile sampled on the shift grid", [](auto& c) { return build_noise(c); }),
            row("none", "", {{"input_dim", "1", "input dimension d"}}, false, "no encoding (same as identity)",
                [](auto& c) { return build_identity(c); }),
            row("oneblob", "n_bins",
                {{"n_bins", req, "bins per axis, a power of two"}, {"input_dim", "1", "input dimension d"}}, false,
                "tiny-cuda-nn OneBlob: n_bins quartic-kernel bins per axis on [0, 1] (wrapping)",
                [](auto& c) { return build_tcnn_axis(c); }),
            row("per_axis", "",
                {{"input_dim", "2", "number of axes, each encoded by the one 1D child"},
                 {"scale", "1", "1 = one constant making the code of the centre unit norm, 0 = raw values"}},
                true, "one 1D child encoder per axis", [](auto& c) { return build_per_axis(c); }),
            row("rff", "sigma",
                cat({{"sigma", req, "standard deviation of the frequencies B ~ sigma N(0, I)"},
                     {"dim", req, "output size 2M (even): M frequencies"}},
                    cat(fourier, {{"seed", "0", "seed of B"}})),
                false, "random Fourier features B ~ sigma N(0, I)", [](auto& c) { return build_fourier(c); }),
            row("sinc", "width",
                cat(cat({{"width", req, "w in sin(pi u/w)/(pi u/w)"}}, dim_shifts), basis("1")), false,
                "shifted sinc basis sin(pi u/w)/(pi u/w)", [](auto& c) { return build_sinc(c); }),
            row("sine", "freq",
                cat(cat({{"freq", "1", "frequency f (cycles per unit)"}, {"offset", "0.7", "constant added to the sine"}},
                        dim_shifts),
                    basis("1")),
                false, "shifted sin(2 pi f u) + offset", [](auto& c) { return build_sine(c); }),
            row("spherical_harmonics", "degree",
                {{"degree", req, "1 to 8: degree^2 outputs"},
                 {"input_dim", "3", "must be 3 (a direction)"},
                 {"tol", "1e-3", "accepted deviation of the norm of 2x - 1 from 1"}},
                false, "tiny-cuda-nn SphericalHarmonics: degree^2 real SH of the unit direction 2x - 1",
                [](auto& c) { return build_spherical_harmonics(c); }),
            row("square", "freq", cat(cat({{"freq", "1", "frequency f (cycles per unit)"}}, dim_shifts), basis("1")),
                false, "shifted square wave sign(sin 2 pi f u)", [](auto& c) { return build_square(c); }),
            row("triangle", "width", cat(cat({{"width", req, "half width of the triangle"}}, dim_shifts), basis("1")),
                false, "shifted triangle max(0, 1 - |u|/width)", [](auto& c) { return build_triangle(c); }),
            row("triangle_wave", "n_frequencies",
                {{"n_frequencies", req, "frequencies per axis, 1 to 64"}, {"input_dim", "1", "input dimension d"}},
                false, "tiny-cuda-nn TriangleWave: 4|frac(x 2^(k-1) + k/4) - 1/2| - 1, k < n_frequencies, per axis",
                [](auto& c) { return build_tcnn_axis(c); }),
        };
    }();
    return rows;
}

/// The metadata rows (no builder is instantiated).
inline const std::vector<EncoderType<void>>& encoder_table() { return encoder_registry<void>(); }

template <class T>
const EncoderType<T>* find_encoder_type(const std::string& type) {
    for (const auto& t : encoder_registry<T>())
        if (type == t.type) return &t;
    return nullptr;
}
inline const EncoderTypeInfo* find_encoder_type(const std::string& type) { return find_encoder_type<void>(type); }

inline std::string known_encoder_list() {
    std::string s;
    for (const auto& t : encoder_table()) {
        if (!s.empty()) s += ", ";
        s += t.type;
    }
    return s;
}

template <class T>
AnyEncoder<T> make_encoder_impl(const EncoderSpec& spec, int depth) {
    if (depth >= kMaxSpecDepth)
        detail::fail("encoder spec nested too deeply (more than ", kMaxSpecDepth, " levels)");
    const EncoderType<T>* row = find_encoder_type<T>(spec.type);
    if (!row) detail::fail("unknown encoder \"", spec.type, "\" (known: ", known_encoder_list(), ")");
    SpecReader r(spec, *row);
    BuildContext<T> c{r, spec, depth};
    try {
        return row->build(c);
    } catch (const Error& e) {
        const std::string msg = e.what();
        if (msg.rfind("encoder \"", 0) == 0) throw;  // already has context
        r.fail(msg);
    }
}

}  // namespace detail

/// Builds an encoder from its runtime description: looks `spec.type` up in the factory's registry
/// (detail::encoder_registry) and calls that type's builder. Every type, its parameters, their
/// defaults and meanings: the table generated from the registry, encoder_reference_markdown(), which
/// docs/encodings.md (section 3, "Runtime factory") holds verbatim.
///
/// Sizes are checked before anything is allocated (dim <= 2^26, input_dim <= 1024, frequency
/// matrices <= 2^24 entries, nesting <= 16 levels), and widths, frequencies and offsets are bounded
/// so that the codes are finite in T (see detail::max_rate). Unknown type, unknown parameter, missing
/// required parameter or a bad value throw posenc::Error naming it, e.g. `unknown encoder "gausian"
/// (known: ...)`, `encoder "gaussian": unknown parameter "sgima"`. The result's spec() is the
/// normalised spec ("param" resolved, defaults filled in): make_encoder<T>(e.spec()) rebuilds it.
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
    return info->parameter_names();
}

/// A one-line description of `type` (for --help texts). Throws posenc::Error for an unknown type.
inline std::string encoder_summary(const std::string& type) {
    const auto* info = detail::find_encoder_type(type);
    if (!info) detail::fail("unknown encoder \"", type, "\" (known: ", detail::known_encoder_list(), ")");
    return info->summary;
}

/// The markdown reference of every factory type, generated from the registry: one table row per
/// type with its summary and its parameters (name, default or "required", meaning). docs/encodings.md
/// holds this text between the markers `<!-- encoder_reference: begin -->` and `<!-- encoder_reference:
/// end -->`; the CTest entry docs.encoder_reference fails when they differ.
inline std::string encoder_reference_markdown() {
    auto cell = [](const std::string& text) {  // a '|' would end the table cell
        std::string out;
        for (char ch : text) {
            if (ch == '|') out += '\\';
            out += ch;
        }
        return out;
    };
    std::string s =
        "| type | what it builds | parameters: `name` = default, or **required**; `param` is an alias of the one marked (main) |\n"
        "|---|---|---|\n";
    for (const auto& t : detail::encoder_table()) {
        s += "| `" + std::string(t.type) + "` | " + cell(t.summary) + (t.composite ? " (takes children)" : "") + " | ";
        if (t.params.empty()) s += "none";
        bool first = true;
        for (const detail::EncoderParam& p : t.params) {
            if (!first) s += "<br>";
            first = false;
            s += "`" + std::string(p.name) + "`";
            s += p.required() ? std::string(" **required**") : std::string(" = ") + p.def;
            if (std::string(p.name) == t.main) s += " (main)";
            s += ": " + cell(p.meaning);
        }
        s += " |\n";
    }
    return s;
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

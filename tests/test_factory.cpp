// Tests for the runtime factory (encoding/factory.hpp), EncoderSpec text (encoding/encoder_spec.hpp) and,
// when nlohmann_json is installed, io/json_spec.hpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "posenc/encoding/factory.hpp"
#include "posenc/posenc.hpp"  // the umbrella header must keep compiling

#if __has_include(<nlohmann/json.hpp>)
#include "posenc/io/json_spec.hpp"
#define POSENC_TEST_HAVE_JSON 1
#endif

using namespace posenc;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

Mat<double> random_points(Index d, Index n, std::uint64_t seed, double lo = 0.0, double hi = 1.0) {
    Rng rng(seed);
    Mat<double> X(d, n);
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < d; ++i) X(i, j) = rng.uniform(lo, hi);
    return X;
}

template <class E>
double backward_fd_error(const E& e, const Mat<double>& X, double h = 1e-6) {
    const Index N = X.cols(), d = e.input_dim();
    Mat<double> dY = random_points(e.output_dim(), N, 99, -1.0, 1.0);
    Mat<double> dX(d, N);
    e.backward(X, dY, dX);
    Mat<double> fd(d, N);
    for (Index i = 0; i < d; ++i) {
        Mat<double> Xp = X, Xm = X;
        Xp.row(i).array() += h;
        Xm.row(i).array() -= h;
        const Mat<double> diff = (encode(e, Xp) - encode(e, Xm)) / (2 * h);
        for (Index n = 0; n < N; ++n) fd(i, n) = dY.col(n).dot(diff.col(n));
    }
    const double scale = std::max({fd.norm(), dX.norm(), 1e-12});
    return (dX - fd).norm() / scale;
}

EncoderSpec spec(std::string type, std::map<std::string, double> params, std::vector<EncoderSpec> children = {}) {
    return EncoderSpec{std::move(type), std::move(params), std::move(children)};
}

/// One valid spec per type (small sizes), with its expected input and output dimension.
struct Case {
    EncoderSpec spec;
    Index in, out;
};
std::vector<Case> all_cases() {
    return {
        {spec("none", {}), 1, 1},
        {spec("identity", {{"input_dim", 3}}), 3, 3},
        {spec("basic", {{"input_dim", 2}}), 2, 4},
        {spec("linf", {{"max_freq", 10}, {"dim", 40}, {"input_dim", 2}}), 2, 40},
        {spec("logf", {{"levels", 6}, {"include_input", 1}, {"input_dim", 3}}), 3, 3 + 36},
        {spec("logf", {{"param", 6.5}, {"dim", 64}}), 1, 64},
        {spec("rff", {{"sigma", 5}, {"dim", 64}, {"input_dim", 2}, {"seed", 3}}), 2, 64},
        {spec("gaussian", {{"sigma", 0.02}, {"dim", 200}}), 1, 200},
        {spec("gaussian", {{"param", 0.05}, {"dim", 100}, {"periodic", 1}, {"tol", 1e-6}}), 1, 100},
        {spec("gaussian2", {{"sigma", 0.03}, {"dim", 200}}), 2, 200},
        {spec("triangle", {{"width", 0.03}, {"dim", 99}, {"input_dim", 3}}), 3, 99},
        {spec("sinc", {{"width", 0.02}, {"dim", 120}, {"scale", 0}}), 1, 120},
        {spec("impulse", {{"dim", 64}, {"periodic", 1}}), 1, 64},
        {spec("square", {{"dim", 64}}), 1, 64},
        {spec("sine", {{"freq", 2}, {"offset", 0.3}, {"dim", 80}, {"periodic", 1}}), 1, 80},
        {spec("noise", {{"dim", 64}, {"seed", 7}}), 1, 64},
        {spec("per_axis", {{"input_dim", 2}}, {spec("gaussian", {{"sigma", 0.05}, {"dim", 50}})}), 2, 100},
        {spec("concat", {}, {spec("identity", {{"input_dim", 2}}), spec("gaussian2", {{"sigma", 0.05}, {"dim", 60}}),
                             spec("rff", {{"sigma", 2}, {"dim", 8}, {"input_dim", 2}})}),
         2, 2 + 60 + 8},
    };
}

}  // namespace

TEMPLATE_TEST_CASE("factory: every type builds, round-trips through its spec, and is deterministic", "[factory]",
                   float, double) {
    using T = TestType;
    for (const Case& c : all_cases()) {
        INFO(to_string(c.spec));
        const AnyEncoder<T> e = make_encoder<T>(c.spec);
        CHECK(e.input_dim() == c.in);
        CHECK(e.output_dim() == c.out);
        CHECK(e.name() == c.spec.type);
        CHECK(e.spec().type == c.spec.type);
        CHECK(e.spec().params.count("param") == 0);  // alias resolved in the normalised spec
        // Rebuilding from the normalised spec gives the same encoder (bit for bit).
        const AnyEncoder<T> again = make_encoder<T>(e.spec());
        CHECK(again.spec() == e.spec());
        CHECK(to_string(again.spec()) == to_string(e.spec()));
        const Mat<T> X = random_points(c.in, 10, 5, 0.05, 0.95).cast<T>();
        CHECK(encode(e, X) == encode(again, X));
        CHECK(encode(e, X).allFinite());
    }
}

TEST_CASE("factory: backward of every type matches finite differences (double)", "[factory][gradient]") {
    for (const Case& c : all_cases()) {
        INFO(to_string(c.spec));
        const AnyEncoder<double> e = make_encoder<double>(c.spec);
        CHECK(backward_fd_error(e, random_points(c.in, 12, 17, 0.05, 0.95)) < 1e-6);
    }
}

TEST_CASE("factory: encoders equal the hand-built ones", "[factory]") {
    const Mat<double> X1 = random_points(1, 20, 1), X2 = random_points(2, 20, 2);
    // rff: dim = output size = 2M, B ~ sigma N(0, I) from Rng(seed)
    CHECK(encode(make_encoder(spec("rff", {{"sigma", 10}, {"dim", 100}, {"seed", 4}})), X1) ==
          encode(rff<double>(1, 50, 10.0, 4), X1));
    // default seed 0, default scale unit
    CHECK(encode(make_encoder(spec("rff", {{"param", 10}, {"dim", 100}})), X1) == encode(rff<double>(1, 50, 10.0, 0), X1));
    // logf without dim = NeRF octaves, with dim = dim/2 log-spaced frequencies up to 2^(levels-1)
    CHECK(encode(make_encoder(spec("logf", {{"levels", 8}, {"include_input", 1}})), X1) ==
          encode(logf<double>(1, 8, true), X1));
    CHECK(encode(make_encoder(spec("logf", {{"levels", 6.5}, {"dim", 512}})), X1) ==
          encode(FourierFeatures<double>(log_spaced_frequencies(1, 256, 5.5)), X1));
    CHECK(encode(make_encoder(spec("linf", {{"max_freq", 20}, {"dim", 40}, {"input_dim", 2}})), X2) ==
          encode(linf<double>(2, 10, 20.0), X2));
    CHECK(encode(make_encoder(spec("basic", {{"scale", 0}})), X1) == encode(basic_fourier<double>(1, Scaling::None), X1));
    // 1D shifted bases
    CHECK(encode(make_encoder(spec("gaussian", {{"sigma", 0.01}, {"dim", 300}, {"periodic", 1}})), X1) ==
          encode(ShiftedBasis<Gaussian, double>(Gaussian(0.01), 300, Domain::Periodic), X1));
    CHECK(encode(make_encoder(spec("sine", {{"dim", 50}, {"scale", 0}})), X1) ==
          encode(ShiftedBasis<SineWave, double>(SineWave(1.0, 0.7), 50, Domain::Bounded, Scaling::None), X1));
    CHECK(encode(make_encoder(spec("noise", {{"dim", 50}, {"seed", 3}})), X1) ==
          encode(ShiftedBasis<RandomNoise, double>(RandomNoise(3), 50), X1));
    // protocol C gaussian2 (docs/protocols.md): D/2 unscaled shifts per axis, one constant for unit
    // norm at (0.5, 0.5)
    const PerAxis<ShiftedBasis<Gaussian, double>> gau2(
        ShiftedBasis<Gaussian, double>(Gaussian(0.01), 500, Domain::Bounded, Scaling::None), 2);
    const auto g2 = make_encoder(spec("gaussian2", {{"param", 0.01}, {"dim", 1000}}));
    CHECK(encode(g2, X2) == encode(gau2, X2));
    CHECK(g2.spec().params.at("input_dim") == 2);
    CHECK(encode(make_encoder(spec("gaussian", {{"sigma", 0.01}, {"dim", 1000}, {"input_dim", 2}})), X2) ==
          encode(gau2, X2));
    CHECK(g2.window_width() == gau2.window_width());
    CHECK(g2.window_width() > 0);
}

TEST_CASE("factory: normalised spec fills defaults, to_string is deterministic JSON", "[factory][spec]") {
    const auto e = make_encoder<float>(spec("gaussian", {{"param", 0.002}, {"dim", 10000}}));
    CHECK(to_string(e.spec()) ==
          R"({"type":"gaussian","dim":10000,"input_dim":1,"periodic":0,"scale":1,"sigma":0.002})");
    CHECK(to_string(spec("concat", {}, {spec("none", {}), spec("rff", {{"sigma", 1.5}, {"dim", 8}})})) ==
          R"({"type":"concat","children":[{"type":"none"},{"type":"rff","dim":8,"sigma":1.5}]})");
    CHECK(to_string(spec("we\"ird\\\n", {{"x", 1e-300}, {"y", -0.1}})) ==
          R"({"type":"we\"ird\\\n","x":1e-300,"y":-0.1})");
    CHECK(to_string(spec("a", {{"x", std::nan("")}})) == R"({"type":"a","x":null})");
    const auto p = make_encoder<double>(spec("per_axis", {}, {spec("triangle", {{"width", 0.1}, {"dim", 20}})}));
    CHECK(p.spec().children.at(0).params.at("periodic") == 0);  // children normalised too
    CHECK(p.spec().params.at("input_dim") == 2);
}

TEST_CASE("factory: errors name the type and the parameter", "[factory][errors]") {
    auto msg = [](const EncoderSpec& s) {
        try {
            make_encoder<double>(s);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    // unknown name, listing the known ones
    CHECK_THAT(msg(spec("gausian", {{"sigma", 0.1}, {"dim", 10}})),
               StartsWith("unknown encoder \"gausian\" (known: basic, concat, directional, gaussian") && Contains("triangle"));
    // unknown parameter
    CHECK_THAT(msg(spec("gaussian", {{"sgima", 0.1}, {"dim", 10}})),
               StartsWith("encoder \"gaussian\": unknown parameter \"sgima\" (known: sigma, dim"));
    CHECK_THAT(msg(spec("basic", {{"param", 3}})), Contains("unknown parameter \"param\""));
    CHECK_THAT(msg(spec("basic", {{"dim", 10}})), Contains("unknown parameter \"dim\""));
    // missing required parameter
    CHECK(msg(spec("gaussian", {{"dim", 10}})) == "encoder \"gaussian\": missing required parameter \"sigma\"");
    CHECK(msg(spec("gaussian", {{"sigma", 0.1}})) == "encoder \"gaussian\": missing required parameter \"dim\"");
    CHECK_THAT(msg(spec("rff", {{"sigma", 1}})), Contains("missing required parameter \"dim\""));
    // D = 0 and other bad sizes
    CHECK_THAT(msg(spec("gaussian", {{"sigma", 0.1}, {"dim", 0}})),
               StartsWith("encoder \"gaussian\": parameter \"dim\" must be an integer in [1, ") && Contains("(got 0)"));
    CHECK_THAT(msg(spec("impulse", {{"dim", 10.5}})), Contains("parameter \"dim\"") && Contains("10.5"));
    CHECK_THAT(msg(spec("impulse", {{"dim", 1e12}})), Contains("parameter \"dim\""));
    CHECK_THAT(msg(spec("rff", {{"sigma", 1}, {"dim", 7}})), Contains("\"dim\" must be a multiple of 2"));
    CHECK_THAT(msg(spec("gaussian2", {{"sigma", 0.1}, {"dim", 7}})), Contains("\"dim\" must be a multiple of 2"));
    CHECK_THAT(msg(spec("linf", {{"max_freq", 4}, {"dim", 6}, {"input_dim", 2}})), Contains("multiple of 4"));
    CHECK_THAT(msg(spec("identity", {{"input_dim", 0}})), Contains("parameter \"input_dim\""));
    // sigma <= 0, NaN, and other bad values
    CHECK(msg(spec("gaussian", {{"sigma", 0}, {"dim", 10}})) == "encoder \"gaussian\": parameter \"sigma\" must be > 0 (got 0)");
    CHECK(msg(spec("gaussian", {{"sigma", -1}, {"dim", 10}})) == "encoder \"gaussian\": parameter \"sigma\" must be > 0 (got -1)");
    CHECK(msg(spec("gaussian", {{"param", -1}, {"dim", 10}})) == "encoder \"gaussian\": parameter \"sigma\" must be > 0 (got -1)");
    CHECK(msg(spec("gaussian", {{"sigma", std::nan("")}, {"dim", 10}})) ==
          "encoder \"gaussian\": parameter \"sigma\" must be finite (got nan)");
    CHECK_THAT(msg(spec("rff", {{"sigma", 0}, {"dim", 10}})), Contains("\"sigma\" must be > 0"));
    CHECK_THAT(msg(spec("triangle", {{"width", -0.1}, {"dim", 10}})), Contains("\"width\" must be > 0"));
    CHECK_THAT(msg(spec("square", {{"freq", 0}, {"dim", 10}})), Contains("\"freq\" must be > 0"));
    CHECK_THAT(msg(spec("gaussian", {{"sigma", 0.1}, {"dim", 10}, {"tol", 2}})), Contains("tol"));
    CHECK_THAT(msg(spec("gaussian", {{"sigma", 0.1}, {"dim", 10}, {"periodic", 2}})),
               Contains("parameter \"periodic\" must be 0 or 1 (got 2)"));
    CHECK_THAT(msg(spec("rff", {{"sigma", 1}, {"dim", 10}, {"seed", -1}})), Contains("parameter \"seed\""));
    CHECK_THAT(msg(spec("logf", {{"levels", 2.5}})), Contains("parameter \"levels\" must be an integer"));
    CHECK_THAT(msg(spec("linf", {{"max_freq", 0.5}, {"dim", 10}})), Contains("\"max_freq\" must be >= 1"));
    CHECK_THAT(msg(spec("gaussian", {{"param", 0.1}, {"sigma", 0.1}, {"dim", 10}})), Contains("give only one"));
    // children
    CHECK_THAT(msg(spec("gaussian", {{"sigma", 0.1}, {"dim", 10}}, {spec("none", {})})), Contains("takes no children"));
    CHECK_THAT(msg(spec("per_axis", {})), Contains("needs exactly one child"));
    CHECK_THAT(msg(spec("concat", {})), Contains("needs at least one child"));
    CHECK(msg(spec("concat", {}, {spec("none", {}), spec("gausian", {})})).rfind(
              "encoder \"concat\": child 1: unknown encoder \"gausian\"", 0) == 0);
    CHECK_THAT(msg(spec("per_axis", {}, {spec("basic", {{"input_dim", 2}})})), Contains("child must have input_dim 1"));
    CHECK_THAT(msg(spec("concat", {}, {spec("none", {}), spec("basic", {{"input_dim", 2}})})), Contains("same input_dim"));

    // absurd sizes are rejected before anything is allocated
    CHECK_THAT(msg(spec("identity", {{"input_dim", 5000}})), Contains("parameter \"input_dim\" must be an integer in [1, 1024]"));
    CHECK_THAT(msg(spec("linf", {{"max_freq", 4}, {"dim", 1 << 26}, {"input_dim", 1024}})), Contains("frequency matrix would have"));
    CHECK_THAT(msg(spec("rff", {{"sigma", 4}, {"dim", 1 << 26}, {"input_dim", 2}})), Contains("<= 2^24"));
    CHECK_THAT(msg(spec("logf", {{"levels", 61}, {"input_dim", 1024}})), Contains("<= 2^24"));
    // composite specs nest at most 16 levels
    auto nest = [](int levels) {
        EncoderSpec s = spec("none", {});
        for (int i = 1; i < levels; ++i) s = spec("concat", {}, {s});
        return s;
    };
    CHECK(make_encoder<float>(nest(16)).output_dim() == 1);
    CHECK_THAT(msg(nest(17)), Contains("nested too deeply"));

    // bad input at encode time: NaN coordinate, wrong input dimension, outside the bounded domain
    const auto e = make_encoder<double>(spec("gaussian2", {{"sigma", 0.05}, {"dim", 40}}));
    Mat<double> X = random_points(2, 3, 1), out(40, 3);
    X(0, 1) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(e.encode(X, out), Contains("finite"));
    CHECK_THROWS_WITH(e.encode(random_points(1, 3, 1), out), Contains("input dimension must be 2"));
    X(0, 1) = -0.25;
    CHECK_THROWS_WITH(e.encode(X, out), Contains("[0, 1]"));
    const auto r = make_encoder<float>(spec("rff", {{"sigma", 1}, {"dim", 10}}));
    Mat<float> Xf = Mat<float>::Constant(1, 2, std::numeric_limits<float>::infinity()), of(10, 2);
    CHECK_THROWS_WITH(r.encode(Xf, of), Contains("finite"));
}

namespace {

/// Codes of e on its domain: the diagonal of the unit cube at k / 64 (0, 0.5, 1 and every shift of a
/// basis with D | 64 hit exactly, where a Gaussian evaluates psi(0)) and 200 random points.
template <class T>
Mat<T> codes_on_domain(const AnyEncoder<T>& e) {
    const Index d = e.input_dim();
    Mat<T> X(d, 65 + 200);
    for (Index k = 0; k <= 64; ++k) X.col(k).setConstant(T(double(k) / 64.0));
    X.rightCols(200) = random_points(d, 200, 3).cast<T>();
    return encode(e, X);
}

/// make_encoder<T>(s) either throws posenc::Error naming `param` (when given) or builds an encoder whose
/// codes are finite on the whole domain (when `param` is empty).
template <class T>
void require_finite_or_named(const EncoderSpec& s, const std::string& param) {
    INFO(to_string(s) << " as " << (sizeof(T) == sizeof(float) ? "float" : "double"));
    if (param.empty()) {
        const AnyEncoder<T> e = make_encoder<T>(s);
        CHECK(codes_on_domain(e).allFinite());
    } else {
        CHECK_THROWS_WITH(make_encoder<T>(s), Contains("parameter \"" + param + "\""));
    }
}

}  // namespace

TEST_CASE("factory: an accepted spec has finite codes in float and double, else the error names the parameter",
          "[factory][errors][finite]") {
    // Issue 12 item 1 (fuzz_encoder_spec): a per_axis over an unscaled gaussian far too narrow for its one
    // shift (raw code at 0.5 ~ 1e-136: 0 or a denormal in float) rescaled by 1 / that norm -> inf / NaN.
    const EncoderSpec narrow = spec("gaussian", {{"sigma", 0.02}, {"dim", 1}, {"scale", 0}});
    struct Row {
        EncoderSpec s;
        std::string in_float, in_double;  // parameter the error must name; "" = accepted with finite codes
    };
    const std::vector<Row> rows = {
        {spec("per_axis", {{"input_dim", 1}}, {narrow}), "scale", ""},  // the fuzz finding
        {spec("per_axis", {{"input_dim", 3}}, {narrow}), "scale", ""},
        {spec("directional", {}, {narrow}), "scale", ""},
        {spec("per_axis", {{"input_dim", 1}}, {spec("per_axis", {{"input_dim", 1}, {"scale", 0}}, {narrow})}), "scale",
         ""},
        {spec("gaussian", {{"sigma", 0.02}, {"dim", 1}}), "scale", ""},  // the earlier finding (ShiftedBasis)
        {spec("gaussian2", {{"sigma", 0.02}, {"dim", 2}}), "scale", ""},
        // unscaled compositions of the same child are fine: raw values <= 1
        {spec("per_axis", {{"input_dim", 2}, {"scale", 0}}, {narrow}), "", ""},
        {spec("directional", {{"scale", 0}}, {narrow}), "", ""},
        {spec("concat", {}, {narrow, spec("rff", {{"sigma", 5}, {"dim", 8}})}), "", ""},
        // parameters outside the scalar type's range: NaN at u = 0, infinite frequencies or offsets
        {spec("gaussian", {{"sigma", 1e-20}, {"dim", 2}}), "sigma", ""},
        {spec("gaussian", {{"sigma", 1e-20}, {"dim", 2}, {"scale", 0}}), "sigma", ""},
        {spec("gaussian", {{"sigma", 1e-160}, {"dim", 2}}), "sigma", "sigma"},
        {spec("sinc", {{"width", 1e-300}, {"dim", 4}}), "width", "width"},
        {spec("triangle", {{"width", 1e-300}, {"dim", 4}}), "width", "width"},
        {spec("sine", {{"freq", 1e300}, {"dim", 4}}), "freq", "freq"},
        {spec("sine", {{"offset", 1e39}, {"dim", 4}}), "offset", ""},
        {spec("sine", {{"offset", -1e300}, {"dim", 4}, {"scale", 0}}), "offset", "offset"},
        {spec("square", {{"freq", 1e300}, {"dim", 4}}), "freq", "freq"},
        {spec("rff", {{"sigma", 1e300}, {"dim", 2}}), "sigma", "sigma"},
        {spec("linf", {{"max_freq", 1e300}, {"dim", 8}}), "max_freq", "max_freq"},
        {spec("per_axis", {{"input_dim", 2}}, {spec("sine", {{"offset", 1e39}, {"dim", 4}, {"scale", 0}})}), "offset",
         ""},
    };
    for (const Row& row : rows) {
        require_finite_or_named<float>(row.s, row.in_float);
        require_finite_or_named<double>(row.s, row.in_double);
    }
    // The message says why and what to do.
    try {
        make_encoder<float>(rows[0].s);
        FAIL("accepted");
    } catch (const Error& e) {
        const std::string m = e.what();
        CHECK_THAT(m, StartsWith("encoder \"per_axis\": parameter \"scale\"") && Contains("float") &&
                          Contains("\"scale\": 0"));
    }
    CHECK_THROWS_WITH(make_encoder<float>(spec("gaussian", {{"sigma", 1e-20}, {"dim", 2}})),
                      StartsWith("encoder \"gaussian\": parameter \"sigma\" is too small for float"));
}

TEST_CASE("factory: type list, parameter list and the lenient CLI spec builder", "[factory]") {
    const auto types = encoder_types();
    for (const char* t : {"none", "identity", "basic", "linf", "logf", "rff", "gaussian", "gaussian2", "triangle",
                          "sinc", "impulse", "square", "sine", "noise", "per_axis", "concat"})
        CHECK(std::find(types.begin(), types.end(), t) != types.end());
    const auto gp = encoder_parameters("gaussian");
    CHECK(std::find(gp.begin(), gp.end(), "sigma") != gp.end());
    CHECK(std::find(gp.begin(), gp.end(), "param") != gp.end());
    CHECK_THROWS_WITH(encoder_parameters("nope"), Contains("unknown encoder \"nope\""));
    CHECK(!encoder_summary("rff").empty());

    // One option set for every name, as a --encoder NAME --param P --dim D --periodic --seed K CLI would build.
    const std::map<std::string, double> cli{{"param", 0.01}, {"dim", 100}, {"periodic", 1}, {"seed", 3}};
    CHECK(spec_for("basic", cli).params.empty());
    CHECK(spec_for("none", cli).params.empty());
    CHECK(spec_for("impulse", cli).params == std::map<std::string, double>{{"dim", 100}, {"periodic", 1}});
    CHECK(spec_for("rff", cli).params == std::map<std::string, double>{{"param", 0.01}, {"dim", 100}, {"seed", 3}});
    for (const char* t : {"none", "basic", "rff", "gaussian", "triangle", "sinc", "impulse", "square", "sine", "noise"})
        CHECK_NOTHROW(make_encoder<float>(spec_for(t, cli)));
    CHECK_THROWS_WITH(spec_for("gausian", cli), Contains("unknown encoder"));
}

#ifdef POSENC_TEST_HAVE_JSON
TEST_CASE("json_spec: nlohmann::json <-> EncoderSpec", "[factory][json]") {
    const EncoderSpec s = parse_spec(R"({"type":"gaussian","sigma":0.002,"dim":10000})");
    CHECK(s == spec("gaussian", {{"sigma", 0.002}, {"dim", 10000}}));
    CHECK(make_encoder<float>(s).output_dim() == 10000);

    const EncoderSpec nested = spec("concat", {}, {spec("identity", {{"input_dim", 2}}),
                                                   spec("per_axis", {{"scale", 0}}, {spec("sine", {{"dim", 20}, {"offset", -0.1}})})});
    CHECK(parse_spec(to_string(nested)) == nested);  // to_string output is valid JSON that reads back exactly
    const nlohmann::json j = nested;
    CHECK(j.get<EncoderSpec>() == nested);
    CHECK(nlohmann::json::parse(to_string(nested)) == spec_to_json(nested));
    CHECK(parse_spec(R"({"type":"gaussian","periodic":true,"sigma":0.1,"dim":8})").params.at("periodic") == 1.0);
    const auto full = make_encoder<double>(nested).spec();
    CHECK(parse_spec(to_string(full)) == full);

    CHECK_THROWS_WITH(parse_spec("{\"type\":"), Contains("invalid JSON"));
    CHECK_THROWS_WITH(parse_spec("[1,2]"), Contains("must be a JSON object"));
    CHECK_THROWS_WITH(parse_spec(R"({"sigma":1})"), Contains("missing \"type\""));
    CHECK_THROWS_WITH(parse_spec(R"({"type":3})"), Contains("\"type\" must be a string"));
    CHECK_THROWS_WITH(parse_spec(R"({"type":"gaussian","sigma":"big"})"), Contains("parameter \"sigma\" must be a number"));
    CHECK_THROWS_WITH(parse_spec(R"({"type":"concat","children":{}})"), Contains("\"children\" must be an array"));
    std::string deep = R"({"type":"none"})";
    for (int i = 1; i < 17; ++i) deep = R"({"type":"concat","children":[)" + deep + "]}";
    CHECK_THROWS_WITH(parse_spec(deep), Contains("nested too deeply"));
    for (int i = 0; i < 5000; ++i) deep = R"({"type":"concat","children":[)" + deep + "]}";
    CHECK_THROWS_WITH(parse_spec(deep), Contains("nested too deeply"));  // no stack overflow
}
#endif

TEST_CASE("composite encoders bound their total output dim", "[factory][fuzz]") {
    // fuzz finding (libFuzzer timeout, tests/fuzz/crashes/fuzz_encoder_spec/): every parameter was
    // within its own bound, but 809 axes x 19 891 129 shifts is 1.6e10 code rows
    const EncoderSpec per_axis{"per_axis", {{"input_dim", 809}},
                               {EncoderSpec{"gaussian", {{"sigma", 0.02}, {"dim", 19891129}, {"scale", 0}}, {}}}};
    REQUIRE_THROWS_WITH(make_encoder<float>(per_axis), Contains("output dim") && Contains("too large"));
    const EncoderSpec big{"gaussian", {{"sigma", 0.02}, {"dim", 40000000}}, {}};
    REQUIRE_THROWS_WITH(make_encoder<double>(EncoderSpec{"concat", {}, {big, big}}), Contains("output dim") && Contains("too large"));
    // within the bound both still build
    CHECK(make_encoder<double>(EncoderSpec{"per_axis", {{"input_dim", 2}},
                                           {EncoderSpec{"gaussian", {{"sigma", 0.02}, {"dim", 100}}, {}}}})
              .output_dim() == 200);
}

TEST_CASE("factory registry: one row per type with a builder for float and double, the documented defaults are the built ones", "[factory][registry]") {
    const auto& meta = detail::encoder_table();
    const auto& rf = detail::encoder_registry<float>();
    const auto& rd = detail::encoder_registry<double>();
    REQUIRE(rf.size() == meta.size());
    REQUIRE(rd.size() == meta.size());
    for (std::size_t i = 0; i < meta.size(); ++i) {
        CHECK(std::string(rf[i].type) == meta[i].type);
        CHECK(std::string(rd[i].type) == meta[i].type);
        CHECK(rf[i].build != nullptr);
        CHECK(rd[i].build != nullptr);
        // the main parameter, when there is one, is a parameter of the type
        if (*meta[i].main) CHECK(meta[i].find(meta[i].main) != nullptr);
    }
    // A minimal valid spec per type: every documented numeric default is what the builder fills in
    // (when it fills it into the normalised spec), and every required parameter is refused when absent.
    const EncoderSpec g{"gaussian", {{"sigma", 0.05}, {"dim", 8}}, {}};
    const std::map<std::string, EncoderSpec> minimal = {
        {"basic", {"basic", {}, {}}},
        {"concat", {"concat", {}, {g}}},
        {"directional", {"directional", {}, {g}}},
        {"gaussian", g},
        {"gaussian2", {"gaussian2", {{"sigma", 0.05}, {"dim", 8}}, {}}},
        {"hashgrid", {"hashgrid", {{"log2_table_size", 8}}, {}}},
        {"identity", {"identity", {}, {}}},
        {"impulse", {"impulse", {{"dim", 8}}, {}}},
        {"learnable_fourier", {"learnable_fourier", {{"sigma", 1}, {"dim", 8}}, {}}},
        {"learnable_gaussian", {"learnable_gaussian", {{"sigma", 0.1}, {"dim", 8}}, {}}},
        {"linf", {"linf", {{"max_freq", 4}, {"dim", 8}}, {}}},
        {"logf", {"logf", {{"levels", 4}}, {}}},
        {"noise", {"noise", {{"dim", 8}}, {}}},
        {"none", {"none", {}, {}}},
        {"oneblob", {"oneblob", {{"n_bins", 16}}, {}}},
        {"per_axis", {"per_axis", {}, {g}}},
        {"rff", {"rff", {{"sigma", 1}, {"dim", 8}}, {}}},
        {"sinc", {"sinc", {{"width", 0.1}, {"dim", 8}}, {}}},
        {"sine", {"sine", {{"dim", 8}}, {}}},
        {"spherical_harmonics", {"spherical_harmonics", {{"degree", 2}}, {}}},
        {"square", {"square", {{"dim", 8}}, {}}},
        {"triangle", {"triangle", {{"width", 0.1}, {"dim", 8}}, {}}},
        {"triangle_wave", {"triangle_wave", {{"n_frequencies", 4}}, {}}},
    };
    REQUIRE(minimal.size() == meta.size());
    int compared = 0;
    for (const auto& t : meta) {
        INFO(t.type);
        REQUIRE(minimal.count(t.type));
        const EncoderSpec& s = minimal.at(t.type);
        const EncoderSpec norm = make_encoder<double>(s).spec();
        for (const detail::EncoderParam& p : t.params) {
            INFO(p.name);
            if (p.required()) {
                EncoderSpec without = s;
                without.params.erase(p.name);
                CHECK_THROWS_WITH(make_encoder<double>(without), Contains("missing required parameter \"" + std::string(p.name) + "\""));
                continue;
            }
            if (s.params.count(p.name) || !norm.params.count(p.name)) continue;  // given, or not filled in
            std::size_t used = 0;
            const std::string def = p.def;
            double v = 0;
            try {
                v = std::stod(def, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != def.size()) continue;  // not a number ("unset")
            CHECK(norm.params.at(p.name) == v);
            ++compared;
        }
    }
    CHECK(compared > 40);
}

TEST_CASE("factory registry: the generated reference lists every type and parameter", "[factory][registry][docs]") {
    const std::string md = encoder_reference_markdown();
    for (const std::string& type : encoder_types()) {
        INFO(type);
        const std::size_t at = md.find("\n| `" + type + "` |");
        REQUIRE(at != std::string::npos);
        const std::string line = md.substr(at + 1, md.find('\n', at + 1) - at - 1);
        CHECK_THAT(line, Contains(encoder_summary(type)) || Contains("\\|"));
        for (const std::string& p : encoder_parameters(type))
            if (p != "param") CHECK_THAT(line, Contains("`" + p + "`"));
        // a table row has exactly the three cells: no unescaped '|' inside a cell
        int bars = 0;
        for (std::size_t i = 0; i < line.size(); ++i) bars += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
        CHECK(bars == 4);
    }
}

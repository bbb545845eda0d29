// Tests for composition: PerAxis (encoding/per_axis.hpp), Concat (encoding/concat.hpp) and the
// type-erased AnyEncoder (encoding/any_encoder.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "posenc/encoding/any_encoder.hpp"
#include "posenc/encoding/concat.hpp"
#include "posenc/encoding/directional.hpp"
#include "posenc/encoding/frequencies.hpp"
#include "posenc/encoding/identity.hpp"
#include "posenc/encoding/kronecker.hpp"
#include "posenc/encoding/per_axis.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/profiles/impulse.hpp"
#include "posenc/encoding/profiles/sine_wave.hpp"
#include "posenc/encoding/profiles/triangle.hpp"
#include "posenc/encoding/shifted_basis.hpp"

using namespace posenc;
using Catch::Matchers::Contains;

namespace {

Mat<double> random_points(Index d, Index n, std::uint64_t seed, double lo = 0.0, double hi = 1.0) {
    Rng rng(seed);
    Mat<double> X(d, n);
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < d; ++i) X(i, j) = rng.uniform(lo, hi);
    return X;
}

/// Relative error of e.backward against central finite differences of e.encode (double).
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
    return (dX - fd).norm() / std::max(fd.norm(), 1e-300);
}

/// Scatters windows into a dense rows x N code (slots with the same index add up, as a consumer would).
template <class T>
Mat<T> densify(const Windows<T>& w, Index rows) {
    Mat<T> D = Mat<T>::Zero(rows, w.cols());
    for (Index n = 0; n < w.cols(); ++n)
        for (Index k = 0; k < w.width; ++k) {
            const auto i = w.index(k, n);
            REQUIRE(i >= 0);
            REQUIRE(i < rows);
            D(i, n) += w.weight(k, n);
        }
    return D;
}

/// A user-defined encoder (not from posenc) to show that AnyEncoder wraps anything satisfying Encoder:
/// code(x) = [x0 * x1; x0^2].
struct Product2 {
    using Scalar = double;
    Index input_dim() const { return 2; }
    Index output_dim() const { return 2; }
    void encode(ConstMatRef<double> X, MatRef<double> out) const {
        out.row(0) = X.row(0).cwiseProduct(X.row(1));
        out.row(1) = X.row(0).cwiseAbs2();
    }
    void backward(ConstMatRef<double> X, ConstMatRef<double> dY, MatRef<double> dX) const {
        dX.row(0) = dY.row(0).cwiseProduct(X.row(1)) + 2 * dY.row(1).cwiseProduct(X.row(0));
        dX.row(1) = dY.row(0).cwiseProduct(X.row(0));
    }
};

}  // namespace

static_assert(Encoder<AnyEncoder<float>> && WindowedEncoder<AnyEncoder<float>>);
static_assert(Encoder<Concat<double>> && WindowedEncoder<Concat<double>>);
static_assert(WindowedEncoder<PerAxis<ShiftedBasis<Gaussian, float>>>);
static_assert(Encoder<PerAxis<Identity<double>>> && !WindowedEncoder<PerAxis<Identity<double>>>);

TEMPLATE_TEST_CASE("PerAxis: protocol C gaussian2 = [Psi(x), Psi(y)] with one constant, unit norm at the centre",
                   "[per_axis]", float, double) {
    using T = TestType;
    // Protocol C (docs/protocols.md): D = 1000 in total, D/2 = 500 shifts per axis at t_k = k / 500,
    // bounded domain, one constant making the code of (0.5, 0.5) unit norm. Reference values computed
    // here from the formula.
    const double sigma = 0.01;
    const Index half = 500;
    const ShiftedBasis<Gaussian, T> axis(Gaussian(sigma), half, Domain::Bounded, Scaling::None);
    const PerAxis<ShiftedBasis<Gaussian, T>> e(axis, 2);
    REQUIRE(e.input_dim() == 2);
    REQUIRE(e.output_dim() == 1000);
    REQUIRE(e.offset(1) == 500);

    auto raw = [&](double x, Index k) {
        const double u = x - double(k) / double(half);
        return std::exp(-u * u / (2 * sigma * sigma));
    };
    double sq = 0;
    for (Index k = 0; k < half; ++k) sq += 2 * raw(0.5, k) * raw(0.5, k);
    const double s = 1 / std::sqrt(sq);
    CHECK(e.scale() == Approx(s).epsilon(std::is_same_v<T, float> ? 1e-6 : 1e-12));  // centre code in T

    const Mat<double> Xd = random_points(2, 16, 21);
    const Mat<T> C = encode(e, Xd.cast<T>());
    double err = 0;
    for (Index n = 0; n < Xd.cols(); ++n)
        for (Index k = 0; k < half; ++k) {
            err = std::max(err, std::abs(double(C(k, n)) - s * raw(Xd(0, n), k)));
            err = std::max(err, std::abs(double(C(half + k, n)) - s * raw(Xd(1, n), k)));
        }
    CHECK(err < (std::is_same_v<T, float> ? 1e-6 : 1e-14));
    const Mat<T> centre = Mat<T>::Constant(2, 1, T(0.5));
    CHECK(double(encode(e, centre).norm()) == Approx(1.0).epsilon(1e-6));

    // Scaling each axis first and then PerAxis gives the same code (one overall constant either way).
    const ShiftedBasis<Gaussian, T> scaled_axis(Gaussian(sigma), half, Domain::Bounded, Scaling::UnitNormAtCenter);
    const PerAxis<ShiftedBasis<Gaussian, T>> e2(scaled_axis, 2);
    CHECK((encode(e2, Xd.cast<T>()) - C).template cast<double>().cwiseAbs().maxCoeff() < 1e-6);
    // Scaling::None leaves the raw blocks.
    const PerAxis<ShiftedBasis<Gaussian, T>> e3(axis, 2, Scaling::None);
    CHECK(e3.scale() == 1.0);
    CHECK(double(encode(e3, Xd.cast<T>())(3, 0)) == Approx(raw(Xd(0, 0), 3)).margin(1e-6));
}

TEMPLATE_TEST_CASE("PerAxis: windows equal the dense encoding", "[per_axis][windows]", float, double) {
    using T = TestType;
    const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-12;
    for (Domain dom : {Domain::Bounded, Domain::Periodic}) {
        INFO("domain " << to_string(dom));
        const Mat<T> X = random_points(3, 50, 31).cast<T>();
        {   // Gaussian: entries outside the window are below the truncation tolerance (1e-8 relative)
            const PerAxis<ShiftedBasis<Gaussian, T>> e(ShiftedBasis<Gaussian, T>(Gaussian(0.01), 400, dom, Scaling::None), 3);
            REQUIRE(e.window_width() == 3 * ShiftedBasis<Gaussian, T>(Gaussian(0.01), 400, dom).window_width());
            Windows<T> w;
            e.windows(X, w);
            REQUIRE(w.width == e.window_width());
            CHECK((densify(w, e.output_dim()) - encode(e, X)).template cast<double>().cwiseAbs().maxCoeff() <
                  1e-8 * e.scale() + tol);
        }
        {   // Triangle: exact compact support
            std::vector<ShiftedBasis<Triangle, T>> axes;
            axes.emplace_back(Triangle(0.02), 100, dom, Scaling::None);
            axes.emplace_back(Triangle(0.05), 60, dom, Scaling::None);  // axes may differ
            axes.emplace_back(Triangle(0.01), 300, dom, Scaling::None);
            const PerAxis<ShiftedBasis<Triangle, T>> e(axes);
            CHECK(e.output_dim() == 460);
            Windows<T> w;
            e.windows(X, w);
            CHECK((densify(w, e.output_dim()) - encode(e, X)).template cast<double>().cwiseAbs().maxCoeff() < tol);
        }
        {   // Impulse: one-hot per axis
            const PerAxis<ShiftedBasis<Impulse, T>> e(ShiftedBasis<Impulse, T>(Impulse(), 64, dom, Scaling::None), 2);
            const Mat<T> X2 = X.topRows(2);
            Windows<T> w;
            e.windows(X2, w);
            const Mat<T> dense = encode(e, X2);
            CHECK((densify(w, e.output_dim()) - dense).template cast<double>().cwiseAbs().maxCoeff() < tol);
            CHECK(double(dense.col(0).norm()) == Approx(1.0).epsilon(1e-6));  // two ones, scaled by 1/sqrt(2)
        }
    }
}

TEST_CASE("PerAxis: backward matches finite differences (double)", "[per_axis][gradient]") {
    const Mat<double> X = random_points(2, 30, 41, 0.05, 0.95);
    const PerAxis<ShiftedBasis<Gaussian, double>> g(ShiftedBasis<Gaussian, double>(Gaussian(0.03), 200, Domain::Bounded, Scaling::None), 2);
    CHECK(backward_fd_error(g, X) < 1e-6);
    const PerAxis<ShiftedBasis<SineWave, double>> s(ShiftedBasis<SineWave, double>(SineWave(2.0, 0.3), 50, Domain::Periodic), 2);
    CHECK(backward_fd_error(s, X) < 1e-6);
    // 1D Fourier encoders per axis (through AnyEncoder) and a 3-axis mix of different 1D encoders.
    std::vector<AnyEncoder<double>> axes{AnyEncoder<double>(logf<double>(1, 5)),
                                         AnyEncoder<double>(ShiftedBasis<Gaussian, double>(Gaussian(0.05), 40)),
                                         AnyEncoder<double>(Identity<double>(1))};
    const PerAxis<AnyEncoder<double>> mix(axes);
    CHECK(mix.output_dim() == 10 + 40 + 1);
    CHECK(mix.window_width() == 0);  // logf has no windows
    CHECK_THROWS_WITH([&] { Windows<double> w; mix.windows(random_points(3, 2, 1), w); }(), Contains("no compact-support windows"));
    CHECK(backward_fd_error(mix, random_points(3, 30, 42, 0.05, 0.95)) < 1e-6);
}

TEST_CASE("PerAxis: float agrees with double", "[per_axis]") {
    const Mat<double> X = random_points(2, 20, 51);
    const PerAxis<ShiftedBasis<Gaussian, double>> ed(ShiftedBasis<Gaussian, double>(Gaussian(0.02), 300), 2);
    const PerAxis<ShiftedBasis<Gaussian, float>> ef(ShiftedBasis<Gaussian, float>(Gaussian(0.02), 300), 2);
    CHECK((encode(ef, X.cast<float>()).cast<double>() - encode(ed, X)).cwiseAbs().maxCoeff() < 1e-6);
}

TEST_CASE("PerAxis: bad construction and bad input throw posenc::Error", "[per_axis][errors]") {
    using PA = PerAxis<ShiftedBasis<Gaussian, double>>;
    const ShiftedBasis<Gaussian, double> axis(Gaussian(0.02), 100);
    CHECK_THROWS_WITH(PA(axis, 0), Contains("input_dim"));
    CHECK_THROWS_WITH(PA(std::vector<ShiftedBasis<Gaussian, double>>{}), Contains("at least one axis"));
    CHECK_THROWS_WITH(PerAxis<Identity<double>>(Identity<double>(2), 2), Contains("input_dim 1"));
    const PA e(axis, 2);
    Mat<double> out(200, 3);
    Mat<double> X = random_points(2, 3, 1);
    CHECK_THROWS_WITH(e.encode(random_points(3, 3, 1), out), Contains("input dimension must be 2"));
    X(1, 1) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(e.encode(X, out), Contains("finite"));
    X(1, 1) = 1.5;  // bounded domain
    CHECK_THROWS_WITH(e.encode(X, out), Contains("[0, 1]"));
    // The same error from deep inside a large batch (encoded in parallel chunks) still arrives as one
    // posenc::Error, and good batches still encode afterwards.
    Mat<double> big = random_points(2, 1000, 2), big_out(200, 1000);
    big(0, 777) = -0.5;
    CHECK_THROWS_WITH(e.encode(big, big_out), Contains("[0, 1]"));
    big(0, 777) = 0.5;
    CHECK_NOTHROW(e.encode(big, big_out));
}

TEMPLATE_TEST_CASE("Concat: stacks its parts, backward sums them, windows when all parts have them",
                   "[concat]", float, double) {
    using T = TestType;
    const AnyEncoder<T> id(Identity<T>(2));
    const AnyEncoder<T> gau(PerAxis<ShiftedBasis<Gaussian, T>>(ShiftedBasis<Gaussian, T>(Gaussian(0.02), 100), 2));
    const AnyEncoder<T> tri(PerAxis<ShiftedBasis<Triangle, T>>(ShiftedBasis<Triangle, T>(Triangle(0.03), 50, Domain::Periodic), 2));
    const AnyEncoder<T> four(rff<T>(2, 16, 4.0, 3));
    const Concat<T> c({id, gau, four});
    REQUIRE(c.output_dim() == 2 + 200 + 32);
    REQUIRE(c.num_parts() == 3);
    const Mat<T> X = random_points(2, 25, 61).cast<T>();
    const Mat<T> C = encode(c, X);
    CHECK(C.topRows(2) == X);
    CHECK(C.middleRows(2, 200) == encode(gau, X));
    CHECK(C.bottomRows(32) == encode(four, X));

    CHECK(c.window_width() == 0);
    Windows<T> w;
    CHECK_THROWS_WITH(c.windows(X, w), Contains("no compact-support windows"));

    const Concat<T> cw({gau, tri, gau});
    REQUIRE(cw.window_width() == 2 * gau.window_width() + tri.window_width());
    cw.windows(X, w);
    const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-12;
    CHECK((densify(w, cw.output_dim()) - encode(cw, X)).template cast<double>().cwiseAbs().maxCoeff() < 1e-8 + tol);

    // A Concat is itself an encoder, so it nests (through AnyEncoder).
    const Concat<T> nested({AnyEncoder<T>(cw), tri});
    CHECK(nested.output_dim() == cw.output_dim() + tri.output_dim());
    CHECK(encode(nested, X).topRows(cw.output_dim()) == encode(cw, X));
}

TEST_CASE("Concat: backward matches finite differences (double)", "[concat][gradient]") {
    const Concat<double> c({AnyEncoder<double>(Identity<double>(2)),
                            AnyEncoder<double>(PerAxis<ShiftedBasis<Gaussian, double>>(
                                ShiftedBasis<Gaussian, double>(Gaussian(0.05), 60), 2)),
                            AnyEncoder<double>(logf<double>(2, 4, true)), AnyEncoder<double>(Product2{})});
    CHECK(backward_fd_error(c, random_points(2, 40, 71, 0.05, 0.95)) < 1e-6);
}

TEST_CASE("Concat: bad construction and bad input throw posenc::Error", "[concat][errors]") {
    CHECK_THROWS_WITH(Concat<double>({}), Contains("at least one part"));
    CHECK_THROWS_WITH(Concat<double>({AnyEncoder<double>()}), Contains("empty"));
    CHECK_THROWS_WITH(Concat<double>({AnyEncoder<double>(Identity<double>(1)), AnyEncoder<double>(Identity<double>(2))}),
                      Contains("same input_dim"));
    const Concat<double> c({AnyEncoder<double>(Identity<double>(2)), AnyEncoder<double>(basic_fourier<double>(2))});
    Mat<double> out(6, 2), X = random_points(2, 2, 1);
    X(0, 1) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH(c.encode(X, out), Contains("finite"));
    CHECK_THROWS_WITH(c.encode(random_points(1, 2, 1), out), Contains("input dimension"));
}

TEST_CASE("AnyEncoder: type erasure keeps behaviour, windows and identity", "[any_encoder]") {
    const ShiftedBasis<Gaussian, float> basis(Gaussian(0.01), 1000, Domain::Periodic);
    const AnyEncoder<float> a(basis, EncoderSpec{"gaussian", {{"sigma", 0.01}, {"dim", 1000}}, {}});
    CHECK(a.name() == "gaussian");
    CHECK(a.spec().params.at("dim") == 1000);
    CHECK(a.input_dim() == 1);
    CHECK(a.output_dim() == 1000);
    CHECK(a.window_width() == basis.window_width());
    CHECK_THAT(a.describe(), Contains("1 -> 1000") && Contains("\"sigma\":0.01"));

    const Mat<float> X = random_points(1, 100, 81).cast<float>();
    CHECK(encode(a, X) == encode(basis, X));
    Windows<float> wa, wb;
    a.windows(X, wa);
    basis.windows(X, wb);
    CHECK(wa.index == wb.index);
    CHECK(wa.weight == wb.weight);
    Mat<float> dY = random_points(1000, 100, 82).cast<float>(), g1(1, 100), g2(1, 100);
    a.backward(X, dY, g1);
    basis.backward(X, dY, g2);
    CHECK(g1 == g2);

    // Copies share the immutable implementation; target<E>() reaches the concrete encoder.
    const AnyEncoder<float> b = a;
    REQUIRE(b.target<ShiftedBasis<Gaussian, float>>() != nullptr);
    CHECK(b.target<ShiftedBasis<Gaussian, float>>() == a.target<ShiftedBasis<Gaussian, float>>());
    CHECK(b.target<Identity<float>>() == nullptr);

    // Non-windowed encoders: width 0 and windows() throws.
    const AnyEncoder<double> f(rff<double>(1, 8, 1.0));
    CHECK(f.name() == "custom");
    CHECK(f.window_width() == 0);
    Windows<double> w;
    CHECK_THROWS_WITH(f.windows(random_points(1, 3, 1), w), Contains("no compact-support windows"));

    // User-defined encoder type.
    const AnyEncoder<double> p(Product2{}, {}, "product");
    CHECK(p.name() == "product");
    CHECK(backward_fd_error(p, random_points(2, 10, 83)) < 1e-8);

    // Empty encoder.
    const AnyEncoder<double> e;
    CHECK(e.empty());
    CHECK_THROWS_WITH(e.output_dim(), Contains("empty"));
    Mat<double> out(1, 1);
    CHECK_THROWS_WITH(e.encode(out, out), Contains("empty"));
}

TEST_CASE("Composites: a unit-norm scale the scalar type cannot hold is refused, codes stay finite",
          "[per_axis][directional][kronecker][errors]") {
    // Issue 12 item 1 (fuzz_encoder_spec): an unscaled Gaussian far too narrow for its one shift has a
    // code of ~1e-136 at x = 0.5 (0 or a denormal in float); rescaling by 1 / that norm gave inf / NaN.
    using SB = ShiftedBasis<Gaussian, float>;
    const SB narrow(Gaussian(0.02), 1, Domain::Bounded, Scaling::None);
    CHECK_THROWS_WITH(PerAxis<SB>(narrow, 1), Contains("PerAxis") && Contains("float") && Contains("norm^2"));
    CHECK_THROWS_WITH(PerAxis<SB>(narrow, 2), Contains("float"));
    CHECK_THROWS_WITH(Directional<SB>(narrow), Contains("Directional") && Contains("float"));
    CHECK_THROWS_WITH(PerAxis<PerAxis<SB>>(PerAxis<SB>(narrow, 1, Scaling::None), 1), Contains("float"));
    // Unscaled, the same compositions are fine (raw values <= 1); double holds the scale (~1e136).
    Mat<float> X1(1, 65), X2(2, 65);
    for (Index k = 0; k <= 64; ++k) X1(0, k) = X2(0, k) = X2(1, 64 - k) = float(k) / 64.0f;
    CHECK(encode(PerAxis<SB>(narrow, 2, Scaling::None), X2).allFinite());
    CHECK(encode(Directional<SB>(narrow, Scaling::None), X2).allFinite());
    using SBd = ShiftedBasis<Gaussian, double>;
    const PerAxis<SBd> wide_scale(SBd(Gaussian(0.02), 1, Domain::Bounded, Scaling::None), 1);
    CHECK(wide_scale.scale() > 1e130);
    CHECK(encode(wide_scale, X1.cast<double>()).allFinite());

    // ShiftedBasis refuses a profile whose parameters do not fit the scalar type (1 / (2 sigma^2) = inf
    // in float: psi(0) = exp(-0 * inf) = NaN; an offset of 1e39 is inf in float).
    CHECK_THROWS_WITH((ShiftedBasis<Gaussian, float>(Gaussian(1e-20), 2, Domain::Bounded, Scaling::None)),
                      Contains("float"));
    CHECK_THROWS_WITH((ShiftedBasis<SineWave, float>(SineWave(1.0, 1e39), 4, Domain::Bounded, Scaling::None)),
                      Contains("float"));
    CHECK(encode(ShiftedBasis<Gaussian, double>(Gaussian(1e-20), 2), X1.cast<double>()).allFinite());

    // Coordinates far outside the unit square (Identity's domain is every finite number):
    // Directional forms (x + y) / 2 without overflowing ...
    const Directional<Identity<float>> dir{Identity<float>(1)};
    Mat<float> big(2, 1);
    big << 3e38f, 3e38f;
    const Mat<float> dcode = encode(dir, big);
    CHECK(dcode.allFinite());
    CHECK(dcode(2, 0) == Approx(3e38f * float(dir.scale())));
    // ... PerAxis refuses a code its scale (here 2) would overflow, and Kronecker a product that overflows.
    const PerAxis<Identity<float>> pa(Identity<float>(1), 1);
    REQUIRE(pa.scale() == Approx(2.0));
    Mat<float> huge = Mat<float>::Constant(1, 1, 3e38f);
    CHECK_THROWS_WITH(encode(pa, huge), Contains("PerAxis") && Contains("overflow"));
    huge(0, 0) = 1e38f;
    CHECK(encode(pa, huge)(0, 0) == Approx(2e38f));
    const Kronecker<Identity<float>> kr(Identity<float>(1), Identity<float>(1));
    Mat<float> kb = Mat<float>::Constant(2, 1, 1e20f);
    CHECK_THROWS_WITH(encode(kr, kb), Contains("Kronecker") && Contains("overflow"));
    kb(1, 0) = 1e10f;
    CHECK(encode(kr, kb)(0, 0) == Approx(1e30f));
}

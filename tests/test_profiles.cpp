// Tests for the shifted-basis profiles (encoding/profiles/*.hpp): values against independent
// formulas (those of protocol A, docs/protocols.md), derivatives against finite differences, kernels
// against numerical autocorrelations, parameter validation.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/profiles/impulse.hpp"
#include "posenc/encoding/profiles/profile.hpp"
#include "posenc/encoding/profiles/random_noise.hpp"
#include "posenc/encoding/profiles/sinc.hpp"
#include "posenc/encoding/profiles/sine_wave.hpp"
#include "posenc/encoding/profiles/square_wave.hpp"
#include "posenc/encoding/profiles/triangle.hpp"

using namespace posenc;
constexpr double pi = std::numbers::pi;

// ---- concepts -------------------------------------------------------------------------------
static_assert(Profile<Gaussian, float> && Profile<Gaussian, double>);
static_assert(Profile<Triangle, float> && Profile<Sinc, double> && Profile<Impulse, float>);
static_assert(Profile<SquareWave, double> && Profile<SineWave, float> && Profile<RandomNoise, double>);
static_assert(HasKernel<Gaussian> && HasKernel<Triangle> && HasKernel<Sinc> && HasKernel<Impulse>);
static_assert(HasKernel<SquareWave> && HasKernel<SineWave> && !HasKernel<RandomNoise>);
static_assert(Bindable<Impulse> && Bindable<RandomNoise> && !Bindable<Gaussian>);
static_assert(HasZeroRadius<Gaussian> && HasZeroRadius<Triangle> && !HasZeroRadius<Sinc>);
static_assert(HasValueInplace<Gaussian, float> && HasValueInplace<Triangle, double> && HasValueInplace<Sinc, float>);
static_assert(HasDerivativeInplace<Gaussian, double> && HasDerivativeInplace<Triangle, float>);

namespace {

/// Checks that f() throws posenc::Error whose message contains `what`.
void require_error_mentions(const std::function<void()>& f, const std::string& what) {
    try {
        f();
        FAIL("expected posenc::Error mentioning '" << what << "'");
    } catch (const Error& e) {
        CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains(what));
    }
}

/// Central finite difference of p.value at u (double).
template <class P>
double fd(const P& p, double u, double h = 1e-6) {
    return (p.value(u + h) - p.value(u - h)) / (2 * h);
}

/// Normalised autocorrelation of p on [-L, L] by the trapezoid rule (independent of the kernels).
template <class P>
double numeric_kernel(const P& p, double delta, double L, int n) {
    const double h = 2 * L / n;
    double num = 0, den = 0;
    for (int i = 0; i <= n; ++i) {
        const double u = -L + i * h, wgt = (i == 0 || i == n) ? 0.5 : 1.0;
        num += wgt * p.value(u) * p.value(u + delta);
        den += wgt * p.value(u) * p.value(u);
    }
    return num / den;
}

}  // namespace

TEMPLATE_TEST_CASE("profile values follow protocol A's formulas", "[profiles]", float, double) {
    using T = TestType;
    const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-14;
    const std::vector<double> us = {-0.37, -0.02, -0.004, -1e-5, 0.0, 3e-4, 0.0031, 0.011, 0.2, 0.49};
    Gaussian g(0.01);
    Triangle tri(0.005);
    Sinc sinc(0.004);
    SquareWave sq(2.0);
    SineWave sw(1.0, 0.7);
    for (double u : us) {
        const T tu = T(u);
        const double ud = double(tu);  // the exactly representable argument
        CHECK(double(g.value(tu)) == Approx(std::exp(-ud * ud / (2 * 0.01 * 0.01))).margin(tol));
        CHECK(double(tri.value(tu)) == Approx(std::max(0.0, 1 - std::abs(ud) / 0.005)).margin(tol));
        const double a = pi * ud / 0.004;
        CHECK(double(sinc.value(tu)) == Approx(ud == 0 ? 1.0 : std::sin(a) / a).margin(tol));
        CHECK(double(sw.value(tu)) == Approx(std::sin(2 * pi * ud) + 0.7).margin(10 * tol));
        if (std::abs(std::sin(4 * pi * ud)) > 1e-3)
            CHECK(double(sq.value(tu)) == (std::sin(4 * pi * ud) > 0 ? 1.0 : -1.0));
    }
    CHECK(g.value(T(0)) == T(1));
    CHECK(sinc.value(T(0)) == T(1));
    CHECK(tri.value(T(0.005)) == T(0));
    CHECK(sq.value(T(0)) == T(-1));  // sin(0) = 0 is not > 0
}

TEMPLATE_TEST_CASE("value_inplace equals value", "[profiles]", float, double) {
    using T = TestType;
    std::vector<T> u, v;
    for (int i = 0; i < 257; ++i) u.push_back(T(-0.05 + 0.1 * i / 256.0));
    auto check = [&](const auto& p) {
        v = u;
        p.value_inplace(v.data(), Index(v.size()));
        for (std::size_t i = 0; i < u.size(); ++i) CHECK(double(v[i]) == Approx(double(p.value(u[i]))).margin(1e-6));
    };
    check(Gaussian(0.01));
    check(Triangle(0.02));
    check(Sinc(0.004));
    auto check_d = [&](const auto& p) {
        v = u;
        p.derivative_inplace(v.data(), Index(v.size()));
        for (std::size_t i = 0; i < u.size(); ++i)
            CHECK(double(v[i]) == Approx(double(p.derivative(u[i]))).epsilon(1e-5).margin(1e-4));
    };
    check_d(Gaussian(0.01));
    check_d(Triangle(0.02));
}

TEST_CASE("derivatives agree with finite differences", "[profiles]") {
    const std::vector<double> us = {-0.31, -0.013, -0.0041, -2e-4, 1e-4, 0.0023, 0.0087, 0.027, 0.41};
    Gaussian g(0.01);
    Triangle tri(0.01);
    Sinc sinc(0.004);
    SineWave sw(3.0, -0.2);
    for (double u : us) {
        CHECK(g.derivative(u) == Approx(fd(g, u)).epsilon(1e-6).margin(1e-8));
        CHECK(sinc.derivative(u) == Approx(fd(sinc, u)).epsilon(1e-6).margin(1e-8));
        CHECK(sw.derivative(u) == Approx(fd(sw, u)).epsilon(1e-6).margin(1e-8));
        if (std::abs(std::abs(u) - 0.01) > 1e-5 && std::abs(u) > 1e-5)  // away from the kinks
            CHECK(tri.derivative(u) == Approx(fd(tri, u)).epsilon(1e-6).margin(1e-8));
    }
    // sinc near 0 uses a Taylor series: check it against finite differences there too
    for (double u : {-3e-6, 1e-7, 2e-6, 5e-6}) CHECK(sinc.derivative(u) == Approx(fd(sinc, u, 1e-8)).margin(1e-4));
    // piecewise-constant profiles: derivative 0, and finite differences are 0 away from the jumps
    Impulse imp;
    imp.bind(100);
    SquareWave sq(1.0);
    RandomNoise noise(7);
    noise.bind(100);
    for (double u : {-0.3, -0.0213, 0.0031, 0.2466}) {
        CHECK(imp.derivative(u) == 0.0);
        CHECK(fd(imp, u, 1e-7) == 0.0);
        CHECK(sq.derivative(u) == 0.0);
        CHECK(fd(sq, u, 1e-7) == 0.0);
        CHECK(noise.derivative(u) == 0.0);
        CHECK(fd(noise, u, 1e-7) == 0.0);
    }
}

TEST_CASE("float derivatives are close to double ones", "[profiles]") {
    Gaussian g(0.02);
    Sinc s(0.01);
    SineWave sw;
    for (double u : {-0.03, -0.001, 0.004, 0.05}) {
        CHECK(double(g.derivative(float(u))) == Approx(g.derivative(double(float(u)))).epsilon(1e-5));
        CHECK(double(s.derivative(float(u))) == Approx(s.derivative(double(float(u)))).epsilon(1e-4).margin(1e-3));
        CHECK(double(sw.derivative(float(u))) == Approx(sw.derivative(double(float(u)))).epsilon(1e-5));
    }
}

TEST_CASE("supports and truncation tolerance", "[profiles]") {
    Gaussian g(0.01, 1e-6);
    CHECK(g.support() == Approx(0.01 * std::sqrt(2 * std::log(1e6))));
    CHECK(g.value(g.support()) == Approx(1e-6).epsilon(1e-9));
    CHECK(g.value(1.001 * g.support()) < 1e-6);
    for (double sigma : {1e-5, 0.003, 0.2, 3.0})
        for (double eps : {1e-300, double(std::numeric_limits<float>::min()), 1e-10}) {
            const Gaussian gs(sigma);
            const double z = gs.zero_radius(eps);
            INFO("sigma " << sigma << " eps " << eps);
            CHECK(gs.value(z) < eps);
            CHECK(std::abs(gs.derivative(z)) < eps);
            CHECK(gs.value(0.999 * z) > 0);
            CHECK(z < 2 * Gaussian(sigma, eps).support() + 50 * sigma);  // not absurdly wide
        }
    CHECK(Triangle(0.02).zero_radius(1e-300) == 0.02);
    Triangle t(0.03);
    CHECK(t.support() == 0.03);
    CHECK(t.value(0.0300001) == 0.0);
    CHECK(std::isinf(Sinc(0.1).support()));
    CHECK(std::isinf(SquareWave().support()));
    CHECK(std::isinf(SineWave().support()));
    CHECK(std::isinf(RandomNoise().support()));
    Impulse imp;
    CHECK(std::isinf(imp.support()));  // unbound
    imp.bind(200);
    CHECK(imp.support() == Approx(0.0025).epsilon(1e-3));
}

TEST_CASE("impulse: nearest shift, ties hit both neighbours", "[profiles]") {
    Impulse imp;
    imp.bind(8);
    CHECK(imp.value(0.0) == 1.0);
    CHECK(imp.value(0.0625) == 1.0);   // u D = 0.5: NumPy's round gives 0 (half to even)
    CHECK(imp.value(-0.0625) == 1.0);  // -0.5 rounds to -0
    CHECK(imp.value(0.0626) == 0.0);
    CHECK(imp.value(0.1875) == 0.0);   // 1.5 rounds to 2
    CHECK(imp.value(0.125) == 0.0);
    CHECK(imp.value(0.0625f) == 1.0f);
    // a tie spoilt by rounding: x = 0.5 between shifts 50/101 and 51/101 gives |u D| slightly above
    // 0.5 on both sides in double (round() would miss both); both must hit
    Impulse odd;
    odd.bind(101);
    const double u50 = 0.5 - 50.0 / 101.0, u51 = 0.5 - 51.0 / 101.0;
    REQUIRE(std::abs(u50 * 101) > 0.5);
    CHECK(odd.value(u50) == 1.0);
    CHECK(odd.value(u51) == 1.0);
    CHECK(odd.value(0.5 - 49.0 / 101.0) == 0.0);
}

TEST_CASE("random noise is a seeded lookup on the shift grid", "[profiles]") {
    const Index D = 10000;
    RandomNoise a(3), b(3), c(4);
    a.bind(D);
    b.bind(D);
    c.bind(D);
    REQUIRE(a.samples().size() == std::size_t(D));
    CHECK(a.samples() == b.samples());
    CHECK(a.samples() != c.samples());
    Rng rng(3);
    CHECK(a.samples()[0] == rng.normal());
    double mean = 0, sq = 0;
    for (double s : a.samples()) {
        mean += s;
        sq += s * s;
    }
    mean /= D;
    sq /= D;
    CHECK(std::abs(mean) < 0.05);           // 5 standard errors
    CHECK(std::abs(sq - 1.0) < 0.07);       // var of s^2 is 2: 5 standard errors
    for (Index d : {Index(0), Index(1), Index(517), D - 1}) {
        CHECK(a.value(double(d) / double(D)) == a.samples()[std::size_t(d)]);
        CHECK(a.value(double(d) / double(D) + 0.3 / double(D)) == a.samples()[std::size_t(d)]);
    }
    CHECK(a.value(-1.0 / double(D)) == a.samples()[std::size_t(D - 1)]);  // floored mod
    CHECK(a.value(-0.5) == a.samples()[std::size_t(D / 2)]);
    CHECK(float(a.value(0.25f)) == float(a.samples()[2500]));
    RandomNoise unbound(1);
    CHECK(unbound.value(0.1) == 0.0);
}

TEST_CASE("closed-form kernels equal numerical autocorrelations", "[profiles][kernel]") {
    CHECK(Gaussian(0.01).kernel(0) == 1.0);
    CHECK(Triangle(0.01).kernel(0) == 1.0);
    CHECK(Sinc(0.01).kernel(0) == 1.0);
    CHECK(SquareWave(2).kernel(0) == 1.0);
    CHECK(SineWave(1, 0.3).kernel(0) == Approx(1.0));
    Impulse imp;
    CHECK(imp.kernel(0) == 1.0);
    CHECK(imp.kernel(1e-3) == 0.0);
    imp.bind(100);
    CHECK(imp.kernel(0.004) == 1.0);
    CHECK(imp.kernel(0.006) == 0.0);

    const Gaussian g(0.01);
    const Triangle t(0.01);
    for (double delta : {0.0, 0.002, 0.007, 0.01, 0.013, 0.019, 0.025, 0.04}) {
        CHECK(g.kernel(delta) == Approx(numeric_kernel(g, delta, 0.2, 40000)).margin(1e-9));
        CHECK(t.kernel(delta) == Approx(numeric_kernel(t, delta, 0.05, 100000)).margin(1e-6));
    }
    CHECK(g.kernel(0.02) == Approx(std::exp(-1.0)));
    // Sinc: the autocorrelation of sinc(u/w) over the whole line is w sinc(delta/w); the integral over
    // a wide window converges slowly (1/L tails), hence the loose margin.
    const Sinc s(0.01);
    for (double delta : {0.0, 0.003, 0.005, 0.01, 0.015, 0.03})
        CHECK(s.kernel(delta) == Approx(numeric_kernel(s, delta, 20.0, 4000000)).margin(2e-3));
    // Periodic profiles: one full period is exact.
    const SquareWave sq(2.0);
    const SineWave sw(2.0, 0.7);
    for (double delta : {0.0, 0.03, 0.1, 0.125, 0.2, 0.25, 0.31, 0.5, -0.17, 0.9}) {
        CHECK(sq.kernel(delta) == Approx(numeric_kernel(sq, delta, 0.5, 200000)).margin(1e-4));
        CHECK(sw.kernel(delta) == Approx(numeric_kernel(sw, delta, 0.5, 20000)).margin(1e-9));
    }
    CHECK(sq.kernel(0.25) == Approx(-1.0));  // half a period apart: anti-correlated
}

TEST_CASE("bad profile parameters throw posenc::Error naming the parameter", "[profiles][errors]") {
    const double nan = std::nan("");
    require_error_mentions([] { Gaussian g(-1); }, "sigma");
    require_error_mentions([] { Gaussian g(0); }, "sigma");
    require_error_mentions([&] { Gaussian g(nan); }, "sigma");
    require_error_mentions([] { Gaussian g(0.1, 0.0); }, "tol");
    require_error_mentions([] { Gaussian g(0.1, 1.5); }, "tol");
    require_error_mentions([] { Triangle t(0); }, "half_width");
    require_error_mentions([] { Triangle t(-0.1); }, "half_width");
    require_error_mentions([] { Sinc s(0); }, "width");
    require_error_mentions([] { SquareWave s(-2); }, "freq");
    require_error_mentions([] { SineWave s(0, 0.7); }, "freq");
    require_error_mentions([&] { SineWave s(1, nan); }, "offset");
    require_error_mentions([] { Impulse i; i.bind(0); }, "D");
    require_error_mentions([] { RandomNoise r(1); r.bind(-3); }, "D");
    require_error_mentions([] { Gaussian g(-1); }, "Gaussian");
}

TEST_CASE("profile names", "[profiles]") {
    CHECK(Gaussian(1).name() == "gaussian");
    CHECK(Triangle(1).name() == "triangle");
    CHECK(Sinc(1).name() == "sinc");
    CHECK(Impulse().name() == "impulse");
    CHECK(SquareWave().name() == "square");
    CHECK(SineWave().name() == "sine");
    CHECK(RandomNoise().name() == "noise");
}

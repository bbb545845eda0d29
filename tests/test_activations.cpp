// Activations: values against closed forms, derivatives against central finite differences (double),
// batch kernels against the scalar reference, names, bad parameters.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "posenc/nn/layers/activations.hpp"

using namespace posenc;

namespace {
std::vector<ActivationSpec> all_specs() {
    return {{Activation::Identity, 0}, {Activation::ReLU, 0},  {Activation::Sigmoid, 0}, {Activation::Tanh, 0},
            {Activation::Sine, 0},     {Activation::Sine, 2.5}, {Activation::Gaussian, 0}, {Activation::Gaussian, 0.7}};
}
std::vector<double> sample_points() {
    std::vector<double> z;
    for (int i = 0; i < 41; ++i) z.push_back(-1.3 + 0.0653 * i);  // avoids z == 0 exactly (ReLU kink)
    return z;
}
}  // namespace

TEST_CASE("activation values match closed forms", "[activations]") {
    const double z = 0.37;
    CHECK(activation_value<double>({Activation::Identity, 0}, z) == z);
    CHECK(activation_value<double>({Activation::ReLU, 0}, z) == z);
    CHECK(activation_value<double>({Activation::ReLU, 0}, -z) == 0.0);
    CHECK(activation_value<double>({Activation::Sigmoid, 0}, z) == Approx(1.0 / (1.0 + std::exp(-z))).epsilon(1e-15));
    CHECK(activation_value<double>({Activation::Tanh, 0}, z) == Approx(std::tanh(z)).epsilon(1e-15));
    CHECK(activation_value<double>({Activation::Sine, 0}, z) == Approx(std::sin(30.0 * z)).epsilon(1e-14));
    CHECK(activation_value<double>({Activation::Gaussian, 0}, z) ==
          Approx(std::exp(-z * z / (2 * 0.01))).epsilon(1e-14));
    CHECK(ActivationSpec{Activation::Sine, 0}.value() == 30.0);
    CHECK(ActivationSpec{Activation::Gaussian, 0}.value() == 0.1);
    CHECK(ActivationSpec{Activation::Sine, 5}.value() == 5.0);
}

TEST_CASE("activation derivatives match central finite differences (double, rel < 1e-6)", "[activations]") {
    for (const auto& s : all_specs()) {
        INFO("activation " << to_string(s.kind) << " param " << s.value());
        const double h = 1e-6;
        for (double z : sample_points()) {
            const double fd = (activation_value(s, z + h) - activation_value(s, z - h)) / (2 * h);
            const double an = activation_derivative(s, z);
            const double scale = std::max({std::abs(fd), std::abs(an), 1.0});
            INFO("z = " << z);
            CHECK(std::abs(fd - an) / scale < 1e-6);
        }
    }
}

TEST_CASE("batch activate/backward equal the scalar reference", "[activations]") {
    const auto zs = sample_points();
    const Index n = Index(zs.size());
    for (const auto& s : all_specs()) {
        INFO("activation " << to_string(s.kind));
        for (int prec = 0; prec < 2; ++prec) {
            if (prec == 0) {
                Vec<double> z = Eigen::Map<const Vec<double>>(zs.data(), n), a(n), da(n), dz(n);
                for (Index i = 0; i < n; ++i) da(i) = 0.3 + 0.01 * double(i);
                activate<double>(s, z.data(), a.data(), n);
                activation_backward<double>(s, z.data(), a.data(), da.data(), dz.data(), n);
                for (Index i = 0; i < n; ++i) {
                    CHECK(a(i) == Approx(activation_value(s, z(i))).epsilon(1e-12).margin(1e-14));
                    CHECK(dz(i) == Approx(da(i) * activation_derivative(s, z(i))).epsilon(1e-10).margin(1e-12));
                }
                // in place
                Vec<double> b = z;
                activate<double>(s, b.data(), b.data(), n);
                CHECK((b - a).cwiseAbs().maxCoeff() == 0.0);
            } else {
                Vec<float> z = Eigen::Map<const Vec<double>>(zs.data(), n).cast<float>(), a(n), da(n), dz(n);
                da.setConstant(0.5f);
                activate<float>(s, z.data(), a.data(), n);
                activation_backward<float>(s, z.data(), a.data(), da.data(), dz.data(), n);
                for (Index i = 0; i < n; ++i) {
                    CHECK(a(i) == Approx(activation_value<double>(s, z(i))).epsilon(1e-5).margin(1e-5));
                    CHECK(dz(i) == Approx(0.5 * activation_derivative<double>(s, z(i))).epsilon(1e-4).margin(1e-4));
                }
            }
        }
    }
}

TEST_CASE("activation names round-trip and bad ones throw", "[activations]") {
    for (auto a : {Activation::Identity, Activation::ReLU, Activation::Sigmoid, Activation::Tanh, Activation::Sine,
                   Activation::Gaussian})
        CHECK(activation_from_string(to_string(a)) == a);
    CHECK(activation_from_string("siren") == Activation::Sine);
    CHECK(activation_from_string("linear") == Activation::Identity);
    CHECK_THROWS_AS(activation_from_string("swish"), Error);
    CHECK_THROWS_WITH(activation_from_string("swish"), Catch::Contains("swish"));
    CHECK(needs_preactivation(Activation::Sine));
    CHECK(needs_preactivation(Activation::Gaussian));
    CHECK_FALSE(needs_preactivation(Activation::ReLU));
}

TEST_CASE("bad activation parameters throw, naming the parameter", "[activations]") {
    CHECK_THROWS_WITH(validate({Activation::Sine, -1.0}, "Mlp: hidden"), Catch::Contains("omega_0"));
    CHECK_THROWS_WITH(validate({Activation::Gaussian, -0.1}, "Mlp: hidden"), Catch::Contains("gaussian a"));
    CHECK_THROWS_AS(validate({Activation::Gaussian, NAN}, "x"), Error);
    CHECK_NOTHROW(validate({Activation::ReLU, -5.0}, "x"));  // ignored parameter
}

// Metrics (analysis/metrics.hpp): MSE, MAE, PSNR against hand-computed values; errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "posenc/analysis/metrics.hpp"
#include "posenc/nn/callbacks.hpp"  // the deprecated posenc::psnr_from_mse(double) must not clash
#include "posenc/nn/loss.hpp"       // posenc::mse / posenc::l1 (training losses): must not clash

using namespace posenc;

TEST_CASE("mse, mae and psnr on hand-computed values", "[metrics]") {
    Mat<double> a(2, 3), b(2, 3);
    a << 0.0, 0.5, 1.0, 0.25, 0.75, 0.1;
    b << 0.1, 0.5, 0.8, 0.25, 0.45, 0.1;
    // differences: -0.1, 0, 0.2, 0, 0.3, 0 -> squares 0.01 + 0.04 + 0.09 = 0.14 over 6 entries
    CHECK(metrics::mse(a, b) == Approx(0.14 / 6).epsilon(1e-14));
    CHECK(metrics::mse(a, b) == Approx(posenc::mse(a, b)).epsilon(1e-15));  // same value as the training loss
    CHECK(metrics::mae(a, b) == Approx(posenc::l1(a, b)).epsilon(1e-15));
    CHECK(metrics::mae(a, b) == Approx(0.6 / 6).epsilon(1e-14));
    CHECK(metrics::psnr(a, b) == Approx(-10 * std::log10(0.14 / 6)).epsilon(1e-14));
    CHECK(metrics::psnr(a, b, 255.0) == Approx(10 * std::log10(255.0 * 255.0 / (0.14 / 6))).epsilon(1e-14));
    CHECK(metrics::psnr_from_mse(0.01) == Approx(20.0).epsilon(1e-14));
    CHECK(metrics::psnr_from_mse(1e-4) == Approx(40.0).epsilon(1e-14));
    CHECK(metrics::psnr(a, a) == std::numeric_limits<double>::infinity());
    CHECK(metrics::mse(a, a) == 0.0);
    // symmetric in its arguments
    CHECK(metrics::mse(b, a) == metrics::mse(a, b));
    CHECK(metrics::mae(b, a) == metrics::mae(a, b));
}

TEST_CASE("metrics accept float, mixed scalars and expressions", "[metrics][float]") {
    const Mat<float> a = Mat<float>::Constant(3, 4, 0.5f);
    const Mat<double> b = Mat<double>::Constant(3, 4, 0.4);
    CHECK(metrics::mse(a, b) == Approx(0.01).epsilon(1e-6));  // 0.5f is exact, 0.4 is the double
    CHECK(metrics::psnr(a, b) == Approx(20.0).epsilon(1e-6));
    CHECK(metrics::mae(a.row(0), b.row(0)) == Approx(0.1).epsilon(1e-6));
    const Mat<float> c = Mat<float>::Constant(3, 4, 0.25f);
    CHECK(metrics::mse(a, c) == 0.0625);  // exact in float and double
    CHECK(metrics::mse(a.leftCols(2), c.leftCols(2)) == 0.0625);
}

TEST_CASE("metrics reject bad input with a posenc::Error", "[metrics][errors]") {
    using Catch::Matchers::Contains;
    const Mat<double> a = Mat<double>::Zero(2, 3), b = Mat<double>::Zero(3, 2);
    CHECK_THROWS_WITH(metrics::mse(a, b), Contains("mse") && Contains("same shape"));
    CHECK_THROWS_WITH(metrics::psnr(a, b), Contains("psnr") && Contains("same shape"));
    CHECK_THROWS_WITH(metrics::mae(a, b), Contains("mae"));
    CHECK_THROWS_WITH(metrics::mse(Mat<double>(0, 3), Mat<double>(0, 3)), Contains("empty"));
    Mat<double> n = a;
    n(1, 1) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(metrics::mse(n, a), Contains("prediction") && Contains("NaN"));
    CHECK_THROWS_WITH(metrics::mse(a, n), Contains("target") && Contains("NaN"));
    Mat<float> f = Mat<float>::Zero(2, 3);
    f(0, 0) = std::numeric_limits<float>::infinity();
    CHECK_THROWS_AS(metrics::psnr(f, a), Error);
    CHECK_THROWS_WITH(metrics::psnr(a, a, 0.0), Contains("peak"));
    CHECK_THROWS_WITH(metrics::psnr(a, a, -1.0), Contains("peak"));
    CHECK_THROWS_WITH(metrics::psnr_from_mse(-1.0), Contains("mse"));
    CHECK_THROWS_AS(metrics::psnr_from_mse(std::numeric_limits<double>::quiet_NaN()), Error);
}

// Kronecker ("complex") encoding and its depth-0 model: grid == scattered == dense features, the separable
// gradient against finite differences, the separable closed form against dense least squares.
#include <catch2/catch.hpp>

#include "posenc/core/random.hpp"
#include "posenc/encoding/kronecker.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/shifted_basis.hpp"
#include "posenc/nn/kronecker_linear.hpp"
#include "posenc/nn/ridge.hpp"

using namespace posenc;
using Basis = ShiftedBasis<Gaussian, double>;

namespace {
Mat<double> coords(Index n, double first, double step) {
    Mat<double> X(1, n);
    for (Index i = 0; i < n; ++i) X(0, i) = first + step * double(i);
    return X;
}
/// Dense Kronecker features of every grid point (x index j, y index i), column i + j * Ny... as
/// scattered points: returns (codes D^2 x N, points 2 x N) in the order column = i * Nx + j.
std::pair<Mat<double>, Mat<double>> grid_points(const Mat<double>& xs, const Mat<double>& ys) {
    Mat<double> P(2, xs.cols() * ys.cols());
    for (Index i = 0; i < ys.cols(); ++i)
        for (Index j = 0; j < xs.cols(); ++j) P.col(i * xs.cols() + j) << xs(0, j), ys(0, i);
    return {Mat<double>(), P};
}
}  // namespace

TEST_CASE("Kronecker: grid form == scattered points == dense features", "[kronecker]") {
    const Basis bx(Gaussian(0.05), 7, Domain::Bounded, Scaling::None), by(Gaussian(0.08), 5, Domain::Bounded, Scaling::None);
    const Kronecker<Basis> kron(bx, by);
    REQUIRE(kron.output_dim() == 35);
    const Mat<double> xs = coords(6, 0.05, 0.15), ys = coords(4, 0.1, 0.2);
    const Mat<double> Px = encode(bx, xs), Py = encode(by, ys);

    KroneckerLinear<double> m(7, 5, 2);
    Rng rng(3);
    for (Index c = 0; c < 2; ++c)
        for (Index k = 0; k < m.weight(c).size(); ++k) m.weight(c)(k) = rng.normal();

    const auto grid = m.predict_grid(Px, Py);
    const Mat<double> P = grid_points(xs, ys).second;
    const Mat<double> F = encode(kron, P);  // 35 x N dense features
    const Mat<double> scattered = m.predict_points(encode(bx, P.row(0)), encode(by, P.row(1)));
    for (Index c = 0; c < 2; ++c) {
        const Eigen::Map<const Vec<double>> w(m.weight(c).data(), 35);  // vec(W), a + b * Dy
        for (Index i = 0; i < ys.cols(); ++i)
            for (Index j = 0; j < xs.cols(); ++j) {
                const Index n = i * xs.cols() + j;
                CHECK(grid[std::size_t(c)](i, j) == Approx(F.col(n).dot(w)).epsilon(1e-12));
                CHECK(scattered(c, n) == Approx(grid[std::size_t(c)](i, j)).epsilon(1e-12));
            }
    }
}

TEST_CASE("Kronecker: encoder backward matches finite differences", "[kronecker]") {
    const Basis bx(Gaussian(0.1), 6), by(Gaussian(0.07), 4);
    const Kronecker<Basis> kron(bx, by);
    Mat<double> X(2, 3);
    X << 0.2, 0.5, 0.83, 0.4, 0.61, 0.3;
    Rng rng(5);
    Mat<double> G(kron.output_dim(), 3);
    for (Index k = 0; k < G.size(); ++k) G(k) = rng.normal();
    Mat<double> dX(2, 3);
    kron.backward(X, G, dX);
    const double h = 1e-6;
    for (Index n = 0; n < 3; ++n)
        for (Index a = 0; a < 2; ++a) {
            Mat<double> Xp = X, Xm = X;
            Xp(a, n) += h;
            Xm(a, n) -= h;
            const double fd = (encode(kron, Xp).col(n).dot(G.col(n)) - encode(kron, Xm).col(n).dot(G.col(n))) / (2 * h);
            CHECK(dX(a, n) == Approx(fd).epsilon(1e-6).margin(1e-9));
        }
}

TEST_CASE("KroneckerLinear: separable gradient dW = Py dY Px^T matches finite differences", "[kronecker]") {
    const Basis b(Gaussian(0.1), 5, Domain::Bounded, Scaling::None);
    const Mat<double> Px = encode(b, coords(6, 0.0, 0.16)), Py = encode(b, coords(4, 0.05, 0.25));
    KroneckerLinear<double> m(5, 5, 1);
    Rng rng(9);
    for (Index k = 0; k < 25; ++k) m.weight(0)(k) = rng.normal();
    Mat<double> Y(4, 6);
    for (Index k = 0; k < Y.size(); ++k) Y(k) = rng.uniform();
    auto loss = [&](const KroneckerLinear<double>& mm) { return 0.5 * (mm.predict_grid(Px, Py)[0] - Y).squaredNorm(); };
    const std::vector<Mat<double>> dY{m.predict_grid(Px, Py)[0] - Y};
    m.backward_grid(Px, Py, dY);
    const double h = 1e-6;
    for (Index k = 0; k < 25; ++k) {
        KroneckerLinear<double> p = m, q = m;
        p.weight(0)(k) += h;
        q.weight(0)(k) -= h;
        const double fd = (loss(p) - loss(q)) / (2 * h);
        CHECK(m.weight_grad(0)(k) == Approx(fd).epsilon(1e-6).margin(1e-9));
    }
}

TEST_CASE("fit_kronecker_ridge: lambda = 0 equals dense least squares on the D^2 features", "[kronecker]") {
    const Basis b(Gaussian(0.12), 4, Domain::Bounded, Scaling::None);
    const Kronecker<Basis> kron(b, b);
    const Mat<double> xs = coords(7, 0.0, 1.0 / 7), ys = coords(6, 0.02, 1.0 / 6);
    const Mat<double> Px = encode(b, xs), Py = encode(b, ys);
    Rng rng(1);
    Mat<double> Y(6, 7);
    for (Index k = 0; k < Y.size(); ++k) Y(k) = rng.uniform();
    const auto m = fit_kronecker_ridge<double>(Px, Py, {Y}, 0.0);

    const Mat<double> P = grid_points(xs, ys).second;
    Mat<double> Yc(1, P.cols());
    for (Index i = 0; i < 6; ++i)
        for (Index j = 0; j < 7; ++j) Yc(0, i * 7 + j) = Y(i, j);
    RidgeOptions ro;
    ro.lambda = 0;
    ro.fit_bias = false;
    const RidgeFit<double> dense = ridge<double>(encode(kron, P), Yc, ro);
    const Eigen::Map<const Vec<double>> w(m.weight(0).data(), 16);
    CHECK((dense.W.transpose() - w).norm() <= 1e-6 * w.norm());
}

TEST_CASE("fit_kronecker_ridge: gradient of the separable ridge objective vanishes (lambda > 0, RGB)", "[kronecker]") {
    const Basis b(Gaussian(0.05), 12, Domain::Bounded, Scaling::None);
    const Mat<double> Px = encode(b, coords(10, 0.0, 0.1)), Py = encode(b, coords(8, 0.0, 0.125));
    Rng rng(2);
    std::vector<Mat<double>> Y(3, Mat<double>(8, 10));
    for (auto& y : Y)
        for (Index k = 0; k < y.size(); ++k) y(k) = rng.uniform();
    const double lambda = 0.1;
    const auto m = fit_kronecker_ridge<double>(Px, Py, Y, lambda);
    for (Index c = 0; c < 3; ++c) {
        const Mat<double>& W = m.weight(c);
        // grad/2 of ||Py^T W Px - Y||^2 + l ||W Px||^2 + l ||Py^T W||^2 + l^2 ||W||^2
        const Mat<double> g = Py * (Py.transpose() * W * Px - Y[std::size_t(c)]) * Px.transpose() +
                              lambda * W * Px * Px.transpose() + lambda * Py * Py.transpose() * W + lambda * lambda * W;
        CHECK(g.norm() <= 1e-9 * (Py * Y[std::size_t(c)] * Px.transpose()).norm());
    }
}

TEST_CASE("fit_kronecker_ridge / KroneckerLinear: bad input throws posenc::Error", "[kronecker]") {
    const Basis b(Gaussian(0.1), 4, Domain::Bounded, Scaling::None);
    const Mat<double> Px = encode(b, coords(5, 0.0, 0.2));
    CHECK_THROWS_AS(fit_kronecker_ridge<double>(Px, Px, {Mat<double>(4, 5)}, 0.1), Error);  // wrong grid shape
    CHECK_THROWS_WITH(fit_kronecker_ridge<double>(Px, Px, {Mat<double>::Zero(5, 5)}, -1.0), Catch::Contains("lambda"));
    CHECK_THROWS_AS(fit_kronecker_ridge<double>(Px, Px, {}, 0.1), Error);
    CHECK_THROWS_AS(KroneckerLinear<double>(0, 3, 1), Error);
    KroneckerLinear<double> m(4, 4, 1);
    CHECK_THROWS_WITH(m.predict_grid(Px.topRows(3), Px), Catch::Contains("Dx"));
}

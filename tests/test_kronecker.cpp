// Kronecker ("complex") encoding and its depth-0 model: grid == scattered (dense codes and windows) == dense
// features, the separable and scattered gradients against finite differences, Adam on the separable
// gradient against Adam on the dense features, the separable closed form (2 and 3 axes) against dense
// least squares / ridge on explicit Kronecker features.
#include <catch2/catch.hpp>

#include "posenc/analysis/stable_rank.hpp"
#include "posenc/core/random.hpp"
#include "posenc/encoding/kronecker.hpp"
#include "nn_gradcheck.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/profiles/triangle.hpp"
#include "posenc/encoding/shifted_basis.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/solvers/kronecker2d.hpp"
#include "posenc/nn/solvers/kronecker3d.hpp"
#include "posenc/nn/solvers/ridge.hpp"

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

// ---- scattered points: dense axis codes and compact-support windows ----------------------------------

TEST_CASE("KroneckerLinear: scattered gradient (dense codes and windows) matches finite differences", "[kronecker]") {
    // Triangle profile: exactly zero outside its support, so the windowed paths are exact.
    const ShiftedBasis<Triangle, double> bx(Triangle(0.1), 20, Domain::Bounded, Scaling::None),
        by(Triangle(0.15), 14, Domain::Bounded, Scaling::None);
    REQUIRE(bx.window_width() > 0);
    REQUIRE(by.window_width() > 0);
    Rng rng(21);
    const Index N = 40;
    Mat<double> P(2, N);
    for (Index k = 0; k < P.size(); ++k) P(k) = rng.uniform();
    P(0, 0) = 0.0;  // domain edges: clamped window slots
    P(1, 1) = 1.0;
    const Mat<double> px = encode(bx, P.row(0)), py = encode(by, P.row(1));
    Windows<double> wx, wy;
    bx.windows(P.row(0), wx);
    by.windows(P.row(1), wy);

    KroneckerLinear<double> m(20, 14, 2);
    for (Index c = 0; c < 2; ++c)
        for (Index k = 0; k < m.weight(c).size(); ++k) m.weight(c)(k) = rng.normal();
    Mat<double> Y(2, N);
    for (Index k = 0; k < Y.size(); ++k) Y(k) = rng.uniform();

    const Mat<double> dense = m.predict_points(px, py), sparse = m.predict_windows(wx, wy);
    CHECK((dense - sparse).norm() <= 1e-12 * dense.norm());

    auto loss = [&](const KroneckerLinear<double>& mm) { return 0.5 * (mm.predict_points(px, py) - Y).squaredNorm(); };
    const Mat<double> dY = dense - Y;
    m.backward_points(px, py, dY);
    const std::vector<Mat<double>> g_dense{m.weight_grad(0), m.weight_grad(1)};
    m.backward_windows(wx, wy, dY);
    for (Index c = 0; c < 2; ++c) {
        CHECK((m.weight_grad(c) - g_dense[std::size_t(c)]).norm() <= 1e-12 * g_dense[std::size_t(c)].norm());
        KroneckerLinear<double> p = m;
        const Vec<double> fd = test::fd_gradient(p.weight(c).data(), p.weight(c).size(), [&] { return loss(p); });
        const Eigen::Map<const Vec<double>> g(g_dense[std::size_t(c)].data(), fd.size());
        CHECK(test::rel_error(g, fd) <= 1e-8);
    }
}

TEST_CASE("KroneckerLinear: grid gradient equals the scattered gradient of the same points", "[kronecker]") {
    const Basis b(Gaussian(0.08), 9, Domain::Bounded, Scaling::None);
    const Mat<double> xs = coords(7, 0.0, 1.0 / 7), ys = coords(5, 0.1, 0.2);
    const Mat<double> Px = encode(b, xs), Py = encode(b, ys);
    const Mat<double> P = grid_points(xs, ys).second;  // column i * Nx + j
    KroneckerLinear<double> m(9, 9, 1);
    Rng rng(4);
    for (Index k = 0; k < m.weight(0).size(); ++k) m.weight(0)(k) = rng.normal();
    Mat<double> G(5, 7);
    for (Index k = 0; k < G.size(); ++k) G(k) = rng.normal();
    Mat<double> g(1, P.cols());
    for (Index i = 0; i < 5; ++i)
        for (Index j = 0; j < 7; ++j) g(0, i * 7 + j) = G(i, j);
    m.backward_grid(Px, Py, {G});
    const Mat<double> grid_grad = m.weight_grad(0);
    m.backward_points(encode(b, P.row(0)), encode(b, P.row(1)), g);
    CHECK((grid_grad - m.weight_grad(0)).norm() <= 1e-12 * grid_grad.norm());
}

// ---- Adam on the separable gradient ------------------------------------------------------------------

TEST_CASE("KroneckerLinear + Adam: separable steps == Adam on the dense D^2 features, loss decreases", "[kronecker]") {
    const Basis b(Gaussian(0.07), 8, Domain::Bounded, Scaling::None);
    const Kronecker<Basis> kron(b, b);
    const Mat<double> xs = coords(9, 0.0, 1.0 / 9), ys = coords(8, 0.03, 1.0 / 8);
    const Mat<double> Px = encode(b, xs), Py = encode(b, ys);
    const Mat<double> P = grid_points(xs, ys).second;  // column i * Nx + j
    const Mat<double> F = encode(kron, P);              // 64 x N dense features, index a + b * Dy
    Rng rng(8);
    std::vector<Mat<double>> Y(2, Mat<double>(8, 9));
    for (auto& y : Y)
        for (Index k = 0; k < y.size(); ++k) y(k) = rng.uniform();
    Mat<double> Yc(2, P.cols());
    for (Index c = 0; c < 2; ++c)
        for (Index i = 0; i < 8; ++i)
            for (Index j = 0; j < 9; ++j) Yc(c, i * 9 + j) = Y[std::size_t(c)](i, j);
    const double count = double(Yc.size());

    KroneckerLinear<double> m(8, 8, 2);
    Mat<double> Wd(2, 64), dWd(2, 64);  // dense layer: row c = vec(W_c)
    for (Index c = 0; c < 2; ++c)
        for (Index k = 0; k < 64; ++k) m.weight(c)(k) = Wd(c, k) = 0.1 * rng.normal();
    AdamOptions ao;
    ao.lr = 1e-2;
    ao.weight_decay = 1e-3;  // exercised too: it acts elementwise on the same numbers
    Adam<double> adam_kron(ao), adam_dense(ao);
    auto pk = m.parameters();
    std::vector<Param<double>> pd{make_param<double>("dense.weight", Wd, dWd)};

    auto grid_loss = [&] {
        const auto pred = m.predict_grid(Px, Py);
        double se = 0;
        for (std::size_t c = 0; c < 2; ++c) se += (pred[c] - Y[c]).squaredNorm();
        return se / count;
    };
    const double loss0 = grid_loss();
    for (int step = 0; step < 300; ++step) {
        const auto pred = m.predict_grid(Px, Py);
        std::vector<Mat<double>> dY(2);
        for (std::size_t c = 0; c < 2; ++c) dY[c] = (2.0 / count) * (pred[c] - Y[c]);
        m.backward_grid(Px, Py, dY);
        adam_kron.step(pk);
        if (step < 5) {  // the same step from the dense features: dWd = dY F^T
            const Mat<double> dYd = (2.0 / count) * (Wd * F - Yc);
            dWd.noalias() = dYd * F.transpose();
            for (Index c = 0; c < 2; ++c) {
                const Eigen::Map<const Vec<double>> gk(m.weight_grad(c).data(), 64);
                CHECK((gk - dWd.row(c).transpose()).norm() <= 1e-12 * dWd.row(c).norm());
            }
            adam_dense.step(pd);
            for (Index c = 0; c < 2; ++c) {
                const Eigen::Map<const Vec<double>> wk(m.weight(c).data(), 64);
                CHECK((wk - Wd.row(c).transpose()).norm() <= 1e-12 * Wd.row(c).norm());
            }
        }
    }
    const double loss1 = grid_loss();
    CHECK(loss1 < 0.5 * loss0);
}

// ---- three axes ------------------------------------------------------------------------------------

namespace {
/// Dense three-axis Kronecker features of the grid (feature a + Dy (b + Dx e), point i + Ny (j + Nx k)).
Mat<double> dense_features_3d(const Mat<double>& Px, const Mat<double>& Py, const Mat<double>& Pz) {
    const Index Dx = Px.rows(), Dy = Py.rows(), Dz = Pz.rows(), Nx = Px.cols(), Ny = Py.cols(), Nz = Pz.cols();
    Mat<double> F(Dx * Dy * Dz, Nx * Ny * Nz);
    for (Index k = 0; k < Nz; ++k)
        for (Index j = 0; j < Nx; ++j)
            for (Index i = 0; i < Ny; ++i)
                for (Index e = 0; e < Dz; ++e)
                    for (Index b = 0; b < Dx; ++b)
                        for (Index a = 0; a < Dy; ++a)
                            F(a + Dy * (b + Dx * e), i + Ny * (j + Nx * k)) = Py(a, i) * Px(b, j) * Pz(e, k);
    return F;
}
/// A (m*p) x (n*q) Kronecker product A (x) B.
Mat<double> kron_product(const Mat<double>& A, const Mat<double>& B) {
    Mat<double> K(A.rows() * B.rows(), A.cols() * B.cols());
    for (Index i = 0; i < A.rows(); ++i)
        for (Index j = 0; j < A.cols(); ++j) K.block(i * B.rows(), j * B.cols(), B.rows(), B.cols()) = A(i, j) * B;
    return K;
}
}  // namespace

TEST_CASE("KroneckerLinear3: grid == scattered == dense D^3 features", "[kronecker][3d]") {
    const Basis bx(Gaussian(0.1), 5, Domain::Bounded, Scaling::None), by(Gaussian(0.12), 4, Domain::Bounded, Scaling::None),
        bz(Gaussian(0.2), 3, Domain::Bounded, Scaling::None);
    const Mat<double> Px = encode(bx, coords(6, 0.0, 0.2)), Py = encode(by, coords(5, 0.05, 0.2)),
                      Pz = encode(bz, coords(4, 0.1, 0.25));
    KroneckerLinear3<double> m(5, 4, 3, 2);
    Rng rng(12);
    for (Index c = 0; c < 2; ++c)
        for (Index k = 0; k < m.weight(c).size(); ++k) m.weight(c)(k) = rng.normal();
    const auto grid = m.predict_grid(Px, Py, Pz);  // per channel 5 x (6 * 4)
    const Mat<double> F = dense_features_3d(Px, Py, Pz);
    // scattered: the grid points in the same order i + Ny (j + Nx k)
    Mat<double> px(5, F.cols()), py(4, F.cols()), pz(3, F.cols());
    for (Index k = 0; k < 4; ++k)
        for (Index j = 0; j < 6; ++j)
            for (Index i = 0; i < 5; ++i) {
                const Index n = i + 5 * (j + 6 * k);
                px.col(n) = Px.col(j);
                py.col(n) = Py.col(i);
                pz.col(n) = Pz.col(k);
            }
    const Mat<double> sc = m.predict_points(px, py, pz);
    for (Index c = 0; c < 2; ++c) {
        const Eigen::Map<const Vec<double>> w(m.weight(c).data(), 60);
        const Vec<double> dense = F.transpose() * w;
        const Eigen::Map<const Vec<double>> g(grid[std::size_t(c)].data(), dense.size());
        CHECK((g - dense).norm() <= 1e-12 * dense.norm());
        CHECK((sc.row(c).transpose() - dense).norm() <= 1e-12 * dense.norm());
    }
}

TEST_CASE("fit_kronecker_ridge_3d: equals dense least squares (lambda = 0) and the dense Kronecker ridge", "[kronecker][3d]") {
    const Basis bx(Gaussian(0.15), 4, Domain::Bounded, Scaling::None), bz(Gaussian(0.25), 3, Domain::Bounded, Scaling::None);
    const Mat<double> Px = encode(bx, coords(7, 0.0, 1.0 / 7)), Py = encode(bx, coords(6, 0.02, 1.0 / 6)),
                      Pz = encode(bz, coords(5, 0.0, 0.2));
    Rng rng(6);
    std::vector<Mat<double>> Y(2, Mat<double>(6, 7 * 5));
    for (auto& y : Y)
        for (Index k = 0; k < y.size(); ++k) y(k) = rng.uniform();
    const Mat<double> F = dense_features_3d(Px, Py, Pz);  // 48 x 210
    Mat<double> Yd(2, F.cols());
    for (Index c = 0; c < 2; ++c) Yd.row(c) = Eigen::Map<const RowVec<double>>(Y[std::size_t(c)].data(), F.cols());

    SECTION("lambda = 0: least squares on the D^3 features") {
        const auto m = fit_kronecker_ridge_3d<double>(Px, Py, Pz, Y, 0.0);
        RidgeOptions ro;
        ro.lambda = 0;
        ro.fit_bias = false;
        const RidgeFit<double> dense = ridge<double>(F, Yd, ro);
        for (Index c = 0; c < 2; ++c) {
            const Eigen::Map<const Vec<double>> w(m.weight(c).data(), 48);
            CHECK((dense.W.row(c).transpose() - w).norm() <= 1e-6 * w.norm());
        }
    }
    SECTION("lambda > 0: (Gz (x) Gx (x) Gy) w = F y with G = P P^T + lambda I") {
        const double lambda = 0.05;
        const auto m = fit_kronecker_ridge_3d<double>(Px, Py, Pz, Y, lambda);
        auto gram = [&](const Mat<double>& P) {
            Mat<double> G = P * P.transpose();
            G.diagonal().array() += lambda;
            return G;
        };
        const Mat<double> A = kron_product(gram(Pz), kron_product(gram(Px), gram(Py)));
        for (Index c = 0; c < 2; ++c) {
            const Vec<double> w = A.ldlt().solve(F * Yd.row(c).transpose());
            const Eigen::Map<const Vec<double>> wk(m.weight(c).data(), 48);
            CHECK((w - wk).norm() <= 1e-9 * w.norm());
        }
    }
}

TEST_CASE("fit_kronecker_ridge_3d / KroneckerLinear3: bad input throws posenc::Error", "[kronecker][3d]") {
    const Basis b(Gaussian(0.1), 4, Domain::Bounded, Scaling::None);
    const Mat<double> P = encode(b, coords(5, 0.0, 0.2));
    CHECK_THROWS_WITH(fit_kronecker_ridge_3d<double>(P, P, P, {Mat<double>::Zero(5, 20)}, 0.1), Catch::Contains("Ny x (Nx * Nz)"));
    CHECK_THROWS_WITH(fit_kronecker_ridge_3d<double>(P, P, P, {Mat<double>::Zero(5, 25)}, -1), Catch::Contains("lambda"));
    CHECK_THROWS_AS(KroneckerLinear3<double>(3, 0, 3, 1), Error);
    const KroneckerLinear3<double> m(4, 4, 3, 1);
    CHECK_THROWS_WITH(m.predict_grid(P, P, P), Catch::Contains("Dz"));
}

TEST_CASE("Kronecker: stable rank of the grid embedding = product of the axes' stable ranks", "[kronecker]") {
    // On a grid, the embedding matrix of the D^2 features is a Kronecker product of the axes' embedding
    // matrices (up to the order of rows and columns), whose singular values are the pairwise products.
    const Basis bx(Gaussian(0.03), 20, Domain::Bounded, Scaling::None), by(Gaussian(0.08), 15, Domain::Bounded, Scaling::None);
    const Kronecker<Basis> kron(bx, by);
    const Mat<double> xs = coords(25, 0.0, 0.04), ys = coords(18, 0.0, 1.0 / 18);
    const Mat<double> F = encode(kron, grid_points(xs, ys).second);  // 300 x 450
    const double sx = stable_rank(encode(bx, xs)), sy = stable_rank(encode(by, ys));
    CHECK(sx > 3);
    CHECK(sy > 2);
    CHECK(stable_rank(F) == Approx(sx * sy).epsilon(1e-9));
}

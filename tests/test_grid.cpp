// Tests for Grid<T> (encoding/grid.hpp): the hash and dense index against values worked out by hand,
// the level layout against tiny-cuda-nn's rules, table and coordinate gradients against finite
// differences (d = 1, 2, 3, dense and hashed levels, linear / smoothstep / nearest), init range and
// seeding, errors, and the theory of docs/theory.md section 10: a dense 1D level is a triangle
// ShiftedBasis followed by the table, smoothstep another profile, a d-dimensional level the Kronecker
// product of per-axis bases with its columns summed per table entry (dense wrap-around or hash).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "nn_gradcheck.hpp"
#include "posenc/core/random.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/encoding/grid.hpp"
#include "posenc/io/model_file.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/loss.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/trainer.hpp"
#include "posenc/encoding/profiles/triangle.hpp"
#include "posenc/encoding/shifted_basis.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

using namespace posenc;
using posenc::test::fd_gradient;
using posenc::test::rel_error;

static_assert(Encoder<Grid<double>> && Encoder<Grid<float>>);

namespace {

GridConfig grid_cfg(Index d, Index levels, Index features, Index log2T, Index base, double b,
                    GridInterpolation interp = GridInterpolation::Linear) {
    GridConfig c;
    c.input_dim = d;
    c.levels = levels;
    c.features = features;
    c.log2_table_size = log2T;
    c.base_resolution = base;
    c.per_level_scale = b;
    c.interpolation = interp;
    c.seed = 7;
    return c;
}

/// N points in [lo, hi]^d whose fraction f = frac(s_l x + 0.5) stays delta away from 0 and 1 on every
/// level and axis (finite differences must not cross a cell boundary, where linear codes have kinks).
Mat<double> safe_points(const Grid<double>& g, Index N, Rng& rng, double delta = 2e-3) {
    const Index d = g.input_dim();
    Mat<double> X(d, N);
    for (Index n = 0; n < N; ++n) {
        for (;;) {
            bool ok = true;
            for (Index i = 0; i < d; ++i) X(i, n) = rng.uniform(0.02, 0.98);
            for (const GridLevel& lv : g.levels())
                for (Index i = 0; i < d; ++i) {
                    const double pos = lv.scale * X(i, n) + lv.shift, f = pos - std::floor(pos);
                    ok = ok && f > delta && f < 1 - delta;
                }
            if (ok) break;
        }
    }
    return X;
}

/// Table and coordinate gradients of L = sum(G .* codes) against five-point finite differences.
void check_gradients(const GridConfig& cfg, double tol) {
    Grid<double> g(cfg);
    Rng rng(11);
    g.table() = posenc::test::uniform_mat(rng, g.table().rows(), g.table().cols());  // O(1) values
    const Index N = 12;
    Mat<double> X = safe_points(g, N, rng);
    const Mat<double> G = posenc::test::uniform_mat(rng, g.output_dim(), N);
    Mat<double> codes(g.output_dim(), N);
    auto loss = [&] {
        g.encode(X, codes);
        return (G.array() * codes.array()).sum();
    };

    // table gradient (codes are linear in the table)
    GridContext<double> ctx = g.forward(X, codes);
    g.zero_grad();
    g.backward(ctx, G);
    const Mat<double> analytic = g.table_grad();
    const Vec<double> fd = fd_gradient(g.table().data(), g.table().size(), loss, 1e-3);
    CHECK(rel_error(posenc::test::flat(analytic), fd) < 1e-10);
    // accumulation: a second backward doubles the gradient
    g.backward(ctx, G);
    CHECK((g.table_grad() - 2 * analytic).cwiseAbs().maxCoeff() < 1e-12);

    // coordinate gradient, from the context and from the Encoder-concept backward
    Mat<double> dX(cfg.input_dim, N), dX2(cfg.input_dim, N);
    g.backward_input(ctx, G, dX);
    g.backward(X, G, dX2);
    CHECK((dX - dX2).cwiseAbs().maxCoeff() == 0.0);
    const Vec<double> fdx = fd_gradient(X.data(), X.size(), loss, 1e-6);
    if (cfg.interpolation == GridInterpolation::Nearest) {
        CHECK(dX.cwiseAbs().maxCoeff() == 0.0);
        CHECK(fdx.cwiseAbs().maxCoeff() == 0.0);
    } else {
        INFO("rel error " << rel_error(posenc::test::flat(dX), fdx));
        CHECK(rel_error(posenc::test::flat(dX), fdx) < tol);
    }
}

/// The profile of a smoothstep level: psi(u) = S(max(0, 1 - |u| / h)), S(t) = t^2 (3 - 2 t).
struct SmoothstepHat {
    double h;
    template <class T> T value(T u) const {
        const T t = std::max(T(0), T(1) - std::abs(u) / T(h));
        return t * t * (T(3) - T(2) * t);
    }
    template <class T> T derivative(T u) const {
        const T t = std::max(T(0), T(1) - std::abs(u) / T(h));
        return (u > 0 ? T(-1) : T(1)) / T(h) * T(6) * t * (T(1) - t);
    }
    double support() const { return h; }
    std::string name() const { return "smoothstep_hat"; }
};

/// Per-axis codes of a level: D = R + 1 shifted profiles (shifts t_k = k / D, Scaling::None) at
/// y = (s x + 0.5) / D, so that u_k = y - k / D = (s x + 0.5 - k) / D and the half-width 1 / D is one
/// cell: exactly the vertex weights of pos = s x + 0.5 (docs/theory.md section 10).
template <class P>
Mat<double> axis_codes(const P& profile, Index D, double s, const Mat<double>& x_row) {
    ShiftedBasis<P, double> basis(profile, D, Domain::Bounded, Scaling::None);
    const Mat<double> y = ((s * x_row.array() + 0.5) / double(D)).matrix();
    return encode(basis, y);
}

/// The d-dimensional product code: row k_0 + D k_1 + D^2 k_2 holds prod_i Psi_i(k_i) (axis 0 fastest,
/// as the grid's dense index).
Mat<double> kron_codes(const std::vector<Mat<double>>& axes) {
    const Index N = axes[0].cols(), D = axes[0].rows();
    Index M = 1;
    for (std::size_t i = 0; i < axes.size(); ++i) M *= D;
    Mat<double> K(M, N);
    for (Index n = 0; n < N; ++n)
        for (Index r = 0; r < M; ++r) {
            double v = 1;
            Index q = r;
            for (const auto& A : axes) {
                v *= A(q % D, n);
                q /= D;
            }
            K(r, n) = v;
        }
    return K;
}

/// Bucket matrix B (size x D^d): B(e(k), k) = 1 where e is the level's entry of vertex k (computed here
/// from the formulas, not by the library): the grid level's code is table * B * K.
Mat<double> bucket_matrix(Index d, Index D, std::uint32_t R, std::uint32_t size, bool dense) {
    Index M = 1;
    for (Index i = 0; i < d; ++i) M *= D;
    Mat<double> B = Mat<double>::Zero(size, M);
    const std::uint64_t primes[4] = {1, 2654435761ull, 805459861ull, 3674653429ull};
    for (Index r = 0; r < M; ++r) {
        std::uint64_t k[4] = {0, 0, 0, 0};
        Index q = r;
        for (Index i = 0; i < d; ++i) {
            k[i] = std::uint64_t(q % D);
            q /= D;
        }
        std::uint64_t e = 0;
        if (dense) {
            std::uint64_t stride = 1;
            for (Index i = 0; i < d; ++i) {
                e += k[i] * stride;  // sum k_i R^i
                stride *= R;
            }
        } else {
            for (Index i = 0; i < d; ++i) e ^= (k[i] * primes[i]) & 0xffffffffull;  // xor of k_i pi_i mod 2^32
        }
        B(Index(e % size), r) += 1;
    }
    return B;
}

}  // namespace

TEST_CASE("Grid hash equals the xor of coordinate times prime in uint32", "[grid]") {
    // k = (3, 5): 3 * 1 = 3, 5 * 2654435761 = 13272178805 = 3 * 2^32 + 387276917, 3 xor 387276917 = 387276918
    const std::uint32_t k2[2] = {3, 5};
    CHECK(grid_hash(k2, 2) == 387276918u);
    // k = (7, 2, 9): 7, 2 * 2654435761 mod 2^32 = 1013904226, 9 * 805459861 mod 2^32 = 2954171453
    const std::uint32_t k3[3] = {7, 2, 9};
    CHECK(grid_hash(k3, 3) == (7u ^ 1013904226u ^ 2954171453u));
    CHECK(grid_hash(k3, 3) == 2356930392u);
    // k = (1, 1, 1, 1): the xor of the four primes
    const std::uint32_t k4[4] = {1, 1, 1, 1};
    CHECK(grid_hash(k4, 4) == 1966337232u);
    // one axis: the factor is 1, the hash is k itself
    const std::uint32_t k1[1] = {123456};
    CHECK(grid_hash(k1, 1) == 123456u);
    // (123456, 654321, 999): 654321 * 2654435761 mod 2^32 = 2646809249, 999 * 805459861 mod 2^32 = 1495516787
    const std::uint32_t kb[3] = {123456, 654321, 999};
    CHECK(grid_hash(kb, 3) == 3303095954u);
    CHECK(grid_level_index(kb, 3, 1000, 1u << 19, false) == 3303095954u % (1u << 19));
    // dense index: k_0 + R k_1 + R^2 k_2
    const std::uint32_t kd[3] = {2, 3, 4};
    CHECK(grid_dense_index(kd, 3, 10) == 432u);
    CHECK(grid_level_index(kd, 3, 10, 1000, true) == 432u);
    CHECK(grid_level_index(kd, 3, 10, 400, true) == 32u);
}

TEST_CASE("Grid level layout follows tiny-cuda-nn", "[grid]") {
    // tiny-cuda-nn's defaults in 3D (N_min 16, b 2, T = 2^19), 5 of its 16 levels
    Grid<float> g(grid_cfg(3, 5, 2, 19, 16, 2.0));
    const auto& L = g.levels();
    CHECK(L[0].scale == 15.0);
    CHECK(L[0].resolution == 16u);
    CHECK(L[0].size == 4096u);
    CHECK(L[0].dense);
    CHECK(L[1].resolution == 32u);
    CHECK(L[1].size == 32768u);
    CHECK(L[2].resolution == 64u);  // 64^3 = 262144 <= 2^19: still dense
    CHECK(L[2].size == 262144u);
    CHECK(L[2].dense);
    CHECK(L[3].resolution == 128u);  // 128^3 > 2^19: hashed
    CHECK(L[3].size == 524288u);
    CHECK(!L[3].dense);
    CHECK(L[1].offset == 4096);
    CHECK(L[3].offset == 4096 + 32768 + 262144);
    CHECK(g.output_dim() == 10);
    CHECK(g.table().rows() == 2);
    CHECK(g.table().cols() == 4096 + 32768 + 262144 + 2 * 524288);

    // R^d rounded up to a multiple of 8: 5^2 = 25 -> 32 entries
    Grid<double> g2(grid_cfg(2, 1, 2, 10, 5, 2.0));
    CHECK(g2.levels()[0].size == 32u);
    CHECK(g2.levels()[0].dense);

    // max_resolution: b = exp(ln(512 / 16) / 15) = 32^(1/15) = 1.2599..., level 1 scale 19.16, R 21
    GridConfig c = grid_cfg(3, 16, 2, 19, 16, 2.0);
    c.max_resolution = 512;
    c.validate();
    const std::vector<GridLevel> L3 = grid_levels(c);  // the layout alone (no 2 x 8.4M table)
    CHECK(c.resolved_per_level_scale() == Approx(std::pow(32.0, 1.0 / 15.0)).epsilon(1e-12));
    CHECK(L3[1].scale == Approx(16 * std::pow(32.0, 1.0 / 15.0) - 1).epsilon(1e-6));
    CHECK(L3[1].resolution == 21u);
    CHECK(L3[15].scale == Approx(511.0).epsilon(1e-5));
    CHECK(!L3[15].dense);
}

TEST_CASE("Grid dense and hashed levels index the vertices by the formulas", "[grid]") {
    // level 0 dense (s = 5, R = 6, 216 entries), level 1 hashed (s = 6 * 2.2 - 1 = 12.2, R = 14, 2744 > 2^9)
    Grid<double> g(grid_cfg(3, 2, 1, 9, 6, 2.2));
    REQUIRE(g.levels()[0].dense);
    REQUIRE(!g.levels()[1].dense);
    Rng rng(3);
    const Index N = 40;
    Mat<double> X = posenc::test::uniform_mat(rng, 3, N, 0.0, 1.0);
    X(0, 0) = 1.0;  // the +0.5 offset reaches vertex R at x = 1 (wraps into the next row)
    X(1, 0) = 1.0;
    X(2, 0) = 0.0;
    Mat<double> codes(g.output_dim(), N);
    GridContext<double> ctx = g.forward(X, codes);
    REQUIRE(ctx.corners == 8);
    for (Index n = 0; n < N; ++n)
        for (Index l = 0; l < 2; ++l) {
            const GridLevel& lv = g.levels()[std::size_t(l)];
            std::uint64_t gfl[3];
            double f[3];
            for (int i = 0; i < 3; ++i) {
                const double pos = lv.scale * X(i, n) + 0.5;
                gfl[i] = std::uint64_t(std::floor(pos));
                f[i] = pos - std::floor(pos);
            }
            for (int c = 0; c < 8; ++c) {
                std::uint64_t k[3];
                double w = 1;
                for (int i = 0; i < 3; ++i) {
                    const bool up = (c >> i) & 1;
                    k[i] = gfl[i] + (up ? 1 : 0);
                    w *= up ? f[i] : 1 - f[i];
                }
                const std::uint64_t R = lv.resolution;
                const std::uint64_t e =
                    lv.dense ? (k[0] + R * k[1] + R * R * k[2]) % lv.size
                             : ((k[0] ^ ((k[1] * 2654435761ull) & 0xffffffffull) ^ ((k[2] * 805459861ull) & 0xffffffffull)) %
                                lv.size);
                CHECK(ctx.index(l * 8 + c, n) == e);
                CHECK(ctx.weight(l * 8 + c, n) == Approx(w).margin(1e-14));
            }
        }
    // codes are the weighted sums of the table columns
    const Mat<double>& tab = g.table();
    for (Index n = 0; n < N; ++n)
        for (Index l = 0; l < 2; ++l) {
            double v = 0;
            for (Index c = 0; c < 8; ++c)
                v += ctx.weight(l * 8 + c, n) * tab(0, g.levels()[std::size_t(l)].offset + Index(ctx.index(l * 8 + c, n)));
            CHECK(codes(l, n) == Approx(v).margin(1e-18));
        }
}

TEST_CASE("Grid nearest interpolation reads the vertex floor of s x + 0.5", "[grid]") {
    Grid<double> g(grid_cfg(2, 1, 2, 12, 9, 2.0, GridInterpolation::Nearest));  // s = 8, R = 9, dense
    Mat<double> X(2, 2);
    X << 0.30, 1.0, 0.70, 0.0;
    // point 0: pos = (2.9, 6.1) -> vertex (2, 6), entry 2 + 9 * 6 = 56; point 1: (8.5, 0.5) -> (8, 0), entry 8
    Mat<double> codes(2, 2);
    GridContext<double> ctx = g.forward(X, codes);
    CHECK(ctx.corners == 1);
    CHECK(ctx.index(0, 0) == 56u);
    CHECK(ctx.index(0, 1) == 8u);
    CHECK(codes(0, 0) == g.table()(0, 56));
    CHECK(codes(1, 0) == g.table()(1, 56));
    CHECK(codes(1, 1) == g.table()(1, 8));
}

TEST_CASE("Grid vertex alignment follows protocol E of docs/protocols.md", "[grid]") {
    // 16 levels from N_min = 16 to N_max = 128, T = 2^12: N_l = floor(16 b^l + 1e-6), dense while
    // (N_l + 1)^2 <= 4096 (the resolution list is the protocol's reference run, grid_astronaut_256)
    GridConfig c = grid_cfg(2, 16, 2, 12, 16, 1.0);
    c.max_resolution = 128;
    c.alignment = GridAlignment::Vertex;
    Grid<double> g(c);
    const std::vector<double> N = {16, 18, 21, 24, 27, 32, 36, 42, 48, 55, 64, 73, 84, 97, 111, 128};
    for (std::size_t l = 0; l < N.size(); ++l) {
        INFO("level " << l);
        CHECK(g.levels()[l].scale == N[l]);
        CHECK(g.levels()[l].resolution == std::uint32_t(N[l]) + 1);
        CHECK(g.levels()[l].shift == 0.0);
        CHECK(g.levels()[l].dense == (l < 10));
    }
    // codes: the bilinear blend of the 4 corners i0 = floor(x N), j0 = floor(y N), rows i + (N + 1) j
    // (dense) or (i xor j * 2654435761 in uint32) mod T; x = 1 lies on the last vertex
    Rng rng(5);
    const Index P = 30;
    Mat<double> X = posenc::test::uniform_mat(rng, 2, P, 0.0, 1.0);
    X(0, 0) = 1.0;
    X(1, 0) = 0.25;
    X(0, 1) = 0.0;
    X(1, 1) = 1.0;
    g.table() = posenc::test::uniform_mat(rng, g.table().rows(), g.table().cols());
    Mat<double> codes(g.output_dim(), P);
    g.encode(X, codes);
    const std::uint64_t T = 4096;
    for (Index n = 0; n < P; ++n)
        for (std::size_t l = 0; l < N.size(); ++l) {
            const GridLevel& lv = g.levels()[l];
            const double sx = X(0, n) * N[l], sy = X(1, n) * N[l];
            const double i0 = std::min(std::floor(sx), N[l] - 1), j0 = std::min(std::floor(sy), N[l] - 1);
            const double fx = sx - i0, fy = sy - j0;
            auto row = [&](double i, double j) {
                const auto ii = std::uint64_t(i), jj = std::uint64_t(j);
                return lv.dense ? ii + (std::uint64_t(N[l]) + 1) * jj : (ii ^ ((jj * 2654435761ull) & 0xffffffffull)) % T;
            };
            for (Index f = 0; f < 2; ++f) {
                auto t = [&](double i, double j) { return g.table()(f, lv.offset + Index(row(i, j))); };
                const double want = (1 - fx) * (1 - fy) * t(i0, j0) + fx * (1 - fy) * t(i0 + 1, j0) +
                                    (1 - fx) * fy * t(i0, j0 + 1) + fx * fy * t(i0 + 1, j0 + 1);
                CHECK(codes(Index(l) * 2 + f, n) == Approx(want).margin(1e-12));
            }
        }
    // nearest under vertex alignment rounds N x to the nearest vertex
    GridConfig cn = grid_cfg(1, 1, 1, 12, 8, 1.0, GridInterpolation::Nearest);
    cn.alignment = GridAlignment::Vertex;
    Grid<double> gn(cn);
    Mat<double> xn(1, 3);
    xn << 0.30, 0.33, 1.0;  // 8 x = 2.4, 2.64, 8 -> vertices 2, 3, 8
    Mat<double> cn_codes(1, 3);
    GridContext<double> ctx = gn.forward(xn, cn_codes);
    CHECK(ctx.index(0, 0) == 2u);
    CHECK(ctx.index(0, 1) == 3u);
    CHECK(ctx.index(0, 2) == 8u);
    CHECK(std::string(grid_alignment_name(grid_alignment_from_name("Vertex"))) == "vertex");
    CHECK_THROWS_WITH(grid_alignment_from_name("centered"), Catch::Contains("alignment"));
}

TEST_CASE("Grid vertex alignment, table and coordinate gradients match finite differences", "[grid]") {
    for (GridInterpolation ip : {GridInterpolation::Linear, GridInterpolation::Smoothstep}) {
        GridConfig c1 = grid_cfg(1, 3, 2, 4, 4, 3.0, ip), c2 = grid_cfg(2, 3, 2, 6, 4, 2.5, ip);
        c1.alignment = c2.alignment = GridAlignment::Vertex;
        check_gradients(c1, 1e-7);
        check_gradients(c2, 1e-7);
    }
}

TEST_CASE("Grid table and coordinate gradients match finite differences, linear", "[grid]") {
    // d = 1: levels of 4, 12 (dense) and 36 (hashed into 16) vertices
    check_gradients(grid_cfg(1, 3, 2, 4, 4, 3.0), 1e-7);
    // d = 2: level 0 dense (4^2 = 16 <= 64), levels 1, 2 hashed
    check_gradients(grid_cfg(2, 3, 2, 6, 4, 2.5), 1e-7);
    // d = 3: level 0 dense (3^3 = 27 -> 32), level 1 hashed (6^3 = 216 > 128)
    check_gradients(grid_cfg(3, 2, 2, 7, 3, 2.0), 1e-7);
}

TEST_CASE("Grid table and coordinate gradients match finite differences, smoothstep", "[grid]") {
    check_gradients(grid_cfg(1, 3, 2, 4, 4, 3.0, GridInterpolation::Smoothstep), 1e-7);
    check_gradients(grid_cfg(2, 3, 2, 6, 4, 2.5, GridInterpolation::Smoothstep), 1e-7);
    check_gradients(grid_cfg(3, 2, 3, 7, 3, 2.0, GridInterpolation::Smoothstep), 1e-7);
}

TEST_CASE("Grid nearest has table gradients and a zero coordinate gradient", "[grid]") {
    check_gradients(grid_cfg(1, 2, 2, 4, 4, 3.0, GridInterpolation::Nearest), 0);
    check_gradients(grid_cfg(2, 2, 1, 6, 4, 2.5, GridInterpolation::Nearest), 0);
    check_gradients(grid_cfg(3, 2, 2, 7, 3, 2.0, GridInterpolation::Nearest), 0);
}

TEST_CASE("Grid table init is uniform in plus minus 1e-4 and seeded", "[grid]") {
    GridConfig c = grid_cfg(2, 4, 2, 12, 16, 2.0);
    Grid<double> a(c), b(c);
    CHECK(a.table() == b.table());
    CHECK(a.table().maxCoeff() < 1e-4);
    CHECK(a.table().minCoeff() >= -1e-4);
    CHECK(a.table().maxCoeff() > 0.99e-4);  // the whole range is used (thousands of draws)
    CHECK(a.table().minCoeff() < -0.99e-4);
    CHECK(std::abs(a.table().mean()) < 2e-6);
    CHECK(a.table_grad().cwiseAbs().maxCoeff() == 0.0);
    // first entry = -1e-4 + 2e-4 u_0, u_0 the first Rng(seed) draw
    Rng r(c.seed);
    CHECK(a.table()(0, 0) == -1e-4 + (1e-4 - -1e-4) * r.uniform());
    c.seed = 8;
    Grid<double> d(c);
    CHECK(d.table() != a.table());
    a.init(8);
    CHECK(d.table() == a.table());
}

TEST_CASE("Grid parameters view the table and its gradient", "[grid]") {
    Grid<double> g(grid_cfg(2, 3, 2, 6, 4, 2.5));
    auto ps = g.parameters();
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].name == "grid.table");
    CHECK(ps[0].value == g.table().data());
    CHECK(ps[0].grad == g.table_grad().data());
    CHECK(ps[0].rows == 2);
    CHECK(ps[0].cols == g.table().cols());
    CHECK(ps[0].size == g.table().size());
    ps[0].grads().setConstant(3.0);
    g.zero_grad();
    CHECK(g.table_grad().cwiseAbs().maxCoeff() == 0.0);
    std::map<std::string, double> sp;
    g.spec_params(sp);
    CHECK(sp.at("levels") == 3);
    CHECK(sp.at("features") == 2);
    CHECK(sp.at("input_dim") == 2);
    CHECK(sp.at("log2_table_size") == 6);
    CHECK(sp.at("base_resolution") == 4);
    CHECK(sp.at("per_level_scale") == 2.5);
    CHECK(sp.at("interpolation") == 1);
    CHECK(sp.at("alignment") == 0);
    CHECK(sp.at("seed") == 7);
}

TEST_CASE("Grid backward is deterministic and independent of the thread count", "[grid]") {
    Grid<double> g(grid_cfg(2, 4, 2, 8, 8, 2.0));
    Rng rng(5);
    const Index N = 3000;
    const Mat<double> X = posenc::test::uniform_mat(rng, 2, N, 0.0, 1.0);
    const Mat<double> G = posenc::test::uniform_mat(rng, g.output_dim(), N);
    Mat<double> codes(g.output_dim(), N);
    auto run = [&] {
        GridContext<double> ctx = g.forward(X, codes);
        g.zero_grad();
        g.backward(ctx, G);
        return Mat<double>(g.table_grad());
    };
    const Mat<double> a = run();
    CHECK(run() == a);
#if defined(_OPENMP)
    const int before = omp_get_max_threads();
    omp_set_num_threads(1);
    const Mat<double> one = run();
    omp_set_num_threads(before);
    CHECK(one == a);
#endif
}

TEST_CASE("Grid accumulate_param_grads and encode equal forward and backward with a context, bitwise", "[grid]") {
    // accumulate_param_grads recomputes the corners level by level (2D: the unrolled corner path) and
    // encode has its own loop: both must give exactly what forward(ctx) / backward(ctx) give, on
    // dense and hashed levels, both alignments (x = 0 and x = 1 included), every interpolation, in
    // 1, 2 and 3 dimensions, with any thread count.
    struct Case {
        Index d;
        GridInterpolation interp;
        GridAlignment align;
    };
    const Case cases[] = {{2, GridInterpolation::Linear, GridAlignment::TinyCudaNN},
                          {2, GridInterpolation::Linear, GridAlignment::Vertex},
                          {2, GridInterpolation::Smoothstep, GridAlignment::TinyCudaNN},
                          {2, GridInterpolation::Smoothstep, GridAlignment::Vertex},
                          {2, GridInterpolation::Nearest, GridAlignment::Vertex},
                          {1, GridInterpolation::Linear, GridAlignment::TinyCudaNN},
                          {3, GridInterpolation::Linear, GridAlignment::Vertex}};
    for (const Case& k : cases) {
        GridConfig c = grid_cfg(k.d, 5, 2, k.d == 1 ? 5 : 9, 6, 1.9, k.interp);
        c.alignment = k.align;
        Grid<double> g(c);
        bool dense = false, hashed = false;
        for (const auto& lv : g.levels()) (lv.dense ? dense : hashed) = true;
        REQUIRE(dense);
        REQUIRE(hashed);
        Rng rng(11);
        const Index N = 4000;
        Mat<double> X = posenc::test::uniform_mat(rng, k.d, N, 0.0, 1.0);
        X.col(0).setZero();
        X.col(1).setOnes();
        X(0, 2) = 1.0;
        const Mat<double> G = posenc::test::uniform_mat(rng, g.output_dim(), N);
        Mat<double> codes(g.output_dim(), N), enc(g.output_dim(), N);
        const GridContext<double> ctx = g.forward(X, codes);
        g.encode(X, enc);
        CHECK(enc == codes);
        g.zero_grad();
        g.backward(ctx, G);
        const Mat<double> want = g.table_grad();
        CHECK(want.cwiseAbs().maxCoeff() > 0);
        g.zero_grad();
        g.accumulate_param_grads(X, G);
        CHECK(g.table_grad() == want);
        g.accumulate_param_grads(X, G);  // accumulates (each term added to the first pass's sums)
        CHECK((g.table_grad() - 2.0 * want).cwiseAbs().maxCoeff() <= 1e-12 * (1.0 + want.cwiseAbs().maxCoeff()));
#if defined(_OPENMP)
        const int before = omp_get_max_threads();
        omp_set_num_threads(1);
        g.zero_grad();
        g.accumulate_param_grads(X, G);
        omp_set_num_threads(before);
        CHECK(g.table_grad() == want);
#endif
        CHECK_THROWS_WITH(g.accumulate_param_grads(X, G.topRows(2)), Catch::Contains("dC"));
    }
}

TEST_CASE("Grid in float matches double", "[grid]") {
    GridConfig c = grid_cfg(3, 3, 2, 8, 4, 2.0, GridInterpolation::Smoothstep);
    Grid<double> gd(c);
    Grid<float> gf(c);
    Rng rng(9);
    gd.table() = posenc::test::uniform_mat(rng, gd.table().rows(), gd.table().cols());
    gf.table() = gd.table().cast<float>();
    const Mat<double> X = posenc::test::uniform_mat(rng, 3, 50, 0.0, 1.0);
    const Mat<float> Xf = X.cast<float>();
    const Mat<double> cd = encode(gd, X);
    const Mat<float> cf = encode(gf, Xf);
    CHECK((cf.cast<double>() - cd).cwiseAbs().maxCoeff() < 1e-4);
}

TEST_CASE("Grid rejects bad parameters and inputs, naming them", "[grid]") {
    auto bad = [](auto mutate, const char* what) {
        GridConfig c = grid_cfg(2, 2, 2, 8, 4, 2.0);
        mutate(c);
        CHECK_THROWS_WITH(Grid<double>(c), Catch::Contains(what));
    };
    bad([](GridConfig& c) { c.input_dim = 0; }, "input_dim");
    bad([](GridConfig& c) { c.input_dim = 5; }, "input_dim");
    bad([](GridConfig& c) { c.levels = 0; }, "levels");
    bad([](GridConfig& c) { c.levels = 33; }, "levels");
    bad([](GridConfig& c) { c.features = 0; }, "features");
    bad([](GridConfig& c) { c.features = 9; }, "features");
    bad([](GridConfig& c) { c.log2_table_size = 0; }, "log2_table_size");
    bad([](GridConfig& c) { c.log2_table_size = 31; }, "log2_table_size");
    bad([](GridConfig& c) { c.base_resolution = 1; }, "base_resolution");
    bad([](GridConfig& c) { c.per_level_scale = 0.5; }, "per_level_scale");
    bad([](GridConfig& c) { c.per_level_scale = std::nan(""); }, "per_level_scale");
    bad([](GridConfig& c) { c.max_resolution = -1; }, "max_resolution");
    bad([](GridConfig& c) { c.max_resolution = 2; }, "max_resolution");
    bad([](GridConfig& c) { c.interpolation = GridInterpolation(7); }, "interpolation");
    bad([](GridConfig& c) { c.levels = 32; c.per_level_scale = 2.0; }, "finest level's scale");
    CHECK_THROWS_WITH(grid_interpolation_from_name("cubic"), Catch::Contains("interpolation") && Catch::Contains("cubic"));
    CHECK(grid_interpolation_from_name("Smoothstep") == GridInterpolation::Smoothstep);
    CHECK(grid_interpolation_from_name("linear") == GridInterpolation::Linear);
    CHECK(grid_interpolation_from_name("NEAREST") == GridInterpolation::Nearest);

    Grid<double> g(grid_cfg(2, 2, 2, 8, 4, 2.0));
    Mat<double> out(g.output_dim(), 1), X(2, 1);
    X << 0.5, 1.25;
    CHECK_THROWS_WITH(g.encode(X, out), Catch::Contains("[0, 1]") && Catch::Contains("X(1, 0) = 1.25"));
    X << -1e-9, 0.5;
    CHECK_THROWS_WITH(g.encode(X, out), Catch::Contains("X(0, 0) = -1e-09"));
    X << std::nan(""), 0.5;
    CHECK_THROWS_WITH(g.encode(X, out), Catch::Contains("finite"));
    Mat<double> X3(3, 1);
    X3.setConstant(0.5);
    CHECK_THROWS_WITH(g.encode(X3, out), Catch::Contains("input dimension"));
    Mat<double> wrong(3, 1);
    X << 0.5, 0.5;
    CHECK_THROWS_WITH(g.encode(X, wrong), Catch::Contains("out"));
    GridContext<double> ctx = g.forward(X, out);
    CHECK_THROWS_WITH(g.backward(ctx, wrong), Catch::Contains("dCodes"));
    Grid<double> other(grid_cfg(2, 3, 2, 8, 4, 2.0));
    Mat<double> dY(other.output_dim(), 1), dX(2, 1);
    dY.setZero();
    CHECK_THROWS_WITH(other.backward(ctx, dY), Catch::Contains("context"));
    CHECK_THROWS_WITH(other.backward_input(ctx, dY, dX), Catch::Contains("context"));
}

TEST_CASE("Theory, a dense 1D linear grid level is a triangle ShiftedBasis times the table", "[grid][theory]") {
    // N_min = 9: s = 8, R = 9 vertices per the layout, 16 table entries; x in [0, 1] reaches vertex
    // floor(8 + 0.5) + 1 = 9, so D = R + 1 = 10 hats (the +0.5 offset adds one past the last vertex)
    Grid<double> g(grid_cfg(1, 1, 3, 8, 9, 2.0));
    const GridLevel& lv = g.levels()[0];
    REQUIRE(lv.scale == 8.0);
    REQUIRE(lv.resolution == 9u);
    REQUIRE(lv.size == 16u);
    REQUIRE(lv.dense);
    Rng rng(1);
    g.table() = posenc::test::uniform_mat(rng, 3, 16);
    const Index N = 200, D = 10;
    Mat<double> X = posenc::test::uniform_mat(rng, 1, N, 0.0, 1.0);
    X(0, 0) = 0.0;
    X(0, 1) = 1.0;
    X(0, 2) = 0.5 / 8;  // exactly on vertex 1
    const Mat<double> codes = encode(g, X);
    // ShiftedBasis: shifts k / D, triangle half-width 1 / D, no unit-norm scaling, at y = (s x + 0.5) / D
    const Mat<double> psi = axis_codes(Triangle(1.0 / double(D)), D, lv.scale, X);
    const Mat<double> via_basis = g.table().leftCols(D) * psi;  // learned linear map: table^T applied
    CHECK((codes - via_basis).cwiseAbs().maxCoeff() < 1e-14);
    // the same in x: hats of half-width 1 / s centred at t_k = (k - 0.5) / s
    Mat<double> direct(D, N);
    const Triangle hat(1.0 / lv.scale);
    for (Index n = 0; n < N; ++n)
        for (Index k = 0; k < D; ++k) direct(k, n) = hat.value(X(0, n) - (double(k) - 0.5) / lv.scale);
    CHECK((psi - direct).cwiseAbs().maxCoeff() < 1e-13);
    // and the hats sum to 1 (partition of unity)
    CHECK((psi.colwise().sum().array() - 1.0).abs().maxCoeff() < 1e-14);
}

TEST_CASE("Theory, a smoothstep grid level is the smoothstep hat ShiftedBasis times the table", "[grid][theory]") {
    Grid<double> g(grid_cfg(1, 1, 2, 8, 9, 2.0, GridInterpolation::Smoothstep));
    Rng rng(2);
    g.table() = posenc::test::uniform_mat(rng, 2, 16);
    const Index N = 200, D = 10;
    const Mat<double> X = posenc::test::uniform_mat(rng, 1, N, 0.0, 1.0);
    const Mat<double> psi = axis_codes(SmoothstepHat{1.0 / double(D)}, D, g.levels()[0].scale, X);
    CHECK((encode(g, X) - g.table().leftCols(D) * psi).cwiseAbs().maxCoeff() < 1e-14);
}

TEST_CASE("Theory, a dense 2D level is the Kronecker product of two triangle bases, wrap-around merged", "[grid][theory]") {
    // N_min = 5: s = 4, R = 5, 25 -> 32 entries, dense. Vertex k_0 = 5 (reached near x = 1) has dense
    // index 5 + 5 k_1 = the entry of (0, k_1 + 1): its product column is summed into that entry.
    Grid<double> g(grid_cfg(2, 1, 2, 10, 5, 2.0));
    const GridLevel& lv = g.levels()[0];
    REQUIRE(lv.dense);
    REQUIRE(lv.size == 32u);
    Rng rng(4);
    g.table() = posenc::test::uniform_mat(rng, 2, 32);
    const Index N = 150, D = Index(lv.resolution) + 1;
    Mat<double> X = posenc::test::uniform_mat(rng, 2, N, 0.0, 1.0);
    X(0, 0) = 1.0;
    X(1, 0) = 0.3;
    const Triangle hat(1.0 / double(D));
    const Mat<double> K = kron_codes({axis_codes(hat, D, lv.scale, X.row(0)), axis_codes(hat, D, lv.scale, X.row(1))});
    const Mat<double> B = bucket_matrix(2, D, lv.resolution, lv.size, true);
    CHECK((encode(g, X) - g.table() * (B * K)).cwiseAbs().maxCoeff() < 1e-14);
    // without the merge (B = a plain selection) the point at x_0 = 1 would differ: the merge is real
    CHECK(B.colwise().sum().maxCoeff() == 1.0);  // every product column goes to exactly one entry
    CHECK(B.rowwise().sum().maxCoeff() == 2.0);  // ... and some entries receive two columns
}

TEST_CASE("Theory, a hashed level sums the dense product columns per hash bucket", "[grid][theory]") {
    // 2D: N_min = 16, s = 15, R = 16, 256 vertices > 64 entries: hashed
    {
        Grid<double> g(grid_cfg(2, 1, 2, 6, 16, 2.0));
        const GridLevel& lv = g.levels()[0];
        REQUIRE(!lv.dense);
        Rng rng(6);
        g.table() = posenc::test::uniform_mat(rng, 2, Index(lv.size));
        const Index N = 100, D = Index(lv.resolution) + 1;
        const Mat<double> X = posenc::test::uniform_mat(rng, 2, N, 0.0, 1.0);
        const Triangle hat(1.0 / double(D));
        const Mat<double> K =
            kron_codes({axis_codes(hat, D, lv.scale, X.row(0)), axis_codes(hat, D, lv.scale, X.row(1))});
        const Mat<double> B = bucket_matrix(2, D, lv.resolution, lv.size, false);
        CHECK((encode(g, X) - g.table() * (B * K)).cwiseAbs().maxCoeff() < 1e-14);
    }
    // 3D smoothstep: N_min = 6, s = 5, R = 6, 216 > 128: hashed, product of three smoothstep-hat bases
    {
        Grid<double> g(grid_cfg(3, 1, 1, 7, 6, 2.0, GridInterpolation::Smoothstep));
        const GridLevel& lv = g.levels()[0];
        REQUIRE(!lv.dense);
        Rng rng(8);
        g.table() = posenc::test::uniform_mat(rng, 1, Index(lv.size));
        const Index N = 60, D = Index(lv.resolution) + 1;
        const Mat<double> X = posenc::test::uniform_mat(rng, 3, N, 0.0, 1.0);
        const SmoothstepHat hat{1.0 / double(D)};
        const Mat<double> K = kron_codes({axis_codes(hat, D, lv.scale, X.row(0)), axis_codes(hat, D, lv.scale, X.row(1)),
                                          axis_codes(hat, D, lv.scale, X.row(2))});
        const Mat<double> B = bucket_matrix(3, D, lv.resolution, lv.size, false);
        CHECK((encode(g, X) - g.table() * (B * K)).cwiseAbs().maxCoeff() < 1e-14);
    }
}

TEST_CASE("Grid through the factory, trained in a Model, saved and loaded with its table", "[grid][factory]") {
    EncoderSpec spec;
    spec.type = "hashgrid";
    spec.params = {{"input_dim", 2}, {"levels", 3}, {"features", 2}, {"log2_table_size", 6},
                   {"base_resolution", 4}, {"per_level_scale", 2}, {"alignment", 1}, {"seed", 3}};
    const AnyEncoder<double> enc = make_encoder<double>(spec);
    REQUIRE(enc.has_parameters());
    CHECK(enc.output_dim() == 6);
    // a hand-built grid describes itself in the same form (its spec rebuilds the same layout)
    GridConfig c = grid_cfg(2, 3, 2, 6, 4, 2.0);
    c.alignment = GridAlignment::Vertex;
    c.seed = 3;
    const EncoderSpec own = Grid<double>(c).spec();
    CHECK(own.type == "hashgrid");
    CHECK(make_encoder<double>(own).output_dim() == 6);

    Rng rng(9);
    const Mat<double> X = posenc::test::uniform_mat(rng, 2, 64, 0.0, 1.0);
    Mat<double> Y(1, 64);
    for (Index n = 0; n < 64; ++n) Y(0, n) = std::sin(6.0 * X(0, n)) * std::cos(4.0 * X(1, n));
    Model<double> model(enc, MlpConfig{.input_dim = 6, .output_dim = 1, .width = 16, .depth = 1});
    const auto params = model.parameters();
    REQUIRE(std::any_of(params.begin(), params.end(), [](const Param<double>& p) { return p.name == "encoder.grid.table"; }));
    const Mat<double> table0 = std::find_if(params.begin(), params.end(), [](const Param<double>& p) {
                                   return p.name == "encoder.grid.table";
                               })->value_matrix();
    Adam<double> adam(AdamOptions{.lr = 1e-2});
    const double before = mse(model.predict(X), Y);
    train(model, X, Y, adam, TrainOptions{.steps = 200});
    const double after = mse(model.predict(X), Y);
    CHECK(after < 0.2 * before);
    const auto trained = model.parameters();
    const Mat<double> table1 = std::find_if(trained.begin(), trained.end(), [](const Param<double>& p) {
                                   return p.name == "encoder.grid.table";
                               })->value_matrix();
    CHECK((table1 - table0).cwiseAbs().maxCoeff() > 1e-3);  // the table was trained, not only the MLP
    // the file keeps the trained table (format version 2): the loaded model predicts the same
    const std::string bytes = model_to_bytes(model);
    const Model<double> back = model_from_bytes<double>(bytes);
    CHECK((back.predict(X) - model.predict(X)).cwiseAbs().maxCoeff() == 0.0);

    EncoderSpec bad = spec;
    bad.params["levels"] = 0;
    CHECK_THROWS_WITH(make_encoder<double>(bad), Catch::Contains("levels"));
    bad = spec;
    bad.params["log2_table_size"] = 30;
    bad.params["levels"] = 32;
    bad.params["per_level_scale"] = 1.5;
    CHECK_THROWS_WITH(make_encoder<double>(bad), Catch::Contains("table would hold"));
    bad = spec;
    bad.params["alignment"] = 2;
    CHECK_THROWS_WITH(make_encoder<double>(bad), Catch::Contains("alignment"));
}

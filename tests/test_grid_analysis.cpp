// Tests for analysis/grid_embedding.hpp: the weight matrix ("embedding") of a multiresolution grid,
// its stable rank and distance-preservation curve. A dense 1D level's embedding is checked against
// the triangle ShiftedBasis codes of docs/theory.md section 10 (built by ShiftedBasis, not from the
// grid), the stacked embedding against the grid's own codes through the table, and the trade-off's
// direction: finer levels raise the stable rank and narrow the DP curve, a small (hashed) table
// lowers the stable rank below the dense one's.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "nn_gradcheck.hpp"
#include "posenc/analysis/distance_preservation.hpp"
#include "posenc/analysis/grid_embedding.hpp"
#include "posenc/analysis/stable_rank.hpp"
#include "posenc/core/random.hpp"
#include "posenc/encoding/grid.hpp"
#include "posenc/encoding/profiles/triangle.hpp"
#include "posenc/encoding/shifted_basis.hpp"

using namespace posenc;

namespace {

GridConfig analysis_cfg(Index d, Index levels, Index log2T, Index base, double b = 2.0,
                        GridInterpolation interp = GridInterpolation::Linear) {
    GridConfig c;
    c.input_dim = d;
    c.levels = levels;
    c.features = 2;
    c.log2_table_size = log2T;
    c.base_resolution = base;
    c.per_level_scale = b;
    c.interpolation = interp;
    c.seed = 3;
    return c;
}

/// N points x_i = i / (N - 1) in [0, 1] (both ends included), 1 x N.
Mat<double> line_points(Index N) {
    Mat<double> X(1, N);
    for (Index i = 0; i < N; ++i) X(0, i) = double(i) / double(N - 1);
    return X;
}

}  // namespace

TEST_CASE("Grid embedding, a dense 1D level equals the triangle ShiftedBasis codes", "[grid][analysis]") {
    // N_min = 9: s = 8, R = 9 vertices, 16 entries (dense); x in [0, 1] reaches vertex 9: D = 10 hats
    const GridConfig cfg = analysis_cfg(1, 1, 10, 9);
    Rng rng(5);
    Mat<double> X = posenc::test::uniform_mat(rng, 1, 300, 0.0, 1.0);
    X(0, 0) = 0.0;
    X(0, 1) = 1.0;
    const GridEmbedding e = grid_embedding(cfg, X);
    REQUIRE(e.A.rows() == 16);
    REQUIRE(e.A.cols() == 300);
    const Index D = 10;
    const double s = 8.0;
    // ShiftedBasis<Triangle>(half-width 1/D, D shifts k/D, bounded, no scaling) at y = (s x + 0.5) / D
    ShiftedBasis<Triangle, double> basis(Triangle(1.0 / double(D)), D, Domain::Bounded, Scaling::None);
    const Mat<double> y = ((s * X.array() + 0.5) / double(D)).matrix();
    Mat<double> psi(D, X.cols());
    basis.encode(y, psi);
    const Mat<double> A = Mat<double>(e.A);
    CHECK((A.topRows(D) - psi).cwiseAbs().maxCoeff() < 1e-14);
    CHECK(A.bottomRows(16 - D).cwiseAbs().maxCoeff() == 0.0);  // entries past vertex R + 1: never used
    // its stable rank is the basis's, and both agree with the singular values of an independent SVD
    const double sr = grid_embedding_stable_rank(e);
    CHECK(sr == Approx(stable_rank(psi)).epsilon(1e-12));
    const Eigen::JacobiSVD<Mat<double>> svd(psi);
    const Vec<double> sv = svd.singularValues();
    CHECK(sr == Approx(sv.squaredNorm() / (sv[0] * sv[0])).epsilon(1e-10));
    CHECK(sr > 1.0);
    CHECK(sr <= double(D));
    // DP curve: the basis's curve at y0 = (s 0.5 + 0.5) / D along s / D
    const DistanceCurve g = grid_distance_curve(cfg, 0.5);
    const DistanceCurve b = distance_curve(basis, Vec<double>::Constant(1, (s * 0.5 + 0.5) / double(D)),
                                           Vec<double>::Constant(1, s / double(D)), protocol_deltas());
    CHECK((g.k - b.k).cwiseAbs().maxCoeff() < 1e-12);
    CHECK(g.k[100] == Approx(1.0));  // delta = 0
}

TEST_CASE("Grid embedding, stacked levels reproduce the grid's codes through the table", "[grid][analysis]") {
    // 2D, four levels, N_min 4, b 2, 2^8 entries: levels 0-1 dense (R = 4, 8), 2-3 hashed (R = 16, 32)
    GridConfig cfg = analysis_cfg(2, 4, 8, 4);
    Grid<double> grid(cfg);
    Rng rng(7);
    grid.table() = posenc::test::uniform_mat(rng, 2, grid.table().cols());
    const Mat<double> X = posenc::test::uniform_mat(rng, 2, 120, 0.0, 1.0);
    Mat<double> codes(grid.output_dim(), X.cols());
    grid.encode(X, codes);
    const GridEmbedding all = grid_embedding<double>(grid, X);
    REQUIRE(all.num_levels == 4);
    REQUIRE(all.A.rows() == grid.table().cols());
    REQUIRE(!grid.levels()[3].dense);
    const Mat<double> A = Mat<double>(all.A);
    for (Index l = 0; l < 4; ++l) {
        const GridLevel& lv = grid.levels()[std::size_t(l)];
        const Mat<double> block = A.middleRows(lv.offset, lv.size);
        // codes of level l = table_l (F x size_l) times the level's weight matrix
        CHECK((codes.middleRows(2 * l, 2) - grid.table().middleCols(lv.offset, lv.size) * block).cwiseAbs().maxCoeff() <
              1e-14);
        // the single-level embedding is that block
        const GridEmbedding one = grid_embedding<double>(grid, X, l);
        CHECK(one.first_level == l);
        CHECK((Mat<double>(one.A) - block).cwiseAbs().maxCoeff() == 0.0);
        // each column of a level sums to 1 (partition of unity; merged corners add their weights)
        CHECK((block.colwise().sum().array() - 1.0).abs().maxCoeff() < 1e-14);
    }
}

TEST_CASE("Grid embedding, finer levels raise the stable rank and narrow the DP curve", "[grid][analysis]") {
    const Mat<double> X = line_points(256);
    double prev_sr = 0, prev_hw = 1;
    for (const Index base : {4, 8, 16, 32, 64}) {
        const GridConfig cfg = analysis_cfg(1, 1, 12, base);  // dense: R <= 64 << 4096
        const double sr = grid_embedding_stable_rank(grid_embedding(cfg, X));
        const double hw = half_width(grid_distance_curve(cfg, 0.5));
        INFO("N_min " << base << ": stable rank " << sr << ", DP half width " << hw);
        CHECK(sr > prev_sr);
        CHECK(hw < prev_hw);
        // a hat of half-width one cell 1 / s: k falls to 1/2 within one cell
        CHECK(hw < 1.0 / double(base - 1));
        prev_sr = sr;
        prev_hw = hw;
    }
}

TEST_CASE("Grid embedding, a small hashed table lowers the stable rank", "[grid][analysis]") {
    SECTION("1D: hashing is a wrap-around mod the table size") {
        const Mat<double> X = line_points(400);
        const GridConfig dense = analysis_cfg(1, 1, 10, 129);  // s = 128, R = 129 <= 1024 entries
        const GridConfig hashed = analysis_cfg(1, 1, 4, 129);  // 16 entries: vertices k and k + 16 merge
        const GridEmbedding ed = grid_embedding(dense, X), eh = grid_embedding(hashed, X);
        REQUIRE(ed.A.rows() == 136);
        REQUIRE(eh.A.rows() == 16);
        const double sd = grid_embedding_stable_rank(ed), sh = grid_embedding_stable_rank(eh);
        INFO("dense " << sd << ", hashed " << sh);
        CHECK(sh < sd);
        CHECK(sh <= 16.0);
        // the merged matrix is the dense one with rows summed mod 16 (column k of tri goes to k mod 16)
        const Mat<double> Ad(ed.A);
        Mat<double> folded = Mat<double>::Zero(16, X.cols());
        for (Index r = 0; r < Ad.rows(); ++r) folded.row(r % 16) += Ad.row(r);
        CHECK((Mat<double>(eh.A) - folded).cwiseAbs().maxCoeff() < 1e-14);
    }
    SECTION("2D: the xor hash") {
        Rng rng(11);
        const Mat<double> X = posenc::test::uniform_mat(rng, 2, 600, 0.0, 1.0);
        const GridConfig dense = analysis_cfg(2, 1, 10, 17);  // s = 16, R = 17: 289 <= 1024, dense
        const GridConfig hashed = analysis_cfg(2, 1, 6, 17);  // 64 entries < 289: hashed
        REQUIRE(grid_levels(dense)[0].dense);
        REQUIRE(!grid_levels(hashed)[0].dense);
        const double sd = grid_embedding_stable_rank(grid_embedding(dense, X));
        const double sh = grid_embedding_stable_rank(grid_embedding(hashed, X));
        INFO("dense " << sd << ", hashed " << sh);
        CHECK(sh < sd);
        CHECK(sh <= 64.0);
    }
}

TEST_CASE("Grid embedding, errors name the parameter", "[grid][analysis]") {
    const GridConfig cfg = analysis_cfg(1, 3, 8, 4);
    const Mat<double> X = line_points(10);
    auto msg = [&](auto f) {
        try {
            f();
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(msg([&] { grid_embedding(cfg, X, 3); }), Catch::Contains("level"));
    CHECK_THAT(msg([&] { grid_embedding(cfg, X, -2); }), Catch::Contains("level"));
    Mat<double> bad = X;
    bad(0, 4) = 1.5;
    CHECK_THAT(msg([&] { grid_embedding(cfg, bad); }), Catch::Contains("[0, 1]"));
    CHECK_THAT(msg([&] { grid_distance_curve(analysis_cfg(2, 1, 8, 4), 0.5); }), Catch::Contains("input_dim"));
    CHECK_THAT(msg([&] { grid_distance_curve(cfg, 0.9); }), Catch::Contains("[0, 1]"));  // 0.9 + 0.5 > 1
}

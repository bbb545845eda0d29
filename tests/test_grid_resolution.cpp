// tests/test_grid_resolution.cpp — recommend_grid() (analysis/grid_resolution.hpp): the finest
// resolution from the sample spacing, the table from the level layout, and their evidence.
#include <catch2/catch.hpp>

#include <cmath>

#include "posenc/analysis/grid_resolution.hpp"
#include "posenc/encoding/grid/grid_config.hpp"

using namespace posenc;

namespace {

/// nx x ny lattice points (i / (nx - 1), j / (ny - 1)), x fastest; every `step`-th of them kept per axis.
Mat<double> lattice(Index nx, Index ny, Index step = 1) {
    Mat<double> X(2, ((nx + step - 1) / step) * ((ny + step - 1) / step));
    Index n = 0;
    for (Index j = 0; j < ny; j += step)
        for (Index i = 0; i < nx; i += step) {
            X(0, n) = double(i) / double(nx - 1);
            X(1, n) = double(j) / double(ny - 1);
            ++n;
        }
    return X;
}

const GridResolutionCandidate& candidate(const GridRecommendation& r, double N) {
    for (const auto& c : r.resolutions)
        if (c.resolution == N) return c;
    FAIL("no candidate with resolution " << N);
    return r.resolutions.front();
}

}  // namespace

TEST_CASE("recommend_grid: finest cells one sample spacing wide, the smallest all-dense table", "[grid_resolution]") {
    // 129 x 129 lattice: spacing 1/128, so N_max = 128; R = 129 vertices per axis, 129^2 = 16641 -> 2^15
    const Mat<double> X = lattice(129, 129);
    const GridRecommendation r = recommend_grid<double>(X);
    REQUIRE(r.spacing.size() == 2);
    CHECK(r.spacing[0] == Approx(1.0 / 128));
    CHECK(r.max_resolution == 128);
    CHECK(r.log2_table_size == 15);
    CHECK(r.config.max_resolution == 128);
    CHECK(r.config.log2_table_size == 15);
    CHECK(grid_levels(r.config).back().dense);
    GridConfig smaller = r.config;
    smaller.log2_table_size = 14;
    CHECK_FALSE(grid_levels(smaller).back().dense);  // 2^14 < 16641: the chosen table is the smallest dense one

    // Occupancy: every finest cell holds a sample at N_max and coarser; at 2 N_max a quarter (2D), at 4 N_max 1/16.
    CHECK(candidate(r, 32).occupancy == 1.0);
    CHECK(candidate(r, 64).occupancy == 1.0);
    CHECK(candidate(r, 128).occupancy == 1.0);
    CHECK(candidate(r, 128).chosen);
    CHECK(candidate(r, 256).occupancy == Approx(0.25).margin(0.01));
    CHECK(candidate(r, 512).occupancy == Approx(1.0 / 16).margin(0.005));
    CHECK(candidate(r, 128).cell_over_spacing == Approx(1.0));

    // Tables: below the chosen one the hash merges trained vertices, at and above it nothing is shared.
    bool seen_chosen = false;
    for (const auto& t : r.tables) {
        if (t.log2_table_size < r.log2_table_size) {
            CHECK_FALSE(t.dense);
            CHECK(t.shared_fraction > 0.0);
        } else {
            CHECK(t.dense);
            CHECK(t.shared_fraction == 0.0);
        }
        seen_chosen = seen_chosen || t.chosen;
    }
    CHECK(seen_chosen);
    CHECK(r.tables.front().shared_fraction > 0.5);  // 2^11 entries for 16641 vertices

    // A given finest resolution is kept; only the table follows it (65^2 = 4225 vertices -> 2^13).
    GridRecommendSettings keep;
    keep.max_resolution = 64;
    const GridRecommendation k = recommend_grid<double>(X, keep);
    CHECK(k.max_resolution == 64);
    CHECK(k.log2_table_size == 13);
    keep.max_resolution = 8;  // below base_resolution 16
    CHECK_THROWS_WITH(recommend_grid<double>(X, keep), Catch::Contains("max_resolution must be 0"));
}

TEST_CASE("recommend_grid: the coarsest-sampled axis decides, thinning halves the resolution", "[grid_resolution]") {
    // x spacing 1/64, y spacing 1/128: every finest cell must hold samples on both axes -> N_max = 64
    const GridRecommendation aniso = recommend_grid<double>(lattice(65, 129));
    CHECK(aniso.max_resolution == 64);
    // protocol E's split (every other pixel of a 257-point lattice) -> spacing 1/128 -> 128
    const GridRecommendation half = recommend_grid<double>(lattice(257, 257, 2));
    CHECK(half.max_resolution == 128);
    const GridRecommendation full = recommend_grid<double>(lattice(257, 257, 1));
    CHECK(full.max_resolution == 256);
    CHECK(full.log2_table_size == 17);  // 257^2 = 66049 -> 2^17
}

TEST_CASE("recommend_grid: 1D, the table cap, float input", "[grid_resolution]") {
    GridRecommendSettings s;
    s.base.input_dim = 1;
    Mat<float> X(1, 1001);
    for (Index i = 0; i < X.cols(); ++i) X(0, i) = float(i) / 1000.0f;
    const GridRecommendation r = recommend_grid<float>(X, s);
    CHECK(r.max_resolution == Approx(1000).margin(1));
    CHECK(r.log2_table_size == 10);  // 1001 vertices (+ padding to 8) fit 2^10

    // 3D lattice 65^3 -> N_max 64, 65^3 = 274625 vertices: dense needs 2^19; with a cap of 2^16 it is hashed
    Mat<double> X3(3, 65 * 65 * 65);
    Index n = 0;
    for (Index k = 0; k < 65; ++k)
        for (Index j = 0; j < 65; ++j)
            for (Index i = 0; i < 65; ++i, ++n) X3.col(n) << double(i) / 64, double(j) / 64, double(k) / 64;
    GridRecommendSettings s3;
    s3.base.input_dim = 3;
    s3.max_log2_table = 16;
    const GridRecommendation r3 = recommend_grid<double>(X3, s3);
    CHECK(r3.max_resolution == 64);
    CHECK(r3.log2_table_size == 16);
    CHECK_FALSE(grid_levels(r3.config).back().dense);
    for (const auto& t : r3.tables)
        if (t.chosen) CHECK(t.shared_fraction > 0.0);  // the cap forces collisions, and the evidence says so
}

TEST_CASE("recommend_grid: bad input", "[grid_resolution]") {
    const Mat<double> X = lattice(33, 33);
    CHECK_THROWS_WITH(recommend_grid<double>(Mat<double>(3, 10).setConstant(0.5)),
                      Catch::Contains("X must have input_dim = 2 rows"));
    Mat<double> out = X;
    out(1, 5) = 1.5;
    CHECK_THROWS_WITH(recommend_grid<double>(out), Catch::Contains("is not in [0, 1]"));
    out(1, 5) = std::nan("");
    CHECK_THROWS_WITH(recommend_grid<double>(out), Catch::Contains("is not in [0, 1]"));
    Mat<double> flat = X;
    flat.row(0).setConstant(0.25);
    CHECK_THROWS_WITH(recommend_grid<double>(flat), Catch::Contains("axis 0 has 1 distinct coordinate"));
    CHECK_THROWS_WITH(recommend_grid<double>(Mat<double>(2, 1).setConstant(0.5)),
                      Catch::Contains("at least 2 training points"));
    GridRecommendSettings s;
    s.min_log2_table = 20;
    s.max_log2_table = 12;
    CHECK_THROWS_WITH(recommend_grid<double>(X, s), Catch::Contains("table range"));
    GridRecommendSettings bad;
    bad.base.levels = 0;
    CHECK_THROWS_WITH(recommend_grid<double>(X, bad), Catch::Contains("levels"));
}

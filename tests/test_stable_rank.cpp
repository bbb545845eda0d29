// Stable rank (analysis/stable_rank.hpp): known matrices, agreement with an independent SVD
// (Eigen's JacobiSVD), exact vs Lanczos paths, orientation, float vs double, errors.
#include <catch2/catch.hpp>

#include <Eigen/QR>
#include <Eigen/SVD>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "posenc/analysis/stable_rank.hpp"
#include "posenc/core/random.hpp"

using namespace posenc;

namespace {

Mat<double> random_matrix(Index r, Index c, std::uint64_t seed) {
    Rng rng(seed);
    Mat<double> A(r, c);
    for (Index j = 0; j < c; ++j)
        for (Index i = 0; i < r; ++i) A(i, j) = rng.normal();
    return A;
}

// Periodic Gaussian shifted-basis embedding written out here (D x N, points as columns), so the
// stable-rank tests do not depend on the encoder. Its top Gram eigenvalues are nearly degenerate
// (relative gap ~4 pi^2 sigma^2), a hard case for iterative eigen-solvers.
Mat<double> gaussian_embedding(Index D, Index N, double sigma) {
    Mat<double> A(D, N);
    for (Index j = 0; j < N; ++j)
        for (Index d = 0; d < D; ++d) {
            double u = std::fmod(double(j) / double(N) - double(d) / double(D) + 0.5 + 2.0, 1.0) - 0.5;
            A(d, j) = std::exp(-u * u / (2 * sigma * sigma));
        }
    return A;
}

// Independent reference: singular values from Eigen's Jacobi SVD.
struct SvdRef {
    double srank, srank_l1;
};
SvdRef svd_reference(const Mat<double>& A) {
    Eigen::JacobiSVD<Mat<double>> svd(A);
    const auto& s = svd.singularValues();
    return {s.squaredNorm() / (s[0] * s[0]), s.sum() / s[0]};
}

StableRankOptions with(StableRankMethod m) {
    StableRankOptions o;
    o.method = m;
    return o;
}

}  // namespace

TEST_CASE("stable rank of known matrices", "[stable_rank]") {
    SECTION("orthonormal columns: stable rank = rank = number of columns") {
        const Mat<double> Q = Eigen::HouseholderQR<Mat<double>>(random_matrix(60, 17, 1)).householderQ() *
                              Mat<double>::Identity(60, 17);
        for (auto m : {StableRankMethod::Exact, StableRankMethod::Iterative}) {
            CHECK(stable_rank(Q, with(m)) == Approx(17.0).epsilon(1e-12));
            CHECK(stable_rank(Q.transpose(), with(m)) == Approx(17.0).epsilon(1e-12));
        }
        CHECK(stable_rank_l1(Q) == Approx(17.0).epsilon(1e-12));
        CHECK(stable_rank(3.5 * Q) == Approx(17.0).epsilon(1e-12));  // scale invariant
    }
    SECTION("rank one: 1") {
        const Mat<double> A = random_matrix(40, 1, 2) * random_matrix(1, 300, 3);
        for (auto m : {StableRankMethod::Exact, StableRankMethod::Iterative}) CHECK(stable_rank(A, with(m)) == Approx(1.0).epsilon(1e-12));
        // The other singular values are rounding noise (~1e-16 s_1); their sum stays tiny.
        CHECK(stable_rank_l1(A) == Approx(1.0).epsilon(1e-6));
    }
    SECTION("diagonal with singular values 3, 2, 1") {
        Mat<double> A = Mat<double>::Zero(3, 5);
        A(0, 2) = 3;
        A(1, 0) = -2;
        A(2, 4) = 1;
        CHECK(stable_rank(A) == Approx(14.0 / 9.0).epsilon(1e-14));
        CHECK(stable_rank_l1(A) == Approx(2.0).epsilon(1e-14));
        const Vec<double> s2 = singular_values_squared(A);
        REQUIRE(s2.size() == 3);
        CHECK(s2[0] == Approx(9.0));
        CHECK(s2[1] == Approx(4.0));
        CHECK(s2[2] == Approx(1.0));
        CHECK(top_singular_value_squared(A) == Approx(9.0).epsilon(1e-14));
    }
    SECTION("one row / one column") {
        const Mat<double> v = random_matrix(1, 50, 4);
        CHECK(stable_rank(v) == Approx(1.0).epsilon(1e-14));
        CHECK(stable_rank(v.transpose()) == Approx(1.0).epsilon(1e-14));
        CHECK(stable_rank_l1(v) == Approx(1.0).epsilon(1e-14));
    }
}

TEST_CASE("stable rank agrees with an independent SVD", "[stable_rank]") {
    const Mat<double> R = random_matrix(45, 120, 5);
    const Mat<double> G = gaussian_embedding(80, 90, 0.02);
    // Decaying spectrum: U diag(0.7^i) V^T.
    const Mat<double> U = Eigen::HouseholderQR<Mat<double>>(random_matrix(70, 30, 6)).householderQ() * Mat<double>::Identity(70, 30);
    const Mat<double> V = Eigen::HouseholderQR<Mat<double>>(random_matrix(200, 30, 7)).householderQ() * Mat<double>::Identity(200, 30);
    Vec<double> s(30);
    for (Index i = 0; i < 30; ++i) s[i] = std::pow(0.7, double(i));
    const Mat<double> L = U * s.asDiagonal() * V.transpose();

    for (const Mat<double>* A : {&R, &G, &L}) {
        const SvdRef ref = svd_reference(*A);
        for (auto m : {StableRankMethod::Exact, StableRankMethod::Iterative}) {
            CHECK(stable_rank(*A, with(m)) == Approx(ref.srank).epsilon(1e-11));
            CHECK(stable_rank(A->transpose(), with(m)) == Approx(ref.srank).epsilon(1e-11));
        }
        CHECK(stable_rank_l1(*A) == Approx(ref.srank_l1).epsilon(1e-9));
        CHECK(stable_rank_l1(A->transpose()) == Approx(ref.srank_l1).epsilon(1e-9));
        Eigen::JacobiSVD<Mat<double>> svd(*A);
        const Vec<double> s2 = singular_values_squared(*A);
        const Vec<double> want = svd.singularValues().array().square();
        CHECK((s2 - want).cwiseAbs().maxCoeff() <= 1e-11 * want[0]);
    }
    CHECK(svd_reference(L).srank == Approx(1.0 / (1.0 - 0.49)).epsilon(1e-3));  // sanity of the construction
}

TEST_CASE("exact and iterative (Lanczos) paths agree to 1e-9 in double", "[stable_rank]") {
    // Larger than the exact threshold so Auto takes the iterative path.
    const Mat<double> G = gaussian_embedding(400, 3000, 0.01);  // top gap ~0.4 %: hard for Lanczos
    const Mat<double> R = random_matrix(300, 700, 8);
    StableRankOptions matrix_free = with(StableRankMethod::Iterative);
    matrix_free.gram_max_dim = 0;  // never form the Gram matrix
    for (const Mat<double>* A : {&G, &R}) {
        const double exact = stable_rank(*A, with(StableRankMethod::Exact));
        const double iter = stable_rank(*A, with(StableRankMethod::Iterative));
        const double autom = stable_rank(*A);
        const double mf = stable_rank(*A, matrix_free);
        CHECK(std::abs(iter - exact) <= 1e-9 * exact);
        CHECK(std::abs(mf - exact) <= 1e-9 * exact);
        CHECK(autom == iter);  // Auto = iterative here (min side > exact_max_dim)
        const double t_exact = top_singular_value_squared(A->transpose(), with(StableRankMethod::Exact));
        const double t_iter = top_singular_value_squared(A->transpose(), with(StableRankMethod::Iterative));
        CHECK(std::abs(t_iter - t_exact) <= 1e-10 * t_exact);
    }
    // Independent value: for a dense periodic Gaussian embedding the Gram spectrum is
    // exp(-4 pi^2 sigma^2 k^2), k in Z, so the stable rank approaches 1 / (2 sqrt(pi) sigma).
    CHECK(stable_rank(G) == Approx(1.0 / (2.0 * std::sqrt(std::numbers::pi) * 0.01)).epsilon(2e-3));
}

TEST_CASE("stable rank accepts blocks and maps and is deterministic", "[stable_rank]") {
    const Mat<double> A = random_matrix(30, 400, 9);
    const Mat<double> B = A.leftCols(100);
    CHECK(stable_rank(A.leftCols(100)) == stable_rank(B));
    CHECK(stable_rank(A.block(0, 0, 20, 50)) == stable_rank(Mat<double>(A.block(0, 0, 20, 50))));
    Eigen::Map<const Mat<double>> M(A.data(), 30, 400);
    CHECK(stable_rank(M) == stable_rank(A));
    const StableRankOptions it = with(StableRankMethod::Iterative);
    CHECK(stable_rank(A, it) == stable_rank(A, it));
}

TEST_CASE("stable rank in float agrees with double", "[stable_rank][float]") {
    const Mat<double> G = gaussian_embedding(300, 1000, 0.02);
    const Mat<float> Gf = G.cast<float>();
    const double ref = stable_rank(G, with(StableRankMethod::Exact));
    CHECK(stable_rank(Gf, with(StableRankMethod::Exact)) == Approx(ref).epsilon(1e-4));
    CHECK(stable_rank(Gf, with(StableRankMethod::Iterative)) == Approx(ref).epsilon(1e-4));
    CHECK(stable_rank_l1(Gf) == Approx(stable_rank_l1(G)).epsilon(1e-5));
    const Vec<double> s2 = singular_values_squared(Gf);
    CHECK(s2.size() == 300);
    CHECK((s2.array() >= 0.0).all());
    CHECK(s2[0] == Approx(singular_values_squared(G)[0]).epsilon(1e-6));
}

TEST_CASE("stable rank rejects bad input with a posenc::Error naming it", "[stable_rank][errors]") {
    using Catch::Matchers::Contains;
    const Mat<double> empty(0, 5);
    CHECK_THROWS_MATCHES(stable_rank(empty), Error, Catch::Matchers::Message("stable_rank: matrix must not be empty (got 0 x 5)"));
    CHECK_THROWS_AS(stable_rank_l1(Mat<double>(4, 0)), Error);
    CHECK_THROWS_AS(singular_values_squared(Mat<double>(0, 0)), Error);

    Mat<double> A = random_matrix(5, 8, 10);
    A(2, 3) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(stable_rank(A), Contains("stable_rank") && Contains("NaN"));
    CHECK_THROWS_WITH(stable_rank_l1(A), Contains("stable_rank_l1") && Contains("NaN"));
    A(2, 3) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(stable_rank(A), Error);
    Mat<float> Af = Mat<float>::Ones(3, 3);
    Af(0, 0) = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_AS(stable_rank(Af), Error);

    CHECK_THROWS_WITH(stable_rank(Mat<double>::Zero(4, 6)), Contains("all zero"));
    CHECK_THROWS_WITH(stable_rank_l1(Mat<double>::Zero(4, 6)), Contains("all zero"));

    StableRankOptions bad = with(StableRankMethod::Iterative);
    bad.tolerance = 0;
    CHECK_THROWS_WITH(stable_rank(random_matrix(6, 9, 11), bad), Contains("tolerance"));
    bad.tolerance = 1e-12;
    bad.max_iterations = 0;
    CHECK_THROWS_WITH(stable_rank(random_matrix(6, 9, 11), bad), Contains("max_iterations"));
    // Too few Lanczos steps for a 300-dimensional Gram matrix with a tight tolerance: reported.
    bad.max_iterations = 3;
    bad.tolerance = 1e-15;
    CHECK_THROWS_WITH(stable_rank(random_matrix(300, 400, 12), bad), Contains("did not converge"));
}

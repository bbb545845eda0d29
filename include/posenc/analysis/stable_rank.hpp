// posenc/analysis/stable_rank.hpp — stable rank of an embedding matrix, exact or by Lanczos.
//
// For an embedding matrix A (output_dim x N, points as columns; the result does not depend on the
// orientation) with singular values s_1 >= s_2 >= ...:
//
//     stable_rank(A)    = ||A||_F^2 / ||A||_2^2 = sum(s_i^2) / s_1^2
//     stable_rank_l1(A) = sum(s_i) / s_1
//
// Everything works on the Gram matrix of the SMALLER side, G = A A^T or A^T A (m x m with
// m = min(rows, cols)), whose eigenvalues are the s_i^2. A full SVD is never computed.
//
//   * exact path (m <= StableRankOptions::exact_max_dim by default): all eigenvalues of G with
//     Eigen's SelfAdjointEigenSolver (eigenvalues only), O(m^2 n + m^3);
//   * iterative path (larger m): ||A||_F^2 directly from the entries, and the top eigenvalue of G by
//     Lanczos with full re-orthogonalisation. G is formed explicitly (one symmetric rank-n update,
//     split over the OpenMP threads) when m <= gram_max_dim, which is the fastest choice for the
//     sizes of interest (e.g. a 500 x 100000 embedding: G is 500 x 500 and each Lanczos step costs
//     m^2); beyond that the Gram operator v -> A (A^T v) is applied matrix-free.
//
// The Lanczos iteration stops when the Ritz residual bound beta_j |e_j^T y| (there is an eigenvalue
// of G within this distance of the Ritz value) drops below tolerance * theta, or when the Krylov
// space is exhausted (then the result is exact up to rounding).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Eigenvalues>

#include "posenc/core/error.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/random.hpp"
#include "posenc/core/types.hpp"

namespace posenc {

/// How stable_rank() obtains the largest squared singular value.
enum class StableRankMethod {
    Auto,      ///< Exact when min(rows, cols) <= StableRankOptions::exact_max_dim, else Iterative
    Exact,     ///< all eigenvalues of the smaller-side Gram matrix (SelfAdjointEigenSolver)
    Iterative  ///< ||A||_F^2 from the entries + Lanczos for the top Gram eigenvalue
};

/// Options of stable_rank() and top_singular_value_squared().
struct StableRankOptions {
    StableRankMethod method = StableRankMethod::Auto;  ///< exact / iterative / automatic choice
    /// Auto uses the exact eigen-solver when min(rows, cols) is at most this (dense eigenvalues of an
    /// m x m matrix cost ~m^3; Lanczos on the formed Gram matrix is cheaper beyond a few hundred).
    Index exact_max_dim = 256;
    /// The iterative path forms the m x m Gram matrix when m <= gram_max_dim (m^2 scalars of
    /// memory), otherwise it applies v -> A (A^T v) matrix-free (two passes over A per step).
    Index gram_max_dim = 4096;
    /// Lanczos stops when the residual bound of the top Ritz value is <= tolerance * Ritz value.
    double tolerance = 1e-12;
    /// Upper bound on Lanczos steps (the Krylov dimension never exceeds m anyway); reaching it
    /// without convergence throws posenc::Error.
    int max_iterations = 1000;
    /// Seed of the random Lanczos start vector (results are deterministic for a given seed).
    std::uint64_t seed = 0x5eed;
};

namespace detail {

/// Throws unless A is non-empty and finite; `who` prefixes the message.
template <class T>
void check_embedding(const Eigen::Ref<const Mat<T>>& A, const char* who) {
    if (A.rows() == 0 || A.cols() == 0)
        detail::fail(who, ": matrix must not be empty (got ", A.rows(), " x ",
                    A.cols(), ")");
    if (!A.allFinite()) detail::fail(who, ": matrix has NaN or Inf entries");
}

/// Frobenius norm squared, accumulated in double (column sums in parallel, deterministic order).
template <class T>
double frobenius_squared(const Eigen::Ref<const Mat<T>>& A) {
    const Index n = A.cols();
    std::vector<double> col(static_cast<std::size_t>(n));
    POSENC_OMP(parallel for schedule(static))
    for (Index j = 0; j < n; ++j) col[std::size_t(j)] = A.col(j).template cast<double>().squaredNorm();
    double s = 0;
    for (double c : col) s += c;
    return s;
}

/// Lower triangle of the smaller-side Gram matrix (A A^T if rows <= cols, else A^T A) in precision
/// Acc, built as a symmetric rank-k update split over the threads into contiguous blocks of the long
/// side and summed in thread order (deterministic for a fixed thread count). Only the lower triangle
/// is set. When Acc differs from T (float input, double Gram) blocks of 1024 are cast first.
template <class T, class Acc = T>
Mat<Acc> gram_lower(const Eigen::Ref<const Mat<T>>& A) {
    const bool wide = A.rows() <= A.cols();
    const Index m = wide ? A.rows() : A.cols();
    const Index n = wide ? A.cols() : A.rows();
    // Blocks of at least 2048 along the long side so tiny inputs stay single-threaded. With
    // EIGEN_USE_BLAS the update is one ?syrk call, threaded by the BLAS itself.
#if defined(EIGEN_USE_BLAS)
    const int nt = 1;
#else
    const int nt = int(std::max<Index>(1, std::min<Index>(num_threads(), n / 2048)));
#endif
    std::vector<Mat<Acc>> part(static_cast<std::size_t>(nt));
    POSENC_OMP(parallel for schedule(static, 1) num_threads(nt))
    for (int t = 0; t < nt; ++t) {
        const Index b0 = n * t / nt, b1 = n * (t + 1) / nt;
        Mat<Acc>& G = part[std::size_t(t)];
        G.setZero(m, m);
        auto S = G.template selfadjointView<Eigen::Lower>();
        if constexpr (std::is_same_v<T, Acc>) {
            if (wide) S.rankUpdate(A.middleCols(b0, b1 - b0));
            else S.rankUpdate(A.middleRows(b0, b1 - b0).transpose());
        } else {
            Mat<Acc> blk;
            for (Index c0 = b0; c0 < b1; c0 += 1024) {
                const Index c = std::min<Index>(1024, b1 - c0);
                if (wide) blk = A.middleCols(c0, c).template cast<Acc>();
                else blk = A.middleRows(c0, c).transpose().template cast<Acc>();
                S.rankUpdate(blk);
            }
        }
    }
    for (int t = 1; t < nt; ++t) part[0] += part[std::size_t(t)];
    return std::move(part[0]);
}

/// All eigenvalues of the smaller-side Gram matrix, computed in double, descending, clamped >= 0.
template <class T>
Vec<double> gram_eigenvalues(const Eigen::Ref<const Mat<T>>& A, const char* who) {
    const Mat<double> G = gram_lower<T, double>(A);
    Eigen::SelfAdjointEigenSolver<Mat<double>> es(G, Eigen::EigenvaluesOnly);  // reads the lower triangle
    if (es.info() != Eigen::Success) detail::fail(who, ": eigen-solver failed");
    Vec<double> ev = es.eigenvalues().reverse();
    return ev.cwiseMax(0.0);
}

/// Largest eigenvalue of a symmetric positive semi-definite operator of size m by Lanczos with full
/// re-orthogonalisation. `apply(q, w)` must set w = G q. Returns the top Ritz value.
template <class T, class Apply>
double lanczos_top(Index m, Apply&& apply, const StableRankOptions& opt, const char* who) {
    detail::require(opt.max_iterations > 0, who, ": max_iterations must be > 0 (got ",
                                                opt.max_iterations, ")");
    detail::require(std::isfinite(opt.tolerance) && opt.tolerance > 0,
                    who, ": tolerance must be finite and > 0 (got ", opt.tolerance, ")");
    const Index kmax = std::min<Index>(m, opt.max_iterations);
    // Lanczos basis in double whatever T is; grown by doubling (m x k doubles for k steps).
    Mat<double> Q(m, std::min<Index>(kmax + 1, 64));
    std::vector<double> alpha, beta;
    Rng rng(opt.seed);
    Vec<double> q(m);
    for (Index i = 0; i < m; ++i) q[i] = rng.normal();
    q /= q.norm();
    Q.col(0) = q;
    Vec<T> qt(m), wt(m);
    Vec<double> w(m);
    double theta = 0;
    double scale = 0;  // largest |alpha| or beta so far: the size of G seen by the iteration
    for (Index j = 0; j < kmax; ++j) {
        qt = Q.col(j).template cast<T>();
        apply(qt, wt);
        w = wt.template cast<double>();
        const double a = Q.col(j).dot(w);
        alpha.push_back(a);
        // Full re-orthogonalisation, two classical Gram-Schmidt passes ("twice is enough", Parlett).
        for (int pass = 0; pass < 2; ++pass) {
            const Vec<double> c = Q.leftCols(j + 1).transpose() * w;
            w.noalias() -= Q.leftCols(j + 1) * c;
        }
        const double b = w.norm();
        const Index k = j + 1;
        // Eigen-decomposition of the k x k tridiagonal T_k (cheap: k <= kmax, checked every step
        // while small, then every 8 steps).
        const bool check = k <= 32 || k % 8 == 0 || k == kmax;
        scale = std::max({scale, std::abs(a), b});
        const bool breakdown = b <= 1e-14 * scale;  // Krylov space invariant: the Ritz values are exact
        if (check || breakdown) {
            Vec<double> diag = Eigen::Map<const Vec<double>>(alpha.data(), k);
            Vec<double> sub = k > 1 ? Vec<double>(Eigen::Map<const Vec<double>>(beta.data(), k - 1)) : Vec<double>(0);
            Eigen::SelfAdjointEigenSolver<Mat<double>> es;
            es.computeFromTridiagonal(diag, sub, Eigen::ComputeEigenvectors);
            if (es.info() != Eigen::Success) detail::fail(who, ": Lanczos eigen-solver failed");
            theta = es.eigenvalues()[k - 1];  // ascending order
            const double resid = b * std::abs(es.eigenvectors()(k - 1, k - 1));
            if (breakdown || k == m || resid <= opt.tolerance * std::abs(theta)) return theta;
        }
        if (k == kmax) break;
        beta.push_back(b);
        if (k >= Q.cols()) Q.conservativeResize(Eigen::NoChange, std::min<Index>(kmax + 1, 2 * Q.cols()));
        Q.col(k) = w / b;
    }
    if (kmax == m) return theta;
    detail::fail(who, ": Lanczos did not converge in max_iterations = ",
                opt.max_iterations, " steps (raise it or loosen tolerance)");
}

/// Resolves Auto to Exact or Iterative for a matrix whose smaller side is m.
inline StableRankMethod resolve_method(const StableRankOptions& opt, Index m) {
    if (opt.method != StableRankMethod::Auto) return opt.method;
    return m <= opt.exact_max_dim ? StableRankMethod::Exact : StableRankMethod::Iterative;
}

}  // namespace detail

/// Gram matrix of the smaller side of A: A A^T (rows x rows) when rows <= cols, else A^T A
/// (cols x cols). Its eigenvalues are the squared singular values of A. Throws posenc::Error for an
/// empty or non-finite A.
template <class Derived>
Mat<typename Derived::Scalar> gram_matrix(const Eigen::MatrixBase<Derived>& A_) {
    using T = typename Derived::Scalar;
    const Eigen::Ref<const Mat<T>> A(A_.derived());
    detail::check_embedding<T>(A, "gram_matrix");
    Mat<T> G = detail::gram_lower<T>(A);
    G.template triangularView<Eigen::StrictlyUpper>() = G.transpose();
    return G;
}

/// All squared singular values of A (the eigenvalues of its smaller-side Gram matrix), in
/// descending order, negative rounding residue clamped to 0. Length min(rows, cols). The Gram matrix
/// and its eigenvalues are computed in double whatever the scalar (so float input loses nothing
/// beyond its own rounding). Costs O(m^2 n + m^3) for m = min(rows, cols), n = max(rows, cols).
/// Values below ~m * epsilon * s_1^2 are rounding noise. Throws posenc::Error for an empty or
/// non-finite A.
template <class Derived>
Vec<double> singular_values_squared(const Eigen::MatrixBase<Derived>& A_) {
    using T = typename Derived::Scalar;
    const Eigen::Ref<const Mat<T>> A(A_.derived());
    detail::check_embedding<T>(A, "singular_values_squared");
    return detail::gram_eigenvalues<T>(A, "singular_values_squared");
}

/// Largest squared singular value ||A||_2^2 (the top eigenvalue of the smaller-side Gram matrix),
/// by the method chosen in `opt` (see StableRankOptions). Throws posenc::Error for an empty or
/// non-finite A, bad options, or a Lanczos run that does not converge.
template <class Derived>
double top_singular_value_squared(const Eigen::MatrixBase<Derived>& A_, const StableRankOptions& opt = {}) {
    using T = typename Derived::Scalar;
    const Eigen::Ref<const Mat<T>> A(A_.derived());
    constexpr const char* who = "top_singular_value_squared";
    detail::check_embedding<T>(A, who);
    const bool wide = A.rows() <= A.cols();
    const Index m = std::min(A.rows(), A.cols());
    if (detail::resolve_method(opt, m) == StableRankMethod::Exact) {
        const Mat<T> G = detail::gram_lower<T>(A);
        Eigen::SelfAdjointEigenSolver<Mat<T>> es(G, Eigen::EigenvaluesOnly);
        if (es.info() != Eigen::Success) detail::fail(who, ": eigen-solver failed");
        return double(es.eigenvalues()[m - 1]);
    }
    if (m <= opt.gram_max_dim) {
        const Mat<T> G = detail::gram_lower<T>(A);
        const auto S = G.template selfadjointView<Eigen::Lower>();
        return detail::lanczos_top<T>(m, [&](const Vec<T>& q, Vec<T>& w) { w.noalias() = S * q; }, opt, who);
    }
    // Matrix-free: w = A (A^T q) for a wide A, w = A^T (A q) for a tall one.
    Vec<T> tmp(std::max(A.rows(), A.cols()));
    return detail::lanczos_top<T>(
        m,
        [&](const Vec<T>& q, Vec<T>& w) {
            if (wide) {
                tmp.noalias() = A.transpose() * q;
                w.noalias() = A * tmp;
            } else {
                tmp.noalias() = A * q;
                w.noalias() = A.transpose() * tmp;
            }
        },
        opt, who);
}

/// Stable rank ||A||_F^2 / ||A||_2^2 of A (any orientation; for an embedding, output_dim x N with the
/// N points as columns). Between 1 and min(rows, cols). ||A||_F^2 is summed from the entries (in
/// double); ||A||_2^2 comes from top_singular_value_squared() with `opt`. Throws posenc::Error for an
/// empty, non-finite or all-zero A.
template <class Derived>
double stable_rank(const Eigen::MatrixBase<Derived>& A_, const StableRankOptions& opt = {}) {
    using T = typename Derived::Scalar;
    const Eigen::Ref<const Mat<T>> A(A_.derived());
    detail::check_embedding<T>(A, "stable_rank");
    const double fro2 = detail::frobenius_squared<T>(A);
    if (!(fro2 > 0)) throw Error("stable_rank: matrix is all zero (stable rank undefined)");
    const double top = top_singular_value_squared(A, opt);
    return fro2 / top;
}

/// L1 stable rank sum(s_i) / max(s_i) of the singular values of A. Needs every singular value: the
/// eigenvalues of the smaller-side Gram matrix (see singular_values_squared(), computed in double).
/// Gram eigenvalues below m * epsilon(double) * s_1^2 are rounding noise (each would add
/// ~sqrt(m eps) s_1 to the sum) and count as 0, i.e. singular values below ~1e-7 s_1 are dropped.
/// Throws posenc::Error for an empty, non-finite or all-zero A.
template <class Derived>
double stable_rank_l1(const Eigen::MatrixBase<Derived>& A_) {
    using T = typename Derived::Scalar;
    const Eigen::Ref<const Mat<T>> A(A_.derived());
    detail::check_embedding<T>(A, "stable_rank_l1");
    const Vec<double> ev = detail::gram_eigenvalues<T>(A, "stable_rank_l1");
    if (!(ev[0] > 0)) throw Error("stable_rank_l1: matrix is all zero (stable rank undefined)");
    const double floor = double(ev.size()) * std::numeric_limits<double>::epsilon() * ev[0];
    double s = 0;
    for (Index i = 0; i < ev.size(); ++i)
        if (ev[i] > floor) s += std::sqrt(ev[i]);
    return s / std::sqrt(ev[0]);
}

}  // namespace posenc

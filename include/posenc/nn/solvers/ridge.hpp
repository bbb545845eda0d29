// posenc/nn/solvers/ridge.hpp — closed-form ridge / least-squares fit of a linear layer on an embedding
// (depth-0 coordinate networks), solved on the smaller Gram side.
#pragma once
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/SparseCore>

#include "posenc/core/checks.hpp"
#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/windows.hpp"
#include "posenc/nn/layers/activations.hpp"

namespace posenc {

/// Settings of the closed-form fit.
struct RidgeOptions {
    double lambda = 0.0;   ///< ridge penalty on W (>= 0); 0 = least squares / min-norm interpolation
    bool fit_bias = true;  ///< also fit an UNPENALISED bias b
};

/// A fitted linear layer Y ~ W Psi + b (points as columns): W is C x D, b has C entries (zero
/// without fit_bias). `n_side` tells which Gram matrix was factorised (N x N when true, else D x D).
template <class T>
struct RidgeFit {
    Mat<T> W;            ///< C x D weights
    Vec<T> b;            ///< C biases
    bool n_side = false; ///< true: solved with the N x N Gram Psi^T Psi, false: with the D x D Gram Psi Psi^T
};

namespace detail {

/// Factorises the SPD matrix A (n x n) with LLT; throws a clear posenc::Error when it is singular or,
/// for lambda == 0, too ill-conditioned to define a unique solution. (A template, MatD = Mat<double>,
/// so that a translation unit that never solves does not instantiate Eigen's LLT: docs/development.md.)
template <class MatD>
Eigen::LLT<Mat<double>> ridge_factor(const MatD& A, double lambda, const char* side) {
    Eigen::LLT<Mat<double>> llt(A);
    const double tol = double(A.rows()) * std::numeric_limits<double>::epsilon();
    const bool failed = llt.info() != Eigen::Success;
    const double rc = failed ? 0.0 : llt.rcond();
    if (failed || (lambda == 0.0 && !(rc > tol)))
        detail::fail("ridge: the ", side, " Gram matrix", (lambda == 0.0 ? "" : " + lambda I"),
                    " is singular or ill-conditioned (rcond ", rc, ", lambda ",
                    lambda,
                    "): the problem is not well-posed with lambda = 0; use lambda > 0 (or more independent points)");
    return llt;
}

/// Shared solver on a double embedding Psi (D x N, dense Mat<double> or SparseMatrix<double>).
/// Derivation (R = Y - W Psi - b 1^T): stationarity gives W = A Psi^T with A = R / lambda and A 1 = 0, so
///   N side:  (K + lambda I) A^T + 1 b^T = Y^T, 1^T A^T = 0, with K = Psi^T Psi;
///            solved by the Schur complement on 1 (one LLT of K + lambda I, C + 1 right-hand sides).
///   D side:  (Psi_c Psi_c^T + lambda I) W^T = Psi_c Y_c^T with Psi_c, Y_c centred over points,
///            b = mean(Y) - W mean(Psi).
template <class T, class PsiD>
RidgeFit<T> ridge_solve(const PsiD& Psi, const Mat<double>& Y, const RidgeOptions& opt) {
    const Index D = Psi.rows(), N = Psi.cols(), C = Y.rows();
    const double lambda = opt.lambda;
    RidgeFit<T> fit;
    // Side choice: N x N when N < D (with a bias, also when N == D: it has D + 1 unknowns).
    fit.n_side = opt.fit_bias ? N <= D : N < D;
    Mat<double> Wt;  // D x C
    Vec<double> b = Vec<double>::Zero(C);
    if (fit.n_side) {
        Mat<double> K = Mat<double>(Psi.transpose() * Psi);
        K.diagonal().array() += lambda;
        const auto llt = ridge_factor(K, lambda, "N x N");
        Mat<double> alpha = llt.solve(Y.transpose());  // N x C
        if (opt.fit_bias) {
            const Vec<double> u = llt.solve(Vec<double>::Ones(N));
            const double s = u.sum();
            detail::require(std::isfinite(s) && s > 0, "ridge: bias elimination failed (1^T K^-1 1 = ", s, ")");
            b = alpha.colwise().sum().transpose() / s;  // b^T = 1^T K^-1 Y^T / (1^T K^-1 1)
            alpha.noalias() -= u * b.transpose();
        }
        Wt = Psi * alpha;
    } else {
        Mat<double> G(D, D), P(D, C);
        if (opt.fit_bias) {
            const Vec<double> mu = Mat<double>(Psi * Vec<double>::Ones(N)) / double(N);
            const Vec<double> my = Y.rowwise().mean();
            if constexpr (std::is_same_v<PsiD, Mat<double>>) {  // dense: centre explicitly (no cancellation)
                const Mat<double> Pc = Psi.colwise() - mu;
                G.setZero();
                G.template selfadjointView<Eigen::Lower>().rankUpdate(Pc);
                G.template triangularView<Eigen::StrictlyUpper>() = G.transpose();
                P.noalias() = Pc * (Y.colwise() - my).transpose();
            } else {  // sparse: Psi_c Psi_c^T = Psi Psi^T - N mu mu^T keeps Psi sparse
                G = Mat<double>(Psi * Psi.transpose());
                G.noalias() -= double(N) * mu * mu.transpose();
                P = Psi * Y.transpose();
                P.noalias() -= double(N) * mu * my.transpose();
            }
            G.diagonal().array() += lambda;
            Wt = ridge_factor(G, lambda, "D x D").solve(P);
            b = my - Wt.transpose() * mu;
        } else {
            if constexpr (std::is_same_v<PsiD, Mat<double>>) {
                G.setZero();
                G.template selfadjointView<Eigen::Lower>().rankUpdate(Psi);
                G.template triangularView<Eigen::StrictlyUpper>() = G.transpose();
            } else {
                G = Mat<double>(Psi * Psi.transpose());
            }
            P = Psi * Y.transpose();
            G.diagonal().array() += lambda;
            Wt = ridge_factor(G, lambda, "D x D").solve(P);
        }
    }
    fit.W = Wt.transpose().template cast<T>();
    fit.b = b.template cast<T>();
    detail::require(fit.W.allFinite() && fit.b.allFinite(), "ridge: the solution is not finite (ill-posed problem?)");
    return fit;
}

/// Checks the number of points and lambda.
inline void ridge_check_common(Index N, double lambda) {
    detail::require(N > 0, "ridge: need at least one point (Psi has 0 columns)");
    detail::require(std::isfinite(lambda) && lambda >= 0, "ridge: lambda must be finite and >= 0 (got ", lambda, ")");
}

/// Checks the targets against N points and returns them in double.
template <class T>
Mat<double> ridge_targets(ConstMatRef<T> Y, Index N) {
    detail::require(Y.cols() == N, "ridge: Y must have one column per point (", N, "), got ",
                                       Y.cols());
    detail::require(Y.rows() > 0, "ridge: Y must have at least one channel (row)");
    detail::require(Y.allFinite(), "ridge: Y must be finite (got NaN or Inf)");
    return Y.template cast<double>();
}

}  // namespace detail

/// Closed-form ridge regression, points as columns:
///   (W, b) = argmin ||W Psi + b 1^T - Y||_F^2 + lambda ||W||_F^2     (b unpenalised, or b = 0)
/// with Psi the D x N embedding and Y the C x N targets. Solved in double on the smaller Gram side
/// (the ECCV'22 closed form): N x N (W = Y (Psi^T Psi + lambda I)^-1 Psi^T without bias) when N < D,
/// else D x D (W = Y Psi^T (Psi Psi^T + lambda I)^-1), Cholesky (LLT) either way; cost
/// O(min(N, D)^2 max(N, D) + min(N, D)^3). lambda = 0 is allowed when the problem is well-posed
/// (full-rank Gram: the least-squares solution, or for N < D the minimum-norm interpolant); otherwise
/// it throws posenc::Error suggesting lambda > 0. Throws for bad shapes and non-finite input.
template <class T>
RidgeFit<T> ridge(ConstMatRef<T> Psi, ConstMatRef<T> Y, const RidgeOptions& options = {}) {
    detail::ridge_check_common(Psi.cols(), options.lambda);
    detail::require(Psi.rows() > 0, "ridge: Psi must have at least one feature (row)");
    detail::require(Psi.allFinite(), "ridge: Psi must be finite (got NaN or Inf)");
    const Mat<double> Yd = detail::ridge_targets<T>(Y, Psi.cols());
    if constexpr (std::is_same_v<T, double>) {
        const Mat<double> P = Psi;  // contiguous copy (Psi may be a strided view)
        return detail::ridge_solve<T>(P, Yd, options);
    } else {
        return detail::ridge_solve<T>(Mat<double>(Psi.template cast<double>()), Yd, options);
    }
}

/// The same fit from a compact-support embedding given as Windows (K slots per point, indices into
/// 0..dim-1): builds a sparse D x N matrix from the windows (never the dense D x N embedding), so the
/// Gram products cost O(N K^2)-ish instead of O(N D min(N, D)). Duplicate indices in a window add up.
template <class T>
RidgeFit<T> ridge(const Windows<T>& windows, Index dim, ConstMatRef<T> Y, const RidgeOptions& options = {}) {
    const Index N = windows.cols(), K = windows.index.rows();
    detail::ridge_check_common(N, options.lambda);
    detail::require(dim > 0, "ridge: dim (embedding size) must be > 0 (got ", dim, ")");
    detail::require(windows.weight.rows() == K && windows.weight.cols() == N,
                    "ridge: windows.weight must have the shape of windows.index");
    detail::require(windows.weight.allFinite(), "ridge: window weights must be finite");
    const Mat<double> Yd = detail::ridge_targets<T>(Y, N);
    std::vector<Eigen::Triplet<double, Index>> trip;
    trip.reserve(std::size_t(K * N));
    for (Index n = 0; n < N; ++n)
        for (Index k = 0; k < K; ++k) {
            const Index r = windows.index(k, n);
            detail::require(r >= 0 && r < dim, "ridge: window index ", r, " outside [0, ",
                                                   dim, ")");
            const double w = double(windows.weight(k, n));
            if (w != 0.0) trip.emplace_back(r, n, w);
        }
    Eigen::SparseMatrix<double, Eigen::ColMajor, Index> Psi(dim, N);
    Psi.setFromTriplets(trip.begin(), trip.end());
    return detail::ridge_solve<T>(Psi, Yd, options);
}

/// Fits a depth-0 model in place: sets its single linear layer's W and b from the closed form on an
/// encoded batch (model.prepare(X)), using the windows without densifying when the batch is sparse.
/// Works for any model exposing mlp() (one layer, identity output activation) and batches with
/// `sparse`, `dense`, `windows` members (posenc::Model / EncodedBatch). Returns the fit.
template <class M, class B, class T = typename std::remove_cvref_t<decltype(std::declval<const B&>().dense)>::Scalar>
RidgeFit<T> fit_ridge(M& model, const B& batch, const std::type_identity_t<ConstMatRef<T>>& Y,
                      const RidgeOptions& options = {}) {
    auto& net = model.mlp();
    detail::require(net.num_layers() == 1, "fit_ridge: the closed form needs a depth-0 model (one linear layer), got depth ",
                                               net.num_layers() - 1);
    detail::require(net.activation(0).kind == Activation::Identity,
                    "fit_ridge: the closed form needs the identity output activation");
    const Index D = net.input_dim();
    RidgeFit<T> fit = batch.sparse ? ridge<T>(batch.windows, D, Y, options) : ridge<T>(batch.dense, Y, options);
    detail::check_shape(fit.W, net.output_dim(), D, "fit_ridge", "fitted W (model output x input)");
    net.layer(0).W = fit.W;
    net.layer(0).b = fit.b;
    return fit;
}

}  // namespace posenc

// posenc/nn/solvers/kronecker3d.hpp — the three-axis (video / volume grid) Kronecker model and its
// separable closed form, with the mode products it needs (two axes: kronecker2d.hpp).
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include <Eigen/Cholesky>

#include "posenc/core/error.hpp"
#include "posenc/core/param.hpp"
#include "posenc/core/types.hpp"
#include "posenc/nn/solvers/kronecker2d.hpp"

namespace posenc {

/// A 3-tensor n0 x n1 x n2 stored column-major as an n0 x (n1 * n2) matrix: slice k (index of the last
/// mode) is middleCols(k * n1, n1). These mode products are the only tensor operations the 3-axis
/// Kronecker model needs; each is one or a few GEMMs.
namespace kron3 {

/// Mode-0 product: (A X)(i, j, k) = sum_a A(i, a) X(a, j, k); A is m x n0, result m x (n1 n2).
template <class T>
Mat<T> mode0(ConstMatRef<T> A, ConstMatRef<T> X) {
    detail::require(A.cols() == X.rows(), "kron3::mode0: A must have n0 columns");
    return A * X;
}
/// Mode-1 product: result(i, j, k) = sum_b A(j, b) X(i, b, k); A is m x n1, X is n0 x (n1 n2).
template <class T>
Mat<T> mode1(ConstMatRef<T> A, ConstMatRef<T> X, Index n1) {
    detail::require(n1 > 0 && X.cols() % n1 == 0 && A.cols() == n1, "kron3::mode1: A must have n1 columns");
    const Index n2 = X.cols() / n1, m = A.rows();
    Mat<T> out(X.rows(), m * n2);
    for (Index k = 0; k < n2; ++k) out.middleCols(k * m, m).noalias() = X.middleCols(k * n1, n1) * A.transpose();
    return out;
}
/// Mode-2 product: result(i, j, k) = sum_e A(k, e) X(i, j, e); A is m x n2, X is n0 x (n1 n2).
template <class T>
Mat<T> mode2(ConstMatRef<T> A, ConstMatRef<T> X, Index n1) {
    detail::require(n1 > 0 && X.cols() % n1 == 0 && A.cols() == X.cols() / n1, "kron3::mode2: A must have n2 columns");
    const Index n0 = X.rows(), n2 = X.cols() / n1, m = A.rows();
    Mat<T> out(n0, n1 * m);
    if (X.outerStride() == n0) {
        const Eigen::Map<const Mat<T>> Xf(X.data(), n0 * n1, n2);
        Eigen::Map<Mat<T>>(out.data(), n0 * n1, m).noalias() = Xf * A.transpose();
    } else {  // a strided view (block of a larger matrix): copy it to contiguous storage first
        const Mat<T> Xc = X;
        Eigen::Map<Mat<T>>(out.data(), n0 * n1, m).noalias() = Eigen::Map<const Mat<T>>(Xc.data(), n0 * n1, n2) * A.transpose();
    }
    return out;
}

}  // namespace kron3

/// Depth-0 model on the three-axis Kronecker encoding: one Dy x Dx x Dz weight tensor per channel,
/// prediction at (x, y, z) = sum_{a, b, e} W(a, b, e) Psi_y(y)[a] Psi_x(x)[b] Psi_z(z)[e]. The tensor is
/// stored as a Dy x (Dx * Dz) matrix (kron3 layout: slice e, a Dy x Dx matrix, is middleCols(e * Dx, Dx)),
/// so the dense feature index is a + Dy (b + Dx e). On a grid with axis codes Px (Dx x Nx), Py (Dy x Ny),
/// Pz (Dz x Nz) the prediction is the Ny x Nx x Nz tensor W x_y Py^T x_x Px^T x_z Pz^T (three mode
/// products), stored as Ny x (Nx * Nz): frame k is middleCols(k * Nx, Nx), an image like the 2D model's.
template <class T>
class KroneckerLinear3 {
public:
    /// `channels` zero weight tensors of Dy x Dx x Dz.
    KroneckerLinear3(Index Dx, Index Dy, Index Dz, Index channels) : dx_(Dx), dz_(Dz) {
        detail::require(Dx > 0 && Dy > 0 && Dz > 0, "KroneckerLinear3: Dx, Dy and Dz must be > 0");
        detail::require(channels > 0, "KroneckerLinear3: channels must be > 0");
        W_.assign(std::size_t(channels), Mat<T>::Zero(Dy, Dx * Dz));
    }
    /// Dx, features of the x axis.
    Index dim_x() const { return dx_; }
    /// Dy, features of the y axis.
    Index dim_y() const { return W_[0].rows(); }
    /// Dz, features of the z axis.
    Index dim_z() const { return dz_; }
    /// Number of output channels.
    Index channels() const { return Index(W_.size()); }
    /// Weight tensor of channel c as Dy x (Dx * Dz) (slice e = middleCols(e * Dx, Dx)).
    Mat<T>& weight(Index c) { return W_.at(std::size_t(c)); }
    /// Weight tensor of channel c as Dy x (Dx * Dz).
    const Mat<T>& weight(Index c) const { return W_.at(std::size_t(c)); }

    /// Prediction on a grid, per channel an Ny x (Nx * Nz) tensor (frame k = middleCols(k * Nx, Nx)).
    std::vector<Mat<T>> predict_grid(ConstMatRef<T> Px, ConstMatRef<T> Py, ConstMatRef<T> Pz) const {
        check_bases(Px, Py, Pz);
        std::vector<Mat<T>> out(W_.size());
        for (std::size_t c = 0; c < W_.size(); ++c) {
            const Mat<T> a = kron3::mode2<T>(Pz.transpose(), W_[c], dx_);     // Dy x Dx x Nz
            const Mat<T> b = kron3::mode1<T>(Px.transpose(), a, dx_);         // Dy x Nx x Nz
            out[c] = kron3::mode0<T>(Py.transpose(), b);                      // Ny x Nx x Nz
        }
        return out;
    }

    /// Prediction at scattered points from their axis codes (px: Dx x N, py: Dy x N, pz: Dz x N).
    Mat<T> predict_points(ConstMatRef<T> px, ConstMatRef<T> py, ConstMatRef<T> pz) const {
        check_bases(px, py, pz);
        detail::require(px.cols() == py.cols() && px.cols() == pz.cols(),
                        "KroneckerLinear3: px, py and pz must have the same number of points");
        const Index N = px.cols();
        Mat<T> out(channels(), N);
        for (std::size_t c = 0; c < W_.size(); ++c) {
            const Mat<T> V = py.transpose() * W_[c];  // N x (Dx Dz): row n = py_n^T W
            for (Index n = 0; n < N; ++n) {
                T acc = 0;
                for (Index e = 0; e < dz_; ++e)
                    acc += pz(e, n) * V.row(n).segment(e * dx_, dx_).dot(px.col(n).transpose());
                out(Index(c), n) = acc;
            }
        }
        return out;
    }

private:
    void check_bases(ConstMatRef<T> Px, ConstMatRef<T> Py, ConstMatRef<T> Pz) const {
        detail::require(Px.rows() == dim_x(), "KroneckerLinear3: Px must have Dx = ", dim_x(),
                                                   " rows (got ", Px.rows(), ")");
        detail::require(Py.rows() == dim_y(), "KroneckerLinear3: Py must have Dy = ", dim_y(),
                                                   " rows (got ", Py.rows(), ")");
        detail::require(Pz.rows() == dim_z(), "KroneckerLinear3: Pz must have Dz = ", dim_z(),
                                                   " rows (got ", Pz.rows(), ")");
    }
    Index dx_ = 0, dz_ = 0;
    std::vector<Mat<T>> W_;
};

/// Separable ridge closed form on a three-axis grid (video / volume), per channel:
///
///     W_c = Y_c x_y (Gy^-1 Py) x_x (Gx^-1 Px) x_z (Gz^-1 Pz),   G_a = P_a P_a^T + lambda I,
///
/// with Y_c the Ny x Nx x Nz target tensor stored as Ny x (Nx * Nz) (frame k = middleCols(k * Nx, Nx)).
/// This is w = (Gz (x) Gx (x) Gy)^-1 (Pz (x) Px (x) Py) y on the Dx Dy Dz dense features: with lambda = 0
/// the least-squares fit, with lambda > 0 the ridge whose penalty is the Kronecker product of the
/// per-axis ridges (as in 2D). Cost: three D x D Cholesky factorisations shared by all channels (fewer
/// when axes share codes) plus mode products; never the D^3 features. Computed in double.
template <class T>
KroneckerLinear3<T> fit_kronecker_ridge_3d(ConstMatRef<T> Px, ConstMatRef<T> Py, ConstMatRef<T> Pz,
                                           const std::vector<Mat<T>>& Y, double lambda) {
    const char* who = "fit_kronecker_ridge_3d";
    detail::require(std::isfinite(lambda) && lambda >= 0,
                    who, ": lambda must be finite and >= 0 (got ", lambda, ")");
    detail::require(!Y.empty(), who, ": Y needs at least one channel");
    detail::require(Px.size() > 0 && Py.size() > 0 && Pz.size() > 0, who, ": empty basis");
    detail::require(Px.allFinite() && Py.allFinite() && Pz.allFinite(), who, ": bases must be finite");
    const Index Nx = Px.cols(), Ny = Py.cols(), Nz = Pz.cols();
    for (const auto& y : Y) {
        detail::require(y.rows() == Ny && y.cols() == Nx * Nz,
                        who, ": each target must be Ny x (Nx * Nz) = ", Ny, " x ",
                            Nx * Nz, " (got ", y.rows(), " x ",
                            y.cols(), ")");
        detail::require(y.allFinite(), who, ": targets must be finite");
    }
    const Mat<double> px = Px.template cast<double>(), py = Py.template cast<double>(), pz = Pz.template cast<double>();
    auto same = [](const Mat<double>& a, const Mat<double>& b) {
        return a.rows() == b.rows() && a.cols() == b.cols() && a == b;
    };
    const Eigen::LLT<Mat<double>> fx = detail::kron_axis_factor(px, lambda, who, "x");
    const Eigen::LLT<Mat<double>> fy = same(py, px) ? fx : detail::kron_axis_factor(py, lambda, who, "y");
    const Eigen::LLT<Mat<double>> fz =
        same(pz, px) ? fx : (same(pz, py) ? fy : detail::kron_axis_factor(pz, lambda, who, "z"));
    const Index Dx = px.rows(), Dy = py.rows(), Dz = pz.rows();

    KroneckerLinear3<T> model(Dx, Dy, Dz, Index(Y.size()));
    for (std::size_t c = 0; c < Y.size(); ++c) {
        // R = Y x_y Py x_x Px x_z Pz (Dy x Dx x Dz): each mode product shrinks one axis from N to D.
        Mat<double> R = kron3::mode0<double>(py, Y[c].template cast<double>());  // Dy x Nx x Nz
        R = kron3::mode1<double>(px, R, Nx);                                     // Dy x Dx x Nz
        R = kron3::mode2<double>(pz, R, Dx);                                     // Dy x Dx x Dz
        R = fy.solve(R);                                                         // x_y Gy^-1
        for (Index e = 0; e < Dz; ++e)                                           // x_x Gx^-1
            R.middleCols(e * Dx, Dx) = fx.solve(R.middleCols(e * Dx, Dx).transpose()).transpose();
        {                                                                        // x_z Gz^-1
            Eigen::Map<Mat<double>> Rf(R.data(), Dy * Dx, Dz);
            const Mat<double> t = fz.solve(Rf.transpose()).transpose();
            Rf = t;
        }
        model.weight(Index(c)) = R.template cast<T>();
    }
    return model;
}

}  // namespace posenc

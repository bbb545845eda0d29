// posenc/nn/solvers/kronecker2d.hpp — depth-0 model on a 2D Kronecker encoding: Y = Py^T W Px per
// channel, its separable closed form and separable gradient, on grids, without forming the Dx*Dy
// features (three axes: kronecker3d.hpp).
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include <Eigen/Cholesky>

#include "posenc/core/checks.hpp"
#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/windows.hpp"
#include "posenc/core/param.hpp"

namespace posenc {

/// A linear model without bias on the Kronecker encoding Psi_y(y) (x) Psi_x(x) (encoding/kronecker.hpp):
/// one Dy x Dx weight matrix per output channel, prediction at (x, y): Psi_y(y)^T W_c Psi_x(x).
///
/// Grid form (points as columns): with Px = Psi_x(grid x) (Dx x Nx) and Py = Psi_y(grid y) (Dy x Ny),
/// channel c of the whole Ny x Nx grid is Py^T W_c Px: two small GEMMs, never the Dx*Dy features.
/// Grids are Ny x Nx matrices (row = y index, column = x index), one per channel.
template <class T>
class KroneckerLinear {
public:
    /// `channels` zero weight matrices of Dy x Dx.
    KroneckerLinear(Index Dx, Index Dy, Index channels) {
        detail::require(Dx > 0 && Dy > 0, "KroneckerLinear: Dx and Dy must be > 0");
        detail::require(channels > 0, "KroneckerLinear: channels must be > 0");
        W_.assign(std::size_t(channels), Mat<T>::Zero(Dy, Dx));
        dW_.assign(std::size_t(channels), Mat<T>::Zero(Dy, Dx));
    }
    /// Dx, features of the x axis.
    Index dim_x() const { return W_[0].cols(); }
    /// Dy, features of the y axis.
    Index dim_y() const { return W_[0].rows(); }
    /// Number of output channels.
    Index channels() const { return Index(W_.size()); }
    /// Weight matrix of channel c (Dy x Dx).
    Mat<T>& weight(Index c) { return W_.at(std::size_t(c)); }
    /// Weight matrix of channel c (Dy x Dx).
    const Mat<T>& weight(Index c) const { return W_.at(std::size_t(c)); }
    /// Gradient of channel c's weights from the last backward_grid().
    const Mat<T>& weight_grad(Index c) const { return dW_.at(std::size_t(c)); }

    /// Prediction on a grid: channel c -> Py^T W_c Px (Ny x Nx).
    std::vector<Mat<T>> predict_grid(ConstMatRef<T> Px, ConstMatRef<T> Py) const {
        check_bases(Px, Py);
        std::vector<Mat<T>> out(W_.size());
        for (std::size_t c = 0; c < W_.size(); ++c) out[c].noalias() = Py.transpose() * (W_[c] * Px);
        return out;
    }

    /// Prediction at scattered points from their axis codes (px: Dx x N, py: Dy x N):
    /// out(c, n) = py(:, n)^T W_c px(:, n).
    Mat<T> predict_points(ConstMatRef<T> px, ConstMatRef<T> py) const {
        check_bases(px, py);
        detail::require(px.cols() == py.cols(), "KroneckerLinear: px and py must have the same number of points");
        Mat<T> out(channels(), px.cols());
        for (std::size_t c = 0; c < W_.size(); ++c) {
            const Mat<T> WP = W_[c] * px;  // Dy x N
            out.row(Index(c)) = (py.array() * WP.array()).colwise().sum();
        }
        return out;
    }

    /// Separable gradient: given dL/dY_c on the grid (Ny x Nx per channel), dW_c = Py dY_c Px^T.
    void backward_grid(ConstMatRef<T> Px, ConstMatRef<T> Py, const std::vector<Mat<T>>& dY) {
        check_bases(Px, Py);
        detail::require(dY.size() == W_.size(), "KroneckerLinear: dY must have one grid per channel");
        for (std::size_t c = 0; c < W_.size(); ++c) {
            detail::require(dY[c].rows() == Py.cols() && dY[c].cols() == Px.cols(),
                            "KroneckerLinear: dY grid must be Ny x Nx");
            dW_[c].noalias() = (Py * dY[c]) * Px.transpose();
        }
    }

    /// Gradient at scattered points from their axis codes (px: Dx x N, py: Dy x N) and dY = dL/dout
    /// (channels x N): dW_c = sum_n dY(c, n) py(:, n) px(:, n)^T = (py diag(dY_c)) px^T. Overwrites weight_grad.
    void backward_points(ConstMatRef<T> px, ConstMatRef<T> py, ConstMatRef<T> dY) {
        check_bases(px, py);
        detail::require(px.cols() == py.cols(), "KroneckerLinear: px and py must have the same number of points");
        detail::check_shape(dY, channels(), px.cols(), "KroneckerLinear::backward_points", "dY");
        for (std::size_t c = 0; c < W_.size(); ++c)
            dW_[c].noalias() = (py.array().rowwise() * dY.row(Index(c)).array()).matrix() * px.transpose();
    }

    /// Prediction at scattered points from the axes' compact-support windows (wx of the x codes,
    /// wy of the y codes, same N): out(c, n) = sum_{k, l} wy.weight(l, n) W_c(wy.index(l, n), wx.index(k, n))
    /// wx.weight(k, n), i.e. only the Ky x Kx block of W that the point touches (O(Kx Ky) per point and
    /// channel instead of O(Dx Dy)). Equals predict_points on the dense codes up to the profile tolerance.
    Mat<T> predict_windows(const Windows<T>& wx, const Windows<T>& wy) const {
        check_windows(wx, wy);
        const Index N = wx.cols(), Kx = wx.index.rows(), Ky = wy.index.rows();
        Mat<T> out(channels(), N);
        for (std::size_t c = 0; c < W_.size(); ++c) {
            const Mat<T>& W = W_[c];
            for (Index n = 0; n < N; ++n) {
                T acc = 0;
                for (Index k = 0; k < Kx; ++k) {
                    const T* col = W.data() + Index(wx.index(k, n)) * W.rows();
                    T s = 0;
                    for (Index l = 0; l < Ky; ++l) s += wy.weight(l, n) * col[wy.index(l, n)];
                    acc += wx.weight(k, n) * s;
                }
                out(Index(c), n) = acc;
            }
        }
        return out;
    }

    /// Sparse gradient at scattered points from the axes' windows: dW_c is zeroed, then every point adds
    /// dY(c, n) wy.weight(l, n) wx.weight(k, n) to entry (wy.index(l, n), wx.index(k, n)). Overwrites
    /// weight_grad; points are accumulated in order (deterministic).
    void backward_windows(const Windows<T>& wx, const Windows<T>& wy, ConstMatRef<T> dY) {
        check_windows(wx, wy);
        const Index N = wx.cols(), Kx = wx.index.rows(), Ky = wy.index.rows();
        detail::check_shape(dY, channels(), N, "KroneckerLinear::backward_windows", "dY");
        for (std::size_t c = 0; c < W_.size(); ++c) {
            Mat<T>& G = dW_[c];
            G.setZero();
            for (Index n = 0; n < N; ++n) {
                const T g = dY(Index(c), n);
                if (g == T(0)) continue;
                for (Index k = 0; k < Kx; ++k) {
                    T* col = G.data() + Index(wx.index(k, n)) * G.rows();
                    const T gk = g * wx.weight(k, n);
                    for (Index l = 0; l < Ky; ++l) col[wy.index(l, n)] += gk * wy.weight(l, n);
                }
            }
        }
    }

    /// The weights as optimizer parameters ("kron.weight<c>").
    std::vector<Param<T>> parameters() {
        std::vector<Param<T>> ps;
        for (std::size_t c = 0; c < W_.size(); ++c)
            ps.push_back(make_param<T>("kron.weight" + std::to_string(c), W_[c], dW_[c]));
        return ps;
    }

private:
    void check_bases(ConstMatRef<T> Px, ConstMatRef<T> Py) const {
        detail::require(Px.rows() == dim_x(), "KroneckerLinear: Px must have Dx = ", dim_x(),
                                                   " rows (got ", Px.rows(), ")");
        detail::require(Py.rows() == dim_y(), "KroneckerLinear: Py must have Dy = ", dim_y(),
                                                   " rows (got ", Py.rows(), ")");
    }
    void check_windows(const Windows<T>& wx, const Windows<T>& wy) const {
        detail::require(wx.index.rows() > 0 && wx.index.rows() == wx.weight.rows() && wx.index.cols() == wx.weight.cols(),
                        "KroneckerLinear: wx must be a non-empty K x N window (index and weight of the same shape)");
        detail::require(wy.index.rows() > 0 && wy.index.rows() == wy.weight.rows() && wy.index.cols() == wy.weight.cols(),
                        "KroneckerLinear: wy must be a non-empty K x N window (index and weight of the same shape)");
        detail::require(wx.cols() == wy.cols(), "KroneckerLinear: wx and wy must have the same number of points");
        detail::require(wx.index.size() == 0 || (wx.index.minCoeff() >= 0 && wx.index.maxCoeff() < dim_x()),
                        "KroneckerLinear: wx indices must be in [0, Dx)");
        detail::require(wy.index.size() == 0 || (wy.index.minCoeff() >= 0 && wy.index.maxCoeff() < dim_y()),
                        "KroneckerLinear: wy indices must be in [0, Dy)");
    }
    std::vector<Mat<T>> W_, dW_;
};

namespace detail {
/// Cholesky factor of P P^T + lambda I (P: D x N axis codes, in double); throws posenc::Error naming
/// `who` and the axis when it is not positive definite. (A template, MatD = Mat<double>, so that only a
/// translation unit that fits instantiates Eigen's LLT: docs/development.md.)
template <class MatD>
Eigen::LLT<Mat<double>> kron_axis_factor(const MatD& P, double lambda, const char* who, const char* axis) {
    Mat<double> G(P.rows(), P.rows());
    G.setZero();
    G.template selfadjointView<Eigen::Lower>().rankUpdate(P);
    G.diagonal().array() += lambda;
    Eigen::LLT<Mat<double>> llt(G.template selfadjointView<Eigen::Lower>());
    if (llt.info() != Eigen::Success)
        detail::fail(who, ": the ", axis, " Gram matrix + lambda I is not positive definite; increase lambda");
    return llt;
}
}  // namespace detail

/// Separable ridge closed form (ECCV'22, protocol D) on a training grid, per channel:
///
///     W_c = (Py Py^T + lambda I)^-1 Py Y_c Px^T (Px Px^T + lambda I)^-1
///
/// with Px (Dx x Nx) and Py (Dy x Ny) the axis codes of the grid's columns and rows and Y_c its Ny x Nx
/// targets. It minimises ||Py^T W Px - Y||^2 + lambda (||W Px||^2 + ||Py^T W||^2) + lambda^2 ||W||^2, the
/// ridge problem whose penalty is the Kronecker product of the per-axis ridges. Cost: two D x D Cholesky
/// factorisations and solves M = (P P^T + lambda I)^-1 P shared by every channel (one when Px and Py are
/// the same matrix), then W_c = My Y_c Mx^T, two GEMMs per channel: no Dx*Dy features. Computed in
/// double; lambda > 0 (or full-rank axes with lambda = 0).
template <class T>
KroneckerLinear<T> fit_kronecker_ridge(ConstMatRef<T> Px, ConstMatRef<T> Py, const std::vector<Mat<T>>& Y,
                                       double lambda) {
    detail::require(std::isfinite(lambda) && lambda >= 0,
                    "fit_kronecker_ridge: lambda must be finite and >= 0 (got ", lambda, ")");
    detail::require(!Y.empty(), "fit_kronecker_ridge: Y needs at least one channel");
    detail::require(Px.size() > 0 && Py.size() > 0, "fit_kronecker_ridge: empty basis");
    detail::require(Px.allFinite() && Py.allFinite(), "fit_kronecker_ridge: bases must be finite");
    for (const auto& y : Y) {
        detail::require(y.rows() == Py.cols() && y.cols() == Px.cols(),
                        "fit_kronecker_ridge: each target grid must be Ny x Nx = ", Py.cols(), " x ",
                            Px.cols(), " (got ", y.rows(), " x ",
                            y.cols(), ")");
        detail::require(y.allFinite(), "fit_kronecker_ridge: targets must be finite");
    }
    const Mat<double> px = Px.template cast<double>(), py = Py.template cast<double>();
    auto factor = [&](const Mat<double>& P, const char* axis) {
        return detail::kron_axis_factor(P, lambda, "fit_kronecker_ridge", axis);
    };
    const bool same = Px.rows() == Py.rows() && Px.cols() == Py.cols() && px == py;
    const Eigen::LLT<Mat<double>> fx = factor(px, "x");
    const Eigen::LLT<Mat<double>> fy = same ? fx : factor(py, "y");

    // W_c = My Y_c Mx^T with M = (P P^T + lambda I)^-1 P (D x N), solved once for every channel.
    const Mat<double> mx = fx.solve(px);
    const Mat<double> my_own = same ? Mat<double>() : Mat<double>(fy.solve(py));
    const Mat<double>& my = same ? mx : my_own;
    KroneckerLinear<T> model(Px.rows(), Py.rows(), Index(Y.size()));
    for (std::size_t c = 0; c < Y.size(); ++c) {
        const Mat<double> MY = my * Y[c].template cast<double>();  // Dy x Nx
        Mat<double> R(my.rows(), mx.rows());
        R.noalias() = MY * mx.transpose();                          // Dy x Dx
        model.weight(Index(c)) = R.template cast<T>();
    }
    return model;
}

}  // namespace posenc

// posenc/nn/first_layer/kron_grid.hpp — the first layer of a deep MLP on a Kronecker-encoded grid (ECCV'22
// "Kron-MLP"): pre-activations Py^T W_k Px per hidden unit, forward and backward, never forming the
// Dx*Dy features; and KronMlp, that layer followed by a posenc::Mlp.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "posenc/core/checks.hpp"
#include "posenc/core/error.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/random.hpp"
#include "posenc/core/types.hpp"
#include "posenc/nn/layers/dense.hpp"
#include "posenc/nn/first_layer/dense_codes.hpp"
#include "posenc/nn/mlp.hpp"
#include "posenc/core/param.hpp"

namespace posenc {

/// Layout shared by every function here. The grid has Nx columns at x codes Px (Dx x Nx) and Ny rows at
/// y codes Py (Dy x Ny); grid point (row i, column j) is batch column n = i + j * Ny (the column-major
/// vec of an Ny x Nx image, as KroneckerLinear::predict_grid returns it). The dense layer on the
/// Kronecker features (encoding/kronecker.hpp, feature a + b * Dy = Psi_y[a] Psi_x[b]) has weights
/// W (H x Dx*Dy); hidden unit k's weights form the Dy x Dx matrix W_k(a, b) = W(k, a + b * Dy), and its
/// pre-activation over the grid is the Ny x Nx matrix Py^T W_k Px.
///
/// kron_grid_product computes Z = W F (H x Ny*Nx, F the Dx*Dy x Ny*Nx Kronecker features) as
/// C = W' Px with W' the same memory viewed as (H Dy) x Dx, then for each grid column j one
/// H x Dy by Dy x Ny product: O(H Dy Dx Nx + H Dy Ny Nx) instead of O(H Dx Dy Nx Ny).
template <class T>
void kron_grid_product(ConstMatRef<T> W, ConstMatRef<T> Px, ConstMatRef<T> Py, MatRef<T> Z) {
    const Index Dx = Px.rows(), Dy = Py.rows(), Nx = Px.cols(), Ny = Py.cols(), H = W.rows();
    detail::require(W.cols() == Dx * Dy, "kron_grid_product: W must have Dx * Dy = ", Dx * Dy,
                                             " columns (got ", W.cols(), ")");
    detail::check_shape(Z, H, Nx * Ny, "kron_grid_product", "Z");
    // W as (H Dy) x Dx: entry (k + H a, b) = W(k, a + b Dy) (needs W contiguous)
    const Mat<T> Wc = W.outerStride() == H ? Mat<T>() : Mat<T>(W);
    const T* wdata = W.outerStride() == H ? W.data() : Wc.data();
    const Eigen::Map<const Mat<T>> Wm(wdata, H * Dy, Dx);
    const Mat<T> C = Wm * Px;  // (H Dy) x Nx; column j reshaped H x Dy is M_j = sum_b W_.b Px(b, j)
    [[maybe_unused]] const bool par = Nx > 1 && H * Dy * Ny * Nx >= (Index(1) << 16);
    POSENC_OMP(parallel for schedule(static) if(par))
    for (Index j = 0; j < Nx; ++j) {
        const Eigen::Map<const Mat<T>> Mj(C.data() + j * H * Dy, H, Dy);
        Z.middleCols(j * Ny, Ny).noalias() = Mj * Py;
    }
}

/// Weight gradient of kron_grid_product: given dZ = dL/dZ (H x Ny*Nx), overwrites
/// dW (H x Dx*Dy) = dZ F^T, i.e. dW_k = Py dZ_k Px^T per hidden unit (dZ_k = row k of dZ as an Ny x Nx
/// grid), as E = [vec(dZ_j Py^T)]_j ((H Dy) x Nx, dZ_j the H x Ny block of grid column j) and
/// dW' = E Px^T. Deterministic (no reductions across threads).
template <class T>
void kron_grid_weight_grad(ConstMatRef<T> dZ, ConstMatRef<T> Px, ConstMatRef<T> Py, MatRef<T> dW) {
    const Index Dx = Px.rows(), Dy = Py.rows(), Nx = Px.cols(), Ny = Py.cols(), H = dZ.rows();
    detail::check_shape(dZ, H, Nx * Ny, "kron_grid_weight_grad", "dZ");
    detail::check_shape(dW, H, Dx * Dy, "kron_grid_weight_grad", "dW");
    Mat<T> E(H * Dy, Nx);
    [[maybe_unused]] const bool par = Nx > 1 && H * Dy * Ny * Nx >= (Index(1) << 16);
    POSENC_OMP(parallel for schedule(static) if(par))
    for (Index j = 0; j < Nx; ++j) {
        Eigen::Map<Mat<T>> Ej(E.data() + j * H * Dy, H, Dy);
        Ej.noalias() = dZ.middleCols(j * Ny, Ny) * Py.transpose();
    }
    if (dW.outerStride() == H) {
        Eigen::Map<Mat<T>>(dW.data(), H * Dy, Dx).noalias() = E * Px.transpose();
    } else {
        Mat<T> tmp(H, Dx * Dy);
        Eigen::Map<Mat<T>>(tmp.data(), H * Dy, Dx).noalias() = E * Px.transpose();
        dW = tmp;
    }
}

/// The Kron-MLP first layer as a FirstLayerInput (nn/first_layer/dense_codes.hpp): the Dx*Dy Kronecker features
/// of the grid of Px (Dx x Nx) and Py (Dy x Ny), never formed; product = kron_grid_product, weight
/// gradient = kron_grid_weight_grad + row sums. Views Px and Py: keep them alive while it is used.
template <class T>
class KronGrid {
public:
    /// Views the axis codes of the grid.
    KronGrid(ConstMatRef<T> Px, ConstMatRef<T> Py) : px_(Px), py_(Py) {}
    /// Dx * Dy, the Kronecker feature count.
    Index dim() const { return px_.rows() * py_.rows(); }
    /// Nx * Ny, grid points (column i + j * Ny).
    Index cols() const { return px_.cols() * py_.cols(); }
    /// P = W F (no bias), F the Kronecker features.
    void product(const Mat<T>& W, MatRef<T> P) const { kron_grid_product<T>(W, px_, py_, P); }
    /// dW = dZ F^T (resized), db = row sums of dZ.
    void weight_grad(ConstMatRef<T> dZ, Mat<T>& dW, Vec<T>& db) const {
        dW.resize(dZ.rows(), dim());
        kron_grid_weight_grad<T>(dZ, px_, py_, dW);
        detail::row_sums<T>(dZ, db);
    }

private:
    ConstMatRef<T> px_, py_;
};

/// A standalone Kron-MLP first layer: Z = W F + b on the Kronecker features F of a grid (see
/// kron_grid_product for the layout), H hidden units, without ever forming F. Weights are stored exactly
/// like a Dense<T> layer on the Dx*Dy Kronecker features (W: H x Dx*Dy, feature a + b * Dy), so
/// `dense()` gives that equivalent layer. No activation: apply it to the returned pre-activations.
template <class T>
class KronFirstLayer {
public:
    /// H = `hidden` units on Dx x Dy Kronecker features; zero weights (see init_pytorch).
    KronFirstLayer(Index Dx, Index Dy, Index hidden) : dx_(Dx), dy_(Dy) {
        detail::require(Dx > 0 && Dy > 0, "KronFirstLayer: Dx and Dy must be > 0");
        detail::require(hidden > 0, "KronFirstLayer: hidden must be > 0 (got ", hidden, ")");
        layer_ = Dense<T>(Dx * Dy, hidden);
    }
    /// Dx, features of the x axis.
    Index dim_x() const { return dx_; }
    /// Dy, features of the y axis.
    Index dim_y() const { return dy_; }
    /// H, hidden units.
    Index hidden() const { return layer_.out_dim(); }
    /// The equivalent dense layer on the Kronecker features (W, b and their gradients).
    Dense<T>& dense() { return layer_; }
    /// The equivalent dense layer on the Kronecker features.
    const Dense<T>& dense() const { return layer_; }
    /// nn.Linear default on the Dx*Dy fan-in (same draws as Dense::init_pytorch).
    void init_pytorch(Rng& rng) { layer_.init_pytorch(rng); }

    /// Pre-activations Z (H x Ny*Nx, column i + j * Ny) = W F + b on the grid of Px (Dx x Nx) and Py (Dy x Ny).
    Mat<T> forward(ConstMatRef<T> Px, ConstMatRef<T> Py) const {
        check_bases(Px, Py);
        Mat<T> Z(hidden(), Px.cols() * Py.cols());
        kron_grid_product<T>(layer_.W, Px, Py, Z);
        Z.colwise() += layer_.b;
        return Z;
    }
    /// Given dZ = dL/dZ (H x Ny*Nx): overwrites dW = dZ F^T (dW_k = Py dZ_k Px^T) and db = sum_n dZ(:, n).
    void backward(ConstMatRef<T> dZ, ConstMatRef<T> Px, ConstMatRef<T> Py) {
        check_bases(Px, Py);
        kron_grid_weight_grad<T>(dZ, Px, Py, layer_.dW);
        detail::row_sums<T>(dZ, layer_.db);
    }
    /// Views of W and b with their gradients, "<prefix>weight" and "<prefix>bias".
    std::vector<Param<T>> parameters(const std::string& prefix = "kron0.") { return layer_.parameters(prefix); }

private:
    void check_bases(ConstMatRef<T> Px, ConstMatRef<T> Py) const {
        detail::require(Px.rows() == dx_, "KronFirstLayer: Px must have Dx = ", dx_, " rows (got ",
                                              Px.rows(), ")");
        detail::require(Py.rows() == dy_, "KronFirstLayer: Py must have Dy = ", dy_, " rows (got ",
                                              Py.rows(), ")");
    }
    Index dx_, dy_;
    Dense<T> layer_;
};

/// Kron-MLP: an Mlp whose input is the Dx*Dy Kronecker encoding of a grid, with its first layer
/// computed by kron_grid_product / kron_grid_weight_grad (so the D^2 features are never formed). It is
/// exactly the Mlp on explicit Kronecker features (same weights, same outputs, same gradients); the
/// Mlp's layer 0 holds the H x Dx*Dy weights. Outputs are C x Ny*Nx, column i + j * Ny.
template <class T>
class KronMlp {
public:
    /// cfg.input_dim is overwritten with Dx * Dy; cfg.depth >= 1 gives the paper's deep Kron-MLP
    /// (depth 0 is a single linear layer with bias and output activation on the Kronecker features).
    KronMlp(Index Dx, Index Dy, MlpConfig cfg) : dx_(Dx), dy_(Dy) {
        detail::require(Dx > 0 && Dy > 0, "KronMlp: Dx and Dy must be > 0");
        cfg.input_dim = Dx * Dy;
        mlp_ = Mlp<T>(cfg);
    }
    /// The network (layer 0 = the Kronecker first layer's weights).
    Mlp<T>& mlp() { return mlp_; }
    /// The network.
    const Mlp<T>& mlp() const { return mlp_; }
    /// Views of all weights and biases with their gradients (the Mlp's names).
    std::vector<Param<T>> parameters() { return mlp_.parameters(); }

    /// The context of one pass (the Mlp's Workspace), owned by the caller.
    using Workspace = typename Mlp<T>::Workspace;

    /// Training forward pass on the grid of Px (Dx x Nx), Py (Dy x Ny) into the caller's workspace;
    /// returns C x Ny*Nx (inside ws). Pass the same grid and ws to backward.
    const Mat<T>& forward(Workspace& ws, ConstMatRef<T> Px, ConstMatRef<T> Py) const {
        check_bases(Px, Py);
        return mlp_.forward(ws, KronGrid<T>(Px, Py));
    }
    /// Back-propagates dY = dL/dY (C x Ny*Nx) through the pass in ws on the same grid: overwrites every
    /// weight and bias gradient.
    void backward(Workspace& ws, ConstMatRef<T> Px, ConstMatRef<T> Py, ConstMatRef<T> dY) {
        check_bases(Px, Py);
        mlp_.backward(ws, KronGrid<T>(Px, Py), dY);
    }
    /// Deprecated (2026-12-02, docs/migration.md): forward(ws, Px, Py) with a caller-owned Workspace.
    /// Training forward pass in the KronMlp's own workspace.
    [[deprecated("use forward(workspace, Px, Py) (docs/migration.md)")]] const Mat<T>& forward(ConstMatRef<T> Px,
                                                                                            ConstMatRef<T> Py) {
        return forward(ws_, Px, Py);
    }
    /// Deprecated (2026-12-02, docs/migration.md): backward(ws, Px, Py, dY). Back-propagates dY of the
    /// last forward(Px, Py) on the same grid.
    [[deprecated("use backward(workspace, Px, Py, dY) (docs/migration.md)")]] void backward(ConstMatRef<T> Px,
                                                                                         ConstMatRef<T> Py,
                                                                                         ConstMatRef<T> dY) {
        backward(ws_, Px, Py, dY);
    }
    /// Output on a grid (const, keeps no state).
    Mat<T> predict(ConstMatRef<T> Px, ConstMatRef<T> Py) const {
        Workspace ws;
        return forward(ws, Px, Py);
    }

private:
    void check_bases(ConstMatRef<T> Px, ConstMatRef<T> Py) const {
        detail::require(Px.rows() == dx_, "KronMlp: Px must have Dx = ", dx_, " rows (got ",
                                              Px.rows(), ")");
        detail::require(Py.rows() == dy_, "KronMlp: Py must have Dy = ", dy_, " rows (got ",
                                              Py.rows(), ")");
    }
    Index dx_, dy_;
    Mlp<T> mlp_;
    Workspace ws_;  // only the deprecated forward(Px, Py) / backward(Px, Py, dY) use it
};

}  // namespace posenc

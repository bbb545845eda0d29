// posenc/encoding/kronecker.hpp — Kronecker ("complex") encoding Psi(x, y) = Psi_y(y) (x) Psi_x(x) of two 1D encoders.
#pragma once
#include <string>
#include <utility>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/scaling.hpp"

namespace posenc {

/// The Kronecker encoding of the ECCV'22 follow-up ("Trading Positional Complexity vs Deepness"):
/// for a point p = (x, y), the code is every product of an x-feature and a y-feature,
///
///     Psi(x, y)[a + b * Dy] = Psi_y(y)[a] * Psi_x(x)[b],     a < Dy, b < Dx,
///
/// i.e. vec(Psi_y(y) Psi_x(x)^T) in column-major order. A linear map on it is a Dy x Dx matrix W with
/// prediction Psi_y(y)^T W Psi_x(x), so a depth-0 model never needs the Dx*Dy features: see
/// nn/solvers/kronecker2d.hpp. Its stable rank is the product of the axes' stable ranks (on a grid the
/// embedding matrix is the Kronecker product of the axes' embedding matrices, whose singular values are
/// the pairwise products). This dense Encoder form materialises Dx*Dy rows per point and is meant
/// for small D, analysis and tests. encode() throws posenc::Error when a product of two (finite) axis
/// features overflows the scalar type.
template <Encoder EX, Encoder EY = EX>
class Kronecker {
public:
    using Scalar = typename EX::Scalar;  ///< scalar type of codes
    static_assert(std::is_same_v<Scalar, typename EY::Scalar>, "Kronecker: both axes need the same scalar type");

    /// Combines the x-axis encoder `ex` and the y-axis encoder `ey` (both 1D).
    Kronecker(EX ex, EY ey) : ex_(std::move(ex)), ey_(std::move(ey)) {
        detail::require(ex_.input_dim() == 1 && ey_.input_dim() == 1,
                        "Kronecker: both axis encoders must take one coordinate");
    }
    /// 2: (x, y), x in row 0 and y in row 1.
    Index input_dim() const { return 2; }
    /// Dx * Dy.
    Index output_dim() const { return ex_.output_dim() * ey_.output_dim(); }
    /// The x-axis encoder.
    const EX& axis_x() const { return ex_; }
    /// The y-axis encoder.
    const EY& axis_y() const { return ey_; }

    /// out (Dx*Dy x N) = Psi_y(y) (x) Psi_x(x) per point, feature a + b*Dy = Psi_y[a] Psi_x[b].
    void encode(ConstMatRef<Scalar> X, MatRef<Scalar> out) const {
        detail::check_points<Scalar>(X, 2, "Kronecker");
        detail::check_shape(out, output_dim(), X.cols(), "Kronecker", "out");
        const Mat<Scalar> px = posenc::encode(ex_, X.row(0)), py = posenc::encode(ey_, X.row(1));
        const Index Dy = py.rows();
        for (Index n = 0; n < X.cols(); ++n)
            for (Index b = 0; b < px.rows(); ++b) out.col(n).segment(b * Dy, Dy) = px(b, n) * py.col(n);
        // Two finite codes can still have a product beyond the largest T (e.g. 1e20 * 1e20 in float).
        for (Index n = 0; n < X.cols(); ++n)
            if (!out.col(n).allFinite())
                detail::fail("Kronecker: the product of the axes' codes of column ", n, " overflows ",
                            detail::scalar_name<Scalar>(), " (coordinates or codes too large)");
    }

    /// Vector-Jacobian product: with G_n = dY(:, n) seen as a Dy x Dx matrix,
    /// dx = Psi_x'(x)^T (G_n^T Psi_y(y)) and dy = Psi_y'(y)^T (G_n Psi_x(x)), via the axes' backward.
    void backward(ConstMatRef<Scalar> X, ConstMatRef<Scalar> dY, MatRef<Scalar> dX) const {
        detail::check_points<Scalar>(X, 2, "Kronecker");
        detail::check_shape(dY, output_dim(), X.cols(), "Kronecker", "dY");
        detail::check_shape(dX, 2, X.cols(), "Kronecker", "dX");
        const Mat<Scalar> px = posenc::encode(ex_, X.row(0)), py = posenc::encode(ey_, X.row(1));
        const Index Dx = px.rows(), Dy = py.rows(), N = X.cols();
        Mat<Scalar> gx(Dx, N), gy(Dy, N);
        for (Index n = 0; n < N; ++n) {
            const Eigen::Map<const Mat<Scalar>, 0, Eigen::OuterStride<>> G(dY.col(n).data(), Dy, Dx,
                                                                         Eigen::OuterStride<>(Dy));
            gx.col(n).noalias() = G.transpose() * py.col(n);
            gy.col(n).noalias() = G * px.col(n);
        }
        Mat<Scalar> dx(1, N), dy(1, N);
        ex_.backward(X.row(0), gx, dx);
        ey_.backward(X.row(1), gy, dy);
        dX.row(0) = dx;
        dX.row(1) = dy;
    }

private:
    EX ex_;
    EY ey_;
};

}  // namespace posenc

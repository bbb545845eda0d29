// posenc/encoding/directional.hpp — the ECCV'22 four-direction encoding of a 2D point with one 1D encoder:
// [Psi(x); Psi(y); Psi((x + y) / 2); Psi((x - y + 1) / 2)].
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/scaling.hpp"
#include "posenc/encoding/windows.hpp"

namespace posenc {

/// Four-direction per-axis encoding of 2D points ("Trading Positional Complexity vs Deepness",
/// ECCV'22, the simple 2D encoding beside the Kronecker one). With Psi a 1D encoder of D outputs and
/// p = (x, y):
///
///     code(p) = s [ Psi(u_0); Psi(u_1); Psi(u_2); Psi(u_3) ],
///     u_0 = x,  u_1 = y,  u_2 = (x + y) / 2,  u_3 = (x - y + 1) / 2,
///
/// i.e. the 1D basis laid along the two axes and the two diagonals (each u stays in [0, 1] for p in
/// the unit square). Block b starts at row b * D. s = 1 for Scaling::None; for
/// Scaling::UnitNormAtCenter it is fixed at construction so the code of (0.5, 0.5) has unit norm
/// (all four u are 0.5 there, so s = 1 / (2 ||Psi(0.5)||)). A linear layer on it sees 4 D features
/// instead of the 2 D of PerAxis, and can represent ridges along the diagonals too. The constructor
/// throws posenc::Error when s does not fit the scalar type (Psi(0.5) underflows it, see
/// detail::unit_norm_scale); encode() and windows() throw when s > 1 makes a code overflow (possible
/// only for coordinates far outside the unit square).
///
/// When E is a WindowedEncoder with window_width() K > 0, so is Directional: 4 K slots per point, the
/// four blocks' windows one after the other with indices offset by b * D and weights multiplied by s.
template <Encoder E>
class Directional {
public:
    using Scalar = typename E::Scalar;  ///< scalar type of inputs and codes
    using T = Scalar;                   ///< shorthand

    /// Number of directions (blocks).
    static constexpr Index kBlocks = 4;

    /// Wraps the 1D encoder `axis` (input_dim must be 1; throws posenc::Error otherwise).
    explicit Directional(E axis, Scaling scaling = Scaling::UnitNormAtCenter)
        : axis_(std::move(axis)), scaling_(scaling) {
        detail::require(axis_.input_dim() == 1, "Directional: the axis encoder must have input_dim 1 (got ",
                                                    axis_.input_dim(), ")");
        detail::require(axis_.output_dim() > 0, "Directional: the axis encoder must have output_dim > 0");
        if (scaling_ == Scaling::UnitNormAtCenter) {
            // Checked to be usable in T: an axis code that underflowed at 0.5 must not be divided by.
            const Mat<T> c = Mat<T>::Constant(1, 1, T(0.5));
            const Mat<T> code = posenc::encode(axis_, c);
            detail::require(code.allFinite(), "Directional: the axis encoder gave a non-finite code at the centre 0.5");
            const double sq = double(kBlocks) * code.template cast<double>().squaredNorm();
            scale_ = detail::unit_norm_scale<T>(
                sq, "Directional", "the axis code at 0.5 is ~0: use Scaling::None, or an axis encoder wide enough "
                                   "to be non-negligible at 0.5");
        }
    }

    /// 2: (x, y), x in row 0 and y in row 1.
    Index input_dim() const { return 2; }
    /// 4 D.
    Index output_dim() const { return kBlocks * axis_.output_dim(); }
    /// The 1D encoder.
    const E& axis() const { return axis_; }
    /// First row of block b (b * D).
    Index offset(Index b) const { return b * axis_.output_dim(); }
    /// The scaling rule.
    Scaling scaling() const { return scaling_; }
    /// The constant s multiplying the whole code.
    double scale() const { return scale_; }

    /// The four coordinates u_0..u_3 of every point (4 x N): x, y, (x + y) / 2, (x - y + 1) / 2.
    Mat<T> directions(ConstMatRef<T> X) const {
        detail::check_points<T>(X, 2, "Directional");
        Mat<T> U(kBlocks, X.cols());
        U.row(0) = X.row(0);
        U.row(1) = X.row(1);
        // x/2 + y/2 and x/2 - y/2 + 1/2: the same bits as (x + y)/2 and (x - y)/2 + 1/2 (halving is exact
        // above the denormals) without overflowing for coordinates near the largest T.
        U.row(2) = T(0.5) * X.row(0) + T(0.5) * X.row(1);
        U.row(3) = ((T(0.5) * X.row(0) - T(0.5) * X.row(1)).array() + T(0.5)).matrix();
        return U;
    }

    /// out (4 D x N, pre-sized) = the codes of the columns of X (2 x N).
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        detail::check_shape(out, output_dim(), X.cols(), "Directional", "out");
        const Mat<T> U = directions(X);
        const Index D = axis_.output_dim();
        Mat<T> u(1, X.cols());
        for (Index b = 0; b < kBlocks; ++b) {
            u = U.row(b);
            auto block = out.middleRows(b * D, D);
            axis_.encode(u, block);
            if (scale_ != 1.0) {
                block *= T(scale_);
                if (may_overflow(u) && !block.allFinite()) throw_overflow(b);
            }
        }
    }

    /// Vector-Jacobian product: with g_b = s * (axis VJP of block b of dY at u_b),
    /// dX(0, n) = g_0 + (g_2 + g_3) / 2 and dX(1, n) = g_1 + (g_2 - g_3) / 2 (chain rule through u_b).
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        detail::check_shape(dY, output_dim(), X.cols(), "Directional", "dY");
        detail::check_shape(dX, 2, X.cols(), "Directional", "dX");
        const Mat<T> U = directions(X);
        const Index D = axis_.output_dim(), N = X.cols();
        Mat<T> u(1, N), g(kBlocks, N), gb(1, N);
        for (Index b = 0; b < kBlocks; ++b) {
            u = U.row(b);
            axis_.backward(u, dY.middleRows(b * D, D), gb);
            g.row(b) = gb * T(scale_);
        }
        dX.row(0) = g.row(0) + T(0.5) * (g.row(2) + g.row(3));
        dX.row(1) = g.row(1) + T(0.5) * (g.row(2) - g.row(3));
    }

    /// Slots per point: 4 K, or 0 when the axis encoder has no windows.
    Index window_width() const
        requires WindowedEncoder<E>
    {
        const Index k = axis_.window_width();
        return k > 0 ? kBlocks * k : 0;
    }

    /// Fills w (resized to 4 K x N) with the four blocks' windows; throws posenc::Error when
    /// window_width() == 0.
    void windows(ConstMatRef<T> X, Windows<T>& w) const
        requires WindowedEncoder<E>
    {
        const Index K = axis_.window_width();
        detail::require(K > 0, "Directional: the axis encoder has no compact-support windows (window_width() == 0)");
        const Mat<T> U = directions(X);
        const Index N = X.cols();
        w.resize(kBlocks * K, N);
        Mat<T> u(1, N);
        Windows<T> wb;
        for (Index b = 0; b < kBlocks; ++b) {
            u = U.row(b);
            axis_.windows(u, wb);
            detail::place_windows(w, b * K, wb, K, offset(b), T(scale_), "Directional", "the axis encoder", -1);
            if (may_overflow(u) && !w.weight.middleRows(b * K, K).allFinite()) throw_overflow(b);
        }
    }

private:
    /// Whether s * code may have overflowed for the coordinates u: only when s > 1 and a coordinate is
    /// outside [0, 1] (inside, the axis codes are bounded well below max<T> / s), so the O(D) finiteness
    /// check is skipped on the usual path.
    bool may_overflow(const Mat<T>& u) const {
        return scale_ > 1.0 && u.size() > 0 && (u.minCoeff() < T(0) || u.maxCoeff() > T(1));
    }
    /// A scale s > 1 made a code overflow T (only possible for coordinates far outside [0, 1]).
    [[noreturn]] void throw_overflow(Index b) const {
        detail::fail("Directional: block ", b, "'s code times the scale ",
                    detail::short_number(scale_), " overflows ", detail::scalar_name<T>(),
                    " (coordinates too large for this encoder)");
    }

    E axis_;
    Scaling scaling_ = Scaling::UnitNormAtCenter;
    double scale_ = 1.0;
};

}  // namespace posenc

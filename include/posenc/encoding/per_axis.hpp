// posenc/encoding/per_axis.hpp — one 1D encoder per input axis, codes stacked: [Psi_0(x_0); Psi_1(x_1); ...].
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "posenc/core/parallel.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/scaling.hpp"
#include "posenc/encoding/windows.hpp"

namespace posenc {

/// Per-axis composition of 1D encoders (the paper's 2D "Gau2" when E is a Gaussian ShiftedBasis):
///
///     code(x) = s [ Psi_0(x_0); Psi_1(x_1); ...; Psi_{d-1}(x_{d-1}) ]
///
/// Axis a's block starts at row offset(a). The constant s is 1 for Scaling::None; for
/// Scaling::UnitNormAtCenter it is chosen once, at construction, so the code of (0.5, ..., 0.5) has unit
/// norm (protocol C: build the axes unscaled and let PerAxis scale; scaling already-scaled axes also works).
/// The constructor throws posenc::Error when that constant does not fit the scalar type (the axes' codes
/// at 0.5 underflow it, see detail::unit_norm_scale); encode() and windows() throw when s > 1 makes a
/// code overflow (possible only for coordinates far outside [0, 1], e.g. an Identity axis at 1e38 in float).
///
/// When E is a WindowedEncoder, so is PerAxis: a point's window is the axes' windows one after the other
/// (K = sum of the axes' K) with indices offset into the full code and weights multiplied by s;
/// window_width() is 0 (no windows) as soon as one axis has none.
template <Encoder E>
class PerAxis {
public:
    using Scalar = typename E::Scalar;  ///< scalar type of inputs and codes
    using T = Scalar;                   ///< shorthand

    /// One encoder per axis (each must have input_dim() == 1); throws posenc::Error otherwise or when
    /// `axes` is empty.
    explicit PerAxis(std::vector<E> axes, Scaling scaling = Scaling::UnitNormAtCenter)
        : axes_(std::move(axes)), scaling_(scaling) {
        init();
    }
    /// The same 1D encoder on each of `input_dim` axes.
    PerAxis(const E& axis, Index input_dim, Scaling scaling = Scaling::UnitNormAtCenter) : scaling_(scaling) {
        detail::require(input_dim > 0, "PerAxis: input_dim must be > 0 (got ", input_dim, ")");
        axes_.assign(std::size_t(input_dim), axis);
        init();
    }

    /// Number of axes d.
    Index input_dim() const { return Index(axes_.size()); }
    /// Sum of the axes' output dimensions.
    Index output_dim() const { return offsets_.back(); }
    /// The encoder of axis a.
    const E& axis(Index a) const { return axes_.at(std::size_t(a)); }
    /// First row of axis a's block in the code (offset(d) == output_dim()).
    Index offset(Index a) const { return offsets_.at(std::size_t(a)); }
    /// The scaling rule.
    Scaling scaling() const { return scaling_; }
    /// The factory's form {"type": "per_axis", "input_dim", "scale", children: [the axis spec]} when
    /// every axis has the same non-empty spec; else an empty spec.
    EncoderSpec spec() const
        requires HasSpec<E>
    {
        EncoderSpec child = axes_.front().spec();
        if (child.type.empty()) return {};
        for (const E& a : axes_)
            if (!(a.spec() == child)) return {};
        EncoderSpec s{"per_axis", {}, {std::move(child)}};
        s.params["input_dim"] = double(axes_.size());
        s.params["scale"] = scaling_ == Scaling::UnitNormAtCenter ? 1.0 : 0.0;
        return s;
    }
    /// The constant s multiplying the whole code.
    double scale() const { return scale_; }

    /// Writes the codes of the columns of X (d x N) into out (output_dim x N). Works on chunks of
    /// columns in parallel, so the scale is applied while a chunk is still in cache.
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        detail::check_points<T>(X, input_dim(), "PerAxis");
        detail::check_shape(out, output_dim(), X.cols(), "PerAxis", "output");
        const Index N = X.cols();
        const Index chunks = (N + kChunk - 1) / kChunk;
        std::exception_ptr error;  // an axis may reject a coordinate: rethrown after the parallel loop
        POSENC_OMP(parallel for schedule(static) if(chunks > 1))
        for (Index c = 0; c < chunks; ++c) {
            try {
                const Index j0 = c * kChunk, n = std::min(kChunk, N - j0);
                Mat<T> xa(1, n);
                for (Index a = 0; a < input_dim(); ++a) {
                    xa = X.block(a, j0, 1, n);
                    auto block = out.block(offset(a), j0, offset(a + 1) - offset(a), n);
                    axes_[std::size_t(a)].encode(xa, block);
                    if (scale_ != 1.0) {
                        block *= T(scale_);
                        if (may_overflow(xa) && !block.allFinite()) throw_overflow(a);
                    }
                }
            } catch (...) {
                POSENC_OMP(critical(posenc_per_axis_error))
                if (!error) error = std::current_exception();
            }
        }
        if (error) std::rethrow_exception(error);
    }

    /// Vector-Jacobian product: dX(a, n) = s * (axis a's VJP of its block of dY)(n).
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        detail::check_points<T>(X, input_dim(), "PerAxis");
        detail::check_shape(dY, output_dim(), X.cols(), "PerAxis", "dY");
        detail::check_shape(dX, input_dim(), X.cols(), "PerAxis", "dX");
        Mat<T> xa(1, X.cols()), ga(1, X.cols());
        for (Index a = 0; a < input_dim(); ++a) {
            xa = X.row(a);
            axes_[std::size_t(a)].backward(xa, dY.middleRows(offset(a), offset(a + 1) - offset(a)), ga);
            dX.row(a) = ga * T(scale_);
        }
    }

    /// Slots per point: the sum of the axes' window widths, or 0 if any axis has no windows.
    Index window_width() const
        requires WindowedEncoder<E>
    {
        Index k = 0;
        for (const E& e : axes_) {
            const Index ka = e.window_width();
            if (ka <= 0) return 0;
            k += ka;
        }
        return k;
    }

    /// Fills w (resized to K x N) with the concatenated per-axis windows; throws posenc::Error when
    /// window_width() == 0.
    void windows(ConstMatRef<T> X, Windows<T>& w) const
        requires WindowedEncoder<E>
    {
        const Index K = window_width();
        detail::require(K > 0, "PerAxis: an axis encoder has no compact-support windows (window_width() == 0)");
        detail::check_points<T>(X, input_dim(), "PerAxis");
        const Index N = X.cols();
        w.resize(K, N);
        Mat<T> xa(1, N);
        Windows<T> wa;
        Index k0 = 0;
        for (Index a = 0; a < input_dim(); ++a) {
            const E& e = axes_[std::size_t(a)];
            const Index ka = e.window_width();
            xa = X.row(a);
            e.windows(xa, wa);
            detail::place_windows(w, k0, wa, ka, offset(a), T(scale_), "PerAxis", "axis ", a);
            if (may_overflow(xa) && !w.weight.middleRows(k0, ka).allFinite()) throw_overflow(a);
            k0 += ka;
        }
    }

private:
    static constexpr Index kChunk = 64;  // columns per parallel work item in encode()

    void init() {
        detail::require(!axes_.empty(), "PerAxis: needs at least one axis encoder (got 0)");
        offsets_.assign(1, 0);
        for (std::size_t a = 0; a < axes_.size(); ++a) {
            const Index in = axes_[a].input_dim();
            detail::require(in == 1, "PerAxis: axis ", a,
                                         " encoder must have input_dim 1 (got ", in, ")");
            offsets_.push_back(offsets_.back() + axes_[a].output_dim());
        }
        scale_ = 1.0;
        if (scaling_ == Scaling::UnitNormAtCenter) {
            // One constant for every point: the norm of the raw code of the centre (0.5, ..., 0.5), checked
            // to be usable in T (an axis code that underflowed at 0.5 must not be divided by).
            Mat<T> c = Mat<T>::Constant(1, 1, T(0.5));
            double sq = 0;
            for (std::size_t a = 0; a < axes_.size(); ++a) {
                const E& e = axes_[a];
                Mat<T> code(e.output_dim(), 1);
                e.encode(c, code);
                detail::require(code.allFinite(), "PerAxis: axis ", a,
                                                      " encoder gave a non-finite code at the centre 0.5");
                sq += code.template cast<double>().squaredNorm();
            }
            scale_ = detail::unit_norm_scale<T>(
                sq, "PerAxis", "the axes' codes at 0.5 are ~0: use Scaling::None, or axis encoders wide enough to "
                               "be non-negligible at 0.5");
        }
    }

    /// Whether s * code may have overflowed for the coordinates xa: only when s > 1 and a coordinate is
    /// outside [0, 1] (inside, the axes' codes are bounded well below max<T> / s, see
    /// detail::unit_norm_scale), so the O(D) finiteness check is skipped on the usual path.
    bool may_overflow(const Mat<T>& xa) const {
        return scale_ > 1.0 && xa.size() > 0 && (xa.minCoeff() < T(0) || xa.maxCoeff() > T(1));
    }
    /// A scale s > 1 made a code overflow T (only possible for coordinates far outside [0, 1]).
    [[noreturn]] void throw_overflow(Index a) const {
        detail::fail("PerAxis: axis ", a, "'s code times the scale ", detail::short_number(scale_),
                    " overflows ", detail::scalar_name<T>(), " (coordinates too large for this encoder)");
    }

    std::vector<E> axes_;
    std::vector<Index> offsets_;
    Scaling scaling_ = Scaling::UnitNormAtCenter;
    double scale_ = 1.0;
};

}  // namespace posenc

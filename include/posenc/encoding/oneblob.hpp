// posenc/encoding/oneblob.hpp — OneBlob<T>: tiny-cuda-nn's OneBlob encoding (n_bins quartic-kernel bins
// per axis) as a periodic, unscaled shifted basis of the OneBlobBin profile on every axis.
#pragma once
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/per_axis.hpp"
#include "posenc/encoding/profiles/oneblob_bin.hpp"
#include "posenc/encoding/scaling.hpp"
#include "posenc/encoding/shifted_basis.hpp"
#include "posenc/encoding/windows.hpp"

namespace posenc {

/// tiny-cuda-nn's OneBlob (encodings/oneblob.h; Mueller et al. 2019): for each of d axes, n_bins = D
/// bins of width 1/D on [0, 1], bin k of coordinate x holding the mass in [k/D, (k+1)/D) of a quartic
/// kernel of radius 1/D centred at x, wrapped around [0, 1]:
///
///     code(x)[a D + k] = S((k+1)/D - x_a) - S(k/D - x_a),   S(v) = F(v) + F(v - 1) + F(v + 1),
///     F(v) = clamp((15/16) w (1 - (2/3) w^2 + (1/5) w^4) + 1/2, 0, 1),   w = v D.
///
/// Layout as tcnn: axis-major (the D bins of axis 0, then axis 1, ...). Each axis' bins sum to 1. No
/// scaling, no trainable parameter. Built as PerAxis<ShiftedBasis<OneBlobBin, T>> (Domain::Periodic,
/// Scaling::None): bin k is the shift t_k = k/D of the profile psi(u) = S(1/D - u) - S(-u), u = x - t_k
/// (docs/encodings.md, section 6). Coordinates must lie in tcnn's domain [0, 1] (posenc::Error
/// otherwise). backward() is tcnn's: d code[aD + k] / d x_a = S'(k/D - x_a) - S'((k+1)/D - x_a).
/// Windows: K = 8 slots per axis (3 of them non-zero) when D > 8; none for D <= 8.
/// D must be a power of two (tcnn's requirement).
template <class T = double>
class OneBlob {
public:
    using Scalar = T;  ///< scalar type of inputs and codes
    using Axis = ShiftedBasis<OneBlobBin, T>;  ///< one axis' encoder

    /// n_bins bins (a power of two >= 1) per axis on input_dim axes. Throws posenc::Error naming the
    /// parameter otherwise.
    explicit OneBlob(Index n_bins, Index input_dim = 1)
        : n_bins_(checked_bins(n_bins)), axes_(make_axis(n_bins_), checked_dim(input_dim), Scaling::None) {}

    /// Number of axes d.
    Index input_dim() const { return axes_.input_dim(); }
    /// d x n_bins.
    Index output_dim() const { return axes_.output_dim(); }
    /// Bins per axis D.
    Index n_bins() const { return n_bins_; }
    /// The per-axis shifted basis.
    const PerAxis<Axis>& per_axis() const { return axes_; }
    /// The factory's form {"type": "oneblob", "n_bins", "input_dim"}.
    EncoderSpec spec() const {
        return EncoderSpec{"oneblob", {{"n_bins", double(n_bins_)}, {"input_dim", double(input_dim())}}, {}};
    }

    /// out (d D x N, pre-sized) = the OneBlob codes of X (d x N, entries in [0, 1]).
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        check_domain(X);
        axes_.encode(X, out);
    }
    /// dX(a, n) = sum_k dY(a D + k, n) d code[aD + k] / d x_a.
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        check_domain(X);
        axes_.backward(X, dY, dX);
    }
    /// 8 per axis when D > 8 (the bins within 2/D of x, plus ShiftedBasis' spare slots), else 0.
    Index window_width() const { return axes_.window_width(); }
    /// The non-zero bins of each point (see Windows); throws posenc::Error when window_width() == 0.
    void windows(ConstMatRef<T> X, Windows<T>& w) const {
        detail::require(window_width() > 0, "OneBlob: windows() needs n_bins > 8 (got ", n_bins_, ")");
        check_domain(X);
        axes_.windows(X, w);
    }

private:
    static Index checked_bins(Index n) {
        detail::require(n >= 1 && n <= Index(1) << 26 && (n & (n - 1)) == 0,
                        "OneBlob: n_bins must be a power of two in [1, 2^26] (tcnn's requirement; got ", n, ")");
        return n;
    }
    static Index checked_dim(Index d) {
        detail::require(d >= 1, "OneBlob: input dimension must be >= 1 (got ", d, ")");
        return d;
    }
    static Axis make_axis(Index n) { return Axis(OneBlobBin{}, n, Domain::Periodic, Scaling::None); }

    /// Right shape, finite, and in tcnn's coordinate domain [0, 1].
    void check_domain(ConstMatRef<T> X) const {
        detail::check_points<T>(X, input_dim(), "OneBlob");
        for (Index n = 0; n < X.cols(); ++n)
            for (Index a = 0; a < X.rows(); ++a)
                if (!(X(a, n) >= T(0) && X(a, n) <= T(1)))
                    detail::fail("OneBlob: coordinates must lie in the domain [0, 1] (got ", double(X(a, n)),
                                 " at row ", a, ", column ", n, ")");
    }

    Index n_bins_;
    PerAxis<Axis> axes_;
};

}  // namespace posenc

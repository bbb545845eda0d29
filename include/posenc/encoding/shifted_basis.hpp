// posenc/encoding/shifted_basis.hpp — ShiftedBasis<P, T>: Psi(x) = s [psi(x - t_d)]_{d=0..D-1}.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/profiles/profile.hpp"
#include "posenc/encoding/scaling.hpp"
#include "posenc/encoding/windows.hpp"

namespace posenc {

/// Shifted-basis encoding of a 1D coordinate (paper: "Rethinking Positional Encoding", Sec. 3):
/// D shifts t_d = d / D on [0, 1) and
///
///     Psi(x)_d = s * psi(u_d),   u_d = x - t_d                       (Domain::Bounded, x in [0, 1])
///                                u_d = ((x - t_d + 0.5) mod 1) - 0.5 (Domain::Periodic, any finite x)
///
/// where psi is the profile P (see profiles/profile.hpp) and s is ONE constant fixed at construction:
/// s = 1 / ||raw Psi(0.5)|| for Scaling::UnitNormAtCenter, s = 1 for Scaling::None. A point's code
/// never depends on the rest of its batch.
///
/// Dense evaluation (encode) is exact for every profile, except that entries farther than the
/// profile's zero_radius(eps) (if it has one) are written as exact zeros, eps being the smallest
/// normal number of T: only values that underflow are dropped (Gaussian: ~40 sigma in double,
/// ~15 sigma in float). backward() skips the same entries.
///
/// Windows: when the profile has a finite support radius R, window_width() is K = floor(2 R D) + 4
/// slots per point (every shift within R of x plus one spare slot on each side, so that rounding
/// can never drop a non-zero entry); windows(X, w) fills only those K entries per point, in O(K).
/// window_width() is 0 (no windows; use the dense encode) when R is infinite or K >= D.
/// Periodic windows wrap indices mod D; on the bounded domain slots beyond [0, D) get weight 0 and
/// the nearest valid index. Weights equal the dense code exactly on their indices; entries outside
/// the window are bounded by the profile's tolerance (exactly 0 for Triangle and Impulse).
template <class P, class T = double>
    requires Profile<P, T>
class ShiftedBasis {
public:
    using Scalar = T;        ///< scalar type of codes
    using profile_type = P;  ///< the profile psi

    /// Builds D = dim shifts of profile p. Throws posenc::Error when dim <= 0, the profile's support or
    /// centre norm is invalid, the unit-norm scale does not fit T (detail::unit_norm_scale), or the
    /// profile evaluated in T gives a non-finite value or derivative at a probe offset (u = 0, +-1/D,
    /// +-1/2, +-1: the usual sign of a parameter out of T's range, e.g. 1 / (2 sigma^2) = inf in float
    /// makes psi(0) = exp(-0 * inf) = NaN).
    ShiftedBasis(P p, Index dim, Domain domain = Domain::Bounded, Scaling scaling = Scaling::UnitNormAtCenter)
        : profile_(std::move(p)), dim_(dim), domain_(domain), scaling_(scaling) {
        detail::require(dim > 0, "ShiftedBasis: dim must be > 0 (got ", dim, ")");
        detail::require(dim <= Index(std::numeric_limits<std::int32_t>::max()) / 2,
                        "ShiftedBasis: dim is too large (got ", dim, ")");
        if constexpr (Bindable<P>) profile_.bind(dim);
        shifts_.resize(std::size_t(dim));
        for (Index d = 0; d < dim; ++d) shifts_[std::size_t(d)] = T(double(d) / double(dim));

        const double R = profile_.support();
        detail::require(R >= 0, "ShiftedBasis: profile ", profile_.name(),
                                    " has an invalid support radius (got ", R, ")");
        support_ = R;
        window_ = slots_for(R);
        if constexpr (HasZeroRadius<P>) {
            const double Z = profile_.zero_radius(double(std::numeric_limits<T>::min()));
            detail::require(Z >= 0, "ShiftedBasis: profile ", profile_.name(),
                                        " has an invalid zero radius (got ", Z, ")");
            zero_window_ = slots_for(Z);
        }

        if (scaling_ == Scaling::UnitNormAtCenter) {
            double sq = 0;
            for (Index d = 0; d < dim; ++d) {
                const double u = domain_ == Domain::Periodic ? wrap<double>(0.5, double(d) / double(dim))
                                                              : 0.5 - double(d) / double(dim);
                double v;
                if constexpr (Profile<P, double>) v = double(profile_.value(u));
                else v = double(profile_.value(T(u)));
                sq += v * v;
            }
            // The scale is applied in T: a raw norm^2 below T's smallest normal number would make it
            // overflow (or the codes underflow to 0 before scaling, then 0 * inf = NaN).
            scale_ = detail::unit_norm_scale<T>(sq, [&] {
                return std::pair<std::string, std::string>(
                    "ShiftedBasis (profile " + std::string(profile_.name()) + ")",
                    "profile " + std::string(profile_.name()) + " is too narrow for " + std::to_string(dim_) +
                        " shifts: widen it or use more shifts");
            });
        }
        check_profile_range();
    }

    /// 1: a shifted basis encodes one coordinate (use PerAxis for more).
    Index input_dim() const { return 1; }
    /// D, the number of shifts.
    Index output_dim() const { return dim_; }
    /// Shift t_d = d / D.
    double shift(Index d) const { return double(d) / double(dim_); }
    /// The constant scale s applied to every code.
    double scale() const { return scale_; }
    /// The profile.
    const P& profile() const { return profile_; }
    /// Bounded or periodic.
    Domain domain() const { return domain_; }
    /// The scaling policy.
    Scaling scaling() const { return scaling_; }
    /// The profile's support radius R (+inf if none).
    double support() const { return support_; }
    /// The profile's name ("gaussian", ...).
    std::string name() const { return profile_.name(); }
    /// K, slots per point of windows(); 0 when the profile has no finite support or K would be >= D.
    Index window_width() const { return window_; }
    /// The factory's form of this basis: {"type": the profile's name(), its spec_params(), "dim",
    /// "periodic", "scale"}; an empty spec when the profile has no spec_params() (HasSpecParams).
    EncoderSpec spec() const {
        EncoderSpec s;
        if constexpr (HasSpecParams<P>) {
            profile_.spec_params(s.params);
            s.type = profile_.name();
            s.params["dim"] = double(dim_);
            s.params["periodic"] = domain_ == Domain::Periodic ? 1.0 : 0.0;
            s.params["scale"] = scaling_ == Scaling::UnitNormAtCenter ? 1.0 : 0.0;
        }
        return s;
    }

    /// Closed-form kernel of the profile (normalised autocorrelation, k(0) = 1), when it has one.
    double kernel(double delta) const
        requires HasKernel<P>
    {
        return profile_.kernel(delta);
    }

    /// Dense codes: out (D x N, pre-sized) = Psi(X). X is 1 x N.
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        check_input(X);
        detail::check_shape(out, dim_, X.cols(), "ShiftedBasis", "out");
        const Index N = X.cols();
        [[maybe_unused]] const bool par = parallel_worth_it(N, zero_window_ > 0 ? zero_window_ : dim_);
        POSENC_OMP(parallel for schedule(static) if(par))
        for (Index n = 0; n < N; ++n) encode_point(X(0, n), &out(0, n));
    }

    /// Vector-Jacobian product: dX(0, n) = s * sum_d psi'(u_d) dY(d, n) (du_d/dx = 1 on both domains).
    /// X is 1 x N, dY is D x N, dX (pre-sized 1 x N) is overwritten.
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        check_input(X);
        const Index N = X.cols();
        detail::check_shape(dY, dim_, N, "ShiftedBasis", "dY");
        detail::check_shape(dX, 1, N, "ShiftedBasis", "dX");
        [[maybe_unused]] const bool par = parallel_worth_it(N, zero_window_ > 0 ? zero_window_ : dim_);
        POSENC_OMP(parallel if(par))
        {
            // one scratch row per thread (never per point) for the vectorised derivative
            std::vector<T> buf(HasDerivativeInplace<P, T> ? std::size_t(zero_window_ > 0 ? zero_window_ : dim_) : 0);
            POSENC_OMP(for schedule(static))
            for (Index n = 0; n < N; ++n) {
                const T x = reduce(X(0, n));
                const T* dy = dY.data() + n * dY.outerStride();
                T acc = 0;
                auto seg = [&](Index d0, Index count) {
                    if constexpr (HasDerivativeInplace<P, T>) {
                        for (Index i = 0; i < count; ++i) buf[std::size_t(i)] = offset(x, d0 + i);
                        profile_.derivative_inplace(buf.data(), count);
                        for (Index i = 0; i < count; ++i) acc += buf[std::size_t(i)] * dy[d0 + i];
                    } else {
                        for (Index d = d0; d < d0 + count; ++d) acc += T(profile_.derivative(offset(x, d))) * dy[d];
                    }
                };
                if (zero_window_ > 0) for_each_segment(x, zero_window_, seg);
                else seg(0, dim_);
                dX(0, n) = T(scale_) * acc;
            }
        }
    }

    /// Sparse codes: w.index / w.weight (K x N, resized) hold each point's K window entries.
    /// Throws posenc::Error when window_width() == 0.
    void windows(ConstMatRef<T> X, Windows<T>& w) const {
        detail::require(window_ > 0, "ShiftedBasis: windows() needs a compact support and window_width() > 0 (profile ",
                                         profile_.name(), ", D = ", dim_, ")");
        check_input(X);
        const Index N = X.cols(), K = window_;
        w.width = K;
        w.index.resize(K, N);
        w.weight.resize(K, N);
        [[maybe_unused]] const bool par = parallel_worth_it(N, K);
        POSENC_OMP(parallel for schedule(static) if(par))
        for (Index n = 0; n < N; ++n) window_point(X(0, n), K, &w.index(0, n), &w.weight(0, n));
    }

private:
    /// Threads only pay off for batches with enough entries to evaluate (results do not depend on it).
    static bool parallel_worth_it(Index N, Index per_point) { return N > 1 && N * per_point >= 16384; }

    /// Throws posenc::Error unless s * psi(u) and s * psi'(u), evaluated in T the way encode() and
    /// backward() do (vectorised path included), are finite at the probe offsets u = 0, +-1/D, +-1/2 and,
    /// on the bounded domain (where |u| reaches 1), +-1.
    void check_profile_range() const {
        const Index n = domain_ == Domain::Bounded ? 7 : 5;
        const double h = 1.0 / double(dim_);
        const T probes[7] = {T(0), T(h), T(-h), T(0.5), T(-0.5), T(1), T(-1)};
        T v[7], g[7];
        std::copy(probes, probes + n, v);
        std::copy(probes, probes + n, g);
        if constexpr (HasValueInplace<P, T>) profile_.value_inplace(v, n);
        else
            for (Index i = 0; i < n; ++i) v[i] = T(profile_.value(v[i]));
        if constexpr (HasDerivativeInplace<P, T>) profile_.derivative_inplace(g, n);
        else
            for (Index i = 0; i < n; ++i) g[i] = T(profile_.derivative(g[i]));
        const T s = T(scale_);
        for (Index i = 0; i < n; ++i) {
            const T u = probes[i];
            const T vals[4] = {v[i] * s, g[i] * s, T(profile_.value(u)) * s, T(profile_.derivative(u)) * s};
            for (int k = 0; k < 4; ++k)
                if (!std::isfinite(vals[k]))
                    detail::fail("ShiftedBasis: profile ", profile_.name(), " has a non-finite ",
                                (k % 2 == 0 ? "value" : "derivative"), " in ", detail::scalar_name<T>(),
                                " at u = ", detail::short_number(double(u)),
                                " (a parameter of the profile is out of the range of ", detail::scalar_name<T>(),
                                ")");
        }
    }

    /// Periodic offset ((x - t + 0.5) mod 1) - 0.5 for x already reduced to [0, 1]; equals NumPy's
    /// np.mod formula bit for bit for x in [0, 1).
    template <class U>
    static U wrap(U x, U t) {
        U a = (x - t) + U(0.5);
        a = a >= U(1) ? a - U(1) : (a < U(0) ? a + U(1) : a);
        return a - U(0.5);
    }
    /// x reduced to [0, 1] on the periodic domain (unchanged for x in [0, 1)).
    T reduce(T x) const { return domain_ == Domain::Periodic ? x - std::floor(x) : x; }
    /// u_d for a reduced coordinate.
    T offset(T xr, Index d) const {
        const T t = shifts_[std::size_t(d)];
        return domain_ == Domain::Periodic ? wrap<T>(xr, t) : xr - t;
    }

    /// Slots needed to cover every shift within radius R of any x, or 0 if that is >= D (or R infinite).
    Index slots_for(double R) const {
        if (!std::isfinite(R)) return 0;
        const double k = std::floor(2.0 * R * double(dim_)) + 4.0;
        return k >= double(dim_) ? 0 : Index(k);
    }
    /// First slot (may be < 0 or >= D before wrapping/clamping) of the K-slot window of reduced xr:
    /// lo = floor(xD - h) - 1 with h = floor(2RD)/2, so slots lo..lo+K-1 reach at least 1.5 shifts
    /// beyond [xD - RD, xD + RD] on both sides.
    Index window_start(T xr, Index K) const {
        const double c = double(xr) * double(dim_);
        const double half = 0.5 * double(K - 4);  // = floor(2 R D) / 2 <= R D
        return Index(std::floor(c - half)) - 1;
    }
    /// Calls f(d0, count) for the (at most two) contiguous index ranges of xr's K-slot window within [0, D).
    template <class F>
    void for_each_segment(T xr, Index K, F&& f) const {
        const Index lo = window_start(xr, K);
        if (domain_ == Domain::Bounded) {
            const Index a = std::max<Index>(lo, 0), b = std::min<Index>(lo + K, dim_);
            if (b > a) f(a, b - a);
        } else {
            const Index start = ((lo % dim_) + dim_) % dim_;
            if (start + K <= dim_) {
                f(start, K);
            } else {
                f(start, dim_ - start);
                f(0, start + K - dim_);
            }
        }
    }

    /// dst[i] <- s * psi(u_{d0 + i}) for i < count.
    void fill_values(T xr, Index d0, Index count, T* dst) const {
        for (Index i = 0; i < count; ++i) dst[i] = offset(xr, d0 + i);
        if constexpr (HasValueInplace<P, T>) {
            profile_.value_inplace(dst, count);
        } else {
            for (Index i = 0; i < count; ++i) dst[i] = T(profile_.value(dst[i]));
        }
        if (scale_ != 1.0) {
            const T s = T(scale_);
            for (Index i = 0; i < count; ++i) dst[i] *= s;
        }
    }

    void encode_point(T x, T* col) const {
        const T xr = reduce(x);
        if (zero_window_ > 0) {
            std::fill(col, col + dim_, T(0));
            for_each_segment(xr, zero_window_, [&](Index d0, Index count) { fill_values(xr, d0, count, col + d0); });
        } else {
            fill_values(xr, 0, dim_, col);
        }
    }

    void window_point(T x, Index K, std::int32_t* idx, T* wt) const {
        const T xr = reduce(x);
        const Index lo = window_start(xr, K);
        if (domain_ == Domain::Bounded) {
            const Index a = std::max<Index>(lo, 0), b = std::min<Index>(lo + K, dim_);
            for (Index k = 0; k < K; ++k) idx[k] = std::int32_t(std::clamp<Index>(lo + k, 0, dim_ - 1));
            std::fill(wt, wt + K, T(0));
            if (b > a) fill_values(xr, a, b - a, wt + (a - lo));
        } else {
            const Index start = ((lo % dim_) + dim_) % dim_;
            const Index first = std::min<Index>(K, dim_ - start);  // slots before the wrap
            for (Index k = 0; k < first; ++k) idx[k] = std::int32_t(start + k);
            for (Index k = first; k < K; ++k) idx[k] = std::int32_t(k - first);
            fill_values(xr, start, first, wt);
            if (first < K) fill_values(xr, 0, K - first, wt + first);
        }
    }

    void check_input(ConstMatRef<T> X) const {
        detail::check_points<T>(X, 1, "ShiftedBasis");
        if (domain_ == Domain::Bounded) {
            for (Index n = 0; n < X.cols(); ++n) {
                const T x = X(0, n);
                if (!(x >= T(0) && x <= T(1)))
                    detail::fail("ShiftedBasis: coordinate x must be in [0, 1] on the bounded domain (got ",
                                double(x), " at column ", n, ")");
            }
        }
    }

    P profile_;
    Index dim_;
    Domain domain_;
    Scaling scaling_;
    std::vector<T> shifts_;
    double support_ = 0;
    double scale_ = 1.0;
    Index window_ = 0;       // K for windows()
    Index zero_window_ = 0;  // slots used by the dense path when the profile has a zero radius
};

}  // namespace posenc

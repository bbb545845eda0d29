// posenc/encoding/triangle_wave.hpp — TriangleWave<T>: tiny-cuda-nn's TriangleWave encoding (the
// triangle-wave frequency code of neural radiance caching), n_frequencies octaves per axis.
#pragma once
#include <cmath>
#include <limits>
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/scaling.hpp"

namespace posenc {

/// tiny-cuda-nn's TriangleWave (encodings/triangle_wave.h; Mueller et al. 2021, "Real-time Neural
/// Radiance Caching"): for axis a and frequency k = 0..L-1 (L = n_frequencies),
///
///     v = x_a 2^(k-1) + k/4                       (octave k, with a k/4 phase shift)
///     code(x)[a L + k] = 4 |frac(v) - 1/2| - 1    (frac(v) = v - floor(v); a triangle wave in [-1, 1])
///     d code[a L + k] / d x_a = (floor(2 v) even ? -1 : 1) 2^(k+1)
///
/// Layout as tcnn: axis-major (the L frequencies of axis 0, then axis 1, ...). No scaling, no
/// trainable parameter. Any finite coordinate is accepted (tcnn has no domain; the code has period 2
/// in x), as long as v stays finite in T (posenc::Error otherwise).
template <class T = double>
class TriangleWave {
public:
    using Scalar = T;  ///< scalar type of inputs and codes

    /// n_frequencies in [1, 64] octaves on input_dim >= 1 axes; throws posenc::Error naming the
    /// parameter otherwise (beyond 2^62 every frequency's phase is pure rounding, in double too).
    explicit TriangleWave(Index n_frequencies, Index input_dim = 1) : L_(n_frequencies), d_(input_dim) {
        detail::require(n_frequencies >= 1 && n_frequencies <= kMaxFrequencies,
                        "TriangleWave: n_frequencies must be in [1, ", kMaxFrequencies, "] (got ", n_frequencies, ")");
        detail::require(input_dim >= 1, "TriangleWave: input dimension must be >= 1 (got ", input_dim, ")");
    }

    /// Largest n_frequencies accepted.
    static constexpr Index kMaxFrequencies = 64;

    /// Number of axes d.
    Index input_dim() const { return d_; }
    /// d x n_frequencies.
    Index output_dim() const { return d_ * L_; }
    /// Octaves per axis L.
    Index n_frequencies() const { return L_; }
    /// The factory's form {"type": "triangle_wave", "n_frequencies", "input_dim"}.
    EncoderSpec spec() const {
        return EncoderSpec{"triangle_wave", {{"n_frequencies", double(L_)}, {"input_dim", double(d_)}}, {}};
    }

    /// out (d L x N, pre-sized) = the codes of X (d x N).
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        check(X);
        detail::check_shape(out, output_dim(), X.cols(), "TriangleWave", "output");
        const Index N = X.cols();
        [[maybe_unused]] const bool par = N > 1 && N * output_dim() >= 16384;
        POSENC_OMP(parallel for schedule(static) if(par))
        for (Index n = 0; n < N; ++n)
            for (Index a = 0; a < d_; ++a)
                for (Index k = 0; k < L_; ++k) {
                    const T v = phase(X(a, n), k);
                    out(a * L_ + k, n) = std::abs(v - std::floor(v) - T(0.5)) * T(4) - T(1);  // 4|frac v - 1/2| - 1
                }
    }

    /// dX(a, n) = sum_k dY(a L + k, n) (floor(2 v) even ? -1 : 1) 2^(k+1) (tcnn's dy_dx).
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        check(X);
        detail::check_shape(dY, output_dim(), X.cols(), "TriangleWave", "dY");
        detail::check_shape(dX, d_, X.cols(), "TriangleWave", "dX");
        const Index N = X.cols();
        [[maybe_unused]] const bool par = N > 1 && N * output_dim() >= 16384;
        POSENC_OMP(parallel for schedule(static) if(par))
        for (Index n = 0; n < N; ++n)
            for (Index a = 0; a < d_; ++a) {
                T acc = 0;
                for (Index k = 0; k < L_; ++k) {
                    const T f = std::floor(phase(X(a, n), k) * T(2));      // floor(2 v), exact scaling by 2
                    const bool even = f - T(2) * std::floor(f * T(0.5)) == T(0);  // parity without an int cast
                    acc += dY(a * L_ + k, n) * std::ldexp(even ? T(-1) : T(1), int(k) + 1);  // +-2^(k+1)
                }
                dX(a, n) = acc;
            }
    }

private:
    /// v = x 2^(k-1) + k/4 (tcnn: scalbnf(x, k - 1) + k * 0.25).
    static T phase(T x, Index k) { return std::ldexp(x, int(k) - 1) + T(k) * T(0.25); }

    /// Right shape, finite, and v finite for the highest octave (|x| 2^(L-2) < max<T>).
    void check(ConstMatRef<T> X) const {
        detail::check_points<T>(X, d_, "TriangleWave");
        for (Index n = 0; n < X.cols(); ++n)
            for (Index a = 0; a < d_; ++a)
                if (!std::isfinite(phase(X(a, n), L_ - 1) * T(2)))
                    detail::fail("TriangleWave: coordinate ", double(X(a, n)), " at row ", a, ", column ", n,
                                 " is out of the domain: x 2^(n_frequencies - 1) overflows ",
                                 detail::scalar_name<T>());
    }

    Index L_;
    Index d_;
};

}  // namespace posenc

// posenc/encoding/frequencies.hpp — the standard frequency matrices for FourierFeatures (basic, LinF,
// LogF, random Fourier features) and one-line constructors of the corresponding encoders.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "posenc/core/error.hpp"
#include "posenc/core/random.hpp"
#include "posenc/encoding/fourier.hpp"

namespace posenc {

namespace detail {
inline void require_count(Index n, const char* what) {
    require(n > 0, what, " must be > 0 (got ", n, ")");
}
}  // namespace detail

/// Basic frequencies: the d x d identity, one frequency of 1 cycle per unit along each axis, so the
/// code is [sin 2 pi x_j; cos 2 pi x_j] for each axis j.
inline Eigen::MatrixXd basic_frequencies(Index input_dim = 1) {
    detail::require_count(input_dim, "basic_frequencies: input_dim");
    return Eigen::MatrixXd::Identity(input_dim, input_dim);
}

/// Linearly spaced frequencies (LinF), per axis: `per_axis` frequencies linspace(1, max_freq, per_axis)
/// (just 1 when per_axis == 1) along each axis. Rows are axis-major: rows [a*per_axis, (a+1)*per_axis)
/// have their only non-zero entry in column a. Shape (input_dim * per_axis) x input_dim.
inline Eigen::MatrixXd linear_frequencies(Index input_dim, Index per_axis, double max_freq) {
    detail::require_count(input_dim, "linear_frequencies: input_dim");
    detail::require_count(per_axis, "linear_frequencies: per_axis");
    detail::require(std::isfinite(max_freq) && max_freq >= 1.0,
                    "linear_frequencies: max_freq must be finite and >= 1 (got ", max_freq, ")");
    Eigen::MatrixXd B = Eigen::MatrixXd::Zero(input_dim * per_axis, input_dim);
    for (Index a = 0; a < input_dim; ++a)
        for (Index k = 0; k < per_axis; ++k)
            B(a * per_axis + k, a) = per_axis == 1 ? 1.0 : 1.0 + (max_freq - 1.0) * double(k) / double(per_axis - 1);
    return B;
}

/// Log-spaced frequencies, per axis: `per_axis` frequencies 2^linspace(0, max_exponent, per_axis)
/// (just 1 when per_axis == 1), axis-major like linear_frequencies. This is the ECCV'22 LogF with
/// D/2 frequencies up to 2^max_exponent; log_frequencies() is the NeRF special case.
inline Eigen::MatrixXd log_spaced_frequencies(Index input_dim, Index per_axis, double max_exponent) {
    detail::require_count(input_dim, "log_spaced_frequencies: input_dim");
    detail::require_count(per_axis, "log_spaced_frequencies: per_axis");
    detail::require(std::isfinite(max_exponent) && max_exponent >= 0.0 && max_exponent <= 60.0,
                    "log_spaced_frequencies: max_exponent must be in [0, 60] (got ", max_exponent,
                        ")");
    Eigen::MatrixXd B = Eigen::MatrixXd::Zero(input_dim * per_axis, input_dim);
    for (Index a = 0; a < input_dim; ++a)
        for (Index k = 0; k < per_axis; ++k)
            B(a * per_axis + k, a) =
                per_axis == 1 ? 1.0 : std::exp2(max_exponent * double(k) / double(per_axis - 1));
    return B;
}

/// NeRF positional-encoding frequencies (LogF): 2^0, 2^1, ..., 2^(levels-1) cycles per unit along each
/// axis (axis-major). Shape (input_dim * levels) x input_dim; levels in [1, 61].
inline Eigen::MatrixXd log_frequencies(Index input_dim, Index levels) {
    detail::require(levels > 0 && levels <= 61,
                    "log_frequencies: levels must be in [1, 61] (got ", levels, ")");
    return log_spaced_frequencies(input_dim, levels, double(levels - 1));
}

/// Random Fourier features (Tancik et al.): B ~ sigma N(0, I), shape count x input_dim, drawn from
/// posenc::Rng(seed) row by row (B(0,0), B(0,1), ..., B(1,0), ...), so the same seed gives the same
/// matrix on every platform. In 1D this is protocol A/B's `b ~ sigma_b N(0,1)`, D/2 of them
/// (docs/protocols.md).
inline Eigen::MatrixXd random_frequencies(Index count, Index input_dim, double sigma, std::uint64_t seed) {
    detail::require_count(count, "random_frequencies: count");
    detail::require_count(input_dim, "random_frequencies: input_dim");
    detail::require_positive(sigma, "random_frequencies: sigma");
    Rng rng(seed);
    Eigen::MatrixXd B(count, input_dim);
    for (Index m = 0; m < count; ++m)
        for (Index j = 0; j < input_dim; ++j) B(m, j) = sigma * rng.normal();
    return B;
}

/// Basic Fourier encoder [sin 2 pi x; cos 2 pi x] per axis (output 2 * input_dim).
template <class T = double>
FourierFeatures<T> basic_fourier(Index input_dim = 1, Scaling scaling = Scaling::UnitNormAtCenter) {
    return FourierFeatures<T>(basic_frequencies(input_dim), false, scaling);
}

/// LinF encoder: per_axis linearly spaced frequencies 1..max_freq per axis (output 2 * per_axis * input_dim).
template <class T = double>
FourierFeatures<T> linf(Index input_dim, Index per_axis, double max_freq,
                        Scaling scaling = Scaling::UnitNormAtCenter) {
    return FourierFeatures<T>(linear_frequencies(input_dim, per_axis, max_freq), false, scaling);
}

/// LogF / NeRF positional encoding: frequencies 2^0..2^(levels-1) per axis, optionally prepending x
/// (output 2 * levels * input_dim, + input_dim with include_input).
template <class T = double>
FourierFeatures<T> logf(Index input_dim, Index levels, bool include_input = false,
                        Scaling scaling = Scaling::UnitNormAtCenter) {
    return FourierFeatures<T>(log_frequencies(input_dim, levels), include_input, scaling);
}

/// Random Fourier features with `count` frequencies B ~ sigma N(0, I) (output 2 * count).
template <class T = double>
FourierFeatures<T> rff(Index input_dim, Index count, double sigma, std::uint64_t seed = 0,
                       Scaling scaling = Scaling::UnitNormAtCenter) {
    return FourierFeatures<T>(random_frequencies(count, input_dim, sigma, seed), false, scaling);
}

}  // namespace posenc

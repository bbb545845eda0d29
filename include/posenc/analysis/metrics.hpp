// posenc/analysis/metrics.hpp — reconstruction error metrics: MSE, MAE, PSNR.
//
// All take two matrices of the same shape (e.g. predictions and targets, channels x N) of any
// Eigen expression type and scalar (mixed float / double is fine), and average over EVERY entry
// (channels and points alike), in double. Shapes must match, inputs must be non-empty and finite:
// otherwise posenc::Error.
//
// They live in posenc::metrics (posenc::metrics::psnr(pred, target), ...) so that they never collide
// with the training losses of nn/loss.hpp (posenc::mse, posenc::l1: value + gradient, same scalar
// type) or nn/callbacks.hpp's posenc::psnr_from_mse(double).
#pragma once
#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Core>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"

namespace posenc {

/// Evaluation metrics (MSE, MAE, PSNR) of predictions against targets; see analysis/metrics.hpp.
namespace metrics {

namespace detail {
/// Shared validation of the metric functions: same shape, non-empty, finite.
template <class A, class B>
void check_metric_inputs(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b, const char* who) {
    if (a.rows() != b.rows() || a.cols() != b.cols())
        posenc::detail::fail(who, ": prediction and target must have the same shape (got ",
                    a.rows(), " x ", a.cols(), " and ", b.rows(),
                    " x ", b.cols(), ")");
    if (a.size() == 0) posenc::detail::fail(who, ": inputs must not be empty");
    if (!a.allFinite()) posenc::detail::fail(who, ": prediction has NaN or Inf entries");
    if (!b.allFinite()) posenc::detail::fail(who, ": target has NaN or Inf entries");
}
}  // namespace detail

/// Mean squared error mean((a - b)^2) over all entries, accumulated in double.
template <class A, class B>
double mse(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b) {
    detail::check_metric_inputs(a, b, "mse");
    return (a.template cast<double>() - b.template cast<double>()).squaredNorm() / double(a.size());
}

/// Mean absolute error mean(|a - b|) over all entries, accumulated in double.
template <class A, class B>
double mae(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b) {
    detail::check_metric_inputs(a, b, "mae");
    return (a.template cast<double>() - b.template cast<double>()).cwiseAbs().sum() / double(a.size());
}

/// PSNR from an MSE value: 10 log10(peak^2 / mse) dB, i.e. -10 log10(mse) for signals in [0, 1]
/// (peak = 1). Returns +infinity for mse == 0. Throws posenc::Error when mse is negative or not
/// finite, or peak is not finite and > 0.
inline double psnr_from_mse(double mse_value, double peak = 1.0) {
    posenc::detail::require(std::isfinite(mse_value) && mse_value >= 0,
                    "psnr: mse must be finite and >= 0 (got " + std::to_string(mse_value) + ")");
    posenc::detail::require_positive(peak, "psnr: peak");
    if (mse_value == 0) return std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(peak * peak / mse_value);
}

/// Peak signal-to-noise ratio of prediction a against target b in dB: 10 log10(peak^2 / mse(a, b));
/// with the default peak = 1 this is -10 log10(MSE) for signals in [0, 1]. +infinity when a == b.
template <class A, class B>
double psnr(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b, double peak = 1.0) {
    posenc::detail::require_positive(peak, "psnr: peak");
    detail::check_metric_inputs(a, b, "psnr");
    return psnr_from_mse(mse(a, b), peak);
}

}  // namespace metrics
}  // namespace posenc

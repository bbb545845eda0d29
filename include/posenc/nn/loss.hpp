// posenc/nn/loss.hpp — regression losses (value and gradient), averaged like torch's default.
#pragma once
#include <string>
#include <string_view>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"

namespace posenc {

/// Which loss: Mse = mean (y - t)^2 (torch MSELoss), L1 = mean |y - t| (torch L1Loss).
enum class Loss { Mse, L1 };

/// Parses "mse" / "l2" or "l1" / "mae".
inline Loss loss_from_string(std::string_view s) {
    if (s == "mse" || s == "l2") return Loss::Mse;
    if (s == "l1" || s == "mae") return Loss::L1;
    detail::fail("loss: unknown name '", s, "' (expected mse or l1)");
}

/// Lower-case name of a loss ("mse", "l1").
inline std::string to_string(Loss l) { return l == Loss::Mse ? "mse" : "l1"; }

namespace detail {
template <class P, class Q>
void check_loss_args(const P& pred, const Q& target, const char* who) {
    check_shape(target, pred.rows(), pred.cols(), who, "target (same shape as the prediction)");
    require(pred.size() > 0, who, ": prediction must not be empty");
}
}  // namespace detail

/// Mean squared error over all entries, accumulated in double (any Eigen matrices of one scalar type).
template <class P, class Q>
double mse(const Eigen::MatrixBase<P>& pred, const Eigen::MatrixBase<Q>& target) {
    detail::check_loss_args(pred, target, "mse");
    return (pred - target).template cast<double>().squaredNorm() / double(pred.size());
}
/// Mean squared error and its gradient grad = 2 (pred - target) / numel (resized to pred's shape).
template <class P, class Q, class T = typename P::Scalar>
double mse(const Eigen::MatrixBase<P>& pred, const Eigen::MatrixBase<Q>& target, Mat<T>& grad) {
    const double v = mse(pred, target);
    grad = (T(2) / T(pred.size())) * (pred - target);
    return v;
}

/// Mean absolute error over all entries, accumulated in double.
template <class P, class Q>
double l1(const Eigen::MatrixBase<P>& pred, const Eigen::MatrixBase<Q>& target) {
    detail::check_loss_args(pred, target, "l1");
    return (pred - target).template cast<double>().cwiseAbs().sum() / double(pred.size());
}
/// Mean absolute error and its (sub)gradient sign(pred - target) / numel (0 where equal, like torch).
template <class P, class Q, class T = typename P::Scalar>
double l1(const Eigen::MatrixBase<P>& pred, const Eigen::MatrixBase<Q>& target, Mat<T>& grad) {
    const double v = l1(pred, target);
    const T s = T(1) / T(pred.size());
    grad = (pred - target).unaryExpr([s](T d) { return d > T(0) ? s : d < T(0) ? -s : T(0); });
    return v;
}

/// The chosen loss's value.
template <class P, class Q>
double loss_value(Loss kind, const Eigen::MatrixBase<P>& pred, const Eigen::MatrixBase<Q>& target) {
    return kind == Loss::Mse ? mse(pred, target) : l1(pred, target);
}
/// The chosen loss's value and gradient with respect to pred.
template <class P, class Q, class T = typename P::Scalar>
double loss_value(Loss kind, const Eigen::MatrixBase<P>& pred, const Eigen::MatrixBase<Q>& target, Mat<T>& grad) {
    return kind == Loss::Mse ? mse(pred, target, grad) : l1(pred, target, grad);
}

}  // namespace posenc

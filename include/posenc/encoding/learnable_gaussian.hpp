// posenc/encoding/learnable_gaussian.hpp — LearnableGaussian<T>: a shifted Gaussian basis whose shifts
// and widths are trained with the network.
#pragma once
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "posenc/core/error.hpp"
#include "posenc/core/param.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/scaling.hpp"

namespace posenc {

/// A shifted Gaussian basis with trainable shifts and widths, per axis, on the bounded domain [0, 1]^d:
///
///     code(x)_{a D + k} = s exp(-(x_a - t_{a,k})^2 / (2 sigma_{a,k}^2)),   a < d axes, k < D = dim / d
///
/// (axis a's D rows form block a, as PerAxis stacks them). Initially t_{a,k} = k / D, the shift grid
/// of ShiftedBasis (encoding/shifted_basis.hpp, bounded domain), and sigma_{a,k} = sigma, so an
/// untrained LearnableGaussian encodes like the factory's "gaussian" (d = 1) or "gaussian2" / a
/// per-axis gaussian (d > 1, one constant for the whole code) of the same sigma and dim, up to that
/// basis's truncation of entries below 1e-8 of the peak. The width is trained as its logarithm,
/// l_{a,k} = log sigma_{a,k}, so it stays positive. s makes the code of the centre (0.5, ..., 0.5)
/// unit norm at initialisation (Scaling::UnitNormAtCenter; 1 for Scaling::None) and is then fixed.
///
/// ParametricEncoder (encoding/encoder.hpp): parameters "gaussian.shifts" and "gaussian.log_sigma",
/// each D x d (column a = axis a; in a Model "encoder.gaussian.shifts", "encoder.gaussian.log_sigma").
/// With u = x_a - t, psi = code entry:
///     d psi / d x_a = -psi u / sigma^2,  d psi / d t = psi u / sigma^2,  d psi / d l = psi u^2 / sigma^2.
/// Coordinates outside [0, 1] (or NaN/Inf) throw posenc::Error. A code is dense (no windows): a
/// trained width is not bounded, so there is no fixed support.
template <class T = double>
class LearnableGaussian {
public:
    using Scalar = T;  ///< scalar type of inputs, codes and parameters

    /// dim (>= 1, a multiple of input_dim) Gaussians, dim / input_dim per axis, of initial width sigma
    /// (finite, > 0). Throws posenc::Error naming the bad argument, or when the unit-norm constant is
    /// not representable in T (a sigma far too small for its shifts: use Scaling::None).
    LearnableGaussian(Index dim, double sigma, Index input_dim = 1, Scaling scaling = Scaling::UnitNormAtCenter)
        : sigma_(sigma), scaling_(scaling) {
        detail::require(input_dim >= 1, "LearnableGaussian: input_dim must be >= 1 (got ", input_dim, ")");
        detail::require(dim >= 1 && dim % input_dim == 0,
                        "LearnableGaussian: dim must be a positive multiple of input_dim (got dim ", dim, ", input_dim ",
                        input_dim, ")");
        detail::require(std::isfinite(sigma) && sigma > 0, "LearnableGaussian: sigma must be finite and > 0 (got ", sigma, ")");
        const Index D = dim / input_dim;
        t_.resize(D, input_dim);
        for (Index a = 0; a < input_dim; ++a)
            for (Index k = 0; k < D; ++k) t_(k, a) = T(double(k) / double(D));
        l_ = Mat<T>::Constant(D, input_dim, T(std::log(sigma)));
        gt_ = Mat<T>::Zero(D, input_dim);
        gl_ = Mat<T>::Zero(D, input_dim);
        if (scaling_ == Scaling::UnitNormAtCenter) {
            double sq = 0;  // raw code of the centre, squared norm
            for (Index k = 0; k < D; ++k) {
                const double u = 0.5 - double(k) / double(D);
                sq += std::exp(-u * u / (sigma * sigma));
            }
            sq *= double(input_dim);
            scale_ = detail::unit_norm_scale<T>(sq, "LearnableGaussian", "sigma is too small for the shift spacing");
        }
    }

    /// d.
    Index input_dim() const { return t_.cols(); }
    /// D per axis.
    Index shifts_per_axis() const { return t_.rows(); }
    /// d D.
    Index output_dim() const { return t_.size(); }
    /// "learnable_gaussian".
    std::string name() const { return "learnable_gaussian"; }
    /// The constant s multiplying the code.
    double scale() const { return scale_; }
    /// Shifts t, D x d (trainable).
    Mat<T>& shifts() { return t_; }
    /// Shifts t.
    const Mat<T>& shifts() const { return t_; }
    /// log sigma, D x d (trainable).
    Mat<T>& log_sigma() { return l_; }
    /// log sigma.
    const Mat<T>& log_sigma() const { return l_; }
    /// Gradient of the shifts.
    const Mat<T>& shifts_grad() const { return gt_; }
    /// Gradient of log sigma.
    const Mat<T>& log_sigma_grad() const { return gl_; }
    /// Sets both gradients to zero.
    void zero_grad() {
        gt_.setZero();
        gl_.setZero();
    }

    /// "gaussian.shifts" and "gaussian.log_sigma" (D x d each), owned by this encoder.
    std::vector<Param<T>> parameters() {
        return {make_param<T>("gaussian.shifts", t_, gt_), make_param<T>("gaussian.log_sigma", l_, gl_)};
    }

    /// The factory's form (encoding/factory.hpp, type "learnable_gaussian"): the initial state. Trained
    /// shifts and widths travel as the model's encoder tensors (io/model_file.hpp, format version 2).
    EncoderSpec spec() const {
        EncoderSpec s;
        s.type = "learnable_gaussian";
        s.params = {{"sigma", sigma_},
                    {"dim", double(output_dim())},
                    {"input_dim", double(input_dim())},
                    {"scale", scaling_ == Scaling::UnitNormAtCenter ? 1.0 : 0.0}};
        return s;
    }

    /// out (d D x N, pre-sized) = code(X), X is d x N with entries in [0, 1].
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        check_input(X);
        detail::check_shape(out, output_dim(), X.cols(), "LearnableGaussian", "output");
        const Index D = t_.rows();
        const T s = T(scale_);
        for (Index a = 0; a < input_dim(); ++a)
            for (Index k = 0; k < D; ++k) {
                const T t = t_(k, a), inv = std::exp(T(-2) * l_(k, a)) / T(2);  // 1 / (2 sigma^2)
                for (Index n = 0; n < X.cols(); ++n) {
                    const T u = X(a, n) - t;
                    out(a * D + k, n) = s * std::exp(-u * u * inv);
                }
            }
    }

    /// Vector-Jacobian product wrt the coordinates: dX(a, n) = sum_k dY(aD+k, n) (-psi u / sigma^2).
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        check_input(X);
        detail::check_shape(dY, output_dim(), X.cols(), "LearnableGaussian", "dY");
        detail::check_shape(dX, input_dim(), X.cols(), "LearnableGaussian", "dX");
        dX.setZero();
        visit(X, dY, [&](Index a, Index, Index n, T g, T u, T inv2) { dX(a, n) -= g * u * inv2; });
    }

    /// ParametricEncoder: grad(t) += sum_n dC psi u / sigma^2, grad(l) += sum_n dC psi u^2 / sigma^2.
    void accumulate_param_grads(ConstMatRef<T> X, ConstMatRef<T> dC) {
        check_input(X);
        detail::check_shape(dC, output_dim(), X.cols(), "LearnableGaussian", "dC");
        visit(X, dC, [&](Index a, Index k, Index, T g, T u, T inv2) {
            gt_(k, a) += g * u * inv2;
            gl_(k, a) += g * u * u * inv2;
        });
    }

private:
    /// f(a, k, n, dY * psi, u, 1 / sigma^2) for every entry, in a fixed order.
    template <class F>
    void visit(ConstMatRef<T> X, ConstMatRef<T> dY, F&& f) const {
        const Index D = t_.rows();
        const T s = T(scale_);
        for (Index a = 0; a < input_dim(); ++a)
            for (Index k = 0; k < D; ++k) {
                const T t = t_(k, a), inv2 = std::exp(T(-2) * l_(k, a));  // 1 / sigma^2
                for (Index n = 0; n < X.cols(); ++n) {
                    const T u = X(a, n) - t;
                    const T psi = s * std::exp(-u * u * inv2 / T(2));
                    f(a, k, n, dY(a * D + k, n) * psi, u, inv2);
                }
            }
    }

    void check_input(ConstMatRef<T> X) const {
        detail::check_points<T>(X, input_dim(), "LearnableGaussian");
        for (Index n = 0; n < X.cols(); ++n)
            for (Index a = 0; a < X.rows(); ++a)
                if (!(X(a, n) >= T(0) && X(a, n) <= T(1)))
                    detail::fail("LearnableGaussian: coordinate must be in [0, 1] (got ", double(X(a, n)), " at row ", a,
                                 ", column ", n, ")");
    }

    Mat<T> t_, l_, gt_, gl_;
    double sigma_;
    Scaling scaling_;
    double scale_ = 1.0;
};

}  // namespace posenc

// posenc/encoding/learnable_fourier.hpp — LearnableFourier<T>: Fourier features [sin 2 pi B x; cos 2 pi B x]
// whose frequency matrix B is trained with the network (Li et al., NeurIPS 2021).
#pragma once
#include <cmath>
#include <cstdint>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "posenc/core/error.hpp"
#include "posenc/core/param.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/frequencies.hpp"
#include "posenc/encoding/scaling.hpp"

namespace posenc {

/// Learnable Fourier features (Li, Si, Li, Hsieh, Bengio, "Learnable Fourier Features for
/// Multi-Dimensional Spatial Positional Encoding", NeurIPS 2021): the code of FourierFeatures<T>
/// (encoding/fourier.hpp) without pass-through,
///
///     code(x) = s [ sin(2 pi B x); cos(2 pi B x) ]      (M sine rows, then M cosine rows)
///
/// with a trainable frequency matrix B (M x input_dim, cycles per unit, stored in T). B starts as
/// random_frequencies(M, input_dim, sigma, seed) (encoding/frequencies.hpp), i.e. exactly the B of
/// the factory type "rff" with the same sigma, dim and seed, so an untrained LearnableFourier encodes
/// like that rff. s = 1/sqrt(M) for Scaling::UnitNormAtCenter (every code then has unit norm,
/// whatever B is) and 1 for Scaling::None; it is fixed, not trained.
///
/// ParametricEncoder (encoding/encoder.hpp): one parameter "fourier.B" (M x input_dim; in a Model
/// "encoder.fourier.B"). With phi = 2 pi B x and G = cos(phi) .* dC_sin - sin(phi) .* dC_cos:
///     d sum(dC .* code) / dB = 2 pi s G X^T,        dX = 2 pi s B^T G (backward).
/// Any finite coordinate is accepted; NaN/Inf throw posenc::Error.
template <class T = double>
class LearnableFourier {
public:
    using Scalar = T;  ///< scalar type of inputs, codes and B

    /// M = num_frequencies (>= 1) frequencies in input_dim (>= 1) dimensions, B = sigma N(0, I) drawn
    /// from Rng(seed) (sigma finite, > 0). Throws posenc::Error naming the bad argument.
    LearnableFourier(Index num_frequencies, Index input_dim, double sigma, std::uint64_t seed = 0,
                     Scaling scaling = Scaling::UnitNormAtCenter)
        : sigma_(sigma), seed_(seed), scaling_(scaling) {
        detail::require(num_frequencies >= 1, "LearnableFourier: num_frequencies must be >= 1 (got ", num_frequencies, ")");
        detail::require(input_dim >= 1, "LearnableFourier: input_dim must be >= 1 (got ", input_dim, ")");
        detail::require(std::isfinite(sigma) && sigma > 0, "LearnableFourier: sigma must be finite and > 0 (got ", sigma, ")");
        B_ = random_frequencies(num_frequencies, input_dim, sigma, seed).cast<T>();
        grad_ = Mat<T>::Zero(B_.rows(), B_.cols());
        if (scaling_ == Scaling::UnitNormAtCenter) scale_ = 1.0 / std::sqrt(double(num_frequencies));
    }

    /// d, the columns of B.
    Index input_dim() const { return B_.cols(); }
    /// M, the rows of B.
    Index num_frequencies() const { return B_.rows(); }
    /// 2M.
    Index output_dim() const { return 2 * B_.rows(); }
    /// "learnable_fourier".
    std::string name() const { return "learnable_fourier"; }
    /// The constant s multiplying the code.
    double scale() const { return scale_; }
    /// The (trainable) frequency matrix B, M x d, cycles per unit.
    Mat<T>& frequencies() { return B_; }
    /// The frequency matrix B.
    const Mat<T>& frequencies() const { return B_; }
    /// Its gradient (same shape), accumulated by accumulate_param_grads.
    const Mat<T>& frequencies_grad() const { return grad_; }
    /// Sets the gradient to zero.
    void zero_grad() { grad_.setZero(); }

    /// One parameter, "fourier.B" (M x d): value and gradient owned by this encoder.
    std::vector<Param<T>> parameters() { return {make_param<T>("fourier.B", B_, grad_)}; }

    /// The factory's form (encoding/factory.hpp, type "learnable_fourier"): the initial state. A
    /// trained B travels as the model's encoder tensor (io/model_file.hpp, format version 2).
    EncoderSpec spec() const {
        EncoderSpec s;
        s.type = "learnable_fourier";
        s.params = {{"sigma", sigma_},
                    {"dim", double(output_dim())},
                    {"input_dim", double(input_dim())},
                    {"seed", double(seed_)},
                    {"scale", scaling_ == Scaling::UnitNormAtCenter ? 1.0 : 0.0}};
        return s;
    }

    /// out (2M x N, pre-sized) = code(X), X is d x N.
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        detail::check_points<T>(X, input_dim(), "LearnableFourier");
        detail::check_shape(out, output_dim(), X.cols(), "LearnableFourier", "output");
        const Index M = B_.rows();
        const T s = T(scale_);
        Vec<T> ph(M);
        for (Index n = 0; n < X.cols(); ++n) {
            phases(X, n, ph);
            for (Index m = 0; m < M; ++m) {
                out(m, n) = s * std::sin(ph[m]);
                out(M + m, n) = s * std::cos(ph[m]);
            }
        }
    }

    /// Vector-Jacobian product wrt the coordinates: dX(:, n) = 2 pi s B^T g_n,
    /// g_n = cos(phi_n) .* dY_sin(:, n) - sin(phi_n) .* dY_cos(:, n).
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        detail::check_points<T>(X, input_dim(), "LearnableFourier");
        detail::check_shape(dY, output_dim(), X.cols(), "LearnableFourier", "dY");
        detail::check_shape(dX, input_dim(), X.cols(), "LearnableFourier", "dX");
        const Index M = B_.rows();
        const T c = T(2.0 * std::numbers::pi * scale_);
        Vec<T> ph(M), g(M);
        for (Index n = 0; n < X.cols(); ++n) {
            phase_gradient(X, dY, n, ph, g);
            dX.col(n) = c * (B_.transpose() * g);
        }
    }

    /// ParametricEncoder: grad(B) += 2 pi s sum_n g_n x_n^T (g_n as in backward, with dC for dY).
    void accumulate_param_grads(ConstMatRef<T> X, ConstMatRef<T> dC) {
        detail::check_points<T>(X, input_dim(), "LearnableFourier");
        detail::check_shape(dC, output_dim(), X.cols(), "LearnableFourier", "dC");
        const Index M = B_.rows();
        const T c = T(2.0 * std::numbers::pi * scale_);
        Vec<T> ph(M), g(M);
        for (Index n = 0; n < X.cols(); ++n) {
            phase_gradient(X, dC, n, ph, g);
            grad_.noalias() += (c * g) * X.col(n).transpose();
        }
    }

private:
    /// g <- cos(phi_n) .* G_sin(:, n) - sin(phi_n) .* G_cos(:, n): the gradient wrt point n's phases
    /// (before the factor 2 pi s) for a code gradient G (dY in backward, dC for the parameters).
    void phase_gradient(const ConstMatRef<T>& X, const ConstMatRef<T>& G, Index n, Vec<T>& ph, Vec<T>& g) const {
        phases(X, n, ph);
        const Index M = B_.rows();
        for (Index m = 0; m < M; ++m) g[m] = std::cos(ph[m]) * G(m, n) - std::sin(ph[m]) * G(M + m, n);
    }
    /// ph <- 2 pi B x_n, axis by axis in a fixed order.
    // phi_m = sum_j (2 pi x_j) B(m, j), written into the pre-sized ph element by element: an Eigen
    // assignment here (which may reallocate) makes GCC 12 report a false -Wuse-after-free inside
    // Eigen's aligned_free at -march=x86-64-v2 (the ISA check of docs/development.md).
    void phases(const ConstMatRef<T>& X, Index n, Vec<T>& ph) const {
        const T two_pi = T(2.0 * std::numbers::pi);
        for (Index m = 0; m < B_.rows(); ++m) ph[m] = (two_pi * X(0, n)) * B_(m, 0);
        for (Index j = 1; j < B_.cols(); ++j) {
            const T xj = two_pi * X(j, n);
            for (Index m = 0; m < B_.rows(); ++m) ph[m] += xj * B_(m, j);
        }
    }

    Mat<T> B_, grad_;
    double sigma_;
    std::uint64_t seed_;
    Scaling scaling_;
    double scale_ = 1.0;
};

}  // namespace posenc

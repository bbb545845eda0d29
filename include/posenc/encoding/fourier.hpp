// posenc/encoding/fourier.hpp — Fourier features [sin 2 pi B x; cos 2 pi B x] for a frequency matrix B.
#pragma once
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "posenc/core/parallel.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/scaling.hpp"

namespace posenc {

/// Fourier features of a frequency matrix B (M x input_dim, in cycles per unit, stored as double):
///
///     code(x) = s [ x (optional pass-through);  sin(2 pi B x);  cos(2 pi B x) ]
///
/// i.e. rows [0, d) hold s*x when include_input is set (NeRF style, d = input_dim), then M rows of
/// sines, then M rows of cosines: output_dim() = 2M (+ d). The constant s is 1 for Scaling::None and
/// makes the code of the centre point (0.5, ..., 0.5) unit norm for Scaling::UnitNormAtCenter
/// (s = 1/sqrt(M + d/4) with pass-through, 1/sqrt(M) without: then every code has unit norm).
///
/// Fourier features are defined on all of R^d: any finite coordinate is accepted (integer frequencies
/// make the code 1-periodic; random ones do not). NaN/Inf coordinates throw posenc::Error.
/// The phases 2 pi B x are computed in T (float loses ~1e-7 relative phase accuracy, i.e. about
/// 2e-4 absolute for 512 cycles per unit, as float PyTorch does). See frequencies.hpp for the
/// standard matrices (basic, LinF, LogF, RFF).
template <class T = double>
class FourierFeatures {
public:
    using Scalar = T;  ///< scalar type of inputs and codes

    /// Builds the encoder from B (M x input_dim, M >= 1, input_dim >= 1, all entries finite).
    /// Throws posenc::Error naming the problem otherwise.
    explicit FourierFeatures(Eigen::MatrixXd B, bool include_input = false,
                             Scaling scaling = Scaling::UnitNormAtCenter)
        : B_(std::move(B)), include_input_(include_input), scaling_(scaling) {
        detail::require(B_.rows() > 0, "FourierFeatures: frequency matrix must have at least one row (got 0)");
        detail::require(B_.cols() > 0,
                        "FourierFeatures: frequency matrix must have at least one column (input_dim, got 0)");
        detail::require(B_.allFinite(), "FourierFeatures: frequencies must be finite (got NaN or Inf)");
        W_ = (2.0 * std::numbers::pi * B_).cast<T>();
        if (scaling_ == Scaling::UnitNormAtCenter) {
            const double sq = double(B_.rows()) + (include_input_ ? 0.25 * double(B_.cols()) : 0.0);
            scale_ = 1.0 / std::sqrt(sq);
        }
    }

    /// Number of coordinates per point (columns of B).
    Index input_dim() const { return B_.cols(); }
    /// Number of frequencies M (rows of B).
    Index num_frequencies() const { return B_.rows(); }
    /// 2M, plus input_dim() with the pass-through.
    Index output_dim() const { return 2 * B_.rows() + (include_input_ ? B_.cols() : 0); }
    /// The frequency matrix B (cycles per unit).
    const Eigen::MatrixXd& frequencies() const { return B_; }
    /// Whether x itself is prepended to the code.
    bool include_input() const { return include_input_; }
    /// The scaling rule the constant was chosen with.
    Scaling scaling() const { return scaling_; }
    /// The constant s multiplying the whole code.
    double scale() const { return scale_; }

    /// Writes the codes of the columns of X (input_dim x N) into out (output_dim x N).
    /// Each point is computed on its own (bitwise independent of the batch and of where its column
    /// sits), in parallel over points.
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        detail::check_points<T>(X, input_dim(), "FourierFeatures");
        detail::check_shape(out, output_dim(), X.cols(), "FourierFeatures", "output");
        const Index N = X.cols(), M = B_.rows(), d = B_.cols();
        const Index off = include_input_ ? d : 0;
        const T s = T(scale_);
        [[maybe_unused]] const bool par = parallel_worth_it(N);
        POSENC_OMP(parallel if(par))
        {
            // Per-thread aligned buffers: Eigen's vectorised sin/cos must see the same alignment for
            // every point, so a code is bitwise the same wherever it sits in the batch or output.
            Vec<T> phase(M), tmp(M);
            POSENC_OMP(for schedule(static))
            for (Index n = 0; n < N; ++n) {
                auto col = out.col(n);
                phases(X, n, phase);
                if constexpr (std::is_same_v<T, float>) {
                    // Eigen vectorises float sin/cos (not double's).
                    tmp = phase.array().sin() * s;
                    col.segment(off, M) = tmp;
                    tmp = phase.array().cos() * s;
                    col.segment(off + M, M) = tmp;
                } else {
                    // Scalar loop with sin and cos of the same argument side by side (one sincos call).
                    for (Index m = 0; m < M; ++m) {
                        const T p = phase[m];
                        col[off + m] = s * std::sin(p);
                        col[off + M + m] = s * std::cos(p);
                    }
                }
                if (include_input_) col.head(d) = X.col(n) * s;
            }
        }
    }

    /// Vector-Jacobian product: dX(:, n) = J_n^T dY(:, n), with
    /// J^T dY = s (dY_x + 2 pi B^T (cos(phi) .* dY_sin - sin(phi) .* dY_cos)), phi = 2 pi B x.
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        detail::check_points<T>(X, input_dim(), "FourierFeatures");
        detail::check_shape(dY, output_dim(), X.cols(), "FourierFeatures", "dY");
        detail::check_shape(dX, input_dim(), X.cols(), "FourierFeatures", "dX");
        const Index N = X.cols(), M = B_.rows(), d = B_.cols();
        const Index off = include_input_ ? d : 0;
        const T s = T(scale_);
        [[maybe_unused]] const bool par = parallel_worth_it(N);
        POSENC_OMP(parallel if(par))
        {
            Vec<T> phase(M), g(M);  // per-thread buffers
            POSENC_OMP(for schedule(static))
            for (Index n = 0; n < N; ++n) {
                phases(X, n, phase);
                const auto dy = dY.col(n);
                if constexpr (std::is_same_v<T, float>) {
                    g = phase.array().cos() * dy.segment(off, M).array() -
                        phase.array().sin() * dy.segment(off + M, M).array();
                } else {
                    for (Index m = 0; m < M; ++m) {
                        const T p = phase[m];
                        g[m] = std::cos(p) * dy[off + m] - std::sin(p) * dy[off + M + m];
                    }
                }
                for (Index j = 0; j < d; ++j) {
                    const T v = W_.col(j).dot(g) + (include_input_ ? dy(j) : T(0));
                    dX(j, n) = s * v;
                }
            }
        }
    }

private:
    /// Threads only pay off when there is enough to evaluate (the results do not depend on it).
    bool parallel_worth_it(Index N) const { return N > 1 && N * B_.rows() >= 16384; }

    /// ph <- 2 pi B x_n, accumulated axis by axis in a fixed order (same bits in any batch).
    template <class V>
    void phases(const ConstMatRef<T>& X, Index n, V&& ph) const {
        ph = W_.col(0) * X(0, n);
        for (Index j = 1; j < W_.cols(); ++j) ph += W_.col(j) * X(j, n);
    }

    Eigen::MatrixXd B_;
    Mat<T> W_;  // 2 pi B in T
    bool include_input_ = false;
    Scaling scaling_ = Scaling::UnitNormAtCenter;
    double scale_ = 1.0;
};

}  // namespace posenc

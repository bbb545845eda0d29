// posenc/analysis/variogram.hpp — the empirical variogram of a signal sampled on a uniform 2D grid,
// and the test error it predicts for a separable linear smoother (the Kronecker closed form of
// protocol D is one): the signal-based criterion of recommend_bandwidth for that model
// (docs/theory.md §9, "The variogram criterion").
//
// Model: the signal Z is a random field with mean square m2 = E[Z^2] and (intrinsically stationary)
// variogram gamma(u) = E[(Z(p + u) - Z(p))^2] / 2. A linear prediction Z^(p0) = sum_i w_i Z(p_i) then
// has the expected squared error (kriging variance, not assuming sum_i w_i = 1)
//
//     E = m2 (1 - sum_i w_i)^2 - sum_ij w_i w_j gamma(p_i - p_j) + 2 sum_i w_i gamma(p_i - p0),
//
// which follows from C(u) = C(0) - gamma(u) and C(0) + mean^2 = m2. For a separable smoother on a grid
// (w = wy (x) wx) and test points at every midpoint of the grid, the average of E over all test points
// factorises into per-axis sums: the mean weight sum and sum of squares, the mean autocorrelation of the
// weights A(k) = mean_q sum_c w_c w_{c+k}, and the mean weight at each offset c - x_q, B(delta). So
// predicted_smoother_mse() is exact for the model, over all test points, in O(n^2) per axis.
//
// gamma is measured from the training grid at the short integer lags (in units of the grid spacing, up
// to 4 by default), averaged over directions of equal length (isotropic), and modelled by the power law
// gamma(r) = scale r^alpha fitted to them; the model gives gamma below one spacing, where the test points
// sit and no pair of samples is. A piecewise model that follows the empirical values to longer lags was
// tried first (2026-12-03, docs/theory.md §9): it is not a valid variogram, and its predicted errors
// jump between neighbouring widths on smooth signals.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"

namespace posenc {

/// Variogram of one or more channels sampled on a uniform grid, as a function of the lag length r in
/// units of the grid spacing: the isotropic empirical values at the integer lags measured, and the power
/// law gamma(r) = scale r^alpha fitted to them, which is what operator() returns.
struct GridVariogram {
    std::vector<double> radius;  ///< lag lengths sqrt(dx^2 + dy^2) of the integer lags measured, ascending, > 0
    std::vector<double> value;   ///< empirical gamma at each radius (mean over channels, lags of that length and pairs)
    double alpha = 1;            ///< exponent of the fitted power law, in [0, 1.99]
    double scale = 0;            ///< its factor: gamma(1)
    double mean_square = 0;      ///< m2 = mean of Z^2 over samples and channels

    /// The model at lag length r >= 0: scale r^alpha (0 at r = 0).
    double operator()(double r) const { return r > 0 ? scale * std::pow(r, alpha) : 0.0; }
};

/// Variogram of the grids `channels` (each ny x nx, the same shape, uniform spacing in both axes):
/// the empirical values over the integer lags 0 <= dx, |dy| <= max_lag (pairs of samples both inside the
/// grid), averaged over directions of equal length, and the power law fitted to them by least squares
/// in log gamma against log r. The exponent is clamped to [0, 1.99]: below 2 the power law is a valid
/// variogram (that of a fractional Brownian field), so the kriging error of any weights that sum to 1 is
/// >= 0; 0 is white noise, near 2 a smooth, locally linear signal. Only short lags are used (default 4
/// in recommend_bandwidth): they decide how well a point halfway between samples can be interpolated,
/// and a power law does not describe a natural image's longer lags. Throws posenc::Error for no channel,
/// channels of different shapes, non-finite values, max_lag < 2 or a grid with fewer than max_lag + 2
/// samples along an axis.
inline GridVariogram grid_variogram(const std::vector<Mat<double>>& channels, Index max_lag) {
    constexpr const char* who = "grid_variogram";
    detail::require(!channels.empty(), who, ": needs at least one channel");
    detail::require(max_lag >= 2, who, ": max_lag must be >= 2 (got ", max_lag, ")");
    const Index ny = channels[0].rows(), nx = channels[0].cols();
    for (const auto& z : channels) {
        detail::require(z.rows() == ny && z.cols() == nx, who, ": every channel must be ", ny, " x ", nx);
        detail::require(z.allFinite(), who, ": values must be finite");
    }
    detail::require(nx >= max_lag + 2 && ny >= max_lag + 2, who, ": the grid (", ny, " x ", nx,
                    ") needs at least max_lag + 2 = ", max_lag + 2, " samples per axis");
    // Sum and count per squared lag length dx^2 + dy^2 (isotropic: every direction of that length).
    const Index R2 = 2 * max_lag * max_lag;
    std::vector<double> sum(std::size_t(R2 + 1), 0.0), count(std::size_t(R2 + 1), 0.0);
    for (const auto& z : channels)
        for (Index dy = -max_lag; dy <= max_lag; ++dy)
            for (Index dx = 0; dx <= max_lag; ++dx) {
                if (dx == 0 && dy <= 0) continue;  // (0, 0) and the mirror of (0, dy > 0)
                const Index r0 = std::max<Index>(0, -dy), r1 = std::min(ny, ny - dy);
                const Index rows = r1 - r0, cols = nx - dx;
                // 0.5 (Z(r + dy, c + dx) - Z(r, c))^2 over every pair inside the grid
                const double s = (z.block(r0 + dy, dx, rows, cols) - z.block(r0, 0, rows, cols)).squaredNorm();
                const std::size_t k = std::size_t(dx * dx + dy * dy);
                sum[k] += 0.5 * s;
                count[k] += double(rows * cols);
            }
    GridVariogram g;
    for (Index k = 1; k <= R2; ++k)
        if (count[std::size_t(k)] > 0 && std::sqrt(double(k)) <= double(max_lag) + 1e-12) {
            g.radius.push_back(std::sqrt(double(k)));
            g.value.push_back(sum[std::size_t(k)] / count[std::size_t(k)]);
        }
    // log gamma = log scale + alpha log r, least squares over the radii with gamma > 0
    double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
    for (std::size_t i = 0; i < g.radius.size(); ++i)
        if (g.value[i] > 0) {
            const double lx = std::log(g.radius[i]), ly = std::log(g.value[i]);
            sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly, n += 1;
        }
    if (n >= 2) {
        g.alpha = std::clamp((n * sxy - sx * sy) / (n * sxx - sx * sx), 0.0, 1.99);
        g.scale = std::exp((sy - g.alpha * sx) / n);
    }  // else a constant signal: scale 0, gamma = 0 everywhere
    double m2 = 0, count_all = 0;
    for (const auto& z : channels) m2 += z.squaredNorm(), count_all += double(z.size());
    g.mean_square = m2 / count_all;
    return g;
}

/// One axis of a separable linear smoother, averaged over its test positions: what
/// predicted_smoother_mse() needs.
struct AxisSmoother {
    double mean_sum = 0;        ///< mean over test positions q of sum_c w_cq
    double mean_sum_sq = 0;     ///< mean over q of (sum_c w_cq)^2
    std::vector<double> autocorr;  ///< A(k), k = 0 .. n - 1: mean over q of sum_c w_cq w_(c+k)q (A(-k) = A(k))
    std::vector<double> offset;    ///< B at offsets (j - n + 0.5) spacings, j = 0 .. 2n - 1: mean over q of sum of w_cq with x_c - x_q there
};

/// Summary of the weights W (n x Q: column q holds the weights of the n training samples of the axis for
/// test position q) of a smoother whose training samples are at 0, 1, ..., n - 1 and whose test
/// positions are test[q] (in spacings; midpoints q + 0.5 for protocol D). Offsets x_c - x_q are rounded
/// to the nearest half-integer and clamped to +-(n - 0.5). Throws posenc::Error for a W with no rows or
/// columns, a test vector of another length than W's columns or non-finite entries.
inline AxisSmoother axis_smoother(const Mat<double>& W, const std::vector<double>& test) {
    constexpr const char* who = "axis_smoother";
    const Index n = W.rows(), Q = W.cols();
    detail::require(n >= 1 && Q >= 1, who, ": needs a non-empty weight matrix (got ", n, " x ", Q, ")");
    detail::require(Index(test.size()) == Q, who, ": ", Q, " test positions expected (got ", test.size(), ")");
    detail::require(W.allFinite(), who, ": weights must be finite");
    for (double t : test) detail::require(std::isfinite(t), who, ": test positions must be finite");
    AxisSmoother a;
    a.autocorr.assign(std::size_t(n), 0.0);
    a.offset.assign(std::size_t(2 * n), 0.0);
    for (Index q = 0; q < Q; ++q) {
        const auto w = W.col(q);
        const double s = w.sum();
        a.mean_sum += s;
        a.mean_sum_sq += s * s;
        for (Index k = 0; k < n; ++k) a.autocorr[std::size_t(k)] += w.head(n - k).dot(w.tail(n - k));
        for (Index c = 0; c < n; ++c) {
            const double j = std::round(double(c) - test[std::size_t(q)] - 0.5) + double(n);
            a.offset[std::size_t(std::clamp(j, 0.0, double(2 * n - 1)))] += w(c);
        }
    }
    const double inv = 1.0 / double(Q);
    a.mean_sum *= inv;
    a.mean_sum_sq *= inv;
    for (double& v : a.autocorr) v *= inv;
    for (double& v : a.offset) v *= inv;
    return a;
}

/// Expected squared error of the separable smoother w = wy (x) wx under the variogram model g, averaged
/// over every pair of test positions (x_q of the x axis, y_p of the y axis): the kriging variance of the
/// header comment, computed from the per-axis summaries. Lags are Euclidean in spacings (the two axes
/// must have the same spacing). The m2 term treats the field as stationary with mean square m2 while the
/// power law has no sill: it only prices weights that do not sum to 1, which the closed form's do
/// nearly. May round to slightly below 0 for a very smooth signal; callers clamp it.
inline double predicted_smoother_mse(const GridVariogram& g, const AxisSmoother& x, const AxisSmoother& y) {
    detail::require(!g.radius.empty(), "predicted_smoother_mse: empty variogram");
    const Index nx = Index(x.autocorr.size()), ny = Index(y.autocorr.size());
    // m2 * mean (1 - sx sy)^2 = m2 (1 - 2 mean sx mean sy + mean sx^2 mean sy^2)
    double e = g.mean_square * (1 - 2 * x.mean_sum * y.mean_sum + x.mean_sum_sq * y.mean_sum_sq);
    // - sum_{kx, ky} A_x(kx) A_y(ky) gamma(|(kx, ky)|), both signs of each lag
    double quad = 0;
    for (Index ky = 0; ky < ny; ++ky) {
        const double ay = y.autocorr[std::size_t(ky)] * (ky == 0 ? 1 : 2);
        if (ay == 0) continue;
        for (Index kx = 0; kx < nx; ++kx) {
            const double ax = x.autocorr[std::size_t(kx)] * (kx == 0 ? 1 : 2);
            if (ax != 0) quad += ax * ay * g(std::hypot(double(kx), double(ky)));
        }
    }
    // + 2 sum_{dx, dy} B_x(dx) B_y(dy) gamma(|(dx, dy)|)
    double cross = 0;
    for (Index jy = 0; jy < 2 * ny; ++jy) {
        const double by = y.offset[std::size_t(jy)];
        if (by == 0) continue;
        const double dy = double(jy - ny) + 0.5;
        for (Index jx = 0; jx < 2 * nx; ++jx) {
            const double bx = x.offset[std::size_t(jx)];
            if (bx != 0) cross += bx * by * g(std::hypot(double(jx - nx) + 0.5, dy));
        }
    }
    return e - quad + 2 * cross;
}

}  // namespace posenc

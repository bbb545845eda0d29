// Shared helpers for the network tests: central finite differences and a norm-wise relative error.
#pragma once
#include <algorithm>
#include <cmath>

#include "posenc/core/random.hpp"
#include "posenc/core/types.hpp"

namespace posenc::test {

/// Five-point central finite differences (error O(h^4)) of loss() with respect to the n scalars at x
/// (perturbed in place, restored).
template <class F>
Vec<double> fd_gradient(double* x, Index n, F&& loss, double h = 1e-5) {
    Vec<double> g(n);
    auto at = [&](Index i, double x0, double d) {
        x[i] = x0 + d;
        return loss();
    };
    for (Index i = 0; i < n; ++i) {
        const double x0 = x[i];
        const double d1 = at(i, x0, h) - at(i, x0, -h);
        const double d2 = at(i, x0, 2 * h) - at(i, x0, -2 * h);
        x[i] = x0;
        g(i) = (8 * d1 - d2) / (12 * h);
    }
    return g;
}

/// ||a - b|| / max(||a||, ||b||, tiny): the relative error of a gradient as a whole.
inline double rel_error(const Vec<double>& a, const Vec<double>& b) {
    const double s = std::max({a.norm(), b.norm(), 1e-300});
    return (a - b).norm() / s;
}

/// m's entries as one column vector (column-major order), without a copy.
inline Eigen::Map<const Vec<double>> flat(const Mat<double>& m) { return {m.data(), m.size()}; }

/// A rows x cols matrix with entries uniform in [lo, hi) from rng.
inline Mat<double> uniform_mat(Rng& rng, Index rows, Index cols, double lo = -1, double hi = 1) {
    Mat<double> m(rows, cols);
    for (Index j = 0; j < cols; ++j)
        for (Index i = 0; i < rows; ++i) m(i, j) = rng.uniform(lo, hi);
    return m;
}

}  // namespace posenc::test

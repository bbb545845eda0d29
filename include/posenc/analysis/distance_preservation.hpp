// posenc/analysis/distance_preservation.hpp — how well an encoding preserves distances.
//
// Protocol A of docs/protocols.md (paper "Rethinking Positional Encoding", Sec. 4): around a point
// x0, for offsets delta,
//
//     k(delta) = <Psi(x0), Psi(x0 + delta)> / (||Psi(x0)|| ||Psi(x0 + delta)||)
//
// with delta in linspace(-0.5, 0.5, 201) and x0 = 0.5 (protocol_deltas()). A good encoding has k
// close to 1 for small |delta| and decaying with |delta|; for a shifted basis with many shifts k
// approaches the profile's closed-form kernel (kernel_curve()). half_width() summarises a curve by
// the smallest |delta| where k falls to 1/2.
#pragma once
#include <algorithm>
#include <cmath>
#include <concepts>
#include <limits>
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/profiles/profile.hpp"  // HasKernel

namespace posenc {

/// A sampled curve k(delta): delta[j] and the value k[j] at it (same length).
struct DistanceCurve {
    Vec<double> delta;  ///< offsets from the reference point
    Vec<double> k;      ///< normalised inner product (or kernel value) at each offset
};

/// The `num` offsets of protocol A: NumPy's linspace(lo, hi, num), i.e. lo + j * (hi - lo) / (num - 1)
/// with the last one exactly hi (bit-identical to the reference implementation). Defaults give the
/// 201 offsets in [-0.5, 0.5]. Throws posenc::Error for num < 2 or a non-finite / empty range.
inline Vec<double> protocol_deltas(Index num = 201, double lo = -0.5, double hi = 0.5) {
    detail::require(num >= 2, "protocol_deltas: num must be >= 2 (got ", num, ")");
    detail::require(std::isfinite(lo) && std::isfinite(hi) && lo < hi,
                    "protocol_deltas: need finite lo < hi (got ", lo, ", ", hi, ")");
    Vec<double> d(num);
    const double step = (hi - lo) / double(num - 1);
    for (Index j = 0; j < num; ++j) {
        // volatile: the product must be rounded before the addition, as in NumPy; a fused
        // multiply-add (-ffp-contract=fast with -march=native) would change the last bit.
        volatile double p = double(j) * step;
        d[j] = p + lo;
    }
    d[num - 1] = hi;
    return d;
}

/// Empirical distance-preservation curve of encoder e around the point x0 (input_dim x 1) along
/// `direction` (input_dim x 1, used as given, not normalised): the codes of x0 and of every
/// x0 + delta_j * direction, k_j = normalised inner product (computed in double). k_j is 0 when either
/// code is the zero vector. The encoder validates the points: for a bounded-domain encoder every
/// x0 + delta * direction must lie in [0, 1] (else its posenc::Error propagates).
template <Encoder E>
DistanceCurve distance_curve(const E& e, const Vec<double>& x0, const Vec<double>& direction,
                             const Vec<double>& deltas) {
    using T = typename E::Scalar;
    const Index d = e.input_dim();
    if (x0.size() != d || direction.size() != d)
        detail::fail("distance_curve: x0 and direction must have input_dim = ", d, " entries (got ",
                    x0.size(), " and ", direction.size(), ")");
    detail::require(deltas.size() > 0, "distance_curve: deltas must not be empty");
    detail::require(deltas.allFinite() && x0.allFinite() && direction.allFinite(),
                    "distance_curve: x0, direction and deltas must be finite");
    const Index M = deltas.size();
    Mat<T> X0 = x0.template cast<T>();
    Mat<T> X(d, M);
    for (Index j = 0; j < M; ++j) X.col(j) = (x0 + deltas[j] * direction).template cast<T>();
    const Mat<double> c0 = encode(e, X0).template cast<double>();
    const Mat<double> C = encode(e, X).template cast<double>();
    const double n0 = c0.norm();
    DistanceCurve out;
    out.delta = deltas;
    out.k.resize(M);
    for (Index j = 0; j < M; ++j) {
        const double nj = C.col(j).norm();
        out.k[j] = (n0 > 0 && nj > 0) ? C.col(j).dot(c0.col(0)) / (n0 * nj) : 0.0;
    }
    return out;
}

/// Distance-preservation curve of a 1D encoder (input_dim() == 1) around x0 (protocol A: x0 = 0.5,
/// deltas = protocol_deltas(), points x0 + delta). Throws posenc::Error when the encoder's
/// input_dim is not 1, and propagates the encoder's error for points outside its domain.
template <Encoder E>
DistanceCurve distance_curve(const E& e, double x0 = 0.5, const Vec<double>& deltas = protocol_deltas()) {
    if (e.input_dim() != 1)
        detail::fail("distance_curve: the scalar-x0 form needs a 1D encoder (input_dim = ",
                    e.input_dim(), "); pass x0 and direction vectors instead");
    return distance_curve(e, Vec<double>::Constant(1, x0), Vec<double>::Ones(1), deltas);
}

/// Closed-form kernel curve k(delta) = kern.kernel(delta) at the given offsets, for anything with a
/// `kernel(delta)` member (HasKernel, profiles/profile.hpp): a profile with a closed-form kernel, or a
/// ShiftedBasis of one (which forwards it). For a shifted basis this is the large-D limit of
/// distance_curve() (exact for a Gaussian up to truncation and for the sine wave at any D).
template <HasKernel K>
DistanceCurve kernel_curve(const K& kern, const Vec<double>& deltas = protocol_deltas()) {
    DistanceCurve out;
    out.delta = deltas;
    out.k.resize(deltas.size());
    for (Index j = 0; j < deltas.size(); ++j) out.k[j] = double(kern.kernel(deltas[j]));
    return out;
}

/// Scalar summary of a curve: the smallest |delta| at which k falls to `level` (default 1/2),
/// searching outwards on both sides from the sample closest to delta = 0 and interpolating
/// linearly in |delta| between the last sample above and the first at or below `level`.
/// Returns +infinity when k never falls to `level`, and |delta| of the centre sample when k is
/// already <= level there. deltas must be strictly increasing and finite (posenc::Error otherwise).
inline double half_width(const Vec<double>& delta, const Vec<double>& k, double level = 0.5) {
    detail::require(delta.size() == k.size() && delta.size() > 0,
                    "half_width: delta and k must be non-empty and of equal length (got ", delta.size(),
                        " and ", k.size(), ")");
    detail::require(delta.allFinite() && k.allFinite() && std::isfinite(level),
                    "half_width: delta, k and level must be finite");
    for (Index j = 1; j < delta.size(); ++j)
        detail::require(delta[j] > delta[j - 1], "half_width: delta must be strictly increasing");
    Index c = 0;
    delta.cwiseAbs().minCoeff(&c);
    if (k[c] <= level) return std::abs(delta[c]);
    double best = std::numeric_limits<double>::infinity();
    for (int side : {-1, 1}) {
        for (Index j = c + side, prev = c; j >= 0 && j < delta.size(); prev = j, j += side) {
            if (k[j] <= level) {
                const double a = std::abs(delta[prev]), b = std::abs(delta[j]);
                const double t = (k[prev] - level) / (k[prev] - k[j]);
                best = std::min(best, a + t * (b - a));
                break;
            }
        }
    }
    return best;
}

/// half_width() of a DistanceCurve.
inline double half_width(const DistanceCurve& curve, double level = 0.5) {
    return half_width(curve.delta, curve.k, level);
}

}  // namespace posenc

// posenc/encoding/windows.hpp — sparse per-point windows of a compact-support encoding.
#pragma once
#include <concepts>
#include <cstdint>

#include "posenc/encoding/encoder.hpp"

namespace posenc {

/// The non-zero part of a batch's encoding, K entries per point (K fixed per encoder):
/// code(index(k, n), n) == weight(k, n), and every other entry of column n is zero (or below the
/// profile's truncation tolerance). Unused slots have weight 0 and a valid index, so consumers can
/// loop over all K slots without branches. For per-axis / concatenated encoders, indices are
/// already offset into the full output (two 1D windows -> one window of K_x + K_y slots).
template <class T>
struct Windows {
    Index width = 0;   ///< K, slots per point
    IndexMat index;    ///< K x N, row of the full encoding each slot refers to
    Mat<T> weight;     ///< K x N, value of the encoding at that row
    /// N, the number of points.
    Index cols() const { return index.cols(); }
    /// Sets the width to K and resizes index and weight to K x N (contents unspecified).
    void resize(Index K, Index N) {
        width = K;
        index.resize(K, N);
        weight.resize(K, N);
    }
    /// Throws posenc::Error naming `who` unless weight has index's shape and every index lies in
    /// [0, D): the one check of a window set consumers run before trusting it.
    void check(Index D, const char* who) const {
        const Index K = index.rows(), N = index.cols();
        if (weight.rows() != K || weight.cols() != N)
            detail::fail(who, ": windows.weight must be ", K, " x ", N, " like windows.index (got ", weight.rows(),
                         " x ", weight.cols(), ")");
        if (K > 0 && N > 0 && (index.minCoeff() < 0 || index.maxCoeff() >= D))
            detail::fail(who, ": windows.index entries must lie in [0, ", D, ")");
    }
};

namespace detail {
/// Window stacking for composed encoders (PerAxis, Concat, Directional): copies a part's windows
/// (k_part x N) into rows [k0, k0 + k_part) of w, indices offset by `offset` into the full code and
/// weights times `scale`. Throws posenc::Error "who: <part> returned windows of the wrong shape" when
/// the part's windows are not k_part x N; the part is named `part_name` followed by `part_index`
/// (omitted when part_index < 0), e.g. "axis 1" or "the axis encoder".
template <class T>
void place_windows(Windows<T>& w, Index k0, const Windows<T>& part, Index k_part, Index offset, T scale,
                   const char* who, const char* part_name, Index part_index) {
    const Index N = w.cols();
    if (part.index.rows() != k_part || part.index.cols() != N || part.weight.rows() != k_part ||
        part.weight.cols() != N) {
        if (part_index < 0) detail::fail(who, ": ", part_name, " returned windows of the wrong shape");
        detail::fail(who, ": ", part_name, part_index, " returned windows of the wrong shape");
    }
    w.index.middleRows(k0, k_part) = part.index.array() + std::int32_t(offset);
    if (scale == T(1))
        w.weight.middleRows(k0, k_part) = part.weight;
    else
        w.weight.middleRows(k0, k_part) = part.weight * scale;
}
}  // namespace detail

/// An encoder that can produce Windows: e.window_width() gives K (0 if it has no compact support),
/// e.windows(X, w) fills w (resized to K x N).
template <class E>
concept WindowedEncoder = Encoder<E> && requires(const E& e, ConstMatRef<typename E::Scalar> X,
                                                 Windows<typename E::Scalar>& w) {
    { e.window_width() } -> std::convertible_to<Index>;
    e.windows(X, w);
};

}  // namespace posenc

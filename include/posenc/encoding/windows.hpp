// posenc/encoding/windows.hpp — sparse per-point windows of a compact-support encoding.
#pragma once
#include <concepts>

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
};

/// An encoder that can produce Windows: e.window_width() gives K (0 if it has no compact support),
/// e.windows(X, w) fills w (resized to K x N).
template <class E>
concept WindowedEncoder = Encoder<E> && requires(const E& e, ConstMatRef<typename E::Scalar> X,
                                                 Windows<typename E::Scalar>& w) {
    { e.window_width() } -> std::convertible_to<Index>;
    e.windows(X, w);
};

}  // namespace posenc

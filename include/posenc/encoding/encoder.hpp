// posenc/encoding/encoder.hpp — the Encoder concept every encoding satisfies, and encode() helpers.
#pragma once
#include <concepts>
#include <string>
#include <vector>

#include "posenc/core/checks.hpp"
#include "posenc/core/error.hpp"
#include "posenc/core/param.hpp"
#include "posenc/core/types.hpp"

namespace posenc {

/// An encoder maps a batch of points X (input_dim x N, points as columns) to codes (output_dim x N).
///
///   e.encode(X, out)        out must be pre-sized output_dim x N; overwritten.
///   e.backward(X, dY, dX)   vector-Jacobian product: dX(:, n) = J_n^T dY(:, n), where J_n is the
///                           output_dim x input_dim Jacobian of the code at point n. dX is pre-sized
///                           input_dim x N and overwritten. Use it to back-propagate into coordinates.
///
/// Encoders validate their inputs (dimension, finiteness, domain) and throw posenc::Error.
template <class E>
concept Encoder = requires(const E& e, ConstMatRef<typename E::Scalar> X, MatRef<typename E::Scalar> out) {
    typename E::Scalar;
    { e.input_dim() } -> std::convertible_to<Index>;
    { e.output_dim() } -> std::convertible_to<Index>;
    e.encode(X, out);
    e.backward(X, X, out);
};

/// An encoder with trainable parameters (docs/nn.md, "Encoders with parameters"). Besides Encoder:
///
///   e.parameters()                  views (value + gradient, core/param.hpp) of its parameter
///                                   tensors, named without a prefix (Model adds "encoder.");
///   e.accumulate_param_grads(X, dC) ADDS to those gradients the gradient of sum(dC .* codes(X))
///                                   with respect to the parameters, for points X (input_dim x N)
///                                   and a code gradient dC = dL/dcodes (output_dim x N).
///
/// encode() and backward() use the current parameter values. Model asks for dC from its first layer
/// (W0^T dZ0), zeroes the gradients and calls accumulate_param_grads once per backward; train()
/// then updates these parameters with the network's. Encoders without parameters (every fixed
/// encoding) do not model this concept and cost nothing.
template <class E>
concept ParametricEncoder = Encoder<E> && requires(E& e, ConstMatRef<typename E::Scalar> X) {
    { e.parameters() } -> std::same_as<std::vector<Param<typename E::Scalar>>>;
    e.accumulate_param_grads(X, X);
};

/// Convenience: returns the encoding of X as a new matrix.
template <Encoder E>
Mat<typename E::Scalar> encode(const E& e, ConstMatRef<typename E::Scalar> X) {
    Mat<typename E::Scalar> out(e.output_dim(), X.cols());
    e.encode(X, out);
    return out;
}

}  // namespace posenc

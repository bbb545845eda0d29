// posenc/encoding/identity.hpp — the "no encoding" encoder: the code of a point is the point.
#pragma once
#include <string>

#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"

namespace posenc {

/// Identity encoding (the paper's "no embedding"): code(x) = x, output_dim() == input_dim().
/// Accepts any finite coordinate (there is no domain to leave); NaN/Inf throw posenc::Error.
template <class T = double>
class Identity {
public:
    using Scalar = T;  ///< scalar type of inputs and codes

    /// Identity on `input_dim`-dimensional points; throws posenc::Error unless input_dim > 0.
    explicit Identity(Index input_dim = 1) : dim_(input_dim) {
        detail::require(input_dim > 0,
                        "Identity: input_dim must be > 0 (got ", input_dim, ")");
    }

    /// Number of coordinates per point.
    Index input_dim() const { return dim_; }
    /// Same as input_dim().
    Index output_dim() const { return dim_; }
    /// The factory's form {"type": "identity", "input_dim"}.
    EncoderSpec spec() const { return EncoderSpec{"identity", {{"input_dim", double(dim_)}}, {}}; }

    /// out = X (out pre-sized input_dim x N).
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        detail::check_points<T>(X, dim_, "Identity");
        detail::check_shape(out, dim_, X.cols(), "Identity", "output");
        out = X;
    }

    /// dX = dY (the Jacobian is the identity).
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        detail::check_points<T>(X, dim_, "Identity");
        detail::check_shape(dY, dim_, X.cols(), "Identity", "dY");
        detail::check_shape(dX, dim_, X.cols(), "Identity", "dX");
        dX = dY;
    }

private:
    Index dim_;
};

}  // namespace posenc

// posenc/encoding/concat.hpp — several encoders of the same input, codes stacked (tiny-cuda-nn "Composite"-like).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "posenc/core/checks.hpp"
#include "posenc/encoding/any_encoder.hpp"

namespace posenc {

/// Concatenation of arbitrary encoders that all read the same input point:
///
///     code(x) = [ E_0(x); E_1(x); ... ]
///
/// (e.g. an Identity next to a Gaussian basis, or RFF next to LogF). No rescaling: each part keeps its
/// own scale. Part i's block starts at row offset(i). When every part has windows (window_width() > 0)
/// the concatenation has windows too (K = sum of the parts' K, indices offset into the full code);
/// otherwise window_width() is 0 and windows() throws posenc::Error.
template <class T = double>
class Concat {
public:
    using Scalar = T;  ///< scalar type of inputs and codes

    /// Throws posenc::Error when `parts` is empty, a part is empty, or the parts' input dimensions differ.
    explicit Concat(std::vector<AnyEncoder<T>> parts) : parts_(std::move(parts)) {
        detail::require(!parts_.empty(), "Concat: needs at least one part (got 0)");
        offsets_.assign(1, 0);
        for (std::size_t i = 0; i < parts_.size(); ++i) {
            detail::require(!parts_[i].empty(), "Concat: part ", i, " is an empty AnyEncoder");
            const Index in = parts_[i].input_dim();
            detail::require(in == parts_[0].input_dim(),
                            "Concat: every part must have the same input_dim (part 0 has ",
                                parts_[0].input_dim(), ", part ", i, " has ",
                                in, ")");
            offsets_.push_back(offsets_.back() + parts_[i].output_dim());
        }
    }

    /// The common input dimension.
    Index input_dim() const { return parts_[0].input_dim(); }
    /// Sum of the parts' output dimensions.
    Index output_dim() const { return offsets_.back(); }
    /// Number of parts.
    Index num_parts() const { return Index(parts_.size()); }
    /// Part i.
    const AnyEncoder<T>& part(Index i) const { return parts_.at(std::size_t(i)); }
    /// First row of part i's block (offset(num_parts()) == output_dim()).
    Index offset(Index i) const { return offsets_.at(std::size_t(i)); }

    /// Writes the codes of the columns of X into out (output_dim x N), part by part.
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        detail::check_points<T>(X, input_dim(), "Concat");
        detail::check_shape(out, output_dim(), X.cols(), "Concat", "output");
        for (Index i = 0; i < num_parts(); ++i) {
            auto block = out.middleRows(offset(i), offset(i + 1) - offset(i));
            parts_[std::size_t(i)].encode(X, block);
        }
    }

    /// Vector-Jacobian product: the sum of the parts' VJPs of their blocks of dY.
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        detail::check_points<T>(X, input_dim(), "Concat");
        detail::check_shape(dY, output_dim(), X.cols(), "Concat", "dY");
        detail::check_shape(dX, input_dim(), X.cols(), "Concat", "dX");
        Mat<T> g(input_dim(), X.cols());
        for (Index i = 0; i < num_parts(); ++i) {
            parts_[std::size_t(i)].backward(X, dY.middleRows(offset(i), offset(i + 1) - offset(i)), g);
            if (i == 0) dX = g;
            else dX += g;
        }
    }

    /// Sum of the parts' window widths, or 0 if any part has no windows.
    Index window_width() const {
        Index k = 0;
        for (const auto& p : parts_) {
            const Index kp = p.window_width();
            if (kp <= 0) return 0;
            k += kp;
        }
        return k;
    }

    /// Fills w (K x N) with the parts' windows one after the other; throws when window_width() == 0.
    void windows(ConstMatRef<T> X, Windows<T>& w) const {
        const Index K = window_width();
        detail::require(K > 0, "Concat: a part has no compact-support windows (window_width() == 0)");
        detail::check_points<T>(X, input_dim(), "Concat");
        w.resize(K, X.cols());
        Windows<T> wp;
        Index k0 = 0;
        for (Index i = 0; i < num_parts(); ++i) {
            const auto& p = parts_[std::size_t(i)];
            const Index kp = p.window_width();
            p.windows(X, wp);
            detail::place_windows(w, k0, wp, kp, offset(i), T(1), "Concat", "part ", i);
            k0 += kp;
        }
    }

private:
    std::vector<AnyEncoder<T>> parts_;
    std::vector<Index> offsets_;
};

}  // namespace posenc

// posenc/core/checks.hpp — the shared argument checks: a batch of points (rows, finiteness) and a
// matrix's shape; each throws posenc::Error naming the caller and the argument.
#pragma once

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"

namespace posenc::detail {

/// Throws unless X has input_dim rows and every entry is finite: "who: input dimension must be ...".
template <class T>
void check_points(ConstMatRef<T> X, Index input_dim, const char* who) {
    if (X.rows() != input_dim)
        detail::fail(who, ": input dimension must be ", input_dim, " (got ", X.rows(), " rows)");
    if (!X.allFinite()) detail::fail(who, ": coordinates must be finite (got NaN or Inf)");
}

/// Throws unless `m` is rows x cols; `what` names the argument: "who: what must be R x C (got ...)".
template <class M>
void check_shape(const M& m, Index rows, Index cols, const char* who, const char* what) {
    if (m.rows() != rows || m.cols() != cols)
        detail::fail(who, ": ", what, " must be ", rows, " x ", cols, " (got ", m.rows(), " x ", m.cols(), ")");
}

}  // namespace posenc::detail

// posenc/core/gemm.hpp — gemm(): the one matrix product of posenc's layers, C (+)= op(A) op(B).
#pragma once
#include <string>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"

/// Keeps a function out of line (GCC, clang); expands to nothing elsewhere.
#if defined(__GNUC__)
#define POSENC_NOINLINE __attribute__((noinline))
#else
#define POSENC_NOINLINE
#endif

namespace posenc {
namespace detail {

/// An operand of gemm() as it is (N) or transposed (T).
enum class Op { N, T };

/// C = op(A) op(B), or C += op(A) op(B) with `accumulate`; C must be pre-sized (throws posenc::Error
/// on a shape mismatch). Every product of the training and inference path (layer forward, input
/// gradients, weight gradients, predict) goes through this function, which is never inlined: a
/// translation unit instantiates Eigen's product machinery (GEMM, GEMV and the small coefficient-
/// based kernels) once per scalar and op pair, not once per expression type at every call site.
/// That is most of the compile time of a program that trains a posenc Model (docs/development.md).
template <class T>
POSENC_NOINLINE void gemm(Op oa, Op ob, ConstMatRef<T> A, ConstMatRef<T> B, MatRef<T> C, bool accumulate = false) {
    const Index m = oa == Op::N ? A.rows() : A.cols(), k = oa == Op::N ? A.cols() : A.rows();
    const Index kb = ob == Op::N ? B.rows() : B.cols(), n = ob == Op::N ? B.cols() : B.rows();
    if (k != kb || C.rows() != m || C.cols() != n)
        detail::fail("gemm: shapes do not match: op(A) is ", m, " x ", k,
                    ", op(B) ", kb, " x ", n, ", C ", C.rows(),
                    " x ", C.cols());
    // One form per op pair (C += ...): "=" would instantiate Eigen's evalTo path a second time.
    if (!accumulate) C.setZero();
    if (oa == Op::N && ob == Op::N) C.noalias() += A * B;
    else if (oa == Op::T && ob == Op::N) C.noalias() += A.transpose() * B;
    else if (oa == Op::N) C.noalias() += A * B.transpose();
    else throw Error("gemm: op(A) = op(B) = T is not supported (write (B A)^T)");
}

}  // namespace detail
}  // namespace posenc

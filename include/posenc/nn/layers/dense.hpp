// posenc/nn/layers/dense.hpp — a fully connected layer Z = W X + b with hand-written backward.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/gemm.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/random.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/core/param.hpp"

namespace posenc {

namespace detail {
/// out(r) = sum_n M(r, n), parallel over blocks of rows: every row is summed by one thread in a
/// fixed order, so the result does not depend on the thread count.
template <class T>
void row_sums(ConstMatRef<T> M, Vec<T>& out) {
    const Index rows = M.rows(), cols = M.cols();
    out.resize(rows);
    constexpr Index B = 16;
    const Index blocks = (rows + B - 1) / B;
    const bool par = rows * cols > (Index(1) << 16);
    (void)par;  // used only by the OpenMP pragma
    POSENC_OMP(parallel for schedule(static) if(par))
    for (Index blk = 0; blk < blocks; ++blk) {
        const Index r0 = blk * B, nr = std::min(B, rows - r0);
        out.segment(r0, nr) = M.middleRows(r0, nr).rowwise().sum();
    }
}

/// C = A B^T for A (m x N), B (n x N) with a long inner dimension N (weight gradients dW = dZ X^T).
/// Eigen's parallel GEMM synchronises its threads once per inner block, which is slow for N in the
/// tens of thousands (about 8x slower than this on a loaded 2-core machine, see docs/nn.md); here
/// each OpenMP thread multiplies its own contiguous range of the N columns with a single-threaded
/// GEMM, and the per-thread partial products are added in thread order: deterministic for a fixed
/// thread count, no atomics.
template <class T>
void gemm_nt(ConstMatRef<T> A, ConstMatRef<T> B, Mat<T>& C) {
    const Index N = A.cols();
    const int nt = num_threads();
    if (nt <= 1 || N < Index(2048) * nt) {
        C.resize(A.rows(), B.rows());
        gemm<T>(Op::N, Op::T, A, B, C);
        return;
    }
    C.resize(A.rows(), B.rows());
    std::vector<Mat<T>> partial(static_cast<std::size_t>(nt));
    int team = 1;
    POSENC_OMP(parallel num_threads(nt))
    {
const Index t = thread_index(), n = team_size();
        if (t == 0) team = int(n);
        const Index c0 = N * t / n, c1 = N * (t + 1) / n;
        Mat<T>& dst = t == 0 ? C : partial[std::size_t(t)];
        dst.resize(A.rows(), B.rows());
        gemm<T>(Op::N, Op::T, A.middleCols(c0, c1 - c0), B.middleCols(c0, c1 - c0), dst);
    }
    for (int t = 1; t < team; ++t) C += partial[std::size_t(t)];
}
}  // namespace detail

/// Fully connected layer: Z = W X + b for a batch X (in x N, points as columns), Z out x N.
/// Public members in the MiniDNN style; parameters() views them, so do not resize them afterwards.
template <class T>
struct Dense {
    Mat<T> W;   ///< weights, out x in
    Vec<T> b;   ///< bias, out
    Mat<T> dW;  ///< gradient of W (written by backward)
    Vec<T> db;  ///< gradient of b (written by backward)

    Dense() = default;
    /// A zero-initialised in -> out layer; throws posenc::Error unless both sizes are > 0.
    Dense(Index in, Index out) {
        detail::require(in > 0, "Dense: in (input size) must be > 0 (got ", in, ")");
        detail::require(out > 0, "Dense: out (output size) must be > 0 (got ", out, ")");
        W = Mat<T>::Zero(out, in);
        b = Vec<T>::Zero(out);
        dW = Mat<T>::Zero(out, in);
        db = Vec<T>::Zero(out);
    }

    Index in_dim() const { return W.cols(); }   ///< fan-in
    Index out_dim() const { return W.rows(); }  ///< fan-out

    /// PyTorch nn.Linear default: W and b uniform in [-1/sqrt(in), 1/sqrt(in)) (W drawn row by row, then b).
    void init_pytorch(Rng& rng) {
        const double bound = 1.0 / std::sqrt(double(in_dim()));
        fill_uniform(rng, bound);
        for (Index i = 0; i < b.size(); ++i) b(i) = T(rng.uniform(-bound, bound));
    }

    /// SIREN init (Sitzmann et al. 2020): W uniform in +-1/in for the first layer, else
    /// +-sqrt(6/in)/omega0; b keeps the nn.Linear default +-1/sqrt(in).
    void init_siren(Rng& rng, double omega0, bool is_first) {
        detail::require_positive(omega0, "Dense::init_siren: omega0");
        const double in = double(in_dim());
        fill_uniform(rng, is_first ? 1.0 / in : std::sqrt(6.0 / in) / omega0);
        const double bb = 1.0 / std::sqrt(in);
        for (Index i = 0; i < b.size(); ++i) b(i) = T(rng.uniform(-bb, bb));
    }

    /// Z = W X + b; Z must be pre-sized out x N.
    void forward(ConstMatRef<T> X, MatRef<T> Z) const {
        check_input(X, "X");
        detail::check_shape(Z, out_dim(), X.cols(), "Dense::forward", "Z");
        detail::gemm<T>(detail::Op::N, detail::Op::N, W, X, Z);
        Z.colwise() += b;
    }
    /// Z = W X + b as a new matrix.
    Mat<T> forward(ConstMatRef<T> X) const {
        Mat<T> Z(out_dim(), X.cols());
        forward(X, Z);
        return Z;
    }

    /// Given dZ = dL/dZ (out x N) and the forward input X: overwrites dW = dZ X^T and db = sum_n dZ(:, n);
    /// if dX is given, sets *dX = W^T dZ (in x N, resized).
    void backward(ConstMatRef<T> dZ, ConstMatRef<T> X, Mat<T>* dX = nullptr) {
        check_input(X, "X");
        detail::check_shape(dZ, out_dim(), X.cols(), "Dense::backward", "dZ");
        detail::gemm_nt<T>(dZ, X, dW);
        detail::row_sums<T>(dZ, db);
        if (dX) {
            dX->resize(in_dim(), dZ.cols());
            detail::gemm<T>(detail::Op::T, detail::Op::N, W, dZ, *dX);
        }
    }

    /// Views of W and b with their gradients, named "<prefix>weight" and "<prefix>bias".
    std::vector<Param<T>> parameters(const std::string& prefix = "") {
        return {make_param<T>(prefix + "weight", W, dW), make_param<T>(prefix + "bias", b, db)};
    }

private:
    void fill_uniform(Rng& rng, double bound) {
        for (Index i = 0; i < W.rows(); ++i)
            for (Index j = 0; j < W.cols(); ++j) W(i, j) = T(rng.uniform(-bound, bound));
    }
    void check_input(ConstMatRef<T> X, const char* what) const {
        if (X.rows() != in_dim())
            detail::fail("Dense: ", what, " must have ", in_dim(), " rows (got ",
                        X.rows(), ")");
    }
};

}  // namespace posenc

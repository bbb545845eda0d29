// posenc/core/types.hpp — the matrix aliases behind posenc's one convention: points are columns.
#pragma once
#include <Eigen/Core>
#include <cstdint>

namespace posenc {

/// Index and size type (Eigen's, signed).
using Index = Eigen::Index;

/// Column-major dynamic matrix. A batch of N points in d dimensions is a d x N Mat (points as columns);
/// an encoding of it is output_dim x N; MLP activations are width x N.
template <class T> using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
/// Column vector (one point's code, a bias, a flattened parameter).
template <class T> using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
/// Row vector.
template <class T> using RowVec = Eigen::Matrix<T, 1, Eigen::Dynamic>;

/// Read-only input view: accepts a Mat, a Map, or a block with unit inner stride, without copying.
template <class T> using ConstMatRef = Eigen::Ref<const Mat<T>>;
/// Writable output view (pre-sized by the caller); accepts a Mat or a block of rows/columns of one.
template <class T> using MatRef = Eigen::Ref<Mat<T>>;

/// Integer matrix used for window indices (K x N).
using IndexMat = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic>;

}  // namespace posenc

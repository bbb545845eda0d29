// posenc/core/param.hpp — a non-owning view of one parameter tensor and its gradient (layers and
// encoders with trainable parameters both hand these to the optimizers).
#pragma once
#include <string>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"

namespace posenc {

/// One trainable tensor (e.g. "layer0.weight") seen as `size` contiguous scalars, plus its gradient
/// buffer of the same size. Non-owning: the pointers stay valid as long as the owning layer is
/// neither destroyed nor resized. Optimizers walk a std::vector<Param<T>> and update value from grad.
template <class T>
struct Param {
    std::string name;   ///< "layer<l>.weight" or "layer<l>.bias" (PyTorch-like names)
    T* value = nullptr; ///< first scalar of the tensor (column-major for matrices)
    T* grad = nullptr;  ///< first scalar of its gradient, same layout
    Index size = 0;     ///< number of scalars
    Index rows = 0;     ///< shape as a matrix (rows x cols); a vector is size x 1
    Index cols = 0;     ///< see rows

    /// The values as a flat vector view.
    Eigen::Map<Vec<T>> values() const { return Eigen::Map<Vec<T>>(value, size); }
    /// The gradient as a flat vector view.
    Eigen::Map<Vec<T>> grads() const { return Eigen::Map<Vec<T>>(grad, size); }
    /// The values with their matrix shape (rows x cols, column-major).
    Eigen::Map<Mat<T>> value_matrix() const { return Eigen::Map<Mat<T>>(value, rows, cols); }
    /// The gradient with its matrix shape.
    Eigen::Map<Mat<T>> grad_matrix() const { return Eigen::Map<Mat<T>>(grad, rows, cols); }
};

/// Makes a Param viewing a matrix and its same-shaped gradient (both must stay alive and unresized).
template <class T, class MV, class MG>
Param<T> make_param(std::string name, MV& value, MG& grad) {
    detail::require(value.rows() == grad.rows() && value.cols() == grad.cols(),
                    "make_param: gradient of '", name, "' must have the value's shape");
    return Param<T>{std::move(name), value.data(), grad.data(), value.size(), value.rows(), value.cols()};
}

/// Total number of scalars over a list of parameters.
template <class T>
Index parameter_count(const std::vector<Param<T>>& ps) {
    Index n = 0;
    for (const auto& p : ps) n += p.size;
    return n;
}

}  // namespace posenc

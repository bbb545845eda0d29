// posenc/nn/optim/optimizer.hpp — the Optimizer concept shared by Adam, SGD and user optimizers, and the
// small helpers they use to walk parameter tensors (vectorised, OpenMP on large tensors).
#pragma once
#include <algorithm>
#include <concepts>
#include <string>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/types.hpp"
#include "posenc/core/param.hpp"

namespace posenc {

/// An optimizer updates parameters in place from their gradients:
///
///   o.step(params)   one update of every Param's `value` from its `grad` (grads are read, never
///                    modified). The list must be the same tensors, in the same order, at every step
///                    (per-parameter state such as Adam moments is kept by position).
///   o.reset()        forget all state (moments, step count), as if freshly constructed.
///
/// `O::Scalar` is the parameter scalar type. The trainer only needs this concept, so a user type
/// (e.g. two Adams with different weight decay for weights and biases) plugs in the same way.
template <class O>
concept Optimizer = requires(O& o, std::vector<Param<typename O::Scalar>>& params) {
    typename O::Scalar;
    o.step(params);
    o.reset();
};

namespace detail {

/// Elements per parallel chunk of an elementwise optimizer update. Smaller tensors are updated by
/// one thread (the OpenMP fork costs more than the update itself below a few 10^4 elements).
inline constexpr Index kOptimizerChunk = Index(1) << 15;

/// Calls f(offset, length) over [0, size) in contiguous chunks, in parallel when size is large.
/// Each element is touched by exactly one call, so results do not depend on the thread count.
template <class F>
void for_chunks(Index size, F&& f) {
    if (size <= kOptimizerChunk) {
        if (size > 0) f(Index(0), size);
        return;
    }
    const Index chunks = (size + kOptimizerChunk - 1) / kOptimizerChunk;
    POSENC_OMP(parallel for schedule(static))
    for (Index c = 0; c < chunks; ++c) {
        const Index begin = c * kOptimizerChunk;
        f(begin, std::min(kOptimizerChunk, size - begin));
    }
}

/// Checks that a parameter list matches the per-parameter state an optimizer has (sizes by position),
/// so a changed list is an Error instead of memory corruption. `who` names the optimizer.
template <class T>
void check_param_state(const std::vector<Param<T>>& params, const std::vector<Index>& sizes, const char* who) {
    if (params.size() != sizes.size())
        detail::fail(who, ": params changed between steps (got ", params.size(),
                    " tensors, state has ", sizes.size(), "); call reset() for a new list");
    for (std::size_t i = 0; i < params.size(); ++i)
        if (params[i].size != sizes[i])
            detail::fail(who, ": params[", i, "] ('", params[i].name,
                        "') changed size between steps (got ", params[i].size, ", state has ",
                        sizes[i], "); call reset() for a new list");
}

/// Throws unless every Param has non-null value/grad pointers and a non-negative size.
template <class T>
void check_params(const std::vector<Param<T>>& params, const char* who) {
    for (std::size_t i = 0; i < params.size(); ++i) {
        const auto& p = params[i];
        if (p.size < 0 || (p.size > 0 && (p.value == nullptr || p.grad == nullptr)))
            detail::fail(who, ": params[", i, "] ('", p.name,
                        "') has a null value/grad pointer or a negative size");
    }
}

}  // namespace detail
}  // namespace posenc

// posenc/nn/train/callback.hpp — the callback protocol of train() (ensmallen style: any object with
// on_begin / on_step / on_end, or a plain lambda) and the calls the trainer makes through it. The
// built-in callbacks: progress.hpp, early_stop.hpp, nan_guard.hpp.
#pragma once
#include <concepts>
#include <type_traits>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/core/param.hpp"
#include "posenc/nn/train/result.hpp"

namespace posenc {

// ---- callback protocol ---------------------------------------------------------------------------
// A callback is any object with one or more of these members (all optional):
//   void on_begin(const StepInfo& info)                          before the first step (info.step == 0)
//   R    on_step(const StepInfo& info)                           after each step's loss, before its update
//   R    on_step(const StepInfo& info, std::vector<Param<T>>& p) same, with the model's parameters
//   void on_end(const StepInfo& last, TrainResult& result)       after the loop and the final evaluation
// or a plain callable `R f(const StepInfo&)` (a lambda), used as on_step. R is void or bool; returning
// true asks the trainer to stop (no update is applied for that step). Every callback sees every step.

namespace detail {
template <class F>
bool as_stop(F&& f) {
    if constexpr (std::is_void_v<decltype(f())>) {
        f();
        return false;
    } else {
        return bool(f());
    }
}

/// True when C implements at least one hook of the protocol for scalar T.
template <class C, class T>
concept CallbackFor = requires(C& c, const StepInfo& s) { c.on_begin(s); } || requires(C& c, const StepInfo& s) { c.on_step(s); } ||
                      requires(C& c, const StepInfo& s, std::vector<Param<T>>& p) { c.on_step(s, p); } ||
                      requires(C& c, const StepInfo& s, TrainResult& r) { c.on_end(s, r); } ||
                      std::invocable<C&, const StepInfo&>;

template <class T, class C>
void callback_begin(C& c, const StepInfo& s) {
    if constexpr (requires { c.on_begin(s); }) c.on_begin(s);
}
template <class T, class C>
bool callback_step(C& c, const StepInfo& s, std::vector<Param<T>>& p) {
    if constexpr (requires { c.on_step(s, p); }) return as_stop([&] { return c.on_step(s, p); });
    else if constexpr (requires { c.on_step(s); }) return as_stop([&] { return c.on_step(s); });
    else if constexpr (std::invocable<C&, const StepInfo&>) return as_stop([&] { return c(s); });
    else return false;
}
template <class T, class C>
void callback_end(C& c, const StepInfo& s, TrainResult& r) {
    if constexpr (requires { c.on_end(s, r); }) c.on_end(s, r);
}
}  // namespace detail

}  // namespace posenc

// posenc/encoding/profiles/profile.hpp — the Profile concept: the 1D function psi that a
// shifted-basis encoder places at every shift t_d (code entry d is s * psi(u), u = x - t_d).
#pragma once
#include <Eigen/Core>
#include <algorithm>
#include <concepts>
#include <limits>
#include <map>
#include <string>

#include "posenc/core/types.hpp"

namespace posenc {

/// A profile psi(u) of the signed offset u = x - t_d (wrapped to [-0.5, 0.5) on the periodic domain).
///
/// Required (all const):
///   p.value(u)       psi(u), for u of the scalar type T (a profile may simply take double)
///   p.derivative(u)  psi'(u) (0 for piecewise-constant profiles; any one-sided value at kinks)
///   p.support()      radius R (double) such that |psi(u)| <= the profile's tolerance for |u| > R;
///                    exactly 0 beyond R for compact profiles; +inf when there is none
///   p.name()         short lower-case name ("gaussian", ...)
/// Optional, detected by the helper concepts below:
///   p.kernel(delta)  closed-form normalised autocorrelation (HasKernel)
///   p.bind(D)        told the number of shifts D by the encoder before any evaluation (Bindable)
///   p.zero_radius(eps)  radius beyond which |psi| and |psi'| are < eps (HasZeroRadius); the dense
///                    encoder and backward write/skip exact zeros there, with eps the smallest normal
///                    number of the scalar type (so only underflowing values are dropped)
///   p.value_inplace(ptr, n)  replaces u[i] by psi(u[i]) for n contiguous values (HasValueInplace);
///                    a vectorised fast path, must equal value() to rounding
///   p.derivative_inplace(ptr, n)  the same for psi' (HasDerivativeInplace)
///
/// Any user type with these members plugs into ShiftedBasis; nothing has to be registered.
template <class P, class T = double>
concept Profile = std::copy_constructible<P> && requires(const P& p, T u) {
    { p.value(u) } -> std::convertible_to<T>;
    { p.derivative(u) } -> std::convertible_to<T>;
    { p.support() } -> std::convertible_to<double>;
    { p.name() } -> std::convertible_to<std::string>;
};

/// A profile with a closed-form kernel k(delta): the normalised autocorrelation of psi,
/// <Psi(x), Psi(x + delta)> / (||Psi(x)|| ||Psi(x + delta)||) in the continuum (large-D) limit on
/// the periodic domain, with k(0) = 1.
template <class P>
concept HasKernel = requires(const P& p, double delta) {
    { p.kernel(delta) } -> std::convertible_to<double>;
};

/// A profile that must know the number of shifts D (e.g. Impulse, RandomNoise); ShiftedBasis calls
/// p.bind(D) once in its constructor.
template <class P>
concept Bindable = requires(P& p, Index D) { p.bind(D); };

/// Optional: the profile's parameters under the factory's names (make_encoder, encoding/factory.hpp),
/// so that a ShiftedBasis of it describes itself as a spec (ShiftedBasis::spec()) and a model using
/// it can be saved. The factory type is the profile's name().
template <class P>
concept HasSpecParams = requires(const P& p, std::map<std::string, double>& out) { p.spec_params(out); };

/// A profile that can bound where it underflows: |psi(u)| < eps and |psi'(u)| < eps for
/// |u| > p.zero_radius(eps) (eps > 0 is an absolute threshold; psi's peak is taken to be O(1)).
template <class P>
concept HasZeroRadius = requires(const P& p, double eps) {
    { p.zero_radius(eps) } -> std::convertible_to<double>;
};

/// A profile with a vectorised in-place evaluation for scalar T.
template <class P, class T>
concept HasValueInplace = requires(const P& p, T* u, Index n) { p.value_inplace(u, n); };

/// A profile with a vectorised in-place derivative for scalar T.
template <class P, class T>
concept HasDerivativeInplace = requires(const P& p, T* u, Index n) { p.derivative_inplace(u, n); };

/// Applies f to u[0..n) in fixed blocks of 16 (an Eigen::Array<T, 16, 1>& is passed to f; the last
/// block is zero-padded). Every element goes through the same SIMD code whatever its position, so
/// a value_inplace built on it gives bit-identical results for a point's dense code and its window.
template <class T, class F>
void apply_blocked(T* u, Index n, F&& f) {
    constexpr Index B = 16;
    Eigen::Array<T, B, 1> buf;
    for (Index i = 0; i < n; i += B) {
        const Index m = std::min(B, n - i);
        if (m < B) buf.setZero();
        std::copy(u + i, u + i + m, buf.data());
        f(buf);
        std::copy(buf.data(), buf.data() + m, u + i);
    }
}

/// +inf as a support radius ("no compact support").
inline constexpr double infinite_support = std::numeric_limits<double>::infinity();

}  // namespace posenc

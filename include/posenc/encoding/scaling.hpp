// posenc/encoding/scaling.hpp — domain and scaling policies shared by the shifted-basis encoders, and the
// one routine every encoder uses to turn the centre's norm into its unit-norm constant.
#pragma once
#include <cmath>
#include <concepts>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "posenc/core/error.hpp"

namespace posenc {

/// Where coordinates live.
///  * Bounded:  x in [0, 1]; the offset to shift t is u = x - t (no wrap). Coordinates outside [0, 1] throw.
///  * Periodic: any finite x, wrapped mod 1; u = ((x - t + 0.5) mod 1) - 0.5, so u is in [-0.5, 0.5).
enum class Domain { Bounded, Periodic };

/// How an encoding is scaled.
///  * UnitNormAtCenter: multiply by ONE constant s = 1 / ||raw code of x = 0.5||, computed once at
///    construction (never per batch), so the interior point 0.5 has a unit-norm code.
///  * None: raw profile values (s = 1).
enum class Scaling { UnitNormAtCenter, None };

/// Lower-case name of a domain ("bounded" / "periodic").
inline const char* to_string(Domain d) { return d == Domain::Bounded ? "bounded" : "periodic"; }
/// Lower-case name of a scaling ("unit_norm_at_center" / "none").
inline const char* to_string(Scaling s) { return s == Scaling::UnitNormAtCenter ? "unit_norm_at_center" : "none"; }

namespace detail {

/// "float", "double", "long double" or "this scalar type", for messages.
template <class T>
const char* scalar_name() {
    if constexpr (std::is_same_v<T, float>) return "float";
    else if constexpr (std::is_same_v<T, double>) return "double";
    else if constexpr (std::is_same_v<T, long double>) return "long double";
    else return "this scalar type";
}

/// x with 4 significant digits ("8.617e-78"; std::to_string would print 0.000000), for messages.
inline std::string short_number(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", x);
    return buf;
}

/// The constant s = 1 / sqrt(sq) of Scaling::UnitNormAtCenter, where sq (>= 0, computed in double) is the
/// squared norm of the raw code of the centre point. Every encoder that rescales a code by such a
/// constant (ShiftedBasis, PerAxis, Directional) takes it from here, so the constant is always usable in
/// the scalar type T. Throws posenc::Error, starting with `who`, unless
///  * sq is finite and > 0;
///  * sq >= the smallest normal number of T: below it the raw centre code has underflowed (to 0, or to a
///    denormal that keeps no precision) and s (> 1 / sqrt(min)) would turn the rest of the code into
///    inf, or 0 * inf into NaN; `hint_if_small` (if not empty) is appended in parentheses then;
///  * s >= the smallest normal number of T (else every scaled code underflows to 0).
/// So s <= 1 / sqrt(min<T>) (about 9.2e18 in float, 6.7e153 in double): scaled codes are finite as long
/// as the raw entries stay below max<T> * sqrt(min<T>) (about 3.7e19 in float, 2.7e154 in double).
template <class T>
[[noreturn, gnu::cold, gnu::noinline]] void unit_norm_fail(double sq, std::string_view who, std::string_view hint_if_small) {
    const double lo = double(std::numeric_limits<T>::min());
    const std::string type = scalar_name<T>();
    if (!(std::isfinite(sq) && sq > 0))
        detail::fail(who, ": cannot scale to unit norm in ", type, ": the raw code of the centre point must have a "
                          "finite non-zero norm (got norm^2 ", short_number(sq), ")",
                     hint_if_small.empty() || sq != 0 ? "" : " (", sq != 0 ? "" : hint_if_small,
                     hint_if_small.empty() || sq != 0 ? "" : ")");
    if (sq < lo)
        detail::fail(who, ": cannot scale to unit norm in ", type, ": the raw code of the centre point has norm^2 ",
                     short_number(sq), ", below the smallest normal ", type, " (", short_number(lo),
                     "), so 1 / norm would overflow the codes", hint_if_small.empty() ? "" : " (", hint_if_small,
                     hint_if_small.empty() ? "" : ")");
    detail::fail(who, ": cannot scale to unit norm in ", type, ": the raw code of the centre point has norm^2 ",
                 short_number(sq), ", so large that 1 / norm underflows ", type);
}

template <class T>
double unit_norm_scale(double sq, std::string_view who, std::string_view hint_if_small = {}) {
    const double lo = double(std::numeric_limits<T>::min());
    if (std::isfinite(sq) && sq > 0 && sq >= lo) {
        const double s = 1.0 / std::sqrt(sq);
        if (s >= lo) return s;
    }
    unit_norm_fail<T>(sq, who, hint_if_small);
}

/// unit_norm_scale(sq, who, hint) with {who, hint} = describe() computed only on failure.
template <class T, std::invocable F>
double unit_norm_scale(double sq, const F& describe) {
    const double lo = double(std::numeric_limits<T>::min());
    if (std::isfinite(sq) && sq > 0 && sq >= lo) {
        const double s = 1.0 / std::sqrt(sq);
        if (s >= lo) return s;
    }
    const auto [who, hint] = describe();
    unit_norm_fail<T>(sq, who, hint);
}

}  // namespace detail

}  // namespace posenc

// posenc/encoding/scaling.hpp — domain and scaling policies shared by the shifted-basis encoders.
#pragma once

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

}  // namespace posenc

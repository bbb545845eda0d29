// posenc/core/error.hpp — the one exception type posenc throws, and the check helper.
#pragma once
#include <cmath>
#include <stdexcept>
#include <string>

namespace posenc {

/// Every error posenc reports (bad parameters, bad input, corrupt files) is a posenc::Error.
/// The message names the offending parameter or input, e.g. "ShiftedBasis: dim must be > 0 (got 0)".
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace detail {

/// Throws posenc::Error(msg) when cond is false.
inline void require(bool cond, const std::string& msg) {
    if (!cond) throw Error(msg);
}

/// Throws unless x is finite and > 0; `what` names the parameter ("Gaussian: sigma").
inline void require_positive(double x, const char* what) {
    if (!(std::isfinite(x) && x > 0))
        throw Error(std::string(what) + " must be finite and > 0 (got " + std::to_string(x) + ")");
}

}  // namespace detail
}  // namespace posenc

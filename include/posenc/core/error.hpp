// posenc/core/error.hpp — the one exception type posenc throws, and the check helper.
#pragma once
#include <cmath>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace posenc {

/// Every error posenc reports (bad parameters, bad input, corrupt files) is a posenc::Error.
/// The message names the offending parameter or input, e.g. "ShiftedBasis: dim must be > 0 (got 0)".
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace detail {

/// One piece of an error message: text, or a number printed as std::to_string prints it. Holds a
/// view: only for the full expression that builds the message.
class MsgPart {
public:
    MsgPart(const char* s) : text_(s) {}
    MsgPart(std::string_view s) : text_(s) {}
    MsgPart(const std::string& s) : text_(s) {}
    template <class V>
        requires(std::is_integral_v<V> && !std::is_same_v<V, bool> && !std::is_same_v<V, char>)
    MsgPart(V v) : kind_(std::is_signed_v<V> ? Kind::Signed : Kind::Unsigned) {
        if constexpr (std::is_signed_v<V>) i_ = static_cast<long long>(v);
        else u_ = static_cast<unsigned long long>(v);
    }
    template <class V>
        requires std::is_floating_point_v<V>
    MsgPart(V v) : kind_(Kind::Real), d_(static_cast<double>(v)) {}

    /// Appends this piece to m.
    void append_to(std::string& m) const {
        switch (kind_) {
            case Kind::Text: m += text_; break;
            case Kind::Signed: m += std::to_string(i_); break;
            case Kind::Unsigned: m += std::to_string(u_); break;
            case Kind::Real: m += std::to_string(d_); break;
        }
    }

private:
    enum class Kind { Text, Signed, Unsigned, Real };
    Kind kind_ = Kind::Text;
    std::string_view text_;
    long long i_ = 0;
    unsigned long long u_ = 0;
    double d_ = 0;
};

/// Throws posenc::Error with the pieces joined. Out of line and cold: the message is built only
/// when something failed, and the callers' code stays small.
[[noreturn, gnu::cold, gnu::noinline]] inline void fail_with(std::initializer_list<MsgPart> parts) {
    std::string m;
    for (const MsgPart& p : parts) p.append_to(m);
    throw Error(m);
}

/// Throws posenc::Error whose message is the pieces (text and numbers) joined:
/// `fail("Gaussian: sigma must be > 0 (got ", sigma, ")")`.
template <class... A>
[[noreturn]] void fail(const A&... parts) {
    fail_with({MsgPart(parts)...});
}

/// Throws posenc::Error when cond is false; the message (pieces joined as for fail()) is built only
/// then: `require(dim > 0, "ShiftedBasis: dim must be > 0 (got ", dim, ")")`.
template <class... A>
void require(bool cond, const A&... parts) {
    if (!cond) [[unlikely]]
        fail_with({MsgPart(parts)...});
}

/// Throws posenc::Error(msg) when cond is false (a message already built).
inline void require(bool cond, const std::string& msg) {
    if (!cond) throw Error(msg);
}

/// Throws unless x is finite and > 0; `what` names the parameter ("Gaussian: sigma").
inline void require_positive(double x, const char* what) {
    if (!(std::isfinite(x) && x > 0)) [[unlikely]]
        fail_with({what, " must be finite and > 0 (got ", x, ")"});
}

}  // namespace detail
}  // namespace posenc

// posenc/encoding/encoder_spec.hpp — the runtime description of an encoder (name + numeric parameters +
// child specs) and its deterministic JSON text. make_encoder() (factory.hpp) turns a spec into an encoder.
#pragma once
#include <charconv>
#include <cmath>
#include <concepts>
#include <map>
#include <string>
#include <vector>

#include "posenc/core/json_text.hpp"

namespace posenc {

/// A runtime encoder description, e.g. {type "gaussian", params {sigma 0.002, dim 10000}}.
/// `children` holds sub-encoders for the composite types ("per_axis": one 1D child, "concat": any).
/// Flags are numbers too (periodic 0/1). Compare with ==; print with to_string().
struct EncoderSpec {
    std::string type;                       ///< encoder name, see make_encoder() for the list
    std::map<std::string, double> params;   ///< numeric parameters by name (sorted, so output is stable)
    std::vector<EncoderSpec> children;      ///< child encoders of composite types

    /// Structural equality (type, every parameter, children in order).
    friend bool operator==(const EncoderSpec&, const EncoderSpec&) = default;
};

/// An encoder that describes itself in the factory's form (encoding/factory.hpp): spec() returns the
/// spec make_encoder() rebuilds it from, or an empty spec (type "") when it has none. AnyEncoder
/// records it, so a model of a hand-built encoder can be saved.
template <class E>
concept HasSpec = requires(const E& e) {
    { e.spec() } -> std::convertible_to<EncoderSpec>;
};

namespace detail {
/// Shortest decimal text that reads back to exactly x ("10000", "0.002"); "null" if x is not finite.
inline std::string format_number(double x) {
    if (!std::isfinite(x)) return "null";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, x);
    return std::string(buf, res.ptr);
}

inline void append_spec_json(std::string& out, const EncoderSpec& s) {
    out += "{\"type\":";
    append_json_string(out, s.type);
    for (const auto& [key, value] : s.params) {
        out += ',';
        append_json_string(out, key);
        out += ':';
        out += format_number(value);
    }
    if (!s.children.empty()) {
        out += ",\"children\":[";
        for (std::size_t i = 0; i < s.children.size(); ++i) {
            if (i) out += ',';
            append_spec_json(out, s.children[i]);
        }
        out += ']';
    }
    out += '}';
}
}  // namespace detail

/// The spec as one line of JSON with the parameters flattened next to "type", keys sorted, numbers in
/// shortest round-trip form, children (if any) last:
/// `{"type":"gaussian","dim":10000,"sigma":0.002}`. Deterministic: equal specs give equal text.
/// Non-finite parameter values (which make_encoder rejects anyway) are written as null.
/// To read such text back, use io/json_spec.hpp (needs nlohmann_json).
inline std::string to_string(const EncoderSpec& spec) {
    std::string out;
    detail::append_spec_json(out, spec);
    return out;
}

}  // namespace posenc

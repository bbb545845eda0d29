// posenc/io/json_spec.hpp — EncoderSpec <-> nlohmann::json.
//
// OPTIONAL: this is the one posenc header that needs a third-party library, nlohmann_json (Debian
// nlohmann-json3-dev; CMake: find_package(nlohmann_json 3 REQUIRED) and link nlohmann_json::nlohmann_json).
// It is not included by posenc/posenc.hpp; include it yourself when you have nlohmann_json.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "posenc/core/error.hpp"
#include "posenc/encoding/encoder_spec.hpp"

namespace posenc {

/// Reads a spec from JSON of the form written by to_string(const EncoderSpec&):
/// `{"type":"gaussian","sigma":0.002,"dim":10000}`, optionally with `"children":[{...}, ...]`.
/// Every key other than "type" and "children" is a parameter; its value must be a number or a boolean
/// (true/false become 1/0). Throws posenc::Error naming the offending key otherwise. Parameter names and
/// values are not checked here: make_encoder() does that. `depth` is the nesting level of j (specs nested
/// more than 16 levels deep throw); leave it at 0.
inline EncoderSpec spec_from_json(const nlohmann::json& j, int depth = 0) {
    constexpr int kMaxDepth = 16;  // same limit as make_encoder(); bounds the recursion on untrusted input
    if (depth >= kMaxDepth)
        detail::fail("encoder spec: nested too deeply (more than ", kMaxDepth, " levels)");
    if (!j.is_object()) detail::fail("encoder spec: must be a JSON object (got ", j.type_name(), ")");
    EncoderSpec s;
    const auto type = j.find("type");
    if (type == j.end()) throw Error("encoder spec: missing \"type\"");
    if (!type->is_string())
        detail::fail("encoder spec: \"type\" must be a string (got ", type->type_name(), ")");
    s.type = type->get<std::string>();
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        if (key == "type") continue;
        if (key == "children") {
            if (!it->is_array())
                detail::fail("encoder spec \"", s.type, "\": \"children\" must be an array (got ",
                            it->type_name(), ")");
            for (const auto& c : *it) s.children.push_back(spec_from_json(c, depth + 1));
            continue;
        }
        if (it->is_boolean()) s.params[key] = it->get<bool>() ? 1.0 : 0.0;
        else if (it->is_number()) s.params[key] = it->get<double>();
        else
            detail::fail("encoder spec \"", s.type, "\": parameter \"", key, "\" must be a number (got ",
                        it->type_name(), ")");
    }
    return s;
}

/// Parses JSON text (e.g. a --encoder-json argument or a file's contents) into a spec; malformed JSON
/// throws posenc::Error with the parser's message.
inline EncoderSpec parse_spec(const std::string& text) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        detail::fail("encoder spec: invalid JSON: ", e.what());
    }
    return spec_from_json(j);
}

/// The spec as a JSON object: "type", each parameter as a number, and "children" when there are any
/// (the same document as to_string(spec)).
inline nlohmann::json spec_to_json(const EncoderSpec& s) {
    nlohmann::json j = nlohmann::json::object();
    j["type"] = s.type;
    for (const auto& [k, v] : s.params) j[k] = v;
    if (!s.children.empty()) {
        nlohmann::json c = nlohmann::json::array();
        for (const auto& child : s.children) c.push_back(spec_to_json(child));
        j["children"] = std::move(c);
    }
    return j;
}

/// nlohmann ADL hook: `nlohmann::json j = spec;`.
inline void to_json(nlohmann::json& j, const EncoderSpec& s) { j = spec_to_json(s); }
/// nlohmann ADL hook: `auto spec = j.get<posenc::EncoderSpec>();` (throws posenc::Error on bad input).
inline void from_json(const nlohmann::json& j, EncoderSpec& s) { s = spec_from_json(j); }

}  // namespace posenc

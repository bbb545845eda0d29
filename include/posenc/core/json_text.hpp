// posenc/core/json_text.hpp — the one JSON string escaper (encoder specs, safetensors headers).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "posenc/core/error.hpp"

namespace posenc::detail {

/// Appends s as a JSON string literal: quotes and backslashes escaped, control characters as \b \f
/// \n \r \t or \u00XX; other bytes (UTF-8 included) copied as they are.
template <class = void>
void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    static constexpr char hex[] = "0123456789abcdef";
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
}

/// Throws posenc::Error "<who>: <what> is not valid UTF-8 (byte i)" unless s is valid UTF-8 (overlong
/// forms, surrogates and code points above U+10FFFF are rejected).
template <class = void>
void require_utf8(std::string_view s, std::string_view who, std::string_view what) {
    const auto* u = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned char c = u[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int len = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1Fu; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0Fu; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07u; }
        bool ok = len > 0 && i + std::size_t(len) <= n;
        for (int k = 1; ok && k < len; ++k) {
            const unsigned char d = u[i + std::size_t(k)];
            ok = (d & 0xC0) == 0x80;
            cp = (cp << 6) | (d & 0x3Fu);
        }
        static constexpr std::uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
        ok = ok && cp >= min_cp[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (!ok) fail(who, ": ", what, " is not valid UTF-8 (byte ", i, ")");
        i += std::size_t(len);
    }
}

}  // namespace posenc::detail

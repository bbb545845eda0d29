// posenc/io/binary_io.hpp — building blocks of posenc's file formats (model files, safetensors export):
// explicit little-endian fixed-width fields, a bounds-checked reader for untrusted bytes, CRC-32, and
// whole-file read / atomic write (temporary file in the same directory, then rename).
#pragma once
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "posenc/core/error.hpp"

namespace posenc::detail {

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the value of zlib.crc32 / binascii.crc32.
/// Pass the previous result as `crc` to continue over several pieces.
inline std::uint32_t crc32(const unsigned char* data, std::size_t n, std::uint32_t crc = 0) {
    static constexpr std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

/// CRC-32 of a byte string.
inline std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0) {
    return crc32(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), crc);
}

/// Appends fixed-width little-endian fields to a byte string (independent of the host's byte order).
class ByteWriter {
public:
    /// Unsigned integer of `bytes` bytes (1..8), least significant byte first.
    void uint(std::uint64_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) out_ += static_cast<char>((v >> (8 * i)) & 0xFFu);
    }
    void u8(std::uint8_t v) { uint(v, 1); }                              ///< 1-byte unsigned
    void u32(std::uint32_t v) { uint(v, 4); }                            ///< 4-byte unsigned
    void u64(std::uint64_t v) { uint(v, 8); }                            ///< 8-byte unsigned
    void i64(std::int64_t v) { uint(static_cast<std::uint64_t>(v), 8); } ///< 8-byte two's complement
    void f32(float v) { uint(std::bit_cast<std::uint32_t>(v), 4); }      ///< IEEE-754 binary32
    void f64(double v) { uint(std::bit_cast<std::uint64_t>(v), 8); }     ///< IEEE-754 binary64
    /// Raw bytes, no length prefix.
    void bytes(std::string_view s) { out_.append(s.data(), s.size()); }
    /// u32 byte length, then the bytes.
    void string(std::string_view s) {
        u32(static_cast<std::uint32_t>(s.size()));
        bytes(s);
    }
    /// Overwrites 8 bytes at `pos` with v (little-endian), e.g. a length known only at the end.
    void patch_u64(std::size_t pos, std::uint64_t v) {
        for (int i = 0; i < 8; ++i) out_[pos + std::size_t(i)] = static_cast<char>((v >> (8 * i)) & 0xFFu);
    }
    /// Bytes written so far.
    std::size_t size() const { return out_.size(); }
    /// The bytes written so far.
    const std::string& str() const { return out_; }
    /// Moves the bytes out.
    std::string take() { return std::move(out_); }
    /// Reserves capacity.
    void reserve(std::size_t n) { out_.reserve(n); }

private:
    std::string out_;
};

/// Reads fixed-width little-endian fields from untrusted bytes. Every read checks the remaining size
/// first and throws posenc::Error("<context>: ... ends inside <what> ...") instead of reading past the end.
class ByteReader {
public:
    /// Reads [data, data + n); `context` prefixes every error message.
    ByteReader(const unsigned char* data, std::size_t n, std::string context)
        : p_(data), end_(data + n), context_(std::move(context)) {}

    /// Bytes not read yet.
    std::size_t remaining() const { return std::size_t(end_ - p_); }
    /// Current read position.
    const unsigned char* position() const { return p_; }

    /// Throws unless n more bytes are available; `what` names the field for the message.
    void need(std::size_t n, const std::string& what) const {
        if (n > remaining())
            detail::fail(context_, ": data ends inside ", what, " (needs ", n, " bytes, ",
                        remaining(), " left)");
    }
    /// Unsigned integer of `bytes` bytes, little-endian.
    std::uint64_t uint(int bytes, const std::string& what) {
        need(std::size_t(bytes), what);
        std::uint64_t v = 0;
        for (int i = 0; i < bytes; ++i) v |= std::uint64_t(p_[i]) << (8 * i);
        p_ += bytes;
        return v;
    }
    std::uint8_t u8(const std::string& what) { return std::uint8_t(uint(1, what)); }     ///< 1-byte unsigned
    std::uint32_t u32(const std::string& what) { return std::uint32_t(uint(4, what)); }  ///< 4-byte unsigned
    std::uint64_t u64(const std::string& what) { return uint(8, what); }                 ///< 8-byte unsigned
    std::int64_t i64(const std::string& what) { return static_cast<std::int64_t>(uint(8, what)); }  ///< signed
    float f32(const std::string& what) { return std::bit_cast<float>(std::uint32_t(uint(4, what))); }  ///< binary32
    double f64(const std::string& what) { return std::bit_cast<double>(uint(8, what)); }  ///< binary64
    /// A u32-length-prefixed string of at most max_len bytes (checked before copying).
    std::string string(const std::string& what, std::size_t max_len) {
        const std::uint32_t n = u32(what + " length");
        if (n > max_len)
            detail::fail(context_, ": ", what, " is ", n, " bytes long (at most ",
                        max_len, " allowed)");
        need(n, what);
        std::string s(reinterpret_cast<const char*>(p_), n);
        p_ += n;
        return s;
    }
    /// Skips n bytes (checked), returning where they start.
    const unsigned char* skip(std::size_t n, const std::string& what) {
        need(n, what);
        const unsigned char* at = p_;
        p_ += n;
        return at;
    }
    /// The prefix used in error messages.
    const std::string& context() const { return context_; }

private:
    const unsigned char* p_;
    const unsigned char* end_;
    std::string context_;
};

/// Decodes a little-endian IEEE-754 value of sizeof(S) bytes at p.
template <class S>
S load_le(const unsigned char* p) {
    if constexpr (sizeof(S) == 4) {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v |= std::uint32_t(p[i]) << (8 * i);
        return std::bit_cast<S>(v);
    } else {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= std::uint64_t(p[i]) << (8 * i);
        return std::bit_cast<S>(v);
    }
}

/// The whole content of a file; `who` prefixes error messages ("load_model"). Reads at most max_bytes
/// (files larger than that throw before anything is allocated).
inline std::string read_file(const std::filesystem::path& path, const std::string& who,
                             std::uintmax_t max_bytes = std::uintmax_t(1) << 40) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        detail::fail(who, ": '", path.string(), "' is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) detail::fail(who, ": cannot open '", path.string(), "' for reading");
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) detail::fail(who, ": cannot determine the size of '", path.string(), "'");
    if (std::uintmax_t(size) > max_bytes)
        detail::fail(who, ": '", path.string(), "' is ", size, " bytes (at most ",
                    max_bytes, " accepted)");
    in.seekg(0, std::ios::beg);
    std::string bytes(static_cast<std::size_t>(size), '\0');
    if (size > 0 && !in.read(bytes.data(), size))
        detail::fail(who, ": reading '", path.string(), "' failed");
    return bytes;
}

/// Writes `bytes` to `target` so that the target is either its old content or the complete new
/// content, never a partial file: the bytes go to a new temporary file in the target's directory
/// (exclusive create, named ".<filename>.tmp.<unique>"), which is flushed, closed and then renamed over
/// the target (std::filesystem::rename: atomic on POSIX file systems). On any failure (directory missing
/// or not writable, disk full, file size limit, rename refused) the temporary file is removed and
/// posenc::Error is thrown; `who` prefixes the message. Not fsync'ed: protects against an interrupted
/// process, not against power loss. A symlink at `target` is replaced by a regular file.
inline void write_file_atomically(const std::filesystem::path& target, std::string_view bytes, const std::string& who) {
    namespace fs = std::filesystem;
    if (target.empty()) detail::fail(who, ": path must not be empty");
    if (!target.has_filename()) detail::fail(who, ": path '", target.string(), "' has no file name");
    fs::path dir = target.parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        detail::fail(who, ": directory '", dir.string(), "' of '", target.string(), "' does not exist");
    if (fs::is_directory(target, ec)) detail::fail(who, ": '", target.string(), "' is a directory");

    static std::atomic<std::uint64_t> counter{0};
    std::FILE* f = nullptr;
    fs::path tmp;
    for (int attempt = 0; attempt < 16 && !f; ++attempt) {
        const auto now = std::uint64_t(std::chrono::steady_clock::now().time_since_epoch().count());
        const std::uint64_t unique = now * 0x9E3779B97F4A7C15ull ^ (counter.fetch_add(1) + 1) * 0xBF58476D1CE4E5B9ull ^
                                     std::uint64_t(reinterpret_cast<std::uintptr_t>(&tmp));
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(unique));
        tmp = dir / ("." + target.filename().string() + ".tmp." + hex);
        f = std::fopen(tmp.string().c_str(), "wbx");  // C11 exclusive create: never follows or reuses an existing name
    }
    if (!f)
        detail::fail(who, ": cannot create a temporary file in '", dir.string(),
                    "' (is the directory writable?); '", target.string(), "' is unchanged");
    struct Cleanup {  // removes the temporary file unless the rename happened
        std::FILE*& f;
        const fs::path& tmp;
        bool done = false;
        ~Cleanup() {
            if (f) std::fclose(f);
            if (!done) {
                std::error_code e;
                fs::remove(tmp, e);
            }
        }
    } cleanup{f, tmp};

    const bool wrote = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    const bool flushed = wrote && std::fflush(f) == 0;
    const int closed = std::fclose(f);
    f = nullptr;
    if (!wrote || !flushed || closed != 0)
        detail::fail(who, ": writing ", bytes.size(), " bytes to a temporary file in '", dir.string(),
                    "' failed (disk full or file size limit?); '", target.string(), "' is unchanged");
    fs::rename(tmp, target, ec);
    if (ec)
        detail::fail(who, ": cannot rename the temporary file to '", target.string(), "' (", ec.message(),
                    "); '", target.string(), "' is unchanged");
    cleanup.done = true;
}

}  // namespace posenc::detail

// examples/common/image.hpp — image I/O for the examples: decode PNG/JPEG/... with stb_image into
// floats in [0, 1], protocol C downsampling, and PNG output that never leaves a partial file.
//
// Uses Debian's libstb (the implementation is linked by examples/CMakeLists.txt): this header only
// includes the declarations and must never define STB_IMAGE_IMPLEMENTATION.
#pragma once
#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <unistd.h>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"

namespace posenc::examples {

/// An image of height x width pixels with `channels` float values per pixel in [0, 1], stored
/// row-major and interleaved (h x w x C): value (r, c, k) is data[(r * width + c) * channels + k].
struct Image {
    int height = 0;    ///< number of rows
    int width = 0;     ///< number of columns
    int channels = 0;  ///< 1 (grey) or 3 (RGB)
    std::vector<float> data;  ///< h * w * C values, row-major, interleaved

    /// An empty image.
    Image() = default;
    /// A zero image of h x w pixels with c channels (all three must be > 0).
    Image(int h, int w, int c) : height(h), width(w), channels(c) {
        posenc::detail::require(h > 0 && w > 0 && c > 0, "image: height, width and channels must be > 0");
        data.assign(std::size_t(h) * std::size_t(w) * std::size_t(c), 0.0f);
    }
    /// Value of channel k at row r, column c.
    float& at(int r, int c, int k) { return data[(std::size_t(r) * width + c) * channels + k]; }
    /// Value of channel k at row r, column c.
    float at(int r, int c, int k) const { return data[(std::size_t(r) * width + c) * channels + k]; }
    /// Number of pixels (h * w).
    Index pixels() const { return Index(height) * width; }

    /// The image as posenc targets: channels x (h*w), pixel (r, c) in column r * w + c.
    Mat<float> columns() const {
        Mat<float> Y(channels, pixels());
        for (Index p = 0; p < pixels(); ++p)
            for (int k = 0; k < channels; ++k) Y(k, p) = data[std::size_t(p) * channels + k];
        return Y;
    }
    /// Inverse of columns(): an h x w image from channels x (h*w) values (column r * w + c).
    static Image from_columns(ConstMatRef<float> Y, int h, int w) {
        posenc::detail::require(Y.cols() == Index(h) * w, "image: from_columns needs h*w columns (got " +
                                                      std::to_string(Y.cols()) + " for " + std::to_string(h) +
                                                      " x " + std::to_string(w) + ")");
        Image img(h, w, int(Y.rows()));
        for (Index p = 0; p < img.pixels(); ++p)
            for (int k = 0; k < img.channels; ++k) img.data[std::size_t(p) * img.channels + k] = Y(k, p);
        return img;
    }
};

/// Limits checked before any pixel memory is allocated (defaults: 16384 x 16384, 1 GiB file).
struct ImageLimits {
    int max_side = 16384;                         ///< largest accepted width or height
    std::uintmax_t max_file_bytes = 1ull << 30;  ///< largest accepted encoded file
};

namespace image_impl {

/// Converts 8-bit samples with `n` channels per pixel into an Image in [0, 1]: alpha is dropped,
/// and an RGB image whose three channels are equal everywhere (grey stored as RGB) becomes 1 channel.
inline Image image_from_bytes(const unsigned char* px, int w, int h, int n) {
    const int colour = (n >= 3) ? 3 : 1;  // 1: grey, 2: grey+alpha, 3: RGB, 4: RGBA
    bool grey = (colour == 1);
    if (!grey) {
        grey = true;
        for (std::size_t p = 0, P = std::size_t(w) * h; p < P && grey; ++p) {
            const unsigned char* q = px + p * n;
            grey = (q[0] == q[1] && q[1] == q[2]);
        }
    }
    const int c = grey ? 1 : 3;
    Image img(h, w, c);
    for (std::size_t p = 0, P = std::size_t(w) * h; p < P; ++p)
        for (int k = 0; k < c; ++k) img.data[p * c + k] = float(px[p * n + k]) / 255.0f;
    return img;
}

/// A temporary name beside `path` (same directory, so rename() is atomic), unique per process and call.
inline std::filesystem::path temp_path_for(const std::filesystem::path& path) {
    static std::atomic<unsigned> counter{0};
    std::filesystem::path tmp = path;
    tmp += ".tmp" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    return tmp;
}

/// Moves `tmp` onto `path` (atomic on POSIX); removes tmp and throws posenc::Error on failure.
inline void commit_temp(const std::filesystem::path& tmp, const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw Error("cannot write \"" + path.string() + "\": " + ec.message());
    }
}

/// Encoded formats decode_image accepts.
enum class ImageFormat { Png, Jpeg, Other };

/// The format from the magic bytes (PNG signature, JPEG SOI + marker).
inline ImageFormat sniff_format(const unsigned char* b, std::size_t n) {
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n >= 8 && std::equal(png, png + 8, b)) return ImageFormat::Png;
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return ImageFormat::Jpeg;
    return ImageFormat::Other;
}

/// Structural pre-check of a PNG before stb sees it: every chunk up to IEND must fit in the data.
/// (Debian's stb 2022 reallocs a buffer of the declared IDAT length before reading it, so an 86-byte
/// file declaring a 2 GiB chunk would allocate 2 GiB; tests/fuzz/crashes/fuzz_image_load/.)
/// Returns an error text, or "" when the layout is consistent.
inline std::string check_png_layout(const unsigned char* b, std::size_t n) {
    std::size_t pos = 8;
    while (true) {
        if (n - pos < 12) return "truncated PNG (chunk header past the end of the file)";
        const std::uint32_t len = (std::uint32_t(b[pos]) << 24) | (std::uint32_t(b[pos + 1]) << 16) |
                                  (std::uint32_t(b[pos + 2]) << 8) | std::uint32_t(b[pos + 3]);
        if (len > 0x7fffffffu || std::size_t(len) > n - pos - 12)
            return "truncated or corrupt PNG (a chunk declares " + std::to_string(len) + " bytes, the file has " +
                   std::to_string(n - pos - 12) + " left)";
        const bool iend = b[pos + 4] == 'I' && b[pos + 5] == 'E' && b[pos + 6] == 'N' && b[pos + 7] == 'D';
        pos += 12 + std::size_t(len);
        if (iend) return "";
    }
}

/// Structural pre-check of a JPEG before stb sees it: walks the marker segments the way stb does
/// (including the segments between the scans of a progressive JPEG, found by skipping the
/// entropy-coded data) and rejects
///  * a DHT table declaring more than 256 Huffman codes (Debian's stb 2022 lacks that check and
///    writes past a 257-entry array: tests/fuzz/crashes/fuzz_image_load/), and
///  * a scan (SOS) that uses a Huffman table no earlier DHT defined (stb would decode with
///    uninitialised table memory; found by fuzzing, state-dependent so it has no standalone
///    reproducer). Which tables a scan uses follows stb: sequential scans use DC and AC tables,
///    progressive DC-first scans the DC tables, progressive AC scans the AC tables.
/// Conservative: it may inspect more candidate segments than stb would, never fewer.
/// Returns an error text, or "" when no bad table is found.
inline std::string check_jpeg_tables(const unsigned char* b, std::size_t n) {
    auto at = [&](std::size_t i) -> unsigned { return i < n ? b[i] : 0u; };  // stb reads 0 past the end
    bool dc_defined[4] = {false, false, false, false}, ac_defined[4] = {false, false, false, false};
    bool progressive = false, frame = false;
    std::size_t pos = 2;  // after SOI
    while (pos < n) {
        while (pos < n && b[pos] != 0xFF) ++pos;  // stb skips padding between segments
        while (pos < n && b[pos] == 0xFF) ++pos;  // fill bytes
        if (pos >= n) break;
        const unsigned m = b[pos++];
        if (m == 0xD9) break;                                               // EOI
        if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8)) continue;  // no length field
        const std::size_t len = (std::size_t(at(pos)) << 8) | at(pos + 1);
        if (len < 2) return "corrupt JPEG (segment length " + std::to_string(len) + ")";
        const std::size_t seg = pos + 2, end = pos + len;
        if (m == 0xC4) {  // DHT: tables of (class/id byte, 16 code counts, counts' sum of symbols)
            std::ptrdiff_t left = std::ptrdiff_t(len) - 2;
            std::size_t p = seg;
            while (left > 0 && p < n) {
                const unsigned tc = at(p) >> 4, th = at(p) & 15;
                if (tc == 0 && th < 4) dc_defined[th] = true;
                if (tc == 1 && th < 4) ac_defined[th] = true;
                std::size_t codes = 0;
                for (std::size_t i = 0; i < 16; ++i) codes += at(p + 1 + i);
                if (codes > 256)
                    return "corrupt JPEG (Huffman table declares " + std::to_string(codes) + " codes, at most 256)";
                p += 17 + codes;
                left -= std::ptrdiff_t(17 + codes);
            }
        }
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {  // SOFn
            frame = true;
            progressive = (m == 0xC2);
        }
        if (m == 0xDA) {  // SOS: components (id, Td/Ta), then Ss, Se, Ah/Al
            const unsigned ns = at(seg), ss = at(seg + 1 + 2 * ns), ah = at(seg + 3 + 2 * ns) >> 4;
            const bool use_dc = !frame || !progressive || (ss == 0 && ah == 0);
            const bool use_ac = !frame || !progressive || ss != 0;
            for (unsigned i = 0; i < ns && i < 4; ++i) {
                const unsigned td = at(seg + 2 + 2 * i) >> 4, ta = at(seg + 2 + 2 * i) & 15;
                if ((use_dc && td < 4 && !dc_defined[td]) || (use_ac && ta < 4 && !ac_defined[ta]))
                    return "corrupt JPEG (a scan uses a Huffman table that was never defined)";
            }
        }
        pos = end;
        if (m == 0xDA) {  // SOS: skip entropy-coded data up to the next real marker
            while (pos + 1 < n) {
                if (b[pos] == 0xFF) {
                    const unsigned c = b[pos + 1];
                    if (c == 0xFF) { ++pos; continue; }
                    if (c == 0x00 || (c >= 0xD0 && c <= 0xD7)) { pos += 2; continue; }
                    break;
                }
                ++pos;
            }
        }
    }
    return "";
}

}  // namespace image_impl

/// Writes `text` to `path` through a temporary file + rename, so a failed write leaves no partial
/// file (an existing file is replaced only on success). Throws posenc::Error naming the path.
inline void write_text_file(const std::filesystem::path& path, const std::string& text) {
    const auto tmp = image_impl::temp_path_for(path);
    {
        std::ofstream f(tmp, std::ios::binary);
        if (f) f.write(text.data(), std::streamsize(text.size()));
        if (f) f.flush();
        if (!f) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw Error("cannot write \"" + path.string() + "\"");
        }
    }
    image_impl::commit_temp(tmp, path);
}

/// Decodes a PNG or JPEG image held in memory (8 or 16 bit, grey / grey+alpha / RGB / RGBA, the 16-bit
/// samples reduced to 8). `name` is used in error messages. Other formats are refused: the stb
/// version Debian ships (2022) has known memory-safety bugs in several decoders, so only the two
/// formats the examples need are decoded, after a structural pre-check of each (see
/// check_png_layout / check_jpeg_tables). Dimensions are checked with stbi_info before decoding;
/// unreadable, truncated, wrong-format or oversized data throw posenc::Error.
/// See image_from_bytes for the channel rules.
inline Image decode_image(const unsigned char* bytes, std::size_t size, const std::string& name,
                          const ImageLimits& limits = {}) {
    const std::string who = "image \"" + name + "\": ";
    if (size == 0) throw Error(who + "file is empty");
    if (size > std::size_t(std::numeric_limits<int>::max()) || size > limits.max_file_bytes)
        throw Error(who + "file too large (" + std::to_string(size) + " bytes)");
    const image_impl::ImageFormat fmt = image_impl::sniff_format(bytes, size);
    if (fmt == image_impl::ImageFormat::Other) throw Error(who + "not a PNG or JPEG file");
    const std::string bad = fmt == image_impl::ImageFormat::Png ? image_impl::check_png_layout(bytes, size)
                                                            : image_impl::check_jpeg_tables(bytes, size);
    if (!bad.empty()) throw Error(who + bad);
    int w = 0, h = 0, n = 0;
    if (!stbi_info_from_memory(bytes, int(size), &w, &h, &n))
        throw Error(who + "not a readable image (" + std::string(stbi_failure_reason()) + ")");
    if (w <= 0 || h <= 0 || n <= 0 || n > 4)
        throw Error(who + "invalid dimensions " + std::to_string(w) + " x " + std::to_string(h) + " x " +
                    std::to_string(n));
    if (w > limits.max_side || h > limits.max_side)
        throw Error(who + "too large (" + std::to_string(w) + " x " + std::to_string(h) + ", limit " +
                    std::to_string(limits.max_side) + " per side)");
    int w2 = 0, h2 = 0, n2 = 0;
    unsigned char* px = stbi_load_from_memory(bytes, int(size), &w2, &h2, &n2, 0);
    if (!px) throw Error(who + "cannot decode (" + std::string(stbi_failure_reason()) + ")");
    if (w2 != w || h2 != h || n2 != n) {  // never trust a second header read blindly
        stbi_image_free(px);
        throw Error(who + "inconsistent header");
    }
    Image img;
    try {
        img = image_impl::image_from_bytes(px, w, h, n);
    } catch (...) {
        stbi_image_free(px);
        throw;
    }
    stbi_image_free(px);
    return img;
}

/// Loads a PNG or JPEG file into floats in [0, 1] (grey stored as RGB -> 1 channel, alpha dropped).
/// Throws posenc::Error for a missing, unreadable, truncated, wrong-format or oversized file.
inline Image load_image(const std::string& path, const ImageLimits& limits = {}) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error("image \"" + path + "\": no such file");
    if (!std::filesystem::is_regular_file(path, ec)) throw Error("image \"" + path + "\": not a regular file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw Error("image \"" + path + "\": cannot read (" + ec.message() + ")");
    if (size > limits.max_file_bytes)
        throw Error("image \"" + path + "\": file too large (" + std::to_string(size) + " bytes)");
    std::vector<unsigned char> bytes(size);
    std::ifstream f(path, std::ios::binary);
    if (!f || !f.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size)))
        throw Error("image \"" + path + "\": cannot read");
    return decode_image(bytes.data(), bytes.size(), path, limits);
}

/// Luma (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B) of an RGB image; a 1-channel image is returned as is.
inline Image to_grey(const Image& img) {
    if (img.channels == 1) return img;
    Image g(img.height, img.width, 1);
    for (Index p = 0; p < img.pixels(); ++p) {
        const float* q = &img.data[std::size_t(p) * img.channels];
        g.data[std::size_t(p)] = 0.299f * q[0] + 0.587f * q[1] + 0.114f * q[2];
    }
    return g;
}

/// Protocol C downsampling to S x S: f = min(h, w) / S (integer division), crop the centred square of
/// side f*S (offsets (h - f S) / 2 and (w - f S) / 2, rounded down), average f x f blocks.
/// Throws when S <= 0 or S > min(h, w).
inline Image downsample(const Image& img, int S) {
    if (S <= 0) throw Error("size must be > 0 (got " + std::to_string(S) + ")");
    const int m = std::min(img.height, img.width);
    if (S > m)
        throw Error("size " + std::to_string(S) + " is larger than the image's shorter side (" + std::to_string(m) +
                    ")");
    const int f = m / S;
    const int top = (img.height - f * S) / 2, left = (img.width - f * S) / 2;
    Image out(S, S, img.channels);
    const double inv = 1.0 / (double(f) * f);
    for (int r = 0; r < S; ++r)
        for (int c = 0; c < S; ++c)
            for (int k = 0; k < img.channels; ++k) {
                double s = 0;
                for (int i = 0; i < f; ++i)
                    for (int j = 0; j < f; ++j) s += img.at(top + r * f + i, left + c * f + j, k);
                out.at(r, c, k) = float(s * inv);
            }
    return out;
}

/// Writes an 8-bit PNG (values clamped to [0, 1], rounded; NaN written as 0) via a temporary file
/// and rename, so no partial file is left. Throws posenc::Error naming the path on failure.
inline void write_png(const std::filesystem::path& path, const Image& img) {
    posenc::detail::require(img.height > 0 && img.width > 0 && (img.channels == 1 || img.channels == 3 || img.channels == 4),
                    "write_png \"" + path.string() + "\": image must be non-empty with 1, 3 or 4 channels");
    std::vector<unsigned char> bytes(img.data.size());
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const float v = img.data[i];
        const float c = (v == v) ? std::clamp(v, 0.0f, 1.0f) : 0.0f;
        bytes[i] = static_cast<unsigned char>(std::lround(c * 255.0f));
    }
    const auto tmp = image_impl::temp_path_for(path);
    const int ok = stbi_write_png(tmp.c_str(), img.width, img.height, img.channels, bytes.data(),
                                  img.width * img.channels);
    if (!ok) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throw Error("cannot write PNG \"" + path.string() + "\"");
    }
    image_impl::commit_temp(tmp, path);
}

/// Creates directory `dir` (and parents) if needed; throws posenc::Error naming it on failure.
inline void ensure_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir, ec))
        throw Error("output directory \"" + dir.string() + "\": cannot create (" + ec.message() + ")");
}

}  // namespace posenc::examples

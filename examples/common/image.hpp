// examples/common/image.hpp — image I/O for the examples: decode PNG (libpng) and JPEG (libjpeg) into
// floats in [0, 1], protocol C downsampling (docs/protocols.md), and PNG output (stb_image_write)
// that never leaves a partial file.
//
// Uses Debian's libpng, libjpeg-turbo and libstb (linked by examples/CMakeLists.txt): this header
// only includes declarations and must never define STB_IMAGE_WRITE_IMPLEMENTATION.
#pragma once
#include <png.h>
#include <stb_image_write.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <jpeglib.h>  // after <cstdio>: libjpeg's header uses FILE and size_t
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

/// Converts samples (8-bit: S = unsigned char, 16-bit: S = std::uint16_t; `n` channels per pixel)
/// into an Image in [0, 1]: alpha is dropped, and an RGB image whose three channels are equal
/// everywhere (grey stored as RGB) becomes 1 channel.
template <class S>
Image image_from_samples(const S* px, int w, int h, int n) {
    const float peak = float(std::numeric_limits<S>::max());
    const int colour = (n >= 3) ? 3 : 1;  // 1: grey, 2: grey+alpha, 3: RGB, 4: RGBA
    bool grey = (colour == 1);
    if (!grey) {
        grey = true;
        for (std::size_t p = 0, P = std::size_t(w) * h; p < P && grey; ++p) {
            const S* q = px + p * n;
            grey = (q[0] == q[1] && q[1] == q[2]);
        }
    }
    const int c = grey ? 1 : 3;
    Image img(h, w, c);
    for (std::size_t p = 0, P = std::size_t(w) * h; p < P; ++p)
        for (int k = 0; k < c; ++k) img.data[p * c + k] = float(px[p * n + k]) / peak;
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

/// Decodes a PNG with libpng's simplified API (png_image). Not stb_image: the stb version Debian
/// ships (2022) allocates whatever an IDAT chunk declares and has undefined behaviour on crafted
/// files that fuzzing finds in seconds (tests/fuzz/crashes/README.md); libpng is fuzzed upstream.
/// 8-bit files give 8-bit samples, 16-bit files 16-bit samples (no reduction to 8 bits). Colour
/// handling is libpng's: a file without gAMA/sRGB/iCCP chunks is taken as it is (8-bit as sRGB,
/// 16-bit as linear); with them, 8-bit output is converted to sRGB. Alpha is read straight (the
/// 8-bit formats are not premultiplied) and dropped; 16-bit translucent pixels come premultiplied,
/// as libpng's linear formats define. The size is checked from the header before any allocation.
inline Image decode_png(const unsigned char* b, std::size_t n, const std::string& who, int max_side) {
    png_image im{};
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&im, b, n))
        throw Error(who + "cannot decode PNG (" + std::string(im.message) + ")");
    struct Free {  // png_image_free is safe after a failed or finished read too
        png_image* p;
        ~Free() { png_image_free(p); }
    } guard{&im};
    if (im.width == 0 || im.height == 0 || im.width > png_uint_32(max_side) || im.height > png_uint_32(max_side))
        throw Error(who + "too large or empty (" + std::to_string(im.width) + " x " + std::to_string(im.height) +
                    ", limit " + std::to_string(max_side) + " per side)");
    const bool colour = (im.format & PNG_FORMAT_FLAG_COLOR) != 0;
    const bool wide = (im.format & PNG_FORMAT_FLAG_LINEAR) != 0;  // 16-bit file
    im.format = (colour ? PNG_FORMAT_RGBA : PNG_FORMAT_GA) | (wide ? PNG_FORMAT_FLAG_LINEAR : 0u);
    const int channels = colour ? 4 : 2, w = int(im.width), h = int(im.height);
    if (wide) {
        std::vector<std::uint16_t> px(std::size_t(w) * std::size_t(h) * std::size_t(channels));
        if (!png_image_finish_read(&im, nullptr, px.data(), 0, nullptr))
            throw Error(who + "cannot decode PNG (" + std::string(im.message) + ")");
        return image_from_samples(px.data(), w, h, channels);
    }
    std::vector<unsigned char> px(std::size_t(w) * std::size_t(h) * std::size_t(channels));
    if (!png_image_finish_read(&im, nullptr, px.data(), 0, nullptr))
        throw Error(who + "cannot decode PNG (" + std::string(im.message) + ")");
    return image_from_samples(px.data(), w, h, channels);
}

/// libjpeg state for one decode. Every libjpeg error longjmps back into jpeg_run, so this struct is
/// plain data and jpeg_run's own frame holds only trivially destructible locals.
struct JpegState {
    jpeg_decompress_struct cinfo;
    jpeg_error_mgr err;
    jpeg_progress_mgr progress;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    bool too_large;
};

/// libjpeg's fatal-error hook: keep the message and return to jpeg_run's setjmp.
inline void jpeg_error_exit(j_common_ptr ci) {
    auto* s = static_cast<JpegState*>(ci->client_data);
    (*ci->err->format_message)(ci, s->message);
    std::longjmp(s->jump, 1);
}
/// libjpeg's warning printer: silent (corrupt-data warnings are not errors; the decoder recovers).
inline void jpeg_no_output(j_common_ptr) {}
/// Progress hook: a progressive JPEG may hold arbitrarily many scans, each re-reading the whole
/// coefficient buffer (a small file that takes minutes); more than 1000 scans is refused.
inline void jpeg_progress(j_common_ptr ci) {
    auto* s = static_cast<JpegState*>(ci->client_data);
    if (!ci->is_decompressor) return;
    if (reinterpret_cast<j_decompress_ptr>(ci)->input_scan_number > 1000) {
        std::snprintf(s->message, sizeof s->message, "more than 1000 progressive scans");
        std::longjmp(s->jump, 1);
    }
}

/// Decodes a JPEG into 8-bit grey or RGB samples (px: h x w x c, row-major). Returns false with
/// s.message set on any libjpeg error, or with s.too_large when a side exceeds max_side (checked from
/// the header, before any pixel buffer is allocated). The caller owns s and destroys s.cinfo.
inline bool jpeg_run(JpegState& s, const unsigned char* b, std::size_t n, int max_side,
                     std::vector<unsigned char>& px, int& w, int& h, int& c) {
    s.cinfo.err = jpeg_std_error(&s.err);
    s.err.error_exit = jpeg_error_exit;
    s.err.output_message = jpeg_no_output;
    s.cinfo.client_data = &s;  // kept by jpeg_create_decompress; error_exit needs it from the start
    if (setjmp(s.jump)) return false;
    jpeg_create_decompress(&s.cinfo);
    s.progress.progress_monitor = jpeg_progress;
    s.cinfo.progress = &s.progress;
    jpeg_mem_src(&s.cinfo, b, static_cast<unsigned long>(n));
    jpeg_read_header(&s.cinfo, TRUE);
    if (s.cinfo.image_width > JDIMENSION(max_side) || s.cinfo.image_height > JDIMENSION(max_side)) {
        s.too_large = true;
        w = int(s.cinfo.image_width);
        h = int(s.cinfo.image_height);
        return false;
    }
    s.cinfo.out_color_space = s.cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&s.cinfo);
    w = int(s.cinfo.output_width);
    h = int(s.cinfo.output_height);
    c = s.cinfo.output_components;
    px.resize(std::size_t(w) * std::size_t(h) * std::size_t(c));  // may throw: the caller cleans up
    while (s.cinfo.output_scanline < s.cinfo.output_height) {
        JSAMPROW row = px.data() + std::size_t(s.cinfo.output_scanline) * std::size_t(w) * std::size_t(c);
        jpeg_read_scanlines(&s.cinfo, &row, 1);
    }
    jpeg_finish_decompress(&s.cinfo);
    return true;
}

/// Decodes a JPEG with libjpeg(-turbo). Not stb_image: the stb version Debian ships (2022) has
/// memory-safety bugs in its JPEG decoder that fuzzing finds within seconds (negative bit counts,
/// reads through undefined Huffman tables; tests/fuzz/crashes/README.md), while libjpeg-turbo's
/// decoder is continuously fuzzed upstream. Recoverable corruption (e.g. a truncated scan) decodes
/// with libjpeg's usual grey fill, as every viewer does; anything fatal throws posenc::Error.
inline Image decode_jpeg(const unsigned char* b, std::size_t n, const std::string& who, int max_side) {
    std::vector<unsigned char> px;
    int w = 0, h = 0, c = 0;
    auto* s = new JpegState{};  // on the heap: jmp_buf + libjpeg structs are a few KiB
    bool ok = false;
    try {
        ok = jpeg_run(*s, b, n, max_side, px, w, h, c);
    } catch (...) {
        jpeg_destroy_decompress(&s->cinfo);
        delete s;
        throw;
    }
    jpeg_destroy_decompress(&s->cinfo);
    const bool too_large = s->too_large;
    const std::string message = s->message;
    delete s;
    if (too_large)
        throw Error(who + "too large (" + std::to_string(w) + " x " + std::to_string(h) + ", limit " +
                    std::to_string(max_side) + " per side)");
    if (!ok) throw Error(who + "cannot decode JPEG (" + message + ")");
    if (w <= 0 || h <= 0 || (c != 1 && c != 3))
        throw Error(who + "invalid JPEG dimensions " + std::to_string(w) + " x " + std::to_string(h) + " x " +
                    std::to_string(c));
    return image_from_samples(px.data(), w, h, c);
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

/// Decodes a PNG (libpng, decode_png) or JPEG (libjpeg, decode_jpeg) image held in memory: grey,
/// grey+alpha, RGB or RGBA, 8 or 16 bit. `name` is used in error messages. Other formats are refused.
/// Dimensions are checked from the header before any pixel buffer is allocated; unreadable,
/// truncated, wrong-format or oversized data throw posenc::Error. See image_from_samples for the
/// channel rules.
inline Image decode_image(const unsigned char* bytes, std::size_t size, const std::string& name,
                          const ImageLimits& limits = {}) {
    const std::string who = "image \"" + name + "\": ";
    if (size == 0) throw Error(who + "file is empty");
    if (size > std::size_t(std::numeric_limits<int>::max()) || size > limits.max_file_bytes)
        throw Error(who + "file too large (" + std::to_string(size) + " bytes)");
    switch (image_impl::sniff_format(bytes, size)) {
        case image_impl::ImageFormat::Png: return image_impl::decode_png(bytes, size, who, limits.max_side);
        case image_impl::ImageFormat::Jpeg: return image_impl::decode_jpeg(bytes, size, who, limits.max_side);
        default: throw Error(who + "not a PNG or JPEG file");
    }
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

/// The side x side square of `img` whose top-left pixel is (row y, column x); throws posenc::Error
/// (naming --crop) when it does not fit.
inline Image crop_square(const Image& img, int x, int y, int side) {
    if (side <= 0 || x < 0 || y < 0 || x + side > img.width || y + side > img.height)
        throw Error("--crop " + std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(side) +
                    " does not fit in the " + std::to_string(img.width) + " x " + std::to_string(img.height) + " image");
    Image out(side, side, img.channels);
    for (int r = 0; r < side; ++r)
        for (int c = 0; c < side; ++c)
            for (int k = 0; k < img.channels; ++k) out.at(r, c, k) = img.at(y + r, x + c, k);
    return out;
}

/// --crop X,Y,SIDE applied to `img` (empty text: `img` unchanged); throws posenc::Error for bad text.
inline Image crop_from_flag(const Image& img, const std::string& text) {
    if (text.empty()) return img;
    int x = 0, y = 0, side = 0;
    char c1 = 0, c2 = 0, extra = 0;
    if (std::sscanf(text.c_str(), "%d%c%d%c%d%c", &x, &c1, &y, &c2, &side, &extra) != 5 || c1 != ',' || c2 != ',')
        throw Error("--crop must be X,Y,SIDE (got \"" + text + "\")");
    return crop_square(img, x, y, side);
}

/// `img` convolved with a Gaussian of standard deviation `sigma_px` pixels (separable, truncated at
/// ceil(3 sigma), borders replicated; sigma 0 returns `img`). Used by --blur to make smooth test signals
/// from natural images (docs/examples.md, protocol F on smooth signals). Throws posenc::Error (naming
/// --blur) unless 0 <= sigma <= 64.
inline Image gaussian_blur(const Image& img, double sigma_px) {
    if (!(sigma_px >= 0 && sigma_px <= 64))
        throw Error("--blur must be a width in pixels in [0, 64] (got " + std::to_string(sigma_px) + ")");
    if (sigma_px == 0) return img;
    const int r = int(std::ceil(3 * sigma_px));
    std::vector<double> k(std::size_t(2 * r + 1));
    double sum = 0;
    for (int i = -r; i <= r; ++i) sum += k[std::size_t(i + r)] = std::exp(-0.5 * i * i / (sigma_px * sigma_px));
    for (double& v : k) v /= sum;
    // out(r, c) = sum_i k(i) in(clamp(r + i), c) along one axis, then the other
    auto pass = [&](const Image& in, bool rows) {
        Image out(in.height, in.width, in.channels);
        const int n = rows ? in.height : in.width;
        for (int y = 0; y < in.height; ++y)
            for (int x = 0; x < in.width; ++x)
                for (int ch = 0; ch < in.channels; ++ch) {
                    double acc = 0;
                    for (int i = -r; i <= r; ++i) {
                        const int j = std::clamp((rows ? y : x) + i, 0, n - 1);
                        acc += k[std::size_t(i + r)] * (rows ? in.at(j, x, ch) : in.at(y, j, ch));
                    }
                    out.at(y, x, ch) = float(acc);
                }
        return out;
    };
    return pass(pass(img, true), false);
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

/// The 2D tools' target image (fit_2d, choose_encoding): `source` blurred by `blur_px` pixels (--blur),
/// cropped (--crop X,Y,SIDE; empty: whole), its luma if `grey` (--grey), downsampled to S x S
/// (protocol C). Throws posenc::Error as each step does.
inline Image prepare_image(const Image& source, double blur_px, const std::string& crop, bool grey, int S) {
    Image img = crop_from_flag(gaussian_blur(source, blur_px), crop);
    if (grey) img = to_grey(img);
    return downsample(img, S);
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

// examples/common/signals.hpp — built-in procedural signals (so the examples run without data files)
// and the train/test splits of protocols B (1D) and C (2D) of docs/protocols.md.
#pragma once
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "common/image.hpp"
#include "posenc/core/error.hpp"
#include "posenc/core/random.hpp"
#include "posenc/core/types.hpp"

namespace posenc::examples {

namespace signals_impl {
/// Rounds v (clamped to [0, 1]) to the nearest multiple of 1/255, like an 8-bit image value.
inline float quantise8(double v) { return float(std::round(std::clamp(v, 0.0, 1.0) * 255.0) / 255.0); }
}  // namespace signals_impl

/// The built-in 1D signal: `n` samples (default 512) of a deterministic, natural-image-like row in
/// [0, 1], sample i at x = i / n: a smooth low-frequency background, sharp edges (steps and a narrow
/// bar), a band of fine periodic texture and a band of seeded random texture, quantised to 8 bits.
/// Same values on every platform up to libm rounding (the texture comes from posenc::Rng).
inline std::vector<float> default_signal_1d(int n = 512) {
    if (n <= 0) throw Error("default_signal_1d: n must be > 0 (got " + std::to_string(n) + ")");
    constexpr double pi = std::numbers::pi;
    // seeded texture, lightly smoothed (3-tap) so it looks like film grain rather than white noise
    Rng rng(20210706);
    std::vector<double> grain(std::size_t(n) + 2);
    for (double& g : grain) g = rng.uniform(-1.0, 1.0);
    std::vector<float> s(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        const double x = double(i) / n;
        double v = 0.42 + 0.14 * std::sin(2 * pi * 1.3 * x + 0.4) + 0.07 * std::cos(2 * pi * 3.1 * x);  // smooth
        if (x >= 0.16 && x < 0.30) v += 0.22;                                      // plateau with two edges
        if (x >= 0.30 && x < 0.34) v -= 0.10 * (0.34 - x) / 0.04;                  // ramp back down
        if (x >= 0.545 && x < 0.565) v -= 0.25;                                    // narrow dark bar
        if (x >= 0.82 && x < 0.93) v += 0.20 + 0.05 * std::sin(2 * pi * 9 * x);   // bright patch, shaded
        if (x >= 0.37 && x < 0.52) v += 0.06 * std::sin(2 * pi * 48 * x) * std::sin(pi * (x - 0.37) / 0.15);
        if (x >= 0.63 && x < 0.78) {
            const std::size_t k = std::size_t(i) + 1;
            v += 0.09 * (0.25 * grain[k - 1] + 0.5 * grain[k] + 0.25 * grain[k + 1]);
        }
        s[std::size_t(i)] = signals_impl::quantise8(std::clamp(v, 0.02, 0.98));
    }
    return s;
}

/// The built-in 2D image: size x size RGB (default 256), deterministic: smooth colour gradients,
/// a shaded disc and a rectangle with sharp edges, a band of stripes and a patch of seeded grain,
/// quantised to 8 bits.
inline Image default_image_2d(int size = 256) {
    if (size <= 0) throw Error("default_image_2d: size must be > 0 (got " + std::to_string(size) + ")");
    constexpr double pi = std::numbers::pi;
    Rng rng(4242);
    Image img(size, size, 3);
    for (int r = 0; r < size; ++r)
        for (int c = 0; c < size; ++c) {
            const double x = (c + 0.5) / size, y = (r + 0.5) / size;
            double rgb[3] = {0.25 + 0.45 * x, 0.20 + 0.50 * y, 0.55 + 0.20 * std::sin(2 * pi * (x + y))};
            const double dx = x - 0.33, dy = y - 0.38, rr = std::sqrt(dx * dx + dy * dy);
            if (rr < 0.19) {  // shaded disc (light from the top left)
                const double shade = 0.75 + 0.25 * std::clamp(-(dx + dy) / 0.19, -1.0, 1.0);
                rgb[0] = 0.95 * shade; rgb[1] = 0.78 * shade; rgb[2] = 0.20 * shade;
            }
            if (x > 0.60 && x < 0.90 && y > 0.12 && y < 0.42) { rgb[0] = 0.10; rgb[1] = 0.18; rgb[2] = 0.45; }
            if (x > 0.55 && x < 0.95 && y > 0.60 && y < 0.90) {  // stripes
                const double t = 0.5 + 0.5 * std::sin(2 * pi * 14 * (x + 0.5 * y));
                for (double& v : rgb) v = 0.6 * v + 0.35 * t;
            }
            const double g = rng.uniform(-1.0, 1.0);  // drawn for every pixel: layout independent of region
            if (x > 0.08 && x < 0.45 && y > 0.65 && y < 0.92)
                for (double& v : rgb) v += 0.08 * g;
            for (int k = 0; k < 3; ++k) img.at(r, c, k) = signals_impl::quantise8(rgb[k]);
        }
    return img;
}

/// One row of an image as a 1D signal (protocol B): the first `n` samples (default 512) of row `row`
/// of the single-channel image (an RGB image is converted with to_grey). Throws posenc::Error when the
/// row is out of range or the image is narrower than n.
inline std::vector<float> image_row(const Image& img, int row, int n = 512) {
    if (row < 0 || row >= img.height)
        throw Error("row " + std::to_string(row) + " is out of range (image has " + std::to_string(img.height) +
                    " rows)");
    if (n <= 0) throw Error("samples must be > 0 (got " + std::to_string(n) + ")");
    if (img.width < n)
        throw Error("image is " + std::to_string(img.width) + " pixels wide; at least " + std::to_string(n) +
                    " are needed");
    const Image g = to_grey(img);
    std::vector<float> s(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) s[std::size_t(i)] = g.at(row, i, 0);
    return s;
}

/// A train/test split: coordinates are d x N (points as columns), targets C x N.
struct Split {
    Mat<float> x_train;  ///< d x N_train coordinates
    Mat<float> y_train;  ///< C x N_train targets
    Mat<float> x_test;   ///< d x N_test coordinates
    Mat<float> y_test;   ///< C x N_test targets
};

/// Coordinates of all n samples of a 1D signal: x_i = i / n (1 x n).
inline Mat<float> line_coordinates(Index n) {
    Mat<float> X(1, n);
    for (Index i = 0; i < n; ++i) X(0, i) = float(double(i) / double(n));
    return X;
}

/// Protocol B split of a 1D signal of n samples: x_i = i / n, train = even i, test = odd i.
inline Split split_1d(const std::vector<float>& s) {
    const Index n = Index(s.size());
    if (n < 2) throw Error("signal must have at least 2 samples (got " + std::to_string(n) + ")");
    Split sp;
    const Index ntr = (n + 1) / 2, nte = n / 2;
    sp.x_train.resize(1, ntr); sp.y_train.resize(1, ntr);
    sp.x_test.resize(1, nte);  sp.y_test.resize(1, nte);
    for (Index i = 0; i < n; ++i) {
        const float x = float(double(i) / double(n));
        if (i % 2 == 0) { sp.x_train(0, i / 2) = x; sp.y_train(0, i / 2) = s[std::size_t(i)]; }
        else            { sp.x_test(0, i / 2) = x;  sp.y_test(0, i / 2) = s[std::size_t(i)]; }
    }
    return sp;
}

/// Coordinates of every pixel of an h x w grid (protocol C: pixel (r, c) -> (c / w, r / h)), 2 x (h*w),
/// pixel (r, c) in column r * w + c (the order of Image::columns()).
inline Mat<float> grid_coordinates(int h, int w) {
    Mat<float> X(2, Index(h) * w);
    for (int r = 0; r < h; ++r)
        for (int c = 0; c < w; ++c) {
            X(0, Index(r) * w + c) = float(double(c) / w);
            X(1, Index(r) * w + c) = float(double(r) / h);
        }
    return X;
}

/// Protocol C split of an image: coordinates (x, y) = (c / w, r / h); train = even r and even c,
/// test = odd r and odd c (the mixed-parity pixels are in neither set).
inline Split split_2d(const Image& img) {
    const int h = img.height, w = img.width, C = img.channels;
    if (h < 2 || w < 2) throw Error("image must be at least 2 x 2 (got " + std::to_string(h) + " x " + std::to_string(w) + ")");
    const Index ntr = Index((h + 1) / 2) * ((w + 1) / 2), nte = Index(h / 2) * (w / 2);
    Split sp;
    sp.x_train.resize(2, ntr); sp.y_train.resize(C, ntr);
    sp.x_test.resize(2, nte);  sp.y_test.resize(C, nte);
    Index a = 0, b = 0;
    for (int r = 0; r < h; ++r)
        for (int c = 0; c < w; ++c) {
            const bool train = (r % 2 == 0 && c % 2 == 0), test = (r % 2 == 1 && c % 2 == 1);
            if (!train && !test) continue;
            Mat<float>& X = train ? sp.x_train : sp.x_test;
            Mat<float>& Y = train ? sp.y_train : sp.y_test;
            Index& j = train ? a : b;
            X(0, j) = float(double(c) / w);
            X(1, j) = float(double(r) / h);
            for (int k = 0; k < C; ++k) Y(k, j) = img.at(r, c, k);
            ++j;
        }
    return sp;
}

}  // namespace posenc::examples

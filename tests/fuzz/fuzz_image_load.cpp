// libFuzzer target: the examples' image loading path (examples/common/image.hpp).
//
// Any byte string given to decode_image (what load_image calls after reading the file) must either
// throw posenc::Error or return a well-formed image; the image must survive the operations the
// examples apply to it (grey conversion, protocol C downsampling of docs/protocols.md, columns()).
// Anything else — a sanitizer report, another exception type, a broken invariant (__builtin_trap) —
// is a finding.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "common/image.hpp"

namespace {
void check(bool ok) {
    if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace ex = posenc::examples;
    // The examples accept up to 16384 x 16384; the fuzzer uses a smaller cap so that one input can
    // never need more than a few MiB and the fuzzer stays fast (the cap check itself is still exercised).
    ex::ImageLimits limits;
    limits.max_side = 512;
    limits.max_file_bytes = 1u << 20;
    try {
        const ex::Image img = ex::decode_image(data, size, "fuzz", limits);
        check(img.height > 0 && img.width > 0 && img.height <= limits.max_side && img.width <= limits.max_side);
        check(img.channels == 1 || img.channels == 3);
        check(img.data.size() == std::size_t(img.height) * std::size_t(img.width) * std::size_t(img.channels));
        for (float v : img.data) check(std::isfinite(v) && v >= 0.0f && v <= 1.0f);

        const posenc::Mat<float> Y = img.columns();
        check(Y.rows() == img.channels && Y.cols() == img.pixels());
        const ex::Image grey = ex::to_grey(img);
        check(grey.channels == 1 && grey.pixels() == img.pixels());

        // Protocol C downsampling to a size derived from the input (1 .. min(h, w)).
        const int m = std::min(img.height, img.width);
        const int S = 1 + int(data[size - 1]) % m;
        const ex::Image small = ex::downsample(img, S);
        check(small.height == S && small.width == S && small.channels == img.channels);
        for (float v : small.data) check(v >= -1e-6f && v <= 1.0f + 1e-6f);
    } catch (const posenc::Error&) {
        // Rejected with posenc's error type: the expected outcome for malformed input.
    }
    return 0;
}

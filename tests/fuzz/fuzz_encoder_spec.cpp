// libFuzzer target: runtime encoder construction from untrusted text (io/json_spec.hpp parse_spec +
// encoding/factory.hpp make_encoder), as used for encoder descriptions given on the command line or
// stored with a model, then encoding a few points with the result.
//
// Allowed outcomes: posenc::Error (bad JSON, unknown type/parameter, bad value, absurd size), or an
// encoder whose codes, windows and coordinate gradients are well formed. Anything else — a sanitizer
// report, another exception type (std::bad_alloc, std::length_error, ...), a broken invariant
// (__builtin_trap) or an allocation over the fuzzer's malloc limit (1 GiB) — is a finding.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "posenc/encoding/factory.hpp"
#include "posenc/io/json_spec.hpp"

namespace {
void check(bool ok) {
    if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using T = float;
    const std::string text(reinterpret_cast<const char*>(data), size);
    posenc::AnyEncoder<T> enc;
    try {
        enc = posenc::make_encoder<T>(posenc::parse_spec(text));
    } catch (const posenc::Error&) {
        return 0;  // rejected with a message: expected for most inputs
    }
    const posenc::Index d = enc.input_dim(), D = enc.output_dim();
    check(d >= 1 && D >= 1);
    // The factory caps sizes (dim <= 2^26): encoding 3 points of a huge code is legitimate but slow;
    // keep each input below ~50 MB of codes.
    constexpr posenc::Index N = 3;
    if (D * N > (posenc::Index(1) << 22) || d > 4096) return 0;

    // Points in [0, 1] (every encoder's domain), the centre and the two ends of the diagonal.
    posenc::Mat<T> X(d, N);
    X.col(0).setConstant(T(0.5));
    X.col(1).setZero();
    X.col(2).setOnes();
    posenc::Mat<T> codes(D, N);
    try {
        enc.encode(X, codes);
    } catch (const posenc::Error&) {
        if (d != 3) return 0;
        // Encoders of unit directions (spherical_harmonics: x in [0, 1]^3 with |2x - 1| = 1) reject the
        // centre: retry with the inputs of the directions +x, -z and (0.6, 0, 0.8).
        X << T(1), T(0.5), T(0.8), T(0.5), T(0.5), T(0.5), T(0.5), T(0), T(0.9);
        try {
            enc.encode(X, codes);
        } catch (const posenc::Error&) {
            return 0;
        }
    }
    check(codes.allFinite());

    posenc::Mat<T> dY = posenc::Mat<T>::Ones(D, N), dX(d, N);
    try {
        enc.backward(X, dY, dX);
    } catch (const posenc::Error&) {
    }

    const posenc::Index K = enc.window_width();
    if (K > 0) {
        posenc::Windows<T> w;
        enc.windows(X, w);
        check(w.index.rows() == K && w.index.cols() == N && w.weight.rows() == K && w.weight.cols() == N);
        for (posenc::Index n = 0; n < N; ++n) {
            for (posenc::Index k = 0; k < K; ++k) {
                const auto i = w.index(k, n);
                check(i >= 0 && i < D);
                const T v = w.weight(k, n);
                check(std::isfinite(v));
                // A non-zero slot holds the dense code's value at its index.
                if (v != T(0)) check(std::abs(v - codes(i, n)) <= T(1e-5) * std::abs(codes(i, n)) + T(1e-30));
            }
        }
    }
    return 0;
}

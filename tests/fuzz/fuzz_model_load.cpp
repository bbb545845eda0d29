// libFuzzer target: the model-file loader (include/posenc/io/model_file.hpp, model_from_bytes, which
// load_model() calls on the file's contents).
//
// Each input is tried twice: as is (exercising the magic / version / length / checksum checks), and
// with the header's body length and the CRC-32 rewritten to match the input, so that mutated bodies
// get past the checksum and the fuzzer explores the spec / config / tensor parsing and the model
// construction behind it. Both as Model<float> and Model<double> (the loader converts scalars).
// Allowed outcomes: posenc::Error, or a model whose predictions have the right shape and which
// saves back to bytes that load again with bitwise-identical predictions. Anything else — a sanitizer
// report, another exception type, a broken invariant (__builtin_trap), an allocation over the
// fuzzer's malloc limit (a hostile header must never make the loader allocate what it declares) — is
// a finding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "posenc/io/model_file.hpp"

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

// CRC-32 (IEEE, reflected 0xEDB88320), written here independently of posenc's.
std::uint32_t crc32(const unsigned char* p, std::size_t n) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; ++i) c = table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
    return ~c;
}

// Layout (docs/model_files.md): 8-byte magic, u32 version, u32 scalar bytes, u64 body length, body,
// u32 CRC-32 of everything before it; all little-endian.
std::string with_consistent_length_and_checksum(std::string b) {
    constexpr std::size_t header = 24, tail = 4;
    if (b.size() < header + tail) return b;
    const std::uint64_t body = b.size() - header - tail;
    for (int i = 0; i < 8; ++i) b[16 + i] = char((body >> (8 * i)) & 0xFFu);
    const std::uint32_t c = crc32(reinterpret_cast<const unsigned char*>(b.data()), b.size() - tail);
    for (int i = 0; i < 4; ++i) b[b.size() - tail + i] = char((c >> (8 * i)) & 0xFFu);
    return b;
}

template <class T>
void try_load(std::string_view bytes) {
    posenc::Model<T> model;
    try {
        model = posenc::model_from_bytes<T>(bytes);
    } catch (const posenc::Error&) {
        return;  // rejected with a message: the expected outcome for malformed input
    }
    const posenc::Index d = model.encoder().input_dim();
    check(d >= 1);
    if (d > 4096) return;
    posenc::Mat<T> X(d, 3);
    X.col(0).setConstant(T(0.5));
    X.col(1).setZero();
    X.col(2).setOnes();
    posenc::Mat<T> Y;
    try {
        Y = model.predict(X);
    } catch (const posenc::Error&) {
        return;
    }
    check(Y.cols() == 3 && Y.rows() >= 1);

    // Whatever loads must save, and load back to the same predictions.
    std::string again;
    try {
        again = posenc::model_to_bytes(model);
    } catch (const posenc::Error&) {
        return;  // e.g. weights that overflowed when converted; saving refuses non-finite values
    }
    const posenc::Model<T> model2 = posenc::model_from_bytes<T>(again);
    const posenc::Mat<T> Y2 = model2.predict(X);
    check(Y2.rows() == Y.rows() && Y2.cols() == Y.cols());
    for (posenc::Index i = 0; i < Y.size(); ++i)
        check(Y.data()[i] == Y2.data()[i] || (Y.data()[i] != Y.data()[i] && Y2.data()[i] != Y2.data()[i]));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string raw(reinterpret_cast<const char*>(data), size);
    try_load<float>(raw);
    const std::string fixed = with_consistent_length_and_checksum(raw);
    try_load<float>(fixed);
    try_load<double>(fixed);
    return 0;
}

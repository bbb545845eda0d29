// Tests for posenc's model files (io/model_file.hpp): round trips, the documented byte layout, and
// hostile / corrupt / truncated input, and that a failed or interrupted save never damages an
// existing file.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "posenc/encoding/factory.hpp"
#include "posenc/encoding/frequencies.hpp"
#include "posenc/encoding/per_axis.hpp"
#include "posenc/encoding/shifted_basis.hpp"
#include "posenc/encoding/identity.hpp"
#include "posenc/io/model_file.hpp"
#include "posenc/nn/model.hpp"

using namespace posenc;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

EncoderSpec spec(std::string type, std::map<std::string, double> params, std::vector<EncoderSpec> children = {}) {
    return EncoderSpec{std::move(type), std::move(params), std::move(children)};
}

/// A model whose weights are NOT the seed's initialisation (so a loader that ignored the stored
/// tensors and re-initialised from the seed would fail the comparisons).
template <class T>
Model<T> make_model(const EncoderSpec& s, Index depth, Index width, Index out, ActivationSpec hidden,
                    ActivationSpec output, std::uint64_t seed, FirstLayerPath path = FirstLayerPath::Auto) {
    MlpConfig cfg;
    cfg.output_dim = out;
    cfg.width = width;
    cfg.depth = depth;
    cfg.hidden = hidden;
    cfg.output = output;
    cfg.seed = seed;
    Model<T> m(make_encoder<T>(s), cfg, path);
    Rng rng(seed + 1000);
    for (Index l = 0; l < m.mlp().num_layers(); ++l) {
        auto& L = m.mlp().layer(l);
        for (Index i = 0; i < L.W.size(); ++i) L.W.data()[i] += T(rng.uniform(-0.1, 0.1));
        for (Index i = 0; i < L.b.size(); ++i) L.b(i) += T(rng.uniform(-0.1, 0.1));
    }
    return m;
}

template <class T>
Mat<T> points(Index d, Index n, std::uint64_t seed) {
    Rng rng(seed);
    Mat<T> X(d, n);
    for (Index i = 0; i < X.size(); ++i) X.data()[i] = T(rng.uniform());
    return X;
}

/// The small model used by the byte-level tests (a few hundred bytes).
Model<float> small_model() {
    return make_model<float>(spec("gaussian", {{"sigma", 0.1}, {"dim", 8}}), 1, 4, 2, {Activation::ReLU, 0},
                             {Activation::Sigmoid, 0}, 3);
}

/// A fresh empty directory under the system temp dir, removed at scope exit.
struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& tag) {
        path = fs::temp_directory_path() /
               ("posenc_test_model_file_" + tag + "_" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path, ec);
    }
    std::vector<std::string> entries() const {
        std::vector<std::string> v;
        for (const auto& e : fs::directory_iterator(path)) v.push_back(e.path().filename().string());
        std::sort(v.begin(), v.end());
        return v;
    }
};

std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& p, const std::string& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(b.data(), std::streamsize(b.size()));
}

template <class T>
void require_same_model(const Model<T>& a, const Model<T>& b) {
    REQUIRE(a.encoder().spec() == b.encoder().spec());
    REQUIRE(a.path() == b.path());
    const MlpConfig &ca = a.mlp().config(), &cb = b.mlp().config();
    REQUIRE(ca.input_dim == cb.input_dim);
    REQUIRE(ca.output_dim == cb.output_dim);
    REQUIRE(ca.width == cb.width);
    REQUIRE(ca.depth == cb.depth);
    REQUIRE(ca.hidden.kind == cb.hidden.kind);
    REQUIRE(ca.hidden.param == cb.hidden.param);
    REQUIRE(ca.output.kind == cb.output.kind);
    REQUIRE(ca.output.param == cb.output.param);
    REQUIRE(ca.seed == cb.seed);
    REQUIRE(ca.init == cb.init);
    REQUIRE(a.mlp().num_layers() == b.mlp().num_layers());
    for (Index l = 0; l < a.mlp().num_layers(); ++l) {
        REQUIRE(a.mlp().layer(l).W == b.mlp().layer(l).W);
        REQUIRE(a.mlp().layer(l).b == b.mlp().layer(l).b);
    }
}

// ---- an independent writer of the documented layout (docs/model_files.md), for crafted files ----
struct Le {
    std::string s;
    void u(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i) s += char((v >> (8 * i)) & 0xFF);
    }
    void u32(std::uint32_t v) { u(v, 4); }
    void u64(std::uint64_t v) { u(v, 8); }
    void f32(float v) {
        std::uint32_t x;
        std::memcpy(&x, &v, 4);
        u(x, 4);
    }
    void f64(double v) {
        std::uint64_t x;
        std::memcpy(&x, &v, 8);
        u(x, 8);
    }
    void str(const std::string& t) {
        u32(std::uint32_t(t.size()));
        s += t;
    }
};

/// Bitwise CRC-32 (IEEE), written independently of the library's table version.
std::uint32_t crc32_bitwise(const std::string& s) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : s) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

/// header (magic, version, scalar bytes, body length) + body + CRC-32 of both.
std::string frame(const std::string& body, std::uint32_t version = 1, std::uint32_t scalar = 4) {
    Le f;
    f.s = std::string("\x89POSENCM", 8);
    f.u32(version);
    f.u32(scalar);
    f.u64(body.size());
    f.s += body;
    f.u32(crc32_bitwise(f.s));
    return f.s;
}

struct Cfg {
    std::int64_t in = 1, out = 1, width = 4, depth = 0;
    std::uint32_t hidden = 1, output = 0;
    double hp = 0, op = 0;
    std::uint64_t seed = 0;
    std::uint32_t init = 0, path = 0;
};

void put_config(Le& b, const Cfg& c) {
    b.u64(std::uint64_t(c.in));
    b.u64(std::uint64_t(c.out));
    b.u64(std::uint64_t(c.width));
    b.u64(std::uint64_t(c.depth));
    b.u32(c.hidden);
    b.f64(c.hp);
    b.u32(c.output);
    b.f64(c.op);
    b.u64(c.seed);
    b.u32(c.init);
    b.u32(c.path);
}

/// The spec {"type":"identity","input_dim":1}.
void put_identity_spec(Le& b) {
    b.str("identity");
    b.u32(1);
    b.str("input_dim");
    b.f64(1.0);
    b.u32(0);
}

/// A valid float32 file: identity encoder, depth 0, 1 -> 1, weight w, bias c.
std::string identity_file(float w, float c) {
    Le b;
    put_identity_spec(b);
    put_config(b, Cfg{});
    b.u32(2);
    b.str("layer0.weight");
    b.u32(2);
    b.u64(1);
    b.u64(1);
    b.f32(w);
    b.str("layer0.bias");
    b.u32(1);
    b.u64(1);
    b.f32(c);
    return frame(b.s);
}

#if defined(__SANITIZE_ADDRESS__)
#define POSENC_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POSENC_TEST_ASAN 1
#endif
#endif

/// While alive, caps the address space at (current size + extra) so that any large allocation fails
/// (with std::bad_alloc, which is not posenc::Error). Inactive under AddressSanitizer (its shadow memory).
struct AddressSpaceCap {
    rlimit old{};
    bool active = false;
    explicit AddressSpaceCap(std::uint64_t extra) {
#if !defined(POSENC_TEST_ASAN)
        std::ifstream statm("/proc/self/statm");
        std::uint64_t pages = 0;
        if (!(statm >> pages) || getrlimit(RLIMIT_AS, &old) != 0) return;
        rlimit cap = old;
        cap.rlim_cur = pages * std::uint64_t(::sysconf(_SC_PAGESIZE)) + extra;
        if (old.rlim_cur != RLIM_INFINITY && cap.rlim_cur > old.rlim_cur) return;
        active = setrlimit(RLIMIT_AS, &cap) == 0;
#else
        (void)extra;
#endif
    }
    ~AddressSpaceCap() {
        if (active) setrlimit(RLIMIT_AS, &old);
    }
};

}  // namespace

TEST_CASE("crc32 matches the standard check value", "[model_file]") {
    REQUIRE(detail::crc32(std::string("123456789")) == 0xCBF43926u);
    REQUIRE(crc32_bitwise("123456789") == 0xCBF43926u);
    const std::string b = model_to_bytes(small_model());
    REQUIRE(detail::crc32(b) == crc32_bitwise(b));
}

TEMPLATE_TEST_CASE("model files round trip exactly", "[model_file]", float, double) {
    using T = TestType;
    TempDir dir("roundtrip");
    struct C {
        EncoderSpec s;
        Index d, depth, width, out;
        ActivationSpec hidden, output;
        FirstLayerPath path;
    };
    const std::vector<C> cases = {
        {spec("gaussian", {{"sigma", 0.05}, {"dim", 64}}), 1, 2, 16, 1, {Activation::ReLU, 0}, {Activation::Identity, 0},
         FirstLayerPath::Auto},
        {spec("gaussian2", {{"sigma", 0.1}, {"dim", 32}}), 2, 1, 8, 3, {Activation::Sine, 0}, {Activation::Sigmoid, 0},
         FirstLayerPath::Dense},
        {spec("rff", {{"sigma", 10}, {"dim", 16}, {"seed", 7}, {"input_dim", 2}}), 2, 0, 256, 3, {Activation::ReLU, 0},
         {Activation::Identity, 0}, FirstLayerPath::Dense},
        {spec("concat", {}, {spec("identity", {}), spec("basic", {})}), 1, 1, 4, 1, {Activation::Gaussian, 0.5},
         {Activation::Tanh, 0}, FirstLayerPath::Auto},
        {spec("triangle", {{"width", 0.05}, {"dim", 40}, {"periodic", 1}}), 1, 3, 5, 2, {Activation::Sine, 12.5},
         {Activation::Identity, 0}, FirstLayerPath::Sparse},
        {spec("per_axis", {{"input_dim", 3}}, {spec("sinc", {{"width", 0.1}, {"dim", 10}})}), 3, 1, 6, 1,
         {Activation::Tanh, 0}, {Activation::Sigmoid, 0}, FirstLayerPath::Dense},
    };
    int k = 0;
    for (const auto& c : cases) {
        INFO("case " << k << ": " << to_string(c.s));
        const Model<T> m = make_model<T>(c.s, c.depth, c.width, c.out, c.hidden, c.output, 40 + std::uint64_t(k), c.path);
        const fs::path file = dir.path / ("m" + std::to_string(k++) + ".posenc");
        save_model(m, file);
        const Model<T> back = load_model<T>(file);
        require_same_model(m, back);
        const Mat<T> X = points<T>(c.d, 100, 5);
        const Mat<T> y0 = m.predict(X), y1 = back.predict(X);
        REQUIRE(y0.allFinite());
        REQUIRE(y0 == y1);  // bitwise: same spec, same weights, same path
        // Saving the loaded model gives the same bytes.
        REQUIRE(model_to_bytes(back) == read_bytes(file));
        const ModelFileInfo info = model_file_info(file);
        REQUIRE(info.version == kModelFileVersion);
        REQUIRE(info.scalar_bytes == sizeof(T));
        REQUIRE(info.encoder == m.encoder().spec());
        REQUIRE(info.tensors.size() == std::size_t(2 * (c.depth + 1)));
        REQUIRE(info.tensors[0].name == "layer0.weight");
        REQUIRE(info.tensors[0].shape == std::vector<std::uint64_t>{std::uint64_t(m.mlp().layer(0).W.rows()),
                                                                    std::uint64_t(m.mlp().layer(0).W.cols())});
    }
    REQUIRE(dir.entries().size() == cases.size());  // no temporary files left behind
}

TEST_CASE("a float file loads as double exactly and a double file as float rounded", "[model_file]") {
    const EncoderSpec s = spec("gaussian", {{"sigma", 0.05}, {"dim", 32}});
    const Model<float> mf = make_model<float>(s, 1, 8, 1, {Activation::ReLU, 0}, {Activation::Identity, 0}, 1);
    const Model<double> md = model_from_bytes<double>(model_to_bytes(mf));
    for (Index l = 0; l < 2; ++l) REQUIRE(md.mlp().layer(l).W == mf.mlp().layer(l).W.cast<double>());
    const Mat<double> X = points<double>(1, 50, 2);
    const Mat<double> yd = md.predict(X);
    const Mat<float> yf = mf.predict(X.cast<float>());
    REQUIRE((yd - yf.cast<double>()).cwiseAbs().maxCoeff() < 1e-5);

    const Model<double> d = make_model<double>(s, 1, 8, 1, {Activation::ReLU, 0}, {Activation::Identity, 0}, 2);
    const Model<float> f = model_from_bytes<float>(model_to_bytes(d));
    for (Index l = 0; l < 2; ++l) REQUIRE(f.mlp().layer(l).W == d.mlp().layer(l).W.cast<float>());
    REQUIRE(model_to_bytes(f).size() < model_to_bytes(d).size());  // re-saved as float32

    // A float64 value beyond the float range cannot be narrowed.
    Model<double> big = d;
    big.mlp().layer(0).W(0, 0) = 1e300;
    const std::string bytes = model_to_bytes(big);
    REQUIRE_THROWS_AS(model_from_bytes<float>(bytes), Error);
    REQUIRE_THROWS_WITH(model_from_bytes<float>(bytes), Contains("does not fit a float"));
    REQUIRE(model_from_bytes<double>(bytes).mlp().layer(0).W(0, 0) == 1e300);
}

TEST_CASE("the byte layout is the documented one", "[model_file]") {
    // Identity encoder, depth 0, 1 -> 1, weight 2.5, bias -0.75, written independently (docs/model_files.md).
    Model<float> m(make_encoder<float>(spec("identity", {{"input_dim", 1}})), [] {
        MlpConfig c;
        c.output_dim = 1;
        c.depth = 0;
        c.width = 4;
        return c;
    }());
    m.mlp().layer(0).W(0, 0) = 2.5f;
    m.mlp().layer(0).b(0) = -0.75f;
    const std::string expected = identity_file(2.5f, -0.75f);
    REQUIRE(model_to_bytes(m) == expected);
    const Model<float> back = model_from_bytes<float>(expected);
    const Mat<float> X = (Mat<float>(1, 3) << 0.f, 0.5f, 1.f).finished();
    const Mat<float> y = back.predict(X);
    REQUIRE(y(0, 0) == -0.75f);
    REQUIRE(y(0, 1) == 0.5f);
    REQUIRE(y(0, 2) == 1.75f);

    // A 2 x 3 weight is stored row-major, [out, in] as in PyTorch.
    Model<double> m2(make_encoder<double>(spec("identity", {{"input_dim", 3}})), [] {
        MlpConfig c;
        c.output_dim = 2;
        c.depth = 0;
        return c;
    }());
    m2.mlp().layer(0).W << 1, 2, 3, 4, 5, 6;
    m2.mlp().layer(0).b << 7, 8;
    const std::string b2 = model_to_bytes(m2);
    const std::size_t w_at = b2.find("layer0.weight") + 13 + 4 + 16;  // name, rank, two dims
    for (int i = 0; i < 6; ++i) {
        double v;
        std::memcpy(&v, b2.data() + w_at + 8 * std::size_t(i), 8);
        REQUIRE(v == double(i + 1));
    }
}

TEST_CASE("every truncated prefix of a model file is a posenc::Error", "[model_file]") {
    const std::string b = model_to_bytes(small_model());
    REQUIRE(b.size() > 100);
    for (std::size_t k = 0; k < b.size(); ++k) {
        INFO("prefix of " << k << " of " << b.size() << " bytes");
        const std::string_view prefix(b.data(), k);
        REQUIRE_THROWS_AS(model_from_bytes<float>(prefix), Error);
        if (k < 8) REQUIRE_THROWS_WITH(model_from_bytes<float>(prefix), Contains("not a posenc model file"));
        else if (k < 24) REQUIRE_THROWS_WITH(model_from_bytes<float>(prefix), Contains("truncated header"));
        else REQUIRE_THROWS_WITH(model_from_bytes<float>(prefix), Contains("truncated"));
    }
    REQUIRE_NOTHROW(model_from_bytes<float>(b));

    // The same through files on disk, including an empty file and a missing one.
    TempDir dir("truncated");
    for (std::size_t k : {std::size_t(0), std::size_t(5), std::size_t(23), std::size_t(60), b.size() - 1}) {
        write_bytes(dir.path / "t.posenc", b.substr(0, k));
        REQUIRE_THROWS_AS(load_model<float>(dir.path / "t.posenc"), Error);
    }
    REQUIRE_THROWS_WITH(load_model<float>(dir.path / "missing.posenc"), Contains("cannot open"));
    REQUIRE_THROWS_WITH(load_model<float>(dir.path), Contains("is a directory"));
    // Extra bytes after a complete file are rejected too.
    REQUIRE_THROWS_WITH(model_from_bytes<float>(b + "x"), Contains("unexpected bytes"));
}

TEST_CASE("every flipped bit of a model file is a posenc::Error", "[model_file]") {
    const std::string b = model_to_bytes(small_model());
    std::size_t checksum_errors = 0;
    for (std::size_t i = 0; i < b.size(); ++i)
        for (int bit = 0; bit < 8; ++bit) {
            std::string c = b;
            c[i] = char(c[i] ^ (1 << bit));
            INFO("byte " << i << " bit " << bit);
            try {
                (void)model_from_bytes<float>(c);
                FAIL("a corrupt file was accepted");
            } catch (const Error& e) {
                if (std::string(e.what()).find("checksum mismatch") != std::string::npos) ++checksum_errors;
            }
        }
    // Everything after the 24-byte header is covered by the checksum.
    REQUIRE(checksum_errors == 8 * (b.size() - 24));
    // Whole bytes replaced (0x00 / 0xFF) anywhere: also errors.
    for (std::size_t i = 0; i < b.size(); ++i)
        for (char v : {'\0', '\xff'}) {
            if (b[i] == v) continue;
            std::string c = b;
            c[i] = v;
            REQUIRE_THROWS_AS(model_from_bytes<float>(c), Error);
        }
}

TEST_CASE("wrong magic and unsupported versions are named in the error", "[model_file]") {
    REQUIRE_THROWS_WITH(model_from_bytes<float>(std::string("\x89PNG\r\n\x1a\n0000000000000000000000000000", 36)),
                        Contains("not a posenc model file (wrong magic"));
    REQUIRE_THROWS_WITH(model_from_bytes<float>("{\"type\":\"gaussian\"}"), Contains("not a posenc model file"));
    REQUIRE_THROWS_WITH(model_from_bytes<float>(""), Contains("not a posenc model file"));

    Le b;
    put_identity_spec(b);
    const std::string body = b.s;  // incomplete on purpose: the version check comes first
    // Version 2 (encoder parameters, 2026-12-02) is read; 3 is the first unknown one.
    REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(body, 3)),
                        Contains("format version 3 is newer than this posenc can read (it reads versions 1 to 2)"));
    REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(body, 0xFFFFFFFFu)), Contains("version 4294967295 is newer"));
    REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(body, 0)), Contains("version 0 is not a valid"));
    REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(body, 1, 2)), Contains("scalar type code 2 is unknown"));
    // A valid version-1 file for comparison.
    REQUIRE_NOTHROW(model_from_bytes<float>(identity_file(1.f, 0.f)));
}

TEST_CASE("hostile headers are rejected before anything is allocated", "[model_file]") {
    auto tensor_header = [](Le& b, const std::string& name, std::vector<std::uint64_t> shape) {
        b.str(name);
        b.u32(std::uint32_t(shape.size()));
        for (auto s : shape) b.u64(s);
    };

    SECTION("a 10^12-element tensor consistent with its config") {
        Le b;
        put_identity_spec(b);
        Cfg c;
        c.in = 1000000;
        c.out = 1000000;
        put_config(b, c);
        b.u32(2);
        tensor_header(b, "layer0.weight", {1000000, 1000000});
        b.f32(1.f);
        const std::string f = frame(b.s);
        AddressSpaceCap cap(std::uint64_t(256) << 20);
        REQUIRE_THROWS_AS(model_from_bytes<float>(f), Error);
        REQUIRE_THROWS_WITH(model_from_bytes<float>(f),
                            Contains("tensor 'layer0.weight' [1000000, 1000000] needs 4000000000000 bytes") &&
                                Contains("only 4 bytes remain"));
        REQUIRE_THROWS_AS(model_from_bytes<double>(frame(b.s, 1, 8)), Error);
    }
    SECTION("a 1 GiB tensor (allocatable without the cap) consistent with its config") {
        Le b;
        put_identity_spec(b);
        Cfg c;
        c.in = 1 << 14;
        c.out = 1 << 14;
        put_config(b, c);
        b.u32(2);
        tensor_header(b, "layer0.weight", {1 << 14, 1 << 14});
        const std::string f = frame(b.s);
        AddressSpaceCap cap(std::uint64_t(256) << 20);
        REQUIRE_THROWS_WITH(model_from_bytes<float>(f), Contains("needs 1073741824 bytes of data"));
    }
    SECTION("a huge tensor that disagrees with the config") {
        Le b;
        put_identity_spec(b);
        put_config(b, Cfg{});
        b.u32(2);
        tensor_header(b, "layer0.weight", {1000000, 1000000});
        REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(b.s)),
                            Contains("tensor 'layer0.weight' has shape [1000000, 1000000], but the config") &&
                                Contains("needs [1, 1]"));
    }
    SECTION("element count overflowing 64 bits") {
        Le b;
        put_identity_spec(b);
        Cfg c;
        c.in = std::int64_t(1) << 40;
        c.out = std::int64_t(1) << 40;
        put_config(b, c);
        b.u32(2);
        tensor_header(b, "layer0.weight", {std::uint64_t(1) << 40, std::uint64_t(1) << 40});
        REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(b.s)), Contains("overflows 64 bits"));
    }
    SECTION("a 4 GiB string length") {
        Le b;
        b.u32(0xFFFFFFFFu);
        b.s += "identity";
        REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(b.s)),
                            Contains("encoder spec type is 4294967295 bytes long (at most 256 allowed)"));
        Le b2;
        b2.u32(200);  // within the name limit but beyond the data
        b2.s += "identity";
        REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(b2.s)), Contains("data ends inside encoder spec type"));
    }
    SECTION("a billion spec parameters or children") {
        Le b;
        b.str("identity");
        b.u32(1000000000u);
        REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(b.s)), Contains("declares 1000000000 parameters"));
        Le b2;
        b2.str("concat");
        b2.u32(0);
        b2.u32(1000000000u);
        REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(b2.s)), Contains("declares 1000000000 children"));
    }
    SECTION("a spec nested 10000 levels deep") {
        Le b;
        for (int i = 0; i < 10000; ++i) {
            b.str("concat");
            b.u32(0);
            b.u32(1);
        }
        REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(b.s)), Contains("nested more than 16 levels"));
    }
    SECTION("a spec whose encoders would be far larger than the config says") {
        // Three 2^26-shift Gaussian bases (make_encoder would allocate 1.5 GiB of shifts) for an MLP input of 1.
        Le b;
        b.str("concat");
        b.u32(0);
        b.u32(3);
        for (int i = 0; i < 3; ++i) {
            b.str("gaussian");
            b.u32(2);
            b.str("dim");
            b.f64(67108864.0);
            b.str("sigma");
            b.f64(0.01);
            b.u32(0);
        }
        put_config(b, Cfg{});
        b.u32(2);
        tensor_header(b, "layer0.weight", {1, 1});
        b.f32(1.f);
        tensor_header(b, "layer0.bias", {1});
        b.f32(0.f);
        AddressSpaceCap cap(std::uint64_t(256) << 20);
        REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(b.s)),
                            Contains("\"dim\" parameters add up to 201326592, more than the config's input_dim 1"));
    }
    SECTION("a depth of 2^40 hidden layers") {
        Le b;
        put_identity_spec(b);
        Cfg c;
        c.depth = std::int64_t(1) << 40;
        put_config(b, c);
        b.u32(2);
        REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(b.s)), Contains("config depth must be in [0, 1048576]"));
    }
}

TEST_CASE("malformed bodies with a valid checksum are named", "[model_file]") {
    auto file = [](auto&& edit_body) {
        Le b;
        put_identity_spec(b);
        Cfg c;
        edit_body(b, c);
        return frame(b.s);
    };
    auto tensors = [](Le& b, float w, float bias) {
        b.u32(2);
        b.str("layer0.weight");
        b.u32(2);
        b.u64(1);
        b.u64(1);
        b.f32(w);
        b.str("layer0.bias");
        b.u32(1);
        b.u64(1);
        b.f32(bias);
    };
    REQUIRE_THROWS_WITH(model_from_bytes<float>(file([&](Le& b, Cfg& c) {
                            c.hidden = 9;
                            put_config(b, c);
                            tensors(b, 1, 0);
                        })),
                        Contains("hidden activation code 9 is unknown"));
    REQUIRE_THROWS_WITH(model_from_bytes<float>(file([&](Le& b, Cfg& c) {
                            c.in = 0;
                            put_config(b, c);
                            tensors(b, 1, 0);
                        })),
                        Contains("config input_dim must be >= 1 (got 0)"));
    REQUIRE_THROWS_WITH(model_from_bytes<float>(file([&](Le& b, Cfg& c) {
                            c.path = 7;
                            put_config(b, c);
                            tensors(b, 1, 0);
                        })),
                        Contains("first-layer path code 7 is unknown"));
    REQUIRE_THROWS_WITH(model_from_bytes<float>(file([&](Le& b, Cfg& c) {
                            put_config(b, c);
                            tensors(b, std::numeric_limits<float>::quiet_NaN(), 0);
                        })),
                        Contains("tensor 'layer0.weight' element 0 is not finite"));
    REQUIRE_THROWS_WITH(model_from_bytes<float>(file([&](Le& b, Cfg& c) {
                            put_config(b, c);
                            tensors(b, 1, std::numeric_limits<float>::infinity());
                        })),
                        Contains("tensor 'layer0.bias' element 0 is not finite"));
    REQUIRE_THROWS_WITH(model_from_bytes<float>(file([&](Le& b, Cfg& c) {
                            put_config(b, c);
                            b.u32(3);
                        })),
                        Contains("3 tensors, but the config (depth 0) needs 2"));
    REQUIRE_THROWS_WITH(model_from_bytes<float>(file([&](Le& b, Cfg& c) {
                            put_config(b, c);
                            tensors(b, 1, 0);
                            b.s += "junk";
                        })),
                        Contains("4 unexpected bytes after the last tensor"));
    REQUIRE_THROWS_WITH(model_from_bytes<float>(file([&](Le& b, Cfg& c) {
                            put_config(b, c);
                            b.u32(2);
                            b.str("layer0.bias");
                        })),
                        Contains("tensor 0 is named 'layer0.bias', expected 'layer0.weight'"));
    // The encoder is rebuilt by make_encoder: its errors and a size mismatch are reported.
    {
        Le b;
        b.str("gausian");
        b.u32(0);
        b.u32(0);
        put_config(b, Cfg{});
        tensors(b, 1, 0);
        REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(b.s)), Contains("unknown encoder \"gausian\""));
    }
    {
        Le b;
        b.str("identity");
        b.u32(1);
        b.str("input_dim");
        b.f64(1.0);
        b.u32(0);
        Cfg c;
        c.in = 2;  // identity gives 1
        put_config(b, c);
        b.u32(2);
        b.str("layer0.weight");
        b.u32(2);
        b.u64(1);
        b.u64(2);
        b.f32(1);
        b.f32(1);
        b.str("layer0.bias");
        b.u32(1);
        b.u64(1);
        b.f32(0);
        REQUIRE_THROWS_WITH(model_from_bytes<float>(frame(b.s)), Contains("has output_dim 1 but the config's input_dim is 2"));
    }
}

TEST_CASE("models that cannot be saved are refused", "[model_file]") {
    TempDir dir("refused");
    MlpConfig cfg;
    cfg.output_dim = 1;
    cfg.depth = 0;
    // A hand-wrapped encoder without a spec (Fourier features of a frequency matrix the factory
    // cannot rebuild) cannot be saved.
    Model<double> hand(AnyEncoder<double>(rff<double>(1, 8, 1.0)), cfg);
    REQUIRE_THROWS_WITH(save_model(hand, dir.path / "h.posenc"), Contains("has no EncoderSpec"));
    // Non-finite weights.
    Model<double> nan = make_model<double>(spec("identity", {}), 0, 1, 1, {Activation::ReLU, 0}, {Activation::Identity, 0}, 1);
    nan.mlp().layer(0).b(0) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THROWS_WITH(save_model(nan, dir.path / "n.posenc"), Contains("tensor 'layer0.bias' element (0, 0) is not finite"));
    REQUIRE(dir.entries().empty());
}

TEST_CASE("a failed save leaves the existing file intact and no temporary file", "[model_file]") {
    TempDir dir("failed_save");
    const fs::path target = dir.path / "model.posenc";
    const Model<float> old_model = small_model();
    save_model(old_model, target);
    const std::string old_bytes = read_bytes(target);
    const Model<double> big = make_model<double>(spec("gaussian", {{"sigma", 0.01}, {"dim", 512}}), 1, 64, 3,
                                                 {Activation::ReLU, 0}, {Activation::Identity, 0}, 9);
    const std::size_t big_size = model_to_bytes(big).size();
    REQUIRE(big_size > 200000);

    SECTION("the write fails part way (file size limit: works for root too)") {
        rlimit old{};
        REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
        auto* old_handler = ::signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of a signal
        rlimit cap = old;
        cap.rlim_cur = 65536;  // the temporary file can take 64 KiB, the model needs more
        REQUIRE(setrlimit(RLIMIT_FSIZE, &cap) == 0);
        std::string msg;
        try {
            save_model(big, target);
        } catch (const Error& e) {
            msg = e.what();
        }
        setrlimit(RLIMIT_FSIZE, &old);
        ::signal(SIGXFSZ, old_handler);
        REQUIRE_THAT(msg, Contains("failed") && Contains("is unchanged"));
    }
    SECTION("the directory is not writable") {
        if (::geteuid() == 0) {
            WARN("running as root: directory permissions do not stop root; covered by the file size limit section");
        } else {
            fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec, fs::perm_options::replace);
            REQUIRE_THROWS_WITH(save_model(big, target), Contains("cannot create a temporary file"));
            fs::permissions(dir.path, fs::perms::owner_all, fs::perm_options::add);
        }
    }
    SECTION("the target is a directory, or its directory does not exist") {
        fs::create_directory(dir.path / "sub");
        REQUIRE_THROWS_WITH(save_model(big, dir.path / "sub"), Contains("is a directory"));
        REQUIRE_THROWS_WITH(save_model(big, dir.path / "nope" / "m.posenc"), Contains("does not exist"));
        fs::remove(dir.path / "sub");
    }
    REQUIRE(read_bytes(target) == old_bytes);
    REQUIRE(dir.entries() == std::vector<std::string>{"model.posenc"});
    require_same_model(old_model, load_model<float>(target));

    // A successful save then replaces it whole.
    save_model(big, target);
    REQUIRE(read_bytes(target).size() == big_size);
    REQUIRE(dir.entries() == std::vector<std::string>{"model.posenc"});
}

TEST_CASE("a save killed at any moment leaves the old or the new file, never a mix", "[model_file]") {
    TempDir dir("killed_save");
    const fs::path target = dir.path / "model.posenc";
    const Model<double> a = make_model<double>(spec("gaussian", {{"sigma", 0.01}, {"dim", 1000}}), 1, 256, 1,
                                               {Activation::ReLU, 0}, {Activation::Identity, 0}, 1);
    const Model<double> b = make_model<double>(spec("gaussian", {{"sigma", 0.02}, {"dim", 1000}}), 1, 256, 1,
                                               {Activation::ReLU, 0}, {Activation::Identity, 0}, 2);
    const std::string bytes_a = model_to_bytes(a), bytes_b = model_to_bytes(b);  // ~2 MB each
    detail::write_file_atomically(target, bytes_a, "test");
    for (int round = 0; round < 6; ++round) {
        std::fflush(nullptr);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {  // child: overwrite the file with a and b alternately until killed
            for (int i = 0;; ++i) {
                try {
                    detail::write_file_atomically(target, i % 2 ? bytes_a : bytes_b, "child");
                } catch (...) {
                    ::_exit(3);
                }
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(30 + 37 * round));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        REQUIRE(WIFSIGNALED(status));
        const std::string now = read_bytes(target);
        REQUIRE((now == bytes_a || now == bytes_b));
        REQUIRE_NOTHROW(load_model<double>(target));
    }
    // A killed writer can leave its temporary file (".model.posenc.tmp.*") behind; never a damaged target.
    for (const auto& e : dir.entries()) REQUIRE((e == "model.posenc" || e.rfind(".model.posenc.tmp.", 0) == 0));
}

TEST_CASE("hand-built encoders describe themselves: their models round-trip through a model file", "[model_file][spec]") {
    MlpConfig cfg;
    cfg.output_dim = 1;
    cfg.depth = 0;
    const auto round_trip = [](const Model<double>& m, const Mat<double>& X) {
        const Model<double> back = model_from_bytes<double>(model_to_bytes(m));
        CHECK(back.encoder().spec() == make_encoder<double>(m.encoder().spec()).spec());  // the normalised form
        const Mat<double> a = m.predict(X), b = back.predict(X);
        CHECK((a - b).cwiseAbs().maxCoeff() <= 1e-12 * std::max(1.0, a.cwiseAbs().maxCoeff()));
    };
    Mat<double> X1(1, 7);
    for (Index i = 0; i < 7; ++i) X1(0, i) = 0.05 + 0.13 * double(i);
    SECTION("every built-in profile, bounded and periodic, scaled and not") {
        const auto check = [&](auto basis) {
            const AnyEncoder<double> e(basis);
            CHECK(e.spec().type == basis.profile().name());
            CHECK(e.name() == basis.profile().name());
            // The spec rebuilds the same codes.
            const AnyEncoder<double> rebuilt = make_encoder<double>(e.spec());
            CHECK((posenc::encode(e, X1) - posenc::encode(rebuilt, X1)).cwiseAbs().maxCoeff() <= 1e-12);
            Model<double> m(e, cfg);
            round_trip(m, X1);
        };
        check(ShiftedBasis<Gaussian, double>(Gaussian(0.02, 1e-6), 64));
        check(ShiftedBasis<Gaussian, double>(Gaussian(0.02), 64, Domain::Periodic, Scaling::None));
        check(ShiftedBasis<Triangle, double>(Triangle(0.05), 40));
        check(ShiftedBasis<Sinc, double>(Sinc(0.03), 50, Domain::Periodic));
        check(ShiftedBasis<SineWave, double>(SineWave(2.0, 0.5), 30));
        check(ShiftedBasis<SquareWave, double>(SquareWave(3.0), 30));
        check(ShiftedBasis<Impulse, double>(Impulse(), 20));
        check(ShiftedBasis<RandomNoise, double>(RandomNoise(7), 25));
    }
    SECTION("PerAxis of one basis, and Identity") {
        const ShiftedBasis<Gaussian, double> axis(Gaussian(0.05), 16, Domain::Bounded, Scaling::None);
        const AnyEncoder<double> e(PerAxis<ShiftedBasis<Gaussian, double>>(axis, 2));
        REQUIRE(e.spec().type == "per_axis");
        REQUIRE(e.spec().children.size() == 1);
        CHECK(e.spec().children[0] == axis.spec());
        Mat<double> X2(2, 5);
        for (Index i = 0; i < 5; ++i) X2.col(i) << 0.1 + 0.2 * double(i), 0.9 - 0.15 * double(i);
        Model<double> m(e, cfg);
        round_trip(m, X2);
        const AnyEncoder<double> id(Identity<double>(3));
        CHECK(id.spec() == EncoderSpec{"identity", {{"input_dim", 3.0}}, {}});
        // Axes that differ have no single per_axis form.
        const ShiftedBasis<Gaussian, double> other(Gaussian(0.1), 16, Domain::Bounded, Scaling::None);
        const std::vector<ShiftedBasis<Gaussian, double>> axes{axis, other};
        CHECK(AnyEncoder<double>(PerAxis<ShiftedBasis<Gaussian, double>>(axes)).spec().type.empty());
    }
}

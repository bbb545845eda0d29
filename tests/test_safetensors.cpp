// Tests for the safetensors export (io/safetensors.hpp): the file is parsed here independently (8-byte
// length, JSON header read with nlohmann_json, raw row-major data) and checked against the model.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "posenc/encoding/factory.hpp"
#include "posenc/io/safetensors.hpp"
#include "posenc/nn/model.hpp"

using namespace posenc;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

EncoderSpec spec(std::string type, std::map<std::string, double> params, std::vector<EncoderSpec> children = {}) {
    return EncoderSpec{std::move(type), std::move(params), std::move(children)};
}

template <class T>
Model<T> make_model(const EncoderSpec& s, Index depth, Index width, Index out, ActivationSpec hidden, ActivationSpec output,
                    std::uint64_t seed) {
    MlpConfig cfg;
    cfg.output_dim = out;
    cfg.width = width;
    cfg.depth = depth;
    cfg.hidden = hidden;
    cfg.output = output;
    cfg.seed = seed;
    return Model<T>(make_encoder<T>(s), cfg);
}

std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// A parsed safetensors file.
struct Parsed {
    std::uint64_t header_len = 0;
    std::string header_text;
    json header;
    std::string data;  // the byte buffer after the header
};

Parsed parse(const std::string& file) {
    Parsed p;
    REQUIRE(file.size() >= 8);
    for (int i = 0; i < 8; ++i) p.header_len |= std::uint64_t(static_cast<unsigned char>(file[std::size_t(i)])) << (8 * i);
    REQUIRE(8 + p.header_len <= file.size());
    p.header_text = file.substr(8, std::size_t(p.header_len));
    p.data = file.substr(8 + std::size_t(p.header_len));
    p.header = json::parse(p.header_text);  // throws on invalid JSON / UTF-8
    return p;
}

/// Values of tensor `name` as a row-major list of doubles (F32 or F64), after checking its entry.
std::vector<double> tensor_values(const Parsed& p, const std::string& name, const std::string& dtype,
                                  const std::vector<std::uint64_t>& shape) {
    REQUIRE(p.header.contains(name));
    const json& e = p.header.at(name);
    REQUIRE(e.at("dtype") == dtype);
    REQUIRE(e.at("shape").get<std::vector<std::uint64_t>>() == shape);
    const auto off = e.at("data_offsets").get<std::vector<std::uint64_t>>();
    REQUIRE(off.size() == 2);
    std::uint64_t n = 1;
    for (auto s : shape) n *= s;
    const std::size_t w = dtype == "F32" ? 4 : 8;
    REQUIRE(off[1] - off[0] == n * w);
    REQUIRE(off[1] <= p.data.size());
    std::vector<double> v(n);
    for (std::uint64_t i = 0; i < n; ++i) {
        const char* at = p.data.data() + off[0] + i * w;
        if (w == 4) {
            float f;
            std::memcpy(&f, at, 4);  // the test host is little-endian (x86-64/aarch64)
            v[i] = f;
        } else {
            std::memcpy(&v[i], at, 8);
        }
    }
    return v;
}

double act(const std::string& name, double param, double z) {
    if (name == "identity") return z;
    if (name == "relu") return z > 0 ? z : 0;
    if (name == "sigmoid") return 1 / (1 + std::exp(-z));
    if (name == "tanh") return std::tanh(z);
    if (name == "sine") return std::sin(param * z);
    if (name == "gaussian") return std::exp(-z * z / (2 * param * param));
    FAIL("unknown activation " << name);
    return 0;
}

}  // namespace

TEST_CASE("safetensors layout: length, header, offsets, row-major data", "[safetensors]") {
    const fs::path dir = fs::temp_directory_path() / ("posenc_test_safetensors_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    Model<float> m = make_model<float>(spec("gaussian", {{"sigma", 0.05}, {"dim", 24}}), 2, 6, 3, {Activation::Sine, 0},
                                       {Activation::Sigmoid, 0}, 4);
    const fs::path file = dir / "m.safetensors";
    export_safetensors(m, file, {{"note", "trained by the test"}});
    const std::string bytes = read_bytes(file);
    const Parsed p = parse(bytes);

    REQUIRE(p.header_len % 8 == 0);                 // data start 8-byte aligned
    REQUIRE(p.header_text.front() == '{');
    const auto last = p.header_text.find_last_not_of(' ');
    REQUIRE(p.header_text[last] == '}');             // only spaces after the JSON
    REQUIRE(p.header_text.size() - last - 1 < 8);

    // Names, shapes and offsets: contiguous from 0, covering the whole data buffer.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    std::size_t tensors = 0;
    for (auto it = p.header.begin(); it != p.header.end(); ++it) {
        if (it.key() == "__metadata__") continue;
        ++tensors;
        const auto off = it.value().at("data_offsets").get<std::vector<std::uint64_t>>();
        ranges.emplace_back(off[0], off[1]);
    }
    REQUIRE(tensors == 6);
    std::sort(ranges.begin(), ranges.end());
    std::uint64_t at = 0;
    for (auto [b, e] : ranges) {
        REQUIRE(b == at);
        at = e;
    }
    REQUIRE(at == p.data.size());
    REQUIRE(bytes.size() == 8 + p.header_len + at);

    // Data equal the weights, row-major [out, in].
    for (Index l = 0; l < 3; ++l) {
        const auto& L = m.mlp().layer(l);
        const std::string pre = "layer" + std::to_string(l);
        const auto w = tensor_values(p, pre + ".weight", "F32", {std::uint64_t(L.W.rows()), std::uint64_t(L.W.cols())});
        for (Index i = 0; i < L.W.rows(); ++i)
            for (Index j = 0; j < L.W.cols(); ++j) REQUIRE(w[std::size_t(i * L.W.cols() + j)] == L.W(i, j));
        const auto b = tensor_values(p, pre + ".bias", "F32", {std::uint64_t(L.b.size())});
        for (Index i = 0; i < L.b.size(); ++i) REQUIRE(b[std::size_t(i)] == L.b(i));
    }

    // Metadata: strings only; the encoder spec round-trips through JSON.
    const json& meta = p.header.at("__metadata__");
    for (auto it = meta.begin(); it != meta.end(); ++it) REQUIRE(it.value().is_string());
    REQUIRE(meta.at("encoder") == to_string(m.encoder().spec()));
    const json enc = json::parse(meta.at("encoder").get<std::string>());
    REQUIRE(enc.at("type") == "gaussian");
    REQUIRE(enc.at("sigma") == 0.05);
    REQUIRE(meta.at("format") == "pt");
    REQUIRE(meta.at("input_dim") == "24");
    REQUIRE(meta.at("output_dim") == "3");
    REQUIRE(meta.at("width") == "6");
    REQUIRE(meta.at("depth") == "2");
    REQUIRE(meta.at("coordinate_dim") == "1");
    REQUIRE(meta.at("hidden_activation") == "sine");
    REQUIRE(meta.at("hidden_param") == "30");
    REQUIRE(meta.at("output_activation") == "sigmoid");
    REQUIRE(meta.at("note") == "trained by the test");

    // An independent forward pass from the parsed file reproduces the model's prediction.
    Mat<float> X(1, 40);
    for (Index j = 0; j < 40; ++j) X(0, j) = float(j) / 39.f;
    const Mat<float> psi = encode(m.encoder(), X);
    const Mat<float> y = m.predict(X);
    for (Index n = 0; n < X.cols(); ++n) {
        std::vector<double> a(psi.col(n).data(), psi.col(n).data() + psi.rows());
        for (int l = 0; l < 3; ++l) {
            const std::string pre = "layer" + std::to_string(l);
            const auto wshape = p.header.at(pre + ".weight").at("shape").get<std::vector<std::uint64_t>>();
            const auto w = tensor_values(p, pre + ".weight", "F32", wshape);
            const auto b = tensor_values(p, pre + ".bias", "F32", {wshape[0]});
            const bool last_layer = l == 2;
            const std::string an = meta.at(last_layer ? "output_activation" : "hidden_activation");
            const double ap = std::stod(meta.at(last_layer ? "output_param" : "hidden_param").get<std::string>());
            std::vector<double> z(wshape[0]);
            for (std::size_t i = 0; i < wshape[0]; ++i) {
                double s = b[i];
                for (std::size_t j = 0; j < wshape[1]; ++j) s += w[i * wshape[1] + j] * a[j];
                z[i] = act(an, ap, s);
            }
            a = z;
        }
        for (Index c = 0; c < 3; ++c) REQUIRE(std::abs(a[std::size_t(c)] - y(c, n)) < 1e-5);
    }

    // Reserved metadata keys are refused; the existing file is kept.
    REQUIRE_THROWS_WITH(export_safetensors(m, file, {{"encoder", "x"}}), Contains("reserved"));
    REQUIRE(read_bytes(file) == bytes);
    REQUIRE_THROWS_WITH(export_safetensors(m, dir / "missing" / "m.safetensors"), Contains("does not exist"));
    std::size_t entries = 0;
    for (const auto& e : fs::directory_iterator(dir)) entries += e.is_regular_file();
    REQUIRE(entries == 1);  // no temporary files
    fs::remove_all(dir);
}

TEST_CASE("safetensors: double precision, depth 0, exact small layout", "[safetensors]") {
    Model<double> m = make_model<double>(spec("rff", {{"sigma", 3}, {"dim", 8}, {"input_dim", 2}}), 0, 1, 2,
                                         {Activation::ReLU, 0}, {Activation::Identity, 0}, 1);
    const Parsed p = parse(safetensors_bytes(safetensors_tensors(m.mlp()), safetensors_metadata(m)));
    const auto& W = m.mlp().layer(0).W;
    const auto w = tensor_values(p, "layer0.weight", "F64", {2, 8});
    for (Index i = 0; i < 2; ++i)
        for (Index j = 0; j < 8; ++j) REQUIRE(w[std::size_t(i * 8 + j)] == W(i, j));
    REQUIRE(p.header.at("__metadata__").at("depth") == "0");

    // Byte-exact output for one 2 x 3 tensor without metadata.
    SafetensorsTensor<float> t{"a", Mat<float>(2, 3), false};
    t.value << 1, 2, 3, 4, 5, 6;
    std::string header = R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})";
    header.append((8 - header.size() % 8) % 8, ' ');
    std::string expected;
    for (int i = 0; i < 8; ++i) expected += char((header.size() >> (8 * i)) & 0xFF);
    expected += header;
    for (float v : {1.f, 2.f, 3.f, 4.f, 5.f, 6.f}) {  // row-major
        char b[4];
        std::memcpy(b, &v, 4);
        expected.append(b, 4);
    }
    REQUIRE(safetensors_bytes<float>({t}) == expected);
}

TEST_CASE("safetensors: strings are escaped, bad input is refused", "[safetensors]") {
    SafetensorsTensor<float> t{"w", Mat<float>::Ones(1, 1), false};
    const std::string tricky = "quote \" backslash \\ newline \n tab \t cr \r bell \x07 e-acute \xc3\xa9 emoji \xf0\x9f\x98\x80";
    const Parsed p = parse(safetensors_bytes<float>({t}, {{"k", tricky}, {"key \"2\"", "v"}}));
    REQUIRE(p.header.at("__metadata__").at("k") == tricky);
    REQUIRE(p.header.at("__metadata__").at("key \"2\"") == "v");

    for (const std::string& bad : {std::string("\xff"), std::string("\xc3"), std::string("\xc0\x80"),
                                  std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80")}) {
        REQUIRE_THROWS_WITH(safetensors_bytes<float>({t}, {{"k", bad}}), Contains("not valid UTF-8"));
        REQUIRE_THROWS_WITH(safetensors_bytes<float>({SafetensorsTensor<float>{bad, Mat<float>::Ones(1, 1), false}}),
                            Contains("not valid UTF-8"));
    }
    REQUIRE_THROWS_WITH(safetensors_bytes<float>({t, t}), Contains("appears twice"));
    REQUIRE_THROWS_WITH(safetensors_bytes<float>({{"__metadata__", Mat<float>::Ones(1, 1), false}}), Contains("reserved"));
    REQUIRE_THROWS_WITH(safetensors_bytes<float>({{"", Mat<float>::Ones(1, 1), false}}), Contains("must not be empty"));
    REQUIRE_THROWS_WITH(safetensors_bytes<float>({{"v", Mat<float>::Ones(2, 2), true}}), Contains("marked as a vector"));
    Mat<float> nan = Mat<float>::Ones(1, 2);
    nan(0, 1) = std::numeric_limits<float>::quiet_NaN();
    REQUIRE_THROWS_WITH(safetensors_bytes<float>({{"n", nan, false}}), Contains("non-finite"));
}

// posenc/io/model_file.hpp — save and load a Model (encoder spec + MLP config + weights) in posenc's
// versioned, checksummed binary format. Format, versioning policy and guarantees: docs/model_files.md.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/any_encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/io/binary_io.hpp"
#include "posenc/nn/activations.hpp"
#include "posenc/nn/mlp.hpp"
#include "posenc/nn/model.hpp"

namespace posenc {

/// The model file format version save_model() writes for a model whose encoder has no parameters
/// (byte for byte the files of before 2026-12-02). A model whose encoder has parameters is written as
/// kModelFileVersionEncoderParams (2), which adds the encoder's parameter tensors. load_model() reads
/// versions 1 and 2 (docs/model_files.md) and names the version in its error for any other.
inline constexpr std::uint32_t kModelFileVersion = 1;
/// The model file format version that adds an encoder's parameter tensors; the newest one read.
inline constexpr std::uint32_t kModelFileVersionEncoderParams = 2;

/// The 8 bytes every posenc model file starts with: 0x89 then "POSENCM" (the high first byte makes a
/// text-mode transfer or a text file fail the check).
inline constexpr std::array<unsigned char, 8> kModelFileMagic = {0x89, 'P', 'O', 'S', 'E', 'N', 'C', 'M'};

/// Name and shape of one tensor in a model file (shape as in PyTorch: weights [out, in], biases [out]).
struct ModelFileTensor {
    std::string name;                  ///< "layer<l>.weight", "layer<l>.bias" or (version 2) "encoder.<name>"
    std::vector<std::uint64_t> shape;  ///< [out, in] for weights, [out] for biases, [rows, cols] or [rows] for encoder tensors
};

/// What a model file holds apart from the weight values: see model_file_info().
struct ModelFileInfo {
    std::uint32_t version = 0;       ///< format version of the file
    std::uint32_t scalar_bytes = 0;  ///< 4 = float32 weights, 8 = float64 weights
    EncoderSpec encoder;             ///< the encoder's (normalised) spec; make_encoder() rebuilds it
    MlpConfig config;                ///< the MLP's shape, activations, seed and init scheme
    FirstLayerPath path = FirstLayerPath::Auto;  ///< the model's first-layer policy
    std::vector<ModelFileTensor> tensors;        ///< every tensor, in file order
};

namespace detail {

inline constexpr std::size_t kModelHeaderBytes = 24;   // magic 8, version 4, scalar 4, body length 8
inline constexpr std::size_t kModelChecksumBytes = 4;  // CRC-32 after the body
inline constexpr std::uint32_t kMaxModelNameBytes = 256;  // spec type, parameter names, tensor names
inline constexpr std::int64_t kMaxModelDepth = std::int64_t(1) << 20;

inline std::uint32_t activation_code(Activation a) {
    switch (a) {
        case Activation::Identity: return 0;
        case Activation::ReLU: return 1;
        case Activation::Sigmoid: return 2;
        case Activation::Tanh: return 3;
        case Activation::Sine: return 4;
        case Activation::Gaussian: return 5;
    }
    throw Error("save_model: unknown activation");
}

inline Activation activation_from_code(std::uint32_t c, const std::string& what) {
    switch (c) {
        case 0: return Activation::Identity;
        case 1: return Activation::ReLU;
        case 2: return Activation::Sigmoid;
        case 3: return Activation::Tanh;
        case 4: return Activation::Sine;
        case 5: return Activation::Gaussian;
        default: break;
    }
    detail::fail("model file: ", what, " activation code ", c,
                " is unknown (0 identity, 1 relu, 2 sigmoid, 3 tanh, 4 sine, 5 gaussian)");
}

inline std::uint32_t init_code(MlpInit i) { return i == MlpInit::Auto ? 0 : i == MlpInit::PyTorch ? 1 : 2; }
inline std::uint32_t path_code(FirstLayerPath p) { return p == FirstLayerPath::Auto ? 0 : p == FirstLayerPath::Dense ? 1 : 2; }

inline std::string shape_text(const std::vector<std::uint64_t>& s) {
    std::string t = "[";
    for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
}

/// a * b, or throws when it overflows 64 bits.
inline std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, const std::string& what) {
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a)
        detail::fail("model file: ", what, " overflows 64 bits");
    return a * b;
}

inline void write_spec(ByteWriter& w, const EncoderSpec& s, int depth) {
    if (depth >= kMaxSpecDepth)
        detail::fail("save_model: encoder spec nested more than ", kMaxSpecDepth, " levels deep");
    auto name = [&](const std::string& n, const char* what) {
        if (n.size() > kMaxModelNameBytes)
            detail::fail("save_model: encoder spec ", what, " '", n.substr(0, 32), "...' is longer than ",
                        kMaxModelNameBytes, " bytes");
        w.string(n);
    };
    name(s.type, "type");
    w.u32(std::uint32_t(s.params.size()));
    for (const auto& [k, v] : s.params) {
        name(k, "parameter name");
        w.f64(v);
    }
    w.u32(std::uint32_t(s.children.size()));
    for (const auto& c : s.children) write_spec(w, c, depth + 1);
}

inline EncoderSpec read_spec(ByteReader& r, int depth, const std::string& where) {
    if (depth >= kMaxSpecDepth)
        detail::fail("model file: encoder spec nested more than ", kMaxSpecDepth, " levels deep");
    EncoderSpec s;
    s.type = r.string(where + " type", kMaxModelNameBytes);
    const std::uint32_t np = r.u32(where + " parameter count");
    if (np > r.remaining() / 12)  // each parameter takes at least 4 + 8 bytes
        detail::fail("model file: ", where, " declares ", np, " parameters but only ",
                    r.remaining(), " bytes remain");
    for (std::uint32_t i = 0; i < np; ++i) {
        const std::string what = where + " parameter " + std::to_string(i);
        std::string key = r.string(what + " name", kMaxModelNameBytes);
        const double v = r.f64(what + " value");
        if (!std::isfinite(v)) detail::fail("model file: ", where, " parameter \"", key, "\" is not finite");
        if (!s.params.emplace(std::move(key), v).second)
            detail::fail("model file: ", where, " has parameter ", i, " twice");
    }
    const std::uint32_t nc = r.u32(where + " child count");
    if (nc > r.remaining() / 12)  // each child spec takes at least 4 + 4 + 4 bytes
        detail::fail("model file: ", where, " declares ", nc, " children but only ",
                    r.remaining(), " bytes remain");
    for (std::uint32_t i = 0; i < nc; ++i)
        s.children.push_back(read_spec(r, depth + 1, where + ".children[" + std::to_string(i) + "]"));
    return s;
}

/// Sum of every "dim" parameter in the spec tree. For every encoder type make_encoder() knows, a node's
/// "dim" is (part of) the output size and composites only add or multiply sizes, so a genuine spec has
/// sum <= encoder output_dim. Checked against the config before make_encoder() allocates anything
/// (a shifted basis allocates O(dim)), so a hostile spec cannot make the loader build huge encoders.
inline double spec_dim_sum(const EncoderSpec& s) {
    double sum = 0;
    if (auto it = s.params.find("dim"); it != s.params.end()) sum += std::abs(it->second);
    for (const auto& c : s.children) sum += spec_dim_sum(c);
    return sum;
}

/// A validated file: everything but the encoder construction; tensor data stay in the caller's bytes.
struct ParsedModelFile {
    ModelFileInfo info;
    std::vector<const unsigned char*> data;  // per tensor: row-major little-endian scalars
};

inline std::string hex32(std::uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", static_cast<unsigned>(v));
    return b;
}

/// Checks magic, version, scalar type, length and checksum, then parses and validates the body: spec
/// structure, config values, tensor names and shapes against the config, data sizes against the bytes
/// present, every value finite. Allocates nothing proportional to a declared size.
inline ParsedModelFile parse_model_file(std::string_view bytes) {
    const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t size = bytes.size();
    const std::string magic_text = "0x89 \"POSENCM\"";
    if (size < kModelFileMagic.size())
        detail::fail("model file: not a posenc model file (", size,
                    " bytes; a model file starts with the 8-byte magic ", magic_text, ")");
    if (std::memcmp(u, kModelFileMagic.data(), kModelFileMagic.size()) != 0)
        detail::fail("model file: not a posenc model file (wrong magic: the first 8 bytes must be ", magic_text, ")");
    if (size < kModelHeaderBytes)
        detail::fail("model file: truncated header (", size, " bytes; the header has ",
                    kModelHeaderBytes, ")");
    ByteReader h(u + 8, kModelHeaderBytes - 8, "model file header");
    ParsedModelFile out;
    ModelFileInfo& info = out.info;
    info.version = h.u32("version");
    if (info.version == 0 || info.version > kModelFileVersionEncoderParams) {
        const std::string v = std::to_string(info.version), cur = std::to_string(kModelFileVersionEncoderParams);
        if (info.version > kModelFileVersionEncoderParams)
            detail::fail("model file: format version ", v, " is newer than this posenc can read (it reads versions 1 to ",
                        cur, "); load it with a newer posenc");
        detail::fail("model file: format version ", v, " is not a valid posenc model file version (this posenc reads versions 1 to ",
                    cur, ")");
    }
    info.scalar_bytes = h.u32("scalar type");
    if (info.scalar_bytes != 4 && info.scalar_bytes != 8)
        detail::fail("model file: scalar type code ", info.scalar_bytes,
                    " is unknown (4 = float32, 8 = float64)");
    const std::uint64_t body = h.u64("body length");
    const std::uint64_t available = size >= kModelHeaderBytes + kModelChecksumBytes
                                        ? std::uint64_t(size - kModelHeaderBytes - kModelChecksumBytes)
                                        : 0;
    if (size < kModelHeaderBytes + kModelChecksumBytes || body > available)
        detail::fail("model file: truncated: the header declares a ", body,
                    "-byte body but the file has ", size, " bytes (expected ",
                    (body <= std::numeric_limits<std::uint64_t>::max() - 28 ? std::to_string(body + 28) : "more"), ")");
    if (body < available)
        detail::fail("model file: ", available - body, " unexpected bytes after the end of the model");
    const std::size_t crc_at = kModelHeaderBytes + std::size_t(body);
    const std::uint32_t stored = std::uint32_t(ByteReader(u + crc_at, 4, "model file").u32("checksum"));
    const std::uint32_t computed = crc32(u, crc_at);
    if (stored != computed)
        detail::fail("model file: checksum mismatch (stored ", hex32(stored), ", computed ", hex32(computed),
                    "): the file is corrupt");

    ByteReader r(u + kModelHeaderBytes, std::size_t(body), "model file");
    info.encoder = read_spec(r, 0, "encoder spec");

    MlpConfig& c = info.config;
    c.input_dim = r.i64("config input_dim");
    c.output_dim = r.i64("config output_dim");
    c.width = r.i64("config width");
    c.depth = r.i64("config depth");
    c.hidden.kind = activation_from_code(r.u32("config hidden activation"), "hidden");
    c.hidden.param = r.f64("config hidden activation parameter");
    c.output.kind = activation_from_code(r.u32("config output activation"), "output");
    c.output.param = r.f64("config output activation parameter");
    c.seed = r.u64("config seed");
    const std::uint32_t init = r.u32("config init");
    const std::uint32_t path = r.u32("config first-layer path");
    auto bad = [](const std::string& what, std::int64_t v, const std::string& rule) {
        detail::fail("model file: config ", what, " must be ", rule, " (got ", v, ")");
    };
    if (c.input_dim < 1) bad("input_dim", c.input_dim, ">= 1");
    if (c.output_dim < 1) bad("output_dim", c.output_dim, ">= 1");
    if (c.depth < 0 || c.depth > kMaxModelDepth) bad("depth", c.depth, "in [0, " + std::to_string(kMaxModelDepth) + "]");
    if (c.width < (c.depth > 0 ? 1 : 0)) bad("width", c.width, c.depth > 0 ? ">= 1" : ">= 0");
    if (!std::isfinite(c.hidden.param) || !std::isfinite(c.output.param))
        throw Error("model file: config activation parameters must be finite");
    if (init > 2) detail::fail("model file: config init code ", init, " is unknown (0 auto, 1 pytorch, 2 siren)");
    if (path > 2) detail::fail("model file: config first-layer path code ", path, " is unknown (0 auto, 1 dense, 2 sparse)");
    c.init = init == 0 ? MlpInit::Auto : init == 1 ? MlpInit::PyTorch : MlpInit::Siren;
    info.path = path == 0 ? FirstLayerPath::Auto : path == 1 ? FirstLayerPath::Dense : FirstLayerPath::Sparse;

    const std::uint64_t layers = std::uint64_t(c.depth) + 1;
    const std::uint32_t count = r.u32("tensor count");
    if (count != 2 * layers)
        detail::fail("model file: ", count, " tensors, but the config (depth ", c.depth,
                    ") needs ", 2 * layers, " (weight and bias per layer)");
    for (std::uint64_t l = 0; l < layers; ++l) {
        const std::uint64_t in = l == 0 ? std::uint64_t(c.input_dim) : std::uint64_t(c.width);
        const std::uint64_t outd = l + 1 == layers ? std::uint64_t(c.output_dim) : std::uint64_t(c.width);
        for (int k = 0; k < 2; ++k) {
            const std::string expected = "layer" + std::to_string(l) + (k == 0 ? ".weight" : ".bias");
            const std::vector<std::uint64_t> want = k == 0 ? std::vector<std::uint64_t>{outd, in}
                                                           : std::vector<std::uint64_t>{outd};
            const std::string idx = "tensor " + std::to_string(2 * l + std::uint64_t(k));
            ModelFileTensor t;
            t.name = r.string(idx + " name", kMaxModelNameBytes);
            if (t.name != expected)
                detail::fail("model file: ", idx, " is named '", t.name, "', expected '", expected, "'");
            const std::uint32_t rank = r.u32("tensor '" + t.name + "' rank");
            if (rank != want.size())
                detail::fail("model file: tensor '", t.name, "' has rank ", rank, ", expected ",
                            want.size());
            for (std::uint32_t d = 0; d < rank; ++d) t.shape.push_back(r.u64("tensor '" + t.name + "' shape"));
            if (t.shape != want)
                detail::fail("model file: tensor '", t.name, "' has shape ", shape_text(t.shape), ", but the config ",
                            "(input_dim ", c.input_dim, ", width ", c.width,
                            ", depth ", c.depth, ", output_dim ", c.output_dim,
                            ") needs ", shape_text(want));
            std::uint64_t elements = 1;
            for (const auto s : t.shape) elements = checked_mul(elements, s, "size of tensor '" + t.name + "'");
            const std::uint64_t nbytes = checked_mul(elements, info.scalar_bytes, "byte size of tensor '" + t.name + "'");
            if (nbytes > r.remaining())
                detail::fail("model file: tensor '", t.name, "' ", shape_text(t.shape), " needs ", nbytes,
                            " bytes of data but only ", r.remaining(), " bytes remain in the file");
            const unsigned char* data = r.skip(std::size_t(nbytes), "tensor '" + t.name + "' data");
            for (std::uint64_t i = 0; i < elements; ++i) {
                const unsigned char* p = data + i * info.scalar_bytes;
                const double v = info.scalar_bytes == 4 ? double(load_le<float>(p)) : load_le<double>(p);
                if (!std::isfinite(v))
                    detail::fail("model file: tensor '", t.name, "' element ", i, " is not finite");
            }
            out.data.push_back(data);
            info.tensors.push_back(std::move(t));
        }
    }
    if (info.version >= 2) {  // the encoder's parameter tensors
        const std::uint32_t ecount = r.u32("encoder tensor count");
        if (ecount > r.remaining() / 16)  // each takes at least a name length, a rank and a dimension
            detail::fail("model file: ", ecount, " encoder tensors cannot fit in the ", r.remaining(), " bytes left");
        for (std::uint32_t e = 0; e < ecount; ++e) {
            const std::string idx = "encoder tensor " + std::to_string(e);
            ModelFileTensor t;
            t.name = r.string(idx + " name", kMaxModelNameBytes);
            if (t.name.rfind("encoder.", 0) != 0 || t.name.size() == 8)
                detail::fail("model file: ", idx, " is named '", t.name, "', expected 'encoder.<name>'");
            const std::uint32_t rank = r.u32("tensor '" + t.name + "' rank");
            if (rank != 1 && rank != 2)
                detail::fail("model file: tensor '", t.name, "' has rank ", rank, ", expected 1 or 2");
            for (std::uint32_t d = 0; d < rank; ++d) t.shape.push_back(r.u64("tensor '" + t.name + "' shape"));
            std::uint64_t elements = 1;
            for (const auto sz : t.shape) elements = checked_mul(elements, sz, "size of tensor '" + t.name + "'");
            const std::uint64_t nbytes = checked_mul(elements, info.scalar_bytes, "byte size of tensor '" + t.name + "'");
            if (nbytes > r.remaining())
                detail::fail("model file: tensor '", t.name, "' ", shape_text(t.shape), " needs ", nbytes,
                            " bytes of data but only ", r.remaining(), " bytes remain in the file");
            const unsigned char* data = r.skip(std::size_t(nbytes), "tensor '" + t.name + "' data");
            for (std::uint64_t i = 0; i < elements; ++i) {
                const unsigned char* q = data + i * info.scalar_bytes;
                const double v = info.scalar_bytes == 4 ? double(load_le<float>(q)) : load_le<double>(q);
                if (!std::isfinite(v)) detail::fail("model file: tensor '", t.name, "' element ", i, " is not finite");
            }
            out.data.push_back(data);
            info.tensors.push_back(std::move(t));
        }
    }
    if (r.remaining() != 0)
        detail::fail("model file: ", r.remaining(), " unexpected bytes after the last tensor");
    if (const double dims = spec_dim_sum(info.encoder); dims > double(c.input_dim))
        detail::fail("model file: the encoder spec's \"dim\" parameters add up to ", number_text(dims),
                    ", more than the config's input_dim ", c.input_dim, " (the encoder's output size)");
    return out;
}

template <class T>
void check_model_scalar() {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "model files hold float or double models");
}

}  // namespace detail

namespace detail {
/// model_to_bytes; check_rebuild = false skips the check that make_encoder() rebuilds the encoder
/// from its spec (for an encoder the factory does not know, loaded back with
/// model_from_bytes(bytes, encoder)).
template <class T>
std::string model_bytes(const Model<T>& model, bool check_rebuild) {
    detail::check_model_scalar<T>();
    const AnyEncoder<T>& enc = model.encoder();
    if (enc.empty()) throw Error("save_model: the model has no encoder");
    const EncoderSpec& spec = enc.spec();
    if (spec.type.empty())
        detail::fail("save_model: the encoder (", enc.name(),
                    ") has no EncoderSpec: only encoders built by make_encoder() can be saved (a file stores the spec, not the code)");
    if (check_rebuild) try {
        const AnyEncoder<T> rebuilt = make_encoder<T>(spec);
        if (rebuilt.input_dim() != enc.input_dim() || rebuilt.output_dim() != enc.output_dim())
            detail::fail("it builds ", rebuilt.input_dim(), " -> ", rebuilt.output_dim(),
                        ", the model's encoder is ", enc.input_dim(), " -> ",
                        enc.output_dim());
    } catch (const Error& e) {
        detail::fail("save_model: the encoder's spec does not rebuild it: ", e.what());
    }

    const Mlp<T>& mlp = model.mlp();
    const MlpConfig& c = mlp.config();
    detail::ByteWriter w;
    w.reserve(std::size_t(mlp.parameter_count()) * sizeof(T) + 1024);
    w.bytes(std::string_view(reinterpret_cast<const char*>(kModelFileMagic.data()), kModelFileMagic.size()));
    const std::vector<Param<T>> eparams = enc.parameters();
    w.u32(eparams.empty() ? kModelFileVersion : kModelFileVersionEncoderParams);
    w.u32(std::uint32_t(sizeof(T)));
    w.u64(0);  // body length, patched below
    detail::write_spec(w, spec, 0);
    w.i64(c.input_dim);
    w.i64(c.output_dim);
    w.i64(c.width);
    w.i64(c.depth);
    w.u32(detail::activation_code(c.hidden.kind));
    w.f64(c.hidden.param);
    w.u32(detail::activation_code(c.output.kind));
    w.f64(c.output.param);
    w.u64(c.seed);
    w.u32(detail::init_code(c.init));
    w.u32(detail::path_code(model.path()));
    w.u32(std::uint32_t(2 * mlp.num_layers()));
    auto put = [&](const std::string& name, const T* colmajor, Index rows, Index cols, bool matrix) {
        w.string(name);
        w.u32(matrix ? 2 : 1);
        w.u64(std::uint64_t(rows));
        if (matrix) w.u64(std::uint64_t(cols));
        for (Index i = 0; i < rows; ++i)  // row-major: PyTorch's [out, in]
            for (Index j = 0; j < cols; ++j) {
                const T v = colmajor[j * rows + i];
                if (!std::isfinite(v))
                    detail::fail("save_model: tensor '", name, "' element (", i, ", ", j,
                                ") is not finite; posenc model files hold finite weights only");
                if constexpr (sizeof(T) == 4) w.f32(float(v));
                else w.f64(double(v));
            }
    };
    for (Index l = 0; l < mlp.num_layers(); ++l) {
        const Dense<T>& L = mlp.layer(l);
        const std::string prefix = "layer" + std::to_string(l);
        put(prefix + ".weight", L.W.data(), L.W.rows(), L.W.cols(), true);
        put(prefix + ".bias", L.b.data(), L.b.size(), 1, false);
    }
    if (!eparams.empty()) {
        w.u32(std::uint32_t(eparams.size()));
        for (const auto& p : eparams) put("encoder." + p.name, p.value, p.rows, p.cols, p.cols != 1);
    }
    w.patch_u64(16, std::uint64_t(w.size() - detail::kModelHeaderBytes));
    const std::uint32_t crc = detail::crc32(w.str());
    w.u32(crc);
    return w.take();
}
}  // namespace detail

/// The model in posenc's model file format, as bytes (what save_model() writes). Throws posenc::Error
/// when the model cannot be saved: empty encoder, an encoder without a spec (wrapped by hand rather than
/// built by make_encoder(), so a file could not rebuild it), a spec that does not rebuild an encoder of
/// the same shape, or a non-finite weight (named with its tensor and index). An encoder's parameters
/// (ParametricEncoder) are saved too, as "encoder.<name>" tensors (format version 2).
template <class T>
std::string model_to_bytes(const Model<T>& model) {
    return detail::model_bytes(model, true);
}

namespace detail {
template <class T>
Model<T> model_from_parsed(const ParsedModelFile& p, AnyEncoder<T> enc, bool given);
}  // namespace detail

/// Rebuilds a Model from model-file bytes (see model_to_bytes / load_model). Everything is validated
/// before the model is allocated; any problem throws posenc::Error naming it.
template <class T = double>
Model<T> model_from_bytes(std::string_view bytes) {
    detail::check_model_scalar<T>();
    const detail::ParsedModelFile p = detail::parse_model_file(bytes);
    return detail::model_from_parsed<T>(p, AnyEncoder<T>(), false);
}

/// model_from_bytes with the encoder supplied by the caller instead of rebuilt by make_encoder():
/// for an encoder the factory does not know (a user's encoder with parameters). Its spec must be the
/// file's; its parameters, if any, are replaced by the file's. Throws posenc::Error.
template <class T>
Model<T> model_from_bytes(std::string_view bytes, AnyEncoder<T> encoder) {
    detail::check_model_scalar<T>();
    const detail::ParsedModelFile p = detail::parse_model_file(bytes);
    detail::require(!encoder.empty(), "model file: the encoder given is empty");
    if (to_string(encoder.spec()) != to_string(p.info.encoder))
        detail::fail("model file: the encoder given has spec ", to_string(encoder.spec()), ", the file's is ",
                     to_string(p.info.encoder));
    return detail::model_from_parsed<T>(p, std::move(encoder), true);
}

namespace detail {
template <class T>
Model<T> model_from_parsed(const ParsedModelFile& p, AnyEncoder<T> enc, bool given) {
    const ModelFileInfo& info = p.info;
    if constexpr (std::is_same_v<T, float>) {
        if (info.scalar_bytes == 8)  // narrowing: every value must fit a float
            for (std::size_t t = 0; t < info.tensors.size(); ++t) {
                std::uint64_t n = 1;
                for (auto s : info.tensors[t].shape) n *= s;
                for (std::uint64_t i = 0; i < n; ++i)
                    if (std::abs(detail::load_le<double>(p.data[t] + 8 * i)) > double(std::numeric_limits<float>::max()))
                        detail::fail("model file: tensor '", info.tensors[t].name, "' element ", i,
                                    " does not fit a float (loading a float64 file as float)");
            }
    }
    if (!given) try {
        enc = make_encoder<T>(info.encoder);
    } catch (const Error& e) {
        detail::fail("model file: encoder spec ", to_string(info.encoder), ": ", e.what());
    }
    if (enc.output_dim() != info.config.input_dim)
        detail::fail("model file: the encoder ", to_string(info.encoder), " has output_dim ",
                    enc.output_dim(), " but the config's input_dim is ",
                    info.config.input_dim);
    Model<T> model;
    try {
        model = Model<T>(std::move(enc), info.config, info.path);
    } catch (const Error& e) {
        detail::fail("model file: ", e.what());
    }
    Mlp<T>& mlp = model.mlp();
    auto get = [&](std::size_t t, T* colmajor, Index rows, Index cols) {
        const unsigned char* d = p.data[t];
        for (Index i = 0; i < rows; ++i)
            for (Index j = 0; j < cols; ++j) {
                const unsigned char* at = d + std::size_t(i * cols + j) * info.scalar_bytes;
                colmajor[j * rows + i] = info.scalar_bytes == 4 ? T(detail::load_le<float>(at)) : T(detail::load_le<double>(at));
            }
    };
    for (Index l = 0; l < mlp.num_layers(); ++l) {
        Dense<T>& L = mlp.layer(l);
        get(std::size_t(2 * l), L.W.data(), L.W.rows(), L.W.cols());
        get(std::size_t(2 * l + 1), L.b.data(), L.b.size(), 1);
    }
    // The encoder's parameters (version 2): the same names and shapes as the encoder's own.
    const std::size_t first = std::size_t(2 * mlp.num_layers());
    std::vector<Param<T>> eparams = model.encoder().parameters();
    const std::size_t in_file = info.tensors.size() - first;
    if (in_file != eparams.size())
        detail::fail("model file: ", in_file, " encoder parameter tensors, but the encoder ", to_string(info.encoder),
                     " has ", eparams.size());
    for (std::size_t e = 0; e < in_file; ++e) {
        const ModelFileTensor& t = info.tensors[first + e];
        const Param<T>& q = eparams[e];
        const std::vector<std::uint64_t> want = q.cols == 1 ? std::vector<std::uint64_t>{std::uint64_t(q.rows)}
                                                            : std::vector<std::uint64_t>{std::uint64_t(q.rows), std::uint64_t(q.cols)};
        if (t.name != "encoder." + q.name || t.shape != want)
            detail::fail("model file: tensor '", t.name, "' ", shape_text(t.shape), " does not match the encoder's 'encoder.",
                         q.name, "' ", shape_text(want));
        get(first + e, q.value, q.rows, q.cols);
    }
    return model;
}
}  // namespace detail

/// Saves `model` (its encoder's spec, its MlpConfig and first-layer policy, every weight and bias) to
/// `path` in posenc's model file format (docs/model_files.md), float32 for Model<float>, float64 for
/// Model<double>. The file is written to a temporary file in the same directory and renamed over `path`,
/// so an existing file is either kept or replaced whole, never left half-written; on failure the
/// temporary file is removed. Throws posenc::Error (see model_to_bytes for what cannot be saved, and for
/// I/O failures: missing or unwritable directory, disk full, `path` is a directory).
template <class T>
void save_model(const Model<T>& model, const std::filesystem::path& path) {
    const std::string bytes = model_to_bytes(model);
    detail::write_file_atomically(path, bytes, "save_model");
}

/// Loads a model saved by save_model(). The whole file is checked before anything is allocated for
/// the model: magic, format version (a newer or unknown version is named in the error), scalar type,
/// length (truncation), CRC-32 checksum (any flipped byte), string lengths, spec nesting, config values,
/// tensor names and shapes against the config, data sizes against the bytes present (a header
/// declaring a 10^12-element tensor fails without allocating it), finite values, the spec's "dim"
/// parameters adding up to at most the config's input_dim; then the encoder is rebuilt with
/// make_encoder<T>(spec). Scalar conversion: a float32 file loads as Model<double>
/// exactly (widening); a float64 file loads as Model<float> rounded to nearest (an error if a value
/// exceeds the float range). Every problem throws posenc::Error naming it.
template <class T = double>
Model<T> load_model(const std::filesystem::path& path) {
    const std::string bytes = detail::read_file(path, "load_model");
    try {
        return model_from_bytes<T>(bytes);
    } catch (const Error& e) {
        detail::fail("load_model '", path.string(), "': ", e.what());
    }
}

/// Reads and validates a model file like load_model() (checksum, structure, shapes) and returns what
/// it describes without building the model: format version, scalar type, encoder spec, MlpConfig,
/// first-layer policy, tensor names and shapes. Throws posenc::Error like load_model().
inline ModelFileInfo model_file_info(const std::filesystem::path& path) {
    const std::string bytes = detail::read_file(path, "model_file_info");
    try {
        return detail::parse_model_file(bytes).info;
    } catch (const Error& e) {
        detail::fail("model_file_info '", path.string(), "': ", e.what());
    }
}

}  // namespace posenc

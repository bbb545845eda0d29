// posenc/io/model_file/read.hpp — model-file bytes validated in full before anything is allocated
// (parse_model_file), then rebuilt into a Model (model_from_bytes, load_model) or only described
// (model_file_info). The format: model_file/format.hpp and docs/model_files.md.
#pragma once
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
#include "posenc/io/model_file/format.hpp"
#include "posenc/nn/model.hpp"

namespace posenc {

namespace detail {

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

/// Reads the `rank` dimensions of tensor t (its name and rank already read) into t.shape.
inline void read_shape(ByteReader& r, ModelFileTensor& t, std::uint32_t rank) {
    for (std::uint32_t d = 0; d < rank; ++d) t.shape.push_back(r.u64("tensor '" + t.name + "' shape"));
}

/// The data of tensor t (its shape read and checked): its byte size against the bytes left (a
/// declared 10^12-element tensor fails here, nothing is allocated), then every value finite. Returns
/// where its row-major little-endian scalars start in the caller's bytes.
inline const unsigned char* read_tensor_data(ByteReader& r, const ModelFileTensor& t, std::uint32_t scalar_bytes) {
    std::uint64_t elements = 1;
    for (const auto n : t.shape) elements = checked_mul(elements, n, "size of tensor '" + t.name + "'");
    const std::uint64_t nbytes = checked_mul(elements, scalar_bytes, "byte size of tensor '" + t.name + "'");
    if (nbytes > r.remaining())
        detail::fail("model file: tensor '", t.name, "' ", shape_text(t.shape), " needs ", nbytes,
                     " bytes of data but only ", r.remaining(), " bytes remain in the file");
    const unsigned char* data = r.skip(std::size_t(nbytes), "tensor '" + t.name + "' data");
    for (std::uint64_t i = 0; i < elements; ++i) {
        const unsigned char* q = data + i * scalar_bytes;
        const double v = scalar_bytes == 4 ? double(load_le<float>(q)) : load_le<double>(q);
        if (!std::isfinite(v)) detail::fail("model file: tensor '", t.name, "' element ", i, " is not finite");
    }
    return data;
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
            read_shape(r, t, rank);
            if (t.shape != want)
                detail::fail("model file: tensor '", t.name, "' has shape ", shape_text(t.shape), ", but the config ",
                            "(input_dim ", c.input_dim, ", width ", c.width,
                            ", depth ", c.depth, ", output_dim ", c.output_dim,
                            ") needs ", shape_text(want));
            out.data.push_back(read_tensor_data(r, t, info.scalar_bytes));
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
            read_shape(r, t, rank);
            out.data.push_back(read_tensor_data(r, t, info.scalar_bytes));
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

}  // namespace detail

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

// posenc/io/model_file/write.hpp — a Model as model-file bytes (model_to_bytes) and on disk
// (save_model, atomic replace). The format: model_file/format.hpp and docs/model_files.md.
#pragma once
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
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

}  // namespace posenc

// posenc/io/safetensors.hpp — export MLP weights (and any named matrices) in the safetensors format,
// which PyTorch users can load without posenc. Layout: 8-byte little-endian header length N, N bytes of
// JSON header (padded with spaces to a multiple of 8), then the raw little-endian data, row-major.
// Export only: posenc's own save/load format is io/model_file.hpp. See docs/model_files.md.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/json_text.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/io/binary_io.hpp"
#include "posenc/nn/layers/activations.hpp"
#include "posenc/nn/mlp.hpp"
#include "posenc/nn/model.hpp"

namespace posenc {

/// One named tensor for safetensors_bytes(): a matrix is written with shape [rows, cols] in row-major
/// order (so a Dense weight W, out x in, is PyTorch's nn.Linear weight [out, in]); with `vector` set, a
/// one-column matrix is written with shape [rows] (a bias).
template <class T>
struct SafetensorsTensor {
    std::string name;     ///< unique, non-empty, valid UTF-8, not "__metadata__"
    Mat<T> value;         ///< the values (column-major in memory; transposed to row-major when written)
    bool vector = false;  ///< true: shape [rows] (value must have exactly one column)
};

namespace detail {

/// Appends s as a JSON string literal (core/json_text.hpp) after checking that it is valid UTF-8.
template <class = void>
void append_json_utf8(std::string& out, std::string_view s, std::string_view what) {
    require_utf8(s, "safetensors", what);
    append_json_string(out, s);
}

}  // namespace detail

/// A safetensors file as bytes: header length (u64 little-endian), the JSON header
/// `{"<name>":{"dtype":"F32","shape":[...],"data_offsets":[begin,end]},...,"__metadata__":{...}}`
/// padded with spaces so the data start at a multiple of 8, then each tensor's data in the given
/// order, row-major, little-endian (F32 for float, F64 for double). `metadata` becomes the
/// string-to-string "__metadata__" object (omitted when empty). Throws posenc::Error for an empty,
/// duplicate or non-UTF-8 name, a `vector` tensor with more than one column, or a non-finite value.
template <class T>
std::string safetensors_bytes(const std::vector<SafetensorsTensor<T>>& tensors,
                              const std::map<std::string, std::string>& metadata = {}) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "safetensors export: float or double");
    const char* dtype = sizeof(T) == 4 ? "F32" : "F64";
    std::string json = "{";
    std::set<std::string> names;
    std::uint64_t offset = 0;
    for (const auto& t : tensors) {
        if (t.name.empty()) throw Error("safetensors: tensor name must not be empty");
        if (t.name == "__metadata__") throw Error("safetensors: tensor name \"__metadata__\" is reserved");
        if (!names.insert(t.name).second) detail::fail("safetensors: tensor name \"", t.name, "\" appears twice");
        if (t.vector && t.value.cols() != 1)
            detail::fail("safetensors: tensor \"", t.name, "\" is marked as a vector but has ",
                        t.value.cols(), " columns");
        if (!t.value.allFinite()) detail::fail("safetensors: tensor \"", t.name, "\" has a non-finite value");
        if (json.size() > 1) json += ',';
        detail::append_json_utf8(json, t.name, "tensor name");
        json += ":{\"dtype\":\"";
        json += dtype;
        json += "\",\"shape\":[" + std::to_string(t.value.rows());
        if (!t.vector) json += "," + std::to_string(t.value.cols());
        const std::uint64_t bytes = std::uint64_t(t.value.size()) * sizeof(T);
        json += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
        offset += bytes;
    }
    if (!metadata.empty()) {
        if (json.size() > 1) json += ',';
        json += "\"__metadata__\":{";
        bool first = true;
        for (const auto& [k, v] : metadata) {
            if (!first) json += ',';
            first = false;
            detail::append_json_utf8(json, k, "metadata key");
            json += ':';
            detail::append_json_utf8(json, v, "metadata value of \"" + k + "\"");
        }
        json += '}';
    }
    json += '}';
    json.append((8 - json.size() % 8) % 8, ' ');

    detail::ByteWriter w;
    w.reserve(8 + json.size() + std::size_t(offset));
    w.u64(json.size());
    w.bytes(json);
    for (const auto& t : tensors)
        for (Index i = 0; i < t.value.rows(); ++i)
            for (Index j = 0; j < t.value.cols(); ++j) {
                if constexpr (sizeof(T) == 4) w.f32(float(t.value(i, j)));
                else w.f64(double(t.value(i, j)));
            }
    return w.take();
}

/// Writes safetensors_bytes(tensors, metadata) to `path` atomically (temporary file in the same
/// directory, then rename; an existing file is kept whole on failure). Throws posenc::Error.
template <class T>
void save_safetensors(const std::vector<SafetensorsTensor<T>>& tensors, const std::filesystem::path& path,
                      const std::map<std::string, std::string>& metadata = {}) {
    detail::write_file_atomically(path, safetensors_bytes(tensors, metadata), "save_safetensors");
}

/// The MLP's weights as safetensors tensors: "layer<l>.weight" [out, in] and "layer<l>.bias" [out]
/// for l = 0..depth, the names and shapes of a torch.nn.Linear stack (keys of a state_dict).
template <class T>
std::vector<SafetensorsTensor<T>> safetensors_tensors(const Mlp<T>& mlp) {
    std::vector<SafetensorsTensor<T>> ts;
    for (Index l = 0; l < mlp.num_layers(); ++l) {
        const std::string prefix = "layer" + std::to_string(l);
        ts.push_back({prefix + ".weight", mlp.layer(l).W, false});
        ts.push_back({prefix + ".bias", mlp.layer(l).b, true});
    }
    return ts;
}

/// A model's tensors: the Mlp's (above), then the encoder's parameters, if it has any
/// (ParametricEncoder), as "encoder.<name>" with the parameter's shape (rows x cols; [rows] for a
/// vector). A fixed encoder adds nothing, so such a file is the plain nn.Linear stack.
template <class T>
std::vector<SafetensorsTensor<T>> safetensors_tensors(const Model<T>& model) {
    std::vector<SafetensorsTensor<T>> ts = safetensors_tensors(model.mlp());
    for (const auto& p : model.encoder().parameters())
        ts.push_back({"encoder." + p.name, Mat<T>(p.value_matrix()), p.cols == 1});
    return ts;
}

/// Metadata describing an MLP, as strings (safetensors metadata is string to string): "format" = "pt",
/// "input_dim", "output_dim", "width", "depth", "hidden_activation" / "output_activation" (identity,
/// relu, sigmoid, tanh, sine, gaussian) and "hidden_param" / "output_param" (omega_0 of sine, a of
/// gaussian, defaults resolved; "0" for the others).
template <class T>
std::map<std::string, std::string> safetensors_metadata(const Mlp<T>& mlp) {
    const MlpConfig& c = mlp.config();
    auto act_param = [](const ActivationSpec& a) {
        return a.kind == Activation::Sine || a.kind == Activation::Gaussian ? detail::format_number(a.value())
                                                                             : std::string("0");
    };
    return {{"format", "pt"},
            {"input_dim", std::to_string(c.input_dim)},
            {"output_dim", std::to_string(c.output_dim)},
            {"width", std::to_string(c.width)},
            {"depth", std::to_string(c.depth)},
            {"hidden_activation", to_string(c.hidden.kind)},
            {"hidden_param", act_param(c.hidden)},
            {"output_activation", to_string(c.output.kind)},
            {"output_param", act_param(c.output)}};
}

/// safetensors_metadata(model.mlp()) plus "encoder" (the encoder's spec as JSON, to_string(spec):
/// rebuild it with make_encoder) and "coordinate_dim" (the encoder's input dimension).
template <class T>
std::map<std::string, std::string> safetensors_metadata(const Model<T>& model) {
    auto m = safetensors_metadata(model.mlp());
    m["encoder"] = to_string(model.encoder().spec());
    m["coordinate_dim"] = std::to_string(model.input_dim());
    return m;
}

/// Exports the weights of `mlp` as safetensors at `path` (atomic write): the tensors of
/// safetensors_tensors() with safetensors_metadata() plus `extra` metadata (a key that posenc already
/// writes throws posenc::Error).
template <class T>
void export_safetensors(const Mlp<T>& mlp, const std::filesystem::path& path,
                        const std::map<std::string, std::string>& extra = {}) {
    auto meta = safetensors_metadata(mlp);
    for (const auto& [k, v] : extra)
        if (!meta.emplace(k, v).second) detail::fail("export_safetensors: metadata key \"", k, "\" is reserved by posenc");
    save_safetensors(safetensors_tensors(mlp), path, meta);
}

/// Exports the MLP weights of `model` (and the encoder's parameters, if it has any: "encoder.<name>",
/// see safetensors_tensors(model)) as safetensors at `path` (atomic write), with the model's
/// metadata (safetensors_metadata(model): encoder spec, sizes, activations) plus `extra`. In PyTorch
/// the tensors load into a stack of nn.Linear layers applied to the encoding Psi(x) (see
/// docs/model_files.md). Throws posenc::Error.
template <class T>
void export_safetensors(const Model<T>& model, const std::filesystem::path& path,
                        const std::map<std::string, std::string>& extra = {}) {
    if (model.encoder().empty()) throw Error("export_safetensors: the model has no encoder");
    auto meta = safetensors_metadata(model);
    for (const auto& [k, v] : extra)
        if (!meta.emplace(k, v).second) detail::fail("export_safetensors: metadata key \"", k, "\" is reserved by posenc");
    save_safetensors(safetensors_tensors(model), path, meta);
}

}  // namespace posenc

// posenc/io/model_file/format.hpp — what a posenc model file is: magic, format versions, header
// sizes, the codes of activations / init / first-layer policy, and the description of a file's
// contents (ModelFileInfo). Reading: model_file/read.hpp; writing: model_file/write.hpp; the format
// itself: docs/model_files.md.
#pragma once
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/nn/layers/activations.hpp"
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

template <class T>
void check_model_scalar() {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "model files hold float or double models");
}

}  // namespace detail

}  // namespace posenc

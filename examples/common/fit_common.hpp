// examples/common/fit_common.hpp — helpers shared by the fitting examples (fit_1d, fit_2d): the
// --first-layer flag, the weight-initialisation seed and the encoder spec with per-example defaults.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>

#include "common/cli.hpp"
#include "posenc/core/error.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/nn/model.hpp"

namespace posenc::examples {

/// The --first-layer value as a FirstLayerPath (auto: the Model decides by window density).
inline FirstLayerPath first_layer_path(const std::string& s) {
    if (s == "auto") return FirstLayerPath::Auto;
    if (s == "dense") return FirstLayerPath::Dense;
    if (s == "sparse") return FirstLayerPath::Sparse;
    throw Error("--first-layer must be auto, dense or sparse (got \"" + s + "\")");
}

/// Seed of the weight initialisation derived from --seed (splitmix64 of it): the encoder (rff, noise)
/// and the weights must not draw from the same random stream, or the first layer's weights would be
/// functions of the very numbers that made the frequencies (correlated, and measurably worse fits).
inline std::uint64_t init_seed(std::uint64_t seed) {
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// The encoder spec from the flags, with --dim defaulting to `default_dim` for types that take a dim,
/// and input_dim set to `input_dim` (2 in fit_2d: shifted bases become per-axis, D/2 shifts per axis).
inline EncoderSpec spec_with_defaults(const EncoderOptions& e, Index input_dim, double default_dim) {
    EncoderSpec s = e.spec();
    const auto keys = encoder_parameters(e.encoder);
    auto accepts = [&](const char* k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); };
    if (accepts("dim") && !s.params.count("dim")) s.params["dim"] = default_dim;
    if (accepts("input_dim")) s.params["input_dim"] = double(input_dim);
    return s;
}

}  // namespace posenc::examples

// posenc/posenc.hpp — umbrella header: every public posenc header that needs only Eigen and the standard
// library. (io/json_spec.hpp is left out on purpose: it needs nlohmann_json; include it yourself.)
#pragma once

// core
#include "posenc/core/error.hpp"
#include "posenc/core/gemm.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/random.hpp"
#include "posenc/core/types.hpp"

// encodings
#include "posenc/encoding/any_encoder.hpp"
#include "posenc/encoding/concat.hpp"
#include "posenc/encoding/directional.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/encoding/fourier.hpp"
#include "posenc/encoding/frequencies.hpp"
#include "posenc/encoding/identity.hpp"
#include "posenc/encoding/kronecker.hpp"
#include "posenc/encoding/learnable_fourier.hpp"
#include "posenc/encoding/learnable_gaussian.hpp"
#include "posenc/encoding/oneblob.hpp"
#include "posenc/encoding/per_axis.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/profiles/impulse.hpp"
#include "posenc/encoding/profiles/oneblob_bin.hpp"
#include "posenc/encoding/profiles/profile.hpp"
#include "posenc/encoding/profiles/random_noise.hpp"
#include "posenc/encoding/profiles/sinc.hpp"
#include "posenc/encoding/profiles/sine_wave.hpp"
#include "posenc/encoding/profiles/square_wave.hpp"
#include "posenc/encoding/profiles/triangle.hpp"
#include "posenc/encoding/scaling.hpp"
#include "posenc/encoding/shifted_basis.hpp"
#include "posenc/encoding/spherical_harmonics.hpp"
#include "posenc/encoding/triangle_wave.hpp"
#include "posenc/encoding/windows.hpp"

// analysis
#include "posenc/analysis/distance_preservation.hpp"
#include "posenc/analysis/grid_resolution.hpp"
#include "posenc/analysis/metrics.hpp"
#include "posenc/analysis/stable_rank.hpp"
#include "posenc/analysis/windowed_gram.hpp"

// neural networks
#include "posenc/nn/layers/activations.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/callbacks.hpp"
#include "posenc/nn/layers/dense.hpp"
#include "posenc/nn/first_layer/kron_grid.hpp"
#include "posenc/nn/solvers/kronecker2d.hpp"
#include "posenc/nn/solvers/kronecker3d.hpp"
#include "posenc/nn/loss.hpp"
#include "posenc/nn/mlp.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/optim/optimizer.hpp"
#include "posenc/core/param.hpp"
#include "posenc/nn/solvers/ridge.hpp"
#include "posenc/nn/optim/sgd.hpp"
#include "posenc/nn/first_layer/sparse_windows.hpp"
#include "posenc/nn/trainer.hpp"

// model files (versioned binary format, safetensors export)
#include "posenc/io/model_file.hpp"
#include "posenc/io/safetensors.hpp"

// the opt-in compiled part: with POSENC_COMPILED (link posenc::compiled), extern template
// declarations of the precompiled instantiations; without it, nothing
#include "posenc/compiled.hpp"

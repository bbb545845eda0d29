// examples/common/recommend.hpp — `--param auto` of fit_1d / fit_2d and the choose_encoding tool: maps an
// example's encoder name and model flags to posenc::BandwidthModel and runs posenc::recommend_bandwidth()
// on the training split (never the test points). Defined once in recommend.cpp (library
// posenc_examples_lib, examples/CMakeLists.txt): its instantiations are the heaviest of the examples.
//
//     RecommendSettings rs{.encoder = "gaussian", .dim = 10000, .input_dim = 1, .steps = 2000};
//     const BandwidthRecommendation r = recommend_for(rs, split_1d(signal));
//     // r.param: the sigma to use; r.candidates: the evidence (chart / table)
#pragma once
#include <cstdint>
#include <string>

#include "common/signals.hpp"
#include "posenc/analysis/bandwidth.hpp"
#include "posenc/core/error.hpp"

namespace posenc::examples {

/// The flags of a fit that the recommendation depends on.
struct RecommendSettings {
    std::string encoder;       ///< gaussian, gaussian2, triangle (1D or per axis), complex_gaussian (Kronecker 2D)
    Index dim = 0;             ///< --dim (fit_2d: total code size for per-axis, shifts per axis for complex_gaussian)
    Index input_dim = 1;       ///< 1 (fit_1d) or 2 (fit_2d)
    bool periodic = false;     ///< --periodic
    int depth = 0;             ///< --depth
    int width = 256;           ///< --width
    bool closed_form = false;  ///< --closed-form
    double lambda = 1e-8;      ///< --lambda
    int steps = 2000;          ///< --steps
    double lr = 1e-3;          ///< --lr
    double weight_decay = 1e-8;  ///< Adam weight decay
    std::uint64_t seed = 0;    ///< weight-initialisation seed
    BandwidthSearch search;    ///< candidate grid and levels
};

/// The BandwidthModel of an example's fit: fit_1d's linear layer / MLP (no clipping), fit_2d's MLP with
/// a sigmoid output (Adam) or linear output clipped to [0, 1] (closed form), fit_2d's complex_gaussian
/// (protocol D: Kronecker, clipped). Throws posenc::Error naming --encoder for a type without a width.
BandwidthModel bandwidth_model(const RecommendSettings& s);

/// recommend_bandwidth() on the training split of `sp` for the fit described by `s`.
BandwidthRecommendation recommend_for(const RecommendSettings& s, const Split& sp);

}  // namespace posenc::examples

// examples/common/recommend.hpp — `--param auto` of fit_1d / fit_2d and the choose_encoding tool: maps an
// example's encoder name and model flags to posenc::BandwidthModel and runs posenc::recommend_bandwidth()
// on the training split (never the test points). Defined once in recommend.cpp (library
// posenc_examples_lib, examples/CMakeLists.txt): its instantiations are the heaviest of the examples.
//
//     RecommendSettings rs{.encoder = "gaussian", .input_dim = 1};
//     rs.model.dim = 10000;
//     const BandwidthRecommendation r = recommend_for(rs, split_1d(signal));
//     // r.param: the sigma to use; r.candidates: the evidence (chart / table)
#pragma once
#include <cstdint>
#include <string>

#include "common/fit_common.hpp"
#include "common/signals.hpp"
#include "posenc/analysis/bandwidth.hpp"
#include "posenc/core/error.hpp"

namespace posenc::examples {

/// The flags of a fit that the recommendation depends on.
struct RecommendSettings {
    std::string encoder;     ///< gaussian, gaussian2, triangle (1D or per axis), complex_gaussian (Kronecker 2D)
    Index input_dim = 1;     ///< 1 (fit_1d) or 2 (fit_2d)
    bool linear_output = false;  ///< fit_2d --output-activation none: no sigmoid, predictions clipped
    /// The fit's own settings (--dim: fit_2d's total code size for per-axis, shifts per axis for
    /// complex_gaussian; --periodic, --depth, --width, --closed-form, --lambda, --steps, --lr, weight
    /// decay, seed); bandwidth_model() fills in the profile, layout, clipping and output activation.
    BandwidthModel model;
    BandwidthSearch search;  ///< candidate grid and levels
};

/// RecommendSettings of fit_1d's and fit_2d's Options (members enc, depth, width, closed_form, lambda,
/// steps, lr, weight_decay), for `input_dim` and `dim` (the code size the fit will use).
template <class Options>
RecommendSettings recommend_settings(const Options& o, Index input_dim, Index dim) {
    RecommendSettings rs;
    rs.encoder = o.enc.encoder;
    rs.input_dim = input_dim;
    BandwidthModel& m = rs.model;
    m.dim = dim;
    m.periodic = o.enc.periodic;
    m.depth = o.depth;
    m.width = o.width;
    m.closed_form = o.closed_form;
    m.lambda = o.lambda;
    m.steps = o.steps;
    m.lr = o.lr;
    m.weight_decay = o.weight_decay;
    m.seed = init_seed(o.enc.seed);
    return rs;
}

/// The BandwidthModel of an example's fit: fit_1d's linear layer / MLP (no clipping), fit_2d's MLP with
/// a sigmoid output (Adam) or linear output clipped to [0, 1] (closed form), fit_2d's complex_gaussian
/// (protocol D: Kronecker, clipped). Throws posenc::Error naming --encoder for a type without a width.
BandwidthModel bandwidth_model(const RecommendSettings& s);

/// recommend_bandwidth() on the training split of `sp` for the fit described by `s`.
BandwidthRecommendation recommend_for(const RecommendSettings& s, const Split& sp);

}  // namespace posenc::examples

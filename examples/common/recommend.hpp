// examples/common/recommend.hpp — `--param auto` of fit_1d / fit_2d and the choose_encoding tool: maps an
// example's encoder name and model flags to posenc::BandwidthModel and runs posenc::recommend_bandwidth()
// on the training split (never the test points).
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
inline BandwidthModel bandwidth_model(const RecommendSettings& s) {
    BandwidthModel m;
    const std::string& e = s.encoder;
    if (e == "complex_gaussian") {
        if (s.input_dim != 2) throw Error("--param auto: complex_gaussian is a 2D encoder");
        m.profile = "gaussian";
        m.layout = BandwidthLayout::Kronecker2D;
        m.clip = true;
    } else if (e == "gaussian" || e == "gaussian2" || e == "triangle") {
        m.profile = e == "triangle" ? "triangle" : "gaussian";
        if (e == "gaussian2" && s.input_dim != 2) throw Error("--param auto: gaussian2 is a 2D encoder");
        m.layout = s.input_dim == 2 ? BandwidthLayout::PerAxis2D : BandwidthLayout::Shifted1D;
        m.clip = s.input_dim == 2 && s.closed_form;
        m.sigmoid_output = s.input_dim == 2 && !s.closed_form;
    } else {
        throw Error("--param auto: encoder \"" + e +
                    "\" has no tunable width (auto works for gaussian, gaussian2, triangle, complex_gaussian)");
    }
    m.dim = s.dim;
    m.periodic = s.periodic;
    m.depth = s.depth;
    m.width = s.width;
    m.closed_form = s.closed_form;
    m.lambda = s.lambda;
    m.steps = s.steps;
    m.lr = s.lr;
    m.weight_decay = s.weight_decay;
    m.seed = s.seed;
    return m;
}

/// recommend_bandwidth() on the training split of `sp` for the fit described by `s`.
inline BandwidthRecommendation recommend_for(const RecommendSettings& s, const Split& sp) {
    return recommend_bandwidth<float>(sp.x_train, sp.y_train, bandwidth_model(s), s.search);
}

}  // namespace posenc::examples

// examples/common/recommend.cpp — the definitions of recommend.hpp, compiled once for every example
// (the recommender's fits instantiate shifted bases, per-axis encoders, MLPs and ridge solvers: about a
// minute of compiler time per program that included them).
#include "common/recommend.hpp"

namespace posenc::examples {

BandwidthModel bandwidth_model(const RecommendSettings& s) {
    BandwidthModel m = s.model;
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
        const bool linear = s.model.closed_form || s.linear_output;
        m.clip = s.input_dim == 2 && linear;
        m.sigmoid_output = s.input_dim == 2 && !linear;
    } else {
        throw Error("--param auto: encoder \"" + e +
                    "\" has no tunable width (auto works for gaussian, gaussian2, triangle, complex_gaussian)");
    }
    return m;
}

BandwidthRecommendation recommend_for(const RecommendSettings& s, const Split& sp) {
    return recommend_bandwidth<float>(sp.x_train, sp.y_train, bandwidth_model(s), s.search);
}

}  // namespace posenc::examples

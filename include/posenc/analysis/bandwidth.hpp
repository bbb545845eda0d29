// posenc/analysis/bandwidth.hpp — recommend_bandwidth(): the width of a shifted basis (Gaussian sigma,
// triangle half-width) chosen from the training samples alone, with the evidence of the paper's
// trade-off (stable rank of the train embedding, distance-preservation half-width against the sample
// spacing) and the signal-based criterion that decides it.
//
// The rule (docs/theory.md §9), for a training grid of spacing h whose test points lie between the
// training samples (the protocols of docs/protocols.md):
//
//  1. Floor (distance preservation, paper Sec. 5): only widths whose kernel keeps a point halfway
//     between two samples at least half-similar to each, i.e. DP half-width >= h / 2, are eligible;
//     narrower bases memorise the samples and leave the gaps to chance (the test-PSNR cliff).
//  2. Criterion (the signal): thin the training grid by 2 per axis; the kept samples (each phase in
//     turn) are the fit set, the samples halfway between them the validation set -- the real task's
//     geometry, one octave coarser. Coordinates are shrunk by 2 about the first sample, so the
//     sub-problem has the real spacing h and uses the SAME encoder (D, width, domain) and model
//     (closed form with lambda / 2 per axis, or the same Adam run): only the signal is coarser. For
//     every width of a log grid (ratio 2^(1/per_octave)) the validation PSNR over all phases is
//     measured.
//  3. Choice (stable rank, paper Sec. 4): the NARROWEST eligible width whose validation PSNR is within
//     `tolerance_db` (0.5 dB for Adam, 0.25 dB for the closed form) of the best. Widths the coarse problem cannot tell apart generalise
//     alike; the narrowest has the largest stable rank, i.e. memorises the most detail, and the full
//     resolution has more detail than its thinned copy. A smooth signal, whose validation PSNR rises
//     clearly with the width, still gets a wide basis.
//
// The variogram criterion (BandwidthCriterion::Variogram; the default for the Kronecker 2D closed form
// on a uniform grid of at least 26 x 26, protocol D) replaces steps 2-3: the closed form is a separable
// linear smoother, so its error at the midpoints of the REAL grid is predicted from the training
// samples' variogram (analysis/variogram.hpp: a power law fitted at lags 1-4 spacings), without
// thinning; the eligible width up to `variogram_max_width` (4) spacings with the best predicted test
// PSNR wins. Thinning makes a signal that is smooth at the sample spacing look twice as rough (the
// thinned rule chooses an octave too narrow on blurred images, docs/theory.md §9); the variogram sees
// the spacing itself.
//
// Test points are never seen: only the training samples and the model's settings.
//
// Cost: 2 (1D) or 4 (2D) fits per candidate of a problem with half the samples per axis; for
// protocol F's 1D task (256 samples, D = 10 000, 2000 Adam steps, 13 candidates) about 10-20 s on one
// core, for its 2D task (protocol D, S = 256) about one second. The variogram adds a D x D solve per
// candidate and axis: choose_encoding on astronaut, protocol D at S = 256, one thread, 0.53 s against
// 0.47 s with the thinned criterion alone (2026-12-03, Intel Xeon Sapphire Rapids). The thinned
// validation PSNRs are computed under either criterion, as evidence.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "posenc/analysis/stable_rank.hpp"
#include "posenc/analysis/variogram.hpp"
#include "posenc/analysis/windowed_gram.hpp"
#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/any_encoder.hpp"
#include "posenc/encoding/per_axis.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/profiles/triangle.hpp"
#include "posenc/encoding/scaling.hpp"
#include "posenc/encoding/shifted_basis.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/solvers/kronecker2d.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/solvers/ridge.hpp"
#include "posenc/nn/trainer.hpp"

namespace posenc {

/// How the 1D profile becomes the encoding whose width is chosen.
enum class BandwidthLayout {
    Shifted1D,   ///< one shifted basis of `dim` shifts (protocol B); X is 1 x N
    PerAxis2D,   ///< per-axis concatenation, dim / 2 shifts per axis, one unit-norm scale (protocol C's gaussian2); X is 2 x N
    Kronecker2D  ///< Kronecker ("complex") code Py (x) Px, `dim` shifts per axis, not rescaled (protocol D); X is 2 x N on a grid
};

/// "shifted_1d", "per_axis_2d" or "kronecker_2d".
inline const char* to_string(BandwidthLayout l) {
    return l == BandwidthLayout::Shifted1D ? "shifted_1d" : l == BandwidthLayout::PerAxis2D ? "per_axis_2d" : "kronecker_2d";
}

/// The model the width is chosen for: the same settings the real fit will use.
struct BandwidthModel {
    std::string profile = "gaussian";                 ///< "gaussian" (width = sigma) or "triangle" (width = half-width d)
    BandwidthLayout layout = BandwidthLayout::Shifted1D;  ///< how the profile is used
    Index dim = 10000;         ///< shifts (Shifted1D), total code size (PerAxis2D: dim / 2 per axis), shifts per axis (Kronecker2D)
    bool periodic = false;     ///< periodic domain (Shifted1D, PerAxis2D); bounded otherwise
    Index depth = 0;           ///< hidden layers of the MLP after the code (0 = linear); Kronecker2D: 0 only
    Index width = 256;         ///< units per hidden layer
    bool sigmoid_output = false;  ///< sigmoid after the last layer (protocol C's MLP)
    bool closed_form = false;  ///< depth 0 only: ridge closed form instead of Adam
    double lambda = 1e-8;      ///< ridge penalty of the closed form (scaled by 1/s per axis in the sub-problems)
    int steps = 2000;          ///< Adam steps
    double lr = 1e-3;          ///< Adam learning rate
    double weight_decay = 1e-8;  ///< Adam L2 weight decay (added to the gradient)
    std::uint64_t seed = 0;    ///< weight-initialisation seed of the MLP (MlpConfig::seed)
    bool clip = false;         ///< clip predictions to [0, 1] before measuring the error (protocol D)
};

/// The signal-based criterion that ranks the eligible widths.
enum class BandwidthCriterion {
    Auto,      ///< Variogram where it applies (Kronecker2D closed form on a uniform grid of >= 26 x 26), Thinned otherwise
    Thinned,   ///< validation PSNR of the same model fitted on the training grid thinned 2x per axis
    Variogram  ///< kriging error of the closed-form smoother under the training grid's empirical variogram (Kronecker2D closed form only)
};

/// "auto", "thinned" or "variogram".
inline const char* to_string(BandwidthCriterion c) {
    return c == BandwidthCriterion::Auto ? "auto" : c == BandwidthCriterion::Thinned ? "thinned" : "variogram";
}

/// Parses "auto" / "thinned" / "variogram" (to_string's names). Throws posenc::Error naming the value
/// otherwise.
inline BandwidthCriterion bandwidth_criterion_from_name(const std::string& name) {
    for (BandwidthCriterion c : {BandwidthCriterion::Auto, BandwidthCriterion::Thinned, BandwidthCriterion::Variogram})
        if (name == to_string(c)) return c;
    detail::fail("recommend_bandwidth: criterion must be \"auto\", \"thinned\" or \"variogram\" (got \"", name, "\")");
}

/// The search: the grid of candidate widths and the constants of the rule.
struct BandwidthSearch {
    double lo = 0;             ///< smallest candidate width (0: the first spacing x 2^(k / per_octave) at or above the floor)
    double hi = 0;             ///< largest candidate width (0 = 16 x spacing)
    int per_octave = 2;        ///< candidates per factor 2 of the width (>= 1)
    /// The narrowest eligible width within this many dB of the best validation PSNR wins; < 0 (default):
    /// 0.5 dB for Adam, 0.25 dB for the closed form (tuned on the signals of docs/theory.md §9)
    double tolerance_db = -1;
    double min_half_width = 0.5;  ///< eligible: DP half-width >= this x spacing (the floor)
    bool evidence = true;      ///< compute the stable rank of the train embedding at every candidate
    BandwidthCriterion criterion = BandwidthCriterion::Auto;  ///< what ranks the eligible widths
    /// Variogram criterion: only widths up to this many sample spacings are ranked (> 0)
    double variogram_max_width = 4;
    /// Variogram criterion: the power law is fitted to the empirical variogram at lags up to this many
    /// spacings, in [2, 64]; at most the grid's samples per axis - 2
    Index variogram_max_lag = 4;
};

/// One candidate width and what the rule measured for it.
struct BandwidthCandidate {
    double param = 0;        ///< the width (sigma or triangle half-width)
    double stable_rank = 0;  ///< stable rank of the full train embedding (NaN when not computed)
    double half_width = 0;   ///< distance-preservation half-width of the kernel along an axis
    double cv_psnr = 0;      ///< validation PSNR (dB) on the thinned training grid (the Thinned criterion)
    double predicted_psnr = std::numeric_limits<double>::quiet_NaN();  ///< test PSNR the variogram predicts (Variogram criterion; NaN otherwise)
    bool eligible = false;   ///< half_width >= min_half_width x spacing
};

/// The recommendation and its evidence.
struct BandwidthRecommendation {
    double param = 0;          ///< recommended width
    std::string profile;       ///< "gaussian" or "triangle"
    std::string parameter;     ///< "sigma" or "width"
    double spacing = 0;        ///< sample spacing h of the training grid (the smallest over the axes)
    double stable_rank = 0;    ///< stable rank of the train embedding at `param`
    double half_width = 0;     ///< DP half-width of the kernel at `param` (along an axis)
    double half_width_over_spacing = 0;  ///< half_width / spacing
    double floor = 0;          ///< smallest width with DP half-width >= min_half_width x spacing
    std::string criterion;     ///< the criterion used: "thinned" or "variogram"
    double best_param = 0;     ///< eligible width with the best validation PSNR (Thinned criterion)
    double best_psnr = 0;      ///< that PSNR
    double chosen_psnr = 0;    ///< validation PSNR of `param` (Thinned: >= best_psnr - tolerance_db)
    double predicted_psnr = std::numeric_limits<double>::quiet_NaN();  ///< Variogram criterion: predicted test PSNR of `param` (NaN otherwise)
    double tolerance_db = 0;   ///< the tolerance used (BandwidthSearch::tolerance_db, or the method's default)
    Index train_points = 0;    ///< N
    Index grid_x = 0;          ///< distinct x coordinates of the training grid
    Index grid_y = 1;          ///< distinct y coordinates (1 in 1D)
    std::vector<BandwidthCandidate> candidates;  ///< the grid, ascending
};

namespace detail {

/// The training samples as a grid: sorted distinct coordinates per axis and the values on the grid.
struct BwGrid {
    std::vector<double> xs, ys;           ///< distinct coordinates (ys = {0} in 1D)
    std::vector<Mat<double>> values;      ///< per channel, ny x nx
};

template <class T>
BwGrid bw_make_grid(ConstMatRef<T> X, ConstMatRef<T> Y, Index dims, const char* who) {
    BwGrid g;
    const Index N = X.cols();
    auto distinct = [&](Index row) {
        std::vector<double> v(static_cast<std::size_t>(N));
        for (Index i = 0; i < N; ++i) v[std::size_t(i)] = double(X(row, i));
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        return v;
    };
    g.xs = distinct(0);
    g.ys = dims == 2 ? distinct(1) : std::vector<double>{0.0};
    const Index nx = Index(g.xs.size()), ny = Index(g.ys.size());
    require(nx * ny == N, std::string(who) + ": the training samples must form a grid without repeated points (" +
                              std::to_string(N) + " samples, " + std::to_string(nx) + " x " + std::to_string(ny) +
                              " distinct coordinates)");
    const Index C = Y.rows();
    g.values.assign(std::size_t(C), Mat<double>::Constant(ny, nx, std::numeric_limits<double>::quiet_NaN()));
    for (Index i = 0; i < N; ++i) {
        const Index c = Index(std::lower_bound(g.xs.begin(), g.xs.end(), double(X(0, i))) - g.xs.begin());
        const Index r = dims == 2 ? Index(std::lower_bound(g.ys.begin(), g.ys.end(), double(X(1, i))) - g.ys.begin()) : 0;
        for (Index k = 0; k < C; ++k) g.values[std::size_t(k)](r, c) = double(Y(k, i));
    }
    for (const auto& v : g.values)
        require(!v.hasNaN(), std::string(who) + ": the training samples must form a complete grid");
    return g;
}

/// Median gap of sorted distinct coordinates.
inline double bw_spacing(const std::vector<double>& v) {
    std::vector<double> d;
    for (std::size_t i = 1; i < v.size(); ++i) d.push_back(v[i] - v[i - 1]);
    std::nth_element(d.begin(), d.begin() + std::ptrdiff_t(d.size() / 2), d.end());
    return d[d.size() / 2];
}

/// Half-width (smallest delta > 0 with k(delta) = 1/2) of a decreasing kernel, by bisection.
template <class P>
double bw_kernel_half_width(const P& p, double w) {
    double a = 0, b = w;
    while (p.kernel(b) > 0.5) b *= 2;
    for (int it = 0; it < 100; ++it) {
        const double m = 0.5 * (a + b);
        (p.kernel(m) > 0.5 ? a : b) = m;
    }
    return 0.5 * (a + b);
}

/// Everything one sub-problem fit needs: fit / validation coordinates per axis and the values.
struct BwSubProblem {
    std::vector<double> fx, fy, vx, vy;      ///< coordinates (already shrunk)
    std::vector<Mat<double>> fit, val;       ///< per channel: ny x nx grids
    double shrink = 1;                       ///< s
};

/// Level s, phases (a, b) per axis: fit = indices a, a + s, ...; val = a + s/2, a + s/2 + s, ... (only
/// those inside the fit range); coordinates x' = x_0 + (x - x_a) / s.
inline BwSubProblem bw_sub_problem(const BwGrid& g, Index s, Index a, Index b, bool two_d) {
    BwSubProblem p;
    p.shrink = double(s);
    auto axis = [&](const std::vector<double>& v, Index phase, std::vector<double>& f, std::vector<double>& val,
                    std::vector<Index>& fi, std::vector<Index>& vi) {
        const Index n = Index(v.size());
        for (Index i = phase; i < n; i += s) fi.push_back(i);
        for (Index i = phase + s / 2; i < n; i += s)
            if (i < fi.back()) vi.push_back(i);
        for (Index i : fi) f.push_back(v.front() + (v[std::size_t(i)] - v[std::size_t(phase)]) / double(s));
        for (Index i : vi) val.push_back(v.front() + (v[std::size_t(i)] - v[std::size_t(phase)]) / double(s));
    };
    std::vector<Index> fxi, vxi, fyi, vyi;
    axis(g.xs, a, p.fx, p.vx, fxi, vxi);
    if (two_d) {
        axis(g.ys, b, p.fy, p.vy, fyi, vyi);
    } else {
        p.fy = p.vy = {0.0};
        fyi = vyi = {0};
    }
    for (const auto& v : g.values) {
        Mat<double> F(Index(fyi.size()), Index(fxi.size())), V(Index(vyi.size()), Index(vxi.size()));
        for (std::size_t r = 0; r < fyi.size(); ++r)
            for (std::size_t c = 0; c < fxi.size(); ++c) F(Index(r), Index(c)) = v(fyi[r], fxi[c]);
        for (std::size_t r = 0; r < vyi.size(); ++r)
            for (std::size_t c = 0; c < vxi.size(); ++c) V(Index(r), Index(c)) = v(vyi[r], vxi[c]);
        p.fit.push_back(std::move(F));
        p.val.push_back(std::move(V));
    }
    return p;
}

/// Points (d x N, column r * nx + c) and values (C x N) of grids with coordinates xs, ys.
template <class T>
std::pair<Mat<T>, Mat<T>> bw_points(const std::vector<double>& xs, const std::vector<double>& ys,
                                    const std::vector<Mat<double>>& v, bool two_d) {
    const Index nx = Index(xs.size()), ny = Index(ys.size()), C = Index(v.size());
    Mat<T> X(two_d ? 2 : 1, nx * ny), Y(C, nx * ny);
    for (Index r = 0; r < ny; ++r)
        for (Index c = 0; c < nx; ++c) {
            const Index n = r * nx + c;
            X(0, n) = T(xs[std::size_t(c)]);
            if (two_d) X(1, n) = T(ys[std::size_t(r)]);
            for (Index k = 0; k < C; ++k) Y(k, n) = T(v[std::size_t(k)](r, c));
        }
    return {std::move(X), std::move(Y)};
}

inline Mat<double> bw_row(const std::vector<double>& v) {
    Mat<double> X(1, Index(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i) X(0, Index(i)) = v[i];
    return X;
}

/// The encoder of a 1D / per-axis layout for profile p (same construction as make_encoder's
/// "gaussian" / "gaussian2" / "triangle": bounded unless periodic, unit norm at the centre).
template <class T, class P>
AnyEncoder<T> bw_encoder(const P& p, const BandwidthModel& m) {
    const Domain dom = m.periodic ? Domain::Periodic : Domain::Bounded;
    if (m.layout == BandwidthLayout::Shifted1D) return AnyEncoder<T>(ShiftedBasis<P, T>(p, m.dim, dom));
    return AnyEncoder<T>(PerAxis<ShiftedBasis<P, T>>(ShiftedBasis<P, T>(p, m.dim / 2, dom, Scaling::None), 2));
}

/// Validation squared error and count of one sub-problem fit with width w.
template <class T, class P>
std::pair<double, double> bw_fit_error(const P& p, const BandwidthModel& m, const BwSubProblem& sp) {
    const bool two_d = m.layout != BandwidthLayout::Shifted1D;
    double se = 0, n = 0;
    auto add = [&](const Mat<double>& pred, const Mat<double>& target) {
        Mat<double> q = pred;
        if (m.clip) q = q.cwiseMax(0.0).cwiseMin(1.0);
        se += (q - target).squaredNorm();
        n += double(target.size());
    };
    if (m.layout == BandwidthLayout::Kronecker2D) {
        const ShiftedBasis<P, double> basis(p, m.dim, Domain::Bounded, Scaling::None);
        const Mat<double> px = encode(basis, bw_row(sp.fx)), py = encode(basis, bw_row(sp.fy));
        const Mat<double> qx = encode(basis, bw_row(sp.vx)), qy = encode(basis, bw_row(sp.vy));
        KroneckerLinear<double> km(m.dim, m.dim, Index(sp.fit.size()));
        if (m.closed_form) {
            km = fit_kronecker_ridge<double>(px, py, sp.fit, m.lambda / sp.shrink);
        } else {
            AdamOptions ao;
            ao.lr = m.lr;
            Adam<double> adam(ao);
            auto params = km.parameters();
            const double count = double(sp.fit[0].size()) * double(sp.fit.size());
            for (int s = 0; s < m.steps; ++s) {
                const std::vector<Mat<double>> P0 = km.predict_grid(px, py);
                std::vector<Mat<double>> dY(sp.fit.size());
                for (std::size_t k = 0; k < sp.fit.size(); ++k) dY[k] = (2.0 / count) * (P0[k] - sp.fit[k]);
                km.backward_grid(px, py, dY);
                adam.step(params);
            }
        }
        const std::vector<Mat<double>> pred = km.predict_grid(qx, qy);
        for (std::size_t k = 0; k < pred.size(); ++k) add(pred[k], sp.val[k]);
        return {se, n};
    }
    const AnyEncoder<T> enc = bw_encoder<T>(p, m);
    MlpConfig cfg;
    cfg.output_dim = Index(sp.fit.size());
    cfg.depth = m.depth;
    cfg.width = m.width;
    cfg.seed = m.seed;
    cfg.output = ActivationSpec{m.sigmoid_output ? Activation::Sigmoid : Activation::Identity};
    Model<T> model(enc, cfg);
    const auto [Xf, Yf] = bw_points<T>(sp.fx, sp.fy, sp.fit, two_d);
    const auto [Xv, Yv] = bw_points<double>(sp.vx, sp.vy, sp.val, two_d);
    if (m.closed_form) {
        RidgeOptions ro;
        ro.lambda = m.lambda / (two_d ? sp.shrink * sp.shrink : sp.shrink);
        fit_ridge(model, model.prepare(Xf), Yf, ro);
    } else {
        AdamOptions ao;
        ao.lr = m.lr;
        ao.weight_decay = m.weight_decay;
        Adam<T> adam(ao);
        TrainOptions to;
        to.steps = m.steps;
        train(model, Xf, Yf, adam, to);
    }
    const Mat<double> pred = model.predict(Xv.template cast<T>()).template cast<double>();
    add(pred, Yv);
    return {se, n};
}

/// True when the sorted coordinates v are equally spaced by h (to 1e-6 h).
inline bool bw_uniform(const std::vector<double>& v, double h) {
    for (std::size_t i = 1; i < v.size(); ++i)
        if (std::abs(v[i] - v[i - 1] - h) > 1e-6 * h) return false;
    return true;
}

/// One axis of the Kronecker closed form with basis `basis` as a linear smoother: its weights for the
/// test positions x_i + h / 2 (every midpoint after a training sample), summarised for the variogram.
template <class P>
AxisSmoother bw_axis_smoother(const ShiftedBasis<P, double>& basis, const std::vector<double>& xs, double h,
                              double lambda) {
    std::vector<double> tx(xs.size()), tq(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) tx[i] = xs[i] + 0.5 * h, tq[i] = double(i) + 0.5;
    const Mat<double> px = encode(basis, bw_row(xs)), qx = encode(basis, bw_row(tx));
    const Eigen::LLT<Mat<double>> f = kron_axis_factor(px, lambda, "recommend_bandwidth", "x");
    // prediction at q = sum_c W(c, q) y_c with W = P^T (P P^T + lambda I)^-1 Q  (docs/protocols.md D)
    const Mat<double> W = f.solve(px).transpose() * qx;
    return axis_smoother(W, tq);
}

/// Variogram criterion: the test PSNR the kriging error of the Kronecker closed form predicts (the
/// error clamped at 1e-12, i.e. at most 120 dB).
template <class P>
double bw_variogram_psnr(const P& p, const BandwidthModel& m, const BwGrid& g, const GridVariogram& gv, double h) {
    const ShiftedBasis<P, double> basis(p, m.dim, Domain::Bounded, Scaling::None);
    const AxisSmoother ax = bw_axis_smoother(basis, g.xs, h, m.lambda);
    const AxisSmoother ay = g.ys == g.xs ? ax : bw_axis_smoother(basis, g.ys, h, m.lambda);
    return -10.0 * std::log10(std::max(predicted_smoother_mse(gv, ax, ay), 1e-12));
}

template <class T, class P>
double bw_stable_rank(const P& p, const BandwidthModel& m, const BwGrid& g, ConstMatRef<T> X) {
    if (m.layout == BandwidthLayout::Kronecker2D) {
        const ShiftedBasis<P, double> basis(p, m.dim, Domain::Bounded, Scaling::None);
        const double rx = embedding_stable_rank(basis, ConstMatRef<double>(bw_row(g.xs)));
        const double ry = embedding_stable_rank(basis, ConstMatRef<double>(bw_row(g.ys)));
        return rx * ry;  // srank(A (x) B) = srank(A) srank(B), docs/theory.md §8
    }
    const Mat<double> Xd = X.template cast<double>();
    if (m.layout == BandwidthLayout::Shifted1D) {
        const ShiftedBasis<P, double> e(p, m.dim, m.periodic ? Domain::Periodic : Domain::Bounded);
        return embedding_stable_rank(e, ConstMatRef<double>(Xd));
    }
    const PerAxis<ShiftedBasis<P, double>> e(
        ShiftedBasis<P, double>(p, m.dim / 2, m.periodic ? Domain::Periodic : Domain::Bounded, Scaling::None), 2);
    return embedding_stable_rank(e, ConstMatRef<double>(Xd));
}

template <class T, class P, class MakeP>
BandwidthRecommendation bw_recommend(ConstMatRef<T> X, ConstMatRef<T> Y, const BandwidthModel& m,
                                     const BandwidthSearch& s, MakeP make) {
    constexpr const char* who = "recommend_bandwidth";
    const bool two_d = m.layout != BandwidthLayout::Shifted1D;
    const BwGrid g = bw_make_grid<T>(X, Y, two_d ? 2 : 1, who);
    const Index nx = Index(g.xs.size()), ny = Index(g.ys.size());
    constexpr Index kMinPerAxis = 16;
    require(nx >= kMinPerAxis && (!two_d || ny >= kMinPerAxis),
            std::string(who) + ": too few samples: need at least " + std::to_string(kMinPerAxis) +
                " per axis for the thinned sub-problems (got " + std::to_string(nx) +
                (two_d ? " x " + std::to_string(ny) : std::string()) + ")");
    BandwidthRecommendation r;
    r.profile = m.profile;
    r.parameter = m.profile == "gaussian" ? "sigma" : "width";
    r.train_points = X.cols();
    r.grid_x = nx;
    r.grid_y = ny;
    r.spacing = bw_spacing(g.xs);
    if (two_d) r.spacing = std::min(r.spacing, bw_spacing(g.ys));
    require(r.spacing > 0 && std::isfinite(r.spacing), std::string(who) + ": the sample spacing must be > 0");

    // Floor: the width whose kernel half-width is min_half_width x spacing (half-widths scale with the width).
    r.floor = s.min_half_width * r.spacing / (bw_kernel_half_width(make(1.0), 1.0));
    // Default grid: h 2^(k / per_octave), anchored at the spacing, from the first point at or above the floor.
    const double first = r.spacing * std::pow(2.0, std::ceil(std::log2(r.floor / r.spacing) * s.per_octave - 1e-9) /
                                                       double(s.per_octave));
    const double lo = s.lo > 0 ? s.lo : first, hi = s.hi > 0 ? s.hi : 16 * r.spacing;
    require(std::isfinite(lo) && std::isfinite(hi) && lo < hi,
            std::string(who) + ": empty search range [" + std::to_string(lo) + ", " + std::to_string(hi) +
                "] (search.lo must be < search.hi)");
    const int K = std::max(2, int(std::ceil(std::log2(hi / lo) * s.per_octave - 1e-9)) + 1);
    std::vector<double> grid(static_cast<std::size_t>(K));
    for (int k = 0; k < K; ++k) grid[std::size_t(k)] = lo * std::pow(2.0, double(k) / double(s.per_octave));
    while (grid.size() > 2 && grid.back() > hi * (1 + 1e-9)) grid.pop_back();

    // Eligible: DP half-width at the floor or above; ranked by the variogram: eligible and at most the cap.
    const double min_half_width = s.min_half_width * r.spacing * (1 - 1e-9);
    const double variogram_cap = s.variogram_max_width * r.spacing * (1 + 1e-9);
    const auto ranked = [&](double w) {
        return w <= variogram_cap && bw_kernel_half_width(make(w), w) >= min_half_width;
    };
    // The criterion: the variogram needs the Kronecker closed form on a uniform square-spaced grid.
    const bool uniform = two_d && bw_uniform(g.xs, r.spacing) && bw_uniform(g.ys, r.spacing);
    const bool variogram_applies = m.layout == BandwidthLayout::Kronecker2D && m.closed_form && uniform;
    constexpr Index kAutoVariogramMinPerAxis = 26;  // Auto: the variogram from at least 26 x 26 samples
    bool variogram = false;
    if (s.criterion == BandwidthCriterion::Variogram) {
        require(variogram_applies, std::string(who) +
                                       ": the variogram criterion needs the Kronecker 2D layout with the closed form on a "
                                       "uniform grid with the same spacing on both axes");
        variogram = true;
    } else if (s.criterion == BandwidthCriterion::Auto) {  // and only where a candidate can be ranked
        variogram = variogram_applies && nx >= kAutoVariogramMinPerAxis && ny >= kAutoVariogramMinPerAxis &&
                    std::any_of(grid.begin(), grid.end(), ranked);
    }
    r.criterion = variogram ? "variogram" : "thinned";
    // lags up to variogram_max_lag, and at most the grid allows (n >= 16 here: at least 14)
    const Index max_lag = std::min(s.variogram_max_lag, std::min(nx, ny) - 2);
    const GridVariogram gv = variogram ? grid_variogram(g.values, max_lag) : GridVariogram{};

    bool any = false;
    for (double w : grid) {
        BandwidthCandidate c;
        c.param = w;
        c.half_width = bw_kernel_half_width(make(w), w);
        c.eligible = c.half_width >= min_half_width;
        any = any || c.eligible;
        constexpr Index step = 2;
        std::vector<std::pair<Index, Index>> phases;
        if (!two_d)
            phases = {{0, 0}, {1, 0}};
        else
            phases = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
        double se = 0, n = 0;
        for (auto [a, b] : phases) {
            const BwSubProblem sp = bw_sub_problem(g, step, a, b, two_d);
            const auto [e, k] = bw_fit_error<T>(make(w), m, sp);
            se += e;
            n += k;
        }
        c.cv_psnr = -10.0 * std::log10(std::max(se / n, 1e-30));
        if (variogram) c.predicted_psnr = bw_variogram_psnr(make(w), m, g, gv, r.spacing);
        c.stable_rank = s.evidence ? bw_stable_rank<T>(make(w), m, g, X) : std::numeric_limits<double>::quiet_NaN();
        r.candidates.push_back(std::move(c));
    }
    require(any, std::string(who) + ": no candidate width in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                     "] has a DP half-width of at least " + std::to_string(s.min_half_width) +
                     " x the sample spacing (raise search.hi)");
    r.best_psnr = -std::numeric_limits<double>::infinity();
    for (const auto& c : r.candidates)
        if (c.eligible && c.cv_psnr > r.best_psnr) r.best_psnr = c.cv_psnr, r.best_param = c.param;
    r.tolerance_db = s.tolerance_db >= 0 ? s.tolerance_db : m.closed_form ? 0.25 : 0.5;
    if (variogram) {
        // the eligible width up to variogram_max_width spacings with the best predicted test PSNR
        double best = -std::numeric_limits<double>::infinity();
        for (const auto& c : r.candidates)
            if (c.eligible && c.param <= variogram_cap && c.predicted_psnr > best) {
                best = c.predicted_psnr;
                r.param = c.param;
                r.chosen_psnr = c.cv_psnr;
                r.predicted_psnr = c.predicted_psnr;
            }
        require(best > -std::numeric_limits<double>::infinity(),
                std::string(who) + ": no eligible candidate width is at most search.variogram_max_width = " +
                    std::to_string(s.variogram_max_width) + " x the sample spacing");
    } else {
        for (const auto& c : r.candidates)
            if (c.eligible && c.cv_psnr >= r.best_psnr - r.tolerance_db) {
                r.param = c.param;
                r.chosen_psnr = c.cv_psnr;
                break;
            }
    }
    r.half_width = bw_kernel_half_width(make(r.param), r.param);
    r.half_width_over_spacing = r.half_width / r.spacing;
    r.stable_rank = bw_stable_rank<T>(make(r.param), m, g, X);
    return r;
}

}  // namespace detail

/// Recommends the width of a shifted basis (Gaussian sigma or triangle half-width) for the model `m`
/// from the training samples only: positions X (1 x N for BandwidthLayout::Shifted1D, 2 x N otherwise,
/// points as columns, on a grid: every combination of the distinct x and y coordinates exactly once)
/// and values Y (C x N). The rule (docs/theory.md §9; the header comment above): among the widths
/// whose distance-preservation half-width is at least half the sample spacing (paper, Sec. 5), the
/// narrowest -- largest stable rank (Sec. 4) -- whose validation PSNR on the training grid thinned 2x
/// per axis (same model, fit on the kept samples, validated halfway between them) is within
/// search.tolerance_db of the best; for the Kronecker 2D closed form on a uniform grid (search.criterion
/// Auto or Variogram) the width up to 4 spacings whose test error at the grid's midpoints, predicted
/// from the samples' variogram, is smallest. Returns the width with its evidence: the stable rank of the
/// train embedding, the DP half-width against the spacing, the validation PSNR of every candidate and
/// (variogram) its predicted test PSNR.
///
/// Fits run in scalar T (Shifted1D, PerAxis2D; float like fit_1d / fit_2d) or double (Kronecker2D).
/// Throws posenc::Error for: a profile without a tunable width (anything but "gaussian" and
/// "triangle"), X / Y of the wrong shape or with non-finite entries, samples that are not a grid, fewer
/// than 16 samples per axis, an empty search range (lo >= hi) or one without an eligible width, the
/// variogram criterion where it does not apply (not the Kronecker 2D closed form on a uniform grid with
/// one spacing) or without an eligible width up to search.variogram_max_width spacings, and invalid model
/// or search settings.
template <class T>
BandwidthRecommendation recommend_bandwidth(ConstMatRef<T> X, ConstMatRef<T> Y, const BandwidthModel& m,
                                            const BandwidthSearch& s = {}) {
    constexpr const char* who = "recommend_bandwidth";
    using detail::require;
    require(m.profile == "gaussian" || m.profile == "triangle",
            std::string(who) + ": profile \"" + m.profile +
                "\" has no tunable width (the width is chosen for \"gaussian\" (sigma) and \"triangle\" (width))");
    const Index d = m.layout == BandwidthLayout::Shifted1D ? 1 : 2;
    require(X.rows() == d, std::string(who) + ": positions must be " + std::to_string(d) + " x N for layout " +
                               to_string(m.layout) + " (got " + std::to_string(X.rows()) + " x " +
                               std::to_string(X.cols()) + ")");
    require(Y.cols() == X.cols() && Y.rows() >= 1,
            std::string(who) + ": values must be C x N with N = " + std::to_string(X.cols()) + " (got " +
                std::to_string(Y.rows()) + " x " + std::to_string(Y.cols()) + ")");
    require(X.allFinite(), std::string(who) + ": positions must be finite");
    require(Y.allFinite(), std::string(who) + ": values must be finite");
    require(m.dim >= (m.layout == BandwidthLayout::PerAxis2D ? 2 : 1),
            std::string(who) + ": model.dim must be > 0 (got " + std::to_string(m.dim) + ")");
    require(m.depth >= 0, std::string(who) + ": model.depth must be >= 0");
    require(m.layout != BandwidthLayout::Kronecker2D || m.depth == 0,
            std::string(who) + ": the Kronecker layout is a depth-0 model (got depth " + std::to_string(m.depth) + ")");
    require(!m.closed_form || m.depth == 0, std::string(who) + ": the closed form needs depth 0");
    require(std::isfinite(m.lambda) && m.lambda >= 0, std::string(who) + ": model.lambda must be finite and >= 0");
    require(m.closed_form || (m.steps > 0 && std::isfinite(m.lr) && m.lr > 0),
            std::string(who) + ": Adam needs model.steps > 0 and a finite model.lr > 0");
    require(s.per_octave >= 1 && s.per_octave <= 64, std::string(who) + ": search.per_octave must be in [1, 64]");
    require(std::isfinite(s.tolerance_db), std::string(who) + ": search.tolerance_db must be finite (< 0: default)");
    require(std::isfinite(s.min_half_width) && s.min_half_width >= 0,
            std::string(who) + ": search.min_half_width must be finite and >= 0");
    require(std::isfinite(s.variogram_max_width) && s.variogram_max_width > 0,
            std::string(who) + ": search.variogram_max_width must be finite and > 0");
    require(s.variogram_max_lag >= 2 && s.variogram_max_lag <= 64,
            std::string(who) + ": search.variogram_max_lag must be in [2, 64]");
    require(std::isfinite(s.lo) && std::isfinite(s.hi) && s.lo >= 0 && s.hi >= 0,
            std::string(who) + ": search.lo and search.hi must be finite and >= 0 (0 = automatic)");
    if (m.profile == "gaussian")
        return detail::bw_recommend<T, Gaussian>(X, Y, m, s, [](double w) { return Gaussian(w); });
    return detail::bw_recommend<T, Triangle>(X, Y, m, s, [](double w) { return Triangle(w); });
}

}  // namespace posenc

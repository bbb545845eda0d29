// posenc/encoding/grid.hpp — Grid<T>: tiny-cuda-nn's multiresolution (hash) grid encoding, with a
// trainable table it owns (docs/encodings.md, section "Multiresolution grid"; the theory, a grid
// level as a triangle shifted basis followed by a learned linear map: docs/theory.md, section 10).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/parallel.hpp"
#include "posenc/core/param.hpp"
#include "posenc/core/random.hpp"
#include "posenc/core/types.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/grid/grid_config.hpp"
#include "posenc/encoding/grid/hash.hpp"

namespace posenc {

/// What Grid::forward() records per point and level for the backward passes (caller-owned, reusable:
/// forward() resizes it). C = 2^d corners per level (1 for nearest interpolation).
template <class T>
struct GridContext {
    /// Matrix of level-local table entries.
    using UIndexMat = Eigen::Matrix<std::uint32_t, Eigen::Dynamic, Eigen::Dynamic>;
    Index points = 0;   ///< N
    Index corners = 0;  ///< C
    UIndexMat index;    ///< (L C) x N: entry of corner c of level l inside the level (add the level's offset)
    Mat<T> weight;      ///< (L C) x N: its blending weight w_c = prod_i (c_i ? p_i : 1 - p_i)
    Mat<T> frac;        ///< (L d) x N: p_i = f_i (linear) or S(f_i) (smoothstep), f_i = frac(s_l x_i + 0.5)
    Mat<T> dfrac;       ///< (L d) x N: dp_i / dx_i = s_l (linear), s_l S'(f_i) (smoothstep), 0 (nearest)
};

/// Multiresolution grid encoding of d-dimensional points in [0, 1]^d (Mueller et al. 2022, "Instant
/// Neural Graphics Primitives"; parity with tiny-cuda-nn's GridEncoding, type Hash, CoherentPrime hash):
///
///     level l:  s_l = N_min b^l - 1,  R_l = ceil(s_l) + 1,  pos_i = s_l x_i + 0.5,
///               (GridAlignment::Vertex, protocol E: s_l = N_l = floor(N_min b^l + 1e-6), pos_i = N_l x_i)
///               g_i = floor(pos_i),  f_i = pos_i - g_i,  p_i = f_i or S(f_i) = f_i^2 (3 - 2 f_i)
///     code(l F + f) = sum_{c in {0,1}^d} w_c * table(f, offset_l + e_l(g + c)),
///               w_c = prod_i (c_i ? p_i : 1 - p_i)
///
/// where e_l(k) = (sum_i k_i R_l^i) mod size_l on a dense level (R_l^d <= size_l) and
/// (XOR_i k_i pi_i) mod size_l on a hashed one (grid/hash.hpp). Nearest: code = table(:, e_l(g)).
/// Output: L F rows, level-major (rows l F .. l F + F - 1 are level l), as tiny-cuda-nn.
///
/// The table is F x E (E = sum_l size_l), column-major: the flat parameter vector is
/// [level][entry][feature] with feature fastest, i.e. tiny-cuda-nn's parameter order.
template <class T = double>
class Grid {
public:
    using Scalar = T;  ///< scalar type of codes and table

    /// Validates the configuration (posenc::Error naming the parameter), lays out the levels and
    /// initialises the table uniform in [-1e-4, 1e-4) from Rng(config.seed); the gradient starts at 0.
    explicit Grid(const GridConfig& config) : cfg_(config) {
        cfg_.validate();
        levels_ = grid_levels(cfg_);
        b_ = cfg_.resolved_per_level_scale();
        const Index E = levels_.back().offset + Index(levels_.back().size);
        table_.resize(cfg_.features, E);
        grad_ = Mat<T>::Zero(cfg_.features, E);
        fast_.resize(levels_.size());
        for (std::size_t l = 0; l < levels_.size(); ++l) {
            const GridLevel& lv = levels_[l];
            FastLevel& f = fast_[l];
            const bool vertex = cfg_.alignment == GridAlignment::Vertex;
            const bool nearest = cfg_.interpolation == GridInterpolation::Nearest;
            f.scale = T(lv.scale);
            f.shift = vertex && nearest ? T(0.5) : T(lv.shift);
            f.resolution = lv.resolution;
            f.size = lv.size;
            f.mask = lv.size - 1;
            f.pow2 = (lv.size & (lv.size - 1)) == 0;
            f.dense = lv.dense;
            f.offset = lv.offset;
        }
        init(cfg_.seed);
    }

    /// d.
    Index input_dim() const { return cfg_.input_dim; }
    /// L F.
    Index output_dim() const { return cfg_.levels * cfg_.features; }
    /// The configuration it was built from.
    const GridConfig& config() const { return cfg_; }
    /// The per-level layout (scale, resolution, size, offset, dense).
    const std::vector<GridLevel>& levels() const { return levels_; }
    /// b actually used (GridConfig::resolved_per_level_scale()).
    double per_level_scale() const { return b_; }
    /// Corners per level: 2^d, or 1 for nearest interpolation.
    Index corners() const { return cfg_.interpolation == GridInterpolation::Nearest ? 1 : Index(1) << cfg_.input_dim; }
    /// "grid".
    std::string name() const { return "grid"; }

    /// The table, F x E (level l: columns levels()[l].offset .. + size - 1).
    Mat<T>& table() { return table_; }
    /// The table, F x E.
    const Mat<T>& table() const { return table_; }
    /// Its gradient (same shape), accumulated by backward(ctx, dCodes).
    Mat<T>& table_grad() { return grad_; }
    /// Its gradient.
    const Mat<T>& table_grad() const { return grad_; }

    /// Re-initialises the table: entry j (flat, column-major) = -1e-4 + 2e-4 u_j, u_j the j-th
    /// Rng(seed).uniform() draw (tiny-cuda-nn's range; its generator is pcg32, not reproduced).
    void init(std::uint64_t seed) {
        Rng rng(seed);
        T* v = table_.data();
        for (Index j = 0; j < table_.size(); ++j) v[j] = T(rng.uniform(-1e-4, 1e-4));
    }

    /// One parameter, "grid.table" (in a Model: "encoder.grid.table"): F x E, value and gradient owned
    /// by this grid (valid while the grid lives; moving the grid keeps Eigen's buffers, copying does not).
    std::vector<Param<T>> parameters() { return {make_param<T>("grid.table", table_, grad_)}; }

    /// ParametricEncoder (encoding/encoder.hpp): table_grad() += d sum(dC .* codes(X)) / d table, the
    /// same sums as backward(ctx, dC) after forward(X): the corners and weights of each point are
    /// recomputed level by level (cheap integer and float arithmetic, no table read, no context and no
    /// allocation), and scattered in the order of backward(): levels split between threads, every entry
    /// summing its terms points ascending, corners ascending (bitwise reproducible for any thread
    /// count). Model calls it once per backward pass.
    void accumulate_param_grads(ConstMatRef<T> X, ConstMatRef<T> dC) {
        check_input(X);
        const Index N = X.cols(), L = cfg_.levels, F = cfg_.features, d = cfg_.input_dim;
        detail::check_shape(dC, output_dim(), N, "Grid", "dC");
        const bool fast2 = d == 2 && cfg_.interpolation != GridInterpolation::Nearest;
        // Points in blocks, levels inside a block: the block's rows of dC stay in cache while the
        // thread's levels read them (dC is L F x N, a level's rows are strided by L F).
        constexpr Index B = 2048;
        const bool par = parallel_worth_it(N) && L > 1;
        (void)par;  // used only by the OpenMP pragma
        POSENC_OMP(parallel if(par))
        {
const Index t = thread_index(), nt = team_size();
            if (fast2 && F == 2) {  // protocol E's shape: a point's levels together (more independent updates in flight)
                for (Index n = 0; n < N; ++n) {
                    const T* x = X.data() + n * X.outerStride();
                    const T* dyn = dC.data() + n * dC.outerStride();
                    for (Index l = t; l < L; l += nt) {  // level l belongs to thread l mod nt
                        const FastLevel& lv = fast_[std::size_t(l)];
                        T* g = grad_.data() + lv.offset * 2;
                        const T* dy = dyn + l * 2;
                        std::uint32_t idx[4];
                        T w[4];
                        corners2(lv, x, idx, w);
                        for (Index c = 0; c < 4; ++c) {
                            T* gc = g + Index(idx[c]) * 2;
                            gc[0] += w[c] * dy[0];
                            gc[1] += w[c] * dy[1];
                        }
                    }
                }
            } else
            for (Index n0 = 0; n0 < N; n0 += B) {
                const Index n1 = std::min(N, n0 + B);
                for (Index l = t; l < L; l += nt) {  // level l belongs to thread l mod nt
                    T* g = grad_.data() + fast_[std::size_t(l)].offset * F;
                    for (Index n = n0; n < n1; ++n) {
                        const T* x = X.data() + n * X.outerStride();
                        const T* dy = dC.data() + n * dC.outerStride() + l * F;
                        std::uint32_t idx[16];
                        T w[16], p[4], dp[4];
                        Index C = 4;
                        if (fast2) corners2(fast_[std::size_t(l)], x, idx, w);
                        else {
                            level_point(x, l, idx, w, p, dp);
                            C = corners();
                        }
                        for (Index c = 0; c < C; ++c) {
                            T* gc = g + Index(idx[c]) * F;
                            for (Index f = 0; f < F; ++f) gc[f] += w[c] * dy[f];
                        }
                    }
                }
            }
        }
    }

    /// The factory's form (encoding/factory.hpp, type "hashgrid"): spec_params() under that type. It
    /// rebuilds the layout and the initial table; a trained table travels as the model's encoder tensor
    /// (io/model_file.hpp, format version 2).
    EncoderSpec spec() const {
        EncoderSpec s;
        s.type = "hashgrid";
        spec_params(s.params);
        return s;
    }
    /// Sets the table gradient to zero.
    void zero_grad() { grad_.setZero(); }

    /// The configuration under factory-style names: input_dim, levels, features, log2_table_size,
    /// base_resolution, per_level_scale (resolved b), interpolation (0 nearest, 1 linear, 2 smoothstep),
    /// alignment (0 tcnn, 1 vertex), seed (exact below 2^53). The table itself is not part of it.
    void spec_params(std::map<std::string, double>& out) const {
        out["input_dim"] = double(cfg_.input_dim);
        out["levels"] = double(cfg_.levels);
        out["features"] = double(cfg_.features);
        out["log2_table_size"] = double(cfg_.log2_table_size);
        out["base_resolution"] = double(cfg_.base_resolution);
        out["per_level_scale"] = b_;
        out["interpolation"] = double(int(cfg_.interpolation));
        out["alignment"] = double(int(cfg_.alignment));  // 0 tcnn, 1 vertex
        out["seed"] = double(cfg_.seed);
    }

    /// codes (L F x N, pre-sized) = Grid(X) for X (d x N) in [0, 1]^d; fills ctx for the backward passes.
    void forward(ConstMatRef<T> X, MatRef<T> codes, GridContext<T>& ctx) const {
        check_input(X);
        const Index N = X.cols(), L = cfg_.levels, d = cfg_.input_dim, C = corners();
        detail::check_shape(codes, output_dim(), N, "Grid", "codes");
        ctx.points = N;
        ctx.corners = C;
        ctx.index.resize(L * C, N);
        ctx.weight.resize(L * C, N);
        ctx.frac.resize(L * d, N);
        ctx.dfrac.resize(L * d, N);
        const bool fast2 = d == 2 && cfg_.interpolation == GridInterpolation::Linear;
        POSENC_OMP(parallel for schedule(static) if(parallel_worth_it(N)))
        for (Index n = 0; n < N; ++n) {
            const T* x = X.data() + n * X.outerStride();
            for (Index l = 0; l < L; ++l) {
                std::uint32_t* idx = &ctx.index(l * C, n);
                T* w = &ctx.weight(l * C, n);
                if (fast2) {
                    const FastLevel& lv = fast_[std::size_t(l)];
                    corners2(lv, x, idx, w, &ctx.frac(l * d, n));
                    ctx.dfrac(l * d, n) = ctx.dfrac(l * d + 1, n) = lv.scale;  // dp/dx = s (linear)
                } else {
                    level_point(x, l, idx, w, &ctx.frac(l * d, n), &ctx.dfrac(l * d, n));
                }
                blend(l, idx, w, &codes(l * cfg_.features, n));
            }
        }
    }

    /// Convenience: forward() into a new context.
    GridContext<T> forward(ConstMatRef<T> X, MatRef<T> codes) const {
        GridContext<T> ctx;
        forward(X, codes, ctx);
        return ctx;
    }

    /// Table gradient: table_grad()(f, offset_l + e) += sum_n sum_c [e_c = e] w_c dCodes(l F + f, n).
    /// Accumulates (call zero_grad() first for a fresh gradient). Levels own disjoint columns, so the
    /// levels are split between threads and every entry sums its terms in the same order (points
    /// ascending, corners ascending) whatever the thread count: bitwise reproducible, no atomics.
    void backward(const GridContext<T>& ctx, ConstMatRef<T> dCodes) {
        check_context(ctx);
        const Index N = ctx.points, L = cfg_.levels, C = ctx.corners, F = cfg_.features;
        detail::check_shape(dCodes, output_dim(), N, "Grid", "dCodes");
        POSENC_OMP(parallel for schedule(static) if(parallel_worth_it(N) && L > 1))
        for (Index l = 0; l < L; ++l) {
            const Index off = levels_[std::size_t(l)].offset;
            for (Index n = 0; n < N; ++n) {
                const T* dy = dCodes.data() + n * dCodes.outerStride() + l * F;
                for (Index c = 0; c < C; ++c) {
                    const T w = ctx.weight(l * C + c, n);
                    T* g = &grad_(0, off + Index(ctx.index(l * C + c, n)));
                    for (Index f = 0; f < F; ++f) g[f] += w * dy[f];  // dL/dtable(f, e) += w_c dL/dcode(lF+f)
                }
            }
        }
    }

    /// Coordinate gradient from a context: dX(i, n) = sum_{l, f} dCodes(l F + f, n) d code(l F + f) / d x_i,
    ///     d code / d x_i = (dp_i/dx_i) sum_c (c_i ? +1 : -1) prod_{j != i} (c_j ? p_j : 1 - p_j) table(:, e_c)
    /// with the table as it is now (it should not have changed since forward()). Nearest: 0.
    void backward_input(const GridContext<T>& ctx, ConstMatRef<T> dCodes, MatRef<T> dX) const {
        check_context(ctx);
        const Index N = ctx.points, L = cfg_.levels, d = cfg_.input_dim, C = ctx.corners;
        detail::check_shape(dCodes, output_dim(), N, "Grid", "dCodes");
        detail::check_shape(dX, d, N, "Grid", "dX");
        POSENC_OMP(parallel for schedule(static) if(parallel_worth_it(N)))
        for (Index n = 0; n < N; ++n) {
            T acc[4] = {0, 0, 0, 0};
            for (Index l = 0; l < L; ++l)
                point_input_grad(l, &ctx.index(l * C, n), &ctx.frac(l * d, n), &ctx.dfrac(l * d, n),
                                 dCodes.data() + n * dCodes.outerStride() + l * cfg_.features, acc);
            for (Index i = 0; i < d; ++i) dX(i, n) = acc[i];
        }
    }

    /// Encoder concept: out (L F x N, pre-sized) = Grid(X); no context kept.
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        check_input(X);
        const Index N = X.cols(), L = cfg_.levels;
        detail::check_shape(out, output_dim(), N, "Grid", "out");
        const bool fast2 = cfg_.input_dim == 2 && cfg_.interpolation != GridInterpolation::Nearest;
        POSENC_OMP(parallel for schedule(static) if(parallel_worth_it(N)))
        for (Index n = 0; n < N; ++n) {
            std::uint32_t idx[16];
            T w[16], p[4], dp[4];
            const T* x = X.data() + n * X.outerStride();
            if (fast2) {
                for (Index l = 0; l < L; ++l) {
                    corners2(fast_[std::size_t(l)], x, idx, w);
                    blend(l, idx, w, &out(l * cfg_.features, n));
                }
                continue;
            }
            for (Index l = 0; l < L; ++l) {
                level_point(x, l, idx, w, p, dp);
                blend(l, idx, w, &out(l * cfg_.features, n));
            }
        }
    }

    /// Encoder concept: vector-Jacobian product wrt the coordinates, dX(:, n) = J_n^T dY(:, n) (as
    /// backward_input(), recomputing the corners from X).
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        check_input(X);
        const Index N = X.cols(), L = cfg_.levels, d = cfg_.input_dim;
        detail::check_shape(dY, output_dim(), N, "Grid", "dY");
        detail::check_shape(dX, d, N, "Grid", "dX");
        POSENC_OMP(parallel for schedule(static) if(parallel_worth_it(N)))
        for (Index n = 0; n < N; ++n) {
            std::uint32_t idx[16];
            T w[16], p[4], dp[4], acc[4] = {0, 0, 0, 0};
            for (Index l = 0; l < L; ++l) {
                level_point(X.data() + n * X.outerStride(), l, idx, w, p, dp);
                point_input_grad(l, idx, p, dp, dY.data() + n * dY.outerStride() + l * cfg_.features, acc);
            }
            for (Index i = 0; i < d; ++i) dX(i, n) = acc[i];
        }
    }

private:
    /// Threads pay off only for larger batches (results do not depend on it).
    bool parallel_worth_it(Index N) const { return N > 1 && N * cfg_.levels * corners() >= 8192; }

    /// Shape, finiteness and the domain [0, 1] (posenc::Error naming the entry and its value).
    void check_input(ConstMatRef<T> X) const {
        detail::check_points<T>(X, cfg_.input_dim, "Grid");
        for (Index n = 0; n < X.cols(); ++n)
            for (Index i = 0; i < X.rows(); ++i)
                if (!(X(i, n) >= T(0) && X(i, n) <= T(1)))
                    detail::fail("Grid: coordinates must be in [0, 1] (got X(", i, ", ", n, ") = ",
                                 detail::format_number(double(X(i, n))), ")");
    }

    /// A context made by forward() of this grid's shape.
    void check_context(const GridContext<T>& ctx) const {
        const Index L = cfg_.levels, d = cfg_.input_dim, C = corners(), N = ctx.points;
        detail::require(ctx.corners == C && ctx.index.rows() == L * C && ctx.index.cols() == N &&
                            ctx.weight.rows() == L * C && ctx.weight.cols() == N && ctx.frac.rows() == L * d &&
                            ctx.frac.cols() == N && ctx.dfrac.rows() == L * d && ctx.dfrac.cols() == N,
                        "Grid: context does not come from forward() of this grid (", ctx.index.rows(), " x ",
                        ctx.index.cols(), " corner indices, expected ", L * C, " x N)");
    }

    /// Corners of point x on level l: entries idx[c] (inside the level), weights w[c], and per axis the
    /// interpolated fraction p[i] and dp[i] = dp_i / dx_i. Corner c takes g_i + 1 on axis i iff bit i
    /// of c is set (tiny-cuda-nn's order).
    void level_point(const T* x, Index l, std::uint32_t* idx, T* w, T* p, T* dp) const {
        const GridLevel& lv = levels_[std::size_t(l)];
        const int d = int(cfg_.input_dim);
        const bool vertex = cfg_.alignment == GridAlignment::Vertex;
        const bool nearest = cfg_.interpolation == GridInterpolation::Nearest;
        const T s = T(lv.scale), shift = vertex && nearest ? T(0.5) : T(lv.shift);  // Vertex nearest: round N x
        std::uint32_t g[4];
        for (int i = 0; i < d; ++i) {
            const T pos = std::fma(s, x[i], shift);  // pos = s x + 0.5 (tiny-cuda-nn's fmaf), Vertex: N x
            T fl = std::floor(pos);
            if (vertex && !nearest && fl >= s) fl = s - T(1);  // x = 1: the last cell, f = 1 (no vertex past N)
            g[i] = std::uint32_t(fl);  // g = floor(pos) >= 0
            const T f = pos - fl;       // f in [0, 1) (Vertex at x = 1: f = 1)
            switch (cfg_.interpolation) {
                case GridInterpolation::Smoothstep:
                    p[i] = f * f * (T(3) - T(2) * f);    // S(f) = f^2 (3 - 2 f)
                    dp[i] = s * T(6) * f * (T(1) - f);  // dS/dx = s * 6 f (1 - f)
                    break;
                case GridInterpolation::Linear:
                    p[i] = f;   // p = f
                    dp[i] = s;  // dp/dx = s
                    break;
                case GridInterpolation::Nearest:
                    p[i] = f;
                    dp[i] = T(0);  // piecewise constant
                    break;
            }
        }
        if (cfg_.interpolation == GridInterpolation::Nearest) {
            idx[0] = grid_level_index(g, d, lv.resolution, lv.size, lv.dense);
            w[0] = T(1);
            return;
        }
        const int C = 1 << d;
        for (int c = 0; c < C; ++c) {
            std::uint32_t k[4];
            T wc = T(1);
            for (int i = 0; i < d; ++i) {
                const bool up = (c >> i) & 1;
                k[i] = g[i] + (up ? 1u : 0u);
                wc *= up ? p[i] : T(1) - p[i];  // w_c = prod_i (c_i ? p_i : 1 - p_i)
            }
            idx[c] = grid_level_index(k, d, lv.resolution, lv.size, lv.dense);
            w[c] = wc;
        }
    }

    /// One level's layout in the form the 2D kernels read (precomputed from levels_).
    struct FastLevel {
        T scale = 0, shift = 0;       ///< pos = fma(scale, x, shift), as level_point()
        std::uint32_t resolution = 0; ///< R_l
        std::uint32_t size = 0;       ///< entries of the level
        std::uint32_t mask = 0;       ///< size - 1 (used when size is a power of two)
        bool pow2 = false;            ///< size is a power of two (every hashed level: size = 2^log2_T)
        bool dense = false;           ///< dense index, else hashed
        Index offset = 0;             ///< first entry
    };

    /// level_point() for d = 2 and linear or smoothstep interpolation, without the per-axis loops and
    /// with the modulo reduced to a mask (hashed levels, size 2^log2_T) or skipped when the dense index
    /// is already inside the level: the same entries and weights, bit for bit. frac (optional) gets p.
    void corners2(const FastLevel& lv, const T* x, std::uint32_t* idx, T* w, T* frac = nullptr) const {
        const bool vertex = cfg_.alignment == GridAlignment::Vertex;
        T pos0 = std::fma(lv.scale, x[0], lv.shift), pos1 = std::fma(lv.scale, x[1], lv.shift);
        T fl0 = std::floor(pos0), fl1 = std::floor(pos1);
        if (vertex) {  // x = 1: the last cell, f = 1
            if (fl0 >= lv.scale) fl0 = lv.scale - T(1);
            if (fl1 >= lv.scale) fl1 = lv.scale - T(1);
        }
        const std::uint32_t g0 = std::uint32_t(fl0), g1 = std::uint32_t(fl1);
        T p0 = pos0 - fl0, p1 = pos1 - fl1;
        if (cfg_.interpolation == GridInterpolation::Smoothstep) {
            p0 = p0 * p0 * (T(3) - T(2) * p0);
            p1 = p1 * p1 * (T(3) - T(2) * p1);
        }
        if (frac) frac[0] = p0, frac[1] = p1;
        const T q0 = T(1) - p0, q1 = T(1) - p1;
        w[0] = q0 * q1;  // corner c: bit 0 -> axis 0 up, bit 1 -> axis 1 up (tiny-cuda-nn's order)
        w[1] = p0 * q1;
        w[2] = q0 * p1;
        w[3] = p0 * p1;
        if (lv.dense) {
            const std::uint32_t b = g0 + g1 * lv.resolution;  // i(k) = k_0 + k_1 R (uint32)
            idx[0] = b;
            idx[1] = b + 1u;
            idx[2] = b + lv.resolution;
            idx[3] = b + lv.resolution + 1u;
            for (int c = 0; c < 4; ++c)
                if (idx[c] >= lv.size) idx[c] %= lv.size;  // only past the last vertex (tcnn alignment)
            return;
        }
        const std::uint32_t h0 = g1 * grid_hash_primes[1], h1 = (g1 + 1u) * grid_hash_primes[1];
        idx[0] = g0 ^ h0;
        idx[1] = (g0 + 1u) ^ h0;
        idx[2] = g0 ^ h1;
        idx[3] = (g0 + 1u) ^ h1;
        if (lv.pow2)
            for (int c = 0; c < 4; ++c) idx[c] &= lv.mask;
        else
            for (int c = 0; c < 4; ++c) idx[c] %= lv.size;
    }

    /// out[f] = sum_c w[c] table(f, offset_l + idx[c]) for the F features of level l.
    /// Sums in registers (out may not alias the table, but the compiler cannot know): the same
    /// additions in the same order as out[f] += w[c] v[f] in memory.
    void blend(Index l, const std::uint32_t* idx, const T* w, T* out) const {
        const Index F = cfg_.features, C = corners(), off = fast_[std::size_t(l)].offset;
        const T* tab = table_.data() + off * F;
        if (F == 2 && C == 4) {  // protocol E's shape, unrolled
            const T *v0 = tab + 2 * Index(idx[0]), *v1 = tab + 2 * Index(idx[1]), *v2 = tab + 2 * Index(idx[2]),
                    *v3 = tab + 2 * Index(idx[3]);
            T a = T(0) + w[0] * v0[0], b = T(0) + w[0] * v0[1];
            a += w[1] * v1[0];
            b += w[1] * v1[1];
            a += w[2] * v2[0];
            b += w[2] * v2[1];
            a += w[3] * v3[0];
            b += w[3] * v3[1];
            out[0] = a;
            out[1] = b;
            return;
        }
        T acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (Index c = 0; c < C; ++c) {
            const T* v = tab + Index(idx[c]) * F;
            for (Index f = 0; f < F; ++f) acc[f] += w[c] * v[f];
        }
        for (Index f = 0; f < F; ++f) out[f] = acc[f];
    }

    /// acc[i] += sum_f dy[f] d code(lF+f) / d x_i for level l (see backward_input()).
    void point_input_grad(Index l, const std::uint32_t* idx, const T* p, const T* dp, const T* dy, T* acc) const {
        if (cfg_.interpolation == GridInterpolation::Nearest) return;
        const Index F = cfg_.features, off = levels_[std::size_t(l)].offset;
        const int d = int(cfg_.input_dim), C = 1 << d;
        for (int c = 0; c < C; ++c) {
            const T* v = &table_(0, off + Index(idx[c]));
            T dot = T(0);
            for (Index f = 0; f < F; ++f) dot += v[f] * dy[f];  // <table(:, e_c), dL/dcode_l>
            for (int i = 0; i < d; ++i) {
                T wi = ((c >> i) & 1) ? T(1) : T(-1);  // d w_c / d p_i = +-prod_{j != i}(...)
                for (int j = 0; j < d; ++j)
                    if (j != i) wi *= ((c >> j) & 1) ? p[j] : T(1) - p[j];
                acc[i] += dp[i] * wi * dot;  // chain rule through p_i(x_i)
            }
        }
    }

    GridConfig cfg_;
    std::vector<GridLevel> levels_;
    double b_ = 1;
    Mat<T> table_;
    Mat<T> grad_;
    std::vector<FastLevel> fast_;
};

}  // namespace posenc

// posenc/encoding/grid/grid_config.hpp — the parameters of a multiresolution grid encoding, their
// validation, and the per-level layout (scale, resolution, table size, dense or hashed) computed as
// tiny-cuda-nn computes it (docs/encodings.md, section "Multiresolution grid").
#pragma once
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"

namespace posenc {

/// How a level blends its vertices (tiny-cuda-nn's InterpolationType).
enum class GridInterpolation {
    Nearest,     ///< the vertex floor(s x + 0.5) only; zero gradient wrt x
    Linear,      ///< d-linear weights in the fraction f of s x + 0.5
    Smoothstep,  ///< d-linear weights in S(f) = f^2 (3 - 2 f)
};

/// "nearest", "linear" or "smoothstep".
inline const char* grid_interpolation_name(GridInterpolation i) {
    switch (i) {
        case GridInterpolation::Nearest: return "nearest";
        case GridInterpolation::Linear: return "linear";
        case GridInterpolation::Smoothstep: return "smoothstep";
    }
    return "?";
}

/// Parses "nearest" / "linear" / "smoothstep" (case-insensitive, so tiny-cuda-nn's "Linear" works).
/// Throws posenc::Error naming the value otherwise.
inline GridInterpolation grid_interpolation_from_name(std::string_view name) {
    std::string s(name);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (s == "nearest") return GridInterpolation::Nearest;
    if (s == "linear") return GridInterpolation::Linear;
    if (s == "smoothstep") return GridInterpolation::Smoothstep;
    detail::fail("Grid: interpolation must be \"nearest\", \"linear\" or \"smoothstep\" (got \"", name, "\")");
}

/// Where a level's vertices sit and how its resolution follows from N_min and b.
enum class GridAlignment {
    TinyCudaNN,  ///< s_l = N_min b^l - 1 (in float), R_l = ceil(s_l) + 1, pos = s_l x + 0.5 (tiny-cuda-nn)
    Vertex,      ///< N_l = floor(N_min b^l + 1e-6) (in double), R_l = N_l + 1, pos = N_l x: vertex k at
                 ///< x = k / N_l, x = 0 and x = 1 on vertices (protocol E of docs/protocols.md)
};

/// "tcnn" or "vertex".
inline const char* grid_alignment_name(GridAlignment a) { return a == GridAlignment::Vertex ? "vertex" : "tcnn"; }

/// Parses "tcnn" / "vertex" (case-insensitive). Throws posenc::Error naming the value otherwise.
inline GridAlignment grid_alignment_from_name(std::string_view name) {
    std::string s(name);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (s == "tcnn") return GridAlignment::TinyCudaNN;
    if (s == "vertex") return GridAlignment::Vertex;
    detail::fail("Grid: alignment must be \"tcnn\" or \"vertex\" (got \"", name, "\")");
}

/// Parameters of Grid<T> (defaults: tiny-cuda-nn's "HashGrid" defaults, except the input dimension).
struct GridConfig {
    Index input_dim = 3;          ///< d, coordinates per point: 1..4
    Index levels = 16;            ///< L, number of levels: 1..32
    Index features = 2;           ///< F, features per level: 1..8 (tiny-cuda-nn compiles 1, 2, 4, 8)
    Index log2_table_size = 19;   ///< log2 T, entries per level at most T = 2^log2_T: 1..30
    Index base_resolution = 16;   ///< N_min (>= 2): level 0 has scale N_min - 1
    double per_level_scale = 2.0; ///< b >= 1: level l has scale N_min b^l - 1
    double max_resolution = 0;    ///< if > 0, overrides b: b = exp(ln(N_max / N_min) / (L - 1))
    GridInterpolation interpolation = GridInterpolation::Linear;  ///< vertex blending
    GridAlignment alignment = GridAlignment::TinyCudaNN;  ///< vertex placement and level resolutions
    std::uint64_t seed = 1337;    ///< seed of the table's uniform [-1e-4, 1e-4] initialisation

    /// Throws posenc::Error naming the first invalid parameter.
    void validate() const {
        detail::require(input_dim >= 1 && input_dim <= 4, "Grid: input_dim must be 1, 2, 3 or 4 (got ", input_dim, ")");
        detail::require(levels >= 1 && levels <= 32, "Grid: levels must be in [1, 32] (got ", levels, ")");
        detail::require(features >= 1 && features <= 8, "Grid: features (per level) must be in [1, 8] (got ", features,
                        ")");
        detail::require(log2_table_size >= 1 && log2_table_size <= 30, "Grid: log2_table_size must be in [1, 30] (got ",
                        log2_table_size, ")");
        detail::require(base_resolution >= 2 && base_resolution <= (Index(1) << 24),
                        "Grid: base_resolution must be in [2, 2^24] (got ", base_resolution, ")");
        detail::require(std::isfinite(per_level_scale) && per_level_scale >= 1.0,
                        "Grid: per_level_scale must be finite and >= 1 (got ", per_level_scale, ")");
        detail::require(std::isfinite(max_resolution) && max_resolution >= 0.0,
                        "Grid: max_resolution must be finite and >= 0 (0: use per_level_scale; got ", max_resolution, ")");
        detail::require(max_resolution == 0.0 || max_resolution >= double(base_resolution),
                        "Grid: max_resolution must be >= base_resolution ", base_resolution, " (got ", max_resolution, ")");
        detail::require(interpolation == GridInterpolation::Nearest || interpolation == GridInterpolation::Linear ||
                            interpolation == GridInterpolation::Smoothstep,
                        "Grid: interpolation must be nearest, linear or smoothstep (got enum value ", int(interpolation),
                        ")");
        detail::require(alignment == GridAlignment::TinyCudaNN || alignment == GridAlignment::Vertex,
                        "Grid: alignment must be tcnn or vertex (got enum value ", int(alignment), ")");
        // the finest level's scale, as the layout computes it: pos = s x + 0.5 must stay exact in float
        const double s = finest_scale();
        detail::require(std::isfinite(s) && s <= double(1 << 24),
                        "Grid: the finest level's scale N_min b^(L-1) - 1 must be <= 2^24 (got ", s,
                        "): lower per_level_scale, max_resolution or levels");
    }

    /// b actually used: per_level_scale, or exp(ln(N_max / N_min) / (L - 1)) when max_resolution > 0
    /// (the convention of tiny-cuda-nn's documentation and PyTorch bindings); 1 for one level.
    double resolved_per_level_scale() const {
        if (max_resolution > 0) {
            if (levels <= 1) return 1.0;
            return std::exp(std::log(max_resolution / double(base_resolution)) / double(levels - 1));
        }
        return per_level_scale;
    }

    /// Scale of level l. TinyCudaNN: exactly as tiny-cuda-nn computes it, in float,
    ///     s_l = exp2(l * log2(b)) * N_min - 1;
    /// Vertex: N_l = floor(N_min b^l + 1e-6), in double (protocol E of docs/protocols.md).
    double level_scale(Index l) const {
        if (alignment == GridAlignment::Vertex)
            return std::floor(double(base_resolution) * std::pow(resolved_per_level_scale(), double(l)) + 1e-6);
        const float log2b = std::log2(float(resolved_per_level_scale()));
        return double(std::exp2(float(l) * log2b) * float(base_resolution) - 1.0f);
    }

    /// s_{L-1}.
    double finest_scale() const { return level_scale(levels - 1); }
};

/// One level's layout.
struct GridLevel {
    double scale = 0;              ///< s_l = N_min b^l - 1 (float-rounded as in tiny-cuda-nn), or N_l (Vertex)
    double shift = 0.5;            ///< pos = s_l x + shift: 0.5 (TinyCudaNN) or 0 (Vertex)
    std::uint32_t resolution = 0;  ///< R_l = ceil(s_l) + 1 vertices per axis
    std::uint32_t size = 0;        ///< table entries: min(next_multiple(R_l^d, 8), 2^log2_T)
    Index offset = 0;              ///< first entry (table column) of this level
    bool dense = false;            ///< R_l^d <= size: vertices indexed densely, else hashed
};

/// The levels of a (validated) configuration, laid out one after another as in tiny-cuda-nn:
/// level l owns table entries [offset_l, offset_l + size_l).
inline std::vector<GridLevel> grid_levels(const GridConfig& c) {
    std::vector<GridLevel> out(std::size_t(c.levels));
    const std::uint64_t T = std::uint64_t(1) << c.log2_table_size;
    const std::uint64_t cap = 0x7fffffffu;  // tiny-cuda-nn clamps R^d to uint32 max / 2
    Index offset = 0;
    for (Index l = 0; l < c.levels; ++l) {
        GridLevel& lv = out[std::size_t(l)];
        lv.scale = c.level_scale(l);
        lv.shift = c.alignment == GridAlignment::Vertex ? 0.0 : 0.5;
        lv.resolution = std::uint32_t(std::ceil(lv.scale)) + 1;  // R = ceil(s) + 1
        std::uint64_t dense_count = 1;                          // R^d, saturated at cap
        for (Index i = 0; i < c.input_dim; ++i) dense_count = std::min(dense_count * lv.resolution, cap + 1);
        const std::uint64_t params = std::min(dense_count, cap);
        const std::uint64_t aligned = (params + 7) / 8 * 8;  // next multiple of 8
        lv.size = std::uint32_t(std::min(aligned, T));
        lv.dense = dense_count <= lv.size;
        lv.offset = offset;
        offset += Index(lv.size);
    }
    return out;
}

}  // namespace posenc

// examples/common/grid_json.hpp — recommend_grid()'s evidence as JSON, the one form fit_2d --json
// ("grid_recommendation") and choose_encoding --encoder hashgrid --json print.
#pragma once
#include <nlohmann/json.hpp>

#include "posenc/analysis/grid_resolution.hpp"

namespace posenc::examples {

/// {"spacing": [...], "resolutions": [{max_resolution, cell_over_spacing, occupancy, chosen}, ...],
///  "tables": [{log2_table_size, dense, shared_fraction, chosen}, ...], "rule": "..."}
inline nlohmann::json grid_evidence_json(const GridRecommendation& r) {
    nlohmann::json ev;
    ev["spacing"] = r.spacing;
    for (const auto& c : r.resolutions)
        ev["resolutions"].push_back({{"max_resolution", c.resolution}, {"cell_over_spacing", c.cell_over_spacing},
                                     {"occupancy", c.occupancy}, {"chosen", c.chosen}});
    for (const auto& t : r.tables)
        ev["tables"].push_back({{"log2_table_size", t.log2_table_size}, {"dense", t.dense},
                                {"shared_fraction", t.shared_fraction}, {"chosen", t.chosen}});
    ev["rule"] = r.rule;
    return ev;
}

}  // namespace posenc::examples

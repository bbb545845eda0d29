// posenc/nn/first_layer.hpp — moved to posenc/nn/first_layer/dense_codes.hpp on 2026-12-02 (docs/design.md, header map);
// kept so that existing includes compile.
#pragma once
#include "posenc/nn/first_layer/dense_codes.hpp"

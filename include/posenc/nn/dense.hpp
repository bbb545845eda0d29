// posenc/nn/dense.hpp — moved to posenc/nn/layers/dense.hpp on 2026-12-02 (docs/design.md, header map);
// kept so that existing includes compile.
#pragma once
#include "posenc/nn/layers/dense.hpp"

// posenc/nn/activations.hpp — moved to posenc/nn/layers/activations.hpp on 2026-12-02 (docs/design.md, header map);
// kept so that existing includes compile.
#pragma once
#include "posenc/nn/layers/activations.hpp"

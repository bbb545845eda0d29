// posenc/nn/adam.hpp — moved to posenc/nn/optim/adam.hpp on 2026-12-02 (docs/design.md, header map);
// kept so that existing includes compile.
#pragma once
#include "posenc/nn/optim/adam.hpp"

// posenc/nn/optimizer.hpp — moved to posenc/nn/optim/optimizer.hpp on 2026-12-02 (docs/design.md, header map);
// kept so that existing includes compile.
#pragma once
#include "posenc/nn/optim/optimizer.hpp"

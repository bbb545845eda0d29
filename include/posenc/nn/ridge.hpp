// posenc/nn/ridge.hpp — moved to posenc/nn/solvers/ridge.hpp on 2026-12-02 (docs/design.md, header map);
// kept so that existing includes compile.
#pragma once
#include "posenc/nn/solvers/ridge.hpp"

// posenc/nn/kronecker_linear.hpp — moved on 2026-12-02 (docs/design.md, header map) to
// posenc/nn/solvers/kronecker2d.hpp (two axes) and posenc/nn/solvers/kronecker3d.hpp (three axes);
// kept so that existing includes compile.
#pragma once
#include "posenc/nn/solvers/kronecker2d.hpp"
#include "posenc/nn/solvers/kronecker3d.hpp"

#!/usr/bin/env bash
# The test command: installs missing packages, configures, builds and runs the whole suite.
# Usage (from anywhere): tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/deps
cmake --preset release
cmake --build --preset release
ctest --preset release

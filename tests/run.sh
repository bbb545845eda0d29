#!/usr/bin/env bash
# The test command: installs missing packages, configures (preset dev: the release build with
# warnings as errors), builds and runs the whole suite.
# Usage (from anywhere): tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/deps
cmake --preset dev
cmake --build --preset dev
ctest --preset dev

#!/usr/bin/env bash
# The README's first command: installs missing Debian packages, builds the demo, runs it.
# Usage: examples/demo.sh [demo options, e.g. --quick, --image PATH, --out DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/.ci/deps"
cd "$root"
cmake --preset release >/dev/null
cmake --build build/release --target demo -j2
cd - >/dev/null
exec "$root/build/release/examples/demo" "$@"

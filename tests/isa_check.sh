#!/usr/bin/env bash
# ISA compile check: builds every example and the probe test files (tests/CMakeLists.txt,
# posenc_isa_check) for -march=x86-64-v4 (AVX-512) and -march=x86-64-v2 (no AVX) with warnings as
# errors, whatever this machine's CPU; nothing is linked into a test run, so it works on any x86-64.
# Usage (from anywhere): tests/isa_check.sh [v4] [v2]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/deps
isas=("$@")
((${#isas[@]})) || isas=(v4 v2)
for isa in "${isas[@]}"; do
  case "$isa" in v4|v2) ;; *) echo "isa_check: unknown ISA '$isa' (v4 or v2)" >&2; exit 2 ;; esac
  echo "isa_check: -march=x86-64-$isa" >&2
  cmake --preset "isa-$isa" >/dev/null
  cmake --build --preset "isa-$isa"
done
echo "isa_check: ${isas[*]}: OK" >&2

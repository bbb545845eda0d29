#!/bin/bash
# examples/protocol_f.sh — protocol F (docs/protocols.md): validates --param auto (posenc::recommend_bandwidth)
# against the 13-point sweep and the fixed rule of thumb, on the signals given as arguments.
#
#   examples/protocol_f.sh BIN OUT SIGNAL...
#
# BIN: the directory of fit_1d / fit_2d / choose_encoding (e.g. build/release/examples); OUT: where the
# sweeps, a results.tsv and the charts go. Each SIGNAL is one argument:
#   1d:IMAGE:ROW               protocol B row ROW of IMAGE (Gaussian, D = 10000, 2000 Adam steps)
#   2d:IMAGE[:X,Y,SIDE[:PX]]   protocol D at S = 256 (complex_gaussian, D = 256, lambda 0.1), optionally on
#                              the grey (BT.601) SIDE x SIDE crop at column X, row Y (empty: the whole image),
#                              optionally of the image blurred by a Gaussian of PX pixels (fit_2d --blur)
#   ...+chart                  (suffix) also draw the choose_encoding charts with the sweep (OUT/charts/NAME)
# Sweep: 13 log-spaced sigmas (1D 1e-4 .. 1e-1; 2D 0.25/S .. 16/S). Fixed rule: sigma = 0.002 (1D), 2/S (2D).
# Prints one line per signal: sweep best, recommended, fixed rule (test PSNR, dB) and the shortfalls.
# Environment: PF_AUTO_ARGS, extra flags for the --param auto run only (e.g. "--criterion thinned" in
# 2D); PF_REUSE=1 keeps an OUT/*.sweep left by an earlier run of the same signal instead of refitting it
# (the sweep does not depend on the rule).
set -euo pipefail
BIN=$1 OUT=$2
shift 2
mkdir -p "$OUT/charts"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
S=256
printf "signal\tbest_sigma\tbest\tauto_sigma\tauto\tfixed\tauto_short\tfixed_short\n" > "$OUT/results.tsv"
for sig in "$@"; do
  chart=0
  case $sig in *+chart) chart=1; sig=${sig%+chart} ;; esac
  IFS=: read -r kind img extra blur <<< "$sig"
  name=$(basename "$img" .png)_${extra//,/_}${blur:+_blur$blur}
  if [ "$kind" = 1d ]; then
    run() { "$BIN/fit_1d" --image "$img" --row "$extra" --encoder gaussian --param "$1" --dim 10000 --steps 2000 --json --quiet "${@:2}"; }
    sigmas=$(awk 'BEGIN { for (k = 0; k < 13; ++k) printf "%.6g ", 10 ^ (-4 + k * 0.25) }')
    fixed=0.002
    chart_args=(--image "$img" --row "$extra" --encoder gaussian --dim 10000 --steps 2000)
  else
    crop=()
    [ -n "$extra" ] && crop=(--crop "$extra" --grey)
    [ -n "$blur" ] && crop+=(--blur "$blur")
    run() { "$BIN/fit_2d" --image "$img" "${crop[@]}" --size $S --encoder complex_gaussian --param "$1" --dim $S --depth 0 \
              --closed-form --lambda 0.1 --json --quiet "${@:2}"; }
    sigmas=$(awk -v S=$S 'BEGIN { for (k = 0; k < 13; ++k) printf "%.6g ", 0.25 / S * 2 ^ (k * 0.5) }')
    fixed=$(awk -v S=$S 'BEGIN { printf "%.6g", 2 / S }')
    chart_args=(--image "$img" "${crop[@]}" --size $S --encoder complex_gaussian --dim $S --closed-form --lambda 0.1)
  fi
  if [ "${PF_REUSE:-0}" != 1 ] || [ "$(wc -l < "$OUT/$kind-$name.sweep" 2>/dev/null || echo 0)" != 13 ]; then
    : > "$OUT/$kind-$name.sweep"
    for s in $sigmas; do echo "$s $(run "$s" | jq -r .test_psnr)" >> "$OUT/$kind-$name.sweep"; done
  fi
  # shellcheck disable=SC2086  # PF_AUTO_ARGS is a list of flags
  a=$(run auto ${PF_AUTO_ARGS:-})
  auto_sigma=$(jq -r .param <<< "$a") auto=$(jq -r .test_psnr <<< "$a")
  fix=$(run "$fixed" | jq -r .test_psnr)
  read -r best_sigma best < <(sort -k2 -g "$OUT/$kind-$name.sweep" | tail -1)
  line=$(awk -v n="$kind-$name" -v bs="$best_sigma" -v b="$best" -v as="$auto_sigma" -v a="$auto" -v f="$fix" \
    'BEGIN { printf "%s\t%.4g\t%.2f\t%.4g\t%.2f\t%.2f\t%.2f\t%.2f", n, bs, b, as, a, f, b - a, b - f }')
  echo "$line" | tee -a "$OUT/results.tsv"
  if [ $chart = 1 ]; then
    "$BIN/choose_encoding" "${chart_args[@]}" --sweep "$OUT/$kind-$name.sweep" --out "$OUT/charts/$kind-$name" > "$OUT/charts/$kind-$name.txt"
  fi
done
awk -F'\t' 'NR > 1 { n++; pa += ($7 <= 1); pf += ($8 <= 1); ma += $7; mf += $8 }
  END { printf "pass (within 1 dB of the sweep best): auto %d/%d, fixed rule %d/%d; mean shortfall: auto %.2f dB, fixed rule %.2f dB\n", pa, n, pf, n, ma / n, mf / n }' \
  "$OUT/results.tsv" | tee "$OUT/summary.txt"

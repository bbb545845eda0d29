#!/bin/bash
# examples/protocol_f_grid.sh — validates fit_2d --max-res auto --log2-table auto (posenc::recommend_grid,
# docs/theory.md section 11) against a sweep of the finest resolution and the fixed rule of thumb
# "finest resolution = image resolution", on the signals given as arguments.
#
#   examples/protocol_f_grid.sh BIN OUT SIGNAL...
#
# BIN: the directory of fit_2d / choose_encoding (e.g. build/release/examples); OUT: where the sweeps, a
# results.tsv and the charts go. Each SIGNAL is one argument:
#   IMAGE[:X,Y,SIDE]     protocol E (docs/protocols.md) at S x S (S = 128 unless the environment sets S),
#                        optionally on the grey (BT.601) SIDE x SIDE crop at column X, row Y
#   ...+chart            (suffix) also draw the choose_encoding grid chart with the sweep (OUT/charts/NAME)
# Model: hash grid 16 levels x 2 features, N_min = 16, 64 x 2 MLP, linear output, Adam lr 1e-2,
# betas (0.9, 0.99), eps 1e-15, no weight decay, 1000 steps, seed 1 (the environment may set STEPS, SEED,
# RESOLUTIONS: the sweep list, and S).
# Sweep: N_max in {16, 32, 64, 128, 256}, each with the table recommend_grid gives for it (--log2-table
# auto: the smallest table in which every level is dense). Auto: --max-res auto --log2-table auto.
# Fixed rule: N_max = S (finest resolution = image resolution), table as for the sweep.
# Prints one line per signal: sweep best, recommended, fixed rule (test PSNR, dB) and the shortfalls.
set -euo pipefail
BIN=$1 OUT=$2
shift 2
mkdir -p "$OUT/charts"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
S=${S:-128}
STEPS=${STEPS:-1000}
SEED=${SEED:-1}
RESOLUTIONS=${RESOLUTIONS:-"16 32 64 128 256"}
model=(--encoder hashgrid --levels 16 --features 2 --base-res 16 --depth 2 --width 64 --output-activation none
       --lr 1e-2 --beta2 0.99 --eps 1e-15 --weight-decay 0 --steps "$STEPS" --seed "$SEED")
printf "signal\tbest_N\tbest\tauto_N\tauto_log2T\tauto\tfixed_N\tfixed\tauto_short\tfixed_short\n" > "$OUT/results.tsv"
for sig in "$@"; do
  chart=0
  case $sig in *+chart) chart=1; sig=${sig%+chart} ;; esac
  IFS=: read -r img extra <<< "$sig"
  name=$(basename "$img" .png)
  crop=()
  if [ -n "$extra" ]; then crop=(--crop "$extra" --grey); name=${name}_${extra//,/_}; fi
  run() { "$BIN/fit_2d" --image "$img" "${crop[@]}" --size "$S" "${model[@]}" --max-res "$1" --log2-table auto --json --quiet; }
  : > "$OUT/$name.sweep"
  for n in $RESOLUTIONS; do echo "$n $(run "$n" | jq -r .test_psnr)" >> "$OUT/$name.sweep"; done
  a=$(run auto)
  auto_n=$(jq -r .max_resolution <<< "$a") auto_t=$(jq -r .log2_table_size <<< "$a") auto=$(jq -r .test_psnr <<< "$a")
  fix=$(awk -v S="$S" '$1 == S { print $2 }' "$OUT/$name.sweep")
  [ -n "$fix" ] || fix=$(run "$S" | jq -r .test_psnr)
  read -r best_n best < <(sort -k2 -g "$OUT/$name.sweep" | tail -1)
  line=$(awk -v n="$name" -v bn="$best_n" -v b="$best" -v an="$auto_n" -v at="$auto_t" -v a="$auto" -v fn="$S" -v f="$fix" \
    'BEGIN { printf "%s\t%d\t%.2f\t%d\t%d\t%.2f\t%d\t%.2f\t%.2f\t%.2f", n, bn, b, an, at, a, fn, f, b - a, b - f }')
  echo "$line" | tee -a "$OUT/results.tsv"
  if [ $chart = 1 ]; then
    "$BIN/choose_encoding" --image "$img" "${crop[@]}" --size "$S" --encoder hashgrid --levels 16 --base-res 16 \
      --sweep "$OUT/$name.sweep" --out "$OUT/charts/$name" > "$OUT/charts/$name.txt"
  fi
done
awk -F'\t' 'NR > 1 { n++; pa += ($9 <= 1); pf += ($10 <= 1); ma += $9; mf += $10 }
  END { printf "pass (within 1 dB of the sweep best): auto %d/%d, fixed rule %d/%d; mean shortfall: auto %.2f dB, fixed rule %.2f dB\n", pa, n, pf, n, ma / n, mf / n }' \
  "$OUT/results.tsv" | tee "$OUT/summary.txt"

#!/usr/bin/env bash
# Compile-time measurements of wide and deep forks (README.md beside this file).
#
#   tools/compile-time/run.sh [RUNS] VARIANT:N ...      e.g. run.sh 2 wf:1000 hand:1000
#
# Generates one scratch crate per VARIANT:N under $OUT (default /tmp/ct/gen, never in the
# repo), warms the shared dependencies, then for each run and each crate, interleaved:
# `cargo clean -p` + `cargo build -p` (debug), and the same with `cargo check -p`, each
# under `timeout $LIMIT` (default 400 s) and `/usr/bin/time -v`. Prints one TSV line per
# measurement: variant n mode run seconds max_rss_mb status cpu_seconds (user + sys of cargo
# and every rustc), and appends it to $OUT/results.tsv.
# Medians: tools/compile-time/median.py $OUT/results.tsv
# MODES (default "build check"), in the order given: build, check, release (each from a
# clean crate: `cargo clean -p` first), edit and edit-release (one edit of the crate's
# `const EDIT` then an incremental debug or release build: after build or release).
# With TIME_PASSES=1 also saves -Z time-passes per crate.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="${OUT:-/tmp/ct/gen}"
LIMIT="${LIMIT:-400}"
MODES="${MODES:-build check}"
RUNS=1
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then RUNS=$1; shift; fi
(cd "$HERE/expand" && cargo build --release --quiet)
python3 "$HERE/gen.py" "$OUT" "$REPO" "$@"
cd "$OUT"
# Dependencies once, for both modes (the smallest crate pulls them all).
cargo build --quiet -p "$(echo "${1%%:*}_3" | tr _ -)" 2>/dev/null || true
python3 "$HERE/gen.py" "$OUT" "$REPO" hand:3 >/dev/null
cargo build --quiet -p hand-3 && cargo check --quiet -p hand-3
if [[ " $MODES " == *" release "* ]]; then cargo build --release --quiet -p hand-3; fi
for run in $(seq "$RUNS"); do
  for spec in "$@"; do
    variant=${spec%%:*}; n=${spec##*:}
    name=$(echo "${variant}_${n}" | tr _ -)
    for mode in $MODES; do
      case $mode in
        build | check) cmd=("$mode") ;;
        release | edit-release) cmd=(build --release) ;;
        edit) cmd=(build) ;;
        *) echo "unknown mode $mode" >&2; exit 2 ;;
      esac
      case $mode in
        edit*) sed -i "s/^const EDIT: u64 = [0-9]*;/const EDIT: u64 = $RANDOM;/" "$OUT/$name/src/main.rs" ;;
        release) cargo clean --release --quiet -p "$name" 2>/dev/null || true ;;
        *) cargo clean --quiet -p "$name" 2>/dev/null || true ;;
      esac
      status=ok
      /usr/bin/time -v -o "$OUT/time.txt" timeout "$LIMIT" cargo "${cmd[@]}" --quiet -p "$name" \
        >"$OUT/$name.$mode.log" 2>&1 || status=fail
      if grep -q "Command exited with non-zero status 124" "$OUT/time.txt"; then status=timeout; fi
      secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$OUT/time.txt")
      rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$OUT/time.txt")
      cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$OUT/time.txt")
      line="$variant	$n	$mode	$run	$secs	$rss	$status	$cpu"
      echo "$line"; echo "$line" >>"$OUT/results.tsv"
    done
    if [[ "${TIME_PASSES:-0}" = 1 && $run = 1 ]]; then
      # Its own target dir: RUSTC_BOOTSTRAP changes the dependencies' fingerprints.
      touch "$OUT/$name/src/main.rs"
      CARGO_TARGET_DIR="$OUT/target-passes" RUSTC_BOOTSTRAP=1 timeout "$LIMIT" cargo rustc --quiet -p "$name" -- -Z time-passes \
        >"$OUT/$name.passes" 2>&1 || true
    fi
  done
done

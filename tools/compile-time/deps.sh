#!/usr/bin/env bash
# What depending on `workflow-runtime` costs a user's build (README.md beside this file).
#
#   tools/compile-time/deps.sh [RUNS] [VARIANT ...]      e.g. deps.sh 3 base runtime
#
# Writes one empty binary crate per VARIANT under $OUT (default /tmp/ct/deps, outside the
# repo), each with this repository's Cargo.lock (so every variant builds the same
# versions) and `[workspace]` of its own, then builds each from an empty target dir
# (`cargo build --offline`, debug, the machine's default jobs), RUNS times (default 3),
# interleaved, under `/usr/bin/time`. Prints one TSV line per build:
#   variant run cpu_seconds(user+sys) wall_seconds crates
# appends it to $OUT/results.tsv, then the median CPU seconds of each variant, its
# min-max, and each variant's median against `base`'s.
#
# Variants (the dependencies of the empty `fn main() {}`):
#   base          futures 0.3 (default features) + tokio with the features the runtime's
#                 default uses ("rt", "time"): what a user of the runtime has anyway
#   runtime       workflow-runtime (path, default features) alone
#   runtime-user  workflow-runtime + the base's futures and tokio (a user's real manifest)
#   bare          workflow-runtime with default-features = false
#   tracing       workflow-runtime with its default and "tracing"
#   export        workflow-runtime with its default and "export"
# With TIMINGS=1 the last run of each variant also writes cargo's --timings report to
# $OUT/VARIANT/cargo-timing.html (the crates' own times).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="${OUT:-/tmp/ct/deps}"
RUNS=3
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then RUNS=$1; shift; fi
VARIANTS=("$@")
if [[ ${#VARIANTS[@]} = 0 ]]; then VARIANTS=(base runtime); fi

BASE_DEPS='futures = "0.3.34"
tokio = { version = "1.54", default-features = false, features = ["rt", "time"] }'
RUNTIME="workflow-runtime = { path = \"$REPO/workflow-runtime\""

deps_of() {
  case $1 in
    base) echo "$BASE_DEPS" ;;
    runtime) echo "$RUNTIME }" ;;
    runtime-user) printf '%s }\n%s\n' "$RUNTIME" "$BASE_DEPS" ;;
    bare) echo "$RUNTIME, default-features = false }" ;;
    tracing | export) echo "$RUNTIME, features = [\"$1\"] }" ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}

for variant in "${VARIANTS[@]}"; do
  dir="$OUT/$variant"
  mkdir -p "$dir/src"
  printf '[package]\nname = "deps-%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[dependencies]\n%s\n\n[workspace]\n' \
    "$variant" "$(deps_of "$variant")" >"$dir/Cargo.toml"
  echo 'fn main() {}' >"$dir/src/main.rs"
  cp "$REPO/Cargo.lock" "$dir/Cargo.lock"
  # Download what the copied lock names (once): the builds below time compilation only.
  (cd "$dir" && cargo fetch --quiet)
done

for run in $(seq "$RUNS"); do
  for variant in "${VARIANTS[@]}"; do
    dir="$OUT/$variant"
    rm -rf "$dir/target"
    timings=()
    if [[ "${TIMINGS:-0}" = 1 && $run = "$RUNS" ]]; then timings=(--timings); fi
    (cd "$dir" && /usr/bin/time -f '%U %S %e' -o "$OUT/time.txt" \
      cargo build --offline "${timings[@]}" >"$dir/build.log" 2>&1)
    if [[ ${#timings[@]} = 1 ]]; then cp "$dir"/target/cargo-timings/cargo-timing.html "$dir/"; fi
    read -r user sys wall <"$OUT/time.txt"
    crates=$(grep -c ' Compiling ' "$dir/build.log" || true)
    line=$(printf '%s\t%s\t%.2f\t%s\t%s' "$variant" "$run" "$(echo "$user + $sys" | bc)" "$wall" "$crates")
    echo "$line"; echo "$line" >>"$OUT/results.tsv"
  done
done

# The summary of this invocation's lines (the last RUNS x VARIANTS of results.tsv).
tail -n $((RUNS * ${#VARIANTS[@]})) "$OUT/results.tsv" | python3 -c '
import statistics, sys
cpu = {}
for line in sys.stdin:
    variant, _run, seconds, _wall, _crates = line.split("\t")
    cpu.setdefault(variant, []).append(float(seconds))
base = statistics.median(cpu["base"]) if "base" in cpu else None
for variant, runs in cpu.items():
    median = statistics.median(runs)
    ratio = f"  {median / base:.2f}x base" if base else ""
    print(f"{variant}: median {median:.1f} s CPU (min {min(runs):.1f}, max {max(runs):.1f}, {len(runs)} runs){ratio}")
'

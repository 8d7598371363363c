#!/usr/bin/env bash
# rustc's own instructions for one crate of gen.py (callgrind): a count that the load of
# a shared machine does not move, where run.sh's CPU seconds do.
#
#   tools/compile-time/rustc-instr.sh [debug|release] VARIANT:N ...   e.g. debug many:50 manytr:50
#
# Generates the crates under $OUT (default /tmp/ct/instr), builds each (and its
# dependencies) once, takes the crate's own rustc command from `cargo build -v`, and runs
# it again, from clean (no incremental directory, its output in a scratch directory),
# under `valgrind --tool=callgrind --cache-sim=no`, following rustc's threads. Prints
# `variant n profile instructions` per crate. A debug crate of 50 workflows takes 1-3
# minutes under callgrind, a release one 3-6.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="${OUT:-/tmp/ct/instr}"
PROFILE=debug
if [[ "${1:-}" == debug || "${1:-}" == release ]]; then PROFILE=$1; shift; fi
flags=()
if [[ $PROFILE == release ]]; then flags=(--release); fi
python3 "$HERE/gen.py" "$OUT" "$REPO" "$@" >/dev/null
cd "$OUT"
mkdir -p "$OUT/scratch"
for spec in "$@"; do
  variant=${spec%%:*}; n=${spec##*:}
  name=$(echo "${variant}_${n}" | tr _ -)
  crate=$(echo "$name" | tr - _)
  cargo build --quiet "${flags[@]}" -p "$name"
  touch "$name/src/main.rs"
  cmd=$(cargo build -v "${flags[@]}" -p "$name" 2>&1 | grep "Running \`.*--crate-name $crate " |
    sed 's/^ *Running `//; s/`$//; s/-C incremental=[^ ]*//; s/--error-format=json --json=[^ ]*//' |
    sed "s#--out-dir [^ ]*#--out-dir $OUT/scratch#")
  instr=$(eval "valgrind --tool=callgrind --cache-sim=no --callgrind-out-file=$OUT/scratch/callgrind.$name.$PROFILE $cmd" 2>&1 |
    awk '/Collected :/ {print $NF}')
  echo "$variant	$n	$PROFILE	$instr"
done

#!/usr/bin/env bash
# What `#[traced]` costs a run with no subscriber, in instructions (callgrind) and bytes.
#
#   tools/traced-cost/run.sh            # prints: case traced_instr untraced_instr ratio sizes
#
# Writes a scratch crate under $OUT (default /tmp/traced-cost, never in the repo) holding
# benches/static_fork.rs's steps, `run` and workflows (its cases here: 8 ready branches,
# nested 3 levels, 3 fallible branches, with and without `#[traced]`; cases.py copies
# them out of the bench), built in release against this worktree's `workflow-runtime`
# (feature `tracing`). Each case is run 100,000 and 200,000 times under
# `valgrind --tool=callgrind` (every future polled to its end with a no-op waker, no
# subscriber): the difference over 100,000 is its instructions per run, without the
# process's own start. Sizes are `size_of_val` of each workflow's future.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="${OUT:-/tmp/traced-cost}"
mkdir -p "$OUT/src"
cat >"$OUT/Cargo.toml" <<TOML
[package]
name = "traced-cost"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
workflow-runtime = { path = "$REPO/workflow-runtime", features = ["tracing"] }
futures = "0.3.34"

[profile.release]
debug = 1
TOML
cp "$HERE/main.rs" "$OUT/src/main.rs"
python3 "$HERE/cases.py" "$REPO/benches/static_fork.rs" >"$OUT/src/cases.rs"
cp "$REPO/Cargo.lock" "$OUT/Cargo.lock"
(cd "$OUT" && cargo build --release --quiet --offline)
BIN="$OUT/target/release/traced-cost"
count() { # case runs -> instructions of the whole process
  valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" "$BIN" "$1" "$2" >/dev/null 2>"$OUT/cg.err"
  awk '/Collected/ {print $NF}' "$OUT/cg.err"
}
per_run() { echo $(( ($(count "$1" 200000) - $(count "$1" 100000)) / 100000 )); }
printf 'case\ttraced\tuntraced\tratio\tbytes traced/untraced\n'
for case in fork8 nested3 fallible3; do
  t=$(per_run "traced_$case"); u=$(per_run "$case")
  sizes=$("$BIN" size "$case")
  printf '%s\t%s\t%s\t%s\t%s\n' "$case" "$t" "$u" "$(python3 -c "print(f'{$t/$u:.3f}')")" "$sizes"
done

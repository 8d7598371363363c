#!/usr/bin/env bash
# What naming a panicking branch costs the happy path of a static fork, in instructions
# (callgrind) and bytes, against another build of the runtime:
#
#   tools/named-panic-cost/run.sh [BEFORE]   # prints: case before after, bytes before/after
#
# BEFORE is a git revision of this repository (default: main). Writes two scratch crates
# under $OUT (default /tmp/named-panic-cost, never in the repo), each holding
# benches/static_fork.rs's steps, `run` and workflows (tools/traced-cost/cases.py), one
# built against BEFORE's `workflow-runtime` (a `git archive` of it), one against this
# worktree's, both in release with the workspace's lockfile. Each case is run 100,000
# and 200,000 times under `valgrind --tool=callgrind` (every future polled to its end
# with a no-op waker): the difference over 100,000 is its instructions per run, without
# the process's own start. Sizes are `size_of_val` of each workflow's future. `wide12`
# (a fork of 12 branches, joined by a tree of `join5`s) is this tool's own case.
# CODEGEN_UNITS=1 builds both with one codegen unit (the default is cargo's 16).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
BEFORE="${1:-main}"
OUT="${OUT:-/tmp/named-panic-cost}"
mkdir -p "$OUT/before-repo"
rm -rf "$OUT/before-repo"/*
git -C "$REPO" archive "$BEFORE" | tar -x -C "$OUT/before-repo"
build() { # name runtime-repo
  local dir="$OUT/$1"
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<TOML
[package]
name = "named-panic-cost"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
workflow-runtime = { path = "$2/workflow-runtime", features = ["tracing"] }
futures = "0.3.34"

[profile.release]
debug = 1
codegen-units = ${CODEGEN_UNITS:-16}
TOML
  cp "$HERE/main.rs" "$dir/src/main.rs"
  python3 "$REPO/tools/traced-cost/cases.py" "$REPO/benches/static_fork.rs" >"$dir/src/cases.rs"
  cp "$REPO/Cargo.lock" "$dir/Cargo.lock"
  (cd "$dir" && cargo build --release --quiet --offline)
}
build before "$OUT/before-repo"
build after "$REPO"
count() { # binary case runs -> instructions of the whole process
  valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" "$1" "$2" "$3" >/dev/null 2>"$OUT/cg.err"
  awk '/Collected/ {print $NF}' "$OUT/cg.err"
}
per_run() { echo $(( ($(count "$1" "$2" 200000) - $(count "$1" "$2" 100000)) / 100000 )); }
printf 'case\tbefore\tafter\tbytes before\tbytes after\n'
for case in fork2 fork8 by_hand8 wide12 nested3 by_hand_nested3 fallible3 by_hand_fallible3; do
  b="$OUT/before/target/release/named-panic-cost"
  a="$OUT/after/target/release/named-panic-cost"
  printf '%s\t%s\t%s\t%s\t%s\n' "$case" "$(per_run "$b" "$case")" "$(per_run "$a" "$case")" \
    "$("$b" size "$case")" "$("$a" size "$case")"
done

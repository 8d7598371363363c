#!/usr/bin/env bash
# What naming a panicking branch costs the happy path of a static fork, in instructions
# (callgrind) and bytes, against another build of the runtime:
#
#   tools/named-panic-cost/run.sh [BEFORE]   # prints: case before after, bytes before/after
#
# BEFORE is a git revision of this repository (default: main). Writes two scratch crates
# under $OUT (default /tmp/named-panic-cost, never in the repo), each holding
# benches/static_fork.rs's steps, `run`, workflows and by-hand twins
# (tools/traced-cost/lib.sh), one built against BEFORE's `workflow-runtime` (a
# `git archive` of it), one against this worktree's, both in release with the
# workspace's lockfile. Each case is run 100,000 and 200,000 times under
# `valgrind --tool=callgrind` (every future polled to its end with a no-op waker): the
# difference over 100,000 is its instructions per run, without the process's own start.
# Sizes are `size_of_val` of each workflow's future. `wide12` (a fork of 12 branches,
# joined by a tree of `join5`s) is the cost cases' own.
# CODEGEN_UNITS=1 builds both with one codegen unit (the default is cargo's 16).
set -euo pipefail
source "$(dirname "$0")/../traced-cost/lib.sh"
BEFORE="${1:-main}"
OUT="${OUT:-/tmp/named-panic-cost}"
mkdir -p "$OUT/before-repo"
rm -rf "$OUT/before-repo"/*
git -C "$COST_REPO" archive "$BEFORE" | tar -x -C "$OUT/before-repo"
cost_crate "$OUT/before" "$OUT/before-repo"
cost_crate "$OUT/after" "$COST_REPO"
b="$OUT/before/target/release/cost-cases"
a="$OUT/after/target/release/cost-cases"
printf 'case\tbefore\tafter\tbytes before\tbytes after\n'
for case in fork2 fork8 by_hand8 wide12 nested3 by_hand_nested3 fallible3 by_hand_fallible3; do
  printf '%s\t%s\t%s\t%s\t%s\n' "$case" "$(cost_per_run "$b" "$case")" "$(cost_per_run "$a" "$case")" \
    "$("$b" size "$case")" "$("$a" size "$case")"
done

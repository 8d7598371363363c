#!/usr/bin/env bash
# What `#[traced]` costs a run with no subscriber, in instructions (callgrind) and bytes.
#
#   tools/traced-cost/run.sh            # prints: case traced_instr untraced_instr ratio sizes
#
# Writes a scratch crate under $OUT (default /tmp/traced-cost, never in the repo) holding
# benches/static_fork.rs's steps, `run` and workflows (its cases here: 8 ready branches,
# nested 3 levels, 3 fallible branches, with and without `#[traced]`; cases.py copies
# them out of the bench), built in release against this worktree's `workflow-runtime`
# (feature `tracing`; lib.sh). Each case is run 100,000 and 200,000 times under
# `valgrind --tool=callgrind` (every future polled to its end with a no-op waker, no
# subscriber): the difference over 100,000 is its instructions per run, without the
# process's own start. Sizes are `size_of_val` of each workflow's future.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
OUT="${OUT:-/tmp/traced-cost}"
cost_crate "$OUT" "$COST_REPO"
BIN="$OUT/target/release/cost-cases"
printf 'case\ttraced\tuntraced\tratio\tbytes traced/untraced\n'
for case in fork8 nested3 fallible3; do
  t=$(cost_per_run "$BIN" "traced_$case"); u=$(cost_per_run "$BIN" "$case")
  sizes="$("$BIN" size "traced_$case")/$("$BIN" size "$case")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$case" "$t" "$u" "$(python3 -c "print(f'{$t/$u:.3f}')")" "$sizes"
done

#!/bin/sh
# Instructions of one run of each wake pattern and method (callgrind, counting only
# inside `wake::run`), for the README's Numbers table:
#   benches/wake_callgrind.sh [SIZES] [PATTERNS] [METHODS]
# (WAKE_BINARY=path: measure that build of examples/wake_patterns instead)
# e.g. benches/wake_callgrind.sh "8 64 1024 10000" "dense sparse" "fan-out poll-all"
# Prints: pattern N method instructions.
set -eu
cd "$(dirname "$0")/.."
sizes=${1:-8 64 1024 10000 100000}
patterns=${2:-ready self-waking timers remote sparse dense}
methods=${3:-fan-out poll-all join_all unordered fc-join}
# WAKE_BINARY: a binary built before (to compare two builds of the fan-out).
binary=${WAKE_BINARY:-target/release/examples/wake_patterns}
if [ -z "${WAKE_BINARY:-}" ]; then
  cargo build --quiet --release -p workflow-benches --example wake_patterns
fi
out=$(mktemp -d)
for pattern in $patterns; do
  for n in $sizes; do
    for method in $methods; do
      # The poll-all loop and futures-concurrency are quadratic on sparse wakes (and
      # every method on 100,000 timers, through tokio's budget): skipped above 10,000.
      if { [ "$pattern" = sparse ] && { [ "$method" = poll-all ] || [ "$method" = fc-join ]; }; } ||
        [ "$pattern" = timers ]; then
        if [ "$n" -gt 10000 ]; then continue; fi
      fi
      valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
        --toggle-collect='wake_patterns::wake::run' "$binary" "$pattern" "$method" "$n" 2>"$out/log"
      ir=$(sed -n 's/^summary: //p' "$out/cg")
      echo "$pattern $n $method $ir"
    done
  done
done
rm -r "$out"

#!/usr/bin/env bash
# Fuzzes the workflow! macro's front end with libFuzzer on the stable toolchain.
#
#   fuzz/run.sh [SECONDS] [libFuzzer flags...]     (default: 600 seconds)
#
# New inputs go to fuzz/corpus/work (not committed); crashes to fuzz/artifacts/.
# `fuzz/run.sh merge` minimises work/ into the committed corpus/parser.
# Needs a C++ compiler (g++ or clang++) to build libFuzzer.
set -euo pipefail
cd "$(dirname "$0")"

# SanitizerCoverage for libFuzzer, through flags that stable rustc accepts. No
# `--cfg fuzzing`: proc-macro2 then keeps source text, and errors are checked to point
# at the input's tokens.
export RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
-Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
# An explicit --target keeps RUSTFLAGS off build scripts, which cannot link the
# coverage callbacks (libFuzzer is linked into the fuzz target only).
host="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --release --target "$host" --bin parser
fuzzer="$CARGO_TARGET_DIR/$host/release/parser"
mkdir -p corpus/work artifacts

if [[ "${1:-}" == "merge" ]]; then
    exec "$fuzzer" -merge=1 corpus/parser corpus/work
fi

seconds="${1:-600}"
shift || true
# 8 MiB of stack is what rustc gives a proc macro; -max_len keeps inputs macro-sized.
exec "$fuzzer" -max_total_time="$seconds" -max_len=4096 -dict=parser.dict \
    -artifact_prefix=artifacts/ -print_final_stats=1 "$@" corpus/work corpus/parser

# Sourced by tools/traced-cost/run.sh and tools/named-panic-cost/run.sh: a scratch crate
# of the cost cases (main.rs, and benches/static_fork.rs's steps, `run`, workflows and
# by-hand twins copied by cases.py), and its instructions per run under callgrind.
COST_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
COST_REPO="$(cd "$COST_HERE/../.." && pwd)"

# cost_crate DIR RUNTIME_REPO: builds DIR/target/release/cost-cases in release against
# RUNTIME_REPO's `workflow-runtime` (feature `tracing`), with this repository's lockfile;
# CODEGEN_UNITS sets the codegen units (default cargo's 16).
cost_crate() {
  local dir="$1"
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<TOML
[package]
name = "cost-cases"
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
  cp "$COST_HERE/main.rs" "$dir/src/main.rs"
  python3 "$COST_HERE/cases.py" "$COST_REPO/benches/static_fork.rs" >"$dir/src/cases.rs"
  cp "$COST_REPO/Cargo.lock" "$dir/Cargo.lock"
  (cd "$dir" && cargo build --release --quiet --offline)
}

# cost_count BINARY CASE RUNS: the instructions of the whole process (callgrind).
cost_count() {
  local out
  out="$(dirname "$1")/cg"
  valgrind --tool=callgrind --callgrind-out-file="$out.out" "$1" "$2" "$3" >/dev/null 2>"$out.err"
  awk '/Collected/ {print $NF}' "$out.err"
}

# cost_per_run BINARY CASE: the case's instructions per run, the difference between
# 200,000 and 100,000 runs over 100,000 (without the process's own start).
cost_per_run() {
  echo $(( ($(cost_count "$1" "$2" 200000) - $(cost_count "$1" "$2" 100000)) / 100000 ))
}

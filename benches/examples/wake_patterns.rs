//! One wake pattern, one method, one size, for `valgrind --tool=callgrind`, which counts
//! the instructions of one run of `wake::run` (`--toggle-collect`):
//!
//! ```text
//! cargo build --release -p workflow-benches --example wake_patterns
//! valgrind --tool=callgrind --toggle-collect='wake_patterns::wake::run' \
//!     target/release/examples/wake_patterns dense fan-out 10000
//! ```
//!
//! Patterns: ready, self-waking, timers, remote, sparse, dense; methods: fan-out,
//! poll-all, `join_all`, unordered, fc-join (see `benches/wake/mod.rs`). Each run checks
//! its outputs. `all` for the method runs every method once, checked (no counting).

#[path = "../wake/mod.rs"]
mod wake;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: wake_patterns PATTERN METHOD|all N";
    let [_, pattern, method, n] = args.as_slice() else {
        panic!("{usage}")
    };
    let pattern = wake::Pattern::parse(pattern).expect(usage);
    let n: u64 = n.parse().expect(usage);
    if method == "all" {
        for method in wake::METHODS {
            if wake::too_slow(pattern, method, n) {
                continue;
            }
            wake::run_checked(pattern, method, n);
        }
        return;
    }
    let method = wake::Method::parse(method).expect(usage);
    wake::run_checked(pattern, method, n);
}

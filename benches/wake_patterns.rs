//! A fan-out against the hand-written poll-all loop, `join_all`, `FuturesUnordered` and
//! futures-concurrency's `Vec` join, for each way the items wake: ready, self-waking,
//! tokio timers (paused clock), woken from another thread, sparse (one item a round)
//! and dense (all together, 4 rounds). The items and their steps are the same for every
//! method (`benches/wake/mod.rs`), and every method's outputs are checked before it is
//! measured. `examples/wake_patterns.rs` runs one case for callgrind.
//!
//! `cargo bench --bench wake_patterns -- --quick` (a pattern: `-- --quick sparse/`).
//! 100,000 items are measured by callgrind only (`wake_callgrind.sh`), without the
//! quadratic cases (`wake::too_slow`).

#[path = "wake/mod.rs"]
mod wake;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const SIZES: [u64; 4] = [8, 64, 1_024, 10_000];

fn patterns(c: &mut Criterion) {
    for pattern in wake::PATTERNS {
        let mut group = c.benchmark_group(pattern.name());
        for n in SIZES {
            for method in wake::METHODS {
                if wake::too_slow(pattern, method, n) {
                    continue;
                }
                wake::run_checked(pattern, method, n);
                group.bench_with_input(BenchmarkId::new(method.name(), n), &n, |b, &n| {
                    b.iter(|| wake::run(pattern, method, black_box(n)));
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, patterns);
criterion_main!(benches);

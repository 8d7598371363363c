//! Dynamic forks: a fan-out branch (`name: for item in items => step(item)`) against
//! `futures::future::join_all` / `try_join_all`, futures-concurrency's `Vec` join, a
//! sequential `.await` loop, and, with a concurrency limit, against `buffered` /
//! `buffer_unordered`. Every future is polled to completion on the stack with a no-op
//! waker, so the numbers are the join machinery's own cost.
//!
//! Two kinds of items: `ready` items finish on their first poll (the join's fixed cost
//! per item), `yield once` items return `Pending` once and wake themselves (the cost of
//! telling which item woke).
//!
//! `cargo bench --bench fan_out`; quick mode: `cargo bench --bench fan_out -- --quick`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use futures::StreamExt as _;
use futures::future::{join_all, try_join_all};
use futures_concurrency::future::{Join as _, TryJoin as _};
use workflow_runtime::fan_out::{fan_out, try_fan_out};
use workflow_runtime::{BranchError, workflow};

// For its `YieldOnce` only: the wake patterns are `benches/wake_patterns.rs`.
#[allow(dead_code)]
#[path = "wake/mod.rs"]
mod wake;

use wake::YieldOnce;

#[allow(clippy::unused_async)] // a trivial step: the join machinery is what is measured
async fn step(x: u64) -> u64 {
    black_box(x) + 1
}

#[allow(clippy::unused_async)]
async fn checked(x: u64) -> Result<u64, String> {
    if black_box(x) == u64::MAX {
        Err("never".to_owned())
    } else {
        Ok(x + 1)
    }
}

fn yield_once(x: u64) -> YieldOnce {
    YieldOnce(false, x)
}

fn run<F: Future>(future: F) -> F::Output {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

workflow! {
    /// The generated code: a fan-out branch beside an idle sibling (a fork needs two).
    async fn generated(n: u64) -> Vec<u64> {
        fork <
            items: for i in 0..n => step(i),
            _idle: async {},
        > join(items, _idle);
        items
    }
}

/// What `generated` would be by hand with `join_all`.
async fn by_hand(n: u64) -> Vec<u64> {
    let (items, ()) = futures::join!(join_all((0..n).map(step)), async {});
    items
}

workflow! {
    async fn generated_fallible(n: u64) -> Result<Vec<u64>, BranchError<String>> {
        fork <
            items: for i in 0..n => checked(i)?,
            _idle: async {},
        > join(items, _idle)?;
        Ok(items)
    }
}

/// What `generated_fallible` would be by hand with `try_join_all`.
async fn by_hand_fallible(n: u64) -> Result<Vec<u64>, String> {
    let (items, ()) = futures::try_join!(try_join_all((0..n).map(checked)), async {
        Ok::<_, String>(())
    })?;
    Ok(items)
}

workflow! {
    async fn generated_limited(n: u64, limit: usize) -> Vec<u64> {
        fork <
            #[limit(limit)]
            items: for i in 0..n => step(i),
            _idle: async {},
        > join(items, _idle);
        items
    }
}

const SIZES: [u64; 6] = [8, 30, 31, 64, 1_024, 10_000];

fn dynamic(c: &mut Criterion) {
    let mut group = c.benchmark_group("fan-out ready");
    for n in SIZES {
        group.bench_with_input(BenchmarkId::new("workflow!", n), &n, |b, &n| {
            b.iter(|| run(generated(black_box(n))));
        });
        group.bench_with_input(BenchmarkId::new("join! + join_all", n), &n, |b, &n| {
            b.iter(|| run(by_hand(black_box(n))));
        });
        group.bench_with_input(BenchmarkId::new("fan_out", n), &n, |b, &n| {
            b.iter(|| run(fan_out(0..black_box(n), None, step)));
        });
        group.bench_with_input(BenchmarkId::new("join_all", n), &n, |b, &n| {
            b.iter(|| run(join_all((0..black_box(n)).map(step))));
        });
        group.bench_with_input(
            BenchmarkId::new("futures-concurrency Vec join", n),
            &n,
            |b, &n| {
                b.iter(|| run((0..black_box(n)).map(step).collect::<Vec<_>>().join()));
            },
        );
        group.bench_with_input(BenchmarkId::new("sequential await", n), &n, |b, &n| {
            b.iter(|| {
                run(async {
                    let mut outputs = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
                    for i in 0..black_box(n) {
                        outputs.push(step(i).await);
                    }
                    outputs
                })
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("fan-out fallible");
    for n in SIZES {
        group.bench_with_input(BenchmarkId::new("workflow!", n), &n, |b, &n| {
            b.iter(|| run(generated_fallible(black_box(n))));
        });
        group.bench_with_input(
            BenchmarkId::new("try_join! + try_join_all", n),
            &n,
            |b, &n| {
                b.iter(|| run(by_hand_fallible(black_box(n))));
            },
        );
        group.bench_with_input(BenchmarkId::new("try_fan_out", n), &n, |b, &n| {
            b.iter(|| run(try_fan_out(0..black_box(n), None, checked)));
        });
        group.bench_with_input(BenchmarkId::new("try_join_all", n), &n, |b, &n| {
            b.iter(|| run(try_join_all((0..black_box(n)).map(checked))));
        });
        group.bench_with_input(
            BenchmarkId::new("futures-concurrency Vec try_join", n),
            &n,
            |b, &n| {
                b.iter(|| {
                    run((0..black_box(n))
                        .map(checked)
                        .collect::<Vec<_>>()
                        .try_join())
                });
            },
        );
    }
    group.finish();

    let mut group = c.benchmark_group("fan-out yield once");
    for n in [8, 30, 64, 1_024] {
        group.bench_with_input(BenchmarkId::new("fan_out", n), &n, |b, &n| {
            b.iter(|| run(fan_out(0..black_box(n), None, yield_once)));
        });
        group.bench_with_input(BenchmarkId::new("join_all", n), &n, |b, &n| {
            b.iter(|| run(join_all((0..black_box(n)).map(yield_once))));
        });
        group.bench_with_input(
            BenchmarkId::new("futures-concurrency Vec join", n),
            &n,
            |b, &n| {
                b.iter(|| run((0..black_box(n)).map(yield_once).collect::<Vec<_>>().join()));
            },
        );
    }
    group.finish();

    let mut group = c.benchmark_group("fan-out limit 8");
    let limit = 8;
    for n in [64, 1_024, 10_000] {
        group.bench_with_input(BenchmarkId::new("workflow!", n), &n, |b, &n| {
            b.iter(|| run(generated_limited(black_box(n), limit)));
        });
        group.bench_with_input(BenchmarkId::new("fan_out", n), &n, |b, &n| {
            b.iter(|| run(fan_out(0..black_box(n), Some(limit), step)));
        });
        group.bench_with_input(BenchmarkId::new("buffered", n), &n, |b, &n| {
            b.iter(|| {
                run(futures::stream::iter(0..black_box(n))
                    .map(step)
                    .buffered(limit)
                    .collect::<Vec<_>>())
            });
        });
        group.bench_with_input(BenchmarkId::new("buffer_unordered", n), &n, |b, &n| {
            b.iter(|| {
                run(futures::stream::iter(0..black_box(n))
                    .map(step)
                    .buffer_unordered(limit)
                    .collect::<Vec<_>>())
            });
        });
        group.bench_with_input(BenchmarkId::new("fan_out yield once", n), &n, |b, &n| {
            b.iter(|| run(fan_out(0..black_box(n), Some(limit), yield_once)));
        });
        group.bench_with_input(BenchmarkId::new("buffered yield once", n), &n, |b, &n| {
            b.iter(|| {
                run(futures::stream::iter(0..black_box(n))
                    .map(yield_once)
                    .buffered(limit)
                    .collect::<Vec<_>>())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, dynamic);
criterion_main!(benches);

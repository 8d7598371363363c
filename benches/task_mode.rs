//! The task mode (`#[spawn] fork`: every branch a tokio task) against the same work
//! spawned by hand into a `tokio::task::JoinSet`, and into plain `tokio::spawn` handles
//! joined with `futures::join!`, on a multi-thread runtime with two workers. The forks
//! run one after the other inside a task of the runtime, as in a server.
//!
//! `cargo bench --bench task_mode`; quick mode: `cargo bench --bench task_mode -- --quick`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tokio::task::JoinSet;
use workflow_runtime::workflow;

#[allow(clippy::unused_async)] // a trivial step: the spawning machinery is what is measured
async fn step(x: u64) -> u64 {
    black_box(x) + 1
}

workflow! {
    async fn spawn2(x: u64) -> u64 {
        #[spawn]
        fork < a: step(x), b: step(x) > join(a, b);
        a + b
    }
}

workflow! {
    async fn spawn8(x: u64) -> u64 {
        #[spawn]
        fork <
            a: step(x), b: step(x), c: step(x), d: step(x),
            e: step(x), f: step(x), g: step(x), h: step(x),
        > join(a, b, c, d, e, f, g, h);
        a + b + c + d + e + f + g + h
    }
}

async fn join_set(x: u64, n: u64) -> u64 {
    let mut set = JoinSet::new();
    for _ in 0..n {
        set.spawn(step(x));
    }
    let mut sum = 0;
    while let Some(output) = set.join_next().await {
        sum += output.unwrap_or(0);
    }
    sum
}

async fn spawned_join2(x: u64) -> u64 {
    let (a, b) = futures::join!(tokio::spawn(step(x)), tokio::spawn(step(x)));
    a.unwrap_or(0) + b.unwrap_or(0)
}

#[allow(clippy::many_single_char_names)]
async fn spawned_join8(x: u64) -> u64 {
    let (a, b, c, d, e, f, g, h) = futures::join!(
        tokio::spawn(step(x)),
        tokio::spawn(step(x)),
        tokio::spawn(step(x)),
        tokio::spawn(step(x)),
        tokio::spawn(step(x)),
        tokio::spawn(step(x)),
        tokio::spawn(step(x)),
        tokio::spawn(step(x)),
    );
    [a, b, c, d, e, f, g, h]
        .into_iter()
        .map(|r| r.unwrap_or(0))
        .sum()
}

/// A fresh runtime for each benchmark: one that ran another benchmark before keeps its
/// workers in another state.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a tokio runtime")
}

fn task_mode(c: &mut Criterion) {
    let mut group = c.benchmark_group("task mode");
    let cases: [(&str, Fork); 6] = [
        ("2 branches / #[spawn] workflow!", |x| Box::pin(spawn2(x))),
        ("2 branches / JoinSet", |x| Box::pin(join_set(x, 2))),
        ("2 branches / join! of spawn handles", |x| {
            Box::pin(spawned_join2(x))
        }),
        ("8 branches / #[spawn] workflow!", |x| Box::pin(spawn8(x))),
        ("8 branches / JoinSet", |x| Box::pin(join_set(x, 8))),
        ("8 branches / join! of spawn handles", |x| {
            Box::pin(spawned_join8(x))
        }),
    ];
    for (name, fork) in cases {
        let runtime = runtime();
        // The forks run one after the other inside a task of the runtime, as a workflow
        // in a server does: blocking a thread outside the runtime on each fork measured
        // mostly how long that thread took to wake (20 or 60 µs, from run to run).
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                runtime
                    .block_on(runtime.spawn(async move {
                        let start = std::time::Instant::now();
                        for _ in 0..iterations {
                            black_box(fork(black_box(1)).await);
                        }
                        start.elapsed()
                    }))
                    .expect("the benchmark's task")
            });
        });
    }
    group.finish();
}

/// Each case's future, boxed alike so that the cases differ only in what they spawn.
type BoxedSum = std::pin::Pin<Box<dyn std::future::Future<Output = u64> + Send>>;

/// A case: its fork, made from the input.
type Fork = fn(u64) -> BoxedSum;

criterion_group!(benches, task_mode);
criterion_main!(benches);

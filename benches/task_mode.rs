//! The task mode (`#[spawn] fork`: every branch a tokio task) against the same work
//! spawned by hand into a `tokio::task::JoinSet`, and into plain `tokio::spawn` handles
//! joined with `futures::join!`, on a multi-thread runtime with two workers. Each
//! iteration is one `block_on` of the whole fork, so the runtime's wake-up of the
//! caller is in every number alike.
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

#[allow(clippy::many_single_char_names)]
fn task_mode(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a tokio runtime");
    let mut group = c.benchmark_group("task mode");
    let x = 1;
    group.bench_function("2 branches / #[spawn] workflow!", |b| {
        b.iter(|| runtime.block_on(spawn2(black_box(x))));
    });
    group.bench_function("2 branches / JoinSet", |b| {
        b.iter(|| runtime.block_on(join_set(black_box(x), 2)));
    });
    group.bench_function("2 branches / join! of spawn handles", |b| {
        b.iter(|| runtime.block_on(spawned_join2(black_box(x))));
    });
    group.bench_function("8 branches / #[spawn] workflow!", |b| {
        b.iter(|| runtime.block_on(spawn8(black_box(x))));
    });
    group.bench_function("8 branches / JoinSet", |b| {
        b.iter(|| runtime.block_on(join_set(black_box(x), 8)));
    });
    group.bench_function("8 branches / join! of spawn handles", |b| {
        b.iter(|| runtime.block_on(spawned_join8(black_box(x))));
    });
    group.finish();
}

criterion_group!(benches, task_mode);
criterion_main!(benches);

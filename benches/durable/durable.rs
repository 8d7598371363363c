//! `#[durable]` workflows against the same workflows plain, and against a hand-written
//! journal that commits every step in its own transaction (DBOS's way), on the same
//! step functions (`lib.rs`).
//!
//! - `fork2_*`, `fork3_*`, `fork8_ready`: one instance at a time, `plain` (`workflow!`
//!   without `#[durable]`), `memory` (`#[durable]` on `MemoryJournal`) and `sqlite`
//!   (`#[durable]` on `SqliteJournal`, WAL, `synchronous = FULL`, in the target
//!   directory: a real disk). Steps are ready at once (`ready`), wake themselves once
//!   (`yield`) or wait on a 1 ms tokio timer (`timer`).
//! - `instances_fork3_*`: instances per second of a 3-branch fork with `IN_FLIGHT`
//!   instances at once on a 2-thread runtime, `#[durable]` on `SqliteJournal` (group
//!   commit) against the hand-written one-transaction-per-step flow on the same
//!   `SQLite` pragmas.
//!
//! `cargo bench -p workflow-benches-durable` (README.md has the numbers).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use tokio::runtime::Runtime;
use workflow_benches_durable::{
    Baseline, durable_eight, durable_three_ready, durable_three_timer, durable_three_yield,
    durable_two_ready, durable_two_timer, durable_two_yield, fresh_dir, plain_eight,
    plain_three_ready, plain_three_timer, plain_three_yield, plain_two_ready, plain_two_timer,
    plain_two_yield, ready, sqlite_journal, timer,
};
use workflow_runtime::durable::{Engine, MemoryJournal};

/// Instances at once in the instances-per-second benches.
const IN_FLIGHT: u32 = 100;

const TMP: &str = env!("CARGO_TARGET_TMPDIR");

fn current_thread() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn two_threads() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn ids(prefix: &str, n: u64) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i}")).collect()
}

/// Checks the commits of `instances` instances of `steps` steps: with steps that are
/// ready at once (`together`) the results of an instance are one commit and its output
/// another; steps that finish in different polls (timers that fire on different ticks)
/// may take one commit each.
fn check_commits(commits: u64, instances: u64, steps: u64, together: bool) {
    if together {
        assert_eq!(commits, 2 * instances, "2 commits an instance");
    } else {
        assert!(
            (2 * instances..=(steps + 1) * instances).contains(&commits),
            "{commits} commits for {instances} instances of {steps} steps"
        );
    }
}

/// One group: the plain workflow, the durable one in memory, the durable one on
/// `SQLite`, one instance after the other, on `$steps` steps (`$together`: ready at
/// once, see [`check_commits`]).
macro_rules! one_at_a_time {
    ($c:expr, $rt:expr, $name:literal, $plain:ident, $durable:ident, $expected:expr, $steps:literal, $together:literal) => {{
        let rt: &Runtime = $rt;
        let mut group = $c.benchmark_group($name);
        group.throughput(Throughput::Elements(1));
        group.bench_function("plain", |b| {
            b.iter(|| assert_eq!(rt.block_on($plain(black_box(1))), $expected));
        });
        group.bench_function("memory", |b| {
            b.iter_custom(|iters| {
                let engine = Engine::new(MemoryJournal::new());
                let ids = ids($name, iters);
                let started = Instant::now();
                for id in &ids {
                    let out = rt.block_on(engine.run(id, $durable(black_box(1))));
                    assert_eq!(out, Ok($expected));
                }
                let elapsed = started.elapsed();
                check_commits(engine.commits(), iters, $steps, $together);
                elapsed
            });
        });
        group.bench_function("sqlite", |b| {
            b.iter_custom(|iters| {
                let engine = Engine::new(sqlite_journal(TMP, $name));
                let ids = ids($name, iters);
                let started = Instant::now();
                for id in &ids {
                    let out = rt.block_on(engine.run(id, $durable(black_box(1))));
                    assert_eq!(out, Ok($expected));
                }
                let elapsed = started.elapsed();
                check_commits(engine.commits(), iters, $steps, $together);
                elapsed
            });
        });
        group.finish();
    }};
}

fn one_instance_at_a_time(c: &mut Criterion) {
    let rt = current_thread();
    one_at_a_time!(
        c,
        &rt,
        "fork2_ready",
        plain_two_ready,
        durable_two_ready,
        3,
        2,
        true
    );
    one_at_a_time!(
        c,
        &rt,
        "fork2_yield",
        plain_two_yield,
        durable_two_yield,
        3,
        2,
        false
    );
    one_at_a_time!(
        c,
        &rt,
        "fork2_timer",
        plain_two_timer,
        durable_two_timer,
        3,
        2,
        false
    );
    one_at_a_time!(
        c,
        &rt,
        "fork3_ready",
        plain_three_ready,
        durable_three_ready,
        6,
        3,
        true
    );
    one_at_a_time!(
        c,
        &rt,
        "fork3_yield",
        plain_three_yield,
        durable_three_yield,
        6,
        3,
        false
    );
    one_at_a_time!(
        c,
        &rt,
        "fork3_timer",
        plain_three_timer,
        durable_three_timer,
        6,
        3,
        false
    );
    // Eight branches that finish together: their results are one commit.
    one_at_a_time!(
        c,
        &rt,
        "fork8_ready",
        plain_eight,
        durable_eight,
        36,
        8,
        true
    );
}

/// `IN_FLIGHT` instances of the 3-branch fork at once: durable on `SQLite` against the
/// hand-written one transaction per step.
macro_rules! in_flight {
    ($c:expr, $rt:expr, $name:literal, $durable:ident, $step:ident) => {{
        let rt: &Runtime = $rt;
        let mut group = $c.benchmark_group($name);
        group.throughput(Throughput::Elements(u64::from(IN_FLIGHT)));
        // One round is hundreds of fsyncs: every sample the same rounds, ten samples.
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        group.bench_function("durable_sqlite", |b| {
            b.iter_custom(|iters| {
                let engine = Engine::new(sqlite_journal(TMP, $name));
                let mut elapsed = Duration::ZERO;
                for round in 0..iters {
                    let started = Instant::now();
                    rt.block_on(async {
                        let tasks: Vec<_> = (0..IN_FLIGHT)
                            .map(|i| {
                                let engine = engine.clone();
                                let id = format!("{round}-{i}");
                                tokio::spawn(async move { engine.run(&id, $durable(i)).await })
                            })
                            .collect();
                        for (i, task) in (0..IN_FLIGHT).zip(tasks) {
                            assert_eq!(task.await.expect("the instance"), Ok(3 * i + 3));
                        }
                    });
                    elapsed += started.elapsed();
                }
                eprintln!(
                    "{}: {} commits for {} instances",
                    $name,
                    engine.commits(),
                    iters * u64::from(IN_FLIGHT)
                );
                elapsed
            });
        });
        group.bench_function("one_transaction_per_step", |b| {
            b.iter_custom(|iters| {
                let baseline = Baseline::open(&fresh_dir(TMP, $name).join("baseline.db"));
                let mut elapsed = Duration::ZERO;
                for round in 0..iters {
                    let started = Instant::now();
                    rt.block_on(async {
                        let tasks: Vec<_> = (0..IN_FLIGHT)
                            .map(|i| {
                                let baseline = baseline.clone();
                                let id = format!("{round}-{i}");
                                tokio::spawn(async move { baseline.three(&id, i, $step).await })
                            })
                            .collect();
                        for (i, task) in (0..IN_FLIGHT).zip(tasks) {
                            assert_eq!(task.await.expect("the instance"), 3 * i + 3);
                        }
                    });
                    elapsed += started.elapsed();
                }
                elapsed
            });
        });
        group.finish();
    }};
}

fn instances_per_second(c: &mut Criterion) {
    let rt = two_threads();
    in_flight!(c, &rt, "instances_fork3_ready", durable_three_ready, ready);
    in_flight!(c, &rt, "instances_fork3_timer", durable_three_timer, timer);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = one_instance_at_a_time, instances_per_second
}
criterion_main!(benches);

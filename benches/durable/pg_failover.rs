//! Time from a worker's death to its instances running again on another worker, on
//! `PostgreSQL`: worker A claims instances whose steps run for an hour, worker B serves
//! every 100 ms; A is killed with SIGKILL at T0; T1 is the first step start on B (each
//! step prints its start, in Unix milliseconds, the clock both processes share). The
//! goal: T1 - T0 under the lease plus 1 s.
//!
//! ```sh
//! d=$(mktemp -d); url=$(tools/postgres.sh start $d)
//! WORKFLOW_POSTGRES_URL=$url cargo run --release -p workflow-benches-durable \
//!     --example pg_failover -- 1000,5000 7 10
//! tools/postgres.sh stop $d
//! ```
//!
//! Arguments: the leases in ms, the runs of each, the instances A holds. A is killed at
//! a moment spread over a third of the lease after its steps started (its renewals come
//! every third of the lease, so the lease left at T0 is between two thirds of it and
//! all of it).

use std::time::Duration;

use workflow_benches_durable::pg::{
    Worker, fresh_database, median, say, spread, unix_ms, worker_started,
};
use workflow_runtime::durable::{Context, Engine, PostgresJournal};
use workflow_runtime::workflow;

/// How often B looks for instances no live worker holds.
const EVERY: Duration = Duration::from_millis(100);

/// A step that says when it starts, then runs for an hour.
async fn long(x: u32) -> u32 {
    say(&format!("started {x} {}", unix_ms()));
    tokio::time::sleep(Duration::from_secs(3600)).await;
    x
}

workflow! {
    /// Two branches of one long step.
    #[durable]
    async fn held(ctx: Context, x: u32) -> u32 {
        fork < a: long(x), b: long(x + 1), > join(a, b);
        a + b
    }
}

/// A worker with a lease of `lease_ms`, serving every [`EVERY`] until stdin closes.
fn worker(url: &str, name: &str, lease_ms: &str) {
    let lease = Duration::from_millis(lease_ms.parse().expect("LEASE_MS"));
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(async {
            let journal = PostgresJournal::builder(url)
                .worker(name)
                .lease(lease)
                .connect()
                .expect("the journal");
            let engine = Engine::new(journal);
            engine.register(held);
            let stop = worker_started();
            tokio::select! {
                error = engine.serve(EVERY) => panic!("serve ended: {error}"),
                _ = stop => {}
            }
        });
    std::process::exit(0);
}

/// The start times of `count` steps that `worker` prints, within `timeout`.
fn starts(worker: &Worker, count: usize, timeout: Duration) -> Vec<i64> {
    (0..count)
        .map(|_| {
            let line = worker.line(timeout);
            let time = line
                .strip_prefix("started ")
                .and_then(|rest| rest.split(' ').nth(1))
                .unwrap_or_else(|| panic!("a step's start, not {line:?}"));
            time.parse().expect("a time")
        })
        .collect()
}

/// One run: T1 - T0 and the last step's start on B - T0, in ms.
fn run(lease_ms: u64, instances: u32, phase: u64) -> Option<(i64, i64)> {
    let url = fresh_database("pg_failover")?;
    let submitter = Engine::new(
        PostgresJournal::builder(&url)
            .worker("submitter")
            .connect()
            .expect("the submitter's journal"),
    );
    let lease = lease_ms.to_string();
    let mut a = Worker::spawn(&["worker", &url, "A", &lease]);
    a.ready();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        for i in 0..instances {
            assert!(submitter.submit(&format!("i{i}"), held(i)).await.unwrap());
        }
    });
    let steps = 2 * usize::try_from(instances).unwrap_or(usize::MAX);
    starts(&a, steps, Duration::from_secs(30));
    let b = Worker::spawn(&["worker", &url, "B", &lease]);
    b.ready();
    std::thread::sleep(Duration::from_millis(phase % (lease_ms / 3).max(1)));
    let t0 = unix_ms();
    a.kill();
    let on_b = starts(
        &b,
        steps,
        Duration::from_millis(lease_ms) + Duration::from_secs(30),
    );
    drop(b);
    let first = on_b.iter().min().copied().unwrap_or(i64::MAX);
    let last = on_b.iter().max().copied().unwrap_or(i64::MAX);
    Some((first - t0, last - t0))
}

#[allow(clippy::cast_precision_loss)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("worker") {
        return worker(&args[1], &args[2], &args[3]);
    }
    let leases: Vec<u64> = args.first().map_or(vec![1000, 5000], |a| {
        a.split(',').map(|l| l.parse().expect("LEASE_MS")).collect()
    });
    let runs: u64 = args.get(1).map_or(7, |a| a.parse().expect("RUNS"));
    let instances: u32 = args.get(2).map_or(10, |a| a.parse().expect("INSTANCES"));
    for lease in leases {
        let (mut firsts, mut lasts) = (Vec::new(), Vec::new());
        for i in 0..runs {
            // Kill moments spread evenly over a third of the lease.
            let phase = i * (lease / 3).max(1) / runs.max(1);
            let Some((first, last)) = run(lease, instances, phase) else {
                return;
            };
            println!(
                "lease {lease} ms, run {i}: first step on B {first} ms after the kill, \
                 the last of {} {last} ms",
                2 * instances
            );
            firsts.push(first as f64);
            lasts.push(last as f64);
        }
        let ((fmin, fmax), (lmin, lmax)) = (spread(&firsts), spread(&lasts));
        println!(
            "lease {lease} ms, {runs} runs, {instances} instances: kill to first step on B \
             min {fmin:.0} / median {:.0} / max {fmax:.0} ms; to the last step min {lmin:.0} \
             / median {:.0} / max {lmax:.0} ms; over the lease: median {:.0} ms",
            median(firsts.clone()),
            median(lasts),
            median(firsts) - lease as f64,
        );
    }
}

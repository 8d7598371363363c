//! Instances per second of a 3-branch fork of ready steps on one `PostgreSQL` server,
//! with 1, 2 and 3 worker processes: `#[durable]` (`Engine::submit` from this process,
//! workers in `Engine::serve`) against the same flow by hand with one transaction per
//! write (`PgBaseline`: the instance, its claim, each step's result, the output), in
//! alternating runs (each pair meets the same disk).
//!
//! ```sh
//! d=$(mktemp -d); url=$(tools/postgres.sh start $d)
//! WORKFLOW_POSTGRES_URL=$url cargo run --release -p workflow-benches-durable \
//!     --example pg_instances -- 1000 5 1,2,3
//! tools/postgres.sh stop $d
//! ```
//!
//! Arguments: instances a run, rounds, the worker counts. Every run has a database of
//! its own; its rate is the instances over the time from the first instance's
//! `created_at` (its submit) to the last `updated_at` (its end), read from the tables.
//! Both sides poll for work every 10 ms, claim at most 64 instances at a time and use
//! 4 connections a process. The transactions of a run are the server's
//! `xact_commit` (less this program's polls for the end) and its WAL syncs
//! (`pg_stat_wal.wal_sync`), read after the workers ended.

use std::time::Duration;

use workflow_benches_durable::pg::{
    Counters, PgBaseline, Worker, connect, finished_span, fresh_database, median, say, spread,
    worker_started,
};
use workflow_benches_durable::{durable_three_ready, ready};
use workflow_runtime::durable::{Engine, PostgresJournal};

/// How often a worker looks for work, and how many instances it takes at most.
const EVERY: Duration = Duration::from_millis(10);
const CLAIM_LIMIT: usize = 64;
/// Connections of each process, and the tasks that submit at once.
const CONNECTIONS: usize = 4;
const SUBMITTERS: u32 = 8;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A durable worker: serves until stdin closes, then prints its engine's commits.
fn durable_worker(url: &str, name: &str) {
    runtime().block_on(async {
        let journal = PostgresJournal::builder(url)
            .worker(name)
            .claim_limit(CLAIM_LIMIT)
            .connections(CONNECTIONS)
            .connect()
            .expect("the journal");
        let engine = Engine::new(journal);
        engine.register(durable_three_ready);
        let stop = worker_started();
        tokio::select! {
            error = engine.serve(EVERY) => panic!("serve ended: {error}"),
            _ = stop => {}
        }
        say(&format!("commits {}", engine.commits()));
    });
    std::process::exit(0);
}

/// A baseline worker: claims and runs instances until stdin closes.
fn baseline_worker(url: &str, name: &str) {
    runtime().block_on(async {
        let baseline = PgBaseline::connect(url, CONNECTIONS).await;
        let mut stop = worker_started();
        let limit = i64::try_from(CLAIM_LIMIT).unwrap_or(i64::MAX);
        loop {
            for (id, x) in baseline.claim(name, limit).await {
                let baseline = baseline.clone();
                tokio::spawn(async move {
                    assert_eq!(baseline.three(&id, x, ready).await, 3 * x + 3);
                });
            }
            tokio::select! {
                () = tokio::time::sleep(EVERY) => {}
                _ = &mut stop => break,
            }
        }
    });
    std::process::exit(0);
}

#[derive(Clone, Copy, PartialEq)]
enum Flow {
    Durable,
    Baseline,
}

struct Run {
    rate: f64,
    counters: Counters,
    /// The engines' `Journal::commit` calls (durable only).
    engine_commits: i64,
}

/// One run: a fresh database, `workers` worker processes, `instances` submitted.
#[allow(clippy::cast_precision_loss)]
fn run(flow: Flow, workers: usize, instances: u32) -> Option<Run> {
    let name = match flow {
        Flow::Durable => "pg_instances_durable",
        Flow::Baseline => "pg_instances_baseline",
    };
    let url = fresh_database(name)?;
    let rt = runtime();
    // The tables first (the journal migrates them on connect), then the workers.
    let engine = (flow == Flow::Durable).then(|| {
        Engine::new(
            PostgresJournal::builder(&url)
                .worker("submitter")
                .connections(CONNECTIONS)
                .connect()
                .expect("the submitter's journal"),
        )
    });
    let baseline = (flow == Flow::Baseline).then(|| {
        rt.block_on(async {
            PgBaseline::create_tables(&connect(&url).await).await;
            PgBaseline::connect(&url, CONNECTIONS).await
        })
    });
    let role = match flow {
        Flow::Durable => "durable-worker",
        Flow::Baseline => "baseline-worker",
    };
    let spawned: Vec<Worker> = (0..workers)
        .map(|i| Worker::spawn(&[role, &url, &format!("w{i}")]))
        .collect();
    for worker in &spawned {
        worker.ready();
    }
    let (span, polls, before, client) = rt.block_on(async {
        let client = connect(&url).await;
        let before = Counters::read(&client).await;
        let submitters: Vec<_> = (0..SUBMITTERS)
            .map(|j| {
                let engine = engine.clone();
                let baseline = baseline.clone();
                tokio::spawn(async move {
                    for i in (j..instances).step_by(SUBMITTERS as usize) {
                        let id = format!("i{i}");
                        if let Some(engine) = &engine {
                            assert!(engine.submit(&id, durable_three_ready(i)).await.unwrap());
                        } else if let Some(baseline) = &baseline {
                            baseline.submit(&id, i).await;
                        }
                    }
                })
            })
            .collect();
        for submitter in submitters {
            submitter.await.expect("the submits");
        }
        let table = match flow {
            Flow::Durable => "workflow_instances",
            Flow::Baseline => "bench_instances",
        };
        let (span, polls) = finished_span(
            &client,
            table,
            i64::from(instances),
            Duration::from_secs(300),
        )
        .await;
        (span, polls, before, client)
    });
    let mut engine_commits = 0;
    for worker in spawned {
        for line in worker.stop() {
            if let Some(commits) = line.strip_prefix("commits ") {
                engine_commits += commits.parse::<i64>().expect("a count");
            }
        }
    }
    drop(engine);
    drop(baseline);
    // The statistics of the ended backends are in; the submitter's are flushed within
    // a second.
    std::thread::sleep(Duration::from_millis(1500));
    let mut counters = rt.block_on(Counters::read(&client)).since(before);
    // This program's polls for the end (and the first counters' read) are not the
    // flow's.
    counters.commits -= polls + 1;
    Some(Run {
        rate: f64::from(instances) / (span.max(1) as f64 / 1000.0),
        counters,
        engine_commits,
    })
}

#[allow(clippy::cast_precision_loss)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("durable-worker") => return durable_worker(&args[1], &args[2]),
        Some("baseline-worker") => return baseline_worker(&args[1], &args[2]),
        _ => {}
    }
    let instances: u32 = args.first().map_or(1000, |a| a.parse().expect("INSTANCES"));
    let rounds: usize = args.get(1).map_or(5, |a| a.parse().expect("ROUNDS"));
    let counts: Vec<usize> = args.get(2).map_or(vec![1, 2, 3], |a| {
        a.split(',').map(|c| c.parse().expect("WORKERS")).collect()
    });
    let n = f64::from(instances);
    let mut results: Vec<(Vec<Run>, Vec<Run>)> = counts.iter().map(|_| (vec![], vec![])).collect();
    for round in 0..rounds {
        for (slot, &workers) in counts.iter().enumerate() {
            let Some(durable) = run(Flow::Durable, workers, instances) else {
                return;
            };
            let Some(hand) = run(Flow::Baseline, workers, instances) else {
                return;
            };
            println!(
                "round {round}, {workers} workers: durable {:.0}/s ({:.2} transactions, {:.2} \
                 WAL syncs an instance), one transaction per step {:.0}/s ({:.2}, {:.2}), ratio {:.2}",
                durable.rate,
                durable.counters.commits as f64 / n,
                durable.counters.syncs as f64 / n,
                hand.rate,
                hand.counters.commits as f64 / n,
                hand.counters.syncs as f64 / n,
                durable.rate / hand.rate,
            );
            results[slot].0.push(durable);
            results[slot].1.push(hand);
        }
    }
    println!("{instances} instances a run, {rounds} rounds: median (min-max) over the rounds");
    for (&workers, (durable, hand)) in counts.iter().zip(&results) {
        let rates = |runs: &[Run]| runs.iter().map(|r| r.rate).collect::<Vec<_>>();
        let per = |runs: &[Run], f: fn(&Run) -> i64| {
            median(runs.iter().map(|r| f(r) as f64 / n).collect())
        };
        let ratios: Vec<f64> = durable
            .iter()
            .zip(hand)
            .map(|(d, h)| d.rate / h.rate)
            .collect();
        let (d, h) = (rates(durable), rates(hand));
        let ((dmin, dmax), (hmin, hmax), (rmin, rmax)) = (spread(&d), spread(&h), spread(&ratios));
        println!(
            "{workers} workers: durable {:.0}/s ({dmin:.0}-{dmax:.0}), one transaction per step \
             {:.0}/s ({hmin:.0}-{hmax:.0}), ratio {:.2} ({rmin:.2}-{rmax:.2}); transactions an \
             instance: durable {:.2} (engine commits {:.2}, grouped submits, claims, renewals, \
             polls), baseline {:.2}; WAL syncs an instance: durable {:.2}, baseline {:.2}",
            median(d),
            median(h),
            median(ratios.clone()),
            per(durable, |r| r.counters.commits),
            per(durable, |r| r.engine_commits),
            per(hand, |r| r.counters.commits),
            per(durable, |r| r.counters.syncs),
            per(hand, |r| r.counters.syncs),
        );
    }
}

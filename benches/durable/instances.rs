//! Instances per second of a 3-branch fork on `SQLite`, `#[durable]` (group commit)
//! against the hand-written one transaction per step, in alternating rounds: on a disk
//! whose fsync time moves with what else runs, each pair of rounds meets the same
//! conditions, and the ratio is the median of the pairs' ratios.
//!
//! ```sh
//! cargo run --release -p workflow-benches-durable --example instances -- ready 100 15
//! ```
//!
//! Arguments: the steps (`ready` or `timer`), the instances in flight, the rounds.

use std::path::PathBuf;
use std::time::Instant;

use workflow_benches_durable::{
    Baseline, durable_three_ready, durable_three_timer, fresh_dir, ready, sqlite_journal, timer,
};
use workflow_runtime::durable::Engine;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[allow(clippy::cast_precision_loss)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [steps, in_flight, rounds] = &args[..] else {
        panic!("usage: instances ready|timer IN_FLIGHT ROUNDS");
    };
    let timed = match steps.as_str() {
        "ready" => false,
        "timer" => true,
        _ => panic!("usage: instances ready|timer IN_FLIGHT ROUNDS"),
    };
    let in_flight: u32 = in_flight.parse().expect("IN_FLIGHT, a number");
    let rounds: u32 = rounds.parse().expect("ROUNDS, a number");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tmp");
    let engine = Engine::new(sqlite_journal(&root, "instances"));
    let baseline = Baseline::open(&fresh_dir(&root, "instances").join("baseline.db"));
    let (mut durable_rates, mut baseline_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let started = Instant::now();
        rt.block_on(async {
            let tasks: Vec<_> = (0..in_flight)
                .map(|i| {
                    let engine = engine.clone();
                    let id = format!("{round}-{i}");
                    tokio::spawn(async move {
                        if timed {
                            engine.run(&id, durable_three_timer(i)).await
                        } else {
                            engine.run(&id, durable_three_ready(i)).await
                        }
                    })
                })
                .collect();
            for (i, task) in (0..in_flight).zip(tasks) {
                assert_eq!(task.await.expect("the instance"), Ok(3 * i + 3));
            }
        });
        let durable = f64::from(in_flight) / started.elapsed().as_secs_f64();
        let started = Instant::now();
        rt.block_on(async {
            let tasks: Vec<_> = (0..in_flight)
                .map(|i| {
                    let baseline = baseline.clone();
                    let id = format!("{round}-{i}");
                    tokio::spawn(async move {
                        if timed {
                            baseline.three(&id, i, timer).await
                        } else {
                            baseline.three(&id, i, ready).await
                        }
                    })
                })
                .collect();
            for (i, task) in (0..in_flight).zip(tasks) {
                assert_eq!(task.await.expect("the instance"), 3 * i + 3);
            }
        });
        let hand = f64::from(in_flight) / started.elapsed().as_secs_f64();
        println!(
            "round {round}: durable {durable:.0}/s, one transaction per step {hand:.0}/s, \
             ratio {:.2}",
            durable / hand
        );
        durable_rates.push(durable);
        baseline_rates.push(hand);
        ratios.push(durable / hand);
    }
    let instances = f64::from(in_flight * rounds);
    // The durable journal's transactions: every instance's row (`Journal::create`), and
    // the committer's commits.
    let durable_transactions = instances + engine.commits() as f64;
    println!(
        "{steps} steps, {in_flight} in flight, {rounds} rounds: durable {:.0} instances/s \
         ({:.2} transactions an instance), one transaction per step {:.0}/s ({:.2}), \
         median ratio {:.2} (min {:.2}, max {:.2})",
        median(durable_rates),
        durable_transactions / instances,
        median(baseline_rates),
        baseline.transactions() as f64 / instances,
        median(ratios.clone()),
        ratios.iter().copied().fold(f64::INFINITY, f64::min),
        ratios.iter().copied().fold(0.0, f64::max),
    );
}

//! Three worker processes (`pg-worker`) share 1,000 instances of the crash shapes on one
//! `PostgreSQL` journal, submitted by this process with `Engine::submit`; every few
//! hundred milliseconds (or sooner, at each eighth of the instances finished) a random
//! worker is killed with SIGKILL and started again (a lease of 1 s, so its instances are
//! taken over by the others about a second later).
//! Then:
//! - every instance is `finished`, with the output of a run without kills (on an
//!   in-memory journal);
//! - no instance had two owners at once: per instance, in commit order, every record
//!   was written under the fence of the latest claim ([`check_fences`]; a doctored copy
//!   of the rows, a record moved under an older claim, fails it);
//! - no committed step ran again ([`check_no_rerun`], from the side files);
//! - every killed worker's instances were claimed again, and how long after the kill
//!   (printed; the lease plus the claim poll).
//!
//! `WORKFLOW_PG_INSTANCES` sets the instances (1,000), `WORKFLOW_PG_KILL_MS` the mean
//! time between kills (400 ms).

use std::path::PathBuf;
use std::time::Duration;

use workflow_example_postgres::{
    Rng, SHAPES, Workers, check_fences, check_no_rerun, env_number, read_tables, reference,
    scratch_dir, side_lines, submit_shape, takeovers,
};
use workflow_runtime::durable::{Engine, PostgresJournal};

#[path = "../../../workflow-runtime/src/durable/postgres/testdb.rs"]
mod testdb;

const LEASE: Duration = Duration::from_secs(1);
const WORKERS: usize = 3;
const HANG: Duration = Duration::from_secs(240);

#[test]
fn killed_workers_instances_are_taken_over_and_finish_right() {
    let Some(url) = testdb::fresh_database("many_workers") else {
        return;
    };
    let instances = env_number("WORKFLOW_PG_INSTANCES", 1_000);
    let kill_ms = env_number("WORKFLOW_PG_KILL_MS", 400);
    let dir = scratch_dir("many");
    let program = PathBuf::from(env!("CARGO_BIN_EXE_pg-worker"));
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);

    let (references, shape_of) = runtime.block_on(async {
        let journal = PostgresJournal::builder(&url)
            .worker("submitter")
            .connect()
            .expect("connect the submitter");
        let engine = Engine::new(journal);
        let mut shape_of = Vec::new();
        for n in 0..instances {
            let shape = usize::try_from(rng.below(SHAPES as u64)).expect("a shape");
            assert!(
                submit_shape(&engine, shape, &format!("i{n}"))
                    .await
                    .expect("submit")
            );
            shape_of.push(shape);
        }
        let mut references = Vec::new();
        for shape in 0..SHAPES {
            references.push(reference(shape).await);
        }
        (references, shape_of)
    });

    let mut workers = Workers::start(&program, &url, &dir, LEASE, WORKERS);
    let (took, kills) =
        runtime.block_on(workers.kill_until_done(&mut rng, kill_ms, HANG, async |_, _| {}));
    drop(workers);

    let tables = runtime.block_on(read_tables(&url));
    let mut wrong = Vec::new();
    for (n, shape) in shape_of.iter().enumerate() {
        let id = format!("i{n}");
        match tables.instances.get(&id) {
            Some((status, Some(output))) if status == "finished" => {
                if *output != references[*shape] {
                    wrong.push(format!(
                        "{id} (shape {shape}): {} instead of {}",
                        String::from_utf8_lossy(output),
                        String::from_utf8_lossy(&references[*shape])
                    ));
                }
            }
            other => wrong.push(format!("{id} (shape {shape}): {other:?}")),
        }
    }
    assert!(wrong.is_empty(), "wrong outputs:\n{}", wrong.join("\n"));
    check_fences(&tables).unwrap_or_else(|error| panic!("two owners at once: {error}"));
    let lines = side_lines(&dir.join("side"));
    let starts = check_no_rerun(&tables, &lines)
        .unwrap_or_else(|error| panic!("a committed step ran again: {error}"));

    // The control: one record moved under the claim before the one it was written
    // under (as a worker that kept writing after the takeover would have) fails it.
    let mut doctored = tables.clone();
    let moved = doctored
        .records
        .iter_mut()
        .find(|record| record.fence > 1)
        .expect("an instance taken over and written to after");
    moved.fence -= 1;
    assert!(
        check_fences(&doctored).is_err(),
        "the fence check passes a record written under an older claim"
    );

    let mut delays: Vec<i64> = Vec::new();
    let mut ended_as_killed = 0;
    for kill in &kills {
        for delay in takeovers(&tables, &kill.worker, kill.killed_ms, &kill.held) {
            match delay {
                Some(delay) => delays.push(delay),
                None => ended_as_killed += 1,
            }
        }
    }
    let taken = delays.len();
    delays.sort_unstable();
    let at = |q: usize| {
        delays
            .get(delays.len().saturating_sub(1) * q / 100)
            .copied()
    };
    println!(
        "many_workers: {instances} instances, {WORKERS} workers, {} SIGKILLs, {} records, {} \
         claims, {starts} step starts checked, {:.1} s; {taken} instances taken over after a \
         kill: median {:?} ms, p90 {:?} ms, max {:?} ms, min {:?} ms (lease {} ms); \
         {ended_as_killed} held ones ended as their worker was killed",
        kills.len(),
        tables.records.len(),
        tables.claims.len(),
        took.as_secs_f64(),
        at(50),
        at(90),
        at(100),
        delays.first(),
        LEASE.as_millis()
    );
    assert!(
        kills.len() >= 5,
        "only {} kills (one at least at every eighth of the instances finished)",
        kills.len()
    );
    assert!(taken > 0, "no kill took an instance from a worker");
    std::fs::remove_dir_all(&dir).ok();
}

//! Issue 14: a shared fan-out under SIGKILL. Three worker processes (`pg-worker`, a
//! lease of 1 s) serve one instance of [`fan`]: 2,000 items, `#[limit(16)]` across the
//! workers, each item a step of 3 ms. Every ~500 ms a random worker is killed with
//! SIGKILL and started again, until the instance ends (or a deadline fails the test).
//! A sampler reads the database meanwhile. Then:
//! - the output is every item's [`item_value`], in the items' order;
//! - no item's step started after its record had been committed (the side files note
//!   each start's time; the sampler notes when it first saw each record): an item
//!   killed mid-step runs again, a committed one is replayed;
//! - the sampler never saw more than 16 items running (`workflow_fan_outs.running` nor
//!   the items in state `running`);
//! - some kill hit a worker running items, and the items of killed workers were claimed
//!   again by others (how long after the kill is printed: the lease plus the claim
//!   poll).
//!
//! `WORKFLOW_PG_FAN_OUT_ITEMS` sets the items (2,000), `WORKFLOW_PG_FAN_OUT_INSTANCES`
//! the instances (1), `WORKFLOW_PG_KILL_MS` the mean time between kills (500 ms).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio_postgres::Client;
use workflow_example_postgres::{
    FAN_LIMIT, ItemStart, Rng, Workers, check_no_item_rerun, connect, env_number, fan, item_of_key,
    item_starts, item_value, now_ms, now_us, read_tables, scratch_dir, takeovers,
};
use workflow_runtime::durable::{Engine, PostgresJournal};

#[path = "../../../workflow-runtime/src/durable/postgres/testdb.rs"]
mod testdb;

const LEASE: Duration = Duration::from_secs(1);
const WORKERS: usize = 3;
const HANG: Duration = Duration::from_secs(120);
const SAMPLE_EVERY: Duration = Duration::from_millis(20);

/// The items a killed worker held (instance, index, fence), watched until each is
/// claimed again (its fence grows) or found done under the dead worker's fence (its
/// commit went through as it died).
struct Watch {
    killed_ms: i64,
    items: Vec<(String, i32, i64)>,
}

/// What the sampler saw.
#[derive(Default)]
struct Seen {
    samples: usize,
    /// The most `workflow_fan_outs.running` of one fan-out, and the most of its items in
    /// state `running`, in one sample.
    most_running: i64,
    most_counted: i64,
    /// Per (instance, item): by when (Unix µs) its record was in the journal.
    committed: HashMap<(String, u32), i64>,
    /// Killed workers' items not resolved yet.
    watches: Vec<Watch>,
    /// How long after its worker's kill each item was claimed again (ms, first seen).
    taken_over: Vec<i64>,
    /// Items done under their killed worker's fence.
    ended_as_killed: usize,
}

const GAUGE: &str = "SELECT f.running::int8, count(*) FILTER (WHERE it.state = 'running')
     FROM workflow_fan_outs AS f
     JOIN workflow_items AS it ON it.instance = f.instance AND it.fan_out = f.key
     GROUP BY f.instance, f.key, f.running";
const WATCHED: &str = "SELECT it.instance, it.idx, it.fence, it.state
     FROM workflow_items AS it
     JOIN UNNEST($1::text[], $2::int4[]) AS w(instance, idx)
       ON it.instance = w.instance AND it.idx = w.idx";

impl Seen {
    async fn gauge(&mut self, client: &Client) {
        for row in client.query(GAUGE, &[]).await.expect("the gauge") {
            self.most_running = self.most_running.max(row.get(0));
            self.most_counted = self.most_counted.max(row.get(1));
        }
        self.samples += 1;
    }

    async fn records(&mut self, client: &Client) {
        let rows = client
            .query("SELECT instance, key FROM workflow_records", &[])
            .await
            .expect("read the records");
        // Every record read was committed by the end of the read.
        let by = now_us();
        for row in rows {
            if let Some(index) = item_of_key(row.get(1)) {
                self.committed.entry((row.get(0), index)).or_insert(by);
            }
        }
    }

    async fn watch(&mut self, client: &Client) {
        for watch in std::mem::take(&mut self.watches) {
            let (instances, indexes): (Vec<String>, Vec<i32>) = watch
                .items
                .iter()
                .map(|(instance, index, _)| (instance.clone(), *index))
                .unzip();
            let now = now_ms();
            let rows = client
                .query(WATCHED, &[&instances, &indexes])
                .await
                .expect("read the watched items");
            let mut left = Vec::new();
            for (instance, index, fence) in watch.items {
                let row = rows
                    .iter()
                    .find(|row| row.get::<_, &str>(0) == instance && row.get::<_, i32>(1) == index)
                    .expect("a watched item is in the table");
                if row.get::<_, i64>(2) > fence {
                    self.taken_over.push(now - watch.killed_ms);
                } else if row.get::<_, &str>(3) == "done" {
                    self.ended_as_killed += 1;
                } else {
                    left.push((instance, index, fence));
                }
            }
            if !left.is_empty() {
                self.watches.push(Watch {
                    killed_ms: watch.killed_ms,
                    items: left,
                });
            }
        }
    }
}

/// Samples the database every [`SAMPLE_EVERY`] until `stop`, the records every fifth.
async fn sample(url: String, seen: Arc<Mutex<Seen>>, stop: Arc<AtomicBool>) {
    let client = connect(&url).await;
    let mut round = 0_u64;
    while !stop.load(Ordering::SeqCst) {
        // Work on a copy (no lock held across a query), then put it back.
        let mut now = std::mem::take(&mut *seen.lock().unwrap_or_else(PoisonError::into_inner));
        now.gauge(&client).await;
        if round.is_multiple_of(5) {
            now.records(&client).await;
        }
        now.watch(&client).await;
        put_back(&seen, now);
        round += 1;
        tokio::time::sleep(SAMPLE_EVERY).await;
    }
    let mut now = std::mem::take(&mut *seen.lock().unwrap_or_else(PoisonError::into_inner));
    now.records(&client).await;
    now.watch(&client).await;
    put_back(&seen, now);
}

/// Puts the sampler's copy back, with the watches added to the shared one meanwhile.
fn put_back(seen: &Mutex<Seen>, mut now: Seen) {
    let mut shared = seen.lock().unwrap_or_else(PoisonError::into_inner);
    now.watches.append(&mut shared.watches);
    *shared = now;
}

/// The items `worker` holds (state running under its name).
async fn items_held_by(client: &Client, worker: &str) -> Vec<(String, i32, i64)> {
    client
        .query(
            "SELECT instance, idx, fence FROM workflow_items
             WHERE owner = $1 AND state = 'running'",
            &[&worker],
        )
        .await
        .expect("read the held items")
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect()
}

/// The `q`th percentile of sorted `values`.
fn percentile(values: &[i64], q: usize) -> Option<i64> {
    values
        .get(values.len().saturating_sub(1) * q / 100)
        .copied()
}

#[test]
fn fan_out_workers_killed() {
    let Some(url) = testdb::fresh_database("fan_out_killed") else {
        return;
    };
    let items = u32::try_from(env_number("WORKFLOW_PG_FAN_OUT_ITEMS", 2_000)).expect("items");
    let instances = env_number("WORKFLOW_PG_FAN_OUT_INSTANCES", 1);
    let kill_ms = env_number("WORKFLOW_PG_KILL_MS", 500);
    let dir = scratch_dir("fan");
    let program = PathBuf::from(env!("CARGO_BIN_EXE_pg-worker"));
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);

    runtime.block_on(async {
        let journal = PostgresJournal::builder(&url)
            .worker("submitter")
            .connect()
            .expect("connect the submitter");
        let engine = Engine::new(journal);
        for n in 0..instances {
            assert!(
                engine
                    .submit(&format!("f{n}"), fan(items))
                    .await
                    .expect("submit")
            );
        }
    });

    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = runtime.spawn(sample(url.clone(), Arc::clone(&seen), Arc::clone(&stop)));
    let mut workers = Workers::start(&program, &url, &dir, LEASE, WORKERS);
    // How many items each killed worker held.
    let mut items_of_kills = Vec::new();
    let (took, kills) =
        runtime.block_on(
            workers.kill_until_done(&mut rng, kill_ms, HANG, async |client, kill| {
                let items = items_held_by(client, &kill.worker).await;
                items_of_kills.push(items.len());
                if !items.is_empty() {
                    let killed_ms = kill.killed_ms;
                    seen.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .watches
                        .push(Watch { killed_ms, items });
                }
            }),
        );
    drop(workers);
    stop.store(true, Ordering::SeqCst);
    runtime.block_on(sampler).expect("the sampler");
    let seen = std::mem::take(&mut *seen.lock().unwrap_or_else(PoisonError::into_inner));

    let tables = runtime.block_on(read_tables(&url));
    let expected: Vec<u64> = (0..items).map(item_value).collect();
    for n in 0..instances {
        let id = format!("f{n}");
        match tables.instances.get(&id) {
            Some((status, Some(output))) if status == "finished" => {
                let (total, output): (u32, Vec<u64>) =
                    serde_json::from_slice(output).expect("an output");
                assert_eq!(total, items, "{id}: the step beside the fan-out");
                assert_eq!(output.len(), expected.len(), "{id}: how many outputs");
                if let Some(at) = (0..output.len()).find(|&i| output[i] != expected[i]) {
                    panic!(
                        "{id}: output {at} is {} instead of {}",
                        output[at], expected[at]
                    );
                }
            }
            other => panic!("{id}: {other:?}"),
        }
    }

    let starts = item_starts(&dir.join("side"));
    let checked = check_no_item_rerun(&seen.committed, &starts)
        .unwrap_or_else(|error| panic!("a committed item ran again: {error}"));
    let mut runs: HashMap<(&str, u32), usize> = HashMap::new();
    for start in &starts {
        *runs.entry((&start.instance, start.index)).or_default() += 1;
    }
    let total = usize::try_from(instances).expect("instances") * items as usize;
    assert_eq!(runs.len(), total, "every item's step started");
    assert_eq!(
        seen.committed.len(),
        total,
        "the sampler saw every item's record"
    );
    let again = runs.values().filter(|&&n| n > 1).count();
    // The control: a start of a committed item just after the sampler saw its record
    // fails the check.
    let (key, &by) = seen.committed.iter().next().expect("a committed item");
    let mut doctored = starts.clone();
    doctored.push(ItemStart {
        worker: "doctored".to_owned(),
        instance: key.0.clone(),
        index: key.1,
        at_us: by + 1,
    });
    assert!(
        check_no_item_rerun(&seen.committed, &doctored).is_err(),
        "the rerun check passes a start after the commit"
    );

    let mut taken = seen.taken_over.clone();
    taken.sort_unstable();
    let mut holder_delays: Vec<i64> = kills
        .iter()
        .flat_map(|kill| takeovers(&tables, &kill.worker, kill.killed_ms, &kill.held))
        .flatten()
        .collect();
    holder_delays.sort_unstable();
    let kills_with_items = items_of_kills.iter().filter(|&&n| n > 0).count();
    println!(
        "fan_out_killed: {instances} instance(s) of {items} items, #[limit({FAN_LIMIT})], \
         {WORKERS} workers, {} SIGKILLs ({kills_with_items} of a worker running items), \
         {:.1} s; {checked} item starts checked, {again} items started more than once \
         (killed mid-step); most running in {} samples: {} (running count), {} (items \
         running); {} items of killed workers claimed again after: median {:?} ms, p90 \
         {:?} ms, max {:?} ms, min {:?} ms (lease {} ms, sampled every {} ms); {} ended \
         as their worker was killed; the instance taken over {} times after: median {:?} \
         ms, max {:?} ms",
        kills.len(),
        took.as_secs_f64(),
        seen.samples,
        seen.most_running,
        seen.most_counted,
        taken.len(),
        percentile(&taken, 50),
        percentile(&taken, 90),
        taken.last(),
        taken.first(),
        LEASE.as_millis(),
        SAMPLE_EVERY.as_millis(),
        seen.ended_as_killed,
        holder_delays.len(),
        percentile(&holder_delays, 50),
        holder_delays.last(),
    );
    assert!(
        seen.most_running <= FAN_LIMIT && seen.most_counted <= FAN_LIMIT,
        "more than {FAN_LIMIT} items ran at once: running count {}, items running {}",
        seen.most_running,
        seen.most_counted
    );
    assert!(
        seen.most_counted > 1,
        "the gauge never saw items running ({} samples)",
        seen.samples
    );
    assert!(kills_with_items > 0, "no kill hit a worker running items");
    assert!(
        !taken.is_empty(),
        "no killed worker's item was claimed again"
    );
    assert!(
        seen.watches.is_empty(),
        "items of killed workers never claimed again nor done: {}",
        seen.watches.len()
    );
    std::fs::remove_dir_all(&dir).ok();
}

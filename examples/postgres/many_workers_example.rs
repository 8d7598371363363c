//! Two worker processes share a batch of 200 submitted instances (the crash harness's
//! random fork shapes) on one `PostgreSQL` journal; one is killed with SIGKILL mid-way
//! and the other takes its instances over once their leases (1 s) run out. Prints who
//! ran what and how long the takeover took, and asserts every output.
//!
//! ```text
//! cargo run -p workflow-example-postgres --example many_workers
//! ```
//!
//! With `WORKFLOW_POSTGRES_URL` (a `postgresql://user@host:port/db` URL) it creates a
//! database of its own on that server; without it, it starts a throwaway server with
//! `tools/postgres.sh` in a temporary directory and stops it at the end. The workers are
//! this program run again with `worker` as its first argument.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use workflow_example_postgres::{
    SHAPES, Worker, check_fences, held_by, now_ms, read_tables, reference, submit_shape, takeovers,
    unfinished, wait_until, worker_main,
};
use workflow_runtime::durable::{Engine, PostgresJournal};

const INSTANCES: usize = 200;
const LEASE: Duration = Duration::from_secs(1);

/// A server started for this run, stopped (and its directory removed) when dropped.
struct Throwaway {
    dir: PathBuf,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/postgres.sh")
}

impl Throwaway {
    fn start() -> (Throwaway, String) {
        let dir = std::env::temp_dir().join(format!("workflow-pg-example-{}", std::process::id()));
        let out = std::process::Command::new(script())
            .arg("start")
            .arg(&dir)
            .output()
            .expect("run tools/postgres.sh");
        assert!(
            out.status.success(),
            "tools/postgres.sh start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        println!(
            "WORKFLOW_POSTGRES_URL is not set: started a throwaway server in {} ({url})",
            dir.display()
        );
        (Throwaway { dir }, url)
    }
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        let _ = std::process::Command::new(script())
            .arg("stop")
            .arg(&self.dir)
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
        println!("stopped the throwaway server");
    }
}

/// A new database on the server of `url`, and its URL.
async fn database(url: &str) -> String {
    let name = format!("workflow_example_{}", std::process::id());
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to the server");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a database");
    let base = url.rsplit_once('/').map_or(url, |(base, _)| base);
    format!("{base}/{name}")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("worker") {
        worker_main(&args[1..]);
        return;
    }
    let (server, url) = match std::env::var("WORKFLOW_POSTGRES_URL") {
        Ok(url) => (None, url),
        Err(_) => {
            let (server, url) = Throwaway::start();
            (Some(server), url)
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let url = runtime.block_on(database(&url));
    let dir = std::env::temp_dir().join(format!("workflow-pg-example-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let me = std::env::current_exe().expect("this program's path");

    let shape_of: Vec<usize> = (0..INSTANCES).map(|n| (n * 11 + 5) % SHAPES).collect();
    let references = runtime.block_on(async {
        let engine = Engine::new(
            PostgresJournal::builder(&url)
                .worker("submitter")
                .connect()
                .expect("connect"),
        );
        for (n, shape) in shape_of.iter().enumerate() {
            submit_shape(&engine, *shape, &format!("i{n}"))
                .await
                .expect("submit");
        }
        let mut references = Vec::new();
        for shape in 0..SHAPES {
            references.push(reference(shape).await);
        }
        references
    });
    println!(
        "submitted {INSTANCES} instances of {SHAPES} shapes; starting workers w1 and w2 (lease {} ms)",
        LEASE.as_millis()
    );
    let w1 = Worker::start(&me, &["worker"], &url, "w1", &dir, LEASE, None);
    let w2 = Worker::start(&me, &["worker"], &url, "w2", &dir, LEASE, None);
    let (killed_ms, held) = runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(connection);
        // Mid-way: once a quarter of the instances has finished.
        let three_quarters = i64::try_from(INSTANCES * 3 / 4).expect("a count");
        wait_until(Duration::from_secs(60), async || {
            unfinished(&client).await <= three_quarters
        })
        .await;
        let left = unfinished(&client).await;
        w1.kill();
        let killed_ms = now_ms();
        let held = held_by(&client, "w1").await;
        println!(
            "killed w1 (SIGKILL) with {left} instances unfinished, {} of them held by w1",
            held.len()
        );
        assert!(
            wait_until(Duration::from_secs(120), async || unfinished(&client).await
                == 0)
            .await,
            "the instances did not finish"
        );
        (killed_ms, held)
    });
    drop(w2);

    let tables = runtime.block_on(read_tables(&url));
    check_fences(&tables).expect("one owner at a time");
    let owner: HashMap<(&str, i64), &str> = tables
        .claims
        .iter()
        .map(|claim| ((claim.instance.as_str(), claim.fence), claim.owner.as_str()))
        .collect();
    // worker -> (instances it wrote records of, records)
    let mut ran: BTreeMap<&str, (std::collections::BTreeSet<&str>, usize)> = BTreeMap::new();
    for record in &tables.records {
        let who = owner[&(record.instance.as_str(), record.fence)];
        let entry = ran.entry(who).or_default();
        entry.0.insert(&record.instance);
        entry.1 += 1;
    }
    for (worker, (instances, records)) in &ran {
        println!(
            "{worker} committed {records} steps of {} instances",
            instances.len()
        );
    }
    let mut delays: Vec<i64> = takeovers(&tables, "w1", killed_ms, &held)
        .into_iter()
        .flatten()
        .collect();
    delays.sort_unstable();
    if let (Some(first), Some(last)) = (delays.first(), delays.last()) {
        println!(
            "w2 took over {} of w1's instances {first}-{last} ms after the kill (median {} ms; lease {} ms)",
            delays.len(),
            delays[delays.len() / 2],
            LEASE.as_millis()
        );
    }
    for (n, shape) in shape_of.iter().enumerate() {
        let (status, output) = &tables.instances[&format!("i{n}")];
        assert_eq!(status, "finished");
        assert_eq!(
            output.as_deref(),
            Some(&references[*shape][..]),
            "instance i{n}"
        );
    }
    println!("all {INSTANCES} outputs are those of a run without a kill");
    std::fs::remove_dir_all(&dir).ok();
    drop(server);
}

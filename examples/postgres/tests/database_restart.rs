//! Two workers run 600 instances of the crash shapes when the `PostgreSQL` server is
//! restarted under them (`tools/postgres.sh restart DIR`, the data directory from
//! `WORKFLOW_POSTGRES_DIR`): their connections are cut, they reconnect and go on (both
//! processes still run at the end); every instance finishes with the output of a run
//! without a restart, no record is lost or written under a lost hold, no committed step
//! runs again.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use workflow_example_postgres::{
    SHAPES, Worker, check_fences, check_no_rerun, read_tables, reference, side_lines, submit_shape,
    unfinished, wait_until,
};
use workflow_runtime::durable::{Engine, PostgresJournal};

#[path = "../../../workflow-runtime/src/durable/postgres/testdb.rs"]
mod testdb;

const INSTANCES: usize = 600;
/// The restart comes once a tenth of them has finished.
const BEFORE_RESTART: i64 = 540;
const LEASE: Duration = Duration::from_secs(3);

/// Counts the unfinished instances on a new connection (the old ones die with the
/// server).
async fn count_unfinished(url: &str) -> Option<i64> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .ok()?;
    tokio::spawn(connection);
    Some(unfinished(&client).await)
}

#[test]
fn workers_reconnect_after_the_server_restarts_and_finish_everything() {
    let Ok(data) = std::env::var("WORKFLOW_POSTGRES_DIR") else {
        assert!(
            std::env::var_os("WORKFLOW_REQUIRE_POSTGRES").is_none(),
            "this test restarts the server: WORKFLOW_REQUIRE_POSTGRES is set, \
             WORKFLOW_POSTGRES_DIR (the DIR of `tools/postgres.sh start DIR`) is not"
        );
        eprintln!(
            "test `database_restart` needs the server's directory and did not run: set \
             WORKFLOW_POSTGRES_DIR (the DIR of `tools/postgres.sh start DIR`)"
        );
        return;
    };
    let Some(url) = testdb::fresh_database("database_restart") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("workflow-pg-restart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let program = PathBuf::from(env!("CARGO_BIN_EXE_pg-worker"));
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let shape_of: Vec<usize> = (0..INSTANCES).map(|n| (n * 7 + 3) % SHAPES).collect();
    let references = runtime.block_on(async {
        let engine = Engine::new(
            PostgresJournal::builder(&url)
                .worker("submitter")
                .connect()
                .expect("connect the submitter"),
        );
        for (n, shape) in shape_of.iter().enumerate() {
            assert!(
                submit_shape(&engine, *shape, &format!("i{n}"))
                    .await
                    .expect("submit")
            );
        }
        let mut references = Vec::new();
        for shape in 0..SHAPES {
            references.push(reference(shape).await);
        }
        references
    });
    let mut workers: Vec<Worker> = ["a", "b"]
        .iter()
        .map(|name| Worker::start(&program, &[], &url, name, &dir, LEASE, None))
        .collect();
    let at_restart = runtime.block_on(async {
        assert!(
            wait_until(Duration::from_secs(60), async || {
                count_unfinished(&url)
                    .await
                    .is_some_and(|n| n <= BEFORE_RESTART)
            })
            .await,
            "the workers did not start"
        );
        count_unfinished(&url).await.expect("count")
    });
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/postgres.sh");
    let restarted = Instant::now();
    let status = std::process::Command::new(script)
        .arg("restart")
        .arg(&data)
        .status()
        .expect("run tools/postgres.sh");
    assert!(status.success(), "tools/postgres.sh restart {data}");
    let restart = restarted.elapsed();
    let finished = runtime.block_on(async {
        wait_until(Duration::from_secs(120), async || {
            count_unfinished(&url).await == Some(0)
        })
        .await
    });
    let took = restarted.elapsed();
    for worker in &mut workers {
        assert!(worker.running(), "worker {} ended", worker.name);
    }
    drop(workers);
    assert!(finished, "instances unfinished 120 s after the restart");
    assert!(at_restart > 0, "everything finished before the restart");

    let tables = runtime.block_on(read_tables(&url));
    for (n, shape) in shape_of.iter().enumerate() {
        let id = format!("i{n}");
        let (status, output) = &tables.instances[&id];
        assert_eq!(status, "finished", "{id}");
        assert_eq!(output.as_deref(), Some(&references[*shape][..]), "{id}");
    }
    check_fences(&tables).unwrap_or_else(|error| panic!("two owners at once: {error}"));
    let starts = check_no_rerun(&tables, &side_lines(&dir.join("side")))
        .unwrap_or_else(|error| panic!("a committed step ran again: {error}"));
    println!(
        "database_restart: {INSTANCES} instances, {at_restart} unfinished when the server \
         restarted ({:.1} s to restart), all finished {:.1} s after; {} records, {} claims, \
         {starts} step starts checked",
        restart.as_secs_f64(),
        took.as_secs_f64(),
        tables.records.len(),
        tables.claims.len()
    );
    std::fs::remove_dir_all(&dir).ok();
}

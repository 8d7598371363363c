//! A worker paused (SIGSTOP) past its lease while it runs an instance's long step;
//! another worker takes the instance over and finishes it; the paused worker is
//! continued (SIGCONT): its long step ends there, and its commit is refused (the
//! journal's fence moved), which its side file shows. No record was written under the
//! paused worker's fence after the other's claim, the output is the right one, and the
//! instance is `finished`.

use std::path::PathBuf;
use std::time::Duration;

use workflow_example_postgres::{
    Line, Worker, check_fences, check_no_rerun, read_tables, side_lines, slow, slow_reference,
    wait_until,
};
use workflow_runtime::durable::{Engine, PostgresJournal};

#[path = "../../../workflow-runtime/src/durable/postgres/testdb.rs"]
mod testdb;

const LEASE: Duration = Duration::from_secs(1);

#[test]
fn a_paused_worker_past_its_lease_has_its_commits_refused() {
    let Some(url) = testdb::fresh_database("paused_worker") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("workflow-pg-paused-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let program = PathBuf::from(env!("CARGO_BIN_EXE_pg-worker"));
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let side = dir.join("side");
    let has = |wanted: &Line| side_lines(&side).contains(wanted);
    let step = |worker: &str, leaf: u32, start: bool| {
        Line::Step(worker.to_owned(), "p".to_owned(), leaf, start)
    };

    runtime.block_on(async {
        let engine = Engine::new(
            PostgresJournal::builder(&url)
                .worker("submitter")
                .connect()
                .expect("connect the submitter"),
        );
        assert!(engine.submit("p", slow()).await.expect("submit"));
    });
    let paused = Worker::start(
        &program,
        &[],
        &url,
        "paused",
        &dir,
        LEASE,
        Some(Duration::from_secs(4)),
    );
    runtime.block_on(async {
        assert!(
            wait_until(Duration::from_secs(30), async || has(&step(
                "paused", 1, true
            )))
            .await,
            "the long step did not start"
        );
    });
    paused.signal("STOP");
    let taker = Worker::start(
        &program,
        &[],
        &url,
        "taker",
        &dir,
        LEASE,
        Some(Duration::ZERO),
    );
    let finished = runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(connection);
        wait_until(Duration::from_secs(30), async || {
            let row = client
                .query_one("SELECT status FROM workflow_instances WHERE id = 'p'", &[])
                .await
                .expect("read the instance");
            row.get::<_, String>(0) == "finished"
        })
        .await
    });
    assert!(finished, "the other worker did not finish the instance");
    paused.signal("CONT");
    let refused = Line::Refused("paused".to_owned(), vec!["p".to_owned()]);
    runtime.block_on(async {
        assert!(
            wait_until(Duration::from_secs(30), async || has(&refused)).await,
            "the paused worker's commit was not refused: {:?}",
            side_lines(&side)
        );
    });
    drop((paused, taker));

    let lines = side_lines(&side);
    assert!(
        lines.contains(&step("paused", 1, false)),
        "the long step ended in the paused worker"
    );
    assert!(
        lines.contains(&step("taker", 1, true)),
        "the taker ran the long step again"
    );
    let tables = runtime.block_on(read_tables(&url));
    let (status, output) = &tables.instances["p"];
    assert_eq!(status, "finished");
    assert_eq!(
        output.as_deref(),
        Some(&runtime.block_on(slow_reference())[..])
    );
    let claim = |owner: &str| {
        tables
            .claims
            .iter()
            .find(|claim| claim.owner == owner)
            .unwrap_or_else(|| panic!("no claim by {owner}"))
    };
    let (old, new) = (claim("paused"), claim("taker"));
    assert!(new.fence > old.fence && new.seq > old.seq);
    let late: Vec<&str> = tables
        .records
        .iter()
        .filter(|record| record.fence == old.fence && record.seq > new.seq)
        .map(|record| record.key.as_str())
        .collect();
    assert!(
        late.is_empty(),
        "written under the old fence after the takeover: {late:?}"
    );
    check_fences(&tables).unwrap_or_else(|error| panic!("two owners at once: {error}"));
    check_no_rerun(&tables, &lines).unwrap_or_else(|error| panic!("{error}"));
    println!(
        "paused_worker: claimed by paused (fence {}), taken over by taker (fence {}) {} ms \
         later; the paused worker's commit refused after SIGCONT",
        old.fence,
        new.fence,
        new.at_ms - old.at_ms
    );
    std::fs::remove_dir_all(&dir).ok();
}

//! Group commit with `#[durable]` macro code: the eight results of a fork whose eight
//! branches finish in one poll are one `Journal::commit`, on the in-memory journal
//! (commits inline) and on `SQLite` (commits on the engine's committer thread).

use workflow_benches_durable::{durable_eight, durable_three_ready, sqlite_journal};
use workflow_runtime::durable::{Engine, MemoryJournal};

#[tokio::test]
async fn eight_branches_finishing_together_are_one_commit_in_memory() {
    let engine = Engine::new(MemoryJournal::new());
    assert_eq!(engine.run("eight-0", durable_eight(1)).await, Ok(36));
    // One commit for the eight results, one for the output.
    assert_eq!(engine.commits(), 2);
    // A second instance: two more.
    assert_eq!(engine.run("eight-1", durable_eight(2)).await, Ok(44));
    assert_eq!(engine.commits(), 4);
}

#[tokio::test]
async fn eight_branches_finishing_together_are_one_commit_in_sqlite() {
    let engine = Engine::new(sqlite_journal(env!("CARGO_TARGET_TMPDIR"), "eight"));
    assert_eq!(engine.run("eight-0", durable_eight(1)).await, Ok(36));
    assert_eq!(engine.commits(), 2);
    // Run again: the journaled output, no commit.
    assert_eq!(engine.run("eight-0", durable_eight(1)).await, Ok(36));
    assert_eq!(engine.commits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_instances_in_flight_share_commits_in_sqlite() {
    const N: u32 = 200;
    let engine = Engine::new(sqlite_journal(env!("CARGO_TARGET_TMPDIR"), "many"));
    let mut tasks = Vec::new();
    for i in 0..N {
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            engine
                .run(&format!("three-{i}"), durable_three_ready(i))
                .await
        }));
    }
    for (i, task) in (0..N).zip(tasks) {
        assert_eq!(task.await.unwrap(), Ok(3 * i + 3));
    }
    // One transaction per poll would be 2 per instance (results, output), one per step
    // 4: the committer merges the batches of the instances queued together.
    let commits = engine.commits();
    assert!(
        commits < u64::from(2 * N),
        "{commits} commits for {N} instances"
    );
}

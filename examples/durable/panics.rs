//! A panic in a branch of a `#[durable]` workflow names the branch, as in a plain one
//! (`tests/panic_names.rs`): the engine's `Error::Panicked` carries
//! ``branch `path` panicked: message``, for a static join and for a journaled race.

use workflow_runtime::durable::{Context, Engine, Error, MemoryJournal};
use workflow_runtime::workflow;

#[allow(clippy::unused_async)] // a step: the join is what is tested
async fn ok(x: u32) -> u32 {
    x
}

#[allow(clippy::unused_async)]
async fn boom(x: u32) -> u32 {
    assert!(x != 3, "out of memory");
    x
}

workflow! {
    #[durable]
    async fn joined(ctx: Context, x: u32) -> u32 {
        fork <
            credit: ok(x),
            documents: fork < passport: boom(x), utility: ok(x) > join(passport, utility)
                -> |p: u32, u: u32| async move { p + u },
        > join(credit, documents);
        credit + documents
    }
}

workflow! {
    #[durable]
    async fn raced(ctx: Context, x: u32) -> u32 {
        let winner = fork < slow: std::future::pending::<u32>(), fast: boom(x) > first(slow, fast);
        winner.value
    }
}

/// The message of the instance's panic.
fn panicked(outcome: Result<u32, Error>) -> String {
    match outcome {
        Err(Error::Panicked { message, .. }) => message,
        other => panic!("expected a panic, got {other:?}"),
    }
}

#[tokio::test]
async fn a_panic_in_a_durable_branch_names_it() {
    let engine = Engine::new(MemoryJournal::new());
    engine.register(joined);
    engine.register(raced);
    assert_eq!(engine.run("ok", joined(1)).await.unwrap(), 3);
    assert_eq!(
        panicked(engine.run("joined", joined(3)).await),
        "branch `documents.passport` panicked: out of memory"
    );
    assert_eq!(
        panicked(engine.run("raced", raced(3)).await),
        "branch `fast` panicked: out of memory"
    );
}

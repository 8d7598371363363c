//! Signal names: a `#[durable]` workflow knows the signals it waits for (the literal
//! names of its `ctx.signal(..)` calls), so a signal of another name is refused with
//! an error that lists them, by the engine running the instance and by any engine on
//! the same journal that has the workflow registered. A workflow that hands its context
//! to other code does not know its signals: every name is taken.

#![allow(clippy::unused_async)] // steps stand in for real services

use std::path::PathBuf;
use std::time::Duration;

use workflow_runtime::durable::{Context, Engine, Error, MemoryJournal, SqliteJournal};
use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 {
    id
}

async fn wait_for(ctx: &Context) -> u32 {
    ctx.signal::<u32>("from-a-helper").await
}

workflow! {
    #[durable]
    async fn reviewed(ctx: Context, id: u32) -> u32 {
        fork <
            a: fetch(id),
            review: fetch(id) -> |_x: u32| ctx.signal::<u32>("review"),
            payment: fetch(id) -> |_x: u32| ctx.signal::<u32>("payment").timeout(Duration::from_secs(60)),
        > join(a, review, payment);
        a + review + payment.unwrap_or(0)
    }
}

workflow! {
    #[durable]
    async fn no_signals(ctx: Context, id: u32) -> u32 {
        fork < a: fetch(id), b: fetch(id + 1) > join(a, b);
        let _ = ctx.instance_id();
        a + b
    }
}

workflow! {
    #[durable]
    async fn handed_on(ctx: Context, id: u32) -> u32 {
        fork < a: fetch(id), b: wait_for(&ctx) > join(a, b);
        a + b
    }
}

#[tokio::test]
async fn a_signal_of_a_name_the_workflow_never_waits_for_is_refused() {
    let engine = Engine::new(MemoryJournal::new());
    let handle = engine.start("r-1", reviewed(1)).await.unwrap();
    let wrong = engine.signal("r-1", "reveiw", &5u32).await;
    let Err(error) = wrong else {
        panic!("a misspelt signal was taken: {wrong:?}")
    };
    assert!(
        matches!(&error, Error::UnknownSignal { name, known, .. } if name == "reveiw" && known == &["review", "payment"]),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "instance `r-1` of workflow `reviewed` never waits for a signal `reveiw`; its signals: `review`, `payment`"
    );
    engine.signal("r-1", "review", &10u32).await.unwrap();
    engine.signal("r-1", "payment", &100u32).await.unwrap();
    assert_eq!(handle.result().await, Ok(111));

    let engine = Engine::new(MemoryJournal::new());
    assert_eq!(engine.run("n-1", no_signals(1)).await, Ok(3));
    let none = engine.signal("n-1", "review", &1u32).await;
    assert!(
        matches!(&none, Err(error) if error.to_string().ends_with("never waits for a signal `review` (it waits for no signal)")),
        "{none:?}"
    );
}

#[tokio::test]
async fn a_workflow_that_hands_its_context_on_takes_every_name() {
    let engine = Engine::new(MemoryJournal::new());
    let handle = engine.start("h-1", handed_on(1)).await.unwrap();
    engine.signal("h-1", "from-a-helper", &2u32).await.unwrap();
    // Not refused: the workflow cannot know the names its helpers wait for.
    engine.signal("h-1", "anything", &2u32).await.unwrap();
    assert_eq!(handle.result().await, Ok(3));
}

#[tokio::test]
async fn another_engine_on_the_journal_refuses_an_unknown_name_when_it_knows_the_workflow() {
    let dir = std::env::temp_dir().join(format!("workflow-signal-names-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file: PathBuf = dir.join("journal.db");
    let worker = Engine::new(SqliteJournal::open(&file).unwrap());
    let handle = worker.start("r-2", reviewed(2)).await.unwrap();

    // A web server's engine: it does not run the instance, the journal names its
    // workflow, and the workflow is registered here.
    let web = Engine::new(SqliteJournal::open(&file).unwrap());
    web.register(reviewed);
    let wrong = web.signal("r-2", "refund", &1u32).await;
    assert!(
        matches!(&wrong, Err(Error::UnknownSignal { workflow, .. }) if workflow == "reviewed"),
        "{wrong:?}"
    );
    let unknown = web.signal("nobody", "review", &1u32).await;
    assert_eq!(unknown, Err(Error::UnknownInstance("nobody".to_owned())));
    web.signal("r-2", "review", &20u32).await.unwrap();
    web.signal("r-2", "payment", &200u32).await.unwrap();
    let output = tokio::time::timeout(Duration::from_secs(30), handle.result()).await;
    assert_eq!(output.expect("no hang"), Ok(222));
    drop((worker, web));
    let _ = std::fs::remove_dir_all(&dir);
}

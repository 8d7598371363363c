//! `first`/`quorum` joins in `#[durable]` workflows: the race's decision is journaled
//! before the workflow goes on, and a replay after a crash decides the same, whatever
//! the branches would do now.
//!
//! Every scenario crashes the first run after the race decided (its runtime is dropped
//! while a step after the race waits), then resumes it with the branches' speeds
//! swapped: the former loser would now finish at once, the former winner never would.
//! Steps wait on gates the test opens and closes, so the order is the test's, not the
//! clock's.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{self, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use workflow_runtime::durable::{Context, Engine, Error, Journal, MemoryJournal, SqliteJournal};
use workflow_runtime::durable::{
    Created, InstanceRow, JournalError, Record, SignalAdded, SignalRow, Status, Write,
};
use workflow_runtime::{BranchError, workflow};

/// Per scenario (its tag): which gates are closed, and how often each step started.
#[derive(Default)]
struct Board {
    closed: HashMap<(String, &'static str), bool>,
    starts: HashMap<(String, &'static str), usize>,
}

static BOARD: LazyLock<Mutex<Board>> = LazyLock::new(Mutex::default);

fn board() -> std::sync::MutexGuard<'static, Board> {
    BOARD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn close(tag: &str, step: &'static str) {
    board().closed.insert((tag.to_owned(), step), true);
}

fn open(tag: &str, step: &'static str) {
    board().closed.insert((tag.to_owned(), step), false);
}

fn starts(tag: &str, step: &'static str) -> usize {
    board()
        .starts
        .get(&(tag.to_owned(), step))
        .copied()
        .unwrap_or(0)
}

/// Counts the start, then waits while the step's gate is closed.
async fn gate(tag: &str, step: &'static str) {
    *board().starts.entry((tag.to_owned(), step)).or_insert(0) += 1;
    while board()
        .closed
        .get(&(tag.to_owned(), step))
        .copied()
        .unwrap_or(false)
    {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// A step: `step(input)` once its gate is open.
async fn call(tag: String, step: &'static str, input: String) -> String {
    gate(&tag, step).await;
    format!("{step}({input})")
}

/// A step that fails once its gate is open.
async fn fail(tag: String, step: &'static str) -> Result<String, String> {
    gate(&tag, step).await;
    Err(format!("{step} is down"))
}

workflow! {
    /// `slow` (two steps) races `fast` (two steps); the winner goes to `after`.
    #[durable]
    async fn fastest(ctx: Context, tag: String) -> String {
        let winner = fork <
            slow: call(tag.clone(), "slow.0", String::new())
                -> |v: String| call(tag.clone(), "slow.1", v),
            fast: call(tag.clone(), "fast.0", String::new())
                -> |v: String| call(tag.clone(), "fast.1", v),
        > first(slow, fast);
        let text = format!("{}={}", winner.branch, winner.value);
        fork <
            done: call(tag.clone(), "after", text),
            tick: call(tag.clone(), "tick", String::new()),
        > join(done, tick);
        let _ = tick;
        done
    }
}

workflow! {
    /// Two of three, in the order they finished.
    #[durable]
    async fn two_of_three(ctx: Context, tag: String) -> String {
        let two = fork <
            a: call(tag.clone(), "a", String::new()),
            b: call(tag.clone(), "b", String::new()),
            c: call(tag.clone(), "c", String::new()),
        > quorum(2, a, b, c);
        let text = two.iter().map(|w| format!("{}={}", w.branch, w.value)).collect::<Vec<_>>().join(" ");
        fork <
            done: call(tag.clone(), "after", text),
            tick: call(tag.clone(), "tick", String::new()),
        > join(done, tick);
        let _ = tick;
        done
    }
}

workflow! {
    /// Both branches fail: the race fails with the last failure.
    #[durable]
    async fn all_down(ctx: Context, tag: String) -> Result<String, BranchError<String>> {
        let winner = fork <
            late: fail(tag.clone(), "late")?,
            early: fail(tag.clone(), "early")?,
        > first(late, early)?;
        Ok(winner.value)
    }
}

fn describe(failure: &BranchError<String>) -> String {
    format!("{failure}: {}", failure.error())
}

/// Every event as `scope: message`, the scope being the names of its spans from the root.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Log {
    fn on_event(&self, event: &Event<'_>, ctx: layer::Context<'_, S>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let scope: Vec<&str> = ctx
            .event_scope(event)
            .map(|scope| scope.from_root().map(|span| span.name()).collect())
            .unwrap_or_default();
        self.0
            .lock()
            .unwrap()
            .push(format!("{}: {}", scope.join(":"), message.0));
    }
}

impl Log {
    fn take(&self) -> Vec<String> {
        core::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// Runs `f` on a runtime of its own on another thread, then drops the runtime: the
/// instance task it started is dropped mid-way, as in a process that was killed.
fn crash<F, Fut>(f: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(f());
        drop(runtime);
    })
    .join()
    .unwrap();
}

/// Waits (at most 20 s) until `what` holds.
async fn until(what: impl Fn() -> bool) {
    for _ in 0..20_000 {
        if what() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("timed out waiting");
}

fn keys(journal: &dyn Journal, id: &str) -> Vec<String> {
    let mut keys: Vec<String> = journal
        .records(id)
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    keys.sort();
    keys
}

fn decision(journal: &dyn Journal, id: &str, key: &str) -> String {
    let records = journal.records(id).unwrap();
    let record = records.iter().find(|r| r.key == key).expect("the decision");
    String::from_utf8(record.value.clone()).unwrap()
}

/// A copy of instance `id` of `journal`, its record `key` replaced by `value` (or left
/// out).
fn copy_with(journal: &dyn Journal, id: &str, key: &str, value: Option<&[u8]>) -> MemoryJournal {
    let copy = MemoryJournal::new();
    let mut row = journal.instance(id).unwrap().unwrap();
    row.status = Status::Running;
    row.output = None;
    row.reason = None;
    copy.create(&row).unwrap();
    let writes: Vec<Write> = journal
        .records(id)
        .unwrap()
        .into_iter()
        .filter_map(|mut record| {
            if record.key == key {
                record.value = value?.to_vec();
            }
            Some(Write::Record(record))
        })
        .collect();
    copy.commit(&writes).unwrap();
    copy
}

/// A way to open the same journal again (as a restarted process would).
trait Reopen: Send + Sync + 'static {
    type J: Journal;
    fn open(&self) -> Self::J;
}

impl Reopen for MemoryJournal {
    type J = MemoryJournal;
    fn open(&self) -> MemoryJournal {
        self.clone()
    }
}

struct Sqlite(PathBuf);

impl Reopen for Sqlite {
    type J = SqliteJournal;
    fn open(&self) -> SqliteJournal {
        SqliteJournal::open(&self.0).unwrap()
    }
}

fn sqlite(name: &str) -> Sqlite {
    let dir = std::env::temp_dir().join(format!("workflow-races-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.db"));
    let _ = std::fs::remove_file(&path);
    Sqlite(path)
}

async fn result_within<T>(handle: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    tokio::time::timeout(Duration::from_secs(20), handle)
        .await
        .expect("the replay hung: a step that should have replayed ran")
}

/// `fast` wins, the process dies while `after` runs; on replay `slow` would finish at
/// once and `fast` never, yet `fast` wins again with the same output, and `slow`'s
/// unjournaled step does not start again.
async fn first_replays_its_winner<R: Reopen>(journals: R, tag: &'static str) {
    close(tag, "slow.1");
    close(tag, "after");
    let first = journals.open();
    crash(move || async move {
        let engine = Engine::new(first);
        let _handle = engine.start(tag, fastest(tag.to_owned())).await.unwrap();
        until(|| starts(tag, "after") == 1).await;
    });
    let journal = journals.open();
    assert_eq!(
        keys(&journal, tag),
        [
            "0#0",
            "0#0[0]/0.slow.0#0",
            "0#0[1]/0.fast.0#0",
            "0#0[1]/0.fast.1#0",
            "1.tick.0#0",
        ],
        "the decision is journaled; slow's second step never finished"
    );
    assert_eq!(decision(&journal, tag, "0#0"), r#"{"won":[[1,"fast"]]}"#);
    assert_eq!(starts(tag, "slow.1"), 1);

    // Swapped: slow would win now, fast would never finish.
    open(tag, "slow.1");
    close(tag, "fast.0");
    close(tag, "fast.1");
    open(tag, "after");
    let engine = Engine::new(journal);
    engine.register(fastest);
    assert_eq!(engine.recover().await.unwrap(), [tag]);
    let handle = engine.attach(fastest, tag).await.unwrap();
    let output = result_within(handle.result()).await;
    assert_eq!(output.as_deref(), Ok("after(fast=fast.1(fast.0()))"));
    assert_eq!(starts(tag, "fast.0"), 1, "fast's steps replayed");
    assert_eq!(starts(tag, "fast.1"), 1, "fast's steps replayed");
    assert_eq!(starts(tag, "slow.0"), 1, "slow was never polled on replay");
    assert_eq!(
        starts(tag, "slow.1"),
        1,
        "the loser's unjournaled step did not run"
    );
    assert_eq!(
        starts(tag, "after"),
        2,
        "the unfinished step after the race ran again"
    );
    assert_eq!(engine.status(tag), Ok(Some(Status::Finished)));
}

#[tokio::test]
async fn first_replays_its_winner_in_memory() {
    first_replays_its_winner(MemoryJournal::new(), "first-memory").await;
}

#[tokio::test]
async fn first_replays_its_winner_in_sqlite() {
    first_replays_its_winner(sqlite("first"), "first-sqlite").await;
}

/// `c` then `a` make the quorum while `b` waits; on replay `b` would finish at once,
/// and `a` and `c` replay at once (in branch order `a` first): the journaled order
/// `c a` comes back, and `b` does not start again.
async fn quorum_replays_its_winners_in_order<R: Reopen>(journals: R, tag: &'static str) {
    close(tag, "a");
    close(tag, "b");
    close(tag, "after");
    let first = journals.open();
    let watch = journals.open();
    crash(move || async move {
        let engine = Engine::new(first);
        let _handle = engine
            .start(tag, two_of_three(tag.to_owned()))
            .await
            .unwrap();
        // `a` finishes only once `c`'s result is committed (and well after).
        until(|| keys(&watch, tag).iter().any(|k| k == "0#0[2]/0.c.0#0")).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        open(tag, "a");
        until(|| starts(tag, "after") == 1).await;
    });
    let journal = journals.open();
    assert_eq!(
        decision(&journal, tag, "0#0"),
        r#"{"won":[[2,"c"],[0,"a"]]}"#
    );
    assert!(!keys(&journal, tag).iter().any(|k| k.contains(".b.")));
    let without = copy_with(&journal, tag, "0#0", None);

    open(tag, "b");
    open(tag, "after");
    let engine = Engine::new(journal);
    engine.register(two_of_three);
    engine.recover().await.unwrap();
    let handle = engine.attach(two_of_three, tag).await.unwrap();
    let output = result_within(handle.result()).await;
    assert_eq!(output.as_deref(), Ok("after(c=c() a=a())"));
    assert_eq!(starts(tag, "b"), 1, "the loser did not start again");
    assert_eq!((starts(tag, "a"), starts(tag, "c")), (1, 1));

    // The control: the same journal without the decision replays another order, and
    // the loser's step runs.
    drop(engine);
    let engine = Engine::new(without);
    engine.register(two_of_three);
    engine.recover().await.unwrap();
    let handle = engine.attach(two_of_three, tag).await.unwrap();
    let output = result_within(handle.result()).await;
    assert_eq!(output.as_deref(), Ok("after(a=a() c=c())"));
    assert_eq!(starts(tag, "b"), 2);
}

#[tokio::test]
async fn quorum_replays_its_winners_in_order_in_memory() {
    quorum_replays_its_winners_in_order(MemoryJournal::new(), "quorum-memory").await;
}

#[tokio::test]
async fn quorum_replays_its_winners_in_order_in_sqlite() {
    quorum_replays_its_winners_in_order(sqlite("quorum"), "quorum-sqlite").await;
}

/// A journal whose commits of an instance's end fail: the process "dies" after the
/// race's decision is committed, before the instance's outcome is.
struct NoEnd<J>(J);

impl<J: Journal> Journal for NoEnd<J> {
    fn create(&self, instance: &InstanceRow) -> Result<Created, JournalError> {
        self.0.create(instance)
    }
    fn instance(&self, id: &str) -> Result<Option<InstanceRow>, JournalError> {
        self.0.instance(id)
    }
    fn records(&self, instance: &str) -> Result<Vec<Record>, JournalError> {
        self.0.records(instance)
    }
    fn signals(&self, instance: &str) -> Result<Vec<SignalRow>, JournalError> {
        self.0.signals(instance)
    }
    fn commit(&self, batch: &[Write]) -> Result<(), JournalError> {
        if batch.iter().any(|write| matches!(write, Write::End { .. })) {
            return Err(JournalError::new("the process died"));
        }
        self.0.commit(batch)
    }
    fn unfinished(&self) -> Result<Vec<InstanceRow>, JournalError> {
        self.0.unfinished()
    }
    fn add_signal(&self, signal: &SignalRow) -> Result<SignalAdded, JournalError> {
        self.0.add_signal(signal)
    }
    fn signals_after(&self, cursor: Option<u64>) -> Result<(Vec<SignalRow>, u64), JournalError> {
        self.0.signals_after(cursor)
    }
    fn redrive(&self, instance: &str) -> Result<bool, JournalError> {
        self.0.redrive(instance)
    }
    fn inline(&self) -> bool {
        self.0.inline()
    }
}

/// `early` fails first, `late` last: the race fails with `late`'s failure, and the
/// process dies before the instance's outcome is committed. On replay both failures
/// are journaled and come back at once, `late` first in branch order (so without the
/// decision `early`'s would be the last); the journaled failure comes back.
async fn a_failed_race_replays_its_failure<R: Reopen>(journals: R, tag: &'static str) {
    close(tag, "late");
    let watch = journals.open();
    let engine = Engine::new(NoEnd(journals.open()));
    let handle = engine.start(tag, all_down(tag.to_owned())).await.unwrap();
    until(|| keys(&watch, tag).iter().any(|k| k == "0#0[1]/0.early.0#0")).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    open(tag, "late");
    let died = result_within(handle.result()).await;
    assert!(matches!(died, Err(Error::Journal(_))), "{died:?}");
    drop(engine);
    let journal = journals.open();
    assert_eq!(decision(&journal, tag, "0#0"), r#"{"failed":[[0,"late"]]}"#);
    let race = journal.records(tag).unwrap();
    let race = race.iter().find(|r| r.key == "0#0").unwrap();
    assert!(!race.ok, "a failed race is journaled as a failure");
    assert_eq!(
        journal.instance(tag).unwrap().unwrap().status,
        Status::Running
    );

    let engine = Engine::new(journal);
    engine.register(all_down);
    engine.recover().await.unwrap();
    let handle = engine.attach(all_down, tag).await.unwrap();
    let output = result_within(handle.result()).await.unwrap();
    let failure = output.unwrap_err();
    assert_eq!(
        describe(&failure),
        "branch `late` failed: late is down",
        "the journaled failure, not the last one in branch order"
    );
    assert_eq!((starts(tag, "late"), starts(tag, "early")), (1, 1));
    assert_eq!(engine.status(tag), Ok(Some(Status::Failed)));

    // A redrive runs the failed race again (its decision is a failure record too):
    // both branches start again, and this time `early` fails last.
    close(tag, "early");
    assert_eq!(engine.redrive(tag).await, Ok(true));
    let handle = engine.attach(all_down, tag).await.unwrap();
    until(|| starts(tag, "late") == 2 && starts(tag, "early") == 2).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    open(tag, "early");
    let output = result_within(handle.result()).await.unwrap();
    assert_eq!(
        describe(&output.unwrap_err()),
        "branch `early` failed: early is down"
    );
}

#[tokio::test]
async fn a_failed_race_replays_its_failure_in_memory() {
    a_failed_race_replays_its_failure(MemoryJournal::new(), "failed-memory").await;
}

#[tokio::test]
async fn a_failed_race_replays_its_failure_in_sqlite() {
    a_failed_race_replays_its_failure(sqlite("failed"), "failed-sqlite").await;
}

/// A journal whose decision names a branch the race does not have parks the instance
/// with an error naming the instance and the race's key.
#[tokio::test]
async fn a_decision_naming_a_missing_branch_is_refused() {
    let tag = "out-of-range";
    close(tag, "slow.1");
    close(tag, "after");
    let journal = MemoryJournal::new();
    let first = journal.clone();
    crash(move || async move {
        let engine = Engine::new(first);
        let _handle = engine.start(tag, fastest(tag.to_owned())).await.unwrap();
        until(|| starts(tag, "after") == 1).await;
    });
    // The same journal, its decision naming branch 5 of 2.
    let tampered = copy_with(&journal, tag, "0#0", Some(br#"{"won":[[5,"fast"]]}"#));
    open(tag, "after");
    let engine = Engine::new(tampered);
    engine.register(fastest);
    engine.recover().await.unwrap();
    let handle = engine.attach(fastest, tag).await.unwrap();
    let error = result_within(handle.result()).await.unwrap_err();
    assert!(
        matches!(&error, Error::Incompatible { instance, step, .. } if instance == tag && step == "0#0"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "instance `out-of-range` does not fit the workflow's code at `0#0`: the journaled \
         race decision names branch 5 (`fast`), but the race has 2 branches (`slow`, \
         `fast`); it is parked"
    );
    assert_eq!(engine.status(tag), Ok(Some(Status::Parked)));
    assert_eq!(starts(tag, "slow.1"), 1, "nothing ran after the refusal");

    // Other decisions that do not fit: another branch at that index, another number
    // of winners, a failing branch that succeeds on replay (its unjournaled step runs).
    open(tag, "slow.1");
    for (value, reason) in [
        (
            r#"{"won":[[0,"fast"]]}"#,
            "the journaled race decision names branch 0 `fast`, but the race's branch 0 is `slow`",
        ),
        (
            r#"{"won":[[1,"fast"],[0,"slow"]]}"#,
            "the journaled race decision has 2 winners, the race now waits for 1",
        ),
        (
            r#"{"failed":[[0,"slow"]]}"#,
            "the journal says branch `slow` failed the race, but on replay it did not",
        ),
    ] {
        let tampered = copy_with(&journal, tag, "0#0", Some(value.as_bytes()));
        let engine = Engine::new(tampered);
        engine.register(fastest);
        engine.recover().await.unwrap();
        let handle = engine.attach(fastest, tag).await.unwrap();
        let error = result_within(handle.result()).await.unwrap_err();
        match error {
            Error::Incompatible {
                instance,
                step,
                reason: found,
            } => assert_eq!(
                (instance.as_str(), step.as_str(), found.as_str()),
                (tag, "0#0", reason)
            ),
            other => panic!("{value}: {other:?}"),
        }
    }
}

workflow! {
    /// Two branches that both fail, raced by `quorum(1, ..)`.
    #[durable]
    async fn one_of_two(ctx: Context, tag: String) -> Result<String, BranchError<String>> {
        let won = fork <
            late: fail(tag.clone(), "late")?,
            early: fail(tag.clone(), "early")?,
        > quorum(1, late, early)?;
        Ok(won[0].value.clone())
    }
}

/// A decision naming as winner a branch whose journaled step failed parks the instance:
/// the journal and the code disagree.
#[tokio::test]
async fn a_winner_that_fails_on_replay_is_refused() {
    let tag = "diverged";
    let journal = MemoryJournal::new();
    let engine = Engine::new(NoEnd(journal.clone()));
    let handle = engine.start(tag, one_of_two(tag.to_owned())).await.unwrap();
    assert!(matches!(
        result_within(handle.result()).await,
        Err(Error::Journal(_))
    ));
    drop(engine);
    assert_eq!(
        decision(&journal, tag, "0#0"),
        r#"{"failed":[[1,"early"]]}"#
    );

    let tampered = copy_with(&journal, tag, "0#0", Some(br#"{"won":[[1,"early"]]}"#));
    let engine = Engine::new(tampered);
    engine.register(one_of_two);
    engine.recover().await.unwrap();
    let handle = engine.attach(one_of_two, tag).await.unwrap();
    let error = result_within(handle.result()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "instance `diverged` does not fit the workflow's code at `0#0`: the journal says \
         branch `early` won the race, but on replay it did not; it is parked"
    );
    assert_eq!((starts(tag, "late"), starts(tag, "early")), (1, 1));
}

workflow! {
    /// A traced durable workflow with two races, one after the other.
    #[traced]
    #[durable]
    async fn twice(ctx: Context, tag: String) -> String {
        let one = fork <
            slow: call(tag.clone(), "slow", String::new()),
            fast: call(tag.clone(), "fast", String::new()),
        > first(slow, fast);
        let two = fork <
            slow: call(tag.clone(), "slow.2", String::new()),
            fast: call(tag.clone(), "fast.2", String::new()),
        > first(slow, fast);
        let text = format!("{} {}", one.value, two.value);
        fork <
            done: call(tag.clone(), "after", text),
            tick: call(tag.clone(), "tick", String::new()),
        > join(done, tick);
        let _ = tick;
        done
    }
}

/// `#[traced]` and `#[durable]` race together: each race is decided, journaled under
/// its fork's id and replayed on its own.
#[tokio::test]
async fn a_traced_workflow_replays_each_race() {
    let tag = "twice";
    close(tag, "slow");
    close(tag, "fast.2");
    close(tag, "after");
    let log = Log::default();
    let journal = MemoryJournal::new();
    let first = journal.clone();
    let first_log = log.clone();
    crash(move || async move {
        let _subscriber =
            tracing::subscriber::set_default(tracing_subscriber::registry().with(first_log));
        let engine = Engine::new(first);
        let _handle = engine.start(tag, twice(tag.to_owned())).await.unwrap();
        until(|| starts(tag, "after") == 1).await;
    });
    let first_run = log.take();
    assert_eq!(
        keys(&journal, tag),
        [
            "0#0",
            "0#0[1]/0.fast.0#0",
            "1#0",
            "1#0[0]/1.slow.0#0",
            "2.tick.0#0"
        ]
    );
    assert_eq!(decision(&journal, tag, "0#0"), r#"{"won":[[1,"fast"]]}"#);
    assert_eq!(decision(&journal, tag, "1#0"), r#"{"won":[[0,"slow"]]}"#);

    // Swapped.
    open(tag, "slow");
    close(tag, "fast");
    open(tag, "fast.2");
    close(tag, "slow.2");
    open(tag, "after");
    let _subscriber =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(log.clone()));
    let engine = Engine::new(journal);
    engine.register(twice);
    engine.recover().await.unwrap();
    let handle = engine.attach(twice, tag).await.unwrap();
    let output = result_within(handle.result()).await;
    assert_eq!(output.as_deref(), Ok("after(fast() slow.2())"));
    assert_eq!((starts(tag, "slow"), starts(tag, "fast")), (1, 1));
    assert_eq!((starts(tag, "slow.2"), starts(tag, "fast.2")), (1, 1));
    let replay = log.take();
    // The replay tells the first run's story, the same winners and the same losers
    // cancelled, then goes on.
    assert_eq!(
        first_run,
        [
            "twice: workflow `twice` started",
            "twice:fork: split into 2 branches: slow, fast; the first to succeed wins",
            "twice:fork: branch `fast` arrived at the join (1/2)",
            "twice:fork: branch `slow` cancelled",
            "twice:fork: joined slow, fast",
            "twice:fork: split into 2 branches: slow, fast; the first to succeed wins",
            "twice:fork: branch `slow` arrived at the join (1/2)",
            "twice:fork: branch `fast` cancelled",
            "twice:fork: joined slow, fast",
            "twice:fork: split into 2 branches: done, tick; the join waits for all",
            "twice:fork: branch `tick` arrived at the join (1/2)",
        ]
    );
    assert_eq!(replay[..first_run.len()], first_run);
    assert_eq!(
        replay[first_run.len()..],
        [
            "twice:fork: branch `done` arrived at the join (2/2)",
            "twice:fork: joined done, tick",
        ]
    );
}

/// The environment variable that makes [`race_worker`] the worker process.
const WORKER: &str = "WORKFLOW_RACES_WORKER";

/// The worker process of [`a_worker_killed_after_the_decision_replays_its_winner`]:
/// starts `fastest` on the `SQLite` journal named by `WORKFLOW_RACES_WORKER`, says so
/// once the step after the race started, and waits to be killed.
#[test]
#[ignore = "the worker process of a_worker_killed_after_the_decision_replays_its_winner, which runs it"]
fn race_worker() {
    let path = std::env::var_os(WORKER)
        .expect("run by a_worker_killed_after_the_decision_replays_its_winner");
    let tag = "sigkill";
    close(tag, "slow.1");
    close(tag, "after");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let engine = Engine::new(SqliteJournal::open(path).unwrap());
        let _handle = engine.start(tag, fastest(tag.to_owned())).await.unwrap();
        until(|| starts(tag, "after") == 1).await;
        println!("worker: after started");
        std::future::pending::<()>().await;
    });
}

/// A real worker process runs `fastest` until `fast` won and the step after the race
/// started, and is killed with SIGKILL; this process resumes the instance with the
/// speeds swapped: `fast` wins again from the journal, no branch step runs here.
#[test]
fn a_worker_killed_after_the_decision_replays_its_winner() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let journals = sqlite("sigkill");
    let tag = "sigkill";
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["race_worker", "--exact", "--ignored", "--nocapture"])
        .env(WORKER, &journals.0)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let said = stdout
        .lines()
        .map_while(Result::ok)
        .any(|line| line == "worker: after started");
    assert!(said, "the worker ended before the race decided");
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed: {status}");

    let journal = journals.open();
    assert_eq!(decision(&journal, tag, "0#0"), r#"{"won":[[1,"fast"]]}"#);
    assert!(!keys(&journal, tag).iter().any(|k| k.contains("slow.1")));

    // This process: slow would win at once, fast never.
    close(tag, "fast.0");
    close(tag, "fast.1");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let output = runtime.block_on(async move {
        let engine = Engine::new(journal);
        engine.register(fastest);
        assert_eq!(engine.recover().await.unwrap(), [tag]);
        let handle = engine.attach(fastest, tag).await.unwrap();
        result_within(handle.result()).await
    });
    assert_eq!(output.as_deref(), Ok("after(fast=fast.1(fast.0()))"));
    let ran = ["slow.0", "slow.1", "fast.0", "fast.1", "after"].map(|step| starts(tag, step));
    assert_eq!(
        ran,
        [0, 0, 0, 0, 1],
        "only the unfinished step after the race ran here"
    );
}

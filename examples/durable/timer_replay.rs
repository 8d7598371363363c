//! Durable timers across an engine dropped mid-run (its tokio runtime dropped, as in a
//! process that was killed) and created again over the same `SQLite` journal, on a
//! clock the test moves (`Engine::with_clock`) and tokio's paused clock: the waits are
//! measured in tokio's virtual time, so they are exact.

// The steps are `async fn`s, as steps doing I/O would be; some do not await.
#![allow(clippy::unused_async)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use workflow_runtime::durable::{Context, Engine, Journal, SqliteJournal, Start, Workflow};
use workflow_runtime::{BranchError, TimedOut, workflow};

/// The workflow's failure, journaled as its output.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Failure(String);

impl From<BranchError<Failure>> for Failure {
    fn from(error: BranchError<Failure>) -> Self {
        Failure(format!("{error}: {}", error.error().0))
    }
}

impl From<BranchError<TimedOut>> for Failure {
    fn from(error: BranchError<TimedOut>) -> Self {
        Failure(format!("{error}: {}", error.error()))
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<TimedOut> for Failure {
    fn from(error: TimedOut) -> Self {
        Failure(error.to_string())
    }
}

async fn never() -> Result<u32, Failure> {
    std::future::pending().await
}

/// How often `hang` started.
static HANGS: AtomicU32 = AtomicU32::new(0);

async fn hang() -> Result<u32, Failure> {
    HANGS.fetch_add(1, Ordering::SeqCst);
    std::future::pending().await
}

/// How often `forever` started.
static FOREVERS: AtomicU32 = AtomicU32::new(0);

async fn forever() -> u32 {
    FOREVERS.fetch_add(1, Ordering::SeqCst);
    std::future::pending().await
}

async fn one() -> u32 {
    1
}

/// How often `fails_twice` ran.
static CALLS: AtomicU32 = AtomicU32::new(0);

async fn fails_twice() -> Result<u32, Failure> {
    let call = CALLS.fetch_add(1, Ordering::SeqCst);
    if call < 2 {
        Err(Failure(format!("attempt {call} fails")))
    } else {
        Ok(call)
    }
}

workflow! {
    /// A step that never answers, cut off after 30 s.
    #[durable]
    pub async fn stuck(ctx: Context) -> Result<u32, Failure> {
        fork <
            value: #[timeout(30s)] never()?,
            other: one(),
        > join(value, other)?;
        Ok(value + other)
    }
}

workflow! {
    /// A step that fails twice, retried after 5 s and then 10 s.
    #[durable]
    pub async fn flaky(ctx: Context) -> Result<u32, Failure> {
        fork <
            value: #[retry(3, backoff = 5s)] fails_twice()?,
            other: one(),
        > join(value, other)?;
        Ok(value + other)
    }
}

workflow! {
    /// A step that hangs, cut off after 30 s (its attempts are counted).
    #[durable]
    pub async fn hung(ctx: Context) -> Result<u32, Failure> {
        fork <
            value: #[timeout(30s)] hang()?,
            other: one(),
        > join(value, other)?;
        Ok(value + other)
    }
}

workflow! {
    /// A branch that never ends, cut off after 10 s.
    #[durable]
    pub async fn guarded(ctx: Context) -> Result<u32, Failure> {
        fork <
            #[timeout(10s)]
            slow: forever() -> |n: u32| async move { n + 1 },
            other: one(),
        > join(slow, other)?;
        Ok(slow + other)
    }
}

/// Whether a failure is worth retrying: a transient one is, a permanent one not.
fn is_transient(failure: &Failure) -> bool {
    failure.0.starts_with("transient")
}

/// How often `transient_once` ran, and whether its second attempt may answer.
static JITTERED_CALLS: AtomicU32 = AtomicU32::new(0);
static ANSWER: AtomicBool = AtomicBool::new(false);

/// Fails once with a transient error; then hangs until `ANSWER` is set, and answers.
async fn transient_once() -> Result<u32, Failure> {
    if JITTERED_CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
        return Err(Failure("transient: try again".to_owned()));
    }
    while !ANSWER.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(41)
}

workflow! {
    /// A step retried after a jittered wait of up to 10 s, transient errors only.
    #[durable]
    pub async fn jittered(ctx: Context) -> Result<u32, Failure> {
        fork <
            value: #[retry(3, backoff = 10s, max = 20s, jitter, if = is_transient)] transient_once()?,
            other: one(),
        > join(value, other)?;
        Ok(value + other)
    }
}

/// How often `permanent` ran.
static PERMANENT_CALLS: AtomicU32 = AtomicU32::new(0);

async fn permanent() -> Result<u32, Failure> {
    PERMANENT_CALLS.fetch_add(1, Ordering::SeqCst);
    Err(Failure("permanent: no such account".to_owned()))
}

workflow! {
    /// A step whose permanent failure is not retried.
    #[durable]
    pub async fn refused(ctx: Context) -> Result<u32, Failure> {
        fork <
            value: #[retry(3, backoff = 1s, jitter, if = is_transient)] permanent()?,
            other: one(),
        > join(value, other)?;
        Ok(value + other)
    }
}

/// The first version of a workflow with timers.
mod v1 {
    use super::{Context, Failure, never, one, workflow};

    workflow! {
        /// A step with a timeout, a branch with a timeout.
        #[durable]
        pub async fn versioned(ctx: Context) -> Result<u32, Failure> {
            fork <
                value: #[timeout(30s)] never()?,
                #[timeout(20s)]
                other: one(),
            > join(value, other)?;
            Ok(value + other)
        }
    }
}

/// The second version: a step added after `one()`.
mod v2 {
    use super::{Context, Failure, never, one, workflow};

    async fn double(n: u32) -> u32 {
        n * 2
    }

    workflow! {
        /// A step with a timeout, a branch with a timeout of two steps.
        #[durable]
        pub async fn versioned(ctx: Context) -> Result<u32, Failure> {
            fork <
                value: #[timeout(30s)] never()?,
                #[timeout(20s)]
                other: one() -> double,
            > join(value, other)?;
            Ok(value + other)
        }
    }
}

/// A clock the test moves, in milliseconds since the epoch.
#[derive(Clone)]
struct Clock(Arc<AtomicU64>);

impl Clock {
    fn new() -> Self {
        Clock(Arc::new(AtomicU64::new(1_800_000_000_000)))
    }

    fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    fn engine(&self, db: &Path) -> Engine {
        let clock = Arc::clone(&self.0);
        Engine::with_clock(
            SqliteJournal::open(db).expect("open the journal"),
            move || UNIX_EPOCH + Duration::from_millis(clock.load(Ordering::SeqCst)),
        )
    }
}

/// Runs `f` on a paused runtime of its own on another thread, then drops the runtime:
/// the instances it started are dropped mid-way, as in a process that was killed.
/// Runs instance `id` to its end on a paused runtime: its output and the virtual time
/// it took.
fn run_timed<W: Workflow>(
    engine: Engine,
    id: &'static str,
    start: Start<W>,
) -> (W::Output, Duration)
where
    W::Output: Send,
    W::Args: Send,
{
    paused(move || async move {
        let begin = tokio::time::Instant::now();
        let output = engine.run(id, start).await.expect("run");
        (output, begin.elapsed())
    })
}

fn paused<T: Send + 'static, Fut: Future<Output = T>>(
    f: impl FnOnce() -> Fut + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("a runtime");
        let out = runtime.block_on(f());
        drop(runtime);
        out
    })
    .join()
    .expect("the run")
}

fn fresh_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("durable-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir.join("journal.db")
}

/// Waits (in real time, a bounded while) until the journal holds `key` of `instance`.
async fn until_journaled(db: &Path, instance: &str, key: &str) {
    let journal = SqliteJournal::open(db).expect("open the journal");
    for _ in 0..5_000 {
        if journal
            .records(instance)
            .expect("the records")
            .iter()
            .any(|r| r.key == key)
        {
            return;
        }
        // Tokio's virtual time moves on 10 ms (the instance's timers may fire), the
        // committer thread gets 1 ms of real time.
        tokio::time::sleep(Duration::from_millis(10)).await;
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("`{key}` was not journaled");
}

#[test]
fn a_resumed_step_gets_only_what_is_left_of_its_timeout() {
    let db = fresh_db("step-timeout");
    let clock = Clock::new();
    let (engine, path) = (clock.engine(&db), db.clone());
    paused(move || async move {
        let _handle = engine.start("stuck", stuck()).await.expect("start");
        until_journaled(&path, "stuck", "0.value.0#0/timeout#0").await;
    });
    // Down for 20 s of the 30 s.
    clock.advance(20_000);
    let engine = clock.engine(&db);
    let (output, waited) = run_timed(engine, "stuck", stuck());
    assert_eq!(
        output,
        Err(Failure(
            "branch `value` failed: timed out after 30s".to_owned()
        ))
    );
    assert_eq!(
        waited,
        Duration::from_secs(10),
        "the rest of the 30 s, not 30 s again"
    );
}

#[test]
fn replayed_failed_attempts_do_not_wait_and_a_backoff_resumes_with_its_rest() {
    let db = fresh_db("retry");
    let clock = Clock::new();
    let (engine, path, moved) = (clock.engine(&db), db.clone(), clock.clone());
    paused(move || async move {
        let _handle = engine.start("flaky", flaky()).await.expect("start");
        until_journaled(&path, "flaky", "0.value.0#0/retry#0").await;
        // The 5 s backoff passes (tokio's virtual clock moves on by itself).
        moved.advance(5_000);
        // The second attempt failed: its 10 s backoff is journaled.
        until_journaled(&path, "flaky", "0.value.0#1/retry#0").await;
    });
    assert_eq!(CALLS.load(Ordering::SeqCst), 2);
    // 4 s into the 10 s backoff: the replayed attempts do not wait (the first one's
    // next time has passed), the rest of the second backoff is waited.
    clock.advance(4_000);
    let engine = clock.engine(&db);
    let (output, waited) = run_timed(engine, "flaky", flaky());
    assert_eq!(output, Ok(3), "the third attempt's value + 1");
    assert_eq!(
        CALLS.load(Ordering::SeqCst),
        3,
        "failed attempts are replayed, not run again"
    );
    assert_eq!(
        waited,
        Duration::from_secs(6),
        "the rest of the 10 s backoff"
    );
}

#[test]
fn a_step_whose_deadline_passed_while_down_times_out_without_starting_again() {
    let db = fresh_db("step-passed");
    let clock = Clock::new();
    let (engine, path) = (clock.engine(&db), db.clone());
    paused(move || async move {
        let _handle = engine.start("hung", hung()).await.expect("start");
        until_journaled(&path, "hung", "0.value.0#0/timeout#0").await;
    });
    assert_eq!(HANGS.load(Ordering::SeqCst), 1);
    // Down for longer than the timeout.
    clock.advance(45_000);
    let engine = clock.engine(&db);
    let (output, waited, engine) = paused(move || async move {
        let start = tokio::time::Instant::now();
        let output = engine.run("hung", hung()).await.expect("run");
        (output, start.elapsed(), engine)
    });
    assert_eq!(
        output,
        Err(Failure(
            "branch `value` failed: timed out after 30s".to_owned()
        ))
    );
    assert_eq!(waited, Duration::ZERO, "the deadline had passed");
    assert_eq!(
        HANGS.load(Ordering::SeqCst),
        1,
        "the step is not started again"
    );

    // A redrive runs the timed-out step again, with its whole 30 s.
    let (output, waited) = paused(move || async move {
        assert!(engine.redrive("hung").await.expect("redrive"));
        let start = tokio::time::Instant::now();
        let handle = engine.attach(hung, "hung").await.expect("attach");
        let output = handle.result().await.expect("the output");
        (output, start.elapsed())
    });
    assert!(output.is_err());
    assert_eq!(HANGS.load(Ordering::SeqCst), 2, "the redrive runs it again");
    assert_eq!(
        waited,
        Duration::from_secs(30),
        "a redriven step's timeout starts afresh"
    );
}

#[test]
fn a_resumed_branch_gets_only_what_is_left_of_its_timeout_and_a_replay_decides_the_same() {
    let db = fresh_db("branch-timeout");
    let clock = Clock::new();
    let (engine, path) = (clock.engine(&db), db.clone());
    paused(move || async move {
        let _handle = engine.start("guarded", guarded()).await.expect("start");
        until_journaled(&path, "guarded", "0.slow/timeout#0").await;
    });
    assert_eq!(FOREVERS.load(Ordering::SeqCst), 1);
    // Down for 4 s of the 10 s: the branch's step starts again, for the 6 s left.
    clock.advance(4_000);
    let engine = clock.engine(&db);
    let (output, waited) = run_timed(engine, "guarded", guarded());
    let timed_out = Err(Failure(
        "branch `slow` failed: timed out after 10s".to_owned(),
    ));
    assert_eq!(output, timed_out);
    assert_eq!(waited, Duration::from_secs(6), "the rest of the 10 s");
    assert_eq!(FOREVERS.load(Ordering::SeqCst), 2);

    let journal = SqliteJournal::open(&db).expect("open the journal");
    let records = journal.records("guarded").expect("the records");
    let ended = records
        .iter()
        .find(|r| r.key == "0.slow/timeout#0.timedout")
        .expect("how the branch ended is journaled");
    assert_eq!(ended.value, b"true");
}

#[test]
fn journaled_timers_do_not_stop_a_new_version_from_resuming() {
    let db = fresh_db("versioned");
    let clock = Clock::new();
    let (engine, path) = (clock.engine(&db), db.clone());
    paused(move || async move {
        let _handle = engine.start("v", v1::versioned()).await.expect("start");
        until_journaled(&path, "v", "0.value.0#0/timeout#0").await;
        until_journaled(&path, "v", "0.other/timeout#0.timedout").await;
    });
    clock.advance(25_000);
    // The structure changed (a step was added): every journaled key is checked, and the
    // timers' keys name steps and branches of the new version.
    let engine = clock.engine(&db);
    let (output, waited) = paused(move || async move {
        let start = tokio::time::Instant::now();
        let output = engine
            .run("v", v2::versioned())
            .await
            .expect("resumed, not parked");
        (output, start.elapsed())
    });
    assert_eq!(
        output,
        Err(Failure(
            "branch `value` failed: timed out after 30s".to_owned()
        ))
    );
    assert_eq!(
        waited,
        Duration::from_secs(5),
        "the rest of the step's 30 s"
    );
}

#[test]
fn a_jittered_wait_is_journaled_and_a_restart_waits_until_the_same_time() {
    let db = fresh_db("jitter");
    let clock = Clock::new();
    let (engine, path) = (clock.engine(&db), db.clone());
    paused(move || async move {
        let _handle = engine.start("jittered", jittered()).await.expect("start");
        until_journaled(&path, "jittered", "0.value.0#0/retry#0").await;
    });
    let journal = SqliteJournal::open(&db).expect("open the journal");
    let records = journal.records("jittered").expect("the records");
    let next = records
        .iter()
        .find(|r| r.key == "0.value.0#0/retry#0")
        .expect("the next attempt's time is journaled");
    let next: u64 = std::str::from_utf8(&next.value)
        .expect("text")
        .parse()
        .expect("milliseconds since the epoch");
    let jittered_ms = next - clock.0.load(Ordering::SeqCst);
    assert!(
        jittered_ms < 10_000,
        "the first wait is at most the 10 s backoff, not {jittered_ms} ms"
    );
    // The process is back at once (the clock did not move): the replay draws no new
    // wait, it waits until the journaled time.
    ANSWER.store(true, Ordering::SeqCst);
    let engine = clock.engine(&db);
    let (output, waited) = run_timed(engine, "jittered", jittered());
    assert_eq!(output, Ok(42));
    assert_eq!(
        JITTERED_CALLS.load(Ordering::SeqCst),
        2,
        "the failed attempt is replayed, then the second one runs"
    );
    assert_eq!(
        waited,
        Duration::from_millis(jittered_ms),
        "the journaled jittered wait, not a new one"
    );
}

#[test]
fn a_permanent_failure_of_a_durable_step_is_not_retried() {
    let db = fresh_db("permanent");
    let clock = Clock::new();
    let engine = clock.engine(&db);
    let (output, waited) = run_timed(engine, "refused", refused());
    assert_eq!(
        output,
        Err(Failure(
            "branch `value` failed: permanent: no such account".to_owned()
        ))
    );
    assert_eq!(PERMANENT_CALLS.load(Ordering::SeqCst), 1, "not retried");
    assert_eq!(waited, Duration::ZERO);
    let journal = SqliteJournal::open(&db).expect("open the journal");
    let records = journal.records("refused").expect("the records");
    assert!(
        records.iter().all(|r| !r.key.contains("/retry#")),
        "no next attempt is journaled"
    );
}

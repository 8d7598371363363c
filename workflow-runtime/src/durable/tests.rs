//! The engine's unit tests: workflows written by hand as `#[durable]` expands them.

use core::future::Future;
use core::time::Duration;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

use futures_util::join;

use super::{
    BoxFuture, Context, Engine, Error, Journal, JournalError, MemoryJournal, Start, Status,
    Workflow, boxed, failure_of, items, scoped, step, try_step,
};
use crate::fan_out::fan_out;

/// Runs `f` on a runtime of its own on another thread, then drops the runtime: every
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

async fn until(what: impl Fn() -> bool) {
    for _ in 0..2000 {
        if what() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("timed out waiting");
}

/// Waits while `held` is set.
async fn hold(held: &AtomicBool) {
    while held.load(SeqCst) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

fn keys(journal: &MemoryJournal, id: &str) -> Vec<String> {
    let mut keys: Vec<String> = journal
        .records(id)
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    keys.sort();
    keys
}

/// A memory journal seen as one that does I/O: its commits go through the committer
/// thread and take `delay_us` microseconds each (an fsync's stand-in), or, with
/// `fails`, fail (inline, so the failure meets the step at once).
#[derive(Clone, Default)]
struct Wrapped {
    inner: MemoryJournal,
    delay_us: u64,
    fails: bool,
}

impl Wrapped {
    fn deferred(delay_us: u64) -> Self {
        Wrapped {
            delay_us,
            ..Wrapped::default()
        }
    }

    fn failing() -> Self {
        Wrapped {
            fails: true,
            ..Wrapped::default()
        }
    }
}

impl Journal for Wrapped {
    fn create(&self, i: &super::InstanceRow) -> Result<super::Created, JournalError> {
        self.inner.create(i)
    }
    fn instance(&self, id: &str) -> Result<Option<super::InstanceRow>, JournalError> {
        self.inner.instance(id)
    }
    fn records(&self, i: &str) -> Result<Vec<super::Record>, JournalError> {
        self.inner.records(i)
    }
    fn signals(&self, i: &str) -> Result<Vec<super::SignalRow>, JournalError> {
        self.inner.signals(i)
    }
    fn commit(&self, batch: &[super::Write]) -> Result<(), JournalError> {
        if self.fails {
            return Err(JournalError::new("disk full"));
        }
        if self.delay_us > 0 {
            std::thread::sleep(Duration::from_micros(self.delay_us));
        }
        self.inner.commit(batch)
    }
    fn unfinished(&self) -> Result<Vec<super::InstanceRow>, JournalError> {
        self.inner.unfinished()
    }
    fn add_signal(&self, s: &super::SignalRow) -> Result<super::SignalAdded, JournalError> {
        self.inner.add_signal(s)
    }
    fn signals_after(
        &self,
        cursor: Option<u64>,
    ) -> Result<(Vec<super::SignalRow>, u64), JournalError> {
        self.inner.signals_after(cursor)
    }
    fn redrive(&self, i: &str) -> Result<bool, JournalError> {
        self.inner.redrive(i)
    }
    fn inline(&self) -> bool {
        self.fails
    }
}

// Two sequential steps; the second can be held (the crash comes while it waits).
static SEQ_RUNS: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];
static SEQ_HELD: AtomicBool = AtomicBool::new(true);

struct Sequential;
impl Workflow for Sequential {
    const NAME: &'static str = "sequential";
    const STEPS: &'static [&'static str] = &["0.a.0", "0.a.1"];
    type Args = (u32,);
    type Output = u32;
    fn run(ctx: Context, (x,): (u32,)) -> BoxFuture<u32> {
        boxed(async move {
            let a = step(&ctx, "0.a.0", async move {
                SEQ_RUNS[0].fetch_add(1, SeqCst);
                x + 1
            })
            .await;
            step(&ctx, "0.a.1", async move {
                hold(&SEQ_HELD).await;
                SEQ_RUNS[1].fetch_add(1, SeqCst);
                a * 10
            })
            .await
        })
    }
}

fn sequential(x: u32) -> Start<Sequential> {
    Start::new((x,))
}

#[tokio::test]
async fn a_restart_does_not_run_a_committed_step_again() {
    let journal = MemoryJournal::new();
    let first = journal.clone();
    crash(move || async move {
        let engine = Engine::new(first);
        let _handle = engine.start("seq-1", sequential(4)).await.unwrap();
        until(|| SEQ_RUNS[0].load(SeqCst) == 1).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    });
    assert_eq!(keys(&journal, "seq-1"), ["0.a.0#0"]);
    assert_eq!(SEQ_RUNS[1].load(SeqCst), 0);

    SEQ_HELD.store(false, SeqCst);
    let engine = Engine::new(journal.clone());
    engine.register(sequential);
    assert_eq!(engine.recover().await.unwrap(), ["seq-1"]);
    let output = engine
        .attach(sequential, "seq-1")
        .await
        .unwrap()
        .result()
        .await;
    assert_eq!(output, Ok(50));
    assert_eq!(SEQ_RUNS[0].load(SeqCst), 1, "the committed step replayed");
    assert_eq!(SEQ_RUNS[1].load(SeqCst), 1);
    assert_eq!(engine.status("seq-1"), Ok(Some(Status::Finished)));

    // Started again: the journaled output, nothing runs.
    assert_eq!(engine.run("seq-1", sequential(999)).await, Ok(50));
    assert_eq!(SEQ_RUNS[1].load(SeqCst), 1);
}

// The Restate failure: two branches of two steps, the finish order swapped between
// the crash and the restart.
static SWAP_RUNS: [AtomicUsize; 4] = [const { AtomicUsize::new(0) }; 4];
static SWAP_RESTARTED: AtomicBool = AtomicBool::new(false);

struct Swapped;
impl Workflow for Swapped {
    const NAME: &'static str = "swapped";
    const STEPS: &'static [&'static str] = &["0.a.0", "0.a.1", "0.b.0", "0.b.1"];
    type Args = ();
    type Output = (String, String);
    fn run(ctx: Context, (): ()) -> BoxFuture<(String, String)> {
        boxed(async move {
            let ms = Duration::from_millis;
            let a = async {
                let a0 = step(&ctx, "0.a.0", async {
                    SWAP_RUNS[0].fetch_add(1, SeqCst);
                    "a0".to_owned()
                })
                .await;
                step(&ctx, "0.a.1", async move {
                    if SWAP_RESTARTED.load(SeqCst) {
                        tokio::time::sleep(ms(20)).await; // after the other branch, now
                    } else {
                        futures_util::future::pending::<()>().await; // the crash comes first
                    }
                    SWAP_RUNS[1].fetch_add(1, SeqCst);
                    format!("{a0}+a1")
                })
                .await
            };
            let b = async {
                let b0 = step(&ctx, "0.b.0", async {
                    tokio::time::sleep(ms(5)).await; // after a0 in the first run
                    SWAP_RUNS[2].fetch_add(1, SeqCst);
                    "b0".to_owned()
                })
                .await;
                step(&ctx, "0.b.1", async move {
                    if !SWAP_RESTARTED.load(SeqCst) {
                        futures_util::future::pending::<()>().await;
                    }
                    SWAP_RUNS[3].fetch_add(1, SeqCst);
                    format!("{b0}+b1")
                })
                .await
            };
            join!(a, b)
        })
    }
}

fn swapped() -> Start<Swapped> {
    Start::new(())
}

#[tokio::test]
async fn branches_finishing_in_another_order_after_a_restart_resume_right() {
    let journal = MemoryJournal::new();
    let first = journal.clone();
    crash(move || async move {
        let engine = Engine::new(first);
        let _handle = engine.start("swap", swapped()).await.unwrap();
        until(|| SWAP_RUNS[2].load(SeqCst) == 1).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    });
    assert_eq!(keys(&journal, "swap"), ["0.a.0#0", "0.b.0#0"]);

    SWAP_RESTARTED.store(true, SeqCst);
    let engine = Engine::new(journal.clone());
    engine.register(swapped);
    engine.recover().await.unwrap();
    let output = engine
        .attach(swapped, "swap")
        .await
        .unwrap()
        .result()
        .await
        .unwrap();
    assert_eq!(output, ("a0+a1".to_owned(), "b0+b1".to_owned()));
    let runs: Vec<usize> = SWAP_RUNS.iter().map(|r| r.load(SeqCst)).collect();
    assert_eq!(runs, [1, 1, 1, 1]);
}

// Eight single-step branches that finish in one poll.
struct Eight;
impl Workflow for Eight {
    const NAME: &'static str = "eight";
    const STEPS: &'static [&'static str] = &[
        "0.a.0", "0.b.0", "0.c.0", "0.d.0", "0.e.0", "0.f.0", "0.g.0", "0.h.0",
    ];
    type Args = ();
    type Output = u32;
    #[allow(clippy::many_single_char_names)]
    fn run(ctx: Context, (): ()) -> BoxFuture<u32> {
        boxed(async move {
            let (a, b, c, d, e, f, g, h) = join!(
                step(&ctx, "0.a.0", async { 1 }),
                step(&ctx, "0.b.0", async { 2 }),
                step(&ctx, "0.c.0", async { 3 }),
                step(&ctx, "0.d.0", async { 4 }),
                step(&ctx, "0.e.0", async { 5 }),
                step(&ctx, "0.f.0", async { 6 }),
                step(&ctx, "0.g.0", async { 7 }),
                step(&ctx, "0.h.0", async { 8u32 }),
            );
            a + b + c + d + e + f + g + h
        })
    }
}

#[tokio::test]
async fn eight_steps_finishing_in_one_poll_are_one_commit() {
    let journal = MemoryJournal::new();
    let engine = Engine::new(journal.clone());
    assert_eq!(engine.run("eight", Start::<Eight>::new(())).await, Ok(36));
    assert_eq!(keys(&journal, "eight").len(), 8);
    // One commit for the eight results, one for the output.
    assert_eq!(engine.commits(), 2);

    let engine = Engine::new(Wrapped::deferred(0));
    assert_eq!(engine.run("eight", Start::<Eight>::new(())).await, Ok(36));
    assert_eq!(engine.commits(), 2);
}

// Signals.
// serde's derive is not a dependency of this crate: the impls by hand.
#[derive(Debug, PartialEq, Clone)]
struct Approval {
    by: String,
}

impl serde::Serialize for Approval {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.by.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Approval {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|by| Approval { by })
    }
}

/// How many times the `review` workflow's check ran, per instance (the tests that run
/// it run in parallel).
static REVIEW_STEP_DONE: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn review_checks(instance: &str) -> usize {
    REVIEW_STEP_DONE
        .lock()
        .unwrap()
        .iter()
        .filter(|done| *done == instance)
        .count()
}

struct Review;
impl Workflow for Review {
    const NAME: &'static str = "review";
    const STEPS: &'static [&'static str] = &["0.check.0", "0.review.0"];
    type Args = (u64,);
    type Output = (u32, String);
    fn run(ctx: Context, (delay,): (u64,)) -> BoxFuture<(u32, String)> {
        let instance = ctx.instance_id().to_owned();
        boxed(async move {
            let waits = ctx.signal::<Approval>("review");
            let (check, approval) = join!(
                step(&ctx, "0.check.0", async move {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                    REVIEW_STEP_DONE.lock().unwrap().push(instance);
                    7
                }),
                step(&ctx, "0.review.0", async move {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                    waits.await
                }),
            );
            (check, approval.by)
        })
    }
}

fn review(delay: u64) -> Start<Review> {
    Start::new((delay,))
}

#[tokio::test]
async fn a_signal_sent_before_the_wait_is_buffered() {
    let engine = Engine::new(MemoryJournal::new());
    let handle = engine.start("r-before", review(20)).await.unwrap();
    let approval = Approval { by: "ann".into() };
    engine
        .signal("r-before", "review", &approval)
        .await
        .unwrap();
    assert_eq!(handle.result().await, Ok((7, "ann".to_owned())));
}

#[tokio::test]
async fn a_signal_sent_while_the_instance_waits_completes_the_wait() {
    let engine = Engine::new(MemoryJournal::new());
    let handle = engine.start("r-after", review(0)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(engine.status("r-after"), Ok(Some(Status::Running)));
    let wrong = engine.signal("r-after", "review", &5u32).await;
    assert!(
        matches!(&wrong, Err(Error::WrongPayload { expected, found, .. }) if expected.ends_with("Approval") && found == "u32"),
        "{wrong:?}"
    );
    let approval = Approval { by: "bob".into() };
    engine.signal("r-after", "review", &approval).await.unwrap();
    assert_eq!(handle.result().await, Ok((7, "bob".to_owned())));
    let again = engine.signal("r-after", "review", &approval).await;
    assert!(
        matches!(again, Err(Error::DuplicateSignal { .. })),
        "{again:?}"
    );
    let unknown = engine.signal("nobody", "review", &approval).await;
    assert_eq!(unknown, Err(Error::UnknownInstance("nobody".to_owned())));
}

#[tokio::test]
async fn a_buffered_payload_of_the_wrong_type_parks_the_instance() {
    let engine = Engine::new(MemoryJournal::new());
    let handle = engine.start("r-wrong", review(10)).await.unwrap();
    engine
        .signal("r-wrong", "review", "not an approval")
        .await
        .unwrap();
    let output = handle.result().await;
    assert!(
        matches!(&output, Err(Error::Parked { reason, .. }) if reason.contains("review")),
        "{output:?}"
    );
    assert_eq!(engine.status("r-wrong"), Ok(Some(Status::Parked)));
}

#[tokio::test]
async fn a_signal_sent_while_the_instance_is_down_is_delivered_after_the_restart() {
    let journal = MemoryJournal::new();
    let first = journal.clone();
    crash(move || async move {
        let engine = Engine::new(first);
        let _handle = engine.start("r-restart", review(0)).await.unwrap();
        // Crash once the check ran (the memory journal commits it in the same poll).
        while review_checks("r-restart") == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    });
    // Sent while no process runs the instance: buffered in the journal.
    let approval = Approval { by: "cy".into() };
    let engine = Engine::new(journal.clone());
    engine
        .signal("r-restart", "review", &approval)
        .await
        .unwrap();
    let checks = review_checks("r-restart");
    let output = engine
        .attach(review, "r-restart")
        .await
        .unwrap()
        .result()
        .await;
    assert_eq!(output, Ok((7, "cy".to_owned())));
    assert_eq!(review_checks("r-restart"), checks, "the check replayed");
}

#[test]
fn the_memory_journal_reads_signals_after_a_cursor() {
    let journal = MemoryJournal::new();
    let row = |id: &str| super::InstanceRow {
        id: id.into(),
        workflow: "review".into(),
        structure: String::new(),
        args: Vec::new(),
        status: Status::Running,
        output: None,
        reason: None,
    };
    let signal = |name: &str| super::SignalRow {
        instance: "m".into(),
        name: name.into(),
        type_name: "u32".into(),
        payload: b"1".to_vec(),
    };
    journal.create(&row("m")).unwrap();
    let (_, start) = journal.signals_after(None).unwrap();
    journal.add_signal(&signal("one")).unwrap();
    journal.add_signal(&signal("one")).unwrap();
    journal.add_signal(&signal("two")).unwrap();
    let (read, end) = journal.signals_after(Some(start)).unwrap();
    assert_eq!(read, vec![signal("one"), signal("two")]);
    assert_eq!(journal.signals_after(Some(end)).unwrap(), (Vec::new(), end));
    assert_eq!(
        journal.signals_after(Some(end + 10)).unwrap(),
        (Vec::new(), end)
    );
}

/// A signal sent by another process, played by a second engine on its own connection
/// to the same `SQLite` file: the engine running the instance reads it from the journal.
#[cfg(feature = "sqlite")]
#[tokio::test]
async fn a_signal_sent_by_another_process_reaches_the_waiting_instance() {
    let dir = std::env::temp_dir().join(format!("workflow-signal-poll-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("journal.db");
    let worker = Engine::new(super::SqliteJournal::open(&file).unwrap())
        .poll_signals_every(Duration::from_millis(5));
    let handle = worker.start("r-remote", review(0)).await.unwrap();
    // Buffered before the wait, sent through the worker's own engine: the other test
    // covers it. Here the wait is reached first, then the signal comes from elsewhere.
    for _ in 0..1_000 {
        if review_checks("r-remote") > 0 && worker.status("r-remote") == Ok(Some(Status::Running)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let web = Engine::new(super::SqliteJournal::open(&file).unwrap());
    let approval = Approval { by: "dee".into() };
    web.signal("r-remote", "review", &approval).await.unwrap();
    let again = web.signal("r-remote", "review", &approval).await;
    assert!(
        matches!(again, Err(Error::DuplicateSignal { .. })),
        "{again:?}"
    );
    let output = tokio::time::timeout(Duration::from_secs(20), handle.result()).await;
    assert_eq!(output.expect("no hang"), Ok((7, "dee".to_owned())));
    drop((worker, web));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A damaged signal row (its checksum does not match) parks its own instance only: the
/// other instances waiting on the same engine still get their signals.
#[cfg(feature = "sqlite")]
#[tokio::test]
async fn a_damaged_signal_parks_its_instance_and_no_other() {
    let dir = std::env::temp_dir().join(format!("workflow-signal-damaged-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("journal.db");
    let worker = Engine::new(super::SqliteJournal::open(&db).unwrap())
        .poll_signals_every(Duration::from_millis(5));
    let damaged = worker.start("r-damaged", review(0)).await.unwrap();
    let fine = worker.start("r-fine", review(0)).await.unwrap();
    for _ in 0..1_000 {
        if review_checks("r-damaged") > 0 && review_checks("r-fine") > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // Stored damaged in one statement (its checksum does not match its bytes), as a
    // bad disk would leave it.
    let raw = rusqlite::Connection::open(&db).unwrap();
    raw.execute(
        "INSERT INTO signals (instance, name, type_name, payload, checksum) \
         VALUES ('r-damaged', 'review', 'Approval', X'2265766522', 0)",
        [],
    )
    .unwrap();
    let web = Engine::new(super::SqliteJournal::open(&db).unwrap());
    let approval = Approval { by: "eve".into() };
    web.signal("r-fine", "review", &approval).await.unwrap();
    let fine = tokio::time::timeout(Duration::from_secs(20), fine.result()).await;
    assert_eq!(fine.expect("no hang"), Ok((7, "eve".to_owned())));
    let damaged = tokio::time::timeout(Duration::from_secs(20), damaged.result()).await;
    let damaged = damaged.expect("no hang");
    assert!(
        matches!(&damaged, Err(Error::Corrupt { instance, message, .. }) if instance == "r-damaged" && message.contains("damaged")),
        "{damaged:?}"
    );
    drop((worker, web, raw));
    let _ = std::fs::remove_dir_all(&dir);
}

// A signal with a durable timeout.
struct Deadline;
impl Workflow for Deadline {
    const NAME: &'static str = "deadline";
    const STEPS: &'static [&'static str] = &[];
    type Args = (u64,);
    type Output = Result<u32, String>;
    fn run(ctx: Context, (ms,): (u64,)) -> BoxFuture<Result<u32, String>> {
        boxed(async move {
            ctx.signal::<u32>("go")
                .timeout(Duration::from_millis(ms))
                .await
                .map_err(|e| e.to_string())
        })
    }
    fn failure(output: &Self::Output) -> Option<String> {
        failure_of(output)
    }
}

#[tokio::test]
async fn a_signal_wait_times_out_and_the_timeout_is_journaled() {
    let journal = MemoryJournal::new();
    let engine = Engine::new(journal.clone());
    let output = engine.run("t-1", Start::<Deadline>::new((5,))).await;
    assert_eq!(output, Ok(Err("timed out after 5ms".to_owned())));
    assert_eq!(engine.status("t-1"), Ok(Some(Status::Failed)));
    assert_eq!(
        keys(&journal, "t-1"),
        ["ctx.deadline#0", "ctx.deadline#0.timedout"]
    );

    let handle = engine
        .start("t-2", Start::<Deadline>::new((1000,)))
        .await
        .unwrap();
    engine.signal("t-2", "go", &3u32).await.unwrap();
    assert_eq!(handle.result().await, Ok(Ok(3)));
}

// Another workflow's id.
struct Other;
impl Workflow for Other {
    const NAME: &'static str = "other";
    const STEPS: &'static [&'static str] = &[];
    type Args = ();
    type Output = u32;
    fn run(_: Context, (): ()) -> BoxFuture<u32> {
        boxed(async { 1 })
    }
}

#[tokio::test]
async fn an_id_of_another_workflow_is_refused() {
    let engine = Engine::new(MemoryJournal::new());
    assert_eq!(
        engine.run("shared-id", Start::<Other>::new(())).await,
        Ok(1)
    );
    let wrong = engine.start("shared-id", Start::<Eight>::new(())).await;
    assert_eq!(
        wrong.unwrap_err(),
        Error::WrongWorkflow {
            instance: "shared-id".into(),
            expected: "eight".into(),
            found: "other".into()
        }
    );
    let unknown = engine.attach(sequential, "nobody").await;
    assert_eq!(
        unknown.unwrap_err(),
        Error::UnknownInstance("nobody".into())
    );
}

// Versioning: the same workflow name with other steps, or a step retyped.
static V_HELD: AtomicBool = AtomicBool::new(true);

macro_rules! versioned {
    ($name:ident, $steps:expr, $a:ty, $value:expr) => {
        struct $name;
        impl Workflow for $name {
            const NAME: &'static str = "versioned";
            const STEPS: &'static [&'static str] = $steps;
            type Args = ();
            type Output = String;
            fn run(ctx: Context, (): ()) -> BoxFuture<String> {
                boxed(async move {
                    let a: $a = step(&ctx, "0.a.0", async { $value }).await;
                    let b = step(&ctx, "0.b.0", async {
                        hold(&V_HELD).await;
                        1u8
                    })
                    .await;
                    format!("{a:?} {b}")
                })
            }
        }
    };
}

versioned!(V1, &["0.a.0", "0.b.0"], u32, 5);
versioned!(V2Added, &["0.a.0", "0.b.0", "0.c.0"], u32, 5);
versioned!(V2Removed, &["0.x.0", "0.b.0"], u32, 5);
versioned!(V2Retyped, &["0.a.0", "0.b.0"], String, "five".to_owned());

fn crashed_v1(journal: &MemoryJournal, id: &'static str) {
    let first = journal.clone();
    crash(move || async move {
        let engine = Engine::new(first.clone());
        let _handle = engine.start(id, Start::<V1>::new(())).await.unwrap();
        until(|| first.records(id).unwrap().len() == 1).await;
    });
}

#[tokio::test]
async fn a_changed_structure_parks_the_instance_and_an_added_step_resumes() {
    let journal = MemoryJournal::new();
    crashed_v1(&journal, "v-removed");
    crashed_v1(&journal, "v-added");
    crashed_v1(&journal, "v-retyped");
    V_HELD.store(false, SeqCst);

    let engine = Engine::new(journal.clone());
    let removed = engine.start("v-removed", Start::<V2Removed>::new(())).await;
    assert!(
        matches!(&removed, Err(Error::Incompatible { instance, step, .. }) if instance == "v-removed" && step == "0.a.0#0"),
        "{removed:?}"
    );
    assert_eq!(engine.status("v-removed"), Ok(Some(Status::Parked)));

    let added = engine.run("v-added", Start::<V2Added>::new(())).await;
    assert_eq!(added, Ok("5 1".to_owned()));

    let retyped = engine.run("v-retyped", Start::<V2Retyped>::new(())).await;
    assert!(
        matches!(&retyped, Err(Error::Incompatible { step, reason, .. }) if step == "0.a.0#0" && reason.contains("u32")),
        "{retyped:?}"
    );
    assert_eq!(engine.status("v-retyped"), Ok(Some(Status::Parked)));
    // A parked instance stays parked.
    let parked = engine.start("v-retyped", Start::<V2Retyped>::new(())).await;
    assert!(matches!(parked, Err(Error::Parked { .. })), "{parked:?}");
    // Redriven under the old code, it finishes.
    engine.register(|| Start::<V1>::new(()));
    assert_eq!(engine.redrive("v-retyped").await, Ok(true));
    let output = engine
        .attach(|| Start::<V1>::new(()), "v-retyped")
        .await
        .unwrap();
    assert_eq!(output.result().await, Ok("5 1".to_owned()));
}

// Redrive: a failed step runs again, the rest replays.
static RD_RUNS: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

struct Redriven;
impl Workflow for Redriven {
    const NAME: &'static str = "redriven";
    const STEPS: &'static [&'static str] = &["0.a.0", "0.b.0"];
    type Args = ();
    type Output = Result<u32, String>;
    fn run(ctx: Context, (): ()) -> BoxFuture<Result<u32, String>> {
        boxed(async move {
            let (a, b) = join!(
                step(&ctx, "0.a.0", async {
                    RD_RUNS[0].fetch_add(1, SeqCst);
                    1u32
                }),
                try_step(&ctx, "0.b.0", async {
                    if RD_RUNS[1].fetch_add(1, SeqCst) == 0 {
                        Err("flaky".to_owned())
                    } else {
                        Ok(2u32)
                    }
                }),
            );
            Ok(a + b?)
        })
    }
    fn failure(output: &Self::Output) -> Option<String> {
        failure_of(output)
    }
}

fn redriven() -> Start<Redriven> {
    Start::new(())
}

#[tokio::test]
async fn redrive_runs_only_the_failed_step_again() {
    let journal = MemoryJournal::new();
    let engine = Engine::new(journal.clone());
    assert_eq!(
        engine.run("rd", redriven()).await,
        Ok(Err("flaky".to_owned()))
    );
    assert_eq!(engine.status("rd"), Ok(Some(Status::Failed)));
    assert_eq!(
        journal.instance("rd").unwrap().unwrap().reason.as_deref(),
        Some("flaky")
    );
    assert_eq!(engine.redrive("rd").await, Ok(true));
    let output = engine.attach(redriven, "rd").await.unwrap().result().await;
    assert_eq!(output, Ok(Ok(3)));
    assert_eq!(RD_RUNS[0].load(SeqCst), 1);
    assert_eq!(RD_RUNS[1].load(SeqCst), 2);
    assert_eq!(engine.status("rd"), Ok(Some(Status::Finished)));
    assert_eq!(engine.redrive("rd").await, Ok(false));
}

// A fan-out: items journaled, each item's steps keyed under the item.
static FAN_ITEMS: Mutex<Vec<u32>> = Mutex::new(Vec::new());
static FAN_RUNS: AtomicUsize = AtomicUsize::new(0);
static FAN_HELD: AtomicBool = AtomicBool::new(true);

struct Fan;
impl Workflow for Fan {
    const NAME: &'static str = "fan";
    const STEPS: &'static [&'static str] = &["0.files", "0.files.0", "0.files.1"];
    type Args = ();
    type Output = Vec<u32>;
    fn run(ctx: Context, (): ()) -> BoxFuture<Vec<u32>> {
        boxed(async move {
            let ctx = &ctx;
            let files = FAN_ITEMS.lock().unwrap().clone();
            fan_out(
                items(ctx, "0.files", files),
                Some(2),
                |(scope, x): (_, u32)| {
                    scoped(scope, async move {
                        let y = step(ctx, "0.files.0", async move {
                            FAN_RUNS.fetch_add(1, SeqCst);
                            x * 10
                        })
                        .await;
                        step(ctx, "0.files.1", async move {
                            if x == 3 {
                                hold(&FAN_HELD).await;
                            }
                            y + 1
                        })
                        .await
                    })
                },
            )
            .await
        })
    }
}

#[tokio::test]
async fn fan_out_items_are_journaled_and_their_steps_keyed_by_item() {
    *FAN_ITEMS.lock().unwrap() = vec![1, 2, 3];
    let journal = MemoryJournal::new();
    let first = journal.clone();
    crash(move || async move {
        let engine = Engine::new(first.clone());
        let _handle = engine.start("fan", Start::<Fan>::new(())).await.unwrap();
        until(|| first.records("fan").unwrap().len() == 6).await;
    });
    assert_eq!(
        keys(&journal, "fan"),
        [
            "0.files#0",
            "0.files#0[0]/0.files.0#0",
            "0.files#0[0]/0.files.1#0",
            "0.files#0[1]/0.files.0#0",
            "0.files#0[1]/0.files.1#0",
            "0.files#0[2]/0.files.0#0",
        ]
    );
    // The items replay, whatever the code would collect now.
    *FAN_ITEMS.lock().unwrap() = vec![100];
    FAN_HELD.store(false, SeqCst);
    let engine = Engine::new(journal);
    assert_eq!(
        engine.run("fan", Start::<Fan>::new(())).await,
        Ok(vec![11, 21, 31])
    );
    assert_eq!(FAN_RUNS.load(SeqCst), 3);
}

// A loop: each occurrence of a step has its own key.
static LOOP_RUNS: AtomicUsize = AtomicUsize::new(0);
static LOOP_HELD: AtomicBool = AtomicBool::new(true);

struct Looped;
impl Workflow for Looped {
    const NAME: &'static str = "looped";
    const STEPS: &'static [&'static str] = &["0.each.0"];
    type Args = ();
    type Output = Vec<u32>;
    fn run(ctx: Context, (): ()) -> BoxFuture<Vec<u32>> {
        boxed(async move {
            let mut out = Vec::new();
            for i in 0..4u32 {
                out.push(
                    step(&ctx, "0.each.0", async move {
                        if i == 2 {
                            hold(&LOOP_HELD).await;
                        }
                        LOOP_RUNS.fetch_add(1, SeqCst);
                        i * i
                    })
                    .await,
                );
            }
            out
        })
    }
}

#[tokio::test]
async fn occurrences_in_a_loop_have_their_own_keys() {
    let journal = MemoryJournal::new();
    let first = journal.clone();
    crash(move || async move {
        let engine = Engine::new(first.clone());
        let _handle = engine
            .start("loop", Start::<Looped>::new(()))
            .await
            .unwrap();
        until(|| first.records("loop").unwrap().len() == 2).await;
    });
    assert_eq!(keys(&journal, "loop"), ["0.each.0#0", "0.each.0#1"]);
    LOOP_HELD.store(false, SeqCst);
    let engine = Engine::new(journal.clone());
    assert_eq!(
        engine.run("loop", Start::<Looped>::new(())).await,
        Ok(vec![0, 1, 4, 9])
    );
    assert_eq!(LOOP_RUNS.load(SeqCst), 4);
    assert_eq!(keys(&journal, "loop").len(), 4);
}

// Time and random values replay.
static NOW_SEEN: Mutex<Vec<(u128, u64, String)>> = Mutex::new(Vec::new());
static NOW_HELD: AtomicBool = AtomicBool::new(true);

struct Clock;
impl Workflow for Clock {
    const NAME: &'static str = "clock";
    const STEPS: &'static [&'static str] = &["0.a.0"];
    type Args = ();
    type Output = (u128, u64);
    fn run(ctx: Context, (): ()) -> BoxFuture<(u128, u64)> {
        boxed(async move {
            let now = ctx
                .now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let random = ctx.random();
            let key = step(&ctx, "0.a.0", async {
                let key = ctx.idempotency_key();
                NOW_SEEN.lock().unwrap().push((now, random, key.clone()));
                hold(&NOW_HELD).await;
                key
            })
            .await;
            NOW_SEEN.lock().unwrap().push((now, random, key));
            (now, random)
        })
    }
}

#[tokio::test]
async fn now_and_random_replay() {
    let journal = MemoryJournal::new();
    let first = journal.clone();
    crash(move || async move {
        let engine = Engine::new(first);
        let _handle = engine
            .start("clock", Start::<Clock>::new(()))
            .await
            .unwrap();
        until(|| !NOW_SEEN.lock().unwrap().is_empty()).await;
    });
    assert_eq!(keys(&journal, "clock"), ["ctx.now#0", "ctx.random#0"]);
    tokio::time::sleep(Duration::from_millis(2)).await;
    NOW_HELD.store(false, SeqCst);
    let engine = Engine::new(journal.clone());
    let (now, random) = engine.run("clock", Start::<Clock>::new(())).await.unwrap();
    let seen = NOW_SEEN.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter().all(|(n, r, _)| (*n, *r) == (now, random)),
        "{seen:?}"
    );
    assert_eq!(seen[0].2, seen[1].2, "the idempotency key is stable");
    assert_eq!(seen[0].2.len(), 32);
}

// A durable sleep's deadline survives a restart.
struct Nap;
impl Workflow for Nap {
    const NAME: &'static str = "nap";
    const STEPS: &'static [&'static str] = &[];
    type Args = ();
    type Output = u64;
    fn run(ctx: Context, (): ()) -> BoxFuture<u64> {
        boxed(async move {
            ctx.sleep(Duration::from_millis(120)).await;
            u64::try_from(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_millis(),
            )
            .unwrap()
        })
    }
}

#[tokio::test]
async fn a_durable_sleep_deadline_survives_a_restart() {
    let journal = MemoryJournal::new();
    let first = journal.clone();
    crash(move || async move {
        let engine = Engine::new(first.clone());
        let _handle = engine.start("nap", Start::<Nap>::new(())).await.unwrap();
        until(|| !first.records("nap").unwrap().is_empty()).await;
        tokio::time::sleep(Duration::from_millis(30)).await;
    });
    let records = journal.records("nap").unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].key, "ctx.deadline#0");
    let deadline: u64 = serde_json::from_slice(&records[0].value).unwrap();
    let engine = Engine::new(journal.clone());
    let woke = engine.run("nap", Start::<Nap>::new(())).await.unwrap();
    assert!(
        woke >= deadline,
        "woke at {woke}, the deadline was {deadline}"
    );
    let records = journal.records("nap").unwrap();
    assert_eq!(records.len(), 1, "the deadline was not journaled again");
}

#[tokio::test]
async fn a_failed_commit_ends_the_instance_with_a_journal_error() {
    let engine = Engine::new(Wrapped::failing());
    let output = engine.run("fails", Start::<Eight>::new(())).await;
    assert_eq!(output, Err(Error::Journal(JournalError::new("disk full"))));
}

struct Panics;
impl Workflow for Panics {
    const NAME: &'static str = "panics";
    const STEPS: &'static [&'static str] = &["0.a.0"];
    type Args = ();
    type Output = u32;
    fn run(ctx: Context, (): ()) -> BoxFuture<u32> {
        boxed(async move { step(&ctx, "0.a.0", async { panic!("boom") }).await })
    }
}

#[tokio::test]
async fn a_panic_is_reported_and_the_instance_stays_running() {
    let engine = Engine::new(MemoryJournal::new());
    let output = engine.run("boom", Start::<Panics>::new(())).await;
    assert_eq!(
        output,
        Err(Error::Panicked {
            instance: "boom".into(),
            message: "boom".into()
        })
    );
    assert_eq!(engine.status("boom"), Ok(Some(Status::Running)));
}

#[tokio::test]
async fn recover_names_instances_of_unregistered_workflows() {
    let journal = MemoryJournal::new();
    let first = journal.clone();
    crash(move || async move {
        let engine = Engine::new(first.clone());
        let _handle = engine
            .start("unreg", Start::<Looped>::new(()))
            .await
            .unwrap();
    });
    let engine = Engine::new(journal);
    let recovered = engine.recover().await;
    assert!(
        matches!(&recovered, Err(Error::UnknownWorkflow(what)) if what.contains("looped") && what.contains("unreg")),
        "{recovered:?}"
    );
}

// Many instances at once: their writes share commits.
struct Three;
impl Workflow for Three {
    const NAME: &'static str = "three";
    const STEPS: &'static [&'static str] = &["0.a.0", "0.b.0", "0.c.0"];
    type Args = (u32,);
    type Output = u32;
    fn run(ctx: Context, (x,): (u32,)) -> BoxFuture<u32> {
        boxed(async move {
            let (a, b, c) = join!(
                step(&ctx, "0.a.0", async move { x }),
                step(&ctx, "0.b.0", async move { x + 1 }),
                step(&ctx, "0.c.0", async move { x + 2 }),
            );
            a + b + c
        })
    }
}

#[tokio::test]
async fn ten_thousand_instances_of_a_three_branch_fork_all_finish() {
    const N: u32 = 10_000;
    let engine = Engine::new(Wrapped::deferred(200));
    let mut handles = Vec::new();
    for i in 0..N {
        handles.push(
            engine
                .start(&format!("three-{i}"), Start::<Three>::new((i,)))
                .await
                .unwrap(),
        );
    }
    for (i, handle) in (0..N).zip(handles) {
        assert_eq!(handle.result().await, Ok(3 * i + 3));
    }
    let commits = engine.commits();
    // One transaction per step would be 40,000 (30,000 results, 10,000 outputs), one
    // per poll 20,000; the committer merges the batches of instances queued together.
    // Measured 204 on a quiet machine, 3,133 under a parallel build.
    assert!(commits < u64::from(N), "{commits} commits");
    eprintln!("{N} instances of a 3-branch fork: {commits} commits");

    // Inline, each instance commits twice: its three results, its output.
    let engine = Engine::new(MemoryJournal::new());
    let mut handles = Vec::new();
    for i in 0..1000 {
        handles.push(
            engine
                .start(&format!("three-{i}"), Start::<Three>::new((i,)))
                .await
                .unwrap(),
        );
    }
    for handle in handles {
        handle.result().await.unwrap();
    }
    assert_eq!(engine.commits(), 2000);
}

// What a durable step costs over a plain one (`cargo test --release -p workflow-runtime
// --features durable -- --ignored --nocapture step_overhead`); prints, asserts nothing.
struct Many;
impl Workflow for Many {
    const NAME: &'static str = "many";
    const STEPS: &'static [&'static str] = &["0.each.0"];
    type Args = (u32,);
    type Output = u64;
    fn run(ctx: Context, (n,): (u32,)) -> BoxFuture<u64> {
        boxed(async move {
            let mut sum = 0u64;
            for i in 0..n {
                sum += step(&ctx, "0.each.0", async move { u64::from(i) }).await;
            }
            sum
        })
    }
}

#[tokio::test]
#[ignore = "a measurement"]
async fn step_overhead() {
    const N: u32 = 100_000;
    let started = std::time::Instant::now();
    let mut sum = 0u64;
    for i in 0..N {
        sum += std::hint::black_box(async move { u64::from(i) }).await;
    }
    let plain = started.elapsed();
    let engine = Engine::new(MemoryJournal::new());
    let started = std::time::Instant::now();
    let durable = engine.run("many", Start::<Many>::new((N,))).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(sum, durable);
    let started = std::time::Instant::now();
    for i in 0..1000 {
        engine
            .run(&format!("many-{i}"), Start::<Many>::new((100,)))
            .await
            .unwrap();
    }
    let short = started.elapsed();
    eprintln!("1000 instances of 100 steps: {:?}/step", short / 100_000);
    eprintln!(
        "plain {:?}/step, durable {:?}/step ({N} sequential steps, MemoryJournal)",
        plain / N,
        elapsed / N
    );
}

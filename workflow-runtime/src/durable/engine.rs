//! The engine: starts, resumes and signals instances; the `Workflow` trait the
//! `#[durable]` expansion implements.

use core::marker::PhantomData;
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use super::context::{Context, fnv};
use super::error::Error;
use super::instance::{CommitPath, ItemSpans, Shared, committer, drive, drive_helper};
use super::journal::{
    Created, InstanceRow, ItemClaim, Journal, Record, SignalAdded, SignalRow, Status, Write,
};
use super::step::{BoxFuture, Journaled};

/// A durable workflow, as `workflow!` with `#[durable]` implements it on a marker type
/// (or by hand, as below).
///
/// ```
/// use workflow_runtime::__private::durable::{step, boxed};
/// use workflow_runtime::durable::{BoxFuture, Context, Engine, MemoryJournal, Start, Workflow};
///
/// struct Double;
/// impl Workflow for Double {
///     const NAME: &'static str = "double";
///     const STEPS: &'static [&'static str] = &["0.a.0", "0.b.0"];
///     type Args = (u32,);
///     type Output = u32;
///     fn run(ctx: Context, (x,): (u32,)) -> BoxFuture<u32> {
///         boxed(async move {
///             let (a, b) = futures::join!(
///                 step(&ctx, "0.a.0", async move { x * 2 }),
///                 step(&ctx, "0.b.0", async move { x + 1 }),
///             );
///             a + b
///         })
///     }
/// }
///
/// fn double(x: u32) -> Start<Double> {
///     Start::new((x,))
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let engine = Engine::new(MemoryJournal::new());
/// assert_eq!(engine.run("d-1", double(3)).await?, 10);
/// # Ok::<(), workflow_runtime::durable::Error>(())
/// # }).unwrap();
/// ```
pub trait Workflow: Sized + 'static {
    /// The workflow's name, stored with each instance.
    const NAME: &'static str;
    /// Every step id (and fan-out id) of the workflow, in source order: a resumed
    /// instance's journal must name only these.
    const STEPS: &'static [&'static str];
    /// The arguments, as a tuple.
    type Args: Journaled;
    /// What the workflow returns.
    type Output: Journaled;
    /// The names of the signals the workflow waits for, when they are all known (the
    /// expansion lists the literal names of `ctx.signal(..)` calls when the context is
    /// used only through its methods); `None`: not known, every name is taken.
    /// [`Engine::signal`] refuses a name not in the list ([`Error::UnknownSignal`]).
    const SIGNALS: Option<&'static [&'static str]> = None;
    /// The workflow's body.
    fn run(ctx: Context, args: Self::Args) -> BoxFuture<Self::Output>;
    /// Why `output` is a failure (the instance is then `Failed`, and
    /// [`Engine::redrive`] runs again what failed), or `None` for a success.
    fn failure(output: &Self::Output) -> Option<String> {
        let _ = output;
        None
    }
}

/// A call of a durable workflow: its arguments, ready for [`Engine::start`] or
/// [`Engine::run`]. The workflow's function returns it.
pub struct Start<W: Workflow> {
    args: W::Args,
}

impl<W: Workflow> Start<W> {
    /// The call with these arguments.
    pub fn new(args: W::Args) -> Self {
        Start { args }
    }

    /// The arguments.
    pub fn args(&self) -> &W::Args {
        &self.args
    }
}

impl<W: Workflow> core::fmt::Debug for Start<W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Start")
            .field("workflow", &W::NAME)
            .finish_non_exhaustive()
    }
}

/// A durable workflow's function (`fn loan(app: Application) -> Start<..>`, of 0 to
/// 8 arguments): names the workflow for [`Engine::register`] and [`Engine::attach`].
pub trait Starter<Args> {
    /// The workflow it starts.
    type Workflow: Workflow;
}

macro_rules! starter {
    ($($arg:ident),*) => {
        impl<F, W: Workflow, $($arg),*> Starter<($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> Start<W>,
        {
            type Workflow = W;
        }
    };
}

starter!();
starter!(A);
starter!(A, B);
starter!(A, B, C);
starter!(A, B, C, D);
starter!(A, B, C, D, E);
starter!(A, B, C, D, E, F2);
starter!(A, B, C, D, E, F2, G);
starter!(A, B, C, D, E, F2, G, H);

/// The hash of a workflow's structure (its step ids), stored with each instance.
pub(crate) fn structure_hash(steps: &[&str]) -> String {
    format!("{:016x}", fnv(0xcbf2_9ce4_8422_2325, steps))
}

/// Checks that every journaled key names a step of `W` (when the structure changed).
fn check_version<W: Workflow>(row: &InstanceRow, records: &[Record]) -> Result<(), Error> {
    if row.structure == structure_hash(W::STEPS) {
        return Ok(());
    }
    for record in records {
        for segment in record.key.split('/') {
            let id = segment.split('#').next().unwrap_or(segment);
            if id.starts_with("ctx.")
                || matches!(id, "now" | "random" | "deadline" | "timeout" | "retry")
            {
                continue;
            }
            if !W::STEPS.contains(&id) {
                return Err(Error::Incompatible {
                    instance: row.id.clone(),
                    step: record.key.clone(),
                    reason: format!(
                        "its step `{id}` is not a step of workflow `{}` any more",
                        W::NAME
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Where an instance's outcome lands, for every handle on it.
#[derive(Default)]
struct Slot {
    outcome: Mutex<Outcome>,
    done: tokio::sync::Notify,
}

#[derive(Default)]
struct Outcome {
    result: Option<Result<Vec<u8>, Error>>,
    /// The output itself, for the first handle that asks.
    typed: Option<Box<dyn Any + Send>>,
}

impl Slot {
    fn lock(&self) -> MutexGuard<'_, Outcome> {
        self.outcome.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn ready(result: Result<Vec<u8>, Error>) -> Arc<Slot> {
        let slot = Arc::new(Slot::default());
        slot.finish_journaled(result);
        slot
    }

    /// Fills the slot with a journaled output (each handle decodes it).
    fn finish_journaled(&self, result: Result<Vec<u8>, Error>) {
        self.lock().result = Some(result);
        self.done.notify_waiters();
    }

    fn finish<T: Send + 'static>(&self, result: Result<(T, Vec<u8>), Error>) {
        {
            let mut outcome = self.lock();
            match result {
                Ok((value, bytes)) => {
                    outcome.typed = Some(Box::new(value));
                    outcome.result = Some(Ok(bytes));
                }
                Err(error) => outcome.result = Some(Err(error)),
            }
        }
        self.done.notify_waiters();
    }
}

/// An instance started or attached to: [`Handle::result`] waits for its output.
#[must_use = "a handle does nothing unless its result is awaited"]
pub struct Handle<T> {
    instance: String,
    slot: Arc<Slot>,
    output: PhantomData<fn() -> T>,
}

impl<T> core::fmt::Debug for Handle<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Handle")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

impl<T: Journaled> Handle<T> {
    /// The instance's id.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Waits for the instance's output (its journaled output if it had finished).
    /// A workflow that returned an `Err` gives `Ok(Err(..))`: the output is the
    /// workflow's; `Error` is the engine's.
    pub async fn result(self) -> Result<T, Error> {
        loop {
            let done = self.slot.done.notified();
            let mut done = core::pin::pin!(done);
            done.as_mut().enable();
            {
                let mut outcome = self.slot.lock();
                if let Some(typed) = outcome.typed.take()
                    && let Ok(value) = typed.downcast::<T>()
                {
                    return Ok(*value);
                }
                match &outcome.result {
                    Some(Ok(bytes)) => {
                        return serde_json::from_slice(bytes).map_err(|error| Error::Corrupt {
                            instance: self.instance.clone(),
                            key: "output".to_owned(),
                            message: error.to_string(),
                        });
                    }
                    Some(Err(error)) => return Err(error.clone()),
                    None => {}
                }
            }
            done.await;
        }
    }
}

/// How to resume an instance of a registered workflow.
type Resume = fn(&Engine, &InstanceRow) -> Result<(), Error>;

/// How to run claimed items of a shared fan-out of a registered workflow.
type Help = fn(&Engine, ItemClaim);

/// What the engine knows of a registered workflow.
#[derive(Clone, Copy)]
struct Registered {
    resume: Resume,
    help: Help,
    signals: Option<&'static [&'static str]>,
    steps: &'static [&'static str],
}

impl Registered {
    fn of<W: Workflow>() -> Registered {
        Registered {
            resume: |engine, row| engine.resume::<W>(row).map(drop),
            help: |engine, claim| engine.help::<W>(claim),
            signals: W::SIGNALS,
            steps: W::STEPS,
        }
    }
}

struct Running {
    workflow: &'static str,
    slot: Arc<Slot>,
    shared: Arc<Shared>,
}

struct Core {
    journal: Arc<dyn Journal>,
    path: Arc<CommitPath>,
    workflows: Mutex<HashMap<&'static str, Registered>>,
    running: Mutex<HashMap<String, Running>>,
    signals: Mutex<SignalPoll>,
    /// The replays running here for claimed items of shared fan-outs.
    helpers: AtomicU64,
    /// Whether the task that runs shared fan-outs' items (and collects them) runs.
    fan_outs: std::sync::atomic::AtomicBool,
    /// Wakes the fan-out task early: a helper replay ended (room for another claim).
    helper_ended: tokio::sync::Notify,
    /// Where the items of shared fan-outs lie in their records, by instance and
    /// fan-out: found once here, read by every helper replay of the fan-out.
    item_spans: Mutex<HashMap<(String, String), Arc<ItemSpans>>>,
}

/// How many helper replays (of up to [`ITEMS_A_CLAIM`] items each) a worker runs at once.
const HELPERS: u64 = 4;
/// How many items a helper claims at a time.
const ITEMS_A_CLAIM: usize = 32;
/// How often the fan-out task looks for items to run and items done.
const FAN_OUT_POLL: Duration = Duration::from_millis(20);

/// Where the engine's poll for signals sent by other processes stands.
struct SignalPoll {
    /// The journal's cursor after the last signal read. Read first when the engine is
    /// made, before it loads any instance (which reads its signals then): no signal is
    /// missed between the two reads, and one stored in between is delivered twice at
    /// most (the first of a name counts).
    cursor: u64,
    /// How long the poll sleeps between two reads.
    every: Duration,
    /// Whether the poll's task runs.
    started: bool,
}

/// How often an engine reads the signals other processes sent, by default.
const SIGNAL_POLL: Duration = Duration::from_millis(250);

/// Runs durable workflow instances on a [`Journal`]: starts them under the caller's
/// instance id, resumes them after a restart, sends them signals.
///
/// Instances run as tokio tasks: the engine needs a tokio runtime. For a journal whose
/// commits are not inline ([`Journal::inline`]), the engine has a committer thread
/// that commits the writes of all its instances in one `Journal::commit` at a time.
/// Journal reads (`start`, `attach`, `recover`) run on the caller's thread.
///
/// ```
/// use workflow_runtime::durable::{Engine, MemoryJournal, Status};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let engine = Engine::new(MemoryJournal::new());
/// assert_eq!(engine.status("nobody")?, None);
/// assert_eq!(engine.commits(), 0);
/// assert!(engine.recover().await?.is_empty());
/// # Ok::<(), workflow_runtime::durable::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Engine {
    core: Arc<Core>,
}

impl core::fmt::Debug for Engine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Engine")
            .field("commits", &self.commits())
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

enum Claim<T> {
    /// The instance runs here already.
    Attached(Handle<T>),
    /// This caller runs it.
    Mine(Arc<Shared>, Arc<Slot>),
}

impl Engine {
    /// An engine on `journal` (a committer thread is started for a journal whose
    /// commits are not inline; it ends when the engine and its instances are gone).
    ///
    /// # Panics
    ///
    /// If the committer thread cannot be started.
    pub fn new<J: Journal>(journal: J) -> Engine {
        Engine::with_clock(journal, SystemTime::now)
    }

    /// An engine on `journal` whose instances read the time from `clock`: what
    /// [`Context::now`](super::Context::now) returns, and what the deadlines of sleeps,
    /// signal timeouts, `#[timeout]`s and `#[retry]` waits are journaled in and
    /// compared with. [`Engine::new`] uses `SystemTime::now`; a test can pass a clock
    /// it moves itself (the waits still run on tokio's timer, for the time the clock
    /// says is left).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use workflow_runtime::durable::{Engine, MemoryJournal};
    ///
    /// // A clock the test moves: 1,000 s after the epoch, then 1,060 s.
    /// let seconds = Arc::new(AtomicU64::new(1_000));
    /// let clock = Arc::clone(&seconds);
    /// let engine = Engine::with_clock(MemoryJournal::new(), move || {
    ///     UNIX_EPOCH + Duration::from_secs(clock.load(Ordering::SeqCst))
    /// });
    /// seconds.store(1_060, Ordering::SeqCst);
    /// # let _ = engine;
    /// ```
    ///
    /// # Panics
    ///
    /// If the committer thread cannot be started.
    pub fn with_clock<J: Journal>(
        journal: J,
        clock: impl Fn() -> SystemTime + Send + Sync + 'static,
    ) -> Engine {
        let journal: Arc<dyn Journal> = Arc::new(journal);
        // A journal that cannot say where its signals end is read from their start.
        let cursor = journal.signals_after(None).map_or(0, |(_, end)| end);
        let inline = journal.inline();
        let commits = Arc::new(AtomicU64::new(0));
        let tx = if inline {
            None
        } else {
            let (tx, rx) = std::sync::mpsc::channel();
            let journal = Arc::clone(&journal);
            let counter = Arc::clone(&commits);
            std::thread::Builder::new()
                .name("workflow-committer".to_owned())
                .spawn(move || committer(&*journal, &counter, &rx))
                .expect("the committer thread starts");
            Some(tx)
        };
        Engine {
            core: Arc::new(Core {
                path: Arc::new(CommitPath {
                    journal: Arc::clone(&journal),
                    inline,
                    commits,
                    tx,
                    clock: Arc::new(clock),
                }),
                journal,
                workflows: Mutex::new(HashMap::new()),
                running: Mutex::new(HashMap::new()),
                signals: Mutex::new(SignalPoll {
                    cursor,
                    every: SIGNAL_POLL,
                    started: false,
                }),
                helpers: AtomicU64::new(0),
                fan_outs: std::sync::atomic::AtomicBool::new(false),
                helper_ended: tokio::sync::Notify::new(),
                item_spans: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// How often the engine reads the journal for signals that other processes sent to
    /// the instances it runs (250 ms unless set): such a signal completes its wait
    /// within about this long. A signal sent through this engine completes the wait at
    /// once. The engine reads only while one of its instances waits for a signal, and
    /// then one query for all of them. A journal whose commits are inline
    /// ([`Journal::inline`], as [`MemoryJournal`](super::MemoryJournal)) lives in one
    /// process and is not polled.
    ///
    /// ```
    /// use std::time::Duration;
    /// use workflow_runtime::durable::{Engine, MemoryJournal};
    ///
    /// let engine = Engine::new(MemoryJournal::new()).poll_signals_every(Duration::from_millis(50));
    /// # let _ = engine;
    /// ```
    #[must_use]
    pub fn poll_signals_every(self, every: Duration) -> Engine {
        lock(&self.core.signals).every = every.max(Duration::from_millis(1));
        self
    }

    /// Runs a journal call: at once for an inline journal, on tokio's blocking pool for
    /// one that does I/O (so a journal read does not stall the runtime's thread).
    async fn journal<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn Journal) -> T + Send + 'static,
    ) -> T {
        if self.core.path.inline {
            return call(&*self.core.journal);
        }
        let journal = Arc::clone(&self.core.journal);
        match tokio::task::spawn_blocking(move || call(&*journal)).await {
            Ok(value) => value,
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }

    /// How many `Journal::commit` calls the engine made.
    pub fn commits(&self) -> u64 {
        self.core.path.commits.load(Ordering::Relaxed)
    }

    /// Registers a durable workflow (by its function) so that [`Engine::recover`] and
    /// [`Engine::redrive`] can resume its instances. `start` registers its workflow too.
    /// A workflow registered later under the same name replaces the earlier one.
    #[allow(clippy::needless_pass_by_value)] // a fn item: `engine.register(loan)`
    pub fn register<S: Starter<Args>, Args>(&self, starter: S) {
        let _ = starter;
        lock(&self.core.workflows).insert(
            <S::Workflow as Workflow>::NAME,
            Registered::of::<S::Workflow>(),
        );
    }

    /// Registers `W` unless a workflow of its name is registered.
    fn register_workflow<W: Workflow>(&self) {
        let mut workflows = lock(&self.core.workflows);
        if !workflows.contains_key(W::NAME) {
            workflows.insert(W::NAME, Registered::of::<W>());
        }
    }

    /// Starts an instance of `W` under `id` (an idempotency key). If `id` exists: an
    /// instance of the same workflow is attached to (running here: its handle;
    /// finished: its journaled output; unfinished: it is resumed with its journaled
    /// arguments, `start`'s are ignored); another workflow's is
    /// [`Error::WrongWorkflow`].
    pub async fn start<W: Workflow>(
        &self,
        id: &str,
        start: Start<W>,
    ) -> Result<Handle<W::Output>, Error> {
        self.register_workflow::<W>();
        if let Some(handle) = self.running::<W>(id)? {
            return Ok(handle);
        }
        let row = new_row::<W>(id, &start)?;
        match self.journal(move |journal| journal.create(&row)).await? {
            Created::New => match self.claim::<W>(id) {
                Claim::Attached(handle) => Ok(handle),
                Claim::Mine(shared, slot) => Ok(self.launch::<W>(shared, slot, start.args)),
            },
            Created::Existing(row) => self.open::<W>(row),
        }
    }

    /// Stores a new instance of `W` under `id` for any worker to run: on a journal
    /// shared by several workers (`PostgresJournal`), no
    /// worker holds it until one claims it ([`Engine::serve`], [`Engine::recover`]);
    /// on the others it is as [`Engine::start`] without running it (the next
    /// `recover` resumes it). Returns `false` if an instance with this id exists (it is
    /// left as it is, whatever its workflow).
    ///
    /// ```
    /// use workflow_runtime::durable::{Engine, MemoryJournal, Status};
    /// use workflow_runtime::durable::Context;
    /// use workflow_runtime::workflow;
    ///
    /// async fn twice(x: u32) -> u32 {
    ///     x * 2
    /// }
    ///
    /// workflow! {
    ///     #[durable]
    ///     async fn double(ctx: Context, x: u32) -> u32 {
    ///         fork < a: twice(x), b: twice(1) > join(a, b);
    ///         a + b - 2
    ///     }
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let engine = Engine::new(MemoryJournal::new());
    /// assert!(engine.submit("d-1", double(21)).await?);
    /// assert!(!engine.submit("d-1", double(1)).await?);
    /// assert_eq!(engine.status("d-1")?, Some(Status::Running));
    /// engine.register(double);
    /// assert_eq!(engine.recover().await?, ["d-1"]);
    /// assert_eq!(engine.attach(double, "d-1").await?.result().await?, 42);
    /// # Ok::<(), workflow_runtime::durable::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn submit<W: Workflow>(&self, id: &str, start: Start<W>) -> Result<bool, Error> {
        self.register_workflow::<W>();
        let row = new_row::<W>(id, &start)?;
        match self.journal(move |journal| journal.submit(&row)).await? {
            Created::New => Ok(true),
            Created::Existing(_) => Ok(false),
        }
    }

    /// Works on the journal's instances until the returned future is dropped: every
    /// `every`, claims the unfinished instances of the registered workflows that no
    /// worker holds (new ones from [`Engine::submit`], and those of a worker that died:
    /// its leases ran out) and resumes them here ([`Engine::recover`]). A journal
    /// error (the database restarting) is retried at the next tick; any other error of
    /// `recover` ends it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use workflow_runtime::durable::{Engine, MemoryJournal};
    /// use workflow_runtime::durable::Context;
    /// use workflow_runtime::workflow;
    ///
    /// async fn twice(x: u32) -> u32 {
    ///     x * 2
    /// }
    ///
    /// workflow! {
    ///     #[durable]
    ///     async fn double(ctx: Context, x: u32) -> u32 {
    ///         fork < a: twice(x), b: twice(1) > join(a, b);
    ///         a + b - 2
    ///     }
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let engine = Engine::new(MemoryJournal::new());
    /// engine.register(double);
    /// let worker = tokio::spawn({
    ///     let engine = engine.clone();
    ///     async move { engine.serve(Duration::from_millis(10)).await }
    /// });
    /// engine.submit("d-1", double(21)).await?;
    /// assert_eq!(engine.attach(double, "d-1").await?.result().await?, 42);
    /// worker.abort();
    /// # Ok::<(), workflow_runtime::durable::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn serve(&self, every: Duration) -> Error {
        self.start_fan_outs();
        loop {
            match self.recover().await {
                Ok(_) | Err(Error::Journal(_)) => {}
                Err(error) => return error,
            }
            tokio::time::sleep(every).await;
        }
    }

    /// [`Engine::start`], then waits for the output.
    pub async fn run<W: Workflow>(&self, id: &str, start: Start<W>) -> Result<W::Output, Error> {
        self.start(id, start).await?.result().await
    }

    /// A handle on the instance `id` of the workflow `starter` names: running here, its
    /// handle; finished, its journaled output; unfinished, it is resumed.
    #[allow(clippy::needless_pass_by_value)] // a fn item: `engine.attach(loan, id)`
    pub async fn attach<S: Starter<Args>, Args>(
        &self,
        starter: S,
        id: &str,
    ) -> Result<Handle<<S::Workflow as Workflow>::Output>, Error> {
        let _ = starter;
        self.register_workflow::<S::Workflow>();
        if let Some(handle) = self.running::<S::Workflow>(id)? {
            return Ok(handle);
        }
        let owned = id.to_owned();
        match self
            .journal(move |journal| journal.instance(&owned))
            .await?
        {
            None => Err(Error::UnknownInstance(id.to_owned())),
            Some(row) => self.open::<S::Workflow>(row),
        }
    }

    /// Resumes every unfinished (`Running`) instance of the registered workflows that
    /// does not run here yet, and returns their ids. Instances of a workflow not
    /// registered are left as they are: once the others are resumed, they are named
    /// in [`Error::UnknownWorkflow`]. An instance whose journal does not fit its
    /// workflow's code is parked (not listed).
    pub async fn recover(&self) -> Result<Vec<String>, Error> {
        let mut resumed = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        let names: Vec<&'static str> = lock(&self.core.workflows).keys().copied().collect();
        for row in self.journal(move |journal| journal.claim(&names)).await? {
            if lock(&self.core.running).contains_key(&row.id) {
                continue;
            }
            let resume = lock(&self.core.workflows)
                .get(row.workflow.as_str())
                .map(|registered| registered.resume);
            let Some(resume) = resume else {
                unknown.push(format!("`{}` (instance `{}`)", row.workflow, row.id));
                continue;
            };
            let id = row.id.clone();
            match resume(self, &row) {
                Ok(()) => resumed.push(id),
                Err(error) if error.parks() => {}
                Err(error) => return Err(error),
            }
        }
        if unknown.is_empty() {
            Ok(resumed)
        } else {
            Err(Error::UnknownWorkflow(unknown.join(", ")))
        }
    }

    /// Runs a `Failed` or `Parked` instance again: its records of failed steps are
    /// deleted, so what failed (or was cancelled) runs again and the rest replays.
    /// Returns `false` (and changes nothing) for an instance that is running or
    /// finished. Its workflow must be registered; [`Engine::attach`] gives a handle.
    pub async fn redrive(&self, id: &str) -> Result<bool, Error> {
        let row = self.instance_row(id).await?;
        if !matches!(row.status, Status::Failed | Status::Parked) {
            return Ok(false);
        }
        let resume = lock(&self.core.workflows)
            .get(row.workflow.as_str())
            .map(|registered| registered.resume);
        let Some(resume) = resume else {
            return Err(Error::UnknownWorkflow(format!(
                "`{}` (instance `{id}`)",
                row.workflow
            )));
        };
        let owned = id.to_owned();
        let redriven = self.journal(move |journal| {
            if journal.redrive(&owned)? {
                journal.instance(&owned)
            } else {
                Ok(None)
            }
        });
        let Some(row) = redriven.await? else {
            return Err(Error::UnknownInstance(id.to_owned()));
        };
        resume(self, &row)?;
        Ok(true)
    }

    /// The status of the instance `id`, if there is one.
    pub fn status(&self, id: &str) -> Result<Option<Status>, Error> {
        Ok(self.core.journal.instance(id)?.map(|row| row.status))
    }

    /// Sends the signal `name` with `payload` to the instance `id`: it completes the
    /// instance's wait for it, now or when the instance reaches it (also after a
    /// restart). Errors: [`Error::UnknownInstance`], [`Error::DuplicateSignal`] (an
    /// instance takes one signal of each name), [`Error::WrongPayload`] (the instance
    /// waits for it now with another type).
    pub async fn signal<P: serde::Serialize + ?Sized>(
        &self,
        id: &str,
        name: &str,
        payload: &P,
    ) -> Result<(), Error> {
        let found = core::any::type_name::<P>();
        let (shared, workflow) = match lock(&self.core.running).get(id) {
            Some(running) => (Some(Arc::clone(&running.shared)), Some(running.workflow)),
            None => (None, None),
        };
        self.check_signal_name(id, name, workflow).await?;
        if let Some(shared) = &shared
            && let Some(listening) = shared.lock().listening.get(name)
            && listening.type_name != found
        {
            return Err(Error::WrongPayload {
                instance: id.to_owned(),
                name: name.to_owned(),
                expected: listening.type_name.to_owned(),
                found: found.to_owned(),
            });
        }
        let payload = serde_json::to_vec(payload).map_err(|error| Error::Corrupt {
            instance: id.to_owned(),
            key: format!("signal `{name}`"),
            message: format!("does not serialize: {error}"),
        })?;
        let row = SignalRow {
            instance: id.to_owned(),
            name: name.to_owned(),
            type_name: found.to_owned(),
            payload,
        };
        let (added, row) = self
            .journal(move |journal| (journal.add_signal(&row), row))
            .await;
        match added? {
            SignalAdded::Added => {}
            SignalAdded::Duplicate => {
                return Err(Error::DuplicateSignal {
                    instance: id.to_owned(),
                    name: name.to_owned(),
                });
            }
            SignalAdded::UnknownInstance => return Err(Error::UnknownInstance(id.to_owned())),
        }
        if let Some(shared) = shared {
            deliver(&shared, row);
        }
        Ok(())
    }

    /// The journal's row of instance `id`, or [`Error::UnknownInstance`].
    async fn instance_row(&self, id: &str) -> Result<InstanceRow, Error> {
        let owned = id.to_owned();
        self.journal(move |journal| journal.instance(&owned))
            .await?
            .ok_or_else(|| Error::UnknownInstance(id.to_owned()))
    }

    /// Refuses a signal `name` that the instance's workflow never waits for, when the
    /// engine knows the workflow and the workflow knows its signals. `workflow` is the
    /// instance's workflow if it runs here; otherwise the journal says.
    async fn check_signal_name(
        &self,
        id: &str,
        name: &str,
        workflow: Option<&'static str>,
    ) -> Result<(), Error> {
        let registered = |workflow: &str| lock(&self.core.workflows).get(workflow).copied();
        let (workflow, signals) = match workflow {
            Some(workflow) => (
                workflow.to_owned(),
                registered(workflow).and_then(|r| r.signals),
            ),
            None => {
                if lock(&self.core.workflows)
                    .values()
                    .all(|registered| registered.signals.is_none())
                {
                    return Ok(());
                }
                let row = self.instance_row(id).await?;
                // Only under the code the instance started with: another version of
                // the workflow (a rolling deploy) may wait for other signals.
                let signals = registered(&row.workflow)
                    .filter(|registered| row.structure == structure_hash(registered.steps))
                    .and_then(|registered| registered.signals);
                (row.workflow, signals)
            }
        };
        match signals {
            Some(signals) if !signals.contains(&name) => Err(Error::UnknownSignal {
                instance: id.to_owned(),
                workflow,
                name: name.to_owned(),
                known: signals.iter().map(|&s| s.to_owned()).collect(),
            }),
            _ => Ok(()),
        }
    }

    /// The handle of the instance `id` if it runs here.
    fn running<W: Workflow>(&self, id: &str) -> Result<Option<Handle<W::Output>>, Error> {
        let running = lock(&self.core.running);
        match running.get(id) {
            None => Ok(None),
            Some(running) if running.workflow != W::NAME => Err(Error::WrongWorkflow {
                instance: id.to_owned(),
                expected: W::NAME.to_owned(),
                found: running.workflow.to_owned(),
            }),
            Some(running) => Ok(Some(handle(id, &running.slot))),
        }
    }

    /// Takes the instance `id` to run here, unless it runs here already.
    fn claim<W: Workflow>(&self, id: &str) -> Claim<W::Output> {
        let mut running = lock(&self.core.running);
        if let Some(running) = running.get(id) {
            return Claim::Attached(handle(id, &running.slot));
        }
        let shared = Shared::new(id.to_owned(), Arc::clone(&self.core.path));
        let slot = Arc::new(Slot::default());
        running.insert(
            id.to_owned(),
            Running {
                workflow: W::NAME,
                slot: Arc::clone(&slot),
                shared: Arc::clone(&shared),
            },
        );
        Claim::Mine(shared, slot)
    }

    /// A handle on an existing instance of `W`.
    fn open<W: Workflow>(&self, row: InstanceRow) -> Result<Handle<W::Output>, Error> {
        if row.workflow != W::NAME {
            return Err(Error::WrongWorkflow {
                instance: row.id,
                expected: W::NAME.to_owned(),
                found: row.workflow,
            });
        }
        match row.status {
            Status::Running => self.resume::<W>(&row),
            Status::Finished | Status::Failed | Status::Parked => {
                let id = row.id.clone();
                Ok(handle(&id, &Slot::ready(Ok(ended_output(row)?))))
            }
        }
    }

    /// Resumes an unfinished instance of `W` (its journal loaded, its version checked).
    fn resume<W: Workflow>(&self, row: &InstanceRow) -> Result<Handle<W::Output>, Error> {
        let (shared, slot) = match self.claim::<W>(&row.id) {
            Claim::Attached(handle) => return Ok(handle),
            Claim::Mine(shared, slot) => (shared, slot),
        };
        match self.core.journal.acquire(&row.id) {
            Ok(true) => {}
            Ok(false) => {
                // Another worker holds it: wait for it there (or take it over once its
                // lease runs out).
                self.forget(&shared);
                let handle = handle(&row.id, &slot);
                self.watch::<W>(row.id.clone(), slot);
                return Ok(handle);
            }
            Err(error) => {
                self.forget(&shared);
                return Err(error.into());
            }
        }
        let loaded = (|| {
            let records = self.core.journal.records(&row.id)?;
            let signals = self.core.journal.signals(&row.id)?;
            check_version::<W>(row, &records)?;
            let args: W::Args =
                serde_json::from_slice(&row.args).map_err(|error| Error::Corrupt {
                    instance: row.id.clone(),
                    key: "args".to_owned(),
                    message: error.to_string(),
                })?;
            Ok::<_, Error>((records, signals, args))
        })();
        match loaded {
            Ok((records, signals, args)) => {
                shared.load(records, signals);
                Ok(self.launch::<W>(shared, slot, args))
            }
            Err(error) => {
                if error.parks() {
                    let _ = self.core.path.journal.commit(&[Write::End {
                        instance: row.id.clone(),
                        status: Status::Parked,
                        output: None,
                        reason: Some(error.to_string()),
                    }]);
                    self.core.path.commits.fetch_add(1, Ordering::Relaxed);
                }
                slot.finish::<W::Output>(Err(error.clone()));
                self.forget(&shared);
                Err(error)
            }
        }
    }

    /// Spawns the instance's task (and the signal poll's, with the first instance).
    fn launch<W: Workflow>(
        &self,
        shared: Arc<Shared>,
        slot: Arc<Slot>,
        args: W::Args,
    ) -> Handle<W::Output> {
        if !self.core.path.inline {
            let mut poll = lock(&self.core.signals);
            if !poll.started {
                let core = Arc::downgrade(&self.core);
                // A thread, not a task: its ticks are no tokio timers, so a runtime on
                // tokio's paused clock does not jump to them while it waits for a commit.
                let spawned = std::thread::Builder::new()
                    .name("workflow-signals".to_owned())
                    .spawn(move || poll_signals(&core));
                // Without the thread, signals from other processes arrive at the next
                // restart (they are stored); the next launch tries again.
                poll.started = spawned.is_ok();
            }
        }
        self.start_fan_outs();
        let handle = handle(&shared.id, &slot);
        let engine = self.clone();
        tokio::spawn(async move {
            let ctx = Context::new(Arc::clone(&shared));
            let outcome = drive(Arc::clone(&shared), move || W::run(ctx, args), W::failure).await;
            engine.forget(&shared);
            if let Err(Error::Lost { .. }) = outcome {
                engine.watch::<W>(shared.id.clone(), slot);
            } else {
                slot.finish(outcome);
            }
        });
        handle
    }

    /// Starts the task that runs shared fan-outs' items here and collects those done
    /// elsewhere (once, on a journal that shares fan-outs).
    fn start_fan_outs(&self) {
        if !self.core.journal.shares_fan_outs() || self.core.fan_outs.swap(true, Ordering::AcqRel) {
            return;
        }
        let core = Arc::downgrade(&self.core);
        tokio::spawn(async move {
            loop {
                let Some(strong) = core.upgrade() else {
                    return;
                };
                // The last engine handle gone, the core goes with `strong` here.
                let _ = tokio::time::timeout(FAN_OUT_POLL, strong.helper_ended.notified()).await;
                drop(strong);
                let Some(core) = core.upgrade() else {
                    return;
                };
                let engine = Engine { core };
                engine.collect_items().await;
                engine.claim_items().await;
            }
        });
    }

    /// Loads the records of the items done (by any worker) of the shared fan-outs the
    /// instances here wait for, and wakes their futures: they replay.
    async fn collect_items(&self) {
        let waiting: Vec<(Arc<Shared>, String, u64)> = lock(&self.core.running)
            .values()
            .flat_map(|running| {
                let inner = running.shared.lock();
                inner
                    .fan_outs
                    .iter()
                    .filter(|(_, wait)| !wait.wakers.is_empty())
                    .map(|(key, wait)| (Arc::clone(&running.shared), key.clone(), wait.cursor))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (shared, key, cursor) in waiting {
            let (id, fan_out) = (shared.id.clone(), key.clone());
            let Ok(done) = self
                .journal(move |journal| journal.done_items(&id, &fan_out, cursor))
                .await
            else {
                continue;
            };
            let wakers: Vec<core::task::Waker> = {
                let mut inner = shared.lock();
                for record in done.records {
                    inner.records.insert(
                        record.key,
                        super::instance::Stored {
                            type_name: record.type_name,
                            value: record.value,
                        },
                    );
                }
                let Some(wait) = inner.fan_outs.get_mut(&key) else {
                    continue;
                };
                wait.cursor = done.cursor;
                wait.done.extend(done.indexes.iter().copied());
                done.indexes
                    .iter()
                    .filter_map(|index| wait.wakers.remove(index))
                    .collect()
            };
            wakers.into_iter().for_each(core::task::Waker::wake);
        }
    }

    /// Claims items of shared fan-outs (of any worker's instances) while this worker
    /// runs fewer than [`HELPERS`] replays, and runs them. It goes on only after a full
    /// batch: a smaller one means the fan-out's limit is near (a claim takes half of the
    /// room left), and the rest is left for the other workers.
    async fn claim_items(&self) {
        let names: Vec<&'static str> = lock(&self.core.workflows).keys().copied().collect();
        while self.core.helpers.load(Ordering::Acquire) < HELPERS {
            let names = names.clone();
            let Ok(claims) = self
                .journal(move |journal| journal.claim_items(&names, ITEMS_A_CLAIM))
                .await
            else {
                return;
            };
            let full = claims
                .iter()
                .any(|claim| claim.indexes.len() >= ITEMS_A_CLAIM);
            for claim in claims {
                let help = lock(&self.core.workflows)
                    .get(claim.instance.workflow.as_str())
                    .map(|registered| registered.help);
                match help {
                    Some(help) => help(self, claim),
                    None => self.core.journal.release_items(
                        &claim.instance.id,
                        &claim.fan_out,
                        &claim.indexes,
                    ),
                }
            }
            if !full {
                return;
            }
        }
    }

    /// Runs claimed items of a shared fan-out of an instance of `W`: replays the
    /// instance's body (its records up to the fan-out, and what the items have) and
    /// runs only those items; their records and ends are committed under this
    /// worker's claims. Items it does not finish are released.
    fn help<W: Workflow>(&self, claim: ItemClaim) {
        let ItemClaim {
            instance,
            fan_out,
            indexes,
            records,
        } = claim;
        let release = |journal: &dyn Journal, left: &[u32]| {
            if !left.is_empty() {
                journal.release_items(&instance.id, &fan_out, left);
            }
        };
        let args: W::Args = match serde_json::from_slice(&instance.args) {
            Ok(args) => args,
            Err(_) => return release(&*self.core.journal, &indexes),
        };
        if check_version::<W>(&instance, &records).is_err() {
            return release(&*self.core.journal, &indexes);
        }
        let spans = records
            .iter()
            .find(|record| record.key == fan_out)
            .and_then(|items| self.item_spans(&instance.id, &fan_out, &items.value));
        let shared = Shared::with_role(
            instance.id.clone(),
            Arc::clone(&self.core.path),
            super::instance::Role::Helper {
                fan_out: fan_out.clone(),
                indexes: indexes.clone(),
                spans,
            },
        );
        shared.load(records, Vec::new());
        self.core.helpers.fetch_add(1, Ordering::AcqRel);
        let engine = self.clone();
        tokio::spawn(async move {
            let ctx = Context::new(Arc::clone(&shared));
            let outcome = drive_helper(Arc::clone(&shared), move || W::run(ctx, args)).await;
            if outcome.is_err() {
                // What it did not finish goes back (the journal keeps what is done).
                engine
                    .core
                    .journal
                    .release_items(&shared.id, &fan_out, &indexes);
            }
            engine.core.helpers.fetch_sub(1, Ordering::AcqRel);
            engine.core.helper_ended.notify_one();
        });
    }

    /// The [`ItemSpans`] of the items record `bytes` of the fan-out `fan_out` of
    /// `instance`: kept from an earlier claim of the fan-out, or found now.
    fn item_spans(&self, instance: &str, fan_out: &str, bytes: &[u8]) -> Option<Arc<ItemSpans>> {
        let key = (instance.to_owned(), fan_out.to_owned());
        if let Some(spans) = lock(&self.core.item_spans).get(&key)
            && spans.bytes == bytes.len()
        {
            return Some(Arc::clone(spans));
        }
        let spans = Arc::new(ItemSpans::of(bytes)?);
        let mut kept = lock(&self.core.item_spans);
        if kept.len() >= super::journal::FAN_OUTS_KEPT {
            kept.clear();
        }
        kept.insert(key, Arc::clone(&spans));
        Some(spans)
    }

    /// Fills `slot` with the outcome of the instance `id`, which another worker holds:
    /// reads its row every [`Engine::poll_signals_every`] until it ends there, or takes
    /// it over here once no worker holds it (its lease ran out).
    fn watch<W: Workflow>(&self, id: String, slot: Arc<Slot>) {
        let engine = self.clone();
        tokio::spawn(async move {
            loop {
                let every = lock(&engine.core.signals).every;
                tokio::time::sleep(every).await;
                let row = match engine.instance_row(&id).await {
                    Ok(row) => row,
                    // A journal that does not answer now: ask again.
                    Err(Error::Journal(_)) => continue,
                    Err(error) => return slot.finish::<W::Output>(Err(error)),
                };
                if row.status != Status::Running {
                    // Ended there: its journaled output (the handle decodes it).
                    return slot.finish_journaled(ended_output(row));
                }
                if lock(&engine.core.running).contains_key(&id) {
                    // Taken over here meanwhile (by `recover`): follow it here.
                    let Ok(Some(handle)) = engine.running::<W>(&id) else {
                        continue;
                    };
                    return slot.finish(with_bytes(handle).await);
                }
                let acquired = {
                    let owned = id.clone();
                    engine.journal(move |journal| journal.acquire(&owned)).await
                };
                if let Ok(true) = acquired {
                    let outcome = match engine.resume::<W>(&row) {
                        Ok(handle) => with_bytes(handle).await,
                        Err(error) => Err(error),
                    };
                    return slot.finish(outcome);
                }
            }
        });
    }

    /// The instance no longer runs here.
    fn forget(&self, shared: &Arc<Shared>) {
        let mut running = lock(&self.core.running);
        if running
            .get(&shared.id)
            .is_some_and(|running| Arc::ptr_eq(&running.shared, shared))
        {
            running.remove(&shared.id);
            drop(running);
            self.core.journal.release(&shared.id);
        }
    }
}

/// The journaled output of an instance that ended (finished or failed), or why there
/// is none (parked, or no output recorded).
fn ended_output(row: InstanceRow) -> Result<Vec<u8>, Error> {
    if row.status == Status::Parked {
        return Err(Error::Parked {
            reason: row.reason.unwrap_or_default(),
            instance: row.id,
        });
    }
    row.output.ok_or_else(|| Error::Corrupt {
        instance: row.id,
        key: "output".to_owned(),
        message: "a finished instance without an output".to_owned(),
    })
}

/// A handle's output, with its serialized form (for the slot of another handle).
async fn with_bytes<T: Journaled>(handle: Handle<T>) -> Result<(T, Vec<u8>), Error> {
    let id = handle.instance.clone();
    let value = handle.result().await?;
    let bytes = serde_json::to_vec(&value).map_err(|error| Error::Corrupt {
        instance: id,
        key: "output".to_owned(),
        message: format!("does not serialize: {error}"),
    })?;
    Ok((value, bytes))
}

/// The journal's row of a new instance of `W`.
fn new_row<W: Workflow>(id: &str, start: &Start<W>) -> Result<InstanceRow, Error> {
    let args = serde_json::to_vec(&start.args).map_err(|error| Error::Corrupt {
        instance: id.to_owned(),
        key: "args".to_owned(),
        message: format!("does not serialize: {error}"),
    })?;
    Ok(InstanceRow {
        id: id.to_owned(),
        workflow: W::NAME.to_owned(),
        structure: structure_hash(W::STEPS),
        args,
        status: Status::Running,
        output: None,
        reason: None,
    })
}

/// Stores `row` in the instance's signals (the first of a name stays) and wakes its
/// waits for it.
fn deliver(shared: &Shared, row: SignalRow) {
    let wakers = {
        let mut inner = shared.lock();
        let wakers = inner
            .listening
            .get_mut(&row.name)
            .map(|listening| core::mem::take(&mut listening.wakers))
            .unwrap_or_default();
        inner
            .signals
            .entry(row.name)
            .or_insert((row.type_name, row.payload));
        wakers
    };
    for waker in wakers {
        waker.wake();
    }
}

/// The engine's poll for signals sent by other processes, on a thread of its own:
/// while one of its instances waits for a signal, it reads the journal's new signals
/// every `every` and delivers those of the instances running here. It ends when the
/// engine is gone. A failed read is tried again at the next tick (the cursor stays,
/// nothing is skipped).
fn poll_signals(core: &std::sync::Weak<Core>) {
    loop {
        let Some(every) = core.upgrade().map(|core| lock(&core.signals).every) else {
            return;
        };
        // A journal that hears of new signals (`PostgreSQL`'s LISTEN) wakes up early.
        match core.upgrade() {
            Some(core) => {
                let journal = Arc::clone(&core.journal);
                drop(core);
                journal.wait_for_signals(every);
            }
            None => return,
        }
        let Some(core) = core.upgrade() else {
            return;
        };
        let waiting = lock(&core.running)
            .values()
            .any(|running| !running.shared.lock().listening.is_empty());
        if !waiting {
            continue;
        }
        let cursor = lock(&core.signals).cursor;
        let Ok((rows, next)) = core.journal.signals_after(Some(cursor)) else {
            // A read that fails as a whole (a damaged row among them): each waiting
            // instance reads its own signals, so one damaged row parks its instance
            // only, and the others still get theirs. The cursor stays.
            read_each(&core);
            continue;
        };
        for row in rows {
            let shared = lock(&core.running)
                .get(&row.instance)
                .map(|running| Arc::clone(&running.shared));
            if let Some(shared) = shared {
                deliver(&shared, row);
            }
        }
        lock(&core.signals).cursor = next;
    }
}

/// The signals of every instance here that waits for one, read one instance at a
/// time; an instance whose signals do not read is aborted with the journal's error.
fn read_each(core: &Core) {
    let waiting: Vec<Arc<Shared>> = lock(&core.running)
        .values()
        .filter(|running| !running.shared.lock().listening.is_empty())
        .map(|running| Arc::clone(&running.shared))
        .collect();
    for shared in waiting {
        match core.journal.signals(&shared.id) {
            Ok(rows) => rows.into_iter().for_each(|row| deliver(&shared, row)),
            Err(error) => shared.abort(Error::Corrupt {
                instance: shared.id.clone(),
                key: "signals".to_owned(),
                message: error.to_string(),
            }),
        }
    }
}

fn handle<T>(id: &str, slot: &Arc<Slot>) -> Handle<T> {
    Handle {
        instance: id.to_owned(),
        slot: Arc::clone(slot),
        output: PhantomData,
    }
}

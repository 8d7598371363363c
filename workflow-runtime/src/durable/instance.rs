//! One running instance: its journaled records, its queue of writes, the group commit,
//! and the driver that polls the workflow's body.

use core::future::poll_fn;
use core::task::{Poll, Waker};
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::de::DeserializeOwned;

use super::error::Error;
use super::hash::FastMap;
use super::journal::{Journal, JournalError, Record, SignalRow, Status, Write};
use super::step::BoxFuture;

/// How the batches of an engine's instances reach the journal.
pub(crate) struct CommitPath {
    pub(crate) journal: Arc<dyn Journal>,
    pub(crate) inline: bool,
    pub(crate) commits: Arc<AtomicU64>,
    /// The committer thread's queue (`None` when commits run inline).
    pub(crate) tx: Option<Sender<Batch>>,
    /// Where the instances read the time.
    pub(crate) clock: super::timer::Clock,
}

/// The writes of one flush of one instance, on their way to the committer thread.
pub(crate) struct Batch {
    pub(crate) writes: Vec<Write>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) seq: u64,
}

/// The committer thread: takes every batch queued (of every instance), commits them
/// in one `Journal::commit`, then wakes whoever waits for them.
pub(crate) fn committer(
    journal: &dyn Journal,
    commits: &AtomicU64,
    rx: &std::sync::mpsc::Receiver<Batch>,
) {
    let mut batches = Vec::new();
    let mut writes = Vec::new();
    while let Ok(first) = rx.recv() {
        batches.push(first);
        while let Ok(more) = rx.try_recv() {
            batches.push(more);
        }
        for batch in &mut batches {
            writes.append(&mut batch.writes);
        }
        let result = journal.commit(&writes);
        commits.fetch_add(1, Ordering::Relaxed);
        writes.clear();
        for batch in batches.drain(..) {
            let outcome = commit_outcome(&result, &batch.shared.id);
            batch.shared.committed(batch.seq, outcome);
        }
    }
}

/// What a commit's result means for one instance of it: a commit that refused some
/// instances (held by another worker now) wrote the others' writes.
fn commit_outcome(result: &Result<(), JournalError>, instance: &str) -> Result<(), Error> {
    match result {
        Ok(()) => Ok(()),
        Err(error) if !error.refused_instances().is_empty() => {
            if error.refused_instances().iter().any(|id| id == instance) {
                Err(Error::Lost {
                    instance: instance.to_owned(),
                })
            } else {
                Ok(())
            }
        }
        Err(error) => Err(Error::Journal(error.clone())),
    }
}

/// A journaled value as loaded when the instance (re)started.
pub(crate) struct Stored {
    pub(crate) type_name: String,
    pub(crate) value: Vec<u8>,
}

/// Who waits for a signal now, and for which payload type.
pub(crate) struct Listening {
    pub(crate) type_name: &'static str,
    pub(crate) count: usize,
    pub(crate) wakers: Vec<Waker>,
}

/// The instance's state, behind the instance's mutex.
pub(crate) struct Inner {
    pub(crate) records: FastMap<String, Stored>,
    /// Occurrence counters of steps and fan-outs: (scope, id).
    pub(crate) steps: FastMap<(Option<Arc<str>>, &'static str), u32>,
    /// Occurrence counters of values taken through the context: their key's prefix.
    pub(crate) values: FastMap<String, u32>,
    pub(crate) queue: Vec<Write>,
    /// The sequence number the batch being queued will get (flushed batches have less).
    pub(crate) next_seq: u64,
    /// Every batch up to this one is committed.
    pub(crate) committed: u64,
    pub(crate) waiters: Vec<(u64, Waker)>,
    /// Signals sent to the instance: name -> (type name, payload).
    pub(crate) signals: FastMap<String, (String, Vec<u8>)>,
    pub(crate) listening: FastMap<String, Listening>,
    /// Set when the instance must end (a failed commit, a journal that does not fit).
    pub(crate) abort: Option<Error>,
    pub(crate) driver: Option<Waker>,
    /// The shared fan-outs whose items this instance waits for (owner).
    pub(crate) fan_outs: FastMap<String, FanOutWait>,
    /// Claimed items not done yet, and the batch of the last one's end (helper).
    pub(crate) helper_left: usize,
    pub(crate) helper_seq: u64,
}

/// An owner's wait for the items of a shared fan-out that other workers (or this
/// one's helper runs) run.
#[derive(Default)]
pub(crate) struct FanOutWait {
    /// The items done, with their records loaded.
    pub(crate) done: std::collections::HashSet<u32>,
    /// Who waits for which item.
    pub(crate) wakers: FastMap<u32, Waker>,
    /// The journal's cursor of done items.
    pub(crate) cursor: u64,
}

/// What an instance runs here.
pub(crate) enum Role {
    /// Everything: it holds the instance. With `shares`, its top-level fan-outs'
    /// items run on any worker (the journal shares fan-outs).
    Owner { shares: bool },
    /// Only the claimed items `indexes` of the fan-out `fan_out`, replaying the rest:
    /// a step or value outside them that is not journaled is not taken.
    Helper {
        fan_out: String,
        indexes: Vec<u32>,
        /// Where the fan-out's items lie in its record, when the worker knows it.
        spans: Option<Arc<ItemSpans>>,
    },
}

/// Where each item of a fan-out's journaled items (a JSON array) lies in the record's
/// bytes. A worker finds them once a fan-out; its helpers then decode their claimed
/// items there and skip reading the others, so a replay of 32 items of a fan-out of
/// 100,000 does not parse 100,000.
pub(crate) struct ItemSpans {
    /// The length of the record the spans are of.
    pub(crate) bytes: usize,
    spans: Vec<(u32, u32)>,
}

impl ItemSpans {
    /// The spans of the elements of the JSON array `bytes`, or `None` when it is not one
    /// (then the helper decodes the whole record, which reports what is wrong).
    pub(crate) fn of(bytes: &[u8]) -> Option<Self> {
        let elements: Vec<&serde_json::value::RawValue> = serde_json::from_slice(bytes).ok()?;
        let base = bytes.as_ptr().addr();
        let spans = elements
            .iter()
            .map(|element| {
                let text = element.get();
                let start = text.as_ptr().addr() - base;
                Some((
                    u32::try_from(start).ok()?,
                    u32::try_from(start + text.len()).ok()?,
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(ItemSpans {
            bytes: bytes.len(),
            spans,
        })
    }
}

impl Role {
    /// Whether the step or value with this key (or scope) may run here.
    pub(crate) fn may_run(&self, key: &str) -> bool {
        match self {
            Role::Owner { .. } => true,
            Role::Helper {
                fan_out, indexes, ..
            } => item_of(key, fan_out).is_some_and(|index| indexes.contains(&index)),
        }
    }
}

/// The item index of `key` if it is under an item of the fan-out `fan_out`
/// (`<fan_out>[<index>]/...`).
pub(crate) fn item_of(key: &str, fan_out: &str) -> Option<u32> {
    let rest = key.strip_prefix(fan_out)?.strip_prefix('[')?;
    let end = rest.find("]/")?;
    rest[..end].parse().ok()
}

/// One instance, shared by its driver, its steps and its context.
pub(crate) struct Shared {
    pub(crate) id: String,
    pub(crate) path: Arc<CommitPath>,
    pub(crate) role: Role,
    inner: Mutex<Inner>,
}

impl Shared {
    pub(crate) fn new(id: String, path: Arc<CommitPath>) -> Arc<Self> {
        let shares = path.journal.shares_fan_outs();
        Shared::with_role(id, path, Role::Owner { shares })
    }

    pub(crate) fn with_role(id: String, path: Arc<CommitPath>, role: Role) -> Arc<Self> {
        let helper_left = match &role {
            Role::Helper { indexes, .. } => indexes.len(),
            Role::Owner { .. } => 0,
        };
        Arc::new(Shared {
            id,
            path,
            role,
            inner: Mutex::new(Inner {
                records: FastMap::default(),
                steps: FastMap::default(),
                values: FastMap::default(),
                queue: Vec::new(),
                next_seq: 1,
                committed: 0,
                waiters: Vec::new(),
                signals: FastMap::default(),
                listening: FastMap::default(),
                abort: None,
                driver: None,
                fan_outs: FastMap::default(),
                helper_left,
                helper_seq: 0,
            }),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Loads what the journal holds of this instance.
    pub(crate) fn load(&self, records: Vec<Record>, signals: Vec<SignalRow>) {
        let mut inner = self.lock();
        for record in records {
            inner.records.insert(
                record.key,
                Stored {
                    type_name: record.type_name,
                    value: record.value,
                },
            );
        }
        for signal in signals {
            inner
                .signals
                .entry(signal.name)
                .or_insert((signal.type_name, signal.payload));
        }
    }

    /// Queues a write; returns the sequence number of the batch it goes in. Outside
    /// the driver's poll (a branch spawned as its own task), flushes at once.
    pub(crate) fn enqueue(self: &Arc<Self>, write: Write) -> u64 {
        let seq = {
            let mut inner = self.lock();
            inner.queue.push(write);
            inner.next_seq
        };
        if DRIVING.get() != Arc::as_ptr(self).addr() {
            self.flush();
        }
        seq
    }

    /// Hands the queued writes to the journal as one batch. Returns whether a batch was
    /// committed inline.
    pub(crate) fn flush(self: &Arc<Self>) -> bool {
        let mut inner = self.lock();
        if inner.queue.is_empty() {
            return false;
        }
        let writes = core::mem::take(&mut inner.queue);
        let seq = inner.next_seq;
        inner.next_seq += 1;
        match &self.path.tx {
            Some(tx) if !self.path.inline => {
                // Sent under the lock, so the batches of an instance stay in order.
                let batch = Batch {
                    writes,
                    shared: Arc::clone(self),
                    seq,
                };
                if tx.send(batch).is_err() {
                    let error = Error::Journal(super::JournalError::new(
                        "the engine's committer thread is gone",
                    ));
                    let wake = abort_locked(&mut inner, error);
                    drop(inner);
                    wake_all(wake);
                }
                false
            }
            _ => {
                let mut writes = writes;
                let result = self.path.journal.commit(&writes);
                self.path.commits.fetch_add(1, Ordering::Relaxed);
                let wake = mark_committed(&mut inner, seq, commit_outcome(&result, &self.id));
                // The next batch reuses the buffer.
                writes.clear();
                inner.queue = writes;
                drop(inner);
                wake_all(wake);
                true
            }
        }
    }

    /// A batch was committed (or failed).
    pub(crate) fn committed(&self, seq: u64, result: Result<(), Error>) {
        let wake = mark_committed(&mut self.lock(), seq, result);
        wake_all(wake);
    }

    /// Ready once the batch `seq` is committed.
    pub(crate) fn poll_committed(&self, seq: u64, waker: &Waker) -> Poll<()> {
        let mut inner = self.lock();
        if inner.committed >= seq {
            return Poll::Ready(());
        }
        if !inner
            .waiters
            .iter()
            .any(|(s, w)| *s == seq && w.will_wake(waker))
        {
            inner.waiters.push((seq, waker.clone()));
        }
        Poll::Pending
    }

    /// Ends the instance with `error` (its driver drops the body).
    pub(crate) fn abort(&self, error: Error) {
        let wake = abort_locked(&mut self.lock(), error);
        wake_all(wake);
    }

    /// Takes the next occurrence of a context value `what` and returns its key.
    pub(crate) fn value_key(inner: &mut Inner, what: &str) -> String {
        let mut prefix = String::new();
        match current_step() {
            Some(step) => {
                prefix.push_str(&step);
                prefix.push('/');
            }
            None => {
                if let Some(scope) = current_scope() {
                    prefix.push_str(&scope);
                }
                prefix.push_str("ctx.");
            }
        }
        prefix.push_str(what);
        Self::occurrence_key(inner, prefix)
    }

    /// Takes the next occurrence of `prefix` (counted with the context's values) and
    /// returns its key, `<prefix>#<occurrence>`.
    pub(crate) fn occurrence_key(inner: &mut Inner, mut prefix: String) -> String {
        let n = match inner.values.get_mut(&prefix) {
            Some(n) => {
                *n += 1;
                *n
            }
            None => {
                inner.values.insert(prefix.clone(), 0);
                0
            }
        };
        prefix.push('#');
        push_number(&mut prefix, n);
        prefix
    }

    /// A record for this instance.
    pub(crate) fn record(&self, key: String, ok: bool, type_name: &str, value: Vec<u8>) -> Write {
        Write::Record(Record {
            instance: self.id.clone(),
            key,
            ok,
            type_name: type_name.to_owned(),
            value,
        })
    }

    /// Refuses a value journaled as another type than `expected`.
    fn check_type(&self, key: &str, stored: &Stored, expected: &str) -> Result<(), Error> {
        if stored.type_name == expected {
            return Ok(());
        }
        Err(Error::Incompatible {
            instance: self.id.clone(),
            step: key.to_owned(),
            reason: format!(
                "it was journaled as a `{}`, the code now makes a `{expected}`",
                stored.type_name
            ),
        })
    }

    /// Reads a journaled value back as a `T` (the error parks the instance).
    pub(crate) fn decode<T: DeserializeOwned>(
        &self,
        key: &str,
        stored: &Stored,
    ) -> Result<T, Error> {
        self.check_type(key, stored, core::any::type_name::<T>())?;
        serde_json::from_slice(&stored.value).map_err(|error| Error::Corrupt {
            instance: self.id.clone(),
            key: key.to_owned(),
            message: error.to_string(),
        })
    }

    /// Reads a journaled value back through `seed` (the type is checked as for
    /// [`Shared::decode`] of a `Vec<T>`).
    pub(crate) fn decode_with<'a, T, S>(
        &self,
        key: &str,
        stored: &'a Stored,
        seed: S,
    ) -> Result<S::Value, Error>
    where
        S: serde::de::DeserializeSeed<'a>,
    {
        self.check_type(key, stored, core::any::type_name::<Vec<T>>())?;
        let mut deserializer = serde_json::Deserializer::from_slice(&stored.value);
        seed.deserialize(&mut deserializer)
            .map_err(|error| Error::Corrupt {
                instance: self.id.clone(),
                key: key.to_owned(),
                message: error.to_string(),
            })
    }

    /// The elements at `indexes` of the journaled `Vec<T>` `stored`, decoded where
    /// `spans` says they lie (the others are not read).
    pub(crate) fn decode_spans<T: DeserializeOwned>(
        &self,
        key: &str,
        stored: &Stored,
        spans: &ItemSpans,
        indexes: &[u32],
    ) -> Result<Vec<(u32, T)>, Error> {
        self.check_type(key, stored, core::any::type_name::<Vec<T>>())?;
        let corrupt = |message: String| Error::Corrupt {
            instance: self.id.clone(),
            key: key.to_owned(),
            message,
        };
        indexes
            .iter()
            .map(|&index| {
                let &(start, end) = usize::try_from(index)
                    .ok()
                    .and_then(|index| spans.spans.get(index))
                    .ok_or_else(|| corrupt(format!("the fan-out has no item {index}")))?;
                let bytes = stored
                    .value
                    .get(start as usize..end as usize)
                    .ok_or_else(|| corrupt(format!("item {index} lies outside the record")))?;
                serde_json::from_slice(bytes)
                    .map(|value| (index, value))
                    .map_err(|error| corrupt(error.to_string()))
            })
            .collect()
    }

    /// The value journaled under `key`, taken from the loaded records: `Ok(None)` when
    /// there is none (a first run), `Err(())` when it does not read (the instance is
    /// aborted: the caller must go no further).
    pub(crate) fn replayed<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ()> {
        let Some(stored) = self.lock().records.remove(key) else {
            return Ok(None);
        };
        self.decode(key, &stored)
            .map(Some)
            .map_err(|error| self.abort(error))
    }

    /// Journals `value` under `key` (with `ok`); returns the sequence number of its
    /// batch (0 when it does not serialize: the instance is aborted).
    pub(crate) fn journal_value<T: serde::Serialize>(
        self: &Arc<Self>,
        key: String,
        ok: bool,
        value: &T,
    ) -> u64 {
        if !self.role.may_run(&key) {
            // A helper replays; what it would take anew is not its to take.
            self.abort(Error::Lost {
                instance: self.id.clone(),
            });
            return 0;
        }
        match serde_json::to_vec(value) {
            Ok(bytes) => {
                let record = self.record(key, ok, core::any::type_name::<T>(), bytes);
                self.enqueue(record)
            }
            Err(error) => {
                self.abort(self.unserializable(&key, &error));
                0
            }
        }
    }

    /// A value that does not serialize.
    pub(crate) fn unserializable(&self, key: &str, error: &serde_json::Error) -> Error {
        Error::Corrupt {
            instance: self.id.clone(),
            key: key.to_owned(),
            message: format!("does not serialize: {error}"),
        }
    }
}

fn mark_committed(inner: &mut Inner, seq: u64, result: Result<(), Error>) -> Vec<Waker> {
    match result {
        Err(error) => abort_locked(inner, error),
        Ok(()) => {
            inner.committed = inner.committed.max(seq);
            let committed = inner.committed;
            let mut wake = Vec::new();
            inner.waiters.retain(|(s, waker)| {
                if *s <= committed {
                    wake.push(waker.clone());
                    false
                } else {
                    true
                }
            });
            if let Some(driver) = &inner.driver {
                wake.push(driver.clone());
            }
            wake
        }
    }
}

fn abort_locked(inner: &mut Inner, error: Error) -> Vec<Waker> {
    if inner.abort.is_none() {
        inner.abort = Some(error);
    }
    inner.driver.iter().cloned().collect()
}

fn wake_all(wakers: Vec<Waker>) {
    for waker in wakers {
        waker.wake();
    }
}

/// Appends `n` in decimal.
pub(crate) fn push_number(out: &mut String, n: impl Into<u64>) {
    use core::fmt::Write as _;
    let _ = write!(out, "{}", n.into());
}

thread_local! {
    /// The current scope (a fan-out item's key prefix), set around polls.
    static SCOPE: Cell<Option<Arc<str>>> = const { Cell::new(None) };
    /// The key of the step being polled.
    static STEP: Cell<Option<Arc<str>>> = const { Cell::new(None) };
    /// The address of the instance whose driver polls its body on this thread.
    static DRIVING: Cell<usize> = const { Cell::new(0) };
}

pub(crate) fn current_scope() -> Option<Arc<str>> {
    SCOPE.with(|cell| {
        let scope = cell.take();
        let copy = scope.clone();
        cell.set(scope);
        copy
    })
}

pub(crate) fn current_step() -> Option<Arc<str>> {
    STEP.with(|cell| {
        let step = cell.take();
        let copy = step.clone();
        cell.set(step);
        copy
    })
}

/// Sets the current scope until dropped (also on panic).
pub(crate) struct ScopeGuard(Option<Arc<str>>);

impl ScopeGuard {
    pub(crate) fn enter(scope: Option<Arc<str>>) -> Self {
        ScopeGuard(SCOPE.replace(scope))
    }
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        SCOPE.set(self.0.take());
    }
}

/// Sets the current step until dropped (also on panic).
pub(crate) struct StepGuard(Option<Arc<str>>);

impl StepGuard {
    pub(crate) fn enter(step: Option<Arc<str>>) -> Self {
        StepGuard(STEP.replace(step))
    }
}

impl Drop for StepGuard {
    fn drop(&mut self) {
        STEP.set(self.0.take());
    }
}

struct DriveGuard {
    driving: usize,
    _scope: ScopeGuard,
    _step: StepGuard,
}

impl DriveGuard {
    fn enter(shared: &Arc<Shared>) -> Self {
        DriveGuard {
            driving: DRIVING.replace(Arc::as_ptr(shared).addr()),
            _scope: ScopeGuard::enter(None),
            _step: StepGuard::enter(None),
        }
    }
}

impl Drop for DriveGuard {
    fn drop(&mut self) {
        DRIVING.set(self.driving);
    }
}

fn panic_message(payload: &(dyn core::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// How often the driver polls the body again in one poll after an inline commit.
const INLINE_ROUNDS: usize = 64;

/// Drives an instance's body: after every poll, the writes queued during it go to the
/// journal as one batch. Once the body returns, its output is journaled with
/// `Write::End`; the output (and its serialized form) comes back once committed.
pub(crate) async fn drive<T: super::Journaled>(
    shared: Arc<Shared>,
    body: impl FnOnce() -> BoxFuture<T>,
    failure: fn(&T) -> Option<String>,
) -> Result<(T, Vec<u8>), Error> {
    let outcome = run_body(&shared, body).await.and_then(|output| {
        output.ok_or_else(|| Error::Lost {
            instance: shared.id.clone(),
        })
    });
    let (end, result) = match outcome {
        Ok(output) => match serde_json::to_vec(&output) {
            Ok(bytes) => {
                let reason = failure(&output);
                let status = if reason.is_some() {
                    Status::Failed
                } else {
                    Status::Finished
                };
                let end = Write::End {
                    instance: shared.id.clone(),
                    status,
                    output: Some(bytes.clone()),
                    reason,
                };
                (end, Ok((output, bytes)))
            }
            Err(error) => {
                let error = shared.unserializable("output", &error);
                (parked(&shared, &error), Err(error))
            }
        },
        Err(error) if error.parks() => (parked(&shared, &error), Err(error)),
        Err(error) => return Err(error),
    };
    let seq = shared.enqueue(end);
    shared.flush();
    poll_fn(|cx| {
        let mut inner = shared.lock();
        if let Some(error) = inner.abort.take() {
            return Poll::Ready(Err(error));
        }
        inner.driver = Some(cx.waker().clone());
        drop(inner);
        shared.poll_committed(seq, cx.waker()).map(Ok)
    })
    .await?;
    result
}

fn parked(shared: &Shared, error: &Error) -> Write {
    Write::End {
        instance: shared.id.clone(),
        status: Status::Parked,
        output: None,
        reason: Some(error.to_string()),
    }
}

/// Drives a helper's replay of an instance's body until its claimed items are done
/// and committed (`Ok`), or it stops (`Err`: a commit refused, a value outside its
/// items, a panic). Nothing of the instance but its items' records is written.
pub(crate) async fn drive_helper<T>(
    shared: Arc<Shared>,
    body: impl FnOnce() -> BoxFuture<T>,
) -> Result<(), Error> {
    // The body of a helper cannot end (its items never complete); if it does, the
    // items it had are done.
    run_body(&shared, body).await.map(drop)
}

/// Whether a helper's claimed items are all done and committed (registers `waker`
/// for the commit otherwise).
fn helper_finished(shared: &Shared, waker: &Waker) -> bool {
    // An owner's poll pays one match, not a lock.
    if !matches!(shared.role, Role::Helper { .. }) {
        return false;
    }
    let seq = {
        let inner = shared.lock();
        if inner.helper_left > 0 {
            return false;
        }
        inner.helper_seq
    };
    shared.poll_committed(seq, waker).is_ready()
}

async fn run_body<T>(
    shared: &Arc<Shared>,
    body: impl FnOnce() -> BoxFuture<T>,
) -> Result<Option<T>, Error> {
    let panicked = |payload: Box<dyn core::any::Any + Send>| Error::Panicked {
        instance: shared.id.clone(),
        message: panic_message(&*payload),
    };
    let mut body = {
        let _guard = DriveGuard::enter(shared);
        catch_unwind(AssertUnwindSafe(body)).map_err(panicked)?
    };
    poll_fn(|cx| {
        for _ in 0..INLINE_ROUNDS {
            {
                let mut inner = shared.lock();
                if let Some(error) = inner.abort.take() {
                    return Poll::Ready(Err(error));
                }
                if !inner
                    .driver
                    .as_ref()
                    .is_some_and(|w| w.will_wake(cx.waker()))
                {
                    inner.driver = Some(cx.waker().clone());
                }
            }
            let polled = {
                let _guard = DriveGuard::enter(shared);
                catch_unwind(AssertUnwindSafe(|| body.as_mut().poll(cx)))
            };
            match polled {
                Err(payload) => return Poll::Ready(Err(panicked(payload))),
                Ok(Poll::Ready(output)) => return Poll::Ready(Ok(Some(output))),
                Ok(Poll::Pending) => {}
            }
            if let Some(error) = shared.lock().abort.take() {
                return Poll::Ready(Err(error));
            }
            let flushed = shared.flush();
            if helper_finished(shared, cx.waker()) {
                return Poll::Ready(Ok(None));
            }
            if !flushed {
                return Poll::Pending;
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}

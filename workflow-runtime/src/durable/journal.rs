//! Where durable workflows keep their state: the [`Journal`] trait, its rows, and the
//! in-memory journal for tests.
//!
//! One schema is shared by every backend (the embedded `SQLite` store and, later, a
//! `PostgreSQL` one): an instance row per workflow instance, a record per journaled
//! value keyed by (instance, key) where the key is built from the step's compile-time
//! id (never a sequence number), and a row per signal sent to an instance.

use std::fmt;

/// An instance's state in the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Started, not finished: `recover` resumes it.
    Running,
    /// Its body returned; its output is recorded.
    Finished,
    /// Its body returned a failure (an `Err`); `redrive` runs what failed again.
    Failed,
    /// Refused on resume (its journal does not fit the workflow's code, or a
    /// journaled value no longer reads): it waits for a person, nothing runs.
    Parked,
}

impl Status {
    /// The word stored in the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Finished => "finished",
            Status::Failed => "failed",
            Status::Parked => "parked",
        }
    }

    /// The status stored as `word`, if it is one.
    pub fn parse(word: &str) -> Option<Status> {
        Some(match word {
            "running" => Status::Running,
            "finished" => Status::Finished,
            "failed" => Status::Failed,
            "parked" => Status::Parked,
            _ => return None,
        })
    }
}

/// One workflow instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceRow {
    /// The caller's instance id (an idempotency key).
    pub id: String,
    /// The workflow's name (`Workflow::NAME`).
    pub workflow: String,
    /// The hash of the workflow's structure when the instance started.
    pub structure: String,
    /// The arguments, serialized.
    pub args: Vec<u8>,
    /// Where it stands.
    pub status: Status,
    /// The output once finished or failed, serialized.
    pub output: Option<Vec<u8>>,
    /// Why it failed or was parked, for people.
    pub reason: Option<String>,
}

/// One journaled value of an instance: a step's result, a fan-out's items, a
/// race's winners, a deadline, a value taken through the context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The instance it belongs to.
    pub instance: String,
    /// Its key within the instance (scope, step id and occurrence, see the module
    /// docs of `durable`).
    pub key: String,
    /// `false` for a step that returned an `Err` (run again by `redrive`).
    pub ok: bool,
    /// The Rust type it was written as (`core::any::type_name`): a value read back as
    /// another type is refused.
    pub type_name: String,
    /// The value, serialized.
    pub value: Vec<u8>,
}

/// A signal sent to an instance: buffered until the instance waits for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignalRow {
    /// The instance it was sent to.
    pub instance: String,
    /// Its name; an instance takes one signal of each name.
    pub name: String,
    /// The Rust type of the payload as sent.
    pub type_name: String,
    /// The payload, serialized.
    pub payload: Vec<u8>,
}

/// One write of a commit. A commit's writes land together or not at all.
///
/// The fan-out writes ([`Write::FanOut`], [`Write::ItemDone`], [`Write::FanOutClosed`])
/// come only to a journal whose [`Journal::shares_fan_outs`] says yes; the others may
/// ignore them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Write {
    /// A journaled value (inserted; a record that exists is left as it is).
    Record(Record),
    /// An instance ends: its status (`Finished`, `Failed` or `Parked`), its output,
    /// and why.
    End {
        /// The instance.
        instance: String,
        /// Its new status.
        status: Status,
        /// Its output, if it has one.
        output: Option<Vec<u8>>,
        /// Why it failed or was parked.
        reason: Option<String>,
    },
    /// A fan-out whose items any worker may run: `items` items (indexes `0..items`),
    /// at most `limit` of them running at once across all workers. Written again on
    /// every replay: a fan-out that exists is left as it is.
    FanOut {
        /// The instance.
        instance: String,
        /// The fan-out's key (`0.files#0`); its items' keys start with `<key>[<index>]/`.
        key: String,
        /// How many items it has.
        items: u32,
        /// `#[limit(n)]`, if it has one.
        limit: Option<u32>,
    },
    /// An item of a shared fan-out is done: all its records are committed (in this
    /// commit or before).
    ItemDone {
        /// The instance.
        instance: String,
        /// The fan-out's key.
        fan_out: String,
        /// The item's index.
        index: u32,
    },
    /// A shared fan-out ended (all its items are done, or it failed or was cancelled):
    /// no worker starts another of its items.
    FanOutClosed {
        /// The instance.
        instance: String,
        /// The fan-out's key.
        key: String,
    },
}

impl Write {
    /// The instance the write belongs to.
    pub fn instance(&self) -> &str {
        match self {
            Write::Record(record) => &record.instance,
            Write::End { instance, .. }
            | Write::FanOut { instance, .. }
            | Write::ItemDone { instance, .. }
            | Write::FanOutClosed { instance, .. } => instance,
        }
    }
}

/// Items of a shared fan-out claimed by this worker ([`Journal::claim_items`]): it
/// runs them by replaying the instance's body up to the fan-out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemClaim {
    /// The instance (held by another worker, or by this one).
    pub instance: InstanceRow,
    /// The fan-out's key.
    pub fan_out: String,
    /// The items claimed, in index order.
    pub indexes: Vec<u32>,
    /// What the replay needs: the instance's records but those of the fan-out's
    /// items, and the records the claimed items have already (a worker that held them
    /// before died).
    pub records: Vec<Record>,
}

/// Items of a shared fan-out that are done, for the worker that holds the instance
/// ([`Journal::done_items`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DoneItems {
    /// The indexes of the items done since the cursor.
    pub indexes: Vec<u32>,
    /// Their records.
    pub records: Vec<Record>,
    /// The cursor to pass next time.
    pub cursor: u64,
}

/// An error of the store itself: the journal could not be read or written, or (for a
/// journal shared by several workers) some instances of a commit are held by another
/// worker now.
///
/// ```
/// use workflow_runtime::durable::JournalError;
///
/// let error = JournalError::refused("held by another worker", vec!["loan-7".to_owned()]);
/// assert_eq!(error.refused_instances(), ["loan-7"]);
/// assert!(JournalError::new("disk full").refused_instances().is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalError {
    /// What went wrong, in words.
    pub message: String,
    refused: Vec<String>,
}

impl JournalError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        JournalError {
            message: message.into(),
            refused: Vec::new(),
        }
    }

    /// The error of a [`Journal::commit`] that wrote the writes of every instance but
    /// `instances`: this worker does not hold them any more (another took them over
    /// after its lease ran out). Their writes are dropped; the engine stops running
    /// them here.
    pub fn refused(message: impl Into<String>, instances: Vec<String>) -> Self {
        JournalError {
            message: message.into(),
            refused: instances,
        }
    }

    /// The instances whose writes a commit refused (empty for every other error: then
    /// nothing of the commit was written).
    pub fn refused_instances(&self) -> &[String] {
        &self.refused
    }
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JournalError {}

/// How an instance was created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Created {
    /// It is new.
    New,
    /// An instance with this id existed: here it is, unchanged.
    Existing(InstanceRow),
}

/// How a signal was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalAdded {
    /// It is stored.
    Added,
    /// The instance already has a signal of this name.
    Duplicate,
    /// No instance has this id.
    UnknownInstance,
}

/// A durable store for workflow instances. Every method is durable on return: a
/// process killed after it returns loses nothing it wrote.
///
/// Methods are blocking; the engine calls `commit` from its own committer thread (or
/// inline when [`Journal::inline`] says so) and the others where it needs them.
///
/// The methods with a default body are those a journal used by one process does not
/// need (leases, shared fan-outs). A journal that wraps another (to count, log or
/// inject faults) must forward them too: left to their defaults, a wrapped
/// `PostgresJournal` would stop taking leases and sharing fan-outs.
pub trait Journal: Send + Sync + 'static {
    /// Inserts `instance` (with status `Running`) if no instance has its id; otherwise
    /// returns the existing one and changes nothing.
    fn create(&self, instance: &InstanceRow) -> Result<Created, JournalError>;

    /// The instance with this id.
    fn instance(&self, id: &str) -> Result<Option<InstanceRow>, JournalError>;

    /// Every record of an instance.
    fn records(&self, instance: &str) -> Result<Vec<Record>, JournalError>;

    /// Every signal sent to an instance.
    fn signals(&self, instance: &str) -> Result<Vec<SignalRow>, JournalError>;

    /// Writes all of `batch` in one transaction (one fsync).
    fn commit(&self, batch: &[Write]) -> Result<(), JournalError>;

    /// Every instance whose status is `Running`.
    fn unfinished(&self) -> Result<Vec<InstanceRow>, JournalError>;

    /// The signals stored after `cursor` (by this process or any other), in the order
    /// they were stored, and the cursor to pass next time; `None` reads from the
    /// current end (no signal, and the cursor of the end). An engine polls this for the
    /// signals other processes send to the instances it runs.
    fn signals_after(&self, cursor: Option<u64>) -> Result<(Vec<SignalRow>, u64), JournalError>;

    /// Stores a signal for an instance.
    fn add_signal(&self, signal: &SignalRow) -> Result<SignalAdded, JournalError>;

    /// Prepares a failed (or parked) instance to run again: deletes its records with
    /// `ok == false`, its output and reason, and sets it `Running`. Returns `false` if
    /// no instance has this id.
    fn redrive(&self, instance: &str) -> Result<bool, JournalError>;

    /// Takes the unfinished instance `instance` to run in this process. A journal shared
    /// by several workers (`PostgresJournal`) answers `false`
    /// while another worker holds the instance's lease; the others always say `true`.
    fn acquire(&self, instance: &str) -> Result<bool, JournalError> {
        let _ = instance;
        Ok(true)
    }

    /// The instance no longer runs in this process (it ended, or it stopped on an
    /// error): a shared journal gives up its lease, so that another worker can take it
    /// at once. The others do nothing.
    fn release(&self, instance: &str) {
        let _ = instance;
    }

    /// The unfinished instances of these workflows that no worker holds, taken to run in
    /// this process ([`Engine::recover`](super::Engine::recover) resumes them). Unless a
    /// journal says otherwise: [`Journal::unfinished`], whatever their workflow.
    fn claim(&self, workflows: &[&str]) -> Result<Vec<InstanceRow>, JournalError> {
        let _ = workflows;
        self.unfinished()
    }

    /// Stores a new instance that no worker holds yet (one that polls the journal, as
    /// [`Engine::serve`](super::Engine::serve) does, claims it): as [`Journal::create`]
    /// otherwise. Unless a journal says otherwise, the same as `create`.
    fn submit(&self, instance: &InstanceRow) -> Result<Created, JournalError> {
        self.create(instance)
    }

    /// Waits until a signal may have been stored by another process, or `timeout` has
    /// passed. A journal that can be told (`PostgresJournal`
    /// listens for a notification) returns early; the others sleep for `timeout`.
    fn wait_for_signals(&self, timeout: std::time::Duration) {
        std::thread::sleep(timeout);
    }

    /// Whether the durable fan-outs of the instances on this journal run on every
    /// worker ([`Write::FanOut`], [`Journal::claim_items`], [`Journal::done_items`]);
    /// `false` unless a journal says otherwise: items run where their instance runs.
    fn shares_fan_outs(&self) -> bool {
        false
    }

    /// Claims up to `most` items of the open shared fan-outs of these workflows'
    /// running instances, within each fan-out's limit (and the items whose worker's
    /// claim ran out). None unless a journal shares fan-outs.
    fn claim_items(&self, workflows: &[&str], most: usize) -> Result<Vec<ItemClaim>, JournalError> {
        let _ = (workflows, most);
        Ok(Vec::new())
    }

    /// The items of the fan-out `fan_out` of `instance` done since `cursor` (0 at
    /// first), with their records.
    fn done_items(
        &self,
        instance: &str,
        fan_out: &str,
        cursor: u64,
    ) -> Result<DoneItems, JournalError> {
        let _ = (instance, fan_out);
        Ok(DoneItems {
            cursor,
            ..DoneItems::default()
        })
    }

    /// This worker will not finish these claimed items (its replay ended early): they
    /// can be claimed again at once.
    fn release_items(&self, instance: &str, fan_out: &str, indexes: &[u32]) {
        let _ = (instance, fan_out, indexes);
    }

    /// Whether commits are cheap enough to run inline in the workflow's poll (no I/O):
    /// the in-memory journal says yes; a store that syncs to disk says no, and its
    /// commits run on the engine's committer thread.
    fn inline(&self) -> bool {
        false
    }
}

/// How many shared fan-outs a worker keeps what it learned of, past which it forgets them
/// all and learns them again: the items record a journal read (`PostgresJournal`, which
/// then leaves it out of the next claims' reads) and where the engine found each item in
/// it. One number for both, so that the engine keeps the spans of the records the
/// journal keeps.
pub(crate) const FAN_OUTS_KEPT: usize = 8;

// Checksums of the stores that keep bytes (`SQLite`, `PostgreSQL`).
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
/// 64-bit FNV-1a, fed field by field with each field's length first (so moving a byte
/// from one field to the next changes the sum).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(mut self, bytes: &[u8]) -> Self {
        for &byte in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self
    }

    #[allow(clippy::cast_possible_wrap)]
    fn finish(self) -> i64 {
        // Stored as SQL's signed 64-bit integer, bit for bit.
        self.0 as i64
    }
}

#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) fn record_checksum(record: &Record) -> i64 {
    Fnv::new()
        .bytes(record.instance.as_bytes())
        .bytes(record.key.as_bytes())
        .bytes(&[u8::from(record.ok)])
        .bytes(record.type_name.as_bytes())
        .bytes(&record.value)
        .finish()
}

#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) fn signal_checksum(signal: &SignalRow) -> i64 {
    Fnv::new()
        .bytes(signal.instance.as_bytes())
        .bytes(signal.name.as_bytes())
        .bytes(signal.type_name.as_bytes())
        .bytes(&signal.payload)
        .finish()
}

/// Milliseconds since the epoch, by this machine's clock (the stores' `created_at` and
/// `updated_at`).
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

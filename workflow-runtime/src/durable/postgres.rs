//! The journal shared by many workers: `PostgreSQL`, through tokio-postgres.
//!
//! # Schema
//!
//! The embedded store's tables (`workflow_instances`, `workflow_records`,
//! `workflow_signals`, with `BYTEA` for `BLOB` and `BIGINT` for `INTEGER`), plus what
//! sharing needs:
//!
//! - `workflow_instances.owner`, `.fence`, `.lease_until`: the worker that holds a
//!   running instance, the fencing token of that hold (one more at every claim), and
//!   until when (the database's clock) the hold lasts unless renewed.
//! - `workflow_owners`: every claim (instance, fence, worker), and `workflow_records`
//!   the fence each record was written under; both take a number from the sequence
//!   `workflow_events` while they hold the instance's row lock, so per instance the
//!   numbers are in commit order, and a check can prove that no record was written by a
//!   worker after another had claimed the instance.
//! - `workflow_signals.seq`, taken under a transaction-scoped advisory lock, so that
//!   signals become visible in `seq` order and [`Journal::signals_after`]'s cursor
//!   misses none.
//! - `workflow_schema`: the version of the tables; the library migrates older ones, in
//!   one transaction under an advisory lock (many workers may start at once), and
//!   refuses a newer one.
//!
//! # Threads
//!
//! The journal's methods block (the engine calls them from its committer and signal
//! threads and from tokio's blocking pool); it runs its connections on a thread of its
//! own, with a current-thread tokio runtime: a pool of connections (each with its
//! prepared statements), the lease renewal, and a `LISTEN` connection.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio_postgres::error::SqlState;
use tokio_postgres::{AsyncMessage, Client, Config, NoTls, Row, Statement};

use super::instance::item_of;
use super::journal::{
    Created, DoneItems, InstanceRow, ItemClaim, Journal, JournalError, Record, SignalAdded,
    SignalRow, Status, Write, record_checksum, signal_checksum, unix_ms,
};

/// The schema version this build writes. A database of a newer version is refused.
const SCHEMA_VERSION: i64 = 1;

/// `MIGRATIONS[v]` takes the tables from version `v` to `v + 1` (version 0: none).
const MIGRATIONS: &[&str] = &[r#"
    CREATE SEQUENCE workflow_events;
    CREATE TABLE workflow_instances (
        id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        structure TEXT NOT NULL,
        args BYTEA NOT NULL,
        status TEXT NOT NULL,
        output BYTEA,
        reason TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        owner TEXT,
        fence BIGINT NOT NULL DEFAULT 0,
        lease_until TIMESTAMPTZ
    );
    CREATE INDEX workflow_instances_claim ON workflow_instances (status, workflow, created_at);
    CREATE TABLE workflow_records (
        instance TEXT NOT NULL REFERENCES workflow_instances (id),
        key TEXT COLLATE "C" NOT NULL,
        ok BOOLEAN NOT NULL,
        type_name TEXT NOT NULL,
        value BYTEA NOT NULL,
        checksum BIGINT NOT NULL,
        fence BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (instance, key)
    );
    CREATE TABLE workflow_owners (
        instance TEXT NOT NULL REFERENCES workflow_instances (id),
        fence BIGINT NOT NULL,
        owner TEXT NOT NULL,
        seq BIGINT NOT NULL,
        claimed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (instance, fence)
    );
    CREATE TABLE workflow_signals (
        seq BIGSERIAL UNIQUE,
        instance TEXT NOT NULL REFERENCES workflow_instances (id),
        name TEXT NOT NULL,
        type_name TEXT NOT NULL,
        payload BYTEA NOT NULL,
        checksum BIGINT NOT NULL,
        PRIMARY KEY (instance, name)
    );
    CREATE TABLE workflow_fan_outs (
        instance TEXT NOT NULL REFERENCES workflow_instances (id),
        key TEXT COLLATE "C" NOT NULL,
        items INT NOT NULL,
        lim INT,
        running INT NOT NULL DEFAULT 0,
        closed BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (instance, key),
        CHECK (running >= 0),
        CHECK (lim IS NULL OR running <= lim)
    );
    CREATE TABLE workflow_items (
        instance TEXT NOT NULL,
        fan_out TEXT COLLATE "C" NOT NULL,
        idx INT NOT NULL,
        state TEXT NOT NULL,
        owner TEXT,
        fence BIGINT NOT NULL DEFAULT 0,
        lease_until TIMESTAMPTZ,
        done_seq BIGINT,
        PRIMARY KEY (instance, fan_out, idx),
        FOREIGN KEY (instance, fan_out) REFERENCES workflow_fan_outs (instance, key)
    );
    CREATE INDEX workflow_items_open ON workflow_items (instance, fan_out, idx)
        WHERE state <> 'done';
    CREATE INDEX workflow_items_done ON workflow_items (instance, fan_out, done_seq)
        WHERE state = 'done';
    CREATE INDEX workflow_items_leases ON workflow_items (instance, fan_out, lease_until)
        WHERE state = 'running';"#];

/// The advisory locks: migrations, and the order of signals.
const MIGRATION_LOCK: i64 = 0x776f_726b_666c_6f01;
const SIGNAL_LOCK: i64 = 0x776f_726b_666c_6f02;

/// The channel signals are announced on.
const CHANNEL: &str = "workflow_signals";

/// Options of a [`PostgresJournal`]: [`PostgresJournal::builder`].
///
/// ```
/// use std::time::Duration;
/// use workflow_runtime::durable::PostgresJournal;
///
/// let builder = PostgresJournal::builder("postgresql://workflows@127.0.0.1:5432/workflows")
///     .lease(Duration::from_secs(5))
///     .connections(4)
///     .worker("billing-1");
/// # let _ = builder;
/// ```
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `connect`"]
pub struct PostgresBuilder {
    url: String,
    lease: Duration,
    connections: usize,
    worker: Option<String>,
    claim_limit: i64,
    reconnect_for: Duration,
    share_fan_outs: bool,
}

impl PostgresBuilder {
    /// Whether the items of a durable workflow's top-level fan-outs run on every
    /// worker (`true` unless set): any worker that serves the workflow claims items, at
    /// most `#[limit(n)]` running at once across all of them, and the worker holding the
    /// instance collects their outputs in the items' order. `false`: items run where
    /// their instance runs.
    pub fn share_fan_outs(mut self, share: bool) -> Self {
        self.share_fan_outs = share;
        self
    }

    /// How long a worker holds an instance without renewing (10 s unless set). The
    /// worker renews its leases every third of it; a worker that dies (or is paused)
    /// has its instances taken over by another this long after its last renewal.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(30));
        self
    }

    /// How many connections the pool keeps (4 unless set). Commits are grouped by the
    /// engine, so a few are enough.
    pub fn connections(mut self, connections: usize) -> Self {
        self.connections = connections.max(1);
        self
    }

    /// The worker's name, stored as the owner of the instances it holds (unique per
    /// process; by default `<pid>-<random>`).
    pub fn worker(mut self, worker: impl Into<String>) -> Self {
        self.worker = Some(worker.into());
        self
    }

    /// How many instances one claim takes at most (64 unless set): a worker that
    /// polls first does not take every waiting instance.
    pub fn claim_limit(mut self, limit: usize) -> Self {
        self.claim_limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
        self
    }

    /// How long a call keeps trying when the connection is lost (the database
    /// restarting, a network cut) before it reports the error (30 s unless set).
    pub fn reconnect_for(mut self, reconnect_for: Duration) -> Self {
        self.reconnect_for = reconnect_for;
        self
    }

    /// Connects (once, at once: a wrong URL or an unreachable server is an error
    /// here), migrates the tables to this build's version, and starts the journal's
    /// thread.
    pub fn connect(self) -> Result<PostgresJournal, JournalError> {
        let config: Config = self.url.parse().map_err(|error| {
            JournalError::new(format!(
                "postgres journal: not a PostgreSQL URL or connection string: {error}"
            ))
        })?;
        let worker = self.worker.clone().unwrap_or_else(default_worker);
        let cross = Arc::new(Cross {
            heard: Mutex::new(Heard::default()),
            wake: Condvar::new(),
        });
        let (jobs, rx) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
        let local = LocalSetup {
            config,
            options: self.clone(),
            worker: worker.clone(),
            cross: Arc::clone(&cross),
        };
        std::thread::Builder::new()
            .name("workflow-postgres".to_owned())
            .spawn(move || local.run(rx, &ready_tx))
            .map_err(|error| {
                JournalError::new(format!("postgres journal: no thread for it: {error}"))
            })?;
        ready_rx.recv().map_err(|_| {
            JournalError::new("postgres journal: its thread ended while connecting")
        })??;
        Ok(PostgresJournal {
            jobs,
            worker,
            cross,
            share_fan_outs: self.share_fan_outs,
        })
    }
}

/// A journal in a `PostgreSQL` database, shared by every worker process that connects
/// to it (on one machine or many): each running instance is held by one worker through
/// a lease, renewed while it runs; a worker that dies has its instances taken over by
/// another once the lease runs out; a worker that was paused past its lease cannot
/// commit any more (every commit checks the fencing token of its hold). Signals are
/// announced with `NOTIFY` and polled as a fallback.
///
/// With the engine: [`Engine::serve`](super::Engine::serve) claims the instances no
/// worker holds; [`Engine::submit`](super::Engine::submit) stores one for any worker.
///
/// Semantics of [`Journal::commit`] here: a batch is one transaction, that first locks
/// the rows of its instances and checks that this worker still holds each (the fence
/// it claimed is the row's). The writes of an instance it does not hold are dropped and
/// named in the error ([`JournalError::refused_instances`]); the others are written. A
/// lost connection is retried on a new one ([`PostgresBuilder::reconnect_for`]): every
/// write is idempotent (records are inserted once, an end is set once).
///
/// # Example
///
/// ```no_run
/// use workflow_runtime::durable::{Engine, PostgresJournal};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let journal = PostgresJournal::connect("postgresql://workflows@127.0.0.1:5432/workflows")?;
/// println!("worker {}", journal.worker());
/// let engine = Engine::new(journal);
/// # let _ = engine;
/// # Ok(())
/// # }
/// ```
pub struct PostgresJournal {
    jobs: tokio::sync::mpsc::UnboundedSender<Job>,
    worker: String,
    cross: Arc<Cross>,
    share_fan_outs: bool,
}

impl core::fmt::Debug for PostgresJournal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PostgresJournal")
            .field("worker", &self.worker)
            .finish_non_exhaustive()
    }
}

impl PostgresJournal {
    /// Connects with the default options ([`PostgresJournal::builder`]). `url` is a
    /// `postgresql://user:password@host:port/database` URL or a `host=.. user=..`
    /// connection string.
    pub fn connect(url: &str) -> Result<PostgresJournal, JournalError> {
        PostgresJournal::builder(url).connect()
    }

    /// A journal's options, to [`PostgresBuilder::connect`].
    pub fn builder(url: &str) -> PostgresBuilder {
        PostgresBuilder {
            url: url.to_owned(),
            lease: Duration::from_secs(10),
            connections: 4,
            worker: None,
            claim_limit: 64,
            reconnect_for: Duration::from_secs(30),
            share_fan_outs: true,
        }
    }

    /// This worker's name (the owner of the instances it holds).
    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// Runs `call` on the journal's thread and waits for its result.
    fn call<T, F>(
        &self,
        call: impl FnOnce(Rc<Local>) -> F + Send + 'static,
    ) -> Result<T, JournalError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, JournalError>> + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let job: Job = Box::new(move |local| {
            Box::pin(async move {
                let _ = tx.send(call(local).await);
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| JournalError::new("postgres journal: its thread is gone"))?;
        rx.recv()
            .map_err(|_| JournalError::new("postgres journal: its thread is gone"))?
    }
}

type Job = Box<dyn FnOnce(Rc<Local>) -> Pin<Box<dyn Future<Output = ()>>> + Send>;

/// What the journal's thread and the others share: the notifications heard.
struct Cross {
    heard: Mutex<Heard>,
    wake: Condvar,
}

#[derive(Default)]
struct Heard {
    /// Notifications heard (and listener restarts: a gap in listening).
    count: u64,
    /// `count` when `wait_for_signals` last returned.
    seen: u64,
}

impl Cross {
    fn heard(&self) {
        self.heard
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .count += 1;
        self.wake.notify_all();
    }
}

struct LocalSetup {
    config: Config,
    options: PostgresBuilder,
    worker: String,
    cross: Arc<Cross>,
}

impl LocalSetup {
    fn run(
        self,
        mut jobs: tokio::sync::mpsc::UnboundedReceiver<Job>,
        ready: &std::sync::mpsc::SyncSender<Result<(), JournalError>>,
    ) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => {
                let _ = ready.send(Err(JournalError::new(format!(
                    "postgres journal: no runtime: {error}"
                ))));
                return;
            }
        };
        let tasks = tokio::task::LocalSet::new();
        tasks.block_on(&runtime, async move {
            let local = Rc::new(Local {
                permits: tokio::sync::Semaphore::new(self.options.connections),
                where_: describe(&self.config),
                config: self.config,
                options: self.options,
                worker: self.worker,
                free: RefCell::new(Vec::new()),
                held: RefCell::new(HashMap::new()),
                held_items: RefCell::new(HashMap::new()),
                item_records: RefCell::new(HashMap::new()),
                read_ahead: RefCell::new(ReadAhead::default()),
                creates: RefCell::new(Vec::new()),
                creating: Cell::new(false),
                cross: self.cross,
            });
            // The first connection, at once: a wrong URL or password is an error now.
            let first = match local.connect().await {
                Ok(conn) => conn,
                Err(error) => {
                    let _ = ready.send(Err(local.error("connect", &error)));
                    return;
                }
            };
            let mut first = first;
            if let Err(error) = migrate(&mut first.client, &local.where_).await {
                let _ = ready.send(Err(error));
                return;
            }
            local.free.borrow_mut().push(first);
            let _ = ready.send(Ok(()));
            tokio::task::spawn_local(Rc::clone(&local).renew());
            tokio::task::spawn_local(Rc::clone(&local).listen());
            while let Some(job) = jobs.recv().await {
                tokio::task::spawn_local(job(Rc::clone(&local)));
            }
            // The journal is dropped: give up the leases of what still runs here, so
            // that another worker takes it at once.
            let _ = tokio::time::timeout(Duration::from_secs(1), local.release_all()).await;
        });
    }
}

/// One pooled connection and its prepared statements.
struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

impl Conn {
    async fn prepare(&mut self, sql: &'static str) -> Result<Statement, tokio_postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql).await?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }
}

/// The journal's state, on its thread.
struct Local {
    config: Config,
    options: PostgresBuilder,
    worker: String,
    /// `host:port/database`, for error messages (never the password).
    where_: String,
    free: RefCell<Vec<Conn>>,
    permits: tokio::sync::Semaphore,
    /// The instances this worker holds, with the fence of its hold.
    held: RefCell<HashMap<String, i64>>,
    /// The fan-out items it claimed.
    held_items: RefCell<HeldItems>,
    /// The items records of fan-outs whose items this worker claimed, by instance and
    /// fan-out (they never change): a claim of more items reads them from here.
    item_records: RefCell<HashMap<(String, String), Record>>,
    /// The records and signals of the instances of the last claim, until the engine
    /// asks for them ([`Local::read_ahead`]).
    read_ahead: RefCell<ReadAhead>,
    /// Creates waiting for the one being written ([`Local::create`]).
    creates: RefCell<Vec<Create>>,
    creating: Cell<bool>,
    cross: Arc<Cross>,
}

/// Records and signals read with a claim, by instance, each with its stored checksum,
/// under the fence of that claim (taken only while this worker's hold is that one).
#[derive(Default)]
struct ReadAhead {
    records: HashMap<String, (i64, Vec<(Record, i64)>)>,
    signals: HashMap<String, (i64, Vec<(SignalRow, i64)>)>,
}

impl ReadAhead {
    /// Drops what was read of `instances`: they are written to now.
    fn forget(&mut self, instances: &[&str]) {
        for instance in instances {
            self.records.remove(*instance);
            self.signals.remove(*instance);
        }
    }
}

/// A create waiting to be written, and where its answer goes.
struct Create {
    row: InstanceRow,
    hold: bool,
    done: tokio::sync::oneshot::Sender<Result<Created, JournalError>>,
}

/// A connection taken from the pool; it goes back unless it was closed.
struct Pooled<'a> {
    local: &'a Local,
    conn: Option<Conn>,
    _permit: tokio::sync::SemaphorePermit<'a>,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take()
            && !conn.client.is_closed()
        {
            self.local.free.borrow_mut().push(conn);
        }
    }
}

impl Pooled<'_> {
    fn conn(&mut self) -> &mut Conn {
        self.conn
            .as_mut()
            .unwrap_or_else(|| unreachable!("taken only on drop"))
    }
}

/// Whether an error is worth a new connection and another try: the connection was
/// lost, the server shuts down or starts, or the transaction lost a race it can win
/// next time.
fn transient(error: &tokio_postgres::Error) -> bool {
    match error.code() {
        None => true,
        Some(code) => {
            code.code().starts_with("08")
                || [
                    SqlState::ADMIN_SHUTDOWN,
                    SqlState::CRASH_SHUTDOWN,
                    SqlState::CANNOT_CONNECT_NOW,
                    SqlState::T_R_SERIALIZATION_FAILURE,
                    SqlState::T_R_DEADLOCK_DETECTED,
                ]
                .contains(code)
        }
    }
}

fn describe(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let database = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("{host}:{port}/{database}")
}

fn default_worker() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    format!(
        "{}-{:08x}",
        std::process::id(),
        nanos ^ std::process::id().rotate_left(16)
    )
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Creates or migrates the tables (under an advisory lock: workers start together).
async fn migrate(client: &mut Client, where_: &str) -> Result<(), JournalError> {
    let e = |error: tokio_postgres::Error| {
        JournalError::new(format!(
            "postgres journal {where_}: migrate the tables: {}",
            detail(&error)
        ))
    };
    let transaction = client.transaction().await.map_err(e)?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(e)?;
    transaction
        .batch_execute("CREATE TABLE IF NOT EXISTS workflow_schema (version BIGINT NOT NULL)")
        .await
        .map_err(e)?;
    let version: Option<i64> = transaction
        .query_opt("SELECT version FROM workflow_schema", &[])
        .await
        .map_err(e)?
        .map(|row| row.get(0));
    let version = match version {
        Some(version) => version,
        None => {
            let tables: i64 = transaction
                .query_one(
                    "SELECT count(*) FROM information_schema.tables
                     WHERE table_schema = current_schema()
                       AND table_name IN ('workflow_instances', 'workflow_records', 'workflow_signals')",
                    &[],
                )
                .await
                .map_err(e)?
                .get(0);
            if tables > 0 {
                return Err(JournalError::new(format!(
                    "postgres journal {where_}: the database has workflow tables but no \
                     schema version (another program's tables, or a damaged journal): \
                     use another database or schema"
                )));
            }
            transaction
                .execute("INSERT INTO workflow_schema (version) VALUES (0)", &[])
                .await
                .map_err(e)?;
            0
        }
    };
    if version > SCHEMA_VERSION {
        return Err(JournalError::new(format!(
            "postgres journal {where_}: the tables are of schema version {version}, newer \
             than this build's {SCHEMA_VERSION}: run a newer build of the library"
        )));
    }
    let start = usize::try_from(version.max(0)).unwrap_or(usize::MAX);
    for migration in MIGRATIONS.iter().skip(start) {
        transaction.batch_execute(migration).await.map_err(e)?;
    }
    transaction
        .execute(
            "UPDATE workflow_schema SET version = $1",
            &[&SCHEMA_VERSION],
        )
        .await
        .map_err(e)?;
    transaction.commit().await.map_err(e)
}

/// The server's message and its SQLSTATE, or the client's error.
fn detail(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => match std::error::Error::source(error) {
            Some(source) => format!("{error}: {source}"),
            None => error.to_string(),
        },
    }
}

/// The columns of `INSTANCE_COLUMNS`, from the start of `row`.
fn instance_row(row: &Row, where_: &str) -> Result<InstanceRow, JournalError> {
    let status: String = row.get(4);
    let id: String = row.get(0);
    let status = Status::parse(&status).ok_or_else(|| {
        JournalError::new(format!(
            "postgres journal {where_}: instance {id:?} has an unknown status {status:?}"
        ))
    })?;
    Ok(InstanceRow {
        id,
        workflow: row.get(1),
        structure: row.get(2),
        args: row.get(3),
        status,
        output: row.get(5),
        reason: row.get(6),
    })
}

const SELECT_INSTANCE: &str = "SELECT id, workflow, structure, args, status, output, reason FROM workflow_instances WHERE id = $1";
const SELECT_RECORDS: &str = "SELECT key, ok, type_name, value, checksum FROM workflow_records
     WHERE instance = $1 ORDER BY key";
const READ_AHEAD_RECORDS: &str = "SELECT instance, key, ok, type_name, value, checksum
     FROM workflow_records WHERE instance = ANY($1::text[]) ORDER BY instance, key";
const READ_AHEAD_SIGNALS: &str = "SELECT instance, name, type_name, payload, checksum
     FROM workflow_signals WHERE instance = ANY($1::text[]) ORDER BY instance, seq";
const SELECT_SIGNALS: &str = "SELECT name, type_name, payload, checksum FROM workflow_signals
     WHERE instance = $1 ORDER BY seq";
const SELECT_UNFINISHED: &str = "SELECT id, workflow, structure, args, status, output, reason
     FROM workflow_instances WHERE status = 'running' ORDER BY created_at, id";
const SIGNALS_END: &str = "SELECT COALESCE(MAX(seq), 0) FROM workflow_signals";
const SIGNALS_AFTER: &str =
    "SELECT seq, instance, name, type_name, payload, checksum FROM workflow_signals
     WHERE seq > $1 ORDER BY seq LIMIT 1000";
/// Creates instances: `$1`..`$5` the ids, workflows, structures, arguments and owners
/// (NULL: submitted, for any worker; a worker: held by it, fence 1, its claim logged),
/// `$6` the time, `$7` the lease in ms. The ids it inserted.
const INSERT_INSTANCES: &str = "WITH new AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::text[])
            WITH ORDINALITY AS r(id, workflow, structure, args, owner, n)),
    inserted AS (
        INSERT INTO workflow_instances
            (id, workflow, structure, args, status, created_at, updated_at, owner, fence,
             lease_until)
        SELECT id, workflow, structure, args, 'running', $6, $6, owner,
               CASE WHEN owner IS NULL THEN 0 ELSE 1 END,
               CASE WHEN owner IS NULL THEN NULL
                    ELSE now() + $7::int8 * interval '1 millisecond' END
        FROM new ORDER BY n
        ON CONFLICT (id) DO NOTHING
        RETURNING id, owner, fence),
    logged AS (
        INSERT INTO workflow_owners (instance, fence, owner, seq)
        SELECT id, fence, owner, nextval('workflow_events') FROM inserted
        WHERE owner IS NOT NULL)
    SELECT id FROM inserted";
const SELECT_INSTANCES: &str = "SELECT id, workflow, structure, args, status, output, reason
     FROM workflow_instances WHERE id = ANY($1::text[])";
/// A record of `instance` and its stored checksum, from `row`'s columns key, ok,
/// type name, value and checksum, the first of them at `at` (every query that reads
/// records selects them in that order).
fn record_at(row: &Row, instance: String, at: usize) -> (Record, i64) {
    let record = Record {
        instance,
        key: row.get(at),
        ok: row.get(at + 1),
        type_name: row.get(at + 2),
        value: row.get(at + 3),
    };
    (record, row.get(at + 4))
}

/// A signal of `instance` and its stored checksum, from `row`'s columns name, type name,
/// payload and checksum, the first of them at `at`.
fn signal_at(row: &Row, instance: String, at: usize) -> (SignalRow, i64) {
    let signal = SignalRow {
        instance,
        name: row.get(at),
        type_name: row.get(at + 1),
        payload: row.get(at + 2),
    };
    (signal, row.get(at + 3))
}

/// The most creates written by one statement.
const CREATES_A_STATEMENT: usize = 512;
const LOG_OWNER: &str = "INSERT INTO workflow_owners (instance, fence, owner, seq)
     VALUES ($1, $2, $3, nextval('workflow_events'))";
/// Takes instances no live worker holds. `$1`: the worker, `$2`: the lease in ms,
/// `$3`: the most to take, `$4`: the workflows (claim) or one id (acquire).
const CLAIM: &str = "WITH claimable AS (
        SELECT id FROM workflow_instances
        WHERE status = 'running' AND workflow = ANY($4::text[])
          AND (owner IS NULL OR lease_until < now())
        ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED),
    claimed AS (
        UPDATE workflow_instances AS i
        SET owner = $1, fence = i.fence + 1,
            lease_until = now() + $2::int8 * interval '1 millisecond'
        FROM claimable WHERE i.id = claimable.id
        RETURNING i.id, i.workflow, i.structure, i.args, i.status, i.output, i.reason, i.fence),
    logged AS (
        INSERT INTO workflow_owners (instance, fence, owner, seq)
        SELECT id, fence, $1, nextval('workflow_events') FROM claimed)
    SELECT * FROM claimed";
const ACQUIRE: &str = "WITH claimable AS (
        SELECT id FROM workflow_instances
        WHERE id = $3 AND status = 'running'
          AND (owner IS NULL OR lease_until < now() OR owner = $1)
        FOR UPDATE),
    claimed AS (
        UPDATE workflow_instances AS i
        SET owner = $1, fence = i.fence + 1,
            lease_until = now() + $2::int8 * interval '1 millisecond'
        FROM claimable WHERE i.id = claimable.id
        RETURNING i.id, i.fence),
    logged AS (
        INSERT INTO workflow_owners (instance, fence, owner, seq)
        SELECT id, fence, $1, nextval('workflow_events') FROM claimed)
    SELECT fence FROM claimed";
const LOCK_FENCES: &str =
    "SELECT id, fence FROM workflow_instances WHERE id = ANY($1) ORDER BY id FOR UPDATE";
const INSERT_RECORDS: &str = "INSERT INTO workflow_records
        (instance, key, ok, type_name, value, checksum, fence, seq)
     SELECT r.instance, r.key, r.ok, r.type_name, r.value, r.checksum, r.fence,
            nextval('workflow_events')
     FROM UNNEST($1::text[], $2::text[], $3::bool[], $4::text[], $5::bytea[], $6::int8[],
                 $7::int8[])
          AS r(instance, key, ok, type_name, value, checksum, fence)
     ON CONFLICT (instance, key) DO NOTHING";
const END_INSTANCES: &str = "UPDATE workflow_instances AS i
     SET status = e.status, output = e.output, reason = e.reason, owner = NULL,
         lease_until = NULL, updated_at = $5
     FROM UNNEST($1::text[], $2::text[], $3::bytea[], $4::text[])
          AS e(id, status, output, reason)
     WHERE i.id = e.id";
const EXTEND: &str = "UPDATE workflow_instances
     SET lease_until = now() + $2::int8 * interval '1 millisecond', updated_at = $3
     WHERE id = ANY($1)";
const RENEW: &str = "UPDATE workflow_instances AS i
     SET lease_until = now() + $2::int8 * interval '1 millisecond'
     FROM UNNEST($3::text[], $4::int8[]) AS h(id, fence)
     WHERE i.id = h.id AND i.fence = h.fence AND i.owner = $1 AND i.status = 'running'
     RETURNING i.id";
const RELEASE: &str = "UPDATE workflow_instances SET owner = NULL, lease_until = NULL
     WHERE id = $1 AND fence = $2 AND owner = $3 AND status = 'running'";
const RELEASE_ALL: &str = "UPDATE workflow_instances SET owner = NULL, lease_until = NULL
     WHERE owner = $1 AND status = 'running'";
const INSTANCE_EXISTS: &str = "SELECT 1 FROM workflow_instances WHERE id = $1";
const INSERT_SIGNAL: &str = "INSERT INTO workflow_signals
     (instance, name, type_name, payload, checksum) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (instance, name) DO NOTHING";
const SAME_SIGNAL: &str = "SELECT 1 FROM workflow_signals
     WHERE instance = $1 AND name = $2 AND type_name = $3 AND payload = $4";
const REDRIVE_LOCK: &str = "SELECT status FROM workflow_instances WHERE id = $1 FOR UPDATE";
const REDRIVE_DELETE: &str = "DELETE FROM workflow_records WHERE instance = $1 AND NOT ok";
const REDRIVE: &str = "UPDATE workflow_instances
     SET status = 'running', output = NULL, reason = NULL, owner = $2, fence = fence + 1,
         lease_until = now() + $3::int8 * interval '1 millisecond', updated_at = $4
     WHERE id = $1 RETURNING fence";

const LOCK_FAN_OUT: &str =
    "SELECT 1 FROM workflow_fan_outs WHERE instance = $1 AND key = $2 FOR UPDATE";
const LOCK_FAN_OUT_LIMIT: &str = "SELECT lim, running, closed FROM workflow_fan_outs
     WHERE instance = $1 AND key = $2 FOR UPDATE";
const LOCK_ITEMS: &str = "SELECT idx, fence FROM workflow_items
     WHERE instance = $1 AND fan_out = $2 AND idx = ANY($3) ORDER BY idx FOR UPDATE";
const INSERT_FAN_OUT: &str = "INSERT INTO workflow_fan_outs (instance, key, items, lim)
     VALUES ($1, $2, $3, $4) ON CONFLICT (instance, key) DO NOTHING";
const INSERT_ITEMS: &str = "INSERT INTO workflow_items (instance, fan_out, idx, state)
     SELECT $1, $2, g, 'pending' FROM generate_series(0, $3 - 1) AS g";
const CLOSE_FAN_OUT: &str =
    "UPDATE workflow_fan_outs SET closed = TRUE WHERE instance = $1 AND key = $2";
const ITEMS_DONE: &str = "UPDATE workflow_items
     SET state = 'done', done_seq = nextval('workflow_events'), owner = NULL, lease_until = NULL
     WHERE instance = $1 AND fan_out = $2 AND idx = ANY($3) AND state = 'running' AND owner = $4";
const LESS_RUNNING: &str = "UPDATE workflow_fan_outs SET running = running - $3
     WHERE instance = $1 AND key = $2";
const MORE_RUNNING: &str = "UPDATE workflow_fan_outs SET running = running + $3
     WHERE instance = $1 AND key = $2";
/// Open fan-outs of running instances with an item to claim: a pending one under the
/// limit, or one whose worker's claim ran out. Written so that both are index scans
/// (`workflow_items_open` in item order, `workflow_items_leases`): as an `EXISTS` over
/// both the planner read every item, 87 ms a query by 70,000 done items.
const ITEM_CANDIDATES: &str = "SELECT f.instance, f.key FROM workflow_fan_outs AS f
     JOIN workflow_instances AS i ON i.id = f.instance
     WHERE NOT f.closed AND i.status = 'running' AND i.workflow = ANY($1)
       AND (((f.lim IS NULL OR f.running < f.lim)
             AND (SELECT it.idx FROM workflow_items AS it
                  WHERE it.instance = f.instance AND it.fan_out = f.key AND it.state = 'pending'
                  ORDER BY it.idx LIMIT 1) IS NOT NULL)
            OR EXISTS (SELECT 1 FROM workflow_items AS it
                       WHERE it.instance = f.instance AND it.fan_out = f.key
                         AND it.state = 'running' AND it.lease_until < now()))
     ORDER BY random() LIMIT 4";
const OPEN_ITEMS: &str = "SELECT idx, state FROM workflow_items
     WHERE instance = $1 AND fan_out = $2 AND state <> 'done'
       AND (state = 'pending' OR lease_until < now())
     ORDER BY idx LIMIT $3 FOR UPDATE SKIP LOCKED";
const TAKE_ITEMS: &str = "UPDATE workflow_items
     SET state = 'running', owner = $4, fence = fence + 1,
         lease_until = now() + $5::int8 * interval '1 millisecond'
     WHERE instance = $1 AND fan_out = $2 AND idx = ANY($3) RETURNING idx, fence";
const RELEASE_ITEMS: &str = "UPDATE workflow_items AS it
     SET state = 'pending', owner = NULL, lease_until = NULL
     FROM UNNEST($3::int4[], $4::int8[]) AS h(idx, fence)
     WHERE it.instance = $1 AND it.fan_out = $2 AND it.idx = h.idx AND it.fence = h.fence
       AND it.owner = $5 AND it.state = 'running'";
const RENEW_ITEMS: &str = "UPDATE workflow_items AS it
     SET lease_until = now() + $2::int8 * interval '1 millisecond'
     FROM UNNEST($3::text[], $4::text[], $5::int4[], $6::int8[]) AS h(instance, fan_out, idx, fence)
     WHERE it.instance = h.instance AND it.fan_out = h.fan_out AND it.idx = h.idx
       AND it.fence = h.fence AND it.owner = $1 AND it.state = 'running'
     RETURNING it.instance, it.fan_out, it.idx";
const DONE_ITEMS: &str = "SELECT idx, done_seq FROM workflow_items
     WHERE instance = $1 AND fan_out = $2 AND state = 'done' AND done_seq > $3
     ORDER BY done_seq LIMIT 2000";
/// Records in the key ranges `[$2[i], $3[i])` (keys are compared byte by byte).
const RECORDS_IN_RANGES: &str = "SELECT r.key, r.ok, r.type_name, r.value, r.checksum
     FROM UNNEST($2::text[], $3::text[]) AS p(low, high)
     JOIN workflow_records AS r ON r.instance = $1 AND r.key >= p.low AND r.key < p.high";
/// A helper's replay: every record but those of a fan-out's items (`[$2, $3)`), and
/// those of its claimed items.
/// `$6`: a key left out (the fan-out's items, when this worker has them already).
const RECORDS_FOR_ITEMS: &str = "SELECT key, ok, type_name, value, checksum FROM workflow_records
     WHERE instance = $1 AND (key < $2 OR key >= $3) AND key <> $6
     UNION ALL
     SELECT r.key, r.ok, r.type_name, r.value, r.checksum
     FROM UNNEST($4::text[], $5::text[]) AS p(low, high)
     JOIN workflow_records AS r ON r.instance = $1 AND r.key >= p.low AND r.key < p.high";

/// The key ranges of these items' records: `<fan_out>[<i>]/` up to `<fan_out>[<i>]0`
/// (`'0'` follows `'/'`).
fn item_ranges(fan_out: &str, indexes: &[u32]) -> (Vec<String>, Vec<String>) {
    indexes
        .iter()
        .map(|index| {
            (
                format!("{fan_out}[{index}]/"),
                format!("{fan_out}[{index}]0"),
            )
        })
        .unzip()
}

/// Drops these items from the claims held.
fn forget_items(held: &mut HeldItems, instance: &str, fan_out: &str, indexes: &[i32]) {
    if let Some(fan_outs) = held.get_mut(instance) {
        if let Some(items) = fan_outs.get_mut(fan_out) {
            for index in indexes {
                if let Ok(index) = u32::try_from(*index) {
                    items.remove(&index);
                }
            }
            if items.is_empty() {
                fan_outs.remove(fan_out);
            }
        }
        if fan_outs.is_empty() {
            held.remove(instance);
        }
    }
}

/// The fan-out items this worker claimed: instance -> fan-out -> index -> fence.
type HeldItems = HashMap<String, HashMap<String, HashMap<u32, i64>>>;

impl Local {
    async fn connect(&self) -> Result<Conn, tokio_postgres::Error> {
        let (client, connection) = self.config.connect(NoTls).await?;
        tokio::task::spawn_local(async move {
            let _ = connection.await;
        });
        Ok(Conn {
            client,
            statements: HashMap::new(),
        })
    }

    async fn pooled(&self) -> Result<Pooled<'_>, tokio_postgres::Error> {
        let permit = self
            .permits
            .acquire()
            .await
            .unwrap_or_else(|_| unreachable!("the pool's semaphore is never closed"));
        loop {
            let popped = self.free.borrow_mut().pop();
            match popped {
                Some(conn) if conn.client.is_closed() => {}
                Some(conn) => {
                    return Ok(Pooled {
                        local: self,
                        conn: Some(conn),
                        _permit: permit,
                    });
                }
                None => {
                    let conn = self.connect().await?;
                    return Ok(Pooled {
                        local: self,
                        conn: Some(conn),
                        _permit: permit,
                    });
                }
            }
        }
    }

    fn error(&self, what: &str, error: &tokio_postgres::Error) -> JournalError {
        JournalError::new(format!(
            "postgres journal {}: {what}: {}",
            self.where_,
            detail(error)
        ))
    }

    /// Runs `op` on a pooled connection; a transient error (a lost connection, the
    /// server restarting) is tried again on a new connection, with a growing pause,
    /// for [`PostgresBuilder::reconnect_for`]. `op` gets the attempt's number.
    async fn retry<T>(
        &self,
        what: &str,
        mut op: impl AsyncFnMut(&mut Conn, u32) -> Result<T, tokio_postgres::Error>,
    ) -> Result<T, JournalError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(20);
        let mut attempt = 0;
        loop {
            let result = match self.pooled().await {
                Ok(mut pooled) => {
                    let result = op(pooled.conn(), attempt).await;
                    if result.as_ref().is_err_and(transient) {
                        // Not back to the pool: the next try connects again.
                        pooled.conn = None;
                    }
                    result
                }
                Err(error) => Err(error),
            };
            match result {
                Ok(value) => return Ok(value),
                Err(error)
                    if transient(&error) && started.elapsed() < self.options.reconnect_for =>
                {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(1));
                    attempt += 1;
                }
                Err(error) => {
                    let mut journal_error = self.error(what, &error);
                    if attempt > 0 {
                        let _ = write!(
                            journal_error.message,
                            " (after {} tries in {:.1} s)",
                            attempt + 1,
                            started.elapsed().as_secs_f64()
                        );
                    }
                    return Err(journal_error);
                }
            }
        }
    }

    /// Runs `sql` once on a pooled connection, for what may fail without harm (a
    /// renewal tried again at the next tick, a release the lease makes up for): its
    /// rows, or `None`.
    async fn best_effort(
        &self,
        sql: &'static str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Option<Vec<Row>> {
        let mut pooled = self.pooled().await.ok()?;
        let conn = pooled.conn();
        let statement = conn.prepare(sql).await.ok()?;
        conn.client.query(&statement, params).await.ok()
    }

    fn lease_ms(&self) -> i64 {
        millis(self.options.lease)
    }

    /// Creates an instance, held here (`hold`: [`Journal::create`]) or for any worker
    /// ([`Journal::submit`]). Creates that arrive while one is being written wait and
    /// go together in the next statement: one round trip and one commit for all of
    /// them, as the engine's group commit does for records.
    async fn create(&self, row: InstanceRow, hold: bool) -> Result<Created, JournalError> {
        let (done, created) = tokio::sync::oneshot::channel();
        self.creates.borrow_mut().push(Create { row, hold, done });
        if !self.creating.replace(true) {
            // No create is being written: this one writes what has gathered, until
            // nothing waits.
            loop {
                let batch: Vec<Create> = {
                    let mut waiting = self.creates.borrow_mut();
                    let n = waiting.len().min(CREATES_A_STATEMENT);
                    waiting.drain(..n).collect()
                };
                if batch.is_empty() {
                    break;
                }
                self.create_batch(batch).await;
            }
            self.creating.set(false);
        }
        created
            .await
            .unwrap_or_else(|_| Err(JournalError::new("postgres journal: a create was lost")))
    }

    /// Writes `batch` in one statement (autocommit) and answers each of its creates.
    async fn create_batch(&self, batch: Vec<Create>) {
        let ids: Vec<&str> = batch.iter().map(|c| c.row.id.as_str()).collect();
        let workflows: Vec<&str> = batch.iter().map(|c| c.row.workflow.as_str()).collect();
        let structures: Vec<&str> = batch.iter().map(|c| c.row.structure.as_str()).collect();
        let args: Vec<&[u8]> = batch.iter().map(|c| c.row.args.as_slice()).collect();
        let owners: Vec<Option<&str>> = batch
            .iter()
            .map(|c| c.hold.then_some(self.worker.as_str()))
            .collect();
        let what = if batch.len() == 1 {
            format!("create instance {:?}", ids[0])
        } else {
            format!("create {} instances ({:?}, ...)", batch.len(), ids[0])
        };
        let written = self
            .retry(&what, async |conn, _| {
                let insert = conn.prepare(INSERT_INSTANCES).await?;
                let inserted: HashSet<String> = conn
                    .client
                    .query(
                        &insert,
                        &[
                            &ids,
                            &workflows,
                            &structures,
                            &args,
                            &owners,
                            &unix_ms(),
                            &self.lease_ms(),
                        ],
                    )
                    .await?
                    .iter()
                    .map(|row| row.get(0))
                    .collect();
                // The rows that were there before (an id submitted twice, also in
                // this batch, or a retry after a commit whose answer was lost).
                let others: Vec<&str> = ids
                    .iter()
                    .copied()
                    .filter(|id| !inserted.contains(*id))
                    .collect();
                let existing = if others.is_empty() {
                    Vec::new()
                } else {
                    let select = conn.prepare(SELECT_INSTANCES).await?;
                    conn.client.query(&select, &[&others]).await?
                };
                Ok((inserted, existing))
            })
            .await;
        let (mut inserted, existing) = match written {
            Ok(written) => written,
            Err(error) => {
                for create in batch {
                    let _ = create.done.send(Err(error.clone()));
                }
                return;
            }
        };
        let existing: HashMap<String, &Row> =
            existing.iter().map(|row| (row.get(0), row)).collect();
        for create in batch {
            // The first create of an id inserted here is the new one; a second create
            // of it in the same batch finds it there.
            let answer = if inserted.remove(&create.row.id) {
                if create.hold {
                    self.held.borrow_mut().insert(create.row.id.clone(), 1);
                }
                Ok(Created::New)
            } else if let Some(row) = existing.get(&create.row.id) {
                instance_row(row, &self.where_).map(Created::Existing)
            } else {
                // Inserted by this batch's first create of the id, read before it
                // committed: this one is a second create of it.
                match self.instance(create.row.id.clone()).await {
                    Ok(Some(row)) => Ok(Created::Existing(row)),
                    Ok(None) => Err(JournalError::new(format!(
                        "postgres journal {}: instance {:?} was created and is gone",
                        self.where_, create.row.id
                    ))),
                    Err(error) => Err(error),
                }
            };
            let _ = create.done.send(answer);
        }
    }

    async fn instance(&self, id: String) -> Result<Option<InstanceRow>, JournalError> {
        let row = self
            .retry(&format!("read instance {id:?}"), async |conn, _| {
                let select = conn.prepare(SELECT_INSTANCE).await?;
                conn.client.query_opt(&select, &[&id]).await
            })
            .await?;
        row.map(|row| instance_row(&row, &self.where_)).transpose()
    }

    async fn records(&self, instance: String) -> Result<Vec<Record>, JournalError> {
        let read = self.read_ahead.borrow_mut().records.remove(&instance);
        if let Some((fence, read)) = read
            && self.held.borrow().get(&instance) == Some(&fence)
        {
            return read
                .into_iter()
                .map(|(record, stored)| self.checked_record(record, stored))
                .collect();
        }
        let rows = self
            .retry(
                &format!("read the records of instance {instance:?}"),
                async |conn, _| {
                    let select = conn.prepare(SELECT_RECORDS).await?;
                    conn.client.query(&select, &[&instance]).await
                },
            )
            .await?;
        self.checked_records(&instance, &rows)
    }

    fn checked_signal(&self, signal: SignalRow, stored: i64) -> Result<SignalRow, JournalError> {
        if stored == signal_checksum(&signal) {
            Ok(signal)
        } else {
            Err(JournalError::new(format!(
                "postgres journal {}: signal {:?} of instance {:?} is damaged \
                 (its checksum does not match its bytes)",
                self.where_, signal.name, signal.instance
            )))
        }
    }

    async fn signals(&self, instance: String) -> Result<Vec<SignalRow>, JournalError> {
        let read = self.read_ahead.borrow_mut().signals.remove(&instance);
        if let Some((fence, read)) = read
            && self.held.borrow().get(&instance) == Some(&fence)
        {
            return read
                .into_iter()
                .map(|(signal, stored)| self.checked_signal(signal, stored))
                .collect();
        }
        let rows = self
            .retry(
                &format!("read the signals of instance {instance:?}"),
                async |conn, _| {
                    let select = conn.prepare(SELECT_SIGNALS).await?;
                    conn.client.query(&select, &[&instance]).await
                },
            )
            .await?;
        rows.iter()
            .map(|row| {
                let (signal, stored) = signal_at(row, instance.clone(), 0);
                self.checked_signal(signal, stored)
            })
            .collect()
    }

    async fn commit(&self, batch: Vec<Write>) -> Result<(), JournalError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<&str> = batch.iter().map(Write::instance).collect();
        ids.sort_unstable();
        ids.dedup();
        self.read_ahead.borrow_mut().forget(&ids);
        let (held_ids, helped_ids): (Vec<&str>, Vec<&str>) = {
            let held = self.held.borrow();
            ids.iter().partition(|id| held.contains_key(**id))
        };
        let ended: HashSet<&str> = batch
            .iter()
            .filter_map(|write| match write {
                Write::End { instance, .. } => Some(instance.as_str()),
                _ => None,
            })
            .collect();
        // The items of instances this worker does not hold that the batch writes for,
        // each with the fence of this worker's claim; an instance with a write that is
        // not under such an item is refused.
        let mut items: BTreeMap<(&str, String), BTreeMap<u32, i64>> = BTreeMap::new();
        let mut refused_here: HashSet<&str> = HashSet::new();
        {
            let held_items = self.held_items.borrow();
            for write in &batch {
                let instance = write.instance();
                // The end of an item is checked (and its fan-out locked, so that ends
                // are numbered in commit order) also for an instance held here.
                let helped = helped_ids.contains(&instance);
                if !helped && !matches!(write, Write::ItemDone { .. }) {
                    continue;
                }
                let found = match write {
                    Write::Record(record) => held_items.get(instance).and_then(|fan_outs| {
                        fan_outs.iter().find_map(|(fan_out, held)| {
                            let index = item_of(&record.key, fan_out)?;
                            Some((fan_out.clone(), index, *held.get(&index)?))
                        })
                    }),
                    Write::ItemDone { fan_out, index, .. } => held_items
                        .get(instance)
                        .and_then(|fan_outs| fan_outs.get_key_value(fan_out))
                        .and_then(|(fan_out, held)| {
                            Some((fan_out.clone(), *index, *held.get(index)?))
                        }),
                    _ => None,
                };
                match found {
                    Some((fan_out, index, fence)) => {
                        items
                            .entry((instance, fan_out))
                            .or_default()
                            .insert(index, fence);
                    }
                    None if helped => {
                        refused_here.insert(instance);
                    }
                    None => {}
                }
            }
        }
        let what = format!("commit {} writes of {} instances", batch.len(), ids.len());
        let (refused, done) = self
            .retry(&what, async |conn, _| {
                let lock = conn.prepare(LOCK_FENCES).await?;
                let lock_fan_out = conn.prepare(LOCK_FAN_OUT).await?;
                let lock_items = conn.prepare(LOCK_ITEMS).await?;
                let insert = conn.prepare(INSERT_RECORDS).await?;
                let end = conn.prepare(END_INSTANCES).await?;
                let extend = conn.prepare(EXTEND).await?;
                let fan_out = conn.prepare(INSERT_FAN_OUT).await?;
                let item_rows = conn.prepare(INSERT_ITEMS).await?;
                let close = conn.prepare(CLOSE_FAN_OUT).await?;
                let item_done = conn.prepare(ITEMS_DONE).await?;
                let less_running = conn.prepare(LESS_RUNNING).await?;
                let transaction = conn.client.transaction().await?;
                // Locks in one order everywhere: instances, fan-outs, items.
                let fences: HashMap<String, i64> = transaction
                    .query(&lock, &[&held_ids])
                    .await?
                    .iter()
                    .map(|row| (row.get(0), row.get(1)))
                    .collect();
                let mut refused: HashSet<&str> = {
                    let held = self.held.borrow();
                    held_ids
                        .iter()
                        .copied()
                        .filter(|id| held.get(*id).is_none_or(|f| fences.get(*id) != Some(f)))
                        .collect()
                };
                refused.extend(refused_here.iter().copied());
                let mut item_fences: HashMap<(&str, &str, u32), i64> = HashMap::new();
                for ((instance, fan_out), held) in &items {
                    let (instance, fan_out) = (*instance, fan_out.as_str());
                    if refused.contains(instance) {
                        continue;
                    }
                    transaction
                        .query(&lock_fan_out, &[&instance, &fan_out])
                        .await?;
                    let indexes: Vec<i32> = held
                        .keys()
                        .map(|&i| i32::try_from(i).unwrap_or(i32::MAX))
                        .collect();
                    let rows = transaction
                        .query(&lock_items, &[&instance, &fan_out, &indexes])
                        .await?;
                    let current: HashMap<u32, i64> = rows
                        .iter()
                        .map(|row| {
                            (
                                u32::try_from(row.get::<_, i32>(0)).unwrap_or(u32::MAX),
                                row.get(1),
                            )
                        })
                        .collect();
                    if held
                        .iter()
                        .any(|(index, fence)| current.get(index) != Some(fence))
                    {
                        refused.insert(instance);
                        continue;
                    }
                    for (&index, &fence) in held {
                        item_fences.insert((instance, fan_out, index), fence);
                    }
                }
                let mut records = RecordColumns::default();
                let mut ends = EndColumns::default();
                let mut done: BTreeMap<(&str, &str), Vec<i32>> = BTreeMap::new();
                let mut fan_outs = Vec::new();
                let mut closes = Vec::new();
                for write in &batch {
                    let instance = write.instance();
                    if refused.contains(instance) {
                        continue;
                    }
                    match write {
                        Write::Record(record) => {
                            let fence = match fences.get(instance) {
                                Some(&fence) => fence,
                                None => items
                                    .keys()
                                    .filter(|(i, _)| *i == instance)
                                    .find_map(|(_, fan_out)| {
                                        let index = item_of(&record.key, fan_out)?;
                                        item_fences.get(&(instance, fan_out, index)).copied()
                                    })
                                    .unwrap_or_default(),
                            };
                            records.push(record, fence);
                        }
                        Write::End {
                            status,
                            output,
                            reason,
                            ..
                        } => {
                            ends.id.push(instance);
                            ends.status.push(status.as_str());
                            ends.output.push(output.as_deref());
                            ends.reason.push(reason.as_deref());
                        }
                        Write::FanOut {
                            key, items, limit, ..
                        } => fan_outs.push((instance, key.as_str(), *items, *limit)),
                        Write::FanOutClosed { key, .. } => closes.push((instance, key.as_str())),
                        Write::ItemDone { fan_out, index, .. } => done
                            .entry((instance, fan_out.as_str()))
                            .or_default()
                            .push(i32::try_from(*index).unwrap_or(i32::MAX)),
                    }
                }
                for &(instance, key, count, limit) in &fan_outs {
                    let count = i32::try_from(count).unwrap_or(i32::MAX);
                    let limit = limit.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
                    let inserted = transaction
                        .execute(&fan_out, &[&instance, &key, &count, &limit])
                        .await?;
                    if inserted == 1 {
                        transaction
                            .execute(&item_rows, &[&instance, &key, &count])
                            .await?;
                    }
                }
                if !records.instance.is_empty() {
                    transaction
                        .execute(
                            &insert,
                            &[
                                &records.instance,
                                &records.key,
                                &records.ok,
                                &records.type_name,
                                &records.value,
                                &records.checksum,
                                &records.fence,
                            ],
                        )
                        .await?;
                }
                for ((instance, fan_out), indexes) in &done {
                    let n = transaction
                        .execute(&item_done, &[instance, fan_out, indexes, &self.worker])
                        .await?;
                    let n = i32::try_from(n).unwrap_or(i32::MAX);
                    transaction
                        .execute(&less_running, &[instance, fan_out, &n])
                        .await?;
                }
                for (instance, key) in &closes {
                    transaction.execute(&close, &[instance, key]).await?;
                }
                let now = unix_ms();
                if !ends.id.is_empty() {
                    transaction
                        .execute(
                            &end,
                            &[&ends.id, &ends.status, &ends.output, &ends.reason, &now],
                        )
                        .await?;
                }
                let live: Vec<&str> = held_ids
                    .iter()
                    .copied()
                    .filter(|id| !refused.contains(id) && !ended.contains(id))
                    .collect();
                if !live.is_empty() {
                    transaction
                        .execute(&extend, &[&live, &self.lease_ms(), &now])
                        .await?;
                }
                transaction.commit().await?;
                let mut refused: Vec<String> = refused.into_iter().map(str::to_owned).collect();
                refused.sort_unstable();
                let done: Vec<(String, String, Vec<i32>)> = done
                    .into_iter()
                    .map(|((i, f), d)| (i.to_owned(), f.to_owned(), d))
                    .collect();
                Ok((refused, done))
            })
            .await?;
        {
            let mut held = self.held.borrow_mut();
            let mut held_items = self.held_items.borrow_mut();
            for id in ended
                .iter()
                .copied()
                .chain(refused.iter().map(String::as_str))
            {
                held.remove(id);
            }
            for id in &refused {
                held_items.remove(id);
            }
            for (instance, fan_out, indexes) in done {
                forget_items(&mut held_items, &instance, &fan_out, &indexes);
            }
        }
        if refused.is_empty() {
            Ok(())
        } else {
            Err(JournalError::refused(
                format!(
                    "postgres journal {}: another worker holds {} now; their writes were refused",
                    self.where_,
                    refused.join(", ")
                ),
                refused,
            ))
        }
    }

    async fn claim_items(
        &self,
        workflows: Vec<String>,
        most: i64,
    ) -> Result<Vec<ItemClaim>, JournalError> {
        if workflows.is_empty() || most <= 0 {
            return Ok(Vec::new());
        }
        let candidates = self
            .retry("look for fan-out items to run", async |conn, _| {
                let candidates = conn.prepare(ITEM_CANDIDATES).await?;
                conn.client.query(&candidates, &[&workflows]).await
            })
            .await?;
        for candidate in &candidates {
            let instance: String = candidate.get(0);
            let fan_out: String = candidate.get(1);
            let held_here = self
                .held_items
                .borrow()
                .get(&instance)
                .and_then(|fan_outs| fan_outs.get(&fan_out))
                .map_or(0, |items| i64::try_from(items.len()).unwrap_or(i64::MAX));
            let claimed = self
                .retry(&format!("claim items of {instance:?}"), async |conn, _| {
                    let lock = conn.prepare(LOCK_FAN_OUT_LIMIT).await?;
                    let open = conn.prepare(OPEN_ITEMS).await?;
                    let take = conn.prepare(TAKE_ITEMS).await?;
                    let more = conn.prepare(MORE_RUNNING).await?;
                    let transaction = conn.client.transaction().await?;
                    let Some(row) = transaction.query_opt(&lock, &[&instance, &fan_out]).await?
                    else {
                        return Ok(Vec::new());
                    };
                    let (limit, running, closed): (Option<i32>, i32, bool) =
                        (row.get(0), row.get(1), row.get(2));
                    if closed {
                        return Ok(Vec::new());
                    }
                    // Within the limit, and at most half of it (rounded up) held by
                    // this worker: the one that claims first leaves room for others.
                    let mut free = limit.map_or(i64::MAX, |limit| {
                        let share = (i64::from(limit) + 1) / 2 - held_here;
                        i64::from(limit - running).min(share)
                    });
                    let mut taken: Vec<i32> = Vec::new();
                    let mut new = 0i32;
                    for row in transaction
                        .query(&open, &[&instance, &fan_out, &most])
                        .await?
                    {
                        let (index, state): (i32, String) = (row.get(0), row.get(1));
                        if state == "pending" {
                            if free <= 0 {
                                continue;
                            }
                            free -= 1;
                            new += 1;
                        }
                        taken.push(index);
                    }
                    if taken.is_empty() {
                        return Ok(Vec::new());
                    }
                    let rows = transaction
                        .query(
                            &take,
                            &[&instance, &fan_out, &taken, &self.worker, &self.lease_ms()],
                        )
                        .await?;
                    transaction
                        .execute(&more, &[&instance, &fan_out, &new])
                        .await?;
                    transaction.commit().await?;
                    Ok(rows
                        .iter()
                        .map(|row| {
                            (
                                u32::try_from(row.get::<_, i32>(0)).unwrap_or(u32::MAX),
                                row.get::<_, i64>(1),
                            )
                        })
                        .collect::<Vec<(u32, i64)>>())
                })
                .await?;
            if claimed.is_empty() {
                continue;
            }
            {
                let mut held_items = self.held_items.borrow_mut();
                let held = held_items
                    .entry(instance.clone())
                    .or_default()
                    .entry(fan_out.clone())
                    .or_default();
                for &(index, fence) in &claimed {
                    held.insert(index, fence);
                }
            }
            let mut indexes: Vec<u32> = claimed.iter().map(|&(index, _)| index).collect();
            indexes.sort_unstable();
            let row = self.instance(instance.clone()).await?;
            let Some(row) = row else { continue };
            let (low, high) = item_ranges(&fan_out, &indexes);
            let outside = (format!("{fan_out}["), format!("{fan_out}\\"));
            // The fan-out's items record is written once: read (and checked) at the
            // first claim of its items here, kept for the next ones.
            let seed_key = (instance.clone(), fan_out.clone());
            let kept = self.item_records.borrow().get(&seed_key).cloned();
            let left_out = if kept.is_some() { fan_out.as_str() } else { "" };
            let rows = self
                .retry(
                    &format!("read the records of {instance:?} for its items"),
                    async |conn, _| {
                        let select = conn.prepare(RECORDS_FOR_ITEMS).await?;
                        conn.client
                            .query(
                                &select,
                                &[&instance, &outside.0, &outside.1, &low, &high, &left_out],
                            )
                            .await
                    },
                )
                .await?;
            let mut records = self.checked_records(&instance, &rows)?;
            match kept {
                Some(items) => records.push(items),
                None => {
                    if let Some(items) = records.iter().find(|record| record.key == fan_out) {
                        let mut item_records = self.item_records.borrow_mut();
                        if item_records.len() >= super::journal::FAN_OUTS_KEPT {
                            item_records.clear();
                        }
                        item_records.insert(seed_key, items.clone());
                    }
                }
            }
            return Ok(vec![ItemClaim {
                instance: row,
                fan_out,
                indexes,
                records,
            }]);
        }
        Ok(Vec::new())
    }

    async fn done_items(
        &self,
        instance: String,
        fan_out: String,
        cursor: u64,
    ) -> Result<DoneItems, JournalError> {
        let after = i64::try_from(cursor).unwrap_or(i64::MAX);
        let rows = self
            .retry(
                &format!("read the items of {instance:?} done"),
                async |conn, _| {
                    let select = conn.prepare(DONE_ITEMS).await?;
                    conn.client
                        .query(&select, &[&instance, &fan_out, &after])
                        .await
                },
            )
            .await?;
        let mut done = DoneItems {
            cursor,
            ..DoneItems::default()
        };
        for row in &rows {
            done.indexes
                .push(u32::try_from(row.get::<_, i32>(0)).unwrap_or(u32::MAX));
            done.cursor = u64::try_from(row.get::<_, i64>(1)).unwrap_or(done.cursor);
        }
        if done.indexes.is_empty() {
            return Ok(done);
        }
        let (low, high) = item_ranges(&fan_out, &done.indexes);
        let rows = self
            .retry(
                &format!("read the records of {instance:?}'s done items"),
                async |conn, _| {
                    let select = conn.prepare(RECORDS_IN_RANGES).await?;
                    conn.client.query(&select, &[&instance, &low, &high]).await
                },
            )
            .await?;
        done.records = self.checked_records(&instance, &rows)?;
        Ok(done)
    }

    async fn release_items(&self, instance: String, fan_out: String, indexes: Vec<u32>) {
        let held: Vec<(i32, i64)> = {
            let held_items = self.held_items.borrow();
            let Some(held) = held_items.get(&instance).and_then(|f| f.get(&fan_out)) else {
                return;
            };
            indexes
                .iter()
                .filter_map(|index| Some((i32::try_from(*index).ok()?, *held.get(index)?)))
                .collect()
        };
        let released: Vec<i32> = held.iter().map(|&(index, _)| index).collect();
        forget_items(
            &mut self.held_items.borrow_mut(),
            &instance,
            &fan_out,
            &released,
        );
        let (idx, fences): (Vec<i32>, Vec<i64>) = held.into_iter().unzip();
        // Best effort: if it does not land, the claims run out.
        let _ = self
            .retry("release items", async |conn, _| {
                let lock = conn.prepare(LOCK_FAN_OUT).await?;
                let release = conn.prepare(RELEASE_ITEMS).await?;
                let less = conn.prepare(LESS_RUNNING).await?;
                let transaction = conn.client.transaction().await?;
                transaction.query(&lock, &[&instance, &fan_out]).await?;
                let n = transaction
                    .execute(
                        &release,
                        &[&instance, &fan_out, &idx, &fences, &self.worker],
                    )
                    .await?;
                let n = i32::try_from(n).unwrap_or(i32::MAX);
                transaction
                    .execute(&less, &[&instance, &fan_out, &n])
                    .await?;
                transaction.commit().await
            })
            .await;
    }

    /// Records read back, their checksums checked.
    fn checked_records(&self, instance: &str, rows: &[Row]) -> Result<Vec<Record>, JournalError> {
        rows.iter()
            .map(|row| {
                let (record, stored) = record_at(row, instance.to_owned(), 0);
                self.checked_record(record, stored)
            })
            .collect()
    }

    fn checked_record(&self, record: Record, stored: i64) -> Result<Record, JournalError> {
        if stored == record_checksum(&record) {
            Ok(record)
        } else {
            Err(JournalError::new(format!(
                "postgres journal {}: record {:?} of instance {:?} is damaged \
                 (its checksum does not match its bytes)",
                self.where_, record.key, record.instance
            )))
        }
    }

    /// Reads the records and signals of the instances just claimed, two queries for all
    /// of them, for the engine's resume of each (which asks for them one instance at a
    /// time). Only this worker writes an instance's records while it holds it (and its
    /// commits drop what was read of their instances; the item records of helpers on
    /// other workers come with the fan-out's done items), and a signal stored by another
    /// process later is read by the engine's poll, so they are as good as read then.
    /// Checked when taken; a failed read leaves the engine to read them, and so does a
    /// hold lost and taken again since.
    async fn read_ahead(&self, claimed: &[InstanceRow]) {
        *self.read_ahead.borrow_mut() = ReadAhead::default();
        let ids: Vec<&str> = claimed.iter().map(|row| row.id.as_str()).collect();
        let mut read = ReadAhead::default();
        for id in &ids {
            let Some(&fence) = self.held.borrow().get(*id) else {
                continue;
            };
            read.records.insert((*id).to_owned(), (fence, Vec::new()));
            read.signals.insert((*id).to_owned(), (fence, Vec::new()));
        }
        let Some(records) = self.best_effort(READ_AHEAD_RECORDS, &[&ids]).await else {
            return;
        };
        let Some(signals) = self.best_effort(READ_AHEAD_SIGNALS, &[&ids]).await else {
            return;
        };
        for row in &records {
            let (record, stored) = record_at(row, row.get(0), 1);
            if let Some((_, list)) = read.records.get_mut(&record.instance) {
                list.push((record, stored));
            }
        }
        for row in &signals {
            let (signal, stored) = signal_at(row, row.get(0), 1);
            if let Some((_, list)) = read.signals.get_mut(&signal.instance) {
                list.push((signal, stored));
            }
        }
        *self.read_ahead.borrow_mut() = read;
    }

    async fn unfinished(&self) -> Result<Vec<InstanceRow>, JournalError> {
        let rows = self
            .retry("read the unfinished instances", async |conn, _| {
                let select = conn.prepare(SELECT_UNFINISHED).await?;
                conn.client.query(&select, &[]).await
            })
            .await?;
        rows.iter()
            .map(|row| instance_row(row, &self.where_))
            .collect()
    }

    async fn claim(&self, workflows: Vec<String>) -> Result<Vec<InstanceRow>, JournalError> {
        if workflows.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self
            .retry("claim unfinished instances", async |conn, _| {
                let claim = conn.prepare(CLAIM).await?;
                conn.client
                    .query(
                        &claim,
                        &[
                            &self.worker,
                            &self.lease_ms(),
                            &self.options.claim_limit,
                            &workflows,
                        ],
                    )
                    .await
            })
            .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let instance = instance_row(row, &self.where_)?;
            self.held
                .borrow_mut()
                .insert(instance.id.clone(), row.get(7));
            claimed.push(instance);
        }
        if !claimed.is_empty() {
            self.read_ahead(&claimed).await;
        }
        Ok(claimed)
    }

    async fn acquire(&self, id: String) -> Result<bool, JournalError> {
        if self.held.borrow().contains_key(&id) {
            return Ok(true);
        }
        let fence = self
            .retry(&format!("acquire instance {id:?}"), async |conn, _| {
                let acquire = conn.prepare(ACQUIRE).await?;
                conn.client
                    .query_opt(&acquire, &[&self.worker, &self.lease_ms(), &id])
                    .await
            })
            .await?;
        match fence {
            Some(row) => {
                self.held.borrow_mut().insert(id, row.get(0));
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn release(&self, id: String) {
        let Some(fence) = self.held.borrow_mut().remove(&id) else {
            return;
        };
        // If it does not land, the lease runs out.
        self.best_effort(RELEASE, &[&id, &fence, &self.worker])
            .await;
    }

    async fn release_all(&self) {
        self.held.borrow_mut().clear();
        self.best_effort(RELEASE_ALL, &[&self.worker]).await;
    }

    async fn signals_after(
        &self,
        cursor: Option<u64>,
    ) -> Result<(Vec<SignalRow>, u64), JournalError> {
        let Some(cursor) = cursor else {
            let end: i64 = self
                .retry("read where the signals end", async |conn, _| {
                    let end = conn.prepare(SIGNALS_END).await?;
                    conn.client.query_one(&end, &[]).await
                })
                .await?
                .get(0);
            return Ok((Vec::new(), u64::try_from(end).unwrap_or(0)));
        };
        let after = i64::try_from(cursor).unwrap_or(i64::MAX);
        let rows = self
            .retry(
                "read the signals sent since the last poll",
                async |conn, _| {
                    let select = conn.prepare(SIGNALS_AFTER).await?;
                    conn.client.query(&select, &[&after]).await
                },
            )
            .await?;
        let mut next = cursor;
        let mut signals = Vec::with_capacity(rows.len());
        for row in &rows {
            next = u64::try_from(row.get::<_, i64>(0)).unwrap_or(next);
            let (signal, stored) = signal_at(row, row.get(1), 2);
            signals.push(self.checked_signal(signal, stored)?);
        }
        Ok((signals, next))
    }

    async fn add_signal(&self, signal: SignalRow) -> Result<SignalAdded, JournalError> {
        self.read_ahead.borrow_mut().forget(&[&signal.instance]);
        let checksum = signal_checksum(&signal);
        self.retry(
            &format!(
                "store signal {:?} of instance {:?}",
                signal.name, signal.instance
            ),
            async |conn, attempt| {
                let exists = conn.prepare(INSTANCE_EXISTS).await?;
                let insert = conn.prepare(INSERT_SIGNAL).await?;
                let same = conn.prepare(SAME_SIGNAL).await?;
                let transaction = conn.client.transaction().await?;
                // Signals are stored one at a time, so they become visible in the
                // order of their `seq` (the cursor of `signals_after` skips none).
                transaction
                    .execute("SELECT pg_advisory_xact_lock($1)", &[&SIGNAL_LOCK])
                    .await?;
                if transaction
                    .query_opt(&exists, &[&signal.instance])
                    .await?
                    .is_none()
                {
                    return Ok(SignalAdded::UnknownInstance);
                }
                let inserted = transaction
                    .execute(
                        &insert,
                        &[
                            &signal.instance,
                            &signal.name,
                            &signal.type_name,
                            &signal.payload,
                            &checksum,
                        ],
                    )
                    .await?;
                let added = if inserted == 1 {
                    transaction
                        .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &signal.instance])
                        .await?;
                    SignalAdded::Added
                } else if attempt > 0
                    && transaction
                        .query_opt(
                            &same,
                            &[
                                &signal.instance,
                                &signal.name,
                                &signal.type_name,
                                &signal.payload,
                            ],
                        )
                        .await?
                        .is_some()
                {
                    // An earlier try committed, and its answer was lost with the
                    // connection: this is that signal, not a second one.
                    SignalAdded::Added
                } else {
                    SignalAdded::Duplicate
                };
                transaction.commit().await?;
                Ok(added)
            },
        )
        .await
    }

    async fn redrive(&self, id: String) -> Result<bool, JournalError> {
        let fence = self
            .retry(&format!("redrive instance {id:?}"), async |conn, _| {
                let lock = conn.prepare(REDRIVE_LOCK).await?;
                let delete = conn.prepare(REDRIVE_DELETE).await?;
                let redrive = conn.prepare(REDRIVE).await?;
                let log = conn.prepare(LOG_OWNER).await?;
                let transaction = conn.client.transaction().await?;
                if transaction.query_opt(&lock, &[&id]).await?.is_none() {
                    return Ok(None);
                }
                transaction.execute(&delete, &[&id]).await?;
                let fence: i64 = transaction
                    .query_one(&redrive, &[&id, &self.worker, &self.lease_ms(), &unix_ms()])
                    .await?
                    .get(0);
                transaction
                    .execute(&log, &[&id, &fence, &self.worker])
                    .await?;
                transaction.commit().await?;
                Ok(Some(fence))
            })
            .await?;
        match fence {
            Some(fence) => {
                self.held.borrow_mut().insert(id, fence);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Renews the leases of what this worker holds, every third of the lease. A hold
    /// that did not renew (another worker took the instance: its fence moved) is
    /// dropped: the next commit of that instance here is refused.
    async fn renew(self: Rc<Self>) {
        let every = self.options.lease / 3;
        loop {
            tokio::time::sleep(every).await;
            self.renew_items().await;
            let (ids, fences): (Vec<String>, Vec<i64>) = self
                .held
                .borrow()
                .iter()
                .map(|(id, fence)| (id.clone(), *fence))
                .unzip();
            if ids.is_empty() {
                continue;
            }
            let renew = [
                &self.worker as _,
                &self.lease_ms() as _,
                &ids as _,
                &fences as _,
            ];
            let Some(rows) = self.best_effort(RENEW, &renew).await else {
                continue;
            };
            let renewed: HashSet<String> = rows.iter().map(|row| row.get(0)).collect();
            let mut held = self.held.borrow_mut();
            for (id, fence) in ids.iter().zip(&fences) {
                // Only what was sent: a hold taken meanwhile (or again) stays.
                if !renewed.contains(id) && held.get(id) == Some(fence) {
                    held.remove(id);
                }
            }
        }
    }

    /// Renews the claims of the fan-out items this worker runs; a claim that did not
    /// renew (another worker took the item) is dropped.
    async fn renew_items(&self) {
        let mut sent: (Vec<String>, Vec<String>, Vec<i32>, Vec<i64>) = Default::default();
        for (instance, fan_outs) in self.held_items.borrow().iter() {
            for (fan_out, items) in fan_outs {
                for (&index, &fence) in items {
                    sent.0.push(instance.clone());
                    sent.1.push(fan_out.clone());
                    sent.2.push(i32::try_from(index).unwrap_or(i32::MAX));
                    sent.3.push(fence);
                }
            }
        }
        if sent.0.is_empty() {
            return;
        }
        let renew = [
            &self.worker as _,
            &self.lease_ms() as _,
            &sent.0 as _,
            &sent.1 as _,
            &sent.2 as _,
            &sent.3 as _,
        ];
        let Some(rows) = self.best_effort(RENEW_ITEMS, &renew).await else {
            return;
        };
        let renewed: HashSet<(String, String, i32)> = rows
            .iter()
            .map(|row| (row.get(0), row.get(1), row.get(2)))
            .collect();
        let mut held = self.held_items.borrow_mut();
        for (((instance, fan_out), index), fence) in
            sent.0.into_iter().zip(sent.1).zip(sent.2).zip(sent.3)
        {
            let key = (instance, fan_out, index);
            if renewed.contains(&key) {
                continue;
            }
            let (instance, fan_out, index) = key;
            let current = held
                .get(&instance)
                .and_then(|f| f.get(&fan_out))
                .and_then(|items| items.get(&u32::try_from(index).unwrap_or(u32::MAX)))
                .copied();
            if current == Some(fence) {
                forget_items(&mut held, &instance, &fan_out, &[index]);
            }
        }
    }

    /// Listens for new signals on a connection of its own; reconnects when it is lost
    /// (and wakes the waiters then: signals sent meanwhile were not heard).
    async fn listen(self: Rc<Self>) {
        loop {
            if let Ok((client, mut connection)) = self.config.connect(NoTls).await {
                let cross = Arc::clone(&self.cross);
                let messages = tokio::task::spawn_local(async move {
                    let mut messages =
                        futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(Ok(message)) = messages.next().await {
                        if let AsyncMessage::Notification(_) = message {
                            cross.heard();
                        }
                    }
                });
                if client
                    .batch_execute(&format!("LISTEN {CHANNEL}"))
                    .await
                    .is_ok()
                {
                    let _ = messages.await;
                } else {
                    messages.abort();
                }
            }
            self.cross.heard();
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[derive(Default)]
struct RecordColumns<'a> {
    instance: Vec<&'a str>,
    key: Vec<&'a str>,
    ok: Vec<bool>,
    type_name: Vec<&'a str>,
    value: Vec<&'a [u8]>,
    checksum: Vec<i64>,
    fence: Vec<i64>,
}

impl<'a> RecordColumns<'a> {
    fn push(&mut self, record: &'a Record, fence: i64) {
        self.instance.push(&record.instance);
        self.key.push(&record.key);
        self.ok.push(record.ok);
        self.type_name.push(&record.type_name);
        self.value.push(&record.value);
        self.checksum.push(record_checksum(record));
        self.fence.push(fence);
    }
}

#[derive(Default)]
struct EndColumns<'a> {
    id: Vec<&'a str>,
    status: Vec<&'a str>,
    output: Vec<Option<&'a [u8]>>,
    reason: Vec<Option<&'a str>>,
}

impl Journal for PostgresJournal {
    fn create(&self, instance: &InstanceRow) -> Result<Created, JournalError> {
        let row = instance.clone();
        self.call(move |local| async move { local.create(row, true).await })
    }

    fn submit(&self, instance: &InstanceRow) -> Result<Created, JournalError> {
        let row = instance.clone();
        self.call(move |local| async move { local.create(row, false).await })
    }

    fn instance(&self, id: &str) -> Result<Option<InstanceRow>, JournalError> {
        let id = id.to_owned();
        self.call(move |local| async move { local.instance(id).await })
    }

    fn records(&self, instance: &str) -> Result<Vec<Record>, JournalError> {
        let instance = instance.to_owned();
        self.call(move |local| async move { local.records(instance).await })
    }

    fn signals(&self, instance: &str) -> Result<Vec<SignalRow>, JournalError> {
        let instance = instance.to_owned();
        self.call(move |local| async move { local.signals(instance).await })
    }

    fn commit(&self, batch: &[Write]) -> Result<(), JournalError> {
        let batch = batch.to_vec();
        self.call(move |local| async move { local.commit(batch).await })
    }

    fn unfinished(&self) -> Result<Vec<InstanceRow>, JournalError> {
        self.call(|local| async move { local.unfinished().await })
    }

    fn claim(&self, workflows: &[&str]) -> Result<Vec<InstanceRow>, JournalError> {
        let workflows: Vec<String> = workflows.iter().map(|&w| w.to_owned()).collect();
        self.call(move |local| async move { local.claim(workflows).await })
    }

    fn acquire(&self, instance: &str) -> Result<bool, JournalError> {
        let id = instance.to_owned();
        self.call(move |local| async move { local.acquire(id).await })
    }

    fn release(&self, instance: &str) {
        let id = instance.to_owned();
        let job: Job = Box::new(move |local| Box::pin(async move { local.release(id).await }));
        let _ = self.jobs.send(job);
    }

    fn signals_after(&self, cursor: Option<u64>) -> Result<(Vec<SignalRow>, u64), JournalError> {
        self.call(move |local| async move { local.signals_after(cursor).await })
    }

    fn add_signal(&self, signal: &SignalRow) -> Result<SignalAdded, JournalError> {
        let signal = signal.clone();
        self.call(move |local| async move { local.add_signal(signal).await })
    }

    fn redrive(&self, instance: &str) -> Result<bool, JournalError> {
        let id = instance.to_owned();
        self.call(move |local| async move { local.redrive(id).await })
    }

    fn shares_fan_outs(&self) -> bool {
        self.share_fan_outs
    }

    fn claim_items(&self, workflows: &[&str], most: usize) -> Result<Vec<ItemClaim>, JournalError> {
        let workflows: Vec<String> = workflows.iter().map(|&w| w.to_owned()).collect();
        let most = i64::try_from(most).unwrap_or(i64::MAX);
        self.call(move |local| async move { local.claim_items(workflows, most).await })
    }

    fn done_items(
        &self,
        instance: &str,
        fan_out: &str,
        cursor: u64,
    ) -> Result<DoneItems, JournalError> {
        let (instance, fan_out) = (instance.to_owned(), fan_out.to_owned());
        self.call(move |local| async move { local.done_items(instance, fan_out, cursor).await })
    }

    fn release_items(&self, instance: &str, fan_out: &str, indexes: &[u32]) {
        let (instance, fan_out, indexes) =
            (instance.to_owned(), fan_out.to_owned(), indexes.to_vec());
        let job: Job = Box::new(move |local| {
            Box::pin(async move { local.release_items(instance, fan_out, indexes).await })
        });
        let _ = self.jobs.send(job);
    }

    fn wait_for_signals(&self, timeout: Duration) {
        let mut heard = self
            .cross
            .heard
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if heard.count == heard.seen {
            heard = self
                .cross
                .wake
                .wait_timeout_while(heard, timeout, |heard| heard.count == heard.seen)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        heard.seen = heard.count;
    }
}

#[cfg(test)]
mod tests;

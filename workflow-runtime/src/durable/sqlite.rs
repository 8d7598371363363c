//! The embedded journal: one `SQLite` file (through rusqlite, compiled in), in WAL mode
//! with `synchronous = FULL`, so a write is on disk when its method returns.
//!
//! # Schema
//!
//! The tables are plain SQL meant to be shared by the `PostgreSQL` journal (issue 14).
//! What differs there:
//!
//! - `BLOB` is `BYTEA`; `INTEGER` timestamps and checksums are `BIGINT`.
//! - Placeholders are `$1, $2, ..` where this file writes `?1, ?2, ..`.
//! - The `PRAGMA`s (WAL, `synchronous`, `foreign_keys`, `busy_timeout`) have no
//!   counterpart; `BEGIN IMMEDIATE` (take the write lock at once) is a plain `BEGIN`
//!   with row locks.
//!
//! Everything else (`INSERT .. ON CONFLICT (..) DO NOTHING`, `BOOLEAN` compared with
//! `FALSE`, the foreign keys, the index) is read the same by both.
//!
//! Every record and signal carries a `checksum` (64-bit FNV-1a over its columns, stored
//! as a signed 64-bit integer): bytes damaged behind the journal's back are reported
//! when they are read, naming the instance and the key, never handed to a workflow.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};

use super::journal::{
    Created, InstanceRow, Journal, JournalError, Record, SignalAdded, SignalRow, Status, Write,
    record_checksum, signal_checksum, unix_ms,
};

/// The schema version this build writes. Opening a file of a newer version is refused.
const SCHEMA_VERSION: i64 = 1;

/// `MIGRATIONS[v]` takes a journal from version `v` to `v + 1` (version 0 is an empty
/// file). Each runs in the same transaction as the version bump.
const MIGRATIONS: &[&str] = &[
    // 0 -> 1: the first schema.
    "CREATE TABLE instances (
        id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        structure TEXT NOT NULL,
        args BLOB NOT NULL,
        status TEXT NOT NULL,
        output BLOB,
        reason TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX instances_status ON instances (status);
    CREATE TABLE records (
        instance TEXT NOT NULL REFERENCES instances (id),
        key TEXT NOT NULL,
        ok BOOLEAN NOT NULL,
        type_name TEXT NOT NULL,
        value BLOB NOT NULL,
        checksum INTEGER NOT NULL,
        PRIMARY KEY (instance, key)
    );
    CREATE TABLE signals (
        instance TEXT NOT NULL REFERENCES instances (id),
        name TEXT NOT NULL,
        type_name TEXT NOT NULL,
        payload BLOB NOT NULL,
        checksum INTEGER NOT NULL,
        PRIMARY KEY (instance, name)
    );",
];

const INSTANCE_COLUMNS: &str = "id, workflow, structure, args, status, output, reason";

/// How long a connection waits for another connection's write lock (another process
/// on the same file) before it reports the journal busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A journal in one `SQLite` file: WAL mode, `synchronous = FULL` (every commit is one
/// fsync of the write-ahead log), a versioned schema migrated by [`SqliteJournal::open`].
///
/// It holds two connections: one writes (`commit`, `create`, `add_signal`, `redrive`,
/// one at a time), the other reads (`instance`, `records`, `signals`, `unfinished`), so
/// reads from other threads do not wait for a commit's fsync. What a write returned is
/// seen by every later read.
///
/// Semantics of [`Journal::commit`] here: a batch is one transaction. A
/// [`Write::Record`] whose (instance, key) exists is left as it is (`ON CONFLICT DO
/// NOTHING`). A [`Write::Record`] or [`Write::End`] for an instance that does not exist
/// is an error, and then nothing of the batch is written.
///
/// # Example
///
/// ```
/// use workflow_runtime::durable::{
///     Created, InstanceRow, Journal, Record, SqliteJournal, Status, Write,
/// };
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = std::env::temp_dir().join(format!("sqlite-journal-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let journal = SqliteJournal::open(dir.join("loans.db"))?;
///
/// let instance = InstanceRow {
///     id: "loan-42".into(),
///     workflow: "loan".into(),
///     structure: "hash".into(),
///     args: br#"[{"amount":1000}]"#.to_vec(),
///     status: Status::Running,
///     output: None,
///     reason: None,
/// };
/// assert_eq!(journal.create(&instance)?, Created::New);
///
/// let record = Record {
///     instance: "loan-42".into(),
///     key: "0.credit.0#0".into(),
///     ok: true,
///     type_name: "u32".into(),
///     value: b"710".to_vec(),
/// };
/// journal.commit(&[Write::Record(record.clone())])?;
/// assert_eq!(journal.records("loan-42")?, vec![record]);
///
/// drop(journal);
/// std::fs::remove_dir_all(&dir)?;
/// # Ok(())
/// # }
/// ```
pub struct SqliteJournal {
    path: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteJournal")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteJournal {
    /// Opens the journal at `path`, creating the file if it does not exist and
    /// migrating its schema to this build's version.
    ///
    /// Refused, with an error naming the path: a file that is not an `SQLite` database,
    /// one that is shorter than its header says (truncated), an `SQLite` database that
    /// is not a workflow journal, and a journal of a newer schema version than this
    /// build knows.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteJournal, JournalError> {
        let path = path.as_ref().to_path_buf();
        check_header(&path)?;
        let mut writer = connect(&path)?;
        let e = |what: &str, error: rusqlite::Error| describe(&path, what, &error);
        // The first statement reads the file: a file SQLite does not take fails here.
        let mode: String = writer
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|error| e("open", error))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(JournalError::new(format!(
                "sqlite journal {}: could not switch to WAL mode (journal_mode is {mode})",
                path.display()
            )));
        }
        migrate(&path, &mut writer)?;
        let reader = connect(&path)?;
        reader
            .pragma_update(None, "query_only", true)
            .map_err(|error| e("open the read connection", error))?;
        Ok(SqliteJournal {
            path,
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        })
    }

    /// The file this journal is kept in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `SQLite`'s full integrity check (reads every page: as long as the file is
    /// large) and every record's and signal's checksum. `Ok` if all is sound, otherwise
    /// an error saying what is not.
    pub fn verify(&self) -> Result<(), JournalError> {
        let column = |sql: &str, what: &str| -> Result<Vec<String>, JournalError> {
            let reader = self.reader();
            let mut statement = reader
                .prepare(sql)
                .map_err(|error| self.error(what, &error))?;
            statement
                .query_map([], |row| row.get::<_, String>(0))
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                .map_err(|error| self.error(what, &error))
        };
        let problems = column("PRAGMA integrity_check", "check integrity")?;
        if problems != ["ok"] {
            return Err(JournalError::new(format!(
                "sqlite journal {}: the file is damaged: {}",
                self.path.display(),
                problems.join("; ")
            )));
        }
        let instances = column(
            "SELECT instance FROM records UNION SELECT instance FROM signals",
            "check checksums",
        )?;
        for instance in instances {
            self.records(&instance)?;
            self.signals(&instance)?;
        }
        Ok(())
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held dropped its transaction (a rollback): the
        // connection is sound.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        self.reader.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn error(&self, what: &str, error: &rusqlite::Error) -> JournalError {
        describe(&self.path, what, error)
    }
}

impl SqliteJournal {
    /// `signal` if `stored` is its checksum; a damaged signal is an error, never dropped.
    fn checked_signal(&self, signal: SignalRow, stored: i64) -> Result<SignalRow, JournalError> {
        if stored == signal_checksum(&signal) {
            Ok(signal)
        } else {
            Err(JournalError::new(format!(
                "sqlite journal {}: signal {:?} of instance {:?} is damaged \
                 (its checksum does not match its bytes)",
                self.path.display(),
                signal.name,
                signal.instance
            )))
        }
    }
}

impl Journal for SqliteJournal {
    fn create(&self, instance: &InstanceRow) -> Result<Created, JournalError> {
        let e = |error| self.error(&format!("create instance {:?}", instance.id), &error);
        let mut writer = self.writer();
        let transaction = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let now = unix_ms();
        let inserted = transaction
            .prepare_cached(
                "INSERT INTO instances
                    (id, workflow, structure, args, status, output, reason, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL, NULL, ?6, ?6)
                 ON CONFLICT (id) DO NOTHING",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    instance.id,
                    instance.workflow,
                    instance.structure,
                    instance.args,
                    Status::Running.as_str(),
                    now,
                ])
            })
            .map_err(e)?;
        let created = if inserted == 1 {
            Created::New
        } else {
            let existing = select_instance(&transaction, &instance.id)
                .map_err(e)?
                .ok_or_else(|| {
                    JournalError::new(format!(
                        "sqlite journal {}: instance {:?} neither inserted nor found",
                        self.path.display(),
                        instance.id
                    ))
                })?;
            Created::Existing(self.instance_row(existing)?)
        };
        transaction.commit().map_err(e)?;
        Ok(created)
    }

    fn instance(&self, id: &str) -> Result<Option<InstanceRow>, JournalError> {
        let reader = self.reader();
        let raw = select_instance(&reader, id)
            .map_err(|error| self.error(&format!("read instance {id:?}"), &error))?;
        drop(reader);
        raw.map(|raw| self.instance_row(raw)).transpose()
    }

    fn records(&self, instance: &str) -> Result<Vec<Record>, JournalError> {
        let e = |error| {
            self.error(
                &format!("read the records of instance {instance:?}"),
                &error,
            )
        };
        let reader = self.reader();
        let mut statement = reader
            .prepare_cached(
                "SELECT key, ok, type_name, value, checksum FROM records
                 WHERE instance = ?1 ORDER BY key",
            )
            .map_err(e)?;
        let rows = statement
            .query_map([instance], |row| {
                Ok((
                    Record {
                        instance: instance.to_owned(),
                        key: row.get(0)?,
                        ok: row.get(1)?,
                        type_name: row.get(2)?,
                        value: row.get(3)?,
                    },
                    row.get::<_, i64>(4)?,
                ))
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(e)?;
        rows.into_iter()
            .map(|(record, stored)| {
                if stored == record_checksum(&record) {
                    Ok(record)
                } else {
                    Err(JournalError::new(format!(
                        "sqlite journal {}: record {:?} of instance {instance:?} is damaged \
                         (its checksum does not match its bytes)",
                        self.path.display(),
                        record.key
                    )))
                }
            })
            .collect()
    }

    fn signals(&self, instance: &str) -> Result<Vec<SignalRow>, JournalError> {
        let e = |error| {
            self.error(
                &format!("read the signals of instance {instance:?}"),
                &error,
            )
        };
        let reader = self.reader();
        let mut statement = reader
            .prepare_cached(
                "SELECT name, type_name, payload, checksum FROM signals
                 WHERE instance = ?1 ORDER BY name",
            )
            .map_err(e)?;
        let rows = statement
            .query_map([instance], |row| {
                Ok((
                    SignalRow {
                        instance: instance.to_owned(),
                        name: row.get(0)?,
                        type_name: row.get(1)?,
                        payload: row.get(2)?,
                    },
                    row.get::<_, i64>(3)?,
                ))
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(e)?;
        rows.into_iter()
            .map(|(signal, stored)| self.checked_signal(signal, stored))
            .collect()
    }

    fn signals_after(&self, cursor: Option<u64>) -> Result<(Vec<SignalRow>, u64), JournalError> {
        let e = |error| self.error("read the signals sent since the last poll", &error);
        let reader = self.reader();
        // Writers are serialized (one write transaction at a time on the file), and no
        // signal is ever deleted, so a later commit always has a larger rowid.
        let Some(cursor) = cursor else {
            let end: i64 = reader
                .prepare_cached("SELECT COALESCE(MAX(rowid), 0) FROM signals")
                .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
                .map_err(e)?;
            return Ok((Vec::new(), u64::try_from(end).unwrap_or(0)));
        };
        let mut statement = reader
            .prepare_cached(
                "SELECT rowid, instance, name, type_name, payload, checksum FROM signals
                 WHERE rowid > ?1 ORDER BY rowid",
            )
            .map_err(e)?;
        let rows = statement
            .query_map([i64::try_from(cursor).unwrap_or(i64::MAX)], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    SignalRow {
                        instance: row.get(1)?,
                        name: row.get(2)?,
                        type_name: row.get(3)?,
                        payload: row.get(4)?,
                    },
                    row.get::<_, i64>(5)?,
                ))
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(e)?;
        let mut next = cursor;
        let mut signals = Vec::with_capacity(rows.len());
        for (rowid, signal, stored) in rows {
            next = next.max(u64::try_from(rowid).unwrap_or(0));
            signals.push(self.checked_signal(signal, stored)?);
        }
        Ok((signals, next))
    }

    fn commit(&self, batch: &[Write]) -> Result<(), JournalError> {
        if batch.is_empty() {
            return Ok(());
        }
        let e = |error| self.error("commit", &error);
        let mut writer = self.writer();
        let transaction = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let now = unix_ms();
        for write in batch {
            match write {
                Write::Record(record) => {
                    transaction
                        .prepare_cached(
                            "INSERT INTO records (instance, key, ok, type_name, value, checksum)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                             ON CONFLICT (instance, key) DO NOTHING",
                        )
                        .and_then(|mut statement| {
                            statement.execute(params![
                                record.instance,
                                record.key,
                                record.ok,
                                record.type_name,
                                record.value,
                                record_checksum(record),
                            ])
                        })
                        .map_err(|error| {
                            let what = if is_foreign_key(&error) {
                                "unknown instance"
                            } else {
                                "write"
                            };
                            self.error(
                                &format!(
                                    "commit: record {:?} of {what} {:?} (nothing of the batch \
                                     was written)",
                                    record.key, record.instance
                                ),
                                &error,
                            )
                        })?;
                }
                Write::End {
                    instance,
                    status,
                    output,
                    reason,
                } => {
                    let updated = transaction
                        .prepare_cached(
                            "UPDATE instances SET status = ?2, output = ?3, reason = ?4,
                                updated_at = ?5
                             WHERE id = ?1",
                        )
                        .and_then(|mut statement| {
                            statement.execute(params![
                                instance,
                                status.as_str(),
                                output,
                                reason,
                                now
                            ])
                        })
                        .map_err(e)?;
                    if updated == 0 {
                        return Err(JournalError::new(format!(
                            "sqlite journal {}: commit: the end of unknown instance {instance:?} \
                             (nothing of the batch was written)",
                            self.path.display()
                        )));
                    }
                }
                // Items run where their instance runs: nothing to keep.
                _ => {}
            }
        }
        transaction.commit().map_err(e)
    }

    fn unfinished(&self) -> Result<Vec<InstanceRow>, JournalError> {
        let e = |error| self.error("read the unfinished instances", &error);
        let reader = self.reader();
        let mut statement = reader
            .prepare_cached(&format!(
                "SELECT {INSTANCE_COLUMNS} FROM instances WHERE status = ?1
                 ORDER BY created_at, id"
            ))
            .map_err(e)?;
        let rows = statement
            .query_map([Status::Running.as_str()], raw_instance)
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(e)?;
        drop(statement);
        drop(reader);
        rows.into_iter().map(|raw| self.instance_row(raw)).collect()
    }

    fn add_signal(&self, signal: &SignalRow) -> Result<SignalAdded, JournalError> {
        let e = |error| {
            self.error(
                &format!(
                    "add signal {:?} to instance {:?}",
                    signal.name, signal.instance
                ),
                &error,
            )
        };
        let mut writer = self.writer();
        let transaction = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let known = transaction
            .prepare_cached("SELECT 1 FROM instances WHERE id = ?1")
            .and_then(|mut statement| statement.exists([&signal.instance]))
            .map_err(e)?;
        if !known {
            return Ok(SignalAdded::UnknownInstance);
        }
        let inserted = transaction
            .prepare_cached(
                "INSERT INTO signals (instance, name, type_name, payload, checksum)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (instance, name) DO NOTHING",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    signal.instance,
                    signal.name,
                    signal.type_name,
                    signal.payload,
                    signal_checksum(signal),
                ])
            })
            .map_err(e)?;
        if inserted == 0 {
            return Ok(SignalAdded::Duplicate);
        }
        transaction.commit().map_err(e)?;
        Ok(SignalAdded::Added)
    }

    fn redrive(&self, instance: &str) -> Result<bool, JournalError> {
        let e = |error| self.error(&format!("redrive instance {instance:?}"), &error);
        let mut writer = self.writer();
        let transaction = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let updated = transaction
            .prepare_cached(
                "UPDATE instances SET status = ?2, output = NULL, reason = NULL, updated_at = ?3
                 WHERE id = ?1",
            )
            .and_then(|mut statement| {
                statement.execute(params![instance, Status::Running.as_str(), unix_ms()])
            })
            .map_err(e)?;
        if updated == 0 {
            return Ok(false);
        }
        transaction
            .prepare_cached("DELETE FROM records WHERE instance = ?1 AND ok = FALSE")
            .and_then(|mut statement| statement.execute([instance]))
            .map_err(e)?;
        transaction.commit().map_err(e)?;
        Ok(true)
    }
}

/// An instance row as stored: its status still a word.
struct RawInstance {
    id: String,
    workflow: String,
    structure: String,
    args: Vec<u8>,
    status: String,
    output: Option<Vec<u8>>,
    reason: Option<String>,
}

impl SqliteJournal {
    fn instance_row(&self, raw: RawInstance) -> Result<InstanceRow, JournalError> {
        let status = Status::parse(&raw.status).ok_or_else(|| {
            JournalError::new(format!(
                "sqlite journal {}: instance {:?} has an unknown status {:?}",
                self.path.display(),
                raw.id,
                raw.status
            ))
        })?;
        Ok(InstanceRow {
            id: raw.id,
            workflow: raw.workflow,
            structure: raw.structure,
            args: raw.args,
            status,
            output: raw.output,
            reason: raw.reason,
        })
    }
}

fn raw_instance(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawInstance> {
    Ok(RawInstance {
        id: row.get(0)?,
        workflow: row.get(1)?,
        structure: row.get(2)?,
        args: row.get(3)?,
        status: row.get(4)?,
        output: row.get(5)?,
        reason: row.get(6)?,
    })
}

fn select_instance(connection: &Connection, id: &str) -> rusqlite::Result<Option<RawInstance>> {
    connection
        .prepare_cached(&format!(
            "SELECT {INSTANCE_COLUMNS} FROM instances WHERE id = ?1"
        ))?
        .query_row([id], raw_instance)
        .optional()
}

/// Opens a connection with the settings every connection needs (the journal mode is
/// the file's, set once).
fn connect(path: &Path) -> Result<Connection, JournalError> {
    let connection = Connection::open(path).map_err(|error| describe(path, "open", &error))?;
    connection
        .busy_timeout(BUSY_TIMEOUT)
        .and_then(|()| connection.pragma_update(None, "synchronous", "FULL"))
        .and_then(|()| connection.pragma_update(None, "foreign_keys", true))
        .map_err(|error| describe(path, "open", &error))?;
    Ok(connection)
}

/// Brings the schema to [`SCHEMA_VERSION`], in one transaction.
fn migrate(path: &Path, connection: &mut Connection) -> Result<(), JournalError> {
    let e = |error| describe(path, "read the schema version", &error);
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(e)?;
    let has_version_table = transaction
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'workflow_schema'",
            [],
            |row| row.get::<_, i64>(0),
        )
        .map_err(e)?
        == 1;
    let version = if has_version_table {
        let versions = transaction
            .prepare("SELECT version FROM workflow_schema")
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| row.get::<_, i64>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(e)?;
        match versions[..] {
            [version] => version,
            _ => {
                return Err(JournalError::new(format!(
                    "sqlite journal {}: workflow_schema holds {} rows, not one version",
                    path.display(),
                    versions.len()
                )));
            }
        }
    } else {
        let tables = transaction
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |row| row.get::<_, i64>(0),
            )
            .map_err(e)?;
        if tables > 0 {
            return Err(JournalError::new(format!(
                "sqlite journal {}: an SQLite database that is not a workflow journal \
                 (it has tables but no workflow_schema)",
                path.display()
            )));
        }
        transaction
            .execute_batch("CREATE TABLE workflow_schema (version INTEGER NOT NULL)")
            .and_then(|()| {
                transaction
                    .execute("INSERT INTO workflow_schema (version) VALUES (0)", [])
                    .map(drop)
            })
            .map_err(|error| describe(path, "create the schema", &error))?;
        0
    };
    if version > SCHEMA_VERSION {
        return Err(JournalError::new(format!(
            "sqlite journal {}: schema version {version} is newer than this build of \
             workflow-runtime knows (up to {SCHEMA_VERSION}): open it with a newer one",
            path.display()
        )));
    }
    if version < 0 {
        return Err(JournalError::new(format!(
            "sqlite journal {}: invalid schema version {version}",
            path.display()
        )));
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
    for (from, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let to = from + 1;
        transaction
            .execute_batch(migration)
            .and_then(|()| {
                transaction
                    .execute("UPDATE workflow_schema SET version = ?1", [to])
                    .map(drop)
            })
            .map_err(|error| {
                describe(
                    path,
                    &format!("migrate the schema from version {from} to {to}"),
                    &error,
                )
            })?;
    }
    transaction
        .commit()
        .map_err(|error| describe(path, "migrate the schema", &error))
}

/// Refuses, before `SQLite` reads it, a file that is not an `SQLite` database or is
/// shorter than its header says (a truncated copy). An absent or empty file is a new
/// journal.
fn check_header(path: &Path) -> Result<(), JournalError> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => {
            return Err(JournalError::new(format!(
                "sqlite journal {}: cannot open: {error}",
                path.display()
            )));
        }
    };
    let io = |error: std::io::Error| {
        JournalError::new(format!(
            "sqlite journal {}: cannot read: {error}",
            path.display()
        ))
    };
    let length = file.metadata().map_err(io)?.len();
    if length == 0 {
        return Ok(());
    }
    let mut header = [0u8; 100];
    let not_a_database = || {
        JournalError::new(format!(
            "sqlite journal {}: not an SQLite database (its first bytes are not an SQLite \
             header)",
            path.display()
        ))
    };
    if length < 100 {
        return Err(not_a_database());
    }
    file.read_exact(&mut header).map_err(io)?;
    if &header[..16] != b"SQLite format 3\0" {
        return Err(not_a_database());
    }
    // A write-ahead log that is not empty may hold pages the file has yet to receive
    // (a checkpoint in flight): the header's size is then not the whole story.
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if std::fs::metadata(&wal).is_ok_and(|wal| wal.len() > 0) {
        return Ok(());
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        size => u64::from(size),
    };
    let pages = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    // The in-header size is valid when the change counter equals "version valid for".
    let valid = header[24..28] == header[92..96];
    if valid && pages > 0 && length < pages * page_size {
        return Err(JournalError::new(format!(
            "sqlite journal {}: the file is truncated: its header says {pages} pages of \
             {page_size} bytes ({} bytes), the file has {length}",
            path.display(),
            pages * page_size
        )));
    }
    Ok(())
}

fn is_foreign_key(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.code == ErrorCode::ConstraintViolation
                && failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
    )
}

/// An error naming the file, what was being done and, for a damaged file, saying so.
fn describe(path: &Path, what: &str, error: &rusqlite::Error) -> JournalError {
    let hint = match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt) => ": the file is corrupt or truncated",
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            ": another connection holds the journal's lock"
        }
        _ => "",
    };
    JournalError::new(format!(
        "sqlite journal {}: {what}: {error}{hint}",
        path.display()
    ))
}

#[cfg(test)]
mod tests;

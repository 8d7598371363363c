//! The workflows, steps and hand-written baseline that `durable.rs` (criterion),
//! `group_commit.rs` (a test) and `overhead.rs` (a callgrind driver) share.
//!
//! Each shape is written twice with `workflow!`, once plain and once `#[durable]`, on
//! the same step functions: a step that is ready at once, one that wakes itself once
//! (`yield_now`) and one that waits on a tokio timer.

pub mod pg;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior, params};
use workflow_runtime::durable::{Context, SqliteJournal};
use workflow_runtime::workflow;

/// A step that is ready at once.
#[allow(clippy::unused_async)] // a step: a future that is ready when first polled
pub async fn ready(x: u32) -> u32 {
    x
}

/// A step that wakes itself once (`tokio::task::yield_now`) before it is ready.
pub async fn yielding(x: u32) -> u32 {
    tokio::task::yield_now().await;
    x
}

/// How long [`timer`] waits: tokio's timer wheel has a resolution of 1 ms.
pub const TIMER: Duration = Duration::from_millis(1);

/// A step that waits on a tokio timer ([`TIMER`]).
pub async fn timer(x: u32) -> u32 {
    tokio::time::sleep(TIMER).await;
    x
}

/// Defines a plain and a durable workflow of a 2-branch fork (the smallest fork), and
/// a plain and a durable workflow of a 3-branch fork, on the step function `$step`.
macro_rules! shapes {
    ($step:ident, $plain_two:ident, $durable_two:ident, $plain_three:ident, $durable_three:ident) => {
        workflow! {
            /// A fork of two one-step branches, plain.
            pub async fn $plain_two(x: u32) -> u32 {
                fork < a: $step(x), b: $step(x + 1), > join(a, b);
                a + b
            }
        }
        workflow! {
            /// A fork of two one-step branches, durable.
            #[durable]
            pub async fn $durable_two(ctx: Context, x: u32) -> u32 {
                fork < a: $step(x), b: $step(x + 1), > join(a, b);
                a + b
            }
        }
        workflow! {
            /// A fork of three one-step branches, plain.
            pub async fn $plain_three(x: u32) -> u32 {
                fork < a: $step(x), b: $step(x + 1), c: $step(x + 2), > join(a, b, c);
                a + b + c
            }
        }
        workflow! {
            /// A fork of three one-step branches, durable.
            #[durable]
            pub async fn $durable_three(ctx: Context, x: u32) -> u32 {
                fork < a: $step(x), b: $step(x + 1), c: $step(x + 2), > join(a, b, c);
                a + b + c
            }
        }
    };
}

shapes!(
    ready,
    plain_two_ready,
    durable_two_ready,
    plain_three_ready,
    durable_three_ready
);
shapes!(
    yielding,
    plain_two_yield,
    durable_two_yield,
    plain_three_yield,
    durable_three_yield
);
shapes!(
    timer,
    plain_two_timer,
    durable_two_timer,
    plain_three_timer,
    durable_three_timer
);

workflow! {
    /// A fork of eight one-step branches that are ready at once, plain.
    pub async fn plain_eight(x: u32) -> u32 {
        fork <
            a: ready(x), b: ready(x + 1), c: ready(x + 2), d: ready(x + 3),
            e: ready(x + 4), f: ready(x + 5), g: ready(x + 6), h: ready(x + 7),
        > join(a, b, c, d, e, f, g, h);
        a + b + c + d + e + f + g + h
    }
}

workflow! {
    /// A fork of eight one-step branches that are ready at once, durable: their eight
    /// results are one commit (and the output a second).
    #[durable]
    pub async fn durable_eight(ctx: Context, x: u32) -> u32 {
        fork <
            a: ready(x), b: ready(x + 1), c: ready(x + 2), d: ready(x + 3),
            e: ready(x + 4), f: ready(x + 5), g: ready(x + 6), h: ready(x + 7),
        > join(a, b, c, d, e, f, g, h);
        a + b + c + d + e + f + g + h
    }
}

/// A fresh directory for one journal file under `root`, of a name no other call in
/// this process has (a journal's file stays open until its engine's committer thread
/// ends, after the engine is dropped).
///
/// # Panics
///
/// If the directory cannot be made.
pub fn fresh_dir(root: impl AsRef<Path>, name: &str) -> PathBuf {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let dir = root.as_ref().join(format!(
        "durable-bench-{}/{name}-{call}",
        std::process::id()
    ));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("a directory for the journal");
    dir
}

/// A new `SQLite` journal in a fresh directory under `root`.
///
/// # Panics
///
/// If the directory cannot be made or the journal opened.
pub fn sqlite_journal(root: impl AsRef<Path>, name: &str) -> SqliteJournal {
    SqliteJournal::open(fresh_dir(root, name).join("journal.db")).expect("open the journal")
}

type Job = (
    Box<dyn FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<()> + Send>,
    tokio::sync::oneshot::Sender<rusqlite::Result<()>>,
);

/// The hand-written durable flow, DBOS's way: every write (the instance, each step's
/// result, the output) is its own transaction, committed (one fsync of the write-ahead
/// log) before the writer goes on. One `SQLite` connection with the pragmas of
/// [`SqliteJournal`] (WAL, `synchronous = FULL`, foreign keys), on a writer thread that
/// runs one transaction at a time, as `SQLite` allows one writer.
#[derive(Clone)]
pub struct Baseline {
    jobs: mpsc::Sender<Job>,
    transactions: Arc<AtomicU64>,
}

impl Baseline {
    /// Opens (creates) the database `path` and starts its writer thread, which ends
    /// when every clone of the baseline is dropped.
    ///
    /// # Panics
    ///
    /// If the database cannot be opened or its tables created.
    pub fn open(path: &Path) -> Baseline {
        let connection = Connection::open(path).expect("open the baseline database");
        let mode: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .expect("WAL mode");
        assert!(mode.eq_ignore_ascii_case("wal"), "journal_mode is {mode}");
        connection
            .pragma_update(None, "synchronous", "FULL")
            .and_then(|()| connection.pragma_update(None, "foreign_keys", true))
            .and_then(|()| {
                connection.execute_batch(
                    "CREATE TABLE IF NOT EXISTS instances (
                        id TEXT PRIMARY KEY,
                        workflow TEXT NOT NULL,
                        args BLOB NOT NULL,
                        status TEXT NOT NULL,
                        output BLOB
                    );
                    CREATE TABLE IF NOT EXISTS records (
                        instance TEXT NOT NULL REFERENCES instances (id),
                        key TEXT NOT NULL,
                        value BLOB NOT NULL,
                        PRIMARY KEY (instance, key)
                    );",
                )
            })
            .expect("the baseline's tables");
        let (jobs, rx) = mpsc::channel::<Job>();
        let transactions = Arc::new(AtomicU64::new(0));
        let committed = Arc::clone(&transactions);
        std::thread::Builder::new()
            .name("baseline-writer".to_owned())
            .spawn(move || {
                let mut connection = connection;
                for (job, done) in rx {
                    let result = connection
                        .transaction_with_behavior(TransactionBehavior::Immediate)
                        .and_then(|transaction| {
                            job(&transaction)?;
                            transaction.commit()
                        });
                    committed.fetch_add(1, Ordering::Relaxed);
                    done.send(result).ok();
                }
            })
            .expect("the baseline's writer thread");
        Baseline { jobs, transactions }
    }

    /// How many transactions the baseline committed.
    pub fn transactions(&self) -> u64 {
        self.transactions.load(Ordering::Relaxed)
    }

    /// Runs `job` in a transaction of its own and waits for its commit.
    async fn write(
        &self,
        job: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<()> + Send + 'static,
    ) {
        let (done, committed) = tokio::sync::oneshot::channel();
        self.jobs
            .send((Box::new(job), done))
            .expect("the writer thread runs");
        committed
            .await
            .expect("the writer answers")
            .expect("the transaction commits");
    }

    /// Runs `step(x)`, then writes its result under `key` in a transaction of its own.
    async fn step<F: Future<Output = u32>>(&self, id: &str, key: &'static str, step: F) -> u32 {
        let value = step.await;
        let instance = id.to_owned();
        self.write(move |transaction| {
            transaction
                .prepare_cached("INSERT INTO records (instance, key, value) VALUES (?1, ?2, ?3)")?
                .execute(params![instance, key, value.to_string().into_bytes()])
                .map(drop)
        })
        .await;
        value
    }

    /// The 3-branch fork of `durable_three_*` by hand, on `step`: the instance's row,
    /// then each branch's result written when the branch finishes (the branches run at
    /// the same time, as `tokio::join!` runs them), then the output.
    pub async fn three<F, Fut>(&self, id: &str, x: u32, step: F) -> u32
    where
        F: Fn(u32) -> Fut,
        Fut: Future<Output = u32>,
    {
        let instance = id.to_owned();
        self.write(move |transaction| {
            transaction
                .prepare_cached(
                    "INSERT INTO instances (id, workflow, args, status) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    instance,
                    "three",
                    format!("[{x}]").into_bytes(),
                    "running"
                ])
                .map(drop)
        })
        .await;
        let (a, b, c) = tokio::join!(
            self.step(id, "0.a.0", step(x)),
            self.step(id, "0.b.0", step(x + 1)),
            self.step(id, "0.c.0", step(x + 2)),
        );
        let output = a + b + c;
        let instance = id.to_owned();
        self.write(move |transaction| {
            transaction
                .prepare_cached("UPDATE instances SET status = ?2, output = ?3 WHERE id = ?1")?
                .execute(params![
                    instance,
                    "succeeded",
                    output.to_string().into_bytes()
                ])
                .map(drop)
        })
        .await;
        output
    }
}

//! What the `PostgreSQL` examples share (`pg_instances.rs`, `pg_failover.rs`): a fresh
//! database on the server `WORKFLOW_POSTGRES_URL` names, worker processes (the example's
//! own binary, run again with other arguments) and what they print, the server's
//! counters, and the hand-written baseline: one transaction per step with tokio-postgres.

use std::io::{BufRead, BufReader, Write as _};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio_postgres::{Client, NoTls, Statement};

#[path = "../../workflow-runtime/src/durable/postgres/testdb.rs"]
mod testdb;

/// A URL of a new, empty database on the server of `WORKFLOW_POSTGRES_URL`, named after
/// `name`; `None` (and a line saying so) when the variable is not set.
///
/// # Panics
///
/// If the database cannot be created.
pub fn fresh_database(name: &str) -> Option<String> {
    testdb::fresh_database(name)
}

/// Milliseconds since the Unix epoch: the clock every process on the machine shares.
pub fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

/// The median (the upper one of an even count) of `values`.
///
/// # Panics
///
/// If `values` is empty.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The smallest and the largest of `values`.
pub fn spread(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(min, max), &v| {
            (min.min(v), max.max(v))
        })
}

/// A worker process: this program run again with other arguments; what it prints on
/// stdout comes line by line, and closing its stdin asks it to stop.
pub struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Worker {
    /// Starts `std::env::current_exe()` with `args`.
    ///
    /// # Panics
    ///
    /// If it cannot be started.
    pub fn spawn(args: &[&str]) -> Worker {
        let mut child = Command::new(std::env::current_exe().expect("this program's path"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("a worker process");
        let stdout = child.stdout.take().expect("its stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Worker {
            stdin: child.stdin.take(),
            child,
            lines,
        }
    }

    /// The next line it prints, within `timeout`.
    ///
    /// # Panics
    ///
    /// If it prints none in time or ends.
    pub fn line(&self, timeout: Duration) -> String {
        match self.lines.recv_timeout(timeout) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => panic!("a worker printed nothing in {timeout:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("a worker ended"),
        }
    }

    /// Waits for the line `ready`.
    ///
    /// # Panics
    ///
    /// If another line comes first, or none within 30 s.
    pub fn ready(&self) {
        let line = self.line(Duration::from_secs(30));
        assert_eq!(line, "ready", "a worker's first line");
    }

    /// Asks it to stop (closes its stdin) and returns the lines it printed until it
    /// ended.
    ///
    /// # Panics
    ///
    /// If it cannot be waited for.
    pub fn stop(mut self) -> Vec<String> {
        drop(self.stdin.take());
        self.child.wait().expect("the worker ends");
        self.lines.try_iter().collect()
    }

    /// Kills it with SIGKILL and waits for its end.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// In a worker process: a receiver that gets `()` when stdin closes (the parent asks
/// it to stop, or died), and a line `ready` printed on stdout.
pub fn worker_started() -> tokio::sync::oneshot::Receiver<()> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        let _ = tx.send(());
    });
    say("ready");
    rx
}

/// Prints `line` on stdout at once (a worker's report to its parent).
pub fn say(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

/// Connects to `url` (the connection's task on the current tokio runtime).
///
/// # Panics
///
/// If it cannot connect.
pub async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|error| panic!("connect to {url}: {error}"));
    tokio::spawn(connection);
    client
}

/// The server's counters that say what a round cost.
#[derive(Clone, Copy, Debug)]
pub struct Counters {
    /// Transactions committed in the database (`pg_stat_database.xact_commit`): every
    /// statement outside a transaction is one, reads included.
    pub commits: i64,
    /// WAL syncs of the whole server (`pg_stat_wal.wal_sync`): the fsyncs.
    pub syncs: i64,
}

impl Counters {
    /// Reads them (the statistics of ended backends are in; a live one's are flushed
    /// about once a second: read after the workers end and a pause).
    ///
    /// # Panics
    ///
    /// If the query fails.
    pub async fn read(client: &Client) -> Counters {
        let row = client
            .query_one(
                "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),
                        (SELECT wal_sync FROM pg_stat_wal)",
                &[],
            )
            .await
            .expect("the server's counters");
        Counters {
            commits: row.get(0),
            syncs: row.get(1),
        }
    }

    /// What happened since `before`.
    #[must_use]
    pub fn since(self, before: Counters) -> Counters {
        Counters {
            commits: self.commits - before.commits,
            syncs: self.syncs - before.syncs,
        }
    }
}

/// Waits until `count` rows of `table` have the status `finished` (the journal's word) (polling every 20 ms,
/// at most `timeout`), then returns the milliseconds from the first `created_at` to the
/// last `updated_at` (from the first submit to the last finished, as the table says),
/// and how many queries that took (each a transaction of the server's count).
///
/// # Panics
///
/// If they do not finish in time.
pub async fn finished_span(
    client: &Client,
    table: &str,
    count: i64,
    timeout: Duration,
) -> (i64, i64) {
    let started = Instant::now();
    let mut queries = 1;
    let done = format!("SELECT count(*) FROM {table} WHERE status = 'finished'");
    loop {
        let finished: i64 = client.query_one(&done, &[]).await.expect("count").get(0);
        queries += 1;
        if finished == count {
            break;
        }
        assert!(
            started.elapsed() < timeout,
            "{finished} of {count} instances finished in {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let row = client
        .query_one(
            &format!("SELECT max(updated_at) - min(created_at) FROM {table}"),
            &[],
        )
        .await
        .expect("the span");
    (row.get(0), queries)
}

/// The statements of the hand-written baseline, prepared on one connection.
struct Statements {
    submit: Statement,
    claim: Statement,
    step: Statement,
    end: Statement,
}

impl Statements {
    async fn prepare(client: &Client) -> Statements {
        let prepare = async |sql: &str| client.prepare(sql).await.expect("a statement");
        Statements {
            submit: prepare(
                "INSERT INTO bench_instances (id, workflow, args, status, created_at, updated_at)
                 VALUES ($1, 'three', $2, 'running', $3, $3)",
            )
            .await,
            claim: prepare(
                "UPDATE bench_instances SET owner = $1 WHERE id IN (
                     SELECT id FROM bench_instances WHERE status = 'running' AND owner IS NULL
                     ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                 RETURNING id, args",
            )
            .await,
            step: prepare("INSERT INTO bench_records (instance, key, value) VALUES ($1, $2, $3)")
                .await,
            end: prepare(
                "UPDATE bench_instances SET status = 'finished', output = $2, updated_at = $3
                 WHERE id = $1",
            )
            .await,
        }
    }
}

/// The tables of the hand-written baseline.
const BASELINE_TABLES: &str = "
    CREATE TABLE bench_instances (
        id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        args BYTEA NOT NULL,
        status TEXT NOT NULL,
        output BYTEA,
        owner TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    );
    CREATE INDEX bench_instances_claim ON bench_instances (status, created_at);
    CREATE TABLE bench_records (
        instance TEXT NOT NULL REFERENCES bench_instances (id),
        key TEXT NOT NULL,
        value BYTEA NOT NULL,
        PRIMARY KEY (instance, key)
    );";

/// The hand-written durable flow, DBOS's way, on `PostgreSQL`: every write (the
/// instance, its claim by a worker, each step's result, the output) is a transaction of
/// its own (one statement outside a transaction), committed before the writer goes on.
/// No leases, fences or renewals: that favours the baseline. A pool of connections,
/// used in turn (tokio-postgres pipelines the statements of one connection; the
/// server's WAL flush covers the commits of all connections that wait for it).
#[derive(Clone)]
pub struct PgBaseline {
    clients: Arc<Vec<(Client, Statements)>>,
    next: Arc<Mutex<usize>>,
}

impl PgBaseline {
    /// `connections` connections to `url`.
    ///
    /// # Panics
    ///
    /// If it cannot connect.
    pub async fn connect(url: &str, connections: usize) -> PgBaseline {
        let mut clients = Vec::with_capacity(connections);
        for _ in 0..connections.max(1) {
            let client = connect(url).await;
            let statements = Statements::prepare(&client).await;
            clients.push((client, statements));
        }
        PgBaseline {
            clients: Arc::new(clients),
            next: Arc::new(Mutex::new(0)),
        }
    }

    /// Creates the baseline's tables on `client`'s database (before [`PgBaseline::connect`],
    /// which prepares statements on them).
    ///
    /// # Panics
    ///
    /// If they cannot be created (they exist).
    pub async fn create_tables(client: &Client) {
        client
            .batch_execute(BASELINE_TABLES)
            .await
            .expect("the baseline's tables");
    }

    /// The next connection and its statements (prepared once: an unprepared statement
    /// would cost the server a transaction of its own, its `Parse`, each time).
    fn client(&self) -> (&Client, &Statements) {
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        *next = (*next + 1) % self.clients.len();
        let (client, statements) = &self.clients[*next];
        (client, statements)
    }

    /// Stores a new instance `id` of the 3-branch fork on `x` for any worker: one
    /// transaction.
    ///
    /// # Panics
    ///
    /// If the insert fails.
    pub async fn submit(&self, id: &str, x: u32) {
        let (client, statements) = self.client();
        client
            .execute(
                &statements.submit,
                &[&id, &format!("[{x}]").into_bytes(), &unix_ms()],
            )
            .await
            .expect("submit");
    }

    /// Claims at most `limit` instances no worker holds, for `worker`: one transaction.
    ///
    /// # Panics
    ///
    /// If the update fails.
    pub async fn claim(&self, worker: &str, limit: i64) -> Vec<(String, u32)> {
        let (client, statements) = self.client();
        client
            .query(&statements.claim, &[&worker, &limit])
            .await
            .expect("claim")
            .iter()
            .map(|row| {
                let args: Vec<u8> = row.get(1);
                let x = String::from_utf8_lossy(&args)
                    .trim_matches(['[', ']'])
                    .parse()
                    .expect("the arguments");
                (row.get(0), x)
            })
            .collect()
    }

    /// Runs `step`, then inserts its result under `key`: one transaction.
    async fn step<F: Future<Output = u32>>(&self, id: &str, key: &str, step: F) -> u32 {
        let value = step.await;
        let (client, statements) = self.client();
        client
            .execute(
                &statements.step,
                &[&id, &key, &value.to_string().into_bytes()],
            )
            .await
            .expect("a step's result");
        value
    }

    /// The 3-branch fork of `durable_three_*` by hand on a claimed instance: the three
    /// branches at once (`tokio::join!`), each result inserted when its branch ends,
    /// then the output: four transactions.
    ///
    /// # Panics
    ///
    /// If a write fails.
    pub async fn three<F, Fut>(&self, id: &str, x: u32, step: F) -> u32
    where
        F: Fn(u32) -> Fut,
        Fut: Future<Output = u32>,
    {
        let (a, b, c) = tokio::join!(
            self.step(id, "0.a.0", step(x)),
            self.step(id, "0.b.0", step(x + 1)),
            self.step(id, "0.c.0", step(x + 2)),
        );
        let output = a + b + c;
        let (client, statements) = self.client();
        client
            .execute(
                &statements.end,
                &[&id, &output.to_string().into_bytes(), &unix_ms()],
            )
            .await
            .expect("the output");
        output
    }
}

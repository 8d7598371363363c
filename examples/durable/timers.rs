//! Durable timers across a SIGKILL: a `#[retry]` backoff and a branch `#[timeout]` of a
//! `#[durable]` workflow, in a worker process (this program run again with `worker`)
//! that is killed and started again over the same `SQLite` journal.
//!
//! 1. `retry`: the first attempt fails, the backoff is 2 s; the worker is killed 1 s
//!    into it. The restarted worker does not run the failed attempt again and runs the
//!    next one at the journaled time, about 1 s after the restart (not 2 s).
//! 2. `branch`: a branch with `#[timeout(3s)]` hangs; the worker is killed, and started
//!    again after the deadline has passed. The branch times out at once, without its
//!    step starting again, and the output is the timed-out one.

// The steps are `async fn`s, as steps doing I/O would be; some do not await.
#![allow(clippy::unused_async)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use workflow_runtime::durable::{Context, Engine, Journal, SqliteJournal};
use workflow_runtime::{BranchError, TimedOut, workflow};

fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_millis(),
    )
    .expect("fits")
}

/// Appends the time to `log`; returns how many lines it had before.
fn stamp(log: &str) -> (usize, u64) {
    let before = std::fs::read_to_string(log).unwrap_or_default();
    let now = now_ms();
    std::fs::write(log, format!("{before}{now}\n")).expect("write the log");
    (before.lines().count(), now)
}

async fn attempt(log: String) -> Result<u64, String> {
    let (before, now) = stamp(&log);
    println!("attempt {before} at {now}");
    if before == 0 {
        Err("the first attempt fails".to_owned())
    } else {
        Ok(before as u64)
    }
}

async fn hang(log: String) -> String {
    let (_, now) = stamp(&log);
    println!("hang started at {now}");
    tokio::time::sleep(Duration::from_secs(60)).await;
    "late".to_owned()
}

async fn quick() -> String {
    "quick".to_owned()
}

workflow! {
    /// One step retried after a 2 s backoff.
    #[durable]
    pub async fn flaky(ctx: Context, log: String) -> Result<u64, BranchError<String>> {
        fork <
            value: #[retry(2, backoff = 2s)] attempt(log.clone())?,
            other: quick(),
        > join(value, other)?;
        Ok(value + other.len() as u64)
    }
}

/// The workflow's failure, journaled as its output.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Failure(String);

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

workflow! {
    /// A branch that hangs, cut off after 3 s.
    #[durable]
    pub async fn guarded(ctx: Context, log: String) -> Result<String, Failure> {
        fork <
            #[timeout(3s)]
            slow: hang(log.clone()),
            other: quick(),
        > join(slow, other)?;
        Ok(format!("{slow} {other}"))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("worker") {
        worker(&args[2], &args[3], &args[4]);
        return;
    }
    // No harness: both tests run whatever flags or filter `cargo test` passes on.
    retry_backoff_survives_sigkill();
    println!("test retry_backoff_survives_sigkill ... ok");
    branch_deadline_passes_while_down();
    println!("test branch_deadline_passes_while_down ... ok");
}

#[tokio::main]
async fn worker(which: &str, db: &str, log: &str) {
    let engine = Engine::new(SqliteJournal::open(db).expect("open the journal"));
    let output = match which {
        "retry" => match engine.run("flaky", flaky(log.to_owned())).await {
            Ok(Ok(value)) => format!("ok {value}"),
            Ok(Err(error)) => format!("err {error}"),
            Err(error) => format!("engine {error}"),
        },
        _ => match engine.run("guarded", guarded(log.to_owned())).await {
            Ok(Ok(value)) => format!("ok {value}"),
            Ok(Err(error)) => format!("err {error}"),
            Err(error) => format!("engine {error}"),
        },
    };
    println!("output {output}");
}

fn spawn(which: &str, dir: &Path) -> (Child, BufReader<ChildStdout>) {
    let mut child = Command::new(std::env::current_exe().expect("this program"))
        .arg("worker")
        .arg(which)
        .arg(dir.join("journal.db"))
        .arg(dir.join("steps.log"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("start a worker");
    let stdout = BufReader::new(child.stdout.take().expect("the worker's stdout"));
    (child, stdout)
}

/// Reads the worker's lines until one contains `what`; returns it.
fn read_until(lines: &mut BufReader<ChildStdout>, what: &str) -> String {
    let mut line = String::new();
    loop {
        line.clear();
        let n = lines.read_line(&mut line).expect("read the worker");
        assert!(n > 0, "the worker ended before printing `{what}`");
        if line.contains(what) {
            return line.trim().to_owned();
        }
    }
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("durable-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

fn log_times(dir: &Path) -> Vec<u64> {
    std::fs::read_to_string(dir.join("steps.log"))
        .expect("the step log")
        .lines()
        .map(|l| l.parse().expect("a time"))
        .collect()
}

/// The journaled `u64` under `key`.
fn journaled(dir: &Path, instance: &str, key: &str) -> u64 {
    let journal = SqliteJournal::open(dir.join("journal.db")).expect("open the journal");
    let records = journal.records(instance).expect("the records");
    let record = records.iter().find(|r| r.key == key).unwrap_or_else(|| {
        let keys: Vec<&str> = records.iter().map(|r| r.key.as_str()).collect();
        panic!("no record `{key}` among {keys:?}")
    });
    std::str::from_utf8(&record.value)
        .expect("text")
        .parse()
        .expect("a time")
}

/// Waits (up to 30 s) until the journal holds `key` for `instance`.
fn wait_for_record(dir: &Path, instance: &str, key: &str) {
    let journal = SqliteJournal::open(dir.join("journal.db")).expect("open the journal");
    for _ in 0..1_500 {
        let records = journal.records(instance).expect("the records");
        if records.iter().any(|record| record.key == key) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("`{key}` of `{instance}` was not journaled within 30 s");
}

fn retry_backoff_survives_sigkill() {
    let dir = fresh_dir("retry");
    let (mut child, mut lines) = spawn("retry", &dir);
    read_until(&mut lines, "attempt 0");
    // 1 s into the 2 s backoff.
    std::thread::sleep(Duration::from_secs(1));
    child.kill().expect("SIGKILL the worker");
    child.wait().expect("the worker's status");

    let restart = now_ms();
    let (mut child, mut lines) = spawn("retry", &dir);
    let output = read_until(&mut lines, "output");
    assert!(child.wait().expect("the worker's status").success());
    assert_eq!(output, "output ok 6", "the second attempt's value + 5");

    let times = log_times(&dir);
    assert_eq!(
        times.len(),
        2,
        "the failed attempt is replayed, not run again"
    );
    let next = journaled(&dir, "flaky", "0.value.0#0/retry#0");
    println!(
        "retry: failed at {}, next attempt journaled for +{} ms, restart +{} ms, second attempt +{} ms",
        times[0],
        next - times[0],
        restart - times[0],
        times[1] - times[0]
    );
    assert!(
        (2_000..2_500).contains(&(next - times[0])),
        "the next time is the failure + the 2 s backoff"
    );
    assert!(restart < next, "the worker was killed during the backoff");
    assert!(
        times[1] >= next,
        "the second attempt waits for its journaled time"
    );
    assert!(
        times[1] - restart < 2_000,
        "after the restart only the rest of the backoff is waited ({} ms; 2 s or more if it started again)",
        times[1] - restart
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn branch_deadline_passes_while_down() {
    let dir = fresh_dir("branch");
    let (mut child, mut lines) = spawn("branch", &dir);
    read_until(&mut lines, "hang started");
    // The deadline's commit lands; then the process dies.
    wait_for_record(&dir, "guarded", "0.slow/timeout#0");
    child.kill().expect("SIGKILL the worker");
    child.wait().expect("the worker's status");
    let started = log_times(&dir)[0];
    let deadline = journaled(&dir, "guarded", "0.slow/timeout#0");
    // The deadline is taken when the branch starts, a little before its step logs its
    // start, both in whole milliseconds.
    assert!(
        (2_950..3_500).contains(&(deadline.saturating_sub(started))),
        "the deadline is 3 s after the branch started ({} ms)",
        deadline.saturating_sub(started)
    );
    // Down until the deadline has passed.
    std::thread::sleep(Duration::from_millis(
        (deadline + 300).saturating_sub(now_ms()),
    ));

    let restart = now_ms();
    let (mut child, mut lines) = spawn("branch", &dir);
    let output = read_until(&mut lines, "output");
    let took = now_ms() - restart;
    assert!(child.wait().expect("the worker's status").success());
    println!(
        "branch: restarted {} ms after the deadline, timed out {took} ms after the restart",
        restart - deadline
    );
    assert_eq!(
        output,
        "output err branch `slow` failed: timed out after 3s"
    );
    assert_eq!(
        log_times(&dir).len(),
        1,
        "the branch's step does not start again after its deadline"
    );
    assert!(
        took < 2_000,
        "the branch times out at once ({took} ms; 3 s if its timeout started again)"
    );
    std::fs::remove_dir_all(&dir).ok();
}

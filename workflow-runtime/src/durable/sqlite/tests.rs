use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Instant;

use super::*;

/// A directory under the system's temp dir, unique to this process and test, removed
/// when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "workflow-sqlite-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self) -> PathBuf {
        self.0.join("journal.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn instance(id: &str) -> InstanceRow {
    InstanceRow {
        id: id.into(),
        workflow: "loan".into(),
        structure: "structure-hash".into(),
        args: format!("[\"{id}\"]").into_bytes(),
        status: Status::Running,
        output: None,
        reason: None,
    }
}

fn record(instance: &str, key: &str, ok: bool, value: &[u8]) -> Record {
    Record {
        instance: instance.into(),
        key: key.into(),
        ok,
        type_name: "u32".into(),
        value: value.to_vec(),
    }
}

fn signal(instance: &str, name: &str, payload: &[u8]) -> SignalRow {
    SignalRow {
        instance: instance.into(),
        name: name.into(),
        type_name: "bool".into(),
        payload: payload.to_vec(),
    }
}

fn end(instance: &str, status: Status, output: Option<&[u8]>, reason: Option<&str>) -> Write {
    Write::End {
        instance: instance.into(),
        status,
        output: output.map(<[u8]>::to_vec),
        reason: reason.map(str::to_owned),
    }
}

fn open(path: &Path) -> SqliteJournal {
    SqliteJournal::open(path).unwrap()
}

/// A journal with instance "a": two records (one failed), a signal, and "b" finished.
fn filled(path: &Path) -> SqliteJournal {
    let journal = open(path);
    journal.create(&instance("a")).unwrap();
    journal.create(&instance("b")).unwrap();
    journal
        .commit(&[
            Write::Record(record("a", "0.x.0#0", true, b"1")),
            Write::Record(record("a", "0.y.0#0", false, b"\"no\"")),
            Write::Record(record("b", "0.x.0#0", true, b"2")),
            end("b", Status::Finished, Some(b"3"), None),
        ])
        .unwrap();
    assert_eq!(
        journal.add_signal(&signal("a", "review", b"true")).unwrap(),
        SignalAdded::Added
    );
    journal
}

fn expect_filled(journal: &SqliteJournal) {
    assert_eq!(journal.instance("a").unwrap(), Some(instance("a")));
    let mut b = instance("b");
    b.status = Status::Finished;
    b.output = Some(b"3".to_vec());
    assert_eq!(journal.instance("b").unwrap(), Some(b));
    assert_eq!(
        journal.records("a").unwrap(),
        [
            record("a", "0.x.0#0", true, b"1"),
            record("a", "0.y.0#0", false, b"\"no\"")
        ]
    );
    assert_eq!(
        journal.records("b").unwrap(),
        [record("b", "0.x.0#0", true, b"2")]
    );
    assert_eq!(
        journal.signals("a").unwrap(),
        [signal("a", "review", b"true")]
    );
    assert_eq!(journal.unfinished().unwrap(), [instance("a")]);
}

#[test]
fn journal_is_send_and_sync() {
    fn check<T: Journal>() {}
    check::<SqliteJournal>();
}

#[test]
fn create_inserts_then_returns_the_existing_row() {
    let dir = TempDir::new("create");
    let journal = open(&dir.file());
    assert_eq!(journal.instance("a").unwrap(), None);
    assert_eq!(journal.create(&instance("a")).unwrap(), Created::New);
    assert_eq!(journal.instance("a").unwrap(), Some(instance("a")));
    // Another row with the same id changes nothing.
    let mut other = instance("a");
    other.workflow = "other".into();
    other.args = b"[]".to_vec();
    assert_eq!(
        journal.create(&other).unwrap(),
        Created::Existing(instance("a"))
    );
    assert_eq!(journal.instance("a").unwrap(), Some(instance("a")));
}

#[test]
fn create_stores_running_whatever_the_row_says() {
    let dir = TempDir::new("create-status");
    let journal = open(&dir.file());
    let mut row = instance("a");
    row.status = Status::Finished;
    row.output = Some(b"1".to_vec());
    row.reason = Some("x".into());
    journal.create(&row).unwrap();
    assert_eq!(journal.instance("a").unwrap(), Some(instance("a")));
}

#[test]
fn every_method_round_trips() {
    let dir = TempDir::new("round-trip");
    let journal = filled(&dir.file());
    expect_filled(&journal);
    assert_eq!(journal.records("nobody").unwrap(), []);
    assert_eq!(journal.signals("nobody").unwrap(), []);
    assert_eq!(journal.instance("nobody").unwrap(), None);
}

#[test]
fn empty_and_binary_values_round_trip() {
    let dir = TempDir::new("binary");
    let journal = open(&dir.file());
    journal.create(&instance("a")).unwrap();
    let bytes: Vec<u8> = (0..=255).collect();
    journal
        .commit(&[
            Write::Record(record("a", "empty#0", true, b"")),
            Write::Record(record("a", "bytes#0", true, &bytes)),
        ])
        .unwrap();
    assert_eq!(
        journal.records("a").unwrap(),
        [
            record("a", "bytes#0", true, &bytes),
            record("a", "empty#0", true, b"")
        ]
    );
}

#[test]
fn end_sets_status_output_and_reason() {
    let dir = TempDir::new("end");
    let journal = open(&dir.file());
    journal.create(&instance("a")).unwrap();
    journal
        .commit(&[end(
            "a",
            Status::Failed,
            Some(b"{\"Err\":\"x\"}"),
            Some("0.x.0: x"),
        )])
        .unwrap();
    let row = journal.instance("a").unwrap().unwrap();
    assert_eq!(row.status, Status::Failed);
    assert_eq!(row.output.as_deref(), Some(&b"{\"Err\":\"x\"}"[..]));
    assert_eq!(row.reason.as_deref(), Some("0.x.0: x"));
    assert_eq!(journal.unfinished().unwrap(), []);
    journal
        .commit(&[end("a", Status::Parked, None, Some("step removed"))])
        .unwrap();
    let row = journal.instance("a").unwrap().unwrap();
    assert_eq!(row.status, Status::Parked);
    assert_eq!(row.output, None);
    assert_eq!(row.reason.as_deref(), Some("step removed"));
}

#[test]
fn a_record_that_exists_stays() {
    let dir = TempDir::new("ignore");
    let journal = open(&dir.file());
    journal.create(&instance("a")).unwrap();
    journal
        .commit(&[Write::Record(record("a", "k#0", true, b"1"))])
        .unwrap();
    journal
        .commit(&[
            Write::Record(record("a", "k#0", false, b"2")),
            Write::Record(record("a", "k#1", true, b"3")),
        ])
        .unwrap();
    // Also twice in one batch: the first wins.
    journal
        .commit(&[
            Write::Record(record("a", "k#2", true, b"4")),
            Write::Record(record("a", "k#2", true, b"5")),
        ])
        .unwrap();
    assert_eq!(
        journal.records("a").unwrap(),
        [
            record("a", "k#0", true, b"1"),
            record("a", "k#1", true, b"3"),
            record("a", "k#2", true, b"4")
        ]
    );
}

#[test]
fn empty_commit_is_fine() {
    let dir = TempDir::new("empty-commit");
    let journal = open(&dir.file());
    journal.commit(&[]).unwrap();
}

#[test]
fn a_batch_with_an_end_of_an_unknown_instance_writes_nothing() {
    let dir = TempDir::new("atomic-end");
    let journal = open(&dir.file());
    journal.create(&instance("a")).unwrap();
    let error = journal
        .commit(&[
            Write::Record(record("a", "k#0", true, b"1")),
            end("a", Status::Finished, Some(b"1"), None),
            end("ghost", Status::Finished, Some(b"1"), None),
        ])
        .unwrap_err();
    assert!(error.message.contains("\"ghost\""), "{error}");
    assert!(error.message.contains("unknown instance"), "{error}");
    assert_eq!(journal.records("a").unwrap(), []);
    assert_eq!(journal.instance("a").unwrap(), Some(instance("a")));
    // The journal goes on.
    journal
        .commit(&[Write::Record(record("a", "k#0", true, b"1"))])
        .unwrap();
    assert_eq!(journal.records("a").unwrap().len(), 1);
}

#[test]
fn a_batch_with_a_record_of_an_unknown_instance_writes_nothing() {
    let dir = TempDir::new("atomic-record");
    let journal = open(&dir.file());
    journal.create(&instance("a")).unwrap();
    let error = journal
        .commit(&[
            Write::Record(record("a", "k#0", true, b"1")),
            Write::Record(record("ghost", "k#0", true, b"1")),
        ])
        .unwrap_err();
    assert!(error.message.contains("\"ghost\""), "{error}");
    assert!(error.message.contains("unknown instance"), "{error}");
    assert_eq!(journal.records("a").unwrap(), []);
    assert_eq!(journal.records("ghost").unwrap(), []);
}

#[test]
fn signals_are_added_once_and_only_to_known_instances() {
    let dir = TempDir::new("signals");
    let journal = open(&dir.file());
    assert_eq!(
        journal.add_signal(&signal("a", "review", b"true")).unwrap(),
        SignalAdded::UnknownInstance
    );
    journal.create(&instance("a")).unwrap();
    assert_eq!(
        journal.add_signal(&signal("a", "review", b"true")).unwrap(),
        SignalAdded::Added
    );
    assert_eq!(
        journal
            .add_signal(&signal("a", "review", b"false"))
            .unwrap(),
        SignalAdded::Duplicate
    );
    assert_eq!(
        journal.add_signal(&signal("a", "audit", b"1")).unwrap(),
        SignalAdded::Added
    );
    assert_eq!(
        journal.signals("a").unwrap(),
        [signal("a", "audit", b"1"), signal("a", "review", b"true")]
    );
    assert_eq!(journal.signals("b").unwrap(), []);
}

#[test]
fn redrive_drops_failed_records_and_runs_again() {
    let dir = TempDir::new("redrive");
    let journal = filled(&dir.file());
    journal
        .commit(&[end("a", Status::Failed, Some(b"\"no\""), Some("0.y: no"))])
        .unwrap();
    assert!(journal.redrive("a").unwrap());
    assert_eq!(journal.instance("a").unwrap(), Some(instance("a")));
    assert_eq!(
        journal.records("a").unwrap(),
        [record("a", "0.x.0#0", true, b"1")]
    );
    // Signals and other instances are untouched.
    assert_eq!(journal.signals("a").unwrap().len(), 1);
    assert_eq!(journal.records("b").unwrap().len(), 1);
    assert!(!journal.redrive("nobody").unwrap());
}

#[test]
fn a_reopened_file_has_everything() {
    let dir = TempDir::new("reopen");
    drop(filled(&dir.file()));
    let journal = open(&dir.file());
    expect_filled(&journal);
    // And it still writes.
    journal
        .commit(&[Write::Record(record("a", "0.z.0#0", true, b"4"))])
        .unwrap();
    drop(journal);
    assert_eq!(open(&dir.file()).records("a").unwrap().len(), 3);
}

#[test]
fn reopening_an_open_file_shares_it() {
    let dir = TempDir::new("two-handles");
    let first = filled(&dir.file());
    let second = open(&dir.file());
    expect_filled(&second);
    second
        .commit(&[end("a", Status::Finished, Some(b"1"), None)])
        .unwrap();
    assert_eq!(first.unfinished().unwrap(), []);
}

/// Many records, so the file has many pages.
fn big(path: &Path) {
    let journal = open(path);
    journal.create(&instance("a")).unwrap();
    let value = vec![b'7'; 1000];
    let batch: Vec<Write> = (0..300)
        .map(|i| Write::Record(record("a", &format!("0.x.{i}#0"), true, &value)))
        .collect();
    journal.commit(&batch).unwrap();
}

#[test]
fn a_truncated_file_is_refused() {
    let dir = TempDir::new("truncated");
    big(&dir.file());
    // Closed: the write-ahead log was checkpointed into the file and removed.
    assert!(!dir.0.join("journal.db-wal").exists());
    let length = std::fs::metadata(dir.file()).unwrap().len();
    assert!(length > 100_000, "{length}");
    File::options()
        .write(true)
        .open(dir.file())
        .unwrap()
        .set_len(length / 2)
        .unwrap();
    let error = SqliteJournal::open(dir.file()).unwrap_err();
    let path = dir.file().display().to_string();
    assert!(error.message.contains(&path), "{error}");
    assert!(error.message.contains("truncated"), "{error}");
    eprintln!("{error}");
}

#[test]
fn a_file_with_damaged_pages_is_never_read_as_empty() {
    let dir = TempDir::new("damaged-pages");
    big(&dir.file());
    let mut bytes = std::fs::read(dir.file()).unwrap();
    let length = bytes.len();
    // Garbage over the second half: the b-tree pages of the records.
    for (i, byte) in bytes[length / 2..].iter_mut().enumerate() {
        *byte = u8::try_from((i * 7 + 13) % 256).unwrap();
    }
    std::fs::write(dir.file(), &bytes).unwrap();
    let journal = match SqliteJournal::open(dir.file()) {
        Ok(journal) => journal,
        Err(error) => {
            assert!(
                error.message.contains(&dir.file().display().to_string()),
                "{error}"
            );
            return;
        }
    };
    // Either reading fails, or it reads everything right; never fewer records.
    match journal.records("a") {
        Ok(records) => {
            assert_eq!(records.len(), 300);
        }
        Err(error) => {
            eprintln!("{error}");
            assert!(error.message.contains("corrupt"), "{error}");
        }
    }
    let error = journal.verify().unwrap_err();
    eprintln!("{error}");
    assert!(
        error.message.contains("the file is corrupt")
            || error.message.contains("the file is damaged"),
        "{error}"
    );
}

#[test]
fn a_file_of_garbage_is_refused() {
    let dir = TempDir::new("garbage");
    let garbage: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(dir.file(), &garbage).unwrap();
    let error = SqliteJournal::open(dir.file()).unwrap_err();
    assert!(
        error.message.contains(&dir.file().display().to_string()),
        "{error}"
    );
    assert!(error.message.contains("not an SQLite database"), "{error}");
    eprintln!("{error}");
    // A short file too.
    std::fs::write(dir.file(), b"hello").unwrap();
    let error = SqliteJournal::open(dir.file()).unwrap_err();
    assert!(error.message.contains("not an SQLite database"), "{error}");
    // Nothing was written over it.
    assert_eq!(std::fs::read(dir.file()).unwrap(), b"hello");
}

#[test]
fn a_damaged_header_is_refused_by_sqlite() {
    // The magic is right but the rest is garbage: SQLite itself refuses it.
    let dir = TempDir::new("bad-header");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend((0..8192u32).map(|i| (i * 31 % 251) as u8));
    std::fs::write(dir.file(), &bytes).unwrap();
    let error = SqliteJournal::open(dir.file()).unwrap_err();
    eprintln!("{error}");
    assert!(
        error.message.contains(&dir.file().display().to_string()),
        "{error}"
    );
}

#[test]
fn another_sqlite_database_is_refused() {
    let dir = TempDir::new("foreign");
    let raw = Connection::open(dir.file()).unwrap();
    raw.execute_batch("CREATE TABLE instances (id TEXT)")
        .unwrap();
    drop(raw);
    let error = SqliteJournal::open(dir.file()).unwrap_err();
    eprintln!("{error}");
    assert!(error.message.contains("not a workflow journal"), "{error}");
}

#[test]
fn a_newer_schema_version_is_refused() {
    let dir = TempDir::new("newer");
    drop(filled(&dir.file()));
    let raw = Connection::open(dir.file()).unwrap();
    raw.execute("UPDATE workflow_schema SET version = 99", [])
        .unwrap();
    drop(raw);
    let error = SqliteJournal::open(dir.file()).unwrap_err();
    assert!(
        error.message.contains(&dir.file().display().to_string()),
        "{error}"
    );
    assert!(error.message.contains("schema version 99"), "{error}");
    eprintln!("{error}");
    assert!(error.message.contains("newer"), "{error}");
}

#[test]
fn the_schema_version_is_stored() {
    let dir = TempDir::new("version");
    drop(open(&dir.file()));
    let raw = Connection::open(dir.file()).unwrap();
    let version: i64 = raw
        .query_row("SELECT version FROM workflow_schema", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_damaged_record_is_reported() {
    let dir = TempDir::new("damaged-record");
    let journal = filled(&dir.file());
    let raw = Connection::open(dir.file()).unwrap();
    raw.execute(
        "UPDATE records SET value = X'39' WHERE instance = 'a' AND key = '0.x.0#0'",
        [],
    )
    .unwrap();
    let error = journal.records("a").unwrap_err();
    assert!(error.message.contains("\"0.x.0#0\""), "{error}");
    assert!(error.message.contains("instance \"a\""), "{error}");
    assert!(
        error.message.contains("is damaged (its checksum"),
        "{error}"
    );
    eprintln!("{error}");
    // Other instances read on; verify finds it.
    assert_eq!(journal.records("b").unwrap().len(), 1);
    assert!(journal.verify().unwrap_err().message.contains("0.x.0#0"));
    // A flipped ok flag or type name is caught too.
    raw.execute(
        "UPDATE records SET ok = TRUE WHERE instance = 'a' AND key = '0.y.0#0'",
        [],
    )
    .unwrap();
    raw.execute("UPDATE records SET value = X'31' WHERE key = '0.x.0#0'", [])
        .unwrap();
    let error = journal.records("a").unwrap_err();
    assert!(error.message.contains("\"0.y.0#0\""), "{error}");
}

#[test]
fn a_damaged_signal_is_reported() {
    let dir = TempDir::new("damaged-signal");
    let journal = filled(&dir.file());
    let raw = Connection::open(dir.file()).unwrap();
    raw.execute("UPDATE signals SET payload = X'00'", [])
        .unwrap();
    let error = journal.signals("a").unwrap_err();
    assert!(error.message.contains("\"review\""), "{error}");
    assert!(
        error.message.contains("is damaged (its checksum"),
        "{error}"
    );
}

#[test]
fn verify_passes_a_sound_journal() {
    let dir = TempDir::new("verify");
    filled(&dir.file()).verify().unwrap();
}

#[test]
fn concurrent_creates_of_one_id_make_one_new() {
    let dir = TempDir::new("concurrent");
    let journal = Arc::new(open(&dir.file()));
    // Also a second journal on the same file: another connection, as another process.
    let other = Arc::new(open(&dir.file()));
    for round in 0..20 {
        let id = format!("i{round}");
        let barrier = Arc::new(Barrier::new(4));
        let threads: Vec<_> = (0..4)
            .map(|thread| {
                let journal = if thread % 2 == 0 {
                    Arc::clone(&journal)
                } else {
                    Arc::clone(&other)
                };
                let barrier = Arc::clone(&barrier);
                let mut row = instance(&id);
                row.args = format!("[{thread}]").into_bytes();
                std::thread::spawn(move || {
                    barrier.wait();
                    (row.args.clone(), journal.create(&row).unwrap())
                })
            })
            .collect();
        let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let new: Vec<_> = results
            .iter()
            .filter(|(_, created)| *created == Created::New)
            .collect();
        assert_eq!(new.len(), 1, "{results:?}");
        // Every other one sees the winner's row.
        let winner = &new[0].0;
        for (_, created) in &results {
            if let Created::Existing(row) = created {
                assert_eq!(&row.args, winner);
            }
        }
    }
}

#[test]
fn reads_from_other_threads_during_commits() {
    let dir = TempDir::new("readers");
    let journal = Arc::new(open(&dir.file()));
    journal.create(&instance("a")).unwrap();
    let writer = {
        let journal = Arc::clone(&journal);
        std::thread::spawn(move || {
            for i in 0..50 {
                journal
                    .commit(&[Write::Record(record("a", &format!("k#{i}"), true, b"1"))])
                    .unwrap();
            }
        })
    };
    let mut seen = 0;
    while seen < 50 {
        let now = journal.records("a").unwrap().len();
        assert!(now >= seen, "records went from {seen} to {now}");
        seen = now;
    }
    writer.join().unwrap();
}

/// Durable commits per second on this disk, 1 record a commit and 10 a commit. Not a
/// timed test: prints the numbers. Run with
/// `cargo test -p workflow-runtime --features sqlite --release -- --ignored --nocapture commit_rate`;
/// `WORKFLOW_JOURNAL_DIR` picks the directory (the system temp dir otherwise).
///
/// Measured on the development VM (ext4 on virtio, one fsync about 38 us, strace counts
/// one fsync a commit): about 4,000-4,500 commits/s with 1 record a commit, about
/// 3,800-3,900 commits/s (38,000-39,000 records/s) with 10.
#[test]
#[ignore = "a measurement: prints durable commits/s"]
fn commit_rate() {
    let dir = match std::env::var_os("WORKFLOW_JOURNAL_DIR") {
        Some(dir) => {
            let dir =
                PathBuf::from(dir).join(format!("workflow-sqlite-rate-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
        None => TempDir::new("rate"),
    };
    let journal = open(&dir.file());
    let instances = 100;
    for i in 0..instances {
        journal.create(&instance(&format!("i{i}"))).unwrap();
    }
    let value = br#"{"score":710,"band":"A"}"#;
    println!("journal: {}", dir.file().display());
    for per_commit in [1usize, 10] {
        let commits: u32 = 500;
        let started = Instant::now();
        for c in 0..commits {
            let batch: Vec<Write> = (0..per_commit)
                .map(|r| {
                    Write::Record(record(
                        &format!("i{}", (c as usize * per_commit + r) % instances),
                        &format!("{per_commit}.{c}.{r}#0"),
                        true,
                        value,
                    ))
                })
                .collect();
            journal.commit(&batch).unwrap();
        }
        let seconds = started.elapsed().as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let rate = f64::from(commits) / seconds;
        #[allow(clippy::cast_precision_loss)]
        let records = rate * per_commit as f64;
        println!(
            "{per_commit:>2} record(s) a commit: {commits} commits in {seconds:.2} s = \
             {rate:.0} commits/s, {records:.0} records/s"
        );
    }
}

#[test]
fn signals_after_reads_what_any_connection_stored_since_the_cursor() {
    let dir = TempDir::new("signals-after");
    let reader = open(&dir.file());
    let writer = open(&dir.file());
    writer.create(&instance("a")).unwrap();
    writer.create(&instance("b")).unwrap();
    assert_eq!(reader.signals_after(None).unwrap(), (Vec::new(), 0));
    writer.add_signal(&signal("a", "review", b"1")).unwrap();
    let (none, end) = reader.signals_after(None).unwrap();
    assert!(none.is_empty(), "None reads from the end");
    assert_eq!(reader.signals_after(Some(end)).unwrap(), (Vec::new(), end));
    writer.add_signal(&signal("b", "review", b"2")).unwrap();
    writer.add_signal(&signal("a", "payment", b"3")).unwrap();
    // A duplicate adds nothing, so it is not read again.
    writer.add_signal(&signal("b", "review", b"4")).unwrap();
    let (read, next) = reader.signals_after(Some(end)).unwrap();
    assert_eq!(
        read,
        vec![signal("b", "review", b"2"), signal("a", "payment", b"3")]
    );
    assert!(next > end);
    assert_eq!(
        reader.signals_after(Some(next)).unwrap(),
        (Vec::new(), next)
    );
    let (all, _) = reader.signals_after(Some(0)).unwrap();
    assert_eq!(all.len(), 3, "{all:?}");
}

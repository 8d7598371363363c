//! The `PostgreSQL` journal against a real server (`WORKFLOW_POSTGRES_URL`; see
//! `testdb.rs`): the schema, commits, fencing, claims, signals, bad input.

use std::time::{Duration, Instant};

use super::*;

#[path = "testdb.rs"]
pub(super) mod testdb;

/// A fresh database's URL, or the test returns (no server configured, none required).
macro_rules! database {
    ($name:expr) => {
        match testdb::fresh_database($name) {
            Some(url) => url,
            None => return,
        }
    };
}

fn row(id: &str) -> InstanceRow {
    InstanceRow {
        id: id.to_owned(),
        workflow: "loan".to_owned(),
        structure: "s".to_owned(),
        args: b"[1]".to_vec(),
        status: Status::Running,
        output: None,
        reason: None,
    }
}

fn record(instance: &str, key: &str, value: &str) -> Write {
    Write::Record(Record {
        instance: instance.to_owned(),
        key: key.to_owned(),
        ok: true,
        type_name: "u32".to_owned(),
        value: value.as_bytes().to_vec(),
    })
}

fn journal(url: &str, worker: &str, lease: Duration) -> PostgresJournal {
    PostgresJournal::builder(url)
        .worker(worker)
        .lease(lease)
        .connect()
        .expect("connects")
}

/// Runs SQL on the test database directly (to damage, expire or inspect it).
fn sql(url: &str, statement: &str) -> Vec<Vec<Option<String>>> {
    try_sql(url, statement).unwrap_or_else(|error| panic!("the SQL runs: {error}"))
}

/// [`sql`], or the server's error.
fn try_sql(url: &str, statement: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    let (url, statement) = (url.to_owned(), statement.to_owned());
    testdb::on_a_runtime_of_its_own(async move {
        let (client, connection) = tokio_postgres::connect(&url, NoTls)
            .await
            .map_err(|error| error.to_string())?;
        tokio::spawn(connection);
        let messages = client
            .simple_query(&statement)
            .await
            .map_err(|error| error.to_string())?;
        Ok(messages
            .into_iter()
            .filter_map(|message| match message {
                tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|i| row.get(i).map(str::to_owned))
                        .collect(),
                ),
                _ => None,
            })
            .collect())
    })
}

#[test]
fn a_commit_lands_and_reads_back_and_records_are_written_once() {
    let url = database!("commit");
    let journal = journal(&url, "w1", Duration::from_secs(10));
    assert_eq!(journal.create(&row("a")).unwrap(), Created::New);
    assert!(matches!(journal.create(&row("a")).unwrap(), Created::Existing(r) if r.id == "a"));
    journal
        .commit(&[record("a", "0.x.0#0", "1"), record("a", "0.y.0#0", "2")])
        .unwrap();
    // The same key again is left as it is (a replayed commit).
    journal.commit(&[record("a", "0.x.0#0", "99")]).unwrap();
    let records = journal.records("a").unwrap();
    let values: Vec<(&str, &[u8])> = records
        .iter()
        .map(|r| (r.key.as_str(), r.value.as_slice()))
        .collect();
    assert_eq!(values, [("0.x.0#0", &b"1"[..]), ("0.y.0#0", &b"2"[..])]);
    journal
        .commit(&[Write::End {
            instance: "a".to_owned(),
            status: Status::Finished,
            output: Some(b"3".to_vec()),
            reason: None,
        }])
        .unwrap();
    let stored = journal.instance("a").unwrap().unwrap();
    assert_eq!(stored.status, Status::Finished);
    assert_eq!(stored.output.as_deref(), Some(&b"3"[..]));
    assert!(journal.unfinished().unwrap().is_empty());
    // The finished instance has no owner any more.
    assert_eq!(
        sql(&url, "SELECT owner FROM workflow_instances WHERE id = 'a'"),
        [[None]]
    );
}

#[test]
fn a_worker_whose_lease_ran_out_cannot_commit_and_the_new_holder_can() {
    let url = database!("fencing");
    let first = journal(&url, "first", Duration::from_secs(60));
    let second = journal(&url, "second", Duration::from_secs(60));
    first.create(&row("a")).unwrap();
    first.commit(&[record("a", "0.x.0#0", "1")]).unwrap();
    // Held by `first`: `second` cannot take it.
    assert!(!second.acquire("a").unwrap());
    assert!(second.claim(&["loan"]).unwrap().is_empty());
    // `first` stalls past its lease (as if paused with SIGSTOP).
    sql(
        &url,
        "UPDATE workflow_instances SET lease_until = now() - interval '1 second'",
    );
    let claimed = second.claim(&["loan"]).unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, "a");
    // `first` wakes up: its commit is refused, naming the instance; nothing lands.
    let refused = first
        .commit(&[record("a", "0.y.0#0", "from first")])
        .unwrap_err();
    assert_eq!(refused.refused_instances(), ["a"]);
    assert!(
        refused.message.contains("another worker holds a"),
        "{refused}"
    );
    // ... and stays refused (it dropped its hold).
    let again = first
        .commit(&[record("a", "0.z.0#0", "from first")])
        .unwrap_err();
    assert_eq!(again.refused_instances(), ["a"]);
    second
        .commit(&[record("a", "0.y.0#0", "from second")])
        .unwrap();
    let keys: Vec<(String, Vec<u8>)> = second
        .records("a")
        .unwrap()
        .into_iter()
        .map(|r| (r.key, r.value))
        .collect();
    assert_eq!(
        keys,
        [
            ("0.x.0#0".to_owned(), b"1".to_vec()),
            ("0.y.0#0".to_owned(), b"from second".to_vec())
        ]
    );
    // The ownership log: fence 1 by `first`, fence 2 by `second`, and every record was
    // written under the fence that held it then.
    assert_eq!(
        sql(
            &url,
            "SELECT fence::text, owner FROM workflow_owners WHERE instance = 'a' ORDER BY seq"
        ),
        [
            [Some("1".to_owned()), Some("first".to_owned())],
            [Some("2".to_owned()), Some("second".to_owned())]
        ]
    );
    assert_eq!(
        sql(
            &url,
            "SELECT key, fence::text FROM workflow_records WHERE instance = 'a' ORDER BY seq"
        ),
        [
            [Some("0.x.0#0".to_owned()), Some("1".to_owned())],
            [Some("0.y.0#0".to_owned()), Some("2".to_owned())]
        ]
    );
}

#[test]
fn a_commit_of_many_instances_refuses_only_the_lost_one() {
    let url = database!("partial");
    let first = journal(&url, "first", Duration::from_secs(60));
    let second = journal(&url, "second", Duration::from_secs(60));
    first.create(&row("a")).unwrap();
    first.create(&row("b")).unwrap();
    sql(
        &url,
        "UPDATE workflow_instances SET lease_until = now() - interval '1 second' WHERE id = 'b'",
    );
    assert!(second.acquire("b").unwrap());
    let error = first
        .commit(&[record("a", "k#0", "1"), record("b", "k#0", "1")])
        .unwrap_err();
    assert_eq!(error.refused_instances(), ["b"]);
    assert_eq!(first.records("a").unwrap().len(), 1);
    assert!(first.records("b").unwrap().is_empty());
}

#[test]
fn a_worker_renews_its_leases_while_it_holds_them() {
    let url = database!("renew");
    let first = journal(&url, "first", Duration::from_millis(300));
    let second = journal(&url, "second", Duration::from_millis(300));
    first.create(&row("a")).unwrap();
    // Three leases long: `first` renews every 100 ms, so `second` never gets it.
    let until = Instant::now() + Duration::from_millis(900);
    while Instant::now() < until {
        assert!(second.claim(&["loan"]).unwrap().is_empty());
        std::thread::sleep(Duration::from_millis(50));
    }
    // Once `first` is gone (its thread gives up its leases), `second` takes it at once.
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if second.acquire("a").unwrap() {
            break;
        }
        assert!(Instant::now() < deadline, "the lease was never given up");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_submitted_instance_is_held_by_nobody_until_claimed_and_claims_take_at_most_the_limit() {
    let url = database!("submit");
    let producer = journal(&url, "producer", Duration::from_secs(60));
    for i in 0..5 {
        assert_eq!(
            producer.submit(&row(&format!("i{i}"))).unwrap(),
            Created::New
        );
    }
    let worker = PostgresJournal::builder(&url)
        .worker("worker")
        .claim_limit(3)
        .connect()
        .unwrap();
    assert!(worker.claim(&["other"]).unwrap().is_empty());
    let first: Vec<String> = worker
        .claim(&["loan"])
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(first, ["i0", "i1", "i2"]);
    let rest: Vec<String> = worker
        .claim(&["loan"])
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(rest, ["i3", "i4"]);
    assert!(worker.claim(&["loan"]).unwrap().is_empty());
    // The producer holds none of them.
    assert!(
        producer
            .commit(&[record("i0", "k#0", "1")])
            .unwrap_err()
            .refused_instances()
            == ["i0"]
    );
}

#[test]
fn concurrent_creates_go_together_and_each_id_is_created_once() {
    let url = database!("creates");
    let journal = Arc::new(journal(&url, "w", Duration::from_secs(60)));
    let commits = || -> i64 {
        sql(
            &url,
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
        )[0][0]
            .as_deref()
            .unwrap()
            .parse()
            .unwrap()
    };
    let before = commits();
    // 100 ids, each created by two of 200 threads at once: half of them held here
    // (`create`), half submitted for any worker.
    let barrier = Arc::new(std::sync::Barrier::new(200));
    let threads: Vec<_> = (0..200)
        .map(|n| {
            let (journal, barrier) = (Arc::clone(&journal), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let id = format!("c{}", n % 100);
                barrier.wait();
                let created = if n % 100 < 50 {
                    journal.create(&row(&id))
                } else {
                    journal.submit(&row(&id))
                };
                (id, created.unwrap())
            })
        })
        .collect();
    let mut new = HashSet::new();
    for thread in threads {
        let (id, created) = thread.join().unwrap();
        match created {
            Created::New => assert!(new.insert(id.clone()), "{id} created twice"),
            Created::Existing(row) => assert_eq!(row.id, id),
        }
    }
    assert_eq!(new.len(), 100, "every id created once");
    // Grouped: far fewer transactions than creates (reads of the statistics count).
    let transactions = commits() - before;
    assert!(
        transactions < 100,
        "{transactions} transactions for 200 creates"
    );
    // Held ones are held here, with their claim logged; submitted ones by nobody.
    let held = sql(
        &url,
        "SELECT count(*) FILTER (WHERE owner = 'w' AND fence = 1),
                count(*) FILTER (WHERE owner IS NULL AND fence = 0),
                (SELECT count(*) FROM workflow_owners WHERE owner = 'w' AND fence = 1)
         FROM workflow_instances",
    );
    assert_eq!(
        held[0],
        [
            Some("50".to_owned()),
            Some("50".to_owned()),
            Some("50".to_owned())
        ]
    );
    assert!(journal.commit(&[record("c0", "k#0", "1")]).is_ok());
    assert_eq!(
        journal
            .commit(&[record("c99", "k#0", "1")])
            .unwrap_err()
            .refused_instances(),
        ["c99"]
    );
}

#[test]
fn signals_are_read_in_order_after_a_cursor_and_announced() {
    let url = database!("signals");
    let journal = journal(&url, "w", Duration::from_secs(60));
    let other = PostgresJournal::connect(&url).unwrap();
    journal.create(&row("a")).unwrap();
    let (none, start) = journal.signals_after(None).unwrap();
    assert!(none.is_empty());
    // Heard at once, not after the poll's timeout.
    let listener = std::thread::spawn(move || {
        let started = Instant::now();
        journal.wait_for_signals(Duration::from_secs(20));
        (journal, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(200));
    let signal = |name: &str| SignalRow {
        instance: "a".to_owned(),
        name: name.to_owned(),
        type_name: "u32".to_owned(),
        payload: b"7".to_vec(),
    };
    assert_eq!(
        other.add_signal(&signal("review")).unwrap(),
        SignalAdded::Added
    );
    let (journal, waited) = listener.join().unwrap();
    assert!(waited < Duration::from_secs(10), "waited {waited:?}");
    assert_eq!(
        other.add_signal(&signal("review")).unwrap(),
        SignalAdded::Duplicate
    );
    assert_eq!(
        other.add_signal(&signal("payment")).unwrap(),
        SignalAdded::Added
    );
    let mut unknown = signal("x");
    unknown.instance = "nobody".to_owned();
    assert_eq!(
        other.add_signal(&unknown).unwrap(),
        SignalAdded::UnknownInstance
    );
    let (rows, next) = journal.signals_after(Some(start)).unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["review", "payment"]);
    assert!(journal.signals_after(Some(next)).unwrap().0.is_empty());
    assert_eq!(journal.signals("a").unwrap().len(), 2);
}

#[test]
fn a_damaged_record_is_an_error_naming_it() {
    let url = database!("damaged");
    let journal = journal(&url, "w", Duration::from_secs(60));
    journal.create(&row("a")).unwrap();
    journal.commit(&[record("a", "0.x.0#0", "1")]).unwrap();
    sql(&url, "UPDATE workflow_records SET value = '\\x32'");
    let error = journal.records("a").unwrap_err();
    assert!(
        error
            .message
            .contains("record \"0.x.0#0\" of instance \"a\" is damaged"),
        "{error}"
    );
}

#[test]
fn redrive_deletes_failed_records_and_takes_the_instance() {
    let url = database!("redrive");
    let journal = journal(&url, "w", Duration::from_secs(60));
    journal.create(&row("a")).unwrap();
    let mut failed = record("a", "0.y.0#0", "\"no\"");
    if let Write::Record(record) = &mut failed {
        record.ok = false;
    }
    journal
        .commit(&[
            record("a", "0.x.0#0", "1"),
            failed,
            Write::End {
                instance: "a".to_owned(),
                status: Status::Failed,
                output: Some(b"\"no\"".to_vec()),
                reason: Some("no".to_owned()),
            },
        ])
        .unwrap();
    assert!(!journal.redrive("nobody").unwrap());
    assert!(journal.redrive("a").unwrap());
    let row = journal.instance("a").unwrap().unwrap();
    assert_eq!((row.status, row.output), (Status::Running, None));
    let keys: Vec<String> = journal
        .records("a")
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(keys, ["0.x.0#0"]);
    // Held by this worker again: it can commit.
    journal.commit(&[record("a", "0.y.0#0", "2")]).unwrap();
}

#[test]
fn bad_urls_and_unreachable_servers_are_clear_errors() {
    let error = PostgresJournal::connect("postgresql://[::1").unwrap_err();
    assert!(error.message.contains("not a PostgreSQL URL"), "{error}");
    // A port nobody listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = PostgresJournal::connect(&format!("postgresql://u:secret@127.0.0.1:{port}/db"))
        .unwrap_err();
    assert!(
        error
            .message
            .starts_with(&format!("postgres journal 127.0.0.1:{port}/db: connect:")),
        "{error}"
    );
    assert!(!error.message.contains("secret"), "{error}");
}

#[test]
fn a_database_of_a_newer_schema_or_of_foreign_tables_is_refused() {
    let url = database!("schema");
    drop(journal(&url, "w", Duration::from_secs(60)));
    // Opening again is fine (migrations are idempotent).
    drop(journal(&url, "w", Duration::from_secs(60)));
    sql(&url, "UPDATE workflow_schema SET version = 99");
    let error = PostgresJournal::connect(&url).unwrap_err();
    assert!(
        error
            .message
            .contains("schema version 99, newer than this build's 1"),
        "{error}"
    );
    let foreign = database!("foreign");
    sql(&foreign, "CREATE TABLE workflow_instances (x INT)");
    let error = PostgresJournal::connect(&foreign).unwrap_err();
    assert!(error.message.contains("no schema version"), "{error}");
}

#[test]
fn workers_starting_together_migrate_once() {
    let url = database!("together");
    let workers: Vec<_> = (0..4)
        .map(|i| {
            let url = url.clone();
            std::thread::spawn(move || {
                PostgresJournal::builder(&url)
                    .worker(format!("w{i}"))
                    .connect()
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap().expect("every worker connects");
    }
    assert_eq!(
        sql(&url, "SELECT version::text FROM workflow_schema"),
        [[Some("1".to_owned())]]
    );
}

mod engine {
    //! The engine on the `PostgreSQL` journal: a worker that lost an instance, lost
    //! connections.

    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
    use std::time::Duration;

    use super::{journal, sql};
    use crate::durable::postgres::tests::testdb;
    use crate::durable::{BoxFuture, Context, Engine, Start, Status, Workflow, boxed, step};

    static SECOND_STEP_RUNS: AtomicUsize = AtomicUsize::new(0);
    static RELEASE_FIRST_RUN: AtomicBool = AtomicBool::new(false);

    /// `a`, then `b`; the first run of `b` waits until the test releases it.
    struct Held;

    impl Workflow for Held {
        const NAME: &'static str = "held";
        const STEPS: &'static [&'static str] = &["0.a.0", "0.b.0"];
        type Args = (u32,);
        type Output = u32;
        fn run(ctx: Context, (x,): (u32,)) -> BoxFuture<u32> {
            boxed(async move {
                let a = step(&ctx, "0.a.0", async move { x + 1 }).await;
                step(&ctx, "0.b.0", async move {
                    if SECOND_STEP_RUNS.fetch_add(1, SeqCst) == 0 {
                        while !RELEASE_FIRST_RUN.load(SeqCst) {
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                        // What the stalled worker would write: refused.
                        return a * 1000;
                    }
                    a * 10
                })
                .await
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_worker_that_lost_its_instance_cannot_commit_and_its_handle_follows_the_instance() {
        let url = database!("lost");
        let stalled = Engine::new(journal(&url, "stalled", Duration::from_secs(60)))
            .poll_signals_every(Duration::from_millis(20));
        let handle = stalled.start("i1", Start::<Held>::new((1,))).await.unwrap();
        while SECOND_STEP_RUNS.load(SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // The stalled worker's lease runs out; another worker takes the instance over.
        sql(
            &url,
            "UPDATE workflow_instances SET lease_until = now() - interval '1 second'",
        );
        let other = Engine::new(journal(&url, "other", Duration::from_secs(60)));
        other.register(|x: u32| Start::<Held>::new((x,)));
        assert_eq!(other.recover().await.unwrap(), ["i1"]);
        let taken = other
            .attach(|x: u32| Start::<Held>::new((x,)), "i1")
            .await
            .unwrap();
        assert_eq!(taken.result().await.unwrap(), 20);
        // The stalled worker goes on: its commit is refused, and its handle reports the
        // output of the worker that finished the instance.
        RELEASE_FIRST_RUN.store(true, SeqCst);
        assert_eq!(handle.result().await.unwrap(), 20);
        assert_eq!(stalled.status("i1").unwrap(), Some(Status::Finished));
        assert_eq!(
            sql(
                &url,
                "SELECT key, convert_from(value, 'UTF8'), fence::text FROM workflow_records ORDER BY seq"
            ),
            [
                [
                    Some("0.a.0#0".to_owned()),
                    Some("2".to_owned()),
                    Some("1".to_owned())
                ],
                [
                    Some("0.b.0#0".to_owned()),
                    Some("20".to_owned()),
                    Some("2".to_owned())
                ],
            ]
        );
    }

    /// Three steps in a row, to make commits.
    struct Chain;

    impl Workflow for Chain {
        const NAME: &'static str = "chain";
        const STEPS: &'static [&'static str] = &["0.a.0", "0.a.1", "0.a.2"];
        type Args = (u32,);
        type Output = u32;
        fn run(ctx: Context, (x,): (u32,)) -> BoxFuture<u32> {
            boxed(async move {
                let a = step(&ctx, "0.a.0", async move { x + 1 }).await;
                let b = step(&ctx, "0.a.1", async move { a * 2 }).await;
                step(&ctx, "0.a.2", async move { b + 3 }).await
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn connections_cut_under_running_instances_are_reconnected_and_nothing_is_lost() {
        let url = database!("cut");
        let engine = Engine::new(journal(&url, "w", Duration::from_secs(60)));
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let cutter = {
            let (url, stop) = (url.clone(), std::sync::Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut cuts = 0;
                while !stop.load(SeqCst) {
                    let killed = sql(
                        &url,
                        "SELECT count(pg_terminate_backend(pid))::text FROM pg_stat_activity
                         WHERE datname = current_database() AND pid <> pg_backend_pid()",
                    );
                    cuts += killed[0][0]
                        .as_deref()
                        .and_then(|n| n.parse::<u32>().ok())
                        .unwrap_or(0);
                    std::thread::sleep(Duration::from_millis(30));
                }
                cuts
            })
        };
        let mut handles = Vec::new();
        for i in 0..40u32 {
            handles.push(
                engine
                    .start(&format!("c{i}"), Start::<Chain>::new((i,)))
                    .await
                    .unwrap(),
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        for (i, handle) in (0u32..).zip(handles) {
            assert_eq!(handle.result().await.unwrap(), (i + 1) * 2 + 3);
        }
        stop.store(true, SeqCst);
        let cuts = cutter.join().unwrap();
        assert!(cuts > 0, "no connection was cut: the test proves nothing");
        for i in 0..40 {
            assert_eq!(
                engine.status(&format!("c{i}")).unwrap(),
                Some(Status::Finished)
            );
        }
        assert_eq!(
            sql(&url, "SELECT count(*)::text FROM workflow_records"),
            [[Some("120".to_owned())]]
        );
    }
}

mod fan_out {
    //! A fan-out whose items run on every worker.

    use std::collections::BTreeSet;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::time::Duration;

    use super::{journal, sql, try_sql};
    use crate::durable::postgres::tests::testdb;
    use crate::durable::{
        BoxFuture, Context, Engine, Start, Workflow, boxed, limited_items, scoped, step,
    };
    use crate::fan_out::fan_out;

    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    static MOST: AtomicUsize = AtomicUsize::new(0);
    static RAN_ON: Mutex<Vec<(u32, String)>> = Mutex::new(Vec::new());

    /// `before`, then 40 items (at most 4 at once), then `after`.
    struct Spread;

    impl Workflow for Spread {
        const NAME: &'static str = "spread";
        const STEPS: &'static [&'static str] = &["0.before.0", "1.xs", "1.xs.0", "2.after.0"];
        type Args = (u32,);
        type Output = (u32, Vec<u32>, u32);
        fn run(ctx: Context, (n,): (u32,)) -> BoxFuture<Self::Output> {
            boxed(async move {
                let base = step(&ctx, "0.before.0", async move { 1000 }).await;
                let ctx = &ctx;
                let outputs = fan_out(
                    limited_items(ctx, "1.xs", 0..n, Some(4)),
                    Some(4),
                    |(scope, x)| {
                        scoped(scope, async move {
                            step(ctx, "1.xs.0", async move {
                                let now = RUNNING.fetch_add(1, SeqCst) + 1;
                                MOST.fetch_max(now, SeqCst);
                                let worker =
                                    std::thread::current().name().unwrap_or("?").to_owned();
                                RAN_ON.lock().unwrap().push((x, worker));
                                tokio::time::sleep(Duration::from_millis(15)).await;
                                RUNNING.fetch_sub(1, SeqCst);
                                base + x
                            })
                            .await
                        })
                    },
                )
                .await;
                let after = step(ctx, "2.after.0", async move { 7 }).await;
                (base, outputs, after)
            })
        }
    }

    fn spread(n: u32) -> Start<Spread> {
        Start::new((n,))
    }

    /// A worker: its own thread (named), runtime and journal, serving until `stop`.
    fn worker(
        url: String,
        name: &'static str,
        stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) -> std::thread::JoinHandle<()> {
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let engine = Engine::new(journal(&url, name, Duration::from_secs(30)));
                    engine.register(spread);
                    engine.register(many);
                    engine.register(failing);
                    let serving = tokio::spawn({
                        let engine = engine.clone();
                        async move { engine.serve(Duration::from_millis(50)).await }
                    });
                    while !stop.load(SeqCst) {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                    serving.abort();
                });
            })
            .unwrap()
    }

    #[test]
    fn a_fan_outs_items_run_on_every_worker_within_the_limit_and_come_back_in_order() {
        let Some(url) = testdb::fresh_database("spread") else {
            return;
        };
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let workers = [
            worker(url.clone(), "worker-a", std::sync::Arc::clone(&stop)),
            worker(url.clone(), "worker-b", std::sync::Arc::clone(&stop)),
        ];
        let output = testdb::on_a_runtime_of_its_own({
            let url = url.clone();
            async move {
                // The submitter runs nothing: the workers do.
                let engine = Engine::new(
                    crate::durable::PostgresJournal::builder(&url)
                        .worker("submitter")
                        .connect()
                        .unwrap(),
                );
                assert!(engine.submit("s1", spread(40)).await.unwrap());
                let handle = engine.attach(spread, "s1").await.unwrap();
                handle.result().await.unwrap()
            }
        });
        stop.store(true, SeqCst);
        for worker in workers {
            worker.join().unwrap();
        }
        let expected: Vec<u32> = (0..40).map(|x| 1000 + x).collect();
        assert_eq!(output, (1000, expected, 7));
        assert!(
            MOST.load(SeqCst) <= 4,
            "{} items ran at once",
            MOST.load(SeqCst)
        );
        let ran = RAN_ON.lock().unwrap().clone();
        let items: BTreeSet<u32> = ran.iter().map(|(x, _)| *x).collect();
        assert_eq!(items.len(), 40, "every item ran");
        assert_eq!(ran.len(), 40, "no item ran twice: {ran:?}");
        // The submitter's `attach` took the instance (no worker held it yet) and runs
        // items too (`?`: its thread has no name). Each of the three holds at most half
        // the limit, so the items ran on at least two of them; which two depends on
        // who claims first (a CI run saw the submitter and worker-b run all 40).
        let workers: BTreeSet<&str> = ran.iter().map(|(_, w)| w.as_str()).collect();
        assert!(
            workers.len() >= 2,
            "the items ran on one runner only: {ran:?}"
        );
        assert_eq!(
            sql(
                &url,
                "SELECT running::text, closed::text FROM workflow_fan_outs"
            ),
            [[Some("0".to_owned()), Some("true".to_owned())]]
        );
    }

    static MANY_RUNNING: AtomicUsize = AtomicUsize::new(0);
    static MANY_MOST: AtomicUsize = AtomicUsize::new(0);
    static MANY_RUNS: AtomicUsize = AtomicUsize::new(0);

    /// `n` items, at most 64 at once, each a step that doubles it.
    struct Many;

    impl Workflow for Many {
        const NAME: &'static str = "many";
        const STEPS: &'static [&'static str] = &["0.xs", "0.xs.0"];
        type Args = (u32,);
        type Output = Vec<u64>;
        fn run(ctx: Context, (n,): (u32,)) -> BoxFuture<Self::Output> {
            boxed(async move {
                let ctx = &ctx;
                fan_out(
                    limited_items(ctx, "0.xs", 0..n, Some(64)),
                    Some(64),
                    |(scope, x)| {
                        scoped(scope, async move {
                            step(ctx, "0.xs.0", async move {
                                let now = MANY_RUNNING.fetch_add(1, SeqCst) + 1;
                                MANY_MOST.fetch_max(now, SeqCst);
                                MANY_RUNS.fetch_add(1, SeqCst);
                                tokio::task::yield_now().await;
                                MANY_RUNNING.fetch_sub(1, SeqCst);
                                u64::from(x) * 2
                            })
                            .await
                        })
                    },
                )
                .await
            })
        }
    }

    fn many(n: u32) -> Start<Many> {
        Start::new((n,))
    }

    static FAILING_RUNS: AtomicUsize = AtomicUsize::new(0);

    /// 400 items, at most 8 at once; item 40 fails.
    struct Failing;

    impl Workflow for Failing {
        const NAME: &'static str = "failing";
        const STEPS: &'static [&'static str] = &["0.xs", "0.xs.0"];
        type Args = ();
        type Output = Result<Vec<u32>, (usize, String)>;
        fn run(ctx: Context, (): ()) -> BoxFuture<Self::Output> {
            boxed(async move {
                let ctx = &ctx;
                crate::fan_out::try_fan_out(
                    limited_items(ctx, "0.xs", 0..400u32, Some(8)),
                    Some(8),
                    |(scope, x)| {
                        scoped(scope, async move {
                            step(ctx, "0.xs.0", async move {
                                FAILING_RUNS.fetch_add(1, SeqCst);
                                tokio::time::sleep(Duration::from_millis(10)).await;
                                if x == 40 {
                                    Err(format!("item {x} failed"))
                                } else {
                                    Ok(x)
                                }
                            })
                            .await
                        })
                    },
                )
                .await
            })
        }
        fn failure(output: &Self::Output) -> Option<String> {
            output
                .as_ref()
                .err()
                .map(|(index, error)| format!("item {index}: {error}"))
        }
    }

    fn failing() -> Start<Failing> {
        Start::new(())
    }

    /// Submits `start` as `id` from an engine that holds nothing, and waits for it.
    fn submit_and_wait<W: Workflow>(url: &str, id: &'static str, start: Start<W>) -> W::Output
    where
        W::Output: Send,
    {
        let url = url.to_owned();
        testdb::on_a_runtime_of_its_own(async move {
            let journal = crate::durable::PostgresJournal::builder(&url)
                .worker("submitter")
                .share_fan_outs(false)
                .connect()
                .unwrap();
            let engine = Engine::new(journal);
            assert!(engine.submit(id, start).await.unwrap());
            // Not `attach` (it would take the instance): wait for a worker to end it.
            let deadline = std::time::Instant::now() + Duration::from_secs(600);
            loop {
                assert!(
                    std::time::Instant::now() < deadline,
                    "instance {id} never ended"
                );
                let row = engine.status(id).unwrap().expect("the instance exists");
                if row != crate::durable::Status::Running {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let output = sql(
                &url,
                &format!(
                    "SELECT convert_from(output, 'UTF8') FROM workflow_instances WHERE id = '{id}'"
                ),
            );
            let output = output[0][0]
                .clone()
                .expect("an ended instance has an output");
            serde_json::from_str(&output).unwrap()
        })
    }

    #[test]
    fn a_fan_out_of_many_items_over_three_workers_holds_its_limit_in_the_database() {
        let Some(url) = testdb::fresh_database("many") else {
            return;
        };
        let n: u32 = std::env::var("WORKFLOW_FAN_OUT_ITEMS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(10_000);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let workers = ["many-a", "many-b", "many-c"]
            .map(|name| worker(url.clone(), name, std::sync::Arc::clone(&stop)));
        // The gauge, read from the database while the fan-out runs.
        let gauge = {
            let (url, stop) = (url.clone(), std::sync::Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut most = 0u32;
                let mut samples = 0u32;
                while !stop.load(SeqCst) {
                    // Until a worker made the tables, there is nothing to read.
                    let Ok(rows) = try_sql(
                        &url,
                        "SELECT (SELECT COALESCE(MAX(running), 0) FROM workflow_fan_outs)::text,
                                (SELECT count(*) FROM workflow_items WHERE state = 'running')::text",
                    ) else {
                        std::thread::sleep(Duration::from_millis(20));
                        continue;
                    };
                    for value in &rows[0] {
                        most = most.max(value.as_deref().unwrap_or("0").parse().unwrap_or(0));
                    }
                    samples += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                (most, samples)
            })
        };
        let started = std::time::Instant::now();
        let output = submit_and_wait(&url, "m1", many(n));
        let took = started.elapsed();
        stop.store(true, SeqCst);
        for worker in workers {
            worker.join().unwrap();
        }
        let (most, samples) = gauge.join().unwrap();
        eprintln!(
            "{n} items over 3 workers in {took:.1?}; at most {most} running (database, {samples} samples), \
             {} at once in the steps",
            MANY_MOST.load(SeqCst)
        );
        let expected: Vec<u64> = (0..u64::from(n)).map(|x| x * 2).collect();
        assert!(
            output == expected,
            "the outputs are not the items' in order"
        );
        assert!(most <= 64, "{most} items running at once in the database");
        assert!(MANY_MOST.load(SeqCst) <= 64);
        assert!(samples > 0);
        // Each item ran once (a worker that died would make it at least once).
        assert_eq!(MANY_RUNS.load(SeqCst), n as usize);
    }

    #[test]
    fn the_first_failing_item_ends_the_fan_out_on_every_worker() {
        let Some(url) = testdb::fresh_database("failing") else {
            return;
        };
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let workers = ["fail-a", "fail-b"]
            .map(|name| worker(url.clone(), name, std::sync::Arc::clone(&stop)));
        let output = submit_and_wait(&url, "f1", failing());
        // A moment for items claimed before the close to end.
        std::thread::sleep(Duration::from_millis(300));
        stop.store(true, SeqCst);
        for worker in workers {
            worker.join().unwrap();
        }
        assert_eq!(output, Err((40, "item 40 failed".to_owned())));
        let ran = FAILING_RUNS.load(SeqCst);
        assert!(ran < 200, "{ran} of 400 items ran after item 40 failed");
        assert_eq!(
            sql(&url, "SELECT closed::text FROM workflow_fan_outs"),
            [[Some("true".to_owned())]]
        );
        let pending = sql(
            &url,
            "SELECT count(*)::text FROM workflow_items WHERE state = 'pending'",
        );
        assert!(
            pending[0][0]
                .as_deref()
                .unwrap_or("0")
                .parse::<u32>()
                .unwrap()
                > 200,
            "most items never started: {pending:?}"
        );
    }
}

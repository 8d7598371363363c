//! A durable loan workflow, killed with SIGKILL in the middle of its fork and resumed
//! from its journal.
//!
//! Three checks run at the same time: the credit bureau, the income (fetch the payslips,
//! then verify them) and the documents (collect them, then wait for a person to review
//! them: a signal). Every step's result is journaled in `SQLite` under its compile-time
//! id (`0.credit.0`, `0.income.1`, ...).
//!
//! The example runs itself as a worker process twice:
//! 1. The first worker starts instance `loan-42`. As soon as it starts verifying the
//!    income, this process kills it with SIGKILL: the credit check, the payslips and
//!    the documents are journaled; the verification is lost mid-way.
//! 2. The second worker recovers the instance: the finished checks are not run again
//!    (their results come from the journal), the verification runs again, and the
//!    reviewer's approval arrives as a signal from another process: this one opens
//!    the same journal in an engine of its own and calls `engine.signal`, as a
//!    reviewer's web form would; the worker's engine picks the signal up from the
//!    journal (`Engine::poll_signals_every`).
//!
//! ```sh
//! cargo run -p workflow-example-durable --example durable_loan
//! ```

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use workflow_runtime::durable::{Context, Engine, SqliteJournal};
use workflow_runtime::{BranchError, workflow};

/// The application being checked.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Application {
    id: u32,
    applicant: String,
}

/// The reviewer's answer, the signal's payload.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Review {
    approved: bool,
    reviewer: String,
}

async fn check_credit(app: Application) -> Result<u32, String> {
    println!("step: checking the credit of {}", app.applicant);
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(720)
}

async fn fetch_payslips(app: Application) -> Vec<u32> {
    println!("step: fetching the payslips of application {}", app.id);
    tokio::time::sleep(Duration::from_millis(200)).await;
    vec![3_100, 3_150, 3_200]
}

async fn verify_income(payslips: Vec<u32>) -> u32 {
    println!("step: verifying the income");
    tokio::time::sleep(Duration::from_millis(400)).await;
    payslips.iter().sum::<u32>() / 3
}

async fn collect_documents(id: u32) -> Vec<String> {
    println!("step: collecting the documents of application {id}");
    tokio::time::sleep(Duration::from_millis(50)).await;
    vec!["passport.pdf".to_owned(), "utility-bill.pdf".to_owned()]
}

workflow! {
    /// The loan checks: credit, income and a person's review of the documents, at the
    /// same time; the loan is granted when all three agree.
    #[durable]
    pub async fn loan(ctx: Context, app: Application) -> Result<String, BranchError<String>> {
        fork <
            credit: check_credit(app.clone())?,
            income: fetch_payslips(app.clone()) -> verify_income,
            documents: collect_documents(app.id)
                -> |docs: Vec<String>| {
                    println!("step: {} documents wait for a reviewer", docs.len());
                    ctx.signal::<Review>("review")
                },
        > join(credit, income, documents)?;
        let granted = credit >= 650 && income >= 3_000 && documents.approved;
        Ok(format!(
            "application {} {}: credit {credit}, income {income}, documents reviewed by {}",
            app.id,
            if granted { "granted" } else { "refused" },
            documents.reviewer,
        ))
    }
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("worker") => worker(&PathBuf::from(
            std::env::args().nth(2).expect("journal path"),
        )),
        _ => supervise(),
    }
}

/// Runs the worker twice, kills the first mid-fork, approves the review in the second,
/// and checks which steps ran.
fn supervise() {
    let dir = std::env::temp_dir().join(format!("durable-loan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let journal = dir.join("loans.db");
    let mut log = Vec::new();

    println!("== worker 1: starts loan-42, killed with SIGKILL while it verifies the income");
    let (mut child, lines) = spawn_worker(&journal);
    for line in lines.lines().map_while(Result::ok) {
        println!("   worker 1 | {line}");
        let verifying = line.contains("verifying the income");
        log.push(line);
        if verifying {
            child.kill().expect("SIGKILL the worker");
            break;
        }
    }
    let status = child.wait().expect("the worker's status");
    println!("   worker 1 killed ({status})");

    println!("== worker 2: recovers loan-42 from the journal; the reviewer approves");
    let (mut child, lines) = spawn_worker(&journal);
    for line in lines.lines().map_while(Result::ok) {
        println!("   worker 2 | {line}");
        if line.contains("wait for a reviewer") {
            approve(&journal);
        }
        log.push(line);
    }
    let status = child.wait().expect("the worker's status");
    assert!(status.success(), "worker 2 failed: {status}");

    let ran = |step: &str| log.iter().filter(|l| l.contains(step)).count();
    println!("== steps run, over both workers:");
    for step in [
        "checking the credit",
        "fetching the payslips",
        "collecting the documents",
        "verifying the income",
    ] {
        println!("   {step}: {}", ran(step));
    }
    assert_eq!(ran("checking the credit"), 1, "a journaled step ran again");
    assert_eq!(
        ran("fetching the payslips"),
        1,
        "a journaled step ran again"
    );
    assert_eq!(
        ran("collecting the documents"),
        1,
        "a journaled step ran again"
    );
    assert_eq!(ran("verifying the income"), 2, "the killed step runs again");
    assert!(log.iter().any(|l| l.contains("granted")));
    std::fs::remove_dir_all(&dir).ok();
}

/// The reviewer's web form, in this process: an engine of its own on the worker's
/// journal sends the `review` signal to `loan-42`.
fn approve(journal: &Path) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let engine = Engine::new(SqliteJournal::open(journal).expect("open the journal"));
        let review = Review {
            approved: true,
            reviewer: "Grace".to_owned(),
        };
        engine
            .signal("loan-42", "review", &review)
            .await
            .expect("signal the review");
        println!("   reviewer | approved loan-42 (a signal from another process)");
    });
}

fn spawn_worker(journal: &Path) -> (Child, BufReader<ChildStdout>) {
    let mut child = Command::new(std::env::current_exe().expect("this program"))
        .arg("worker")
        .arg(journal)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start a worker");
    let stdout = BufReader::new(child.stdout.take().expect("the worker's stdout"));
    (child, stdout)
}

/// One worker process: opens the journal, resumes what is unfinished, and starts
/// `loan-42` (or attaches to it: the id is an idempotency key). The reviewer's signal
/// comes from another process through the journal.
#[tokio::main]
async fn worker(journal: &Path) {
    let engine = Engine::new(SqliteJournal::open(journal).expect("open the journal"))
        .poll_signals_every(Duration::from_millis(50));
    engine.register(loan);
    let resumed = engine.recover().await.expect("recover");
    if !resumed.is_empty() {
        println!("resumed {resumed:?} from the journal");
    }
    let app = Application {
        id: 42,
        applicant: "Ada".to_owned(),
    };
    let handle = engine.start("loan-42", loan(app)).await.expect("start");
    match handle.result().await.expect("the instance") {
        Ok(decision) => println!("{decision}"),
        Err(failure) => println!("failed: {failure}"),
    }
}

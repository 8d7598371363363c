//! The execution log of a `#[traced]` workflow (the loan application of `loan_checks`, with its
//! nested document fork), printed by `tracing-subscriber`'s fmt layer.
//!
//! Every line is stamped with the virtual time of tokio's paused clock, so the log is the
//! same at every run: the checks take 50, 30 and 40 ms and the join comes at 50 ms. The
//! span path before each message (`loan:fork:documents:fork:passport:`) says where in the
//! graph it happened. The second run fails the passport check and shows the failure, the
//! siblings it cancels and the join's error.
//!
//! ```sh
//! cargo run --example execution_log
//! RUST_LOG=debug cargo run --example execution_log   # with the steps' spans
//! ```

use std::fmt;
use std::time::Duration;

use tokio::time::{Instant, sleep};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use workflow_runtime::{BranchError, workflow};

/// The milliseconds since the first call, on tokio's (paused) clock.
struct VirtualTime(Instant);

impl FormatTime for VirtualTime {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        write!(w, "{:>4} ms", self.0.elapsed().as_millis())
    }
}

#[derive(Debug)]
struct CheckFailed(&'static str);

impl fmt::Display for CheckFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A check that answers after `ms` milliseconds, or fails when `fails` is set.
async fn check(what: &'static str, ms: u64, fails: bool) -> Result<&'static str, CheckFailed> {
    sleep(Duration::from_millis(ms)).await;
    if fails {
        return Err(CheckFailed("passport expired in 2023"));
    }
    tracing::info!("{what}: ok");
    Ok(what)
}

workflow! {
    /// Credit, documents (passport and utility bill, a nested fork) and employment,
    /// all at once.
    #[traced]
    async fn loan(passport_expired: bool) -> Result<String, BranchError<CheckFailed>> {
        fork <
            credit: check("credit bureau", 50, false)?,
            documents: fork <
                passport: check("passport", 20, passport_expired)?,
                utility: check("utility bill", 40, false)?,
            > join(passport, utility)? -> |p, u| async move { Ok::<_, CheckFailed>(format!("{p} + {u}")) }?,
            employment: check("employer", 30, false)?,
        > join(credit, documents, employment)?;
        Ok(format!("approved after {credit}, {documents}, {employment}"))
    }
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    tracing_subscriber::fmt()
        .with_max_level(match filter.as_str() {
            "debug" => tracing::Level::DEBUG,
            "trace" => tracing::Level::TRACE,
            _ => tracing::Level::INFO,
        })
        .with_timer(VirtualTime(Instant::now()))
        .with_target(false)
        .with_ansi(false)
        .init();

    println!("-- an application that passes every check");
    match loan(false).await {
        Ok(decision) => println!("=> {decision}"),
        Err(failure) => println!("=> rejected: {failure}"),
    }
    println!("-- an application with an expired passport");
    match loan(true).await {
        Ok(decision) => println!("=> {decision}"),
        Err(failure) => println!("=> rejected: {failure} ({})", failure.error()),
    }
}

//! The semantic promises of a fork: concurrency, cancellation, order of outputs,
//! failures naming their branch, background branches, and no hang at a join.
//! Time is tokio's paused clock: a test asserts virtual milliseconds exactly.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::time::{Instant, sleep};
use workflow_runtime::{BranchError, workflow};

mod support;
use support::{after, fail_after, ok_after};

fn elapsed_ms(start: Instant) -> u128 {
    start.elapsed().as_millis()
}

workflow! {
    /// Seed 003's background checks, scaled: 50, 30 and 40 ms.
    async fn three_checks() -> (u32, u32, u32) {
        fork <
            credit: after(50, 1),
            employment: after(30, 2),
            documents: after(40, 3),
        > join(credit, employment, documents);
        (credit, employment, documents)
    }
}

#[tokio::test(start_paused = true)]
async fn a_fork_takes_as_long_as_its_slowest_branch_not_the_sum() {
    let start = Instant::now();
    let outputs = three_checks().await;
    assert_eq!(outputs, (1, 2, 3));
    assert_eq!(
        elapsed_ms(start),
        50,
        "50/30/40 ms branches must finish at 50 ms, not 120 ms"
    );
}

workflow! {
    /// The critical path: max(10 + 40, max(15, 25), 30) = 50 ms.
    async fn nested_timing() -> u32 {
        fork <
            a: after(10, 1) -> |x| after(40, x + 1),
            b: fork <
                p: after(15, 10),
                q: after(25, 10),
            > join(p, q) -> |p, q| async move { p + q },
            c: after(30, 100),
        > join(a, b, c);
        a + b + c
    }
}

#[tokio::test(start_paused = true)]
async fn a_nested_fork_costs_its_critical_path() {
    let start = Instant::now();
    assert_eq!(nested_timing().await, 2 + 20 + 100);
    assert_eq!(elapsed_ms(start), 50);
}

workflow! {
    async fn nested_syntax() -> (u32, (u32, u32), u32) {
        fork <
            a: after(10, 1),
            documents: fork <
                passport: after(20, 2),
                utility: after(35, 3),
            > join(utility, passport),
            b: after(30, 4),
        > join(a, documents, b);
        (a, documents, b)
    }
}

#[tokio::test(start_paused = true)]
async fn a_nested_fork_hands_on_its_joined_outputs_in_join_order() {
    let start = Instant::now();
    let (a, documents, b) = nested_syntax().await;
    assert_eq!((a, b), (1, 4));
    assert_eq!(
        documents,
        (3, 2),
        "join(utility, passport) hands on (utility, passport)"
    );
    assert_eq!(elapsed_ms(start), 35);
}

async fn describe(first: u32, second: u32) -> String {
    format!("{first}-{second}")
}

workflow! {
    /// Outputs are bound by name, whichever branch finishes first.
    async fn outputs_by_name() -> (u32, u32, String) {
        fork <
            slow: after(30, 1),
            fast: after(10, 2),
            merged: fork <
                x: after(5, 7),
                y: after(1, 8),
            > join(y, x) -> describe,
        > join(fast, merged, slow);
        (slow, fast, merged)
    }
}

#[tokio::test(start_paused = true)]
async fn joined_outputs_are_bound_by_name_and_handed_on_in_join_order() {
    assert_eq!(outputs_by_name().await, (1, 2, "8-7".to_owned()));
}

/// Sets its flag when dropped: proves a branch's future was dropped (cancelled).
struct DropGuard(Arc<AtomicBool>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

async fn guarded_slow(guard: DropGuard, finished: Arc<AtomicBool>) -> Result<u32, String> {
    let _guard = guard;
    sleep(Duration::from_secs(10)).await;
    finished.store(true, Ordering::SeqCst);
    Ok(1)
}

workflow! {
    async fn fail_fast(dropped: Arc<AtomicBool>, finished: Arc<AtomicBool>) -> Result<u32, BranchError<String>> {
        fork <
            slow: guarded_slow(DropGuard(dropped), finished.clone())?,
            failing: fail_after(10, "service unavailable")?,
            fine: ok_after(5, 2)?,
        > join(slow, failing, fine)?;
        Ok(slow + failing + fine)
    }
}

#[tokio::test(start_paused = true)]
async fn the_first_failure_cancels_the_siblings_at_once_and_names_its_branch() {
    let dropped = Arc::new(AtomicBool::new(false));
    let finished = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let error = fail_fast(dropped.clone(), finished.clone())
        .await
        .expect_err("the failing branch fails the fork");
    assert_eq!(
        elapsed_ms(start),
        10,
        "the fork stops at the failure, not at the slow branch"
    );
    assert_eq!(error.branch(), "failing");
    assert_eq!(error.path(), "failing");
    assert_eq!(error.error(), "service unavailable");
    assert!(
        dropped.load(Ordering::SeqCst),
        "the slow sibling was dropped"
    );
    assert!(
        !finished.load(Ordering::SeqCst),
        "the slow sibling never ran to its end"
    );
}

workflow! {
    async fn nested_failure() -> Result<(u32, (u32, u32)), BranchError<String>> {
        fork <
            credit: ok_after(5, 1)?,
            documents: fork <
                passport: fail_after(10, "expired")?,
                utility: ok_after(1, 3)?,
            > join(passport, utility)?,
        > join(credit, documents)?;
        Ok((credit, documents))
    }
}

#[tokio::test(start_paused = true)]
async fn a_failure_in_a_nested_fork_names_the_whole_path() {
    let error = nested_failure().await.expect_err("passport fails");
    assert_eq!(error.path(), "documents.passport");
    assert_eq!(error.branch(), "passport");
    assert_eq!(error.into_error(), "expired");
}

workflow! {
    async fn failure_in_a_later_step() -> Result<u32, BranchError<String>> {
        fork <
            a: ok_after(1, 1)? -> |x| ok_after(1, x + 1)? -> |_| fail_after(1, "third step")?,
            b: after(100, 5),
        > join(a, b)?;
        Ok(a + b)
    }
}

#[tokio::test(start_paused = true)]
async fn a_failing_later_step_fails_its_branch() {
    let start = Instant::now();
    let error = failure_in_a_later_step()
        .await
        .expect_err("third step fails");
    assert_eq!((error.path(), error.error().as_str()), ("a", "third step"));
    assert_eq!(elapsed_ms(start), 3);
}

workflow! {
    async fn never_hangs() -> Result<u32, BranchError<String>> {
        fork <
            stuck: async { std::future::pending::<Result<u32, String>>().await }?,
            failing: fail_after(20, "boom")?,
        > join(stuck, failing)?;
        Ok(stuck + failing)
    }
}

#[tokio::test(start_paused = true)]
async fn a_failure_beside_a_branch_that_never_finishes_does_not_hang_the_join() {
    let outcome = tokio::time::timeout(Duration::from_secs(3600), never_hangs()).await;
    let error = outcome
        .expect("the join returns")
        .expect_err("the fork fails");
    assert_eq!(error.branch(), "failing");
}

workflow! {
    /// Seed 001: join on email and SMS; HTTP runs on and finishes before the return.
    async fn notify(log: Rc<RefCell<Vec<String>>>) -> u32 {
        let start = Instant::now();
        fork <
            email: after(10, 1),
            sms: after(20, 2),
            http: after(50, 3) -> |_| async {
                log.borrow_mut().push(format!("http done at {}", elapsed_ms(start)));
            },
        > join(email, sms) background(http);
        log.borrow_mut().push(format!("joined at {}", elapsed_ms(start)));
        email + sms
    }
}

#[tokio::test(start_paused = true)]
async fn a_background_branch_runs_on_past_the_join_and_ends_before_the_workflow() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let start = Instant::now();
    assert_eq!(notify(log.clone()).await, 3);
    assert_eq!(
        elapsed_ms(start),
        50,
        "the workflow waits for its background branch"
    );
    assert_eq!(*log.borrow(), ["joined at 20", "http done at 50"]);
}

workflow! {
    async fn early_return_with_background(done: Arc<AtomicBool>) -> Result<u32, String> {
        fork <
            a: after(1, 1),
            b: after(1, 2),
            c: after(30, 3) -> |_| async { done.store(true, Ordering::SeqCst) },
        > join(a, b) background(c);
        if a + b == 3 {
            return Err("early".to_owned());
        }
        let parsed: u32 = "7".parse().map_err(|_| "parse".to_owned())?;
        Ok(parsed)
    }
}

#[tokio::test(start_paused = true)]
async fn return_and_question_mark_after_a_join_still_wait_for_background_branches() {
    let done = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    assert_eq!(
        early_return_with_background(done.clone()).await,
        Err("early".to_owned())
    );
    assert!(
        done.load(Ordering::SeqCst),
        "background branch finished before the return"
    );
    assert_eq!(elapsed_ms(start), 30);
}

workflow! {
    async fn nested_background(log: &RefCell<Vec<&'static str>>) -> u32 {
        fork <
            outer: fork <
                quick: after(5, 1),
                audit: after(40, 0) -> |_| async { log.borrow_mut().push("audit") },
            > join(quick) background(audit) -> |q| async move {
                log.borrow_mut().push("after nested join");
                q + 1
            },
            other: after(10, 10),
        > join(outer, other);
        log.borrow_mut().push("after outer join");
        outer + other
    }
}

#[tokio::test(start_paused = true)]
async fn a_nested_background_branch_finishes_before_its_enclosing_branch() {
    let log = RefCell::new(Vec::new());
    let start = Instant::now();
    assert_eq!(nested_background(&log).await, 12);
    assert_eq!(elapsed_ms(start), 40);
    assert_eq!(
        *log.borrow(),
        ["after nested join", "audit", "after outer join"]
    );
}

workflow! {
    /// Seed 003's "multiple parallel sections", and Camunda's join-then-fork.
    async fn sections() -> u32 {
        fork <
            work1: after(10, 1),
            work2: after(20, 2),
        > join(work1, work2);
        fork <
            work3: after(5, work1 * 10),
            work4: after(5, work2 * 10),
        > join(work3, work4);
        work3 + work4
    }
}

#[tokio::test(start_paused = true)]
async fn sequential_forks_run_one_after_the_other_with_the_first_ones_outputs() {
    let start = Instant::now();
    assert_eq!(sections().await, 30);
    assert_eq!(elapsed_ms(start), 25);
}

workflow! {
    /// Join then fork at once inside a branch: the second fork's steps see the
    /// first fork's joined outputs.
    async fn join_then_fork_in_a_branch() -> u32 {
        fork <
            chain: fork <
                x: after(10, 2),
                y: after(10, 3),
            > join(x, y) -> fork <
                product: async { x * y },
                sum: async { x + y },
            > join(product, sum) -> |product, sum| async move { product * 100 + sum },
            other: after(5, 1),
        > join(chain, other);
        chain + other
    }
}

#[tokio::test(start_paused = true)]
async fn a_join_can_be_followed_at_once_by_a_fork_inside_a_branch() {
    assert_eq!(join_then_fork_in_a_branch().await, 606);
}

workflow! {
    async fn mutable_join() -> Vec<u32> {
        fork <
            a: async { vec![1, 2] },
            b: async { 3 },
        > join(mut a, b);
        a.push(b);
        a
    }
}

#[test]
fn joined_outputs_can_be_bound_mutably_and_run_on_any_executor() {
    assert_eq!(futures::executor::block_on(mutable_join()), [1, 2, 3]);
}

#[allow(clippy::unused_async)] // a step that panics before its first await
async fn boom() -> u32 {
    panic!("step exploded")
}

workflow! {
    async fn panicking() -> u32 {
        fork <
            a: boom(),
            b: after(10, 1),
        > join(a, b);
        a + b
    }
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "step exploded")]
async fn a_panicking_step_propagates_to_the_caller_instead_of_hanging() {
    panicking().await;
}

#[tokio::test(start_paused = true)]
async fn dropping_a_running_workflow_drops_every_branch() {
    let dropped = Arc::new(AtomicBool::new(false));
    let finished = Arc::new(AtomicBool::new(false));
    let workflow = fail_fast(dropped.clone(), finished.clone());
    // Cut the workflow off at 2 ms, before any branch has ended.
    let outcome = tokio::time::timeout(Duration::from_millis(2), workflow).await;
    assert!(outcome.is_err(), "timed out");
    assert!(
        dropped.load(Ordering::SeqCst),
        "the slow branch was dropped with the workflow"
    );
    assert!(!finished.load(Ordering::SeqCst));
}

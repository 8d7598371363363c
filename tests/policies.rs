//! Join policies: wait for all (default), settled (every outcome, typed), first of N
//! (WCP-9, the discriminator) and k of N (WCP-30, a partial join), on the paused clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::{Instant, sleep};
use workflow_runtime::{BranchError, Winner, workflow};

mod support;
use support::{after, fail_after, ok_after};

async fn io_fail(ms: u64) -> Result<u32, std::io::Error> {
    sleep(Duration::from_millis(ms)).await;
    Err(std::io::Error::other("disk full"))
}

/// Counts the branches dropped before they finished.
#[derive(Default)]
struct Dropped(AtomicUsize);

struct Guard<'a>(&'a Dropped, bool);

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if !self.1 {
            self.0.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

async fn guarded(dropped: &Dropped, ms: u64, value: u32) -> u32 {
    let mut guard = Guard(dropped, false);
    sleep(Duration::from_millis(ms)).await;
    guard.1 = true;
    value
}

workflow! {
    /// Every outcome comes back, each with its own error type; no branch is cancelled.
    async fn settled() -> (
        Result<u32, BranchError<String>>,
        Result<u32, BranchError<std::io::Error>>,
        Result<u32, BranchError<std::convert::Infallible>>,
    ) {
        fork <
            a: fail_after(10, "a failed")?,
            b: io_fail(20)?,
            c: after(30, 3),
        > join(a, b, c) settled;
        (a, b, c)
    }
}

#[tokio::test(start_paused = true)]
async fn a_settled_join_hands_on_every_outcome_and_cancels_nothing() {
    let start = Instant::now();
    let (a, b, c) = settled().await;
    assert_eq!(start.elapsed().as_millis(), 30, "waits for every branch");
    let a = a.expect_err("a fails");
    assert_eq!((a.branch(), a.error().as_str()), ("a", "a failed"));
    assert_eq!(b.expect_err("b fails").error().to_string(), "disk full");
    assert_eq!(c, Ok(3));
}

workflow! {
    async fn fastest(dropped: &Dropped) -> Winner<u32> {
        let winner = fork <
            eu: guarded(dropped, 30, 1),
            us: guarded(dropped, 10, 2),
            asia: guarded(dropped, 20, 3),
        > first(eu, us, asia);
        winner
    }
}

#[tokio::test(start_paused = true)]
async fn first_hands_on_the_fastest_branch_and_drops_the_others() {
    let dropped = Dropped::default();
    let start = Instant::now();
    let winner = fastest(&dropped).await;
    assert_eq!(
        winner,
        Winner {
            branch: "us",
            value: 2
        }
    );
    assert_eq!(start.elapsed().as_millis(), 10);
    assert_eq!(
        dropped.0.load(Ordering::SeqCst),
        2,
        "eu and asia were cancelled"
    );
}

workflow! {
    /// Redundant requests: the first to *succeed* wins; failures are set aside.
    async fn first_success(all_fail: bool) -> Result<Winner<u32>, BranchError<String>> {
        let winner = fork <
            primary: fail_after(5, "primary down")?,
            replica: async move {
                if all_fail { fail_after(20, "replica down").await } else { ok_after(20, 7).await }
            }?,
        > first(primary, replica)?;
        Ok(winner)
    }
}

#[tokio::test(start_paused = true)]
async fn first_waits_for_a_success_and_fails_only_when_every_branch_failed() {
    let winner = first_success(false).await.expect("the replica succeeds");
    assert_eq!((winner.branch, winner.value), ("replica", 7));
    let start = Instant::now();
    let error = first_success(true).await.expect_err("both fail");
    assert_eq!(
        (error.branch(), start.elapsed().as_millis()),
        ("replica", 20)
    );
}

workflow! {
    async fn two_of_three(dropped: Arc<Dropped>) -> [Winner<u32>; 2] {
        let winners = fork <
            a: guarded(&dropped, 30, 1),
            b: guarded(&dropped, 10, 2),
            c: guarded(&dropped, 20, 3),
        > quorum(2, a, b, c);
        winners
    }
}

#[tokio::test(start_paused = true)]
async fn a_quorum_hands_on_the_first_k_in_finishing_order_and_drops_the_rest() {
    let dropped = Arc::new(Dropped::default());
    let start = Instant::now();
    let [first, second] = two_of_three(dropped.clone()).await;
    assert_eq!((first.branch, second.branch), ("b", "c"));
    assert_eq!((first.value, second.value), (2, 3));
    assert_eq!(start.elapsed().as_millis(), 20);
    assert_eq!(dropped.0.load(Ordering::SeqCst), 1, "a was cancelled");
}

workflow! {
    async fn unreachable_quorum() -> Result<[Winner<u32>; 2], BranchError<String>> {
        let winners = fork <
            a: fail_after(5, "a down")?,
            b: fail_after(10, "b down")?,
            c: ok_after(1_000, 3)?,
        > quorum(2, a, b, c)?;
        Ok(winners)
    }
}

#[tokio::test(start_paused = true)]
async fn a_quorum_fails_as_soon_as_it_can_no_longer_be_reached() {
    let start = Instant::now();
    let error = unreachable_quorum().await.expect_err("only c can succeed");
    assert_eq!((error.branch(), start.elapsed().as_millis()), ("b", 10));
}

workflow! {
    /// `let` binds what a join hands on: for `join(...)`, the outputs in join order.
    async fn bound_join() -> (u32, u32) {
        let both = fork <
            a: after(1, 1),
            b: after(2, 2),
        > join(b, a);
        both
    }
}

#[tokio::test(start_paused = true)]
async fn a_join_can_be_bound_with_let() {
    assert_eq!(bound_join().await, (2, 1));
}

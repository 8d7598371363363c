//! Fan-out branches (Conductor's `DYNAMIC_FORK`, Step Functions' `Map`): one branch over a
//! collection known at run time, outputs in input order, an optional concurrency limit,
//! and fail-fast at any size.
#![allow(clippy::unused_async)] // the steps stand in for real async services

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::{Instant, sleep};
use workflow_runtime::{BranchError, workflow};

/// Counts the items running at once and remembers the most seen.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    most: AtomicUsize,
    started: AtomicUsize,
}

impl Gauge {
    async fn run(&self, ms: u64, value: u64) -> u64 {
        self.started.fetch_add(1, Ordering::SeqCst);
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        // Counts the item out when it ends or is dropped (cancelled).
        let _running = Running(&self.now);
        sleep(Duration::from_millis(ms)).await;
        value
    }
}

struct Running<'a>(&'a AtomicUsize);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn double(x: u64) -> u64 {
    x * 2
}

workflow! {
    /// Items finish in reverse order (the first sleeps longest); outputs keep input order.
    async fn scores(gauge: &Gauge, items: Vec<u64>) -> (Vec<u64>, u64) {
        fork <
            scored: for item in items => gauge.run(100 - item, item) -> double,
            other: gauge.run(1, 7),
        > join(scored, other);
        (scored, other)
    }
}

#[tokio::test(start_paused = true)]
async fn a_fan_out_returns_outputs_in_input_order_all_at_once() {
    let gauge = Gauge::default();
    let start = Instant::now();
    let (scored, other) = scores(&gauge, (1..=5).collect()).await;
    assert_eq!(scored, [2, 4, 6, 8, 10]);
    assert_eq!(other, 7);
    assert_eq!(
        start.elapsed().as_millis(),
        99,
        "the slowest item, not the sum"
    );
    assert_eq!(
        gauge.most.load(Ordering::SeqCst),
        6,
        "all 5 items and the sibling ran at once"
    );
}

workflow! {
    async fn limited(gauge: &Gauge, items: Vec<u64>) -> Vec<u64> {
        fork <
            #[limit(3)]
            scored: for item in items => gauge.run(10, item),
            _idle: async {},
        > join(scored, _idle);
        scored
    }
}

#[tokio::test(start_paused = true)]
async fn a_limit_caps_how_many_items_run_at_once() {
    let gauge = Gauge::default();
    let start = Instant::now();
    let scored = limited(&gauge, (0..10).collect()).await;
    assert_eq!(scored, (0..10).collect::<Vec<_>>());
    assert_eq!(
        gauge.most.load(Ordering::SeqCst),
        3,
        "never more than 3 at once"
    );
    assert_eq!(
        start.elapsed().as_millis(),
        40,
        "10 items of 10 ms, 3 at a time: 4 rounds"
    );
}

workflow! {
    async fn limited_at_run_time(gauge: &Gauge, limit: usize) -> usize {
        fork <
            #[limit(limit)]
            scored: for item in 0..20_u64 => gauge.run(5, item),
            _idle: async {},
        > join(scored, _idle);
        scored.len()
    }
}

#[tokio::test(start_paused = true)]
async fn a_limit_can_be_computed_at_run_time_and_zero_means_one() {
    let gauge = Gauge::default();
    assert_eq!(limited_at_run_time(&gauge, 4).await, 20);
    assert_eq!(gauge.most.load(Ordering::SeqCst), 4);
    let gauge = Gauge::default();
    assert_eq!(limited_at_run_time(&gauge, 0).await, 20);
    assert_eq!(gauge.most.load(Ordering::SeqCst), 1);
}

workflow! {
    async fn ten_thousand(n: u64) -> (usize, u64) {
        fork <
            items: for i in 0..n => async move { i * 3 },
            count: async { n },
        > join(items, count);
        (items.len(), items.iter().sum::<u64>() + count)
    }
}

#[tokio::test]
async fn ten_thousand_items_work() {
    let n = 10_000;
    assert_eq!(ten_thousand(n).await, (10_000, 3 * (n * (n - 1) / 2) + n));
}

async fn check(gauge: &Gauge, item: u64, failing: u64) -> Result<u64, String> {
    if item == failing {
        sleep(Duration::from_millis(5)).await;
        return Err(format!("item {item} is invalid"));
    }
    gauge.run(1_000, item).await;
    Ok(item)
}

workflow! {
    async fn one_bad_item(gauge: &Gauge, failing: u64, limit: usize) -> Result<usize, BranchError<String>> {
        fork <
            #[limit(limit)]
            checked: for item in 0..10_000 => check(gauge, item, failing)?,
            other: async { 1 },
        > join(checked, other)?;
        Ok(checked.len() + other)
    }
}

#[tokio::test(start_paused = true)]
async fn a_failure_among_ten_thousand_items_ends_the_fan_out_at_once() {
    let gauge = Gauge::default();
    let start = Instant::now();
    let error = one_bad_item(&gauge, 9_000, 10_000)
        .await
        .expect_err("item 9000 fails");
    assert_eq!(
        start.elapsed().as_millis(),
        5,
        "the failure ends the fan-out at 5 ms, not when the 9,000 items before it finish"
    );
    assert_eq!((error.path(), error.index()), ("checked", Some(9_000)));
    assert_eq!(error.to_string(), "branch `checked[9000]` failed");
    assert_eq!(error.error(), "item 9000 is invalid");
    assert_eq!(
        gauge.now.load(Ordering::SeqCst),
        0,
        "every running item was dropped"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failure_under_a_limit_stops_starting_new_items() {
    let gauge = Gauge::default();
    let error = one_bad_item(&gauge, 2, 4).await.expect_err("item 2 fails");
    assert_eq!(error.index(), Some(2));
    assert_eq!(
        gauge.started.load(Ordering::SeqCst),
        3,
        "items 0, 1, 3 started; none after the failure"
    );
}

/// The `join_all` family on the same 10,000 items, to show what the fan-out improves
/// on: `try_join_all` sees an error only once every earlier item has finished.
#[tokio::test(start_paused = true)]
async fn try_join_all_does_not_short_circuit_above_thirty_futures() {
    let gauge = Arc::new(Gauge::default());
    let start = Instant::now();
    let futures = (0..100).map(|item| check(&gauge, item, 90));
    let outcome = futures::future::try_join_all(futures).await;
    assert!(outcome.is_err());
    assert_eq!(
        start.elapsed().as_millis(),
        1_000,
        "try_join_all waited for the 90 items before the error"
    );
}

workflow! {
    async fn fan_out_with_later_steps(items: &[&str], suffix: &str) -> Vec<String> {
        fork <
            shouted: for item in items.iter() => async move { item.to_uppercase() } -> |s: String| async move { format!("{s}{suffix}") },
            _idle: async {},
        > join(shouted, _idle);
        shouted
    }
}

#[tokio::test]
async fn a_fan_out_item_runs_a_chain_of_steps_borrowing_the_workflows_parameters() {
    assert_eq!(
        fan_out_with_later_steps(&["a", "b"], "!").await,
        ["A!", "B!"]
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_a_workflow_drops_every_running_fan_out_item() {
    let gauge = Gauge::default();
    let outcome = tokio::time::timeout(
        Duration::from_millis(50),
        one_bad_item(&gauge, u64::MAX, 100),
    )
    .await;
    assert!(outcome.is_err(), "cut off at 50 ms");
    assert_eq!(
        gauge.started.load(Ordering::SeqCst),
        100,
        "the first 100 items started"
    );
    assert_eq!(
        gauge.now.load(Ordering::SeqCst),
        0,
        "and all of them were dropped with the workflow"
    );
}

workflow! {
    async fn on_any_executor(items: &[u32]) -> Vec<u32> {
        fork <
            #[limit(2)]
            doubled: for item in items => async move { item * 2 },
            _idle: async {},
        > join(doubled, _idle);
        doubled
    }
}

#[test]
fn a_fan_out_runs_on_any_executor() {
    assert_eq!(
        futures::executor::block_on(on_any_executor(&[1, 2, 3])),
        [2, 4, 6]
    );
}

//! Optional branches, timeouts and retries with backoff, on tokio's paused clock.
#![allow(clippy::unused_async)] // the steps stand in for real async services

use std::cell::Cell;
use std::time::Duration;

use tokio::time::{Instant, sleep};
use workflow_runtime::{BranchError, TimedOut, workflow};

mod support;
use support::after;

#[derive(Debug, PartialEq)]
enum CallError {
    Unavailable(u32),
    TimedOut(Duration),
}

impl From<TimedOut> for CallError {
    fn from(timed_out: TimedOut) -> Self {
        CallError::TimedOut(timed_out.after())
    }
}

async fn call(ms: u64, outcome: Result<u32, u32>) -> Result<u32, CallError> {
    sleep(Duration::from_millis(ms)).await;
    outcome.map_err(CallError::Unavailable)
}

/// Fails its first `failures` calls, then succeeds; counts calls and their start times.
struct Flaky {
    failures: u32,
    calls: Cell<u32>,
    started_at_ms: std::cell::RefCell<Vec<u128>>,
    start: Instant,
}

impl Flaky {
    fn new(failures: u32) -> Self {
        Flaky {
            failures,
            calls: Cell::new(0),
            started_at_ms: std::cell::RefCell::new(Vec::new()),
            start: Instant::now(),
        }
    }

    async fn call(&self, value: u32) -> Result<u32, CallError> {
        let attempt = self.calls.get() + 1;
        self.calls.set(attempt);
        self.started_at_ms
            .borrow_mut()
            .push(self.start.elapsed().as_millis());
        sleep(Duration::from_millis(1)).await;
        if attempt <= self.failures {
            Err(CallError::Unavailable(attempt))
        } else {
            Ok(value)
        }
    }
}

workflow! {
    /// Conductor's optional task: a failing optional branch is `None`, the flow goes on.
    async fn notify(sms_ok: bool) -> Result<(u32, Option<u32>), BranchError<CallError>> {
        fork <
            email: call(10, Ok(1))?,
            #[optional]
            sms: call(5, if sms_ok { Ok(2) } else { Err(503) })?,
        > join(email, sms)?;
        Ok((email, sms))
    }
}

#[tokio::test(start_paused = true)]
async fn an_optional_branch_turns_its_failure_into_none() {
    assert_eq!(notify(true).await, Ok((1, Some(2))));
    let start = Instant::now();
    assert_eq!(notify(false).await, Ok((1, None)));
    assert_eq!(
        start.elapsed().as_millis(),
        10,
        "the failure did not cancel the email branch"
    );
}

workflow! {
    /// An optional branch in a fork that cannot fail otherwise needs no `?` at the join.
    async fn only_optional_can_fail() -> (u32, Option<u32>) {
        fork <
            a: after(1, 1),
            #[optional]
            b: call(1, Err(500))?,
        > join(a, b);
        (a, b)
    }
}

#[tokio::test(start_paused = true)]
async fn a_fork_whose_only_failing_branch_is_optional_cannot_fail() {
    assert_eq!(only_optional_can_fail().await, (1, None));
}

workflow! {
    /// Seed 003's troubleshooting case: a step that never finishes no longer hangs the join.
    async fn stuck_step() -> Result<(u32, u32), BranchError<CallError>> {
        fork <
            quick: call(10, Ok(1))?,
            stuck: #[timeout(250ms)] async { std::future::pending::<Result<u32, CallError>>().await }?,
        > join(quick, stuck)?;
        Ok((quick, stuck))
    }
}

#[tokio::test(start_paused = true)]
async fn a_step_that_never_finishes_is_cut_off_by_its_timeout() {
    let start = Instant::now();
    let error = stuck_step().await.expect_err("the stuck step times out");
    assert_eq!(start.elapsed().as_millis(), 250);
    assert_eq!(error.branch(), "stuck");
    assert_eq!(
        error.error(),
        &CallError::TimedOut(Duration::from_millis(250))
    );
}

workflow! {
    /// A timeout on a whole branch, in a fork with no other fallible step: the error
    /// type is `TimedOut` itself.
    async fn slow_branch() -> Result<(u32, u32), BranchError<TimedOut>> {
        fork <
            fast: after(10, 1),
            #[timeout(1s)]
            slow: after(5_000, 2) -> |x| after(1, x),
        > join(fast, slow)?;
        Ok((fast, slow))
    }
}

#[tokio::test(start_paused = true)]
async fn a_branch_timeout_cuts_off_the_whole_branch() {
    let start = Instant::now();
    let error = slow_branch().await.expect_err("slow times out");
    assert_eq!(start.elapsed().as_millis(), 1_000);
    assert_eq!(
        (error.path(), error.error().after()),
        ("slow", Duration::from_secs(1))
    );
}

workflow! {
    async fn flaky(service: &Flaky) -> Result<(u32, u32), BranchError<CallError>> {
        fork <
            other: after(1, 1),
            value: #[retry(3, backoff = 10ms)] service.call(7)?,
        > join(other, value)?;
        Ok((other, value))
    }
}

#[tokio::test(start_paused = true)]
async fn a_retried_step_runs_again_with_exponential_backoff() {
    let service = Flaky::new(2);
    assert_eq!(flaky(&service).await, Ok((1, 7)));
    assert_eq!(service.calls.get(), 3, "two failures, then a success");
    // Attempts of 1 ms each, then waits of 10 ms and 20 ms: starts at 0, 11, 32.
    assert_eq!(*service.started_at_ms.borrow(), [0, 11, 32]);
}

#[tokio::test(start_paused = true)]
async fn a_retried_step_gives_up_after_its_count_with_the_last_error() {
    let service = Flaky::new(10);
    let error = flaky(&service).await.expect_err("never succeeds");
    assert_eq!(service.calls.get(), 4, "the first attempt and 3 retries");
    assert_eq!(error.error(), &CallError::Unavailable(4));
}

workflow! {
    /// Retry and timeout together: every attempt has its own timeout.
    async fn retry_each_attempt_with_a_timeout(slow_attempts: u32) -> Result<u32, BranchError<CallError>> {
        let attempts = Cell::new(0);
        fork <
            value: #[retry(2, backoff = 5ms)] #[timeout(100ms)] async {
                attempts.set(attempts.get() + 1);
                let ms = if attempts.get() <= slow_attempts { 1_000 } else { 1 };
                call(ms, Ok(attempts.get())).await
            }?,
            other: after(1, 0),
        > join(value, other)?;
        Ok(value + other)
    }
}

#[tokio::test(start_paused = true)]
async fn each_retry_attempt_gets_its_own_timeout() {
    let start = Instant::now();
    assert_eq!(retry_each_attempt_with_a_timeout(2).await, Ok(3));
    // Two attempts cut off at 100 ms, waits of 5 and 10 ms, then a 1 ms success.
    assert_eq!(start.elapsed().as_millis(), 100 + 5 + 100 + 10 + 1);
}

workflow! {
    /// A later step is retried with a clone of the value handed to it.
    async fn retry_a_later_step(service: &Flaky) -> Result<(u32, u32), BranchError<CallError>> {
        fork <
            value: after(1, 5) -> #[retry(1, backoff = 1ms)] |x: u32| service.call(x * 2)?,
            other: after(1, 1),
        > join(value, other)?;
        Ok((value, other))
    }
}

#[tokio::test(start_paused = true)]
async fn a_later_step_can_be_retried() {
    let service = Flaky::new(1);
    assert_eq!(retry_a_later_step(&service).await, Ok((10, 1)));
    assert_eq!(service.calls.get(), 2);
}

/// Whether a `CallError` is worth retrying: a 503 is, a 400 is not.
fn is_transient(error: &CallError) -> bool {
    matches!(error, CallError::Unavailable(503) | CallError::TimedOut(_))
}

/// Fails with the errors of `errors` in turn, then succeeds; counts its calls.
struct Failing {
    errors: Vec<u32>,
    calls: Cell<usize>,
}

impl Failing {
    async fn call(&self) -> Result<u32, CallError> {
        let attempt = self.calls.get();
        self.calls.set(attempt + 1);
        match self.errors.get(attempt) {
            Some(&code) => Err(CallError::Unavailable(code)),
            None => Ok(7),
        }
    }
}

workflow! {
    async fn only_transient(service: &Failing) -> Result<u32, BranchError<CallError>> {
        fork <
            value: #[retry(5, backoff = 10ms, if = is_transient)] service.call()?,
            other: after(1, 0),
        > join(value, other)?;
        Ok(value + other)
    }
}

#[tokio::test(start_paused = true)]
async fn a_permanent_error_is_not_retried() {
    let service = Failing {
        errors: vec![400],
        calls: Cell::new(0),
    };
    let start = Instant::now();
    let error = only_transient(&service).await.expect_err("a 400 is final");
    assert_eq!(error.error(), &CallError::Unavailable(400));
    assert_eq!(service.calls.get(), 1, "the 400 was not retried");
    assert_eq!(start.elapsed().as_millis(), 0, "and not waited for");
}

#[tokio::test(start_paused = true)]
async fn transient_errors_are_retried_until_a_permanent_one() {
    let service = Failing {
        errors: vec![503, 503, 400, 503],
        calls: Cell::new(0),
    };
    let start = Instant::now();
    let error = only_transient(&service)
        .await
        .expect_err("the 400 is final");
    assert_eq!(error.error(), &CallError::Unavailable(400));
    assert_eq!(service.calls.get(), 3, "two 503s retried, the 400 not");
    assert_eq!(start.elapsed().as_millis(), 10 + 20);
    let service = Failing {
        errors: vec![503, 503],
        calls: Cell::new(0),
    };
    assert_eq!(only_transient(&service).await, Ok(7));
    assert_eq!(service.calls.get(), 3);
}

workflow! {
    async fn capped(service: &Flaky) -> Result<u32, BranchError<CallError>> {
        fork <
            value: #[retry(5, backoff = 10ms, max = 25ms)] service.call(7)?,
            other: after(1, 0),
        > join(value, other)?;
        Ok(value + other)
    }
}

#[tokio::test(start_paused = true)]
async fn the_wait_stops_doubling_at_its_cap() {
    let service = Flaky::new(5);
    assert_eq!(capped(&service).await, Ok(7));
    // Attempts of 1 ms, then waits of 10, 20, 25, 25 and 25 ms (not 40, 80, 160).
    assert_eq!(*service.started_at_ms.borrow(), [0, 11, 32, 58, 84, 110]);
}

workflow! {
    async fn jittered(service: &Flaky) -> Result<u32, BranchError<CallError>> {
        fork <
            value: #[retry(4, backoff = 100ms, max = 400ms, jitter)] service.call(7)?,
            other: after(1, 0),
        > join(value, other)?;
        Ok(value + other)
    }
}

workflow! {
    /// 100 items that fail together, each a workflow with a jittered `#[retry]`.
    async fn fan_out_jittered(services: &[Flaky]) -> Vec<Option<u32>> {
        fork <
            items: for service in services => async move { jittered(service).await.ok() },
            other: after(1, 0),
        > join(items, other);
        items.into_iter().map(|item| item.map(|value| value + other)).collect()
    }
}

#[tokio::test(start_paused = true)]
async fn jittered_waits_stay_under_the_capped_backoff_and_do_not_come_back_in_lockstep() {
    // 100 fan-out items failing together: each retries on its own time.
    let services: Vec<Flaky> = (0..100).map(|_| Flaky::new(4)).collect();
    let outputs = fan_out_jittered(&services).await;
    assert_eq!(outputs, vec![Some(7); 100]);
    let mut first_retries = std::collections::HashSet::new();
    for service in &services {
        let started = service.started_at_ms.borrow();
        assert_eq!(started.len(), 5);
        // A wait is at most 100, 200, 400, 400 ms after an attempt of 1 ms.
        for (pair, ceiling) in started.windows(2).zip([100, 200, 400, 400]) {
            let wait = pair[1] - pair[0] - 1;
            assert!(wait <= ceiling, "waited {wait} ms, more than {ceiling} ms");
        }
        first_retries.insert(started[1]);
    }
    assert!(
        first_retries.len() > 50,
        "the first retries of 100 items came at only {} different milliseconds",
        first_retries.len()
    );
}

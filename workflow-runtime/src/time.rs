//! Timeouts and retries with exponential backoff, on tokio's timer.

use core::fmt;
use core::future::Future;
use core::time::Duration;

use crate::BranchError;

/// The error of a step or branch cut off by its `#[timeout(...)]`.
///
/// A step with a timeout is fallible (`step(x)?`); its error type takes a `TimedOut`
/// through `From`, as `Box<dyn Error>` and `anyhow::Error` do, or an enum with a
/// variant for it.
///
/// ```
/// use std::time::Duration;
/// use workflow_runtime::TimedOut;
///
/// let error = TimedOut::new(Duration::from_millis(250));
/// assert_eq!(error.after(), Duration::from_millis(250));
/// assert_eq!(error.to_string(), "timed out after 250ms");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut {
    after: Duration,
}

/// Journaled as its duration (a step of a `#[durable]` workflow may end in a
/// `TimedOut`, as `ctx.signal(..).timeout(d)` does).
#[cfg(feature = "durable")]
impl serde::Serialize for TimedOut {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&self.after, serializer)
    }
}

#[cfg(feature = "durable")]
impl<'de> serde::Deserialize<'de> for TimedOut {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <Duration as serde::Deserialize<'de>>::deserialize(deserializer).map(TimedOut::new)
    }
}

impl TimedOut {
    /// The error of something cut off after `after`.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let error = workflow_runtime::TimedOut::new(Duration::from_secs(2));
    /// assert_eq!(error.after().as_secs(), 2);
    /// ```
    pub const fn new(after: Duration) -> Self {
        TimedOut { after }
    }

    /// How long it was given.
    ///
    /// ```
    /// # use std::time::Duration;
    /// assert_eq!(workflow_runtime::TimedOut::new(Duration::ZERO).after(), Duration::ZERO);
    /// ```
    pub const fn after(&self) -> Duration {
        self.after
    }
}

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "timed out after {:?}", self.after)
    }
}

impl std::error::Error for TimedOut {}

/// An error type that a `#[timeout]` can fail with: one that takes a [`TimedOut`]
/// through `From`. Named in the error a user sees when the type cannot.
#[diagnostic::on_unimplemented(
    message = "a `#[timeout]` fails with a `TimedOut`, and the error type `{Self}` cannot take one",
    label = "`{Self}` does not implement `From<workflow_runtime::TimedOut>`",
    note = "use an error type of your own with `impl From<workflow_runtime::TimedOut> for MyError` (`String` cannot have one: both types are foreign), or `workflow_runtime::TimedOut` itself"
)]
pub trait TakesTimedOut: Sized {
    /// The error for a `TimedOut`.
    fn timed_out(error: TimedOut) -> Self;
}

impl<E: From<TimedOut>> TakesTimedOut for E {
    #[inline]
    fn timed_out(error: TimedOut) -> Self {
        E::from(error)
    }
}

/// What the expansion hands a timeout for its error: checked where it is written (at the
/// `#[timeout]`), so an error type that cannot take a [`TimedOut`] is one error there,
/// and the timeout's future is still well typed.
///
/// ```
/// use workflow_runtime::__private::timed_out;
/// let error: workflow_runtime::TimedOut = timed_out(workflow_runtime::TimedOut::new(std::time::Duration::from_secs(1)));
/// assert_eq!(error.to_string(), "timed out after 1s");
/// ```
#[inline]
pub fn timed_out<E: TakesTimedOut>(error: TimedOut) -> E {
    E::timed_out(error)
}

/// Runs a fallible step for at most `after`; then drops it and fails with [`TimedOut`],
/// made into the step's error by `into`.
pub async fn with_timeout<T, E>(
    after: Duration,
    step: impl Future<Output = Result<T, E>>,
    into: impl FnOnce(TimedOut) -> E,
) -> Result<T, E> {
    match tokio::time::timeout(after, step).await {
        Ok(output) => output,
        Err(_) => Err(into(TimedOut::new(after))),
    }
}

/// Runs a branch for at most `after`; then drops it and fails it with [`TimedOut`],
/// made into the branch's error by `into`.
pub async fn timeout_branch<T, E>(
    path: &'static str,
    after: Duration,
    branch: impl Future<Output = Result<T, BranchError<E>>>,
    into: impl FnOnce(TimedOut) -> E,
) -> Result<T, BranchError<E>> {
    match tokio::time::timeout(after, branch).await {
        Ok(output) => output,
        Err(_) => Err(BranchError::new(path, into(TimedOut::new(after)))),
    }
}

/// Runs `attempt()` until it succeeds or has been retried `retries` times, waiting
/// `backoff`, then twice as long, and so on, between attempts. Returns the last error.
pub async fn retry<T, E, Fut: Future<Output = Result<T, E>>>(
    retries: u32,
    backoff: Duration,
    mut attempt: impl FnMut() -> Fut,
) -> Result<T, E> {
    let mut wait = backoff;
    let mut left = retries;
    loop {
        match attempt().await {
            Ok(output) => return Ok(output),
            Err(error) if left == 0 => return Err(error),
            Err(_) => {
                left -= 1;
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
        }
    }
}

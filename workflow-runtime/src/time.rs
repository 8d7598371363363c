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
    attempt: impl FnMut() -> Fut,
) -> Result<T, E> {
    retry_if(retries, Backoff::new(backoff), attempt, always).await
}

/// Runs `attempt()` until it succeeds, has been retried `retries` times or fails with an
/// error `worth(&error)` says is not worth retrying, waiting as `policy` says between
/// attempts. Returns the last error. (`worth` comes after `attempt`: rustc then knows
/// the error type from the step when it checks a predicate closure against it.)
pub async fn retry_if<T, E, Fut: Future<Output = Result<T, E>>>(
    retries: u32,
    policy: Backoff,
    mut attempt: impl FnMut() -> Fut,
    mut worth: impl FnMut(&E) -> bool,
) -> Result<T, E> {
    let mut waits = policy.waits();
    let mut left = retries;
    loop {
        match attempt().await {
            Ok(output) => return Ok(output),
            Err(error) if left == 0 || !worth(&error) => return Err(error),
            Err(_) => {
                left -= 1;
                tokio::time::sleep(waits.next_wait()).await;
            }
        }
    }
}

/// The predicate of a `#[retry]` without `if = ...`: every error is worth retrying.
pub fn always<E>(_: &E) -> bool {
    true
}

/// How long a `#[retry]` waits before each retry: `backoff`, doubled at every retry, at
/// most `max`, and with `jitter` a uniformly random part of that ("full jitter": the
/// retries of many failures at the same instant spread over the whole wait instead of
/// coming back together).
///
/// ```
/// # use std::time::Duration;
/// use workflow_runtime::__private::Backoff;
///
/// let policy = Backoff::new(Duration::from_millis(10)).max(Duration::from_millis(30));
/// let mut waits = policy.waits();
/// let ms: Vec<_> = (0..4).map(|_| waits.next_wait().as_millis()).collect();
/// assert_eq!(ms, [10, 20, 30, 30]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    jitter: bool,
}

impl Backoff {
    /// Waits of `first`, then twice as long, and so on, with no cap and no jitter.
    pub const fn new(first: Duration) -> Self {
        Backoff {
            first,
            max: Duration::MAX,
            jitter: false,
        }
    }

    /// No wait longer than `max` (before jitter).
    #[must_use]
    pub const fn max(mut self, max: Duration) -> Self {
        self.max = max;
        self
    }

    /// Each wait a uniformly random duration between zero and the wait without jitter.
    #[must_use]
    pub const fn jitter(mut self) -> Self {
        self.jitter = true;
        self
    }

    /// The waits of one retried step, one per retry.
    pub fn waits(self) -> Waits {
        Waits {
            next: self.first,
            policy: self,
            random: if self.jitter { seed() } else { 0 },
        }
    }
}

/// The waits of one retried step, from [`Backoff::waits`].
#[derive(Debug)]
pub struct Waits {
    policy: Backoff,
    /// The wait before the next retry, without cap or jitter.
    next: Duration,
    /// The state of the jitter's xorshift generator (never zero with jitter).
    random: u64,
}

impl Waits {
    /// The wait before the next retry.
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next.min(self.policy.max);
        self.next = self.next.saturating_mul(2);
        if !self.policy.jitter {
            return wait;
        }
        // xorshift64* (Vigna): enough to spread retries, not for secrets.
        self.random ^= self.random >> 12;
        self.random ^= self.random << 25;
        self.random ^= self.random >> 27;
        part(wait, self.random.wrapping_mul(0x2545_F491_4F6C_DD1D))
    }
}

/// `wait` × `random` / 2^64: a duration in `[0, wait)`, uniform for a uniform `random`.
fn part(wait: Duration, random: u64) -> Duration {
    let nanos = wait.as_nanos();
    let (high, low) = (nanos >> 64, nanos & u128::from(u64::MAX));
    // At most `nanos`, which fits: a `Duration` holds under 2^94 nanoseconds.
    let scaled = high * u128::from(random) + ((low * u128::from(random)) >> 64);
    let secs = u64::try_from(scaled / 1_000_000_000).unwrap_or(u64::MAX);
    let subsec = u32::try_from(scaled % 1_000_000_000).unwrap_or(0);
    Duration::new(secs, subsec)
}

/// A seed for one retried step's jitter, different at every call: a count of the calls
/// hashed with the process's random hash keys. Never zero.
fn seed() -> u64 {
    use core::hash::{BuildHasher as _, Hasher as _};
    use core::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(CALLS.fetch_add(1, Ordering::Relaxed));
    hasher.finish() | 1
}

#[cfg(test)]
mod should {
    use super::*;

    fn ms(policy: Backoff, n: usize) -> Vec<u128> {
        let mut waits = policy.waits();
        (0..n).map(|_| waits.next_wait().as_millis()).collect()
    }

    #[test]
    fn double_the_wait_up_to_the_cap() {
        let first = Duration::from_millis(10);
        assert_eq!(ms(Backoff::new(first), 4), [10, 20, 40, 80]);
        let capped = Backoff::new(first).max(Duration::from_millis(25));
        assert_eq!(ms(capped, 4), [10, 20, 25, 25]);
    }

    #[test]
    fn jitter_within_the_capped_wait() {
        let policy = Backoff::new(Duration::from_millis(10))
            .max(Duration::from_millis(40))
            .jitter();
        for _ in 0..100 {
            let mut waits = policy.waits();
            for ceiling in [10, 20, 40, 40, 40] {
                let wait = waits.next_wait();
                assert!(
                    wait < Duration::from_millis(ceiling),
                    "{wait:?} ≥ {ceiling} ms"
                );
            }
        }
        let firsts: std::collections::HashSet<_> =
            (0..100).map(|_| policy.waits().next_wait()).collect();
        assert!(
            firsts.len() > 90,
            "only {} different first waits",
            firsts.len()
        );
    }

    #[test]
    fn saturate_and_scale_the_longest_durations() {
        let mut waits = Backoff::new(Duration::MAX).waits();
        assert_eq!(
            (waits.next_wait(), waits.next_wait()),
            (Duration::MAX, Duration::MAX)
        );
        assert_eq!(part(Duration::MAX, 0), Duration::ZERO);
        assert!(part(Duration::MAX, u64::MAX) < Duration::MAX);
        assert!(part(Duration::MAX, u64::MAX) > Duration::from_secs(u64::MAX - u64::MAX / 1_000));
        assert_eq!(
            part(Duration::from_secs(2), 1 << 63),
            Duration::from_secs(1)
        );
    }
}

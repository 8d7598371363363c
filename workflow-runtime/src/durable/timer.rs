//! Durable timers: the engine's clock, journaled deadlines, and the `#[timeout]` and
//! `#[retry]` of a `#[durable]` workflow's steps and branches.
//!
//! A deadline is journaled as an absolute time (milliseconds since the Unix epoch, read
//! from the engine's clock) the first time it is reached; a replay reads it back and
//! waits only for what is left (nothing once it has passed). The same code serves
//! [`Context::sleep`], [`Signal::timeout`](super::Signal::timeout), a step's and a
//! branch's `#[timeout]`, and the wait between the attempts of a `#[retry]`.
//!
//! The deadlines of timeouts and retries are journaled as failures (`ok = false`):
//! `Engine::redrive` deletes them with the failed steps, so a redriven step or branch
//! gets its whole time again.

use core::future::{Future, poll_fn};
use core::time::Duration;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use super::context::Context;
use super::instance::{Shared, current_scope};
use super::step::attempt_key;
use crate::time::{Backoff, always};
use crate::{BranchError, TimedOut};

/// Where an engine's instances read the time: `Engine::with_clock`.
pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Milliseconds since the Unix epoch (0 before it, `u64::MAX` far after it).
pub(crate) fn unix_ms(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The engine's time, in milliseconds since the Unix epoch.
pub(crate) fn now_ms(shared: &Shared) -> u64 {
    unix_ms((shared.path.clock)())
}

/// How long until `deadline_ms` by the engine's clock (zero once it has passed).
pub(crate) fn until(shared: &Shared, deadline_ms: u64) -> Duration {
    Duration::from_millis(deadline_ms.saturating_sub(now_ms(shared)))
}

/// The deadline `after` from now, journaled under `key` (with `ok`); a replay returns
/// the journaled deadline. Also returns the sequence number of the batch its record
/// goes in (0 on replay). `None` when the journaled deadline does not read: the
/// instance is aborted (parked), and the caller must wait for nothing more (pend),
/// neither running its step nor journaling another deadline.
pub(crate) fn deadline(
    shared: &Arc<Shared>,
    key: String,
    after: Duration,
    ok: bool,
) -> Option<(u64, u64)> {
    match shared.replayed::<u64>(&key) {
        Ok(Some(deadline)) => Some((deadline, 0)),
        Ok(None) => {
            let after_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX);
            let deadline = now_ms(shared).saturating_add(after_ms);
            Some((deadline, shared.journal_value(key, ok, &deadline)))
        }
        Err(()) => None,
    }
}

/// Waits until the batch `seq` is committed.
async fn committed(shared: &Shared, seq: u64) {
    poll_fn(|cx| shared.poll_committed(seq, cx.waker())).await;
}

/// A durable step's `#[timeout]`: the deadline is journaled under the step's key
/// (`<step key>/timeout#0`) when the step first starts, so a step resumed after a
/// restart gets only what is left of its time; once the deadline has passed it fails
/// with [`TimedOut`] without being polled. The step's outcome (a timeout too) is
/// journaled by the step wrapper around this.
#[doc(hidden)]
pub async fn timeout<T, E>(
    ctx: &Context,
    after: Duration,
    step: impl Future<Output = Result<T, E>>,
    into: impl FnOnce(TimedOut) -> E,
) -> Result<T, E> {
    let shared = &ctx.shared;
    let key = {
        let mut inner = shared.lock();
        Shared::value_key(&mut inner, "timeout")
    };
    let Some((deadline, _)) = deadline(shared, key, after, false) else {
        return core::future::pending().await;
    };
    let left = until(shared, deadline);
    if left.is_zero() {
        return Err(into(TimedOut::new(after)));
    }
    match tokio::time::timeout(left, step).await {
        Ok(output) => output,
        Err(_) => Err(into(TimedOut::new(after))),
    }
}

/// A durable branch's `#[timeout]`: the deadline is journaled under
/// `<scope><branch id>/timeout#<occurrence>` when the branch first starts, and how the
/// branch ended under the same key + `.timedout` (`true`: cut off; `false`: it ended in
/// time). A replay decides the same: a branch that timed out times out again at once,
/// one that ended in time replays without a timer, and one still running gets only
/// what is left of its time; once its deadline has passed (while the process was down)
/// it times out without its steps being polled.
#[doc(hidden)]
pub async fn timeout_branch<T, E>(
    ctx: &Context,
    id: &'static str,
    path: &'static str,
    after: Duration,
    branch: impl Future<Output = Result<T, BranchError<E>>>,
    into: impl FnOnce(TimedOut) -> E,
) -> Result<T, BranchError<E>> {
    let shared = &ctx.shared;
    let key = {
        let mut prefix = current_scope().map(|s| s.to_string()).unwrap_or_default();
        prefix.push_str(id);
        prefix.push_str("/timeout");
        Shared::occurrence_key(&mut shared.lock(), prefix)
    };
    let marker = format!("{key}.timedout");
    let end = |timed_out: bool| shared.journal_value(marker.clone(), false, &timed_out);
    let timed_out = || Err(BranchError::new(path, into(TimedOut::new(after))));
    match shared.replayed::<bool>(&marker) {
        Ok(Some(true)) => return timed_out(),
        Ok(Some(false)) => return branch.await,
        Ok(None) => {}
        Err(()) => return core::future::pending().await,
    }
    let Some((deadline, _)) = deadline(shared, key, after, false) else {
        return core::future::pending().await;
    };
    let left = until(shared, deadline);
    let output = if left.is_zero() {
        None
    } else {
        tokio::time::timeout(left, branch).await.ok()
    };
    match output {
        Some(output) => {
            // Committed before the workflow acts on it: a crash after a later step
            // started, with the deadline passed while the process was down, would
            // otherwise replay this branch as timed out.
            committed(shared, end(false)).await;
            output
        }
        None => {
            committed(shared, end(true)).await;
            timed_out()
        }
    }
}

/// A durable step's `#[retry]`: each attempt is an occurrence of the step `id` (its
/// outcome journaled by the step wrapper `attempt` builds); when one fails, the time
/// of the next attempt is journaled under the failed attempt's key (`<attempt
/// key>/retry#0`). A restart during the wait waits only for the rest of it; replayed
/// failed attempts whose next time has passed do not wait at all. The waits are
/// `backoff`, then twice as long, and so on; the last error is returned.
#[doc(hidden)]
pub async fn retry<T, E, Fut: Future<Output = Result<T, E>>>(
    ctx: &Context,
    id: &'static str,
    retries: u32,
    backoff: Duration,
    attempt: impl FnMut() -> Fut,
) -> Result<T, E> {
    retry_if(ctx, id, retries, Backoff::new(backoff), attempt, always).await
}

/// [`retry`] with the waits of `policy` (a cap, jitter) and only errors `worth(&error)`
/// says are worth retrying retried. A jittered wait is journaled as the absolute time
/// of the next attempt, as every wait is, so a replay waits until the same time; a
/// replayed failure is the journaled error, so `worth` decides the same.
#[doc(hidden)]
pub async fn retry_if<T, E, Fut: Future<Output = Result<T, E>>>(
    ctx: &Context,
    id: &'static str,
    retries: u32,
    policy: Backoff,
    mut attempt: impl FnMut() -> Fut,
    mut worth: impl FnMut(&E) -> bool,
) -> Result<T, E> {
    let shared = &ctx.shared;
    let mut waits = policy.waits();
    let mut left = retries;
    loop {
        // The key the attempt's step takes when it is first polled, just below.
        let key = attempt_key(&shared.lock(), current_scope(), id);
        match attempt().await {
            Ok(output) => return Ok(output),
            Err(error) if left == 0 || !worth(&error) => return Err(error),
            Err(_) => {
                left -= 1;
                let wait = waits.next_wait();
                let Some((next, seq)) = deadline(shared, format!("{key}/retry#0"), wait, false)
                else {
                    return core::future::pending().await;
                };
                tokio::time::sleep(until(shared, next)).await;
                committed(shared, seq).await;
            }
        }
    }
}

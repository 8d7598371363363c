//! Quorum joins: the first branch of N to succeed (a discriminator, in workflow-pattern
//! terms), or the first k of N (a partial join). The losers are
//! dropped, that is cancelled, as soon as the quorum is reached.

use core::future::Future;
use core::pin::Pin;
use core::task::Poll;

use crate::BranchError;

/// A branch that finished in time for a `first(...)` or `quorum(k, ...)` join: its
/// name and its output.
///
/// ```
/// use workflow_runtime::{workflow, Winner};
///
/// async fn mirror(name: &'static str, ms: u64) -> &'static str {
///     tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
///     name
/// }
///
/// workflow! {
///     async fn fastest() -> Winner<&'static str> {
///         let winner = fork <
///             eu: mirror("eu", 30),
///             us: mirror("us", 10),
///         > first(eu, us);
///         winner
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let winner = fastest().await;
/// assert_eq!((winner.branch, winner.value), ("us", "us"));
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Winner<T> {
    /// The branch's name.
    pub branch: &'static str,
    /// The branch's output.
    pub value: T,
}

/// A branch future, pinned where it was written, seen through `dyn` so that branches of
/// different future types fit in one array.
pub type Racer<'a, T, E> = Pin<&'a mut (dyn Future<Output = Result<T, BranchError<E>>> + 'a)>;

/// Unsizes a pinned branch future into a [`Racer`].
pub fn racer<'a, T, E, F>(future: Pin<&'a mut F>) -> Racer<'a, T, E>
where
    F: Future<Output = Result<T, BranchError<E>>> + 'a,
{
    future
}

/// Waits for the first `K` of the branches to succeed and returns them in the order they
/// finished; the rest are dropped when the returned future is. A failing branch is set
/// aside; once too few branches are left to reach `K`, the join fails with the last
/// failure. Allocates nothing: the winners wait in an array of `K` places. A panic in a
/// branch is raised again naming it (``branch `eu` panicked: ..``; a race is only
/// allowed on a fork of the workflow's body, so a branch's path is its name).
pub async fn quorum<const K: usize, const N: usize, T, E>(
    names: [&'static str; N],
    mut branches: [Racer<'_, T, E>; N],
) -> Result<[Winner<T>; K], BranchError<E>> {
    let winners = race::<K, N, T, E>(&names, |index, cx| branches[index].as_mut().poll(cx))
        .await
        .map_err(|(_, failure)| failure)?;
    Ok(winners.map(|(index, value)| Winner {
        branch: names[index],
        value,
    }))
}

/// The race behind [`quorum`] (and the durable one): polls the branches not finished
/// yet (`poll(index, cx)`) until `K` have succeeded, returned with their indices in the
/// order they finished, or until too few are left to reach `K`: then the last failure
/// and its index. A panic in a branch's poll is raised again naming it (`names`).
pub(crate) async fn race<const K: usize, const N: usize, T, E>(
    names: &[&'static str; N],
    mut poll: impl FnMut(usize, &mut core::task::Context<'_>) -> Poll<Result<T, BranchError<E>>>,
) -> Result<[(usize, T); K], (usize, BranchError<E>)> {
    const { assert!(K >= 1 && K <= N, "a quorum needs 1 <= k <= N") };
    let mut finished = [false; N];
    // The winners so far, in the order they finished, in `winners[..won]`.
    let mut winners: [Option<(usize, T)>; K] = [const { None }; K];
    let mut won = 0;
    let mut failures = 0;
    let mut last_failure = None;
    core::future::poll_fn(|cx| {
        for (index, done) in finished.iter_mut().enumerate() {
            if *done {
                continue;
            }
            // The branches are polled through `dyn`, out of line: a catch around each
            // poll changes nothing the optimiser could have inlined.
            let polled = crate::__private::catch_named!(at, *names, {
                at = index;
                poll(index, cx)
            });
            if let Poll::Ready(outcome) = polled {
                *done = true;
                match outcome {
                    Ok(value) => {
                        if let Some(place) = winners.get_mut(won) {
                            *place = Some((index, value));
                            won += 1;
                        }
                    }
                    Err(failure) => {
                        failures += 1;
                        last_failure = Some((index, failure));
                    }
                }
            }
            if won == K {
                return Poll::Ready(Ok(winners.each_mut().map(|winner| match winner.take() {
                    Some(winner) => winner,
                    None => unreachable!("the first K places hold the K winners"),
                })));
            }
            if N - failures < K
                && let Some(failure) = last_failure.take()
            {
                return Poll::Ready(Err(failure));
            }
        }
        Poll::Pending
    })
    .await
}

/// [`quorum`] of one.
pub async fn first<const N: usize, T, E>(
    names: [&'static str; N],
    branches: [Racer<'_, T, E>; N],
) -> Result<Winner<T>, BranchError<E>> {
    let [winner] = quorum::<1, N, T, E>(names, branches).await?;
    Ok(winner)
}

//! `first`/`quorum` joins in a `#[durable]` workflow: the race's decision is journaled
//! before the workflow acts on it, and a replay waits for exactly the journaled winners.
//!
//! The decision is keyed `<scope><fork id>#<occurrence>` like a step. Each racing
//! branch runs in a scope of its own, `<decision key>[<branch index>]/`, so that a
//! loser's steps and context values never take the occurrence numbers of another
//! branch's, or of a later run of the same race (a loop).

use core::future::{Future, pending, poll_fn};
use core::pin::Pin;
use core::task::Poll;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::context::Context;
use super::error::Error;
use super::instance::{ScopeGuard, Shared, StepGuard, Stored, current_scope, push_number};
use super::step::next_key;
use crate::{BranchError, Winner};

/// The type name a race's decision is journaled under.
const DECISION: &str = "workflow_runtime::durable::RaceDecision";

/// What a race decided, as journaled: `{"won": [[1, "us"], [0, "eu"]]}` (its winners
/// in the order they finished) or `{"failed": [[2, "asia"]]}` (the branch whose failure
/// failed it). A branch is its index among the racing branches and its name (checked
/// on replay).
type Decision = BTreeMap<String, Vec<(usize, String)>>;

const WON: &str = "won";
const FAILED: &str = "failed";

/// A journaled decision, checked against the race's branches.
enum Plan {
    /// These branches won, in this order.
    Won(Vec<usize>),
    /// This branch's failure failed the race.
    Failed(usize),
}

/// A racing branch of a durable workflow, pinned where it is written and `Send` (the body
/// of a durable workflow runs as a task of the engine).
pub type Racer<'a, T, E> =
    Pin<&'a mut (dyn Future<Output = Result<T, BranchError<E>>> + Send + 'a)>;

/// Unsizes a pinned branch future into a [`Racer`].
#[doc(hidden)]
#[inline]
pub fn racer<'a, T, E, F>(future: Pin<&'a mut F>) -> Racer<'a, T, E>
where
    F: Future<Output = Result<T, BranchError<E>>> + Send + 'a,
{
    future
}

/// [`quorum`] of one: the durable `first(...)` join.
#[doc(hidden)]
pub async fn first<const N: usize, T, E>(
    ctx: &Context,
    id: &'static str,
    names: [&'static str; N],
    branches: [Racer<'_, T, E>; N],
) -> Result<Winner<T>, BranchError<E>> {
    let [winner] = quorum::<1, N, T, E>(ctx, id, names, branches).await?;
    Ok(winner)
}

/// The durable `quorum(k, ...)` join of the fork `id`: the first `K` branches to
/// succeed, in the order they finished; a failing branch is set aside, and once too few
/// are left to reach `K` the race fails with the last failure.
///
/// The first run journals the decision (the winners, or the failing branch) and
/// completes once it is committed. A replay that finds the decision polls only the
/// journaled winners (or the failing branch), whose steps replay, and returns their
/// outputs in the journaled order; the other branches are never polled, so none of
/// their steps runs again. A decision that does not fit the race (a branch index out of
/// range, another name at that index, another number of winners) parks the instance.
#[doc(hidden)]
pub async fn quorum<const K: usize, const N: usize, T, E>(
    ctx: &Context,
    id: &'static str,
    names: [&'static str; N],
    mut branches: [Racer<'_, T, E>; N],
) -> Result<[Winner<T>; K], BranchError<E>> {
    const { assert!(K >= 1 && K <= N, "a quorum needs 1 <= k <= N") };
    let shared = &ctx.shared;
    let scope = current_scope();
    let (key, stored) = {
        let mut inner = shared.lock();
        let key = next_key(&mut inner, scope, id);
        let stored = inner.records.remove(&key);
        (key, stored)
    };
    let scopes: [Arc<str>; N] = core::array::from_fn(|index| {
        let mut prefix = String::with_capacity(key.len() + 8);
        prefix.push_str(&key);
        prefix.push('[');
        push_number(&mut prefix, index as u64);
        prefix.push_str("]/");
        Arc::from(prefix)
    });
    let outcome = match stored {
        Some(stored) => match plan(shared, &key, &stored, &names, K) {
            Ok(plan) => replay(shared, &key, &scopes, &names, &mut branches, &plan).await,
            Err(error) => Err(error),
        },
        None => run(shared, key, &scopes, &names, &mut branches).await,
    };
    match outcome {
        Ok(outcome) => outcome,
        Err(error) => {
            // The driver ends the instance with the error and drops the body.
            shared.abort(error);
            pending().await
        }
    }
}

/// Polls branch `index` in its scope.
fn poll_branch<T, E>(
    scopes: &[Arc<str>],
    branches: &mut [Racer<'_, T, E>],
    index: usize,
    cx: &mut core::task::Context<'_>,
) -> Poll<Result<T, BranchError<E>>> {
    let _scope = ScopeGuard::enter(Some(Arc::clone(&scopes[index])));
    let _step = StepGuard::enter(None);
    branches[index].as_mut().poll(cx)
}

/// The first run: the race `crate::race::quorum` runs (`crate::race::race`), then its decision
/// journaled and committed.
async fn run<const K: usize, const N: usize, T, E>(
    shared: &Arc<Shared>,
    key: String,
    scopes: &[Arc<str>; N],
    names: &[&'static str; N],
    branches: &mut [Racer<'_, T, E>; N],
) -> Result<Result<[Winner<T>; K], BranchError<E>>, Error> {
    let outcome = crate::race::race::<K, N, T, E>(names, |index, cx| {
        poll_branch(scopes, branches, index, cx)
    })
    .await;
    let decision: Decision = match &outcome {
        Ok(winners) => [(
            WON.to_owned(),
            winners
                .iter()
                .map(|(index, _)| (*index, names[*index].to_owned()))
                .collect(),
        )]
        .into(),
        Err((index, _)) => [(FAILED.to_owned(), vec![(*index, names[*index].to_owned())])].into(),
    };
    let bytes = serde_json::to_vec(&decision).map_err(|e| shared.unserializable(&key, &e))?;
    let seq = shared.enqueue(shared.record(key, outcome.is_ok(), DECISION, bytes));
    poll_fn(|cx| shared.poll_committed(seq, cx.waker())).await;
    Ok(match outcome {
        Ok(winners) => Ok(winners.map(|(index, value)| Winner {
            branch: names[index],
            value,
        })),
        Err((_, failure)) => Err(failure),
    })
}

/// A replay with the decision: only the journaled branches are polled.
async fn replay<const K: usize, const N: usize, T, E>(
    shared: &Shared,
    key: &str,
    scopes: &[Arc<str>; N],
    names: &[&'static str; N],
    branches: &mut [Racer<'_, T, E>; N],
    plan: &Plan,
) -> Result<Result<[Winner<T>; K], BranchError<E>>, Error> {
    let diverged = |index: usize, what: &str| Error::Incompatible {
        instance: shared.id.clone(),
        step: key.to_owned(),
        reason: format!(
            "the journal says branch `{}` {what} the race, but on replay it did not",
            names[index]
        ),
    };
    // A panic in a replayed branch names it, as in the first run (`crate::race::race`).
    let poll_branch = |scopes: &[Arc<str>],
                       branches: &mut [Racer<'_, T, E>],
                       index: usize,
                       cx: &mut core::task::Context<'_>| {
        crate::__private::catch_named!(at, *names, {
            at = index;
            poll_branch(scopes, branches, index, cx)
        })
    };
    let mut slots: [Option<Winner<T>>; K] = [const { None }; K];
    poll_fn(|cx| match plan {
        Plan::Failed(index) => match poll_branch(scopes, branches, *index, cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(failure)) => Poll::Ready(Ok(Err(failure))),
            Poll::Ready(Ok(_)) => Poll::Ready(Err(diverged(*index, "failed"))),
        },
        Plan::Won(order) => {
            for (slot, &index) in slots.iter_mut().zip(order) {
                if slot.is_some() {
                    continue;
                }
                match poll_branch(scopes, branches, index, cx) {
                    Poll::Pending => {}
                    Poll::Ready(Ok(value)) => {
                        let branch = names[index];
                        *slot = Some(Winner { branch, value });
                    }
                    Poll::Ready(Err(_)) => return Poll::Ready(Err(diverged(index, "won"))),
                }
            }
            if slots.iter().any(Option::is_none) {
                return Poll::Pending;
            }
            Poll::Ready(Ok(Ok(slots.each_mut().map(|slot| match slot.take() {
                Some(winner) => winner,
                None => unreachable!("every place holds its winner"),
            }))))
        }
    })
    .await
}

/// Reads the journaled decision and checks it against the race's branches.
fn plan(
    shared: &Shared,
    key: &str,
    stored: &Stored,
    names: &[&'static str],
    k: usize,
) -> Result<Plan, Error> {
    let incompatible = |reason: String| Error::Incompatible {
        instance: shared.id.clone(),
        step: key.to_owned(),
        reason,
    };
    if stored.type_name != DECISION {
        return Err(incompatible(format!(
            "it was journaled as a `{}`, the code now races branches there",
            stored.type_name
        )));
    }
    let decision: Decision =
        serde_json::from_slice(&stored.value).map_err(|error| Error::Corrupt {
            instance: shared.id.clone(),
            key: key.to_owned(),
            message: error.to_string(),
        })?;
    let branch = |(index, name): &(usize, String)| -> Result<usize, Error> {
        match names.get(*index) {
            None => Err(incompatible(format!(
                "the journaled race decision names branch {index} (`{name}`), but the race \
                 has {} branches (`{}`)",
                names.len(),
                names.join("`, `")
            ))),
            Some(found) if found != name => Err(incompatible(format!(
                "the journaled race decision names branch {index} `{name}`, but the race's \
                 branch {index} is `{found}`"
            ))),
            Some(_) => Ok(*index),
        }
    };
    if let Some(failed) = decision.get(FAILED) {
        return match failed.as_slice() {
            [failed] => branch(failed).map(Plan::Failed),
            _ => Err(incompatible(
                "the journaled race decision names no single failing branch".to_owned(),
            )),
        };
    }
    let winners = decision.get(WON).map_or(&[][..], Vec::as_slice);
    if winners.len() != k {
        return Err(incompatible(format!(
            "the journaled race decision has {} winners, the race now waits for {k}",
            winners.len()
        )));
    }
    let mut order = Vec::with_capacity(k);
    for winner in winners {
        let index = branch(winner)?;
        if order.contains(&index) {
            return Err(incompatible(format!(
                "the journaled race decision names branch {index} (`{}`) twice",
                winner.1
            )));
        }
        order.push(index);
    }
    Ok(Plan::Won(order))
}

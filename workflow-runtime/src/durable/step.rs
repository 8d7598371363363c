//! The step wrappers the `#[durable]` expansion puts around every step, and the
//! fan-out's scopes.

use core::fmt::Display;
use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context as TaskContext, Poll};
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::context::Context;
use super::instance::{ScopeGuard, StepGuard, current_scope, push_number};

/// A value the journal can hold: `Serialize + DeserializeOwned + Send + 'static`.
/// Every durable step's output, a workflow's arguments and output, a fan-out's items
/// and a signal's payload are journaled with serde (as JSON).
///
/// ```
/// fn journaled<T: workflow_runtime::durable::Journaled>() {}
/// journaled::<Result<Vec<String>, u32>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "the output of a durable step is journaled with serde: `{Self}` is not `Serialize + DeserializeOwned`",
    label = "this value is journaled",
    note = "derive `serde::Serialize` and `serde::Deserialize` for it (it must also be `Send + 'static`), or make the step return a type that is"
)]
pub trait Journaled: Serialize + DeserializeOwned + Send + 'static {}

impl<T: Serialize + DeserializeOwned + Send + 'static> Journaled for T {}

/// A workflow's body, boxed: what `Workflow::run` returns.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Boxes a workflow's body.
///
/// ```
/// let body: workflow_runtime::durable::BoxFuture<u8> = workflow_runtime::durable::boxed(async { 1 });
/// assert_eq!(futures::executor::block_on(body), 1);
/// ```
#[doc(hidden)]
#[inline]
pub fn boxed<F: Future + Send + 'static>(body: F) -> BoxFuture<F::Output> {
    Box::pin(body)
}

/// Why a workflow's output is a failure: the `Err`'s `Display`.
///
/// ```
/// use workflow_runtime::durable::failure_of;
///
/// assert_eq!(failure_of(&Err::<u8, _>("no credit")), Some("no credit".to_owned()));
/// assert_eq!(failure_of(&Ok::<u8, String>(1)), None);
/// ```
#[doc(hidden)]
pub fn failure_of<T, E: Display>(output: &Result<T, E>) -> Option<String> {
    output.as_ref().err().map(ToString::to_string)
}

/// Where a fan-out item's steps are keyed: the item's key prefix
/// (`<fan-out key>[<index>]/`). Made by [`items`], used by [`scoped`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    prefix: Arc<str>,
}

impl Scope {
    /// The key prefix, e.g. `0.files#0[3]/`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}

enum State<T> {
    Start,
    Run(Arc<str>),
    Wait(u64, Option<T>),
    Done,
}

pin_project_lite::pin_project! {
    /// A durable step: replays its journaled result, or runs the step and completes
    /// once its result is committed. Made by [`step`] and [`try_step`].
    #[must_use = "a step does nothing unless polled"]
    pub struct Step<F: Future> {
        ctx: Context,
        id: &'static str,
        ok: fn(&F::Output) -> bool,
        state: State<F::Output>,
        #[pin]
        future: Option<F>,
    }
}

/// Wraps the step `id`: the future completes with the step's output, which is
/// journaled under `<scope><id>#<occurrence>`; on replay the journaled output comes
/// back without polling `future` (it is dropped).
#[doc(hidden)]
#[inline]
pub fn step<F>(ctx: &Context, id: &'static str, future: F) -> Step<F::IntoFuture>
where
    F: IntoFuture,
    F::Output: Journaled,
{
    Step {
        ctx: ctx.clone(),
        id,
        ok: |_| true,
        state: State::Start,
        future: Some(future.into_future()),
    }
}

/// [`step`] for a fallible step (marked `?`): an `Err` is journaled with `ok = false`,
/// so `Engine::redrive` runs the step again.
#[doc(hidden)]
#[inline]
pub fn try_step<F, T, E>(ctx: &Context, id: &'static str, future: F) -> Step<F::IntoFuture>
where
    F: IntoFuture<Output = Result<T, E>>,
    Result<T, E>: Journaled,
{
    Step {
        ctx: ctx.clone(),
        id,
        ok: Result::is_ok,
        state: State::Start,
        future: Some(future.into_future()),
    }
}

/// The key of the next occurrence of (`scope`, `id`), taking it.
pub(super) fn next_key(
    inner: &mut super::instance::Inner,
    scope: Option<Arc<str>>,
    id: &'static str,
) -> String {
    let mut key = key_prefix(scope.as_deref(), id);
    let n = inner.steps.entry((scope, id)).or_insert(0);
    let occurrence = *n;
    *n += 1;
    push_number(&mut key, occurrence);
    key
}

/// The key the next occurrence of (`scope`, `id`) will take (taking none).
pub(crate) fn attempt_key(
    inner: &super::instance::Inner,
    scope: Option<Arc<str>>,
    id: &'static str,
) -> String {
    let mut key = key_prefix(scope.as_deref(), id);
    let occurrence = inner.steps.get(&(scope, id)).copied().unwrap_or(0);
    push_number(&mut key, occurrence);
    key
}

/// `<scope><id>#`, with room for the occurrence.
fn key_prefix(scope: Option<&str>, id: &str) -> String {
    let scope = scope.unwrap_or_default();
    let mut key = String::with_capacity(scope.len() + id.len() + 4);
    key.push_str(scope);
    key.push_str(id);
    key.push('#');
    key
}

impl<F: Future> Future for Step<F>
where
    F::Output: Journaled,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        let shared = &this.ctx.shared;
        loop {
            match this.state {
                State::Start => {
                    let scope = current_scope();
                    let mut inner = shared.lock();
                    if inner.abort.is_some() {
                        return Poll::Pending;
                    }
                    let key = next_key(&mut inner, scope, this.id);
                    if let Some(stored) = inner.records.remove(&key) {
                        drop(inner);
                        match shared.decode(&key, &stored) {
                            Ok(value) => {
                                this.future.set(None);
                                *this.state = State::Done;
                                return Poll::Ready(value);
                            }
                            Err(error) => {
                                shared.abort(error);
                                return Poll::Pending;
                            }
                        }
                    }
                    drop(inner);
                    *this.state = State::Run(Arc::from(key));
                }
                State::Run(key) => {
                    let future = this.future.as_mut().as_pin_mut();
                    let future = future.expect("a running step has its future");
                    let polled = {
                        let _guard = StepGuard::enter(Some(Arc::clone(key)));
                        future.poll(cx)
                    };
                    let Poll::Ready(value) = polled else {
                        return Poll::Pending;
                    };
                    this.future.set(None);
                    let type_name = core::any::type_name::<F::Output>();
                    let record = match serde_json::to_vec(&value) {
                        Ok(bytes) => {
                            shared.record(key.to_string(), (this.ok)(&value), type_name, bytes)
                        }
                        Err(error) => {
                            shared.abort(shared.unserializable(key, &error));
                            return Poll::Pending;
                        }
                    };
                    let seq = shared.enqueue(record);
                    *this.state = State::Wait(seq, Some(value));
                }
                State::Wait(seq, value) => {
                    if shared.poll_committed(*seq, cx.waker()).is_pending() {
                        return Poll::Pending;
                    }
                    let value = value.take().expect("a step's value is taken once");
                    *this.state = State::Done;
                    return Poll::Ready(value);
                }
                State::Done => panic!("a durable step polled after it completed"),
            }
        }
    }
}

/// A fan-out's items, journaled: the first run collects `items` and journals them as a
/// `Vec<T>` under `<scope><id>#<occurrence>`; a replay returns the journaled items (and
/// does not iterate `items`). Each item comes with its [`Scope`] for [`scoped`].
///
/// The items' record is committed with the writes of the poll that called this; a
/// step of an item can only complete after it.
#[doc(hidden)]
pub fn items<I, T>(ctx: &Context, id: &'static str, items: I) -> Vec<(Scope, T)>
where
    I: IntoIterator<Item = T>,
    T: Journaled,
{
    let shared = &ctx.shared;
    let scope = current_scope();
    let mut inner = shared.lock();
    let key = next_key(&mut inner, scope, id);
    let replayed = inner.records.remove(&key);
    drop(inner);
    let values: Vec<T> = if let Some(stored) = replayed {
        match shared.decode(&key, &stored) {
            Ok(values) => values,
            Err(error) => {
                shared.abort(error);
                return Vec::new();
            }
        }
    } else {
        let values: Vec<T> = items.into_iter().collect();
        match serde_json::to_vec(&values) {
            Ok(bytes) => {
                let record =
                    shared.record(key.clone(), true, core::any::type_name::<Vec<T>>(), bytes);
                shared.enqueue(record);
            }
            Err(error) => {
                shared.abort(shared.unserializable(&key, &error));
                return Vec::new();
            }
        }
        values
    };
    let mut prefix = key;
    prefix.push('[');
    let base = prefix.len();
    values
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            prefix.truncate(base);
            push_number(&mut prefix, index as u64);
            prefix.push_str("]/");
            (
                Scope {
                    prefix: Arc::from(prefix.as_str()),
                },
                value,
            )
        })
        .collect()
}

pin_project_lite::pin_project! {
    /// A future polled with a fan-out item's [`Scope`] current. Made by [`scoped`].
    #[must_use = "a scoped future does nothing unless polled"]
    pub struct Scoped<F> {
        scope: Scope,
        #[pin]
        future: F,
    }
}

/// Polls `future` with `scope` current: the steps inside are keyed under the item.
#[doc(hidden)]
#[inline]
pub fn scoped<F: IntoFuture>(scope: Scope, future: F) -> Scoped<F::IntoFuture> {
    Scoped {
        scope,
        future: future.into_future(),
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _scope = ScopeGuard::enter(Some(Arc::clone(&this.scope.prefix)));
        let _step = StepGuard::enter(None);
        this.future.poll(cx)
    }
}

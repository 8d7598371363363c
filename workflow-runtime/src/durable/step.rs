//! The step wrappers the `#[durable]` expansion puts around every step, and the
//! fan-out's scopes.

use core::fmt::Display;
use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context as TaskContext, Poll};
use std::sync::Arc;

use core::marker::PhantomData;

use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::context::Context;
use super::error::Error;
use super::instance::{Role, ScopeGuard, Shared, StepGuard, current_scope, push_number};
use super::journal::Write;

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
#[derive(Clone)]
pub struct Scope {
    prefix: Arc<str>,
    /// The item of a fan-out shared by every worker.
    item: Option<SharedItem>,
}

/// An item of a fan-out whose items run on any worker.
#[derive(Clone)]
struct SharedItem {
    shared: Arc<Shared>,
    fan_out: Arc<str>,
    index: u32,
    /// The owner's: closes the fan-out once every item's future is gone.
    closer: Option<Arc<Closer>>,
}

impl core::fmt::Debug for Scope {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Scope")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Scope {
    fn eq(&self, other: &Self) -> bool {
        self.prefix == other.prefix
    }
}

impl Eq for Scope {}

impl core::hash::Hash for Scope {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.prefix.hash(state);
    }
}

impl Scope {
    /// The key prefix, e.g. `0.files#0[3]/`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}

/// Closes a shared fan-out when the owner's last item future is dropped (the fan-out
/// ended, failed or was cancelled): no worker starts another of its items.
struct Closer {
    shared: Arc<Shared>,
    key: String,
}

impl Drop for Closer {
    fn drop(&mut self) {
        self.shared.lock().fan_outs.remove(&self.key);
        self.shared.enqueue(Write::FanOutClosed {
            instance: self.shared.id.clone(),
            key: core::mem::take(&mut self.key),
        });
    }
}

enum State<T> {
    Start,
    /// A helper's replay reached a step it may not take: it waits for ever.
    Never,
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
                    if !shared.role.may_run(&key) {
                        *this.state = State::Never;
                        return Poll::Pending;
                    }
                    *this.state = State::Run(Arc::from(key));
                }
                State::Never => return Poll::Pending,
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
    limited_items(ctx, id, items, None)
}

/// [`items`] of a fan-out with `#[limit(n)]`: on a journal that shares fan-outs, a
/// top-level fan-out's items run on any worker, at most `limit` at once across all.
#[doc(hidden)]
pub fn limited_items<I, T>(
    ctx: &Context,
    id: &'static str,
    items: I,
    limit: Option<usize>,
) -> Vec<(Scope, T)>
where
    I: IntoIterator<Item = T>,
    T: Journaled,
{
    let shared = &ctx.shared;
    let scope = current_scope();
    let top_level = scope.is_none();
    let mut inner = shared.lock();
    let key = next_key(&mut inner, scope, id);
    let replayed = inner.records.remove(&key);
    drop(inner);
    if let Role::Helper {
        fan_out,
        indexes,
        spans,
    } = &shared.role
        && *fan_out == key
    {
        // A helper's fan-out: only its claimed items (the others are not decoded).
        let picked = match replayed {
            Some(stored) => match spans {
                Some(spans) if spans.bytes == stored.value.len() => {
                    shared.decode_spans::<T>(&key, &stored, spans, indexes)
                }
                _ => shared.decode_with::<T, _>(&key, &stored, Pick::<T>::new(indexes)),
            },
            None => Err(Error::Lost {
                instance: shared.id.clone(),
            }),
        };
        return match picked {
            Ok(picked) => picked
                .into_iter()
                .map(|(index, value)| {
                    let item = SharedItem {
                        shared: Arc::clone(shared),
                        fan_out: Arc::from(key.as_str()),
                        index,
                        closer: None,
                    };
                    (item_scope(&key, index, Some(item)), value)
                })
                .collect(),
            Err(error) => {
                shared.abort(error);
                Vec::new()
            }
        };
    }
    let values: Vec<T> = if let Some(stored) = replayed {
        match shared.decode(&key, &stored) {
            Ok(values) => values,
            Err(error) => {
                shared.abort(error);
                return Vec::new();
            }
        }
    } else {
        if !shared.role.may_run(&key) {
            shared.abort(Error::Lost {
                instance: shared.id.clone(),
            });
            return Vec::new();
        }
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
    let sharing = share(shared, &key, top_level, values.len(), limit);
    values
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            let item = sharing.as_ref().map(|(fan_out, closer)| SharedItem {
                shared: Arc::clone(shared),
                fan_out: Arc::clone(fan_out),
                index,
                closer: Some(Arc::clone(closer)),
            });
            (item_scope(&key, index, item), value)
        })
        .collect()
}

/// The scope of item `index` of the fan-out `key`: `<key>[<index>]/`.
fn item_scope(key: &str, index: u32, item: Option<SharedItem>) -> Scope {
    let mut prefix = String::with_capacity(key.len() + 12);
    prefix.push_str(key);
    prefix.push('[');
    push_number(&mut prefix, index);
    prefix.push_str("]/");
    Scope {
        prefix: Arc::from(prefix),
        item,
    }
}

/// Deserializes only the elements at `indexes` (sorted) of a JSON array, skipping the
/// others: a helper's replay of a large fan-out decodes only its items.
struct Pick<'a, T> {
    indexes: &'a [u32],
    items: PhantomData<fn() -> T>,
}

impl<'a, T> Pick<'a, T> {
    fn new(indexes: &'a [u32]) -> Self {
        Pick {
            indexes,
            items: PhantomData,
        }
    }
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Pick<'_, T> {
    type Value = Vec<(u32, T)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for Pick<'_, T> {
    type Value = Vec<(u32, T)>;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("a fan-out's items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut picked = Vec::with_capacity(self.indexes.len());
        let mut index = 0u32;
        loop {
            if self.indexes.binary_search(&index).is_ok() {
                match seq.next_element::<T>()? {
                    Some(value) => picked.push((index, value)),
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            index += 1;
        }
        Ok(picked)
    }
}

/// Whether the fan-out `key` of `len` items is shared by every worker: a top-level
/// fan-out of an owner on a journal that shares fan-outs. Then its items and limit are
/// written to the journal, and the owner waits for its items to be done (by any
/// worker); the fan-out and the closer that closes it once its futures are gone.
fn share(
    shared: &Arc<Shared>,
    key: &str,
    top_level: bool,
    len: usize,
    limit: Option<usize>,
) -> Option<(Arc<str>, Arc<Closer>)> {
    if !matches!(shared.role, Role::Owner { shares: true }) || !top_level || len == 0 {
        return None;
    }
    shared.enqueue(Write::FanOut {
        instance: shared.id.clone(),
        key: key.to_owned(),
        items: u32::try_from(len).unwrap_or(u32::MAX),
        limit: limit.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
    });
    shared.lock().fan_outs.entry(key.to_owned()).or_default();
    Some((
        Arc::from(key),
        Arc::new(Closer {
            shared: Arc::clone(shared),
            key: key.to_owned(),
        }),
    ))
}

pin_project_lite::pin_project! {
    /// A future polled with a fan-out item's [`Scope`] current. Made by [`scoped`].
    #[must_use = "a scoped future does nothing unless polled"]
    pub struct Scoped<F> {
        scope: Scope,
        // A helper's item that is done: it never completes (the helper's replay ends).
        finished: bool,
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
        finished: false,
        future: future.into_future(),
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let this = self.project();
        if *this.finished {
            return Poll::Pending;
        }
        let Some(item) = &this.scope.item else {
            let _scope = ScopeGuard::enter(Some(Arc::clone(&this.scope.prefix)));
            let _step = StepGuard::enter(None);
            return this.future.poll(cx);
        };
        let shared = &item.shared;
        if item.closer.is_some() {
            // The owner: once the item is done (by any worker), its records are
            // loaded and it replays.
            let mut inner = shared.lock();
            if let Some(wait) = inner.fan_outs.get_mut(&*item.fan_out)
                && !wait.done.contains(&item.index)
            {
                wait.wakers.insert(item.index, cx.waker().clone());
                return Poll::Pending;
            }
        }
        let polled = {
            let _scope = ScopeGuard::enter(Some(Arc::clone(&this.scope.prefix)));
            let _step = StepGuard::enter(None);
            this.future.poll(cx)
        };
        if item.closer.is_some() {
            return polled;
        }
        if polled.is_ready() {
            // A helper's item is done: its end goes in the next batch, after its
            // last step's record.
            *this.finished = true;
            let seq = shared.enqueue(Write::ItemDone {
                instance: shared.id.clone(),
                fan_out: item.fan_out.to_string(),
                index: item.index,
            });
            let mut inner = shared.lock();
            inner.helper_left = inner.helper_left.saturating_sub(1);
            inner.helper_seq = inner.helper_seq.max(seq);
        }
        Poll::Pending
    }
}

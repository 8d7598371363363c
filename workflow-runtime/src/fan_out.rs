//! Dynamic forks: one branch fanned out over a collection known only at run time
//! (Conductor's `DYNAMIC_FORK`, Step Functions' `Map`).
//!
//! # How it runs
//!
//! The items' futures live in one `Vec` of slots, allocated once: all the items without
//! a limit, `limit` slots with one (a slot whose item finished takes the next item).
//! The outputs go to a second `Vec`, in the items' order. The first poll polls every
//! slot with the caller's own waker, as `join_all` does for small sets: items that
//! finish at once cost nothing more. Only if some item is still pending does the
//! fan-out allocate, once, a readiness structure: one bit per slot and one waker per
//! slot, all in the same allocation, so a wake-up tells which slot to poll again and a
//! poll touches only the woken slots (`join_all` polls them all up to 30 items, and
//! above that allocates a task per item in a `FuturesOrdered`).

use core::convert::Infallible;
use core::future::Future;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::sync::atomic::{AtomicU64, Ordering};
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::sync::Arc;

use futures_util::task::AtomicWaker;

/// Runs `step` on every item at the same time (at most `limit` at once) and returns the
/// outputs in the items' order. The first `Err` ends the fan-out at once: the items
/// still running are dropped, the ones not started never start, and the error comes
/// back with the failing item's index.
///
/// `try_join_all` cannot do this above 30 futures: it collects a `FuturesOrdered` in
/// order, so an error is seen only once every item before it has finished. Here every
/// output is written to its own slot as soon as its item finishes.
///
/// Nothing starts before the fan-out is first polled. A `limit` of 0 is taken as 1: a
/// fan-out always makes progress. It runs on any executor.
///
/// ```
/// use workflow_runtime::fan_out::try_fan_out;
///
/// let doubled = futures::executor::block_on(try_fan_out(1..=3, Some(2), |x: u32| async move {
///     if x < 10 { Ok::<_, String>(x * 2) } else { Err(format!("{x} too big")) }
/// }));
/// assert_eq!(doubled, Ok(vec![2, 4, 6]));
/// ```
pub fn try_fan_out<I, F, Fut, T, E>(
    items: I,
    limit: Option<usize>,
    step: F,
) -> impl Future<Output = Result<Vec<T>, (usize, E)>>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    FanOut::<I, F, Fut, T, Fallible>::new(items, limit, step)
}

/// [`try_fan_out`] for steps that cannot fail.
///
/// ```
/// use workflow_runtime::fan_out::fan_out;
///
/// let lengths = futures::executor::block_on(fan_out(["a", "bcd"], None, |s: &str| async move { s.len() }));
/// assert_eq!(lengths, [1, 3]);
/// ```
pub fn fan_out<I, F, Fut, T>(
    items: I,
    limit: Option<usize>,
    mut step: F,
) -> impl Future<Output = Vec<T>>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = T>,
{
    FanOut::<I, _, _, T, NeverFails>::new(items, limit, move |item| Infallibly {
        future: step(item),
    })
}

/// What a fan-out hands on, from its outputs or its first failure.
trait Outcome<T, E> {
    type Output;
    fn from(outcome: Result<Vec<T>, (usize, E)>) -> Self::Output;
}

/// [`try_fan_out`]'s outcome: the failure comes back.
struct Fallible;

impl<T, E> Outcome<T, E> for Fallible {
    type Output = Result<Vec<T>, (usize, E)>;
    #[inline]
    fn from(outcome: Result<Vec<T>, (usize, E)>) -> Self::Output {
        outcome
    }
}

/// [`fan_out`]'s outcome: there is no failure.
struct NeverFails;

impl<T> Outcome<T, Infallible> for NeverFails {
    type Output = Vec<T>;
    #[inline]
    fn from(outcome: Result<Vec<T>, (usize, Infallible)>) -> Vec<T> {
        match outcome {
            Ok(outputs) => outputs,
            Err((_, never)) => match never {},
        }
    }
}

/// The future of a fan-out. Kept small (it is moved into place like any future): the
/// items' futures and outputs live on the heap.
struct FanOut<I: IntoIterator, F, Fut: Future, T, K> {
    items: Items<I>,
    step: F,
    /// The most items running at once, at least 1.
    limit: usize,
    slots: Slots<Fut, T>,
    /// How many slots hold a future.
    running: usize,
    /// Allocated at the second poll of a fan-out of more than `POLL_ALL_UP_TO` slots,
    /// when some item did not finish at the first.
    readiness: Option<Arc<Readiness>>,
    outcome: PhantomData<fn() -> K>,
}

/// Up to this many slots, every poll polls every running item with the caller's waker,
/// as `join_all` does up to 30 futures: cheaper than telling which item woke.
const POLL_ALL_UP_TO: usize = 32;

enum Items<I: IntoIterator> {
    /// Until the first poll, which starts the items.
    Start(I),
    /// With a limit: the items not started yet.
    Started(I::IntoIter),
    /// Every item started.
    Exhausted,
    /// The outcome was handed on.
    Done,
}

/// Where the items run. Pinned: a `Vec` is filled before any of its futures is polled
/// and never grows after, so no future moves; a future is dropped in place (its output
/// or `None` written over it, or the `Vec` cleared), and a limited slot's next future
/// is written in the place of the dropped one.
enum Slots<Fut: Future, T> {
    /// Every item at once (no limit, or no more items than the limit): item `i` runs in
    /// `cells[i]`, which then holds its output.
    All(Vec<Cell<Fut, T>>),
    /// At most `limit` items at once: a slot whose item finished takes the next item,
    /// and the outputs go to `outputs` in the items' order.
    Limited {
        slots: Vec<Slot<Fut>>,
        outputs: Vec<Option<T>>,
    },
}

/// An item's future, then its output (only the success: a failure ends the fan-out).
enum Cell<Fut, T> {
    Running(Fut),
    Done(T),
    Taken,
}

/// An item's future in a slot of a limited fan-out.
struct Slot<Fut> {
    /// The item's index, where its output goes.
    index: usize,
    /// `None` once the item finished and no item is left to take the slot.
    future: Option<Fut>,
}

// SAFETY: nothing in `FanOut` is ever pinned in place: the items' futures live in the
// heap buffers of `Slots`, which moving `FanOut` does not move.
impl<I: IntoIterator, F, Fut: Future, T, K> Unpin for FanOut<I, F, Fut, T, K> {}

impl<I, F, Fut, T, E, K> FanOut<I, F, Fut, T, K>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    fn new(items: I, limit: Option<usize>, step: F) -> Self {
        FanOut {
            items: Items::Start(items),
            step,
            limit: limit.unwrap_or(usize::MAX).max(1),
            slots: Slots::All(Vec::new()),
            running: 0,
            readiness: None,
            outcome: PhantomData,
        }
    }

    /// Starts the items: all of them, or the first `limit`. Nothing is polled yet, so
    /// the futures may still move while the `Vec`s grow.
    fn start(&mut self, items: I) {
        let mut iter = items.into_iter();
        if iter.size_hint().1.is_some_and(|most| most <= self.limit) {
            let cells: Vec<_> = iter.map(&mut self.step).map(Cell::Running).collect();
            self.running = cells.len();
            self.slots = Slots::All(cells);
            self.items = Items::Exhausted;
            return;
        }
        let expected = iter.size_hint().0;
        let mut slots = Vec::with_capacity(expected.min(self.limit));
        let mut outputs = Vec::with_capacity(expected);
        self.items = Items::Exhausted;
        while slots.len() < self.limit {
            let Some(item) = iter.next() else { break };
            slots.push(Slot {
                index: outputs.len(),
                future: Some((self.step)(item)),
            });
            outputs.push(None);
        }
        if slots.len() == self.limit {
            self.items = Items::Started(iter);
        }
        self.running = slots.len();
        self.slots = Slots::Limited { slots, outputs };
    }

    fn len(&self) -> usize {
        match &self.slots {
            Slots::All(cells) => cells.len(),
            Slots::Limited { slots, .. } => slots.len(),
        }
    }

    /// Polls every running item in turn, with `cx`.
    fn drive_all(&mut self, cx: &mut Context<'_>) -> Result<(), (usize, E)> {
        match &mut self.slots {
            Slots::All(cells) => {
                for (index, cell) in cells.iter_mut().enumerate() {
                    drive_cell(cell, &mut self.running, cx).map_err(|error| (index, error))?;
                }
                Ok(())
            }
            Slots::Limited { slots, .. } => {
                (0..slots.len()).try_for_each(|slot| self.drive_slot(slot, cx))
            }
        }
    }

    /// Polls the item in `slot`.
    fn drive(&mut self, slot: usize, cx: &mut Context<'_>) -> Result<(), (usize, E)> {
        match &mut self.slots {
            Slots::All(cells) => match cells.get_mut(slot) {
                Some(cell) => {
                    drive_cell(cell, &mut self.running, cx).map_err(|error| (slot, error))
                }
                None => Ok(()),
            },
            Slots::Limited { .. } => self.drive_slot(slot, cx),
        }
    }

    /// Polls the item in `slot` of a limited fan-out; while it finishes at once, starts
    /// the next item in the same slot and polls that one too.
    fn drive_slot(&mut self, slot: usize, cx: &mut Context<'_>) -> Result<(), (usize, E)> {
        let Slots::Limited { slots, outputs } = &mut self.slots else {
            return Ok(());
        };
        let Some(slot) = slots.get_mut(slot) else {
            return Ok(());
        };
        loop {
            let Some(future) = slot.future.as_mut() else {
                return Ok(());
            };
            // SAFETY: the future stays where it is until it is dropped in place
            // (see `Slots`).
            let future = unsafe { Pin::new_unchecked(future) };
            let Poll::Ready(output) = future.poll(cx) else {
                return Ok(());
            };
            slot.future = None;
            self.running -= 1;
            match output {
                Ok(output) => {
                    if let Some(place) = outputs.get_mut(slot.index) {
                        *place = Some(output);
                    }
                }
                Err(error) => return Err((slot.index, error)),
            }
            let Items::Started(iter) = &mut self.items else {
                return Ok(());
            };
            let Some(item) = iter.next() else {
                self.items = Items::Exhausted;
                return Ok(());
            };
            slot.index = outputs.len();
            outputs.push(None);
            // Written in the place of the future dropped above.
            slot.future = Some((self.step)(item));
            self.running += 1;
        }
    }

    /// Later polls. Up to `POLL_ALL_UP_TO` slots, every running item again; above,
    /// only the items woken since the last poll, each with its own waker. At the
    /// second poll every item counts as woken: the items the first poll left pending
    /// were polled with the caller's waker, and from now on each has its own.
    fn poll_woken(&mut self, cx: &mut Context<'_>) -> Result<(), (usize, E)> {
        let len = self.len();
        if len <= POLL_ALL_UP_TO {
            return self.drive_all(cx);
        }
        let readiness = self.readiness.take().unwrap_or_else(|| Readiness::new(len));
        readiness.parent.register(cx.waker());
        let outcome = readiness.for_each_woken(len, |slot| {
            let waker = readiness.waker(slot);
            self.drive(slot, &mut Context::from_waker(&waker))
        });
        self.readiness = Some(readiness);
        outcome
    }

    /// The outputs in the items' order, once every item finished.
    fn outputs(&mut self) -> Vec<T> {
        match &mut self.slots {
            Slots::All(cells) => {
                let mut outputs = Vec::with_capacity(cells.len());
                outputs.extend(cells.iter_mut().map(|cell| {
                    match core::mem::replace(cell, Cell::Taken) {
                        Cell::Done(output) => output,
                        _ => unreachable!("every item finished"),
                    }
                }));
                outputs
            }
            // `map` (not `flatten`) keeps the exact length and lets the `Vec` be
            // collected in place, with no allocation.
            Slots::Limited { outputs, .. } => core::mem::take(outputs)
                .into_iter()
                .map(|output| output.expect("every item finished"))
                .collect(),
        }
    }

    /// Drops every running item at once, and the wakers' shared state with them.
    fn finish(&mut self) {
        self.items = Items::Done;
        // Drops the futures in place: a `Vec` drops its elements where they are.
        self.slots = Slots::All(Vec::new());
        self.readiness = None;
    }
}

/// Polls the item in `cell`; writes its output over its future once it finishes.
fn drive_cell<Fut, T, E>(
    cell: &mut Cell<Fut, T>,
    running: &mut usize,
    cx: &mut Context<'_>,
) -> Result<(), E>
where
    Fut: Future<Output = Result<T, E>>,
{
    let Cell::Running(future) = cell else {
        return Ok(());
    };
    // SAFETY: the future stays where it is until it is dropped in place (see `Slots`).
    let future = unsafe { Pin::new_unchecked(future) };
    let Poll::Ready(output) = future.poll(cx) else {
        return Ok(());
    };
    *running -= 1;
    match output {
        Ok(output) => {
            *cell = Cell::Done(output);
            Ok(())
        }
        Err(error) => {
            *cell = Cell::Taken;
            Err(error)
        }
    }
}

impl<I, F, Fut, T, E, K> Future for FanOut<I, F, Fut, T, K>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    K: Outcome<T, E>,
{
    type Output = K::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<K::Output> {
        let this = self.get_mut();
        let outcome = match core::mem::replace(&mut this.items, Items::Exhausted) {
            Items::Start(items) => {
                this.start(items);
                // No allocation for wakers unless an item is still pending after this.
                this.drive_all(cx)
            }
            Items::Done => panic!("a fan-out was polled after it finished"),
            items => {
                this.items = items;
                this.poll_woken(cx)
            }
        };
        if let Err(failure) = outcome {
            this.finish();
            return Poll::Ready(K::from(Err(failure)));
        }
        if this.running > 0 {
            return Poll::Pending;
        }
        let outputs = this.outputs();
        this.finish();
        Poll::Ready(K::from(Ok(outputs)))
    }
}

/// Which slots were woken, and the caller's waker to wake when one is: one allocation
/// for all the slots' wakers.
struct Readiness {
    parent: AtomicWaker,
    /// One bit per slot, set by the slot's waker.
    woken: Box<[AtomicU64]>,
    /// What each slot's waker points to.
    nodes: Box<[Node]>,
}

/// A slot's waker: the data pointer of its `RawWaker`.
struct Node {
    /// The `Readiness` this node is part of: an `Arc`'s data, counted by the wakers.
    owner: *const Readiness,
    slot: usize,
}

// SAFETY: a node is never written after it is made, and its owner is `Sync` (atomics
// and an `AtomicWaker`), so a node may be read from any thread.
unsafe impl Send for Node {}
// SAFETY: as above.
unsafe impl Sync for Node {}

impl Readiness {
    /// Every slot starts woken, so each is polled once with its own waker.
    fn new(slots: usize) -> Arc<Self> {
        Arc::new_cyclic(|this| {
            let owner = this.as_ptr();
            Readiness {
                parent: AtomicWaker::new(),
                woken: (0..slots.div_ceil(64))
                    .map(|_| AtomicU64::new(u64::MAX))
                    .collect(),
                nodes: (0..slots).map(|slot| Node { owner, slot }).collect(),
            }
        })
    }

    /// Calls `poll` on each slot below `slots` woken since the last call, until one fails.
    fn for_each_woken<E>(
        &self,
        slots: usize,
        mut poll: impl FnMut(usize) -> Result<(), E>,
    ) -> Result<(), E> {
        for (word, bits) in self.woken.iter().enumerate() {
            if bits.load(Ordering::Relaxed) == 0 {
                continue;
            }
            let mut bits = bits.swap(0, Ordering::Acquire);
            while bits != 0 {
                let slot = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if slot < slots {
                    poll(slot)?;
                }
            }
        }
        Ok(())
    }

    /// The waker of `slot`, borrowed from `self`: it must not outlive `self` and is
    /// never dropped (a clone of it counts a reference of its own).
    fn waker(&self, slot: usize) -> ManuallyDrop<Waker> {
        let node: *const Node = &raw const self.nodes[slot];
        // SAFETY: the vtable's contract holds for `node` as long as `self` lives.
        ManuallyDrop::new(unsafe { Waker::from_raw(RawWaker::new(node.cast(), &VTABLE)) })
    }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// # Safety
/// `node` points to a `Node` of a live `Readiness` held by an `Arc`.
unsafe fn clone(node: *const ()) -> RawWaker {
    // SAFETY: the caller's waker keeps the `Readiness` alive; its clone counts one more.
    unsafe { Arc::increment_strong_count((*node.cast::<Node>()).owner) };
    RawWaker::new(node, &VTABLE)
}

/// # Safety
/// As for [`clone`], and the waker owns one count of the `Arc`.
unsafe fn wake(node: *const ()) {
    // SAFETY: as the caller's.
    unsafe {
        wake_by_ref(node);
        drop_waker(node);
    }
}

/// # Safety
/// As for [`clone`].
unsafe fn wake_by_ref(node: *const ()) {
    // SAFETY: the node and its owner are alive while the waker is.
    let node = unsafe { &*node.cast::<Node>() };
    // SAFETY: as above.
    let owner = unsafe { &*node.owner };
    if let Some(bits) = owner.woken.get(node.slot / 64) {
        bits.fetch_or(1 << (node.slot % 64), Ordering::Release);
    }
    owner.parent.wake();
}

/// # Safety
/// As for [`wake`].
unsafe fn drop_waker(node: *const ()) {
    // SAFETY: the node is read before the count it belongs to is given back.
    let owner = unsafe { (*node.cast::<Node>()).owner };
    // SAFETY: this waker owned one count.
    unsafe { Arc::decrement_strong_count(owner) };
}

pin_project_lite::pin_project! {
    /// A future that cannot fail, as one whose error type is uninhabited.
    struct Infallibly<Fut> {
        #[pin]
        future: Fut,
    }
}

impl<Fut: Future> Future for Infallibly<Fut> {
    type Output = Result<Fut::Output, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().future.poll(cx).map(Ok)
    }
}

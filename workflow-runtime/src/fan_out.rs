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

use core::future::Future;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::sync::atomic::{AtomicU64, Ordering};
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::sync::Arc;

use futures_util::FutureExt as _;
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
    TryFanOut {
        state: State::Start {
            items,
            step,
            limit: limit.unwrap_or(usize::MAX).max(1),
        },
        readiness: None,
    }
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
    try_fan_out(items, limit, move |item| Infallibly { future: step(item) }).map(|outcome| {
        match outcome {
            Ok(outputs) => outputs,
            Err((_, never)) => match never {},
        }
    })
}

/// The future of [`try_fan_out`].
struct TryFanOut<I: IntoIterator, F, Fut: Future, T> {
    state: State<I, F, Fut, T>,
    /// Allocated at the second poll, when some item did not finish at the first.
    readiness: Option<Arc<Readiness>>,
}

enum State<I: IntoIterator, F, Fut: Future, T> {
    /// Not polled yet: nothing has started.
    Start {
        items: I,
        step: F,
        limit: usize,
    },
    /// Every item started at once (no limit, or no more items than the limit).
    All(All<Fut>),
    /// At most `limit` items at once.
    Limited(Limited<I::IntoIter, F, Fut, T>),
    Done,
}

// SAFETY: nothing in `TryFanOut` is ever pinned in place: the items' futures live in a
// `Vec`'s heap buffer, which moving `TryFanOut` does not move (see `All::cells` and
// `Limited::slots`).
impl<I: IntoIterator, F, Fut: Future, T> Unpin for TryFanOut<I, F, Fut, T> {}

impl<I, F, Fut, T, E> Future for TryFanOut<I, F, Fut, T>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    type Output = Result<Vec<T>, (usize, E)>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let outcome = match &mut this.state {
            State::Start { .. } => {
                let State::Start { items, step, limit } =
                    core::mem::replace(&mut this.state, State::Done)
                else {
                    unreachable!("matched above")
                };
                // Every item is polled with the caller's waker: no allocation for wakers
                // unless an item is still pending after this poll.
                let items = items.into_iter();
                if items.size_hint().1.is_some_and(|most| most <= limit) {
                    let all = this.state.set_all(All::start(items, step));
                    all.drive_all(cx)
                } else {
                    let limited = this.state.set_limited(Limited::start(items, step, limit));
                    limited.drive_all(cx)
                }
            }
            State::All(all) => poll_woken(all, &mut this.readiness, cx),
            State::Limited(limited) => poll_woken(limited, &mut this.readiness, cx),
            State::Done => panic!("a fan-out was polled after it finished"),
        };
        if let Err(failure) = outcome {
            this.finish();
            return Poll::Ready(Err(failure));
        }
        let outputs = match &mut this.state {
            State::All(all) if all.running == 0 => all.outputs(),
            State::Limited(limited) if limited.running == 0 => limited.outputs(),
            _ => return Poll::Pending,
        };
        this.finish();
        Poll::Ready(Ok(outputs))
    }
}

impl<I: IntoIterator, F, Fut: Future, T> TryFanOut<I, F, Fut, T> {
    /// Drops every running item at once and the wakers' shared state with them.
    fn finish(&mut self) {
        // Drops the futures in place: a `Vec` drops its elements where they are.
        self.state = State::Done;
        self.readiness = None;
    }
}

impl<I: IntoIterator, F, Fut: Future, T> State<I, F, Fut, T> {
    fn set_all(&mut self, all: All<Fut>) -> &mut All<Fut> {
        *self = State::All(all);
        match self {
            State::All(all) => all,
            _ => unreachable!("set above"),
        }
    }

    fn set_limited(
        &mut self,
        limited: Limited<I::IntoIter, F, Fut, T>,
    ) -> &mut Limited<I::IntoIter, F, Fut, T> {
        *self = State::Limited(limited);
        match self {
            State::Limited(limited) => limited,
            _ => unreachable!("set above"),
        }
    }
}

/// The running items of a fan-out, in slots that never move.
trait Slots<E> {
    /// How many slots there are.
    fn len(&self) -> usize;

    /// Polls the item in `slot`, if any. An `Err` is returned with its item's index.
    fn drive(&mut self, slot: usize, cx: &mut Context<'_>) -> Result<(), (usize, E)>;
}

/// Polls the slots woken since the last poll, each with its own waker. At the second
/// poll every slot counts as woken: the items the first poll left pending were polled
/// with the caller's waker, and from now on each slot has its own.
fn poll_woken<E>(
    slots: &mut impl Slots<E>,
    readiness: &mut Option<Arc<Readiness>>,
    cx: &mut Context<'_>,
) -> Result<(), (usize, E)> {
    let len = slots.len();
    let readiness = readiness.get_or_insert_with(|| Readiness::new(len));
    readiness.parent.register(cx.waker());
    readiness.for_each_woken(len, |slot| {
        let waker = readiness.waker(slot);
        slots.drive(slot, &mut Context::from_waker(&waker))
    })
}

/// Every item at once: item `i` runs in `cells[i]`, which then holds its output.
struct All<Fut: Future> {
    /// Pinned: the `Vec` is filled before any cell is polled and never grows after, so
    /// no future moves; a future is dropped in place when its output is written over it.
    cells: Vec<Cell<Fut>>,
    /// How many cells still hold a future.
    running: usize,
}

enum Cell<Fut: Future> {
    Running(Fut),
    Done(Fut::Output),
    Taken,
}

impl<Fut: Future> All<Fut> {
    fn start<It: Iterator>(items: It, step: impl FnMut(It::Item) -> Fut) -> Self {
        let cells: Vec<_> = items.map(step).map(Cell::Running).collect();
        All {
            running: cells.len(),
            cells,
        }
    }
}

impl<Fut, T, E> All<Fut>
where
    Fut: Future<Output = Result<T, E>>,
{
    /// The first poll: every cell in turn.
    fn drive_all(&mut self, cx: &mut Context<'_>) -> Result<(), (usize, E)> {
        for (index, cell) in self.cells.iter_mut().enumerate() {
            Self::drive_cell(cell, &mut self.running, cx).map_err(|error| (index, error))?;
        }
        Ok(())
    }

    fn drive_cell(
        cell: &mut Cell<Fut>,
        running: &mut usize,
        cx: &mut Context<'_>,
    ) -> Result<(), E> {
        let Cell::Running(future) = cell else {
            return Ok(());
        };
        // SAFETY: the future stays where it is until it is dropped in place
        // (see `All::cells`).
        let future = unsafe { Pin::new_unchecked(future) };
        let Poll::Ready(output) = future.poll(cx) else {
            return Ok(());
        };
        *running -= 1;
        match output {
            Ok(output) => {
                *cell = Cell::Done(Ok(output));
                Ok(())
            }
            Err(error) => {
                *cell = Cell::Taken;
                Err(error)
            }
        }
    }

    /// The outputs in the items' order, once every item finished.
    fn outputs(&mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.cells.len());
        outputs.extend(self.cells.drain(..).map(|cell| match cell {
            Cell::Done(Ok(output)) => output,
            _ => unreachable!("every item finished"),
        }));
        outputs
    }
}

impl<Fut, T, E> Slots<E> for All<Fut>
where
    Fut: Future<Output = Result<T, E>>,
{
    fn len(&self) -> usize {
        self.cells.len()
    }

    fn drive(&mut self, slot: usize, cx: &mut Context<'_>) -> Result<(), (usize, E)> {
        match self.cells.get_mut(slot) {
            Some(cell) => Self::drive_cell(cell, &mut self.running, cx).map_err(|e| (slot, e)),
            None => Ok(()),
        }
    }
}

/// At most `limit` items at once, in `limit` slots: a slot whose item finished takes
/// the next item.
struct Limited<It, F, Fut, T> {
    /// The items not started yet; `None` once they are all started.
    iter: Option<It>,
    step: F,
    /// Pinned: the `Vec` is filled before any slot is polled and never grows after, so
    /// no future moves; a future is dropped in place (its `Option` set to `None`) and a
    /// new one is written in the place of a dropped one.
    slots: Vec<Slot<Fut>>,
    outputs: Vec<Option<T>>,
    /// How many slots hold a future.
    running: usize,
}

/// An item's future in its slot.
struct Slot<Fut> {
    /// The item's index, where its output goes.
    index: usize,
    /// `None` once the item finished and no item is left to take the slot.
    future: Option<Fut>,
}

impl<It, F, Fut, T, E> Limited<It, F, Fut, T>
where
    It: Iterator,
    F: FnMut(It::Item) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    /// Starts the first `limit` items. Nothing is polled yet, so the slots may still
    /// move while the `Vec` grows.
    fn start(mut iter: It, mut step: F, limit: usize) -> Self {
        let expected = iter.size_hint().0;
        let mut slots = Vec::with_capacity(expected.min(limit));
        let mut outputs = Vec::with_capacity(expected);
        let mut exhausted = false;
        while slots.len() < limit {
            let Some(item) = iter.next() else {
                exhausted = true;
                break;
            };
            slots.push(Slot {
                index: outputs.len(),
                future: Some(step(item)),
            });
            outputs.push(None);
        }
        Limited {
            running: slots.len(),
            iter: (!exhausted).then_some(iter),
            step,
            slots,
            outputs,
        }
    }

    /// The first poll: every slot in turn.
    fn drive_all(&mut self, cx: &mut Context<'_>) -> Result<(), (usize, E)> {
        (0..self.slots.len()).try_for_each(|slot| self.drive(slot, cx))
    }

    /// The outputs in the items' order, once every item finished.
    fn outputs(&mut self) -> Vec<T> {
        // `map` (not `flatten`) keeps the exact length and lets the `Vec` be collected
        // in place, with no allocation.
        core::mem::take(&mut self.outputs)
            .into_iter()
            .map(|output| output.expect("every item finished"))
            .collect()
    }
}

impl<It, F, Fut, T, E> Slots<E> for Limited<It, F, Fut, T>
where
    It: Iterator,
    F: FnMut(It::Item) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    fn len(&self) -> usize {
        self.slots.len()
    }

    /// Polls the item in `slot`; while it finishes at once, starts the next item in the
    /// same slot and polls that one too.
    fn drive(&mut self, slot: usize, cx: &mut Context<'_>) -> Result<(), (usize, E)> {
        let Some(slot) = self.slots.get_mut(slot) else {
            return Ok(());
        };
        loop {
            let Some(future) = slot.future.as_mut() else {
                return Ok(());
            };
            // SAFETY: the future stays where it is until it is dropped in place
            // (see `Limited::slots`).
            let future = unsafe { Pin::new_unchecked(future) };
            let Poll::Ready(output) = future.poll(cx) else {
                return Ok(());
            };
            slot.future = None;
            self.running -= 1;
            match output {
                Ok(output) => {
                    if let Some(place) = self.outputs.get_mut(slot.index) {
                        *place = Some(output);
                    }
                }
                Err(error) => return Err((slot.index, error)),
            }
            let Some(item) = self.iter.as_mut().and_then(Iterator::next) else {
                self.iter = None;
                return Ok(());
            };
            slot.index = self.outputs.len();
            self.outputs.push(None);
            // Written in the place of the future dropped above.
            slot.future = Some((self.step)(item));
            self.running += 1;
        }
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
    type Output = Result<Fut::Output, core::convert::Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().future.poll(cx).map(Ok)
    }
}

//! Dynamic forks: one branch fanned out over a collection known only at run time
//! (Conductor's `DYNAMIC_FORK`, Step Functions' `Map`).
//!
//! # How it runs
//!
//! The items' futures live in one `Vec` of slots, allocated once: all the items without
//! a limit, `limit` slots with one (a slot whose item finished takes the next item).
//! The outputs go to a second `Vec`, in the items' order: with a limit, it has room for
//! every item up front when the iterator's size hint says how many at least and that
//! fits in 256 KiB, else for `limit` items, and grows as items start (a huge hint such
//! as `0..usize::MAX`'s reserves nothing more). The first poll polls every
//! slot with the caller's own waker, as `join_all` does for small sets: items that
//! finish at once cost nothing more. Up to `POLL_ALL_UP_TO` slots every later poll does
//! the same. Above, a poll polls every running item with the caller's waker while most
//! items wake together (nothing per item: that is the hand-written poll-all loop's
//! cost), and once a round finishes few of them and a sample of 8 items polled with
//! their own wakers (one allocation for their wakers; later samples are taken during a
//! round's pass, at no poll more, and ever rarer while they find the items woken
//! together) shows few woken by the next poll, switches to a readiness structure: one
//! bit per slot, a summary bit per 64 slots, and one waker per slot (four allocations
//! however many slots, made at that switch), so a wake-up tells which slot to poll
//! again and a poll touches only the woken slots, until a round finds most of them
//! woken (see `Wakes` for the switches and why they lose no wake). `join_all` polls them all up to 30 items, and
//! above that allocates a task per item in a `FuturesOrdered`.
//!
//! Without a limit, and when the items' iterator tells exactly how many items it has,
//! the first poll starts the items one after the other and polls each as soon as it is
//! in its place: one pass over the items where `join_all` makes two (one to start them,
//! one to poll them). An item's output is written in its place in the outputs' `Vec`,
//! allocated with the futures' (as the hand-written loop writes its outputs beside its
//! futures): once all finished, that `Vec` is handed on as it is, nothing moved.
//!
//! What a small fan-out costs is `join_all`'s cost or less (`benches/fan_out.rs`, and
//! instruction counts under callgrind): its polls up to `POLL_ALL_UP_TO` items are
//! inlined into the caller, as `join_all`'s are, with the loops they run
//! `#[inline(always)]` (with `#[inline]` alone LLVM keeps some out of line, which costs
//! a fan-out of one or two items 5 to 12 % more instructions than `join_all`); a
//! finished fan-out's drop is one test, in line; the other polls are out of line.

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
/// fan-out always makes progress. It runs on any executor. Once every item started
/// (without a limit or with more room than items: at the first poll) `step` is
/// dropped, as `join_all(items.map(step))` drops it, not when the fan-out ends.
///
/// # Panics
///
/// If the items' iterator yields more items than its `size_hint` said it has exactly
/// (a broken iterator: the items already started cannot be moved to a larger buffer);
/// every item started is dropped first.
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
    /// Dropped by hand (see the `Drop` impl): a finished fan-out's drop is one test,
    /// in line.
    state: ManuallyDrop<State<I, Fut, T>>,
    /// `None` once every item started, without a limit (see [`FanOut::start_all`]).
    step: Option<F>,
    /// The most items running at once, at least 1.
    limit: usize,
    /// Set while a later poll runs: still set at the next poll if that poll panicked
    /// (in an item's poll or drop, the step or the iterator), whose work is then lost.
    poisoned: bool,
    outcome: PhantomData<fn() -> K>,
}

/// Up to this many slots, every poll polls every running item with the caller's waker,
/// as `join_all` does up to 30 futures: cheaper than telling which item woke.
const POLL_ALL_UP_TO: usize = 32;

/// What a limited fan-out allocates before its items run: its slots and room for the
/// outputs of as many items as its iterator says it has at least, if that takes at most
/// this many bytes; else room for `limit` outputs (the items it starts at once), within
/// this many bytes again, and the outputs' `Vec` grows as items start. A size hint
/// (`0..usize::MAX`, `1..`) never makes it reserve more.
const PREALLOCATED_BYTES: usize = 256 * 1024;

/// How many places of `size` bytes to allocate up front for `least` values known to
/// come (at least), of which `at_once` are needed at once (see `PREALLOCATED_BYTES`).
fn up_front(least: usize, at_once: usize, size: usize) -> usize {
    let fits = PREALLOCATED_BYTES / size.max(1);
    if least <= fits {
        least
    } else {
        at_once.min(fits).max(1)
    }
}

/// Where the items run. Pinned: a `Vec` of futures never grows once one of them was
/// polled, so no future moves; a future is dropped in place (`Done` or `None` written
/// over it, or the `Vec` dropped), and a limited slot's next future is written
/// in the place of the dropped one.
enum State<I: IntoIterator, Fut: Future, T> {
    /// Until the first poll, which starts the items.
    Start(I),
    /// Every item at once (no limit, or no more items than the limit): see [`Cells`].
    All {
        cells: Cells<Fut, T>,
        /// How many cells hold a future.
        running: usize,
        /// How later polls of more than `POLL_ALL_UP_TO` cells tell which to poll.
        wakes: Wakes,
    },
    /// At most `limit` items at once: a slot whose item finished takes the next item.
    Limited(Limited<I::IntoIter, Fut, T>),
    /// The outcome was handed on (or is being made: a poll takes the state out).
    Done,
}

/// The items of a fan-out of every item at once: item `i` runs in `futures[i]` and, as
/// it finishes, writes its output in place `i` of `outputs`, as the hand-written
/// poll-all loop writes it beside its future: once every item finished, the outputs are
/// handed on as they are (nothing is moved) and the futures' buffer is freed.
struct Cells<Fut, T> {
    futures: Vec<Cell<Fut>>,
    /// Room for every item's output, allocated with the futures (glibc's
    /// `malloc_consolidate` runs when a large block is asked for after many small ones
    /// were freed, as finished items free theirs: woken from another thread, 1,024
    /// items, 12 % more instructions than the poll-all loop). Its length stays 0 until
    /// every item finished; place `i` holds an output while `futures[i]` is `Done`.
    outputs: Vec<T>,
}

/// An item's future, until it finishes (only the success: a failure ends the fan-out).
///
/// A cell that is not `Running` holds an output: nothing else is ever written over a
/// future. A failed item's future stays `Running` (finished, never polled again) and is
/// dropped with the others when the failure ends the fan-out: marked in place, its drop
/// could panic before the fan-out ends, and a fan-out of up to `POLL_ALL_UP_TO` items
/// (never poisoned) polled again would then take the mark for a finished item and hand
/// on an output never written.
enum Cell<Fut> {
    Running(Fut),
    /// Finished: its output is in its place of [`Cells::outputs`].
    Done,
}

impl<Fut, T> Default for Cells<Fut, T> {
    fn default() -> Self {
        Cells {
            futures: Vec::new(),
            outputs: Vec::new(),
        }
    }
}

impl<Fut, T> Cells<Fut, T> {
    /// How many items (running or not).
    #[inline]
    fn len(&self) -> usize {
        self.futures.len()
    }

    /// The outputs, once every item finished; the futures' buffer is freed. In line,
    /// for the polls of a few items: it costs two stores.
    #[allow(clippy::inline_always)] // measured: see the module's doc
    #[inline(always)]
    fn into_outputs(mut self) -> Vec<T> {
        let len = self.futures.len();
        debug_assert!(self.futures.iter().all(|cell| matches!(cell, Cell::Done)));
        let mut outputs = core::mem::take(&mut self.outputs);
        // SAFETY: every item finished (no cell is `Running`, and a cell that is not
        // holds its output: see `Cell`, even after a panic): each of the first `len`
        // places holds its output (the `Vec` has room for them: see `Cells::outputs`),
        // and no cell holds a future, so the cells need no drop (their buffer is freed
        // with `self`).
        unsafe {
            outputs.set_len(len);
            self.futures.set_len(0);
        }
        outputs
    }

    /// Polls the item in `slot` with `cx` if it runs; writes its output in its place
    /// once it finishes. Whether it still runs.
    fn drive<E>(
        &mut self,
        slot: usize,
        running: &mut usize,
        cx: &mut Context<'_>,
    ) -> Result<bool, (usize, E)>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        let (Some(cell), Some(place)) = (
            self.futures.get_mut(slot),
            self.outputs.spare_capacity_mut().get_mut(slot),
        ) else {
            return Ok(false);
        };
        let Cell::Running(future) = cell else {
            return Ok(false);
        };
        // SAFETY: the future stays where it is until it is dropped in place (see `State`).
        let future = unsafe { Pin::new_unchecked(future) };
        let Poll::Ready(output) = future.poll(cx) else {
            return Ok(true);
        };
        *running -= 1;
        match output {
            Ok(output) => {
                // The output first: `Done` is written even if the future's drop panics.
                place.write(output);
                *cell = Cell::Done;
                Ok(false)
            }
            // The future stays as it is (see `Cell`): the caller ends the fan-out.
            Err(error) => Err((slot, error)),
        }
    }
}

impl<Fut, T> Drop for Cells<Fut, T> {
    /// Drops the outputs written so far (the futures still running are dropped with
    /// their `Vec`).
    fn drop(&mut self) {
        if !core::mem::needs_drop::<T>() {
            return;
        }
        let places = self.outputs.spare_capacity_mut();
        for (cell, place) in self.futures.iter().zip(places) {
            if matches!(cell, Cell::Done) {
                // SAFETY: a `Done` cell's place holds its output, dropped once (the
                // cells are dropped right after, and `outputs` has length 0).
                unsafe { place.assume_init_drop() };
            }
        }
    }
}

/// A fan-out of at most `limit` items at once.
struct Limited<It, Fut, T> {
    /// The items not started yet, until the last one started.
    items: Option<It>,
    slots: Vec<Slot<Fut>>,
    /// The outputs, in the items' order.
    outputs: Vec<Option<T>>,
    /// How many slots hold a future.
    running: usize,
    /// How later polls of more than `POLL_ALL_UP_TO` slots tell which to poll.
    wakes: Wakes,
}

/// An item's future in a slot of a limited fan-out.
struct Slot<Fut> {
    /// The item's index, where its output goes.
    index: usize,
    /// `None` once the item finished and no item is left to take the slot.
    future: Option<Fut>,
}

// SAFETY: nothing in `FanOut` is ever pinned in place: the items' futures live in the
// heap buffers of `State`, which moving `FanOut` does not move.
impl<I: IntoIterator, F, Fut: Future, T, K> Unpin for FanOut<I, F, Fut, T, K> {}

impl<I: IntoIterator, F, Fut: Future, T, K> Drop for FanOut<I, F, Fut, T, K> {
    #[inline]
    fn drop(&mut self) {
        if !matches!(*self.state, State::Done) {
            // SAFETY: the state is dropped here only, once.
            unsafe { ManuallyDrop::drop(&mut self.state) }
        }
    }
}

impl<I, F, Fut, T, E, K> FanOut<I, F, Fut, T, K>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    K: Outcome<T, E>,
{
    fn new(items: I, limit: Option<usize>, step: F) -> Self {
        FanOut {
            state: ManuallyDrop::new(State::Start(items)),
            step: Some(step),
            limit: limit.unwrap_or(usize::MAX).max(1),
            poisoned: false,
            outcome: PhantomData,
        }
    }

    /// The first poll of a fan-out of every item at once: starts them all and polls them
    /// with `cx`. The outputs are handed on at once if every item finished, with no
    /// allocation but the items' buffer and the outputs'.
    #[allow(clippy::inline_always)] // measured: see the module's doc
    #[inline(always)]
    fn start_all(&mut self, iter: I::IntoIter, cx: &mut Context<'_>) -> Poll<K::Output> {
        let (least, most) = iter.size_hint();
        let (cells, outcome) = if Some(least) == most {
            start_each(iter, least, step_of(&mut self.step), cx)
        } else {
            start_then_poll(iter, step_of(&mut self.step), cx)
        };
        match outcome {
            Ok(0) => Poll::Ready(K::from(Ok(cells.into_outputs()))),
            Ok(running) => {
                self.start(State::All {
                    cells,
                    running,
                    wakes: Wakes::new(),
                });
                // Every item started: what the step holds is freed now, as
                // `join_all(items.map(step))` frees it, not when the fan-out ends (its
                // allocations freed then, after the items freed theirs, cost glibc's
                // `malloc_consolidate`).
                self.step = None;
                Poll::Pending
            }
            // The items still running are dropped before the failure is handed on.
            Err(failure) => {
                drop(cells);
                Poll::Ready(K::from(Err(failure)))
            }
        }
    }

    /// Starts the first `limit` items of a limited fan-out (more items than the limit,
    /// or too many to tell), then polls them. Nothing is polled before every slot is
    /// filled, so the futures may still move while the `Vec`s grow.
    #[inline(never)]
    fn start_limited(&mut self, mut iter: I::IntoIter, cx: &mut Context<'_>) -> Poll<K::Output> {
        // Only a hint for the first allocations: an unbounded iterator (`1..`, fanned
        // out with a limit until an item fails) says `usize::MAX`, and so may a range.
        let least = iter.size_hint().0;
        let mut slots = Vec::with_capacity(up_front(
            least.min(self.limit),
            self.limit,
            size_of::<Slot<Fut>>(),
        ));
        let mut outputs = Vec::with_capacity(up_front(least, self.limit, size_of::<Option<T>>()));
        while slots.len() < self.limit {
            let Some(item) = iter.next() else { break };
            slots.push(Slot {
                index: outputs.len(),
                future: Some(step_of(&mut self.step)(item)),
            });
            outputs.push(None);
        }
        let mut limited = Limited {
            items: (slots.len() == self.limit).then_some(iter),
            running: slots.len(),
            slots,
            outputs,
            wakes: Wakes::new(),
        };
        // No allocation for wakers unless an item is still pending after this.
        let outcome = limited.poll_all(step_of(&mut self.step), cx);
        self.start(State::Limited(limited));
        self.settle(outcome)
    }

    /// Later polls. Up to `POLL_ALL_UP_TO` slots, every running item again, as
    /// `join_all` does; above, every running item again while most wake together, else
    /// only the items woken since the last poll, each with its own waker ([`Wakes`]).
    ///
    /// A poll that panicked (in an item's poll or drop, the step, the iterator) may have
    /// lost an output, an error or the count of running items: the fan-out is then
    /// poisoned, and its next poll panics (as a poisoned lock would) instead of waiting
    /// for an item that will never finish. It costs a test and two stores a poll,
    /// nothing per item, and nothing in the in-line polls of up to `POLL_ALL_UP_TO`
    /// items, which lose nothing (each output is written in its place before its future
    /// is dropped, and the cell marked `Done` even when that drop panics; the count of
    /// running items is made afresh at each poll).
    #[inline(never)]
    fn poll_again(&mut self, cx: &mut Context<'_>) -> Poll<K::Output> {
        assert!(
            !self.poisoned,
            "a fan-out was polled again after one of its polls panicked"
        );
        self.poisoned = true;
        let outcome = match &mut *self.state {
            State::All {
                cells,
                running,
                wakes,
                ..
            } => {
                let len = cells.len();
                if len <= POLL_ALL_UP_TO || wakes.poll_all(cx) {
                    let before = *running;
                    let quiet = wakes.rest > 0;
                    let (pass, sampled) = match wakes.window(len, cx) {
                        Some((first, sampler)) => match poll_sampled(cells, first, sampler, cx) {
                            Ok((still, bits)) => (Ok(still), Some(bits)),
                            Err(failure) => (Err(failure), None),
                        },
                        None if len > POLL_ALL_UP_TO && !quiet => {
                            match poll_tail(cells, before, wakes, cx) {
                                Ok((still, bits)) => (Ok(still), bits),
                                Err(failure) => (Err(failure), None),
                            }
                        }
                        None => (poll_cells(cells, cx), None),
                    };
                    pass.and_then(|still| {
                        *running = still;
                        let finished = before - still;
                        wakes.polled_all(len, before, finished, sampled, cx, |slot, cx| {
                            cells.drive(slot, running, cx)
                        })
                    })
                } else {
                    let before = *running;
                    wakes.poll_own(len, before, cx, |slot, cx| {
                        cells.drive(slot, running, cx).map(|_| ())
                    })
                }
            }
            State::Limited(limited) => limited.poll(step_of(&mut self.step), cx),
            State::Start(_) => unreachable!("the first poll starts the items"),
            State::Done => {
                panic!("a fan-out was polled after it finished (or its first poll panicked)")
            }
        };
        self.poisoned = false;
        self.settle(outcome)
    }

    /// The state after the first poll, which took the state `Start` out and left `Done`.
    fn start(&mut self, state: State<I, Fut, T>) {
        debug_assert!(matches!(*self.state, State::Done));
        // Nothing to drop in `Done`.
        self.state = ManuallyDrop::new(state);
    }

    /// Drops every running item at once, and the wakers' shared state with them.
    fn finish(&mut self) {
        // `Done` first: if an item's drop panics, the fan-out's drop drops nothing again.
        drop(ManuallyDrop::into_inner(core::mem::replace(
            &mut self.state,
            ManuallyDrop::new(State::Done),
        )));
    }

    /// Hands on the failure or the outputs if the fan-out is over: a poll that leaves
    /// items running costs a test in line (the rest, which saves registers, is not).
    #[inline]
    fn settle(&mut self, outcome: Result<(), (usize, E)>) -> Poll<K::Output> {
        let over = match &*self.state {
            State::All { running, .. } => *running == 0,
            State::Limited(limited) => limited.running == 0,
            _ => false,
        };
        if outcome.is_ok() && !over {
            return Poll::Pending;
        }
        self.hand_on(outcome)
    }

    /// [`FanOut::settle`] once the fan-out is over.
    #[inline(never)]
    fn hand_on(&mut self, outcome: Result<(), (usize, E)>) -> Poll<K::Output> {
        if let Err(failure) = outcome {
            self.finish();
            return Poll::Ready(K::from(Err(failure)));
        }
        let outputs = match &mut *self.state {
            State::All {
                cells, running: 0, ..
            } => core::mem::take(cells).into_outputs(),
            // `map` (not `flatten`) keeps the exact length and lets the `Vec` be
            // collected in place, with no allocation.
            State::Limited(Limited {
                running: 0,
                outputs,
                ..
            }) => core::mem::take(outputs)
                .into_iter()
                .map(|output| output.expect("every item finished"))
                .collect(),
            _ => return Poll::Pending,
        };
        self.finish();
        Poll::Ready(K::from(Ok(outputs)))
    }
}

impl<It: Iterator, Fut, T> Limited<It, Fut, T> {
    /// Polls every running item in turn, with `cx`.
    fn poll_all<F, E>(&mut self, step: &mut F, cx: &mut Context<'_>) -> Result<(), (usize, E)>
    where
        F: FnMut(It::Item) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        (0..self.slots.len()).try_for_each(|slot| self.drive(slot, step, cx))
    }

    /// Later polls (see [`FanOut::poll_again`]).
    fn poll<F, E>(&mut self, step: &mut F, cx: &mut Context<'_>) -> Result<(), (usize, E)>
    where
        F: FnMut(It::Item) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let len = self.slots.len();
        if len <= POLL_ALL_UP_TO {
            return self.poll_all(step, cx);
        }
        let running = self.running;
        let mut wakes = core::mem::take(&mut self.wakes);
        let outcome = if wakes.poll_all(cx) {
            let started = self.outputs.len();
            self.poll_all(step, cx).and_then(|()| {
                // Each item started this poll took the place of one that finished.
                let finished = running - self.running + (self.outputs.len() - started);
                wakes.polled_all(len, running, finished, None, cx, |slot, cx| {
                    self.drive(slot, step, cx)?;
                    Ok(self
                        .slots
                        .get(slot)
                        .is_some_and(|slot| slot.future.is_some()))
                })
            })
        } else {
            wakes.poll_own(len, running, cx, |slot, cx| self.drive(slot, step, cx))
        };
        self.wakes = wakes;
        outcome
    }

    /// Polls the item in `slot`; while it finishes at once, starts the next item in the
    /// same slot and polls that one too.
    fn drive<F, E>(
        &mut self,
        slot: usize,
        step: &mut F,
        cx: &mut Context<'_>,
    ) -> Result<(), (usize, E)>
    where
        F: FnMut(It::Item) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let Some(slot) = self.slots.get_mut(slot) else {
            return Ok(());
        };
        loop {
            let Some(future) = slot.future.as_mut() else {
                return Ok(());
            };
            // SAFETY: the future stays where it is until it is dropped in place
            // (see `State`).
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
            let Some(iter) = &mut self.items else {
                return Ok(());
            };
            let Some(item) = iter.next() else {
                self.items = None;
                return Ok(());
            };
            slot.index = self.outputs.len();
            self.outputs.push(None);
            // Written in the place of the future dropped above.
            slot.future = Some(step(item));
            self.running += 1;
        }
    }
}

/// A round that finished at least one in this many of the running items (polled with
/// the caller's waker, which tells nothing of who woke) counts as dense at once; after
/// one that finished fewer, the next round samples who wakes (see [`Wakes`]).
const SPARSE: usize = 8;

/// A round of the items' own wakers (or a sample) that found at least one in this many
/// of the running items woken counts as dense: the next polls poll every item again.
const DENSE: usize = 2;

/// How many slots a sample polls with their own wakers, to tell whether most items
/// wake together: at most 64, so a sample is in one word of bits, and at most
/// `POLL_ALL_UP_TO / 2`.
const SAMPLE: usize = 8;

/// The most sparse rounds in a row it takes to switch to the items' own wakers.
const MOST_PATIENCE: u16 = 64;

/// The most rounds that finish few left unsampled after a sample that found its items
/// woken together (see [`Wakes::quiet`]): so many more polls of every item, at most,
/// before items that stop waking together are switched to their own wakers.
const MOST_QUIET: u16 = 16;

/// How the polls of a fan-out of more than `POLL_ALL_UP_TO` slots tell which items to
/// poll. While most items wake together, every poll polls every running item with the
/// caller's waker (nothing per item: no waker, no bit); after `patience` sparse rounds
/// in a row, one round polls every item with its own waker (one bit and one waker per
/// slot, allocated once), and from then on a poll polls only the items woken since the
/// last, until a round finds most of them woken.
///
/// A round polled with the caller's waker that finishes few items may still follow
/// dense wakes (items that wait several times, all together): after one, `SAMPLE`
/// slots (the next ones each time) are polled with their own wakers (those of a
/// [`Sampler`], one allocation), and the next round counts how many of those still
/// running were woken meanwhile: a sample at least `1 / DENSE` woken counts as dense,
/// else as sparse. So items that wake together are never switched to their own wakers.
/// A sample costs no poll more: a round that may have to sample (the first later poll,
/// or one after a round that finished many) polls the last `SAMPLE` slots with their
/// own wakers if the others finished few ([`poll_tail`]), and while rounds keep
/// finishing few, the next round's pass polls the next sample's slots with their own
/// wakers instead of the caller's ([`poll_sampled`]). (A limited fan-out, whose slots
/// take new items, polls the sample's slots again after its pass: `SAMPLE` polls more,
/// however many items, a poll more than a future needs, which any future must allow.) And
/// a sample found dense leaves the next `quiet` such rounds unsampled, `quiet` doubled
/// by each (2, 4, 8, up to `MOST_QUIET`) and 0 again after a sparse one: items waking
/// together for `r` rounds cost about `log2(r)` samples, and items that stop waking
/// together are sampled again within `MOST_QUIET` rounds.
///
/// Both switches lose no wake. To the caller's waker: an item still holding its own
/// waker (a sampled one included) sets its bit and wakes the caller, who now polls
/// every item anyway (the caller's waker is registered at every poll once there are
/// wakers of slots, so an item's waker always reaches the caller of the last poll). To
/// the items' own wakers: an item polled with the caller's waker may keep only that
/// one, so the switching round polls every item with its own waker before the bits are
/// trusted; the bits are cleared before that round, not after, so a wake during it is
/// kept.
///
/// A switch to the own wakers that the next round proves wrong (most items were woken
/// after all) doubles `patience`, up to `MOST_PATIENCE`; one it proves right halves it.
#[derive(Default)]
struct Wakes {
    /// One bit and one waker per slot: allocated at the first switch to the items' own
    /// wakers.
    readiness: Option<Arc<Readiness>>,
    /// The sample's `SAMPLE` wakers and bits (bit `i`: the sample's slot `i`, whichever
    /// slots the sample takes): allocated at the first sample.
    sampler: Option<Arc<Sampler>>,
    /// The last round polled every item with the caller's waker and finished few: this
    /// one samples during its pass (the sample's slots polled with their own wakers
    /// instead of the caller's), at no poll more.
    in_pass: bool,
    mode: Mode,
    /// Sparse rounds in a row, polled with the caller's waker.
    sparse: u16,
    /// How many sparse rounds in a row make the switch (0 is taken as 1).
    patience: u16,
    /// How many rounds that finish few go unsampled after a sample found its items
    /// woken together: 2 after the first, doubled by each such sample up to
    /// `MOST_QUIET`, and 0 again after a sparse one.
    quiet: u16,
    /// The unsampled rounds left of `quiet`.
    rest: u16,
    /// The sample the last round took: a bit for each of its `SAMPLE` slots still
    /// running after their poll with their own wakers.
    sample: Option<u64>,
    /// Where the next sample starts.
    next_sample: usize,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every running item with the caller's waker.
    #[default]
    PollAll,
    /// The next poll polls every item with its own waker.
    Switch,
    /// Only the woken items, each with its own waker; `first`: the first such round
    /// after a switch.
    Own { first: bool },
}

impl Wakes {
    fn new() -> Self {
        Wakes::default()
    }

    /// Whether this poll polls every running item with the caller's waker (then the
    /// caller calls [`Wakes::polled_all`]), else [`Wakes::poll_own`]. Judges the last
    /// sample first.
    #[inline]
    fn poll_all(&mut self, cx: &Context<'_>) -> bool {
        if self.mode != Mode::PollAll || (self.sample.is_some() && self.judge()) {
            return false;
        }
        // Items may still hold their own wakers (or the sample's): those wake the caller
        // of this poll.
        if let Some(readiness) = &self.readiness {
            readiness.parent.register(cx.waker());
        }
        if let Some(sampler) = &self.sampler {
            sampler.parent.register(cx.waker());
        }
        true
    }

    /// Where this round's pass samples, if it does (see [`Wakes::in_pass`]): the first
    /// of the `SAMPLE` slots to poll with the wakers of `sampler`, whose bits are
    /// forgotten now. Called after [`Wakes::poll_all`] said true (which registered the
    /// caller's waker).
    #[inline]
    fn window(&mut self, len: usize, cx: &Context<'_>) -> Option<(usize, &Sampler)> {
        if !self.in_pass || self.rest > 0 {
            return None;
        }
        let first = self.next_sample;
        self.next_sample = next_window(first, len);
        let sampler = self.sampler(cx);
        // Wakes before the sample's polls do not count.
        sampler.forget();
        Some((first, sampler))
    }

    /// The sampler, made (and the caller's waker registered) at the first sample.
    fn sampler(&mut self, cx: &Context<'_>) -> &Sampler {
        self.sampler.get_or_insert_with(|| {
            let sampler = Sampler::new();
            sampler.parent.register(cx.waker());
            sampler
        })
    }

    /// Counts the last sample's round as dense or sparse; true if it makes the switch
    /// (this poll is the switching round).
    fn judge(&mut self) -> bool {
        let (Some(running), Some(sampler)) = (self.sample.take(), &self.sampler) else {
            return false;
        };
        if running == 0 {
            // Every sampled item finished: nothing to tell.
            return false;
        }
        if sampler.woken_of(running) as usize * DENSE >= running.count_ones() as usize {
            self.sparse = 0;
            self.quiet = (self.quiet.max(1) * 2).min(MOST_QUIET);
            // Counted down by the rounds that finish few (`Wakes::polled_all`).
            self.rest = self.quiet;
            return false;
        }
        self.quiet = 0;
        self.sparse += 1;
        if self.sparse < self.patience.max(1) {
            return false;
        }
        self.sparse = 0;
        self.in_pass = false;
        self.mode = Mode::Switch;
        true
    }

    /// After a poll of every item of `len` slots, `finished` of the `running` ones: the
    /// round counts as dense at once if it finished many. Else, unless it is one of the
    /// `quiet` rounds after a dense sample, the next poll judges a sample: the one this
    /// round's pass took (`sampled`: a bit for each of its slots still running), or, if
    /// it took none, `drive` polls the `SAMPLE` next slots again, each with its own
    /// waker (it tells whether the slot's item, or the next one in its place, still
    /// runs); and the next round's pass samples (see [`Wakes::window`]).
    #[inline]
    fn polled_all<E>(
        &mut self,
        len: usize,
        running: usize,
        finished: usize,
        sampled: Option<u64>,
        cx: &Context<'_>,
        drive: impl FnMut(usize, &mut Context<'_>) -> Result<bool, E>,
    ) -> Result<(), E> {
        if finished.saturating_mul(SPARSE) >= running || len <= POLL_ALL_UP_TO {
            self.sparse = 0;
            self.in_pass = false;
            return Ok(());
        }
        self.in_pass = true;
        if self.rest > 0 {
            // Quiet after samples that found the items woken together.
            self.rest -= 1;
            return Ok(());
        }
        if let Some(sample) = sampled {
            self.sample = Some(sample);
            return Ok(());
        }
        self.take_sample(len, cx, drive)
    }

    /// [`Wakes::polled_all`]'s sample of a round whose pass took none.
    fn take_sample<E>(
        &mut self,
        len: usize,
        cx: &Context<'_>,
        mut drive: impl FnMut(usize, &mut Context<'_>) -> Result<bool, E>,
    ) -> Result<(), E> {
        let sampler = self.sampler.get_or_insert_with(Sampler::new);
        sampler.parent.register(cx.waker());
        let first = self.next_sample;
        self.next_sample = next_window(first, len);
        // Wakes before the sample's polls do not count.
        sampler.forget();
        let mut still = 0;
        for (bit, slot) in (first..first + SAMPLE).enumerate() {
            if drive(slot, &mut Context::from_waker(&sampler.waker(bit)))? {
                still |= 1 << bit;
            }
        }
        self.sample = Some(still);
        Ok(())
    }

    /// Polls with its own waker every slot below `len` (the switching round) or the
    /// ones woken since the last poll, until `drive` fails; `running`: the items running
    /// before this poll.
    fn poll_own<E>(
        &mut self,
        len: usize,
        running: usize,
        cx: &mut Context<'_>,
        mut drive: impl FnMut(usize, &mut Context<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let readiness = self.readiness.get_or_insert_with(|| Readiness::new(len));
        readiness.parent.register(cx.waker());
        let mut poll = |slot| drive(slot, &mut Context::from_waker(&readiness.waker(slot)));
        match self.mode {
            Mode::Own { first } => {
                let mut woken = 0;
                readiness.for_each_woken(len, |slot| {
                    woken += 1;
                    poll(slot)
                })?;
                if woken * DENSE >= running {
                    self.mode = Mode::PollAll;
                    if first {
                        self.patience = (self.patience.max(1) * 2).min(MOST_PATIENCE);
                    }
                } else {
                    self.mode = Mode::Own { first: false };
                    if first {
                        self.patience /= 2;
                    }
                }
                Ok(())
            }
            Mode::Switch | Mode::PollAll => {
                readiness.clear();
                self.mode = Mode::Own { first: true };
                (0..len).try_for_each(poll)
            }
        }
    }
}

/// The step of a fan-out that still starts items.
fn step_of<F>(step: &mut Option<F>) -> &mut F {
    match step {
        Some(step) => step,
        None => unreachable!("a fan-out's step is dropped only once every item started"),
    }
}

/// The items' cells once started and polled once, and how many are still running or
/// the first failure with its index.
type Started<Fut, T, E> = (Cells<Fut, T>, Result<usize, (usize, E)>);

/// Starts the `len` items of `iter` one after the other, each polled with `cx` as soon
/// as it is in its place in a buffer of `len` cells: one pass over the items, as
/// `join_all` makes to poll them (it makes another before, to start them). Returns the
/// cells, and how many items are still running or the first failure with its index
/// (the items after it never start).
#[allow(clippy::inline_always)] // measured: see the module's doc
#[inline(always)]
fn start_each<It, F, Fut, T, E>(
    iter: It,
    len: usize,
    step: &mut F,
    cx: &mut Context<'_>,
) -> Started<Fut, T, E>
where
    It: Iterator,
    F: FnMut(It::Item) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut cells: Cells<Fut, T> = Cells {
        futures: Vec::with_capacity(len),
        outputs: Vec::with_capacity(len),
    };
    let mut running = 0;
    // Both buffers have room for `len` values: written through these pointers (the
    // `Vec`s' lengths set as they go), which skips `push`'s and `get_mut`'s tests.
    let futures = cells.futures.as_mut_ptr();
    let places = cells.outputs.as_mut_ptr();
    for (index, item) in iter.enumerate() {
        // A `size_hint` may be wrong: the `Vec` must not grow, that would move the futures
        // already polled.
        assert!(
            index < len,
            "the items' iterator yielded more items than its size_hint told"
        );
        let future = step(item);
        // SAFETY: `index < len`, within both buffers' room; the cell is initialised
        // before the futures' length counts it, and only it is borrowed.
        let cell = unsafe {
            let cell = futures.add(index);
            cell.write(Cell::Running(future));
            cells.futures.set_len(index + 1);
            &mut *cell
        };
        let Cell::Running(future) = cell else {
            unreachable!("just written")
        };
        // SAFETY: the future stays where it is until it is dropped in place: the `Vec`
        // never grows past its capacity, and then holds it (see `State`).
        match unsafe { Pin::new_unchecked(future) }.poll(cx) {
            Poll::Pending => running += 1,
            // The output in its place, then the future dropped in place.
            Poll::Ready(Ok(output)) => {
                // SAFETY: `index < len`, within the outputs' room (and length 0).
                unsafe { places.add(index).write(output) };
                *cell = Cell::Done;
            }
            // The future stays as it is (see `Cell`): the caller drops the cells.
            Poll::Ready(Err(error)) => return (cells, Err((index, error))),
        }
    }
    (cells, Ok(running))
}

/// [`start_each`] for an iterator that does not tell how many items it has (only at
/// most how many): starts them all, then polls them.
#[inline(never)]
fn start_then_poll<It, F, Fut, T, E>(
    iter: It,
    step: &mut F,
    cx: &mut Context<'_>,
) -> Started<Fut, T, E>
where
    It: Iterator,
    F: FnMut(It::Item) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let futures: Vec<_> = iter.map(step).map(Cell::Running).collect();
    let mut cells = Cells {
        outputs: Vec::with_capacity(futures.len()),
        futures,
    };
    let outcome = poll_cells(&mut cells, cx);
    (cells, outcome)
}

/// Polls every running item of `cells` in turn with `cx`, writing each output in its
/// place; how many still run (counted afresh: a poll that panicked loses no count), or
/// the first failure with its index. The hand-written poll-all loop's work, no more.
#[allow(clippy::inline_always)] // measured: see the module's doc
#[inline(always)]
fn poll_cells<Fut, T, E>(
    cells: &mut Cells<Fut, T>,
    cx: &mut Context<'_>,
) -> Result<usize, (usize, E)>
where
    Fut: Future<Output = Result<T, E>>,
{
    let len = cells.len();
    poll_range(cells, 0, len, cx)
}

/// [`poll_cells`] for the cells from `start` to `end`.
#[allow(clippy::inline_always)] // measured: see the module's doc
#[inline(always)]
fn poll_range<Fut, T, E>(
    cells: &mut Cells<Fut, T>,
    start: usize,
    end: usize,
    cx: &mut Context<'_>,
) -> Result<usize, (usize, E)>
where
    Fut: Future<Output = Result<T, E>>,
{
    // The cells that do not run, counted: a count in the loop's rare paths only (one
    // of pending ones costs a register across the polls, 3 instructions an item).
    let mut finished = 0;
    let futures = cells.futures.get_mut(start..end).unwrap_or_default();
    let places = cells.outputs.spare_capacity_mut();
    let places = places.get_mut(start..end).unwrap_or_default();
    let all = futures.len();
    for (index, (cell, place)) in futures.iter_mut().zip(places).enumerate() {
        let Cell::Running(future) = cell else {
            finished += 1;
            continue;
        };
        // SAFETY: the future stays where it is until it is dropped in place (see `State`).
        match unsafe { Pin::new_unchecked(future) }.poll(cx) {
            Poll::Pending => {}
            // The output in its place, then the future dropped in place (`Done` is
            // written even if that drop panics).
            Poll::Ready(Ok(output)) => {
                place.write(output);
                *cell = Cell::Done;
                finished += 1;
            }
            // The future stays as it is (see `Cell`): the caller ends the fan-out.
            Poll::Ready(Err(error)) => return Err((start + index, error)),
        }
    }
    Ok(all - finished)
}

/// [`poll_cells`] with the sample's `SAMPLE` slots from `first` polled with the wakers
/// of `sampler` (bit `i`: slot `first + i`) instead of `cx`: how many still run, and a
/// bit for each sampled slot still running.
fn poll_sampled<Fut, T, E>(
    cells: &mut Cells<Fut, T>,
    first: usize,
    sampler: &Sampler,
    cx: &mut Context<'_>,
) -> Result<(usize, u64), (usize, E)>
where
    Fut: Future<Output = Result<T, E>>,
{
    let len = cells.len();
    let end = (first + SAMPLE).min(len);
    let mut still = poll_range(cells, 0, first, cx)?;
    let mut bits = 0;
    // `drive` counts the finished items off this (none of the fan-out's count).
    let mut uncounted = SAMPLE;
    for (bit, slot) in (first..end).enumerate() {
        let waker = sampler.waker(bit);
        if cells.drive(slot, &mut uncounted, &mut Context::from_waker(&waker))? {
            still += 1;
            bits |= 1 << bit;
        }
    }
    Ok((still + poll_range(cells, end, len, cx)?, bits))
}

/// [`poll_cells`] of a round that may have to sample (after one that finished many, or
/// the first later poll), of `running` items before it: once every slot but the last
/// `SAMPLE` is polled, if few of those finished (see [`Wakes::polled_all`]), the last
/// `SAMPLE` slots are polled with the wakers of `wakes`' sampler: the sample, at no
/// poll more. How many still run, and a bit for each sampled slot still running.
#[inline(never)]
fn poll_tail<Fut, T, E>(
    cells: &mut Cells<Fut, T>,
    running: usize,
    wakes: &mut Wakes,
    cx: &mut Context<'_>,
) -> Result<(usize, Option<u64>), (usize, E)>
where
    Fut: Future<Output = Result<T, E>>,
{
    let len = cells.len();
    let tail = len.saturating_sub(SAMPLE);
    let in_tail = cells
        .futures
        .get(tail..)
        .unwrap_or_default()
        .iter()
        .filter(|cell| matches!(cell, Cell::Running(_)))
        .count();
    let head = running - in_tail;
    let still = poll_range(cells, 0, tail, cx)?;
    if (head - still).saturating_mul(SPARSE) >= head {
        return Ok((still + poll_range(cells, tail, len, cx)?, None));
    }
    let sampler = wakes.sampler(cx);
    sampler.forget();
    let mut bits = 0;
    let mut all_still = still;
    // `drive` counts the finished items off this (none of the fan-out's count).
    let mut uncounted = SAMPLE;
    for (bit, slot) in (tail..len).enumerate() {
        let own = sampler.waker(bit);
        if cells.drive(slot, &mut uncounted, &mut Context::from_waker(&own))? {
            all_still += 1;
            bits |= 1 << bit;
        }
    }
    Ok((all_still, Some(bits)))
}

/// Where the sample after one from `first` starts, among `len` slots (at least
/// `2 * SAMPLE`): the next `SAMPLE` slots, from 0 again at the end.
fn next_window(first: usize, len: usize) -> usize {
    if first + 2 * SAMPLE <= len {
        first + SAMPLE
    } else {
        0
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

    /// The polls of a fan-out of up to `POLL_ALL_UP_TO` items at once are inlined into
    /// the caller (as `join_all`'s are): the others are out of line.
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<K::Output> {
        let this = self.get_mut();
        let items = match &mut *this.state {
            State::Start(items) => items,
            // A later poll of a fan-out small enough to poll every item again.
            State::All {
                cells,
                running,
                wakes: _,
            } if cells.len() <= POLL_ALL_UP_TO => {
                return match poll_cells(cells, cx) {
                    Ok(0) => {
                        let outputs = core::mem::take(cells).into_outputs();
                        // Nothing left to drop: empty `Vec`s and no readiness (up to
                        // `POLL_ALL_UP_TO` cells there is none).
                        this.state = ManuallyDrop::new(State::Done);
                        Poll::Ready(K::from(Ok(outputs)))
                    }
                    Ok(still) => {
                        *running = still;
                        Poll::Pending
                    }
                    Err(failure) => {
                        this.finish();
                        Poll::Ready(K::from(Err(failure)))
                    }
                };
            }
            _ => return this.poll_again(cx),
        };
        // SAFETY: the items are moved out once, and `Start` is overwritten right after
        // without being dropped (the state is a `ManuallyDrop`): nothing runs between.
        let items = unsafe { core::ptr::read(items) };
        this.state = ManuallyDrop::new(State::Done);
        let iter = items.into_iter();
        if iter.size_hint().1.is_some_and(|most| most <= this.limit) {
            this.start_all(iter, cx)
        } else {
            this.start_limited(iter, cx)
        }
    }
}

/// Which slots were woken, and the caller's waker to wake when one is: four
/// allocations (this, the two levels of bits, the nodes) for all the slots' wakers.
struct Readiness {
    parent: AtomicWaker,
    /// One bit per word of `woken`, set by the waker that set the first bit of that
    /// word since the poll took it: a poll after one wake among 100,000 slots reads 25
    /// words of this and one of `woken`, not 1,563.
    summary: Box<[AtomicU64]>,
    /// One bit per slot, set by the slot's waker.
    woken: Box<[AtomicU64]>,
    /// What each slot's waker points to.
    nodes: Box<[Node<Readiness>]>,
}

/// The wakers of a sample's `SAMPLE` slots (bit `i`: the sample's slot `i`, whichever
/// slots the sample takes) and the caller's waker: one allocation.
struct Sampler {
    parent: AtomicWaker,
    /// One bit per sampled slot, set by its waker.
    woken: AtomicU64,
    nodes: [Node<Sampler>; SAMPLE],
}

/// What the wakers of slots point to (a [`Readiness`] or a [`Sampler`]).
trait Slots: Sync {
    /// Marks `slot` woken, and wakes the caller.
    fn woke(&self, slot: usize);
}

/// A slot's waker: the data pointer of its `RawWaker`.
struct Node<R> {
    /// The structure this node is part of: an `Arc`'s data, counted by the wakers.
    owner: *const R,
    slot: usize,
}

// SAFETY: a node is never written after it is made, and its owner is `Sync` (atomics
// and an `AtomicWaker`), so a node may be read from any thread.
unsafe impl<R: Sync> Send for Node<R> {}
// SAFETY: as above.
unsafe impl<R: Sync> Sync for Node<R> {}

impl Readiness {
    /// No slot starts woken: the switching round polls every slot.
    fn new(slots: usize) -> Arc<Self> {
        Arc::new_cyclic(|this| {
            let owner = this.as_ptr();
            Readiness {
                parent: AtomicWaker::new(),
                summary: (0..slots.div_ceil(64).div_ceil(64))
                    .map(|_| AtomicU64::new(0))
                    .collect(),
                woken: (0..slots.div_ceil(64)).map(|_| AtomicU64::new(0)).collect(),
                nodes: (0..slots).map(|slot| Node { owner, slot }).collect(),
            }
        })
    }

    /// Forgets every wake so far (before a round that polls every slot).
    fn clear(&self) {
        for bits in self.summary.iter().chain(&self.woken) {
            bits.store(0, Ordering::Relaxed);
        }
    }

    /// Calls `poll` on each slot below `slots` woken since the last call, until one fails.
    fn for_each_woken<E>(
        &self,
        slots: usize,
        mut poll: impl FnMut(usize) -> Result<(), E>,
    ) -> Result<(), E> {
        // The summary's bit first, then its word: a wake after the word was taken sets
        // the bit again (see `Readiness::woke`), for the next poll.
        for (group, words) in self.summary.iter().enumerate() {
            if words.load(Ordering::Relaxed) == 0 {
                continue;
            }
            let mut words = words.swap(0, Ordering::Acquire);
            while words != 0 {
                let word = group * 64 + words.trailing_zeros() as usize;
                words &= words - 1;
                let Some(bits) = self.woken.get(word) else {
                    continue;
                };
                let mut bits = bits.swap(0, Ordering::Acquire);
                while bits != 0 {
                    let slot = word * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    if slot < slots {
                        poll(slot)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The waker of `slot`, borrowed from `self` (see [`waker_of`]).
    fn waker(&self, slot: usize) -> ManuallyDrop<Waker> {
        waker_of(&self.nodes[slot])
    }
}

impl Slots for Readiness {
    fn woke(&self, slot: usize) {
        let word = slot / 64;
        if let Some(bits) = self.woken.get(word) {
            // The first bit of its word since the poll took the word: the summary's bit
            // too. A wake that finds bits in the word leaves the summary to the wake that
            // set the first of them (the poll takes the summary's bit before the word).
            if bits.fetch_or(1 << (slot % 64), Ordering::AcqRel) == 0
                && let Some(words) = self.summary.get(word / 64)
            {
                words.fetch_or(1 << (word % 64), Ordering::Release);
            }
        }
        self.parent.wake();
    }
}

impl Sampler {
    fn new() -> Arc<Self> {
        Arc::new_cyclic(|this| {
            let owner = this.as_ptr();
            Sampler {
                parent: AtomicWaker::new(),
                woken: AtomicU64::new(0),
                nodes: core::array::from_fn(|slot| Node { owner, slot }),
            }
        })
    }

    /// Forgets every wake so far (before a sample polls its slots).
    fn forget(&self) {
        self.woken.store(0, Ordering::Relaxed);
    }

    /// How many of the sampled slots whose bits are set in `running` were woken since
    /// [`Sampler::forget`].
    fn woken_of(&self, running: u64) -> u32 {
        (self.woken.load(Ordering::Acquire) & running).count_ones()
    }

    /// The waker of the sample's slot `bit`, borrowed from `self` (see [`waker_of`]).
    fn waker(&self, bit: usize) -> ManuallyDrop<Waker> {
        waker_of(&self.nodes[bit])
    }
}

impl Slots for Sampler {
    fn woke(&self, slot: usize) {
        self.woken.fetch_or(1 << slot, Ordering::AcqRel);
        self.parent.wake();
    }
}

/// The waker of `node`, borrowed from its owner: it must not outlive the owner (held by
/// an `Arc`) and is never dropped (a clone of it counts a reference of its own).
fn waker_of<R: Slots>(node: &Node<R>) -> ManuallyDrop<Waker> {
    let node: *const Node<R> = node;
    // SAFETY: the vtable's contract holds for `node` as long as its owner lives.
    ManuallyDrop::new(unsafe { Waker::from_raw(RawWaker::new(node.cast(), vtable::<R>())) })
}

/// The wakers' functions for nodes of `R`.
fn vtable<R: Slots>() -> &'static RawWakerVTable {
    const { &RawWakerVTable::new(clone::<R>, wake::<R>, wake_by_ref::<R>, drop_waker::<R>) }
}

/// # Safety
/// `node` points to a `Node<R>` of a live `R` held by an `Arc`.
unsafe fn clone<R: Slots>(node: *const ()) -> RawWaker {
    // SAFETY: the caller's waker keeps the owner alive; its clone counts one more.
    unsafe { Arc::increment_strong_count((*node.cast::<Node<R>>()).owner) };
    RawWaker::new(node, vtable::<R>())
}

/// # Safety
/// As for [`clone`], and the waker owns one count of the `Arc`.
unsafe fn wake<R: Slots>(node: *const ()) {
    // SAFETY: as the caller's.
    unsafe {
        wake_by_ref::<R>(node);
        drop_waker::<R>(node);
    }
}

/// # Safety
/// As for [`clone`].
unsafe fn wake_by_ref<R: Slots>(node: *const ()) {
    // SAFETY: the node and its owner are alive while the waker is.
    let node = unsafe { &*node.cast::<Node<R>>() };
    // SAFETY: as above.
    unsafe { &*node.owner }.woke(node.slot);
}

/// # Safety
/// As for [`wake`].
unsafe fn drop_waker<R: Slots>(node: *const ()) {
    // SAFETY: the node is read before the count it belongs to is given back.
    let owner = unsafe { (*node.cast::<Node<R>>()).owner };
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

//! What a fan-out costs, counted rather than timed: heap allocations (a counting global
//! allocator) and polls. A fan-out allocates a fixed number of times whatever its size
//! (its slots, its outputs, and, only if an item stays pending, one readiness structure
//! for every item's waker), and a wake-up polls only the item it woke.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use workflow_runtime::fan_out::{fan_out, try_fan_out};

struct Counting;

thread_local! {
    // Per thread, so that tests running beside this one do not count.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: delegates to the system allocator; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Polls `future` to completion with a no-op waker, counting allocations and polls.
fn run_counting<F: Future>(future: F) -> (F::Output, usize, usize) {
    let mut cx = Context::from_waker(Waker::noop());
    let mut future = pin!(future);
    let before = ALLOCATIONS.with(Cell::get);
    let mut polls = 0;
    let output = loop {
        polls += 1;
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            break output;
        }
    };
    (output, ALLOCATIONS.with(Cell::get) - before, polls)
}

#[allow(clippy::unused_async)]
async fn ready(x: u64) -> u64 {
    x * 2
}

/// Returns `Pending` once, waking itself, then its value; counts its polls.
struct YieldOnce<'a> {
    yielded: bool,
    value: u64,
    polls: &'a AtomicUsize,
}

impl Future for YieldOnce<'_> {
    type Output = u64;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        if self.yielded {
            Poll::Ready(self.value)
        } else {
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[test]
fn a_fan_out_of_ready_items_allocates_its_slots_and_its_outputs_only() {
    for n in [1_u64, 8, 30, 31, 64, 1_024, 10_000] {
        let (outputs, allocations, polls) = run_counting(fan_out(0..n, None, ready));
        assert_eq!(outputs, (0..n).map(|x| x * 2).collect::<Vec<_>>());
        assert_eq!(polls, 1, "every item is ready at once");
        // The outputs are collected in place into the slots' buffer when the layouts
        // allow it (they do here), then that buffer may be shrunk: 1 or 2.
        assert!(
            (1..=2).contains(&allocations),
            "{n} items: slots and outputs, nothing per item, got {allocations}"
        );
    }
    let (outputs, allocations, _) = run_counting(fan_out(0..0_u64, None, ready));
    assert_eq!((outputs, allocations), (vec![], 0));
}

#[test]
fn a_limited_fan_out_allocates_the_same_whatever_its_size() {
    let mut counts = Vec::new();
    for n in [64_u64, 1_024, 10_000] {
        let (outputs, allocations, polls) = run_counting(fan_out(0..n, Some(8), ready));
        assert_eq!(outputs, (0..n).map(|x| x * 2).collect::<Vec<_>>());
        assert_eq!(polls, 1);
        counts.push(allocations);
    }
    // The outputs `Vec` grows as items start (a `Range`'s size is known, so it does not).
    assert!(
        counts.iter().all(|&count| count == 2),
        "allocations for 64, 1,024 and 10,000 items: {counts:?}"
    );
}

/// Up to 32 items every poll polls every pending item with the caller's waker (as
/// `join_all` does up to 30); above, each item has its own waker. Either way an item
/// that woke once is polled twice in all, and the wakers cost one allocation at most.
#[test]
fn pending_items_share_one_readiness_structure_and_each_wake_polls_one_item() {
    for n in [8_u64, 64, 1_024] {
        let polls = AtomicUsize::new(0);
        let (outputs, allocations, rounds) = run_counting(fan_out(0..n, None, |value| YieldOnce {
            yielded: false,
            value,
            polls: &polls,
        }));
        assert_eq!(outputs, (0..n).collect::<Vec<_>>());
        assert_eq!(rounds, 2, "one poll to start, one after the wake-ups");
        assert_eq!(
            polls.load(Ordering::Relaxed),
            usize::try_from(2 * n).unwrap_or(usize::MAX),
            "each item polled twice, no more"
        );
        assert!(
            allocations <= 5,
            "{n} items: slots, outputs and one readiness structure, got {allocations}"
        );
    }
}

/// An item that parks its waker in a shared place and finishes when told to.
struct Parked<'a> {
    value: u64,
    wakers: &'a Mutex<Vec<Option<Waker>>>,
    done: &'a [AtomicUsize],
    polls: &'a AtomicUsize,
}

impl Future for Parked<'_> {
    type Output = Result<u64, u64>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<u64, u64>> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        let index = usize::try_from(self.value).unwrap_or(usize::MAX);
        match self.done[index].load(Ordering::SeqCst) {
            0 => {
                self.wakers.lock().expect("no poisoning")[index] = Some(cx.waker().clone());
                Poll::Pending
            }
            1 => Poll::Ready(Ok(self.value)),
            _ => Poll::Ready(Err(self.value)),
        }
    }
}

#[test]
fn waking_one_item_among_a_thousand_polls_that_item_only() {
    const N: usize = 1_000;
    let wakers = Mutex::new(vec![None; N]);
    let done: Vec<AtomicUsize> = (0..N).map(|_| AtomicUsize::new(0)).collect();
    let polls = AtomicUsize::new(0);
    let woken = Arc::new(AtomicUsize::new(0));
    let parent = Waker::from(Arc::new(CountWakes(woken.clone())));
    let mut cx = Context::from_waker(&parent);
    let mut fan = pin!(try_fan_out(0..N as u64, None, |value| Parked {
        value,
        wakers: &wakers,
        done: &done,
        polls: &polls,
    }));
    assert!(fan.as_mut().poll(&mut cx).is_pending());
    assert!(fan.as_mut().poll(&mut cx).is_pending());
    assert_eq!(
        polls.load(Ordering::SeqCst),
        2 * N,
        "started, then every item again, with the caller's waker but for the last 8, \
         polled with their own wakers (a sample, at no poll more: the others finished \
         none)"
    );
    // None of the sample was woken: the next round polls every item with its own waker.
    assert!(fan.as_mut().poll(&mut cx).is_pending());
    assert_eq!(
        polls.load(Ordering::SeqCst),
        3 * N,
        "then each with its own waker"
    );
    // Finish item 500 and wake it from another thread.
    done[500].store(1, Ordering::SeqCst);
    let waker = wakers.lock().expect("no poisoning")[500]
        .take()
        .expect("parked");
    std::thread::spawn(move || waker.wake())
        .join()
        .expect("woke");
    assert!(woken.load(Ordering::SeqCst) >= 1, "the caller was woken");
    polls.store(0, Ordering::SeqCst);
    assert!(fan.as_mut().poll(&mut cx).is_pending());
    assert_eq!(
        polls.load(Ordering::SeqCst),
        1,
        "only the woken item was polled"
    );
    // A spurious poll polls nothing.
    assert!(fan.as_mut().poll(&mut cx).is_pending());
    assert_eq!(polls.load(Ordering::SeqCst), 1);
    // Item 700 fails: the fan-out ends with its index at once.
    done[700].store(2, Ordering::SeqCst);
    wakers.lock().expect("no poisoning")[700]
        .take()
        .expect("parked")
        .wake_by_ref();
    assert_eq!(fan.as_mut().poll(&mut cx), Poll::Ready(Err((700, 700))));
}

#[test]
fn a_waker_kept_after_the_fan_out_is_dropped_stays_valid() {
    let wakers = Mutex::new(vec![None; 4]);
    let done: Vec<AtomicUsize> = (0..4).map(|_| AtomicUsize::new(0)).collect();
    let polls = AtomicUsize::new(0);
    {
        let mut cx = Context::from_waker(Waker::noop());
        let mut fan = Box::pin(try_fan_out(0..4_u64, None, |value| Parked {
            value,
            wakers: &wakers,
            done: &done,
            polls: &polls,
        }));
        assert!(fan.as_mut().poll(&mut cx).is_pending());
        assert!(fan.as_mut().poll(&mut cx).is_pending());
    }
    // The fan-out is gone; the wakers it handed out still work (they do nothing).
    for waker in wakers.lock().expect("no poisoning").iter_mut() {
        let waker = waker.take().expect("parked");
        waker.wake_by_ref();
        #[allow(clippy::waker_clone_wake)] // the clone path is what is tested
        waker.clone().wake();
        drop(waker);
    }
}

struct CountWakes(Arc<AtomicUsize>);

impl std::task::Wake for CountWakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future with a big state and a one-byte output.
struct Bulky([u8; 512]);

impl Future for Bulky {
    type Output = u8;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u8> {
        Poll::Ready(self.0[0])
    }
}

#[test]
fn small_outputs_of_big_futures_do_not_keep_the_futures_buffer() {
    let outputs = futures::executor::block_on(fan_out(0..1_000_u16, None, |x| {
        Bulky([u8::try_from(x % 200).unwrap_or(0); 512])
    }));
    assert_eq!(outputs.len(), 1_000);
    assert_eq!(outputs[999], 199);
    assert!(
        outputs.capacity() <= outputs.len() + 4_096,
        "the 512 KB of futures were given back: capacity {}",
        outputs.capacity()
    );
}

#[test]
fn a_fan_out_of_send_items_is_send_and_runs_on_a_multi_thread_runtime() {
    fn assert_send<T: Send>(value: T) -> T {
        value
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a runtime");
    // 100 items, so each has its own waker, woken from another thread in reverse order.
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..100_u64)
        .map(|_| tokio::sync::oneshot::channel())
        .unzip();
    let outputs = runtime.block_on(async {
        let fan = tokio::spawn(assert_send(fan_out(
            receivers,
            None,
            |receiver| async move { receiver.await.expect("sent") },
        )));
        std::thread::spawn(move || {
            for (value, sender) in (0..100_u32).zip(senders).rev() {
                sender.send(u64::from(value)).expect("the item waits");
            }
        });
        fan.await.expect("no panic")
    });
    assert_eq!(outputs, (0..100).collect::<Vec<_>>());
}

/// Counts its drops.
struct DropCount<'a>(&'a AtomicUsize);

impl Drop for DropCount<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Without a limit, the first poll starts every item and makes room for all the
/// outputs while they still run (a large block asked for once the items freed theirs
/// costs glibc's `malloc_consolidate`), and drops the step, whose captures are freed
/// then (as `join_all(items.map(step))` frees them), not when the fan-out ends; the
/// poll that finishes allocates nothing.
#[test]
fn the_first_poll_makes_room_for_the_outputs_and_drops_the_step() {
    for n in [8_u64, 64, 1_024] {
        let polls = AtomicUsize::new(0);
        let dropped = AtomicUsize::new(0);
        let guard = DropCount(&dropped);
        let polls_ref = &polls;
        let mut fan = pin!(fan_out(0..n, None, move |value| {
            let _captured = &guard;
            YieldOnce {
                yielded: false,
                value,
                polls: polls_ref,
            }
        }));
        let mut cx = Context::from_waker(Waker::noop());
        let before = ALLOCATIONS.with(Cell::get);
        assert!(fan.as_mut().poll(&mut cx).is_pending());
        assert_eq!(
            ALLOCATIONS.with(Cell::get) - before,
            2,
            "{n} items: the cells and the outputs"
        );
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            1,
            "{n} items: the step is dropped"
        );
        let before = ALLOCATIONS.with(Cell::get);
        let Poll::Ready(outputs) = fan.as_mut().poll(&mut cx) else {
            panic!("{n} items: every item was woken")
        };
        assert_eq!(
            ALLOCATIONS.with(Cell::get) - before,
            0,
            "{n} items: the outputs were made at the first poll"
        );
        assert_eq!(outputs, (0..n).collect::<Vec<_>>());
    }
}

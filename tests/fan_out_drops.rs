//! Drops and panics inside a fan-out (`fan_out` / `try_fan_out`): every item's future
//! and output is dropped exactly once whatever happens (failures, panics in a step, a
//! poll or a drop, a fan-out dropped while pending, iterators whose size hint is wrong),
//! and items of an exact-size iterator start and are polled one after the other.
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use workflow_runtime::fan_out::{fan_out, try_fan_out};

#[derive(Default)]
struct Log {
    made: Cell<usize>,
    dropped: Cell<usize>,
    outputs_dropped: Cell<usize>,
    events: RefCell<Vec<String>>,
}

struct Out(Rc<Log>, u64);
impl Drop for Out {
    fn drop(&mut self) {
        self.0.outputs_dropped.set(self.0.outputs_dropped.get() + 1);
    }
}

/// Pending `waits` times, then `Ok`, `Err`, or a panic.
struct Item {
    log: Rc<Log>,
    value: u64,
    waits: u32,
    fail: bool,
    panic_poll: bool,
    panic_drop: bool,
}
impl Drop for Item {
    fn drop(&mut self) {
        self.log.dropped.set(self.log.dropped.get() + 1);
        assert!(
            !self.panic_drop || std::thread::panicking(),
            "drop of item {}",
            self.value
        );
    }
}
impl Future for Item {
    type Output = Result<Out, u64>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.log
            .events
            .borrow_mut()
            .push(format!("poll {}", self.value));
        assert!(!self.panic_poll, "poll of item {}", self.value);
        if self.waits > 0 {
            self.waits -= 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if self.fail {
            Poll::Ready(Err(self.value))
        } else {
            Poll::Ready(Ok(Out(self.log.clone(), self.value)))
        }
    }
}

fn item(log: &Rc<Log>, value: u64) -> Item {
    log.made.set(log.made.get() + 1);
    log.events.borrow_mut().push(format!("start {value}"));
    Item {
        log: log.clone(),
        value,
        waits: 0,
        fail: false,
        panic_poll: false,
        panic_drop: false,
    }
}

fn item_with(log: &Rc<Log>, value: u64, set: impl FnOnce(&mut Item)) -> Item {
    let mut item = item(log, value);
    set(&mut item);
    item
}

fn poll_n<F: Future>(fut: Pin<&mut F>, n: usize) -> Option<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut fut = fut;
    for _ in 0..n {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return Some(out);
        }
    }
    None
}

fn check(log: &Log) {
    assert_eq!(
        log.made.get(),
        log.dropped.get(),
        "every future made is dropped once"
    );
}

#[test]
fn ready_and_waiting_items_all_sizes() {
    for n in [0_u64, 1, 2, 8, 30, 32, 33, 64, 100] {
        for waits in [0, 1, 3] {
            for limit in [None, Some(1), Some(7), Some(1000)] {
                let log = Rc::new(Log::default());
                let outs = {
                    let fan = pin!(try_fan_out(0..n, limit, |v| item_with(&log, v, |i| {
                        i.waits = waits;
                    })));
                    poll_n(fan, 1000)
                        .expect("finishes")
                        .unwrap_or_else(|_| panic!("no failure"))
                };
                assert_eq!(
                    outs.iter().map(|o| o.1).collect::<Vec<_>>(),
                    (0..n).collect::<Vec<_>>()
                );
                drop(outs);
                check(&log);
                assert_eq!(log.outputs_dropped.get() as u64, n);
            }
        }
    }
}

#[test]
fn failure_in_first_poll_starts_no_later_item() {
    for limit in [None, Some(3)] {
        let log = Rc::new(Log::default());
        let out = {
            let fan = pin!(try_fan_out(0..10_u64, limit, |v| item_with(&log, v, |i| {
                i.fail = v == 5;
            })));
            poll_n(fan, 10).expect("finishes")
        };
        assert!(matches!(out, Err((5, 5))));
        check(&log);
        if limit.is_none() {
            assert_eq!(log.outputs_dropped.get(), 5, "outputs 0..5 dropped");
            assert_eq!(log.made.get(), 6, "items after the failure never start");
        }
    }
}

#[test]
fn failure_after_waiting() {
    for n in [4_u64, 40] {
        let log = Rc::new(Log::default());
        let out = {
            let fan = pin!(try_fan_out(0..n, None, |v| item_with(&log, v, |i| {
                i.waits = 1;
                i.fail = v == 2;
            })));
            poll_n(fan, 10).expect("finishes")
        };
        assert!(matches!(out, Err((2, 2))));
        check(&log);
    }
}

#[test]
fn dropping_a_pending_fan_out_drops_every_item_and_output() {
    for n in [3_u64, 40] {
        for limit in [None, Some(2)] {
            let log = Rc::new(Log::default());
            {
                let fan = pin!(try_fan_out(0..n, limit, |v| item_with(&log, v, |i| {
                    i.waits = if v % 2 == 0 { 0 } else { 100 };
                })));
                assert!(poll_n(fan, 3).is_none());
            }
            check(&log);
            let done = log.made.get() - log.made.get().min(log.dropped.get());
            assert_eq!(done, 0);
        }
    }
}

#[test]
fn a_panicking_step_drops_the_items_already_started() {
    for n in [5_u64, 40] {
        for limit in [None, Some(3)] {
            let log = Rc::new(Log::default());
            let result = catch_unwind(AssertUnwindSafe(|| {
                let fan = pin!(try_fan_out(0..n, limit, |v| {
                    assert!(v != 3, "step of item 3");
                    item_with(&log, v, |i| {
                        i.waits = 1;
                    })
                }));
                poll_n(fan, 10)
            }));
            assert!(result.is_err());
            check(&log);
        }
    }
}

#[test]
fn a_panicking_poll_drops_every_item() {
    for n in [5_u64, 40] {
        for waits in [0, 1] {
            let log = Rc::new(Log::default());
            let result = catch_unwind(AssertUnwindSafe(|| {
                let fan = pin!(try_fan_out(0..n, None, |v| item_with(&log, v, |i| {
                    i.waits = waits;
                    i.panic_poll = v == 3;
                })));
                poll_n(fan, 10)
            }));
            assert!(result.is_err());
            check(&log);
            assert_eq!(
                log.outputs_dropped.get() as u64,
                if waits == 0 { 3 } else { 0 }
            );
        }
    }
}

#[test]
fn a_panicking_drop_while_failing_drops_nothing_twice() {
    let log = Rc::new(Log::default());
    let result = catch_unwind(AssertUnwindSafe(|| {
        let fan = pin!(try_fan_out(0..6_u64, None, |v| item_with(&log, v, |i| {
            i.waits = if v == 1 { 5 } else { 0 };
            i.fail = v == 3;
            i.panic_drop = v == 1;
        })));
        poll_n(fan, 10)
    }));
    assert!(result.is_err(), "the drop of item 1 panicked");
    check(&log);
}

/// Tells more items than it has, or fewer.
struct Lying(u64, u64, (usize, Option<usize>));
impl Iterator for Lying {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        (self.0 < self.1).then(|| {
            self.0 += 1;
            self.0 - 1
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.2
    }
}

#[test]
fn wrong_size_hints() {
    // Fewer items than told.
    let log = Rc::new(Log::default());
    let outs = futures::executor::block_on(try_fan_out(Lying(0, 3, (5, Some(5))), None, |v| {
        item_with(&log, v, |i| {
            i.waits = 1;
        })
    }))
    .unwrap_or_else(|_| panic!());
    assert_eq!(outs.len(), 3);
    drop(outs);
    check(&log);
    // More items than told: a panic, every item dropped.
    let log = Rc::new(Log::default());
    let result = catch_unwind(AssertUnwindSafe(|| {
        futures::executor::block_on(try_fan_out(Lying(0, 9, (4, Some(4))), None, |v| {
            item_with(&log, v, |i| {
                i.waits = 1;
            })
        }))
    }));
    assert!(result.is_err());
    check(&log);
    // Inexact: started, then polled.
    for n in [3_u64, 40] {
        let log = Rc::new(Log::default());
        let outs = futures::executor::block_on(fan_out(
            (0..n).filter(|v| v % 2 == 0),
            None,
            |v| async move { v },
        ))
        .len();
        assert_eq!(outs as u64, n.div_ceil(2));
        let outs =
            futures::executor::block_on(try_fan_out(Lying(0, n, (0, Some(100))), None, |v| {
                item_with(&log, v, |i| {
                    i.waits = 1;
                })
            }))
            .unwrap_or_else(|_| panic!());
        assert_eq!(outs.len() as u64, n);
        drop(outs);
        check(&log);
        let ev = log.events.borrow();
        assert!(
            ev[..usize::try_from(n).unwrap()]
                .iter()
                .all(|e| e.starts_with("start")),
            "inexact: all start, then polls"
        );
    }
}

#[test]
fn exact_items_start_and_poll_one_after_the_other() {
    let log = Rc::new(Log::default());
    let _ = futures::executor::block_on(try_fan_out(0..3_u64, None, |v| item(&log, v)));
    assert_eq!(
        *log.events.borrow(),
        [
            "start 0", "poll 0", "start 1", "poll 1", "start 2", "poll 2"
        ]
    );
}

#[test]
#[should_panic(expected = "polled after it finished")]
fn polled_after_done() {
    let mut fan = pin!(fan_out(0..3_u64, None, |v| async move { v }));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(fan.as_mut().poll(&mut cx).is_ready());
    let _ = fan.as_mut().poll(&mut cx);
}

#[test]
fn an_unbounded_iterator_fans_out_with_a_limit_until_an_item_fails() {
    // `1..` tells `usize::MAX` items at least: the first allocations must not believe it.
    let started = Cell::new(0_u64);
    let outcome = futures::executor::block_on(try_fan_out(1_u64.., Some(4), |v| {
        started.set(started.get() + 1);
        async move { if v == 10 { Err(v) } else { Ok(v) } }
    }));
    assert!(matches!(outcome, Err((9, 10))));
    assert_eq!(started.get(), 10, "no item starts after the failure");
    // A range as long as the address space tells it exactly.
    let outcome =
        futures::executor::block_on(try_fan_out(0..usize::MAX, Some(2), |v| async move {
            if v == 3 { Err(v) } else { Ok(v) }
        }));
    assert!(matches!(outcome, Err((3, 3))));
}

/// Polls `fan` once with a no-op waker, catching a panic; its message if it panicked.
fn poll_catching<F: Future>(fan: Pin<&mut F>) -> Result<Poll<F::Output>, String> {
    let mut cx = Context::from_waker(Waker::noop());
    catch_unwind(AssertUnwindSafe(|| fan.poll(&mut cx))).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(ToString::to_string))
            .unwrap_or_default()
    })
}

#[test]
fn a_fan_out_polled_again_after_a_panicking_drop_panics_or_finishes_but_never_hangs() {
    // (items, limit): a limited fan-out, one polled item by item (above 32), one polled
    // whole in line (up to 32).
    for (n, limit) in [(10_u64, Some(2)), (40, None), (3, None)] {
        let log = Rc::new(Log::default());
        {
            let mut fan = pin!(try_fan_out(0..n, limit, |v| item_with(&log, v, |i| {
                i.waits = 1;
                i.panic_drop = v == 0;
            })));
            assert!(matches!(poll_catching(fan.as_mut()), Ok(Poll::Pending)));
            // Item 0 finishes, and its drop panics.
            let Err(panicked) = poll_catching(fan.as_mut()) else {
                panic!("the drop of item 0 panics");
            };
            assert!(panicked.contains("drop of item 0"), "{panicked}");
            match poll_catching(fan.as_mut()) {
                // Up to 32 items every cell is polled again in line: item 0's output
                // was written over its future as it was dropped, and nothing is lost.
                Ok(Poll::Ready(Ok(outputs))) => {
                    assert!(n <= 32 && limit.is_none(), "{n} items, limit {limit:?}");
                    assert_eq!(outputs.iter().map(|o| o.1).collect::<Vec<_>>(), [0, 1, 2]);
                }
                Err(poisoned) => {
                    assert!(n > 32 || limit.is_some(), "{n} items, limit {limit:?}");
                    assert!(
                        poisoned.contains("polled again after one of its polls panicked"),
                        "{poisoned}"
                    );
                    // Still poisoned, still no hang.
                    assert!(poll_catching(fan.as_mut()).is_err());
                }
                Ok(Poll::Pending) => panic!("{n} items, limit {limit:?}: pending after a panic"),
                Ok(Poll::Ready(Err(failure))) => panic!("no item fails: {failure:?}"),
            }
        }
        check(&log);
    }
}

#[test]
fn a_failing_item_whose_drop_panics_never_hands_on_an_output_it_did_not_write() {
    // (items, limit): polled whole in line (up to 32, never poisoned), polled item by
    // item (above 32), limited. Item 0 fails at the second poll and its drop panics: a
    // later poll must not take it for a finished item (it wrote no output).
    for (n, limit) in [(3_u64, None), (32, None), (40, None), (10, Some(2))] {
        let log = Rc::new(Log::default());
        {
            let mut fan = pin!(try_fan_out(0..n, limit, |v| item_with(&log, v, |i| {
                i.waits = 1;
                i.fail = v == 0;
                i.panic_drop = v == 0;
            })));
            assert!(matches!(poll_catching(fan.as_mut()), Ok(Poll::Pending)));
            let Err(panicked) = poll_catching(fan.as_mut()) else {
                panic!("{n} items: the drop of item 0 panics");
            };
            assert!(panicked.contains("drop of item 0"), "{panicked}");
            match poll_catching(fan.as_mut()) {
                Err(again) => assert!(again.contains("polled"), "{n} items: {again}"),
                Ok(Poll::Ready(Ok(outputs))) => panic!(
                    "{n} items, limit {limit:?}: {} outputs though item 0 failed",
                    outputs.len()
                ),
                Ok(other) => panic!("{n} items, limit {limit:?}: {:?}", other.map(|_| ())),
            }
        }
        check(&log);
        assert_eq!(
            Rc::strong_count(&log),
            1,
            "every output dropped: none leaked"
        );
    }
}

/// Counts the [`Zst`]s made and dropped (one test uses them).
static ZST_MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static ZST_DROPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A zero-sized output with a drop: a `Vec` of them has room for `usize::MAX`, and the
/// fan-out's writes and drops of outputs in place are no-ops but the drop's.
struct Zst;
impl Drop for Zst {
    fn drop(&mut self) {
        ZST_DROPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Pending `waits` times (waking itself), then a [`Zst`]; never ready if `waits` is `None`.
struct ZstAfter(Option<u32>);
impl Future for ZstAfter {
    type Output = Zst;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Zst> {
        match &mut self.0 {
            None => Poll::Pending,
            Some(0) => {
                ZST_MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Poll::Ready(Zst)
            }
            Some(waits) => {
                *waits -= 1;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
}

#[test]
fn zero_sized_outputs_with_a_drop_are_dropped_once_each() {
    use std::sync::atomic::Ordering::Relaxed;
    assert_eq!(size_of::<Zst>(), 0);
    for n in [0_u32, 3, 32, 33, 100, 1_000] {
        for limit in [None, Some(7)] {
            ZST_DROPS.store(0, Relaxed);
            let outputs =
                futures::executor::block_on(fan_out(0..n, limit, |v| ZstAfter(Some(v % 3))));
            assert_eq!(outputs.len(), n as usize);
            drop(outputs);
            assert_eq!(
                ZST_DROPS.load(Relaxed),
                n as usize,
                "{n} items, limit {limit:?}"
            );
            // Dropped while half done (the odd items never finish): every output written
            // so far is dropped once.
            ZST_DROPS.store(0, Relaxed);
            ZST_MADE.store(0, Relaxed);
            {
                let fan = pin!(fan_out(0..n, limit, |v| ZstAfter(
                    (v % 2 == 0).then_some(v % 3)
                )));
                assert!(poll_n(fan, 5).is_none() || n == 0);
            }
            let made = ZST_MADE.load(Relaxed);
            if limit.is_none() {
                assert_eq!(made, n.div_ceil(2) as usize, "the even items finished");
            }
            assert_eq!(ZST_DROPS.load(Relaxed), made, "{n} items, limit {limit:?}");
        }
    }
}

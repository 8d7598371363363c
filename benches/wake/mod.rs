//! The wake patterns of `benches/wake_patterns.rs` and `examples/wake_patterns.rs`: the
//! same items, stepped by the same functions, joined by each method in turn.
//!
//! Patterns: `ready` (every item finishes on its first poll), `self-waking` (an item
//! returns `Pending` once and wakes itself with `wake_by_ref`), `timers` (an item sleeps
//! 1 ms on tokio's paused clock, current-thread runtime), `remote` (an item waits for a
//! `futures` oneshot that another thread sends once every item is waiting), `sparse`
//! (one item is woken a round, N rounds), `dense` (every item is woken together, 4
//! rounds, then finishes).
//!
//! Methods: `fan-out` (`workflow_runtime::fan_out::fan_out`), `poll-all` (the loop below
//! that polls every running item with the caller's waker on every poll), `join_all`,
//! `unordered` (`FuturesUnordered`, outputs put back in order), `fc-join`
//! (futures-concurrency's `Vec` join).

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::hint::black_box;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use futures::StreamExt as _;
use futures::future::join_all;
use futures::stream::FuturesUnordered;
use futures_concurrency::future::Join as _;
use workflow_runtime::fan_out::fan_out;

/// How the items wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pattern {
    Ready,
    SelfWaking,
    Timers,
    Remote,
    Sparse,
    Dense,
}

pub(crate) const PATTERNS: [Pattern; 6] = [
    Pattern::Ready,
    Pattern::SelfWaking,
    Pattern::Timers,
    Pattern::Remote,
    Pattern::Sparse,
    Pattern::Dense,
];

impl Pattern {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Pattern::Ready => "ready",
            Pattern::SelfWaking => "self-waking",
            Pattern::Timers => "timers",
            Pattern::Remote => "remote",
            Pattern::Sparse => "sparse",
            Pattern::Dense => "dense",
        }
    }

    #[allow(dead_code)] // for the example's command line, not the bench
    pub(crate) fn parse(name: &str) -> Option<Self> {
        PATTERNS.into_iter().find(|pattern| pattern.name() == name)
    }
}

/// What joins the items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    FanOut,
    PollAll,
    JoinAll,
    Unordered,
    FcJoin,
}

pub(crate) const METHODS: [Method; 5] = [
    Method::FanOut,
    Method::PollAll,
    Method::JoinAll,
    Method::Unordered,
    Method::FcJoin,
];

impl Method {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Method::FanOut => "fan-out",
            Method::PollAll => "poll-all",
            Method::JoinAll => "join_all",
            Method::Unordered => "unordered",
            Method::FcJoin => "fc-join",
        }
    }

    #[allow(dead_code)] // for the example's command line, not the bench
    pub(crate) fn parse(name: &str) -> Option<Self> {
        METHODS.into_iter().find(|method| method.name() == name)
    }
}

/// Joins `n` items made by `step`, with `method`: the outputs in the items' order.
fn join<'a, S, Fut>(
    method: Method,
    n: u64,
    mut step: S,
) -> Pin<Box<dyn Future<Output = Vec<u64>> + 'a>>
where
    S: FnMut(u64) -> Fut + 'a,
    Fut: Future<Output = u64> + 'a,
{
    match method {
        Method::FanOut => Box::pin(fan_out(0..n, None, step)),
        Method::PollAll => Box::pin(poll_all((0..n).map(step))),
        Method::JoinAll => Box::pin(join_all((0..n).map(step))),
        Method::Unordered => Box::pin(async move {
            let mut unordered: FuturesUnordered<_> = (0..n)
                .map(|item| {
                    let future = step(item);
                    async move { (item, future.await) }
                })
                .collect();
            let mut outputs = vec![0; usize::try_from(n).unwrap_or(0)];
            while let Some((item, output)) = unordered.next().await {
                outputs[usize::try_from(item).unwrap_or(0)] = output;
            }
            outputs
        }),
        Method::FcJoin => Box::pin((0..n).map(step).collect::<Vec<_>>().join()),
    }
}

/// The hand-written loop: every running item polled with the caller's waker on every
/// poll, its output written beside it.
async fn poll_all<Fut: Future<Output = u64>>(items: impl Iterator<Item = Fut>) -> Vec<u64> {
    let mut items: Vec<Option<Fut>> = items.map(Some).collect();
    let mut outputs = vec![0; items.len()];
    let mut running = items.len();
    poll_fn(|cx| {
        for (item, output) in items.iter_mut().zip(&mut outputs) {
            if let Some(future) = item {
                // SAFETY: the `Vec` never grows, so a future stays where it is until it
                // is dropped in place (`None` written over it).
                if let Poll::Ready(value) = unsafe { Pin::new_unchecked(future) }.poll(cx) {
                    *output = value;
                    *item = None;
                    running -= 1;
                }
            }
        }
        if running == 0 {
            Poll::Ready(core::mem::take(&mut outputs))
        } else {
            Poll::Pending
        }
    })
    .await
}

#[allow(clippy::unused_async)] // an item that is ready at once
async fn ready(x: u64) -> u64 {
    black_box(x) + 1
}

/// Returns `Pending` once, waking itself, then its value (`benches/fan_out.rs` too).
pub(crate) struct YieldOnce(pub(crate) bool, pub(crate) u64);

impl Future for YieldOnce {
    type Output = u64;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if self.0 {
            Poll::Ready(black_box(self.1) + 1)
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// The wakers the items of `sparse` and `dense` left, and how far each may go.
struct Board {
    wakers: Vec<Option<Waker>>,
    /// `sparse`: 1 once the item may finish; `dense`: the round every item may reach.
    allowed: Vec<u32>,
    round: u32,
}

impl Board {
    fn new(n: u64) -> Rc<RefCell<Board>> {
        let n = usize::try_from(n).unwrap_or(0);
        Rc::new(RefCell::new(Board {
            wakers: vec![None; n],
            allowed: vec![0; n],
            round: 0,
        }))
    }
}

/// Waits on `board` until it has seen `rounds` rounds (its own in `allowed` if
/// `own`, else the board's), then returns its value.
struct Waiting {
    board: Rc<RefCell<Board>>,
    index: usize,
    seen: u32,
    rounds: u32,
    own: bool,
}

impl Future for Waiting {
    type Output = u64;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        let mut board = self.board.borrow_mut();
        let now = if self.own {
            board.allowed[self.index]
        } else {
            board.round
        };
        let waker = &mut board.wakers[self.index];
        drop(waker.take_if(|waker| !waker.will_wake(cx.waker())));
        if waker.is_none() {
            *waker = Some(cx.waker().clone());
        }
        drop(board);
        self.seen = now;
        if self.seen >= self.rounds {
            Poll::Ready(self.index as u64 + 1)
        } else {
            Poll::Pending
        }
    }
}

/// Wakes the waker item `index` left, if any.
fn wake(board: &RefCell<Board>, index: usize) {
    let waker = board.borrow_mut().wakers[index].take();
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// Rounds of `dense`.
const DENSE_ROUNDS: u32 = 4;

/// A parent waker that counts its wakes (as an executor's would flag its task).
struct Flag(AtomicUsize);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Polls `future` with `waker` until it is ready, calling `between` before each poll
/// after the first with the number of that poll.
fn drive<F: Future + ?Sized>(
    mut future: Pin<&mut F>,
    waker: &Waker,
    mut between: impl FnMut(u64),
) -> F::Output {
    let mut cx = Context::from_waker(waker);
    let mut polls = 0;
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        polls += 1;
        between(polls);
    }
}

/// Runs `n` items of `pattern` joined by `method`; the outputs (`1..=n` in order).
#[inline(never)]
pub(crate) fn run(pattern: Pattern, method: Method, n: u64) -> Vec<u64> {
    let waker = Waker::from(Arc::new(Flag(AtomicUsize::new(0))));
    match pattern {
        Pattern::Ready => drive(join(method, n, ready).as_mut(), &waker, |_| {}),
        Pattern::SelfWaking => drive(
            join(method, n, |x| YieldOnce(false, x)).as_mut(),
            &waker,
            |_| {},
        ),
        Pattern::Timers => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .start_paused(true)
                .build()
                .expect("a runtime");
            runtime.block_on(join(method, n, |x| async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                black_box(x) + 1
            }))
        }
        Pattern::Remote => {
            let (senders, receivers): (Vec<_>, Vec<_>) = (0..n)
                .map(|_| futures::channel::oneshot::channel::<u64>())
                .unzip();
            let mut receivers = receivers.into_iter();
            let mut future = join(method, n, move |_| {
                let receiver = receivers.next().expect("one a item");
                async move { receiver.await.expect("sent") + 1 }
            });
            let mut senders = Some(senders);
            drive(future.as_mut(), &waker, |_| {
                // Every item waits: another thread wakes them all, then they are polled.
                if let Some(senders) = senders.take() {
                    std::thread::spawn(move || {
                        for (value, sender) in (0..).zip(senders) {
                            sender.send(value).expect("the item waits");
                        }
                    })
                    .join()
                    .expect("sent");
                }
            })
        }
        Pattern::Sparse => {
            let board = Board::new(n);
            let mut future = join(method, n, |x| Waiting {
                board: board.clone(),
                index: usize::try_from(x).unwrap_or(0),
                seen: 0,
                rounds: 1,
                own: true,
            });
            drive(future.as_mut(), &waker, |poll| {
                // One item a round may finish: the next one.
                let index = usize::try_from(poll - 1).unwrap_or(0);
                if index < board.borrow().allowed.len() {
                    board.borrow_mut().allowed[index] = 1;
                    wake(&board, index);
                }
            })
        }
        Pattern::Dense => {
            let board = Board::new(n);
            let mut future = join(method, n, |x| Waiting {
                board: board.clone(),
                index: usize::try_from(x).unwrap_or(0),
                seen: 0,
                rounds: DENSE_ROUNDS,
                own: false,
            });
            drive(future.as_mut(), &waker, |_| {
                // Every item goes one round further, woken together.
                let len = {
                    let mut board = board.borrow_mut();
                    board.round += 1;
                    board.wakers.len()
                };
                for index in 0..len {
                    wake(&board, index);
                }
            })
        }
    }
}

/// Checks that `outputs` are `1..=n`.
pub(crate) fn check(pattern: Pattern, method: Method, n: u64, outputs: &[u64]) {
    assert!(
        outputs.iter().copied().eq(1..=n),
        "{} / {} / {n}: wrong outputs",
        pattern.name(),
        method.name()
    );
}

/// Runs and checks one case.
pub(crate) fn run_checked(pattern: Pattern, method: Method, n: u64) {
    let outputs = run(pattern, method, n);
    check(pattern, method, n, &outputs);
}

/// Whether a case takes too long to be worth it: the poll-all loop and
/// futures-concurrency are quadratic on `sparse` (10,000 items: 3.5 G and 1.9 G
/// instructions), and so is every method on `timers` through tokio's budget.
pub(crate) fn too_slow(pattern: Pattern, method: Method, n: u64) -> bool {
    n > 10_000
        && (pattern == Pattern::Timers
            || (pattern == Pattern::Sparse && matches!(method, Method::PollAll | Method::FcJoin)))
}

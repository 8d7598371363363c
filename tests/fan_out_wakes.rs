//! A fan-out of more than 32 items polls every item with the caller's waker while most
//! wake together, and only the woken ones, each with its own waker, once wakes are
//! sparse. These tests switch it back and forth and check that no wake is lost: every
//! woken item is polled at the next poll, and the caller is woken whenever an item is.

use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use workflow_runtime::fan_out::fan_out;

/// What the items share with the test: the waker each item's last poll gave it (the
/// only one it keeps), how far each may go and how far each went.
struct Board {
    wakers: Vec<Option<Waker>>,
    allowed: Vec<u32>,
    seen: Vec<u32>,
    /// The caller's waker, and how many items this round were polled with another one.
    parent: Waker,
    own_wakers: usize,
    /// How many polls of items this round.
    polls: usize,
}

/// An item that goes one step each time it is allowed to, and finishes after `steps`.
struct Stepper<'a> {
    board: &'a Mutex<Board>,
    index: usize,
    steps: u32,
}

impl std::future::Future for Stepper<'_> {
    type Output = usize;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let mut board = self.board.lock().expect("no poisoning");
        board.polls += 1;
        let allowed = board.allowed[self.index];
        board.seen[self.index] = allowed;
        if allowed >= self.steps {
            return Poll::Ready(self.index);
        }
        if !cx.waker().will_wake(&board.parent) {
            board.own_wakers += 1;
        }
        // Only the waker of this poll: an earlier one is dropped.
        board.wakers[self.index] = Some(cx.waker().clone());
        Poll::Pending
    }
}

struct CountWakes(AtomicUsize);

impl Wake for CountWakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Runs `n` items of `steps` steps (with `limit`) through the rounds `woken(round)`
/// tells: which running items are allowed one more step and woken, by the waker of
/// their last poll, from this thread or another. After each wake the caller must have
/// been woken, and after each poll every woken item must have been polled.
fn run(n: usize, limit: Option<usize>, steps: u32, woken: impl Fn(usize, usize) -> bool) {
    run_with(n, limit, steps, None, woken);
}

/// What one poll of the fan-out did to its items.
#[derive(Clone, Copy, Debug)]
struct Round {
    /// Polls of items.
    polls: usize,
    /// Of which with a waker other than the caller's.
    own_wakers: usize,
}

/// [`run`], and no round polls more than `own_wakers` items with a waker other than
/// the caller's, if given; what each poll of the fan-out did.
fn run_with(
    n: usize,
    limit: Option<usize>,
    steps: u32,
    own_wakers: Option<usize>,
    woken: impl Fn(usize, usize) -> bool,
) -> Vec<Round> {
    let parent = Arc::new(CountWakes(AtomicUsize::new(0)));
    let waker = Waker::from(parent.clone());
    let board = Mutex::new(Board {
        wakers: vec![None; n],
        allowed: vec![0; n],
        seen: vec![0; n],
        parent: waker.clone(),
        own_wakers: 0,
        polls: 0,
    });
    let mut cx = Context::from_waker(&waker);
    let mut fan = pin!(fan_out(0..n, limit, |index| Stepper {
        board: &board,
        index,
        steps,
    }));
    let mut round = 0;
    let mut rounds = Vec::new();
    loop {
        let outcome = fan.as_mut().poll(&mut cx);
        {
            let mut board = board.lock().expect("no poisoning");
            rounds.push(Round {
                polls: board.polls,
                own_wakers: board.own_wakers,
            });
            board.polls = 0;
        }
        if let Poll::Ready(outputs) = outcome {
            assert_eq!(outputs, (0..n).collect::<Vec<_>>());
            return rounds;
        }
        {
            let mut board = board.lock().expect("no poisoning");
            if let Some(most) = own_wakers {
                assert!(
                    board.own_wakers <= most,
                    "{n} items, round {round}: {} polled with their own wakers",
                    board.own_wakers
                );
            }
            board.own_wakers = 0;
            for index in 0..n {
                if board.wakers[index].is_some() {
                    assert_eq!(
                        board.seen[index], board.allowed[index],
                        "round {round}: item {index} was woken but not polled"
                    );
                }
            }
        }
        round += 1;
        assert!(round < 10_000, "the fan-out does not finish");
        // The wakers of the items allowed a step this round, or of every waiting item
        // if none of the round's is waiting (a limited fan-out has not started them).
        let wakers: Vec<Waker> = {
            let mut board = board.lock().expect("no poisoning");
            let waiting: Vec<usize> = (0..n).filter(|&i| board.wakers[i].is_some()).collect();
            let chosen: Vec<usize> = waiting
                .iter()
                .copied()
                .filter(|&i| woken(round, i))
                .collect();
            let chosen = if chosen.is_empty() { waiting } else { chosen };
            chosen
                .into_iter()
                .filter_map(|index| {
                    board.allowed[index] += 1;
                    board.wakers[index].take()
                })
                .collect()
        };
        let before = parent.0.load(Ordering::SeqCst);
        let any = !wakers.is_empty();
        if round.is_multiple_of(2) {
            std::thread::spawn(move || wakers.into_iter().for_each(Waker::wake))
                .join()
                .expect("woke");
        } else {
            wakers.into_iter().for_each(Waker::wake);
        }
        if any {
            assert!(
                parent.0.load(Ordering::SeqCst) > before,
                "round {round}: items were woken, the caller was not"
            );
        }
    }
}

/// Dense rounds (every item), then sparse ones (one item in 50), then dense again, and
/// so on: the fan-out switches to the items' own wakers and back several times.
fn alternating(round: usize, index: usize) -> bool {
    if (round / 6).is_multiple_of(2) {
        true
    } else {
        index % 50 == round % 50
    }
}

#[test]
fn switching_between_dense_and_sparse_wakes_loses_no_wake() {
    for n in [33, 64, 200, 1_000] {
        run(n, None, 40, alternating);
    }
}

#[test]
fn a_limited_fan_out_switching_between_dense_and_sparse_wakes_loses_no_wake() {
    run(300, Some(100), 10, alternating);
    run(1_000, Some(40), 5, alternating);
}

#[test]
fn sparse_wakes_only_then_dense_ones() {
    // One item a round for the first 200 rounds, then all together.
    run(500, None, 3, |round, index| {
        round > 200 || index == round % 500
    });
}

#[test]
fn items_that_wait_several_times_all_together() {
    run(1_000, None, 20, |_, _| true);
}

#[test]
fn items_that_wait_several_times_together_keep_the_callers_waker() {
    // At most 8 items a round (the sample that tells the wakes are dense) get a waker of
    // their own: the fan-out never switches to the items' own wakers, whose wakes cost
    // more.
    for n in [33, 64, 1_000, 10_000] {
        run_with(n, None, 6, Some(8), |_, _| true);
    }
    run_with(1_000, Some(100), 3, Some(8), |_, _| true);
}

#[test]
fn items_that_wait_several_times_together_are_polled_once_a_round() {
    // Every item woken together, 20 times: each sample is taken during a round's pass
    // (its 8 items polled with their own wakers instead of the caller's, none polled
    // twice), and samples grow rarer while they find the items woken together.
    let (n, steps) = (1_000, 20);
    let rounds = run_with(n, None, steps, Some(8), |_, _| true);
    let polls: usize = rounds.iter().map(|round| round.polls).sum();
    assert_eq!(rounds.len(), steps as usize + 1);
    assert!(
        polls == n * (steps as usize + 1),
        "{polls} polls of {n} items over {} rounds",
        rounds.len()
    );
    let sampled = rounds.iter().filter(|round| round.own_wakers > 0).count();
    assert!(
        (1..=5).contains(&sampled),
        "{sampled} of {} rounds sampled: {rounds:?}",
        rounds.len()
    );
}

#[test]
fn items_that_stop_waking_together_are_switched_to_their_own_wakers() {
    // 60 rounds of every item woken together (the samples grow rare), then one item a
    // round: within the quiet rounds left (at most 16) and a few more, a round polls
    // only the woken item (with its own waker: a round with the caller's polls all 200).
    let n = 200;
    let rounds = run_with(n, None, 62, None, |round, index| {
        round <= 60 || index == round % n
    });
    let late = &rounds[100..300];
    assert!(
        late.iter().all(|round| round.polls <= 2),
        "rounds 100 to 300 poll more than the woken item: {late:?}"
    );
}

/// An item that never finishes and keeps a clone of every waker it is polled with.
struct Keeper<'a> {
    index: usize,
    latest: &'a Mutex<Vec<Option<Waker>>>,
    kept: &'a Mutex<Vec<Waker>>,
    parent: &'a Waker,
    polls: &'a AtomicUsize,
}

impl std::future::Future for Keeper<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        if !cx.waker().will_wake(self.parent) {
            self.kept
                .lock()
                .expect("no poisoning")
                .push(cx.waker().clone());
        }
        self.latest.lock().expect("no poisoning")[self.index] = Some(cx.waker().clone());
        Poll::Pending
    }
}

#[test]
fn the_items_own_wakers_kept_after_the_fan_out_is_dropped_stay_harmless() {
    // 200 items woken one a round: sampled (the sampler's wakers), then switched to their
    // own wakers (the readiness structure's). Every waker other than the caller's is kept
    // past the fan-out's drop, then woken, cloned, woken from another thread and dropped.
    let n = 200;
    let parent = Arc::new(CountWakes(AtomicUsize::new(0)));
    let waker = Waker::from(parent.clone());
    let latest = Mutex::new(vec![None; n]);
    let kept = Mutex::new(Vec::new());
    let polls = AtomicUsize::new(0);
    {
        let mut cx = Context::from_waker(&waker);
        let mut fan = Box::pin(fan_out(0..n, None, |index| Keeper {
            index,
            latest: &latest,
            kept: &kept,
            parent: &waker,
            polls: &polls,
        }));
        for round in 0..300 {
            polls.store(0, Ordering::SeqCst);
            assert!(fan.as_mut().poll(&mut cx).is_pending());
            let woken = latest.lock().expect("no poisoning")[round % n].take();
            woken.expect("polled at its wake").wake();
        }
        assert!(
            polls.load(Ordering::SeqCst) <= 2,
            "switched to the items' own wakers: only the woken item is polled"
        );
    }
    let kept = kept.into_inner().expect("no poisoning");
    assert!(kept.len() > 200, "{} wakers kept", kept.len());
    let latest: Vec<Waker> = latest
        .into_inner()
        .expect("no poisoning")
        .into_iter()
        .flatten()
        .collect();
    let before = parent.0.load(Ordering::SeqCst);
    for waker in &kept {
        waker.wake_by_ref();
        #[allow(clippy::waker_clone_wake)] // the clone path is what is tested
        waker.clone().wake();
    }
    std::thread::spawn(move || {
        for waker in kept.iter().chain(&latest) {
            waker.wake_by_ref();
        }
        drop(latest);
        kept.into_iter().for_each(Waker::wake);
    })
    .join()
    .expect("the wakes of a dropped fan-out are harmless");
    // The caller may be woken, spuriously: nothing else happens.
    assert!(parent.0.load(Ordering::SeqCst) >= before);
}

/// An item that finishes once its flag is set, and keeps only its last waker (for the
/// thread that sets the flag).
struct Flagged<'a> {
    index: usize,
    go: &'a [std::sync::atomic::AtomicBool],
    latest: &'a [Mutex<Option<Waker>>],
}

impl std::future::Future for Flagged<'_> {
    type Output = usize;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        // The waker first, then the flag: the setter sets the flag, then takes the waker.
        *self.latest[self.index].lock().expect("no poisoning") = Some(cx.waker().clone());
        if self.go[self.index].load(Ordering::SeqCst) {
            Poll::Ready(self.index)
        } else {
            Poll::Pending
        }
    }
}

#[test]
fn wakes_from_another_thread_racing_the_polls_lose_nothing() {
    // Items let go one by one (in bursts, then pauses) from another thread while the
    // fan-out runs on `block_on`, which parks until woken: a lost wake hangs it, caught
    // by the timeout.
    for (n, limit) in [(40, None), (1_000, None), (500, Some(64))] {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let go: Vec<_> = (0..n)
                .map(|_| std::sync::atomic::AtomicBool::new(false))
                .collect();
            let latest: Vec<Mutex<Option<Waker>>> = (0..n).map(|_| Mutex::new(None)).collect();
            let outputs = std::thread::scope(|scope| {
                scope.spawn(|| {
                    let mut order: Vec<usize> = (0..n).collect();
                    // A fixed shuffle: every 7th index first, then the rest.
                    order.sort_by_key(|&index| (index % 7 != 0, index));
                    for (count, index) in order.into_iter().enumerate() {
                        go[index].store(true, Ordering::SeqCst);
                        if let Some(waker) = latest[index].lock().expect("no poisoning").take() {
                            waker.wake();
                        }
                        if count % 16 == 0 {
                            std::thread::sleep(std::time::Duration::from_micros(200));
                        }
                    }
                });
                futures::executor::block_on(fan_out(0..n, limit, |index| Flagged {
                    index,
                    go: &go,
                    latest: &latest,
                }))
            });
            // The fan-out is gone: wake what the items kept.
            for waker in latest
                .into_iter()
                .filter_map(|waker| waker.into_inner().ok().flatten())
            {
                waker.wake();
            }
            done.send(outputs).expect("the test waits");
        });
        let outputs = finished
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("{n} items, limit {limit:?}: a wake was lost"));
        assert_eq!(outputs, (0..n).collect::<Vec<_>>());
    }
}

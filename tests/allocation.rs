//! A static fork allocates nothing: its branches are async blocks inside the workflow's
//! own future, polled by `join!` machinery. A counting global allocator proves it, and
//! the workflow's future is the size of the hand-written `futures::join!`.

#![allow(clippy::many_single_char_names)] // eight branches named a to h

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

use workflow_runtime::workflow;

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
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Returns `Pending` `times` times before it is ready: branches really interleave.
struct YieldTimes(u32, u64);

impl Future for YieldTimes {
    type Output = u64;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if self.0 == 0 {
            Poll::Ready(self.1)
        } else {
            self.0 -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn step(polls: u32, value: u64) -> YieldTimes {
    YieldTimes(polls, value)
}

/// The fork of eight branches, one nested, as a workflow named `$name` with the
/// attributes given (`#[traced]`).
macro_rules! eight_branches {
    ($name:ident $($attr:tt)*) => {
        workflow! {
            $($attr)*
            async fn $name(x: u64) -> u64 {
                fork <
                    a: step(1, x),
                    b: step(2, x + 1) -> |v| step(1, v * 2),
                    c: step(3, x + 2),
                    d: fork <
                        p: step(2, 1),
                        q: step(1, 2),
                    > join(p, q) -> |p, q| step(1, p + q),
                    e: step(0, 5),
                    f: step(4, 6),
                    g: step(1, 7),
                    h: step(2, 8) -> |v| step(0, v),
                > join(a, b, c, d, e, f, g, h);
                a + b + c + d + e + f + g + h
            }
        }
    };
}

eight_branches!(eight_branches);

async fn hand_written(x: u64) -> u64 {
    let (a, b, c, d, e, f, g, h) = futures::join!(
        step(1, x),
        async { step(1, step(2, x + 1).await * 2).await },
        step(3, x + 2),
        async {
            let (p, q) = futures::join!(step(2, 1), step(1, 2));
            step(1, p + q).await
        },
        step(0, 5),
        step(4, 6),
        step(1, 7),
        async { step(0, step(2, 8).await).await },
    );
    a + b + c + d + e + f + g + h
}

fn run_counting<F: Future<Output = u64>>(future: F) -> (u64, usize) {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let before = ALLOCATIONS.with(Cell::get);
    let output = loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            break output;
        }
    };
    (output, ALLOCATIONS.with(Cell::get) - before)
}

#[test]
fn a_static_fork_makes_no_heap_allocation() {
    let (output, allocations) = run_counting(eight_branches(10));
    assert_eq!(output, 10 + 22 + 12 + 3 + 5 + 6 + 7 + 8);
    assert_eq!(
        allocations, 0,
        "a static fork of 8 branches, one nested, allocated"
    );
    assert_eq!(run_counting(hand_written(10)).0, output);
}

#[test]
fn the_workflow_future_is_no_bigger_than_the_hand_written_join() {
    let generated = std::mem::size_of_val(&eight_branches(10));
    let by_hand = std::mem::size_of_val(&hand_written(10));
    assert_eq!(
        generated, by_hand,
        "the generated future should be the hand-written one: {generated} vs {by_hand} bytes"
    );
}

fn check(polls: u32, value: u64) -> impl Future<Output = Result<u64, String>> {
    use futures::FutureExt as _;
    step(polls, value).map(|v| {
        if v < 100 {
            Ok(v)
        } else {
            Err(format!("{v} too big"))
        }
    })
}

workflow! {
    async fn fallible_fork(x: u64) -> Result<u64, workflow_runtime::BranchError<String>> {
        fork <
            a: check(1, x)?,
            b: step(2, x + 1),
            c: check(3, x + 2)?,
        > join(a, b, c)?;
        Ok(a + b + c)
    }
}

async fn fallible_by_hand(x: u64) -> Result<u64, workflow_runtime::BranchError<String>> {
    use futures::FutureExt as _;
    use workflow_runtime::BranchError;
    let (a, b, c) = futures::try_join!(
        async { check(1, x).await.map_err(|e| BranchError::new("a", e)) },
        step(2, x + 1).map(Ok),
        async { check(3, x + 2).await.map_err(|e| BranchError::new("c", e)) },
    )?;
    Ok(a + b + c)
}

#[test]
fn a_fallible_fork_is_no_bigger_than_the_hand_written_try_join() {
    let generated = std::mem::size_of_val(&fallible_fork(10));
    let by_hand = std::mem::size_of_val(&fallible_by_hand(10));
    assert!(
        generated <= by_hand,
        "generated future is {generated} bytes, hand-written {by_hand} bytes"
    );
    let (output, allocations) = run_counting(async { fallible_fork(10).await.unwrap_or(0) });
    assert_eq!((output, allocations), (10 + 11 + 12, 0));
}

eight_branches!(eight_branches_traced #[traced]);

#[test]
fn a_traced_fork_without_a_subscriber_allocates_nothing_and_holds_a_pointer_per_span() {
    let (output, allocations) = run_counting(eight_branches_traced(10));
    assert_eq!(output, run_counting(eight_branches(10)).0);
    assert_eq!(
        allocations, 0,
        "with no subscriber, no span is made and nothing is boxed"
    );
    // Each span the workflow may make (the workflow's, each fork's, each branch's, each
    // step of a longer branch) is a pointer in the future, null with no subscriber:
    // 480 bytes against 360. Printed for the README; the time is in benches/.
    let traced = std::mem::size_of_val(&eight_branches_traced(10));
    let untraced = std::mem::size_of_val(&eight_branches(10));
    println!("traced future: {traced} bytes, untraced: {untraced} bytes");
    assert!(
        traced <= untraced + 128,
        "{traced} bytes, untraced {untraced}"
    );
}

workflow! {
    async fn fastest(x: u64) -> u64 {
        let winner = fork <
            slow: step(3, x),
            fast: step(1, x + 1),
            never: step(u32::MAX, x + 2),
        > first(slow, fast, never);
        winner.value
    }
}

/// [`check`] with an error that allocates nothing itself.
fn vet(polls: u32, value: u64) -> impl Future<Output = Result<u64, &'static str>> {
    use futures::FutureExt as _;
    step(polls, value).map(|v| if v < 100 { Ok(v) } else { Err("too big") })
}

workflow! {
    async fn two_of_four(x: u64) -> Result<u64, workflow_runtime::BranchError<&'static str>> {
        let two = fork <
            a: vet(4, x)?,
            b: vet(1, 100)?,
            c: vet(2, x + 2)?,
            d: vet(3, x + 3)?,
        > quorum(2, a, b, c, d)?;
        Ok(two.iter().map(|winner| winner.value).sum())
    }
}

#[test]
fn first_and_quorum_joins_make_no_heap_allocation() {
    let (output, allocations) = run_counting(fastest(10));
    assert_eq!(output, 11, "the fastest branch won");
    assert_eq!(allocations, 0, "a `first` join allocated");
    // `b` fails first (set aside), then `c` and `d` win in the order they finish.
    let (output, allocations) = run_counting(async { two_of_four(10).await.unwrap_or(u64::MAX) });
    assert_eq!(output, 12 + 13);
    assert_eq!(allocations, 0, "a `quorum` join allocated");
}

//! A panic in a branch is raised again in the workflow naming the branch, in the default
//! mode (branches polled in the workflow's own task) as in the task mode: the payload
//! becomes the `String` ``branch `path` panicked: message``, the innermost branch's full
//! path for nested forks; a payload that is not a message (`panic_any`) is kept as it is.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt as _;
use workflow_runtime::{BranchError, Winner, workflow};

/// The payload of the panic `future` raised (it must panic), polled on this thread.
fn panic_of(future: impl Future) -> Box<dyn Any + Send> {
    match futures::executor::block_on(AssertUnwindSafe(future).catch_unwind()) {
        Ok(_) => panic!("the workflow did not panic"),
        Err(payload) => payload,
    }
}

/// The message of a panic payload that is a `String` (the rewritten ones are).
fn message(payload: &(dyn Any + Send)) -> &str {
    match payload.downcast_ref::<String>() {
        Some(message) => message,
        None => match payload.downcast_ref::<&str>() {
            Some(message) => message,
            None => panic!("the payload is not a message"),
        },
    }
}

#[allow(clippy::unused_async)] // a step: the join is what is tested
async fn ok(x: u32) -> u32 {
    x
}

#[allow(clippy::unused_async)]
async fn boom(x: u32) -> u32 {
    assert!(x != 3, "out of memory");
    x
}

/// Yields once, then panics: the panic comes at a later poll of the join.
async fn boom_later(what: &str) -> u32 {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await;
    panic!("{what} failed")
}

#[allow(clippy::unused_async)]
async fn checked(x: u32) -> Result<u32, String> {
    Ok(x)
}

workflow! {
    async fn two(x: u32) -> u32 {
        fork < a: ok(x), b: boom(x) > join(a, b);
        a + b
    }
}

workflow! {
    async fn two_first_panics(x: u32) -> u32 {
        fork < a: boom(x), b: ok(x) > join(a, b);
        a + b
    }
}

#[test]
fn a_panic_in_a_static_fork_names_its_branch() {
    assert_eq!(
        message(&*panic_of(two(3))),
        "branch `b` panicked: out of memory"
    );
    assert_eq!(
        message(&*panic_of(two_first_panics(3))),
        "branch `a` panicked: out of memory"
    );
    assert_eq!(futures::executor::block_on(two(1)), 2);
}

workflow! {
    async fn eight(x: u32) -> u32 {
        fork <
            a: ok(x), b: ok(x), c: ok(x), d: ok(x),
            e: ok(x), f: boom_later("f"), g: ok(x), h: ok(x),
        > join(a, b, c, d, e, f, g, h);
        a + b + c + d + e + f + g + h
    }
}

#[test]
fn a_panic_at_a_later_poll_of_eight_branches_names_its_branch() {
    assert_eq!(
        message(&*panic_of(eight(1))),
        "branch `f` panicked: f failed"
    );
}

workflow! {
    /// More than 8 branches: joined by a tree of `join5`s (`tests/wide_forks.rs`).
    async fn wide(x: u32) -> Result<u32, BranchError<String>> {
        fork <
            b0: ok(x), b1: ok(x), b2: ok(x), b3: ok(x), b4: ok(x), b5: ok(x),
            b6: ok(x), b7: ok(x), b8: ok(x), b9: ok(x), b10: boom(x), b11: checked(x)?,
        > join(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11)?;
        Ok(b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10 + b11)
    }
}

workflow! {
    async fn wide_infallible(x: u32) -> u32 {
        fork <
            b0: ok(x), b1: ok(x), b2: ok(x), b3: ok(x), b4: ok(x), b5: ok(x),
            b6: ok(x), b7: ok(x), b8: ok(x), b9: ok(x), b10: ok(x), b11: boom_later("b11"),
        > join(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11);
        b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10 + b11
    }
}

#[test]
fn a_panic_in_a_wide_fork_names_its_branch() {
    assert_eq!(futures::executor::block_on(wide(1)), Ok(12));
    assert_eq!(
        message(&*panic_of(wide(3))),
        "branch `b10` panicked: out of memory"
    );
    assert_eq!(
        message(&*panic_of(wide_infallible(1))),
        "branch `b11` panicked: b11 failed"
    );
}

workflow! {
    async fn nested(x: u32) -> u32 {
        fork <
            credit: ok(x),
            documents: fork <
                passport: boom(x),
                utility: ok(x),
            > join(passport, utility) -> |p, u| async move { p + u },
        > join(credit, documents);
        credit + documents
    }
}

workflow! {
    async fn nested_step_after(x: u32) -> u32 {
        fork <
            credit: ok(x),
            documents: fork <
                passport: ok(x),
                utility: ok(x),
            > join(passport, utility) -> |p, u| boom(p + u + 1),
        > join(credit, documents);
        credit + documents
    }
}

#[test]
fn a_panic_in_a_nested_fork_names_the_innermost_branch_by_its_path() {
    assert_eq!(
        message(&*panic_of(nested(3))),
        "branch `documents.passport` panicked: out of memory"
    );
    // A step of the outer branch after the nested join: the outer branch.
    assert_eq!(
        message(&*panic_of(nested_step_after(1))),
        "branch `documents` panicked: out of memory"
    );
    assert_eq!(futures::executor::block_on(nested_step_after(2)), 7);
}

workflow! {
    async fn fallible(x: u32) -> Result<u32, BranchError<String>> {
        fork < a: checked(x)?, b: checked(x)?, c: boom(x) > join(a, b, c)?;
        Ok(a + b + c)
    }
}

async fn checked_boom(x: u32) -> Result<u32, String> {
    boom(x).await;
    Ok(x)
}

workflow! {
    async fn fallible_step_panics(x: u32) -> Result<u32, BranchError<String>> {
        fork < a: checked(x)?, b: checked_boom(x)?, c: ok(x) > join(a, b, c)?;
        Ok(a + b + c)
    }
}

#[test]
fn a_panic_in_a_fallible_fork_names_its_branch() {
    assert_eq!(
        message(&*panic_of(fallible(3))),
        "branch `c` panicked: out of memory"
    );
    assert_eq!(
        message(&*panic_of(fallible_step_panics(3))),
        "branch `b` panicked: out of memory"
    );
    assert_eq!(futures::executor::block_on(fallible(1)), Ok(3));
}

workflow! {
    async fn race(x: u32) -> Winner<u32> {
        let winner = fork < slow: std::future::pending::<u32>(), fast: boom(x) > first(slow, fast);
        winner
    }
}

workflow! {
    async fn quorum(x: u32) -> [Winner<u32>; 2] {
        let winners = fork < a: ok(x), b: std::future::pending::<u32>(), c: boom_later("c") > quorum(2, a, b, c);
        winners
    }
}

#[test]
fn a_panic_in_a_race_names_its_branch() {
    assert_eq!(
        message(&*panic_of(race(3))),
        "branch `fast` panicked: out of memory"
    );
    assert_eq!(
        message(&*panic_of(quorum(1))),
        "branch `c` panicked: c failed"
    );
}

workflow! {
    async fn background(x: u32) -> u32 {
        fork < main: ok(x), audit: boom_later("audit") > join(main) background(audit);
        main
    }
}

workflow! {
    async fn two_backgrounds(x: u32) -> u32 {
        fork < main: ok(x), log: ok(x), audit: boom(x) > join(main) background(log, audit);
        main
    }
}

#[test]
fn a_panic_in_a_background_branch_names_it() {
    assert_eq!(
        message(&*panic_of(background(1))),
        "branch `audit` panicked: audit failed"
    );
    assert_eq!(
        message(&*panic_of(two_backgrounds(3))),
        "branch `audit` panicked: out of memory"
    );
}

workflow! {
    async fn fan_out(xs: Vec<u32>) -> Vec<u32> {
        fork < checks: for x in xs => boom(x), other: ok(1) > join(checks, other);
        checks.into_iter().chain([other]).collect()
    }
}

workflow! {
    async fn fan_out_chain(xs: Vec<u32>) -> Vec<u32> {
        fork < checks: for x in xs => ok(x) -> boom, other: ok(1) > join(checks, other);
        checks.into_iter().chain([other]).collect()
    }
}

#[test]
fn a_panic_in_a_fan_out_names_its_branch() {
    assert_eq!(
        message(&*panic_of(fan_out(vec![1, 2, 3, 4]))),
        "branch `checks` panicked: out of memory"
    );
    assert_eq!(
        message(&*panic_of(fan_out_chain(vec![3]))),
        "branch `checks` panicked: out of memory"
    );
    assert_eq!(futures::executor::block_on(fan_out(vec![1, 2])), [1, 2, 1]);
}

workflow! {
    #[traced]
    async fn traced(x: u32) -> u32 {
        fork < a: ok(x), b: boom(x) > join(a, b);
        a + b
    }
}

#[test]
fn a_panic_in_a_traced_workflow_names_its_branch() {
    assert_eq!(
        message(&*panic_of(traced(3))),
        "branch `b` panicked: out of memory"
    );
}

/// A payload that is not a message.
#[derive(Debug, PartialEq)]
struct Code(u32);

#[allow(clippy::unused_async)]
async fn panic_with_value(x: u32) -> u32 {
    std::panic::panic_any(Code(x))
}

workflow! {
    async fn valued(x: u32) -> u32 {
        fork < a: ok(x), b: panic_with_value(x) > join(a, b);
        a + b
    }
}

workflow! {
    async fn valued_wide(x: u32) -> u32 {
        fork <
            b0: ok(x), b1: ok(x), b2: ok(x), b3: ok(x), b4: ok(x), b5: ok(x),
            b6: ok(x), b7: ok(x), b8: panic_with_value(x),
        > join(b0, b1, b2, b3, b4, b5, b6, b7, b8);
        b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8
    }
}

#[test]
fn a_payload_that_is_not_a_message_is_kept() {
    assert_eq!(*panic_of(valued(7)).downcast::<Code>().unwrap(), Code(7));
    assert_eq!(
        *panic_of(valued_wide(8)).downcast::<Code>().unwrap(),
        Code(8)
    );
}

workflow! {
    async fn beside_a_pending_branch() -> u32 {
        fork < never: std::future::pending::<u32>(), b: boom_later("b") > join(never, b);
        never + b
    }
}

/// On a tokio runtime, under a timeout: the panic ends the join at once, beside a branch
/// that never finishes.
#[tokio::test]
async fn nothing_hangs() {
    let caught = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        AssertUnwindSafe(beside_a_pending_branch()).catch_unwind(),
    )
    .await
    .expect("the join hung");
    assert_eq!(
        message(&*caught.unwrap_err()),
        "branch `b` panicked: b failed"
    );
}

workflow! {
    /// The task mode: the task's branch `heavy` holds a nested fork (polled in the task,
    /// in the default mode), whose join names the innermost branch; the task keeps it.
    async fn spawned(x: u32) -> u32 {
        #[spawn]
        fork <
            heavy: fork < part: boom(x), rest: ok(x) > join(part, rest)
                -> |a: u32, b: u32| async move { a + b },
            light: ok(x),
        > join(heavy, light);
        heavy + light
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_a_fork_nested_in_a_task_names_the_innermost_branch() {
    let caught = AssertUnwindSafe(spawned(3)).catch_unwind().await;
    assert_eq!(
        message(&*caught.unwrap_err()),
        "branch `heavy.part` panicked: out of memory"
    );
    assert_eq!(spawned(1).await, 3);
}

//! Wide forks (more than 8 joined branches) are joined by a tree of `join5`s instead of
//! one `join!` (rustc builds 1,000 branches in about a second, 10,000 in bounded time):
//! the same promises as a narrow fork, at 23 branches (chunks of 5 with a remainder).
//! Time is tokio's paused clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::time::Instant;
use workflow_runtime::{BranchError, workflow};

mod support;
use support::{after, fail_after, ok_after};

/// Counts its drops: a branch cancelled by a failure is dropped, not left running.
struct Dropped(Arc<AtomicUsize>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

workflow! {
    async fn wide() -> Vec<u32> {
        fork <
            b0: after(1, 0u32),
            b1: after(8, 1u32),
            b2: after(15, 2u32),
            b3: after(22, 3u32),
            b4: after(29, 4u32),
            b5: after(36, 5u32),
            b6: after(43, 6u32),
            b7: after(50, 7u32),
            b8: after(7, 8u32),
            b9: after(14, 9u32),
            b10: after(21, 10u32),
            b11: after(28, 11u32),
            b12: after(35, 12u32),
            b13: after(42, 13u32),
            b14: after(49, 14u32),
            b15: after(6, 15u32),
            b16: after(13, 16u32),
            b17: after(20, 17u32),
            b18: after(27, 18u32),
            b19: after(34, 19u32),
            b20: after(41, 20u32),
            b21: after(48, 21u32),
            b22: after(5, 22u32),
        > join(mut b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22);
        b0 += 100;
        vec![b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22]
    }
}

#[tokio::test(start_paused = true)]
async fn a_wide_fork_hands_on_every_output_in_branch_order_after_its_slowest_branch() {
    let start = Instant::now();
    let mut expected: Vec<u32> = (0..23).collect();
    expected[0] += 100;
    assert_eq!(
        wide().await,
        expected,
        "outputs in branch order, `mut` kept"
    );
    assert_eq!(
        start.elapsed().as_millis(),
        50,
        "the branches run at the same time"
    );
}

workflow! {
    async fn wide_rebound() -> (u32, u32, u32) {
        let joined = fork <
            b0: after(1, 0u32),
            b1: after(1, 1u32),
            b2: after(1, 2u32),
            b3: after(1, 3u32),
            b4: after(1, 4u32),
            b5: after(1, 5u32),
            b6: after(1, 6u32),
            b7: after(1, 7u32),
            b8: after(1, 8u32),
            b9: after(1, 9u32),
            b10: after(1, 10u32),
            b11: after(1, 11u32),
            b12: after(1, 12u32),
            b13: after(1, 13u32),
            b14: after(1, 14u32),
            b15: after(1, 15u32),
            b16: after(1, 16u32),
            b17: after(1, 17u32),
            b18: after(1, 18u32),
            b19: after(1, 19u32),
            b20: after(1, 20u32),
            b21: after(1, 21u32),
            b22: after(1, 22u32),
        > join(b22, b21, b20, b19, b18, b17, b16, b15, b14, b13, b12, b11, b10, b9, b8, b7, b6, b5, b4, b3, b2, b1, b0);
        (joined.0, joined.22, joined.11)
    }
}

#[tokio::test(start_paused = true)]
async fn a_wide_join_binds_its_outputs_in_the_joins_order() {
    assert_eq!(wide_rebound().await, (22, 0, 11));
}

async fn guarded(drops: Arc<AtomicUsize>, ms: u64, value: u32) -> Result<u32, String> {
    let _guard = Dropped(drops);
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    Ok(value)
}

workflow! {
    async fn wide_failing(drops: Arc<AtomicUsize>) -> Result<u32, BranchError<String>> {
        fork <
            b0: guarded(drops.clone(), 100, 0)?,
            b1: ok_after(5, 1u32)?,
            b2: guarded(drops.clone(), 100, 2)?,
            b3: ok_after(5, 3u32)?,
            b4: guarded(drops.clone(), 100, 4)?,
            b5: ok_after(5, 5u32)?,
            b6: guarded(drops.clone(), 100, 6)?,
            b7: ok_after(5, 7u32)?,
            b8: guarded(drops.clone(), 100, 8)?,
            b9: ok_after(5, 9u32)?,
            b10: guarded(drops.clone(), 100, 10)?,
            b11: ok_after(5, 11u32)?,
            b12: guarded(drops.clone(), 100, 12)?,
            b13: ok_after(5, 13u32)?,
            b14: guarded(drops.clone(), 100, 14)?,
            b15: ok_after(5, 15u32)?,
            b16: guarded(drops.clone(), 100, 16)?,
            b17: fail_after(20, "b17 failed")?,
            b18: guarded(drops.clone(), 100, 18)?,
            b19: ok_after(5, 19u32)?,
            b20: guarded(drops.clone(), 100, 20)?,
            b21: ok_after(5, 21u32)?,
            b22: guarded(drops.clone(), 100, 22)?,
        > join(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22)?;
        Ok(b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10 + b11 + b12 + b13 + b14 + b15 + b16 + b17 + b18 + b19 + b20 + b21 + b22)
    }
}

#[tokio::test(start_paused = true)]
async fn a_wide_fallible_fork_returns_the_first_failure_and_drops_the_other_branches() {
    let drops = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let error = wide_failing(drops.clone()).await.unwrap_err();
    assert_eq!(error.path(), "b17");
    assert_eq!(error.error(), "b17 failed");
    assert_eq!(
        start.elapsed().as_millis(),
        20,
        "the failure ends the fork at once"
    );
    assert_eq!(
        drops.load(Ordering::SeqCst),
        12,
        "every slow branch was dropped at the failure"
    );
}

workflow! {
    async fn wide_settled() -> Vec<Result<u32, String>> {
        fork <
            b0: fail_after(1, "no")?,
            b1: ok_after(1, 1u32)?,
            b2: ok_after(1, 2u32)?,
            b3: fail_after(1, "no")?,
            b4: ok_after(1, 4u32)?,
            b5: ok_after(1, 5u32)?,
            b6: fail_after(1, "no")?,
            b7: ok_after(1, 7u32)?,
            b8: ok_after(1, 8u32)?,
            b9: fail_after(1, "no")?,
            b10: ok_after(1, 10u32)?,
            b11: ok_after(1, 11u32)?,
            b12: fail_after(1, "no")?,
            b13: ok_after(1, 13u32)?,
            b14: ok_after(1, 14u32)?,
            b15: fail_after(1, "no")?,
            b16: ok_after(1, 16u32)?,
            b17: ok_after(1, 17u32)?,
            b18: fail_after(1, "no")?,
            b19: ok_after(1, 19u32)?,
            b20: ok_after(1, 20u32)?,
            b21: fail_after(1, "no")?,
            b22: ok_after(1, 22u32)?,
        > join(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22) settled;
        vec![b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22].into_iter().map(|b| b.map_err(BranchError::into_error)).collect()
    }
}

#[tokio::test(start_paused = true)]
async fn a_wide_settled_join_hands_on_every_outcome() {
    let outcomes = wide_settled().await;
    let expected: Vec<Result<u32, String>> = (0..23)
        .map(|i| {
            if i % 3 == 0 {
                Err("no".to_owned())
            } else {
                Ok(i)
            }
        })
        .collect();
    assert_eq!(outcomes, expected);
}

async fn slow_len(len: usize) -> usize {
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    len
}

#[allow(clippy::unused_async)] // a step is a future
async fn push(cell: &std::cell::RefCell<Vec<u8>>) -> usize {
    cell.borrow_mut().push(1);
    cell.borrow().len()
}

#[allow(clippy::unused_async)] // a step is a future
async fn same<T>(value: T) -> T {
    value
}

workflow! {
    /// A step's temporaries end before the await, as in `join!`: `a`'s `borrow()` of the
    /// cell is over when `b` borrows it mutably.
    async fn wide_borrow(cell: &std::cell::RefCell<Vec<u8>>) -> usize {
        fork <
            a: slow_len(cell.borrow().len()),
            b: push(cell),
            c: same(1), d: same(1), e: same(1), f: same(1), g: same(1), h: same(1), i: same(1),
        > join(a, b, c, d, e, f, g, h, i);
        a + b + c + d + e + f + g + h + i
    }
}

workflow! {
    /// A lock guard in a step's arguments ends there: the workflow stays `Send`.
    async fn wide_lock(lock: &std::sync::Mutex<u32>) -> u32 {
        fork <
            a: same(*lock.lock().unwrap()),
            b: same(1u32), c: same(1u32), d: same(1u32), e: same(1u32), f: same(1u32),
            g: same(1u32), h: same(1u32), i: same(1u32),
        > join(a, b, c, d, e, f, g, h, i);
        a + b + c + d + e + f + g + h + i
    }
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[tokio::test(start_paused = true)]
async fn a_steps_temporaries_end_before_a_wide_fork_awaits() {
    let cell = std::cell::RefCell::new(Vec::new());
    assert_eq!(wide_borrow(&cell).await, 8, "no \"already borrowed\" panic");
    let lock = std::sync::Mutex::new(5);
    assert_eq!(assert_send(wide_lock(&lock)).await, 13);
}

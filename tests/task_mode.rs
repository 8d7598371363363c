//! `#[spawn] fork`: branches as tasks on tokio's multi-thread runtime, for CPU-bound work.
//! Dropping the workflow aborts them; a panic names its branch.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use workflow_runtime::workflow;

/// CPU-bound work that only finishes when `parties` threads reach the barrier at once:
/// it cannot finish unless the branches truly run in parallel.
fn crunch(barrier: &Barrier, seed: u64) -> (u64, std::thread::ThreadId) {
    barrier.wait();
    let mut x = seed;
    for _ in 0..100_000 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    }
    (x, std::thread::current().id())
}

workflow! {
    async fn parallel(barrier: Arc<Barrier>) -> (u64, u64, usize) {
        let (b1, b2) = (barrier.clone(), barrier);
        #[spawn]
        fork <
            left: async move { crunch(&b1, 1) },
            right: async move { crunch(&b2, 2) },
        > join(left, right);
        let threads: HashSet<_> = [left.1, right.1].into_iter().collect();
        (left.0, right.0, threads.len())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawned_branches_run_in_parallel_on_several_threads() {
    // Both branches block on a 2-party barrier: this only returns if they run at once.
    let (left, right, threads) = parallel(Arc::new(Barrier::new(2))).await;
    assert_ne!(left, right);
    assert_eq!(threads, 2, "the branches ran on two threads");
}

struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

workflow! {
    async fn long_tasks(dropped: Arc<AtomicBool>, ticks: Arc<AtomicUsize>) -> u32 {
        #[spawn]
        fork <
            forever: async move {
                let _guard = SetOnDrop(dropped);
                loop {
                    ticks.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            },
            quick: async { 1_u32 },
        > join(forever, quick);
        let () = forever;
        quick
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_workflow_aborts_its_tasks() {
    let dropped = Arc::new(AtomicBool::new(false));
    let ticks = Arc::new(AtomicUsize::new(0));
    let outcome = tokio::time::timeout(
        Duration::from_millis(30),
        long_tasks(dropped.clone(), ticks.clone()),
    )
    .await;
    assert!(outcome.is_err(), "the workflow never ends on its own");
    // Give the runtime a moment to run the abort.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(
        dropped.load(Ordering::SeqCst),
        "the spawned task was aborted and dropped"
    );
    let after_abort = ticks.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        ticks.load(Ordering::SeqCst),
        after_abort,
        "no task outlives the workflow"
    );
}

async fn explode() -> u32 {
    tokio::task::yield_now().await;
    panic!("out of memory")
}

workflow! {
    async fn panicking_task() -> u32 {
        #[spawn]
        fork <
            heavy: explode(),
            light: async { 2_u32 },
        > join(heavy, light);
        heavy + light
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "branch `heavy` panicked: out of memory")]
async fn a_panic_in_a_task_is_raised_again_with_the_branch_name() {
    panicking_task().await;
}

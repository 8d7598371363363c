//! `#[spawn] fork`: branches as tasks on tokio's multi-thread runtime, for CPU-bound work.
//! Dropping the workflow aborts them; a panic names its branch; a failing join (and a
//! `first` join's losers) returns only once its aborted tasks have ended.

use std::collections::HashSet;
use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use workflow_runtime::{__private, BranchError, workflow};

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

/// What a CPU-bound branch tells the test: it is in its blocking stretch, its future was
/// dropped (its drop guard ran).
#[derive(Default)]
struct Cpu {
    entered: AtomicBool,
    dropped: AtomicBool,
    /// The failing sibling's future was dropped: its task has finished.
    failed: AtomicBool,
}

struct Dropped(Arc<Cpu>, fn(&Cpu) -> &AtomicBool);

impl Drop for Dropped {
    fn drop(&mut self) {
        (self.1)(&self.0).store(true, Ordering::SeqCst);
    }
}

/// Blocks its thread until `release` (a CPU-bound stretch: no `.await` an abort could
/// stop at), then would yield forever: only an abort ends it.
async fn cpu_bound(
    cpu: Arc<Cpu>,
    release: std::sync::mpsc::Receiver<()>,
) -> Result<u32, &'static str> {
    let _guard = Dropped(cpu.clone(), |cpu| &cpu.dropped);
    cpu.entered.store(true, Ordering::SeqCst);
    let _ = release.recv();
    loop {
        tokio::task::yield_now().await;
    }
}

/// Fails once the CPU-bound sibling is in its blocking stretch.
async fn fail_beside(cpu: Arc<Cpu>) -> Result<u32, &'static str> {
    let _guard = Dropped(cpu.clone(), |cpu| &cpu.failed);
    while !cpu.entered.load(Ordering::SeqCst) {
        tokio::task::yield_now().await;
    }
    Err("no")
}

/// What `#[spawn] fork < cpu: cpu_bound(..)?, fails: fail_beside(..)? > join(cpu, fails)?`
/// expands to with `__private::task_fork` (the expansion the macro is to adopt).
async fn cpu_and_failure_by_hand(
    cpu: Arc<Cpu>,
    release: std::sync::mpsc::Receiver<()>,
) -> Result<u32, BranchError<&'static str>> {
    let (c1, c2) = (cpu.clone(), cpu);
    let tasks = __private::task_fork();
    let (a, b) = tasks
        .ended(__private::try_join!(
            tasks.spawn("cpu", async move {
                cpu_bound(c1, release)
                    .await
                    .map_err(|e| BranchError::new("cpu", e))
            }),
            tasks.spawn("fails", async move {
                fail_beside(c2)
                    .await
                    .map_err(|e| BranchError::new("fails", e))
            }),
        ))
        .await?;
    Ok(a + b)
}

workflow! {
    async fn cpu_and_failure(
        cpu: Arc<Cpu>,
        release: std::sync::mpsc::Receiver<()>,
    ) -> Result<u32, BranchError<&'static str>> {
        let (c1, c2) = (cpu.clone(), cpu);
        #[spawn]
        fork <
            cpu: cpu_bound(c1, release)?,
            fails: fail_beside(c2)?,
        > join(cpu, fails)?;
        Ok(cpu + fails)
    }
}

/// Drives a workflow whose CPU-bound branch is aborted by a failing sibling, polling it
/// by hand (a poll without a wake is allowed, so no wake is missed): after the failing
/// task has finished, the workflow must stay pending while the aborted task blocks (the
/// old join returned its error at the first poll that saw the failure, a few polls
/// after it), and when it returns the aborted task's drop guard has run.
async fn the_join_waits_for_the_aborted_task<F>(
    workflow: impl FnOnce(Arc<Cpu>, std::sync::mpsc::Receiver<()>) -> F,
) where
    F: Future<Output = Result<u32, BranchError<&'static str>>>,
{
    let cpu = Arc::new(Cpu::default());
    let (release, released) = std::sync::mpsc::channel();
    let mut cx = Context::from_waker(Waker::noop());
    let mut workflow = pin!(workflow(cpu.clone(), released));
    let mut polls_after_the_failure = 0;
    while polls_after_the_failure < 1_000 {
        if cpu.failed.load(Ordering::SeqCst) {
            polls_after_the_failure += 1;
        }
        assert!(
            workflow.as_mut().poll(&mut cx).is_pending(),
            "the join returned its error while its aborted task still ran"
        );
        tokio::task::yield_now().await;
    }
    assert!(!cpu.dropped.load(Ordering::SeqCst), "the task is blocked");
    release.send(()).expect("the task waits");
    let outcome = loop {
        if let Poll::Ready(outcome) = workflow.as_mut().poll(&mut cx) {
            break outcome;
        }
        tokio::task::yield_now().await;
    };
    assert!(
        cpu.dropped.load(Ordering::SeqCst),
        "when the workflow returns, its aborted task has ended"
    );
    assert_eq!(outcome.map_err(|e| e.path()), Err("fails"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_join_returns_once_its_aborted_cpu_bound_task_has_ended() {
    the_join_waits_for_the_aborted_task(cpu_and_failure_by_hand).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_spawned_workflow_returns_once_its_aborted_cpu_bound_task_has_ended() {
    the_join_waits_for_the_aborted_task(cpu_and_failure).await;
}

/// What `#[spawn] let winner = fork < fast: .., never: .. > first(fast, never);` expands
/// to with `__private::task_fork`: the loser is aborted and has ended when `first` hands
/// on the winner.
#[tokio::test(flavor = "current_thread")]
async fn a_first_join_hands_on_its_winner_once_the_aborted_loser_has_ended() {
    let cpu = Arc::new(Cpu::default());
    let guard = Dropped(cpu.clone(), |cpu| &cpu.dropped);
    let tasks = __private::task_fork();
    let winner = tasks
        .ended({
            let mut fast =
                pin!(tasks.spawn("fast", async { Ok::<_, BranchError<Infallible>>(1_u32) }));
            let mut never = pin!(tasks.spawn("never", async move {
                let _guard = guard;
                std::future::pending::<Result<u32, BranchError<Infallible>>>().await
            }));
            __private::first(
                ["fast", "never"],
                [
                    __private::racer(fast.as_mut()),
                    __private::racer(never.as_mut()),
                ],
            )
            .await
        })
        .await;
    assert_eq!(winner.map(|w| (w.branch, w.value)), Ok(("fast", 1)));
    assert!(
        cpu.dropped.load(Ordering::SeqCst),
        "the loser's task has ended"
    );
}

/// Sets its flag when dropped: the task holding it has ended.
struct EndedFlag(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Drop for EndedFlag {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

async fn fail_soon() -> Result<u32, String> {
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    Err("no".to_owned())
}

/// Holds its flag through a CPU-bound stretch between two yields.
async fn busy_background(ended: std::sync::Arc<std::sync::atomic::AtomicBool>) -> u32 {
    let _flag = EndedFlag(ended);
    tokio::task::yield_now().await;
    std::thread::sleep(std::time::Duration::from_millis(300));
    tokio::task::yield_now().await;
    1
}

workflow_runtime::workflow! {
    async fn failing_with_background(
        ended: std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) -> Result<u32, workflow_runtime::BranchError<String>> {
        #[spawn]
        fork <
            a: fail_soon()?,
            log: busy_background(ended),
        > join(a)? background(log);
        Ok(a)
    }
}

/// A `#[spawn]` fork's background task is aborted when the join fails, and the
/// workflow returns its error only once that task has ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_spawned_workflow_returns_once_its_aborted_background_task_has_ended() {
    let ended = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let outcome = failing_with_background(ended.clone()).await;
    assert_eq!(outcome.unwrap_err().path(), "a");
    assert!(
        ended.load(std::sync::atomic::Ordering::SeqCst),
        "the workflow returned its error while its aborted background task still ran"
    );
}

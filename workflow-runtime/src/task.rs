//! The task mode: `#[spawn] fork < ... >` runs every branch as a task on tokio's
//! runtime, for CPU-bound branches that must run in parallel on several threads.
//!
//! A fork's tasks are spawned through its [`TaskFork`], which counts the tasks still
//! alive. A join that ends without every task's output (the first failure of
//! `join(..)?`, the losers of `first(..)` and `quorum(..)`) drops the other branches,
//! which aborts their tasks, and then waits in [`TaskFork::ended`] until each aborted
//! task has ended (its future dropped), as `tokio::task::JoinSet::shutdown` does: the
//! workflow goes on, or returns its error, with no task of the fork left running.

use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::task::{Context, Poll};
use std::sync::Arc;

use futures_util::task::AtomicWaker;

/// A branch running as a tokio task. Awaiting it awaits the task; dropping it (the
/// workflow was dropped, or a sibling failed) aborts the task. A panic in the task is
/// raised again here, with the branch's name.
///
/// An aborted task ends at its next `.await` that yields (a CPU-bound stretch without
/// one runs on to its end), and a drop cannot wait for that: the join of a fork spawned
/// through a [`TaskFork`] does ([`TaskFork::ended`]); a dropped workflow's tasks are
/// aborted, and a task may still finish the poll it is in after the drop.
pub struct TaskBranch<T> {
    path: &'static str,
    handle: tokio::task::JoinHandle<T>,
    /// The task's outcome was taken: there is nothing left to abort.
    finished: bool,
}

/// Spawns `branch` on the current tokio runtime, counted by no [`TaskFork`]: dropping
/// the branch aborts the task, and nothing waits for it to end.
///
/// # Panics
///
/// Outside a tokio runtime, as `tokio::spawn` does.
///
/// ```
/// use workflow_runtime::__private::spawn_branch;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let branch = spawn_branch("double", async { 2 * 21 });
/// assert_eq!(branch.await, 42);
/// # }
/// ```
pub fn spawn_branch<T, F>(path: &'static str, branch: F) -> TaskBranch<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    TaskBranch {
        path,
        handle: tokio::spawn(branch),
        finished: false,
    }
}

/// The tasks of one `#[spawn]` fork: spawns its branches ([`TaskFork::spawn`]) and waits
/// until every one of them has ended ([`TaskFork::ended`]). One allocation, shared with
/// the tasks.
///
/// What a `#[spawn] fork < a: .., b: .. > join(a, b)?` expands to:
///
/// ```
/// use workflow_runtime::{__private, BranchError};
///
/// async fn fork() -> Result<(u32, u32), BranchError<String>> {
///     let tasks = __private::task_fork();
///     let joined = tasks
///         .ended(__private::try_join!(
///             tasks.spawn("a", async move { Ok::<_, BranchError<String>>(1) }),
///             tasks.spawn("b", async move { Err(BranchError::new("b", "no".to_owned())) }),
///         ))
///         .await;
///     // Every task of the fork has ended here, failed, finished or aborted.
///     joined
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(fork().await.unwrap_err().path(), "b");
/// # }
/// ```
pub struct TaskFork {
    alive: Arc<Alive>,
}

/// What a fork's tasks share with their fork.
struct Alive {
    /// How many of the fork's tasks have not ended: their futures are not dropped yet.
    tasks: AtomicUsize,
    /// The join waiting in [`TaskFork::ended`].
    join: AtomicWaker,
}

/// Makes the [`TaskFork`] of a `#[spawn]` fork.
///
/// ```
/// use workflow_runtime::__private::task_fork;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let tasks = task_fork();
/// let two = tasks.spawn("two", async { 2 });
/// assert_eq!(tasks.ended(two.await).await, 2);
/// # }
/// ```
pub fn task_fork() -> TaskFork {
    TaskFork {
        alive: Arc::new(Alive {
            tasks: AtomicUsize::new(0),
            join: AtomicWaker::new(),
        }),
    }
}

impl TaskFork {
    /// Spawns `branch` on the current tokio runtime as one of this fork's tasks.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as `tokio::spawn` does.
    ///
    /// ```
    /// use workflow_runtime::__private::task_fork;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tasks = task_fork();
    /// let (a, b) = futures::join!(tasks.spawn("a", async { 1 }), tasks.spawn("b", async { 2 }));
    /// assert_eq!(tasks.ended(a + b).await, 3);
    /// # }
    /// ```
    pub fn spawn<T, F>(&self, path: &'static str, branch: F) -> TaskBranch<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        self.alive.tasks.fetch_add(1, Ordering::Relaxed);
        // Made before the spawn: if the spawn panics, the count is given back as well.
        let counted = Counted {
            branch,
            _alive: Ended(self.alive.clone()),
        };
        TaskBranch {
            path,
            handle: tokio::spawn(counted),
            finished: false,
        }
    }

    /// Hands on `joined` (the join's outcome) once every task spawned through this fork
    /// has ended: at once after a join that took every task's output, else when the
    /// aborted tasks have reached their next `.await` and been dropped.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use workflow_runtime::__private::task_fork;
    ///
    /// struct SetOnDrop(Arc<AtomicBool>);
    /// impl Drop for SetOnDrop {
    ///     fn drop(&mut self) { self.0.store(true, Ordering::SeqCst) }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let dropped = Arc::new(AtomicBool::new(false));
    /// let tasks = task_fork();
    /// let guard = SetOnDrop(dropped.clone());
    /// let loser = tasks.spawn("loser", async move {
    ///     let _guard = guard;
    ///     std::future::pending::<()>().await
    /// });
    /// drop(loser); // aborts the task, which has not ended yet
    /// tasks.ended(()).await;
    /// assert!(dropped.load(Ordering::SeqCst), "the aborted task ended before `ended`");
    /// # }
    /// ```
    pub async fn ended<T>(&self, joined: T) -> T {
        core::future::poll_fn(|cx| {
            // One load when every task ended already, as after a successful join.
            if self.alive.tasks.load(Ordering::Acquire) != 0 {
                self.alive.join.register(cx.waker());
                if self.alive.tasks.load(Ordering::Acquire) != 0 {
                    return Poll::Pending;
                }
            }
            Poll::Ready(())
        })
        .await;
        joined
    }
}

pin_project_lite::pin_project! {
    /// A fork's branch as its task runs it: `_alive` is dropped after the branch, once
    /// the branch's future (and every drop guard in it) is gone.
    struct Counted<F> {
        #[pin]
        branch: F,
        _alive: Ended,
    }
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().branch.poll(cx)
    }
}

/// Counts one task of a fork down when dropped, and wakes the join at the last one.
struct Ended(Arc<Alive>);

impl Drop for Ended {
    fn drop(&mut self) {
        if self.0.tasks.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.join.wake();
        }
    }
}

impl<T> Future for TaskBranch<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let path = self.path;
        let outcome = core::task::ready!(Pin::new(&mut self.handle).poll(cx));
        self.finished = true;
        match outcome {
            Ok(output) => Poll::Ready(output),
            Err(error) if error.is_panic() => {
                std::panic::resume_unwind(crate::panic::branch_panic(path, error.into_panic()))
            }
            Err(_) => std::panic::resume_unwind(Box::new(format!(
                "branch `{path}` was cancelled: its runtime is shutting down"
            ))),
        }
    }
}

impl<T> Drop for TaskBranch<T> {
    fn drop(&mut self) {
        // A finished task needs no abort (one atomic transition a branch saved).
        if !self.finished {
            self.handle.abort();
        }
    }
}

//! The task mode: `#[spawn] fork < ... >` runs every branch as a task on tokio's
//! runtime, for CPU-bound branches that must run in parallel on several threads.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// A branch running as a tokio task. Awaiting it awaits the task; dropping it (the
/// workflow was dropped, or a sibling failed) aborts the task, so no task outlives its
/// workflow. A panic in the task is raised again here, with the branch's name.
pub struct TaskBranch<T> {
    path: &'static str,
    handle: tokio::task::JoinHandle<T>,
    /// The task's outcome was taken: there is nothing left to abort.
    finished: bool,
}

/// Spawns `branch` on the current tokio runtime.
///
/// # Panics
///
/// Outside a tokio runtime, as `tokio::spawn` does.
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

impl<T> Future for TaskBranch<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let path = self.path;
        let outcome = core::task::ready!(Pin::new(&mut self.handle).poll(cx));
        self.finished = true;
        match outcome {
            Ok(output) => Poll::Ready(output),
            Err(error) if error.is_panic() => {
                let payload = error.into_panic();
                let message = payload
                    .downcast_ref::<&str>()
                    .map(ToString::to_string)
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a non-string panic payload".to_owned());
                std::panic::resume_unwind(Box::new(format!("branch `{path}` panicked: {message}")))
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

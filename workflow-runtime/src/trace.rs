//! What a `#[traced]` workflow tells `tracing`: where each branch is, as a BPMN engine
//! tracks its tokens (split, arrival at the join, failure, cancellation, merge).
//!
//! The generated code names the spans (they take the user's names, which must be string
//! literals at the call site); this module emits the events of a fork: the split into
//! branches, each branch's arrival at the join (k of N), a failure and the siblings it
//! cancels, background branches finishing, and the merge.
//!
//! With no subscriber installed, every span is `Span::none()` and every event is one
//! check of tracing's global level filter: nothing is formatted, nothing allocated.

use core::fmt::Display;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::task::{Context, Poll};

use tracing::Span;

use crate::BranchError;

/// Whether a `#[traced]` workflow that starts now runs its traced code: some
/// subscriber is installed and enables something. Without one, the workflow runs the
/// same code as without `#[traced]`, and this check (one relaxed load) is all its trace
/// costs.
#[inline]
pub fn enabled() -> bool {
    tracing::level_filters::STATIC_MAX_LEVEL != tracing::level_filters::LevelFilter::OFF
        && tracing::level_filters::LevelFilter::current()
            != tracing::level_filters::LevelFilter::OFF
}

/// One fork's trace: its span (the parent of its branches' spans) and how many of its
/// joined branches have arrived.
pub struct ForkTrace {
    span: Span,
    branches: &'static [&'static str],
    joined: usize,
    arrived: AtomicUsize,
}

impl ForkTrace {
    /// Opens the fork: an event on `span` saying into which branches the token splits.
    pub fn split(
        span: Span,
        branches: &'static [&'static str],
        joined: usize,
        background: &'static [&'static str],
        policy: &'static str,
    ) -> Self {
        if !span.is_disabled() {
            let names = branches.join(", ");
            if background.is_empty() {
                tracing::info!(parent: &span, "split into {} branches: {names}; {policy}", branches.len());
            } else {
                tracing::info!(
                    parent: &span,
                    "split into {} branches: {names}; {policy}, {} in the background",
                    branches.len(),
                    background.join(", ")
                );
            }
        }
        ForkTrace {
            span,
            branches,
            joined,
            arrived: AtomicUsize::new(0),
        }
    }

    /// The fork's span: the parent of its branches' spans.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Watches joined branch number `branch`: its arrival at the join, its failure
    /// (`failed` says whether an output is one), or its cancellation (dropped before
    /// it finished).
    pub fn arrival<F, O>(
        &self,
        branch: u16,
        failed: O,
        cancels: bool,
        future: F,
    ) -> Watched<'_, F, O>
    where
        F: Future,
        O: Fn(&F::Output) -> bool,
    {
        Watched {
            future,
            fork: self,
            failed,
            branch,
            role: if cancels {
                Role::Cancelling
            } else {
                Role::Joined
            },
            done: false,
        }
    }

    /// Watches background branch number `branch`: it finishes, or is cancelled,
    /// without arriving.
    pub fn background<F: Future>(
        &self,
        branch: u16,
        future: F,
    ) -> Watched<'_, F, fn(&F::Output) -> bool> {
        Watched {
            future,
            fork: self,
            failed: |_| false,
            branch,
            role: Role::Background,
            done: false,
        }
    }

    fn name(&self, branch: u16) -> &'static str {
        self.branches
            .get(usize::from(branch))
            .copied()
            .unwrap_or("?")
    }

    /// The join handed on its outputs.
    pub fn merged(&self, joined: &'static [&'static str]) {
        tracing::info!(parent: &self.span, "joined {}", joined.join(", "));
    }

    /// A failing join's outcome, told with the error's text and handed on unchanged.
    pub fn failed<T, E>(
        &self,
        outcome: Result<T, BranchError<E>>,
        describe: fn(&E) -> String,
    ) -> Result<T, BranchError<E>> {
        if let Err(failure) = &outcome
            && !self.span.is_disabled()
        {
            let error = describe(failure.error());
            tracing::warn!(parent: &self.span, "the join failed: {failure}: {error}");
        }
        outcome
    }
}

#[derive(Clone, Copy)]
enum Role {
    /// Joined, and a failure cancels the siblings (`join(..)?`).
    Cancelling,
    /// Joined; a failure is handed on (`settled`) or waits for another (`first`).
    Joined,
    /// Not joined: runs on past the join.
    Background,
}

pin_project_lite::pin_project! {
    /// A branch's future, watched for the fork's trace: 16 bytes beside the future
    /// (the failure test is a zero-sized closure or function item).
    pub struct Watched<'a, F, O> {
        #[pin]
        future: F,
        fork: &'a ForkTrace,
        failed: O,
        branch: u16,
        role: Role,
        done: bool,
    }

    impl<'a, F, O> PinnedDrop for Watched<'a, F, O> {
        fn drop(this: Pin<&mut Self>) {
            if !this.done && !this.fork.span.is_disabled() {
                let branch = this.fork.name(this.branch);
                tracing::info!(parent: &this.fork.span, "branch `{branch}` cancelled");
            }
        }
    }
}

impl<F, O> Future for Watched<'_, F, O>
where
    F: Future,
    O: Fn(&F::Output) -> bool,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let output = core::task::ready!(this.future.poll(cx));
        *this.done = true;
        let fork = *this.fork;
        if fork.span.is_disabled() {
            return Poll::Ready(output);
        }
        let branch = fork.name(*this.branch);
        let parent = &fork.span;
        match (*this.role, (this.failed)(&output)) {
            (Role::Background, _) => {
                tracing::info!(parent: parent, "background branch `{branch}` finished");
            }
            (Role::Cancelling, true) => {
                tracing::warn!(
                    parent: parent,
                    "branch `{branch}` failed: cancelling the branches still running"
                );
            }
            (Role::Cancelling | Role::Joined, failed) => {
                let k = fork.arrived.fetch_add(1, Ordering::Relaxed) + 1;
                let n = fork.joined;
                if failed {
                    tracing::warn!(parent: parent, "branch `{branch}` arrived at the join with an error ({k}/{n})");
                } else {
                    tracing::info!(parent: parent, "branch `{branch}` arrived at the join ({k}/{n})");
                }
            }
        }
        Poll::Ready(output)
    }
}

/// Describes an error for the trace: its `Display` text when it has one.
///
/// The generated code calls `(&&Describe(error)).describe()` with both traits in scope:
/// method lookup takes [`DescribeDisplay`] when the error is `Display`, and falls back
/// to [`DescribeAny`] otherwise (autoref specialization).
pub struct Describe<'a, T>(pub &'a T);

/// The `Display` case of [`Describe`].
pub trait DescribeDisplay {
    /// The error's `Display` text.
    fn describe(&self) -> String;
}

impl<T: Display> DescribeDisplay for &Describe<'_, T> {
    fn describe(&self) -> String {
        self.0.to_string()
    }
}

/// The fallback case of [`Describe`], for errors without `Display`.
pub trait DescribeAny {
    /// `an error` and the type's name.
    fn describe(&self) -> String;
}

impl<T> DescribeAny for Describe<'_, T> {
    fn describe(&self) -> String {
        format!("an error of type `{}`", core::any::type_name::<T>())
    }
}

/// Logs the failure of an `#[optional]` branch, which the fork then goes on without.
pub fn optional_failed(branch: &'static str, error: &str) {
    tracing::warn!("optional branch `{branch}` failed: {error}; going on without it");
}

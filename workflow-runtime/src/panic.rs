//! Panics in branches: the payload of a panic in a task branch names the branch, and a
//! panic unwinding out of any branch's poll names it on stderr.

use core::any::Any;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::io::Write as _;

/// The payload of a panic in the branch `path`: a `String` ``branch `path` panicked:
/// message`` for a panic with a message. A payload that already names a branch (from
/// a nested fork's branch, the innermost) and one that is not a message (a value
/// given to `panic_any`, which its catcher may downcast) are kept as they are.
#[cold]
pub(crate) fn branch_panic(path: &str, payload: Box<dyn Any + Send>) -> Box<dyn Any + Send> {
    let message = match payload.downcast_ref::<&str>() {
        Some(message) => *message,
        None => match payload.downcast_ref::<String>() {
            Some(message) => message.as_str(),
            None => return payload,
        },
    };
    if message.starts_with("branch `") {
        return payload;
    }
    Box::new(format!("branch `{path}` panicked: {message}"))
}

thread_local! {
    /// A nested branch has named the panic unwinding this thread: the branches around
    /// it stay silent, and the outermost clears it.
    static NAMED: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

pin_project_lite::pin_project! {
    /// A branch's future, polled as it is; a panic unwinding out of its poll writes
    /// `name()` (``branch `x` of workflow `f` panicked``) to stderr, once, for the
    /// innermost branch, after the panic hook's message. The payload is unchanged, so
    /// `catch_unwind` gets the step's own. `N` is a closure returning a literal: no
    /// state, the future is no bigger than the branch's.
    pub struct Named<F, N, L> {
        #[pin]
        future: F,
        name: N,
        level: core::marker::PhantomData<L>,
    }
}

/// Where a [`Named`] branch is: [`Outermost`] or [`Nested`].
pub trait Level {
    /// Whether no branch of the same thread's stack is around it.
    const OUTERMOST: bool;
}

/// A branch of a fork at the top of its thread's stack.
pub enum Outermost {}

/// A branch of a nested fork.
pub enum Nested {}

impl Level for Outermost {
    const OUTERMOST: bool = true;
}

impl Level for Nested {
    const OUTERMOST: bool = false;
}

impl<F: Future, N: Fn() -> &'static str + Copy, L: Level> Future for Named<F, N, L> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        // Dropped only by an unwinding panic: on return it is forgotten, so the happy
        // path runs no code of it.
        let unwinding = Unwinding::<N, L>(*this.name, core::marker::PhantomData);
        let output = this.future.poll(cx);
        core::mem::forget(unwinding);
        output
    }
}

/// What a branch's poll holds while it polls: see [`Named`].
struct Unwinding<N: Fn() -> &'static str, L: Level>(N, core::marker::PhantomData<L>);

impl<N: Fn() -> &'static str, L: Level> Drop for Unwinding<N, L> {
    #[cold]
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        // The innermost branch writes; the outermost clears the mark for the next panic.
        let named_inside = NAMED.with(|named| named.replace(!L::OUTERMOST));
        if !named_inside {
            // Best effort: a panic here, during the unwinding, would abort.
            let _ = writeln!(std::io::stderr(), "{}", (self.0)());
        }
    }
}

/// A branch of a fork at the top of its thread's stack (a fork of the workflow's body,
/// or a task's branch), named if a panic unwinds out of it (see [`Named`]).
///
/// ```
/// use workflow_runtime::__private::named;
///
/// let branch = named(async { 42 }, || "branch `answer` of workflow `ask` panicked");
/// assert_eq!(futures::executor::block_on(branch), 42);
/// ```
#[inline]
pub fn named<F: Future, N: Fn() -> &'static str + Copy>(
    future: F,
    name: N,
) -> Named<F, N, Outermost> {
    Named {
        future,
        name,
        level: core::marker::PhantomData,
    }
}

/// A branch of a nested fork, named if a panic unwinds out of it and no branch inside
/// it named it (see [`Named`]).
///
/// ```
/// use workflow_runtime::__private::named_nested;
///
/// let branch = named_nested(async { 42 }, || "branch `a.b` of workflow `ask` panicked");
/// assert_eq!(futures::executor::block_on(branch), 42);
/// ```
#[inline]
pub fn named_nested<F: Future, N: Fn() -> &'static str + Copy>(
    future: F,
    name: N,
) -> Named<F, N, Nested> {
    Named {
        future,
        name,
        level: core::marker::PhantomData,
    }
}

//! A panic in a branch names the branch: the branch's future, polled under
//! `catch_unwind`, raises the panic again as ``branch `path` panicked: message``.

use core::any::Any;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

pin_project_lite::pin_project! {
    /// A branch's future whose panic names the branch: made by [`named`].
    #[must_use = "a branch does nothing unless polled"]
    pub struct Named<P, F> {
        path: P,
        #[pin]
        future: F,
    }
}

/// Wraps a branch's future so that a panic in it names the branch. `path` returns the
/// branch's path (`|| "checks.credit"`): a closure, so the wrapper adds nothing to the
/// future's size. On the happy path the cost is a `catch_unwind` around each poll,
/// which costs nothing until something panics.
///
/// ```
/// use workflow_runtime::__private::named;
///
/// let panicked = std::panic::catch_unwind(|| {
///     futures::executor::block_on(named(|| "credit", async { panic!("bureau down") }))
/// });
/// let payload = panicked.unwrap_err();
/// assert_eq!(
///     payload.downcast_ref::<String>().map(String::as_str),
///     Some("branch `credit` panicked: bureau down")
/// );
/// ```
///
/// `F` is not bound here: a step that is not a future is reported once, where the
/// join polls it, not again at this call.
#[inline]
pub fn named<P, F>(path: P, future: F) -> Named<P, F> {
    Named { path, future }
}

impl<P: Fn() -> &'static str, F: Future> Future for Named<P, F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let future = this.future;
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => resume_unwind(branch_panic((this.path)(), payload)),
        }
    }
}

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

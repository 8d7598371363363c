//! The payload of a panic in a branch: it names the branch.
//!
//! In the task mode the task's `JoinHandle` hands the panic over (`task.rs`). In the
//! default mode a fork's branches are polled in the workflow's own task by one join,
//! and the join catches a panic once, around its whole poll ([`named_join!`],
//! [`named_try_join!`], the races of `race.rs`, [`NamedBranch`] for the leaves of a
//! wide fork's tree): the happy path is the hand-written join's, and only the cold path
//! works out which branch was polled and rewrites the payload.
//!
//! [`named_join!`]: crate::__private::named_join
//! [`named_try_join!`]: crate::__private::named_try_join
//! [`NamedBranch`]: crate::__private::NamedBranch

use core::any::Any;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// The payload of a panic in the branch `path`: a `String` ``branch `path` panicked:
/// message`` for a panic with a message. A payload that already names a branch (from
/// a nested fork's branch, the innermost) and one that is not a message (a value
/// given to `panic_any`, which its catcher may downcast) are kept as they are.
///
/// ```
/// use workflow_runtime::__private::branch_panic;
///
/// let payload = branch_panic("checks", Box::new("out of memory"));
/// assert_eq!(payload.downcast_ref::<String>().unwrap(), "branch `checks` panicked: out of memory");
/// let kept = branch_panic("outer", payload);
/// assert_eq!(kept.downcast_ref::<String>().unwrap(), "branch `checks` panicked: out of memory");
/// assert_eq!(*branch_panic("checks", Box::new(7_u8)).downcast::<u8>().unwrap(), 7);
/// ```
#[cold]
#[inline(never)]
pub fn branch_panic(path: &str, payload: Box<dyn Any + Send>) -> Box<dyn Any + Send> {
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

/// Raises the panic `payload` of the branch `paths[at]` again, named by
/// [`branch_panic`]: the cold path of a join that caught it.
///
/// ```
/// let caught = std::panic::catch_unwind(|| {
///     workflow_runtime::__private::raise_in(&["a", "b"], 1, Box::new("gone"))
/// });
/// let payload = caught.unwrap_err();
/// assert_eq!(payload.downcast_ref::<String>().unwrap(), "branch `b` panicked: gone");
/// ```
#[cold]
#[inline(never)]
pub fn raise_in(paths: &[&str], at: usize, payload: Box<dyn Any + Send>) -> ! {
    match paths.get(at) {
        Some(path) => std::panic::resume_unwind(branch_panic(path, payload)),
        None => std::panic::resume_unwind(payload),
    }
}

pin_project_lite::pin_project! {
    /// A branch of a wide fork (joined by a tree of `join5`s): a panic in its poll is
    /// raised again naming the branch `path`.
    pub struct NamedBranch<F> {
        #[pin]
        future: F,
        path: &'static str,
    }
}

impl<F: Future> Future for NamedBranch<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let future = this.future;
        match std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| future.poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => raise_in(&[*this.path], 0, payload),
        }
    }
}

/// The future of a [`named_join!`](crate::__private::named_join): `core::future::poll_fn`,
/// its poll always inlined.
pub struct JoinPoll<F> {
    poll: F,
}

impl<F> Unpin for JoinPoll<F> {}

impl<T, F: FnMut(&mut Context<'_>) -> Poll<T>> Future for JoinPoll<F> {
    type Output = T;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        (self.poll)(cx)
    }
}

/// Makes a [`JoinPoll`].
///
/// ```
/// let ready = futures::executor::block_on(workflow_runtime::__private::join_poll(|_| core::task::Poll::Ready(3)));
/// assert_eq!(ready, 3);
/// ```
#[inline]
pub fn join_poll<T, F: FnMut(&mut Context<'_>) -> Poll<T>>(poll: F) -> JoinPoll<F> {
    JoinPoll { poll }
}

/// Makes the branch `path` of a wide fork ([`NamedBranch`]).
///
/// ```
/// use workflow_runtime::__private::named_branch;
/// use futures::FutureExt as _;
///
/// let caught = futures::executor::block_on(
///     std::panic::AssertUnwindSafe(named_branch("b7", async { panic!("gone") })).catch_unwind(),
/// );
/// let payload = caught.unwrap_err();
/// assert_eq!(payload.downcast_ref::<String>().unwrap(), "branch `b7` panicked: gone");
/// ```
#[inline]
pub fn named_branch<F: core::future::IntoFuture>(
    path: &'static str,
    future: F,
) -> NamedBranch<F::IntoFuture> {
    NamedBranch {
        future: future.into_future(),
        path,
    }
}

/// `futures::join!` of the futures `name = future` (`name` the local that pins it),
/// with one difference: a panic in the poll of one of them is raised again naming its
/// branch, `paths` in the same order ([`branch_panic`]).
///
/// The panic is caught once, around the poll of the whole join (a catch around each
/// branch's poll changed how nested joins were compiled), and which future is being
/// polled is a local, counted after each poll, that only the cold path reads:
/// with the join's poll in line, LLVM keeps it out of memory. The poll is
/// [`JoinPoll`]'s, marked `#[inline]` (`core::future::poll_fn`'s is not, and was not
/// inlined across codegen units). `tools/named-panic-cost/run.sh` measures it.
///
/// ```
/// use workflow_runtime::__private::named_join;
/// use futures::FutureExt as _;
///
/// let joined = futures::executor::block_on(async {
///     named_join!(["a", "b"], fa = async { 1 }, fb = async { 2 })
/// });
/// assert_eq!(joined, (1, 2));
///
/// let caught = futures::executor::block_on(
///     std::panic::AssertUnwindSafe(async {
///         named_join!(["a", "b"], fa = async { 1 }, fb = async { panic!("gone") })
///     })
///     .catch_unwind(),
/// );
/// let payload = caught.unwrap_err();
/// assert_eq!(payload.downcast_ref::<String>().unwrap(), "branch `b` panicked: gone");
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __workflow_named_join {
    ([$($path:expr),* $(,)?], $($name:ident = $future:expr),* $(,)?) => {{
        $(
            let mut $name = $crate::__private::maybe_done($future);
            // SAFETY: the future is shadowed right here, so it is never moved again
            // (as `futures::join!` pins it).
            let mut $name = unsafe { $crate::__private::Pin::new_unchecked(&mut $name) };
        )*
        $crate::__private::join_poll(move |__cx: &mut $crate::__private::Context<'_>| {
            // The future being polled, read by the cold path only.
            let mut __at: usize = 0;
            match $crate::__private::catch_unwind($crate::__private::AssertUnwindSafe(|| {
                let mut __all_done = true;
                $(
                    __all_done &= $crate::__private::Future::poll($name.as_mut(), __cx).is_ready();
                    __at += 1;
                )*
                if __all_done {
                    $crate::__private::Poll::Ready((
                        $(
                            $name.as_mut().take_output().unwrap(),
                        )*
                    ))
                } else {
                    $crate::__private::Poll::Pending
                }
            })) {
                $crate::__private::Ok(__poll) => __poll,
                $crate::__private::Err(__payload) => {
                    $crate::__private::raise_in(&[$($path),*], __at, __payload)
                }
            }
        })
        .await
    }};
}

/// `futures::try_join!` as [`named_join!`](crate::__private::named_join) is
/// `futures::join!` (and written the same way): a panic in the poll of one of the
/// futures is raised again naming its branch.
///
/// ```
/// use workflow_runtime::__private::named_try_join;
///
/// let joined = futures::executor::block_on(async {
///     named_try_join!(["a", "b"], fa = async { Ok::<_, u8>(1) }, fb = async { Err::<u8, _>(2) })
/// });
/// assert_eq!(joined, Err(2));
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __workflow_named_try_join {
    ([$($path:expr),* $(,)?], $($name:ident = $future:expr),* $(,)?) => {{
        $(
            let mut $name = $crate::__private::maybe_done($future);
            // SAFETY: the future is shadowed right here, so it is never moved again
            // (as `futures::join!` pins it).
            let mut $name = unsafe { $crate::__private::Pin::new_unchecked(&mut $name) };
        )*
        #[allow(clippy::diverging_sub_expression)]
        $crate::__private::join_poll(move |__cx: &mut $crate::__private::Context<'_>| {
            let mut __at: usize = 0;
            match $crate::__private::catch_unwind($crate::__private::AssertUnwindSafe(|| {
                let mut __all_done = true;
                $(
                    if $crate::__private::Future::poll($name.as_mut(), __cx).is_pending() {
                        __all_done = false;
                    } else if $name.as_mut().output_mut().unwrap().is_err() {
                        // `.err().unwrap()`, not `.unwrap_err()`: no `T: Debug` bound.
                        #[allow(unreachable_code)]
                        return $crate::__private::Poll::Ready($crate::__private::Err(
                            $name.as_mut().take_output().unwrap().err().unwrap(),
                        ));
                    }
                    __at += 1;
                )*
                if __all_done {
                    $crate::__private::Poll::Ready($crate::__private::Ok((
                        $(
                            #[allow(unreachable_code)]
                            $name.as_mut().take_output().unwrap().ok().unwrap(),
                        )*
                    )))
                } else {
                    $crate::__private::Poll::Pending
                }
            })) {
                $crate::__private::Ok(__poll) => __poll,
                $crate::__private::Err(__payload) => {
                    $crate::__private::raise_in(&[$($path),*], __at, __payload)
                }
            }
        })
        .await
    }};
}

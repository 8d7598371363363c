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
/// [`branch_panic`]: the cold path of a join that caught it ([`catch_named!`]). Without
/// a path there (`""`: a node of a wide fork's tree, which named it), the payload is
/// kept.
///
/// ```
/// let caught = std::panic::catch_unwind(|| {
///     workflow_runtime::__private::raise_in(&["a", "b"], 1, Box::new("gone"))
/// });
/// let payload = caught.unwrap_err();
/// assert_eq!(payload.downcast_ref::<String>().unwrap(), "branch `b` panicked: gone");
/// ```
///
/// [`catch_named!`]: crate::__private::catch_named
#[cold]
#[inline(never)]
pub fn raise_in(paths: &[&str], at: usize, payload: Box<dyn Any + Send>) -> ! {
    match paths.get(at) {
        Some(path) if !path.is_empty() => std::panic::resume_unwind(branch_panic(path, payload)),
        _ => std::panic::resume_unwind(payload),
    }
}

/// `catch_named!(at, paths, { poll })`: runs `poll`, the poll of a join's branches,
/// which counts in the local `at` the branch it is polling, and raises a panic in it
/// again naming that branch, the path `paths` holds at its place ([`raise_in`]).
///
/// The one catch of every join, race and named branch of the default mode. A macro,
/// not a function taking closures: the code is the catch a join would write by hand,
/// and a function and a closure more for each join cost rustc 5.4 % more instructions
/// on a crate of 50 workflows, 3.9 % on 50 traced ones
/// (`tools/compile-time/rustc-instr.sh release many:50 manytr:50`).
/// The count is a local that only the cold path reads: with the join's poll in line,
/// LLVM keeps it out of memory; `paths` is evaluated only after a panic.
///
/// ```
/// use workflow_runtime::__private::catch_named;
///
/// assert_eq!(catch_named!(at, ["a", "b"], { at += 1; 7 }), 7);
/// let caught = std::panic::catch_unwind(|| {
///     catch_named!(at, ["a", "b"], {
///         at += 1;
///         panic!("gone")
///     })
/// });
/// let payload = caught.unwrap_err();
/// assert_eq!(payload.downcast_ref::<String>().unwrap(), "branch `b` panicked: gone");
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __workflow_catch_named {
    ($at:ident, $paths:expr, $poll:block) => {{
        #[allow(unused_mut, unused_assignments)]
        let mut $at: usize = 0;
        match $crate::__private::catch_unwind($crate::__private::AssertUnwindSafe(|| $poll)) {
            $crate::__private::Ok(__polled) => __polled,
            $crate::__private::Err(__payload) => {
                $crate::__private::raise_in(&$paths, $at, __payload)
            }
        }
    }};
}

pin_project_lite::pin_project! {
    /// A branch of a wide fork (joined by a tree of `join5`s) or the one background
    /// branch of a fork: a panic in its poll is raised again naming the branch, the
    /// path `P` returns. `P` is a closure without captures, so the branch's future is
    /// no bigger than the step's (a `&'static str` here cost a fork of 12 branches 192
    /// bytes).
    pub struct NamedBranch<F, P> {
        #[pin]
        future: F,
        path: P,
    }
}

impl<F: Future, P: Fn() -> &'static str> Future for NamedBranch<F, P> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let future = this.future;
        crate::__private::catch_named!(at, [(this.path)()], { future.poll(cx) })
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

/// Makes the branch of a wide fork whose path `path` returns ([`NamedBranch`]).
///
/// ```
/// use workflow_runtime::__private::named_branch;
/// use futures::FutureExt as _;
///
/// let branch = named_branch(|| "b7", async { panic!("gone") });
/// assert_eq!(size_of_val(&branch), size_of_val(&async { panic!("gone") }));
/// let caught = futures::executor::block_on(std::panic::AssertUnwindSafe(branch).catch_unwind());
/// let payload = caught.unwrap_err();
/// assert_eq!(payload.downcast_ref::<String>().unwrap(), "branch `b7` panicked: gone");
/// ```
#[inline]
pub fn named_branch<F: core::future::IntoFuture, P: Fn() -> &'static str>(
    path: P,
    future: F,
) -> NamedBranch<F::IntoFuture, P> {
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
/// branch's poll changed how nested joins were compiled), by
/// [`catch_named!`](crate::__private::catch_named), which counts the future being
/// polled. The poll is [`JoinPoll`]'s, marked `#[inline]` (`core::future::poll_fn`'s is
/// not, and was not inlined across codegen units). `tools/named-panic-cost/run.sh`
/// measures it.
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
            let mut $name = $crate::__private::branch_done($future);
            // SAFETY: the future is shadowed right here, so it is never moved again
            // (as `futures::join!` pins it).
            let mut $name = unsafe { $crate::__private::Pin::new_unchecked(&mut $name) };
        )*
        $crate::__private::join_poll(move |__cx: &mut $crate::__private::Context<'_>| {
            // `__at`: the future being polled, read by the cold path only.
            $crate::__private::catch_named!(__at, [$($path),*], {
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
            })
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
            let mut $name = $crate::__private::branch_done($future);
            // SAFETY: the future is shadowed right here, so it is never moved again
            // (as `futures::join!` pins it).
            let mut $name = unsafe { $crate::__private::Pin::new_unchecked(&mut $name) };
        )*
        #[allow(clippy::diverging_sub_expression)]
        $crate::__private::join_poll(move |__cx: &mut $crate::__private::Context<'_>| {
            $crate::__private::catch_named!(__at, [$($path),*], {
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
            })
        })
        .await
    }};
}

macro_rules! named_joins {
    ($(
        $(#[$doc:meta])*
        ($Join:ident, $join:ident, $TryJoin:ident, $try_join:ident, $n:literal: $($Fut:ident $fut:ident $index:literal),*),
    )*) => ($(
        pin_project_lite::pin_project! {
            $(#[$doc])*
            #[must_use = "futures do nothing unless you `.await` or poll them"]
            pub struct $Join<$($Fut: Future,)* P> {
                $(#[pin] $fut: futures_util::future::MaybeDone<$Fut>,)*
                paths: P,
            }
        }

        impl<$($Fut: Future,)* P: Fn() -> [&'static str; $n]> Future for $Join<$($Fut,)* P> {
            type Output = ($($Fut::Output,)*);

            #[inline]
            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                let mut this = self.project();
                // `at`: the future being polled, read by the cold path only.
                crate::__private::catch_named!(at, (this.paths)(), {
                    let mut all_done = true;
                    $(
                        at = $index;
                        all_done &= this.$fut.as_mut().poll(cx).is_ready();
                    )*
                    if all_done {
                        Poll::Ready(($(this.$fut.as_mut().take_output().unwrap(),)*))
                    } else {
                        Poll::Pending
                    }
                })
            }
        }

        /// Joins the futures of a node of a wide fork's tree (`futures::future::join5`
        /// and its smaller siblings): a panic in one is raised again naming its branch,
        /// the path `paths` returns at its place (`""` for a node of the tree, whose
        /// own catch named it).
        #[inline]
        pub fn $join<$($Fut: core::future::IntoFuture,)* P: Fn() -> [&'static str; $n]>(
            paths: P,
            $($fut: $Fut,)*
        ) -> $Join<$($Fut::IntoFuture,)* P> {
            $Join {
                $($fut: futures_util::future::maybe_done($fut.into_future()),)*
                paths,
            }
        }

        pin_project_lite::pin_project! {
            /// The `try_join` of a node of a wide fork's tree, whose join can fail.
            #[must_use = "futures do nothing unless you `.await` or poll them"]
            pub struct $TryJoin<$($Fut: futures_util::TryFuture,)* P> {
                $(#[pin] $fut: futures_util::future::TryMaybeDone<$Fut>,)*
                paths: P,
            }
        }

        impl<E, $($Fut: futures_util::TryFuture<Error = E>,)* P: Fn() -> [&'static str; $n]> Future
            for $TryJoin<$($Fut,)* P>
        {
            type Output = Result<($($Fut::Ok,)*), E>;

            #[inline]
            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                let mut this = self.project();
                crate::__private::catch_named!(at, (this.paths)(), {
                    let mut all_done = true;
                    $(
                        at = $index;
                        match this.$fut.as_mut().poll(cx) {
                            Poll::Ready(Ok(())) => {}
                            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                            Poll::Pending => all_done = false,
                        }
                    )*
                    if all_done {
                        Poll::Ready(Ok(($(this.$fut.as_mut().take_output().unwrap(),)*)))
                    } else {
                        Poll::Pending
                    }
                })
            }
        }

        /// [`named_join2`] and its siblings for a wide fork whose join can fail
        /// (`futures::future::try_join5`).
        #[inline]
        pub fn $try_join<E, $($Fut: futures_util::TryFuture<Error = E>,)* P: Fn() -> [&'static str; $n]>(
            paths: P,
            $($fut: $Fut,)*
        ) -> $TryJoin<$($Fut,)* P> {
            $TryJoin {
                $($fut: futures_util::future::try_maybe_done($fut),)*
                paths,
            }
        }
    )*)
}

named_joins! {
    /// A node of 2 of a wide fork's tree ([`named_join2`]).
    ///
    /// ```
    /// use workflow_runtime::__private::named_join2;
    /// use futures::FutureExt as _;
    ///
    /// let joined = futures::executor::block_on(named_join2(|| ["a", "b"], async { 1 }, async { 2 }));
    /// assert_eq!(joined, (1, 2));
    /// let caught = futures::executor::block_on(
    ///     std::panic::AssertUnwindSafe(named_join2(|| ["a", "b"], async { 1 }, async { panic!("gone") }))
    ///         .catch_unwind(),
    /// );
    /// assert_eq!(caught.unwrap_err().downcast_ref::<String>().unwrap(), "branch `b` panicked: gone");
    /// ```
    (NamedJoin2, named_join2, NamedTryJoin2, named_try_join2, 2: F0 f0 0, F1 f1 1),
    /// A node of 3 of a wide fork's tree ([`named_join3`]).
    ///
    /// ```
    /// use workflow_runtime::__private::named_try_join3;
    ///
    /// let joined = futures::executor::block_on(named_try_join3(
    ///     || ["a", "b", "c"],
    ///     async { Ok::<_, u8>(1) },
    ///     async { Err::<u8, _>(2) },
    ///     std::future::pending::<Result<u8, u8>>(),
    /// ));
    /// assert_eq!(joined, Err(2));
    /// ```
    (NamedJoin3, named_join3, NamedTryJoin3, named_try_join3, 3: F0 f0 0, F1 f1 1, F2 f2 2),
    /// A node of 4 of a wide fork's tree ([`named_join4`]).
    ///
    /// ```
    /// let joined = futures::executor::block_on(workflow_runtime::__private::named_join4(
    ///     || ["a", "b", "c", "d"], async { 1 }, async { 2 }, async { 3 }, async { 4 },
    /// ));
    /// assert_eq!(joined, (1, 2, 3, 4));
    /// ```
    (NamedJoin4, named_join4, NamedTryJoin4, named_try_join4, 4: F0 f0 0, F1 f1 1, F2 f2 2, F3 f3 3),
    /// A node of 5 of a wide fork's tree ([`named_join5`]).
    ///
    /// ```
    /// let joined = futures::executor::block_on(workflow_runtime::__private::named_join5(
    ///     || ["a", "b", "c", "d", "e"], async { 1 }, async { 2 }, async { 3 }, async { 4 }, async { 5 },
    /// ));
    /// assert_eq!(joined, (1, 2, 3, 4, 5));
    /// ```
    (NamedJoin5, named_join5, NamedTryJoin5, named_try_join5, 5: F0 f0 0, F1 f1 1, F2 f2 2, F3 f3 3, F4 f4 4),
}

/// A joined branch's future, then its output: `futures::future::MaybeDone` with the
/// output's type as a parameter of its own. A step that is not a future then makes one
/// error, at the step, instead of one more for each place `named_join!` names the type
/// (`MaybeDone<Fut: Future>` is well-formed only for a future; here the output's type
/// is the projection that fails, and rustc reports nothing more about it).
#[doc(hidden)]
pub enum BranchDone<F, T> {
    /// Still running.
    Future(F),
    /// Finished: its output, until the join takes it.
    Done(T),
    /// Its output taken.
    Gone,
}

/// `futures::future::maybe_done` for [`BranchDone`].
#[doc(hidden)]
#[inline]
pub fn branch_done<F: Future>(future: F) -> BranchDone<F, F::Output> {
    BranchDone::Future(future)
}

impl<F: Future<Output = T>, T> Future for BranchDone<F, T> {
    type Output = ();

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the future is never moved out of its place (`set` drops it there).
        unsafe {
            match self.as_mut().get_unchecked_mut() {
                BranchDone::Future(future) => {
                    let output = core::task::ready!(Pin::new_unchecked(future).poll(cx));
                    self.set(BranchDone::Done(output));
                }
                BranchDone::Done(_) => {}
                BranchDone::Gone => panic!("a joined branch polled after its output was taken"),
            }
        }
        Poll::Ready(())
    }
}

impl<F, T> BranchDone<F, T> {
    /// The output, in its place: `None` before it finished and after it was taken.
    #[inline]
    pub fn output_mut(self: Pin<&mut Self>) -> Option<&mut T> {
        // SAFETY: only the output is reached, never the pinned future.
        match unsafe { self.get_unchecked_mut() } {
            BranchDone::Done(output) => Some(output),
            _ => None,
        }
    }

    /// The output, once: `None` before it finished and after it was taken.
    #[inline]
    pub fn take_output(self: Pin<&mut Self>) -> Option<T> {
        if !matches!(&*self, BranchDone::Done(_)) {
            return None;
        }
        // SAFETY: a `Done` holds no future, so nothing pinned is moved.
        match core::mem::replace(unsafe { self.get_unchecked_mut() }, BranchDone::Gone) {
            BranchDone::Done(output) => Some(output),
            _ => None,
        }
    }
}

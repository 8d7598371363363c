// The crate's documentation is the repository's README (`README.md` in this directory is a
// link to it, packaged as a file), so that a reader of the published docs sees the
// grammar, the join policies, the exports and the rejections, and every code block of the
// README runs as a doctest of this crate.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

#[cfg(feature = "durable")]
pub mod durable;
mod error;
pub mod fan_out;
pub mod graph;
mod panic;
mod race;
#[cfg(feature = "tokio")]
mod task;
#[cfg(feature = "tokio")]
mod time;
#[cfg(feature = "tracing")]
mod trace;

pub use error::BranchError;
pub use race::Winner;
#[cfg(feature = "tokio")]
pub use time::TimedOut;

/// Writes an `async fn` whose body may fork into named, concurrent branches and join them.
///
/// ```text
/// workflow!  := '#[traced]'? attribute* visibility? 'async' 'fn' signature '{' statement* '}'
/// statement  := '#[spawn]'? ('let' PAT '=')? fork ';' | any Rust statement
/// fork       := 'fork' '<' branch (',' branch)* ','? '>' join
/// branch     := modifier* IDENT ':' ('for' PAT 'in' EXPR '=>')? step ('->' step)*
/// step       := fork | modifier* EXPR '?'?
/// modifier   := '#[optional]' | '#[timeout(' DURATION ')]' | '#[limit(' COUNT ')]'
///             | '#[retry(' COUNT (',' retry_key)* ','? ')]'
/// retry_key  := 'backoff' '=' DURATION | 'max' '=' DURATION | 'jitter' | 'if' '=' PATH
/// join       := ('join' | 'first') '(' names ')' | 'quorum' '(' INT ',' names ')'
///               followed by any of: '?'  'settled'  'background' '(' IDENT (',' IDENT)* ')'
/// names      := 'mut'? IDENT (',' 'mut'? IDENT)* ','?
/// ```
///
/// - The first step of a branch is a future (an `async fn` call, an `async` block, ...);
///   each later step `-> f` is something callable with the previous output (a function
///   path, a closure returning a future, an async closure) and its future is awaited.
/// - A trailing `?` marks a fallible step: its output is a `Result`, and an `Err`
///   fails the branch, cancels its siblings and makes the join return
///   [`BranchError`]; such a join must be written `join(...)?`.
/// - After the join, each joined branch's output is a local named after the branch.
/// - `background(name)` lets a branch run on past the join; it is awaited before the
///   enclosing scope (the workflow, or the enclosing branch) finishes.
/// - `name: for item in items => step(item)` fans a branch out over a collection
///   (`#[limit(n)]` caps it); `join(..) settled`, `first(..)` and `quorum(k, ..)` are the
///   other join policies; `#[optional]`, `#[timeout(..)]` and `#[retry(..)]` make
///   branches and steps resilient; `#[spawn] fork` runs branches as tokio tasks. The
///   [crate documentation](crate) has the semantics and an example of each.
/// - `#[traced]` gives the workflow `tracing` spans (workflow, fork, branch, step) and
///   events (split, arrivals k/N, failures, cancellations, merge) (the `tracing`
///   feature).
/// - Beside the function, `NAME_GRAPH` (the name in capitals) holds the workflow's
///   [`graph`] as data, which exports to Mermaid, BPMN 2.0 and Conductor JSON (the
///   `export` feature).
///
/// ```
/// use workflow_runtime::workflow;
///
/// async fn double(x: u32) -> u32 { x * 2 }
///
/// workflow! {
///     async fn sum(x: u32) -> u32 {
///         fork <
///             a: double(x) -> double,
///             b: async { x + 1 },
///         > join(a, b);
///         a + b
///     }
/// }
///
/// assert_eq!(futures::executor::block_on(sum(1)), 6);
/// ```
#[macro_export]
macro_rules! workflow {
    ($($tokens:tt)*) => {
        $crate::__private::workflow_impl! { ($crate) $($tokens)* }
    };
}

// Not public API. Everything the generated code names lives here, so the generated code
// never depends on what the user's scope imports.
#[doc(hidden)]
#[allow(clippy::many_single_char_names, clippy::too_many_arguments)] // call1..call8: a to h
pub mod __private {
    pub use crate::BranchError;
    pub use crate::error::{
        Errors, SameError, TakesBranchError, branch_error, errors, first_error, same_error,
    };
    pub use crate::fan_out::{fan_out, try_fan_out};
    pub use crate::race::{Racer, first, quorum, racer};
    #[cfg(feature = "tokio")]
    pub use crate::task::{TaskBranch, TaskFork, spawn_branch, task_fork};
    #[cfg(feature = "tokio")]
    pub use crate::time::{
        Backoff, TakesTimedOut, TimedOut, Waits, always, retry, retry_if, timed_out,
        timeout_branch, with_timeout,
    };
    #[cfg(feature = "tracing")]
    pub use crate::trace::{
        Describe, DescribeAny, DescribeDisplay, ForkTrace, InSpan, IsErr, Judge, Never, SpanBox,
        SpanSite, Watched, enabled as trace_enabled, in_span, optional_failed, span as trace_span,
        workflow as trace_workflow,
    };
    pub use core::convert::From;
    pub use core::option::Option::{None, Some};
    pub use std::string::ToString;
    #[cfg(feature = "tracing")]
    pub use tracing;

    /// What a `#[traced]` workflow expands to: `{ item } { stub }`, the item when
    /// tracing is compiled in.
    #[cfg(feature = "tracing")]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __workflow_traced_gate {
        ({ $($item:tt)* } { $($stub:tt)* }) => { $($item)* };
    }

    /// What a `#[traced]` workflow expands to without tracing: one error that says how
    /// to turn it on, and the workflow's signature (so its callers get no error).
    #[cfg(not(feature = "tracing"))]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __workflow_traced_gate {
        ({ $($item:tt)* } { $($stub:tt)* }) => {
            ::core::compile_error!(
                "`#[traced]` needs the `tracing` feature of `workflow-runtime`\n= help: add \"tracing\" to workflow-runtime's features in Cargo.toml, or remove `#[traced]`"
            );
            $($stub)*
        };
    }
    pub use __workflow_traced_gate as traced_gate;

    /// A span's callsite for a `#[traced]` workflow: `span_site!(INFO, "name")` or
    /// `span_site!(INFO, "name", "step")` (its one field) is a `&'static SpanSite`, one
    /// static of plain data and no code; the runtime makes the span from it (`crate::trace`).
    #[cfg(feature = "tracing")]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __workflow_span_site {
        ($level:ident, $name:expr $(, $field:literal)?) => {{
            static SITE: $crate::__private::SpanSite = $crate::__private::SpanSite::new(
                $name,
                $crate::__private::tracing::Level::$level,
                ::core::module_path!(),
                ::core::file!(),
                ::core::line!(),
                &[$($field)?],
            );
            &SITE
        }};
    }
    #[cfg(feature = "tracing")]
    pub use __workflow_span_site as span_site;

    /// What a workflow with `#[timeout]`, `#[retry]` or `#[spawn]` expands to:
    /// `"#[name]" { item } { stub }`, the item when tokio is compiled in.
    #[cfg(feature = "tokio")]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __workflow_tokio_gate {
        ($what:literal { $($item:tt)* } { $($stub:tt)* }) => { $($item)* };
    }

    /// Without tokio: one error on the first modifier that needs it, and the
    /// workflow's signature.
    #[cfg(not(feature = "tokio"))]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __workflow_tokio_gate {
        ($what:literal { $($item:tt)* } { $($stub:tt)* }) => {
            ::core::compile_error!(::core::concat!(
                "`", $what, "` needs the `tokio` feature of `workflow-runtime` (its timers and tasks), which is on by default\n= help: add \"tokio\" to workflow-runtime's features in Cargo.toml, or remove `", $what, "`"
            ));
            $($stub)*
        };
    }
    pub use __workflow_tokio_gate as tokio_gate;

    /// What a `#[durable]` workflow expands to: its items, when durable workflows are
    /// compiled in.
    #[cfg(feature = "durable")]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __workflow_durable_gate {
        ($($item:tt)*) => { $($item)* };
    }

    /// What a `#[durable]` workflow expands to: one error that says how to turn durable
    /// workflows on (its items would only add errors at every path they name).
    #[cfg(not(feature = "durable"))]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __workflow_durable_gate {
        ($($item:tt)*) => {
            ::core::compile_error!(
                "`#[durable]` needs the `durable` feature of `workflow-runtime` (or `sqlite`, which adds the embedded journal)\n= help: write `workflow-runtime = { version = \"0.1\", features = [\"sqlite\"] }` in Cargo.toml, or remove `#[durable]`"
            );
        };
    }
    pub use __workflow_durable_gate as durable_gate;

    /// What the graph's writers (`to_mermaid`, `to_bpmn`, `to_conductor_json`, `export`)
    /// require of their receiver without the `export` feature: nothing implements it (nor
    /// can, by the orphan rule), so a call is one error at it that names the feature.
    #[cfg(not(feature = "export"))]
    #[diagnostic::on_unimplemented(
        message = "exporting a workflow's graph needs the `export` feature of `workflow-runtime`",
        label = "`to_mermaid`, `to_bpmn`, `to_conductor_json` and `export` are behind the `export` feature",
        note = "add \"export\" to workflow-runtime's features in Cargo.toml: `workflow-runtime = {{ version = \"0.1\", features = [\"export\"] }}`"
    )]
    pub trait ExportFeature {
        /// Never called: there is no implementation.
        fn export(self) -> String;
    }
    pub use core::convert::Infallible;
    pub use core::future::{Future, IntoFuture};
    pub use core::pin::{Pin, pin};
    pub use core::result::Result::{self, Err, Ok};
    pub use futures_util::future::{
        join as join2, join3, join4, join5, try_join as try_join2, try_join3, try_join4, try_join5,
    };
    pub use futures_util::{FutureExt, join, try_join};

    // A fork's join in the default mode names a panicking branch (`panic.rs`).
    pub use crate::__workflow_catch_named as catch_named;
    pub use crate::__workflow_named_join as named_join;
    pub use crate::__workflow_named_try_join as named_try_join;
    pub use crate::panic::{BranchDone, branch_done};
    pub use crate::panic::{
        JoinPoll, NamedBranch, NamedJoin2, NamedJoin3, NamedJoin4, NamedJoin5, NamedTryJoin2,
        NamedTryJoin3, NamedTryJoin4, NamedTryJoin5, branch_panic, join_poll, named_branch,
        named_join2, named_join3, named_join4, named_join5, named_try_join2, named_try_join3,
        named_try_join4, named_try_join5, raise_in,
    };
    pub use core::panic::AssertUnwindSafe;
    pub use core::task::{Context, Poll};
    pub use std::panic::catch_unwind;
    pub use workflow_macros::workflow_impl;

    /// What a `#[durable]` workflow's expansion names.
    #[cfg(feature = "durable")]
    pub mod durable {
        pub use crate::durable::{
            BoxFuture, Context, Journaled, Racer, Scope, Scoped, Start, Step, Workflow, boxed,
            failure_of, first, items, limited_items, quorum, racer, retry, retry_if, scoped, step,
            timeout, timeout_branch, try_step,
        };
    }

    /// The output of a step marked with a trailing `?`. The success and error types are
    /// trait parameters, not associated types, so a step that is not a `Result` is one
    /// error on the user's step instead of unsatisfied projections all over the
    /// generated code.
    #[diagnostic::on_unimplemented(
        message = "a step marked with `?` must produce a `Result`, but this one produces `{Self}`",
        label = "this step's output is not a `Result`",
        note = "remove the `?` if the step cannot fail"
    )]
    pub trait Fallible<T, E> {
        /// The output as a `Result`.
        fn into_result(self) -> Result<T, E>;
    }

    impl<T, E> Fallible<T, E> for Result<T, E> {
        #[inline]
        fn into_result(self) -> Self {
            self
        }
    }

    /// Reads the output of a fallible step.
    #[inline]
    pub fn fallible<F: Fallible<T, E>, T, E>(output: F) -> Result<T, E> {
        output.into_result()
    }

    pin_project_lite::pin_project! {
        /// A fan-out item of a step marked with `?`: the step's future, its output read
        /// as a `Result` (a plain projection, cheaper than `FutureExt::map`).
        pub struct FallibleItem<F, T, E> {
            #[pin]
            future: F,
            result: core::marker::PhantomData<fn() -> (T, E)>,
        }
    }

    impl<F: Future, T, E> Future for FallibleItem<F, T, E>
    where
        F::Output: Fallible<T, E>,
    {
        type Output = Result<T, E>;

        #[inline]
        fn poll(
            self: core::pin::Pin<&mut Self>,
            cx: &mut core::task::Context<'_>,
        ) -> core::task::Poll<Result<T, E>> {
            self.project().future.poll(cx).map(Fallible::into_result)
        }
    }

    /// Makes a fan-out item of a step marked with `?`; its output must be a `Result`.
    #[inline]
    pub fn fallible_item<F: IntoFuture, T, E>(future: F) -> FallibleItem<F::IntoFuture, T, E>
    where
        F::Output: Fallible<T, E>,
    {
        FallibleItem {
            future: future.into_future(),
            result: core::marker::PhantomData,
        }
    }

    pin_project_lite::pin_project! {
        /// A branch that cannot fail in a fork whose join can: its output in `Ok`, the
        /// error type the siblings' (a plain projection: `FutureExt::map` was not
        /// always inlined, 8 instructions a run on a fork of 3 with one codegen unit).
        pub struct OkBranch<F, E> {
            #[pin]
            future: F,
            error: core::marker::PhantomData<fn() -> E>,
        }
    }

    impl<F: Future, E> Future for OkBranch<F, E> {
        type Output = Result<F::Output, crate::BranchError<E>>;

        #[inline]
        fn poll(
            self: core::pin::Pin<&mut Self>,
            cx: &mut core::task::Context<'_>,
        ) -> core::task::Poll<Self::Output> {
            self.project().future.poll(cx).map(Ok)
        }
    }

    /// Makes an [`OkBranch`]: `future`'s output in `Ok::<_, BranchError<E>>`.
    ///
    /// ```
    /// use workflow_runtime::{BranchError, __private::ok_branch};
    ///
    /// let ok: Result<u8, BranchError<String>> = futures::executor::block_on(ok_branch(async { 7 }));
    /// assert_eq!(ok.unwrap(), 7);
    /// ```
    #[inline]
    pub fn ok_branch<F: IntoFuture, E>(future: F) -> OkBranch<F::IntoFuture, E> {
        OkBranch {
            future: future.into_future(),
            error: core::marker::PhantomData,
        }
    }

    pin_project_lite::pin_project! {
        /// A branch of one step marked with `?` in a wide fork: the step read as a
        /// `Result` ([`FallibleItem`]), its error made the branch's `BranchError` (an
        /// async block per branch cost rustc seconds of type checking per thousand
        /// branches).
        pub struct FallibleBranch<F, T, E> {
            #[pin]
            step: FallibleItem<F, T, E>,
            path: &'static str,
        }
    }

    impl<F: Future, T, E> Future for FallibleBranch<F, T, E>
    where
        F::Output: Fallible<T, E>,
    {
        type Output = Result<T, crate::BranchError<E>>;

        #[inline]
        fn poll(
            self: core::pin::Pin<&mut Self>,
            cx: &mut core::task::Context<'_>,
        ) -> core::task::Poll<Self::Output> {
            let this = self.project();
            let path = *this.path;
            crate::error::poll_map_err(this.step, cx, |error| crate::BranchError::new(path, error))
        }
    }

    /// Makes the branch `path` of one step marked with `?`; its output must be a
    /// `Result`.
    ///
    /// ```
    /// use workflow_runtime::__private::fallible_branch;
    ///
    /// let failed = futures::executor::block_on(fallible_branch("fetch", async { Err::<u8, _>("gone") }));
    /// assert_eq!(failed.unwrap_err().path(), "fetch");
    /// ```
    #[inline]
    pub fn fallible_branch<F: IntoFuture, T, E>(
        path: &'static str,
        step: F,
    ) -> FallibleBranch<F::IntoFuture, T, E>
    where
        F::Output: Fallible<T, E>,
    {
        FallibleBranch {
            step: fallible_item(step),
            path,
        }
    }

    // call1..call8 are written out rather than generated by a macro: a type error in a
    // hand-over then shows the plain signature, not the macro that made it.

    /// Calls a later step with what the previous step handed on. A function rather
    /// than `step(args)`, so that rustc infers a closure's parameter types from the
    /// arguments and an `async move` closure is consumed.
    #[inline]
    pub fn call1<A, R>(a: A, step: impl FnOnce(A) -> R) -> R {
        step(a)
    }

    /// [`call1`] for a step after a nested join of 2 branches.
    #[inline]
    pub fn call2<A, B, R>(a: A, b: B, step: impl FnOnce(A, B) -> R) -> R {
        step(a, b)
    }

    /// [`call1`] for a step after a nested join of 3 branches.
    #[inline]
    pub fn call3<A, B, C, R>(a: A, b: B, c: C, step: impl FnOnce(A, B, C) -> R) -> R {
        step(a, b, c)
    }

    /// [`call1`] for a step after a nested join of 4 branches.
    #[inline]
    pub fn call4<A, B, C, D, R>(a: A, b: B, c: C, d: D, step: impl FnOnce(A, B, C, D) -> R) -> R {
        step(a, b, c, d)
    }

    /// [`call1`] for a step after a nested join of 5 branches.
    #[inline]
    pub fn call5<A, B, C, D, E, R>(
        a: A,
        b: B,
        c: C,
        d: D,
        e: E,
        step: impl FnOnce(A, B, C, D, E) -> R,
    ) -> R {
        step(a, b, c, d, e)
    }

    /// [`call1`] for a step after a nested join of 6 branches.
    #[inline]
    pub fn call6<A, B, C, D, E, F, R>(
        a: A,
        b: B,
        c: C,
        d: D,
        e: E,
        f: F,
        step: impl FnOnce(A, B, C, D, E, F) -> R,
    ) -> R {
        step(a, b, c, d, e, f)
    }

    /// [`call1`] for a step after a nested join of 7 branches.
    #[inline]
    pub fn call7<A, B, C, D, E, F, G, R>(
        a: A,
        b: B,
        c: C,
        d: D,
        e: E,
        f: F,
        g: G,
        step: impl FnOnce(A, B, C, D, E, F, G) -> R,
    ) -> R {
        step(a, b, c, d, e, f, g)
    }

    /// [`call1`] for a step after a nested join of 8 branches.
    #[inline]
    pub fn call8<A, B, C, D, E, F, G, H, R>(
        a: A,
        b: B,
        c: C,
        d: D,
        e: E,
        f: F,
        g: G,
        h: H,
        step: impl FnOnce(A, B, C, D, E, F, G, H) -> R,
    ) -> R {
        step(a, b, c, d, e, f, g, h)
    }

    /// Polls `scope` (the rest of a fork's enclosing scope, after its join) beside the
    /// fork's background branches, and returns the scope's output once both are done.
    /// If the scope ends with an output for which `fails` holds (the join or the
    /// enclosing branch failed), the background branches are dropped at once: a
    /// failure is not delayed by work whose result nobody will read.
    pub async fn with_background<T, S, B>(
        scope: S,
        background: B,
        fails: impl FnOnce(&T) -> bool,
    ) -> T
    where
        S: Future<Output = T>,
        B: Future<Output = ()>,
    {
        let mut scope = core::pin::pin!(scope);
        let mut background = core::pin::pin!(Some(background));
        let mut output = None;
        let mut fails = Some(fails);
        core::future::poll_fn(|cx| {
            if output.is_none()
                && let core::task::Poll::Ready(value) = scope.as_mut().poll(cx)
            {
                if fails.take().is_some_and(|fails| fails(&value)) {
                    background.set(None);
                }
                output = Some(value);
            }
            if let Some(branches) = background.as_mut().as_pin_mut()
                && branches.poll(cx).is_ready()
            {
                background.set(None);
            }
            if background.is_none()
                && let Some(value) = output.take()
            {
                return core::task::Poll::Ready(value);
            }
            core::task::Poll::Pending
        })
        .await
    }

    /// Never a value: `if let Some(out) = returns::<T>() { return out; }` first in an
    /// async block makes `T` its return type, so its `return`s and tail coerce to `T` as
    /// in a function's body (an async block's return type is otherwise inferred).
    #[inline]
    pub fn returns<T>() -> Option<T> {
        None
    }
}

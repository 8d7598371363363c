//! Compile-time fork/join workflows.
//!
//! The [`workflow!`] macro turns an `async fn` whose body contains
//! `fork < ... > join(...)` statements into plain async Rust: the branches of a fork
//! are polled concurrently in the caller's task (`futures::join!` machinery, no
//! allocation per branch), the joined branches' outputs are typed locals after the
//! join, and every unbalanced or conditional parallel flow is a compile error.
//!
//! ```
//! use workflow_runtime::workflow;
//!
//! async fn product(id: u32) -> String { format!("product {id}") }
//! async fn customer(id: u32) -> String { format!("customer {id}") }
//! async fn tracking() -> u64 { 42 }
//!
//! workflow! {
//!     /// Fetch everything the dropshipper needs, at the same time.
//!     pub async fn prepare(order: u32) -> String {
//!         fork <
//!             product:  product(order),
//!             customer: customer(order),
//!             tracking: tracking(),
//!         > join(product, customer, tracking);
//!         format!("{product} for {customer}, tracking #{tracking}")
//!     }
//! }
//!
//! let sent = futures::executor::block_on(prepare(7));
//! assert_eq!(sent, "product 7 for customer 7, tracking #42");
//! ```
//!
//! See the README for the grammar, the guarantees and the compile-time checks.
#![warn(missing_docs)]

mod error;

pub use error::BranchError;

/// Writes an `async fn` whose body may fork into named, concurrent branches and join them.
///
/// ```text
/// workflow!  := attribute* visibility? 'async' 'fn' signature '{' statement* '}'
/// statement  := fork ';' | any Rust statement
/// fork       := 'fork' '<' branch (',' branch)* ','? '>' join
/// branch     := IDENT ':' step ('->' step)*
/// step       := fork | EXPR '?'?
/// join       := 'join' '(' 'mut'? IDENT (',' 'mut'? IDENT)* ','? ')' '?'?
///               ('background' '(' IDENT (',' IDENT)* ','? ')')?
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
pub mod __private {
    pub use crate::BranchError;
    pub use core::future::{Future, IntoFuture};
    pub use core::result::Result::{self, Err, Ok};
    pub use futures_util::{join, try_join};
    pub use workflow_macros::workflow_impl;

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

    /// Pins the output type of a scope that runs beside background branches to the
    /// workflow's return type, so `?` inside it converts errors as it does in the body.
    #[inline]
    pub fn scope<T, F: Future<Output = T>>(f: F) -> F {
        f
    }
}

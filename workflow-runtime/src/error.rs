//! The error a failing branch hands to the workflow.

use core::fmt;
use core::future::Future;

/// The failure of one branch of a fork, as seen at the fork's join.
///
/// A step marked with a trailing `?` fails its branch when its future resolves to
/// `Err(e)`. The fork then stops at once: the sibling branches are dropped (cancelled)
/// and the join evaluates to `Err(BranchError)` carrying `e` and the name of the branch
/// that failed. `join(...)?` propagates it with the ordinary `?` conversion, so a
/// workflow may return `Result<_, BranchError<E>>`, a boxed error, or its own error type
/// with a `From<BranchError<E>>` impl.
///
/// Following the Rust API guidelines, `Display` says which branch failed and
/// [`source`](std::error::Error::source) returns the step's error, so error reporters
/// (`anyhow`'s `{:#}`, `eyre`, ...) print both without repeating either.
///
/// # Example
///
/// ```
/// use workflow_runtime::{workflow, BranchError};
///
/// async fn fetch(ok: bool) -> Result<u32, String> {
///     if ok { Ok(1) } else { Err("service unavailable".to_owned()) }
/// }
///
/// workflow! {
///     async fn both() -> Result<u32, BranchError<String>> {
///         fork <
///             product:  fetch(true)?,
///             customer: fetch(false)?,
///         > join(product, customer)?;
///         Ok(product + customer)
///     }
/// }
///
/// let err = futures::executor::block_on(both()).unwrap_err();
/// assert_eq!(err.branch(), "customer");
/// assert_eq!(err.error(), "service unavailable");
/// assert_eq!(err.to_string(), "branch `customer` failed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchError<E> {
    path: &'static str,
    index: Option<usize>,
    error: E,
}

impl<E> BranchError<E> {
    /// Wraps the error of a step of the branch at `path` (branch names joined by `.`,
    /// outermost first). Generated code calls this; it is public so that tests and
    /// adapters can build the error a workflow would produce.
    ///
    /// ```
    /// let e = workflow_runtime::BranchError::new("documents.passport", "expired");
    /// assert_eq!(e.branch(), "passport");
    /// ```
    pub const fn new(path: &'static str, error: E) -> Self {
        Self {
            path,
            index: None,
            error,
        }
    }

    /// The same error, for the item at `index` of a fan-out branch.
    ///
    /// ```
    /// let e = workflow_runtime::BranchError::new("scores", "bad item").at_index(3);
    /// assert_eq!(e.index(), Some(3));
    /// assert_eq!(e.to_string(), "branch `scores[3]` failed");
    /// ```
    #[must_use]
    pub const fn at_index(mut self, index: usize) -> Self {
        self.index = Some(index);
        self
    }

    /// For a fan-out branch (`name: for item in items => ...`), the index of the item
    /// whose step failed, in the items' order.
    ///
    /// ```
    /// let e = workflow_runtime::BranchError::new("sms", ());
    /// assert_eq!(e.index(), None);
    /// ```
    pub const fn index(&self) -> Option<usize> {
        self.index
    }

    /// The full path of the failing branch from the outermost fork: for a branch
    /// `passport` of a fork nested in branch `documents`, `"documents.passport"`.
    ///
    /// ```
    /// let e = workflow_runtime::BranchError::new("documents.passport", ());
    /// assert_eq!(e.path(), "documents.passport");
    /// ```
    pub const fn path(&self) -> &'static str {
        self.path
    }

    /// The name of the failing branch itself, the last segment of [`path`](Self::path).
    ///
    /// ```
    /// let e = workflow_runtime::BranchError::new("documents.passport", ());
    /// assert_eq!(e.branch(), "passport");
    /// ```
    pub fn branch(&self) -> &'static str {
        match self.path.rfind('.') {
            Some(dot) => &self.path[dot + 1..],
            None => self.path,
        }
    }

    /// The error of the failing step.
    ///
    /// ```
    /// let e = workflow_runtime::BranchError::new("sms", 503);
    /// assert_eq!(*e.error(), 503);
    /// ```
    pub const fn error(&self) -> &E {
        &self.error
    }

    /// Consumes the branch error and returns the error of the failing step.
    ///
    /// ```
    /// let e = workflow_runtime::BranchError::new("sms", 503);
    /// assert_eq!(e.into_error(), 503);
    /// ```
    pub fn into_error(self) -> E {
        self.error
    }

    /// Converts the step's error, keeping the branch path.
    ///
    /// ```
    /// let e = workflow_runtime::BranchError::new("sms", 503).map(|code| format!("HTTP {code}"));
    /// assert_eq!(e.error(), "HTTP 503");
    /// assert_eq!(e.path(), "sms");
    /// ```
    pub fn map<F>(self, f: impl FnOnce(E) -> F) -> BranchError<F> {
        BranchError {
            path: self.path,
            index: self.index,
            error: f(self.error),
        }
    }
}

impl<E> fmt::Display for BranchError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(index) => write!(f, "branch `{}[{index}]` failed", self.path),
            None => write!(f, "branch `{}` failed", self.path),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for BranchError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// Journaled by `#[durable]` workflows as `[path, index, error]`. A path read back is
/// interned: each distinct path is kept once for the process (paths are the
/// workflows' branch paths, a set fixed at compile time).
#[cfg(feature = "durable")]
mod journaled {
    use std::collections::HashSet;
    use std::sync::{Mutex, PoisonError};

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::BranchError;

    fn intern(path: String) -> &'static str {
        static PATHS: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
        let mut paths = PATHS.lock().unwrap_or_else(PoisonError::into_inner);
        let paths = paths.get_or_insert_with(HashSet::new);
        if let Some(known) = paths.get(path.as_str()) {
            return known;
        }
        let path: &'static str = Box::leak(path.into_boxed_str());
        paths.insert(path);
        path
    }

    impl<E: Serialize> Serialize for BranchError<E> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            (self.path, self.index, &self.error).serialize(serializer)
        }
    }

    impl<'de, E: Deserialize<'de>> Deserialize<'de> for BranchError<E> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let (path, index, error) = <(String, Option<usize>, E)>::deserialize(deserializer)?;
            Ok(BranchError {
                path: intern(path),
                index,
                error,
            })
        }
    }

    #[cfg(test)]
    mod tests {
        use super::BranchError;

        #[test]
        fn a_branch_error_round_trips_through_the_journal() {
            let error = BranchError::new("documents.passport", "expired".to_owned()).at_index(2);
            let bytes = serde_json::to_vec(&error).unwrap();
            assert_eq!(bytes, br#"["documents.passport",2,"expired"]"#);
            let back: BranchError<String> = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(back, error);
            let again: BranchError<String> = serde_json::from_slice(&bytes).unwrap();
            assert!(core::ptr::eq(back.path(), again.path()), "interned once");
        }
    }
}

/// A workflow's error type that a failing join (`join(..)?`) can return: one that takes
/// the join's [`BranchError`] through `From`, as `?` would. Named in the error a user
/// sees when it cannot (a workflow returning `Result<_, String>`).
#[diagnostic::on_unimplemented(
    message = "this join fails with a `{E}`, and the workflow's error type `{Self}` cannot take one",
    label = "`{Self}` does not implement `From<{E}>`",
    note = "return `Result<_, {E}>` (its caller can `.map_err(BranchError::into_error)` to keep only the step's error), or an error type of your own with `impl From<{E}> for MyError` (`String` cannot have one: both types are foreign)"
)]
pub trait TakesBranchError<E>: Sized {
    /// The workflow's error for the join's.
    fn branch_error(error: E) -> Self;
}

impl<E, F: From<E>> TakesBranchError<E> for F {
    #[inline]
    fn branch_error(error: E) -> Self {
        F::from(error)
    }
}

/// What the expansion makes of a failing join's error, where `?` would call `From::from`:
/// checked at the join's `?`, so a workflow error type that cannot take it is one error
/// there that says what to write.
///
/// ```
/// use workflow_runtime::{BranchError, __private::branch_error};
///
/// let error: Box<dyn std::error::Error> = branch_error(BranchError::new("sms", std::fmt::Error));
/// assert_eq!(error.to_string(), "branch `sms` failed");
/// ```
#[inline]
pub fn branch_error<E, F: TakesBranchError<E>>(error: E) -> F {
    F::branch_error(error)
}

/// The error type of a fork's branches, as a type only: the expansion makes one per fork
/// whose join has several branches that fail on their own, [`first_error`] names it
/// after the first of them and [`same_error`] checks each other against it at its step,
/// so branches with different error types are one error there, not a mismatch inside
/// the join.
pub struct Errors<E>(core::marker::PhantomData<fn() -> E>);

impl<E> Clone for Errors<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for Errors<E> {}

impl<E> Default for Errors<E> {
    fn default() -> Self {
        errors()
    }
}

/// A fork's [`Errors`], whose type the branches tell.
///
/// ```
/// use workflow_runtime::{BranchError, __private::{errors, first_error}};
///
/// let branch = first_error(errors(), async { Err::<u8, _>(BranchError::new("sms", "gone")) });
/// assert!(futures::executor::block_on(branch).is_err());
/// ```
#[inline]
pub const fn errors<E>() -> Errors<E> {
    Errors(core::marker::PhantomData)
}

/// The fork's first branch that fails on its own, as it is: its error type is the fork's.
#[inline]
pub fn first_error<F, T, E>(_errors: Errors<E>, branch: F) -> F
where
    F: Future<Output = Result<T, BranchError<E>>>,
{
    branch
}

pin_project_lite::pin_project! {
    /// A branch checked by [`same_error`]: its future, polled as it is, its error made
    /// the fork's by the identity `same` (a plain projection with no state of its own,
    /// not `FutureExt::map`, whose state and hand-over cost the 3-branch fallible fork
    /// 11 to 14 instructions a run).
    pub struct SameError<F, S> {
        #[pin]
        branch: F,
        same: S,
    }
}

impl<F, S, T, G, E> Future for SameError<F, S>
where
    F: Future<Output = Result<T, BranchError<G>>>,
    S: Fn(G) -> E + Copy,
{
    type Output = Result<T, BranchError<E>>;

    #[inline]
    fn poll(
        self: core::pin::Pin<&mut Self>,
        cx: &mut core::task::Context<'_>,
    ) -> core::task::Poll<Self::Output> {
        let this = self.project();
        let same = *this.same;
        poll_map_err(this.branch, cx, |error| error.map(same))
    }
}

/// Polls `future`, its error (once it is ready with one) made another by `f`: the poll
/// of the branch wrappers that are plain projections ([`SameError`],
/// `__private::FallibleBranch`).
#[inline]
pub(crate) fn poll_map_err<F, T, E, G>(
    future: core::pin::Pin<&mut F>,
    cx: &mut core::task::Context<'_>,
    f: impl FnOnce(E) -> G,
) -> core::task::Poll<Result<T, G>>
where
    F: Future<Output = Result<T, E>>,
{
    future.poll(cx).map(|output| output.map_err(f))
}

/// Another branch that fails on its own, its error `G` made the fork's `E` by `same`:
/// the identity of a trait the expansion declares for the fork, whose message names
/// the fork's first failing branch, so a `G` that is not `E` is one error at the
/// branch's step. After inlining, the branch's own future.
///
/// ```
/// use workflow_runtime::{BranchError, __private::{errors, first_error, same_error}};
///
/// let fork = errors();
/// let first = first_error(fork, async { Ok::<u8, BranchError<&str>>(1) });
/// let second = same_error(fork, async { Err::<u8, _>(BranchError::new("sms", "gone")) }, |e| e);
/// let (first, second) = futures::executor::block_on(futures::future::join(first, second));
/// assert_eq!(first, Ok(1));
/// assert_eq!(second.unwrap_err().error(), &"gone");
/// ```
#[inline]
pub fn same_error<F, T, G, E, S>(_errors: Errors<E>, branch: F, same: S) -> SameError<F, S>
where
    F: Future<Output = Result<T, BranchError<G>>>,
    S: Fn(G) -> E + Copy,
{
    SameError { branch, same }
}

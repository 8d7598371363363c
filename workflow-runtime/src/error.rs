//! The error a failing branch hands to the workflow.

use core::fmt;

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

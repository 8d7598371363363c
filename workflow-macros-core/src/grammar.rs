//! The grammar's words in one place: the join policies and what each means to every
//! pass (parse, validate, expand, the graph constant and the runtime's
//! `graph::Policy`).
//!
//! A new policy is a variant here, its keyword in [`Policy::keyword`], its parse in
//! `parse::join`, its checks in `validate::check_policy`, its code in `expand` (the
//! race or the join it becomes) and its variant in the runtime's `graph::Policy`.

/// How a join waits: for all its branches (`join`), for all and hands on every
/// outcome (`join(...) settled`), for the first to succeed (`first`), or for the first
/// k (`quorum(k, ...)`). `S` locates the words that choose it in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy<S> {
    All,
    Settled(S),
    First,
    Quorum { k: usize, at: S },
}

/// The keywords that close a fork with its join, as the parser reads them.
pub const JOIN_KEYWORDS: [&str; 3] = ["join", "first", "quorum"];

impl<S: Copy> Policy<S> {
    /// The keyword the join starts with.
    pub fn keyword(&self) -> &'static str {
        match self {
            Policy::All | Policy::Settled(_) => "join",
            Policy::First => "first",
            Policy::Quorum { .. } => "quorum",
        }
    }

    /// `first` or `quorum`: the join hands on its winners and drops the rest.
    pub fn races(&self) -> bool {
        matches!(self, Policy::First | Policy::Quorum { .. })
    }

    /// `settled`: the join hands on every outcome, so it cannot fail.
    pub fn settles(&self) -> bool {
        matches!(self, Policy::Settled(_))
    }

    /// How many winners a race waits for: 1 for `first`, k for `quorum(k, ..)`, with
    /// where k is written (or `at`, the join's keyword, for `first`).
    pub fn winners(&self, at: S) -> Option<(usize, S)> {
        match *self {
            Policy::First => Some((1, at)),
            Policy::Quorum { k, at } => Some((k, at)),
            Policy::All | Policy::Settled(_) => None,
        }
    }

    /// The variant of the runtime's `graph::Policy`, and its count.
    pub fn graph_variant(&self) -> (&'static str, Option<usize>) {
        match *self {
            Policy::All => ("All", None),
            Policy::Settled(_) => ("Settled", None),
            Policy::First => ("First", None),
            Policy::Quorum { k, .. } => ("Quorum", Some(k)),
        }
    }

    /// What the join does, in words (the execution log of `#[traced]`). `fails_fast`:
    /// the join is written `join(..)?`.
    pub fn describe(&self, fails_fast: bool) -> String {
        match self {
            Policy::All if fails_fast => {
                "the join waits for all, the first failure cancels the others".to_owned()
            }
            Policy::All => "the join waits for all".to_owned(),
            Policy::Settled(_) => "the join waits for all, failed or not (settled)".to_owned(),
            Policy::First => "the first to succeed wins".to_owned(),
            Policy::Quorum { k, .. } => format!("the first {k} to succeed win (quorum)"),
        }
    }

    /// The same policy located by `f(S)`.
    pub fn map<T>(self, f: impl FnOnce(S) -> T) -> Policy<T> {
        match self {
            Policy::All => Policy::All,
            Policy::Settled(at) => Policy::Settled(f(at)),
            Policy::First => Policy::First,
            Policy::Quorum { k, at } => Policy::Quorum { k, at: f(at) },
        }
    }
}

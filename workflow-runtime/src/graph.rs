//! The workflow graph as data: what `workflow!` records of every workflow at compile time.
//!
//! For a workflow `async fn fulfil(..)`, the macro defines beside it a constant
//! `FULFIL_GRAPH: Workflow` (an associated constant when the workflow is a method) holding
//! its forks, branches, steps and joins, the join policies, the nesting and the source
//! location of every node. It is plain `'static` data in the binary, built at compile
//! time: nothing runs, and nothing is kept when it is not used.
//!
//! The graph shows the parallel flow: the forks of the body, in order, and inside them
//! every branch's steps. The ordinary Rust statements between forks are not nodes.
//!
//! ```
//! use workflow_runtime::workflow;
//! use workflow_runtime::graph::{Policy, Step};
//!
//! async fn product(id: u32) -> u32 { id }
//! async fn customer(id: u32) -> u32 { id }
//!
//! workflow! {
//!     async fn prepare(order: u32) -> u32 {
//!         fork < product: product(order), customer: customer(order) > join(product, customer);
//!         product + customer
//!     }
//! }
//!
//! let graph = PREPARE_GRAPH;
//! assert_eq!(graph.name, "prepare");
//! let fork = &graph.forks[0];
//! assert_eq!(fork.join.policy, Policy::All);
//! assert_eq!(fork.join.joined, ["product", "customer"]);
//! let Step::Task(task) = &fork.branches[1].steps[0] else { unreachable!() };
//! assert_eq!((task.name, task.code), ("customer", "customer(order)"));
//! assert!(task.at.line > graph.at.line);
//! ```

/// Where a node is written: the file (as `file!()` gives it), line and column (1-based).
///
/// ```
/// use workflow_runtime::workflow;
///
/// workflow! {
///     async fn pair() -> (u8, u8) {
///         fork < a: async { 1 }, b: async { 2 } > join(a, b);
///         (a, b)
///     }
/// }
///
/// let at = PAIR_GRAPH.forks[0].at; // where `fork` is written
/// assert_eq!(at.column, 9);
/// assert_eq!(at.line, PAIR_GRAPH.at.line + 1);
/// assert_eq!(at.to_string(), format!("{}:{}:9", at.file, at.line));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Location {
    /// The source file, as `file!()` gives it.
    pub file: &'static str,
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1.
    pub column: u32,
}

impl Location {
    #[doc(hidden)]
    #[must_use]
    pub const fn new(file: &'static str, line: u32, column: u32) -> Self {
        Location { file, line, column }
    }
}

impl core::fmt::Display for Location {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A workflow: its name, where it is written, and its forks in the order the body runs them.
///
/// ```
/// use workflow_runtime::workflow;
///
/// async fn load(id: u32) -> u32 { id }
///
/// workflow! {
///     async fn two_rounds(id: u32) -> u32 {
///         fork < a: load(id), b: load(id + 1) > join(a, b);
///         let sum = a + b;
///         fork < c: load(sum), d: load(sum * 2) > join(c, d);
///         c + d
///     }
/// }
///
/// assert_eq!(TWO_ROUNDS_GRAPH.name, "two_rounds");
/// assert_eq!(TWO_ROUNDS_GRAPH.forks.len(), 2); // `let sum = ..` is not a node
/// assert_eq!(TWO_ROUNDS_GRAPH.forks[1].branches[0].name, "c");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Workflow {
    /// The workflow function's name.
    pub name: &'static str,
    /// Where the function's name is written.
    pub at: Location,
    /// The forks of the body, in order. Rust statements between them are not nodes.
    pub forks: &'static [Fork],
}

impl Workflow {
    #[doc(hidden)]
    #[must_use]
    pub const fn new(name: &'static str, at: Location, forks: &'static [Fork]) -> Self {
        Workflow { name, at, forks }
    }
}

/// A fork: its branches, and the join that waits for them.
///
/// ```
/// use workflow_runtime::workflow;
///
/// workflow! {
///     async fn heavy() -> u64 {
///         #[spawn]
///         fork < left: async { 1_u64 }, right: async { 2_u64 } > join(left, right);
///         left + right
///     }
/// }
///
/// let fork = &HEAVY_GRAPH.forks[0];
/// assert!(fork.spawn);
/// let names: Vec<_> = fork.branches.iter().map(|branch| branch.name).collect();
/// assert_eq!(names, ["left", "right"]);
/// assert_eq!(fork.join.joined, ["left", "right"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Fork {
    /// Where the `fork` keyword is written.
    pub at: Location,
    /// Written `#[spawn] fork`: the branches run as tokio tasks.
    pub spawn: bool,
    /// The branches, in the order they are written.
    pub branches: &'static [Branch],
    /// The join that ends the fork.
    pub join: Join,
}

impl Fork {
    #[doc(hidden)]
    #[must_use]
    pub const fn new(at: Location, spawn: bool, branches: &'static [Branch], join: Join) -> Self {
        Fork {
            at,
            spawn,
            branches,
            join,
        }
    }
}

/// A branch of a fork: a name and a chain of steps.
///
/// ```
/// use workflow_runtime::graph::Step;
/// use workflow_runtime::workflow;
///
/// async fn check(what: &'static str) -> &'static str { what }
///
/// workflow! {
///     async fn documents() -> (&'static str, (&'static str, &'static str)) {
///         fork <
///             credit: check("credit"),
///             documents: fork < passport: check("passport"), utility: check("utility") >
///                 join(passport, utility),
///         > join(credit, documents);
///         (credit, documents)
///     }
/// }
///
/// let documents = &DOCUMENTS_GRAPH.forks[0].branches[1];
/// assert_eq!((documents.name, documents.path), ("documents", "documents"));
/// let Step::Fork(nested) = &documents.steps[0] else { unreachable!() };
/// let passport = &nested.branches[0];
/// assert_eq!((passport.name, passport.path), ("passport", "documents.passport"));
/// assert!(passport.fan_out.is_none() && !passport.modifiers.optional);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Branch {
    /// The branch's name.
    pub name: &'static str,
    /// The names from the outermost fork down to this branch, joined with `.`
    /// (`"documents.passport"`), as [`BranchError::path`](crate::BranchError::path) gives it.
    pub path: &'static str,
    /// Where the branch's name is written.
    pub at: Location,
    /// `name: for PAT in EXPR => ...`: the branch runs its steps once per item.
    pub fan_out: Option<FanOut>,
    /// `#[optional]`, `#[timeout(..)]` written on the branch.
    pub modifiers: Modifiers,
    /// The steps, in order: each hands its output to the next.
    pub steps: &'static [Step],
}

impl Branch {
    #[doc(hidden)]
    #[must_use]
    pub const fn new(
        name: &'static str,
        path: &'static str,
        at: Location,
        fan_out: Option<FanOut>,
        modifiers: Modifiers,
        steps: &'static [Step],
    ) -> Self {
        Branch {
            name,
            path,
            at,
            fan_out,
            modifiers,
            steps,
        }
    }
}

/// A fan-out branch's iteration, as written.
///
/// ```
/// use workflow_runtime::workflow;
///
/// async fn stock(sku: &str) -> usize { sku.len() }
///
/// workflow! {
///     async fn levels(skus: &[&str]) -> Vec<usize> {
///         fork <
///             #[limit(4)]
///             levels: for sku in skus.iter() => stock(sku),
///             audit: async {},
///         > join(levels, audit);
///         levels
///     }
/// }
///
/// let fan_out = LEVELS_GRAPH.forks[0].branches[0].fan_out.unwrap();
/// assert_eq!((fan_out.pattern, fan_out.items, fan_out.limit), ("sku", "skus.iter()", Some("4")));
/// assert!(LEVELS_GRAPH.forks[0].branches[1].fan_out.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct FanOut {
    /// The pattern each item binds (`x` in `for x in xs`).
    pub pattern: &'static str,
    /// The collection's expression (`xs`).
    pub items: &'static str,
    /// The argument of `#[limit(..)]`, if any: how many items run at once.
    pub limit: Option<&'static str>,
}

impl FanOut {
    #[doc(hidden)]
    #[must_use]
    pub const fn new(
        pattern: &'static str,
        items: &'static str,
        limit: Option<&'static str>,
    ) -> Self {
        FanOut {
            pattern,
            items,
            limit,
        }
    }
}

/// The modifiers written on a branch or a step.
///
/// ```
/// use workflow_runtime::graph::Step;
/// use workflow_runtime::{workflow, BranchError, TimedOut};
///
/// #[derive(Debug)]
/// struct Failed;
///
/// impl From<TimedOut> for Failed {
///     fn from(_: TimedOut) -> Self { Failed }
/// }
///
/// async fn pay() -> Result<u32, Failed> { Ok(1) }
/// async fn points() -> Result<u32, Failed> { Ok(2) }
///
/// workflow! {
///     async fn order() -> Result<(u32, Option<u32>), BranchError<Failed>> {
///         fork <
///             payment: #[retry(3, backoff = 20ms)] pay()?,
///             #[optional]
///             points: #[timeout(100ms)] points()?,
///         > join(payment, points)?;
///         Ok((payment, points))
///     }
/// }
///
/// let [payment, points] = ORDER_GRAPH.forks[0].branches else { unreachable!() };
/// let Step::Task(pay) = payment.steps[0] else { unreachable!() };
/// assert_eq!(pay.modifiers.retry, Some("3, backoff = 20ms"));
/// assert!(points.modifiers.optional);
/// let Step::Task(read) = points.steps[0] else { unreachable!() };
/// assert_eq!(read.modifiers.timeout, Some("100ms"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Modifiers {
    /// `#[optional]`: a failure is `None` and the fork goes on.
    pub optional: bool,
    /// The argument of `#[timeout(..)]`, as written (`"250ms"`).
    pub timeout: Option<&'static str>,
    /// The arguments of `#[retry(..)]`, as written (`"3, backoff = 10ms"`).
    pub retry: Option<&'static str>,
}

impl Modifiers {
    #[doc(hidden)]
    #[must_use]
    pub const fn new(
        optional: bool,
        timeout: Option<&'static str>,
        retry: Option<&'static str>,
    ) -> Self {
        Modifiers {
            optional,
            timeout,
            retry,
        }
    }
}

/// A step of a branch: a task, or a nested fork.
///
/// ```
/// use workflow_runtime::graph::Step;
/// use workflow_runtime::workflow;
///
/// async fn load(n: u32) -> u32 { n }
///
/// workflow! {
///     async fn totals() -> (u32, u32) {
///         fork <
///             plain: load(1) -> |n| async move { n + 1 },
///             nested: fork < x: load(2), y: load(3) > join(x, y) -> |x, y| async move { x + y },
///         > join(plain, nested);
///         (plain, nested)
///     }
/// }
///
/// let kinds = |branch: usize| {
///     TOTALS_GRAPH.forks[0].branches[branch].steps.iter()
///         .map(|step| match step { Step::Task(_) => "task", Step::Fork(_) => "fork", _ => "?" })
///         .collect::<Vec<_>>()
/// };
/// assert_eq!(kinds(0), ["task", "task"]);
/// assert_eq!(kinds(1), ["fork", "task"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// A future to await (the first step) or a callable given the previous output.
    Task(Task),
    /// A fork inside the branch; the step after it gets the joined outputs.
    Fork(Fork),
}

/// One step: an expression whose future the branch awaits.
///
/// ```
/// use workflow_runtime::graph::Step;
/// use workflow_runtime::workflow;
///
/// async fn get_product(sku: u32) -> Result<u32, String> { Ok(sku) }
/// async fn get_customer(id: u32) -> Result<u32, String> { Ok(id) }
///
/// workflow! {
///     async fn fetch(sku: u32) -> Result<u32, workflow_runtime::BranchError<String>> {
///         fork < product: get_product(sku)?, customer: get_customer(7)? > join(product, customer)?;
///         Ok(product + customer)
///     }
/// }
///
/// let Step::Task(task) = FETCH_GRAPH.forks[0].branches[0].steps[0] else { unreachable!() };
/// assert_eq!((task.name, task.code, task.id), ("get_product", "get_product(sku)", "0.product.0"));
/// assert!(task.fallible);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Task {
    /// A short name: the function, method or variable the step names (`get_product` for
    /// `get_product(order.sku)?`). A step that names none (an `async` block, a closure)
    /// is named after its branch: `review` for the first such step of branch `review`,
    /// then `review 2`, `review 3`, ..., skipping the names of the branch's other steps.
    pub name: &'static str,
    /// The step's expression as written (without the trailing `?`).
    pub code: &'static str,
    /// Where the step's expression starts.
    pub at: Location,
    /// Written with a trailing `?`: an `Err` fails the branch.
    pub fallible: bool,
    /// `#[timeout(..)]`, `#[retry(..)]` written on the step.
    pub modifiers: Modifiers,
    /// The step's stable id, known at compile time: the index of its fork among the
    /// workflow body's forks, then for each fork level the branch's name and the step's
    /// index in its branch (`"0.credit.1"`: the second step of branch `credit` of the
    /// first fork; `"0.documents.0.passport.0"`: in a fork that is the first step of
    /// `documents`). Adding, removing or reordering other branches does not change it.
    ///
    /// ```
    /// workflow_runtime::workflow! {
    ///     async fn order() -> u32 {
    ///         fork < a: async { 1 } -> |x: u32| async move { x + 1 }, b: async { 2 } > join(a, b);
    ///         a + b
    ///     }
    /// }
    /// use workflow_runtime::graph::Step;
    /// let Step::Task(second) = &ORDER_GRAPH.forks[0].branches[0].steps[1] else { panic!() };
    /// assert_eq!(second.id, "0.a.1");
    /// ```
    pub id: &'static str,
}

impl Task {
    #[doc(hidden)]
    #[must_use]
    pub const fn new(
        name: &'static str,
        code: &'static str,
        at: Location,
        fallible: bool,
        modifiers: Modifiers,
    ) -> Self {
        Task {
            name,
            code,
            at,
            fallible,
            modifiers,
            id: "",
        }
    }

    #[doc(hidden)]
    #[must_use]
    pub const fn with_id(self, id: &'static str) -> Self {
        Task { id, ..self }
    }
}

/// The end of a fork.
///
/// ```
/// use workflow_runtime::graph::Policy;
/// use workflow_runtime::workflow;
///
/// async fn send(channel: &'static str) -> bool { !channel.is_empty() }
///
/// workflow! {
///     async fn notify() -> bool {
///         fork < email: send("email"), sms: send("sms"), http: send("http") >
///             join(email, sms) background(http);
///         email && sms
///     }
/// }
///
/// let join = NOTIFY_GRAPH.forks[0].join;
/// assert_eq!((join.policy, join.fallible), (Policy::All, false));
/// assert_eq!(join.joined, ["email", "sms"]);
/// assert_eq!(join.background, ["http"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Join {
    /// Where the `join` (`first`, `quorum`) keyword is written.
    pub at: Location,
    /// What the join waits for.
    pub policy: Policy,
    /// The joined branches, in the order the join names them.
    pub joined: &'static [&'static str],
    /// The branches written in `background(..)`: they run on past the join and finish
    /// before the enclosing scope does.
    pub background: &'static [&'static str],
    /// Written `join(..)?`: a failing branch fails the join.
    pub fallible: bool,
}

impl Join {
    #[doc(hidden)]
    #[must_use]
    pub const fn new(
        at: Location,
        policy: Policy,
        joined: &'static [&'static str],
        background: &'static [&'static str],
        fallible: bool,
    ) -> Self {
        Join {
            at,
            policy,
            joined,
            background,
            fallible,
        }
    }
}

/// What a join waits for.
///
/// ```
/// use workflow_runtime::graph::Policy;
/// use workflow_runtime::workflow;
///
/// async fn replica(name: &'static str) -> &'static str { name }
///
/// workflow! {
///     async fn read() -> usize {
///         let two = fork < eu: replica("eu"), us: replica("us"), asia: replica("asia") >
///             quorum(2, eu, us, asia);
///         fork < a: replica("a"), b: replica("b") > join(a, b) settled;
///         two.len() + usize::from(a.is_ok() && b.is_ok())
///     }
/// }
///
/// assert_eq!(READ_GRAPH.forks[0].join.policy, Policy::Quorum(2));
/// assert_eq!(READ_GRAPH.forks[1].join.policy, Policy::Settled);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Policy {
    /// `join(..)`: every joined branch (the first failure cancels the others).
    All,
    /// `join(..) settled`: every joined branch, each output a `Result`.
    Settled,
    /// `first(..)`: the first branch to succeed; the others are cancelled.
    First,
    /// `quorum(k, ..)`: the first `k` branches to succeed.
    Quorum(usize),
}

// The writers, behind the `export` feature (`Format` and the graph are always there).
#[cfg(feature = "export")]
mod bpmn;
#[cfg(feature = "export")]
mod conductor;
#[cfg(feature = "export")]
mod escape;
mod format;
#[cfg(feature = "export")]
mod mermaid;
#[cfg(all(test, feature = "export"))]
mod samples;

pub use format::{Format, ParseFormatError};

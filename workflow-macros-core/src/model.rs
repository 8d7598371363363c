//! The decorated tree: the workflow graph (forks, branches, steps and joins, by name),
//! built once from the syntax and read by every later pass: the validator, the
//! expander and the graph constant.
//!
//! Each node keeps the syntax it came from (`original`, as thiserror's and
//! `serde_derive`'s ASTs do) beside what the passes need computed once: names, paths,
//! fallibility, the join's policy, and each step's stable id. The tree is generic over
//! its [`Stage`]: the macro's is [`Syn`] (spans and the syntax), the fuzzer's and the
//! property tests' are `Span` (spans only) and `()` (plain data, built by hand), so the
//! validator runs on a graph without a compiler around.

use core::marker::PhantomData;

use proc_macro2::Span;
use syn::spanned::Spanned as _;
use syn::{Block, Expr, Stmt};

pub use crate::grammar::Policy;
use crate::parse;

/// What a tree's nodes carry besides the graph: where each node is in the source
/// (`Span`), and the syntax each was parsed from.
pub trait Stage {
    /// Locates a node in the source.
    type Span: Copy;
    type Workflow: Copy;
    type Fork: Copy;
    type Branch: Copy;
    type Task: Copy;
    type Join: Copy;
}

/// Plain data: no location, no syntax (graphs built by hand in tests).
impl Stage for () {
    type Span = ();
    type Workflow = ();
    type Fork = ();
    type Branch = ();
    type Task = ();
    type Join = ();
}

/// Locations without the syntax: a graph that outlives its input.
impl Stage for Span {
    type Span = Span;
    type Workflow = ();
    type Fork = ();
    type Branch = ();
    type Task = ();
    type Join = ();
}

/// The macro's tree: locations, and the syntax of every node.
#[derive(Debug, Clone, Copy)]
pub struct Syn<'a>(PhantomData<&'a ()>);

impl<'a> Stage for Syn<'a> {
    type Span = Span;
    type Workflow = &'a parse::Input;
    type Fork = ForkSyntax<'a>;
    type Branch = &'a parse::Branch;
    type Task = &'a parse::Task;
    type Join = &'a parse::Join;
}

/// The syntax of a fork, and where it is in the body.
#[derive(Clone, Copy)]
pub struct ForkSyntax<'a> {
    pub fork: &'a parse::Fork,
    /// The index in the body of the statement that holds the fork.
    pub statement: usize,
    /// A fork of the body (not nested in a branch): `statement` is the fork.
    pub top: bool,
}

#[derive(Clone)]
pub struct Workflow<S: Stage> {
    /// The function's name as written (`r#async`); see [`Workflow::display_name`].
    pub name: String,
    pub original: S::Workflow,
    /// The workflow's own attributes (`#[traced]`), parsed and checked here.
    pub attributes: Attributes<S>,
    /// The forks written as statements of the body, in order.
    pub forks: Vec<Fork<S>>,
    /// `join(a, b);` statements that are joins with no fork: right after a fork that
    /// has no join (`cut_off`, the fork's index in `forks`), or naming branches.
    /// A `join(x);` that names no branch is a call of the user's own `join` function.
    pub stray_joins: Vec<StrayJoin<S>>,
}

/// The attributes of the workflow `fn` that choose how it is expanded (its modes).
#[derive(Clone)]
pub struct Attributes<S: Stage> {
    /// `#[traced]`: spans and events for `tracing`.
    pub traced: Option<S::Span>,
    /// `#[durable]`: every step's result journaled under its id (`expand/durable.rs`).
    pub durable: Option<S::Span>,
}

impl<S: Stage> Default for Attributes<S> {
    fn default() -> Self {
        Attributes {
            traced: None,
            durable: None,
        }
    }
}

#[derive(Clone)]
pub struct StrayJoin<S: Stage> {
    pub at: S::Span,
    /// The fork just before it, which has no join of its own.
    pub cut_off: Option<usize>,
}

#[derive(Clone)]
pub struct Name<S: Stage> {
    pub text: String,
    pub at: S::Span,
}

#[derive(Clone)]
pub struct Fork<S: Stage> {
    /// The `fork` keyword.
    pub at: S::Span,
    pub original: S::Fork,
    /// Written `let PAT = fork ...`.
    pub bound: bool,
    pub branches: Vec<Branch<S>>,
    pub join: Option<Join<S>>,
    /// The fork's stable id (see [`Task::id`]): its index among the body's forks, or
    /// the id of the step it is in its branch.
    pub id: String,
}

#[derive(Clone)]
pub struct Branch<S: Stage> {
    pub name: Name<S>,
    pub original: S::Branch,
    /// The `if` of a guard on the branch.
    pub guard: Option<S::Span>,
    /// The `for` of a fan-out branch (`name: for item in items => ...`).
    pub fan_out: Option<S::Span>,
    pub marks: Marks<S>,
    pub steps: Vec<Step<S>>,
    /// The names of the branches from the outermost fork to this one, joined by `.`
    /// (`documents.passport`): what `BranchError::path` and the graph tell.
    pub path: String,
}

/// Where each modifier attribute of a branch or step was written.
#[derive(Clone)]
pub struct Marks<S: Stage> {
    pub optional: Option<S::Span>,
    pub timeout: Option<S::Span>,
    pub retry: Option<S::Span>,
    pub limit: Option<S::Span>,
}

impl<S: Stage> Default for Marks<S> {
    fn default() -> Self {
        Marks {
            optional: None,
            timeout: None,
            retry: None,
            limit: None,
        }
    }
}

#[derive(Clone)]
pub enum Step<S: Stage> {
    Task(Task<S>),
    Fork(Fork<S>),
}

#[derive(Clone)]
pub struct Task<S: Stage> {
    /// The step's name in the graph, its exports and its `#[traced]` span: the function
    /// or method it calls, else its branch's name (`review`, `review 2`, ...).
    pub label: String,
    pub at: S::Span,
    pub original: S::Task,
    /// The trailing `?` of a fallible step.
    pub fallible: Option<S::Span>,
    pub marks: Marks<S>,
    /// Ways the step's expression could leave the branch early.
    pub exits: Vec<Exit<S>>,
    /// The step's stable id, known at compile time: the index of its fork among the
    /// body's forks, then for each fork level the branch's name and the step's index
    /// in it: `0.credit.1` is the second step of branch `credit` of the body's first
    /// fork, `0.documents.0.passport.0` a step of a fork nested as the first step of
    /// `documents`. It names the step's place, not an order of execution: adding,
    /// removing or reordering other branches leaves it as it is. At run time a fan-out
    /// item adds its index.
    pub id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    Return,
    Break,
    Continue,
    /// A `?` inside the step's expression.
    Try,
    /// A `.await` on the whole step: the fork awaits steps itself.
    Await,
    /// A `.await` anywhere inside the step (not an exit; it makes the step a sequence
    /// that must run inside its branch).
    NestedAwait,
}

#[derive(Clone)]
pub struct Exit<S: Stage> {
    pub kind: ExitKind,
    pub at: S::Span,
}

#[derive(Clone)]
pub struct Join<S: Stage> {
    /// The `join`, `first` or `quorum` keyword.
    pub at: S::Span,
    pub original: S::Join,
    pub policy: Policy<S::Span>,
    pub names: Vec<Name<S>>,
    /// The `?` after `join(...)`.
    pub question: Option<S::Span>,
    pub background: Vec<Name<S>>,
}

/// `Debug`, `PartialEq` and `Eq` for the tree's nodes at the stages whose locations and
/// syntax have them (`()`: graphs built by hand and compared in tests). `derive` cannot
/// bound the stage's associated types through `Vec<Fork<S>>`.
macro_rules! plain_traits {
    ($($node:ident { $($field:ident),* })*) => {$(
        impl<S: Stage> core::fmt::Debug for $node<S>
        where
            S::Span: core::fmt::Debug,
            S::Workflow: core::fmt::Debug,
            S::Fork: core::fmt::Debug,
            S::Branch: core::fmt::Debug,
            S::Task: core::fmt::Debug,
            S::Join: core::fmt::Debug,
        {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($node))
                    $(.field(stringify!($field), &self.$field))*
                    .finish()
            }
        }

        impl<S: Stage> PartialEq for $node<S>
        where
            S::Span: PartialEq,
            S::Workflow: PartialEq,
            S::Fork: PartialEq,
            S::Branch: PartialEq,
            S::Task: PartialEq,
            S::Join: PartialEq,
        {
            fn eq(&self, other: &Self) -> bool {
                true $(&& self.$field == other.$field)*
            }
        }

        impl<S: Stage> Eq for $node<S>
        where
            S::Span: Eq,
            S::Workflow: Eq,
            S::Fork: Eq,
            S::Branch: Eq,
            S::Task: Eq,
            S::Join: Eq,
        {
        }
    )*};
}

plain_traits! {
    Workflow { name, original, attributes, forks, stray_joins }
    Attributes { traced, durable }
    StrayJoin { at, cut_off }
    Name { text, at }
    Fork { at, original, bound, branches, join, id }
    Branch { name, original, guard, fan_out, marks, steps, path }
    Marks { optional, timeout, retry, limit }
    Task { label, at, original, fallible, marks, exits, id }
    Exit { kind, at }
    Join { at, original, policy, names, question, background }
}

impl<S: Stage> core::fmt::Debug for Step<S>
where
    Task<S>: core::fmt::Debug,
    Fork<S>: core::fmt::Debug,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Step::Task(task) => f.debug_tuple("Task").field(task).finish(),
            Step::Fork(fork) => f.debug_tuple("Fork").field(fork).finish(),
        }
    }
}

impl<S: Stage> PartialEq for Step<S>
where
    Task<S>: PartialEq,
    Fork<S>: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Step::Task(a), Step::Task(b)) => a == b,
            (Step::Fork(a), Step::Fork(b)) => a == b,
            _ => false,
        }
    }
}

impl<S: Stage> Eq for Step<S> where Self: PartialEq {}

impl<S: Stage> Workflow<S> {
    /// The function's name without `r#`: how the graph and the trace name it.
    pub fn display_name(&self) -> &str {
        self.name.strip_prefix("r#").unwrap_or(&self.name)
    }

    /// Computes what the later passes read from the graph's shape: every branch's path
    /// and every fork's and step's stable id. `from_ast` calls it; a graph built by hand
    /// calls it once it is whole.
    pub fn decorate(&mut self) {
        for (index, fork) in self.forks.iter_mut().enumerate() {
            fork.decorate(index.to_string(), "");
        }
    }

    /// The same graph at another stage: `span` maps every location, and the syntax is
    /// left behind.
    pub fn to_stage<T>(&self, span: impl Fn(S::Span) -> T::Span + Copy) -> Workflow<T>
    where
        T: Stage<Workflow = (), Fork = (), Branch = (), Task = (), Join = ()>,
    {
        Workflow {
            name: self.name.clone(),
            original: (),
            attributes: Attributes {
                traced: self.attributes.traced.map(span),
                durable: self.attributes.durable.map(span),
            },
            forks: self.forks.iter().map(|f| f.to_stage(span)).collect(),
            stray_joins: self
                .stray_joins
                .iter()
                .map(|j| StrayJoin {
                    at: span(j.at),
                    cut_off: j.cut_off,
                })
                .collect(),
        }
    }
}

impl<S: Stage> Fork<S> {
    fn decorate(&mut self, id: String, path: &str) {
        for branch in &mut self.branches {
            branch.path = if path.is_empty() {
                branch.name.text.clone()
            } else {
                format!("{path}.{}", branch.name.text)
            };
            for (index, step) in branch.steps.iter_mut().enumerate() {
                let step_id = format!("{id}.{}.{index}", branch.name.text);
                match step {
                    Step::Task(task) => task.id = step_id,
                    Step::Fork(fork) => fork.decorate(step_id, &branch.path),
                }
            }
        }
        self.id = id;
    }

    fn to_stage<T>(&self, span: impl Fn(S::Span) -> T::Span + Copy) -> Fork<T>
    where
        T: Stage<Workflow = (), Fork = (), Branch = (), Task = (), Join = ()>,
    {
        let name = |n: &Name<S>| Name {
            text: n.text.clone(),
            at: span(n.at),
        };
        let marks = |m: &Marks<S>| Marks {
            optional: m.optional.map(span),
            timeout: m.timeout.map(span),
            retry: m.retry.map(span),
            limit: m.limit.map(span),
        };
        Fork {
            at: span(self.at),
            original: (),
            bound: self.bound,
            branches: self
                .branches
                .iter()
                .map(|b| Branch {
                    name: name(&b.name),
                    original: (),
                    guard: b.guard.map(span),
                    fan_out: b.fan_out.map(span),
                    marks: marks(&b.marks),
                    steps: b
                        .steps
                        .iter()
                        .map(|step| match step {
                            Step::Task(t) => Step::Task(Task {
                                label: t.label.clone(),
                                at: span(t.at),
                                original: (),
                                fallible: t.fallible.map(span),
                                marks: marks(&t.marks),
                                exits: t
                                    .exits
                                    .iter()
                                    .map(|e| Exit {
                                        kind: e.kind,
                                        at: span(e.at),
                                    })
                                    .collect(),
                                id: t.id.clone(),
                            }),
                            Step::Fork(f) => Step::Fork(f.to_stage(span)),
                        })
                        .collect(),
                    path: b.path.clone(),
                })
                .collect(),
            join: self.join.as_ref().map(|j| Join {
                at: span(j.at),
                original: (),
                policy: j.policy.map(span),
                names: j.names.iter().map(name).collect(),
                question: j.question.map(span),
                background: j.background.iter().map(name).collect(),
            }),
            id: self.id.clone(),
        }
    }

    /// The names of this fork's branches and of every nested fork's.
    fn collect_names<'a>(&'a self, out: &mut Vec<&'a str>) {
        for branch in &self.branches {
            out.push(&branch.name.text);
            for step in &branch.steps {
                if let Step::Fork(fork) = step {
                    fork.collect_names(out);
                }
            }
        }
    }

    pub fn branch(&self, name: &str) -> Option<&Branch<S>> {
        self.branches.iter().find(|b| b.name.text == name)
    }

    /// Whether the join of this fork can fail: a branch that is not optional can fail,
    /// and the join does not hand on every outcome (`settled`).
    pub fn is_fallible(&self) -> bool {
        let settled = self.join.as_ref().is_some_and(|j| j.policy.settles());
        !settled && self.branches.iter().any(Branch::is_fallible)
    }

    /// Whether a step of this fork (at any depth) is marked `?`: its error type is then
    /// the fork's, which a timeout must convert into.
    pub fn has_question_steps(&self) -> bool {
        self.branches.iter().any(|b| {
            b.steps.iter().any(|step| match step {
                Step::Task(task) => task.fallible.is_some(),
                Step::Fork(fork) => fork.has_question_steps(),
            })
        })
    }
}

impl<S: Stage> Task<S> {
    /// Whether the step's expression awaits something itself.
    pub fn awaits(&self) -> bool {
        self.exits.iter().any(|e| e.kind == ExitKind::NestedAwait)
    }
}

impl<S: Stage> Branch<S> {
    /// Whether the branch can fail its fork: it can fail and is not optional.
    pub fn is_fallible(&self) -> bool {
        self.marks.optional.is_none() && self.can_fail()
    }

    /// Whether the branch can fail: a step can, or the branch has a timeout.
    pub fn can_fail(&self) -> bool {
        self.marks.timeout.is_some() || self.steps_can_fail()
    }

    /// Whether a step of the branch can fail: a fallible step, or a nested fork that
    /// can fail.
    pub fn steps_can_fail(&self) -> bool {
        self.steps.iter().any(|step| match step {
            Step::Task(task) => task.fallible.is_some(),
            Step::Fork(fork) => fork.is_fallible(),
        })
    }
}

impl<'a> Workflow<Syn<'a>> {
    /// The decorated tree of a parsed workflow. Problems of its attributes go to `cx`.
    pub fn from_ast(input: &'a parse::Input, cx: &crate::diag::Ctxt) -> Self {
        let mut workflow = Workflow {
            name: input.sig.ident.to_string(),
            original: input,
            attributes: Attributes::from_ast(&input.attrs, cx),
            forks: Vec::new(),
            stray_joins: Vec::new(),
        };
        let mut previous_unjoined = None;
        let mut joins = Vec::new();
        for (statement, item) in input.body.iter().enumerate() {
            let mut unjoined = None;
            match item {
                parse::Item::Rust { .. } => {}
                parse::Item::Fork(fork) => {
                    if fork.join.is_none() {
                        unjoined = Some(workflow.forks.len());
                    }
                    workflow.forks.push(Fork::from_ast(fork, statement, true));
                }
                parse::Item::StrayJoin { at, names, .. } => {
                    joins.push((*at, names, previous_unjoined));
                }
            }
            previous_unjoined = unjoined;
        }
        let mut branch_names = Vec::new();
        for fork in &workflow.forks {
            fork.collect_names(&mut branch_names);
        }
        let mut stray_joins = Vec::new();
        for (at, names, cut_off) in joins {
            let names_branches =
                !names.is_empty() && names.iter().all(|n| branch_names.contains(&n.as_str()));
            if cut_off.is_some() || names_branches {
                stray_joins.push(StrayJoin { at, cut_off });
            }
        }
        workflow.stray_joins = stray_joins;
        workflow.decorate();
        workflow
    }
}

impl Attributes<Syn<'_>> {
    /// `#[traced]` and `#[durable]` take no arguments and are written once each; other
    /// attributes are the user's, written on the function as they are.
    fn from_ast(attrs: &[syn::Attribute], cx: &crate::diag::Ctxt) -> Self {
        let mut attributes = Attributes::default();
        for attr in attrs.iter().filter(|a| is_mode(a)) {
            let at = attr.path().span();
            let (slot, word, help) = if attr.path().is_ident("traced") {
                (
                    &mut attributes.traced,
                    "traced",
                    "write `#[traced]`, and choose levels and targets with your subscriber's filter \
                     (spans and events are at INFO, steps' spans at DEBUG)",
                )
            } else {
                (
                    &mut attributes.durable,
                    "durable",
                    "write `#[durable]`: the workflow's name in the journal is its `fn`'s name, \
                     and the engine (`durable::Engine`) chooses the journal",
                )
            };
            if slot.is_some() {
                cx.error(at, format!("`#[{word}]` is written twice"), "keep one");
            } else if !matches!(attr.meta, syn::Meta::Path(_)) {
                cx.error(at, format!("`#[{word}]` takes no arguments"), help);
            }
            *slot = Some(at);
        }
        attributes
    }
}

/// An attribute of the workflow `fn` that the macro reads (a mode), not the user's own.
pub fn is_mode(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("traced") || attr.path().is_ident("durable")
}

impl<'a> Fork<Syn<'a>> {
    fn from_ast(fork: &'a parse::Fork, statement: usize, top: bool) -> Self {
        Fork {
            at: fork.keyword.span,
            original: ForkSyntax {
                fork,
                statement,
                top,
            },
            bound: fork.binding.is_some(),
            branches: fork
                .branches
                .iter()
                .map(|branch| Branch::from_ast(branch, statement))
                .collect(),
            join: fork.join.as_ref().map(|join| Join {
                at: join.keyword.span,
                original: join,
                policy: join.policy,
                names: join.names.iter().map(|n| name(&n.name)).collect(),
                question: join.question.map(|q| q.span),
                background: join.background.iter().map(name).collect(),
            }),
            id: String::new(),
        }
    }
}

fn marks<'a>(modifiers: &crate::modifiers::Modifiers) -> Marks<Syn<'a>> {
    Marks {
        optional: modifiers.optional,
        timeout: modifiers.timeout.as_ref().map(|t| t.at),
        retry: modifiers.retry.as_ref().map(|r| r.at),
        limit: modifiers.limit.as_ref().map(|l| l.at),
    }
}

impl<'a> Branch<Syn<'a>> {
    fn from_ast(branch: &'a parse::Branch, statement: usize) -> Self {
        Branch {
            name: name(&branch.name),
            original: branch,
            guard: branch.guard.map(|g| g.span),
            fan_out: branch.fan_out.as_ref().map(|f| f.for_token.span),
            marks: marks(&branch.modifiers),
            steps: branch
                .steps
                .iter()
                .zip(step_labels(branch))
                .map(|(step, label)| match step {
                    parse::Step::Fork(fork) => Step::Fork(Fork::from_ast(fork, statement, false)),
                    parse::Step::Expr(task) => {
                        let expr = &task.expr;
                        let mut exits = Vec::new();
                        if let Expr::Await(awaited) = ungroup(expr) {
                            exits.push(Exit {
                                kind: ExitKind::Await,
                                at: awaited.await_token.span,
                            });
                        }
                        early_exits(expr, &Inside::default(), &mut exits);
                        Step::Task(Task {
                            label,
                            at: expr.span(),
                            original: task,
                            fallible: task.question.map(|q| q.span),
                            marks: marks(&task.modifiers),
                            exits,
                            id: String::new(),
                        })
                    }
                })
                .collect(),
            path: String::new(),
        }
    }
}

fn name<'a>(ident: &syn::Ident) -> Name<Syn<'a>> {
    Name {
        text: syn::ext::IdentExt::unraw(ident).to_string(),
        at: ident.span(),
    }
}

/// Whether a step's expression holds a `return`, `break`, `continue` or `?` that would
/// leave the step (each an error the validator reports).
pub fn leaves_early(expr: &Expr) -> bool {
    let mut exits = Vec::new();
    early_exits(expr, &Inside::default(), &mut exits);
    exits.iter().any(|exit| exit.kind != ExitKind::NestedAwait)
}

/// The expression inside invisible groups (what a `$x:expr` of `macro_rules!` becomes).
pub fn ungroup(mut expr: &Expr) -> &Expr {
    while let Expr::Group(group) = expr {
        expr = &group.expr;
    }
    expr
}

/// The names of a branch's steps, in order, which the graph, its exports and the
/// `#[traced]` spans all use: a step that calls a function or method keeps its name
/// (`get_product`, [`called`]); an `async` block, a closure or another expression that
/// names nothing is named after its branch: `review` for the first, then `review 2`,
/// `review 3`, ..., skipping the names of the branch's other steps. A nested fork's
/// entry is unused (it is no task; its own branches name their steps).
fn step_labels(branch: &parse::Branch) -> Vec<String> {
    let called: Vec<Option<String>> = branch
        .steps
        .iter()
        .map(|step| match step {
            parse::Step::Expr(task) => called(&task.expr),
            parse::Step::Fork(_) => None,
        })
        .collect();
    let tasks = branch
        .steps
        .iter()
        .map(|step| matches!(step, parse::Step::Expr(_)));
    let branch = syn::ext::IdentExt::unraw(&branch.name).to_string();
    let mut taken: Vec<String> = called.iter().flatten().cloned().collect();
    let mut count = 0;
    called
        .into_iter()
        .zip(tasks)
        .map(|(name, task)| match name {
            Some(name) => name,
            None if !task => String::new(),
            None => loop {
                count += 1;
                let candidate = if count == 1 {
                    branch.clone()
                } else {
                    format!("{branch} {count}")
                };
                if !taken.contains(&candidate) {
                    taken.push(candidate.clone());
                    break candidate;
                }
            },
        })
        .collect()
}

/// The function, method or variable a step names (`credit_bureau` for
/// `credit_bureau(&app).await`), if it names one.
pub fn called(expr: &Expr) -> Option<String> {
    match peel(expr) {
        Expr::Call(call) => called(&call.func),
        Expr::MethodCall(call) => Some(call.method.to_string()),
        Expr::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The expression under `.await`, parentheses and `&`.
fn peel(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Await(awaited) => &awaited.base,
            Expr::Paren(inner) => &inner.expr,
            Expr::Reference(inner) => &inner.expr,
            _ => return expr,
        };
    }
}

/// Where the walker is inside a step: loops and labels that a `break` or `continue`
/// may target without leaving the step.
#[derive(Clone, Default)]
struct Inside {
    in_loop: bool,
    labels: Vec<String>,
}

impl Inside {
    fn with_label(&self, label: Option<&syn::Label>, is_loop: bool) -> Self {
        let mut inner = self.clone();
        inner.in_loop |= is_loop;
        if let Some(label) = label {
            inner.labels.push(label.name.ident.to_string());
        }
        inner
    }

    /// Whether a `break`/`continue` (with this label) stays inside the step.
    fn stays(&self, label: Option<&syn::Lifetime>) -> bool {
        match label {
            Some(label) => self.labels.iter().any(|l| label.ident == l),
            None => self.in_loop,
        }
    }
}

/// Collects the `return`, `break`, `continue` and `?` that would leave the branch from
/// inside a step, and every `.await` inside it (`NestedAwait`). Closures, async blocks
/// and nested items are their own scope; a `break` or `continue` to a loop or label of
/// the step stays in the step. The arguments of expression-like macros (`vec![..]`,
/// `format!(..)`) are walked too.
fn early_exits(expr: &Expr, inside: &Inside, out: &mut Vec<Exit<Syn<'_>>>) {
    let mut exit = |kind, at| out.push(Exit { kind, at });
    match expr {
        Expr::Return(e) => {
            exit(ExitKind::Return, e.return_token.span);
            if let Some(inner) = &e.expr {
                early_exits(inner, inside, out);
            }
        }
        Expr::Break(e) => {
            if !inside.stays(e.label.as_ref()) {
                exit(ExitKind::Break, e.break_token.span);
            }
            if let Some(inner) = &e.expr {
                early_exits(inner, inside, out);
            }
        }
        Expr::Continue(e) if !inside.stays(e.label.as_ref()) => {
            exit(ExitKind::Continue, e.continue_token.span);
        }
        Expr::Try(e) => {
            exit(ExitKind::Try, e.question_token.span);
            early_exits(&e.expr, inside, out);
        }
        Expr::Await(e) => {
            exit(ExitKind::NestedAwait, e.await_token.span);
            early_exits(&e.base, inside, out);
        }
        Expr::ForLoop(e) => {
            early_exits(&e.expr, inside, out);
            block_exits(&e.body, &inside.with_label(e.label.as_ref(), true), out);
        }
        Expr::While(e) => {
            early_exits(&e.cond, inside, out);
            block_exits(&e.body, &inside.with_label(e.label.as_ref(), true), out);
        }
        Expr::Loop(e) => block_exits(&e.body, &inside.with_label(e.label.as_ref(), true), out),
        Expr::Block(e) => block_exits(&e.block, &inside.with_label(e.label.as_ref(), false), out),
        Expr::Unsafe(e) => block_exits(&e.block, inside, out),
        Expr::If(e) => {
            early_exits(&e.cond, inside, out);
            block_exits(&e.then_branch, inside, out);
            if let Some((_, otherwise)) = &e.else_branch {
                early_exits(otherwise, inside, out);
            }
        }
        Expr::Match(e) => {
            early_exits(&e.expr, inside, out);
            for arm in &e.arms {
                if let syn::Pat::Guard(guarded) = &arm.pat {
                    early_exits(&guarded.guard, inside, out);
                }
                early_exits(&arm.body, inside, out);
            }
        }
        Expr::Array(e) => e.elems.iter().for_each(|x| early_exits(x, inside, out)),
        Expr::Tuple(e) => e.elems.iter().for_each(|x| early_exits(x, inside, out)),
        Expr::Call(e) => {
            early_exits(&e.func, inside, out);
            e.args.iter().for_each(|x| early_exits(x, inside, out));
        }
        Expr::MethodCall(e) => {
            early_exits(&e.receiver, inside, out);
            e.args.iter().for_each(|x| early_exits(x, inside, out));
        }
        Expr::Struct(e) => {
            e.fields
                .iter()
                .for_each(|f| early_exits(&f.expr, inside, out));
            if let Some(rest) = &e.rest {
                early_exits(rest, inside, out);
            }
        }
        Expr::Assign(e) => {
            early_exits(&e.left, inside, out);
            early_exits(&e.right, inside, out);
        }
        Expr::Binary(e) => {
            early_exits(&e.left, inside, out);
            early_exits(&e.right, inside, out);
        }
        Expr::Index(e) => {
            early_exits(&e.expr, inside, out);
            early_exits(&e.index, inside, out);
        }
        Expr::Range(e) => {
            for bound in [&e.start, &e.end].into_iter().flatten() {
                early_exits(bound, inside, out);
            }
        }
        Expr::Macro(e) => macro_exits(&e.mac, inside, out),
        Expr::Repeat(e) => early_exits(&e.expr, inside, out),
        Expr::Cast(e) => early_exits(&e.expr, inside, out),
        Expr::Field(e) => early_exits(&e.base, inside, out),
        Expr::Group(e) => early_exits(&e.expr, inside, out),
        Expr::Let(e) => early_exits(&e.expr, inside, out),
        Expr::Paren(e) => early_exits(&e.expr, inside, out),
        Expr::Reference(e) => early_exits(&e.expr, inside, out),
        Expr::Unary(e) => early_exits(&e.expr, inside, out),
        // Closures, async and const blocks are their own scope: a `return` there leaves
        // them, not the branch. Literals, paths and the rest hold no exit.
        _ => {}
    }
}

/// The arguments of a macro call that reads as a list of expressions (`vec![..]`,
/// `format!("..", ..)`, `assert!(..)`); other macros are opaque.
fn macro_exits(mac: &syn::Macro, inside: &Inside, out: &mut Vec<Exit<Syn<'_>>>) {
    let list = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
    if let Ok(args) = syn::parse::Parser::parse2(list, mac.tokens.clone()) {
        args.iter().for_each(|arg| early_exits(arg, inside, out));
    }
}

fn block_exits(block: &Block, inside: &Inside, out: &mut Vec<Exit<Syn<'_>>>) {
    for stmt in &block.stmts {
        match stmt {
            Stmt::Local(local) => {
                if let Some(init) = &local.init {
                    early_exits(&init.expr, inside, out);
                    if let Some((_, diverge)) = &init.diverge {
                        early_exits(diverge, inside, out);
                    }
                }
            }
            Stmt::Expr(expr, _) => early_exits(expr, inside, out),
            Stmt::Macro(stmt) => macro_exits(&stmt.mac, inside, out),
            Stmt::Item(_) => {}
        }
    }
}

#[cfg(test)]
mod should {
    use super::*;
    use core::str::FromStr as _;

    fn walk(fork: &Fork<Syn<'_>>, out: &mut Vec<(String, String)>) {
        for branch in &fork.branches {
            for (i, step) in branch.steps.iter().enumerate() {
                match step {
                    Step::Task(task) => {
                        out.push((format!("{}[{i}]", branch.path), task.id.clone()));
                    }
                    Step::Fork(inner) => walk(inner, out),
                }
            }
        }
    }

    /// Every step's id in `body`, by branch path and step index.
    fn ids(body: &str) -> Vec<(String, String)> {
        let source = format!("(::workflow_runtime) async fn w() {{ {body} }}");
        let tokens = proc_macro2::TokenStream::from_str(&source).expect("lexes");
        let input = parse::parse_input(tokens).expect("parses");
        let cx = crate::diag::Ctxt::new();
        let workflow = Workflow::from_ast(&input, &cx);
        assert!(cx.finish().is_empty());
        let mut out = Vec::new();
        workflow.forks.iter().for_each(|fork| walk(fork, &mut out));
        out
    }

    #[test]
    fn give_every_step_an_id_of_its_place() {
        assert_eq!(
            ids(
                "fork < a: f() -> g, d: fork < p: x(), q: y() > join(p, q) -> merge > join(a, d);
                 fork < e: h(), z: i() > join(e, z);"
            ),
            [
                ("a[0]", "0.a.0"),
                ("a[1]", "0.a.1"),
                ("d.p[0]", "0.d.0.p.0"),
                ("d.q[0]", "0.d.0.q.0"),
                ("d[1]", "0.d.1"),
                ("e[0]", "1.e.0"),
                ("z[0]", "1.z.0"),
            ]
            .map(|(path, id)| (path.to_owned(), id.to_owned()))
        );
    }

    /// The journal of a durable workflow keys each step by its id: adding, removing or
    /// reordering other branches must leave every other step's id as it was.
    #[test]
    fn keep_step_ids_when_unrelated_branches_change() {
        let before = ids("fork < a: f() -> g, b: fork < p: x(), q: y() > join(p, q) > join(a, b);");
        let after = ids(
            "fork < new: n() -> m, b: fork < q: y(), extra: e(), p: x() > join(p, q, extra), a: f() -> g > join(a, b, new);",
        );
        for step in &before {
            assert!(after.contains(step), "{step:?} changed: {after:?}");
        }
        assert_eq!(after.len(), before.len() + 3);
    }

    fn exits_of(source: &str) -> Vec<ExitKind> {
        let expr: Expr = syn::parse_str(source).expect("test input parses");
        let mut out = Vec::new();
        early_exits(&expr, &Inside::default(), &mut out);
        out.into_iter()
            .map(|e| e.kind)
            .filter(|k| *k != ExitKind::NestedAwait)
            .collect()
    }

    #[test]
    fn find_returns_breaks_and_tries_in_a_step() {
        assert_eq!(
            exits_of("f(if x { return 1 } else { g()? })"),
            [ExitKind::Return, ExitKind::Try]
        );
        assert_eq!(exits_of("{ break }"), [ExitKind::Break]);
        assert_eq!(exits_of("{ continue }"), [ExitKind::Continue]);
    }

    #[test]
    fn leave_closures_async_blocks_and_inner_loops_alone() {
        assert!(exits_of("async { return 1 }").is_empty());
        assert!(exits_of("|x| { x? ; return 2 }").is_empty());
        assert!(exits_of("{ for i in 0..3 { if i > 1 { break } else { continue } } }").is_empty());
        assert_eq!(
            exits_of("loop { break 'outer }"),
            [ExitKind::Break],
            "a labelled break may leave the step"
        );
        assert!(exits_of("'blk: { if x { break 'blk 1 } 2 }").is_empty());
        assert!(exits_of("'outer: loop { loop { break 'outer 7 } }").is_empty());
    }

    #[test]
    fn look_inside_expression_macros() {
        assert_eq!(exits_of("sum(vec![parse(s)?, 1])"), [ExitKind::Try]);
        assert_eq!(exits_of("{ println!(\"{}\", x?); 1 }"), [ExitKind::Try]);
    }

    #[test]
    fn name_steps_by_what_they_call_else_after_their_branch() {
        // The labels of the first branch's tasks (a nested fork's entry left out).
        let labels = |branch: &str| {
            let source = format!(
                "(::workflow_runtime) async fn w() {{ fork < {branch}, o: f() > join(o); }}"
            );
            let tokens = proc_macro2::TokenStream::from_str(&source).expect("lexes");
            let input = parse::parse_input(tokens).expect("parses");
            let workflow = Workflow::from_ast(&input, &crate::diag::Ctxt::new());
            let steps = &workflow.forks[0].branches[0].steps;
            steps
                .iter()
                .filter_map(|step| match step {
                    Step::Task(task) => Some(task.label.clone()),
                    Step::Fork(_) => None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            labels("credit: client.get(url) -> crate::steps::score -> |r| r.check()"),
            ["get", "score", "credit"]
        );
        assert_eq!(
            labels("review: async { 1 } -> |x| f(x) -> review -> async {}"),
            ["review 2", "review 3", "review", "review 4"]
        );
        assert_eq!(
            labels(
                "r#type: async { 1 } -> fork < p: x(), q: async {} > join(p, q) -> |p, q| g(p, q)"
            ),
            ["type", "type 2"]
        );
        let called_of = |s: &str| called(&syn::parse_str(s).expect("test input parses"));
        assert_eq!(called_of("(&score(x)).await").as_deref(), Some("score"));
        assert_eq!(called_of("async { score(x).await }"), None);
        assert_eq!(called_of("|x| score(x)"), None);
        assert_eq!(called_of("x > y"), None);
    }
}

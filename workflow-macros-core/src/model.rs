//! The workflow graph as plain data: forks, branches, steps and joins, by name.
//!
//! The model is generic over the type `S` that locates a node in the source: the macro
//! uses `proc_macro2::Span`, unit tests use `()` or line numbers. It holds no syn types,
//! so the validator runs on it without a compiler around, and the same shape can later
//! be emitted as data for run-time export.

use proc_macro2::Span;
use syn::spanned::Spanned as _;
use syn::{Block, Expr, Stmt};

use crate::parse;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow<S> {
    pub name: String,
    /// The forks written as statements of the body, in order.
    pub forks: Vec<Fork<S>>,
    /// `join(a, b);` statements that are joins with no fork: right after a fork that
    /// has no join (`cut_off`, the fork's index in `forks`), or naming branches.
    /// A `join(x);` that names no branch is a call of the user's own `join` function.
    pub stray_joins: Vec<StrayJoin<S>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrayJoin<S> {
    pub at: S,
    /// The fork just before it, which has no join of its own.
    pub cut_off: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name<S> {
    pub text: String,
    pub at: S,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fork<S> {
    /// The `fork` keyword.
    pub at: S,
    /// Written `let PAT = fork ...`.
    pub bound: bool,
    pub branches: Vec<Branch<S>>,
    pub join: Option<Join<S>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch<S> {
    pub name: Name<S>,
    /// The `if` of a guard on the branch.
    pub guard: Option<S>,
    /// The `for` of a fan-out branch (`name: for item in items => ...`).
    pub fan_out: Option<S>,
    pub marks: Marks<S>,
    pub steps: Vec<Step<S>>,
}

/// Where each modifier attribute of a branch or step was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marks<S> {
    pub optional: Option<S>,
    pub timeout: Option<S>,
    pub retry: Option<S>,
    pub limit: Option<S>,
}

impl<S> Default for Marks<S> {
    fn default() -> Self {
        Marks {
            optional: None,
            timeout: None,
            retry: None,
            limit: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<S> {
    Task(Task<S>),
    Fork(Fork<S>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task<S> {
    /// A short name for the step: the function or method it calls.
    pub label: String,
    pub at: S,
    /// The trailing `?` of a fallible step.
    pub fallible: Option<S>,
    pub marks: Marks<S>,
    /// Ways the step's expression could leave the branch early.
    pub exits: Vec<Exit<S>>,
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exit<S> {
    pub kind: ExitKind,
    pub at: S,
}

/// How a join waits (see `parse::Policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy<S> {
    All,
    Settled(S),
    First,
    Quorum { k: usize, at: S },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join<S> {
    /// The `join`, `first` or `quorum` keyword.
    pub at: S,
    pub policy: Policy<S>,
    pub names: Vec<Name<S>>,
    /// The `?` after `join(...)`.
    pub question: Option<S>,
    pub background: Vec<Name<S>>,
}

impl<S> Fork<S> {
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
        let settled = matches!(
            self.join.as_ref().map(|j| &j.policy),
            Some(Policy::Settled(_))
        );
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

impl<S> Task<S> {
    /// Whether the step's expression awaits something itself.
    pub fn awaits(&self) -> bool {
        self.exits.iter().any(|e| e.kind == ExitKind::NestedAwait)
    }
}

impl<S> Branch<S> {
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

impl Workflow<Span> {
    pub fn from_ast(input: &parse::Input) -> Self {
        let mut workflow = Workflow {
            name: input.sig.ident.to_string(),
            forks: Vec::new(),
            stray_joins: Vec::new(),
        };
        let mut previous_unjoined = None;
        let mut joins = Vec::new();
        for item in &input.body {
            let mut unjoined = None;
            match item {
                parse::Item::Rust { .. } => {}
                parse::Item::Fork(fork) => {
                    if fork.join.is_none() {
                        unjoined = Some(workflow.forks.len());
                    }
                    workflow.forks.push(Fork::from_ast(fork));
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
        for (at, names, cut_off) in joins {
            let names_branches =
                !names.is_empty() && names.iter().all(|n| branch_names.contains(&n.as_str()));
            if cut_off.is_some() || names_branches {
                workflow.stray_joins.push(StrayJoin { at, cut_off });
            }
        }
        workflow
    }
}

impl Fork<Span> {
    pub fn from_ast(fork: &parse::Fork) -> Self {
        Fork {
            at: fork.keyword.span,
            bound: fork.binding.is_some(),
            branches: fork.branches.iter().map(Branch::from_ast).collect(),
            join: fork.join.as_ref().map(|join| Join {
                at: join.keyword.span,
                policy: match join.policy {
                    parse::Policy::All => Policy::All,
                    parse::Policy::Settled(at) => Policy::Settled(at),
                    parse::Policy::First => Policy::First,
                    parse::Policy::Quorum { k, at } => Policy::Quorum { k, at },
                },
                names: join.names.iter().map(|n| name(&n.name)).collect(),
                question: join.question.map(|q| q.span),
                background: join.background.iter().map(name).collect(),
            }),
        }
    }
}

fn marks(modifiers: &crate::modifiers::Modifiers) -> Marks<Span> {
    Marks {
        optional: modifiers.optional,
        timeout: modifiers.timeout.as_ref().map(|t| t.at),
        retry: modifiers.retry.as_ref().map(|r| r.at),
        limit: modifiers.limit.as_ref().map(|l| l.at),
    }
}

impl Branch<Span> {
    fn from_ast(branch: &parse::Branch) -> Self {
        Branch {
            name: name(&branch.name),
            guard: branch.guard.map(|g| g.span),
            fan_out: branch.fan_out.as_ref().map(|f| f.for_token.span),
            marks: marks(&branch.modifiers),
            steps: branch
                .steps
                .iter()
                .map(|step| match step {
                    parse::Step::Fork(fork) => Step::Fork(Fork::from_ast(fork)),
                    parse::Step::Expr {
                        expr,
                        question,
                        modifiers,
                    } => {
                        let mut exits = Vec::new();
                        if let Expr::Await(awaited) = ungroup(expr) {
                            exits.push(Exit {
                                kind: ExitKind::Await,
                                at: awaited.await_token.span,
                            });
                        }
                        early_exits(expr, &Inside::default(), &mut exits);
                        Step::Task(Task {
                            label: label(expr),
                            at: expr.span(),
                            fallible: question.map(|q| q.span),
                            marks: marks(modifiers),
                            exits,
                        })
                    }
                })
                .collect(),
        }
    }
}

fn name(ident: &syn::Ident) -> Name<Span> {
    Name {
        text: syn::ext::IdentExt::unraw(ident).to_string(),
        at: ident.span(),
    }
}

/// The expression inside invisible groups (what a `$x:expr` of `macro_rules!` becomes).
pub fn ungroup(mut expr: &Expr) -> &Expr {
    while let Expr::Group(group) = expr {
        expr = &group.expr;
    }
    expr
}

/// A short name for a step: the function, method or variable it names.
pub fn label(expr: &Expr) -> String {
    match expr {
        Expr::Call(call) => label(&call.func),
        Expr::MethodCall(call) => call.method.to_string(),
        Expr::Path(path) => path
            .path
            .segments
            .last()
            .map_or_else(|| "step".to_owned(), |s| s.ident.to_string()),
        Expr::Await(awaited) => label(&awaited.base),
        Expr::Paren(inner) => label(&inner.expr),
        Expr::Reference(inner) => label(&inner.expr),
        Expr::Async(_) | Expr::Block(_) => "block".to_owned(),
        Expr::Closure(_) => "closure".to_owned(),
        _ => "step".to_owned(),
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
fn early_exits(expr: &Expr, inside: &Inside, out: &mut Vec<Exit<Span>>) {
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
fn macro_exits(mac: &syn::Macro, inside: &Inside, out: &mut Vec<Exit<Span>>) {
    let list = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
    if let Ok(args) = syn::parse::Parser::parse2(list, mac.tokens.clone()) {
        args.iter().for_each(|arg| early_exits(arg, inside, out));
    }
}

fn block_exits(block: &Block, inside: &Inside, out: &mut Vec<Exit<Span>>) {
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
    fn label_steps_by_what_they_call() {
        let label_of = |s: &str| label(&syn::parse_str(s).expect("test input parses"));
        assert_eq!(label_of("credit_bureau(&app)"), "credit_bureau");
        assert_eq!(label_of("client.get(url)"), "get");
        assert_eq!(label_of("crate::steps::score"), "score");
        assert_eq!(label_of("async { 1 }"), "block");
        assert_eq!(label_of("|x| f(x)"), "closure");
    }
}

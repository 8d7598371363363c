//! Code generation: a validated workflow becomes plain async Rust.
//!
//! A fork becomes, in the scope where it starts:
//!
//! ```text
//! let (a, b) = join!(                       // try_join!(..)? when a step can fail
//!     async { let v = step_a1.await; call1(v, step_a2).await },
//!     step_b1,                              // a one-step branch is its own future
//! );
//! ```
//!
//! which is the `join!` a user would write by hand: the branches are async blocks inside
//! the workflow's own future, no allocation, no extra moves. The `join!` is
//! `__private::named_join!` (`named_try_join!`), `futures::join!`'s code with one catch
//! of a panic around its poll, which names the branch it was polling (outside the task
//! mode, where the task's handle does). A step's expression is
//! evaluated when its branch reaches it. Background branches are polled beside the rest of
//! the scope (`__private::with_background`), so they finish before it does. Generated
//! names are mixed-site, so user code cannot see or clash with them, except the few that
//! appear in errors about a user's step: those carry the step's span and a numbered name.
//! Every path goes through `<runtime>::__private`. A fork of more than 8 joined branches
//! is joined by a balanced tree of `join5`s instead (`join_tree`), which rustc builds far
//! faster than one wide `join!`.
//!
//! The expander reads only the decorated tree (`model`), whose nodes keep their syntax.
//! What a mode adds (`#[traced]`: spans and events) goes through the `Mode` hooks
//! (`expand/mode.rs`) at the places a mode acts: the workflow's body, a fork's start and end, a branch, a
//! step, a branch's arrival at the join, a failure. `Plain` adds nothing; the traced
//! mode is `traced.rs`. A `#[traced]` workflow's body is expanded once, traced: its
//! spans are made only when a subscriber is installed and kept in boxes, so without one
//! each is a null pointer in the future and each wrapper one test of it.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{Ident, ReturnType, Type};

use crate::diag::Ctxt;
use crate::model::{self, Branch, Fork, Step, Syn, Workflow};
use crate::parse::{self, Item, Policy};
use crate::validate::validate;

mod durable;
mod mode;
mod traced;

pub(crate) use mode::{Mode, Plain};

/// The macro: parse, build the decorated tree, validate, expand. Every error of every
/// pass goes to one [`Ctxt`] and all are reported together.
pub fn workflow(tokens: TokenStream) -> TokenStream {
    let input = match parse::parse_input(tokens) {
        Ok(input) => input,
        Err(err) => return err.into_compile_error(),
    };
    // The modes, borrowed by the expander as long as the tree it reads.
    let traced = traced::Traced::new();
    let cx = Ctxt::new();
    for error in &input.errors {
        cx.push(error.clone());
    }
    let model = Workflow::from_ast(&input, &cx);
    for problem in validate(&model) {
        cx.error(problem.at, problem.message, problem.help);
    }
    if model.attributes.durable.is_some() {
        durable::check(&model, &cx);
    }
    let errors = cx.finish();
    if !errors.is_empty() {
        return fallback(&model, &errors);
    }
    let body = match model.attributes.traced {
        None => Expander::new(&model, &Plain).workflow(),
        Some(_) => Expander::new(&model, &traced).workflow(),
    };
    let graph = crate::constant::item(&model);
    if let Some(at) = model.attributes.durable {
        let item = feature_gates(&model, durable::item(&model, &body), &TokenStream::new());
        let item = durable::gated(&model, at, &item);
        return quote! { #graph #item };
    }
    let parse::Input {
        attrs,
        vis,
        sig,
        inner_attrs,
        ..
    } = &input;
    let attrs = attrs.iter().filter(|attr| !model::is_mode(attr));
    let item = quote! {
        #(#attrs)*
        #vis #sig {
            #(#inner_attrs)*
            #body
        }
    };
    let item = feature_gates(&model, item, &stub(&model, &[]));
    quote! { #graph #item }
}

/// `item` behind the runtime's gates for the features it needs: `tokio` for the first
/// `#[timeout]`, `#[retry]` or `#[spawn]`, `tracing` for `#[traced]`. With the feature
/// on, a gate writes `item`; with it off, one error on the attribute that names the
/// feature, and `stub` instead of `item` (so callers get no second error).
fn feature_gates(model: &Workflow<Syn<'_>>, item: TokenStream, stub: &TokenStream) -> TokenStream {
    let mut item = item;
    if let Some((at, what)) = tokio_use(&model.forks) {
        let k = located_at(model.original.krate.clone(), at);
        item = quote_spanned! {at=> #k::__private::tokio_gate! { #what { #item } { #stub } } };
    }
    if let Some(at) = model.attributes.traced {
        let k = located_at(model.original.krate.clone(), at);
        item = quote_spanned! {at=> #k::__private::traced_gate! { { #item } { #stub } } };
    }
    item
}

/// The first modifier (in source order) that needs tokio's runtime, and its name.
fn tokio_use(forks: &[Fork<Syn<'_>>]) -> Option<(Span, &'static str)> {
    fn marks(marks: &model::Marks<Syn<'_>>) -> Option<(Span, &'static str)> {
        marks
            .timeout
            .map(|at| (at, "#[timeout]"))
            .or_else(|| marks.retry.map(|at| (at, "#[retry]")))
    }
    forks.iter().find_map(|fork| {
        if let Some(at) = fork.original.fork.spawn {
            return Some((at, "#[spawn]"));
        }
        fork.branches.iter().find_map(|branch| {
            marks(&branch.marks).or_else(|| {
                branch.steps.iter().find_map(|step| match step {
                    Step::Task(task) => marks(&task.marks),
                    Step::Fork(inner) => tokio_use(core::slice::from_ref(inner)),
                })
            })
        })
    })
}

/// On errors, still define the function with its signature, so code calling it does not
/// cascade into unrelated errors.
fn fallback(model: &Workflow<Syn<'_>>, errors: &[syn::Error]) -> TokenStream {
    let errors = errors.iter().map(syn::Error::to_compile_error);
    let graph = crate::constant::item(model);
    // A durable workflow's callers use its starter `fn`: it is still written when its
    // signature allows, the errors in its body.
    if let Some(at) = model.attributes.durable
        && durable::signature_fits(model)
    {
        let item = durable::item(
            model,
            &quote! { #(#errors)* ::core::panic!("the workflow did not compile") },
        );
        let item = durable::gated(model, at, &item);
        return quote! { #graph #item };
    }
    let stub = stub(model, &errors.collect::<Vec<_>>());
    quote! { #graph #stub }
}

/// The workflow's `fn` with `errors` for its body: what callers of a workflow that did
/// not compile (or whose runtime lacks a feature it needs) see, so that they get no
/// second error.
fn stub(model: &Workflow<Syn<'_>>, errors: &[TokenStream]) -> TokenStream {
    let parse::Input {
        attrs,
        vis,
        sig,
        inner_attrs,
        ..
    } = model.original;
    // An `async fn` even when the `async` was missing (that is one of the errors), so a
    // caller's `.await` gets no second error.
    let mut sig = sig.clone();
    if sig.asyncness.is_none() {
        sig.asyncness = Some(syn::Token![async](sig.fn_token.span));
    }
    let attrs = attrs.iter().filter(|attr| !model::is_mode(attr));
    // The body's code, checked with an error for every value a fork hands on (see
    // `unchecked_body`): the names it uses are used, so the user's imports that only
    // the body needs get no `unused import` warning beside the errors.
    let body = match errors.split_first() {
        Some((first, rest)) => {
            let error = Ident::new("__workflow_error", Span::mixed_site());
            let body = unchecked_body(model.original, &error);
            quote! {
                let #error = #first;
                #(#rest)*
                let _ = { #body };
            }
        }
        None => TokenStream::new(),
    };
    quote! {
        #(#attrs)*
        #[allow(unused_variables, unused_assignments, unreachable_code, clippy::all)]
        #vis #sig {
            #(#inner_attrs)*
            #body
            ::core::panic!("the workflow did not compile")
        }
    }
}

/// The body of a workflow that did not compile, as ordinary statements to put beside
/// its errors, so that the names it uses are used (the user's imports that only the
/// body needs get no `unused import` warning) and its mistakes in plain Rust are still
/// reported: its Rust statements as written; each branch's step expressions and
/// modifier values in a block of its own; then every name the fork binds (its branches,
/// its join's names, its `let` pattern) bound to `error`, a `compile_error!`'s value.
/// That value has rustc's error type, which takes any type without a second error, and
/// a body holding an error is neither asked for its closures' parameter types nor
/// borrow-checked. Left out, as errors of their own: a step with a `return`, `break`,
/// `continue` or `?` that would leave it, a keyword written as a branch's name, and the
/// statements after one that did not parse (the names it binds are unknown; the body's
/// items are kept, since the statements before may use them). Nothing here runs: the
/// errors stop the build.
fn unchecked_body(input: &parse::Input, error: &Ident) -> TokenStream {
    let mut out = TokenStream::new();
    for (index, statement) in input.body.iter().enumerate() {
        let read = index < input.read;
        match statement {
            Item::Rust {
                tokens,
                item,
                item_macro,
            } if read || *item || *item_macro => out.extend(tokens.clone()),
            Item::Fork(fork) if read => unchecked_fork(fork, error, &mut out),
            // A cut-off join, or a call of the user's own `join`: nothing to check.
            Item::Rust { .. } | Item::Fork(_) | Item::StrayJoin { .. } => {}
        }
    }
    out
}

/// A fork's steps, each branch in a block of its own, then its names bound to `error`
/// (a joined name last, with its `mut`).
fn unchecked_fork(fork: &parse::Fork, error: &Ident, out: &mut TokenStream) {
    for branch in &fork.branches {
        let mut steps = unchecked_modifiers(&branch.modifiers);
        if let Some(fan_out) = &branch.fan_out {
            let (pat, items) = (&fan_out.pat, &fan_out.items);
            steps.extend(quote! { let _ = #items; let #pat = #error; });
        }
        for step in &branch.steps {
            match step {
                parse::Step::Expr(task) => {
                    steps.extend(unchecked_modifiers(&task.modifiers));
                    // A `return`, `break`, `continue` or `?` that would leave the step is
                    // an error of its own; here it would leave the `fn` or no loop.
                    let expr = &task.expr;
                    if !model::leaves_early(expr) {
                        steps.extend(quote! { let _ = #expr; });
                    }
                }
                parse::Step::Fork(inner) => unchecked_fork(inner, error, &mut steps),
            }
        }
        out.extend(quote! { { #steps } });
    }
    // Only names a `let` can bind: a keyword written as a branch's name is an error of
    // its own, and would be a syntax error here.
    let bindable = |name: &Ident| crate::grammar::bad_name(name).is_none();
    for branch in fork.branches.iter().filter(|b| bindable(&b.name)) {
        let name = &branch.name;
        out.extend(quote! { let #name = #error; });
    }
    let join = fork.join.iter().flat_map(|join| &join.names);
    for name in join.filter(|name| bindable(&name.name)) {
        let (mutability, name) = (&name.mutability, &name.name);
        out.extend(quote! { let #mutability #name = #error; });
    }
    if let Some(pat) = &fork.binding {
        out.extend(quote! { let #pat = #error; });
    }
}

/// The expressions and paths written in a branch's or step's modifiers, as statements.
fn unchecked_modifiers(modifiers: &crate::modifiers::Modifiers) -> TokenStream {
    let timeout = modifiers.timeout.iter().map(|t| &t.after);
    let retry = modifiers.retry.iter().flat_map(|r| {
        let worth = r.worth.as_ref().map(quote::ToTokens::to_token_stream);
        [
            Some(r.retries.clone()),
            Some(r.backoff.clone()),
            r.max.clone(),
            worth,
        ]
        .into_iter()
        .flatten()
    });
    let limit = modifiers.limit.iter().map(|l| l.max.clone());
    let exprs: Vec<TokenStream> = timeout.cloned().chain(retry).chain(limit).collect();
    quote! { #(let _ = #exprs;)* }
}

/// Writes the code of a valid workflow's decorated tree, with the hooks of mode `M`.
pub(crate) struct Expander<'a, M: Mode> {
    model: &'a Workflow<Syn<'a>>,
    mode: &'a M,
    next_id: usize,
    /// `#[durable]`: the layer that journals every step, under every mode.
    durable: Option<durable::Layer>,
}

/// What a fork expands to before its join is bound.
struct ForkCode {
    /// The joined branches' futures polled together: a tuple, or a `Result` of one.
    joined: TokenStream,
    /// The pattern that binds the joined outputs, in branch order.
    pattern: TokenStream,
    /// For `let PAT = fork ... join(...)`: `PAT` and the joined names in join order.
    rebind: Option<(TokenStream, TokenStream)>,
    /// The background branches polled together, if any.
    background: Option<TokenStream>,
    /// `#[spawn]` with background branches: the local counting their tasks, which the
    /// scope beside them waits for after it ends (after a failure, they were aborted).
    background_tasks: Option<Ident>,
    fallible: bool,
    /// The mode's statement before the fork's code (the traced mode opens its trace).
    prelude: TokenStream,
    /// The mode's statement after the join's binding (the traced mode tells the merge).
    merged: TokenStream,
}

impl ForkCode {
    /// `let <pattern> = <value>;`, where the value is what the join evaluates to.
    fn bind(&self, value: &TokenStream) -> TokenStream {
        let pattern = &self.pattern;
        let merged = &self.merged;
        match &self.rebind {
            None => quote! { let #pattern = #value; #merged },
            Some((binding, in_join_order)) => {
                quote! { let #binding = { let #pattern = #value; #in_join_order }; #merged }
            }
        }
    }
}

impl<'a, M: Mode> Expander<'a, M> {
    pub(crate) fn new(model: &'a Workflow<Syn<'a>>, mode: &'a M) -> Self {
        Expander {
            model,
            mode,
            next_id: 0,
            durable: model.attributes.durable.map(|_| durable::Layer::new()),
        }
    }

    /// The workflow's body, as the mode writes it.
    fn workflow(mut self) -> TokenStream {
        let mode = self.mode;
        mode.body(&mut self)
    }

    /// The body, expanded with this expander's mode: its statements with forks expanded.
    pub(crate) fn body(&mut self) -> TokenStream {
        let forks = &self.model.forks;
        self.items(0, forks, false)
    }

    pub(crate) fn model(&self) -> &'a Workflow<Syn<'a>> {
        self.model
    }

    /// The runtime's path, as `workflow!` passed it.
    pub(crate) fn krate(&self) -> &'a TokenStream {
        &self.model.original.krate
    }

    /// `body` as an async block of type `ty`, the workflow's return type: its tail and
    /// its `return`s coerce to `ty` and `?` converts into it, as in the function's body
    /// (an async block's return type is otherwise inferred from its first `return`).
    pub(crate) fn typed_scope(&mut self, ty: &TokenStream, body: &TokenStream) -> TokenStream {
        let out = self.ident("out");
        typed_async(self.krate(), &out, ty, body, None)
    }

    pub(crate) fn ident(&mut self, what: &str) -> Ident {
        self.next_id += 1;
        format_ident!(
            "__workflow_{}{}",
            what,
            self.next_id,
            span = Span::mixed_site()
        )
    }

    /// A generated name with the span of the user's token at `span`: rustc reports a
    /// mixed-site span at the macro call, so a name that shows in an error about the
    /// user's step takes the step's own span. It cannot clash: it is numbered.
    fn user_ident(&mut self, what: &str, span: Span) -> Ident {
        let ident = self.ident(what);
        Ident::new(&ident.to_string(), span)
    }

    /// The runtime's path, reported at `span`: an expression that starts with it is
    /// then reported at the user's tokens, not at the whole macro call.
    fn krate_at(&self, span: Span) -> TokenStream {
        located_at(self.krate().clone(), span)
    }

    /// The statements of the body from index `from` on, with `forks` (the forks of the
    /// body from there on, in order) expanded where they stand.
    fn items(&mut self, from: usize, forks: &'a [Fork<Syn<'a>>], skip_items: bool) -> TokenStream {
        let mut out = TokenStream::new();
        self.items_into(&mut out, from, forks, skip_items);
        out
    }

    /// [`Self::items`], written at the end of `out`. A fork without background
    /// branches leaves the rest of the body at the same level, so the loop goes on
    /// there: each statement is written once (building the rest and then copying it
    /// after each fork's code made the expansion quadratic in the forks of a body).
    fn items_into(
        &mut self,
        out: &mut TokenStream,
        mut from: usize,
        mut forks: &'a [Fork<Syn<'a>>],
        skip_items: bool,
    ) {
        let body = &self.model.original.body;
        loop {
            let Some((fork, later)) = forks.split_first() else {
                out.extend(rust(body.get(from..).unwrap_or_default(), skip_items));
                return;
            };
            let at = fork.original.statement;
            out.extend(rust(body.get(from..at).unwrap_or_default(), skip_items));
            let code = self.fork(fork);
            let question = fork.original.fork.join.as_ref().and_then(|j| j.question);
            let Some(background) = &code.background else {
                let joined = self.question(&code.joined, question);
                out.extend(code.prelude.clone());
                out.extend(code.bind(&joined));
                from = at + 1;
                forks = later;
                continue;
            };
            // Items declared after the fork stay visible to the whole body (unless they
            // already were hoisted before it).
            if !skip_items {
                out.extend(hoisted_items(body.get(at + 1..).unwrap_or_default()));
            }
            let rest = self.items(at + 1, later, true);
            out.extend(code.prelude.clone());
            out.extend(self.top_level_background(&code, background, question, &rest));
            return;
        }
    }

    /// A top-level join's value, with its `?` when written: `?`'s own conversion, through
    /// `branch_error` at the `?`, so a workflow error type that cannot take the join's
    /// `BranchError` is one error there that says what to write.
    fn question(&mut self, joined: &TokenStream, question: Option<syn::Token![?]>) -> TokenStream {
        let Some(question) = question else {
            return joined.clone();
        };
        let (ok, failure) = (self.ident("ok"), self.ident("failure"));
        let k_q = self.krate_at(question.span);
        quote_spanned! {question.span=>
            match #joined {
                #k_q::__private::Ok(#ok) => #ok,
                #k_q::__private::Err(#failure) => {
                    return #k_q::__private::Err(#k_q::__private::branch_error(#failure));
                }
            }
        }
    }

    /// The rest of the body after a fork with background branches, polled beside them.
    /// A failing join (`join(...)?`) drops the background branches at once; any other
    /// end of the body (its tail, a `return`, a `?`) waits for them.
    fn top_level_background(
        &mut self,
        code: &ForkCode,
        background: &TokenStream,
        question: Option<syn::Token![?]>,
        rest: &TokenStream,
    ) -> TokenStream {
        let k = self.krate();
        let joined = &code.joined;
        let Some(ty) = scope_type(&self.model.original.sig.output) else {
            // An `impl Trait` return type cannot be named: the body is polled beside the
            // background branches, which always run to their end.
            let out = self.ident("out");
            let bind_plain = code.bind(&self.question(joined, question));
            return quote! {
                let (#out, ()) = #k::__private::join!(async { #bind_plain #rest }, #background);
                #out
            };
        };
        let bind = match question {
            Some(question) => {
                let (joined_ok, failure) = (self.ident("ok"), self.ident("failure"));
                let k_q = self.krate_at(question.span);
                code.bind(&quote_spanned! {question.span=>
                    match #joined {
                        #k_q::__private::Ok(#joined_ok) => #joined_ok,
                        #k_q::__private::Err(#failure) => {
                            return #k_q::__private::Err(#k_q::__private::Err(#k_q::__private::branch_error(#failure)));
                        }
                    }
                })
            }
            None => code.bind(joined),
        };
        let ended = self.ident("ended");
        let scope = self.typed_scope(&ty, rest);
        let scoped = quote! {
            #k::__private::with_background(
                async {
                    #bind
                    #k::__private::Ok(#scope.await)
                },
                #background,
                #k::__private::Result::is_err,
            ).await
        };
        let scoped = background_ended(code, scoped);
        quote! {
            match #scoped {
                #k::__private::Ok(#ended) | #k::__private::Err(#ended) => #ended,
            }
        }
    }

    fn fork(&mut self, fork: &'a Fork<Syn<'a>>) -> ForkCode {
        let k = self.krate();
        let mode = self.mode;
        let syntax = fork.original.fork;
        // Validation rejects a fork without its join before expansion.
        let (Some(join), Some(join_syntax)) = (&fork.join, &syntax.join) else {
            let error = crate::diag::error(
                fork.at,
                "internal error: a fork without its join reached expansion",
                "please report this; write the fork's join to go on",
            )
            .into_compile_error();
            return ForkCode {
                joined: quote! { { #error } },
                pattern: quote! { _ },
                rebind: None,
                background: None,
                background_tasks: None,
                fallible: false,
                prelude: TokenStream::new(),
                merged: TokenStream::new(),
            };
        };
        let fallible = fork.is_fallible();
        let fork_has_questions = fork.has_question_steps();
        // What a branch that cannot fail is wrapped in, so that every joined branch
        // hands on the same shape: `Ok::<_, BranchError<E>>` with E inferred from the
        // siblings, or `Infallible` when nothing else names it.
        let infallible = quote! { #k::__private::Infallible };
        let ok_wrap = match join.policy {
            Policy::All | Policy::First | Policy::Quorum { .. } if fallible => Some(quote! { _ }),
            Policy::All => None,
            Policy::Settled(_) | Policy::First | Policy::Quorum { .. } => Some(infallible),
        };
        let mut joined_futures = Vec::new();
        // The joined branches' names and binding patterns, in branch order like the futures.
        let mut joined_names = Vec::new();
        // Their paths (`documents.passport`), which a panic in one of them is named by.
        let mut joined_paths = Vec::new();
        let mut pattern = Vec::new();
        let mut background_futures = Vec::new();
        let mut background_paths = Vec::new();
        // Lookups by name, linear in the fork's width.
        let joined_at: HashMap<&str, usize> = join
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.text.as_str(), i))
            .collect();
        let background_names: HashSet<&str> =
            join.background.iter().map(|n| n.text.as_str()).collect();
        // A wide fork is joined by a tree of `join5`s (see `join_tree`).
        let wide = join.names.len() > WIDE_FORK && !join.policy.races();
        let state = mode.fork(self, fork);
        // `#[spawn]`: the fork's tasks, which its join waits for after a failure or a race
        // (`TaskFork::ended`): no aborted task still runs when the workflow goes on. A join
        // that cancels nothing (it waits for all) needs no count.
        let cancels_some = (fallible && !join.policy.settles()) || join.policy.races();
        let tasks = syntax
            .spawn
            .filter(|_| cancels_some)
            .map(|_| self.ident("tasks"));
        // Background tasks are counted apart: the join does not wait for them, the scope
        // beside them does.
        let background_tasks = syntax
            .spawn
            .filter(|_| !join.background.is_empty())
            .map(|_| self.ident("background_tasks"));
        let cancels = fallible && matches!(join.policy, Policy::All);
        let same_errors = self.same_errors(fork, &joined_at, &background_names);
        let mut first_failing = true;
        for (index, branch) in fork.branches.iter().enumerate() {
            let index = u16::try_from(index).unwrap_or(u16::MAX);
            let name = &branch.name.text;
            let in_background = background_names.contains(name.as_str());
            let branch_state = mode.branch(self, &state, branch);
            // Background branches cannot fail (validated), so they never return a Result.
            let future = self.branch(
                branch,
                if in_background {
                    None
                } else {
                    ok_wrap.as_ref()
                },
                fork_has_questions,
                wide,
                &branch_state,
            );
            let (open, future) = mode.enter_branch(self, &state, &branch_state, branch, future);
            // The task mode: the branch owns what it uses (`async move`) and runs as a task,
            // one of the fork's tasks (whose join waits until each has ended) unless it
            // runs in the background, past the join.
            let future = match syntax.spawn {
                Some(_) => {
                    // Spanned on the branch (its name), the runtime's path too: a branch
                    // that borrows what a task cannot (E0521, E0382) is told at the branch.
                    let at = branch.name.at;
                    let k = located_at(k.clone(), at);
                    let path_text = &branch.path;
                    let counted = if in_background {
                        &background_tasks
                    } else {
                        &tasks
                    };
                    let spawned = match counted {
                        Some(tasks) => quote_spanned! {at=>
                            #tasks.spawn(#path_text, async move { #future.await })
                        },
                        None => quote_spanned! {at=>
                            #k::__private::spawn_branch(#path_text, async move { #future.await })
                        },
                    };
                    if open.is_empty() {
                        spawned
                    } else {
                        quote! { { #open #spawned } }
                    }
                }
                None if open.is_empty() => future,
                None => quote! { { #open #future } },
            };
            let fails = ok_wrap.is_some() || fallible;
            let future = mode.arrival(
                self,
                &state,
                branch,
                index,
                in_background,
                fails,
                cancels,
                future,
            );
            if in_background {
                background_futures.push(future);
                background_paths.push(branch.path.clone());
            } else if let Some(written) = joined_at
                .get(name.as_str())
                .and_then(|&i| join_syntax.names.get(i))
            {
                let (mutability, ident) = (&written.mutability, &written.name);
                pattern.push(quote! { #mutability #ident });
                joined_names.push(name.clone());
                joined_paths.push(branch.path.clone());
                let future = match &same_errors {
                    Some(same) if fails_on_its_own(branch) => {
                        let future = same.check(k, branch, first_failing, &future);
                        first_failing = false;
                        future
                    }
                    _ => future,
                };
                joined_futures.push(future);
            }
        }
        // The branches are written inside `join!`, as a hand-written join would be: no
        // future is moved from a local into the join, so the workflow's future is no
        // bigger than the hand-written one.
        // The join itself is reported at the `join` keyword: "borrow later used here"
        // points there rather than at the whole macro call.
        let at_join = join.at;
        let k_join = self.krate_at(at_join);
        let mut tree_pattern = None;
        // In the task mode the task's handle names a panicking branch; in the default
        // mode the join does (`__private::named_join!`): it catches a panic once, around
        // its whole poll, and names the branch it was polling.
        let names_panics = syntax.spawn.is_none();
        let joined = match join.policy.winners(at_join) {
            None if wide => {
                let try_join = fallible && matches!(join.policy, Policy::All);
                // Each node of the tree catches a panic once, around its poll, and
                // names the branch it was polling (`__private::named_join5`); a node
                // below it named its own.
                let (tree, pattern) = join_tree(
                    &k_join,
                    joined_futures
                        .iter()
                        .cloned()
                        .zip(pattern.iter().cloned())
                        .zip(joined_paths.iter().cloned()),
                    JoinTree {
                        try_join,
                        names_panics,
                    },
                    at_join,
                );
                tree_pattern = Some(pattern);
                quote_spanned! {at_join=> #tree.await }
            }
            None => {
                let try_join = fallible && matches!(join.policy, Policy::All);
                let macro_name = match (try_join, names_panics) {
                    (false, false) => "join",
                    (true, false) => "try_join",
                    (false, true) => "named_join",
                    (true, true) => "named_try_join",
                };
                let macro_name = Ident::new(macro_name, at_join);
                let arguments = if names_panics {
                    named_join_arguments(&joined_paths, &joined_futures)
                } else {
                    quote! { #(#joined_futures),* }
                };
                let mut args =
                    proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, arguments);
                args.set_span(at_join);
                quote_spanned! {at_join=> #k_join::__private::#macro_name! #args }
            }
            Some((winners, _)) => {
                // The racing branches are pinned where they are written and seen through
                // `dyn`, so the race needs no allocation per branch.
                let names = &joined_names;
                let pinned: Vec<Ident> =
                    joined_futures.iter().map(|_| self.ident("racer")).collect();
                let race = match join.policy {
                    Policy::Quorum { .. } => quote! { quorum::<#winners, _, _, _> },
                    _ => quote! { first },
                };
                let outcome = match &self.durable {
                    // Durable: the decision is journaled under the fork's id.
                    Some(layer) => {
                        layer.race(k, &race, &fork.id, at_join, names, &pinned, &joined_futures)
                    }
                    None => quote_spanned! {at_join=>
                        {
                            #(let mut #pinned = #k::__private::pin!(#joined_futures);)*
                            #k_join::__private::#race([#(#names),*], [#(#k::__private::racer(#pinned.as_mut())),*]).await
                        }
                    },
                };
                if fallible {
                    outcome
                } else {
                    let (won, never) = (self.ident("won"), self.ident("never"));
                    quote! {
                        match #outcome {
                            #k::__private::Ok(#won) => #won,
                            #k::__private::Err(#never) => match #never.into_error() {},
                        }
                    }
                }
            }
        };
        // A background branch's output has no one to receive it: awaited as a
        // statement, so a `#[must_use]` output warns as in hand-written code.
        let awaited = |futures: &[TokenStream]| -> Vec<TokenStream> {
            futures
                .iter()
                .map(|future| quote! { async { #future.await; } })
                .collect()
        };
        let background = match (background_futures.as_slice(), background_paths.as_slice()) {
            ([], _) => None,
            ([_], _) if !names_panics => awaited(&background_futures).pop(),
            // One branch is caught on its own, as a wide fork's are.
            ([one], [path]) => {
                let path = function_item("__workflow_path", &quote! { &'static str }, path);
                Some(quote! {
                    async { #k::__private::named_branch(#path, #one).await; }
                })
            }
            (many, _) if !names_panics => {
                let many = awaited(many);
                Some(quote! { async { #k::__private::join!(#(#many),*); } })
            }
            // Joined as a fork's branches are, so that a panic in one names it.
            (many, paths) => {
                let arguments = named_join_arguments(paths, &awaited(many));
                Some(quote! { async { #k::__private::named_join!(#arguments); } })
            }
        };
        let joined = match &tasks {
            Some(tasks) => quote! {
                {
                    let #tasks = #k::__private::task_fork();
                    #tasks.ended(#joined).await
                }
            },
            None => joined,
        };
        let joined = if fallible && !join.policy.settles() {
            mode.failure(self, &state, joined)
        } else {
            joined
        };
        let joined_count = joined_futures.len();
        let in_join_order: Vec<&Ident> = join_syntax.names.iter().map(|n| &n.name).collect();
        let pattern = tree_pattern.unwrap_or_else(|| quote! { (#(#pattern,)*) });
        let (pattern, rebind) = match (&syntax.binding, join.policy.races()) {
            (None, _) => (pattern, None),
            (Some(binding), true) => (quote! { #binding }, None),
            (Some(binding), false) => {
                let value = match in_join_order.as_slice() {
                    [one] => quote! { #one },
                    many => quote! { (#(#many),*) },
                };
                (pattern, Some((quote! { #binding }, value)))
            }
        };
        let (mut prelude, merged) = mode.fork_events(self, &state, fork, joined_count);
        if let Some(same) = &same_errors {
            let declared = same.declare(k);
            prelude = quote! { #declared #prelude };
        }
        if let Some(tasks) = &background_tasks {
            prelude = quote! { let #tasks = #k::__private::task_fork(); #prelude };
        }
        ForkCode {
            joined,
            pattern,
            rebind,
            background,
            background_tasks,
            fallible,
            prelude,
            merged,
        }
    }

    /// For a fork whose join has two or more branches that fail on their own (and is
    /// not durable), the check that they fail with one error type ([`SameErrors`]).
    fn same_errors(
        &mut self,
        fork: &Fork<Syn<'_>>,
        joined_at: &HashMap<&str, usize>,
        background: &HashSet<&str>,
    ) -> Option<SameErrors> {
        if self.durable.is_some() || !fork.is_fallible() {
            return None;
        }
        let mut failing = fork.branches.iter().filter(|b| {
            let name = b.name.text.as_str();
            joined_at.contains_key(name) && !background.contains(name) && fails_on_its_own(b)
        });
        let first = failing.next()?;
        failing.next()?;
        Some(SameErrors {
            errors: self.ident("errors"),
            same: format_ident!(
                "__WorkflowSameError{}",
                self.next_id,
                span = Span::mixed_site()
            ),
            first: first.name.text.clone(),
        })
    }

    /// A branch's future. Its output is the branch's value (`Vec` of them for a fan-out,
    /// `Option` for an optional branch), in `Ok::<_, BranchError<#ok_wrap>>` when it
    /// cannot fail and `ok_wrap` is set.
    fn branch(
        &mut self,
        branch: &'a Branch<Syn<'a>>,
        ok_wrap: Option<&TokenStream>,
        fork_has_questions: bool,
        wide: bool,
        state: &M::Branch,
    ) -> TokenStream {
        let k = self.krate();
        let syntax = branch.original;
        // Whether the chain of steps itself returns a `Result`.
        let steps_fail = branch.steps_can_fail();
        let chain = Chain {
            branch,
            fallible: steps_fail,
            callables: None,
        };
        let path_text = &branch.path;
        let mut future = match (&syntax.fan_out, branch.steps.as_slice()) {
            (Some(fan_out), _) => self.fan_out(&chain, fan_out),
            // A branch of one plain step is its future itself, exactly what a
            // hand-written `join!` would poll: no async block around it. Not when the
            // expression awaits something itself: that must happen inside the branch.
            // In a wide fork, a step marked `?` is its future read as a `Result` by a
            // plain projection: an async block per branch made rustc type-check for
            // seconds per thousand branches.
            (None, [Step::Task(task)])
                if !task.awaits()
                    && self.durable.is_none()
                    && !task.original.modifiers.wraps_step()
                    && (wide || task.original.question.is_none()) =>
            {
                let expr = &task.original.expr;
                match task.original.question {
                    None => {
                        let k_step = self.krate_at(expr.span());
                        quote_spanned! {expr.span()=> #k_step::__private::IntoFuture::into_future(#expr) }
                    }
                    Some(question) => {
                        let k_q = self.krate_at(question.span);
                        quote_spanned! {question.span=> #k_q::__private::fallible_branch(#path_text, #expr) }
                    }
                }
            }
            _ => {
                let body = self.chain(&chain, 0, &Input::None);
                quote! { async { #body } }
            }
        };
        // The wrappers below are plain projections (`OkBranch`), not async blocks: no
        // state of their own, and the branch's future is still built where `join!`
        // takes it.
        let ok = |future: &TokenStream, error: &TokenStream| {
            quote! {
                #k::__private::ok_branch::<_, #error>(#future)
            }
        };
        let mut fails = steps_fail;
        if let Some(timeout) = &syntax.modifiers.timeout {
            let after = &timeout.after;
            if !fails {
                future = ok(&future, &quote! { _ });
            }
            // With no `?` step in the fork, nothing else names the error type.
            let error_type = if fork_has_questions {
                quote! { _ }
            } else {
                quote! { #k::__private::TimedOut }
            };
            // Reported at the `#[timeout]`: an error type without `From<TimedOut>` points there.
            let k_timeout = self.krate_at(timeout.at);
            future = match &self.durable {
                Some(layer) => layer.timeout_branch(
                    &k_timeout,
                    timeout.at,
                    branch,
                    (&error_type, &quote! { #after }),
                    &future,
                ),
                None => quote_spanned! {timeout.at=>
                    #k_timeout::__private::timeout_branch::<_, #error_type>(
                        #path_text, #after, #future, |t| #k_timeout::__private::timed_out(t),
                    )
                },
            };
            fails = true;
        }
        if syntax.modifiers.optional.is_some() && fails {
            // An optional branch's failure is `None`, and the fork goes on.
            let mode = self.mode;
            future = mode.optional_failure(self, state, branch, future);
            fails = false;
        }
        if let (Some(error), false) = (ok_wrap, fails) {
            future = ok(&future, error);
        }
        future
    }

    /// The future of a fan-out branch: the chain runs once per item, at most `limit` at
    /// once, and the outputs come back in the items' order. Every step expression of an
    /// item is evaluated when the item starts.
    fn fan_out(&mut self, chain: &Chain<'a, '_>, fan_out: &'a parse::FanOut) -> TokenStream {
        let k = self.krate();
        let parse::FanOut { pat, items, .. } = fan_out;
        let limit = match &chain.branch.original.modifiers.limit {
            Some(limit) => {
                let max = &limit.max;
                quote! { ::core::option::Option::Some(#max) }
            }
            None => quote! { ::core::option::Option::None },
        };
        let mut eager = TokenStream::new();
        let mut callables = Vec::new();
        for (i, step) in chain.branch.steps.iter().enumerate() {
            let Step::Task(task) = step else {
                callables.push(None);
                continue;
            };
            let expr = &task.original.expr;
            let name = self.user_ident("item_step", expr.span());
            if i == 0 {
                let k_step = self.krate_at(expr.span());
                eager.extend(quote_spanned! {expr.span()=>
                    let #name = #k_step::__private::IntoFuture::into_future(#expr);
                });
            } else {
                eager.extend(quote! { let #name = #expr; });
            }
            callables.push(Some(name));
        }
        let closure = match chain.branch.steps.as_slice() {
            // One plain step: each item is the step's future itself, as in a
            // hand-written `join_all(items.map(step))`, with no async block around it
            // (which would nearly double the cost of an item).
            [Step::Task(task)]
                if !task.original.modifiers.wraps_step()
                    && M::INLINE_ITEMS
                    && self.durable.is_none() =>
            {
                let expr = &task.original.expr;
                let span = expr.span();
                let k_step = self.krate_at(span);
                let future =
                    quote_spanned! {span=> #k_step::__private::IntoFuture::into_future(#expr) };
                match task.original.question {
                    None => quote! { |#pat| #future },
                    // The step's own `Result` (checked to be one), its error made a
                    // `BranchError` once, for the failing item only.
                    Some(question) => {
                        let k_q = self.krate_at(question.span);
                        let closure = quote_spanned! {question.span=>
                            |#pat| #k_q::__private::fallible_item(#future)
                        };
                        let path = &chain.branch.path;
                        return self.try_fan_out(
                            &quote! { #items },
                            &limit,
                            &closure,
                            question.span,
                            |failure| quote! { #k::__private::BranchError::new(#path, #failure) },
                        );
                    }
                }
            }
            _ => {
                let per_item = Chain {
                    callables: Some(&callables),
                    ..*chain
                };
                let body = self.chain(&per_item, 0, &Input::None);
                match &self.durable {
                    Some(_) => durable::Layer::item(k, pat, &eager, &body),
                    None => quote! { |#pat| { #eager async move { #body } } },
                }
            }
        };
        let items = match &self.durable {
            Some(layer) => layer.items(k, &durable::fan_out_id(chain.branch), items, &limit),
            None => quote! { #items },
        };
        let items = &items;
        if chain.fallible {
            self.try_fan_out(items, &limit, &closure, Span::call_site(), |failure| {
                quote! { #failure }
            })
        } else {
            quote! { #k::__private::fan_out(#items, #limit, #closure) }
        }
    }

    /// A fallible fan-out: its failure, made a `BranchError` by `branch_error`, with the
    /// failing item's index.
    fn try_fan_out(
        &mut self,
        items: &TokenStream,
        limit: &TokenStream,
        closure: &TokenStream,
        at: Span,
        branch_error: impl FnOnce(&Ident) -> TokenStream,
    ) -> TokenStream {
        let k = self.krate();
        let (outputs, index, failure) = (
            self.ident("outputs"),
            self.ident("index"),
            self.ident("failure"),
        );
        let failure_error = branch_error(&failure);
        // Reported at `at`: a step that is not a `Result` is told there, not at the
        // macro call, also where the fan-out's bounds repeat it.
        let k_at = self.krate_at(at);
        let call =
            quote_spanned! {at=> #k_at::__private::try_fan_out(#items, #limit, #closure).await };
        quote! {
            async {
                match #call {
                    #k::__private::Ok(#outputs) => #k::__private::Ok(#outputs),
                    #k::__private::Err((#index, #failure)) => #k::__private::Err(#failure_error.at_index(#index)),
                }
            }
        }
    }

    /// The body of a branch's future from step `from` on. `input` is what the previous
    /// step handed on.
    fn chain(&mut self, chain: &Chain<'a, '_>, from: usize, input: &Input) -> TokenStream {
        let k = self.krate();
        let Some(step) = chain.branch.steps.get(from) else {
            let output = match input {
                Input::None => quote! { () },
                Input::Value(value) => quote! { #value },
                Input::Joined(names) if names.len() == 1 => quote! { #(#names)* },
                Input::Joined(names) => quote! { (#(#names),*) },
            };
            return if chain.fallible {
                quote! { #k::__private::Ok(#output) }
            } else {
                output
            };
        };
        match step {
            Step::Task(task) => {
                let parse::Task {
                    expr,
                    question,
                    modifiers,
                } = task.original;
                let span = expr.span();
                let k_step = self.krate_at(span);
                // In a fan-out item, the step was evaluated when the item started.
                let pre = chain.callables.and_then(|c| c.get(from).cloned().flatten());
                let callee = match &pre {
                    Some(name) => quote! { #name },
                    None => quote! { #expr },
                };
                // A retried step is built again for every attempt, from clones of what
                // the previous step handed on.
                let retried = modifiers.retry.is_some();
                let arg = |name: &Ident| {
                    if retried {
                        quote! { ::core::clone::Clone::clone(&#name) }
                    } else {
                        quote! { #name }
                    }
                };
                // Reported at the step: "not a future" or a type error in the hand-over
                // points at the user's step, not at the macro call.
                let future = match input {
                    Input::None if pre.is_some() => callee,
                    Input::None => quote_spanned! {span=>
                        #k_step::__private::IntoFuture::into_future(#callee)
                    },
                    // Through a function, so that rustc infers a closure's parameter
                    // types from the arguments and consumes an `async move` closure.
                    Input::Value(value) => {
                        let value = located_at(arg(value), span);
                        quote_spanned! {span=>
                            #k_step::__private::IntoFuture::into_future(#k_step::__private::call1(#value, #callee))
                        }
                    }
                    Input::Joined(names) if (1..=8).contains(&names.len()) => {
                        let call = Ident::new(&format!("call{}", names.len()), span);
                        let names = names.iter().map(arg);
                        quote_spanned! {span=>
                            #k_step::__private::IntoFuture::into_future(#k_step::__private::#call(#(#names,)* #callee))
                        }
                    }
                    Input::Joined(names) => {
                        let callable = self.user_ident("callable", span);
                        let names = names.iter().map(arg);
                        quote_spanned! {span=>
                            #k_step::__private::IntoFuture::into_future({ let #callable = #callee; #callable(#(#names),*) })
                        }
                    }
                };
                let mut future = future;
                if let Some(timeout) = &modifiers.timeout {
                    let after = &timeout.after;
                    future = match &self.durable {
                        // Durable: the deadline is journaled under the step's key.
                        Some(layer) => {
                            layer.timeout(&k_step, timeout.at, &quote! { #after }, &future)
                        }
                        None => {
                            quote_spanned! {timeout.at=>
                                #k_step::__private::with_timeout(#after, #future, |t| #k_step::__private::timed_out(t))
                            }
                        }
                    };
                }
                // Durable: the step's outcome (a timeout's too) is journaled; each
                // attempt of a retry is an occurrence of its own, and the time of the
                // next attempt is journaled when one fails.
                if let Some(layer) = &self.durable {
                    future = layer.step(k, &task.id, question.is_some(), span, &future);
                }
                if let Some(retry) = &modifiers.retry {
                    let (count, backoff) = (&retry.retries, &retry.backoff);
                    // With `max`, `jitter` or `if`: a `Backoff` and a predicate; without,
                    // the plain doubling backoff, expanded as it always was.
                    let policy = retry.policy(&k_step);
                    future = match (&self.durable, policy) {
                        (Some(layer), policy) => layer.retry(
                            &k_step,
                            &task.id,
                            retry.at,
                            (&quote! { #count }, &quote! { #backoff }, policy),
                            &future,
                        ),
                        (None, None) => quote_spanned! {retry.at=>
                            #k_step::__private::retry(#count, #backoff, || #future)
                        },
                        (None, Some((policy, worth))) => quote_spanned! {retry.at=>
                            #k_step::__private::retry_if(#count, #policy, || #future, #worth)
                        },
                    };
                }
                // The future is bound before it is awaited: temporaries of the step's
                // expression (a `RefCell` borrow, a lock guard) end here, as they would
                // in `join!(f(cell.borrow().len()), ...)`, instead of living across the
                // await.
                let mode = self.mode;
                let future = mode.step(self, chain.branch, from, future);
                let pending = self.user_ident("future", span);
                let future = quote_spanned! {span=> { let #pending = #future; #pending } };
                let value = self.ident("value");
                let bind = match question {
                    Some(question) => {
                        let path = &chain.branch.path;
                        let (ok, error) = (self.ident("ok"), self.ident("error"));
                        let k_q = self.krate_at(question.span);
                        let output = self.user_ident("output", span);
                        let result = quote_spanned! {question.span=>
                            #k_q::__private::fallible(#output)
                        };
                        let arms = located_at(
                            quote! {
                                #k::__private::Ok(#ok) => #ok,
                                #k::__private::Err(#error) => {
                                    return #k::__private::Err(#k::__private::BranchError::new(#path, #error));
                                }
                            },
                            question.span,
                        );
                        quote_spanned! {question.span=>
                            let #output = #future.await;
                            let #value = match #result { #arms };
                        }
                    }
                    // The last step of an infallible branch is the branch's output.
                    None if from + 1 == chain.branch.steps.len() && !chain.fallible => {
                        return quote_spanned! {span=> #future.await };
                    }
                    None => quote_spanned! {span=> let #value = #future.await; },
                };
                let rest = self.chain(chain, from + 1, &Input::Value(value));
                quote! { #bind #rest }
            }
            Step::Fork(fork) => {
                let code = self.fork(fork);
                let names: Vec<Ident> = fork
                    .original
                    .fork
                    .join
                    .iter()
                    .flat_map(|j| j.names.iter().map(|n| n.name.clone()))
                    .collect();
                let joined = &code.joined;
                let bind = if code.fallible {
                    let error = self.ident("error");
                    let ok = self.ident("ok");
                    code.bind(&quote! {
                        match #joined {
                            #k::__private::Ok(#ok) => #ok,
                            #k::__private::Err(#error) => return #k::__private::Err(#error),
                        }
                    })
                } else {
                    code.bind(joined)
                };
                let rest = self.chain(chain, from + 1, &Input::Joined(names));
                let prelude = &code.prelude;
                match &code.background {
                    None => quote! { #prelude #bind #rest },
                    // The rest of the branch runs beside the nested fork's background
                    // branches; a failure of the branch drops them at once.
                    Some(background) => {
                        let fails = if chain.fallible {
                            quote! { #k::__private::Result::is_err }
                        } else {
                            quote! { |_| false }
                        };
                        let scoped = quote! {
                            #k::__private::with_background(async { #bind #rest }, #background, #fails).await
                        };
                        let scoped = background_ended(&code, scoped);
                        quote! { #prelude #scoped }
                    }
                }
            }
        }
    }
}

/// Whether a branch's own steps give it an error type (a `?` step or a fallible nested
/// fork; not `#[optional]`, whose failure is `None`).
fn fails_on_its_own(branch: &Branch<Syn<'_>>) -> bool {
    branch.marks.optional.is_none() && branch.steps_can_fail()
}

/// Where a branch's error type is told: its first `?` step, else its name.
fn error_at(branch: &Branch<Syn<'_>>) -> Span {
    branch
        .steps
        .iter()
        .find_map(|step| match step {
            Step::Task(task) if task.original.question.is_some() => Some(task.original.expr.span()),
            _ => None,
        })
        .unwrap_or(branch.name.at)
}

/// The check that the failing branches of a fork have one error type: a local trait
/// whose message names the fork's first failing branch, implemented only by each type
/// for itself, through which each other failing branch's error goes at its step
/// (`__private::same_error`). rustc then reports a branch with another error type once,
/// there, instead of a mismatch inside the join. No run-time cost: the trait's method
/// is the identity, the witness a zero-sized `Copy` value outside the branches.
struct SameErrors {
    errors: Ident,
    same: Ident,
    first: String,
}

impl SameErrors {
    /// The trait, its implementation and the witness, before the fork's code.
    fn declare(&self, k: &TokenStream) -> TokenStream {
        let (errors, same, first) = (&self.errors, &self.same, &self.first);
        let message = format!(
            "this branch fails with `{{G}}`, but branch `{first}` of the same fork fails with `{{Self}}`"
        );
        let label = format!("`{first}` fails with `{{Self}}`, this step with `{{G}}`");
        let note = "the branches of a fork joined with `?` fail with one error type: convert this step's error where it is made (`async { step.await.map_err(..) }?`), or give both steps one error type of your own with a `From` impl for each";
        let error = Ident::new("__workflow_error", Span::mixed_site());
        quote! {
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            trait #same<G>: ::core::marker::Sized {
                fn same(#error: G, _: #k::__private::Errors<Self>) -> Self;
            }
            impl<E> #same<E> for E {
                #[inline]
                fn same(#error: E, _: #k::__private::Errors<E>) -> E {
                    #error
                }
            }
            let #errors = #k::__private::errors();
        }
    }

    /// A failing branch's future: the first names the fork's error type, each other is
    /// checked against it at its step.
    fn check(
        &self,
        k: &TokenStream,
        branch: &Branch<Syn<'_>>,
        first: bool,
        future: &TokenStream,
    ) -> TokenStream {
        let (errors, same) = (&self.errors, &self.same);
        if first {
            return quote! { #k::__private::first_error(#errors, #future) };
        }
        let at = error_at(branch);
        let k_at = located_at(k.clone(), at);
        let same = Ident::new(&same.to_string(), at);
        let error = Ident::new("__workflow_error", Span::mixed_site());
        quote_spanned! {at=>
            #k_at::__private::same_error(#errors, #future, |#error| #same::same(#error, ::core::default::Default::default()))
        }
    }
}

/// `scoped`, the value of a scope polled beside background branches, handed on once
/// the background tasks of a `#[spawn]` fork have ended (after a failure of the scope
/// they were aborted: no task is left running).
fn background_ended(code: &ForkCode, scoped: TokenStream) -> TokenStream {
    match &code.background_tasks {
        Some(tasks) => quote! { #tasks.ended(#scoped).await },
        None => scoped,
    }
}

/// The arguments of `__private::named_join!` (or `named_try_join!`) for the futures
/// `futures` of the branches `paths`: `["path", ..], local = future, ..`.
/// The locals are the join's own (the macro's block), named by their place: a nested
/// join's are in a branch's future, where shadowing the outer ones is harmless.
fn named_join_arguments(paths: &[String], futures: &[TokenStream]) -> TokenStream {
    let locals = (0..futures.len())
        .map(|i| format_ident!("__workflow_branch{}", i, span = Span::mixed_site()));
    quote! { [#(#paths),*], #(#locals = #futures),* }
}

/// `{ fn name() -> ty { value } name }`: the paths of a panic's branches as a function
/// item, no bigger than a closure (nothing), but with its signature written out: a
/// closure's inferred `&str` is a lifetime the check that the workflow's future is
/// `Send` cannot prove general enough.
fn function_item(name: &str, ty: &TokenStream, value: &impl quote::ToTokens) -> TokenStream {
    let name = format_ident!("{}", name, span = Span::mixed_site());
    quote! { { fn #name() -> #ty { #value } #name } }
}

/// The widest fork joined by `join!`/`try_join!` themselves: as a hand-written join, with
/// no nesting of its own (each level of nesting costs rustc's layout queries depth).
const WIDE_FORK: usize = 8;

/// The joined futures of a wide fork, joined by a balanced tree of `join2`..`join5` (or
/// `try_join2`..`try_join5`), and the pattern of nested tuples that binds their outputs
/// in branch order. A flat `join!` of thousands of futures makes rustc type-check them
/// in one piece (a fork of 1,000 fallible branches took 77 s) and its nested scopes
/// overflow rustc's stack in debuginfo at about 3,000; the tree builds 1,000 branches
/// in about a second and 10,000 in about 30 s. Polling is the same (every pending
/// branch at every poll, the first failure returned at once and the rest dropped).
fn join_tree(
    k: &TokenStream,
    branches: impl Iterator<Item = ((TokenStream, TokenStream), String)>,
    how: JoinTree,
    at: Span,
) -> (TokenStream, TokenStream) {
    // A node: its future, the pattern of its outputs and its path (`""` for a node of
    // the tree, whose own catch names a panic below it).
    type Node = (TokenStream, TokenStream, String);
    let combine = |chunk: &[Node]| -> Node {
        if let [one] = chunk {
            return one.clone();
        }
        let name = format_ident!(
            "{}{}{}",
            if how.names_panics { "named_" } else { "" },
            if how.try_join { "try_join" } else { "join" },
            chunk.len(),
            span = at
        );
        let futures = chunk.iter().map(|(future, _, _)| future);
        let patterns = chunk.iter().map(|(_, pattern, _)| pattern);
        let paths = chunk.iter().map(|(_, _, path)| path);
        let width = chunk.len();
        let paths = if how.names_panics {
            let paths = quote! { [#(#paths),*] };
            let paths = function_item(
                "__workflow_paths",
                &quote! { [&'static str; #width] },
                &paths,
            );
            quote! { #paths, }
        } else {
            TokenStream::new()
        };
        (
            quote_spanned! {at=> #k::__private::#name(#paths #(#futures),*) },
            quote! { (#(#patterns),*) },
            String::new(),
        )
    };
    // Each branch's future is bound before it is joined, as `join!` binds its arguments:
    // the temporaries of a step's expression (a `RefCell` borrow, a lock guard) end there
    // instead of living across the await of the whole tree.
    let bound = format_ident!("__workflow_branch", span = Span::mixed_site());
    let mut level: Vec<Node> = branches
        .map(|((future, pattern), path)| {
            (quote! { { let #bound = #future; #bound } }, pattern, path)
        })
        .collect();
    while level.len() > 5 {
        level = level.chunks(5).map(combine).collect();
    }
    let (tree, pattern, _) = combine(&level);
    (tree, pattern)
}

/// How a wide fork's tree joins: `try_join5`s when the join can fail, and
/// `named_join5`s (which name a panicking branch) unless its branches are tasks.
#[derive(Clone, Copy)]
struct JoinTree {
    try_join: bool,
    names_panics: bool,
}

/// The Rust statements among `items`, as written; with `skip_items`, not the items
/// (`fn`, `struct`, ...), which were hoisted before a wrapping scope. A `join(x);` that
/// reaches expansion called the user's own `join`: validation rejects every other.
fn rust(items: &[Item], skip_items: bool) -> TokenStream {
    items
        .iter()
        .map(|item| match item {
            Item::Rust { item: true, .. } if skip_items => TokenStream::new(),
            Item::Rust { tokens, .. } | Item::StrayJoin { tokens, .. } => tokens.clone(),
            // The model holds every fork of the body: `items` splits the body there.
            Item::Fork(fork) => crate::diag::error(
                fork.keyword.span,
                "internal error: a fork of the body is missing from the workflow's graph",
                "please report this",
            )
            .into_compile_error(),
        })
        .collect()
}

/// The items (`fn`, `struct`, `use`, ...) among `items`, declared before a scope that
/// wraps them so they stay visible to the whole body.
fn hoisted_items(items: &[Item]) -> TokenStream {
    let items = items.iter().filter_map(|item| match item {
        Item::Rust {
            tokens, item: true, ..
        } => Some(tokens),
        _ => None,
    });
    quote! { #(#items)* }
}

/// What a step hands to the next one.
enum Input {
    /// Nothing: the first step.
    None,
    /// The output of an expression step.
    Value(Ident),
    /// The joined branches of a nested fork, in the join's order.
    Joined(Vec<Ident>),
}

/// A branch being expanded.
#[derive(Clone, Copy)]
struct Chain<'a, 'c> {
    branch: &'a Branch<Syn<'a>>,
    /// Whether the chain returns a `Result`: one of its steps can fail.
    fallible: bool,
    /// For a fan-out item: the locals holding each step, evaluated when the item
    /// started (the first step's future, the later steps' callables).
    callables: Option<&'c [Option<Ident>]>,
}

/// The type that the scope beside background branches must produce: the function's
/// return type, when it can be named inside the body (not `impl Trait`).
fn scope_type(output: &ReturnType) -> Option<TokenStream> {
    match output {
        ReturnType::Default => Some(quote! { () }),
        // `!` cannot be a type argument on stable Rust.
        ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)) => None,
        ReturnType::Type(_, ty) if !mentions_impl(ty) => Some(quote! { #ty }),
        ReturnType::Type(..) => None,
    }
}

fn mentions_impl(ty: &Type) -> bool {
    find_token(
        ty,
        |tt| matches!(tt, proc_macro2::TokenTree::Ident(ident) if ident == "impl"),
    )
    .is_some()
}

/// The span of the first token of `ty` (groups searched inside) for which `is` holds.
fn find_token(ty: &Type, is: impl Fn(&proc_macro2::TokenTree) -> bool + Copy) -> Option<Span> {
    fn walk(
        tokens: TokenStream,
        is: impl Fn(&proc_macro2::TokenTree) -> bool + Copy,
    ) -> Option<Span> {
        tokens.into_iter().find_map(|tt| match tt {
            proc_macro2::TokenTree::Group(group) => walk(group.stream(), is),
            tt if is(&tt) => Some(tt.span()),
            _ => None,
        })
    }
    walk(quote::ToTokens::to_token_stream(ty), is)
}

/// `body` as an async block (an `async move` one with `moves`) whose output is `ty`:
/// its tail and its `return`s coerce to `ty` and `?` converts into it, as in a
/// function's body (an async block's return type is otherwise inferred from its first
/// `return`). `out` is a local of the block.
fn typed_async(
    k: &TokenStream,
    out: &Ident,
    ty: &TokenStream,
    body: &TokenStream,
    moves: Option<syn::Token![move]>,
) -> TokenStream {
    quote! {
        async #moves {
            if let #k::__private::Some(#out) = #k::__private::returns::<#ty>() {
                return #out;
            }
            let #out: #ty = { #body };
            #out
        }
    }
}

/// `tokens` with every span reported at `span`, name resolution unchanged. For generated
/// code only: user tokens keep their own spans.
fn located_at(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(group) = &tt {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), located_at(group.stream(), span));
                inner.set_span(group.span().located_at(span));
                tt = proc_macro2::TokenTree::Group(inner);
            } else {
                tt.set_span(tt.span().located_at(span));
            }
            tt
        })
        .collect()
}

#[cfg(test)]
mod should {
    use super::*;
    use core::str::FromStr as _;

    const VALID: &str = "($crate) pub async fn w(app: &App) -> Result<u32, E> {
        let x = prepare(app).await;
        fork <
            credit: bureau(&x)? -> |s| score(s, Vec::<u8>::new())?,
            documents: fork <
                passport: check(x > 1),
                utility: check(HashMap::<K, V>::new()),
            > join(passport, utility) -> merge,
            http: send(&x),
        > join(credit, documents)? background(http);
        Ok(credit + documents)
    }";

    fn expand_str(source: &str) -> String {
        workflow(TokenStream::from_str(source).expect("test input lexes")).to_string()
    }

    #[test]
    fn expand_a_valid_workflow_without_errors() {
        let out = expand_str(VALID);
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("try_join"), "{out}");
    }

    #[test]
    fn turn_malformed_input_into_errors_not_panics() {
        for source in [
            "",
            "()",
            "($crate)",
            "($crate) async fn",
            "($crate) async fn w() { fork < }",
            "($crate) async fn w() { fork < a: }",
            "($crate) async fn w() { fork < a: x, > join }",
            "($crate) async fn w() { fork < a: x, b: y > join(a, b) }",
            "($crate) async fn w() { fork < a: x, b: y > join(a, b) background; }",
            "($crate) async fn w() { fork < a: x -> , b: y > join(a, b); }",
            "($crate) async fn w() { fork < a: fork < > join(), b: y > join(a, b); }",
            "($crate) async fn w() { fork < 1: x, b: y > join(a, b); }",
            "($crate) async fn w() { fork < a if: x, b: y > join(a, b); }",
            "($crate) async fn w() { fork < a: x, b: y > join(a, 3); }",
            "($crate) async fn w() { fork < a: x, b: y > join(a b); }",
            "($crate) async fn w() { > join(a, b); }",
            "($crate) async fn w() { fork < a: x, b: y >; join(a, b); }",
            "($crate) async fn w() { fork < a: x, b: y > join(a, b); join(a, b); }",
        ] {
            let out = expand_str(source);
            assert!(
                out.contains("compile_error"),
                "no error for {source:?}: {out}"
            );
        }
    }

    /// Every one-token deletion of a valid workflow, and every insertion of a token that
    /// the grammar cares about, expands to code or to errors, never to a panic.
    #[test]
    fn survive_every_single_token_mutation() {
        fn flatten(stream: TokenStream, out: &mut Vec<String>) {
            for tt in stream {
                match tt {
                    proc_macro2::TokenTree::Group(group) => {
                        let (open, close) = match group.delimiter() {
                            proc_macro2::Delimiter::Parenthesis => ("(", ")"),
                            proc_macro2::Delimiter::Brace => ("{", "}"),
                            proc_macro2::Delimiter::Bracket => ("[", "]"),
                            proc_macro2::Delimiter::None => ("", ""),
                        };
                        out.push(open.to_owned());
                        flatten(group.stream(), out);
                        out.push(close.to_owned());
                    }
                    proc_macro2::TokenTree::Punct(p) => out.push(p.as_char().to_string()),
                    other => out.push(other.to_string()),
                }
            }
        }
        let mut tokens = Vec::new();
        flatten(TokenStream::from_str(VALID).expect("lexes"), &mut tokens);
        let mut cases = 0;
        for i in 0..tokens.len() {
            let mut variants = vec![{
                let mut v = tokens.clone();
                v.remove(i);
                v
            }];
            for extra in [
                "<", ">", ",", "?", ":", "fork", "join", "->", "if", "return",
            ] {
                let mut v = tokens.clone();
                v.insert(i, extra.to_owned());
                variants.push(v);
            }
            for variant in variants {
                // Unbalanced delimiters do not lex: rustc never hands those to a macro.
                if let Ok(stream) = TokenStream::from_str(&variant.join(" ")) {
                    let _ = workflow(stream);
                    cases += 1;
                }
            }
        }
        assert!(cases > 1000, "only {cases} mutations ran");
    }
}

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
//! the workflow's own future, no allocation, no extra moves. A step's expression is
//! evaluated when its branch reaches it. Background branches are polled beside the rest of
//! the scope (`__private::with_background`), so they finish before it does. Generated
//! names are mixed-site, so user code cannot see or clash with them, except the few that
//! appear in errors about a user's step: those carry the step's span and a numbered name.
//! Every path goes through `<runtime>::__private`.
//!
//! A `#[traced]` workflow's body is expanded twice, with and without its spans and
//! events, under `if trace_enabled() { .. } else { .. }`: without a subscriber it runs
//! the untraced code, so its trace costs one load; the traced body is boxed, so the
//! future keeps the untraced size.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;
use syn::{Ident, ReturnType, Type};

use crate::diag;
use crate::model::{self, Workflow};
use crate::parse::{self, Branch, Fork, Item, Policy, Step};
use crate::validate::validate;

pub fn workflow(tokens: TokenStream) -> TokenStream {
    let input = match parse::parse_input(tokens) {
        Ok(input) => input,
        Err(err) => return err.into_compile_error(),
    };
    let model = Workflow::from_ast(&input);
    let problems = validate(&model);
    let errors: Vec<syn::Error> = input
        .errors
        .iter()
        .cloned()
        .chain(traced_errors(&input.attrs))
        .chain(
            problems
                .into_iter()
                .map(|p| diag::error(p.at, p.message, p.help)),
        )
        .collect();
    if !errors.is_empty() {
        return fallback(&input, &errors);
    }
    Expander::new(&input).item(&model.forks)
}

/// On errors, still define the function with its signature, so code calling it does not
/// cascade into unrelated errors.
fn fallback(input: &parse::Input, errors: &[syn::Error]) -> TokenStream {
    let parse::Input {
        attrs,
        vis,
        sig,
        inner_attrs,
        ..
    } = input;
    let errors = errors.iter().map(syn::Error::to_compile_error);
    let graph = crate::graph::item(input);
    let attrs = attrs.iter().filter(|attr| !is_traced(attr));
    quote! {
        #graph
        #(#attrs)*
        #[allow(unused_variables, unreachable_code, clippy::all)]
        #vis #sig {
            #(#inner_attrs)*
            #(#errors)*
            ::core::panic!("the workflow did not compile")
        }
    }
}

struct Expander<'a> {
    input: &'a parse::Input,
    krate: &'a TokenStream,
    next_id: usize,
    /// `#[traced]`: the local holding the workflow's span.
    traced: Option<Ident>,
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
    fallible: bool,
    /// `#[traced]`: the statement that opens the fork's trace, before the fork's code.
    prelude: TokenStream,
    /// `#[traced]`: the statement that records the merge, after the join's binding.
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

impl<'a> Expander<'a> {
    fn new(input: &'a parse::Input) -> Self {
        let traced = input
            .attrs
            .iter()
            .any(is_traced)
            .then(|| format_ident!("__workflow_span", span = Span::mixed_site()));
        Expander {
            input,
            krate: &input.krate,
            next_id: 0,
            traced,
        }
    }

    fn item(mut self, forks: &[model::Fork<Span>]) -> TokenStream {
        let parse::Input {
            attrs, vis, sig, ..
        } = self.input;
        let inner = &self.input.inner_attrs;
        let graph = crate::graph::item(self.input);
        let attrs = attrs.iter().filter(|attr| !is_traced(attr));
        let k = self.krate;
        let body = match self.traced.clone() {
            None => self.items(&self.input.body, forks, false),
            // A macro that defines items (`macro_rules!`, `thread_local! { .. }`) in the
            // body: written twice, its items would be two (two thread-locals), and the
            // items hoisted before both bodies would not see them. The body is then
            // written once, traced: without a subscriber its spans are empty.
            Some(span)
                if self.input.body.iter().any(|item| {
                    matches!(
                        item,
                        Item::Rust {
                            item_macro: true,
                            ..
                        }
                    )
                }) =>
            {
                let body = self.items(&self.input.body, forks, false);
                let start = self.trace_start(&span);
                quote! { #k::__private::traced! {} #start #body }
            }
            // `#[traced]`: the body twice, with and without its trace, and the choice
            // made once when the workflow starts: with no subscriber installed, the
            // workflow runs the untraced code and its trace costs one load. The body's
            // items (`fn`, `struct`, `impl`, ...) are declared once, before both.
            Some(span) => {
                let traced = self.items(&self.input.body, forks, true);
                let mut plain = Expander {
                    traced: None,
                    ..Expander::new(self.input)
                };
                let untraced = plain.items(&self.input.body, forks, true);
                let hoisted = hoisted_items(&self.input.body);
                let start = self.trace_start(&span);
                let traced = quote! { #start #traced };
                // The traced body in a box of its own (one allocation, beside what the
                // subscriber allocates), so that the untraced one keeps its own size;
                // typed as the body (`typed_scope`, as the scope beside background
                // branches). An `impl Trait` or `!` return type cannot be named: both
                // bodies are then inline.
                let traced = match scope_type(&sig.output) {
                    Some(ty) => {
                        let typed = self.typed_scope(&ty, &traced);
                        quote! { #k::__private::boxed(#typed).await }
                    }
                    None => traced,
                };
                quote! {
                    #k::__private::traced! {}
                    #hoisted
                    if #k::__private::trace_enabled() {
                        #traced
                    } else {
                        #untraced
                    }
                }
            }
        };
        quote! {
            #graph
            #(#attrs)*
            #vis #sig {
                #(#inner)*
                #body
            }
        }
    }

    /// `body` as an async block of type `ty`, the workflow's return type: its tail and
    /// its `return`s coerce to `ty` and `?` converts into it, as in the function's body
    /// (an async block's return type is otherwise inferred from its first `return`).
    fn typed_scope(&mut self, ty: &TokenStream, body: &TokenStream) -> TokenStream {
        let k = self.krate;
        let out = self.ident("out");
        quote! {
            async {
                if let #k::__private::Some(#out) = #k::__private::returns::<#ty>() {
                    return #out;
                }
                let #out: #ty = { #body };
                #out
            }
        }
    }

    /// `#[traced]`: the workflow's span, in `span`, and the event that it started.
    fn trace_start(&self, span: &Ident) -> TokenStream {
        let k = self.krate;
        let name = self.input.sig.ident.unraw().to_string();
        quote! {
            let #span = #k::__private::tracing::info_span!(#name);
            #k::__private::tracing::info!(parent: &#span, "workflow `{}` started", #name);
        }
    }

    fn ident(&mut self, what: &str) -> Ident {
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
        located_at(self.krate.clone(), span)
    }

    /// The statements of the body from `items` on, with forks expanded.
    /// `forks` are the model's forks of `items`, in order. With `skip_items`, items
    /// (`fn`, `struct`, ...) are left out: they were hoisted before a wrapping scope.
    fn items(
        &mut self,
        items: &[Item],
        forks: &[model::Fork<Span>],
        skip_items: bool,
    ) -> TokenStream {
        let Some((first, rest)) = items.split_first() else {
            return TokenStream::new();
        };
        match first {
            Item::Rust { item: true, .. } if skip_items => self.items(rest, forks, skip_items),
            Item::Rust { tokens, .. } | Item::StrayJoin { tokens, .. } => {
                // A `join(x);` that reaches expansion called the user's own `join`:
                // validation rejects every other.
                let rest = self.items(rest, forks, skip_items);
                quote! { #tokens #rest }
            }
            Item::Fork(fork) => {
                let Some((model, forks)) = forks.split_first() else {
                    return TokenStream::new();
                };
                let code = self.fork(fork, model, &[]);
                let question = fork.join.as_ref().and_then(|j| j.question);
                let prelude = &code.prelude;
                let Some(background) = &code.background else {
                    let rest_tokens = self.items(rest, forks, skip_items);
                    let joined = &code.joined;
                    let bind = code.bind(&quote! { #joined #question });
                    return quote! { #prelude #bind #rest_tokens };
                };
                // Items declared after the fork stay visible to the whole body (unless
                // they already were hoisted before it).
                let hoisted = if skip_items {
                    TokenStream::new()
                } else {
                    hoisted_items(rest)
                };
                let rest_tokens = self.items(rest, forks, true);
                let body = self.top_level_background(&code, background, question, &rest_tokens);
                quote! { #hoisted #prelude #body }
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
        let k = self.krate;
        let joined = &code.joined;
        let Some(ty) = scope_type(&self.input.sig.output) else {
            // An `impl Trait` return type cannot be named: the body is polled beside the
            // background branches, which always run to their end.
            let out = self.ident("out");
            let bind_plain = code.bind(&quote! { #joined #question });
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
                            return #k_q::__private::Err(#k_q::__private::Err(#k_q::__private::From::from(#failure)));
                        }
                    }
                })
            }
            None => code.bind(joined),
        };
        let ended = self.ident("ended");
        let scope = self.typed_scope(&ty, rest);
        quote! {
            match #k::__private::with_background(
                async {
                    #bind
                    #k::__private::Ok(#scope.await)
                },
                #background,
                #k::__private::Result::is_err,
            ).await {
                #k::__private::Ok(#ended) | #k::__private::Err(#ended) => #ended,
            }
        }
    }

    fn fork(&mut self, fork: &Fork, model: &model::Fork<Span>, path: &[String]) -> ForkCode {
        let k = self.krate;
        let Some(join) = &fork.join else {
            // Rejected by validation.
            return ForkCode {
                joined: quote! { () },
                pattern: quote! { () },
                rebind: None,
                background: None,
                fallible: false,
                prelude: TokenStream::new(),
                merged: TokenStream::new(),
            };
        };
        let fallible = model.is_fallible();
        let model_fork_has_questions = model.has_question_steps();
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
        let mut pattern = Vec::new();
        let mut background_futures = Vec::new();
        // `#[traced]`: the local holding the fork's trace.
        let trace = self.traced.is_some().then(|| self.ident("fork_trace"));
        let cancels = fallible && matches!(join.policy, Policy::All);
        for (index, (branch, model)) in fork.branches.iter().zip(&model.branches).enumerate() {
            let index = u16::try_from(index).unwrap_or(u16::MAX);
            let mut branch_path = path.to_vec();
            let name = branch.name.unraw();
            branch_path.push(name.to_string());
            let name_text = name.to_string();
            let in_background = join.background.iter().any(|n| n.unraw() == name);
            let branch_span = trace.as_ref().map(|_| self.ident("branch_span"));
            // Background branches cannot fail (validated), so they never return a Result.
            let future = self.branch(
                branch,
                model,
                &branch_path,
                if in_background {
                    None
                } else {
                    ok_wrap.as_ref()
                },
                model_fork_has_questions,
                branch_span.as_ref(),
            );
            // `#[traced]`: the branch runs in its span, a child of the fork's (made
            // before a task is spawned: the task does not borrow the fork's trace).
            // A branch of one step has one span, the branch's, naming its step.
            let step_field = match model.steps.as_slice() {
                [model::Step::Task(task)] => {
                    let label = &task.label;
                    quote! { , step = #label }
                }
                _ => TokenStream::new(),
            };
            let (open_span, future) = match (&trace, &branch_span) {
                (Some(trace), Some(span)) => (
                    quote! {
                        let #span = #k::__private::tracing::info_span!(parent: #trace.span(), #name_text #step_field);
                    },
                    quote! { #k::__private::Instrument::instrument(#future, #span) },
                ),
                _ => (TokenStream::new(), future),
            };
            // The task mode: the branch owns what it uses (`async move`) and runs as a task.
            let future = match fork.spawn {
                Some(at) => {
                    let path_text = branch_path.join(".");
                    let spawned = quote_spanned! {at=>
                        #k::__private::spawn_branch(#path_text, async move { #future.await })
                    };
                    if open_span.is_empty() {
                        spawned
                    } else {
                        quote! { { #open_span #spawned } }
                    }
                }
                None if open_span.is_empty() => future,
                None => quote! { { #open_span #future } },
            };
            // `#[traced]`: the fork watches the branch arrive, fail or be cancelled.
            let future = match &trace {
                Some(trace) if in_background => {
                    quote! { #trace.background(#index, #future) }
                }
                Some(trace) => {
                    let outcome = if ok_wrap.is_some() || fallible {
                        quote! { #k::__private::Result::is_err }
                    } else {
                        quote! { |_| false }
                    };
                    quote! { #trace.arrival(#index, #outcome, #cancels, #future) }
                }
                None => future,
            };
            if in_background {
                background_futures.push(future);
            } else if let Some(name) = join.names.iter().find(|n| n.name.unraw() == name) {
                let (mutability, ident) = (&name.mutability, &name.name);
                pattern.push(quote! { #mutability #ident });
                joined_names.push(ident.unraw().to_string());
                joined_futures.push(future);
            }
        }
        // The branches are written inside `join!`, as a hand-written join would be: no
        // future is moved from a local into the join, so the workflow's future is no
        // bigger than the hand-written one.
        // The join itself is reported at the `join` keyword: "borrow later used here"
        // points there rather than at the whole macro call.
        let at_join = join.keyword.span;
        let k_join = self.krate_at(at_join);
        let joined = match join.policy {
            Policy::All | Policy::Settled(_) => {
                let try_join = fallible && matches!(join.policy, Policy::All);
                let macro_name = Ident::new(if try_join { "try_join" } else { "join" }, at_join);
                let mut args = proc_macro2::Group::new(
                    proc_macro2::Delimiter::Parenthesis,
                    quote! { #(#joined_futures),* },
                );
                args.set_span(at_join);
                quote_spanned! {at_join=> #k_join::__private::#macro_name! #args }
            }
            Policy::First | Policy::Quorum { .. } => {
                // The racing branches are pinned where they are written and seen through
                // `dyn`, so the race needs no allocation per branch.
                let names = &joined_names;
                let pinned: Vec<Ident> =
                    joined_futures.iter().map(|_| self.ident("racer")).collect();
                let race = match join.policy {
                    Policy::Quorum { k, .. } => quote! { quorum::<#k, _, _, _> },
                    _ => quote! { first },
                };
                let outcome = quote_spanned! {at_join=>
                    {
                        #(let mut #pinned = #k::__private::pin!(#joined_futures);)*
                        #k_join::__private::#race([#(#names),*], [#(#k::__private::racer(#pinned.as_mut())),*]).await
                    }
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
        let background_futures: Vec<TokenStream> = background_futures
            .iter()
            .map(|future| quote! { async { #future.await; } })
            .collect();
        let background = match background_futures.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            many => Some(quote! { async { #k::__private::join!(#(#many),*); } }),
        };
        // `#[traced]`: a failed join tells its error, once the join has unified the
        // branches' error types (so the error's type is known where it is described).
        let joined = match &trace {
            Some(trace) if fallible && !matches!(join.policy, Policy::Settled(_)) => {
                let error = self.ident("error");
                let describe = describe(k, &quote! { #error });
                quote! { #trace.failed(#joined, |#error| #describe) }
            }
            _ => joined,
        };
        let joined_count = joined_futures.len();
        let in_join_order: Vec<&Ident> = join.names.iter().map(|n| &n.name).collect();
        let (pattern, rebind) = match (&fork.binding, &join.policy) {
            (None, _) => (quote! { (#(#pattern,)*) }, None),
            (Some(binding), Policy::First | Policy::Quorum { .. }) => (quote! { #binding }, None),
            (Some(binding), Policy::All | Policy::Settled(_)) => {
                let value = match in_join_order.as_slice() {
                    [one] => quote! { #one },
                    many => quote! { (#(#many),*) },
                };
                (
                    quote! { (#(#pattern,)*) },
                    Some((quote! { #binding }, value)),
                )
            }
        };
        let (prelude, merged) = match &trace {
            Some(trace) => self.fork_trace(trace, fork, join, path, joined_count),
            None => (TokenStream::new(), TokenStream::new()),
        };
        ForkCode {
            joined,
            pattern,
            rebind,
            background,
            fallible,
            prelude,
            merged,
        }
    }

    /// A branch's future. Its output is the branch's value (`Vec` of them for a fan-out,
    /// `Option` for an optional branch), in `Ok::<_, BranchError<#ok_wrap>>` when it
    /// cannot fail and `ok_wrap` is set.
    fn branch(
        &mut self,
        branch: &Branch,
        model: &model::Branch<Span>,
        path: &[String],
        ok_wrap: Option<&TokenStream>,
        fork_has_questions: bool,
        branch_span: Option<&Ident>,
    ) -> TokenStream {
        let k = self.krate;
        // Whether the chain of steps itself returns a `Result`.
        let steps_fail = model.steps_can_fail();
        let chain = Chain {
            branch,
            model,
            path,
            fallible: steps_fail,
            callables: None,
        };
        let awaits_inside =
            matches!(model.steps.as_slice(), [model::Step::Task(task)] if task.awaits());
        let path_text = path.join(".");
        let mut future = match (&branch.fan_out, branch.steps.as_slice()) {
            (Some(fan_out), _) => self.fan_out(&chain, fan_out),
            // A branch of one plain step is its future itself, exactly what a
            // hand-written `join!` would poll: no async block around it. Not when the
            // expression awaits something itself: that must happen inside the branch.
            (
                None,
                [
                    Step::Expr {
                        expr,
                        question: None,
                        modifiers,
                    },
                ],
            ) if !awaits_inside && modifiers.timeout.is_none() && modifiers.retry.is_none() => {
                let k_step = self.krate_at(expr.span());
                quote_spanned! {expr.span()=> #k_step::__private::IntoFuture::into_future(#expr) }
            }
            _ => {
                let body = self.chain(&chain, 0, &Input::None);
                quote! { async { #body } }
            }
        };
        // The wrappers below are `FutureExt::map` adapters, not async blocks: no state of
        // their own, and the branch's future is still built where `join!` takes it.
        let ok = |future: &TokenStream, error: &TokenStream| {
            quote! {
                #k::__private::FutureExt::map(#future, #k::__private::Ok::<_, #k::__private::BranchError<#error>>)
            }
        };
        let mut fails = steps_fail;
        if let Some(timeout) = &branch.modifiers.timeout {
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
            future = quote_spanned! {timeout.at=>
                #k_timeout::__private::timeout_branch::<_, #error_type>(#path_text, #after, #future)
            };
            fails = true;
        }
        if branch.modifiers.optional.is_some() && fails {
            // An optional branch's failure is `None`, and the fork goes on.
            future = match branch_span {
                None => {
                    quote! { #k::__private::FutureExt::map(#future, #k::__private::Result::ok) }
                }
                // `#[traced]`: the failure is told before it is dropped.
                Some(_) => {
                    let (output, error) = (self.ident("output"), self.ident("error"));
                    let name = branch.name.unraw().to_string();
                    let describe = self.describe(model, &error);
                    quote! {
                        #k::__private::FutureExt::map(#future, |#output| match #output {
                            #k::__private::Ok(#output) => #k::__private::Some(#output),
                            #k::__private::Err(#error) => {
                                #k::__private::optional_failed(#name, &#describe);
                                #k::__private::None
                            }
                        })
                    }
                }
            };
            fails = false;
        }
        if let (Some(error), false) = (ok_wrap, fails) {
            future = ok(&future, error);
        }
        future
    }

    /// `#[traced]`: the text of the `BranchError` in `error` of an `#[optional]`
    /// branch: the user's error's `Display` when its steps name its type, else the
    /// `BranchError`'s own ("branch `x` failed").
    fn describe(&self, model: &model::Branch<Span>, error: &Ident) -> TokenStream {
        let k = self.krate;
        if model.steps_can_fail() {
            describe(k, &quote! { #error.error() })
        } else {
            quote! { #k::__private::ToString::to_string(#error) }
        }
    }

    /// `#[traced]`: the statement that opens a fork's trace (its span, a child of the
    /// workflow's or of the enclosing branch's, and the split event) and the one that
    /// records the merge.
    fn fork_trace(
        &self,
        trace: &Ident,
        fork: &Fork,
        join: &parse::Join,
        path: &[String],
        joined: usize,
    ) -> (TokenStream, TokenStream) {
        let k = self.krate;
        let names = fork.branches.iter().map(|b| b.name.unraw().to_string());
        let background = join.background.iter().map(|b| b.unraw().to_string());
        let in_join_order: Vec<String> = join
            .names
            .iter()
            .map(|n| n.name.unraw().to_string())
            .collect();
        let policy = match join.policy {
            Policy::All if join.question.is_some() => {
                "the join waits for all, the first failure cancels the others".to_owned()
            }
            Policy::All => "the join waits for all".to_owned(),
            Policy::Settled(_) => "the join waits for all, failed or not (settled)".to_owned(),
            Policy::First => "the first to succeed wins".to_owned(),
            Policy::Quorum { k, .. } => format!("the first {k} to succeed win (quorum)"),
        };
        let parent = match (&self.traced, path.is_empty()) {
            (Some(workflow), true) => quote! { parent: &#workflow, },
            _ => TokenStream::new(),
        };
        let prelude = quote! {
            let #trace = #k::__private::ForkTrace::split(
                #k::__private::tracing::info_span!(#parent "fork"),
                &[#(#names),*],
                #joined,
                &[#(#background),*],
                #policy,
            );
        };
        let merged = quote! { #trace.merged(&[#(#in_join_order),*]); };
        (prelude, merged)
    }

    /// The future of a fan-out branch: the chain runs once per item, at most `limit` at
    /// once, and the outputs come back in the items' order. Every step expression of an
    /// item is evaluated when the item starts.
    fn fan_out(&mut self, chain: &Chain<'_>, fan_out: &crate::parse::FanOut) -> TokenStream {
        let k = self.krate;
        let crate::parse::FanOut { pat, items, .. } = fan_out;
        let limit = match &chain.branch.modifiers.limit {
            Some(limit) => {
                let max = &limit.max;
                quote! { ::core::option::Option::Some(#max) }
            }
            None => quote! { ::core::option::Option::None },
        };
        let mut eager = TokenStream::new();
        let mut callables = Vec::new();
        for (i, step) in chain.branch.steps.iter().enumerate() {
            let Step::Expr { expr, .. } = step else {
                callables.push(None);
                continue;
            };
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
            [
                Step::Expr {
                    expr,
                    question,
                    modifiers,
                },
            ] if modifiers.timeout.is_none()
                && modifiers.retry.is_none()
                && self.traced.is_none() =>
            {
                let span = expr.span();
                let k_step = self.krate_at(span);
                let future =
                    quote_spanned! {span=> #k_step::__private::IntoFuture::into_future(#expr) };
                match question {
                    None => quote! { |#pat| #future },
                    // The step's own `Result` (checked to be one), its error made a
                    // `BranchError` once, for the failing item only.
                    Some(question) => {
                        let k_q = self.krate_at(question.span);
                        let closure = quote_spanned! {question.span=>
                            |#pat| #k_q::__private::fallible_item(#future)
                        };
                        let path = chain.path.join(".");
                        return self.try_fan_out(
                            items,
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
                quote! { |#pat| { #eager async move { #body } } }
            }
        };
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
        items: &syn::Expr,
        limit: &TokenStream,
        closure: &TokenStream,
        at: Span,
        branch_error: impl FnOnce(&Ident) -> TokenStream,
    ) -> TokenStream {
        let k = self.krate;
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
    fn chain(&mut self, chain: &Chain<'_>, from: usize, input: &Input) -> TokenStream {
        let k = self.krate;
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
            Step::Expr {
                expr,
                question,
                modifiers,
            } => {
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
                    future = quote_spanned! {timeout.at=> #k_step::__private::with_timeout(#after, #future) };
                }
                if let Some(retry) = &modifiers.retry {
                    let (count, backoff) = (&retry.retries, &retry.backoff);
                    future = quote_spanned! {retry.at=>
                        #k_step::__private::retry(#count, #backoff, || #future)
                    };
                }
                // The future is bound before it is awaited: temporaries of the step's
                // expression (a `RefCell` borrow, a lock guard) end here, as they would
                // in `join!(f(cell.borrow().len()), ...)`, instead of living across the
                // await.
                // `#[traced]`: a step's span, a child of its branch's (whose span names
                // the step when it is the only one).
                if self.traced.is_some() && chain.model.steps.len() > 1 {
                    let label = step_label(chain.model, from);
                    future = quote! {
                        #k::__private::Instrument::instrument(#future, #k::__private::tracing::debug_span!(#label))
                    };
                }
                let pending = self.user_ident("future", span);
                let future = quote_spanned! {span=> { let #pending = #future; #pending } };
                let value = self.ident("value");
                let bind = match question {
                    Some(question) => {
                        let path = chain.path.join(".");
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
                let Some(model::Step::Fork(model)) = chain.model.steps.get(from) else {
                    return TokenStream::new();
                };
                let code = self.fork(fork, model, chain.path);
                let names: Vec<Ident> = fork
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
                        quote! {
                            #prelude
                            #k::__private::with_background(async { #bind #rest }, #background, #fails).await
                        }
                    }
                }
            }
        }
    }
}

/// `#[traced]`: the text of the error `error` refers to, by autoref specialization: its
/// `Display` when it has one, else its type's name. Only where the error's type is
/// already known (an inference variable would pick `Display` and fail later).
fn describe(k: &TokenStream, error: &TokenStream) -> TokenStream {
    quote! {
        {
            #[allow(unused_imports)]
            use #k::__private::{DescribeAny as _, DescribeDisplay as _};
            (&&#k::__private::Describe(#error)).describe()
        }
    }
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

/// `#[traced]` on the workflow: spans and events for `tracing`.
fn is_traced(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("traced")
}

/// `#[traced]` takes no arguments and is written once.
fn traced_errors(attrs: &[syn::Attribute]) -> Vec<syn::Error> {
    let mut errors = Vec::new();
    for (i, attr) in attrs.iter().filter(|a| is_traced(a)).enumerate() {
        if i > 0 {
            errors.push(diag::error(
                attr.path().span(),
                "`#[traced]` is written twice",
                "keep one",
            ));
        } else if !matches!(attr.meta, syn::Meta::Path(_)) {
            errors.push(diag::error(
                attr.path().span(),
                "`#[traced]` takes no arguments",
                "write `#[traced]`, and choose levels and targets with your subscriber's filter \
                 (spans and events are at INFO, steps' spans at DEBUG)",
            ));
        }
    }
    errors
}

/// The short name of step `index` of a branch, for its span.
fn step_label(model: &model::Branch<Span>, index: usize) -> String {
    match model.steps.get(index) {
        Some(model::Step::Task(task)) => task.label.clone(),
        _ => "step".to_owned(),
    }
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
struct Chain<'c> {
    branch: &'c Branch,
    model: &'c model::Branch<Span>,
    /// Branch names from the outermost fork, for `BranchError::path`.
    path: &'c [String],
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
    fn any_impl(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(ident) => ident == "impl",
            proc_macro2::TokenTree::Group(group) => any_impl(group.stream()),
            _ => false,
        })
    }
    any_impl(quote::ToTokens::to_token_stream(ty))
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

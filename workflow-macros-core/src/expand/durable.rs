//! `#[durable]`: every step's result journaled under its compile-time id, through the
//! runtime's `__private::durable`.
//!
//! Durable is not a [`Mode`](super::Mode) but a layer under every mode (a durable
//! workflow may be `#[traced]` too): the expander wraps each step's future in
//! `durable::step(ctx, "0.credit.1", ..)` (or `try_step` for a step marked `?`), each
//! fan-out's items in `durable::items` and each item in `durable::scoped`, and races a
//! `first`/`quorum` join's branches with `durable::first`/`quorum` (which journal the
//! decision under the fork's id), whatever the mode; and the workflow becomes a `Workflow` impl on a marker type that the engine
//! runs, with a starter `fn` of the workflow's name that takes the arguments.
//!
//! ```text
//! #[durable] pub async fn loan(ctx: Context, app: App) -> R { body }
//! ```
//! becomes
//! ```text
//! pub struct __workflow_durable_loan;
//! impl Workflow for __workflow_durable_loan {
//!     const NAME = "loan"; const STEPS = &[every step id]; type Args = (App,); type Output = R;
//!     fn run(ctx: Context, args: (App,)) -> BoxFuture<R> { .. body with its steps wrapped .. }
//!     fn failure(output: &R) -> Option<String> // when R is a `Result`
//! }
//! pub fn loan(app: App) -> Start<__workflow_durable_loan> { Start::new((app,)) }
//! ```

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, Pat, ReturnType, Type};

use crate::diag::Ctxt;
use crate::model::{Branch, Fork, Step, Syn, Workflow};
use crate::parse::Item;

/// What the expander keeps for a durable workflow: the local holding `&Context`.
#[derive(Clone)]
pub(crate) struct Layer {
    ctx: Ident,
}

impl Layer {
    pub(crate) fn new() -> Self {
        Layer {
            ctx: Ident::new("__workflow_ctx", Span::mixed_site()),
        }
    }

    /// A step's future, journaled under `id`: `try_step` for a step marked `?` (its
    /// `Err` is recorded as a failure, run again by a redrive). Reported at the step:
    /// an output that serde cannot journal is an error there.
    pub(crate) fn step(
        &self,
        k: &TokenStream,
        id: &str,
        fallible: bool,
        span: Span,
        future: &TokenStream,
    ) -> TokenStream {
        let ctx = &self.ctx;
        let k = super::located_at(k.clone(), span);
        let wrapper = if fallible {
            Ident::new("try_step", span)
        } else {
            Ident::new("step", span)
        };
        quote_spanned! {span=> #k::__private::durable::#wrapper(#ctx, #id, #future) }
    }

    /// A step's `#[timeout]`: its deadline journaled under the step's key, so a resumed
    /// step gets only what is left of its time.
    pub(crate) fn timeout(
        &self,
        k: &TokenStream,
        span: Span,
        after: &TokenStream,
        future: &TokenStream,
    ) -> TokenStream {
        let ctx = &self.ctx;
        quote_spanned! {span=>
            #k::__private::durable::timeout(#ctx, #after, #future, |t| #k::__private::timed_out(t))
        }
    }

    /// A step's `#[retry]`: each attempt an occurrence of the step `id`, the next
    /// attempt's time journaled when one fails; with a `policy` (`max`, `jitter`, `if`),
    /// its waits and its predicate.
    pub(crate) fn retry(
        &self,
        k: &TokenStream,
        id: &str,
        span: Span,
        (count, backoff, policy): (
            &TokenStream,
            &TokenStream,
            Option<(TokenStream, TokenStream)>,
        ),
        future: &TokenStream,
    ) -> TokenStream {
        let ctx = &self.ctx;
        match policy {
            None => quote_spanned! {span=>
                #k::__private::durable::retry(#ctx, #id, #count, #backoff, || #future)
            },
            // The jittered waits are journaled as the times of the next attempts.
            Some((policy, worth)) => quote_spanned! {span=>
                #k::__private::durable::retry_if(#ctx, #id, #count, #policy, || #future, #worth)
            },
        }
    }

    /// A branch's `#[timeout]`: its deadline journaled under the branch's id (and that
    /// it timed out), so a replay decides the same.
    pub(crate) fn timeout_branch(
        &self,
        k: &TokenStream,
        span: Span,
        branch: &Branch<Syn<'_>>,
        (error_type, after): (&TokenStream, &TokenStream),
        future: &TokenStream,
    ) -> TokenStream {
        let ctx = &self.ctx;
        let id = fan_out_id(branch);
        let path = &branch.path;
        quote_spanned! {span=>
            #k::__private::durable::timeout_branch::<_, #error_type>(
                #ctx, #id, #path, #after, #future, |t| #k::__private::timed_out(t),
            )
        }
    }

    /// A `first`/`quorum` join, its decision journaled under the fork's `id`: the
    /// branches pinned where they are written, raced by `durable::first`/`quorum`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn race(
        &self,
        k: &TokenStream,
        race: &TokenStream,
        id: &str,
        at: Span,
        names: &[String],
        pinned: &[Ident],
        futures: &[TokenStream],
    ) -> TokenStream {
        let ctx = &self.ctx;
        let k_at = super::located_at(k.clone(), at);
        quote_spanned! {at=>
            {
                #(let mut #pinned = #k::__private::pin!(#futures);)*
                #k_at::__private::durable::#race(
                    #ctx,
                    #id,
                    [#(#names),*],
                    [#(#k::__private::durable::racer(#pinned.as_mut())),*],
                ).await
            }
        }
    }

    /// A fan-out's items, journaled before the first item starts, each with its scope;
    /// with its `#[limit(n)]` (which holds across workers when they share the items).
    pub(crate) fn items(
        &self,
        k: &TokenStream,
        id: &str,
        items: &syn::Expr,
        limit: &TokenStream,
    ) -> TokenStream {
        let ctx = &self.ctx;
        let span = items.span();
        let k = super::located_at(k.clone(), span);
        quote_spanned! {span=> #k::__private::durable::limited_items(#ctx, #id, #items, #limit) }
    }

    /// The closure that starts one item: `(scope, PAT)`, its eager step expressions,
    /// and its future polled in its scope.
    pub(crate) fn item(
        k: &TokenStream,
        pat: &Pat,
        eager: &TokenStream,
        body: &TokenStream,
    ) -> TokenStream {
        let scope = Ident::new("__workflow_scope", Span::mixed_site());
        quote! {
            |(#scope, #pat)| {
                #eager
                #k::__private::durable::scoped(#scope, async move { #body })
            }
        }
    }
}

/// `item` behind the runtime's `durable_gate!`: written as it is when the runtime has
/// its `durable` feature; otherwise one error on `#[durable]` that names the feature,
/// instead of an error at every path into `__private::durable`.
pub(crate) fn gated(model: &Workflow<Syn<'_>>, at: Span, item: &TokenStream) -> TokenStream {
    let k = super::located_at(model.original.krate.clone(), at);
    quote_spanned! {at=> #k::__private::durable_gate! { #item } }
}

/// The id of a branch (what a fan-out's items and a branch timeout are keyed by): its
/// first step's id without the step index (`0.files.0` -> `0.files`).
pub(crate) fn fan_out_id(branch: &Branch<Syn<'_>>) -> String {
    let first = branch.steps.first().map_or("", |step| match step {
        Step::Task(task) => task.id.as_str(),
        Step::Fork(fork) => fork.id.as_str(),
    });
    first
        .rsplit_once('.')
        .map_or(first, |(id, _)| id)
        .to_owned()
}

/// Every id the journal may hold for this workflow: each race's (its fork's id), each
/// step's and each fan-out's, in source order. Resuming an instance whose journal holds an id not in this list is
/// refused (the step was removed or moved).
fn ids(forks: &[Fork<Syn<'_>>], out: &mut Vec<String>) {
    for fork in forks {
        // A race journals its decision under the fork's id.
        if fork.join.as_ref().is_some_and(|join| join.policy.races()) {
            out.push(fork.id.clone());
        }
        for branch in &fork.branches {
            // A fan-out's items and a branch timeout's deadline are keyed by the branch.
            if branch.fan_out.is_some() || branch.original.modifiers.timeout.is_some() {
                let id = fan_out_id(branch);
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            for step in &branch.steps {
                match step {
                    Step::Task(task) => out.push(task.id.clone()),
                    Step::Fork(inner) => ids(core::slice::from_ref(inner), out),
                }
            }
        }
    }
}

/// Whether the signature can be a durable workflow's (the fallback then still writes
/// its starter, so that callers get no second error): no generics, owned arguments, a
/// named output, the context first.
pub(crate) fn signature_fits(model: &Workflow<Syn<'_>>) -> bool {
    let sig = &model.original.sig;
    has_context(model)
        && sig.generics.params.is_empty()
        && sig.generics.where_clause.is_none()
        && sig.inputs.iter().all(|arg| match arg {
            FnArg::Typed(arg) => first_borrow(&arg.ty).is_none(),
            FnArg::Receiver(_) => false,
        })
        && !matches!(&sig.output, ReturnType::Type(_, ty) if super::mentions_impl(ty))
}

/// Whether the first parameter is a name and a type: the context (`item` needs it).
fn has_context(model: &Workflow<Syn<'_>>) -> bool {
    matches!(
        model.original.sig.inputs.first(),
        Some(FnArg::Typed(arg)) if matches!(&*arg.pat, Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none())
    )
}

/// What a durable workflow's signature and body must be: checked with the other
/// problems, each reported on its token.
pub(crate) fn check(model: &Workflow<Syn<'_>>, cx: &Ctxt) {
    let input = model.original;
    let sig = &input.sig;
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        cx.error(
            sig.generics.span(),
            "a `#[durable]` workflow cannot be generic",
            "the engine resumes an instance from its journal by the workflow's name: write it \
             for concrete types, and call a generic `async fn` from its steps",
        );
    }
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Typed(_)) if has_context(model) => {}
        Some(FnArg::Receiver(receiver)) => receiver_error(cx, receiver.span()),
        Some(other) => cx.error(
            other.span(),
            "a `#[durable]` workflow's first parameter is its context, a name and a type",
            "write `ctx: Context` first (`workflow_runtime::durable::Context`)",
        ),
        None => cx.error(
            sig.paren_token.span.join(),
            "a `#[durable]` workflow's first parameter is its context",
            "write `ctx: Context` (`workflow_runtime::durable::Context`): its steps, signals \
             and timers reach the journal through it; the arguments come after it",
        ),
    }
    for arg in inputs {
        match arg {
            FnArg::Receiver(receiver) => receiver_error(cx, receiver.span()),
            FnArg::Typed(arg) => {
                if let Some(borrow) = first_borrow(&arg.ty) {
                    cx.error(
                        borrow,
                        "a `#[durable]` workflow's arguments are journaled: a borrow cannot be",
                        "take an owned value (`String` for `&str`, `Vec<T>` for `&[T]`): \
                         the instance may resume in another process",
                    );
                }
            }
        }
    }
    if let ReturnType::Type(_, ty) = &sig.output
        && super::mentions_impl(ty)
    {
        cx.error(
            ty.span(),
            "a `#[durable]` workflow's output is journaled: its type must be named",
            "write the type itself (a `Result<T, E>` of serde types)",
        );
    }
    for item in &input.body {
        if let Item::Fork(fork) = item
            && let Some(spawn) = fork.spawn
        {
            cx.error(
                spawn,
                "`#[spawn]` is not for a `#[durable]` workflow",
                "remove `#[spawn]`: a durable instance runs as a task of its own, and its \
                 branches run concurrently in it",
            );
        }
    }
}

fn receiver_error(cx: &Ctxt, at: Span) {
    cx.error(
        at,
        "a `#[durable]` workflow is not a method",
        "write a free `async fn` whose first parameter is `ctx: Context`, and pass what \
         `self` held as arguments",
    );
}

/// The first `&` in a parameter's type, if any.
fn first_borrow(ty: &Type) -> Option<Span> {
    super::find_token(
        ty,
        |tt| matches!(tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == '&'),
    )
}

/// The whole output of a valid durable workflow: the marker type, its `Workflow` impl
/// running `body` (the body as the mode expanded it, its steps wrapped), and the
/// starter `fn`. `graph` is the workflow's graph constant.
pub(crate) fn item(model: &Workflow<Syn<'_>>, body: &TokenStream) -> TokenStream {
    let input = model.original;
    let k = &input.krate;
    let layer = Layer::new();
    let ctx_local = &layer.ctx;
    let sig = &input.sig;
    let vis = &input.vis;
    let name = &sig.ident;
    let display = model.display_name();
    let marker = format_ident!("__workflow_durable_{}", display);
    let mut inputs = sig.inputs.iter().filter_map(|arg| match arg {
        FnArg::Typed(arg) => Some(arg),
        FnArg::Receiver(_) => None,
    });
    let Some(context) = inputs.next() else {
        return quote! { ::core::compile_error!("internal error: a durable workflow without its context") };
    };
    let Pat::Ident(context_pat) = &*context.pat else {
        return quote! { ::core::compile_error!("internal error: a durable workflow's context is not a name") };
    };
    let (context_name, context_ty) = (&context_pat.ident, &context.ty);
    let (mut pats, mut types, mut params, mut names) = (vec![], vec![], vec![], vec![]);
    for (i, arg) in inputs.enumerate() {
        let ty = &arg.ty;
        let param = match &*arg.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
            _ => format_ident!("__workflow_arg{}", i, span = Span::mixed_site()),
        };
        pats.push(&arg.pat);
        types.push(ty);
        params.push(quote! { #param: #ty });
        names.push(param);
    }
    let output = match &sig.output {
        ReturnType::Default => quote! { () },
        ReturnType::Type(_, ty) => quote! { #ty },
    };
    let failure = match &sig.output {
        ReturnType::Type(_, ty) if is_result(ty) => quote! {
            fn failure(output: &Self::Output) -> ::core::option::Option<::std::string::String> {
                #k::__private::durable::failure_of(output)
            }
        },
        _ => TokenStream::new(),
    };
    let mut steps = Vec::new();
    ids(&model.forks, &mut steps);
    let signals = match signal_names(&input.body_tokens, &context_name.unraw().to_string()) {
        Some(names) => quote! {
            const SIGNALS: ::core::option::Option<&'static [&'static str]> =
                ::core::option::Option::Some(&[#(#names),*]);
        },
        None => TokenStream::new(),
    };
    let attrs = input
        .attrs
        .iter()
        .filter(|attr| !crate::model::is_mode(attr));
    let inner_attrs = &input.inner_attrs;
    let args = Ident::new("__workflow_args", Span::mixed_site());
    let out = Ident::new("__workflow_out", Span::mixed_site());
    // The body owns the context (its `&Context` local is what the steps take) and the
    // arguments.
    let owned_body = super::typed_async(
        k,
        &out,
        &quote! { Self::Output },
        &quote! {
            let #context_pat: #context_ty = #ctx_local;
            let #ctx_local = &#context_name;
            #body
        },
        Some(syn::Token![move](Span::call_site())),
    );
    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #marker;

        impl #k::__private::durable::Workflow for #marker {
            const NAME: &'static str = #display;
            const STEPS: &'static [&'static str] = &[#(#steps),*];
            type Args = (#(#types,)*);
            type Output = #output;
            #signals

            #[allow(unused_mut, unreachable_code, clippy::all)]
            fn run(
                #ctx_local: #k::__private::durable::Context,
                #args: Self::Args,
            ) -> #k::__private::durable::BoxFuture<Self::Output> {
                #(#inner_attrs)*
                let (#(#pats,)*) = #args;
                #k::__private::durable::boxed(#owned_body)
            }

            #failure
        }

        #(#attrs)*
        #vis fn #name(#(#params),*) -> #k::__private::durable::Start<#marker> {
            #k::__private::durable::Start::new((#(#names,)*))
        }
    }
}

/// Whether the written output type is a `Result` (its last path segment).
/// The names of the signals the body waits for: every `ctx.signal("name")` (or
/// `ctx.signal::<T>("name")`) with a literal name, in source order without repeats.
/// `None` when they cannot all be known: the context is used other than through its
/// methods (passed to a function, cloned, moved), a signal's name is not a literal, or
/// the body calls a macro other than std's formatting and assertion macros (whose
/// arguments are walked): another macro's expansion may use the context unseen.
fn signal_names(body: &TokenStream, ctx: &str) -> Option<Vec<String>> {
    use proc_macro2::TokenTree;
    const METHODS: &[&str] = &["sleep", "now", "random", "idempotency_key", "instance_id"];
    /// Macros whose arguments are plain expressions: what the walk sees is what runs.
    const SEEN_THROUGH: &[&str] = &[
        "println",
        "print",
        "eprintln",
        "eprint",
        "format",
        "write",
        "writeln",
        "assert",
        "assert_eq",
        "assert_ne",
        "debug_assert",
        "debug_assert_eq",
        "debug_assert_ne",
        "vec",
        "matches",
        "panic",
        "dbg",
        "todo",
        "unimplemented",
        "unreachable",
        "format_args",
    ];
    fn walk(tokens: TokenStream, ctx: &str, names: &mut Vec<String>) -> Option<()> {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                TokenTree::Group(group) => walk(group.stream(), ctx, names)?,
                // A macro call (`name!(..)`, `path::name! { .. }`).
                TokenTree::Ident(ident)
                    if matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!')
                        && matches!(tokens.get(i + 2), Some(TokenTree::Group(_)))
                        && !SEEN_THROUGH.contains(&ident.unraw().to_string().as_str()) =>
                {
                    return None;
                }
                TokenTree::Ident(ident) if ident.unraw() == ctx => {
                    let dot = matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '.');
                    let method = match tokens.get(i + 2) {
                        Some(TokenTree::Ident(method)) if dot => method.to_string(),
                        _ => return None,
                    };
                    if METHODS.contains(&method.as_str()) {
                        i += 3;
                        continue;
                    }
                    if method != "signal" {
                        return None;
                    }
                    // `::<T>` (its groups inside the angle brackets): skip to the call's
                    // parentheses.
                    let mut j = i + 3;
                    let mut depth = 0usize;
                    while let Some(tree) = tokens.get(j) {
                        match tree {
                            TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
                            TokenTree::Punct(p) if p.as_char() == '>' => {
                                depth = depth.checked_sub(1)?;
                            }
                            TokenTree::Group(group)
                                if depth == 0
                                    && group.delimiter() == proc_macro2::Delimiter::Parenthesis =>
                            {
                                break;
                            }
                            TokenTree::Group(_) if depth == 0 => return None,
                            _ => {}
                        }
                        j += 1;
                    }
                    let Some(TokenTree::Group(call)) = tokens.get(j) else {
                        return None;
                    };
                    let mut args = call.stream().into_iter();
                    let first = args.next()?;
                    if args.next().is_some() {
                        return None;
                    }
                    let name = syn::parse2::<syn::LitStr>(first.into()).ok()?.value();
                    if !names.contains(&name) {
                        names.push(name);
                    }
                    i = j + 1;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        Some(())
    }
    let mut names = Vec::new();
    walk(body.clone(), ctx, &mut names)?;
    Some(names)
}

fn is_result(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Result"))
}

#[cfg(test)]
mod tests {
    use super::signal_names;

    fn names(body: &str) -> Option<Vec<String>> {
        signal_names(&body.parse().expect("tokens"), "ctx")
    }

    #[test]
    fn lists_the_literal_names_of_signal_calls() {
        let body = r#"
            fork < a: f(), b: g() -> |_| ctx.signal::<Review>("review") > join(a, b);
            let w = ctx.signal("payment").timeout(d);
            println!("{}", ctx.instance_id());
            ctx.signal::<Vec<(u8, u8)>>("review");
        "#;
        assert_eq!(names(body), Some(vec!["review".into(), "payment".into()]));
        assert_eq!(names("let x = 1;"), Some(vec![]));
        assert_eq!(
            names("r#ctx.signal::<u32>(\"raw\");"),
            Some(vec!["raw".into()])
        );
        assert_eq!(
            signal_names(&"ctx.signal(\"r\");".parse().unwrap(), "ctx"),
            Some(vec!["r".into()])
        );
    }

    #[test]
    fn does_not_know_when_the_context_may_be_used_unseen() {
        for body in [
            "helper(&ctx);",
            "let c = ctx.clone();",
            "ctx.signal(NAME);",
            "ctx.signal(\"a\", 1);",
            "my_wait!();",
            "include!(\"wait.rs\");",
            "tokio::select! { _ = x => {} }",
            "let ctx = other;",
            "(ctx).signal(\"a\");",
        ] {
            assert_eq!(names(body), None, "{body}");
        }
        // Not macro calls: a `!=` and a negation.
        assert_eq!(names("if a != b { !c; }"), Some(vec![]));
    }
}

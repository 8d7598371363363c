//! Code generation: a validated workflow becomes plain async Rust.
//!
//! A fork becomes, in the scope where it starts:
//!
//! ```text
//! let __s0 = <first step of branch a>;   // every step expression is evaluated when
//! let __s1 = <second step of branch a>;  // the fork starts, in source order
//! let __s2 = <first step of branch b>;
//! let __b0 = async { let v = __s0.await; IntoFuture::into_future(__s1(v)).await };
//! let __b1 = async { __s2.await };
//! let (a, b) = join!(__b0, __b1);                          // try_join!(..)? when fallible
//! ```
//!
//! so a static fork costs what the hand-written `join!` costs: the branches are async
//! blocks on the stack, no allocation. Background branches are polled beside the rest of
//! the scope (`join!(async { rest }, background)`), so they finish before it does.
//! Every name the generated code introduces has a mixed-site span: user code cannot see
//! or clash with it. Every path goes through `<runtime>::__private`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{Ident, ReturnType, Type};

use crate::diag;
use crate::model::{self, Workflow};
use crate::parse::{self, Branch, Fork, Item, Step};
use crate::validate::validate;

pub(crate) fn workflow(tokens: TokenStream) -> TokenStream {
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
        attrs, vis, sig, ..
    } = input;
    let errors = errors.iter().map(syn::Error::to_compile_error);
    quote! {
        #(#attrs)*
        #[allow(unused_variables, unreachable_code, clippy::all)]
        #vis #sig {
            #(#errors)*
            ::core::panic!("the workflow did not compile")
        }
    }
}

struct Expander<'a> {
    input: &'a parse::Input,
    krate: &'a TokenStream,
    next_id: usize,
}

/// What a fork expands to before its join is bound.
struct ForkCode {
    /// Evaluates every step expression and defines every branch future.
    setup: TokenStream,
    /// The joined branches' futures polled together: a tuple, or a `Result` of one.
    joined: TokenStream,
    /// The pattern that binds the joined outputs, in branch order.
    pattern: TokenStream,
    /// The background branches polled together, if any.
    background: Option<TokenStream>,
    fallible: bool,
}

impl<'a> Expander<'a> {
    fn new(input: &'a parse::Input) -> Self {
        Expander {
            input,
            krate: &input.krate,
            next_id: 0,
        }
    }

    fn item(mut self, forks: &[model::Fork<Span>]) -> TokenStream {
        let parse::Input {
            attrs, vis, sig, ..
        } = self.input;
        let body = self.items(&self.input.body, forks);
        quote! {
            #(#attrs)*
            #vis #sig {
                #body
            }
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

    /// The runtime's path, reported at `span`: an expression that starts with it is
    /// then reported at the user's tokens, not at the whole macro call.
    fn krate_at(&self, span: Span) -> TokenStream {
        located_at(self.krate.clone(), span)
    }

    /// The statements of the body from `items` on, with forks expanded.
    /// `forks` are the model's forks of `items`, in order.
    fn items(&mut self, items: &[Item], forks: &[model::Fork<Span>]) -> TokenStream {
        let Some((first, rest)) = items.split_first() else {
            return TokenStream::new();
        };
        match first {
            Item::Rust(tokens) => {
                let rest = self.items(rest, forks);
                quote! { #tokens #rest }
            }
            // Rejected by validation; nothing reaches here.
            Item::StrayJoin(_) => self.items(rest, forks),
            Item::Fork(fork) => {
                let Some((model, forks)) = forks.split_first() else {
                    return TokenStream::new();
                };
                let code = self.fork(fork, model, &[]);
                let ForkCode {
                    joined, pattern, ..
                } = &code;
                let question = fork.join.as_ref().and_then(|j| j.question);
                let bind = quote! { let #pattern = #joined #question; };
                let rest = self.items(rest, forks);
                let scope_type = scope_type(&self.input.sig.output);
                self.with_background(code, &bind, &rest, scope_type.as_ref())
            }
        }
    }

    /// `setup; bind; rest`, with the background branches (if any) polled beside `bind; rest`.
    fn with_background(
        &mut self,
        code: ForkCode,
        bind: &TokenStream,
        rest: &TokenStream,
        scope_type: Option<&TokenStream>,
    ) -> TokenStream {
        let k = self.krate;
        let ForkCode {
            setup, background, ..
        } = code;
        let Some(background) = background else {
            return quote! { #setup #bind #rest };
        };
        let scope = match scope_type {
            Some(ty) => quote! { #k::__private::scope::<#ty, _>(async { #bind #rest }) },
            None => quote! { async { #bind #rest } },
        };
        let out = self.ident("out");
        quote! {
            #setup
            let (#out, ()) = #k::__private::join!(#scope, #background);
            #out
        }
    }

    fn fork(&mut self, fork: &Fork, model: &model::Fork<Span>, path: &[String]) -> ForkCode {
        let k = self.krate;
        let Some(join) = &fork.join else {
            // Rejected by validation.
            return ForkCode {
                setup: TokenStream::new(),
                joined: quote! { () },
                pattern: quote! { () },
                background: None,
                fallible: false,
            };
        };
        let fallible = model.is_fallible();
        let mut setup = TokenStream::new();
        let mut joined_futures = Vec::new();
        let mut pattern = Vec::new();
        let mut background_futures = Vec::new();
        for (branch, model) in fork.branches.iter().zip(&model.branches) {
            let mut branch_path = path.to_vec();
            branch_path.push(branch.name.to_string());
            let in_background = join.background.contains(&branch.name);
            let future = self.branch(
                branch,
                model,
                &branch_path,
                fallible && !in_background,
                &mut setup,
            );
            if in_background {
                background_futures.push(future);
            } else if let Some(name) = join.names.iter().find(|n| n.name == branch.name) {
                let (mutability, name) = (&name.mutability, &name.name);
                pattern.push(quote! { #mutability #name });
                joined_futures.push(future);
            }
        }
        // Reported at the `join` keyword: a borrow that outlives the join points there.
        let joined = located_at(
            if fallible {
                quote! { #k::__private::try_join!(#(#joined_futures),*) }
            } else {
                quote! { #k::__private::join!(#(#joined_futures),*) }
            },
            join.keyword.span,
        );
        let background = match background_futures.as_slice() {
            [] => None,
            // A background branch's output has no one to receive it.
            [one] => Some(quote! { async { let _ = #one.await; } }),
            many => Some(quote! { async { let _ = #k::__private::join!(#(#many),*); } }),
        };
        ForkCode {
            setup,
            joined,
            pattern: quote! { (#(#pattern,)*) },
            background,
            fallible,
        }
    }

    /// Adds the branch's step expressions and its future to `setup`; returns the future's name.
    fn branch(
        &mut self,
        branch: &Branch,
        model: &model::Branch<Span>,
        path: &[String],
        fallible: bool,
        setup: &mut TokenStream,
    ) -> Ident {
        let mut steps = Vec::new();
        for step in &branch.steps {
            match step {
                Step::Expr { expr, .. } => {
                    let name = self.ident("step");
                    setup.extend(quote! { let #name = #expr; });
                    steps.push(Some(name));
                }
                Step::Fork(_) => steps.push(None),
            }
        }
        let chain = Chain {
            branch,
            model,
            path,
            fallible,
            steps: &steps,
        };
        let body = self.chain(&chain, 0, &Input::None);
        let future = self.ident("branch");
        setup.extend(quote! { let #future = async { #body }; });
        future
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
            Step::Expr { expr, question } => {
                let span = expr.span();
                let name = chain.steps.get(from).cloned().flatten();
                let k_step = self.krate_at(span);
                let call = match input {
                    Input::None => {
                        let name =
                            name.map(|n| Ident::new(&n.to_string(), n.span().located_at(span)));
                        quote_spanned! {span=> #name }
                    }
                    // Reported at this step: a type error in the hand-over points at the
                    // step that cannot take the value.
                    Input::Value(value) => located_at(
                        quote! { #k_step::__private::IntoFuture::into_future(#name(#value)) },
                        span,
                    ),
                    Input::Joined(names) => located_at(
                        quote! { #k_step::__private::IntoFuture::into_future(#name(#(#names),*)) },
                        span,
                    ),
                };
                let value = self.ident("value");
                let bind = match question {
                    Some(question) => {
                        let path = chain.path.join(".");
                        let (ok, error) = (self.ident("ok"), self.ident("error"));
                        let k_q = self.krate_at(question.span);
                        // Reported at the step: a step that is not a `Result` points there.
                        // One hygiene context for the whole expression, or rustc widens
                        // its span to the macro call.
                        // rustc reports a mixed-site span at the macro call, so this name
                        // has the step's own span (its name cannot clash: it is numbered).
                        let output = self.ident("output");
                        let output = Ident::new(&output.to_string(), span);
                        let output_here = &output;
                        let result = quote_spanned! {question.span=>
                            #k_q::__private::fallible(#output_here)
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
                            let #output = #call.await;
                            let #value = match #result { #arms };
                        }
                    }
                    None => quote_spanned! {span=> let #value = #call.await; },
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
                let ForkCode {
                    joined, pattern, ..
                } = &code;
                let bind = if code.fallible {
                    let error = self.ident("error");
                    let ok = self.ident("ok");
                    quote! {
                        let #pattern = match #joined {
                            #k::__private::Ok(#ok) => #ok,
                            #k::__private::Err(#error) => return #k::__private::Err(#error),
                        };
                    }
                } else {
                    quote! { let #pattern = #joined; }
                };
                let rest = self.chain(chain, from + 1, &Input::Joined(names));
                self.with_background(code, &bind, &rest, None)
            }
        }
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
struct Chain<'c> {
    branch: &'c Branch,
    model: &'c model::Branch<Span>,
    /// Branch names from the outermost fork, for `BranchError::path`.
    path: &'c [String],
    /// Whether the branch's future returns a `Result` (its fork can fail).
    fallible: bool,
    /// The local holding each expression step, evaluated when the fork started.
    steps: &'c [Option<Ident>],
}

/// The type that the scope beside background branches must produce: the function's
/// return type, when it can be named inside the body (not `impl Trait`).
fn scope_type(output: &ReturnType) -> Option<TokenStream> {
    match output {
        ReturnType::Default => Some(quote! { () }),
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

//! The workflow graph as data: a `const` beside the generated function, built from the
//! parsed workflow, that `workflow_runtime::graph` describes and exports.
//!
//! ```text
//! #[allow(dead_code)]
//! pub const FULFIL_GRAPH: graph::Workflow = graph::Workflow::new("fulfil", loc, &[
//!     graph::Fork::new(loc, false, &[graph::Branch::new("product", "product", loc, None,
//!         modifiers, &[graph::Step::Task(graph::Task::new("get_product", "get_product(order.sku)", ..))])],
//!         graph::Join::new(loc, graph::Policy::All, &["product"], &[], true)),
//! ]);
//! ```
//!
//! Everything is a constant expression: the data is in the binary's read-only memory,
//! and nothing at all is kept when the constant is not used.

use proc_macro2::{Delimiter, LineColumn, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;

use crate::model;
use crate::modifiers::Modifiers;
use crate::parse::{self, Branch, Fork, Item, Policy, Step};

/// The name of the constant that holds the graph of workflow `name`: `FULFIL_GRAPH`.
pub fn const_name(name: &syn::Ident) -> syn::Ident {
    format_ident!(
        "{}_GRAPH",
        name.unraw().to_string().to_uppercase(),
        span = name.span()
    )
}

/// The constant item holding the graph of the workflow.
pub fn item(input: &parse::Input) -> TokenStream {
    let k = &input.krate;
    let name = &input.sig.ident;
    let const_name = const_name(name);
    let vis = &input.vis;
    let text = name.unraw().to_string();
    let graph = Graph { krate: k };
    let at = graph.location(name.span());
    let forks = input.body.iter().filter_map(|item| match item {
        Item::Fork(fork) => Some(graph.fork(fork, &[])),
        _ => None,
    });
    let doc = format!(
        "The graph of the workflow `{text}`: its forks, branches, steps and joins as data \
         (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or \
         `to_conductor_json()`."
    );
    quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        #vis const #const_name: #k::graph::Workflow = #k::graph::Workflow::new(#text, #at, &[#(#forks),*]);
    }
}

struct Graph<'a> {
    krate: &'a TokenStream,
}

impl Graph<'_> {
    fn location(&self, span: Span) -> TokenStream {
        let k = self.krate;
        let LineColumn { line, column } = span.start();
        let (line, column) = (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column + 1).unwrap_or(u32::MAX),
        );
        quote! { #k::graph::Location::new(::core::file!(), #line, #column) }
    }

    fn fork(&self, fork: &Fork, path: &[String]) -> TokenStream {
        let k = self.krate;
        let at = self.location(fork.keyword.span);
        let spawn = fork.spawn.is_some();
        let branches = fork.branches.iter().map(|branch| {
            let mut path = path.to_vec();
            path.push(branch.name.unraw().to_string());
            self.branch(branch, &path)
        });
        let join = match &fork.join {
            Some(join) => {
                let at = self.location(join.keyword.span);
                let policy = match join.policy {
                    Policy::All => quote! { All },
                    Policy::Settled(_) => quote! { Settled },
                    Policy::First => quote! { First },
                    Policy::Quorum { k, .. } => quote! { Quorum(#k) },
                };
                let joined = join.names.iter().map(|n| n.name.unraw().to_string());
                let background = join.background.iter().map(|n| n.unraw().to_string());
                let fallible = join.question.is_some();
                quote! {
                    #k::graph::Join::new(#at, #k::graph::Policy::#policy, &[#(#joined),*], &[#(#background),*], #fallible)
                }
            }
            // Only when the workflow did not compile: the graph still has its forks.
            None => quote! {
                #k::graph::Join::new(#at, #k::graph::Policy::All, &[], &[], false)
            },
        };
        quote! { #k::graph::Fork::new(#at, #spawn, &[#(#branches),*], #join) }
    }

    fn branch(&self, branch: &Branch, path: &[String]) -> TokenStream {
        let k = self.krate;
        let name = branch.name.unraw().to_string();
        let path_text = path.join(".");
        let at = self.location(branch.name.span());
        let fan_out = match &branch.fan_out {
            Some(fan_out) => {
                let pattern = source_text(fan_out.pat.to_token_stream());
                let items = source_text(fan_out.items.to_token_stream());
                let limit = option(branch.modifiers.limit.as_ref().map(|l| l.text.as_str()));
                quote! { ::core::option::Option::Some(#k::graph::FanOut::new(#pattern, #items, #limit)) }
            }
            None => quote! { ::core::option::Option::None },
        };
        let modifiers = self.modifiers(&branch.modifiers);
        let steps = branch.steps.iter().map(|step| match step {
            Step::Fork(fork) => {
                let fork = self.fork(fork, path);
                quote! { #k::graph::Step::Fork(#fork) }
            }
            Step::Expr {
                modifiers,
                expr,
                question,
            } => {
                let name = model::label(expr);
                let code = source_text(expr.to_token_stream());
                let at = self.location(expr.span());
                let fallible = question.is_some();
                let modifiers = self.modifiers(modifiers);
                quote! {
                    #k::graph::Step::Task(#k::graph::Task::new(#name, #code, #at, #fallible, #modifiers))
                }
            }
        });
        quote! {
            #k::graph::Branch::new(#name, #path_text, #at, #fan_out, #modifiers, &[#(#steps),*])
        }
    }

    fn modifiers(&self, modifiers: &Modifiers) -> TokenStream {
        let k = self.krate;
        let optional = modifiers.optional.is_some();
        let timeout = option(modifiers.timeout.as_ref().map(|t| t.text.as_str()));
        let retry = option(modifiers.retry.as_ref().map(|r| r.text.as_str()));
        quote! { #k::graph::Modifiers::new(#optional, #timeout, #retry) }
    }
}

fn option(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote! { ::core::option::Option::Some(#text) },
        None => quote! { ::core::option::Option::None },
    }
}

/// The tokens as the user wrote them: a space only where the source had whitespace
/// (known from the tokens' locations), and any run of whitespace, newlines included,
/// as one space. Without locations (tokens made by another macro), tokens are printed
/// with a space between each.
pub fn source_text(tokens: TokenStream) -> String {
    let mut text = Text::default();
    text.stream(tokens);
    text.out
}

#[derive(Default)]
struct Text {
    out: String,
    end: Option<LineColumn>,
}

impl Text {
    fn stream(&mut self, tokens: TokenStream) {
        for token in tokens {
            match token {
                TokenTree::Group(group) => {
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::None => ("", ""),
                    };
                    // Tokens printed by syn lose their delimiters' own spans (both are
                    // the whole group's), so the delimiters are placed at its two ends.
                    let (start, end) = (group.span().start(), group.span().end());
                    if !open.is_empty() {
                        let after = LineColumn {
                            column: start.column + 1,
                            ..start
                        };
                        self.token(open, start, after);
                    }
                    self.stream(group.stream());
                    if !close.is_empty() {
                        let before = LineColumn {
                            column: end.column.saturating_sub(1),
                            ..end
                        };
                        self.token(close, before, end);
                    }
                }
                other => {
                    let span = other.span();
                    self.token(&other.to_string(), span.start(), span.end());
                }
            }
        }
    }

    fn token(&mut self, token: &str, start: LineColumn, end: LineColumn) {
        let located = start.line > 0;
        if let Some(end) = self.end
            && (!located || end != start)
        {
            self.out.push(' ');
        }
        self.out.push_str(token);
        self.end = Some(end);
    }
}

#[cfg(test)]
mod should {
    // Imports inside the tests: the expansion bench compiles this module with
    // `cfg(test)` but without its tests.
    #[test]
    fn print_steps_as_written() {
        use super::{TokenStream, source_text};
        for source in [
            "get_product(order.sku)",
            "async move { x + 1 }",
            "|v: Vec<u8>| -> usize { v.len() }",
            "HashMap::<K, V>::new()",
            "self.product(id + 1)",
            "250ms",
            "3, backoff = 10ms",
        ] {
            let tokens: TokenStream = source.parse().unwrap();
            assert_eq!(source_text(tokens), source);
        }
    }

    #[test]
    fn fold_whitespace_and_newlines_into_one_space() {
        use super::{TokenStream, source_text};
        let tokens: TokenStream = "fetch(\n    a,\n    b,\n)".parse().unwrap();
        assert_eq!(source_text(tokens), "fetch( a, b, )");
    }

    #[test]
    fn name_the_constant_after_the_workflow() {
        use super::const_name;
        let ident: syn::Ident = syn::parse_str("r#fulfil").unwrap();
        assert_eq!(const_name(&ident).to_string(), "FULFIL_GRAPH");
    }
}

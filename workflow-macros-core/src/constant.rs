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

use proc_macro2::{LineColumn, Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use syn::ext::IdentExt as _;

use crate::model::{Branch, Fork, Step, Syn, Workflow};
use crate::modifiers::Modifiers;
use crate::text::{code_text, source_text};

/// The name of the constant that holds the graph of workflow `name`: `FULFIL_GRAPH`.
pub fn const_name(name: &syn::Ident) -> syn::Ident {
    format_ident!(
        "{}_GRAPH",
        name.unraw().to_string().to_uppercase(),
        span = name.span()
    )
}

/// The constant item holding the graph of the workflow.
pub fn item(workflow: &Workflow<Syn<'_>>) -> TokenStream {
    let input = workflow.original;
    let k = &input.krate;
    let const_name = const_name(&input.sig.ident);
    let vis = &input.vis;
    let text = workflow.display_name();
    let graph = Graph { krate: k };
    let at = location(input.sig.ident.span());
    let forks = workflow.forks.iter().map(|fork| graph.fork(fork));
    let doc = format!(
        " The graph of the workflow `{text}`: its forks, branches, steps and joins as data \
         (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or \
         `to_conductor_json()`."
    );
    // Short local helpers for what every node repeats (the file, a step with no
    // modifier): the constant was nine tenths of a wide fork's expansion.
    quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        #vis const #const_name: #k::graph::Workflow = {
            const __WORKFLOW_FILE: &str = ::core::file!();
            const __WORKFLOW_PLAIN: #k::graph::Modifiers =
                #k::graph::Modifiers::new(false, ::core::option::Option::None, ::core::option::Option::None);
            // Parameters with generated names: a user's `const line` in scope would
            // make a parameter `line` a refutable pattern.
            const fn __workflow_at(__workflow_line: u32, __workflow_column: u32) -> #k::graph::Location {
                #k::graph::Location::new(__WORKFLOW_FILE, __workflow_line, __workflow_column)
            }
            const fn __workflow_task(
                __workflow_name: &'static str,
                __workflow_code: &'static str,
                __workflow_line: u32,
                __workflow_column: u32,
                __workflow_fallible: bool,
                __workflow_id: &'static str,
            ) -> #k::graph::Step {
                #k::graph::Step::Task(
                    #k::graph::Task::new(
                        __workflow_name,
                        __workflow_code,
                        __workflow_at(__workflow_line, __workflow_column),
                        __workflow_fallible,
                        __WORKFLOW_PLAIN,
                    )
                    .with_id(__workflow_id),
                )
            }
            #k::graph::Workflow::new(#text, #at, &[#(#forks),*])
        };
    }
}

struct Graph<'a> {
    krate: &'a TokenStream,
}

impl Graph<'_> {
    fn fork(&self, fork: &Fork<Syn<'_>>) -> TokenStream {
        let k = self.krate;
        let at = location(fork.at);
        let spawn = fork.original.fork.spawn.is_some();
        let branches = fork.branches.iter().map(|branch| self.branch(branch));
        let join = match &fork.join {
            Some(join) => {
                let at = location(join.at);
                let policy = match join.policy.graph_variant() {
                    (variant, None) => {
                        let variant = syn::Ident::new(variant, Span::call_site());
                        quote! { #variant }
                    }
                    (variant, Some(count)) => {
                        let variant = syn::Ident::new(variant, Span::call_site());
                        quote! { #variant(#count) }
                    }
                };
                let joined = join.names.iter().map(|n| &n.text);
                let background = join.background.iter().map(|n| &n.text);
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

    fn branch(&self, branch: &Branch<Syn<'_>>) -> TokenStream {
        let k = self.krate;
        let original = branch.original;
        let name = &branch.name.text;
        let path_text = &branch.path;
        let at = location(branch.name.at);
        let fan_out = match &original.fan_out {
            Some(fan_out) => {
                let pattern = source_text(fan_out.pat.to_token_stream());
                let items = code_text(fan_out.items.to_token_stream());
                let limit = option(original.modifiers.limit.as_ref().map(|l| l.text.as_str()));
                quote! { ::core::option::Option::Some(#k::graph::FanOut::new(#pattern, #items, #limit)) }
            }
            None => quote! { ::core::option::Option::None },
        };
        let modifiers = self.modifiers(&original.modifiers);
        let steps = branch.steps.iter().map(|step| match step {
            Step::Fork(fork) => {
                let fork = self.fork(fork);
                quote! { #k::graph::Step::Fork(#fork) }
            }
            Step::Task(task) => {
                let name = &task.label;
                let code = code_text(task.original.expr.to_token_stream());
                let fallible = task.fallible.is_some();
                let id = &task.id;
                let modifiers = &task.original.modifiers;
                if modifiers.is_plain() {
                    let (line, column) = line_column(task.at);
                    return quote! { __workflow_task(#name, #code, #line, #column, #fallible, #id) };
                }
                let at = location(task.at);
                let modifiers = self.modifiers(modifiers);
                quote! {
                    #k::graph::Step::Task(#k::graph::Task::new(#name, #code, #at, #fallible, #modifiers).with_id(#id))
                }
            }
        });
        quote! {
            #k::graph::Branch::new(#name, #path_text, #at, #fan_out, #modifiers, &[#(#steps),*])
        }
    }

    fn modifiers(&self, modifiers: &Modifiers) -> TokenStream {
        let k = self.krate;
        if modifiers.is_plain() {
            return quote! { __WORKFLOW_PLAIN };
        }
        let optional = modifiers.optional.is_some();
        let timeout = option(modifiers.timeout.as_ref().map(|t| t.text.as_str()));
        let retry = option(modifiers.retry.as_ref().map(|r| r.text.as_str()));
        quote! { #k::graph::Modifiers::new(#optional, #timeout, #retry) }
    }
}

/// Where `span` starts, through the constant's `__workflow_at`.
fn location(span: Span) -> TokenStream {
    let (line, column) = line_column(span);
    quote! { __workflow_at(#line, #column) }
}

/// Where `span` starts, as the graph's 1-based line and column.
fn line_column(span: Span) -> (u32, u32) {
    let LineColumn { line, column } = span.start();
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column + 1).unwrap_or(u32::MAX),
    )
}

fn option(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote! { ::core::option::Option::Some(#text) },
        None => quote! { ::core::option::Option::None },
    }
}

#[cfg(test)]
mod should {
    #[test]
    fn name_the_constant_after_the_workflow() {
        use super::const_name;
        let ident: syn::Ident = syn::parse_str("r#fulfil").unwrap();
        assert_eq!(const_name(&ident).to_string(), "FULFIL_GRAPH");
    }
}

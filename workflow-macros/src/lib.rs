//! Implementation detail of `workflow-runtime`: do not depend on this crate directly.
//!
//! The macro reads as a pipeline: [`parse`] turns tokens into an AST with spans,
//! [`model`] turns the AST into the workflow graph as plain data, [`validate`] checks the
//! graph and collects every error, and [`expand`] writes the async code.

mod diag;
mod expand;
#[cfg(test)]
mod fuzz_check;
mod graph;
mod model;
mod modifiers;
mod parse;
#[cfg(test)]
mod proptests;
mod validate;

/// Implementation of `workflow_runtime::workflow!`, which passes the runtime's path first.
#[proc_macro]
pub fn workflow_impl(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand::workflow(input.into()).into()
}

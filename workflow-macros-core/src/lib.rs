//! Implementation detail of `workflow-runtime`: do not depend on this crate directly.
//!
//! The `workflow!` macro's logic as an ordinary library, so that the proc-macro crate
//! (`workflow-macros`, one function), the fuzzer (`fuzz/`), the benches and the property
//! tests (`tests/proptests.rs`) all compile this one copy. It reads as a pipeline:
//! [`parse`] turns tokens into an AST with spans, [`model`] turns the AST into the
//! workflow graph, [`validate`] checks the graph and collects every error, and [`expand`]
//! writes the async code.
//!
//! | module | what it does |
//! |---|---|
//! | [`parse`] | tokens to the AST, every span kept; a statement that fails is skipped so the rest is still read |
//! | [`grammar`] | the grammar's words: the join policies and what each means to every pass |
//! | [`model`] | the decorated tree: each node borrows its syntax and carries names, paths, fallibility, policy and stable step ids; the workflow's attributes (its modes) are parsed here |
//! | [`validate`] | every check of the parallel model, on the tree, every problem collected |
//! | [`diag`] | error wording, and `Ctxt`, the one sink every pass reports to |
//! | [`expand`] | the tree to async Rust; `expand/mode.rs` is the seam for modes, `expand/traced.rs` the `#[traced]` mode |
//! | [`constant`] | the `NAME_GRAPH` constant, from the tree |
//! | [`text`] | the user's tokens printed as written (a step's code, string literals left out) |
//! | [`modifiers`] | `#[optional]`, `#[timeout]`, `#[retry]`, `#[limit]` parsed and checked |
//! | [`fuzz_check`] | the promises kept on any input, checked by the fuzzer and the property tests |
//!
//! A new join policy touches `grammar.rs` (its variant and words), `parse.rs` (its
//! syntax), `validate.rs` (its checks), `expand/mod.rs` (the join or race it becomes),
//! and the runtime's `graph` module (its `graph::Policy` variant and how the exporters
//! write it). A new mode is one file beside `expand/traced.rs` implementing
//! `expand::Mode`, its attribute in `model::Attributes`, and the arm of
//! `expand::workflow` that picks it.
//!
//! ```
//! let input: proc_macro2::TokenStream =
//!     "(::workflow_runtime) async fn w() { fork < a: f(), b: g() > join(a, b); }"
//!         .parse()
//!         .unwrap();
//! let code = workflow_macros_core::expand::workflow(input).to_string();
//! assert!(code.contains("join"));
//! assert!(!code.contains("compile_error"));
//! ```

pub mod constant;
pub mod diag;
pub mod expand;
pub mod fuzz_check;
pub mod grammar;
pub mod model;
pub mod modifiers;
pub mod parse;
pub mod text;
pub mod validate;

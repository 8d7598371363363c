//! Implementation detail of `workflow-runtime`: do not depend on this crate directly.
//!
//! The `workflow!` macro's logic as an ordinary library, so that the proc-macro crate
//! (`workflow-macros`, one function), the fuzzer (`fuzz/`), the benches and the property
//! tests (`tests/proptests.rs`) all compile this one copy. It reads as a pipeline:
//! [`parse`] turns tokens into an AST with spans, [`model`] turns the AST into the
//! workflow graph, [`validate`] checks the graph and collects every error, and [`expand`]
//! writes the async code.
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

pub mod diag;
pub mod expand;
pub mod fuzz_check;
pub mod grammar;
pub mod graph;
pub mod model;
pub mod modifiers;
pub mod parse;
pub mod validate;

//! Implementation detail of `workflow-runtime`: do not depend on this crate directly.
//!
//! The macro's logic lives in `workflow-macros-core`, an ordinary library that the
//! fuzzer, the benches and the property tests use too; this crate is its one entry point.

/// Implementation of `workflow_runtime::workflow!`, which passes the runtime's path first.
#[proc_macro]
pub fn workflow_impl(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    workflow_macros_core::expand::workflow(input.into()).into()
}

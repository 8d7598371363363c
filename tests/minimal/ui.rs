//! Compile-fail tests against `workflow-runtime` built with `default-features = false`:
//! a workflow that needs tokio (`#[timeout]`, `#[retry]`, `#[spawn]`) or tracing
//! (`#[traced]`) is one error on the attribute that names the feature, and a call of
//! the graph's writers without `export` one error on the call. Refresh with
//! `TRYBUILD=overwrite cargo test -p workflow-tests-minimal`, then read the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
}

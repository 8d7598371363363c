//! What the compiler says about the `#[durable]` workflows it rejects: each case in `ui/`
//! and its `.stderr`. Refresh with `TRYBUILD=overwrite cargo test -p
//! workflow-tests-durable --test durable_ui`, then read the diff as a user would.

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("ui/*.rs");
}

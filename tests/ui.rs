//! Compile-fail tests: every rejected workflow and the error a user sees.
//! Refresh the snapshots with `TRYBUILD=overwrite cargo test --test ui`, then read the
//! diff as a user would (see tests/README.md).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/parse/*.rs");
    t.compile_fail("ui/graph/*.rs");
    t.compile_fail("ui/types/*.rs");
    t.compile_fail("ui/policy/*.rs");
    t.compile_fail("ui/trace/*.rs");
    t.compile_fail("ui/durable/*.rs");
}

//! The workspace's root package: it holds the runnable examples (`examples/`). The
//! README's code blocks run as doctests of `workflow-runtime`, whose crate documentation
//! the README is (`workflow-runtime/README.md` links to it), so they run once in
//! `cargo test --workspace`. The integration and compile-fail tests are the
//! `workflow-tests` package (`tests/`), the benches the `workflow-benches` package
//! (`benches/`).

//! The workspace's root package: it holds the runnable examples (`examples/`) and runs
//! the README's code blocks as doctests, so every example in the README compiles and runs
//! in `cargo test`. The integration and compile-fail tests are the `workflow-tests`
//! package (`tests/`), the benches the `workflow-benches` package (`benches/`).
#![doc = include_str!("../README.md")]

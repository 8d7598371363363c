//! The workspace's root package: it holds the runnable examples (`examples/`), the
//! integration and compile-fail tests (`tests/`), and runs the README's code blocks as
//! doctests, so every example in the README compiles and runs in `cargo test`.
#![doc = include_str!("../README.md")]

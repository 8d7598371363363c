//! Compile-time cost: how long the `workflow!` macro takes to parse, check and expand a
//! generated workflow of 200 steps in 50 forks (25 forks, each with a nested fork).
//!
//! The macro's logic is the `workflow-macros-core` library, which the proc-macro crate calls.
//!
//! A second group expands bodies of 10, 100, 400 and 1,000 forks one after the other, to
//! show that expansion time grows linearly with the forks of one body.
//!
//! `cargo bench --bench expansion`; quick mode: `cargo bench --bench expansion -- --quick`.

use workflow_macros_core::{expand, parse};

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use proc_macro2::TokenStream;

/// Forks at the top level of the body; each holds one nested fork, so twice as many forks.
const TOP_FORKS: usize = 25;

/// The macro's input for a workflow of `TOP_FORKS` forks, each written as
///
/// ```text
/// fork <
///     a: step(x) -> next -> next,                              // 3 steps
///     b: step(x),                                              // 1 step
///     c: fork < p: step(x) -> next, q: step(x) > join(p, q)    // 3 steps, 1 fork
///         -> combine,                                          // 1 step
/// > join(a, b, c);
/// ```
///
/// 8 steps and 2 forks each, with the runtime's path first as `workflow!` passes it.
fn big_workflow() -> TokenStream {
    let mut body = String::new();
    for i in 0..TOP_FORKS {
        write!(
            body,
            "fork <
                a{i}: step(x) -> next -> next,
                b{i}: step(x),
                c{i}: fork < p{i}: step(x) -> next, q{i}: step(x) > join(p{i}, q{i}) -> combine,
            > join(a{i}, b{i}, c{i});
            let x = a{i} + b{i} + c{i};"
        )
        .expect("writing to a String");
    }
    format!("(::workflow_runtime) async fn big(x: u64) -> u64 {{ {body} x }}")
        .parse()
        .expect("the generated workflow is valid tokens")
}

fn expansion(c: &mut Criterion) {
    let input = big_workflow();
    let expanded = expand::workflow(input.clone()).to_string();
    assert!(
        !expanded.contains("compile_error"),
        "the generated workflow must be valid: {expanded}"
    );
    assert_eq!(
        expanded.matches("join !").count() + expanded.matches("join!").count(),
        2 * TOP_FORKS,
        "every fork expands to a join"
    );
    let mut group = c.benchmark_group("expansion of 200 steps in 50 forks");
    group.bench_function("parse", |b| {
        b.iter_batched(
            || input.clone(),
            |tokens| parse::parse_input(black_box(tokens)).map(|parsed| parsed.errors.len()),
            BatchSize::SmallInput,
        );
    });
    group.bench_function("parse + model + validate + expand", |b| {
        b.iter_batched(
            || input.clone(),
            |tokens| expand::workflow(black_box(tokens)),
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

/// The macro's input for a body of `forks` forks one after the other, each written as
/// `fork < aI: f(x), bI: g(x) > join(aI, bI); let x = aI + bI;`.
fn sequential_forks(forks: usize) -> TokenStream {
    let mut body = String::new();
    for i in 0..forks {
        write!(
            body,
            "fork < a{i}: f(x), b{i}: g(x) > join(a{i}, b{i}); let x = a{i} + b{i};"
        )
        .expect("writing to a String");
    }
    format!("(::workflow_runtime) async fn sequential(x: u64) -> u64 {{ {body} x }}")
        .parse()
        .expect("the generated workflow is valid tokens")
}

fn sequential(c: &mut Criterion) {
    let mut group = c.benchmark_group("expansion of sequential forks");
    for forks in [10, 100, 400, 1000] {
        let input = sequential_forks(forks);
        let expanded = expand::workflow(input.clone()).to_string();
        assert!(
            !expanded.contains("compile_error"),
            "the generated workflow must be valid: {expanded}"
        );
        group.bench_function(format!("{forks} forks"), |b| {
            b.iter_batched(
                || input.clone(),
                |tokens| expand::workflow(black_box(tokens)),
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, expansion, sequential);
criterion_main!(benches);

//! Ordinary Rust inside steps: borrows of parameters, closures, async closures,
//! generics, turbofish, comparisons and casts with `<` and `>`, methods on `&self`.
#![allow(clippy::unused_async)] // the steps stand in for real async services

use std::collections::HashMap;
use std::fmt::Display;

use futures::executor::block_on;
use workflow_runtime::workflow;

async fn len_of(text: &str) -> usize {
    text.len()
}

async fn parse_all<T: std::str::FromStr>(items: &[&str]) -> Vec<T> {
    items.iter().filter_map(|s| s.parse().ok()).collect()
}

async fn count<K: std::hash::Hash + Eq, V>(map: HashMap<K, V>) -> usize {
    map.len()
}

workflow! {
    /// Every awkward spelling of `<` and `>` a step may hold.
    async fn angle_brackets(text: &str, limit: usize) -> (bool, Vec<u8>, usize, usize, bool, u64) {
        fork <
            compare: async { text.len() > limit },
            turbofish: parse_all::<u8>(&["1", "x", "2"]),
            generic_args: count(HashMap::<String, Vec<u8>>::from([(String::from("k"), vec![1])])),
            closure_types: len_of(text) -> |n: usize| -> std::future::Ready<usize> { std::future::ready(n << 1) },
            shifts: async { (limit >> 1) < (limit << 1) && limit >= 1 },
            cast: async { limit as u64 },
        > join(compare, turbofish, generic_args, closure_types, shifts, cast);
        (compare, turbofish, generic_args, closure_types, shifts, cast)
    }
}

#[test]
fn angle_brackets_in_steps_parse_as_rust() {
    assert_eq!(
        block_on(angle_brackets("hello", 3)),
        (true, vec![1, 2], 1, 10, true, 3)
    );
}

workflow! {
    /// Steps borrow the workflow's parameters; later steps are closures, async
    /// closures and function paths.
    async fn borrows_and_closures(names: &[String], suffix: &str) -> (usize, String, String) {
        let greeting = String::from("hi");
        fork <
            total: async { names.iter().map(String::len).sum::<usize>() },
            first: len_of(&names[0]) -> async |n: usize| format!("{n}{suffix}"),
            shout: async { greeting.to_uppercase() } -> |s: String| async move { format!("{s}!") },
        > join(total, first, shout);
        (total, first, shout)
    }
}

#[test]
fn steps_borrow_parameters_and_locals() {
    let names = vec!["ab".to_owned(), "cde".to_owned()];
    assert_eq!(
        block_on(borrows_and_closures(&names, "x")),
        (5, "2x".to_owned(), "HI!".to_owned())
    );
}

workflow! {
    /// A generic workflow.
    pub async fn describe_both<A: Display + Clone, B: Display>(a: A, b: B) -> String {
        fork <
            left: async { a.to_string() },
            right: async { b.to_string() },
        > join(left, right);
        format!("{left}/{right}/{}", a.clone())
    }
}

#[test]
fn a_workflow_can_be_generic() {
    assert_eq!(block_on(describe_both(1, "two")), "1/two/1");
}

struct Shop {
    name: String,
}

impl Shop {
    async fn product(&self, id: u32) -> String {
        format!("{}#{id}", self.name)
    }

    workflow! {
        /// A workflow as a method: steps borrow `self`.
        async fn order(&self, id: u32) -> String {
            fork <
                product: self.product(id),
                again: self.product(id + 1),
            > join(product, again);
            format!("{product} {again}")
        }
    }
}

#[test]
fn a_workflow_can_be_a_method() {
    let shop = Shop {
        name: "acme".to_owned(),
    };
    assert_eq!(block_on(shop.order(1)), "acme#1 acme#2");
}

workflow! {
    async fn where_am_i() -> (u32, u32) {
        fork <
            first: async { line!() },
            second: async { line!() },
        > join(first, second);
        (first, second)
    }
}

#[test]
fn spans_survive_the_macro() {
    let source = include_str!("rust_in_steps.rs");
    let line_of = |needle: &str| {
        let index = source
            .lines()
            .position(|l| l.contains(needle))
            .expect("the step is in this file");
        u32::try_from(index + 1).expect("small file")
    };
    assert_eq!(
        block_on(where_am_i()),
        (
            line_of("first: async { line!() }"),
            line_of("second: async { line!() }")
        )
    );
}

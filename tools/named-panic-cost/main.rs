//! The cases of tools/named-panic-cost/run.sh: `named-panic-cost CASE RUNS` runs one
//! workflow of benches/static_fork.rs RUNS times; `named-panic-cost size CASE` prints
//! its future's size.
#![allow(dead_code, unused_imports)]
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll};

use futures::FutureExt as _;
use workflow_runtime::{BranchError, workflow};

// The bench's steps, `run` and workflows (tools/traced-cost/cases.py).
include!("cases.rs");

/// `fork8` by hand, the `futures::join!` the generated code is measured against.
async fn by_hand8(x: u64) -> u64 {
    let (a, b, c, d, e, f, g, h) = futures::join!(
        step(x),
        step(x),
        step(x),
        step(x),
        step(x),
        step(x),
        step(x),
        step(x)
    );
    a + b + c + d + e + f + g + h
}

workflow! {
    /// Wider than 8: joined by a tree of `join5`s, each branch caught on its own.
    async fn wide12(x: u64) -> u64 {
        fork <
            a: step(x), b: step(x), c: step(x), d: step(x), e: step(x), f: step(x),
            g: step(x), h: step(x), i: step(x), j: step(x), k: step(x), l: step(x),
        > join(a, b, c, d, e, f, g, h, i, j, k, l);
        a + b + c + d + e + f + g + h + i + j + k + l
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args[1] == "size" {
        let size = match args[2].as_str() {
            "fork2" => size_of_val(&fork2(1)),
            "fork8" => size_of_val(&fork8(1)),
            "by_hand8" => size_of_val(&by_hand8(1)),
            "wide12" => size_of_val(&wide12(1)),
            "nested3" => size_of_val(&nested3(1)),
            "by_hand_nested3" => size_of_val(&by_hand_nested3(1)),
            "fallible3" => size_of_val(&fallible3(1)),
            "by_hand_fallible3" => size_of_val(&by_hand_fallible3(1)),
            other => panic!("unknown case {other}"),
        };
        println!("{size}");
        return;
    }
    let runs: u64 = args[2].parse().unwrap();
    let mut sum = 0u64;
    for i in 0..runs {
        let x = black_box(i);
        sum = sum.wrapping_add(match args[1].as_str() {
            "fork2" => run(fork2(x)),
            "fork8" => run(fork8(x)),
            "by_hand8" => run(by_hand8(x)),
            "wide12" => run(wide12(x)),
            "nested3" => run(nested3(x)),
            "by_hand_nested3" => run(by_hand_nested3(x)),
            "fallible3" => run(fallible3(x)).unwrap(),
            "by_hand_fallible3" => run(by_hand_fallible3(x)).unwrap(),
            other => panic!("unknown case {other}"),
        });
    }
    println!("{sum}");
}

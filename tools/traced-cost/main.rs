//! The cases of tools/traced-cost/run.sh and tools/named-panic-cost/run.sh:
//! `cost-cases CASE RUNS` runs one workflow RUNS times (every future polled to its end
//! with a no-op waker); `cost-cases size CASE` prints its future's size.
#![allow(dead_code, unused_imports)]
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll};

use futures::FutureExt as _;
use workflow_runtime::{BranchError, workflow};

// benches/static_fork.rs's steps, `run`, workflows and their by-hand twins (cases.py).
include!("cases.rs");

workflow! {
    /// Wider than 8: joined by a tree of `named_join5`s, one catch a node.
    async fn wide12(x: u64) -> u64 {
        fork <
            a: step(x), b: step(x), c: step(x), d: step(x), e: step(x), f: step(x),
            g: step(x), h: step(x), i: step(x), j: step(x), k: step(x), l: step(x),
        > join(a, b, c, d, e, f, g, h, i, j, k, l);
        a + b + c + d + e + f + g + h + i + j + k + l
    }
}

/// `case(name)` runs the case `name` with its argument; `size(name)` is its future's
/// size. Picked once, before the runs: each run costs every case the same indirect call.
macro_rules! cases {
    ($($name:literal => $future:ident $(. $unwrap:ident())?),* $(,)?) => {
        fn case(name: &str) -> fn(u64) -> u64 {
            match name {
                $($name => |x| run($future(x))$(.$unwrap())?,)*
                other => panic!("unknown case {other}"),
            }
        }

        fn size(name: &str) -> usize {
            match name {
                $($name => size_of_val(&$future(1)),)*
                other => panic!("unknown case {other}"),
            }
        }
    };
}

cases! {
    "fork2" => fork2,
    "fork8" => fork8,
    "by_hand8" => by_hand8,
    "wide12" => wide12,
    "nested3" => nested3,
    "by_hand_nested3" => by_hand_nested3,
    "fallible3" => fallible3.unwrap(),
    "by_hand_fallible3" => by_hand_fallible3.unwrap(),
    "traced_fork8" => traced8,
    "traced_nested3" => traced_nested3,
    "traced_fallible3" => traced_fallible3.unwrap(),
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args[1] == "size" {
        println!("{}", size(&args[2]));
        return;
    }
    let case = case(&args[1]);
    let runs: u64 = args[2].parse().unwrap();
    let mut sum = 0u64;
    for i in 0..runs {
        sum = sum.wrapping_add(case(black_box(i)));
    }
    println!("{sum}");
}

//! The cases of tools/traced-cost/run.sh: `traced-cost CASE RUNS` runs one workflow RUNS
//! times; `traced-cost size CASE` prints its future's size, traced/untraced.
#![allow(dead_code, unused_imports)]
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll};

use futures::FutureExt as _;
use workflow_runtime::{BranchError, workflow};

// The bench's steps, `run` and workflows (cases.py).
include!("cases.rs");

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args[1] == "size" {
        let (t, u) = match args[2].as_str() {
            "fork8" => (size_of_val(&traced8(1)), size_of_val(&fork8(1))),
            "nested3" => (size_of_val(&traced_nested3(1)), size_of_val(&nested3(1))),
            _ => (size_of_val(&traced_fallible3(1)), size_of_val(&fallible3(1))),
        };
        println!("{t}/{u}");
        return;
    }
    let runs: u64 = args[2].parse().unwrap();
    let mut sum = 0u64;
    for i in 0..runs {
        let x = black_box(i);
        sum = sum.wrapping_add(match args[1].as_str() {
            "fork8" => run(fork8(x)),
            "nested3" => run(nested3(x)),
            "fallible3" => run(fallible3(x)).unwrap(),
            "traced_fork8" => run(traced8(x)),
            "traced_nested3" => run(traced_nested3(x)),
            "traced_fallible3" => run(traced_fallible3(x)).unwrap(),
            other => panic!("unknown case {other}"),
        });
    }
    println!("{sum}");
}

//! A driver for callgrind: runs `N` instances of a fork of ready steps, one after the
//! other on a current-thread runtime, plain or `#[durable]` on `MemoryJournal`.
//! Instruction counts are not moved by a noisy machine as times are; the count of one
//! instance is the difference of two runs (`N` and `2N`) over `N`, which takes the
//! program's start out.
//!
//! ```sh
//! cargo build --release -p workflow-benches-durable --example overhead
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/overhead memory 8 1000
//! ```
//!
//! Arguments: `plain` or `memory`, the fork's width (`2`, `3` or `8`), `N`.

use std::hint::black_box;

use workflow_benches_durable::{
    durable_eight, durable_three_ready, durable_two_ready, plain_eight, plain_three_ready,
    plain_two_ready,
};
use workflow_runtime::durable::{Engine, MemoryJournal};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, width, n] = &args[..] else {
        panic!("usage: overhead plain|memory 2|3|8 N");
    };
    let n: u32 = n.parse().expect("N, a number");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let engine = Engine::new(MemoryJournal::new());
    let ids: Vec<String> = (0..n).map(|i| format!("i-{i}")).collect();
    let mut sum = 0u64;
    for id in &ids {
        let x = black_box(1);
        let out = match (mode.as_str(), width.as_str()) {
            ("plain", "2") => rt.block_on(plain_two_ready(x)),
            ("plain", "3") => rt.block_on(plain_three_ready(x)),
            ("plain", "8") => rt.block_on(plain_eight(x)),
            ("memory", "2") => rt
                .block_on(engine.run(id, durable_two_ready(x)))
                .expect("run"),
            ("memory", "3") => rt
                .block_on(engine.run(id, durable_three_ready(x)))
                .expect("run"),
            ("memory", "8") => rt.block_on(engine.run(id, durable_eight(x))).expect("run"),
            _ => panic!("usage: overhead plain|memory 2|3|8 N"),
        };
        sum += u64::from(out);
    }
    println!("{mode} {width} x {n}: {sum}, {} commits", engine.commits());
}

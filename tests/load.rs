//! Load: 10,000 workflow instances at once on tokio's multi-thread runtime, each a fork of
//! 8 branches whose every branch is a nested fork of 2 steps followed by a third (24
//! steps, 9 forks). All of them are in flight together: every step waits at a gate
//! until all 160,000 first steps have started, then the gate opens and every instance
//! must return its own correct output.
//!
//! A counting global allocator measures the heap that the instances hold while all are
//! in flight, and its peak; the test prints both per instance and fails if an instance
//! holds more than `MAX_BYTES_PER_INSTANCE`.
//!
//! `LOAD_INSTANCES=100000 cargo test --release --test load -- --nocapture` is the long
//! mode.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use tokio::sync::Semaphore;
use workflow_runtime::workflow;

/// Counts the bytes allocated and not yet freed, and their peak.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: delegates every call to the system allocator; only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as our caller's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as our caller's.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as our caller's.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        moved
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Closed once every instance is in flight; every step waits for it.
static GATE: Semaphore = Semaphore::const_new(0);
/// How many first steps have started.
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// An instance may hold at most this much heap while in flight. Measured: 2,455 bytes in
/// a debug build, its tokio task with the workflow's 2,328-byte future inside.
const MAX_BYTES_PER_INSTANCE: usize = 8 * 1024;

async fn fetch(value: u64) -> u64 {
    WAITING.fetch_add(1, Ordering::Relaxed);
    // The semaphore has no permits: this returns when it is closed.
    let _closed = GATE.acquire().await;
    value
}

async fn combine(left: u64, right: u64) -> u64 {
    let _closed = GATE.acquire().await;
    left * 3 + right
}

workflow! {
    /// 8 branches, each a nested fork of two steps joined and handed on to a third.
    async fn instance(i: u64) -> u64 {
        fork <
            a: fork < x: fetch(i), y: fetch(i + 1) > join(x, y) -> combine,
            b: fork < x: fetch(i + 2), y: fetch(i + 3) > join(x, y) -> combine,
            c: fork < x: fetch(i + 4), y: fetch(i + 5) > join(y, x) -> combine,
            d: fork < x: fetch(i + 6), y: fetch(i + 7) > join(x, y) -> combine,
            e: fork < x: fetch(i + 8), y: fetch(i + 9) > join(y, x) -> combine,
            f: fork < x: fetch(i + 10), y: fetch(i + 11) > join(x, y) -> combine,
            g: fork < x: fetch(i + 12), y: fetch(i + 13) > join(x, y) -> combine,
            h: fork < x: fetch(i + 14), y: fetch(i + 15) > join(y, x) -> combine,
        > join(h, g, f, e, d, c, b, a);
        // Positional weights: a value in the wrong branch or order changes the sum.
        [a, b, c, d, e, f, g, h]
            .iter()
            .enumerate()
            .map(|(k, v)| v * (k as u64 + 1))
            .sum()
    }
}

/// What `instance(i)` returns, computed without the macro.
fn expected(i: u64) -> u64 {
    (0..8_u64)
        .map(|k| {
            let (x, y) = (i + 2 * k, i + 2 * k + 1);
            // Branches c, e and h join (y, x): `combine` gets them swapped.
            let (left, right) = if matches!(k, 2 | 4 | 7) {
                (y, x)
            } else {
                (x, y)
            };
            (left * 3 + right) * (k + 1)
        })
        .sum()
}

#[test]
fn ten_thousand_nested_forks_at_once_on_the_multi_thread_runtime() {
    let instances: usize = std::env::var("LOAD_INSTANCES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a multi-thread runtime");
    let started = Instant::now();
    let (outputs, in_flight, baseline) = runtime.block_on(async {
        let mut handles = Vec::with_capacity(instances);
        let baseline = CURRENT.load(Ordering::SeqCst);
        PEAK.store(baseline, Ordering::SeqCst);
        for i in 0..instances {
            handles.push(tokio::spawn(instance(i as u64 * 100)));
        }
        // Every instance is in flight once all its first steps wait at the gate.
        while WAITING.load(Ordering::Relaxed) < instances * 16 {
            tokio::task::yield_now().await;
        }
        let in_flight = CURRENT.load(Ordering::SeqCst);
        GATE.close();
        let mut outputs = Vec::with_capacity(instances);
        for handle in handles {
            outputs.push(handle.await.expect("an instance completes"));
        }
        (outputs, in_flight, baseline)
    });
    let elapsed = started.elapsed();
    for (i, output) in outputs.iter().enumerate() {
        assert_eq!(*output, expected(i as u64 * 100), "instance {i}");
    }
    let held = in_flight.saturating_sub(baseline) / instances;
    let peak = PEAK.load(Ordering::SeqCst).saturating_sub(baseline) / instances;
    let future = std::mem::size_of_val(&instance(0));
    println!(
        "{instances} instances of 8 nested forks: {held} B of heap per instance in flight \
         (peak {peak} B; the workflow's future is {future} B), all done in {elapsed:.2?}"
    );
    assert!(
        held <= MAX_BYTES_PER_INSTANCE,
        "an instance holds {held} bytes in flight"
    );
}

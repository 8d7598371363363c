//! What a limited fan-out allocates before its items run: room for what its limit starts
//! at once, not for what its iterator's size hint claims. A global allocator records the
//! largest allocation of this thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::{Future, pending};
use std::pin::pin;
use std::task::{Context, Waker};

use workflow_runtime::fan_out::{fan_out, try_fan_out};

struct Largest;

thread_local! {
    // Per thread, so that tests running beside this one do not count.
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn record(size: usize) {
    let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(size)));
}

// SAFETY: delegates to the system allocator; only records sizes.
unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Largest = Largest;

/// The largest allocation `run` makes on this thread.
fn largest_allocation<R>(run: impl FnOnce() -> R) -> (R, usize) {
    LARGEST.with(|largest| largest.set(0));
    let output = run();
    (output, LARGEST.with(Cell::get))
}

/// A large output, as a step that reads a page would hand on.
type Page = [u8; 4_096];

const LIMIT: usize = 4;

#[test]
fn a_huge_size_hint_with_a_large_output_reserves_room_for_the_limit_only() {
    // `0..usize::MAX` tells exactly usize::MAX items: none of them has run when the first
    // poll leaves every slot pending.
    let (pending_after_one_poll, largest) = largest_allocation(|| {
        let mut fan = pin!(fan_out(0..usize::MAX, Some(LIMIT), |_| pending::<Page>()));
        fan.as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending()
    });
    assert!(pending_after_one_poll);
    let outputs_of_the_limit = LIMIT * size_of::<Option<Page>>();
    assert!(
        largest <= outputs_of_the_limit,
        "the largest allocation is {largest} bytes: more than the {outputs_of_the_limit} \
         bytes of {LIMIT} outputs"
    );
    // An unbounded iterator says `usize::MAX` items at least, with no most.
    let ((), largest) = largest_allocation(|| {
        let mut fan = pin!(fan_out(0_u64.., Some(LIMIT), |_| pending::<Page>()));
        let _ = fan.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    });
    assert!(largest <= outputs_of_the_limit, "{largest} bytes");
}

#[test]
fn the_outputs_grow_as_items_finish_and_keep_their_order() {
    // Every item is ready at once: the outputs `Vec` grows from the limit's room to the
    // 1,000 pages, and the fan-out ends at the failure of item 999.
    let outcome =
        futures::executor::block_on(try_fan_out(0..usize::MAX, Some(LIMIT), |i| async move {
            if i == 999 {
                Err(i)
            } else {
                Ok([u8::try_from(i % 251).unwrap_or(0); 4_096])
            }
        }));
    assert_eq!(outcome, Err((999, 999)));
    let pages = futures::executor::block_on(fan_out(0..1_000_usize, Some(LIMIT), |i| async move {
        [u8::try_from(i % 251).unwrap_or(0); 4_096]
    }));
    assert_eq!(pages.len(), 1_000);
    assert!(
        pages
            .iter()
            .enumerate()
            .all(|(i, page)| usize::from(page[0]) == i % 251)
    );
}

#[test]
fn a_small_exact_size_set_is_reserved_in_full_at_once() {
    // 10,000 small outputs fit in the up-front budget: one allocation of all of them, no
    // growth (tests/fan_out_cost.rs counts the allocations).
    let (outputs, largest) = largest_allocation(|| {
        futures::executor::block_on(fan_out(0..10_000_u64, Some(8), |x| async move { x }))
    });
    assert_eq!(outputs.len(), 10_000);
    assert!(
        largest >= 10_000 * size_of::<Option<u64>>(),
        "{largest} bytes"
    );
}

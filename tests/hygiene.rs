//! Hygiene: the user's scope shadows the names generated code could rely on, and the
//! workflow still compiles and runs. Generated code also passes the strictest lints.
#![deny(warnings, clippy::pedantic)]
#![allow(dead_code, non_upper_case_globals, clippy::unused_async)]

use workflow_runtime::{BranchError, workflow};

struct Option;
struct Result;
struct Ok;
struct Err;
struct Box;
struct Vec;
struct String;
struct Future;
struct IntoFuture;
fn join_all() {}
fn join() {}
fn try_join() {}
struct Some;
struct None;
struct ToString;
mod futures {}
mod core {}
mod std {}
mod tracing {}
const value: u8 = 0;
const error: u8 = 0;
const ok: u8 = 0;
// Names a generated function's parameters could take (the graph constant's helpers).
const line: u32 = 0;
const column: u32 = 0;
const fallible: bool = false;
const code: u8 = 0;

async fn fetch(id: u32) -> u32 {
    id * 2
}

async fn check(id: u32) -> ::core::result::Result<u32, &'static str> {
    if id > 5 {
        ::core::result::Result::Err("too big")
    } else {
        ::core::result::Result::Ok(id)
    }
}

workflow! {
    async fn shadowed(id: u32) -> ::core::result::Result<u32, BranchError<&'static str>> {
        fork <
            a: fetch(id) -> fetch,
            b: check(id)? -> check?,
            c: fork <
                x: fetch(1),
                y: check(2)?,
            > join(x, y)? -> |x, y| async move { x + y },
            d: fetch(3),
        > join(a, b, c)? background(d);
        ::core::result::Result::Ok(a + b + c)
    }
}

workflow! {
    /// The same with `#[traced]`: spans, events, an optional branch and a race.
    #[traced]
    async fn shadowed_traced(id: u32) -> ::core::result::Result<u32, BranchError<&'static str>> {
        fork <
            a: fetch(id) -> fetch,
            b: check(id)? -> check?,
            c: fork <
                x: fetch(1),
                y: check(2)?,
            > join(x, y)? -> |x, y| async move { x + y },
            #[optional] e: check(id + 10)?,
            d: fetch(3),
        > join(a, b, c, e)? background(d);
        let won = fork < f: check(id)?, g: check(id)? > first(f, g)?;
        ::core::result::Result::Ok(a + b + c + e.unwrap_or(0) + won.value - won.value)
    }
}

#[test]
fn traced_workflows_compile_and_run_when_the_users_scope_shadows_everything() {
    assert_eq!(
        ::futures::executor::block_on(shadowed_traced(1)),
        ::core::result::Result::Ok(4 + 1 + 4)
    );
    let failure = ::futures::executor::block_on(shadowed_traced(6)).unwrap_err();
    assert_eq!(failure.path(), "b");
    assert_eq!(SHADOWED_TRACED_GRAPH.forks.len(), 2);
}

#[test]
fn workflows_compile_and_run_when_the_users_scope_shadows_everything() {
    assert_eq!(
        ::futures::executor::block_on(shadowed(1)),
        ::core::result::Result::Ok(4 + 1 + 4)
    );
    let failure = ::futures::executor::block_on(shadowed(6)).unwrap_err();
    assert_eq!(failure.path(), "b");
}

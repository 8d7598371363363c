//! Regression tests, each named after a bug found in review of the first version.
#![allow(clippy::unused_async)] // the steps stand in for real async services
#![allow(clippy::never_loop)] // labelled breaks out of loops are what is tested

use std::cell::RefCell;
use std::fmt::Display;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::executor::block_on;
use tokio::time::{Instant, sleep};
use workflow_runtime::{BranchError, workflow};

async fn id<T>(value: T) -> T {
    value
}

async fn after(ms: u64, value: u32) -> u32 {
    sleep(Duration::from_millis(ms)).await;
    value
}

async fn fail_after(ms: u64) -> Result<u32, String> {
    sleep(Duration::from_millis(ms)).await;
    Err("failed".to_owned())
}

async fn slow_len(len: usize) -> Result<usize, String> {
    sleep(Duration::from_millis(10)).await;
    Ok(len)
}

async fn push(cell: &RefCell<Vec<u8>>) -> Result<usize, String> {
    cell.borrow_mut().push(1);
    Ok(cell.borrow().len())
}

workflow! {
    async fn borrow_in_first_step(cell: &RefCell<Vec<u8>>) -> Result<usize, BranchError<String>> {
        fork <
            a: slow_len(cell.borrow().len())?,
            b: push(cell)?,
        > join(a, b)?;
        Ok(a + b)
    }
}

#[tokio::test(start_paused = true)]
async fn temporaries_of_a_first_step_end_before_its_await() {
    let cell = RefCell::new(vec![0]);
    assert_eq!(borrow_in_first_step(&cell).await, Ok(1 + 2));
}

workflow! {
    async fn lock_in_steps(m: &Mutex<u32>) -> u32 {
        fork <
            a: id(*m.lock().unwrap()) -> id,
            b: id(*m.lock().unwrap() + 1),
        > join(a, b);
        a + b
    }
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[test]
fn a_lock_guard_in_a_step_does_not_make_the_workflow_not_send() {
    let m = Mutex::new(1);
    assert_eq!(block_on(assert_send(lock_in_steps(&m))), 3);
}

struct Named {
    name: String,
}

impl Named {
    workflow! {
        async fn name_of(&self) -> &str {
            fork < a: id(1u8), c: id(3u8) > join(a) background(c);
            let _ = a;
            &self.name
        }
    }
}

workflow! {
    async fn boxed_with_background() -> Box<dyn Display> {
        fork < a: id(1u8), c: id(3u8) > join(a) background(c);
        Box::new(a)
    }
}

#[test]
fn a_background_branch_keeps_the_coercions_of_the_body_tail() {
    let named = Named {
        name: "n".to_owned(),
    };
    assert_eq!(block_on(named.name_of()), "n");
    assert_eq!(block_on(boxed_with_background()).to_string(), "1");
}

workflow! {
    async fn async_move_closures(x: u8) -> (u8, u8, usize) {
        let s = String::from("abc");
        fork <
            a: id(x) -> |v: u8| async move { v },
            b: id(x) -> async move |v: u8| v + u8::try_from(s.len()).unwrap_or(0),
            c: id(String::from("xy")) -> |s| async move { s.len() },
        > join(a, b, c);
        (a, b, c)
    }
}

#[test]
fn async_move_closures_and_untyped_closure_parameters_work_as_later_steps() {
    assert_eq!(block_on(async_move_closures(1)), (1, 4, 2));
}

workflow! {
    async fn nested_await_in_one_step() -> u32 {
        fork <
            a: after(50, 1),
            b: id(after(30, 2).await),
        > join(a, b);
        a + b
    }
}

#[tokio::test(start_paused = true)]
async fn an_await_inside_a_one_step_branch_runs_inside_the_branch() {
    let start = Instant::now();
    assert_eq!(nested_await_in_one_step().await, 3);
    assert_eq!(
        start.elapsed().as_millis(),
        50,
        "not 80: branch b must not run before the fork"
    );
}

workflow! {
    async fn labels_inside_steps(x: u8) -> (u8, u8) {
        fork <
            a: id('blk: { if x > 1 { break 'blk 1 } 2 }),
            b: id('outer: loop { loop { break 'outer 7 } }),
        > join(a, b);
        (a, b)
    }
}

#[test]
fn a_labelled_break_to_a_label_inside_the_step_is_accepted() {
    assert_eq!(block_on(labels_inside_steps(5)), (1, 7));
}

fn join(a: u8, b: u8) -> u8 {
    a + b
}

workflow! {
    async fn user_join_and_inner_attribute(x: u8) -> u8 {
        #![allow(clippy::let_and_return)]
        fork < a: id(x), b: id(x) > join(a, b);
        let total = join(a, b);
        total + join(a, b)
    }
}

#[test]
fn a_users_own_join_function_and_inner_attributes_are_plain_rust() {
    assert_eq!(block_on(user_join_and_inner_attribute(2)), 8);
}

workflow! {
    async fn items_after_background() -> u8 {
        let x = helper();
        fork < a: id(x), c: id(3u8) > join(a) background(c);
        fn helper() -> u8 { 10 }
        a + helper()
    }
}

#[test]
fn items_declared_after_a_fork_with_background_stay_visible() {
    assert_eq!(block_on(items_after_background()), 20);
}

workflow! {
    async fn failing_join_with_background(done: &AtomicBool) -> Result<u32, BranchError<String>> {
        fork <
            p: fail_after(10)?,
            h: after(100, 1) -> |_| async { done.store(true, Ordering::SeqCst) },
        > join(p)? background(h);
        Ok(p)
    }
}

workflow! {
    async fn failing_nested_with_background() -> Result<(u32, u32), BranchError<String>> {
        fork <
            docs: fork <
                p: fail_after(10)?,
                h: after(100, 1),
            > join(p)? background(h),
            other: after(1000, 2),
        > join(docs, other)?;
        Ok((docs, other))
    }
}

#[tokio::test(start_paused = true)]
async fn a_failing_join_drops_its_background_branches_at_once() {
    let done = AtomicBool::new(false);
    let start = Instant::now();
    let error = failing_join_with_background(&done)
        .await
        .expect_err("p fails");
    assert_eq!((error.path(), start.elapsed().as_millis()), ("p", 10));
    assert!(
        !done.load(Ordering::SeqCst),
        "the background branch was dropped"
    );

    let start = Instant::now();
    let error = failing_nested_with_background()
        .await
        .expect_err("docs.p fails");
    assert_eq!((error.path(), start.elapsed().as_millis()), ("docs.p", 10));
}

macro_rules! two_branches {
    ($a:expr, $b:expr) => {
        workflow! {
            async fn from_macro_rules() -> Result<usize, BranchError<String>> {
                fork < a: $a, b: $b > join(a, b)?;
                Ok(a + b)
            }
        }
    };
}

two_branches!(slow_len(1)?, slow_len(2)?);

#[tokio::test(start_paused = true)]
async fn a_trailing_question_mark_passed_through_macro_rules_is_recognised() {
    assert_eq!(from_macro_rules().await, Ok(3));
}

async fn refuse(_: u8) -> Result<u8, String> {
    Err("no".to_owned())
}

workflow! {
    async fn raw_identifier_branch() -> Result<u8, BranchError<String>> {
        fork < r#type: refuse(1)?, b: id(2u8) > join(r#type, b)?;
        Ok(r#type + b)
    }
}

#[test]
fn a_raw_identifier_branch_is_named_without_its_prefix() {
    let error = block_on(raw_identifier_branch()).expect_err("type fails");
    assert_eq!(error.path(), "type");
}

workflow! {
    async fn variable_named_fork(limit: u8) -> bool {
        let fork = 3;
        fork <= limit
    }
}

#[test]
fn a_variable_named_fork_can_be_compared() {
    assert!(block_on(variable_named_fork(4)));
}

async fn ok_u32(n: u32) -> Result<u32, String> {
    Ok(n)
}

workflow! {
    async fn first_without_trailing_comma() -> workflow_runtime::Winner<u8> {
        let w = fork < a: id(1u8), b: id(2u8) > first(a, b);
        w
    }
}

workflow! {
    async fn race_whose_first_branch_has_an_attribute() -> workflow_runtime::Winner<Option<u32>> {
        let w = fork < #[optional] a: ok_u32(1)?, #[optional] b: ok_u32(2)?, > quorum(1, a, b);
        let [w] = w;
        w
    }
}

workflow! {
    async fn spawned_and_bound() -> Result<(u32, u32), BranchError<String>> {
        #[spawn]
        let (a, b) = fork < a: ok_u32(1)?, b: ok_u32(2)?, > join(a, b)?;
        Ok((a, b))
    }
}

#[tokio::test]
async fn first_and_quorum_parse_without_a_trailing_comma_or_with_attributes_and_spawn_takes_let() {
    assert_eq!(first_without_trailing_comma().await.value, 1);
    assert_eq!(
        race_whose_first_branch_has_an_attribute().await.value,
        Some(1)
    );
    assert_eq!(spawned_and_bound().await, Ok((1, 2)));
}

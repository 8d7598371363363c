//! Runtime properties of generated workflows, under tokio's paused clock.
//!
//! `properties/shapes.rs` holds `SHAPES` random trees of forks, written out as
//! `workflow!` functions by the deterministic generator below (`REGENERATE_SHAPES=1 cargo
//! test --test properties` rewrites it; a test fails when it is stale). Nested forks,
//! join-then-fork, background branches at every level, branch timeouts, join orders
//! other than the branch order and `#[spawn]` forks all occur. Every leaf step reads its
//! duration and outcome (`Ok`, `Err`, panic, or never finishing) from a table that
//! proptest fills at run time, and records when it started, finished and was dropped.
//!
//! An independent interpreter computes from the same shape and table what must happen:
//! the output (every joined value exactly once, in join order), the virtual time the
//! workflow takes (its critical path, or the instant of the first failure), which
//! failure ends it, which leaves ran to their end, which were cancelled when they should
//! be and which never started, and whether it hangs. After the workflow ends, no leaf is
//! still alive: nothing outlives the workflow, not even a `#[spawn]` task.
//!
//! When two failures fall on the same virtual instant, either may win (the README
//! promises no order between simultaneous events); leaves finishing or starting on that
//! instant may or may not have run. Branch timeouts are odd milliseconds and steps even,
//! so a timeout never ties with a step.
//!
//! `cargo test` runs 750 random tables; `WORKFLOW_PROPTEST_CASES=full` (`.ci/run`) all
//! 3,000. Long mode: `WORKFLOW_PROPTEST_CASES=full WORKFLOW_PROPTEST_SCALE=100 cargo test
//! --release --test properties`.

#![allow(clippy::needless_pass_by_value)] // the steps take what a real service would own

use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use futures::FutureExt as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use tokio::time::Instant;
use workflow_runtime::TimedOut;

// Generated (see the module docs): formatted by its generator, not by rustfmt.
#[rustfmt::skip]
#[path = "properties/shapes.rs"]
mod shapes;

/// How many shapes the generator writes.
const SHAPES: usize = 40;

/// The virtual time after which a workflow that has not ended is said to hang.
const HORIZON_MS: u64 = 1_000_000;

// ---------------------------------------------------------------------------------
// The steps and what they record.
// ---------------------------------------------------------------------------------

/// What a leaf step does: wait `ms` (even) virtual milliseconds, then end with `outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    ms: u64,
    outcome: Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    Err,
    Panic,
    /// Never finishes.
    Never,
}

/// The error of a failing leaf, or of a branch cut off by its `#[timeout]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fail {
    Leaf(u32),
    TimedOut,
}

impl From<TimedOut> for Fail {
    fn from(_: TimedOut) -> Self {
        Fail::TimedOut
    }
}

/// One leaf's life, in virtual milliseconds since the workflow started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Record {
    started: Option<u64>,
    finished: Option<u64>,
    starts: u32,
    finishes: u32,
    drops: u32,
}

/// The table the leaves read and write.
pub(crate) struct Ctx {
    plans: Vec<Plan>,
    origin: Instant,
    records: Mutex<Vec<Record>>,
    alive: AtomicUsize,
}

impl Ctx {
    fn now(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn record(&self, id: u32, change: impl FnOnce(&mut Record, u64)) {
        let now = self.now();
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        change(&mut records[id as usize], now);
    }
}

/// Alive while a leaf's future is: dropping it (the leaf ended, was cancelled, or its
/// task was aborted) is recorded.
struct Alive {
    ctx: Arc<Ctx>,
    id: u32,
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.ctx.record(self.id, |r, _| r.drops += 1);
        self.ctx.alive.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A leaf step: its output names it and what it was handed, so the final output shows
/// every value that flowed, in order.
pub(crate) async fn leaf(ctx: Arc<Ctx>, id: u32, input: String) -> Result<String, Fail> {
    ctx.alive.fetch_add(1, Ordering::SeqCst);
    ctx.record(id, |r, now| {
        r.starts += 1;
        r.started = Some(now);
    });
    let alive = Alive {
        ctx: ctx.clone(),
        id,
    };
    let plan = ctx.plans[id as usize];
    if plan.outcome == Outcome::Never {
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(Duration::from_millis(plan.ms)).await;
    ctx.record(id, |r, now| {
        r.finishes += 1;
        r.finished = Some(now);
    });
    let output = match plan.outcome {
        Outcome::Ok | Outcome::Never => Ok(format!("{id}<{input}>")),
        Outcome::Err => Err(Fail::Leaf(id)),
        Outcome::Panic => panic!("leaf {id} panicked"),
    };
    drop(alive);
    output
}

/// A leaf of a background branch, which cannot fail (its plan is never `Err`).
pub(crate) async fn bg(ctx: Arc<Ctx>, id: u32, input: String) -> String {
    match leaf(ctx, id, input).await {
        Ok(output) => output,
        Err(failure) => unreachable!("a background leaf failed: {failure:?}"),
    }
}

// ---------------------------------------------------------------------------------
// Shapes and their deterministic generator.
// ---------------------------------------------------------------------------------

// Included by `#[path]`: the crash harness of `examples/durable` generates from it too.
#[path = "properties/generator.rs"]
mod generator;
use generator::{BranchShape, ForkShape, Shape, StepShape, generate};

/// `properties/shapes.rs`, as the generator writes it.
fn render_shapes() -> String {
    let mut out = String::from(
        "//! Generated by `tests/properties.rs` (`REGENERATE_SHAPES=1 cargo test --test properties`):\n\
         //! random trees of forks whose leaves read their plan from the `Ctx` table. Do not edit.\n\
         #![allow(clippy::all, clippy::pedantic)]\n\n\
         use std::future::Future;\n\
         use std::pin::Pin;\n\
         use std::sync::Arc;\n\n\
         use workflow_runtime::{BranchError, workflow};\n\n\
         use super::{Ctx, Fail, bg, leaf};\n",
    );
    for index in 0..SHAPES {
        let shape = generate(index);
        out.push('\n');
        render_workflow(&mut out, index, &shape);
    }
    out.push_str(
        "\n/// The workflow of shape `index`.\n\
         pub(crate) fn run(index: usize, ctx: Arc<Ctx>) -> Pin<Box<dyn Future<Output = Result<String, BranchError<Fail>>> + Send>> {\n\
         \x20   match index {\n",
    );
    for index in 0..SHAPES {
        let _ = writeln!(out, "        {index} => Box::pin(shape_{index}(ctx)),");
    }
    out.push_str("        _ => unreachable!(\"no shape {index}\"),\n    }\n}\n");
    out
}

fn render_workflow(out: &mut String, index: usize, shape: &Shape) {
    let _ = writeln!(out, "workflow! {{");
    let _ = writeln!(
        out,
        "    async fn shape_{index}(ctx: Arc<Ctx>) -> Result<String, BranchError<Fail>> {{"
    );
    let fork = &shape.fork;
    let ctx_of = |i: usize| {
        if shape.spawn {
            format!("c{i}")
        } else {
            "ctx".to_owned()
        }
    };
    if shape.spawn {
        for i in 0..fork.branches.len() {
            let _ = writeln!(out, "        let c{i} = ctx.clone();");
        }
        out.push_str("        #[spawn]\n");
    }
    out.push_str("        fork <\n");
    for (i, branch) in fork.branches.iter().enumerate() {
        let in_background = fork.background.contains(&i);
        let source = render_branch(branch, &ctx_of(i), in_background, "            ");
        let _ = writeln!(out, "            {source},");
    }
    let _ = writeln!(out, "        > {};", render_join(fork, false));
    let values: Vec<String> = fork
        .join
        .iter()
        .map(|&i| format!("format!(\"{{:?}}\", {})", fork.branches[i].name))
        .collect();
    let _ = writeln!(out, "        Ok([{}].join(\";\"))", values.join(", "));
    let _ = writeln!(out, "    }}\n}}");
}

/// `join(...)`, with `?` when a joined branch can fail (never inside a background
/// branch, whose leaves cannot fail), and `background(...)`.
fn render_join(fork: &ForkShape, in_background: bool) -> String {
    let names = |indices: &[usize]| {
        indices
            .iter()
            .map(|&i| fork.branches[i].name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fallible = !in_background && fork_can_fail(fork);
    let mut join = format!(
        "join({}){}",
        names(&fork.join),
        if fallible { "?" } else { "" }
    );
    if !fork.background.is_empty() {
        let _ = write!(join, " background({})", names(&fork.background));
    }
    join
}

/// Whether a fork's join can fail: it joins a branch with a fallible leaf or a timeout.
fn fork_can_fail(fork: &ForkShape) -> bool {
    fork.join
        .iter()
        .any(|&i| branch_can_fail(&fork.branches[i]))
}

fn branch_can_fail(branch: &BranchShape) -> bool {
    branch.timeout.is_some()
        || branch.steps.iter().any(|s| match s {
            StepShape::Leaf(_) => true,
            StepShape::Fork(fork) => fork_can_fail(fork),
        })
}

fn render_branch(branch: &BranchShape, ctx: &str, background: bool, indent: &str) -> String {
    let mut out = String::new();
    if let Some(ms) = branch.timeout {
        let _ = write!(out, "#[timeout({ms}ms)] ");
    }
    let _ = write!(out, "{}: ", branch.name);
    let (call, question) = if background {
        ("bg", "")
    } else {
        ("leaf", "?")
    };
    // What the previous step handed on: nothing, a value, or a nested join's names.
    let mut handed: Option<Vec<String>> = None;
    for (i, step) in branch.steps.iter().enumerate() {
        if i > 0 {
            out.push_str(" -> ");
        }
        match step {
            StepShape::Leaf(id) => match &handed {
                None if i == 0 => {
                    let _ = write!(out, "{call}({ctx}.clone(), {id}, String::new()){question}");
                }
                None => {
                    let _ = write!(out, "|x| {call}({ctx}.clone(), {id}, x){question}");
                }
                Some(names) => {
                    let params: Vec<String> = (0..names.len()).map(|k| format!("v{k}")).collect();
                    let _ = write!(
                        out,
                        "|{}| {call}({ctx}.clone(), {id}, {}){question}",
                        params.join(", "),
                        debug_list(&params)
                    );
                }
            },
            StepShape::Fork(fork) => {
                let inner = format!("{indent}    ");
                out.push_str("fork <\n");
                for (j, nested) in fork.branches.iter().enumerate() {
                    let nested_background = background || fork.background.contains(&j);
                    let mut source = render_branch(nested, ctx, nested_background, &inner);
                    // After join-then-fork, the new fork's first leaf reads the joined values.
                    if let (0, Some(names)) = (j, &handed) {
                        source = source.replacen("String::new()", &debug_list(names), 1);
                    }
                    let _ = writeln!(out, "{inner}{source},");
                }
                let _ = write!(out, "{indent}> {}", render_join(fork, background));
            }
        }
        handed = match step {
            StepShape::Leaf(_) => None,
            StepShape::Fork(fork) => Some(
                fork.join
                    .iter()
                    .map(|&j| fork.branches[j].name.clone())
                    .collect(),
            ),
        };
    }
    out
}

/// `format!("{:?}|{:?}", a, b)`: the values joined with `|`, each as `Debug` shows it.
fn debug_list(names: &[String]) -> String {
    format!(
        "format!(\"{}\", {})",
        vec!["{:?}"; names.len()].join("|"),
        names.join(", ")
    )
}

// ---------------------------------------------------------------------------------
// The interpreter: what must happen, from the shape and the plans alone.
// ---------------------------------------------------------------------------------

/// A value as `Debug` prints it: a `String`, or a tuple of values.
#[derive(Debug, Clone)]
enum Value {
    Text(String),
    Tuple(Vec<Value>),
}

impl Value {
    fn debug(&self) -> String {
        match self {
            Value::Text(text) => format!("{text:?}"),
            Value::Tuple(values) => format!(
                "({})",
                values
                    .iter()
                    .map(Value::debug)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    fn into_text(self) -> String {
        match self {
            Value::Text(text) => text,
            Value::Tuple(_) => unreachable!("a leaf's input is text"),
        }
    }
}

/// A way the workflow can fail.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    /// `BranchError` with this path and error.
    Err { path: String, error: Fail },
    /// A panic with this message.
    Panic(String),
}

/// The leaves' free schedule: when each would start and end if nothing failed.
#[derive(Debug, Clone, Copy, Default)]
struct Times {
    start: Option<u64>,
    end: Option<u64>,
}

struct Interpreter<'a> {
    plans: &'a [Plan],
    times: Vec<Times>,
    /// Every failure that would happen, with its instant.
    failures: Vec<(u64, Failure)>,
}

/// What must happen.
#[derive(Debug)]
struct Expected {
    /// `Some(t)`: the workflow ends at `t` with one of `failures`; `None`: it does not fail.
    failure_at: Option<u64>,
    failures: Vec<Failure>,
    /// The output and its instant, when nothing fails and nothing hangs.
    output: Option<(String, u64)>,
    times: Vec<Times>,
}

fn max_time(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    Some(a?.max(b?))
}

impl Interpreter<'_> {
    /// Runs `fork` from `start` (`None`: never reached). Returns when the joined branches
    /// are done, when the background ones are, and the joined values in join order.
    fn fork(
        &mut self,
        fork: &ForkShape,
        start: Option<u64>,
        path: &str,
        input: Option<String>,
    ) -> (Option<u64>, Option<u64>, Vec<Value>) {
        let mut ends = Vec::new();
        let mut values = Vec::new();
        for (i, branch) in fork.branches.iter().enumerate() {
            let branch_path = if path.is_empty() {
                branch.name.clone()
            } else {
                format!("{path}.{}", branch.name)
            };
            let first_input = if i == 0 { input.clone() } else { None };
            let (end, value) = self.branch(branch, start, &branch_path, first_input);
            ends.push(end);
            values.push(value);
        }
        let joined_end = fork
            .join
            .iter()
            .try_fold(start.unwrap_or(0), |acc, &i| Some(acc.max(ends[i]?)));
        let joined_end = start.and(joined_end);
        let background_end = fork
            .background
            .iter()
            .try_fold(start.unwrap_or(0), |acc, &i| Some(acc.max(ends[i]?)));
        let background_end = start.and(background_end);
        let joined = fork.join.iter().map(|&i| values[i].clone()).collect();
        (joined_end, background_end, joined)
    }

    fn branch(
        &mut self,
        branch: &BranchShape,
        start: Option<u64>,
        path: &str,
        first_input: Option<String>,
    ) -> (Option<u64>, Value) {
        let mut at = start;
        let mut value = Value::Text(String::new());
        let mut handed: Option<Vec<Value>> = None;
        let mut background_ends = Some(start.unwrap_or(0));
        for (i, step) in branch.steps.iter().enumerate() {
            match step {
                StepShape::Leaf(id) => {
                    let input = match (&handed, i) {
                        (Some(values), _) => values
                            .iter()
                            .map(Value::debug)
                            .collect::<Vec<_>>()
                            .join("|"),
                        (None, 0) => first_input.clone().unwrap_or_default(),
                        (None, _) => value.clone().into_text(),
                    };
                    let plan = self.plans[*id as usize];
                    let end = match plan.outcome {
                        Outcome::Never => None,
                        _ => at.map(|t| t + plan.ms),
                    };
                    self.times[*id as usize] = Times { start: at, end };
                    if let Some(end) = end {
                        let failure = match plan.outcome {
                            Outcome::Err => Some(Failure::Err {
                                path: path.to_owned(),
                                error: Fail::Leaf(*id),
                            }),
                            // In every mode the join (or the task) names the
                            // innermost branch, by its path.
                            Outcome::Panic => Some(Failure::Panic(format!(
                                "branch `{path}` panicked: leaf {id} panicked"
                            ))),
                            _ => None,
                        };
                        if let Some(failure) = failure {
                            self.failures.push((end, failure));
                        }
                    }
                    value = Value::Text(format!("{id}<{input}>"));
                    handed = None;
                    at = end;
                }
                StepShape::Fork(fork) => {
                    let input = match &handed {
                        Some(values) => Some(
                            values
                                .iter()
                                .map(Value::debug)
                                .collect::<Vec<_>>()
                                .join("|"),
                        ),
                        None if i == 0 => first_input.clone(),
                        None => None,
                    };
                    let (joined, background, values) = self.fork(fork, at, path, input);
                    background_ends = max_time(background_ends, background);
                    value = match values.as_slice() {
                        [one] => one.clone(),
                        _ => Value::Tuple(values.clone()),
                    };
                    handed = Some(values);
                    at = joined;
                }
            }
        }
        let end = start.and(max_time(at, background_ends));
        if let (Some(limit), Some(start)) = (branch.timeout, start)
            && end.is_none_or(|end| end > start + limit)
        {
            self.failures.push((
                start + limit,
                Failure::Err {
                    path: path.to_owned(),
                    error: Fail::TimedOut,
                },
            ));
        }
        (end, value)
    }
}

fn interpret(shape: &Shape, plans: &[Plan]) -> Expected {
    let mut interpreter = Interpreter {
        plans,
        times: vec![Times::default(); shape.leaves],
        failures: Vec::new(),
    };
    let (joined, background, values) = interpreter.fork(&shape.fork, Some(0), "", None);
    let first = interpreter.failures.iter().map(|(t, _)| *t).min();
    let failures = interpreter
        .failures
        .iter()
        .filter(|(t, _)| Some(*t) == first)
        .map(|(_, f)| f.clone())
        .collect();
    let end = max_time(joined, background);
    let output = match (first, end) {
        (None, Some(end)) => Some((
            values
                .iter()
                .map(Value::debug)
                .collect::<Vec<_>>()
                .join(";"),
            end,
        )),
        _ => None,
    };
    Expected {
        failure_at: first,
        failures,
        output,
        times: interpreter.times,
    }
}

// ---------------------------------------------------------------------------------
// Running a case and comparing.
// ---------------------------------------------------------------------------------

/// What the workflow did.
#[derive(Debug)]
enum Actual {
    Output(String),
    Failed(Failure),
    Hung,
}

fn quiet_leaf_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| info.payload().downcast_ref::<&str>().copied())
                .unwrap_or("");
            if !(message.starts_with("leaf ") && message.ends_with(" panicked")) {
                default(info);
            }
        }));
    });
}

/// How the cases ended, to show that every kind of ending was tested.
#[derive(Debug, Default)]
struct Tally {
    outputs: AtomicUsize,
    errors: AtomicUsize,
    timeouts: AtomicUsize,
    panics: AtomicUsize,
    hangs: AtomicUsize,
    ties: AtomicUsize,
    spawned: AtomicUsize,
}

/// Runs shape `index` with `plans` on a paused current-thread runtime and checks it.
fn run_case(index: usize, plans: &[Plan], tally: &Tally) -> Result<(), TestCaseError> {
    let shape = generate(index);
    let expected = interpret(&shape, plans);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    let (actual, elapsed, ctx) = runtime.block_on(async {
        let ctx = Arc::new(Ctx {
            plans: plans.to_vec(),
            origin: Instant::now(),
            records: Mutex::new(vec![Record::default(); shape.leaves]),
            alive: AtomicUsize::new(0),
        });
        let workflow = AssertUnwindSafe(shapes::run(index, ctx.clone())).catch_unwind();
        let outcome = tokio::time::timeout(Duration::from_millis(HORIZON_MS), workflow).await;
        let elapsed = ctx.now();
        let actual = match outcome {
            Err(_) => Actual::Hung,
            Ok(Ok(Ok(output))) => Actual::Output(output),
            Ok(Ok(Err(error))) => Actual::Failed(Failure::Err {
                path: error.path().to_owned(),
                error: *error.error(),
            }),
            Ok(Err(panic)) => Actual::Failed(Failure::Panic(
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_else(|| "a panic without a message".to_owned()),
            )),
        };
        // A `#[spawn]` branch is aborted when the workflow drops it; the task is dropped
        // when the runtime next runs it, at this same instant.
        for _ in 0..8 {
            if ctx.alive.load(Ordering::SeqCst) == 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
        prop_assert_eq!(
            ctx.now(),
            elapsed,
            "no virtual time passes while tasks are dropped"
        );
        Ok((actual, elapsed, ctx))
    })?;
    drop(runtime);
    let records = ctx
        .records
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let context = || {
        format!(
            "shape {index}, plans {plans:?}\nexpected {expected:?}\nactual {actual:?} at {elapsed} ms\nrecords {records:?}"
        )
    };

    match (&expected.failure_at, &expected.output, &actual) {
        (Some(at), _, Actual::Failed(failure)) => {
            prop_assert!(
                expected.failures.contains(failure),
                "a failure that is not the first: {}",
                context()
            );
            prop_assert_eq!(
                elapsed,
                *at,
                "the workflow ends at its first failure: {}",
                context()
            );
        }
        (None, Some((output, at)), Actual::Output(actual_output)) => {
            prop_assert_eq!(
                actual_output,
                output,
                "every joined value once, in join order: {}",
                context()
            );
            prop_assert_eq!(
                elapsed,
                *at,
                "the workflow takes its critical path: {}",
                context()
            );
        }
        (None, None, Actual::Hung) => {
            prop_assert_eq!(elapsed, HORIZON_MS, "{}", context());
        }
        _ => {
            return Err(TestCaseError::fail(format!(
                "the wrong kind of ending: {}",
                context()
            )));
        }
    }
    let count = |counter: &AtomicUsize| counter.fetch_add(1, Ordering::Relaxed);
    match &actual {
        Actual::Output(_) => count(&tally.outputs),
        Actual::Failed(Failure::Err {
            error: Fail::TimedOut,
            ..
        }) => count(&tally.timeouts),
        Actual::Failed(Failure::Err { .. }) => count(&tally.errors),
        Actual::Failed(Failure::Panic(_)) => count(&tally.panics),
        Actual::Hung => count(&tally.hangs),
    };
    if expected.failures.len() > 1 {
        count(&tally.ties);
    }
    if shape.spawn {
        count(&tally.spawned);
    }
    prop_assert_eq!(
        ctx.alive.load(Ordering::SeqCst),
        0,
        "a leaf outlives its workflow: {}",
        context()
    );
    for (id, (record, times)) in records.iter().zip(&expected.times).enumerate() {
        let problem = leaf_problem(record, *times, expected.failure_at);
        prop_assert!(
            problem.is_none(),
            "leaf {}: {}: {}",
            id,
            problem.unwrap_or_default(),
            context()
        );
    }
    Ok(())
}

/// What is wrong with a leaf's record, given its free schedule and the instant of the
/// first failure (`None`: the workflow did not fail).
fn leaf_problem(record: &Record, times: Times, failure_at: Option<u64>) -> Option<String> {
    if record.starts > 1 || record.finishes > 1 || record.drops != record.starts {
        return Some("started, finished or dropped more than once".to_owned());
    }
    let cut = failure_at.unwrap_or(u64::MAX);
    let started = match times.start {
        Some(start) if start < cut => true,
        Some(start) if start == cut => record.started.is_some(),
        _ => false,
    };
    if started != record.started.is_some() {
        return Some(format!(
            "should {}have started",
            if started { "" } else { "not " }
        ));
    }
    if record.started.is_some() && record.started != times.start {
        return Some("started at the wrong time".to_owned());
    }
    let finished = match times.end {
        Some(end) if end < cut => true,
        Some(end) if end == cut => record.finished.is_some(),
        _ => false,
    };
    if finished != record.finished.is_some() {
        return Some(format!(
            "should {}have finished (cancelled when its fork failed)",
            if finished { "" } else { "not " }
        ));
    }
    if record.finished.is_some() && record.finished != times.end {
        return Some("finished at the wrong time".to_owned());
    }
    None
}

fn plan() -> impl Strategy<Value = Plan> {
    (1..=20_u64, 0..100_u8).prop_map(|(half, roll)| Plan {
        ms: 2 * half,
        outcome: match roll {
            0..=79 => Outcome::Ok,
            80..=87 => Outcome::Err,
            88..=92 => Outcome::Panic,
            _ => Outcome::Never,
        },
    })
}

/// A shape and a plan for each of its leaves: in one case out of three nothing fails,
/// so that complete outputs are common.
fn case() -> impl Strategy<Value = (usize, Vec<Plan>)> {
    (0..SHAPES, any::<bool>(), any::<u8>()).prop_flat_map(|(index, _, calm)| {
        let shape = generate(index);
        let background = shape.background_leaf.clone();
        prop::collection::vec(plan(), shape.leaves).prop_map(move |mut plans| {
            for (plan, &in_background) in plans.iter_mut().zip(&background) {
                let calm_case = calm % 3 == 0 && plan.outcome != Outcome::Ok;
                if calm_case || (in_background && plan.outcome == Outcome::Err) {
                    plan.outcome = Outcome::Ok;
                }
            }
            (index, plans)
        })
    })
}

/// `cargo test` runs a quarter of each property's full count (its first cases: the
/// same seed); `WORKFLOW_PROPTEST_CASES=full` (`.ci/run`) runs all of them.
const QUICK_DIVISOR: u32 = 4;

fn config(full_cases: u32) -> Config {
    let cases = match std::env::var("WORKFLOW_PROPTEST_CASES").as_deref() {
        Ok("full") => full_cases,
        Err(std::env::VarError::NotPresent) => full_cases.div_ceil(QUICK_DIVISOR),
        other => panic!("WORKFLOW_PROPTEST_CASES is `full` or unset, not {other:?}"),
    };
    let scale = std::env::var("WORKFLOW_PROPTEST_SCALE")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(1);
    let mut config = Config {
        cases: cases.saturating_mul(scale),
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x0072_756e_7469_6d65);
    }
    config
}

#[test]
fn generated_workflows_deliver_every_output_once_on_the_critical_path_and_cancel_exactly() {
    quiet_leaf_panics();
    let cases = config(3_000).cases as usize;
    let mut runner = TestRunner::new(config(3_000));
    let tally = Tally::default();
    let outcome = runner.run(&case(), |(index, plans)| run_case(index, &plans, &tally));
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    println!("{cases} cases: {tally:?}");
    // Every kind of ending was exercised, often enough to mean something.
    let at_least = |counter: &AtomicUsize, per_mille: usize, what: &str| {
        let n = counter.load(Ordering::Relaxed);
        assert!(
            n * 1000 >= cases * per_mille,
            "only {n} of {cases} cases {what}"
        );
    };
    at_least(&tally.outputs, 200, "delivered their output");
    at_least(&tally.errors, 100, "failed with a step's error");
    at_least(&tally.timeouts, 100, "failed with a branch timeout");
    at_least(&tally.panics, 100, "panicked");
    at_least(&tally.hangs, 30, "hung");
    at_least(&tally.ties, 2, "had simultaneous failures");
    at_least(&tally.spawned, 200, "ran `#[spawn]` forks");
}

#[test]
fn the_generated_shapes_are_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("properties/shapes.rs");
    let rendered = render_shapes();
    if std::env::var_os("REGENERATE_SHAPES").is_some() {
        std::fs::write(&path, &rendered).expect("shapes.rs is writable");
    }
    let committed = std::fs::read_to_string(&path).expect("shapes.rs exists");
    assert!(
        committed == rendered,
        "tests/properties/shapes.rs is stale: run `REGENERATE_SHAPES=1 cargo test --test properties`"
    );
}

/// The generator covers what the properties are about.
#[test]
fn the_shapes_cover_nesting_background_timeouts_join_order_and_tasks() {
    let shapes: Vec<Shape> = (0..SHAPES).map(generate).collect();
    let nested = |s: &Shape| {
        s.fork
            .branches
            .iter()
            .any(|b| b.steps.iter().any(|st| matches!(st, StepShape::Fork(_))))
    };
    assert!(shapes.iter().filter(|s| nested(s)).count() >= SHAPES / 3);
    assert!(shapes.iter().filter(|s| s.spawn).count() >= SHAPES / 5);
    assert!(
        shapes
            .iter()
            .filter(|s| !s.fork.background.is_empty())
            .count()
            >= SHAPES / 5
    );
    assert!(
        shapes
            .iter()
            .filter(|s| s.fork.branches.iter().any(|b| b.timeout.is_some()))
            .count()
            >= SHAPES / 5
    );
    assert!(
        shapes
            .iter()
            .filter(|s| s.fork.join.windows(2).any(|w| w[0] > w[1]))
            .count()
            >= SHAPES / 3
    );
    let leaves: usize = shapes.iter().map(|s| s.leaves).sum();
    assert!(leaves >= 5 * SHAPES, "{leaves} leaves");
}

//! `#[traced]` workflows: the spans (workflow > fork > branch > step, named after the
//! user's names) and the token story told as events (seed 003): the split into N
//! branches, each arrival at the join (k/N), the merge, a failure and the siblings it
//! cancels. Every event is captured with the names of the spans it happened in, on
//! tokio's paused clock, so the story's order is the order of the virtual times.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::sleep;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use workflow_runtime::{BranchError, workflow};

mod support;
use support::{after, fail_after, ok_after};

/// Every event as `scope: message`, the scope being the names of its spans from the root;
/// and every span that has a `step` field (a branch of one step) as `name{step}`.
#[derive(Clone, Default)]
struct Log {
    events: Arc<Mutex<Vec<String>>>,
    steps: Arc<Mutex<Vec<String>>>,
}

/// The value of one field, by name.
struct FieldValue(&'static str, String);

impl Visit for FieldValue {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == self.0 {
            self.1 = format!("{value:?}");
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == self.0 {
            value.clone_into(&mut self.1);
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Log {
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut message = FieldValue("message", String::new());
        event.record(&mut message);
        let scope: Vec<&str> = ctx
            .event_scope(event)
            .map(|scope| scope.from_root().map(|span| span.name()).collect())
            .unwrap_or_default();
        self.events
            .lock()
            .unwrap()
            .push(format!("{}: {}", scope.join(":"), message.1));
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let mut step = FieldValue("step", String::new());
        attrs.record(&mut step);
        if !step.1.is_empty() {
            let name = attrs.metadata().name();
            self.steps
                .lock()
                .unwrap()
                .push(format!("{name}{{{}}}", step.1));
        }
    }
}

/// Runs `workflow` to its end on a paused current-thread runtime, with a subscriber that
/// records every event at every level; returns its output and the events.
fn traced<T>(workflow: impl Future<Output = T>) -> (T, Vec<String>) {
    let (output, log) = traced_log(workflow);
    let events = log.events.lock().unwrap().clone();
    (output, events)
}

/// [`traced`], returning the whole [`Log`].
fn traced_log<T>(workflow: impl Future<Output = T>) -> (T, Log) {
    let log = Log::default();
    let subscriber = tracing_subscriber::registry().with(log.clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let output = tracing::subscriber::with_default(subscriber, || runtime.block_on(workflow));
    (output, log)
}

async fn score(what: &'static str) -> &'static str {
    tracing::info!("scored {what}");
    what
}

async fn check(what: &'static str, ms: u64) -> &'static str {
    sleep(Duration::from_millis(ms)).await;
    tracing::info!("checked {what}");
    what
}

workflow! {
    /// Seed 003's loan application: a nested fork inside the documents branch.
    #[traced]
    async fn loan() -> String {
        fork <
            credit: check("credit", 50),
            documents: fork <
                passport: check("passport", 30),
                payslip: check("payslip", 40),
            > join(passport, payslip) -> |p, s| async move { format!("{p}+{s}") },
            income: check("income", 20) -> score,
        > join(credit, documents, income);
        format!("{credit} {documents} {income}")
    }
}

#[test]
fn a_nested_fork_tells_the_token_story_in_its_spans() {
    let (output, log) = traced(loan());
    assert_eq!(output, "credit passport+payslip income");
    assert_eq!(
        log,
        [
            "loan: workflow `loan` started",
            "loan:fork: split into 3 branches: credit, documents, income; the join waits for all",
            "loan:fork:documents:fork: split into 2 branches: passport, payslip; the join waits for all",
            // A step's own events are inside the step's span, inside its branch's; a
            // branch of one step has one span, the branch's.
            "loan:fork:income:check: checked income",
            "loan:fork:income:score: scored income",
            "loan:fork: branch `income` arrived at the join (1/3)",
            "loan:fork:documents:fork:passport: checked passport",
            "loan:fork:documents:fork: branch `passport` arrived at the join (1/2)",
            "loan:fork:documents:fork:payslip: checked payslip",
            "loan:fork:documents:fork: branch `payslip` arrived at the join (2/2)",
            "loan:fork:documents:fork: joined passport, payslip",
            "loan:fork: branch `documents` arrived at the join (2/3)",
            "loan:fork:credit: checked credit",
            "loan:fork: branch `credit` arrived at the join (3/3)",
            "loan:fork: joined credit, documents, income",
        ]
    );
}

workflow! {
    #[traced]
    async fn dropship() -> Result<u32, BranchError<String>> {
        fork <
            product: ok_after(50, 1)?,
            customer: fail_after(20, "customer 311 not found")?,
            tracking: ok_after(10, 3)? -> |t| async move { Ok::<_, String>(t * 2) }?,
        > join(product, customer, tracking)?;
        Ok(product + customer + tracking)
    }
}

#[test]
fn a_failure_is_told_with_its_error_and_the_siblings_it_cancels() {
    let (output, log) = traced(dropship());
    assert_eq!(output.unwrap_err().path(), "customer");
    assert_eq!(
        log,
        [
            "dropship: workflow `dropship` started",
            "dropship:fork: split into 3 branches: product, customer, tracking; the join waits for all, the first failure cancels the others",
            "dropship:fork: branch `tracking` arrived at the join (1/3)",
            "dropship:fork: branch `customer` failed: cancelling the branches still running",
            "dropship:fork: branch `product` cancelled",
            "dropship:fork: the join failed: branch `customer` failed: customer 311 not found",
        ]
    );
}

#[derive(Debug)]
struct Opaque;

async fn opaque(ms: u64) -> Result<u32, Opaque> {
    sleep(Duration::from_millis(ms)).await;
    Err(Opaque)
}

workflow! {
    #[traced]
    async fn without_display() -> Result<u32, BranchError<Opaque>> {
        fork < a: opaque(5)?, b: async { Ok(1) }? > join(a, b)?;
        Ok(a + b)
    }
}

#[test]
fn an_error_without_display_is_told_by_its_type() {
    let (output, log) = traced(without_display());
    assert!(output.is_err());
    assert_eq!(
        log.last().unwrap(),
        "without_display:fork: the join failed: branch `a` failed: an error of type `traced::Opaque`"
    );
}

workflow! {
    #[traced]
    async fn notify() -> u32 {
        fork <
            email: after(10, 1),
            #[optional] sms: fail_after(5, "no phone number")?,
            http: after(30, 3),
        > join(email, sms) background(http);
        email + sms.unwrap_or(0)
    }
}

#[test]
fn background_and_optional_branches_are_told_apart() {
    let (output, log) = traced(notify());
    assert_eq!(output, 1);
    assert_eq!(
        log,
        [
            "notify: workflow `notify` started",
            "notify:fork: split into 3 branches: email, sms, http; the join waits for all, http in the background",
            "notify:fork:sms: optional branch `sms` failed: no phone number; going on without it",
            "notify:fork: branch `sms` arrived at the join (1/2)",
            "notify:fork: branch `email` arrived at the join (2/2)",
            "notify:fork: joined email, sms",
            "notify:fork: background branch `http` finished",
        ]
    );
}

workflow! {
    #[traced]
    async fn fastest() -> Result<u32, BranchError<String>> {
        let winner = fork <
            primary: fail_after(5, "primary is down")?,
            replica: ok_after(20, 2)?,
            backup: ok_after(40, 3)?,
        > first(primary, replica, backup)?;
        Ok(winner.value)
    }
}

#[test]
fn a_race_tells_the_failed_arrival_the_winner_and_the_cancelled_losers() {
    let (output, log) = traced(fastest());
    assert_eq!(output.unwrap(), 2);
    assert_eq!(
        log,
        [
            "fastest: workflow `fastest` started",
            "fastest:fork: split into 3 branches: primary, replica, backup; the first to succeed wins",
            "fastest:fork: branch `primary` arrived at the join with an error (1/3)",
            "fastest:fork: branch `replica` arrived at the join (2/3)",
            "fastest:fork: branch `backup` cancelled",
            "fastest:fork: joined primary, replica, backup",
        ]
    );
}

workflow! {
    #[traced]
    async fn fan_out(items: Vec<u64>) -> Vec<&'static str> {
        fork <
            checked: for ms in items => check("item", ms),
            other: check("other", 1),
        > join(checked, other);
        checked.into_iter().chain([other]).collect()
    }
}

#[test]
fn fan_out_items_run_inside_their_branch_span() {
    let (output, log) = traced(fan_out(vec![3, 2]));
    assert_eq!(output, ["item", "item", "other"]);
    assert_eq!(
        log[2..],
        [
            "fan_out:fork:other: checked other",
            "fan_out:fork: branch `other` arrived at the join (1/2)",
            "fan_out:fork:checked: checked item",
            "fan_out:fork:checked: checked item",
            "fan_out:fork: branch `checked` arrived at the join (2/2)",
            "fan_out:fork: joined checked, other",
        ]
    );
}

workflow! {
    #[traced]
    async fn approval(draft: u32) -> u32 {
        fork <
            review: async move { tracing::info!("read"); draft }
                -> |n| async move { tracing::info!("approved"); n + 1 }
                -> check_review,
            audit: async { tracing::info!("audited"); 2 },
        > join(review, audit);
        review + audit
    }
}

async fn check_review(n: u32) -> u32 {
    tracing::info!("checked");
    n
}

#[test]
fn a_step_that_calls_nothing_has_the_span_name_the_graph_gives_it() {
    let (output, log) = traced_log(approval(1));
    assert_eq!(output, 4);
    let events = log.events.lock().unwrap();
    assert_eq!(
        events[2..5],
        [
            "approval:fork:review:review: read",
            "approval:fork:review:review 2: approved",
            "approval:fork:review:check_review: checked",
        ]
    );
    assert_eq!(events[6], "approval:fork:audit: audited");
    // A branch of one step names it in its span's `step` field.
    assert_eq!(*log.steps.lock().unwrap(), ["audit{audit}"]);
    let graph: Vec<Vec<&str>> = APPROVAL_GRAPH.forks[0]
        .branches
        .iter()
        .map(|branch| {
            let tasks = branch.steps.iter().map(|step| match step {
                workflow_runtime::graph::Step::Task(task) => task.name,
                other => panic!("expected a task, found {other:?}"),
            });
            tasks.collect()
        })
        .collect();
    assert_eq!(
        graph,
        [vec!["review", "review 2", "check_review"], vec!["audit"]]
    );
}

workflow! {
    #[traced]
    async fn spawned() -> u32 {
        #[spawn] fork < a: after(10, 1), b: after(20, 2) > join(a, b);
        a + b
    }
}

#[test]
fn spawned_branches_keep_their_spans_across_the_task() {
    let (output, log) = traced(spawned());
    assert_eq!(output, 3);
    assert_eq!(
        log[2..],
        [
            "spawned:fork: branch `a` arrived at the join (1/2)",
            "spawned:fork: branch `b` arrived at the join (2/2)",
            "spawned:fork: joined a, b",
        ]
    );
}

workflow! {
    async fn untraced() -> u32 {
        fork < a: after(10, 1), b: after(20, 2) > join(a, b);
        a + b
    }
}

#[test]
fn a_workflow_without_traced_tells_nothing() {
    let (output, log) = traced(untraced());
    assert_eq!(output, 3);
    assert_eq!(log, Vec::<String>::new());
}

#[test]
fn a_traced_workflow_runs_the_same_without_a_subscriber() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let started = runtime.block_on(async { tokio::time::Instant::now() });
    let output = runtime.block_on(loan());
    let took = runtime.block_on(async { started.elapsed() });
    assert_eq!(output, "credit passport+payslip income");
    assert_eq!(took.as_millis(), 50, "the slowest branch, as untraced");
}

workflow! {
    /// Items before and after a fork with a background branch, an `impl` of a local type
    /// and a tail that coerces: the traced body declares its items once, where they
    /// stand, and types as the untraced one.
    #[traced]
    async fn traced_with_items(name: &String) -> &str {
        struct Local(u64);
        impl Local {
            fn twice(&self) -> u64 {
                2 * self.0
            }
        }
        fork < a: after(10, 1), h: after(30, 2) > join(a) background(h);
        const OFFSET: u64 = 40;
        fn plus(x: u64) -> u64 {
            x + OFFSET
        }
        assert_eq!(plus(Local(u64::from(a)).twice()), 42);
        name
    }
}

#[test]
fn a_traced_workflow_declares_its_items_once_and_keeps_tail_coercions() {
    let name = "dropship".to_owned();
    let (output, log) = traced(traced_with_items(&name));
    assert_eq!(output, "dropship");
    assert_eq!(
        log.last().map(String::as_str),
        Some("traced_with_items:fork: background branch `h` finished")
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(traced_with_items(&name)), "dropship");
}

workflow! {
    /// An `impl Trait` return type cannot be named, so the traced body is not boxed:
    /// both bodies are inline in the workflow's future.
    #[traced]
    async fn displayed() -> impl std::fmt::Display {
        fork < a: after(10, 1), b: after(20, 2) > join(a, b);
        a + b
    }
}

#[test]
fn a_traced_workflow_returning_impl_trait_is_traced_too() {
    let (output, log) = traced(displayed());
    assert_eq!(output.to_string(), "3");
    assert_eq!(
        log.last().map(String::as_str),
        Some("displayed:fork: joined a, b")
    );
}

workflow! {
    /// Without a background branch: the traced body's tail and its `return`s coerce to
    /// the return type, as untraced.
    #[traced]
    #[allow(clippy::ptr_arg)] // the tail coerces `&String` to `&str`
    async fn coerced(name: &String, early: bool) -> Result<&str, Box<dyn std::error::Error>> {
        fork < a: after(10, 1), b: after(20, 2) > join(a, b);
        if early {
            return Err(Box::new(std::fmt::Error));
        }
        assert_eq!(a + b, 3);
        Ok(name)
    }
}

workflow! {
    /// A macro that defines items in the body: its items are one (the body is written
    /// once).
    #[traced]
    async fn with_thread_local() -> u32 {
        thread_local! {
            static CALLS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
        }
        fn call() -> u32 {
            CALLS.with(|calls| {
                calls.set(calls.get() + 1);
                calls.get()
            })
        }
        fork < a: after(10, 1), b: after(20, 2) > join(a, b);
        call() + a + b
    }
}

#[test]
fn a_traced_body_keeps_coercions_and_a_thread_local_in_it_is_one() {
    let name = "loan".to_owned();
    let (output, log) = traced(coerced(&name, false));
    assert_eq!(output.unwrap(), "loan");
    assert_eq!(
        log.last().map(String::as_str),
        Some("coerced:fork: joined a, b")
    );
    assert!(traced(coerced(&name, true)).0.is_err());
    // Traced, then untraced (no subscriber): the same thread-local counts both calls.
    let (first, log) = traced(with_thread_local());
    assert!(!log.is_empty());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let second = runtime.block_on(with_thread_local());
    assert_eq!((first, second), (4, 5));
}

workflow! {
    /// `!` cannot be named as a type argument: both bodies stay inline.
    #[traced]
    #[allow(unreachable_code)]
    async fn forever() -> ! {
        fork < a: after(10, 1), b: after(20, 2) > join(a, b);
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(u64::from(a + b))).await;
        }
    }
}

#[test]
fn a_traced_workflow_may_never_return() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let outcome = runtime.block_on(async {
        tokio::time::timeout(std::time::Duration::from_secs(60), forever()).await
    });
    assert!(outcome.is_err(), "still running after a minute");
}

/// A span's name, level, module, file and line, as its metadata says.
type Site = (String, tracing::Level, String, String, u32);

/// Every span made.
#[derive(Clone, Default)]
struct Sites(Arc<Mutex<Vec<Site>>>);

impl<S: Subscriber> Layer<S> for Sites {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let meta = attrs.metadata();
        self.0.lock().unwrap().push((
            meta.name().to_owned(),
            *meta.level(),
            meta.module_path().unwrap_or("?").to_owned(),
            meta.file().unwrap_or("?").to_owned(),
            meta.line().unwrap_or(0),
        ));
    }
}

/// Runs `approval(1)` with `sites` below `filter`, on a paused runtime; its output.
fn approval_with<L>(filter: L, sites: &Sites) -> u32
where
    L: Layer<tracing_subscriber::layer::Layered<Sites, tracing_subscriber::Registry>>
        + Send
        + Sync
        + 'static,
{
    let subscriber = tracing_subscriber::registry()
        .with(sites.clone())
        .with(filter);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || runtime.block_on(approval(1)))
}

#[test]
fn spans_say_where_they_are_and_a_subscribers_filter_applies_to_them() {
    // Every span: its level, and the module and file of the workflow that declares it.
    let all = Sites::default();
    assert_eq!(
        approval_with(tracing_subscriber::filter::LevelFilter::TRACE, &all),
        4
    );
    let spans = all.0.lock().unwrap().clone();
    let names: Vec<(&str, tracing::Level)> = spans
        .iter()
        .map(|(name, level, ..)| (name.as_str(), *level))
        .collect();
    let (info, debug) = (tracing::Level::INFO, tracing::Level::DEBUG);
    assert_eq!(
        names,
        [
            ("approval", info),
            ("fork", info),
            ("review", info),
            ("audit", info),
            ("review", debug),
            ("review 2", debug),
            ("check_review", debug),
        ]
    );
    for (name, _, module, file, line) in &spans {
        assert_eq!(
            (module.as_str(), file.as_str()),
            (module_path!(), file!()),
            "{name}"
        );
        assert!(*line > 0, "{name}");
    }
    // A subscriber that wants INFO only: the steps' DEBUG spans are not made.
    let info_only = Sites::default();
    assert_eq!(
        approval_with(tracing_subscriber::filter::LevelFilter::INFO, &info_only),
        4
    );
    let names: Vec<String> = info_only
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.0.clone())
        .collect();
    assert_eq!(names, ["approval", "fork", "review", "audit"]);
    // One that filters a callsite out by its name: that span is never made, the others are.
    let no_audit = Sites::default();
    let filter = tracing_subscriber::filter::filter_fn(|meta| meta.name() != "audit");
    assert_eq!(approval_with(filter, &no_audit), 4);
    let names: Vec<String> = no_audit
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.0.clone())
        .collect();
    assert_eq!(
        names,
        [
            "approval",
            "fork",
            "review",
            "review",
            "review 2",
            "check_review"
        ]
    );
}

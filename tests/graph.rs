//! The workflow graph as data: `workflow!` records every fork, branch, step and join of a
//! workflow, with its policy, modifiers, nesting and source location, in `NAME_GRAPH`.

use std::time::Duration;

use workflow_runtime::graph::{Fork, Location, Policy, Step, Task, Workflow};
use workflow_runtime::{BranchError, TimedOut, workflow};

mod support;
use support::after;

#[derive(Debug)]
pub(crate) struct Failed;

impl From<TimedOut> for Failed {
    fn from(_: TimedOut) -> Self {
        Failed
    }
}

async fn ok_after(ms: u64, value: u32) -> Result<u32, Failed> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(value)
}

async fn score(value: u32) -> u32 {
    value + 1
}

/// The line of the `workflow!` call below, for the locations.
const FIRST_LINE: u32 = line!() + 1;
workflow! {
    pub(crate) async fn everything(items: Vec<u32>) -> Result<u32, BranchError<Failed>> {
        fork <
            #[timeout(250ms)] quick: ok_after(1, 1)?,
            nested: fork <
                left: after(1, 2) -> score,
                #[optional] right: ok_after(1, 3)?,
            > join(left, right) -> |l: u32, r: Option<u32>| async move { l + r.unwrap_or(0) },
            #[limit(4)] each: for item in items => after(1, item) -> |v| async move { Ok::<u32, Failed>(v) }?,
            #[optional] retried: after(1, 0) -> #[retry(3, backoff = 10ms)] |v| ok_after(1, v)?,
            side: after(1, 9),
        > join(quick, nested, each, retried)? background(side);
        #[spawn] fork < a: after(1, 1), b: after(2, 2) > join(b, a) settled;
        let winner = fork < x: ok_after(1, 1)?, y: ok_after(2, 2)?, z: ok_after(3, 3)? > quorum(2, x, y, z)?;
        let settled = b.unwrap_or(0) + a.unwrap_or(0);
        Ok(quick + nested + each.iter().sum::<u32>() + retried.unwrap_or(0) + settled + u32::try_from(winner.len()).unwrap())
    }
}

fn task(step: &Step) -> &Task {
    match step {
        Step::Task(task) => task,
        other => panic!("expected a task, found {other:?}"),
    }
}

fn fork(step: &Step) -> &Fork {
    match step {
        Step::Fork(fork) => fork,
        other => panic!("expected a fork, found {other:?}"),
    }
}

#[test]
fn the_graph_holds_every_fork_branch_step_and_join() {
    let graph: &Workflow = &EVERYTHING_GRAPH;
    assert_eq!(graph.name, "everything");
    assert_eq!(graph.forks.len(), 3);

    let first = &graph.forks[0];
    let names: Vec<&str> = first.branches.iter().map(|b| b.name).collect();
    assert_eq!(names, ["quick", "nested", "each", "retried", "side"]);
    assert!(!first.spawn);
    assert_eq!(first.join.policy, Policy::All);
    assert_eq!(first.join.joined, ["quick", "nested", "each", "retried"]);
    assert_eq!(first.join.background, ["side"]);
    assert!(first.join.fallible);

    let quick = &first.branches[0];
    assert_eq!(quick.modifiers.timeout, Some("250ms"));
    let step = task(&quick.steps[0]);
    assert_eq!(
        (step.name, step.code, step.fallible),
        ("ok_after", "ok_after(1, 1)", true)
    );

    let nested = &first.branches[1];
    let inner = fork(&nested.steps[0]);
    assert_eq!(inner.join.joined, ["left", "right"]);
    assert_eq!(inner.branches[0].path, "nested.left");
    let left: Vec<&str> = inner.branches[0]
        .steps
        .iter()
        .map(|s| task(s).code)
        .collect();
    assert_eq!(left, ["after(1, 2)", "score"]);
    assert!(inner.branches[1].modifiers.optional);
    let hand_over = task(&nested.steps[1]);
    assert_eq!(
        hand_over.name, "nested",
        "a closure is named after its branch"
    );
    assert_eq!(
        hand_over.code,
        "|l: u32, r: Option<u32>| async move { l + r.unwrap_or(0) }"
    );

    let each = &first.branches[2];
    let fan_out = each.fan_out.expect("a fan-out");
    assert_eq!(
        (fan_out.pattern, fan_out.items, fan_out.limit),
        ("item", "items", Some("4"))
    );
    assert!(task(&each.steps[1]).fallible);
    assert_eq!(task(&each.steps[1]).name, "each");
    let retried = &first.branches[3];
    assert!(retried.modifiers.optional);
    let step = task(&retried.steps[1]);
    assert_eq!(step.modifiers.retry, Some("3, backoff = 10ms"));
    assert_eq!((step.name, step.fallible), ("retried", true));

    let second = &graph.forks[1];
    assert!(second.spawn);
    assert_eq!(second.join.policy, Policy::Settled);
    assert_eq!(second.join.joined, ["b", "a"], "in the join's order");
    assert!(!second.join.fallible);

    let third = &graph.forks[2];
    assert_eq!(third.join.policy, Policy::Quorum(2));
    assert_eq!(third.join.joined, ["x", "y", "z"]);
}

#[test]
fn every_node_knows_where_it_is_written() {
    let graph = &EVERYTHING_GRAPH;
    let file = file!();
    assert_eq!(graph.at, Location::new(file, FIRST_LINE + 1, 25));
    let first = &graph.forks[0];
    assert_eq!(first.at, Location::new(file, FIRST_LINE + 2, 9));
    assert_eq!(
        first.branches[0].at,
        Location::new(file, FIRST_LINE + 3, 31)
    );
    assert_eq!(task(&first.branches[0].steps[0]).at.line, FIRST_LINE + 3);
    let inner = fork(&first.branches[1].steps[0]);
    assert_eq!(inner.at.line, FIRST_LINE + 4);
    assert_eq!(inner.branches[1].at.line, FIRST_LINE + 6);
    assert_eq!(first.join.at, Location::new(file, FIRST_LINE + 11, 11));
    assert_eq!(graph.forks[2].join.at.line, FIRST_LINE + 13);
    assert_eq!(first.at.to_string(), format!("{file}:{}:9", FIRST_LINE + 2));
}

#[tokio::test(start_paused = true)]
async fn the_workflow_still_runs_beside_its_graph() {
    let started = tokio::time::Instant::now();
    let total = everything(vec![1, 2, 3]).await.unwrap();
    // quick, nested, each, settled, quorum (`retried` is optional and succeeds with 0)
    assert_eq!(total, 1 + (3 + 3) + (1 + 2 + 3) + (2 + 1) + 2);
    assert!(started.elapsed() < Duration::from_millis(50));
}

async fn review(value: u32) -> u32 {
    value * 2
}

workflow! {
    async fn unnamed(value: u32) -> (u32, u32) {
        fork <
            review: async move { value } -> |v| async move { v + 1 } -> review -> |v| async move { v },
            notes: review(value) -> |v| async move { v + 1 } -> |v| async move { v + 2 },
        > join(review, notes);
        (review, notes)
    }
}

#[test]
fn blocks_and_closures_are_named_after_their_branch() {
    let names = |branch: usize| -> Vec<&str> {
        UNNAMED_GRAPH.forks[0].branches[branch]
            .steps
            .iter()
            .map(|step| task(step).name)
            .collect()
    };
    assert_eq!(
        names(0),
        ["review 2", "review 3", "review", "review 4"],
        "the call keeps `review`"
    );
    assert_eq!(names(1), ["review", "notes", "notes 2"]);
    // Every exporter keeps them apart: Conductor's task names and references, BPMN's ids.
    let conductor = UNNAMED_GRAPH.to_conductor_json();
    for name in [
        r#""name": "review_2""#,
        r#""name": "notes_2""#,
        r#""taskReferenceName": "review_3_ref""#,
    ] {
        assert!(conductor.contains(name), "{name}: {conductor}");
    }
    assert!(
        conductor.contains(r#""taskReferenceName": "review_review""#),
        "{conductor}"
    );
    assert!(
        conductor.contains(r#""taskReferenceName": "review_notes""#),
        "{conductor}"
    );
    let bpmn = UNNAMED_GRAPH.to_bpmn();
    assert!(
        bpmn.contains(r#"id="Task_review_2" name="review 2""#),
        "{bpmn}"
    );
    assert!(UNNAMED_GRAPH.to_mermaid().contains(r#"["notes 2"]"#));
    assert_eq!(futures::executor::block_on(unnamed(1)), (4, 5));
}

mod shop {
    use workflow_runtime::workflow;

    pub(crate) struct Shop;

    impl Shop {
        async fn price(&self, id: u32) -> u32 {
            tokio::task::yield_now().await;
            id * 10
        }

        workflow! {
            /// A workflow as a method: its graph is an associated constant.
            pub(crate) async fn quote(&self, id: u32) -> u32 {
                fork < a: self.price(id), b: self.price(id + 1) > join(a, b);
                a + b
            }
        }
    }
}

#[test]
fn a_method_workflow_has_its_graph_as_an_associated_constant() {
    let graph = shop::Shop::QUOTE_GRAPH;
    assert_eq!(graph.name, "quote");
    assert_eq!(
        task(&graph.forks[0].branches[1].steps[0]).code,
        "self.price(id + 1)"
    );
    assert_eq!(futures::executor::block_on(shop::Shop.quote(1)), 30);
}

fn is_transient(_: &Failed) -> bool {
    true
}

workflow! {
    pub(crate) async fn careful() -> Result<(u32, u32), BranchError<Failed>> {
        fork <
            capped: #[retry(5, backoff = 10ms, max = 1s, jitter, if = is_transient)] ok_after(1, 1)?,
            plain: #[retry(2)] ok_after(1, 2)?,
        > join(capped, plain)?;
        Ok((capped, plain))
    }
}

#[test]
fn the_graph_and_its_exports_show_a_retrys_cap_jitter_and_predicate() {
    let graph: &Workflow = &CAREFUL_GRAPH;
    let [capped, plain] = graph.forks[0].branches else {
        panic!("two branches");
    };
    let policy = "5, backoff = 10ms, max = 1s, jitter, if = is_transient";
    assert_eq!(task(&capped.steps[0]).modifiers.retry, Some(policy));
    assert_eq!(task(&plain.steps[0]).modifiers.retry, Some("2"));
    let mermaid = graph.to_mermaid();
    assert!(
        mermaid.contains(&format!("[\"ok_after<br/>retry {policy}\"]")),
        "{mermaid}"
    );
    let bpmn = graph.to_bpmn();
    assert!(
        bpmn.contains(&format!(")&#10;retry {policy}</bpmn:documentation>")),
        "{bpmn}"
    );
    let conductor = graph.to_conductor_json();
    assert!(
        conductor.contains(&format!("\"retry {policy}\"")),
        "{conductor}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_workflow_with_a_retry_policy_runs() {
    assert_eq!(careful().await.ok(), Some((1, 2)));
}

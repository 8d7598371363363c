//! The graph exports of every example workflow, and of one workflow with every shape the
//! examples do not have, against the snapshots in `tests/exports/` (read by eye when
//! they change: `UPDATE_EXPORTS=1 cargo test --test exports`, then `git diff
//! tests/exports`). Each snapshot is what `cargo run --example export -- NAME FORMAT`
//! prints, source lines masked. `.ci/run` checks the BPMN snapshots with bpmn-moddle and
//! bpmnlint.
//!
//! On top of the snapshots:
//! - the Conductor JSON has the shape of seeds 001/004 (`FORK_JOIN` with `forkTasks`, a
//!   list of task lists, then a `JOIN` whose `joinOn` names the last task of every
//!   joined branch; `SIMPLE` tasks named after the steps; unique references), and the
//!   notifications example gives seed 004's `forkTasks` and `joinOn` exactly;
//! - the BPMN's flows and nodes agree (`sourceRef`/`targetRef` against `incoming` and
//!   `outgoing`), every parallel split has as many outgoing flows as its join has
//!   incoming ones plus its background branches' end events, and a token game on the
//!   process (seed 003's split, arrivals, merge) fires every node once and leaves no
//!   token behind.
#![allow(clippy::unused_async)] // the steps stand in for real async services

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use serde_json::Value;
use workflow_runtime::graph::{Format, Policy, Step, Workflow};
use workflow_runtime::workflow;

#[path = "../examples/dropship.rs"]
#[allow(dead_code)]
mod dropship;
#[path = "../examples/loan_checks.rs"]
#[allow(dead_code)]
mod loan_checks;
#[path = "../examples/notifications.rs"]
#[allow(dead_code)]
mod notifications;
#[path = "../examples/resilient_fanout.rs"]
#[allow(dead_code)]
mod resilient_fanout;

async fn replica(name: &'static str) -> &'static str {
    name
}

async fn load(id: u32) -> u32 {
    id
}

async fn score(raw: u32) -> u32 {
    raw + 1
}

async fn audit(what: &'static str) -> usize {
    what.len()
}

async fn add(x: u32, y: u32) -> Result<u32, String> {
    x.checked_add(y).ok_or_else(|| "overflow".to_owned())
}

async fn subtract(x: u32, y: u32) -> Result<u32, String> {
    y.checked_sub(x).ok_or_else(|| "underflow".to_owned())
}

async fn merge(left: u32, right: u32) -> u32 {
    left + right
}

workflow! {
    /// Every shape the examples do not have: `quorum` and `first`, two forks in a row,
    /// a nested fork with a background branch then a fork at once after its join, a
    /// `settled` join, `#[spawn]`, a fan-out of several steps, and a join of one branch
    /// beside a background one.
    pub(crate) async fn kitchen_sink(urls: &[u32]) -> u32 {
        let two = fork <
            eu: replica("eu"),
            us: replica("us"),
            asia: replica("asia"),
        > quorum(2, eu, us, asia);
        let fastest = fork <
            fast: load(1),
            slow: load(2),
        > first(fast, slow);
        fork <
            a: load(u32::try_from(two.len()).unwrap_or(0)) -> score,
            b: fork <
                x: load(fastest.value.min(1)),
                y: load(2),
                log: audit("b"),
            > join(x, y) background(log) -> fork <
                sum: add(x, y)?,
                diff: subtract(x, y)?,
            > join(sum, diff) settled,
        > join(a, b);
        #[spawn]
        fork <
            p: async move { 1 },
            q: async move { 2 },
        > join(p, q);
        fork <
            pages: for url in urls.iter() => load(*url) -> score -> |page| merge(page, page),
            metrics: audit("pages"),
        > join(pages) background(metrics);
        a + b.0.unwrap_or(0) + p + q + pages.iter().sum::<u32>()
    }
}

/// Each scenario's snapshot name and its graph.
const WORKFLOWS: [(&str, Workflow); 5] = [
    ("dropship", dropship::FULFIL_GRAPH),
    ("notifications", notifications::NOTIFY_GRAPH),
    ("loan_checks", loan_checks::REVIEW_GRAPH),
    ("resilient_fanout", resilient_fanout::CHECK_OUT_GRAPH),
    ("kitchen_sink", KITCHEN_SINK_GRAPH),
];

fn snapshot(name: &str, format: Format) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("exports")
        .join(format!("{name}.{}", format.extension()))
}

/// An export as the snapshots hold it: what `cargo run --example export -- NAME FORMAT`
/// prints, with source lines and columns written `LINE`, so that editing an example
/// above its workflow does not change them. (The examples are compiled into this test
/// through `#[path]`, so `file!()` says `tests/../examples/..` here.)
fn stable(export: &str) -> String {
    let export = export.replace("tests/../examples/", "examples/");
    let digits = |text: &str| {
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len())
    };
    let mut out = String::with_capacity(export.len());
    let mut rest = export.as_str();
    while let Some(at) = rest.find(".rs:") {
        out.push_str(&rest[..at + 4]);
        rest = &rest[at + 4..];
        let mut end = digits(rest);
        if end > 0 {
            out.push_str("LINE");
            if rest[end..].starts_with(':') && digits(&rest[end + 1..]) > 0 {
                end += 1 + digits(&rest[end + 1..]);
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn exports_match_their_snapshots() {
    let update = std::env::var_os("UPDATE_EXPORTS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (name, graph) in WORKFLOWS {
        for format in Format::ALL {
            let path = snapshot(name, format);
            let text = stable(&graph.export(format));
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &text).unwrap();
                continue;
            }
            let saved = std::fs::read_to_string(&path).unwrap_or_default();
            if saved != text {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "exports differ from their snapshots: {stale:#?}\n\
         run `UPDATE_EXPORTS=1 cargo test --test exports` and read `git diff tests/exports`"
    );
}

#[tokio::test]
async fn the_kitchen_sink_runs() {
    // a: 2 replicas + 1; b: 1 + 2; p + q: 3; pages: 2 * 11 + 2 * 21.
    assert_eq!(kitchen_sink(&[10, 20]).await, 3 + 3 + 3 + 64);
}

// ---------------------------------------------------------------- Conductor (seeds 001/004)

/// Seed 004's definition of the notifications fork, as its documentation shows it.
const SEED_004: &str = r#"[
  {
    "name": "fork_join",
    "taskReferenceName": "my_fork_join_ref",
    "type": "FORK_JOIN",
    "forkTasks": [
      [
        { "name": "process_notification_payload", "taskReferenceName": "process_notification_payload_email", "type": "SIMPLE" },
        { "name": "email_notification", "taskReferenceName": "email_notification_ref", "type": "SIMPLE" }
      ],
      [
        { "name": "process_notification_payload", "taskReferenceName": "process_notification_payload_sms", "type": "SIMPLE" },
        { "name": "sms_notification", "taskReferenceName": "sms_notification_ref", "type": "SIMPLE" }
      ],
      [
        { "name": "process_notification_payload", "taskReferenceName": "process_notification_payload_http", "type": "SIMPLE" },
        { "name": "http_notification", "taskReferenceName": "http_notification_ref", "type": "SIMPLE" }
      ]
    ]
  },
  {
    "name": "notification_join",
    "taskReferenceName": "notification_join_ref",
    "type": "JOIN",
    "joinOn": ["email_notification_ref", "sms_notification_ref"]
  }
]"#;

fn text<'a>(task: &'a Value, key: &str) -> &'a str {
    task[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {task}"))
}

/// The reference of the last task of a branch's task list.
fn last_reference(list: &Value) -> &str {
    text(
        list.as_array().unwrap().last().unwrap(),
        "taskReferenceName",
    )
}

/// Checks a list of tasks against the forks (or steps) it stands for, as seeds 001/004
/// shape them, and collects every task reference.
fn check_tasks<'a>(tasks: &'a Value, steps: &[Step], references: &mut Vec<&'a str>) {
    let tasks = tasks.as_array().expect("a list of tasks");
    let mut index = 0;
    for step in steps {
        let task = &tasks[index];
        references.push(text(task, "taskReferenceName"));
        match step {
            Step::Task(step) => {
                assert_eq!(text(task, "type"), "SIMPLE", "{task}");
                assert_eq!(
                    text(task, "name"),
                    step.name.replace(' ', "_"),
                    "named after the step: {task}"
                );
                index += 1;
            }
            Step::Fork(fork) => {
                assert_eq!(text(task, "type"), "FORK_JOIN", "{task}");
                let lists = task["forkTasks"]
                    .as_array()
                    .expect("forkTasks: a list of lists");
                assert_eq!(
                    lists.len(),
                    fork.branches.len(),
                    "one list per branch: {task}"
                );
                let mut last = HashMap::new();
                for (list, branch) in lists.iter().zip(fork.branches) {
                    last.insert(branch.name, last_reference(list));
                    if branch.fan_out.is_some() {
                        let dynamic = &list[0];
                        assert_eq!(text(dynamic, "type"), "FORK_JOIN_DYNAMIC", "{dynamic}");
                        assert_eq!(text(&list[1], "type"), "JOIN", "{list}");
                        references.push(text(dynamic, "taskReferenceName"));
                        references.push(text(&list[1], "taskReferenceName"));
                    } else {
                        check_tasks(list, branch.steps, references);
                    }
                }
                let join = &tasks[index + 1];
                references.push(text(join, "taskReferenceName"));
                assert_eq!(
                    text(join, "type"),
                    "JOIN",
                    "a FORK_JOIN is followed by its JOIN"
                );
                let join_on: Vec<&str> = join["joinOn"]
                    .as_array()
                    .expect("joinOn: a list")
                    .iter()
                    .map(|name| name.as_str().unwrap())
                    .collect();
                let expected: Vec<&str> = fork.join.joined.iter().map(|name| last[name]).collect();
                assert_eq!(
                    join_on, expected,
                    "joinOn names the last task of each joined branch"
                );
                for background in fork.join.background {
                    assert!(
                        !join_on.contains(&last[background]),
                        "{background} is not joined"
                    );
                }
                index += 2;
            }
            other => panic!("a step the exporters do not know: {other:?}"),
        }
    }
    assert_eq!(index, tasks.len(), "no task beyond the steps: {tasks:?}");
}

#[test]
fn conductor_definitions_have_the_shape_of_seeds_001_and_004() {
    for (name, graph) in WORKFLOWS {
        let definition: Value = serde_json::from_str(&graph.to_conductor_json())
            .unwrap_or_else(|error| panic!("{name}: not JSON: {error}"));
        assert_eq!(definition["name"], graph.name);
        assert_eq!(definition["version"], 1);
        assert_eq!(definition["schemaVersion"], 2);
        let forks: Vec<Step> = graph.forks.iter().map(|fork| Step::Fork(*fork)).collect();
        let mut references = Vec::new();
        check_tasks(&definition["tasks"], &forks, &mut references);
        let unique: HashSet<_> = references.iter().collect();
        assert_eq!(unique.len(), references.len(), "{name}: {references:?}");
    }
}

#[test]
fn the_notifications_fork_is_seed_004s() {
    let seed: Value = serde_json::from_str(SEED_004).unwrap();
    let ours: Value =
        serde_json::from_str(&notifications::NOTIFY_GRAPH.to_conductor_json()).unwrap();
    let tasks = ours["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0]["type"], seed[0]["type"]);
    assert_eq!(tasks[0]["forkTasks"], seed[0]["forkTasks"]);
    assert_eq!(tasks[1]["type"], seed[1]["type"]);
    assert_eq!(tasks[1]["joinOn"], seed[1]["joinOn"]);
}

#[test]
fn conductor_marks_fan_outs_policies_and_optional_branches() {
    let check_out: Value =
        serde_json::from_str(&resilient_fanout::CHECK_OUT_GRAPH.to_conductor_json()).unwrap();
    let branches = &check_out["tasks"][0]["forkTasks"];
    assert_eq!(
        branches[0][0]["inputParameters"]["forkTaskName"],
        "check_stock"
    );
    assert_eq!(branches[2][0]["optional"], true, "#[optional] loyalty");
    let sink: Value = serde_json::from_str(&KITCHEN_SINK_GRAPH.to_conductor_json()).unwrap();
    assert!(text(&sink["tasks"][1], "description").starts_with("quorum(2, eu, us, asia)"));
    assert!(text(&sink["tasks"][3], "description").starts_with("first(fast, slow)"));
}

// ---------------------------------------------------------------- BPMN (seed 003)

const BPMN: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";

#[derive(Debug)]
struct Node {
    kind: String,
    name: String,
    direction: String,
    incoming: Vec<String>,
    outgoing: Vec<String>,
    /// A boundary event's `attachedToRef`.
    attached: String,
    /// The event definitions' element names (`timerEventDefinition`).
    definitions: Vec<String>,
}

/// The flow nodes (by id) and flows (id to source and target) of one process or
/// sub-process, and the sub-processes inside it.
#[derive(Debug, Default)]
struct Process {
    nodes: HashMap<String, Node>,
    flows: HashMap<String, (String, String)>,
    subs: Vec<Process>,
}

fn read_process(element: roxmltree::Node<'_, '_>) -> Process {
    let mut process = Process::default();
    for child in element
        .children()
        .filter(|c| c.tag_name().namespace() == Some(BPMN))
    {
        let kind = child.tag_name().name();
        let Some(id) = child.attribute("id").map(str::to_owned) else {
            continue; // incoming, outgoing, loop characteristics: read with their node
        };
        match kind {
            "sequenceFlow" => {
                assert!(
                    !child
                        .children()
                        .any(|c| c.tag_name().name() == "conditionExpression"),
                    "no condition on a parallel flow: {id}"
                );
                let source = child.attribute("sourceRef").unwrap().to_owned();
                let target = child.attribute("targetRef").unwrap().to_owned();
                process.flows.insert(id, (source, target));
            }
            "documentation" | "group" => {}
            _ => {
                let refs = |tag: &str| -> Vec<String> {
                    child
                        .children()
                        .filter(|c| c.tag_name().name() == tag)
                        .map(|c| c.text().unwrap_or_default().to_owned())
                        .collect()
                };
                if kind == "subProcess" {
                    process.subs.push(read_process(child));
                }
                process.nodes.insert(
                    id,
                    Node {
                        kind: kind.to_owned(),
                        name: child.attribute("name").unwrap_or_default().to_owned(),
                        direction: child
                            .attribute("gatewayDirection")
                            .unwrap_or_default()
                            .to_owned(),
                        incoming: refs("incoming"),
                        outgoing: refs("outgoing"),
                        attached: child
                            .attribute("attachedToRef")
                            .unwrap_or_default()
                            .to_owned(),
                        definitions: child
                            .children()
                            .map(|c| c.tag_name().name())
                            .filter(|name| name.ends_with("EventDefinition"))
                            .map(str::to_owned)
                            .collect(),
                    },
                );
            }
        }
    }
    process
}

impl Process {
    fn check_references(&self) {
        for (id, (source, target)) in &self.flows {
            assert!(
                self.nodes[source].outgoing.contains(id),
                "{source} lists {id} as outgoing"
            );
            assert!(
                self.nodes[target].incoming.contains(id),
                "{target} lists {id} as incoming"
            );
        }
        for (id, node) in &self.nodes {
            for flow in &node.incoming {
                assert_eq!(&self.flows[flow].1, id, "{flow} ends at {id}");
            }
            for flow in &node.outgoing {
                assert_eq!(&self.flows[flow].0, id, "{flow} starts at {id}");
            }
        }
        self.subs.iter().for_each(Process::check_references);
    }

    /// Follows a flow to where the branch it starts arrives: the first converging
    /// gateway or end event, passing nested forks through their matching joins.
    fn arrival(&self, flow: &str) -> String {
        let mut at = self.flows[flow].1.clone();
        loop {
            let node = &self.nodes[&at];
            match (node.kind.as_str(), node.direction.as_str()) {
                ("endEvent", _) | ("parallelGateway", "Converging") => return at,
                ("parallelGateway", "Diverging") => at = self.matching_join(&at),
                _ => {}
            }
            let node = &self.nodes[&at];
            if node.kind == "endEvent" {
                return at;
            }
            at = self.flows[&node.outgoing[0]].1.clone();
        }
    }

    /// The join gateway where a split's branches meet again, checking that they match:
    /// the split's outgoing flows are the join's incoming ones plus branches that end in
    /// their own (background) end event. A split whose one joined branch needs no
    /// gateway (`join(a) background(b)`) gives that branch's last node.
    fn matching_join(&self, split: &str) -> String {
        let node = &self.nodes[split];
        let arrivals: Vec<String> = node
            .outgoing
            .iter()
            .map(|flow| self.arrival(flow))
            .collect();
        let joins: HashSet<&String> = arrivals
            .iter()
            .filter(|at| self.nodes[*at].kind == "parallelGateway")
            .collect();
        let background = arrivals
            .iter()
            .filter(|at| {
                self.nodes[*at].kind == "endEvent" && self.nodes[*at].name.ends_with(" done")
            })
            .count();
        assert!(
            joins.len() <= 1,
            "the branches of {split} meet at one join: {arrivals:?}"
        );
        if let Some(join) = joins.into_iter().next() {
            let joined = arrivals.iter().filter(|at| *at == join).count();
            assert_eq!(
                self.nodes[join].incoming.len(),
                joined,
                "{join} is entered by the branches of {split} only"
            );
            assert_eq!(
                node.outgoing.len(),
                joined + background,
                "{split}: every branch is joined at {join} or ends in its own end event"
            );
            join.clone()
        } else {
            // One joined branch, no gateway: it goes on past the fork.
            assert_eq!(node.outgoing.len(), background + 1, "{split}: {arrivals:?}");
            let joined = node
                .outgoing
                .iter()
                .find(|flow| !self.nodes[&self.arrival(flow)].name.ends_with(" done"))
                .unwrap();
            let mut at = self.flows[joined].1.clone();
            while self.nodes[&at].outgoing.len() == 1
                && self.nodes[&self.flows[&self.nodes[&at].outgoing[0]].1]
                    .incoming
                    .len()
                    == 1
                && self.nodes[&self.flows[&self.nodes[&at].outgoing[0]].1].kind != "endEvent"
            {
                at = self.flows[&self.nodes[&at].outgoing[0]].1.clone();
            }
            at
        }
    }

    /// Seed 003's token game: a parallel gateway fires when a token waits on each of its
    /// incoming flows (split: one in, N out; join: arrivals k/N, then merge), any other
    /// node on one token. Returns how many times each node fired.
    fn play(&self) -> HashMap<&str, usize> {
        let mut tokens: HashMap<&str, usize> = HashMap::new();
        let mut fired: HashMap<&str, usize> = HashMap::new();
        let mut ready: Vec<&str> = self
            .nodes
            .iter()
            .filter(|(_, node)| node.kind == "startEvent")
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(ready.len(), 1, "one start event");
        while let Some(id) = ready.pop() {
            let node = &self.nodes[id];
            for flow in &node.incoming {
                *tokens.get_mut(flow.as_str()).unwrap() -= 1;
            }
            *fired.entry(id).or_default() += 1;
            for flow in &node.outgoing {
                *tokens.entry(flow.as_str()).or_default() += 1;
                let target = self.flows[flow].1.as_str();
                let next = &self.nodes[target];
                let waiting = next
                    .incoming
                    .iter()
                    .all(|f| tokens.get(f.as_str()).copied().unwrap_or(0) > 0);
                if waiting && (next.kind == "parallelGateway" || next.incoming.len() == 1) {
                    ready.push(target);
                }
            }
        }
        assert!(
            tokens.values().all(|n| *n == 0),
            "tokens left behind: {tokens:?}"
        );
        fired
    }
}

fn processes() -> Vec<(&'static str, String)> {
    WORKFLOWS
        .iter()
        .map(|(name, graph)| (*name, graph.to_bpmn()))
        .collect()
}

fn parse(xml: &str) -> Process {
    let document = roxmltree::Document::parse(xml).expect("well-formed XML");
    let process = document
        .descendants()
        .find(|n| n.has_tag_name((BPMN, "process")))
        .expect("a process");
    read_process(process)
}

fn check_every_split(process: &Process, splits: &mut usize) {
    for (id, node) in &process.nodes {
        if node.kind == "parallelGateway" {
            let (ins, outs) = (node.incoming.len(), node.outgoing.len());
            match node.direction.as_str() {
                "Diverging" => {
                    assert!(ins == 1 && outs >= 2, "{id}: a split, {ins} in {outs} out");
                    process.matching_join(id);
                    *splits += 1;
                }
                "Converging" => assert!(ins >= 2 && outs == 1, "{id}: a join, {ins} in {outs} out"),
                other => panic!("{id}: gatewayDirection {other:?}"),
            }
        }
    }
    for sub in &process.subs {
        check_every_split(sub, splits);
    }
}

#[test]
fn bpmn_flows_and_nodes_name_each_other() {
    for (name, xml) in processes() {
        let process = parse(&xml);
        assert!(!process.flows.is_empty(), "{name}");
        process.check_references();
    }
}

#[test]
fn bpmn_splits_and_joins_match() {
    for (name, xml) in processes() {
        let process = parse(&xml);
        let mut splits = 0;
        check_every_split(&process, &mut splits);
        let graph = WORKFLOWS.iter().find(|(n, _)| *n == name).unwrap().1;
        assert_eq!(
            splits,
            count_forks(graph.forks.iter().map(|f| Step::Fork(*f))),
            "{name}"
        );
    }
}

fn count_forks(steps: impl Iterator<Item = Step>) -> usize {
    steps
        .map(|step| match step {
            Step::Fork(fork) => {
                1 + fork
                    .branches
                    .iter()
                    .map(|branch| count_forks(branch.steps.iter().copied()))
                    .sum::<usize>()
            }
            _ => 0,
        })
        .sum()
}

/// Whether `(x, y)` is strictly inside the diamond drawn in `bounds` (x, y, width, height).
fn inside_diamond((x, y): (f64, f64), [left, top, width, height]: [f64; 4]) -> bool {
    let (dx, dy) = (x - (left + width / 2.0), y - (top + height / 2.0));
    dx.abs() / (width / 2.0) + dy.abs() / (height / 2.0) < 0.99
}

#[test]
fn bpmn_flows_stay_outside_the_gateways() {
    // A flow drawn through a gateway's diamond (a branch 8 px off the fork's axis did
    // that in bpmn-js) reads as if it went through the gateway to another branch.
    let number = |node: roxmltree::Node<'_, '_>, key: &str| -> f64 {
        node.attribute(key).unwrap().parse().unwrap()
    };
    for (name, xml) in processes() {
        let document = roxmltree::Document::parse(&xml).unwrap();
        let gateways: Vec<&str> = document
            .descendants()
            .filter(|n| {
                n.tag_name().namespace() == Some(BPMN) && n.tag_name().name().ends_with("Gateway")
            })
            .filter_map(|n| n.attribute("id"))
            .collect();
        let diamonds: Vec<[f64; 4]> = document
            .descendants()
            .filter(|n| n.tag_name().name() == "BPMNShape")
            .filter(|n| gateways.contains(&n.attribute("bpmnElement").unwrap()))
            .map(|shape| {
                let b = shape
                    .children()
                    .find(|c| c.tag_name().name() == "Bounds")
                    .unwrap();
                [
                    number(b, "x"),
                    number(b, "y"),
                    number(b, "width"),
                    number(b, "height"),
                ]
            })
            .collect();
        assert_eq!(
            diamonds.len(),
            gateways.len(),
            "{name}: every gateway is drawn"
        );
        for edge in document
            .descendants()
            .filter(|n| n.tag_name().name() == "BPMNEdge")
        {
            let points: Vec<(f64, f64)> = edge
                .children()
                .filter(|c| c.tag_name().name() == "waypoint")
                .map(|p| (number(p, "x"), number(p, "y")))
                .collect();
            for pair in points.windows(2) {
                let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
                for i in 0..=100 {
                    let t = f64::from(i) / 100.0;
                    let point = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
                    assert!(
                        !diamonds.iter().any(|d| inside_diamond(point, *d)),
                        "{name}: {} runs through a gateway at {point:?}",
                        edge.attribute("id").unwrap()
                    );
                }
            }
        }
    }
}

#[test]
fn bpmn_token_game_fires_every_node_once() {
    for (name, xml) in processes() {
        let process = parse(&xml);
        let mut all = vec![&process];
        while let Some(process) = all.pop() {
            let fired = process.play();
            for (id, node) in &process.nodes {
                // A step's timer and the error end event after it are the way out when
                // the step times out: the run that succeeds never reaches them.
                let timed_out = node.kind == "boundaryEvent"
                    || node.definitions.iter().any(|d| d == "errorEventDefinition");
                let expected = if timed_out { None } else { Some(&1) };
                assert_eq!(fired.get(id.as_str()), expected, "{name}: {id}");
            }
            all.extend(&process.subs);
        }
    }
}

#[test]
fn bpmn_shows_a_steps_retry_in_its_name_and_its_timeout_as_a_timer_boundary_event() {
    let xml = resilient_fanout::CHECK_OUT_GRAPH.to_bpmn();
    let process = parse(&xml);
    // As Mermaid shows them: `authorise<br/>retry 3, backoff = 20ms<br/>timeout 200ms`.
    let mermaid = resilient_fanout::CHECK_OUT_GRAPH.to_mermaid();
    assert!(mermaid.contains(r#"["authorise<br/>retry 3, backoff = 20ms<br/>timeout 200ms"]"#));
    assert_eq!(
        process.nodes["Task_authorise"].name,
        "authorise\nretry 3, backoff = 20ms"
    );
    assert_eq!(process.nodes["Task_loyalty_points"].name, "loyalty_points");
    let document = roxmltree::Document::parse(&xml).unwrap();
    let duration = |timer: &str| -> String {
        document
            .descendants()
            .find(|n| n.attribute("id") == Some(timer))
            .and_then(|n| {
                n.descendants()
                    .find(|c| c.has_tag_name((BPMN, "timeDuration")))
            })
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_owned()
    };
    let mut timers: Vec<(&str, &str, String)> = process
        .nodes
        .iter()
        .filter(|(_, node)| node.kind == "boundaryEvent")
        .map(|(id, node)| (node.attached.as_str(), node.name.as_str(), duration(id)))
        .collect();
    timers.sort_unstable();
    assert_eq!(
        timers,
        [
            ("Task_authorise", "timeout 200ms", "PT0.2S".to_owned()),
            ("Task_loyalty_points", "timeout 100ms", "PT0.1S".to_owned()),
        ]
    );
    // Every timer, in every export: attached to a task of its process, no incoming
    // flow, one outgoing flow to an error end event (the step fails with `TimedOut`).
    let mut count = 0;
    for (name, xml) in processes() {
        let mut all = vec![parse(&xml)];
        assert_eq!(
            xml.contains("<bpmn:error id=\"Error_TimedOut\""),
            xml.contains("<bpmn:boundaryEvent"),
            "{name}: the error is declared where it is thrown"
        );
        while let Some(process) = all.pop() {
            for (id, node) in &process.nodes {
                if node.kind != "boundaryEvent" {
                    continue;
                }
                count += 1;
                assert_eq!(node.definitions, ["timerEventDefinition"], "{name}: {id}");
                assert_eq!(
                    process.nodes[&node.attached].kind, "serviceTask",
                    "{name}: {id}"
                );
                assert!(
                    node.incoming.is_empty() && node.outgoing.len() == 1,
                    "{name}: {id}"
                );
                let end = &process.nodes[&process.flows[&node.outgoing[0]].1];
                assert_eq!(
                    (
                        end.kind.as_str(),
                        end.name.as_str(),
                        end.definitions.as_slice()
                    ),
                    (
                        "endEvent",
                        "timed out",
                        ["errorEventDefinition".to_owned()].as_slice()
                    ),
                    "{name}: {id}"
                );
            }
            all.extend(process.subs);
        }
    }
    let timeouts = WORKFLOWS
        .iter()
        .map(|(_, graph)| count_timeouts(graph.forks.iter().map(|f| Step::Fork(*f))))
        .sum::<usize>();
    assert_eq!(count, timeouts, "one timer per step with `#[timeout]`");
    assert!(count >= 2);
}

fn count_timeouts(steps: impl Iterator<Item = Step>) -> usize {
    steps
        .map(|step| match step {
            Step::Task(task) => usize::from(task.modifiers.timeout.is_some()),
            Step::Fork(fork) => fork
                .branches
                .iter()
                .map(|branch| count_timeouts(branch.steps.iter().copied()))
                .sum(),
            _ => 0,
        })
        .sum()
}

/// The dropship process with the flow from `create_tracking_number` to the join sent to
/// a new end event instead; `keep_listed`: the join still lists it as incoming.
fn lose_the_tracking_branch(keep_listed: bool) -> Process {
    let mut process = parse(&dropship::FULFIL_GRAPH.to_bpmn());
    let flow = process.nodes["Task_create_tracking_number"].outgoing[0].clone();
    "Lost".clone_into(&mut process.flows.get_mut(&flow).unwrap().1);
    process.nodes.insert(
        "Lost".to_owned(),
        Node {
            kind: "endEvent".to_owned(),
            name: "lost".to_owned(),
            direction: String::new(),
            incoming: vec![flow.clone()],
            outgoing: Vec::new(),
            attached: String::new(),
            definitions: Vec::new(),
        },
    );
    if !keep_listed {
        let join = process.nodes.get_mut("Gateway_1_join").unwrap();
        join.incoming.retain(|f| *f != flow);
    }
    process
}

#[test]
fn the_checks_catch_seed_003s_mismatched_split_and_join() {
    // Split 3, join 2: the third branch ends on its own without being a background one.
    let process = lose_the_tracking_branch(false);
    process.check_references();
    let caught = std::panic::catch_unwind(|| process.matching_join("Gateway_1_split"));
    assert!(caught.is_err(), "split 3, join 2 is caught");

    // A join waiting for a branch that never arrives: the process hangs at the join.
    let process = lose_the_tracking_branch(true);
    assert!(std::panic::catch_unwind(|| process.check_references()).is_err());
    let caught = std::panic::catch_unwind(|| process.play());
    assert!(caught.is_err(), "two tokens wait at the join forever");
}

#[test]
fn policies_name_their_join_gateway() {
    let process = parse(&KITCHEN_SINK_GRAPH.to_bpmn());
    let names: HashSet<&str> = process
        .nodes
        .values()
        .filter(|n| n.direction == "Converging")
        .map(|n| n.name.as_str())
        .collect();
    assert!(
        names.contains("2 of 3") && names.contains("first of 2") && names.contains("all settled"),
        "{names:?}"
    );
    assert!(matches!(
        KITCHEN_SINK_GRAPH.forks[0].join.policy,
        Policy::Quorum(2)
    ));
}

/// A workflow whose step code, names, fan-out, modifiers and source file hold the
/// characters XML 1.0 does not allow that a `str` can hold (the control characters but
/// tab, line feed and carriage return; U+FFFE; U+FFFF), Unicode's line and paragraph
/// separators, and what a writer escapes anyway, as a step that writes such characters
/// in a string literal gives them to the graph.
fn strange_text() -> Workflow {
    use workflow_runtime::graph::{Branch, FanOut, Fork, Join, Location, Modifiers, Task};
    const AT: Location = Location::new("src/\u{fffe}.rs", 1, 1);
    const ODD: Modifiers = Modifiers::new(true, Some("1s\u{ffff}"), Some("3\u{1}"));
    const CODE: &str = "say(\"<&\"'\u{0}\u{1}\u{8}\u{b}\u{c}\u{e}\u{1f}\u{7f}\u{85}\u{fffe}\u{ffff}\u{2028}\u{2029}\t\r\n\")";
    const STEPS: &[Step] = &[
        Step::Task(Task::new("say", CODE, AT, true, ODD)),
        Step::Task(Task::new("say\u{fffe}", CODE, AT, false, ODD)),
    ];
    const ONE: &[Step] = &[Step::Task(Task::new("say", CODE, AT, true, ODD))];
    const EACH: FanOut = FanOut::new("x\u{ffff}", "xs(\"\u{fffe}\u{1}\")", Some("N\u{fffe}"));
    const STRANGE: Workflow = Workflow::new(
        "strange\u{fffe}",
        AT,
        &[Fork::new(
            AT,
            true,
            &[
                Branch::new("a\u{fffe}", "a\u{fffe}", AT, None, ODD, STEPS),
                Branch::new("b", "b", AT, Some(EACH), ODD, ONE),
                Branch::new("c", "c", AT, Some(EACH), ODD, STEPS),
                Branch::new("d\u{ffff}", "d\u{ffff}", AT, None, ODD, ONE),
            ],
            Join::new(
                AT,
                Policy::Quorum(2),
                &["a\u{fffe}", "b", "c"],
                &["d\u{ffff}"],
                true,
            ),
        )],
    );
    STRANGE
}

#[test]
fn characters_xml_does_not_allow_keep_the_bpmn_well_formed() {
    let xml = strange_text().to_bpmn();
    let document = roxmltree::Document::parse(&xml).expect("well-formed XML");
    // The step's code reads back with U+FFFD in the place of U+FFFE and U+FFFF, the other
    // control characters but tab and line feed left out.
    let documentation = document
        .descendants()
        .find(|n| {
            n.has_tag_name((BPMN, "documentation"))
                && n.text().is_some_and(|t| t.starts_with("say("))
        })
        .and_then(|n| n.text())
        .expect("the step's documentation");
    assert!(
        documentation
            .starts_with("say(\"<&\"'\u{fffd}\u{fffd}\u{2028}\u{2029}\t\n\")? (branch `a\u{fffd}`"),
        "{documentation:?}"
    );
    // Still a process whose flows and nodes agree, with a split and its join.
    let process = parse(&xml);
    process.check_references();
    let mut splits = 0;
    check_every_split(&process, &mut splits);
    assert_eq!(splits, 1);
}

/// Every string in `value`, at any depth.
fn strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(text) => out.push(text),
        Value::Array(values) => values.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

#[test]
fn characters_xml_does_not_allow_stay_out_of_mermaid_and_read_back_from_json() {
    let mermaid = strange_text().to_mermaid();
    for line in mermaid.lines() {
        assert!(
            !line.contains(|c: char| c.is_control()
                || matches!(c, '\u{fffe}' | '\u{ffff}' | '\u{2028}' | '\u{2029}')),
            "{line:?}"
        );
    }
    assert!(
        mermaid.contains(
            "[\"for each x\u{fffd} in xs(#quot;\u{fffd}#quot;), at most N\u{fffd} at once\"]"
        ),
        "{mermaid}"
    );
    assert!(mermaid.contains("[\"say\u{fffd}<br/>optional"), "{mermaid}");
    // JSON allows them all (escaped where it must): the code reads back as written.
    let json: Value =
        serde_json::from_str(&strange_text().to_conductor_json()).expect("valid JSON");
    let mut texts = Vec::new();
    strings(&json, &mut texts);
    for written in [
        "xs(\"\u{fffe}\u{1}\")",
        "retry 3\u{1}",
        "timeout 1s\u{ffff}",
    ] {
        assert!(
            texts.iter().any(|text| text.contains(written)),
            "{written:?}: {texts:?}"
        );
    }
}

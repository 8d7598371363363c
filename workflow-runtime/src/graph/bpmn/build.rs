//! The BPMN elements of a workflow's graph: events, tasks, gateways, sub-processes,
//! the flows between them and the groups naming the branches, with the blocks
//! (series, parallel, boxes) that [`super::layout`] places.

use core::fmt::Write as _;

use super::super::escape::{ident, location, modifiers};
use super::super::{Branch, Fork, Policy, Step, Task, Workflow};
use super::{Block, Diagram, Flow, Group, Kind, Node, Rect};

impl Diagram {
    /// The nodes, flows and groups of `workflow`, not laid out yet, and the block of its
    /// body.
    pub(super) fn build(workflow: &Workflow) -> (Diagram, Block) {
        let mut diagram = Diagram::default();
        let start = diagram.node(
            "StartEvent",
            Kind::Start,
            format!("{} called", workflow.name),
            None,
        );
        diagram.nodes[start].documentation =
            format!("workflow `{}` at {}", workflow.name, workflow.at);
        let mut blocks = vec![Block::Node(start)];
        for fork in workflow.forks {
            let block = diagram.fork(fork, None);
            diagram.flow(blocks.last().map_or(start, Block::exit), block.entry());
            blocks.push(block);
        }
        let end = diagram.node(
            "EndEvent",
            Kind::End,
            format!("{} returns", workflow.name),
            None,
        );
        diagram.flow(blocks.last().map_or(start, Block::exit), end);
        blocks.push(Block::Node(end));
        let body = Block::Seq(blocks);
        (diagram, body)
    }

    /// A unique id: `base`, else `base_2`, `base_3`, ...
    fn id(&mut self, base: &str) -> String {
        self.ids.unique(base)
    }

    fn node(&mut self, id: &str, kind: Kind, name: String, parent: Option<usize>) -> usize {
        let id = self.id(id);
        self.nodes.push(Node {
            id,
            kind,
            name,
            documentation: String::new(),
            duration: None,
            parent,
            incoming: Vec::new(),
            outgoing: Vec::new(),
            bounds: Rect::default(),
            label: None,
        });
        self.nodes.len() - 1
    }

    fn flow(&mut self, source: usize, target: usize) {
        let index = self.flows.len();
        self.flows.push(Flow {
            id: format!("Flow_{}", index + 1),
            source,
            target,
            points: Vec::new(),
        });
        self.nodes[source].outgoing.push(index);
        self.nodes[target].incoming.push(index);
    }

    fn fork(&mut self, fork: &Fork, parent: Option<usize>) -> Block {
        self.forks += 1;
        let number = self.forks;
        let split = self.node(
            &format!("Gateway_{number}_split"),
            Kind::Split,
            String::new(),
            parent,
        );
        if fork.spawn {
            self.nodes[split].documentation = format!(
                "#[spawn] fork at {}: the branches run as tokio tasks",
                fork.at
            );
        }
        let mut bands = Vec::new();
        let mut joined = Vec::new();
        for branch in fork.branches {
            let mut block = self.branch(branch, parent);
            self.flow(split, block.entry());
            let background = fork.join.background.contains(&branch.name);
            if background {
                let end = self.node(
                    &format!("EndEvent_{}", ident(branch.path)),
                    Kind::End,
                    format!("{} done", branch.name),
                    parent,
                );
                self.nodes[end].documentation = format!(
                    "background branch `{}`: runs on past the join, finishes before the enclosing scope",
                    branch.path
                );
                self.flow(block.exit(), end);
                block = Block::Seq(vec![block, Block::Node(end)]);
            } else if fork.join.joined.contains(&branch.name) {
                joined.push(block.exit());
            }
            let group = self.group(branch);
            bands.push((block, group));
        }
        let join = if joined.len() >= 2 {
            let (name, documentation) = policy(fork, joined.len());
            let join = self.node(&format!("Gateway_{number}_join"), Kind::Join, name, parent);
            self.nodes[join].documentation = documentation;
            for exit in &joined {
                self.flow(*exit, join);
            }
            Some(join)
        } else {
            None
        };
        let exit = join.or(joined.first().copied()).unwrap_or(split);
        Block::Par {
            split,
            bands,
            join,
            exit,
        }
    }

    fn group(&mut self, branch: &Branch) -> usize {
        let mut name = branch.name.to_owned();
        if let Some(fan_out) = &branch.fan_out {
            // The collection's expression is in the task's documentation.
            let _ = write!(name, ": for each {}", fan_out.pattern);
            if let Some(limit) = fan_out.limit {
                let _ = write!(name, ", at most {limit} at once");
            }
        }
        for modifier in modifiers(&branch.modifiers) {
            let _ = write!(name, ", {modifier}");
        }
        let path = ident(branch.path);
        let id = self.id(&format!("Group_{path}"));
        let value_id = self.id(&format!("Branch_{path}"));
        self.groups.push(Group {
            id,
            value_id,
            name,
            bounds: Rect::default(),
            label: Rect::default(),
        });
        self.groups.len() - 1
    }

    fn branch(&mut self, branch: &Branch, parent: Option<usize>) -> Block {
        let Some(fan_out) = &branch.fan_out else {
            return self.steps(branch.steps, branch, parent);
        };
        let each = format!("for each {} in {}", fan_out.pattern, fan_out.items);
        let limit = fan_out
            .limit
            .map(|limit| format!(", at most {limit} at once"))
            .unwrap_or_default();
        if let [Step::Task(task)] = branch.steps {
            let node = self.task(task, branch, parent, true);
            let documentation = &mut self.nodes[node].documentation;
            *documentation = format!("{each}{limit}\n{documentation}");
            return Block::Node(node);
        }
        let sub = self.node(
            &format!("SubProcess_{}", ident(branch.path)),
            Kind::SubProcess,
            format!("{} (each item)", branch.name),
            parent,
        );
        self.nodes[sub].documentation = format!("fan-out branch `{}`: {each}{limit}", branch.path);
        let start = self.node("StartEvent", Kind::Start, "item".to_owned(), Some(sub));
        let steps = self.steps(branch.steps, branch, Some(sub));
        let end = self.node("EndEvent", Kind::End, "item done".to_owned(), Some(sub));
        self.flow(start, steps.entry());
        self.flow(steps.exit(), end);
        Block::Sub {
            node: sub,
            inner: Box::new(Block::Seq(vec![
                Block::Node(start),
                steps,
                Block::Node(end),
            ])),
        }
    }

    fn steps(&mut self, steps: &[Step], branch: &Branch, parent: Option<usize>) -> Block {
        let mut blocks: Vec<Block> = Vec::new();
        for step in steps {
            let block = match step {
                Step::Task(task) => Block::Node(self.task(task, branch, parent, false)),
                Step::Fork(fork) => self.fork(fork, parent),
            };
            if let Some(previous) = blocks.last() {
                self.flow(previous.exit(), block.entry());
            }
            blocks.push(block);
        }
        if blocks.is_empty() {
            // The macro rejects a branch without steps; keep the flow connected anyway.
            let node = self.node(
                &format!("Task_{}", ident(branch.path)),
                Kind::Task { fan_out: false },
                branch.name.to_owned(),
                parent,
            );
            blocks.push(Block::Node(node));
        }
        Block::Seq(blocks)
    }

    fn task(
        &mut self,
        task: &Task,
        branch: &Branch,
        parent: Option<usize>,
        fan_out: bool,
    ) -> usize {
        // The retry on a second line of the name, as Mermaid shows it.
        let name = match task.modifiers.retry {
            Some(retry) => format!("{}\nretry {retry}", task.name),
            None => task.name.to_owned(),
        };
        let node = self.node(
            &format!("Task_{}", ident(task.name)),
            Kind::Task { fan_out },
            name,
            parent,
        );
        let mut documentation = format!(
            "{}{} (branch `{}`, {})",
            task.code,
            if task.fallible { "?" } else { "" },
            branch.path,
            location(task.at)
        );
        for modifier in modifiers(&task.modifiers) {
            let _ = write!(documentation, "\n{modifier}");
        }
        self.nodes[node].documentation = documentation;
        if let Some(timeout) = task.modifiers.timeout {
            let base = ident(task.name);
            let timer = self.node(
                &format!("Timer_{base}"),
                Kind::Timer { host: node },
                format!("timeout {timeout}"),
                parent,
            );
            self.nodes[timer].documentation = format!(
                "#[timeout({timeout})] on `{}`: the step is cut off and fails with `TimedOut`",
                task.code
            );
            self.nodes[timer].duration = iso_duration(timeout);
            let end = self.node(
                &format!("EndEvent_{base}_timed_out"),
                Kind::TimedOut,
                "timed out".to_owned(),
                parent,
            );
            self.nodes[end].documentation = format!(
                "`{}` timed out: the branch `{}` fails (an `#[optional]` branch gives `None`)",
                task.name, branch.path
            );
            self.flow(timer, end);
        }
        node
    }
}

/// A duration literal as `#[timeout]` takes it (`250ms`, `1.5s`, `100us`, `2min`) in
/// ISO 8601, as BPMN's `timeDuration` takes it: `PT0.25S`. `None` for another expression
/// (a constant, `Duration::from_secs(1)`).
pub(super) fn iso_duration(text: &str) -> Option<String> {
    let text: String = text.chars().filter(|c| *c != '_').collect();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let seconds = match unit {
        "us" => number / 1e6,
        "ms" => number / 1e3,
        "s" => number,
        "min" => number * 60.0,
        _ => return None,
    };
    Some(format!("PT{seconds}S"))
}

/// The name and documentation of a fork's join gateway.
fn policy(fork: &Fork, joined: usize) -> (String, String) {
    let names = fork.join.joined.join(", ");
    let at = location(fork.join.at);
    match fork.join.policy {
        Policy::All => (String::new(), format!("join({names}) at {at}")),
        Policy::Settled => (
            "all settled".to_owned(),
            format!("join({names}) settled at {at}: waits for every branch, failures included"),
        ),
        Policy::First => (
            format!("first of {joined}"),
            format!(
                "first({names}) at {at}: the workflow goes on with the first branch to succeed and cancels the others"
            ),
        ),
        Policy::Quorum(k) => (
            format!("{k} of {joined}"),
            format!(
                "quorum({k}, {names}) at {at}: the workflow goes on with the first {k} branches to succeed and cancels the others"
            ),
        ),
    }
}

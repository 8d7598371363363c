//! BPMN 2.0 XML export, with its diagram (BPMNDI) laid out left to right.
//!
//! The process (seed 003's structure):
//! - a blank start event (`<workflow> called`), the body's forks in order, an end event
//!   (`<workflow> returns`);
//! - each fork a diverging `parallelGateway`, one `serviceTask` per step (named after
//!   the step, its code, modifiers and source location in `documentation`), and a
//!   converging `parallelGateway`; every node lists its `incoming` and `outgoing` flows;
//! - a nested fork is its own pair of gateways inside its branch. Two gateways are never
//!   merged: a join followed by a fork is two gateways (bpmnlint's
//!   `no-gateway-join-fork`), and a join of a single branch (`join(a) background(b)`)
//!   is no gateway at all (`superfluous-gateway`);
//! - each branch's name is a BPMN `group` drawn around the branch (bpmnlint rejects names
//!   on the plain flows out of a parallel gateway as `superfluous-label`);
//! - a background branch ends in its own end event (`<branch> done`): a BPMN process
//!   instance completes when every token has ended, so the workflow still waits for it,
//!   as `workflow!` does. (For a background branch of a nested fork, BPMN lets the
//!   enclosing branch go on before it ends; `workflow!` waits at the branch's end.)
//! - a fan-out branch of one step is a `serviceTask` with parallel
//!   `multiInstanceLoopCharacteristics`; a fan-out of several steps is a parallel
//!   multi-instance `subProcess` holding them;
//! - `first(..)` and `quorum(k, ..)` join with a parallel gateway named `first of N` or
//!   `k of N`, the policy in its `documentation`: BPMN's gateway for them, the complex
//!   gateway, is an error in bpmnlint's recommended rules (`no-complex-gateway`).
//!
//! The diagram: x grows along the flow, every fork stacks its branches in lanes one
//! above the other around the fork's axis, a nested fork makes its lane as tall as its
//! own lanes, and flows are drawn with right angles. Shapes never overlap.

use core::fmt::Write as _;

use super::format::{ident, xml};
use super::mermaid::modifiers;
use super::{Branch, Fork, Location, Policy, Step, Task, Workflow};

impl Workflow {
    /// The workflow's graph as a BPMN 2.0 process with its diagram, for a modeler
    /// (bpmn.io, Camunda Modeler) or an engine.
    ///
    /// ```
    /// use workflow_runtime::workflow;
    ///
    /// async fn product(id: u32) -> u32 { id }
    /// async fn customer(id: u32) -> u32 { id }
    ///
    /// workflow! {
    ///     async fn prepare(order: u32) -> u32 {
    ///         fork < product: product(order), customer: customer(order) > join(product, customer);
    ///         product + customer
    ///     }
    /// }
    ///
    /// let xml = PREPARE_GRAPH.to_bpmn();
    /// assert!(xml.contains(r#"<bpmn:parallelGateway id="Gateway_1_split" gatewayDirection="Diverging">"#));
    /// assert!(xml.contains(r#"<bpmn:serviceTask id="Task_product" name="product">"#));
    /// assert!(xml.contains("<bpmndi:BPMNShape"));
    /// ```
    #[must_use]
    pub fn to_bpmn(&self) -> String {
        Diagram::new(self).xml(self)
    }
}

const TASK_WIDTH: i64 = 100;
const TASK_HEIGHT: i64 = 80;
const GATEWAY: i64 = 50;
const EVENT: i64 = 36;
/// The horizontal space between two shapes, for the flow between them.
const GAP: i64 = 50;
/// The height of the lane of one shape.
const ROW: i64 = 100;
/// Above a branch's content: room for its group's name.
const BAND_TOP: i64 = 24;
/// Below a branch's content.
const BAND_BOTTOM: i64 = 8;
/// Around the content of an expanded sub-process.
const SUB_SIDE: i64 = 30;
/// Above the content of an expanded sub-process: room for its name.
const SUB_TOP: i64 = 30;
/// The width of a character in a label, roughly (bpmn-js's 11 px Arial).
const CHAR: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Rect {
    x: i64,
    y: i64,
    width: i64,
    height: i64,
}

impl Rect {
    fn right(self) -> i64 {
        self.x + self.width
    }
    fn bottom(self) -> i64 {
        self.y + self.height
    }
    fn center_x(self) -> i64 {
        self.x + self.width / 2
    }
    fn center_y(self) -> i64 {
        self.y + self.height / 2
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Start,
    End,
    Task { fan_out: bool },
    Split,
    Join,
    SubProcess,
}

#[derive(Debug)]
struct Node {
    id: String,
    kind: Kind,
    name: String,
    documentation: String,
    /// The sub-process this node is in (an index into `nodes`), if any.
    parent: Option<usize>,
    incoming: Vec<usize>,
    outgoing: Vec<usize>,
    bounds: Rect,
    label: Option<Rect>,
}

#[derive(Debug)]
struct Flow {
    id: String,
    source: usize,
    target: usize,
    points: Vec<(i64, i64)>,
}

/// A branch's name, drawn as a BPMN group around the branch.
#[derive(Debug)]
struct Group {
    id: String,
    value_id: String,
    name: String,
    bounds: Rect,
    label: Rect,
}

/// The shape of the flow, to lay it out: series, parallel, and boxes.
enum Block {
    Node(usize),
    Seq(Vec<Block>),
    Par {
        split: usize,
        bands: Vec<(Block, usize)>,
        join: Option<usize>,
        exit: usize,
    },
    Sub {
        node: usize,
        inner: Box<Block>,
    },
}

impl Block {
    fn entry(&self) -> usize {
        match self {
            Block::Node(node) | Block::Sub { node, .. } => *node,
            Block::Seq(blocks) => blocks.first().map_or(0, Block::entry),
            Block::Par { split, .. } => *split,
        }
    }

    fn exit(&self) -> usize {
        match self {
            Block::Node(node) | Block::Sub { node, .. } => *node,
            Block::Seq(blocks) => blocks.last().map_or(0, Block::exit),
            Block::Par { exit, .. } => *exit,
        }
    }
}

#[derive(Debug, Default)]
struct Diagram {
    nodes: Vec<Node>,
    flows: Vec<Flow>,
    groups: Vec<Group>,
    /// How many times each id's base was asked for.
    ids: super::format::Unique,
    forks: usize,
}

impl Diagram {
    fn new(workflow: &Workflow) -> Diagram {
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
        let (_, height) = diagram.measure(&body);
        diagram.place(&body, 40, 40 + height / 2);
        diagram.route();
        diagram.number_flows();
        diagram
    }

    /// Numbers the flows along the diagram, left to right then top to bottom, so the XML
    /// reads in the order of the drawing.
    fn number_flows(&mut self) {
        let mut order: Vec<usize> = (0..self.flows.len()).collect();
        order.sort_by_key(|flow| {
            let flow = &self.flows[*flow];
            let (source, target) = (
                self.nodes[flow.source].bounds,
                self.nodes[flow.target].bounds,
            );
            (source.x, source.y, target.x, target.y)
        });
        let mut rank = vec![0; order.len()];
        for (new, old) in order.iter().enumerate() {
            rank[*old] = new;
        }
        let mut flows: Vec<Option<Flow>> = std::mem::take(&mut self.flows)
            .into_iter()
            .map(Some)
            .collect();
        self.flows = order
            .iter()
            .enumerate()
            .filter_map(|(new, old)| {
                let mut flow = flows[*old].take()?;
                flow.id = format!("Flow_{}", new + 1);
                Some(flow)
            })
            .collect();
        for node in &mut self.nodes {
            for flow in node.incoming.iter_mut().chain(node.outgoing.iter_mut()) {
                *flow = rank[*flow];
            }
            node.incoming.sort_unstable();
            node.outgoing.sort_unstable();
        }
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
        let node = self.node(
            &format!("Task_{}", ident(task.name)),
            Kind::Task { fan_out },
            task.name.to_owned(),
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
        node
    }

    /// The shape's size of a node.
    fn size(&self, node: usize) -> (i64, i64) {
        match self.nodes[node].kind {
            Kind::Start | Kind::End => (EVENT, EVENT),
            Kind::Split | Kind::Join => (GATEWAY, GATEWAY),
            // Wide enough for the step's name on one line (bpmn-js breaks a long word
            // anywhere), up to twice the usual width.
            Kind::Task { .. } => {
                let width =
                    (text_width(&self.nodes[node].name) + 20).clamp(TASK_WIDTH, 2 * TASK_WIDTH);
                (width + (10 - width % 10) % 10, TASK_HEIGHT)
            }
            Kind::SubProcess => (TASK_WIDTH, TASK_HEIGHT),
        }
    }

    /// The width and height a block takes.
    fn measure(&self, block: &Block) -> (i64, i64) {
        match block {
            Block::Node(node) => (self.size(*node).0, ROW),
            Block::Seq(blocks) => {
                let sizes: Vec<_> = blocks.iter().map(|block| self.measure(block)).collect();
                let gaps = i64::try_from(sizes.len().saturating_sub(1)).unwrap_or(0) * GAP;
                (
                    sizes.iter().map(|size| size.0).sum::<i64>() + gaps,
                    sizes.iter().map(|size| size.1).max().unwrap_or(ROW),
                )
            }
            Block::Par { bands, join, .. } => {
                let sizes: Vec<_> = bands
                    .iter()
                    .map(|(block, group)| self.measure_band(block, *group))
                    .collect();
                let widest = sizes.iter().map(|size| size.0).max().unwrap_or(0);
                let join = if join.is_some() { GAP + GATEWAY } else { 0 };
                (
                    GATEWAY + GAP + widest + join,
                    sizes
                        .iter()
                        .map(|size| size.1 + BAND_TOP + BAND_BOTTOM)
                        .sum(),
                )
            }
            Block::Sub { inner, .. } => {
                let (width, height) = self.measure(inner);
                (width + 2 * SUB_SIDE, height + SUB_TOP + 20)
            }
        }
    }

    /// The size of a branch's content, wide enough for its group's name.
    fn measure_band(&self, block: &Block, group: usize) -> (i64, i64) {
        let (width, height) = self.measure(block);
        (
            width.max(label_width(&self.groups[group].name) - 18),
            height,
        )
    }

    /// Places a block with its left side at `x` and its axis at `y`.
    fn place(&mut self, block: &Block, x: i64, y: i64) {
        match block {
            Block::Node(node) => self.place_node(*node, x, y),
            Block::Seq(blocks) => {
                let mut x = x;
                for block in blocks {
                    self.place(block, x, y);
                    x += self.measure(block).0 + GAP;
                }
            }
            Block::Par {
                split, bands, join, ..
            } => {
                let (width, height) = self.measure(block);
                self.place_node(*split, x, y);
                if let Some(join) = join {
                    self.place_node(*join, x + width - GATEWAY, y);
                }
                let left = x + GATEWAY + GAP;
                // The bands have more room above (the group name) than below: center their
                // contents, not their groups, on the axis, so a middle band lines up.
                let mut top = y - height / 2 - (BAND_TOP - BAND_BOTTOM) / 2;
                for (band, group) in bands {
                    let (band_width, band_height) = self.measure_band(band, *group);
                    self.place(band, left, top + BAND_TOP + band_height / 2);
                    let group = &mut self.groups[*group];
                    group.bounds = Rect {
                        x: left - 15,
                        y: top + 6,
                        width: band_width + 30,
                        height: band_height + BAND_TOP + BAND_BOTTOM - 10,
                    };
                    group.label = Rect {
                        x: left - 9,
                        y: top + 8,
                        width: label_width(&group.name),
                        height: 14,
                    };
                    top += band_height + BAND_TOP + BAND_BOTTOM;
                }
            }
            Block::Sub { node, inner } => {
                let (width, height) = self.measure(block);
                let (_, inner_height) = self.measure(inner);
                let bounds = Rect {
                    x,
                    y: y - height / 2 + 10,
                    width,
                    height: height - 20,
                };
                self.nodes[*node].bounds = bounds;
                self.place(inner, x + SUB_SIDE, bounds.y + SUB_TOP + inner_height / 2);
            }
        }
    }

    fn place_node(&mut self, node: usize, x: i64, y: i64) {
        let (width, height) = self.size(node);
        let bounds = Rect {
            x,
            y: y - height / 2,
            width,
            height,
        };
        let node = &mut self.nodes[node];
        node.bounds = bounds;
        node.label = match node.kind {
            Kind::Start | Kind::End => {
                let width = label_width(&node.name).max(EVENT);
                Some(Rect {
                    x: bounds.center_x() - width / 2,
                    y: bounds.bottom() + 5,
                    width,
                    height: 14,
                })
            }
            // Above the outgoing flow, right of the gateway.
            Kind::Join if !node.name.is_empty() => Some(Rect {
                x: bounds.right() + 4,
                y: bounds.y - 2,
                width: label_width(&node.name),
                height: 14,
            }),
            _ => None,
        };
    }

    /// Draws every flow with right angles: out of a split vertically, into a join
    /// vertically, otherwise straight or through the middle of the gap before the target.
    fn route(&mut self) {
        for flow in &mut self.flows {
            let source = &self.nodes[flow.source];
            let target = &self.nodes[flow.target];
            let (s, t) = (source.bounds, target.bounds);
            let (sy, ty) = (s.center_y(), t.center_y());
            flow.points = if sy == ty {
                vec![(s.right(), sy), (t.x, ty)]
            } else if source.outgoing.len() > 1 {
                let exit_y = if ty < sy { s.y } else { s.bottom() };
                vec![(s.center_x(), exit_y), (s.center_x(), ty), (t.x, ty)]
            } else if target.incoming.len() > 1 {
                let entry_y = if sy < ty { t.y } else { t.bottom() };
                vec![(s.right(), sy), (t.center_x(), sy), (t.center_x(), entry_y)]
            } else {
                let middle = t.x - GAP / 2;
                vec![(s.right(), sy), (middle, sy), (middle, ty), (t.x, ty)]
            };
        }
    }

    fn xml(&self, workflow: &Workflow) -> String {
        let name = ident(workflow.name);
        let mut out = String::new();
        out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI""#);
        let _ = writeln!(
            out,
            r#" id="Definitions_{name}" targetNamespace="urn:workflow-runtime:{name}" exporter="workflow-runtime">"#
        );
        if !self.groups.is_empty() {
            out.push_str("  <bpmn:category id=\"Category_branches\">\n");
            for group in &self.groups {
                let _ = writeln!(
                    out,
                    r#"    <bpmn:categoryValue id="{}" value="{}" />"#,
                    group.value_id,
                    xml(&group.name)
                );
            }
            out.push_str("  </bpmn:category>\n");
        }
        let _ = writeln!(
            out,
            r#"  <bpmn:process id="Process_{name}" name="{}" isExecutable="false">"#,
            xml(workflow.name)
        );
        self.elements(&mut out, None, 1);
        for group in &self.groups {
            let _ = writeln!(
                out,
                r#"    <bpmn:group id="{}" categoryValueRef="{}" />"#,
                group.id, group.value_id
            );
        }
        out.push_str("  </bpmn:process>\n");
        let _ = writeln!(
            out,
            r#"  <bpmndi:BPMNDiagram id="BPMNDiagram_{name}">
    <bpmndi:BPMNPlane id="BPMNPlane_{name}" bpmnElement="Process_{name}">"#
        );
        for node in &self.nodes {
            let expanded = if node.kind == Kind::SubProcess {
                r#" isExpanded="true""#
            } else {
                ""
            };
            let _ = writeln!(
                out,
                r#"      <bpmndi:BPMNShape id="{0}_di" bpmnElement="{0}"{expanded}>"#,
                node.id
            );
            bounds(&mut out, node.bounds, 8);
            if let Some(label) = node.label {
                out.push_str("        <bpmndi:BPMNLabel>\n");
                bounds(&mut out, label, 10);
                out.push_str("        </bpmndi:BPMNLabel>\n");
            }
            out.push_str("      </bpmndi:BPMNShape>\n");
        }
        for group in &self.groups {
            let _ = writeln!(
                out,
                r#"      <bpmndi:BPMNShape id="{0}_di" bpmnElement="{0}">"#,
                group.id
            );
            bounds(&mut out, group.bounds, 8);
            out.push_str("        <bpmndi:BPMNLabel>\n");
            bounds(&mut out, group.label, 10);
            out.push_str("        </bpmndi:BPMNLabel>\n");
            out.push_str("      </bpmndi:BPMNShape>\n");
        }
        for flow in &self.flows {
            let _ = writeln!(
                out,
                r#"      <bpmndi:BPMNEdge id="{0}_di" bpmnElement="{0}">"#,
                flow.id
            );
            for (x, y) in &flow.points {
                let _ = writeln!(out, r#"        <di:waypoint x="{x}" y="{y}" />"#);
            }
            out.push_str("      </bpmndi:BPMNEdge>\n");
        }
        out.push_str("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n</bpmn:definitions>\n");
        out
    }

    /// Writes the nodes and flows of the process (`parent` None) or of a sub-process.
    fn elements(&self, out: &mut String, parent: Option<usize>, depth: usize) {
        let pad = "  ".repeat(depth);
        for (index, node) in self.nodes.iter().enumerate() {
            if node.parent != parent {
                continue;
            }
            let (element, extra) = match node.kind {
                Kind::Start => ("startEvent", ""),
                Kind::End => ("endEvent", ""),
                Kind::Task { .. } => ("serviceTask", ""),
                Kind::Split => ("parallelGateway", r#" gatewayDirection="Diverging""#),
                Kind::Join => ("parallelGateway", r#" gatewayDirection="Converging""#),
                Kind::SubProcess => ("subProcess", ""),
            };
            let name = if node.name.is_empty() {
                String::new()
            } else {
                format!(r#" name="{}""#, xml(&node.name))
            };
            let _ = writeln!(
                out,
                r#"{pad}  <bpmn:{element} id="{}"{name}{extra}>"#,
                node.id
            );
            if !node.documentation.is_empty() {
                let _ = writeln!(
                    out,
                    "{pad}    <bpmn:documentation>{}</bpmn:documentation>",
                    xml(&node.documentation)
                );
            }
            for flow in &node.incoming {
                let _ = writeln!(
                    out,
                    "{pad}    <bpmn:incoming>{}</bpmn:incoming>",
                    self.flows[*flow].id
                );
            }
            for flow in &node.outgoing {
                let _ = writeln!(
                    out,
                    "{pad}    <bpmn:outgoing>{}</bpmn:outgoing>",
                    self.flows[*flow].id
                );
            }
            if matches!(node.kind, Kind::Task { fan_out: true } | Kind::SubProcess) {
                let _ = writeln!(
                    out,
                    r#"{pad}    <bpmn:multiInstanceLoopCharacteristics isSequential="false" />"#
                );
            }
            if node.kind == Kind::SubProcess {
                self.elements(out, Some(index), depth + 1);
            }
            let _ = writeln!(out, "{pad}  </bpmn:{element}>");
        }
        for flow in &self.flows {
            if self.nodes[flow.source].parent == parent {
                let _ = writeln!(
                    out,
                    r#"{pad}  <bpmn:sequenceFlow id="{}" sourceRef="{}" targetRef="{}" />"#,
                    flow.id, self.nodes[flow.source].id, self.nodes[flow.target].id
                );
            }
        }
    }
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

fn location(at: Location) -> String {
    format!("{}:{}", at.file, at.line)
}

/// The width of `text` in a task's box (bpmn-js's 12 px font), roughly.
fn text_width(text: &str) -> i64 {
    i64::try_from(text.chars().count()).unwrap_or(i64::MAX / CHAR) * CHAR
}

/// The width of `text` in an external label (bpmn-js's 11 px font), roughly: bpmn-js
/// centers a label in its box, so a close guess keeps it left-aligned.
fn label_width(text: &str) -> i64 {
    i64::try_from(text.chars().count()).unwrap_or(i64::MAX / CHAR) * 6 + 10
}

fn bounds(out: &mut String, rect: Rect, indent: usize) {
    let _ = writeln!(
        out,
        r#"{}<dc:Bounds x="{}" y="{}" width="{}" height="{}" />"#,
        " ".repeat(indent),
        rect.x,
        rect.y,
        rect.width,
        rect.height
    );
}

#[cfg(test)]
mod should {
    use super::super::samples;
    use super::*;

    fn overlap(a: Rect, b: Rect) -> bool {
        a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
    }

    fn inside(inner: Rect, outer: Rect) -> bool {
        inner.x >= outer.x
            && inner.y >= outer.y
            && inner.right() <= outer.right()
            && inner.bottom() <= outer.bottom()
    }

    #[test]
    fn connect_every_node_as_bpmnlint_wants() {
        for workflow in samples::ALL {
            let diagram = Diagram::new(&workflow);
            for node in &diagram.nodes {
                let (ins, outs) = (node.incoming.len(), node.outgoing.len());
                match node.kind {
                    Kind::Start => assert_eq!((ins, outs), (0, 1), "{node:?}"),
                    Kind::End => assert_eq!((ins, outs), (1, 0), "{node:?}"),
                    Kind::Task { .. } | Kind::SubProcess => {
                        assert_eq!((ins, outs), (1, 1), "{node:?}");
                    }
                    Kind::Split => assert!(ins == 1 && outs >= 2, "{node:?}"),
                    Kind::Join => assert!(ins >= 2 && outs == 1, "{node:?}"),
                }
                if !matches!(node.kind, Kind::Split | Kind::Join | Kind::SubProcess) {
                    assert!(!node.name.is_empty(), "{node:?}");
                }
            }
            for flow in &diagram.flows {
                assert_eq!(
                    diagram.nodes[flow.source].parent, diagram.nodes[flow.target].parent,
                    "a flow stays in its (sub-)process"
                );
            }
        }
    }

    #[test]
    fn lay_out_shapes_left_to_right_without_overlaps() {
        for workflow in samples::ALL {
            let diagram = Diagram::new(&workflow);
            for (i, a) in diagram.nodes.iter().enumerate() {
                assert!(a.bounds.x > 0 && a.bounds.y > 0, "{a:?}");
                for b in &diagram.nodes[i + 1..] {
                    let nested = a.parent.is_some_and(|p| diagram.nodes[p].id == b.id)
                        || b.parent.is_some_and(|p| diagram.nodes[p].id == a.id);
                    if a.parent == b.parent || !nested {
                        assert!(
                            !overlap(a.bounds, b.bounds) || nested,
                            "{} overlaps {} in {}",
                            a.id,
                            b.id,
                            workflow.name
                        );
                    }
                }
                if let Some(parent) = a.parent {
                    assert!(inside(a.bounds, diagram.nodes[parent].bounds), "{a:?}");
                }
            }
            for flow in &diagram.flows {
                let (source, target) = (&diagram.nodes[flow.source], &diagram.nodes[flow.target]);
                assert!(
                    source.bounds.x < target.bounds.x,
                    "{} flows backwards",
                    flow.id
                );
                let points = &flow.points;
                for pair in points.windows(2) {
                    assert!(
                        pair[0].0 == pair[1].0 || pair[0].1 == pair[1].1,
                        "right angles"
                    );
                    assert!(pair[0].0 <= pair[1].0, "left to right");
                }
            }
            // Groups nest or keep apart, and hold their branch's shapes.
            for (i, a) in diagram.groups.iter().enumerate() {
                for b in &diagram.groups[i + 1..] {
                    assert!(
                        !overlap(a.bounds, b.bounds)
                            || inside(a.bounds, b.bounds)
                            || inside(b.bounds, a.bounds),
                        "{} and {}",
                        a.id,
                        b.id
                    );
                }
            }
        }
    }

    #[test]
    fn stack_branches_in_lanes_and_nested_forks_in_taller_lanes() {
        let diagram = Diagram::new(&samples::LOAN);
        let task = |name: &str| {
            diagram
                .nodes
                .iter()
                .find(|node| node.name == name)
                .unwrap()
                .bounds
        };
        let (credit, employment) = (task("credit_bureau_check"), task("verify_employment"));
        let (passport, utility) = (task("check_passport"), task("check_utility_bill"));
        assert_eq!(credit.x, employment.x);
        assert!(credit.bottom() < employment.y && employment.bottom() < passport.y);
        assert!(passport.bottom() < utility.y);
        assert!(task("merge_documents").x > passport.right());
        assert!(task("merge_documents").center_y() > passport.center_y());
        let (start, split) = (&diagram.nodes[0], &diagram.nodes[1]);
        assert_eq!(split.kind, Kind::Split);
        assert_eq!(split.bounds.center_y(), start.bounds.center_y(), "one axis");
    }

    #[test]
    fn end_background_branches_and_skip_a_join_of_one() {
        let text = samples::NOTIFY.to_bpmn();
        assert!(
            text.contains(r#"<bpmn:endEvent id="EndEvent_http" name="http done">"#),
            "{text}"
        );
        let join = text
            .split("gatewayDirection=\"Converging\"")
            .nth(1)
            .unwrap();
        assert_eq!(
            join.split("</bpmn:parallelGateway>")
                .next()
                .unwrap()
                .matches("<bpmn:incoming>")
                .count(),
            2
        );

        let diagram = Diagram::new(&samples::KITCHEN_SINK);
        let pages = diagram
            .nodes
            .iter()
            .find(|node| node.kind == Kind::SubProcess)
            .unwrap();
        let next = &diagram.nodes[diagram.flows[pages.outgoing[0]].target];
        assert_eq!(
            next.kind,
            Kind::End,
            "`join(pages) background(metrics)` has no join gateway"
        );
        assert_eq!(next.name, "kitchen_sink returns");
    }

    #[test]
    fn mark_fan_outs_and_policies() {
        let text = samples::CHECKOUT.to_bpmn();
        let stock = text
            .split(r#"<bpmn:serviceTask id="Task_check_stock""#)
            .nth(1)
            .unwrap();
        let stock = stock.split("</bpmn:serviceTask>").next().unwrap();
        assert!(
            stock.contains(r#"<bpmn:multiInstanceLoopCharacteristics isSequential="false" />"#)
        );
        assert!(stock.contains(
            "for each (index, item) in order.items.iter().enumerate(), at most STOCK_LIMIT at once"
        ));
        assert!(text.contains(r#"value="loyalty, optional""#), "{text}");
        assert!(
            text.contains("retry 3, backoff = 20ms&#10;timeout 200ms"),
            "{text}"
        );

        let text = samples::KITCHEN_SINK.to_bpmn();
        assert!(
            text.contains(r#"name="2 of 3" gatewayDirection="Converging""#),
            "{text}"
        );
        assert!(
            text.contains(r#"name="first of 2" gatewayDirection="Converging""#),
            "{text}"
        );
        assert!(
            text.contains(r#"name="all settled" gatewayDirection="Converging""#),
            "{text}"
        );
        assert!(
            text.contains(r#"<bpmn:subProcess id="SubProcess_pages" name="pages (each item)">"#),
            "{text}"
        );
        assert!(text.contains("audit(&quot;&lt;b&gt;&quot;)"), "{text}");
        assert!(!text.contains("complexGateway"));
    }

    #[test]
    fn draw_a_workflow_without_forks() {
        let diagram = Diagram::new(&samples::EMPTY);
        assert_eq!(diagram.nodes.len(), 2);
        assert_eq!(diagram.flows.len(), 1);
    }
}

//! BPMN 2.0 XML export, with its diagram (BPMNDI) laid out left to right.
//!
//! The process (the structure a BPMN modeller such as Camunda's draws):
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
//! - a step's `#[retry(..)]` is the second line of its task's name (`authorise` /
//!   `retry 3, backoff = 20ms`), as Mermaid shows it; a step's `#[timeout(..)]` is an
//!   interrupting timer boundary event on its task (named `timeout 200ms`, its
//!   `timeDuration` `PT0.2S`) whose flow ends in an error end event (`timed out`, error
//!   `TimedOut`): the step fails, and so does its branch (an `#[optional]` branch then
//!   gives `None`, which the diagram does not draw);
//! - `first(..)` and `quorum(k, ..)` join with a parallel gateway named `first of N` or
//!   `k of N`, the policy in its `documentation`: BPMN's gateway for them, the complex
//!   gateway, is an error in bpmnlint's recommended rules (`no-complex-gateway`).
//!
//! The diagram: x grows along the flow, every fork stacks its branches in lanes one
//! above the other around the fork's axis, a nested fork makes its lane as tall as its
//! own lanes, and flows are drawn with right angles. Shapes never overlap.
//!
//! Made in three passes over one [`Diagram`]: `build` makes the BPMN elements from the
//! graph, `layout` gives them coordinates, `xml` writes them.

use super::Workflow;

mod build;
mod layout;
mod xml;

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
    Task {
        fan_out: bool,
    },
    /// A step's `#[timeout]`: an interrupting timer boundary event on its task (the
    /// node at `host`).
    Timer {
        host: usize,
    },
    /// Where a timed-out step goes: an error end event (`TimedOut`).
    TimedOut,
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
    /// A timer's duration in ISO 8601 (`PT0.2S`), when the timeout is a literal.
    duration: Option<String>,
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
    ids: super::escape::Unique,
    forks: usize,
}

impl Diagram {
    /// The BPMN elements of `workflow` ([`build`]), laid out ([`layout`]).
    fn new(workflow: &Workflow) -> Diagram {
        let (mut diagram, body) = Diagram::build(workflow);
        diagram.lay_out(&body);
        diagram
    }
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
                    Kind::Start | Kind::Timer { .. } => {
                        assert_eq!((ins, outs), (0, 1), "{node:?}");
                    }
                    Kind::End | Kind::TimedOut => assert_eq!((ins, outs), (1, 0), "{node:?}"),
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
                        || b.parent.is_some_and(|p| diagram.nodes[p].id == a.id)
                        || matches!(b.kind, Kind::Timer { host } if diagram.nodes[host].id == a.id);
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
    fn put_a_timer_on_the_bottom_edge_of_a_timed_step_and_its_retry_in_the_name() {
        let diagram = Diagram::new(&samples::CHECKOUT);
        let (timer, host) = diagram
            .nodes
            .iter()
            .find_map(|node| match node.kind {
                Kind::Timer { host } => Some((node, &diagram.nodes[host])),
                _ => None,
            })
            .expect("a timer");
        assert_eq!(host.name, "authorise\nretry 3, backoff = 20ms");
        assert_eq!(timer.name, "timeout 200ms");
        assert_eq!(timer.duration.as_deref(), Some("PT0.2S"));
        assert_eq!(timer.bounds.center_y(), host.bounds.bottom(), "on the edge");
        assert!(timer.bounds.x > host.bounds.x && timer.bounds.right() < host.bounds.right());
        let end = &diagram.nodes[diagram.flows[timer.outgoing[0]].target];
        assert_eq!((end.kind, end.name.as_str()), (Kind::TimedOut, "timed out"));
        assert!(end.bounds.x > host.bounds.right());
        let text = samples::CHECKOUT.to_bpmn();
        assert!(text.contains(r#"<bpmn:boundaryEvent id="Timer_authorise" name="timeout 200ms" attachedToRef="Task_authorise">"#), "{text}");
        assert!(text.contains(r#"errorRef="Error_TimedOut""#), "{text}");
        assert!(!samples::DROPSHIP.to_bpmn().contains("Error_TimedOut"));

        // In a fan-out's sub-process: the timer and its end event are in there too.
        let diagram = Diagram::new(&samples::KITCHEN_SINK);
        let timer = diagram
            .nodes
            .iter()
            .find(|node| matches!(node.kind, Kind::Timer { .. }))
            .expect("the timer of `fetch`");
        let end = &diagram.nodes[diagram.flows[timer.outgoing[0]].target];
        let sub = timer.parent.expect("in the sub-process");
        assert_eq!(end.parent, Some(sub));
        assert!(inside(end.bounds, diagram.nodes[sub].bounds));
        assert_eq!(timer.duration.as_deref(), Some("PT2S"));
    }

    #[test]
    fn write_timeouts_in_iso_8601() {
        use super::build::iso_duration;
        assert_eq!(iso_duration("250ms").as_deref(), Some("PT0.25S"));
        assert_eq!(iso_duration("1s").as_deref(), Some("PT1S"));
        assert_eq!(iso_duration("1.5s").as_deref(), Some("PT1.5S"));
        assert_eq!(iso_duration("100us").as_deref(), Some("PT0.0001S"));
        assert_eq!(iso_duration("2min").as_deref(), Some("PT120S"));
        assert_eq!(iso_duration("1_000ms").as_deref(), Some("PT1S"));
        assert_eq!(iso_duration("TIMEOUT"), None);
        assert_eq!(iso_duration("Duration::from_secs(1)"), None);
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

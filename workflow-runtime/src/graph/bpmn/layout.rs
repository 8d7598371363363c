//! The diagram's coordinates (BPMNDI): x grows along the flow, every fork stacks its
//! branches in lanes one above the other around the fork's axis, a nested fork makes its
//! lane as tall as its own lanes, flows are drawn with right angles, and the flows are
//! numbered in the order of the drawing.

use super::{Block, Diagram, Flow, Kind, Rect};

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
/// Added above and below the lane of a task with a timer boundary event.
const TIMER_ROOM: i64 = 30;
/// Between a task with a timer and the timer's end event, right of the task.
const TIMER_GAP: i64 = 20;
/// The width of a character in a label, roughly (bpmn-js's 11 px Arial).
const CHAR: i64 = 7;

impl Diagram {
    /// Places every node and group of the body `block`, routes the flows and numbers them.
    pub(super) fn lay_out(&mut self, body: &Block) {
        let (_, height) = self.measure(body);
        self.place(body, 40, 40 + height / 2);
        self.route();
        self.number_flows();
    }

    /// The shape's size of a node.
    fn size(&self, node: usize) -> (i64, i64) {
        match self.nodes[node].kind {
            Kind::Start | Kind::End | Kind::Timer { .. } | Kind::TimedOut => (EVENT, EVENT),
            Kind::Split | Kind::Join => (GATEWAY, GATEWAY),
            // Wide enough for the step's name on one line (bpmn-js breaks a long word
            // anywhere), up to twice the usual width.
            Kind::Task { .. } => {
                let longest = self.nodes[node]
                    .name
                    .lines()
                    .map(text_width)
                    .max()
                    .unwrap_or(0);
                let width = (longest + 20).clamp(TASK_WIDTH, 2 * TASK_WIDTH);
                (width + (10 - width % 10) % 10, TASK_HEIGHT)
            }
            Kind::SubProcess => (TASK_WIDTH, TASK_HEIGHT),
        }
    }

    /// The width and height a block takes.
    fn measure(&self, block: &Block) -> (i64, i64) {
        match block {
            // A task with a timer: room right of it for the timer's end event, and below
            // for their labels.
            Block::Node(node) if self.timer(*node).is_some() => {
                (self.size(*node).0 + TIMER_GAP + EVENT, ROW + 2 * TIMER_ROOM)
            }
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

    /// The timer boundary event on task `host`, if it has one.
    fn timer(&self, host: usize) -> Option<usize> {
        self.nodes
            .iter()
            .position(|node| node.kind == Kind::Timer { host })
    }

    /// Places a task's timer on its bottom edge near the right corner, and the timer's
    /// end event right of the task (in the room `measure` keeps), their labels below.
    fn place_timer(&mut self, host: usize) {
        let Some(timer) = self.timer(host) else {
            return;
        };
        let task = self.nodes[host].bounds;
        let end = self.nodes[timer]
            .outgoing
            .first()
            .map(|flow| self.flows[*flow].target);
        let bounds = Rect {
            x: task.right() - 10 - EVENT,
            y: task.bottom() - EVENT / 2,
            width: EVENT,
            height: EVENT,
        };
        let width = label_width(&self.nodes[timer].name);
        self.nodes[timer].bounds = bounds;
        self.nodes[timer].label = Some(Rect {
            x: bounds.right() - width,
            y: bounds.bottom() + 2,
            width,
            height: 14,
        });
        if let Some(end) = end {
            let bounds = Rect {
                x: task.right() + TIMER_GAP,
                y: task.bottom() - EVENT / 2,
                width: EVENT,
                height: EVENT,
            };
            let width = label_width(&self.nodes[end].name);
            self.nodes[end].bounds = bounds;
            self.nodes[end].label = Some(Rect {
                x: bounds.center_x() - width / 2,
                y: bounds.bottom() + 2,
                width,
                height: 14,
            });
        }
    }

    fn place_node(&mut self, node: usize, x: i64, y: i64) {
        let index = node;
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
        if matches!(self.nodes[index].kind, Kind::Task { .. }) {
            self.place_timer(index);
        }
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

//! The BPMN 2.0 XML of a laid-out diagram: the process (every node with its
//! `incoming` and `outgoing` flows, the sequence flows, the groups and their category)
//! and its BPMNDI shapes and edges. Every name and documentation goes through
//! [`xml`](super::super::escape::xml); ids are made of ASCII letters, digits and `_`.

use core::fmt::Write as _;

use super::super::Workflow;
use super::super::escape::{ident, xml};
use super::{Diagram, Kind, Rect};

impl Diagram {
    pub(super) fn xml(&self, workflow: &Workflow) -> String {
        let name = ident(workflow.name);
        let mut out = String::new();
        out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#);
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
        if self.nodes.iter().any(|node| node.kind == Kind::TimedOut) {
            out.push_str(
                "  <bpmn:error id=\"Error_TimedOut\" name=\"TimedOut\" errorCode=\"TimedOut\" />\n",
            );
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
            let attached;
            let (element, extra) = match node.kind {
                Kind::Start => ("startEvent", ""),
                Kind::End | Kind::TimedOut => ("endEvent", ""),
                Kind::Timer { host } => {
                    attached = format!(r#" attachedToRef="{}""#, self.nodes[host].id);
                    ("boundaryEvent", attached.as_str())
                }
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
            if let Kind::Timer { .. } = node.kind {
                match &node.duration {
                    Some(duration) => {
                        let _ = writeln!(
                            out,
                            r#"{pad}    <bpmn:timerEventDefinition id="{0}_definition">
{pad}      <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{duration}</bpmn:timeDuration>
{pad}    </bpmn:timerEventDefinition>"#,
                            node.id
                        );
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            r#"{pad}    <bpmn:timerEventDefinition id="{}_definition" />"#,
                            node.id
                        );
                    }
                }
            }
            if node.kind == Kind::TimedOut {
                let _ = writeln!(
                    out,
                    r#"{pad}    <bpmn:errorEventDefinition id="{}_definition" errorRef="Error_TimedOut" />"#,
                    node.id
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

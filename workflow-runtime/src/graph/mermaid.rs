//! Mermaid flowchart export.
//!
//! Drawn as a fork/join diagram is drawn by hand: a start node, each fork a diamond
//! (`fork`), its branches edges labelled with the branch's name to the branch's steps
//! (one box per step, named after it), and each join a diamond (`join`, `join settled`,
//! `first`, `quorum 2 of 3`) before the next fork or the end. A nested fork is its own pair of diamonds inside its
//! branch. A fan-out branch is a box (Mermaid's `subgraph` block) titled
//! `for each PAT in EXPR`. A background
//! branch ends in a dotted edge, labelled `background`, to where its enclosing scope
//! ends (the workflow's end, or the join its enclosing branch flows into): it runs past
//! the join and finishes before that scope does.

use core::fmt::Write as _;

use super::escape::{NOT_XML_FFFE, NOT_XML_FFFF, modifiers};
use super::{Branch, Fork, Policy, Step, Workflow};

impl Workflow {
    /// The workflow's graph as a Mermaid `flowchart LR`, ready for a Markdown
    /// ` ```mermaid ` block.
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
    /// let mermaid = PREPARE_GRAPH.to_mermaid();
    /// assert!(mermaid.contains("flowchart LR"));
    /// assert!(mermaid.contains(r#"fork1 -->|"product"| step1["product"]"#));
    /// assert!(mermaid.contains(r#"step2 --> join1"#));
    /// ```
    #[must_use]
    pub fn to_mermaid(&self) -> String {
        let mut writer = Writer::default();
        let _ = writeln!(writer.out, "---\ntitle: {}\n---", label(self.name));
        writer.out.push_str("flowchart LR\n");
        writer.declare("start", &format!("(({}))", quoted("start")));
        let mut previous = "start".to_owned();
        for fork in self.forks {
            previous = writer.fork(fork, "finish", Some((&previous, None)));
        }
        writer.declare("finish", &format!("(({}))", quoted("end")));
        writer.edge(&previous, "finish", None);
        for (from, to) in std::mem::take(&mut writer.background) {
            writer.line(&format!("{from} -.->|{}| {to}", quoted("background")));
        }
        writer.out
    }
}

/// Where a node's incoming edge comes from, and its label.
type From<'a> = (&'a str, Option<&'a str>);

#[derive(Default)]
struct Writer {
    out: String,
    /// How deep in fan-out boxes (`subgraph ... end`) the next line is.
    depth: usize,
    forks: usize,
    steps: usize,
    fan_outs: usize,
    /// The shapes of the nodes not written yet: a node is written with its shape where
    /// it is first mentioned, as in `fork1 -->|"product"| step1["get_product"]`.
    pending: Vec<(String, String)>,
    /// Dotted edges from background branches to their scope's end, written last (the
    /// scope's end may not be declared yet).
    background: Vec<(String, String)>,
}

impl Writer {
    fn line(&mut self, text: &str) {
        for _ in 0..=self.depth {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn declare(&mut self, id: &str, shape: &str) {
        self.pending.push((id.to_owned(), shape.to_owned()));
    }

    /// The node's id, with its shape the first time.
    fn mention(&mut self, id: &str) -> String {
        match self.pending.iter().position(|(pending, _)| pending == id) {
            Some(index) => {
                let (id, shape) = self.pending.remove(index);
                format!("{id}{shape}")
            }
            None => id.to_owned(),
        }
    }

    /// Writes a node that no edge has mentioned yet on a line of its own.
    fn flush(&mut self, id: &str) {
        if self.pending.iter().any(|(pending, _)| pending == id) {
            let node = self.mention(id);
            self.line(&node);
        }
    }

    fn edge(&mut self, from: &str, to: &str, text: Option<&str>) {
        let (from, to) = (self.mention(from), self.mention(to));
        match text {
            Some(text) => self.line(&format!("{from} -->|{}| {to}", quoted(text))),
            None => self.line(&format!("{from} --> {to}")),
        }
    }

    /// Writes a fork entered from `from` (`None`: an edge written later); `scope_end` is
    /// where its background branches finish. Returns the id of its join.
    fn fork(&mut self, fork: &Fork, scope_end: &str, from: Option<From<'_>>) -> String {
        self.forks += 1;
        let split = format!("fork{}", self.forks);
        let join = format!("join{}", self.forks);
        let name = if fork.spawn { "spawn fork" } else { "fork" };
        self.declare(&split, &format!("{{{}}}", quoted(name)));
        if let Some((source, text)) = from {
            self.edge(source, &split, text);
        }
        let mut exits = Vec::new();
        for branch in fork.branches {
            let background = fork.join.background.contains(&branch.name);
            let inner_end = if background { scope_end } else { &join };
            let text = branch_label(branch);
            let exit = self.branch(branch, inner_end, (&split, Some(&text)));
            if background {
                self.background.push((exit, scope_end.to_owned()));
            } else {
                exits.push(exit);
            }
        }
        let count = fork.join.joined.len();
        let policy = match fork.join.policy {
            Policy::All => "join".to_owned(),
            Policy::Settled => "join settled".to_owned(),
            Policy::First => "first".to_owned(),
            Policy::Quorum(k) => format!("quorum {k} of {count}"),
        };
        self.declare(&join, &format!("{{{}}}", quoted(&policy)));
        for exit in exits {
            self.edge(&exit, &join, None);
        }
        self.flush(&join);
        join
    }

    /// Writes a branch's steps entered from `from`; returns the id of its last node.
    fn branch(&mut self, branch: &Branch, scope_end: &str, from: From<'_>) -> String {
        let Some(fan_out) = &branch.fan_out else {
            return self.steps(branch.steps, scope_end, Some(from)).1;
        };
        self.fan_outs += 1;
        let mut title = format!("for each {} in {}", fan_out.pattern, fan_out.items);
        if let Some(limit) = fan_out.limit {
            let _ = write!(title, ", at most {limit} at once");
        }
        let id = format!("each{}", self.fan_outs);
        self.line(&format!("subgraph {id} [{}]", quoted(&title)));
        self.depth += 1;
        // The edge into the box is written outside it: a node an edge mentions inside
        // a `subgraph` block is drawn inside it.
        let (entry, exit) = self.steps(branch.steps, scope_end, None);
        self.flush(&entry);
        self.depth -= 1;
        self.line("end");
        self.edge(from.0, &entry, from.1);
        exit
    }

    /// Writes steps, the first entered from `from`; returns the ids of the first and
    /// last nodes.
    fn steps(
        &mut self,
        steps: &[Step],
        scope_end: &str,
        from: Option<From<'_>>,
    ) -> (String, String) {
        let mut entry = None;
        let mut previous: Option<String> = None;
        for step in steps {
            let incoming = match &previous {
                Some(previous) => Some((previous.as_str(), None)),
                None => from,
            };
            let (first, last) = match step {
                Step::Task(task) => {
                    self.steps += 1;
                    let id = format!("step{}", self.steps);
                    let mut text = label(task.name);
                    for modifier in modifiers(&task.modifiers) {
                        text.push_str("<br/>");
                        text.push_str(&label(&modifier));
                    }
                    self.declare(&id, &format!("[\"{text}\"]"));
                    if let Some((source, text)) = incoming {
                        self.edge(source, &id, text);
                    }
                    (id.clone(), id)
                }
                Step::Fork(fork) => {
                    let split = format!("fork{}", self.forks + 1);
                    (split, self.fork(fork, scope_end, incoming))
                }
            };
            entry.get_or_insert(first);
            previous = Some(last);
        }
        match (entry, previous) {
            (Some(entry), Some(exit)) => (entry, exit),
            _ => {
                // The macro rejects a branch without steps; draw an empty box all the same.
                self.steps += 1;
                let id = format!("step{}", self.steps);
                self.declare(&id, "[\" \"]");
                if let Some((source, text)) = from {
                    self.edge(source, &id, text);
                }
                (id.clone(), id)
            }
        }
    }
}

/// The label of the edge into a branch: its name, and its own modifiers.
fn branch_label(branch: &Branch) -> String {
    let mut text = branch.name.to_owned();
    for modifier in modifiers(&branch.modifiers) {
        text.push_str(", ");
        text.push_str(&modifier);
    }
    text
}

/// A label in double quotes.
fn quoted(text: &str) -> String {
    format!("\"{}\"", label(text))
}

/// Text for a Mermaid label: the characters Mermaid would read as syntax or HTML
/// written as its `#code;` entities, line breaks (Unicode's line and paragraph
/// separators too) as spaces, control characters left out, and the two characters XML
/// does not allow as U+FFFD (Mermaid draws its labels in SVG, an XML document).
fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            NOT_XML_FFFE | NOT_XML_FFFF => out.push(char::REPLACEMENT_CHARACTER),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod should {
    use super::super::samples;
    use super::*;

    #[test]
    fn draw_a_fork_as_seed_000_does() {
        let text = samples::DROPSHIP.to_mermaid();
        assert_eq!(
            text,
            r#"---
title: fulfil
---
flowchart LR
    start(("start")) --> fork1{"fork"}
    fork1 -->|"product"| step1["get_product"]
    fork1 -->|"customer"| step2["get_customer"]
    fork1 -->|"tracking"| step3["create_tracking_number"]
    step1 --> join1{"join"}
    step2 --> join1
    step3 --> join1
    join1 --> finish(("end"))
"#
        );
    }

    #[test]
    fn chain_steps_and_send_background_branches_to_the_end() {
        let text = samples::NOTIFY.to_mermaid();
        assert!(
            text.contains("    step1 --> step2[\"email_notification\"]\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "    step2 --> join1{\"join\"}\n    step4 --> join1\n    join1 --> finish"
            ),
            "{text}"
        );
        assert!(!text.contains("step6 --> join1"), "{text}");
        assert!(
            text.ends_with("    step6 -.->|\"background\"| finish\n"),
            "{text}"
        );
    }

    #[test]
    fn nest_forks_inside_their_branch() {
        let text = samples::LOAN.to_mermaid();
        assert!(
            text.contains("    fork1 -->|\"documents\"| fork2{\"fork\"}\n"),
            "{text}"
        );
        assert!(
            text.contains("    join2 --> step6[\"merge_documents\"]\n"),
            "{text}"
        );
        assert!(text.contains("    step6 --> join1\n"), "{text}");
    }

    #[test]
    fn show_fan_outs_modifiers_and_policies() {
        let text = samples::CHECKOUT.to_mermaid();
        assert!(
            text.contains(
                "    subgraph each1 [\"for each (index, item) in order.items.iter().enumerate(), at most STOCK_LIMIT at once\"]\n        step1[\"check_stock\"]\n    end\n    fork1 -->|\"stock\"| step1\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("step2[\"authorise<br/>retry 3, backoff = 20ms<br/>timeout 200ms\"]"),
            "{text}"
        );
        assert!(text.contains("-->|\"loyalty, optional\"| step3"), "{text}");

        let text = samples::KITCHEN_SINK.to_mermaid();
        assert!(text.contains("fork1{\"spawn fork\"}"), "{text}");
        assert!(text.contains("join1{\"quorum 2 of 3\"}"), "{text}");
        assert!(text.contains("{\"join settled\"}"), "{text}");
        assert!(text.contains("{\"first\"}"), "{text}");
        // Sequential forks, and a join then a fork inside a branch.
        assert!(text.contains("    join1 --> fork2{\"fork\"}\n"), "{text}");
        assert!(text.contains("    join3 --> fork4{\"fork\"}\n"), "{text}");
        // A fan-out of a step and a nested fork: all inside its box.
        assert!(
            text.contains(
                "        step13[\"fetch<br/>retry 2<br/>timeout 2s\"] --> fork7{\"fork\"}\n"
            ),
            "{text}"
        );
        // The nested background branch finishes before its enclosing branch `b` does,
        // which flows into the outer join `join2`; the top-level one before the end.
        assert!(text.contains("-.->|\"background\"| join2\n"), "{text}");
        assert!(text.contains("-.->|\"background\"| finish\n"), "{text}");
    }

    #[test]
    fn escape_what_mermaid_would_read_as_syntax() {
        assert_eq!(
            label("a \"b\" <c> #1 & `d`\ne"),
            "a #quot;b#quot; #lt;c#gt; #35;1 #amp; #96;d#96; e"
        );
        assert_eq!(
            label("a\u{2028}b\u{2029}c\u{fffe}\u{ffff}\u{1}"),
            "a b c\u{fffd}\u{fffd}"
        );
        for workflow in samples::ALL {
            let text = workflow.to_mermaid();
            for line in text.lines().skip(4) {
                let outside_quotes: String = line.split('"').step_by(2).collect();
                assert!(
                    !outside_quotes.contains(['<', '>', '#', '&', '`'])
                        || outside_quotes.contains("-->")
                        || outside_quotes.contains("-.->"),
                    "{line}"
                );
            }
        }
    }

    #[test]
    fn draw_a_workflow_without_forks() {
        assert!(
            samples::EMPTY
                .to_mermaid()
                .ends_with("    start((\"start\")) --> finish((\"end\"))\n")
        );
    }
}

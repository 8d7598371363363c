//! Conductor workflow definition export.
//!
//! - Each fork is a `FORK_JOIN` task whose `forkTasks` holds one list of tasks per
//!   branch, followed by a `JOIN` task whose `joinOn` names the last task of every
//!   joined branch. A background branch is left out of `joinOn` (the `http` of `join(email, sms) background(http)`): it
//!   still runs, the workflow does not wait for it there.
//! - Each step is a `SIMPLE` task named after the step (spaces as `_`: `review_2`). Its
//!   `taskReferenceName` is `<step>_ref` when the step's name is unique in the workflow, else
//!   `<step>_<branch path>` (`process_notification_payload_email` when each of `email`, `sms`
//!   and `http` has a `process_notification_payload` step).
//! - A nested fork is a `FORK_JOIN` + `JOIN` pair inside its branch's list; the next
//!   join names the nested `JOIN`.
//! - A fan-out branch (`for x in xs`) is a `FORK_JOIN_DYNAMIC` with its own `JOIN`:
//!   `forkTaskName` is the step's task, and `forkTaskInputs` reads the list of items from
//!   the workflow input named after the branch. A fan-out of several steps names a
//!   sub-workflow `<workflow>_<branch>` in `forkTaskWorkflow` instead, to be defined
//!   from the branch's steps (listed in the task's `description`).
//! - `#[optional]` branches make their tasks `"optional": true`. Retries, timeouts,
//!   limits and the join policies `first`, `quorum` and `settled` have no field in a
//!   workflow definition (retries and timeouts are set on Conductor's task definitions):
//!   they are written in the tasks' `description`.

use core::fmt::Write as _;
use std::collections::HashMap;

use super::escape::{ident, json, modifiers};
use super::{Branch, Fork, Policy, Step, Workflow};

impl Workflow {
    /// The workflow's graph as a Conductor workflow definition (JSON, schema version 2).
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
    /// let json = PREPARE_GRAPH.to_conductor_json();
    /// assert!(json.contains(r#""type": "FORK_JOIN""#));
    /// assert!(json.contains(r#""joinOn": ["product_ref", "customer_ref"]"#));
    /// ```
    #[must_use]
    pub fn to_conductor_json(&self) -> String {
        let mut counts = HashMap::new();
        for fork in self.forks {
            count_steps(fork, &mut counts);
        }
        let mut writer = Writer {
            workflow: self.name,
            counts,
            used: super::escape::Unique::default(),
        };
        let tasks: Vec<Json> = self
            .forks
            .iter()
            .enumerate()
            .flat_map(|(i, fork)| {
                let n = i + 1;
                writer
                    .fork(fork, &format!("fork_{n}"), &format!("join_{n}"))
                    .0
            })
            .collect();
        let definition = Json::Object(vec![
            ("name", Json::text(self.name)),
            (
                "description",
                Json::text(&format!(
                    "workflow `{}` ({}), exported by workflow-runtime",
                    self.name, self.at.file
                )),
            ),
            ("version", Json::Number(1)),
            ("schemaVersion", Json::Number(2)),
            ("tasks", Json::Array(tasks)),
            ("timeoutPolicy", Json::text("ALERT_ONLY")),
            ("timeoutSeconds", Json::Number(0)),
        ]);
        let mut out = String::new();
        definition.write(&mut out, 0);
        out.push('\n');
        out
    }
}

fn count_steps(fork: &Fork, counts: &mut HashMap<&'static str, usize>) {
    for branch in fork.branches {
        for step in branch.steps {
            match step {
                Step::Task(task) => *counts.entry(task.name).or_default() += 1,
                Step::Fork(fork) => count_steps(fork, counts),
            }
        }
    }
}

struct Writer {
    workflow: &'static str,
    /// How many steps of the workflow have each name.
    counts: HashMap<&'static str, usize>,
    /// Every reference given out, with how many times its base was asked for.
    used: super::escape::Unique,
}

impl Writer {
    /// A reference no other task has: `base`, else `base_2`, `base_3`, ...
    fn reference(&mut self, base: &str) -> String {
        self.used.unique(base)
    }

    /// The `FORK_JOIN` and `JOIN` of a fork (`fork_1` and `join_1` for the first fork of
    /// the body, `<branch path>_fork` and `<branch path>_join` for a nested one), and the
    /// `JOIN`'s reference.
    fn fork(&mut self, fork: &Fork, fork_name: &str, join_name: &str) -> (Vec<Json>, String) {
        let fork_ref = self.reference(&format!("{fork_name}_ref"));
        let join_ref = self.reference(&format!("{join_name}_ref"));
        let mut lists = Vec::new();
        let mut last = HashMap::new();
        for branch in fork.branches {
            let (tasks, last_ref) = self.branch(branch);
            last.insert(branch.name, last_ref);
            lists.push(Json::Array(tasks));
        }
        let mut fork_task = vec![
            ("name", Json::text(fork_name)),
            ("taskReferenceName", Json::text(&fork_ref)),
            ("type", Json::text("FORK_JOIN")),
        ];
        if fork.spawn {
            fork_task.push((
                "description",
                Json::text("#[spawn]: the branches run as tokio tasks"),
            ));
        }
        fork_task.push(("forkTasks", Json::Array(lists)));
        let join_on = fork
            .join
            .joined
            .iter()
            .filter_map(|name| last.get(name))
            .map(|reference| Json::text(reference))
            .collect();
        let mut join_task = vec![
            ("name", Json::text(join_name)),
            ("taskReferenceName", Json::text(&join_ref)),
            ("type", Json::text("JOIN")),
            ("joinOn", Json::Array(join_on)),
        ];
        let joined = fork.join.joined.join(", ");
        let policy = match fork.join.policy {
            Policy::All => None,
            Policy::Settled => Some(format!(
                "join({joined}) settled: every branch's outcome, failures included"
            )),
            Policy::First => Some(format!(
                "first({joined}): goes on with the first branch to succeed and cancels the others"
            )),
            Policy::Quorum(k) => Some(format!(
                "quorum({k}, {joined}): goes on with the first {k} branches to succeed and cancels the others"
            )),
        };
        let mut description = policy.into_iter().collect::<Vec<_>>();
        if !fork.join.background.is_empty() {
            description.push(format!(
                "background({}): not joined here, finishes before the enclosing scope",
                fork.join.background.join(", ")
            ));
        }
        if !description.is_empty() {
            join_task.push(("description", Json::text(&description.join("; "))));
        }
        (
            vec![Json::Object(fork_task), Json::Object(join_task)],
            join_ref,
        )
    }

    /// A branch's list of tasks, and the reference of its last task.
    fn branch(&mut self, branch: &Branch) -> (Vec<Json>, String) {
        if let Some(fan_out) = &branch.fan_out {
            let base = ident(branch.path);
            let fork_ref = self.reference(&format!("{base}_fan_out_ref"));
            let join_ref = self.reference(&format!("{base}_fan_out_join_ref"));
            let mut description = format!("for each {} in {}", fan_out.pattern, fan_out.items);
            if let Some(limit) = fan_out.limit {
                let _ = write!(description, ", at most {limit} at once");
            }
            let mut inputs = Vec::new();
            match branch.steps {
                [Step::Task(task)] => {
                    inputs.push(("forkTaskName", Json::text(&task_name(task.name))));
                    for modifier in modifiers(&task.modifiers) {
                        let _ = write!(description, "; {}: {modifier}", task.name);
                    }
                }
                steps => {
                    inputs.push((
                        "forkTaskWorkflow",
                        Json::text(&format!("{}_{base}", ident(self.workflow))),
                    ));
                    inputs.push(("forkTaskWorkflowVersion", Json::Number(1)));
                    let names: Vec<String> = steps.iter().map(step_summary).collect();
                    let _ = write!(description, "; each item: {}", names.join(" -> "));
                }
            }
            inputs.push((
                "forkTaskInputs",
                Json::text(&format!("${{workflow.input.{base}}}")),
            ));
            for modifier in modifiers(&branch.modifiers) {
                let _ = write!(description, "; branch: {modifier}");
            }
            let mut fork_task = vec![
                ("name", Json::text(&format!("{base}_fan_out"))),
                ("taskReferenceName", Json::text(&fork_ref)),
                ("type", Json::text("FORK_JOIN_DYNAMIC")),
                ("inputParameters", Json::Object(inputs)),
                ("description", Json::text(&description)),
            ];
            if branch.modifiers.optional {
                fork_task.push(("optional", Json::Bool(true)));
            }
            let join_task = vec![
                ("name", Json::text(&format!("{base}_fan_out_join"))),
                ("taskReferenceName", Json::text(&join_ref)),
                ("type", Json::text("JOIN")),
                ("joinOn", Json::Array(Vec::new())),
            ];
            return (
                vec![Json::Object(fork_task), Json::Object(join_task)],
                join_ref,
            );
        }
        let mut tasks = Vec::new();
        let mut last = String::new();
        let mut nested = 0;
        for step in branch.steps {
            match step {
                Step::Task(task) => {
                    let base = if self.counts.get(task.name).copied().unwrap_or(0) > 1 {
                        format!("{}_{}", ident(task.name), ident(branch.path))
                    } else {
                        format!("{}_ref", ident(task.name))
                    };
                    last = self.reference(&base);
                    let mut object = vec![
                        ("name", Json::text(&task_name(task.name))),
                        ("taskReferenceName", Json::text(&last)),
                        ("type", Json::text("SIMPLE")),
                    ];
                    let mut notes = modifiers(&branch.modifiers);
                    notes.retain(|note| note != "optional");
                    notes.extend(modifiers(&task.modifiers));
                    if !notes.is_empty() {
                        object.push(("description", Json::text(&notes.join("; "))));
                    }
                    if branch.modifiers.optional {
                        object.push(("optional", Json::Bool(true)));
                    }
                    tasks.push(Json::Object(object));
                }
                Step::Fork(fork) => {
                    nested += 1;
                    let scope = if nested == 1 {
                        ident(branch.path)
                    } else {
                        format!("{}_{nested}", ident(branch.path))
                    };
                    let (fork_tasks, join_ref) =
                        self.fork(fork, &format!("{scope}_fork"), &format!("{scope}_join"));
                    tasks.extend(fork_tasks);
                    last = join_ref;
                }
            }
        }
        (tasks, last)
    }
}

/// A task definition's name for a step: its name with `_` for spaces (`review_2` for
/// the second unnamed step of branch `review`), as a worker would poll for it.
fn task_name(name: &str) -> String {
    name.replace(' ', "_")
}

fn step_summary(step: &Step) -> String {
    match step {
        Step::Task(task) => task.name.to_owned(),
        Step::Fork(fork) => format!(
            "fork({})",
            fork.branches
                .iter()
                .map(|branch| branch.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Just enough JSON for a workflow definition, written with two-space indentation and
/// arrays of strings on one line (as Conductor's documentation shows `joinOn`).
enum Json {
    Text(String),
    Number(u64),
    Bool(bool),
    Array(Vec<Json>),
    Object(Vec<(&'static str, Json)>),
}

impl Json {
    fn text(text: &str) -> Json {
        Json::Text(text.to_owned())
    }

    fn write(&self, out: &mut String, indent: usize) {
        let pad = |out: &mut String, level: usize| {
            for _ in 0..level {
                out.push_str("  ");
            }
        };
        match self {
            Json::Text(text) => out.push_str(&json(text)),
            Json::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Json::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Json::Array(items) if items.is_empty() => out.push_str("[]"),
            Json::Array(items) if items.iter().all(|item| matches!(item, Json::Text(_))) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, indent);
                }
                out.push(']');
            }
            Json::Array(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    pad(out, indent + 1);
                    item.write(out, indent + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                pad(out, indent);
                out.push(']');
            }
            Json::Object(fields) => {
                out.push_str("{\n");
                for (i, (key, value)) in fields.iter().enumerate() {
                    pad(out, indent + 1);
                    out.push_str(&json(key));
                    out.push_str(": ");
                    value.write(out, indent + 1);
                    out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
                }
                pad(out, indent);
                out.push('}');
            }
        }
    }
}

#[cfg(test)]
mod should {
    use super::super::samples;

    #[test]
    fn write_seed_004s_definition_for_the_notifications() {
        let text = samples::NOTIFY.to_conductor_json();
        let tasks = &text[text.find("\"tasks\"").unwrap()..];
        assert!(
            tasks.starts_with(
                r#""tasks": [
    {
      "name": "fork_1",
      "taskReferenceName": "fork_1_ref",
      "type": "FORK_JOIN",
      "forkTasks": [
        [
          {
            "name": "process_notification_payload",
            "taskReferenceName": "process_notification_payload_email",
            "type": "SIMPLE"
          },
          {
            "name": "email_notification",
            "taskReferenceName": "email_notification_ref",
            "type": "SIMPLE"
          }
        ],"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#""joinOn": ["email_notification_ref", "sms_notification_ref"],"#),
            "{text}"
        );
        assert!(text.contains(r#""taskReferenceName": "http_notification_ref""#));
    }

    #[test]
    fn join_on_a_nested_join() {
        let text = samples::LOAN.to_conductor_json();
        assert!(
            text.contains(r#""joinOn": ["check_passport_ref", "check_utility_bill_ref"]"#),
            "{text}"
        );
        assert!(
            text.contains(r#""joinOn": ["credit_bureau_check_ref", "score_employment_ref", "merge_documents_ref"]"#),
            "{text}"
        );
        assert!(
            text.contains(r#""taskReferenceName": "documents_join_ref""#),
            "{text}"
        );
    }

    #[test]
    fn fan_out_dynamically_and_note_what_has_no_field() {
        let text = samples::CHECKOUT.to_conductor_json();
        assert!(text.contains(r#""type": "FORK_JOIN_DYNAMIC""#), "{text}");
        assert!(text.contains(r#""forkTaskName": "check_stock""#), "{text}");
        assert!(
            text.contains(r#""forkTaskInputs": "${workflow.input.stock}""#),
            "{text}"
        );
        assert!(
            text.contains(
                r#""joinOn": ["stock_fan_out_join_ref", "authorise_ref", "loyalty_points_ref"]"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#""description": "retry 3, backoff = 20ms; timeout 200ms""#),
            "{text}"
        );
        assert!(
            text.contains("\"description\": \"timeout 100ms\",\n            \"optional\": true"),
            "{text}"
        );

        let text = samples::KITCHEN_SINK.to_conductor_json();
        assert!(
            text.contains(r#""forkTaskWorkflow": "kitchen_sink_pages""#),
            "{text}"
        );
        assert!(
            text.contains("each item: fetch -> fork(text, links)"),
            "{text}"
        );
        assert!(text.contains("quorum(2, eu, us, asia)"), "{text}");
        assert!(
            text.contains(r#""joinOn": ["pages_fan_out_join_ref"]"#),
            "{text}"
        );
        assert!(
            text.contains(r#""joinOn": ["load_b_x", "load_b_y"]"#),
            "{text}"
        );
        assert!(
            text.contains("\"audit(\\\"<b>\\\")\"") || !text.contains("audit(\""),
            "{text}"
        );
    }

    #[test]
    fn give_every_task_its_own_reference() {
        for workflow in samples::ALL {
            let text = workflow.to_conductor_json();
            let mut refs: Vec<&str> = text
                .lines()
                .filter_map(|line| line.trim().strip_prefix("\"taskReferenceName\": \""))
                .collect();
            let count = refs.len();
            refs.sort_unstable();
            refs.dedup();
            assert_eq!(refs.len(), count, "{text}");
        }
    }
}

//! Every check of the parallel model, run on the plain-data graph. All problems are
//! collected, so one build shows every mistake of a macro call.

use std::collections::HashMap;

use crate::model::{Branch, ExitKind, Fork, Join, Name, Policy, Stage, Step, Workflow};

/// One mistake: where, what, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem<S> {
    pub at: S,
    pub message: String,
    pub help: String,
}

pub fn validate<S: Stage>(workflow: &Workflow<S>) -> Vec<Problem<S::Span>> {
    let mut problems = Problems(Vec::new());
    for stray in &workflow.stray_joins {
        if stray.cut_off.is_some() {
            problems.add(
                stray.at,
                "this `join` is cut off from its fork by `;`",
                "remove the `;` between the fork's closing `>` and `join`: `fork < a: ..., b: ... > join(a, b);`",
            );
        } else {
            problems.add(
                stray.at,
                "`join` without a fork: there are no branches to wait for here",
                "a join closes the fork just before it: `fork < a: ..., b: ... > join(a, b);`",
            );
        }
    }
    for (i, fork) in workflow.forks.iter().enumerate() {
        let cut_off = workflow.stray_joins.iter().any(|j| j.cut_off == Some(i));
        check_fork(fork, &[], cut_off, &mut problems);
    }
    problems.0
}

struct Problems<S>(Vec<Problem<S>>);

impl<S> Problems<S> {
    fn add(&mut self, at: S, message: impl Into<String>, help: impl Into<String>) {
        self.0.push(Problem {
            at,
            message: message.into(),
            help: help.into(),
        });
    }
}

/// `outer` holds the enclosing forks, outermost first, each with the branch that holds
/// the next one.
/// `join_cut_off`: the fork's join follows it after a `;`, reported on its own.
fn check_fork<S: Stage>(
    fork: &Fork<S>,
    outer: &[(&Fork<S>, &Branch<S>)],
    join_cut_off: bool,
    problems: &mut Problems<S::Span>,
) {
    let names: Vec<&str> = fork.branches.iter().map(|b| b.name.text.as_str()).collect();
    // Each name's first branch: lookups stay linear in the fork's width (a fork of
    // 10,000 branches took seconds to validate with a search per name).
    let mut first_of: HashMap<&str, usize> = HashMap::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        first_of.entry(name).or_insert(i);
    }
    let branch_named = |name: &str| first_of.get(name).map(|&i| &fork.branches[i]);
    match fork.branches.len() {
        0 => problems.add(
            fork.at,
            "this fork is empty: it has no branches",
            "a fork runs two or more named branches at the same time: `fork < a: step_a(), b: step_b() > join(a, b)`",
        ),
        1 => problems.add(
            fork.at,
            "a fork needs at least two branches, and this one has one",
            format!(
                "a single branch needs no fork: run its steps in sequence, as in `let {} = step.await;`",
                names.join("")
            ),
        ),
        _ => {}
    }
    for (i, branch) in fork.branches.iter().enumerate() {
        if first_of.get(branch.name.text.as_str()) != Some(&i) {
            problems.add(
                branch.name.at,
                format!(
                    "this fork already has a branch named `{}`",
                    branch.name.text
                ),
                "give each branch of a fork its own name: the join waits on branches by name",
            );
        }
        if let Some(at) = branch.guard {
            problems.add(
                at,
                format!("parallel branch `{}` has a condition, but parallel flows are unconditional", branch.name.text),
                format!(
                    "every branch of a fork runs; put the condition inside the step instead: `{}: async {{ if cond {{ ... }} }}`",
                    branch.name.text
                ),
            );
        }
        check_steps(branch, fork, outer, problems);
    }

    let Some(join) = &fork.join else {
        if join_cut_off {
            return;
        }
        let list = if names.is_empty() {
            "a, b".to_owned()
        } else {
            names.join(", ")
        };
        problems.add(
            fork.at,
            "this fork is never joined",
            format!("add `join({list})` after the fork's closing `>` to wait for its branches"),
        );
        return;
    };

    if join.names.is_empty() {
        problems.add(
            join.at,
            "`join()` waits for no branch, so it would go on before any branch has finished",
            format!(
                "list the branches to wait for: `join({})`",
                if names.is_empty() {
                    "a, b".to_owned()
                } else {
                    names.join(", ")
                }
            ),
        );
    }

    let listed = join.names.iter().chain(&join.background);
    let mut seen: HashMap<&str, &Name<S>> = HashMap::new();
    // Branches suggested for a misspelt name: not reported again as never joined.
    let mut suggested: Vec<&str> = Vec::new();
    for name in listed {
        if let Some(first) = seen.get(name.text.as_str()) {
            let in_background = |n: &Name<S>| join.background.iter().any(|b| core::ptr::eq(b, n));
            let message = match (in_background(first), in_background(name)) {
                (false, false) => format!("branch `{}` is joined twice", name.text),
                (true, true) => format!("branch `{}` is in `background(...)` twice", name.text),
                _ => format!(
                    "branch `{}` is both joined and in `background(...)`",
                    name.text
                ),
            };
            problems.add(name.at, message, format!("list `{}` once", name.text));
            continue;
        }
        seen.insert(&name.text, name);
        if branch_named(&name.text).is_none() {
            suggested.extend(unknown_branch(name, fork, outer, problems));
        }
    }

    for (i, branch) in fork.branches.iter().enumerate() {
        let name = branch.name.text.as_str();
        let first_of_name = first_of.get(name) == Some(&i);
        let joins_something = !join.names.is_empty();
        if joins_something
            && first_of_name
            && !suggested.contains(&name)
            && !seen.contains_key(name)
        {
            problems.add(
                branch.name.at,
                format!("branch `{}` is forked but never joined", branch.name.text),
                format!(
                    "add `{0}` to `join(...)`, or write `background({0})` after the join to let it run on without being waited for there (it still finishes before the workflow returns)",
                    branch.name.text
                ),
            );
        }
    }

    for name in &join.background {
        let Some(branch) = branch_named(&name.text) else {
            continue;
        };
        if let Some(at) = first_fallible(branch) {
            problems.add(
                at,
                format!("background branch `{}` can fail, but nothing joins it to receive the error", name.text),
                format!(
                    "join `{}` to handle its failure, or handle the error inside the step so the step cannot fail",
                    name.text
                ),
            );
        }
    }

    check_policy(fork, join, !outer.is_empty(), problems);
    let joined_fallible = join
        .names
        .iter()
        .filter_map(|n| branch_named(&n.text))
        .find(|b| b.is_fallible());
    let joined_fallible = joined_fallible.filter(|_| !matches!(join.policy, Policy::Settled(_)));
    match (joined_fallible, join.question) {
        (Some(branch), None) => problems.add(
            join.at,
            if branch.steps_can_fail() {
                format!(
                    "this join can fail: branch `{}` has a fallible step (`?`)",
                    branch.name.text
                )
            } else {
                format!(
                    "this join can fail: branch `{}` has a `#[timeout]`",
                    branch.name.text
                )
            },
            "write `join(...)?` to return the first failure from here, with the name of the branch that failed",
        ),
        (None, Some(at))
            if join.names.iter().all(|n| branch_named(&n.text).is_some())
                && !matches!(join.policy, Policy::Settled(_)) =>
        {
            problems.add(
                at,
                "`?` on a join whose branches cannot fail",
                "remove this `?`, or mark the steps that can fail with a trailing `?`",
            );
        }
        _ => {}
    }
}

/// Where a branch that is not optional can fail: its timeout, or a fallible step.
/// The checks particular to `settled`, `first` and `quorum(k, ...)` joins.
fn check_policy<S: Stage>(
    fork: &Fork<S>,
    join: &Join<S>,
    nested: bool,
    problems: &mut Problems<S::Span>,
) {
    let n = join.names.len();
    match join.policy {
        Policy::All => {}
        Policy::Settled(_) => {
            if let Some(question) = join.question {
                problems.add(
                    question,
                    "a settled join cannot fail: it hands on every branch's outcome",
                    "remove the `?`, and match on each branch's `Result` after the join",
                );
            }
        }
        Policy::First | Policy::Quorum { .. } => {
            let (what, k, k_at) = match join.policy {
                Policy::Quorum { k, at } => ("quorum", k, at),
                _ => ("first", 1, join.at),
            };
            if nested {
                problems.add(
                    join.at,
                    format!("a `{what}(...)` join is only allowed on a fork of the workflow's body"),
                    format!("bind it there: `let winners = fork < ... > {what}(...);`, or move the race into a workflow `fn` this branch calls"),
                );
            } else if !fork.bound {
                problems.add(
                    join.at,
                    format!("a `{what}(...)` join hands on its winners, but nothing takes them"),
                    format!("bind them: `let winners = fork < ... > {what}(...);`"),
                );
            }
            if !join.background.is_empty() {
                problems.add(
                    join.at,
                    format!("a `{what}(...)` join drops the branches that lose; `background(...)` has no meaning here"),
                    "remove `background(...)`, or use `join(...)`",
                );
            }
            if k == 0 {
                problems.add(
                    k_at,
                    "a quorum of 0 would go on before any branch has finished",
                    "write a quorum of 1 or more: `quorum(2, a, b, c)`",
                );
            } else if n >= 1 && k > n {
                problems.add(
                    k_at,
                    format!("a quorum of {k} out of {n} branches can never be reached"),
                    format!("write at most `quorum({n}, ...)`, or list more branches"),
                );
            } else if n >= 1 && k == n {
                problems.add(
                    k_at,
                    format!("a quorum of all {n} branches is a plain join"),
                    "write `join(...)` to wait for every branch",
                );
            }
            if n == 1 && what == "first" {
                problems.add(
                    join.at,
                    "`first(...)` of one branch has no race to win",
                    "list two or more branches, or use `join(...)`",
                );
            }
        }
    }
}

fn first_fallible<S: Stage>(branch: &Branch<S>) -> Option<S::Span> {
    if branch.marks.optional.is_some() {
        return None;
    }
    if let Some(at) = branch.marks.timeout {
        return Some(at);
    }
    branch.steps.iter().find_map(|step| match step {
        Step::Task(task) => task.fallible,
        Step::Fork(fork) => fork
            .branches
            .iter()
            .find_map(first_fallible)
            .and(fork.join.as_ref().and_then(|j| j.question)),
    })
}

/// Reports a joined name that is not a branch of `fork`; returns the branch it suggests.
fn unknown_branch<'f, S: Stage>(
    name: &Name<S>,
    fork: &'f Fork<S>,
    outer: &[(&Fork<S>, &Branch<S>)],
    problems: &mut Problems<S::Span>,
) -> Option<&'f str> {
    if let Some(holder) = fork
        .branches
        .iter()
        .find(|b| nested_branch_names(b).iter().any(|n| *n == name.text))
    {
        problems.add(
            name.at,
            format!(
                "`{}` is a branch of the fork nested in `{}`, so this join cannot wait for it",
                name.text, holder.name.text
            ),
            format!(
                "a join only waits for its own fork's branches: join `{0}` here, and `{1}` at the join of the fork inside `{0}`",
                holder.name.text, name.text
            ),
        );
        return None;
    }
    if let Some((_, holder)) = outer
        .iter()
        .rev()
        .find(|(f, _)| f.branch(&name.text).is_some())
    {
        problems.add(
            name.at,
            format!(
                "`{}` is a branch of an enclosing fork, so this join inside branch `{}` cannot wait for it",
                name.text, holder.name.text
            ),
            format!(
                "joins cannot cross fork levels: join `{}` at the join of the fork that starts it",
                name.text
            ),
        );
        return None;
    }
    let mut candidates: Vec<&str> = Vec::new();
    for branch in &fork.branches {
        if !candidates.contains(&branch.name.text.as_str()) {
            candidates.push(&branch.name.text);
        }
    }
    let near = nearest(&name.text, candidates.iter().copied());
    let help = match near {
        Some(near) => format!("did you mean `{near}`?"),
        None if candidates.is_empty() => format!(
            "the fork has no branches to join: write them between `fork <` and `>`, as in `fork < {0}: step(), other: step() > join({0}, other)`",
            name.text
        ),
        None => format!(
            "the branches of this fork are: {}",
            candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    problems.add(
        name.at,
        format!("this fork has no branch named `{}`", name.text),
        help,
    );
    near
}

/// Names of the branches of forks nested (at any depth) in `branch`.
fn nested_branch_names<S: Stage>(branch: &Branch<S>) -> Vec<&str> {
    let mut out = Vec::new();
    for step in &branch.steps {
        if let Step::Fork(fork) = step {
            for inner in &fork.branches {
                out.push(inner.name.text.as_str());
                out.extend(nested_branch_names(inner));
            }
        }
    }
    out
}

/// Where each modifier may go: `#[optional]` and `#[timeout]` on a branch,
/// `#[timeout]` and `#[retry]` on a fallible step, `#[limit]` on a fan-out branch.
fn check_marks<S: Stage>(branch: &Branch<S>, problems: &mut Problems<S::Span>) {
    let name = &branch.name.text;
    if let Some(at) = branch.marks.retry {
        problems.add(
            at,
            format!("`#[retry]` on branch `{name}`: a retry re-runs a step, not a branch"),
            "put `#[retry(3)]` on the fallible step to re-run, before its expression",
        );
    }
    if let (Some(at), None) = (branch.marks.limit, branch.fan_out) {
        problems.add(
            at,
            format!("`#[limit]` on branch `{name}`, which runs once: there is nothing to limit"),
            format!(
                "`#[limit(4)]` caps a fan-out branch: `{name}: for item in items => step(item)`"
            ),
        );
    }
    if let (Some(at), false) = (branch.marks.optional, branch.can_fail()) {
        problems.add(
            at,
            format!("branch `{name}` cannot fail, so `#[optional]` has nothing to do"),
            "remove `#[optional]`, or mark the step that can fail with a trailing `?`",
        );
    }
    if branch.fan_out.is_some()
        && let Some(Step::Fork(fork)) = branch.steps.iter().find(|s| matches!(s, Step::Fork(_)))
    {
        problems.add(
            fork.at,
            format!("fan-out branch `{name}` cannot hold a nested fork"),
            "call a workflow `fn` holding the fork as the fan-out's step instead",
        );
    }
    for step in &branch.steps {
        let Step::Task(task) = step else { continue };
        if let (Some(at), Some(_)) = (task.marks.retry, branch.fan_out) {
            problems.add(
                at,
                format!("`#[retry]` on a step of fan-out branch `{name}` is not supported"),
                "retry inside the step's own function, or fan out over a workflow `fn` whose step has `#[retry]`",
            );
        }
        if let Some(at) = task.marks.optional {
            problems.add(
                at,
                "`#[optional]` on a step: a branch is optional, not one of its steps",
                format!("write `#[optional]` before the branch: `#[optional] {name}: ...`"),
            );
        }
        if let Some(at) = task.marks.limit {
            problems.add(
                at,
                "`#[limit]` on a step: it caps a fan-out branch",
                format!("write `#[limit(4)] {name}: for item in items => step(item)`"),
            );
        }
        if task.fallible.is_none() {
            if let Some(at) = task.marks.timeout {
                problems.add(
                    at,
                    "a step with a timeout can fail, but it is not marked with `?`",
                    "mark the step with a trailing `?`; its error type needs `From<workflow_runtime::TimedOut>`",
                );
            }
            if let Some(at) = task.marks.retry {
                problems.add(
                    at,
                    "`#[retry]` on a step that cannot fail: there is nothing to retry",
                    "mark the step with a trailing `?` if its output is a `Result`, or remove `#[retry]`",
                );
            }
        }
    }
}

fn check_steps<S: Stage>(
    branch: &Branch<S>,
    fork: &Fork<S>,
    outer: &[(&Fork<S>, &Branch<S>)],
    problems: &mut Problems<S::Span>,
) {
    check_marks(branch, problems);
    for (i, step) in branch.steps.iter().enumerate() {
        match step {
            Step::Task(task) => {
                for exit in task
                    .exits
                    .iter()
                    .filter(|e| e.kind != ExitKind::NestedAwait)
                {
                    let name = &branch.name.text;
                    let (message, help) = match exit.kind {
                        ExitKind::Await => (
                            "this step is awaited by the fork: remove `.await`".to_owned(),
                            "write the future itself, as in `fetch(id)`; the fork polls all branches at the same time".to_owned(),
                        ),
                        ExitKind::Try => (
                            format!("`?` inside a step would leave branch `{name}` without reaching its join"),
                            "mark the whole step as fallible with a trailing `?` (`step(x)?`), or compute the value before the fork".to_owned(),
                        ),
                        kind => (
                            format!(
                                "`{}` would leave branch `{name}` without reaching its join",
                                match kind {
                                    ExitKind::Return => "return",
                                    ExitKind::Break => "break",
                                    _ => "continue",
                                }
                            ),
                            "a branch always runs to its join; decide inside the step (in an `async` block) and return after the join".to_owned(),
                        ),
                    };
                    problems.add(exit.at, message, help);
                }
            }
            Step::Fork(inner) => {
                if i > 0 && !matches!(branch.steps.get(i - 1), Some(Step::Fork(_))) {
                    problems.add(
                        inner.at,
                        "a fork after `->` must follow a join: the previous step's output has no name its branches could use",
                        "start a new branch with the steps before this fork, or bind the value with `let` before the outer fork",
                    );
                }
                let mut path = outer.to_vec();
                path.push((fork, branch));
                check_fork(inner, &path, false, problems);
            }
        }
    }
}

/// The candidate closest to `name` by edit distance, if it is close enough to be a typo.
fn nearest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (distance(name, c), c))
        .filter(|&(d, c)| d <= (name.chars().count().max(c.chars().count()) / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Edit distance in characters, where swapping two neighbours counts as one edit
/// (optimal string alignment), so `emial` is one edit from `email`.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // rows[i][j]: distance between the first i chars of a and the first j chars of b.
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        if let Some(first) = row.first_mut() {
            *first = i;
        }
    }
    if let Some(first) = rows.first_mut() {
        for (j, cell) in first.iter_mut().enumerate() {
            *cell = j;
        }
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod should {
    use super::*;
    use crate::model::{Attributes, Marks, Task};

    fn name(text: &str) -> Name<()> {
        Name {
            text: text.to_owned(),
            at: (),
        }
    }

    fn task(fallible: bool) -> Step<()> {
        Step::Task(Task {
            label: "step".to_owned(),
            at: (),
            original: (),
            id: String::new(),
            fallible: fallible.then_some(()),
            marks: Marks::default(),
            exits: Vec::new(),
        })
    }

    fn branch(text: &str, steps: Vec<Step<()>>) -> Branch<()> {
        Branch {
            name: name(text),
            original: (),
            path: String::new(),
            guard: None,
            fan_out: None,
            marks: Marks::default(),
            steps,
        }
    }

    fn fork(
        branches: Vec<Branch<()>>,
        joined: &[&str],
        background: &[&str],
        question: bool,
    ) -> Fork<()> {
        Fork {
            at: (),
            original: (),
            id: String::new(),
            bound: false,
            branches,
            join: Some(Join {
                at: (),
                original: (),
                policy: Policy::All,
                names: joined.iter().map(|n| name(n)).collect(),
                question: question.then_some(()),
                background: background.iter().map(|n| name(n)).collect(),
            }),
        }
    }

    fn messages(forks: Vec<Fork<()>>) -> Vec<String> {
        let workflow = Workflow {
            name: "w".to_owned(),
            original: (),
            attributes: Attributes::default(),
            forks,
            stray_joins: Vec::new(),
        };
        validate(&workflow).into_iter().map(|p| p.message).collect()
    }

    fn two(joined: &[&str]) -> Fork<()> {
        fork(
            vec![
                branch("email", vec![task(false)]),
                branch("sms", vec![task(false)]),
            ],
            joined,
            &[],
            false,
        )
    }

    #[test]
    fn accept_a_balanced_fork() {
        assert!(messages(vec![two(&["email", "sms"])]).is_empty());
    }

    #[test]
    fn reject_a_branch_that_is_not_joined() {
        assert_eq!(
            messages(vec![two(&["email"])]),
            ["branch `sms` is forked but never joined"]
        );
    }

    #[test]
    fn accept_a_background_branch_and_reject_it_when_it_can_fail() {
        let ok = fork(
            vec![
                branch("email", vec![task(false)]),
                branch("http", vec![task(false)]),
            ],
            &["email"],
            &["http"],
            false,
        );
        assert!(messages(vec![ok]).is_empty());
        let failing = fork(
            vec![
                branch("email", vec![task(false)]),
                branch("http", vec![task(true)]),
            ],
            &["email"],
            &["http"],
            false,
        );
        assert_eq!(
            messages(vec![failing]),
            ["background branch `http` can fail, but nothing joins it to receive the error"]
        );
    }

    #[test]
    fn suggest_the_nearest_name_for_an_unknown_branch() {
        let workflow = Workflow {
            name: "w".to_owned(),
            original: (),
            attributes: Attributes::default(),
            forks: vec![two(&["emial", "sms"])],
            stray_joins: Vec::new(),
        };
        let problems = validate(&workflow);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].message, "this fork has no branch named `emial`");
        assert_eq!(problems[0].help, "did you mean `email`?");
    }

    #[test]
    fn report_every_problem_of_a_fork_together() {
        let bad = fork(
            vec![
                branch("a", vec![task(true)]),
                branch("a", vec![task(false)]),
            ],
            &["a", "a"],
            &[],
            false,
        );
        assert_eq!(
            messages(vec![bad]),
            [
                "this fork already has a branch named `a`",
                "branch `a` is joined twice",
                "this join can fail: branch `a` has a fallible step (`?`)",
            ]
        );
    }

    #[test]
    fn reject_a_join_that_crosses_fork_levels() {
        let nested = fork(
            vec![
                branch("passport", vec![task(false)]),
                branch("utility", vec![task(false)]),
            ],
            &["passport", "utility", "credit"],
            &[],
            false,
        );
        let outer = fork(
            vec![
                branch("credit", vec![task(false)]),
                branch("documents", vec![Step::Fork(nested)]),
            ],
            &["credit", "documents", "passport"],
            &[],
            false,
        );
        assert_eq!(
            messages(vec![outer]),
            [
                "`credit` is a branch of an enclosing fork, so this join inside branch `documents` cannot wait for it",
                "`passport` is a branch of the fork nested in `documents`, so this join cannot wait for it",
            ]
        );
    }

    #[test]
    fn require_question_mark_exactly_on_fallible_joins() {
        let nested = fork(
            vec![
                branch("p", vec![task(true)]),
                branch("u", vec![task(false)]),
            ],
            &["p", "u"],
            &[],
            true,
        );
        let outer = fork(
            vec![
                branch("a", vec![task(false)]),
                branch("d", vec![Step::Fork(nested)]),
            ],
            &["a", "d"],
            &[],
            true,
        );
        assert!(
            messages(vec![outer]).is_empty(),
            "a nested failure makes the outer join fallible"
        );
        assert_eq!(
            messages(vec![fork(
                vec![
                    branch("a", vec![task(false)]),
                    branch("b", vec![task(false)])
                ],
                &["a", "b"],
                &[],
                true
            )]),
            ["`?` on a join whose branches cannot fail"]
        );
    }

    #[test]
    fn reject_empty_and_single_branch_forks_and_empty_joins() {
        assert_eq!(
            messages(vec![fork(vec![], &[], &[], false)]),
            [
                "this fork is empty: it has no branches",
                "`join()` waits for no branch, so it would go on before any branch has finished",
            ]
        );
        assert_eq!(
            messages(vec![fork(
                vec![branch("a", vec![task(false)])],
                &["a"],
                &[],
                false
            )]),
            ["a fork needs at least two branches, and this one has one"]
        );
    }

    #[test]
    fn measure_edit_distance() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("emial", "email"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(
            nearest("emial", ["email", "sms"].into_iter()),
            Some("email")
        );
        assert_eq!(nearest("xyz", ["email", "sms"].into_iter()), None);
    }
}

//! Property tests of the macro's front end (parse -> model -> validate -> expand), run on
//! `proc_macro2` token streams, outside a compiler.
//!
//! - Random **well-formed workflows** (generics, turbofish, `a > b`, `x >> 1`, closures
//!   with return types, raw and unicode names, every modifier, policy and fork form) are
//!   accepted; their model is the one the generator meant, every span in it points at its
//!   own token, the expansion is a Rust item, and the model **round-trips**: printed back
//!   to source by [`print`] and parsed again, it is the same model.
//! - Random **graphs**, balanced or not (guards, unknown, missing and duplicate names,
//!   wrong `?`, misplaced modifiers, cut-off joins, early exits, nesting), round-trip the
//!   same way, and the validator accepts exactly those that [`reference`], a small
//!   independent checker written from the README's rules, accepts.
//! - Random **mutations** (dropped tokens, swapped names, unbalanced forks, guards on
//!   branches, stray `<`/`>`, inserted keywords and modifiers, unicode identifiers) of
//!   well-formed workflows, of forks nested 64 levels deep and of forks of 1,000
//!   branches either parse or give errors on the input's tokens: never a panic, never a
//!   stack overflow (`fuzz_check` holds the promises checked on each input).
//!
//! The properties run 3,000 + 3,000 + 4,000 + 100 + 20 = 10,120 cases with
//! `WORKFLOW_PROPTEST_CASES=full` (`.ci/run`), a quarter of them (2,530) in
//! `cargo test --workspace`, from a fixed seed, plus the fuzz corpus. Long mode:
//! `WORKFLOW_PROPTEST_CASES=full WORKFLOW_PROPTEST_SCALE=100 cargo test --release -p
//! workflow-macros-core --test proptests` multiplies every count, and
//! `PROPTEST_RNG_SEED=<u64>` explores other cases.

use core::str::FromStr as _;
use std::fmt::Write as _;

use proc_macro2::{Spacing, Span, TokenStream, TokenTree};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed};

use workflow_macros_core::fuzz_check::{self, Verdict};
use workflow_macros_core::grammar::{MAX_FORK_DEPTH, MAX_NESTING};
use workflow_macros_core::model::{
    Attributes, Branch, Exit, ExitKind, Fork, Join, Marks, Name, Policy, Step, StrayJoin, Task,
    Workflow,
};
use workflow_macros_core::parse;
use workflow_macros_core::validate::validate;

/// `cargo test` runs a quarter of each property's full count (its first cases: the
/// same seed), so that `cargo test --workspace` stays quick.
const QUICK_DIVISOR: u32 = 4;

/// How many cases a property runs: a quarter of `full_cases`, or all of them with
/// `WORKFLOW_PROPTEST_CASES=full` (`.ci/run`), times `WORKFLOW_PROPTEST_SCALE` (long
/// mode). The seed is fixed unless `PROPTEST_RNG_SEED` is set, so CI runs the same cases
/// every time.
fn config(full_cases: u32) -> Config {
    let cases = match std::env::var("WORKFLOW_PROPTEST_CASES").as_deref() {
        Ok("full") => full_cases,
        Err(std::env::VarError::NotPresent) => full_cases.div_ceil(QUICK_DIVISOR),
        other => panic!("WORKFLOW_PROPTEST_CASES is `full` or unset, not {other:?}"),
    };
    let scale = std::env::var("WORKFLOW_PROPTEST_SCALE")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(1);
    let mut config = Config {
        cases: cases.saturating_mul(scale),
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x776f_726b_666c_6f77);
    }
    config
}

/// Lexes test input; the fallback's source map is cleared first, so that a long run does
/// not keep the text of every case alive.
fn lex(source: &str) -> TokenStream {
    proc_macro2::extra::invalidate_current_thread_spans();
    TokenStream::from_str(source).expect("generated source lexes")
}

// ---------------------------------------------------------------------------------
// Raw random structure, shared by the well-formed generator and the graph generator.
// ---------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct RawWorkflow {
    name: u8,
    signature: u8,
    forks: Vec<RawFork>,
    /// Ordinary Rust statements before the forks (`RUST` indices).
    between: Vec<u8>,
    /// Stray joins after forks without a join (graphs only).
    stray: Vec<u8>,
}

#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)] // independent random knobs
struct RawFork {
    branches: Vec<RawBranch>,
    policy: u8,
    k: u8,
    bound: bool,
    spawn: bool,
    trailing_comma: bool,
    /// Sort keys for the join's order.
    order: Vec<u8>,
    /// How a graph's join goes wrong (`knob < 13`: it does not).
    knob: u8,
    noise: u8,
    question_flip: bool,
}

#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)] // independent random knobs
struct RawBranch {
    name: u8,
    guard: bool,
    fan_out: bool,
    background: bool,
    /// `#[optional]`, `#[timeout]`, `#[retry]`, `#[limit]`.
    marks: [bool; 4],
    steps: Vec<RawStep>,
}

#[derive(Debug, Clone)]
enum RawStep {
    Task(RawTask),
    Fork(RawFork),
}

#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)] // independent random knobs
struct RawTask {
    label: u8,
    form: u8,
    args: Vec<u8>,
    fallible: bool,
    marks: [bool; 4],
    /// Early exits of a graph's step (`EXITS` indices); a well-formed step has none.
    exits: Vec<u8>,
    awaited: bool,
}

fn raw_marks() -> impl Strategy<Value = [bool; 4]> {
    [
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.12),
        prop::bool::weighted(0.06),
        prop::bool::weighted(0.06),
    ]
}

fn raw_task() -> impl Strategy<Value = RawTask> {
    (
        any::<u8>(),
        any::<u8>(),
        prop::collection::vec(any::<u8>(), 0..3),
        prop::bool::weighted(0.4),
        raw_marks(),
        prop_oneof![12 => Just(Vec::new()), 1 => prop::collection::vec(any::<u8>(), 1..3)],
        prop::bool::weighted(0.04),
    )
        .prop_map(
            |(label, form, args, fallible, marks, exits, awaited)| RawTask {
                label,
                form,
                args,
                fallible,
                marks,
                exits,
                awaited,
            },
        )
}

fn raw_branch(step: BoxedStrategy<RawStep>) -> impl Strategy<Value = RawBranch> {
    (
        any::<u8>(),
        prop::bool::weighted(0.04),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.15),
        raw_marks(),
        prop::collection::vec(step, 1..=3),
    )
        .prop_map(
            |(name, guard, fan_out, background, marks, steps)| RawBranch {
                name,
                guard,
                fan_out,
                background,
                marks,
                steps,
            },
        )
}

fn raw_fork(step: BoxedStrategy<RawStep>) -> impl Strategy<Value = RawFork> {
    (
        prop::collection::vec(raw_branch(step), 0..=4),
        any::<u8>(),
        any::<u8>(),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.15),
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 4),
        0..20_u8,
        any::<u8>(),
        prop::bool::weighted(0.06),
    )
        .prop_map(
            |(branches, policy, k, bound, spawn, trailing_comma, order, knob, noise, flip)| {
                RawFork {
                    branches,
                    policy,
                    k,
                    bound,
                    spawn,
                    trailing_comma,
                    order,
                    knob,
                    noise,
                    question_flip: flip,
                }
            },
        )
}

fn raw_step() -> BoxedStrategy<RawStep> {
    raw_task()
        .prop_map(RawStep::Task)
        .prop_recursive(3, 24, 5, |step| raw_fork(step).prop_map(RawStep::Fork))
        .boxed()
}

fn raw_workflow() -> impl Strategy<Value = RawWorkflow> {
    (
        any::<u8>(),
        any::<u8>(),
        prop::collection::vec(raw_fork(raw_step()), 1..=2),
        prop::collection::vec(any::<u8>(), 0..4),
        prop::collection::vec(any::<u8>(), 0..4),
    )
        .prop_map(|(name, signature, forks, between, stray)| RawWorkflow {
            name,
            signature,
            forks,
            between,
            stray,
        })
}

fn pick<'a>(pool: &[&'a str], i: u8) -> &'a str {
    pool[usize::from(i) % pool.len()]
}

/// Branch names of well-formed workflows: keywords (written raw), unicode, and the
/// macro's own words.
const NAMES: &[&str] = &[
    "a",
    "b",
    "c",
    "credit",
    "documents",
    "email",
    "sms",
    "type",
    "match",
    "naïve",
    "データ",
    "fork",
    "join",
    "first",
    "quorum",
    "settled",
    "background",
    "x1",
    "_b",
    "größe",
];

/// Few names, so that graphs have duplicates, unknown names and names of other levels.
const GRAPH_NAMES: &[&str] = &["a", "b", "c", "type", "naïve"];

const LABELS: &[&str] = &[
    "fetch", "score", "merge", "check", "send", "block", "closure", "step", "prüfen", "r#loop",
    "new",
];

const WORKFLOW_NAMES: &[&str] = &["w", "fulfil", "größe", "r#async", "データ", "_private"];

/// Arguments of steps, with the `.await`s that the model records for them (closures and
/// `async` blocks are their own scope).
const ARGS: &[(&str, usize)] = &[
    ("x", 0),
    ("x > y", 0),
    ("a >> 1", 0),
    ("Vec::<u8>::new()", 0),
    ("HashMap::<K, V>::new()", 0),
    ("|v: Vec<u8>| -> usize { v.len() }", 0),
    ("(a > join(b))", 0),
    ("if c { 1 } else { 2 }", 0),
    ("[1, 2, 3]", 0),
    ("\"s, > join(\"", 0),
    ("'c'", 0),
    ("m!(a, b)", 0),
    ("x.await", 1),
    ("async { return 1 }", 0),
    ("|q| q?", 0),
    ("move || 1", 0),
    ("a as u64", 0),
    ("S { f: 1 }", 0),
    ("loop { break 2 }", 0),
    ("'l: { break 'l 3 }", 0),
    ("{ let t = 1; t }", 0),
    ("<T as Tr>::f()", 0),
    ("a < b", 0),
    ("a <= b && c >= d", 0),
    ("&mut v[..]", 0),
    ("x.await.y", 1),
    ("f(x.await)", 1),
    ("größe", 0),
    ("vec![g(x.await), 2]", 1),
    ("for i in 0..3 { continue }", 0),
    ("-1", 0),
    ("1u8..=9", 0),
];

/// Ordinary Rust between forks, none of which the model sees.
const RUST: &[&str] = &[
    "let y = 1;",
    "println!(\"{}\", 1);",
    "fn helper() {}",
    "struct S;",
    "join(zz);",
    "if c { g(); }",
    "let v = a > b;",
    "let f = fork <= x;",
    "let g = fork < limit;",
    "use std::fmt;",
];

/// The forms of a step expression, with their label and the `.await`s the model records.
/// `first`: allowed as a branch's first step; `question`: a trailing `?` marks the step.
struct Form {
    first: bool,
    question: bool,
}

const FORMS: [Form; 20] = [
    Form {
        first: true,
        question: true,
    }, // 0 call
    Form {
        first: true,
        question: true,
    }, // 1 method call
    Form {
        first: true,
        question: true,
    }, // 2 turbofish call
    Form {
        first: true,
        question: true,
    }, // 3 path call
    Form {
        first: true,
        question: true,
    }, // 4 async block
    Form {
        first: true,
        question: true,
    }, // 5 async move block
    Form {
        first: false,
        question: true,
    }, // 6 closure
    Form {
        first: false,
        question: false,
    }, // 7 typed closure
    Form {
        first: false,
        question: false,
    }, // 8 async closure
    Form {
        first: true,
        question: true,
    }, // 9 macro
    Form {
        first: true,
        question: false,
    }, // 10 comparison
    Form {
        first: true,
        question: false,
    }, // 11 shift
    Form {
        first: true,
        question: true,
    }, // 12 parenthesized
    Form {
        first: true,
        question: false,
    }, // 13 reference
    Form {
        first: false,
        question: true,
    }, // 14 path
    Form {
        first: true,
        question: true,
    }, // 15 Vec::<u8>::new()
    Form {
        first: true,
        question: true,
    }, // 16 HashMap::<K, V>::new()
    Form {
        first: true,
        question: false,
    }, // 17 block
    Form {
        first: true,
        question: true,
    }, // 18 unicode receiver
    Form {
        first: true,
        question: false,
    }, // 19 if
];

/// The source of a step, its label in the model (empty for a step that calls nothing:
/// `well_formed_branch` names it after its branch), and how many `.await`s it records.
fn step_source(form: usize, label: &str, args: &[u8]) -> (String, String, usize) {
    let args: Vec<(&str, usize)> = args
        .iter()
        .map(|&i| ARGS[usize::from(i) % ARGS.len()])
        .collect();
    let list = args.iter().map(|a| a.0).collect::<Vec<_>>().join(", ");
    let awaits: usize = args.iter().map(|a| a.1).sum();
    let mac = if label.starts_with("r#") {
        "mac"
    } else {
        label
    };
    let l = label.to_owned();
    match form {
        0 => (format!("{label}({list})"), l, awaits),
        1 => (format!("client.{label}({list})"), l, awaits),
        2 => (
            format!("{label}::<Vec<u8>, HashMap<K, V>>({list})"),
            l,
            awaits,
        ),
        3 => (format!("steps::inner::{label}({list})"), l, awaits),
        4 => (
            format!("async {{ {label}({list}).await }}"),
            String::new(),
            0,
        ),
        5 => (
            format!("async move {{ let v = {label}({list}); v.await }}"),
            String::new(),
            0,
        ),
        6 => (format!("|v| {label}(v, {list})"), String::new(), 0),
        7 => ("|v: Vec<u8>| -> usize { v.len() }".into(), String::new(), 0),
        8 => (format!("async |v| {label}(v).await"), String::new(), 0),
        9 => (format!("{mac}!({list})"), String::new(), awaits),
        10 => ("x > y".into(), String::new(), 0),
        11 => ("a >> 1".into(), String::new(), 0),
        12 => (format!("({label}({list}))"), l, awaits),
        13 => (format!("&{label}({list})"), l, awaits),
        14 => (format!("steps::{label}"), l, 0),
        15 => ("Vec::<u8>::new()".into(), "new".into(), 0),
        16 => ("HashMap::<K, V>::new()".into(), "new".into(), 0),
        17 => (format!("{{ {label}({list}) }}"), String::new(), awaits),
        18 => (format!("größe.{label}({list})"), l, awaits),
        _ => (
            format!("if c {{ {label}({list}) }} else {{ g() }}"),
            String::new(),
            awaits,
        ),
    }
}

/// A name as written in source: keywords raw.
fn ident_source(text: &str) -> String {
    if syn::parse_str::<syn::Ident>(text).is_ok() {
        text.to_owned()
    } else {
        format!("r#{text}")
    }
}

fn name(text: &str) -> Name<()> {
    Name {
        text: text.to_owned(),
        at: (),
    }
}

#[allow(clippy::fn_params_excessive_bools)] // one per modifier
fn marks(optional: bool, timeout: bool, retry: bool, limit: bool) -> Marks<()> {
    Marks {
        optional: optional.then_some(()),
        timeout: timeout.then_some(()),
        retry: retry.then_some(()),
        limit: limit.then_some(()),
    }
}

fn marks_source(marks: &Marks<()>) -> String {
    let mut out = String::new();
    if marks.optional.is_some() {
        out.push_str("#[optional] ");
    }
    if marks.timeout.is_some() {
        out.push_str("#[timeout(250ms)] ");
    }
    if marks.retry.is_some() {
        out.push_str("#[retry(3, backoff = 20ms)] ");
    }
    if marks.limit.is_some() {
        out.push_str("#[limit(4)] ");
    }
    out
}

// ---------------------------------------------------------------------------------
// Well-formed workflows: the raw structure made valid, as source and expected model.
// ---------------------------------------------------------------------------------

/// A well-formed workflow: its source, the model it must give (spans erased), and the
/// source text of every step, in the model's order.
struct WellFormed {
    source: String,
    model: Workflow<()>,
    tasks: Vec<String>,
}

fn well_formed(raw: &RawWorkflow) -> WellFormed {
    let name = pick(WORKFLOW_NAMES, raw.name);
    let signature = match raw.signature % 5 {
        0 => format!("pub async fn {name}(x: u32) -> Result<u32, E>"),
        1 => format!("/// Docs.\n#[inline] pub async fn {name}<T: Clone>(x: &T) -> u32"),
        2 => format!("async fn {name}(&self, x: u32) -> impl Sized where Self: Sized"),
        3 => format!("async fn {name}()"),
        _ => format!("pub async fn {name}<'a>(x: &'a str) -> Result<&'a str, BranchError<E>>"),
    };
    let mut body = String::new();
    let mut tasks = Vec::new();
    let mut forks = Vec::new();
    for (i, fork) in raw.forks.iter().enumerate() {
        if let Some(&rust) = raw.between.get(i) {
            body.push_str(pick(RUST, rust));
            body.push('\n');
        }
        let (model, source) = well_formed_fork(fork, true, &mut tasks);
        let prefix = match (fork.spawn, model.bound) {
            (true, true) => "#[spawn] let r = ",
            (true, false) => "#[spawn] ",
            (false, true) => "let r = ",
            (false, false) => "",
        };
        let _ = writeln!(body, "{prefix}{source};");
        forks.push(model);
    }
    body.push_str("Ok(r)\n");
    WellFormed {
        source: format!("(::workflow_runtime) {signature} {{\n{body}}}"),
        model: decorated(Workflow {
            name: name.to_owned(),
            original: (),
            attributes: Attributes::default(),
            forks,
            stray_joins: Vec::new(),
        }),
        tasks,
    }
}

fn branch_can_fail(branch: &Branch<()>) -> bool {
    branch.marks.timeout.is_some()
        || branch.steps.iter().any(|step| match step {
            Step::Task(task) => task.fallible.is_some(),
            Step::Fork(fork) => fork_is_fallible(fork),
        })
}

fn branch_is_fallible(branch: &Branch<()>) -> bool {
    branch.marks.optional.is_none() && branch_can_fail(branch)
}

fn fork_is_fallible(fork: &Fork<()>) -> bool {
    !matches!(
        fork.join.as_ref().map(|j| &j.policy),
        Some(Policy::Settled(()))
    ) && fork.branches.iter().any(branch_is_fallible)
}

/// Builds a valid fork from `raw`; returns its model and source, and pushes the source
/// text of its steps to `tasks`.
fn well_formed_fork(raw: &RawFork, top: bool, tasks: &mut Vec<String>) -> (Fork<()>, String) {
    let mut raw_branches = raw.branches.clone();
    while raw_branches.len() < 2 {
        let filler = u8::try_from(raw_branches.len()).unwrap_or(0);
        raw_branches.push(RawBranch {
            name: raw.noise.wrapping_add(filler),
            guard: false,
            fan_out: false,
            background: false,
            marks: [false; 4],
            steps: vec![RawStep::Task(RawTask {
                label: filler,
                form: 0,
                args: Vec::new(),
                fallible: false,
                marks: [false; 4],
                exits: Vec::new(),
                awaited: false,
            })],
        });
    }
    let mut branches = Vec::new();
    let mut sources = Vec::new();
    let mut task_texts = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (i, raw_branch) in raw_branches.iter().enumerate() {
        let mut text = pick(NAMES, raw_branch.name).to_owned();
        if names.contains(&text) {
            text = format!("{text}_{i}");
        }
        names.push(text.clone());
        let (branch, source) = well_formed_branch(raw_branch, &text, &mut task_texts);
        branches.push(branch);
        sources.push(source);
    }
    let n = branches.len();
    let policy = match raw.policy % 16 {
        12 | 13 => Policy::Settled(()),
        14 if top => Policy::First,
        15 if top && n > 2 => Policy::Quorum {
            k: 1 + usize::from(raw.k) % (n - 1),
            at: (),
        },
        _ => Policy::All,
    };
    let racing = matches!(policy, Policy::First | Policy::Quorum { .. });
    let mut background: Vec<usize> = Vec::new();
    if !racing {
        for (i, branch) in branches.iter().enumerate() {
            let wanted = raw_branches[i].background;
            if wanted && !branch_is_fallible(branch) && background.len() + 1 < n {
                background.push(i);
            }
        }
    }
    let mut joined: Vec<usize> = (0..n).filter(|i| !background.contains(i)).collect();
    joined.sort_by_key(|&i| (raw.order[i % raw.order.len()].wrapping_mul(31), i));
    let settled = matches!(policy, Policy::Settled(()));
    let question = !settled && joined.iter().any(|&i| branch_is_fallible(&branches[i]));
    let bound = top && (raw.bound || racing);
    let join_names: Vec<Name<()>> = joined.iter().map(|&i| name(&names[i])).collect();
    let background_names: Vec<Name<()>> = background.iter().map(|&i| name(&names[i])).collect();
    let mut source = String::from("fork <\n");
    for (i, branch) in sources.iter().enumerate() {
        source.push_str(branch);
        if i + 1 < n || raw.trailing_comma {
            source.push(',');
        }
        source.push('\n');
    }
    let listed = |indices: &[usize], with_mut: bool| {
        indices
            .iter()
            .map(|&i| {
                let written = ident_source(&names[i]);
                if with_mut && raw.order[i % raw.order.len()].is_multiple_of(5) {
                    format!("mut {written}")
                } else {
                    written
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let joined_list = listed(&joined, true);
    let _ = match policy {
        Policy::All => write!(source, "> join({joined_list})"),
        Policy::Settled(()) => write!(source, "> join({joined_list}) settled"),
        Policy::First => write!(source, "> first({joined_list})"),
        Policy::Quorum { k, .. } => write!(source, "> quorum({k}, {joined_list})"),
    };
    if question {
        source.push('?');
    }
    if !background.is_empty() {
        let _ = write!(source, " background({})", listed(&background, false));
    }
    tasks.extend(task_texts);
    let fork = Fork {
        at: (),
        original: (),
        id: String::new(),
        bound,
        branches,
        join: Some(Join {
            at: (),
            original: (),
            policy,
            names: join_names,
            question: question.then_some(()),
            background: background_names,
        }),
    };
    (fork, source)
}

/// The README's naming of steps that call nothing (`step_source` left their label
/// empty): the first is the branch's name, the next ones `NAME 2`, `NAME 3`, ..., each
/// the first of these that no other step of the branch is called.
fn name_anonymous_steps(steps: &mut [Step<()>], branch: &str) {
    let mut tasks: Vec<&mut Task<()>> = steps
        .iter_mut()
        .filter_map(|step| match step {
            Step::Task(task) => Some(task),
            Step::Fork(_) => None,
        })
        .collect();
    let candidates =
        core::iter::once(branch.to_owned()).chain((2..).map(|n| format!("{branch} {n}")));
    let mut candidates = candidates.peekable();
    for i in 0..tasks.len() {
        if tasks[i].label.is_empty() {
            while tasks
                .iter()
                .any(|task| task.label == *candidates.peek().unwrap())
            {
                candidates.next();
            }
            tasks[i].label = candidates.next().unwrap();
        }
    }
}

fn well_formed_branch(
    raw: &RawBranch,
    text: &str,
    tasks: &mut Vec<String>,
) -> (Branch<()>, String) {
    let mut steps: Vec<Step<()>> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    for (i, raw_step) in raw.steps.iter().enumerate() {
        let fork_here = i == 0 || matches!(steps.last(), Some(Step::Fork(_)));
        match raw_step {
            RawStep::Fork(fork) if fork_here && !raw.fan_out => {
                let (model, source) = well_formed_fork(fork, false, tasks);
                steps.push(Step::Fork(model));
                sources.push(source);
            }
            RawStep::Fork(fork) => {
                let task = RawTask {
                    label: fork.noise,
                    form: fork.policy,
                    args: fork.order.clone(),
                    fallible: fork.bound,
                    marks: [false; 4],
                    exits: Vec::new(),
                    awaited: false,
                };
                let (model, source) = well_formed_task(&task, i == 0, raw.fan_out, tasks);
                steps.push(Step::Task(model));
                sources.push(source);
            }
            RawStep::Task(task) => {
                let (model, source) = well_formed_task(task, i == 0, raw.fan_out, tasks);
                steps.push(Step::Task(model));
                sources.push(source);
            }
        }
    }
    name_anonymous_steps(&mut steps, text);
    let [optional, timeout, _retry, limit] = raw.marks;
    let mut branch = Branch {
        name: name(text),
        original: (),
        path: String::new(),
        guard: None,
        fan_out: raw.fan_out.then_some(()),
        marks: marks(false, timeout, false, limit && raw.fan_out),
        steps,
    };
    if optional && branch_can_fail(&branch) {
        branch.marks.optional = Some(());
    }
    let fan_out = if raw.fan_out {
        "for item in items.iter() => "
    } else {
        ""
    };
    let source = format!(
        "{}{}: {fan_out}{}",
        marks_source(&branch.marks),
        ident_source(text),
        sources.join(" -> ")
    );
    (branch, source)
}

fn well_formed_task(
    raw: &RawTask,
    first: bool,
    fan_out: bool,
    tasks: &mut Vec<String>,
) -> (Task<()>, String) {
    let mut form = usize::from(raw.form) % FORMS.len();
    if (first && !FORMS[form].first) || (raw.fallible && !FORMS[form].question) {
        form = 0;
    }
    let label = pick(LABELS, raw.label);
    let (text, label, awaits) = step_source(form, label, &raw.args);
    let [_, timeout, retry, _] = raw.marks;
    let task_marks = marks(
        false,
        timeout && raw.fallible,
        retry && raw.fallible && !fan_out,
        false,
    );
    let source = format!(
        "{}{text}{}",
        marks_source(&task_marks),
        if raw.fallible { "?" } else { "" }
    );
    tasks.push(text);
    let task = Task {
        label,
        at: (),
        original: (),
        id: String::new(),
        fallible: raw.fallible.then_some(()),
        marks: task_marks,
        exits: vec![
            Exit {
                kind: ExitKind::NestedAwait,
                at: (),
            };
            awaits
        ],
    };
    (task, source)
}

// ---------------------------------------------------------------------------------
// Random graphs: the raw structure read as a model, with its mistakes.
// ---------------------------------------------------------------------------------

const EXITS: [ExitKind; 5] = [
    ExitKind::Return,
    ExitKind::Break,
    ExitKind::Continue,
    ExitKind::Try,
    ExitKind::NestedAwait,
];

fn graph(raw: &RawWorkflow) -> Workflow<()> {
    let forks: Vec<Fork<()>> = raw.forks.iter().map(|f| graph_fork(f, true)).collect();
    let mut stray_joins = Vec::new();
    for (i, fork) in forks.iter().enumerate() {
        if fork.join.is_none() && raw.stray.get(i).is_some_and(|s| s % 2 == 0) {
            stray_joins.push(StrayJoin {
                at: (),
                cut_off: Some(i),
            });
        }
    }
    let any_branch = forks.iter().any(|f| !f.branches.is_empty());
    if raw.stray.len() == 3 && any_branch {
        stray_joins.push(StrayJoin {
            at: (),
            cut_off: None,
        });
    }
    decorated(Workflow {
        name: pick(WORKFLOW_NAMES, raw.name).to_owned(),
        original: (),
        attributes: Attributes::default(),
        forks,
        stray_joins,
    })
}

fn graph_fork(raw: &RawFork, top: bool) -> Fork<()> {
    let branches: Vec<Branch<()>> = raw.branches.iter().map(graph_branch).collect();
    let n = branches.len();
    let policy = match raw.policy % 16 {
        12 => Policy::Settled(()),
        13 => Policy::First,
        14 => Policy::Quorum {
            k: usize::from(raw.k % 5),
            at: (),
        },
        _ => Policy::All,
    };
    let mut background: Vec<usize> = (0..n)
        .filter(|&i| raw.branches[i].background && !branch_is_fallible(&branches[i]))
        .collect();
    let mut joined: Vec<usize> = (0..n).filter(|i| !background.contains(i)).collect();
    joined.sort_by_key(|&i| (raw.order[i % raw.order.len()], i));
    let noise = usize::from(raw.noise);
    match raw.knob {
        13 => return fork_without_join(raw, top, branches),
        14 if !joined.is_empty() => {
            joined.remove(noise % joined.len());
        }
        15 if !joined.is_empty() => joined.push(joined[noise % joined.len()]),
        16 if !joined.is_empty() => background.push(joined[noise % joined.len()]),
        17 => joined.clear(),
        _ => {}
    }
    let mut names: Vec<Name<()>> = joined.iter().map(|&i| branches[i].name.clone()).collect();
    if raw.knob == 18 {
        names.insert(
            noise % (names.len() + 1),
            name(pick(GRAPH_NAMES, raw.noise / 7)),
        );
    }
    let settled = matches!(policy, Policy::Settled(()));
    let fallible_joined = joined.iter().any(|&i| branch_is_fallible(&branches[i]));
    let question = (!settled && fallible_joined) != raw.question_flip;
    let background = background
        .iter()
        .map(|&i| branches[i].name.clone())
        .collect();
    Fork {
        at: (),
        original: (),
        id: String::new(),
        bound: top && raw.bound,
        branches,
        join: Some(Join {
            at: (),
            original: (),
            policy,
            names,
            question: question.then_some(()),
            background,
        }),
    }
}

fn fork_without_join(raw: &RawFork, top: bool, branches: Vec<Branch<()>>) -> Fork<()> {
    Fork {
        at: (),
        original: (),
        id: String::new(),
        bound: top && raw.bound,
        branches,
        join: None,
    }
}

fn graph_branch(raw: &RawBranch) -> Branch<()> {
    let [optional, timeout, retry, limit] = raw.marks;
    Branch {
        name: name(pick(GRAPH_NAMES, raw.name)),
        original: (),
        path: String::new(),
        guard: raw.guard.then_some(()),
        fan_out: raw.fan_out.then_some(()),
        marks: marks(optional, timeout, retry, limit),
        steps: raw
            .steps
            .iter()
            .map(|step| match step {
                RawStep::Task(task) => Step::Task(graph_task(task)),
                RawStep::Fork(fork) => Step::Fork(graph_fork(fork, false)),
            })
            .collect(),
    }
}

fn graph_task(raw: &RawTask) -> Task<()> {
    let [optional, timeout, retry, limit] = raw.marks;
    let mut exits = Vec::new();
    if raw.awaited {
        for kind in [ExitKind::Await, ExitKind::NestedAwait] {
            exits.push(Exit { kind, at: () });
        }
    }
    for &e in &raw.exits {
        exits.push(Exit {
            kind: EXITS[usize::from(e) % EXITS.len()],
            at: (),
        });
    }
    Task {
        label: pick(LABELS, raw.label).to_owned(),
        at: (),
        original: (),
        id: String::new(),
        fallible: raw.fallible.then_some(()),
        marks: marks(optional, timeout, retry, limit),
        exits,
    }
}

// ---------------------------------------------------------------------------------
// The printer: any model back to source.
// ---------------------------------------------------------------------------------

/// Writes `workflow` as macro input that parses to the same model. Returns the source and
/// the source text of every step, in the model's order.
fn print(workflow: &Workflow<()>) -> (String, Vec<String>) {
    let mut printer = Printer {
        out: String::new(),
        tasks: Vec::new(),
    };
    let name = ident_source(&workflow.name);
    let _ = writeln!(
        printer.out,
        "(::workflow_runtime) async fn {name}() -> Result<(), E> {{"
    );
    for (i, fork) in workflow.forks.iter().enumerate() {
        if fork.bound {
            printer.out.push_str("let r = ");
        }
        printer.fork(fork);
        printer.out.push_str(";\n");
        if workflow.stray_joins.iter().any(|s| s.cut_off == Some(i)) {
            printer.out.push_str("join(a);\n");
        }
    }
    let some_branch = workflow
        .forks
        .iter()
        .find_map(|f| f.branches.first())
        .map(|b| ident_source(&b.name.text));
    for stray in &workflow.stray_joins {
        if stray.cut_off.is_none() {
            let joined = some_branch.as_deref().unwrap_or("a");
            let _ = writeln!(printer.out, "let _ = 0;\njoin({joined});");
        }
    }
    printer.out.push_str("Ok(())\n}\n");
    (printer.out, printer.tasks)
}

struct Printer {
    out: String,
    tasks: Vec<String>,
}

impl Printer {
    fn fork(&mut self, fork: &Fork<()>) {
        self.out.push_str("fork <\n");
        for branch in &fork.branches {
            self.branch(branch);
            self.out.push_str(",\n");
        }
        self.out.push('>');
        let Some(join) = &fork.join else {
            return;
        };
        let names = |names: &[Name<()>]| {
            names
                .iter()
                .map(|n| ident_source(&n.text))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let joined = names(&join.names);
        let _ = match join.policy {
            Policy::All => write!(self.out, " join({joined})"),
            Policy::Settled(()) => write!(self.out, " join({joined}) settled"),
            Policy::First => write!(self.out, " first({joined})"),
            Policy::Quorum { k, .. } => write!(self.out, " quorum({k}, {joined})"),
        };
        if join.question.is_some() {
            self.out.push('?');
        }
        if !join.background.is_empty() {
            let _ = write!(self.out, " background({})", names(&join.background));
        }
    }

    fn branch(&mut self, branch: &Branch<()>) {
        self.out.push_str(&marks_source(&branch.marks));
        self.out.push_str(&ident_source(&branch.name.text));
        if branch.guard.is_some() {
            self.out.push_str(" if ready");
        }
        self.out.push_str(": ");
        if branch.fan_out.is_some() {
            self.out.push_str("for item in items => ");
        }
        for (i, step) in branch.steps.iter().enumerate() {
            if i > 0 {
                self.out.push_str(" -> ");
            }
            match step {
                Step::Fork(fork) => self.fork(fork),
                Step::Task(task) => self.task(task),
            }
        }
    }

    fn task(&mut self, task: &Task<()>) {
        let awaited = matches!(
            task.exits.as_slice(),
            [
                Exit {
                    kind: ExitKind::Await,
                    ..
                },
                ..
            ]
        );
        let args: Vec<&str> = task
            .exits
            .iter()
            .skip(if awaited { 2 } else { 0 })
            .map(|exit| match exit.kind {
                ExitKind::Return => "return",
                ExitKind::Break => "break",
                ExitKind::Continue => "continue",
                ExitKind::Try => "t?",
                ExitKind::Await | ExitKind::NestedAwait => "t.await",
            })
            .collect();
        // A step named after its branch (`review 2`, or `loop` for `r#loop`) calls
        // nothing: a block around a call keeps its exits and is named so again.
        let call = format!("{}({})", task.label, args.join(", "));
        let call = if syn::parse_str::<syn::Ident>(&task.label).is_ok() {
            call
        } else {
            format!("{{ step({}) }}", args.join(", "))
        };
        let text = format!("{call}{}", if awaited { ".await" } else { "" });
        let _ = write!(
            self.out,
            "{}{text}{}",
            marks_source(&task.marks),
            if task.fallible.is_some() { "?" } else { "" }
        );
        self.tasks.push(text);
    }
}

// ---------------------------------------------------------------------------------
// Spans: erased for comparison, and checked against the tokens they name.
// ---------------------------------------------------------------------------------

fn erase(workflow: &Workflow<Span>) -> Workflow<()> {
    workflow.to_stage::<()>(|_| ())
}

/// A graph built by hand, with its paths and step ids computed as the macro does.
fn decorated(mut workflow: Workflow<()>) -> Workflow<()> {
    workflow.decorate();
    workflow
}

fn check_spans(workflow: &Workflow<Span>, tasks: &[String]) -> Result<(), String> {
    let mut spans = SpanCheck {
        tasks: tasks.iter(),
        problems: Vec::new(),
    };
    for fork in &workflow.forks {
        spans.fork(fork);
    }
    for stray in &workflow.stray_joins {
        spans.expect(stray.at, "join", "a stray join");
    }
    if spans.tasks.next().is_some() {
        spans.problems.push("fewer steps than written".to_owned());
    }
    if spans.problems.is_empty() {
        Ok(())
    } else {
        Err(spans.problems.join("\n"))
    }
}

struct SpanCheck<'t> {
    tasks: core::slice::Iter<'t, String>,
    problems: Vec<String>,
}

impl SpanCheck<'_> {
    /// `span` covers `expected`; a name's `r#` is not part of its text.
    fn expect(&mut self, span: Span, expected: &str, what: &str) {
        let text = span.source_text().unwrap_or_default();
        let unraw = match text.strip_prefix("r#") {
            Some(unraw) if what.contains("name") => unraw,
            _ => &text,
        };
        if unraw != expected {
            self.problems
                .push(format!("{what}: span of `{text}`, expected `{expected}`"));
        }
    }

    fn marks(&mut self, marks: &Marks<Span>) {
        for (at, word) in [
            (marks.optional, "optional"),
            (marks.timeout, "timeout"),
            (marks.retry, "retry"),
            (marks.limit, "limit"),
        ] {
            if let Some(at) = at {
                self.expect(at, word, "a modifier");
            }
        }
    }

    fn fork(&mut self, fork: &Fork<Span>) {
        self.expect(fork.at, "fork", "a fork");
        for branch in &fork.branches {
            self.expect(branch.name.at, &branch.name.text, "a branch name");
            if let Some(at) = branch.guard {
                self.expect(at, "if", "a guard");
            }
            if let Some(at) = branch.fan_out {
                self.expect(at, "for", "a fan-out");
            }
            self.marks(&branch.marks);
            for step in &branch.steps {
                match step {
                    Step::Fork(fork) => self.fork(fork),
                    Step::Task(task) => self.task(task),
                }
            }
        }
        if let Some(join) = &fork.join {
            let keyword = match join.policy {
                Policy::All | Policy::Settled(_) => "join",
                Policy::First => "first",
                Policy::Quorum { k, at } => {
                    self.expect(at, &k.to_string(), "a quorum's count");
                    "quorum"
                }
            };
            self.expect(join.at, keyword, "a join");
            if let Policy::Settled(at) = join.policy {
                self.expect(at, "settled", "`settled`");
            }
            for n in join.names.iter().chain(&join.background) {
                self.expect(n.at, &n.text, "a joined name");
            }
            if let Some(at) = join.question {
                self.expect(at, "?", "a join's `?`");
            }
        }
    }

    fn task(&mut self, task: &Task<Span>) {
        match self.tasks.next() {
            Some(text) => self.expect(task.at, text, "a step"),
            None => self.problems.push("more steps than written".to_owned()),
        }
        if let Some(at) = task.fallible {
            self.expect(at, "?", "a step's `?`");
        }
        self.marks(&task.marks);
        for exit in &task.exits {
            let word = match exit.kind {
                ExitKind::Return => "return",
                ExitKind::Break => "break",
                ExitKind::Continue => "continue",
                ExitKind::Try => "?",
                ExitKind::Await | ExitKind::NestedAwait => "await",
            };
            self.expect(exit.at, word, "an exit");
        }
    }
}

/// Parses `source` into its model; the parse must succeed without statement errors.
fn model_of(source: &str) -> Result<Workflow<Span>, String> {
    let input = parse::parse_input(lex(source)).map_err(|e| format!("does not parse: {e}"))?;
    if let Some(error) = input.errors.first() {
        return Err(format!("a statement does not parse: {error}"));
    }
    let cx = workflow_macros_core::diag::Ctxt::new();
    Ok(Workflow::from_ast(&input, &cx).to_stage::<Span>(|span| span))
}

// ---------------------------------------------------------------------------------
// The reference checker: the README's rules, written without the validator's code.
// ---------------------------------------------------------------------------------

mod reference {
    use super::{branch_can_fail, branch_is_fallible};
    use workflow_macros_core::model::{Branch, ExitKind, Fork, Join, Policy, Step, Workflow};

    /// Whether a workflow is balanced and unconditional, with every modifier and policy
    /// where it can work.
    pub(super) fn accepts(workflow: &Workflow<()>) -> bool {
        workflow.stray_joins.is_empty() && workflow.forks.iter().all(|f| fork(f, true))
    }

    fn distinct(names: &[&str]) -> bool {
        names
            .iter()
            .enumerate()
            .all(|(i, n)| !names[..i].contains(n))
    }

    fn fork(fork: &Fork<()>, top: bool) -> bool {
        let names: Vec<&str> = fork.branches.iter().map(|b| b.name.text.as_str()).collect();
        names.len() >= 2
            && distinct(&names)
            && fork.branches.iter().all(branch)
            && fork
                .join
                .as_ref()
                .is_some_and(|j| join(fork, j, &names, top))
    }

    fn join(fork: &Fork<()>, join: &Join<()>, branches: &[&str], top: bool) -> bool {
        let joined: Vec<&str> = join.names.iter().map(|n| n.text.as_str()).collect();
        let background: Vec<&str> = join.background.iter().map(|n| n.text.as_str()).collect();
        let listed: Vec<&str> = joined.iter().chain(&background).copied().collect();
        let every_branch_once = distinct(&listed)
            && listed.len() == branches.len()
            && listed.iter().all(|n| branches.contains(n));
        let of = |name: &&str| fork.branches.iter().find(|b| b.name.text == *name);
        let background_cannot_fail = background
            .iter()
            .filter_map(of)
            .all(|b| !branch_is_fallible(b));
        let settled = matches!(join.policy, Policy::Settled(()));
        let can_fail = !settled && joined.iter().filter_map(of).any(branch_is_fallible);
        let racing =
            |k: usize| top && fork.bound && background.is_empty() && k >= 1 && k < joined.len();
        let policy_works = match join.policy {
            Policy::All | Policy::Settled(()) => true,
            Policy::First => racing(1),
            Policy::Quorum { k, .. } => racing(k),
        };
        !joined.is_empty()
            && every_branch_once
            && background_cannot_fail
            && join.question.is_some() == can_fail
            && policy_works
    }

    fn branch(branch: &Branch<()>) -> bool {
        let marks_fit = branch.marks.retry.is_none()
            && (branch.marks.limit.is_none() || branch.fan_out.is_some())
            && (branch.marks.optional.is_none() || branch_can_fail(branch));
        let steps_fit = branch.steps.iter().enumerate().all(|(i, step)| match step {
            Step::Task(task) => {
                task.exits.iter().all(|e| e.kind == ExitKind::NestedAwait)
                    && task.marks.optional.is_none()
                    && task.marks.limit.is_none()
                    && (task.fallible.is_some()
                        || (task.marks.timeout.is_none() && task.marks.retry.is_none()))
                    && (branch.fan_out.is_none() || task.marks.retry.is_none())
            }
            Step::Fork(nested) => {
                branch.fan_out.is_none()
                    && (i == 0 || matches!(branch.steps[i - 1], Step::Fork(_)))
                    && fork(nested, false)
            }
        });
        branch.guard.is_none() && marks_fit && steps_fit
    }
}

// ---------------------------------------------------------------------------------
// Mutations.
// ---------------------------------------------------------------------------------

/// The input as units that keep their meaning when re-joined with spaces: joint
/// punctuation (`->`, `::`, `>>`, `'l`) stays together, groups are split into their
/// delimiters and contents.
fn units(stream: TokenStream, out: &mut Vec<String>) {
    let mut glue = false;
    for tt in stream {
        let text = match &tt {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    proc_macro2::Delimiter::Parenthesis => ("(", ")"),
                    proc_macro2::Delimiter::Brace => ("{", "}"),
                    proc_macro2::Delimiter::Bracket => ("[", "]"),
                    proc_macro2::Delimiter::None => ("", ""),
                };
                out.push(open.to_owned());
                units(group.stream(), out);
                out.push(close.to_owned());
                glue = false;
                continue;
            }
            TokenTree::Punct(p) => p.as_char().to_string(),
            other => other.to_string(),
        };
        match out.last_mut() {
            Some(last) if glue => last.push_str(&text),
            _ => out.push(text),
        }
        glue = matches!(&tt, TokenTree::Punct(p) if p.spacing() == Spacing::Joint);
    }
}

fn is_delimiter(unit: &str) -> bool {
    matches!(unit, "(" | ")" | "{" | "}" | "[" | "]")
}

fn is_ident(unit: &str) -> bool {
    syn::parse_str::<syn::Ident>(unit).is_ok() || unit.starts_with("r#")
}

/// Whole units inserted by mutations: the grammar's punctuation and keywords, modifiers
/// that cannot work, and pieces of forks and joins.
const INSERTS: &[&str] = &[
    "<",
    ">",
    ",",
    "?",
    ":",
    ";",
    "->",
    "=>",
    "::",
    ">>",
    "<=",
    "fork",
    "join",
    "first",
    "quorum(2, a)",
    "background(a)",
    "settled",
    "if",
    "return",
    "break",
    "x?",
    "x.await",
    ".await",
    "#[optional]",
    "#[timeout(0ms)]",
    "#[timeout]",
    "#[retry(0)]",
    "#[limit(0)]",
    "#[spawn]",
    "#[unknown]",
    "fork <",
    "> join(a, b)",
    "fork < > join()",
    "let r =",
    "for i in v =>",
    "mut",
    "a:",
    "{}",
    "()",
    "|x|",
    "async",
    "'l",
];

const UNICODE: &[&str] = &[
    "naïve",
    "データ",
    "größe",
    "ñ",
    "Ωmega",
    "변수",
    "r#type",
    "ǅ",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Drops a unit (not a delimiter, so that the input still lexes).
    Drop(Index),
    /// Inserts one of `INSERTS`.
    Insert(Index, Index),
    /// Swaps two identifiers (branch names, joined names, labels).
    Swap(Index, Index),
    /// Puts a condition on a branch: `name if cond:`.
    Guard(Index),
    /// Drops a `<` or `>`: an unbalanced fork.
    Unbalance(Index),
    /// Replaces an identifier with a unicode one.
    Unicode(Index, Index),
    /// Copies a run of units elsewhere.
    Duplicate(Index, Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<Index>().prop_map(Mutation::Drop),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Insert(a, b)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        1 => any::<Index>().prop_map(Mutation::Guard),
        2 => any::<Index>().prop_map(Mutation::Unbalance),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Unicode(a, b)),
        1 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(a, b, c)| Mutation::Duplicate(a, b, c)),
    ]
}

/// The `index`-th of the units for which `keep` holds, if any.
fn nth_where(units: &[String], index: Index, keep: impl Fn(usize) -> bool) -> Option<usize> {
    let candidates: Vec<usize> = (0..units.len()).filter(|&i| keep(i)).collect();
    (!candidates.is_empty()).then(|| candidates[index.index(candidates.len())])
}

fn mutate(units: &mut Vec<String>, mutation: &Mutation) {
    if units.is_empty() {
        return;
    }
    let len = units.len();
    match mutation {
        Mutation::Drop(at) => {
            if let Some(i) = nth_where(units, *at, |i| !is_delimiter(&units[i])) {
                units.remove(i);
            }
        }
        Mutation::Insert(at, what) => {
            units.insert(
                at.index(len + 1),
                INSERTS[what.index(INSERTS.len())].to_owned(),
            );
        }
        Mutation::Swap(a, b) => {
            let a = nth_where(units, *a, |i| is_ident(&units[i]));
            let b = nth_where(units, *b, |i| is_ident(&units[i]));
            if let (Some(a), Some(b)) = (a, b) {
                units.swap(a, b);
            }
        }
        Mutation::Guard(at) => {
            let named =
                |i: usize| is_ident(&units[i]) && units.get(i + 1).is_some_and(|u| u == ":");
            if let Some(i) = nth_where(units, *at, named) {
                units.insert(i + 1, "if ready".to_owned());
            }
        }
        Mutation::Unbalance(at) => {
            if let Some(i) = nth_where(units, *at, |i| units[i] == "<" || units[i] == ">") {
                units.remove(i);
            }
        }
        Mutation::Unicode(at, which) => {
            if let Some(i) = nth_where(units, *at, |i| is_ident(&units[i])) {
                UNICODE[which.index(UNICODE.len())].clone_into(&mut units[i]);
            }
        }
        Mutation::Duplicate(from, count, to) => {
            let start = from.index(len);
            let end = (start + 1 + count.index(8)).min(len);
            let run: Vec<String> = units[start..end].to_vec();
            if run.iter().any(|u| is_delimiter(u)) {
                return;
            }
            let at = to.index(len + 1);
            units.splice(at..at, run);
        }
    }
}

/// A workflow whose fork is nested `depth` levels deep in the first branch of its parent.
fn deep_source(depth: usize) -> String {
    let mut fork = "fork < a: leaf(0)?, b: leaf(1) > join(a, b)?".to_owned();
    for level in 1..depth {
        fork = format!(
            "fork < a: {fork} -> |p, q| merge(p, q, {level}), b: leaf({level}) > join(b, a)?"
        );
    }
    format!(
        "(::workflow_runtime) async fn deep() -> Result<u32, BranchError<E>> {{\n{fork};\nOk(a + b)\n}}"
    )
}

/// A workflow with one fork of `width` branches.
fn wide_source(width: usize) -> String {
    let branches: Vec<String> = (0..width).map(|i| format!("b{i}: leaf({i})")).collect();
    let names: Vec<String> = (0..width).map(|i| format!("b{i}")).collect();
    format!(
        "(::workflow_runtime) async fn wide() {{\nfork <\n{},\n> join({});\n}}",
        branches.join(",\n"),
        names.join(", ")
    )
}

fn deep_depth(workflow: &Workflow<Span>) -> usize {
    fn depth(fork: &Fork<Span>) -> usize {
        1 + fork
            .branches
            .iter()
            .flat_map(|b| &b.steps)
            .map(|s| match s {
                Step::Fork(f) => depth(f),
                Step::Task(_) => 0,
            })
            .max()
            .unwrap_or(0)
    }
    workflow.forks.iter().map(depth).max().unwrap_or(0)
}

/// Applies `mutations` to `source` and checks the result; an input that no longer lexes
/// (a delimiter was duplicated away) is skipped, as rustc never passes one to a macro.
fn check_mutated(source: &str, mutations: &[Mutation]) -> Result<Verdict, TestCaseError> {
    let mut list = Vec::new();
    units(lex(source), &mut list);
    for mutation in mutations {
        mutate(&mut list, mutation);
    }
    let text = list.join(" ");
    proc_macro2::extra::invalidate_current_thread_spans();
    std::panic::catch_unwind(|| fuzz_check::check_source(&text, false).verdict).map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(ToString::to_string))
            .unwrap_or_default();
        TestCaseError::fail(format!("{message}\non input:\n{text}"))
    })
}

// ---------------------------------------------------------------------------------
// The properties.
// ---------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(3_000))]

    /// Well-formed workflows are accepted, give the intended model with every span on its
    /// token, expand to a Rust item, and round-trip through the printer.
    #[test]
    fn accept_well_formed_workflows_and_round_trip_their_model(raw in raw_workflow()) {
        let expected = well_formed(&raw);
        // The expansion is parsed as Rust in one case out of eight: syn's parse of the
        // generated function costs more than the rest of the case.
        let checked = fuzz_check::check_tokens(&lex(&expected.source), raw.name % 8 == 0);
        prop_assert_eq!(checked.verdict, Verdict::Accepted, "{}", expected.source);
        let parsed = checked.model.expect("an accepted input has a model");
        prop_assert_eq!(&erase(&parsed), &expected.model, "{}", expected.source);
        check_spans(&parsed, &expected.tasks).map_err(|e| TestCaseError::fail(format!("{e}\n{}", expected.source)))?;

        let (printed, tasks) = print(&expected.model);
        let again = model_of(&printed).map_err(|e| TestCaseError::fail(format!("{e}\n{printed}")))?;
        prop_assert_eq!(&erase(&again), &expected.model, "{}", printed);
        check_spans(&again, &tasks).map_err(|e| TestCaseError::fail(format!("{e}\n{printed}")))?;
    }
}

proptest! {
    #![proptest_config(config(3_000))]

    /// Any graph round-trips through the printer; the validator accepts it exactly when
    /// the reference checker does, with or without spans; the whole macro agrees.
    #[test]
    fn validate_graphs_as_the_reference_checker_does(raw in raw_workflow()) {
        let graph = graph(&raw);
        let (source, tasks) = print(&graph);
        let checked = fuzz_check::check_tokens(&lex(&source), false);
        prop_assert_eq!(checked.statement_errors, 0, "{}", source);
        let parsed = checked.model.ok_or_else(|| TestCaseError::fail(format!("does not parse:\n{source}")))?;
        prop_assert_eq!(&erase(&parsed), &graph, "{}", source);
        check_spans(&parsed, &tasks).map_err(|e| TestCaseError::fail(format!("{e}\n{source}")))?;

        let problems: Vec<String> = validate(&graph).into_iter().map(|p| p.message).collect();
        let accepted = reference::accepts(&graph);
        prop_assert_eq!(problems.is_empty(), accepted, "validator {:?}, reference accepts: {}\n{}", problems, accepted, source);
        let with_spans: Vec<String> = validate(&parsed).into_iter().map(|p| p.message).collect();
        prop_assert_eq!(&with_spans, &problems);
        prop_assert_eq!(checked.verdict == Verdict::Accepted, accepted, "{:?}\n{}", checked.verdict, source);
    }
}

proptest! {
    #![proptest_config(config(4_000))]

    /// Mutated workflows parse or give errors on their own tokens; nothing panics.
    #[test]
    fn survive_random_mutations_of_well_formed_workflows(
        raw in raw_workflow(),
        mutations in prop::collection::vec(mutation(), 1..=4),
    ) {
        let source = well_formed(&raw).source;
        check_mutated(&source, &mutations)?;
    }
}

/// Runs `check` on a thread with `stack` bytes of stack, as the macro runs on rustc's
/// thread (8 MiB).
fn on_stack(stack: usize, check: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new()
        .name("front-end".to_owned())
        .stack_size(stack)
        .spawn(check)
        .expect("a test thread");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}

/// Half of the 8 MiB stack rustc runs proc macros on. A debug build of the front end
/// takes about 24 KiB per level of fork nesting, 1.6 MiB at 64 levels.
const HALF_OF_RUSTCS_STACK: usize = 4 << 20;

/// Forks nested up to 64 levels deep are accepted with half of rustc's stack, and so are
/// mutations of them.
#[test]
fn survive_forks_nested_64_levels_deep() {
    on_stack(HALF_OF_RUSTCS_STACK, || {
        let strategy = (1..=64_usize, prop::collection::vec(mutation(), 0..=3));
        let mut runner = proptest::test_runner::TestRunner::new(config(100));
        let outcome = runner.run(&strategy, |(depth, mutations)| {
            let source = deep_source(depth);
            let parsed = model_of(&source).map_err(TestCaseError::fail)?;
            prop_assert_eq!(deep_depth(&parsed), depth);
            prop_assert!(validate(&parsed).is_empty());
            check_mutated(&source, &mutations)?;
            Ok(())
        });
        if let Err(failure) = outcome {
            panic!("{failure}");
        }
    });
}

proptest! {
    #![proptest_config(config(20))]

    /// A fork of up to 1,000 branches is accepted, and so are mutations of it.
    #[test]
    fn survive_forks_of_a_thousand_branches(
        width in prop_oneof![Just(1_000_usize), 2..1_000_usize],
        mutations in prop::collection::vec(mutation(), 1..=3),
    ) {
        let source = wide_source(width);
        let parsed = model_of(&source).map_err(TestCaseError::fail)?;
        prop_assert_eq!(parsed.forks[0].branches.len(), width);
        prop_assert!(validate(&parsed).is_empty());
        check_mutated(&source, &mutations)?;
    }
}

#[test]
fn accept_a_fork_nested_64_levels_deep_and_one_of_a_thousand_branches() {
    on_stack(HALF_OF_RUSTCS_STACK, || {
        assert_eq!(
            fuzz_check::check_source(&deep_source(64), true).verdict,
            Verdict::Accepted
        );
        assert_eq!(
            fuzz_check::check_source(&wide_source(1_000), true).verdict,
            Verdict::Accepted
        );
    });
}

/// Every input the fuzzer kept (`fuzz/corpus/parser`) still keeps the promises of
/// `fuzz_check`: a crash found once stays fixed.
#[test]
fn replay_the_fuzz_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/parser");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("the fuzz corpus is checked in") {
        let path = entry.expect("a corpus entry").path();
        let bytes = std::fs::read(&path).expect("a corpus file");
        if let Ok(text) = std::str::from_utf8(&bytes) {
            proc_macro2::extra::invalidate_current_thread_spans();
            fuzz_check::check_text(text);
        }
        replayed += 1;
    }
    assert!(
        replayed >= 20,
        "only {replayed} corpus inputs in {}",
        dir.display()
    );
}

/// `source` with `mutations` applied, as text.
fn mutated(source: &str, mutations: &[Mutation]) -> String {
    let mut list = Vec::new();
    units(lex(source), &mut list);
    for mutation in mutations {
        mutate(&mut list, mutation);
    }
    list.join(" ")
}

/// The message of every `compile_error!` in `tokens`, at any depth.
fn error_messages(tokens: TokenStream, out: &mut Vec<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tt) in tokens.iter().enumerate() {
        match tt {
            TokenTree::Ident(ident) if ident == "compile_error" => {
                if let Some(TokenTree::Group(args)) = tokens.get(i + 2)
                    && let Ok(message) = syn::parse2::<syn::LitStr>(args.stream())
                {
                    out.push(message.value());
                }
            }
            TokenTree::Group(group) => error_messages(group.stream(), out),
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(config(1_020))]

    /// Every error the macro writes on a mutated workflow, syn's included, has a `help:`
    /// line that says what to write instead: the errors without one are counted, and
    /// there must be none.
    #[test]
    fn give_every_error_a_help_line(
        raw in raw_workflow(),
        mutations in prop::collection::vec(mutation(), 1..=4),
    ) {
        let text = mutated(&well_formed(&raw).source, &mutations);
        proc_macro2::extra::invalidate_current_thread_spans();
        let Ok(tokens) = TokenStream::from_str(&text) else {
            return Ok(());
        };
        let mut messages = Vec::new();
        error_messages(workflow_macros_core::expand::workflow(tokens), &mut messages);
        let without: Vec<&String> = messages
            .iter()
            .filter(|m| !m.contains("\n= help: ") && !text.contains(m.as_str()))
            .collect();
        prop_assert_eq!(without.len(), 0, "errors without a help line: {:?}\non input:\n{}", without, text);
    }
}

/// The stack rustc runs a proc macro on: its main thread's, 8 MiB.
const RUSTCS_STACK: usize = 8 << 20;

/// The body of a workflow whose second branch's step is `step`.
fn with_step(step: &str) -> String {
    format!(
        "(::workflow_runtime) async fn deep(id: u32) -> u32 {{\nfork < a: fetch(id), b: {step} > join(a, b);\na + b\n}}"
    )
}

/// About 400 nested forks overflowed rustc's stack inside the macro. 10,000 get one
/// error, on the first `fork` past the limit, saying the limit; so do 10,000 nested
/// `async` blocks, parentheses or generic arguments in a step, which syn would parse by
/// recursion. On rustc's 8 MiB stack, in the build the tests run (debug: the proc macro
/// is built so too).
#[test]
fn refuse_nesting_past_the_limits_on_rustcs_stack() {
    on_stack(RUSTCS_STACK, || {
        let deep = deep_source(10_000);
        let checked = fuzz_check::check_source(&deep, false);
        assert_eq!(checked.verdict, Verdict::Rejected(1));
        let input = parse::parse_input(lex(&deep)).expect("the signature parses");
        assert_eq!(input.errors.len(), 1);
        let error = &input.errors[0];
        let message = error.to_string();
        assert!(
            message.starts_with(&format!(
                "this fork is nested {} levels deep, past the limit of {MAX_FORK_DEPTH}",
                MAX_FORK_DEPTH + 1
            )),
            "{message}"
        );
        assert!(message.contains("workflow of its own"), "{message}");
        assert_eq!(error.span().source_text().as_deref(), Some("fork"));
        // The deepest fork allowed is accepted, on the same stack.
        assert_eq!(
            fuzz_check::check_source(&deep_source(MAX_FORK_DEPTH), false).verdict,
            Verdict::Accepted
        );

        let n = 10_000;
        for step in [
            format!("{}1{}", "async { ".repeat(n), " }".repeat(n)),
            format!("{}1{}", "(".repeat(n), ")".repeat(n)),
            format!("f::<{}u8{}>()", "Vec<".repeat(n), ">".repeat(n)),
            format!("f::<{}u8{}>()", "Vec<(".repeat(n), ")>".repeat(n)),
        ] {
            let source = with_step(&step);
            assert_eq!(
                fuzz_check::check_source(&source, false).verdict,
                Verdict::Rejected(1)
            );
            let input = parse::parse_input(lex(&source)).expect("the signature parses");
            let message = input.errors[0].to_string();
            assert!(
                message.starts_with(&format!(
                    "this is nested more than {MAX_NESTING} levels deep"
                )),
                "{message}"
            );
        }
        // Up to the limit, syn reads the step.
        let inside = MAX_NESTING - 1;
        let step = format!("{}1{}", "async { ".repeat(inside), " }".repeat(inside));
        assert_eq!(
            fuzz_check::check_source(&with_step(&step), false).verdict,
            Verdict::Accepted
        );
        // Too deep a signature is refused too.
        let source = format!(
            "(::workflow_runtime) async fn deep() -> {}u8{} {{ }}",
            "Vec<".repeat(n),
            ">".repeat(n)
        );
        assert_eq!(
            fuzz_check::check_source(&source, false).verdict,
            Verdict::NotParsed
        );
    });
}

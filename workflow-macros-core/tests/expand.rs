//! Expansion snapshots: what every user compiles, one construct per file.
//!
//! Each `tests/expand/NAME.rs` holds a workflow fn as a user writes it inside
//! `workflow_runtime::workflow! { .. }`. This test lexes the file's text with `proc_macro2`
//! (so every span has the file's own line and column), puts `(::workflow_runtime)` before
//! it as `workflow!` does with `$crate`, runs [`expand::workflow`], prints the result and
//! compares it with `tests/expand/NAME.expanded.rs`.
//!
//! Printing takes two formatters. `prettyplease` lays out the whole file, but prints the
//! arguments of a macro it does not know (`join!`, `try_join!`, `pin!`: most of what a
//! workflow expands to) as a flow of tokens. `rustfmt` then formats those arguments as
//! the expressions they are, as it does in hand-written code; whatever it cannot format
//! it leaves as it was, so nothing is ever left as one long line of tokens. rustfmt comes
//! with the toolchain (CI runs `cargo fmt`), and reads only `tests/expand/rustfmt.toml`
//! (120 columns: the generated paths are long, and rustfmt leaves alone a statement it
//! cannot fit in its width).
//!
//! A missing, stale or orphaned snapshot fails the test with a diff. To accept the new
//! expansions, run `UPDATE_EXPAND=1 cargo test -p workflow-macros-core --test expand` and
//! read `git diff` as a reviewer would.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use proc_macro2::TokenStream;
use workflow_macros_core::expand;

/// Set (to anything but `0` or empty) to write the snapshots instead of comparing.
const UPDATE: &str = "UPDATE_EXPAND";

/// The inputs and snapshots, in the crate's folder.
const DIR: &str = "tests/expand";

const EXPANDED: &str = ".expanded.rs";

/// The most diff lines printed for one file: the rest is in `git diff` after an update.
const MAX_DIFF_LINES: usize = 120;

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR)
}

/// `path` as a reader finds it from the workspace's root.
fn shown(path: &Path) -> String {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let relative = path.strip_prefix(crate_dir).unwrap_or(path);
    format!("workflow-macros-core/{}", relative.display())
}

fn updating() -> bool {
    std::env::var_os(UPDATE).is_some_and(|value| !value.is_empty() && value != "0")
}

/// The inputs (`NAME.rs`) and the snapshots (`NAME.expanded.rs`), each sorted by name.
fn list(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut inputs = Vec::new();
    let mut snapshots = Vec::new();
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", shown(dir))) {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(EXPANDED) {
            snapshots.push(path);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            inputs.push(path);
        }
    }
    inputs.sort();
    snapshots.sort();
    (inputs, snapshots)
}

fn snapshot_of(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a UTF-8 name");
    input.with_file_name(format!("{stem}{EXPANDED}"))
}

/// The expansion of one input file, pretty-printed.
fn expand_file(input: &Path) -> String {
    let text = fs::read_to_string(input).unwrap_or_else(|e| panic!("{}: {e}", shown(input)));
    let workflow: TokenStream = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: not Rust tokens: {e}", shown(input)));
    // The runtime's path is lexed on its own, so the file's tokens keep their locations.
    let mut tokens: TokenStream = "(::workflow_runtime)".parse().expect("a path");
    tokens.extend(workflow);
    let expanded = expand::workflow(tokens);
    let mut file = syn::parse2::<syn::File>(expanded.clone()).unwrap_or_else(|e| {
        panic!(
            "{}: the expansion is not a Rust file ({e}):\n{expanded}",
            shown(input)
        )
    });
    open_gates(&mut file, input);
    rustfmt(&prettyplease::unparse(&file), input)
}

/// Writes the items behind each of the runtime's feature gates in their place, as the
/// gates do when their features are on (`durable_gate! { items }`, `traced_gate! {
/// { items } { stub } }`, `tokio_gate! { "#[timeout]" { items } { stub } }`), so the
/// snapshot shows the items themselves.
fn open_gates(file: &mut syn::File, input: &Path) {
    let items = std::mem::take(&mut file.items);
    for item in items {
        let syn::Item::Macro(gate) = &item else {
            file.items.push(item);
            continue;
        };
        let name = gate
            .mac
            .path
            .segments
            .last()
            .map(|last| last.ident.to_string());
        let tokens = match name.as_deref() {
            Some("durable_gate") => gate.mac.tokens.clone(),
            Some("traced_gate" | "tokio_gate") => gate
                .mac
                .tokens
                .clone()
                .into_iter()
                .find_map(|tree| match tree {
                    proc_macro2::TokenTree::Group(group) => Some(group.stream()),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("{}: a feature gate without its items", shown(input))),
            _ => {
                file.items.push(item);
                continue;
            }
        };
        let mut inner = syn::parse2::<syn::File>(tokens).unwrap_or_else(|e| {
            panic!(
                "{}: a feature gate's items do not parse ({e})",
                shown(input)
            )
        });
        open_gates(&mut inner, input);
        file.items.extend(inner.items);
    }
}

/// `text` formatted by the toolchain's `rustfmt` with `tests/expand/rustfmt.toml`.
fn rustfmt(text: &str, input: &Path) -> String {
    let config = snapshot_dir().join("rustfmt.toml");
    // `RUSTFMT` names another rustfmt, as it does for `cargo fmt`.
    let program = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let mut child = Command::new(program)
        .arg("--emit=stdout")
        .arg("--config-path")
        .arg(&config)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run rustfmt ({e}): the snapshots need it (`rustup component add rustfmt`)"
            )
        });
    let mut stdin = child.stdin.take().expect("a piped stdin");
    // Written from another thread: rustfmt may fill its stdout pipe before it has read all.
    let text = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child.wait_with_output().expect("rustfmt ran");
    let written = writer.join().expect("the writer thread");
    assert!(
        output.status.success(),
        "{}: rustfmt failed on the expansion: {}",
        shown(input),
        String::from_utf8_lossy(&output.stderr)
    );
    written.expect("rustfmt read its input");
    String::from_utf8(output.stdout).expect("rustfmt prints UTF-8")
}

#[test]
fn every_expansion_equals_its_snapshot() {
    let dir = snapshot_dir();
    let (inputs, snapshots) = list(&dir);
    assert!(!inputs.is_empty(), "{}: no input", shown(&dir));
    let update = updating();
    let mut failures = String::new();
    let mut written = Vec::new();

    for input in &inputs {
        let snapshot = snapshot_of(input);
        let actual = expand_file(input);
        let expected = fs::read_to_string(&snapshot).ok();
        if expected.as_deref() == Some(actual.as_str()) {
            continue;
        }
        if update {
            fs::write(&snapshot, &actual).unwrap_or_else(|e| panic!("{}: {e}", shown(&snapshot)));
            written.push(snapshot);
            continue;
        }
        match expected {
            None => writeln!(
                failures,
                "\n{} is missing: the expansion of {} has no snapshot",
                shown(&snapshot),
                shown(input),
            ),
            Some(expected) => writeln!(
                failures,
                "\n{} is stale: the expansion of {} differs (- snapshot, + expansion):\n{}",
                shown(&snapshot),
                shown(input),
                diff(&expected, &actual),
            ),
        }
        .expect("writing to a String");
    }

    for snapshot in &snapshots {
        let name = snapshot.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let input = snapshot.with_file_name(name.replace(EXPANDED, ".rs"));
        if inputs.contains(&input) {
            continue;
        }
        if update {
            fs::remove_file(snapshot).unwrap_or_else(|e| panic!("{}: {e}", shown(snapshot)));
            eprintln!("removed {}: its input is gone", shown(snapshot));
        } else {
            writeln!(
                failures,
                "\n{} has no input: {} is gone",
                shown(snapshot),
                shown(&input)
            )
            .expect("writing to a String");
        }
    }

    for snapshot in &written {
        eprintln!("wrote {}", shown(snapshot));
    }
    assert!(
        failures.is_empty(),
        "{failures}\nIf the new expansions are intended, run\n    \
         {UPDATE}=1 cargo test -p workflow-macros-core --test expand\n\
         and read `git diff {}` before committing.",
        shown(&dir)
    );
}

/// A line diff (`-` only in `old`, `+` only in `new`) with two lines of context around
/// each change, from a longest common subsequence: the files are a few hundred lines.
fn diff(old: &str, new: &str) -> String {
    const CONTEXT: usize = 2;
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    // common[i][j]: the length of the longest common subsequence of old[i..] and new[j..].
    let mut common = vec![vec![0_usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    // Each line as (kind, old line number, text), kind ' ', '-' or '+'.
    let mut lines = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            lines.push((' ', i + 1, old[i]));
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || common[i + 1][j] >= common[i][j + 1]) {
            lines.push(('-', i + 1, old[i]));
            i += 1;
        } else {
            lines.push(('+', i + 1, new[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = (0..lines.len()).filter(|&k| lines[k].0 != ' ').collect();
    let mut out = String::new();
    let mut printed = 0;
    let mut next = 0; // the first line not printed yet
    for &k in &changed {
        let from = k.saturating_sub(CONTEXT).max(next);
        let to = (k + CONTEXT + 1).min(lines.len());
        if from > next || next == 0 {
            writeln!(out, "@@ line {} of the snapshot", lines[from].1).expect("a String");
        }
        for &(kind, _, text) in &lines[from..to] {
            if printed == MAX_DIFF_LINES {
                writeln!(out, "... (more differences)").expect("a String");
                return out;
            }
            writeln!(out, "{kind} {text}").expect("a String");
            printed += 1;
        }
        next = to;
    }
    out
}

#!/usr/bin/env python3
"""Generates the scratch crates of tools/compile-time/run.sh (see README.md).

gen.py OUT_DIR REPO VARIANT:N [VARIANT:N ...]

Wide forks (question A), N branches `leaf(i)`:
  wf        workflow! { fork < b0: leaf(0), .. > join(b0, ..); }      (the macro as it is)
  hand      let (b0, ..) = futures::join!(leaf(0), ..);
  exp       the macro's expansion pasted as plain code (no proc macro run)
  nograph   exp without the NAME_GRAPH const
  graph     hand + the NAME_GRAPH const alone
  tree8     join! of <= 8 items, nested in async blocks, outputs bound by a nested pattern
  tree32    the same with <= 32
  fj5       a tree of futures::future::join5/join4/join3/join (no macro, no async block)
  prop      the proposed expansion: the NAME_GRAPH const + the fj5 tree of the macro's own
            branch futures (`IntoFuture::into_future(leaf(i))`; with _try the macro's
            async block per fallible branch, as it is generated today)
The same with a `_try` suffix: fallible steps (`leaf(i)?`, try_join!, try_join5).
Deep nesting (question B), depth N, two branches per level:
  nestwf    workflow! fork whose branch `n` is a fork .. N levels deep
  nesthand  futures::join!(leaf, async { futures::join!(leaf, async { .. }) })
  nesttry   the same with try_join! and fallible leaves
  nestfj    the same with futures::future::join (the proposed combinator shape)
  nestwftry nestwf with fallible steps and joins (`leaf_try(d)?`, `join(..)?`)
  nestexp   nestwf's expansion pasted as plain code
  prop2_try the proposed fallible shape: as prop_try, but a one-step fallible branch is a
            call of a runtime combinator (`fallible_branch(path, step)`, written here in the
            crate as the runtime would have it) instead of an async block
A `_rl256` suffix adds `#![recursion_limit = "256"]`.
Many small workflows (the cost of `#[traced]`), N workflows, the j-th a fork of 3 + j % 3
branches, its last branch of two steps (`leaf(i) -> add`) and, every fourth, a fallible one
(`leaf_try(i)?` joined by `join(..)?`); `main` runs them all:
  many      the workflows as they are
  manytr    the same, each `#[traced]` (the runtime's `tracing` feature is on for both)
  manyhand  the hand-written `futures::join!`/`try_join!` of the same steps
Each crate has `const EDIT: u64 = 0;`, which the first workflow's first step reads:
run.sh's edit modes change it (one edit of one workflow, then an incremental build).
Inputs for ct-expand (`gen.py --input VARIANT N`): wf, wf_try, nestwf, seq (N forks of
two branches one after the other in one body).
"""
import os
import subprocess
import sys

if sys.argv[1] == "--input":
    # gen.py --input VARIANT N: prints the macro's input (for ct-expand), wf[_try] or nestwf.
    OUT = REPO = ""
else:
    OUT, REPO = sys.argv[1], sys.argv[2]
EXPAND = os.path.join(REPO, "tools/compile-time/expand/target/release/ct-expand")

PRELUDE = """#![allow(unused, clippy::all)]
#[derive(Debug)]
pub struct Error;
async fn leaf(i: u64) -> u64 { i }
async fn leaf_try(i: u64) -> Result<u64, Error> { if i == u64::MAX { Err(Error) } else { Ok(i) } }
fn main() { println!("{:?}", futures::executor::block_on(w())); }
"""


def names(n):
    return [f"b{i}" for i in range(n)]


def tail(n, fallible):
    s = f"let outs: [u64; {n}] = [{', '.join(names(n))}]; let s: u64 = outs.iter().sum();"
    return s + (" Ok(s)" if fallible else " s")


def leaf(i, fallible):
    return f"leaf_try({i})" if fallible else f"leaf({i})"


def wf_source(n, fallible):
    steps = ", ".join(f"b{i}: {leaf(i, fallible)}{'?' if fallible else ''}" for i in range(n))
    ret = "Result<u64, workflow_runtime::BranchError<Error>>" if fallible else "u64"
    q = "?" if fallible else ""
    return f"async fn w() -> {ret} {{ fork < {steps} > join({', '.join(names(n))}){q}; {tail(n, fallible)} }}"


def expansion(source):
    path = os.path.join(OUT, "input.txt")
    with open(path, "w") as f:
        f.write("(::workflow_runtime) " + source)
    return subprocess.run([EXPAND, path, "--print"], check=True, capture_output=True, text=True).stdout


def tree(items, pats, k, fallible, runtime):
    """Groups `items` (expressions) k at a time until at most k are left; returns the
    top-level expression (awaited) and its pattern."""
    mac = "futures::try_join!" if fallible else "futures::join!"
    while len(items) > k:
        ni, np = [], []
        for s in range(0, len(items), k):
            group, gp = items[s:s + k], pats[s:s + k]
            if len(group) == 1:
                ni.append(group[0]); np.append(gp[0]); continue
            if runtime:
                ni.append(join5_call(group, fallible))
            else:
                ni.append(f"async {{ {mac}({', '.join(group)}) }}")
            np.append(f"({', '.join(gp)},)")
        items, pats = ni, np
    pat = f"({', '.join(pats)},)"
    q = "?" if fallible else ""
    if runtime:
        return f"let {pat} = {join5_call(items, fallible)}.await{q};"
    return f"let {pat} = {mac}({', '.join(items)}){q};"


K = "::workflow_runtime::__private"


def macro_leaf(i, fallible):
    if not fallible:
        return f"{K}::IntoFuture::into_future(leaf({i}))"
    return f"""async {{
    let output = {{ let future = {K}::IntoFuture::into_future(leaf_try({i})); future }}.await;
    let value = match {K}::fallible(output) {{
        {K}::Ok(ok) => ok,
        {K}::Err(error) => {{ return {K}::Err({K}::BranchError::new("b{i}", error)); }}
    }};
    {K}::Ok(value)
}}"""


FALLIBLE_BRANCH = f"""
/// What `{K}::fallible_branch` would be: a one-step branch `step?` of a fallible fork.
fn fallible_branch<F: {K}::IntoFuture, T, E>(path: &'static str, step: F)
    -> impl {K}::Future<Output = {K}::Result<T, {K}::BranchError<E>>>
where F::Output: {K}::Fallible<T, E> {{
    {K}::FutureExt::map({K}::fallible_item(step), move |r| r.map_err(|e| {K}::BranchError::new(path, e)))
}}
"""


def prop2(n):
    graph = expansion(wf_source(n, True))
    graph = graph[:graph.index("async fn w")]
    items = [f'fallible_branch("b{i}", leaf_try({i}))' for i in range(n)]
    stmt = tree(items, names(n), 5, True, runtime=True)
    ret = "Result<u64, workflow_runtime::BranchError<Error>>"
    return f"{FALLIBLE_BRANCH}{graph}\nasync fn w() -> {ret} {{\n{stmt}\n{tail(n, True)} }}"


def prop(n, fallible):
    graph = expansion(wf_source(n, fallible))
    graph = graph[:graph.index("async fn w")]
    ret = "Result<u64, workflow_runtime::BranchError<Error>>" if fallible else "u64"
    items = [macro_leaf(i, fallible) for i in range(n)]
    stmt = tree(items, names(n), 5, fallible, runtime=True)
    return f"{graph}\nasync fn w() -> {ret} {{\n{stmt}\n{tail(n, fallible)} }}"


def join5_call(group, fallible):
    f = {1: None, 2: "join", 3: "join3", 4: "join4", 5: "join5"}[len(group)]
    if fallible:
        f = "try_" + f
    if f is None:
        return group[0]
    return f"futures::future::{f}({', '.join(group)})"


def hand(n, fallible, k=None, runtime=False):
    ret = "Result<u64, Error>" if fallible else "u64"
    items = [leaf(i, fallible) for i in range(n)]
    stmt = tree(items, names(n), k or n, fallible, runtime)
    return f"async fn w() -> {ret} {{ {stmt} {tail(n, fallible)} }}"


def nest_hand(depth, fallible, fj=False):
    mac = "futures::try_join!" if fallible else "futures::join!"
    q = "?" if fallible else ""
    body = f"{leaf(depth, fallible)}"
    for d in range(depth - 1, -1, -1):
        joined = f"futures::future::join({leaf(d, fallible)}, {body}).await" if fj else f"{mac}({leaf(d, fallible)}, {body})"
        inner = f"async {{ let (a, b) = {joined}{q}; {'Ok(a + b)' if fallible else 'a + b'} }}"
        body = inner
    ret = "Result<u64, Error>" if fallible else "u64"
    return f"async fn w() -> {ret} {{ {body}.await }}"


def nest_wf(depth):
    # level d: fork < a: leaf(d), n: <level d+1> > join(a, n) -> |(a, n)| ...
    inner = f"leaf({depth})"
    for d in range(depth - 1, 0, -1):
        inner = f"fork < a{d}: leaf({d}), n{d}: {inner} > join(a{d}, n{d}) -> add"
    return f"async fn w() -> u64 {{ fork < a0: leaf(0), n0: {inner} > join(a0, n0); a0 + n0 }}"


def nest_wf_try(depth):
    inner = f"leaf_try({depth})?"
    for d in range(depth - 1, 0, -1):
        inner = f"fork < a{d}: leaf_try({d})?, n{d}: {inner} > join(a{d}, n{d})? -> add"
    ret = "Result<u64, workflow_runtime::BranchError<Error>>"
    return f"async fn w() -> {ret} {{ fork < a0: leaf_try(0)?, n0: {inner} > join(a0, n0)?; Ok(a0 + n0) }}"


NEST_PRELUDE = "async fn add(a: u64, b: u64) -> u64 { a + b }\n"


def seq_wf(n):
    forks = " ".join(f"fork < a{i}: leaf({i}), b{i}: leaf(x) > join(a{i}, b{i}); let x = a{i} + b{i};" for i in range(n))
    return f"async fn w() -> u64 {{ let x = 0; {forks} x }}"


def many(n, variant):
    """N workflows of 3-5 branches (see the docstring), `#[traced]` with `manytr`."""
    out = ["const EDIT: u64 = 0;", "async fn add(a: u64) -> u64 { a + 1 }"]
    calls = []
    for j in range(n):
        width = 3 + j % 3
        fallible = j % 4 == 3
        first = "EDIT" if j == 0 else str(j * 10)
        args = [first] + [str(j * 10 + i) for i in range(1, width)]
        q = "?" if fallible else ""
        step = "leaf_try" if fallible else "leaf"
        bs = names(width)
        ret = "Result<u64, workflow_runtime::BranchError<Error>>" if fallible else "u64"
        total = " + ".join(bs)
        result = f"Ok({total})" if fallible else total
        if variant == "manyhand":
            hret = "Result<u64, Error>" if fallible else "u64"
            mac = "futures::try_join!" if fallible else "futures::join!"
            items = [f"{step}({a})" for a in args[:-1]]
            last = f"async {{ let v = {step}({args[-1]}).await{q}; {'Ok(add(v).await)' if fallible else 'add(v).await'} }}"
            out.append(f"async fn w{j}() -> {hret} {{ let ({', '.join(bs)}) = {mac}({', '.join(items + [last])}){q}; {result} }}")
        else:
            steps = [f"b{i}: {step}({a}){q}" for i, a in enumerate(args)]
            steps[-1] += " -> add"
            traced = "#[traced] " if variant == "manytr" else ""
            out.append(f"workflow! {{ {traced}async fn w{j}() -> {ret} {{ fork < {', '.join(steps)} > join({', '.join(bs)}){q}; {result} }} }}")
        calls.append(f"w{j}().await" + (".unwrap()" if fallible else ""))
    uses = "" if variant == "manyhand" else "use workflow_runtime::workflow;\n"
    run = f"async fn w() -> u64 {{ {' + '.join(calls)} }}"
    return uses + "\n".join(out) + "\n" + run + "\n"


def body(variant, n):
    if variant.endswith("_rl256"):
        return '#![recursion_limit = "256"]\n' + body(variant[:-6], n)
    fallible = variant.endswith("_try")
    base = variant[:-4] if fallible else variant
    uses = "use workflow_runtime::workflow;\n"
    if base == "wf":
        return uses + f"workflow! {{ {wf_source(n, fallible)} }}\n"
    if base in ("exp", "nograph"):
        text = expansion(wf_source(n, fallible))
        if base == "nograph":
            text = text[text.index("async fn w"):]
        return text + "\n"
    if base == "graph":
        text = expansion(wf_source(n, fallible))
        return text[:text.index("async fn w")] + "\n" + hand(n, fallible) + "\n"
    if base == "hand":
        return hand(n, fallible) + "\n"
    if base.startswith("tree"):
        return hand(n, fallible, int(base[4:])) + "\n"
    if base == "prop2":
        return prop2(n) + "\n"
    if base == "prop":
        return prop(n, fallible) + "\n"
    if base == "fj5":
        return hand(n, fallible, 5, runtime=True) + "\n"
    if base == "nesthand":
        return nest_hand(n, False) + "\n"
    if base == "nestfj":
        return nest_hand(n, False, fj=True) + "\n"
    if base == "nesttry":
        return nest_hand(n, True) + "\n"
    if base == "nestwf":
        return NEST_PRELUDE + uses + f"workflow! {{ {nest_wf(n)} }}\n"
    if base == "nestwftry":
        return NEST_PRELUDE + uses + f"workflow! {{ {nest_wf_try(n)} }}\n"
    if base in ("many", "manytr", "manyhand"):
        return many(n, base)
    if base == "nestexp":
        return NEST_PRELUDE + expansion(nest_wf(n)) + "\n"
    raise SystemExit(f"unknown variant {variant}")


def main():
    os.makedirs(OUT, exist_ok=True)
    members = sorted(m for m in os.listdir(OUT) if os.path.isfile(os.path.join(OUT, m, "Cargo.toml")))
    for spec in sys.argv[3:]:
        variant, n = spec.split(":")
        name = f"{variant}_{n}".replace("_", "-")
        d = os.path.join(OUT, name)
        os.makedirs(os.path.join(d, "src"), exist_ok=True)
        with open(os.path.join(d, "Cargo.toml"), "w") as f:
            f.write(f"""[package]
name = "{name}"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
workflow-runtime = {{ path = "{REPO}/workflow-runtime"{', features = ["tracing"]' if variant.startswith("many") else ""} }}
futures = "0.3.34"
tokio = {{ version = "1.54", features = ["rt"] }}
""")
        with open(os.path.join(d, "src/main.rs"), "w") as f:
            text = body(variant, int(n))
            if text.startswith("#!["):
                attr, text = text.split("\n", 1)
                text = attr + "\n" + PRELUDE + text
            else:
                text = PRELUDE + text
            f.write(text)
        if name not in members:
            members.append(name)
    with open(os.path.join(OUT, "Cargo.toml"), "w") as f:
        f.write("[workspace]\nresolver = \"3\"\nmembers = [" + ", ".join(f'"{m}"' for m in sorted(members)) + "]\n")


if sys.argv[1] == "--input":
    v, n = sys.argv[2], int(sys.argv[3])
    src = nest_wf(n) if v == "nestwf" else seq_wf(n) if v == "seq" else wf_source(n, v.endswith("_try"))
    print("(::workflow_runtime) " + src)
else:
    main()

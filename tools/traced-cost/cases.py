#!/usr/bin/env python3
"""Prints benches/static_fork.rs's steps, `run`, `workflow! { .. }` items and by-hand
`async fn`s (the cases of tools/traced-cost/run.sh and tools/named-panic-cost/run.sh),
so the measured workflows are the benches' own."""
import sys

src = open(sys.argv[1]).read()
out = []
i = 0
while True:
    starts = [j for j in (src.find("\nworkflow! {", i), src.find("\nasync fn ", i), src.find("\nfn run<", i)) if j >= 0]
    if not starts:
        break
    j = min(starts) + 1
    # the item's attributes and doc lines just above it
    k = j
    while True:
        prev = src.rfind("\n", 0, k - 1) + 1
        line = src[prev:k - 1].strip()
        if line.startswith("#[") or line.startswith("///"):
            k = prev
        else:
            break
    depth, m = 0, src.index("{", j)
    while True:
        if src[m] == "{":
            depth += 1
        elif src[m] == "}":
            depth -= 1
            if depth == 0:
                break
        m += 1
    out.append(src[k:m + 1])
    i = m + 1
print("\n\n".join(out))

#!/usr/bin/env python3
"""Medians (and spread) of run.sh's results.tsv: variant n mode -> seconds, max RSS MB."""
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)
for line in open(sys.argv[1]):
    v, n, mode, run, secs, rss, status = line.split("\t")
    rows[(v, int(n), mode)].append((float(secs), int(rss), status.strip()))
print("variant\tn\tmode\truns\tmedian_s\tmin-max_s\tmedian_rss_mb\tstatus")
for (v, n, mode), r in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
    s = [x[0] for x in r]; m = [x[1] for x in r]
    st = ",".join(sorted({x[2] for x in r}))
    print(f"{v}\t{n}\t{mode}\t{len(r)}\t{statistics.median(s):.1f}\t{min(s):.1f}-{max(s):.1f}\t{statistics.median(m):.0f}\t{st}")

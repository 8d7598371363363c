#!/usr/bin/env python3
"""Medians (and spread) of run.sh's results.tsv: variant n mode -> seconds, max RSS MB,
and CPU seconds (user + sys; rows written before run.sh recorded it have none)."""
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)
for line in open(sys.argv[1]):
    v, n, mode, run, secs, rss, status, *cpu = line.rstrip("\n").split("\t")
    rows[(v, int(n), mode)].append((float(secs), int(rss), status, float(cpu[0]) if cpu else None))
print("variant\tn\tmode\truns\tmedian_s\tmin-max_s\tmedian_rss_mb\tstatus\tmedian_cpu_s\tmin-max_cpu_s")
for (v, n, mode), r in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
    s = [x[0] for x in r]; m = [x[1] for x in r]
    st = ",".join(sorted({x[2] for x in r}))
    c = [x[3] for x in r if x[3] is not None]
    cpu = f"{statistics.median(c):.2f}\t{min(c):.2f}-{max(c):.2f}" if c else "-\t-"
    print(f"{v}\t{n}\t{mode}\t{len(r)}\t{statistics.median(s):.1f}\t{min(s):.1f}-{max(s):.1f}\t{statistics.median(m):.0f}\t{st}\t{cpu}")

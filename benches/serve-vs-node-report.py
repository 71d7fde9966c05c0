#!/usr/bin/env python3
"""Prints the table of benches/serve-vs-node.sh from the JSON lines it left in DIR."""
import glob
import json
import os
import statistics
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "target/serve-vs-node"


def load(name):
    p = os.path.join(out, name)
    return json.load(open(p)) if os.path.exists(p) else None


def runs(server, kind):
    return [json.load(open(p)) for p in sorted(glob.glob(os.path.join(out, f"{server}-{kind}-*.json")))]


servers = [s for s in ("rtctl", "node") if load(f"{s}-base.json")]
names = {"rtctl": "rtctl serve", "node": "Node socket.io 4.8.4"}
rows = []


def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def row(label, vals, fmt, ratio=True, extra=None, higher_is_better=False):
    """`ratio`: how many times better rtctl is than Node (Node ÷ rtctl, or the inverse when
    higher is better)."""
    cells = [fmt(v) if v is not None else "–" for v in vals]
    if extra:
        cells = [c + e for c, e in zip(cells, extra)]
    r = ""
    if ratio and len(vals) == 2 and None not in vals and vals[0] and vals[1]:
        r = f"{(vals[0] / vals[1]) if higher_is_better else (vals[1] / vals[0]):.1f}×"
    rows.append((label, cells, r))


base = {s: load(f"{s}-base.json")["base_rss_kib"] for s in servers}
row("RSS at start (MiB)", [base[s] / 1024 for s in servers], lambda v: f"{v:.1f}", False)
for held in (1000, 5000, 10000, 19000):
    vals = []
    for s in servers:
        d = load(f"{s}-rss-{held}.json")
        vals.append(None if d is None else (d["rss_kib"] - base[s]) / held)
    row(f"RSS per idle subscribed connection, {held // 1000}k held (KiB)", vals, lambda v: f"{v:.2f}")

# broadcast: every broadcast of every run, and the spread of the run medians
for key, label in (("p50_ms", "p50"), ("p99_ms", "p99"), ("last_ms", "last receiver")):
    vals, spread = [], []
    for s in servers:
        rs = runs(s, "broadcast")
        allv = [b[key] for r in rs for b in r.get("per_broadcast", []) if b.get(key) is not None]
        vals.append(med(allv))
        per_run = [med([b[key] for b in r.get("per_broadcast", [])]) for r in rs]
        per_run = [x for x in per_run if x is not None]
        spread.append(f" ({min(per_run):.0f}–{max(per_run):.0f})" if per_run else "")
    n = sum(len(r.get("per_broadcast", [])) for r in runs(servers[0], "broadcast"))
    row(f"broadcast to 10k: {label}, ms (median of {n}; run medians)", vals, lambda v: f"{v:.1f}",
        extra=spread)
row("broadcast: server CPU per 1k deliveries (ms)",
    [med([r.get("server_cpu_ms_per_1k") for r in runs(s, "broadcast")]) for s in servers],
    lambda v: f"{v:.1f}")
row("broadcast: load generator CPU per 1k deliveries (ms)",
    [med([r.get("loadgen_cpu_ms_per_1k") for r in runs(s, "broadcast")]) for s in servers],
    lambda v: f"{v:.1f}")
row("stream of broadcasts: offered deliveries/s",
    [med([r.get("offered_deliveries_per_s") for r in runs(s, "stream")]) for s in servers],
    lambda v: f"{v:,.0f}", False)
row("stream: deliveries/s achieved (median of runs)",
    [med([r.get("deliveries_per_s") for r in runs(s, "stream")]) for s in servers],
    lambda v: f"{v:,.0f}", higher_is_better=True)
row("stream: server CPU per 1k deliveries (ms)",
    [med([r.get("server_cpu_ms_per_1k") for r in runs(s, "stream")]) for s in servers],
    lambda v: f"{v:.2f}")
row("stream: server CPU used (cores)",
    [med([r.get("server_cpu_cores") for r in runs(s, "stream")]) for s in servers],
    lambda v: f"{v:.2f}", False)
rows.append(("stream: delivery latency p50 / p99 (ms)",
             [" / ".join(f"{med([r.get(k) for r in runs(s, 'stream')]) or 0:.0f}"
                         for k in ("latency_p50_ms", "latency_p99_ms")) for s in servers], ""))


def total(s, key, kinds=("broadcast", "stream", "idle")):
    return sum((r.get(key) or 0) for k in kinds for r in runs(s, k))


rows.append(("lost / duplicates / connections dropped by the server",
             [f"{total(s, 'lost')} / {total(s, 'duplicates')} / {total(s, 'dropped_conns')}"
              for s in servers], ""))
rows.append(("failed connects / retried handshakes",
             [f"{total(s, 'failed')} / {total(s, 'retries')}" for s in servers], ""))

head = [names[s] for s in servers] + (["rtctl better by"] if len(servers) == 2 else [])
w0 = max(len(r[0]) for r in rows)
print(f"| {'':{w0}} | " + " | ".join(head) + " |")
print(f"|{'-' * (w0 + 2)}|" + "|".join("---:" for _ in head) + "|")
for label, cells, r in rows:
    extra = [r] if len(servers) == 2 else []
    print(f"| {label:{w0}} | " + " | ".join(cells + extra) + " |")
floor = load("floor.json")
if floor:
    print(
        f"\nLoopback floor (benches/loopback-floor.py, no server): {floor['floor_sys_us_per_send']:.2f} µs "
        f"kernel + {floor['floor_user_us_per_send']:.2f} µs user per send to one of {floor['conns']:,} "
        f"sockets; one send loop over all of them: {floor['send_loop_ms_median']:.1f} ms (median)."
    )

#!/usr/bin/env python3
"""Condenses benches/compare.sh's JSON reports into a markdown section of BENCHMARKS.md.

usage: compare-report.py OUT DEVICES WORKERS RTCTL_VERSION SOCKETIO_VERSION NODE_VERSION BENCHMARKS.md [CONFIGS [RAMP]]

CONFIGS: "one two" (default): a table per configuration, reports named <server>-<config>-<scenario>.json.
RAMP: the throughput ramp's settings as compare.sh passed them (shown in the section's text).
"""
import datetime
import json
import os
import platform
import sys

out, devices, workers, rtctl_v, sio_v, node_v, md = sys.argv[1:8]
configs = (sys.argv[8] if len(sys.argv) > 8 else "one two").split()
ramp = sys.argv[9] if len(sys.argv) > 9 else ""
scenarios = (sys.argv[10] if len(sys.argv) > 10 else "").split()
ALL = "idle fanout throughput jitter avalanche".split()
CONFIG_TITLE = {
    "one": "One node of each server",
    "two": "Two nodes of each server on one Redis (rtctl: the Redis-stream log; Node: "
           "@socket.io/redis-adapter); devices spread over both, publishes through the first, "
           "memory and CPU summed over both nodes",
}


def load(server, scenario):
    try:
        with open(os.path.join(out, f"{server}-{scenario}.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def get(r, *path):
    for p in path:
        if r is None:
            return None
        r = r[p] if isinstance(r, list) else r.get(p)
    return r


def fanout_all(r, key):
    for row in (r or {}).get("fanout", []):
        if row["target"] == "all":
            return row["latency"][key]
    return None


def p99_limit(r):
    return (r or {}).get("p99_limit_ms") or 250.0


def sustained(x, limit):
    """A step with 0 lost, drained and p99 within the limit (the report's own flag when it has one)."""
    if "sustained" in x:
        return x["sustained"]
    return x["drained"] and x["lost"] == 0 and (x["p99_ms"] is None or x["p99_ms"] <= limit)


def sustained_step(r, key):
    """The best step with 0 lost and p99 <= the limit: the same rule for both servers."""
    steps = [x for x in (r or {}).get("throughput", []) if sustained(x, p99_limit(r))]
    if not steps:
        return None
    return max(steps, key=lambda x: x["deliveries_per_sec"])[key]


def first_failed_step(r):
    """The step that ended the ramp (the first not sustained), as text."""
    if r is None or not r.get("throughput"):
        return None
    for x in r["throughput"]:
        if not sustained(x, p99_limit(r)):
            p99 = "—" if x["p99_ms"] is None else f"{x['p99_ms']:,.0f} ms"
            return (f"{x['deliveries_per_sec']:,.0f} deliveries/s ({x['offered_publishes_per_sec']:.3g} "
                    f"broadcasts/s offered): p99 {p99}, lost {x['lost']:,}"
                    + ("" if x["drained"] else ", not drained"))
    last = r["throughput"][-1]
    if last["deliveries_per_sec"] < 0.5 * last["offered_deliveries_per_sec"]:
        return (f"none: all {len(r['throughput'])} steps sustained; the last delivered under half of the "
                f"{last['offered_deliveries_per_sec']:,.0f}/s offered, which ends a ramp too: a floor")
    return f"none: all {len(r['throughput'])} steps sustained (the step cap): a floor"


def ramp_unbounded(r):
    """Every step sustained: the ramp ended at its step cap, the figure is only a floor."""
    steps = (r or {}).get("throughput") or []
    return bool(steps) and all(sustained(x, p99_limit(r)) for x in steps)


limits = {p99_limit(load(f"{s}-{c}", "throughput")) for s in ("rtctl", "node") for c in configs
          if load(f"{s}-{c}", "throughput")}
limit = f"{limits.pop():g}" if len(limits) == 1 else "its limit (the reports' limits differ!)"


rows = [
    # (figure, extractor, better, target note)
    ("memory per idle subscribed connection (bytes)",
     lambda s: get(load(s, "idle"), "node", "memory_per_connection_bytes"), "lower", "≤ 1/7 of Node's"),
    ("broadcast to all: p50 (ms)", lambda s: fanout_all(load(s, "fanout"), "p50_ms"), "lower", ""),
    ("broadcast to all: p99 (ms)", lambda s: fanout_all(load(s, "fanout"), "p99_ms"), "lower", ""),
    ("broadcast to all: time to the last receiver, worst of 5 (ms)",
     lambda s: fanout_all(load(s, "fanout"), "max_ms"), "lower", "≤ 0.45× Node's (at 10k)"),
    (f"sustained deliveries/s at equal p99 (best step with 0 lost, p99 ≤ {limit} ms)",
     lambda s: sustained_step(load(s, "throughput"), "deliveries_per_sec"), "higher", "≥ 6× Node's"),
    ("p99 at that step (ms)",
     lambda s: sustained_step(load(s, "throughput"), "p99_ms"), "lower", ""),
    ("broadcasts/s offered at that step",
     lambda s: sustained_step(load(s, "throughput"), "offered_publishes_per_sec"), "higher", ""),
    ("the step that ended the ramp (first with loss or p99 over the limit)",
     lambda s: first_failed_step(load(s, "throughput")), "", ""),
    ("node CPU per delivery in throughput (µs)",
     lambda s: (lambda v: v * 1000 if v is not None else None)(
         get(load(s, "throughput"), "node", "cpu_ms_per_delivery")), "lower", ""),
    ("jitter: delivered ÷ expected",
     lambda s: get(load(s, "jitter"), "jitter", "delivered_ratio"), "higher", "1 (zero loss)"),
    ("avalanche: all back after (s)",
     lambda s: get(load(s, "avalanche"), "avalanche", "back_secs"), "lower", ""),
    ("avalanche: all back and caught up after (s)",
     lambda s: get(load(s, "avalanche"), "avalanche", "caught_up_secs"), "lower", "< Node + recovery"),
    ("handshakes/s in the idle connect phase",
     lambda s: get(load(s, "idle"), "connect", "handshakes_per_sec"), "higher", ""),
]
lost_rows = []
for sc in ["idle", "fanout", "throughput", "jitter", "avalanche"]:
    lost_rows.append((f"{sc}: lost / expected deliveries",
                      lambda s, sc=sc: (lambda r: None if r is None else
                                        f"{r['deliveries']['lost']:,} / {r['deliveries']['expected']:,}")(load(s, sc))))


def fmt(v):
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


names = [f"{s}-{c}" for s in ("rtctl", "node") for c in configs]
SCENARIO_NAMES = ("idle", "fanout", "throughput", "jitter", "avalanche")
machine = next((get(load(n, sc), "machine") for sc in SCENARIO_NAMES for n in names
                if load(n, sc)), None) or {}
starts = [get(load(n, sc), "started_unix") for n in names for sc in SCENARIO_NAMES]
starts = [t for t in starts if t]
when = datetime.datetime.fromtimestamp(min(starts) if starts else 0, datetime.timezone.utc)
loadavg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
lines = [
    "<!-- compare:begin (written by benches/compare.sh; do not edit by hand) -->",
    "## `rtctl bench`: rtctl serve vs Node, side by side (`benches/compare.sh`)",
    "",
    f"Run {when:%Y-%m-%d %H:%M} UTC with "
    f"`DEVICES={devices} WORKERS={workers} CONFIGS=\"{' '.join(configs)}\" "
    + (f"SCENARIOS=\"{' '.join(scenarios)}\" " if scenarios and scenarios != ALL else "")
    + "benches/compare.sh`: "
    f"{devices} devices per scenario over 50 departments, each joining by `subscribe-department`, "
    "on loopback.",
    f"Machine: {machine.get('cores', '?')} cores ({machine.get('cpu', '?')}), "
    f"{(machine.get('memory_bytes') or 0) / 2**30:.1f} GiB, Linux {machine.get('kernel', platform.release())}. "
    f"Versions: {rtctl_v}; socket.io {sio_v} on Node {node_v}.",
    f"Load average (1, 5, 15 min) when the report was written: {loadavg}. Absolute figures move with "
    "the machine's load; ratios from one run are what to compare. The simulated devices run on the same cores as "
    "the server, so latency and sustained throughput are bounded by the client too (the throughput "
    "steps measure the pair, not the server's own ceiling). Memory per connection is the nodes' RSS "
    "at the end of a 3 s hold minus their RSS before the first connect, over the connections held. "
    "Reproduce with the command above.",
    "",
    "Throughput is compared at equal p99, by the same rule for both servers: broadcasts to every "
    "device at a rate growing geometrically per step from a low start, each server's ramp ending at "
    f"its first step with any loss or p99 over {limit} ms (`rtctl bench throughput --stop-after-fail`); "
    f"its sustained rate is its best step with 0 lost and p99 ≤ {limit} ms (a step's p99 is the 99th "
    "percentile of every delivery received during the step and its drain). The next step failed, so each figure is within one step "
    "factor below what the pair sustains; a ramp that ended without such a step (at its step cap, "
    "or at a step that delivered under half its offered rate) gives only a floor, and the ratio is "
    "then marked ≥ (rtctl's floor) or ≤ (Node's)"
    + (f". Ramp: `{ramp}`." if ramp else "."),
]
for config in configs:
    ra, rb = f"rtctl-{config}", f"node-{config}"
    lines += [
        "",
        f"### {CONFIG_TITLE.get(config, config)}",
        "",
        "| figure | rtctl serve | Node (socket.io) | rtctl ÷ Node | target |",
        "|---|---:|---:|---:|---|",
    ]
    for name, f, _better, target in rows:
        a, b = f(ra), f(rb)
        ratio = f"{a / b:.2f}×" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "—"
        if isinstance(a, str) or isinstance(b, str):
            ratio = ""
        elif ratio != "—" and name.startswith("sustained deliveries/s"):
            up, down = ramp_unbounded(load(ra, "throughput")), ramp_unbounded(load(rb, "throughput"))
            ratio = ("≥ " if up and not down else "≤ " if down and not up else
                     "? " if up and down else "") + ratio
        lines.append(f"| {name} | {fmt(a)} | {fmt(b)} | {ratio} | {target} |")
    for name, f in lost_rows:
        lines.append(f"| {name} | {fmt(f(ra))} | {fmt(f(rb))} | | 0 for rtctl |")
lines += [
    "",
    "The Node reference server has no log and no connection state recovery: what is published while "
    "a device is away is lost there by design (that is the loss the avalanche and jitter rows count). "
    "Charts of latency and connections over time: `target/compare/<server>-<config>-<scenario>.svg`.",
    "<!-- compare:end -->",
]
section = "\n".join(lines) + "\n"

text = open(md).read() if os.path.exists(md) else ""
begin, end = "<!-- compare:begin", "<!-- compare:end -->"
if begin in text and end in text:
    i = text.index(begin)
    j = text.index(end) + len(end)
    text = text[:i] + section.rstrip("\n") + text[j:]
else:
    text = text.rstrip("\n") + "\n\n" + section
open(md, "w").write(text)
print(section)

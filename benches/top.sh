#!/usr/bin/env bash
# What `rtctl top` costs (issue 10): NODES heartbeats of nodes with DEPTS departments each,
# rewritten every second (as `rtctl serve` does: summaries in the heartbeat, the full list in
# the detail key every 5 s), read by `rtctl top --interval 1` running in a real terminal (tmux,
# 200x60) for SECS seconds with one node's drill-down open. Reports top's CPU (utime + stime
# from /proc, as % of one core), its resident memory, and the Redis round trips per refresh:
# every refresh sends one pipeline holding one TIME and one MGET, so MGET calls = TIME calls
# (+1: the first refresh, which discovers the nodes) means one round trip per refresh.
# Redis is a private redis-server on a free loopback port; every process is stopped by its pid.
#
#   benches/top.sh                          # ~70 s
#   NODES=100 DEPTS=1000 SECS=60 benches/top.sh
set -euo pipefail
cd "$(dirname "$0")/.."

NODES=${NODES:-100}
DEPTS=${DEPTS:-1000}
SECS=${SECS:-60}
REDIS_PORT=${REDIS_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
command -v tmux >/dev/null || { echo "tmux is needed (apt-get install tmux)" >&2; exit 1; }

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --bin rtctl
  BIN=$PWD/target/release/rtctl
fi
DIR=$(mktemp -d)
SOCK="rtctl-bench-top-$$"
PIDS=()
cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR" >/dev/null &
PIDS+=($!)
until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.05; done

# The heartbeat writer: RESP commands for every node, every second, into redis-cli --pipe.
python3 - "$NODES" "$DEPTS" "$SECS" > "$DIR/writer.resp" <<'EOF' &
import json, sys, time
nodes, depts, secs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
ns = "{rtctl:default}"
def resp(*args):
    out = f"*{len(args)}\r\n"
    for a in args:
        b = str(a).encode()
        out += f"${len(b)}\r\n{b.decode()}\r\n"
    return out
t0 = time.time()
for tick in range(secs + 10):
    now = int(time.time() * 1000)
    buf = []
    for n in range(nodes):
        rooms = {f"department:D{d:04}": 10 + (d * 7 + n) % 50 for d in range(depts)}
        top = dict(sorted(rooms.items(), key=lambda kv: (-kv[1], kv[0]))[:16])
        conns = sum(rooms.values())
        hb = {"node_id": f"node-{n:03}", "listen": f"10.0.{n // 250}.{n % 250 + 1}:3000",
              "version": "0.1.0", "at_ms": now, "uptime_secs": 3600 + tick, "connections": conns,
              "rooms": top, "messages_in": tick * 10, "messages_out": tick * conns,
              "memory_bytes": 80_000_000 + conns * 30_000, "sockets_behind": 0,
              "log_offset": "0-0", "draining": False, "departments": depts,
              "department_members": conns, "client_ips": conns, "top_client_ip_share": 1 / conns,
              "recoveries": 0, "gaps": 0, "overflow_catch_ups": 0, "redis_errors": 0,
              "log_max_len": 100000, "log_max_age_secs": 86400}
        buf.append(resp("SET", f"{ns}:node:node-{n:03}", json.dumps(hb), "PX", 5000))
        buf.append(resp("ZADD", f"{ns}:nodes", now, f"node-{n:03}"))
        if tick % 5 == 0:
            detail = {"node_id": f"node-{n:03}", "at_ms": now,
                      "departments": {k.removeprefix("department:"): v for k, v in rooms.items()},
                      "client_ips": [], "disconnects": {}}
            buf.append(resp("SET", f"{ns}:detail:node-{n:03}", json.dumps(detail), "PX", 30000))
    sys.stdout.write("".join(buf))
    sys.stdout.flush()
    time.sleep(max(0.0, t0 + tick + 1 - time.time()))
EOF
PIDS+=($!)
# Stream the generated commands into Redis as they are written.
tail -f "$DIR/writer.resp" | redis-cli -p "$REDIS_PORT" --pipe >/dev/null 2>&1 &
PIDS+=($!)
sleep 2
hb_bytes=$(redis-cli -p "$REDIS_PORT" STRLEN "{rtctl:default}:node:node-000")
detail_bytes=$(redis-cli -p "$REDIS_PORT" STRLEN "{rtctl:default}:detail:node-000")

tmux -L "$SOCK" -f /dev/null new-session -d -s top -x 200 -y 60 \
  "env TERM=xterm-256color $BIN top --redis redis://127.0.0.1:$REDIS_PORT/ --interval 1"
sleep 3
tmux -L "$SOCK" send-keys -t top Enter   # open the first node's drill-down (reads its detail)
TOP_PID=$(pgrep -f -n "$BIN top --redis redis://127.0.0.1:$REDIS_PORT/")
redis-cli -p "$REDIS_PORT" CONFIG RESETSTAT >/dev/null
HZ=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$TOP_PID/stat"; }
c0=$(cpu); t0=$(date +%s.%N)
sleep "$SECS"
c1=$(cpu); t1=$(date +%s.%N)
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$TOP_PID/status")
stats=$(redis-cli -p "$REDIS_PORT" INFO commandstats)
calls() { echo "$stats" | tr -d '\r' | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p"; }
screen=$(tmux -L "$SOCK" capture-pane -p -t top | head -1)
tmux -L "$SOCK" send-keys -t top q
python3 - <<EOF
cpu = ($c1 - $c0) / $HZ
wall = $t1 - $t0
time_calls, mget_calls, get_calls = int("$(calls time)" or 0), int("$(calls mget)" or 0), int("$(calls get)" or 0)
print(f"nodes {$NODES}, departments per node {$DEPTS}, heartbeat {$hb_bytes} bytes, detail {$detail_bytes} bytes")
print(f"top: {cpu:.2f} s CPU in {wall:.1f} s = {100 * cpu / wall:.2f}% of one core, RSS {$rss_kib / 1024:.1f} MiB")
print(f"refreshes (TIME) {time_calls}, MGET {mget_calls}, detail GET {get_calls}: "
      f"{'one round trip per refresh' if mget_calls <= time_calls else 'extra round trips'}")
print("header:", "$screen".strip())
EOF

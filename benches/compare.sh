#!/usr/bin/env bash
# The same `rtctl bench` scenarios against `rtctl serve` and the Node reference server
# (tests/node/bench/node-server.mjs: socket.io 4.8 as the guide runs it), one node each, on this
# machine, in one run; ratios, machine, versions and date go into BENCHMARKS.md between the
# `compare:begin` / `compare:end` markers (replaced on every run).
#
#   benches/compare.sh                      # 2,000 devices per scenario (~3 minutes on 2 cores)
#   DEVICES=10000 WORKERS=2 benches/compare.sh
#   ONLY=rtctl benches/compare.sh           # one server (no ratios)
#
# Every server started here is stopped by its pid; every scenario is bounded (--settle,
# --connect-timeout). Results: one JSON report per server and scenario in $OUT/.
set -euo pipefail
cd "$(dirname "$0")/.."

DEVICES=${DEVICES:-2000}
WORKERS=${WORKERS:-1}
DEPARTMENTS=${DEPARTMENTS:-50}
RATE=${RATE:-20}          # throughput: first step's broadcasts/s (doubling per step)
STEPS=${STEPS:-5}
DURATION=${DURATION:-3}
ONLY=${ONLY:-}
RTCTL_PORT=${RTCTL_PORT:-3220}
NODE_PORT=${NODE_PORT:-3221}
OUT=${OUT:-target/compare}
MD=${MD:-BENCHMARKS.md}     # the file whose compare section is replaced
SCENARIOS=(idle fanout throughput jitter avalanche)

mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.log
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 20000 ]; then ulimit -n "$hard"; else ulimit -n 20000; fi

echo "== build" >&2
cargo build --release --quiet --bin rtctl
if [ ! -d tests/node/bench/node_modules/socket.io ]; then
  npm ci --prefix tests/node/bench --no-audit --no-fund --loglevel=error >&2
fi
RTCTL=target/release/rtctl

PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT

wait_http() {
  local port=$1 i
  for ((i = 0; i < 100; i++)); do
    curl -sf "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server on $port did not come up" >&2
  return 1
}

run_server() {
  local name=$1 port=$2 pid s seed=0
  echo "== $name on 127.0.0.1:$port" >&2
  case $name in
    rtctl) "$RTCTL" serve --listen "127.0.0.1:$port" --drain-timeout 2 >"$OUT/$name-server.log" 2>&1 & ;;
    node) node tests/node/bench/node-server.mjs --port "$port" >"$OUT/$name-server.log" 2>&1 & ;;
  esac
  pid=$!
  PIDS+=("$pid")
  wait_http "$port"
  sleep 1
  for s in "${SCENARIOS[@]}"; do
    seed=$((seed + 1))
    "$RTCTL" bench "$s" -o json --url "http://127.0.0.1:$port" --server-pid "$pid" \
      -n "$DEVICES" --departments "$DEPARTMENTS" --workers "$WORKERS" --seed "$seed" \
      --hold 3 --rounds 5 --rate "$RATE" --steps "$STEPS" --duration "$DURATION" \
      --cut-every 0.5 --cut-fraction 0.1 --settle 60 --connect-timeout 120 \
      --chart "$OUT/$name-$s.svg" >"$OUT/$name-$s.json" 2>>"$OUT/$name-bench.log" || true
    python3 - "$OUT/$name-$s.json" "$name" "$s" >&2 <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"   {sys.argv[2]} {sys.argv[3]}: no report ({e})"); sys.exit()
d = r["deliveries"]
print(f"   {sys.argv[2]} {sys.argv[3]}: {r['connect']['connected']}/{r['devices']} connected, "
      f"{d['received']}/{d['expected']} delivered, {d['lost']} lost")
PY
    sleep 2
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

servers=()
for s in rtctl node; do
  if [ -z "$ONLY" ] || [ "$ONLY" = "$s" ]; then servers+=("$s"); fi
done
for s in "${servers[@]}"; do
  case $s in rtctl) run_server rtctl "$RTCTL_PORT" ;; node) run_server node "$NODE_PORT" ;; esac
done

python3 benches/compare-report.py "$OUT" "$DEVICES" "$WORKERS" "$($RTCTL --version)" \
  "$(node -e 'console.log(require("./tests/node/bench/node_modules/socket.io/package.json").version)' 2>/dev/null || echo n/a)" \
  "$(node --version 2>/dev/null || echo n/a)" "$MD"

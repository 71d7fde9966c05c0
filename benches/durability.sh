#!/usr/bin/env bash
# The cost of durability (issue 4): publish-to-delivery latency and deliveries/s of the same
# stream of broadcasts, in one run, through
#   rtctl-memory  one `rtctl serve` node, in-memory log (reference),
#   rtctl-redis   two `rtctl serve --redis` nodes sharing one Redis: the durable Redis-stream log,
#   node-redis    two Node socket.io 4.8.4 servers with @socket.io/redis-adapter 8.3.0 (plain
#                 Redis pub/sub, at-most-once) on the same Redis.
# DEVICES devices (one `rtctl bench throughput` process, spread round robin over the nodes of a
# setup with --also-url), publishes always on the first node. For each rate in RATES
# (broadcasts/s, offered for STREAM_SECS: one step) and each setup, one bench run. Redis is a private redis-server on a free
# loopback port, no persistence (--save "" --appendonly no), the same for both clusters.
# Every process started here is stopped by its pid. One JSON line per run in $OUT/.
#
#   benches/durability.sh                       # ~4 minutes on 2 cores
#   RATES="5 50" STREAM_SECS=8 DEVICES=10000 OUT=target/durability benches/durability.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DEVICES=${DEVICES:-10000}
RATES=${RATES:-5 50}
STREAM_SECS=${STREAM_SECS:-8}
SETUPS=${SETUPS:-rtctl-memory rtctl-redis node-redis}
OUT=${OUT:-target/durability}
BASE=${BASE:-23300}
REDIS_PORT=${REDIS_PORT:-26399}

mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.log
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 20000 ]; then ulimit -n "$hard"; else ulimit -n 20000; fi
echo "== open-file limit $(ulimit -n), $(nproc) cores, kernel $(uname -r)" >&2

cargo build --release --quiet --bin rtctl
if [ ! -d tests/node/bench/node_modules/@socket.io/redis-adapter ]; then
  npm ci --prefix tests/node/bench --no-audit --no-fund --loglevel=error >&2
fi

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

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$OUT" >"$OUT/redis.log" 2>&1 &
PIDS+=("$!")
for ((i = 0; i < 50; i++)); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
REDIS="redis://127.0.0.1:$REDIS_PORT"

ip=40
run=0
for rate in $RATES; do
  for setup in $SETUPS; do
    run=$((run + 1))
    p1=$((BASE + 2 * run)) p2=$((BASE + 2 * run + 1))
    nodes=()
    case $setup in
      rtctl-memory)
        target/release/rtctl serve --listen "127.0.0.1:$p1" --drain-timeout 2 \
          >"$OUT/$setup-$rate-a.log" 2>&1 &
        nodes+=("$!")
        also=""
        ;;
      rtctl-redis)
        for p in $p1 $p2; do
          target/release/rtctl serve --listen "127.0.0.1:$p" --node-id "d$p" --redis "$REDIS" \
            --namespace "bench-d$run" --drain-timeout 2 >"$OUT/$setup-$rate-$p.log" 2>&1 &
          nodes+=("$!")
        done
        also="http://127.0.0.1:$p2"
        ;;
      node-redis)
        for p in $p1 $p2; do
          node tests/node/bench/node-server.mjs --port "$p" --redis "$REDIS" \
            >"$OUT/$setup-$rate-$p.log" 2>&1 &
          nodes+=("$!")
        done
        also="http://127.0.0.1:$p2"
        ;;
    esac
    PIDS+=("${nodes[@]}")
    wait_http "$p1"
    [ "$setup" = rtctl-memory ] || wait_http "$p2"
    sleep 1
    ip=$((ip + 1))
    f="$OUT/$setup-rate$rate.json"
    timeout 300 target/release/rtctl bench throughput -o json --url "http://127.0.0.1:$p1" \
      ${also:+--also-url "$also"} --server-pid "${nodes[0]}" -n "$DEVICES" --seed "$run" \
      --src-ip "127.0.0.$ip" --rate "$rate" --steps 1 --duration "$STREAM_SECS" --settle 30 \
      --p99-limit-ms 100000 >"$f" 2>>"$OUT/bench.log" || true
    echo "   $setup @ $rate/s: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["throughput"], r["deliveries"])' "$f" 2>&1 | cut -c1-400)" >&2
    for p in "${nodes[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${nodes[@]}"; do wait "$p" 2>/dev/null || true; done
    sleep 2
  done
done

python3 - "$OUT" <<'PY'
import json, sys, glob, os
print("| setup | rate (broadcasts/s) | devices | deliveries/s offered | deliveries/s achieved | p50 ms | p99 ms | lost | duplicates |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*-rate*.json"))):
    setup = os.path.basename(f).split("-rate")[0]
    try:
        r = json.load(open(f))
    except ValueError:
        print(f"| {setup} | no report | | | | | | | |")
        continue
    st = (r.get("throughput") or [{}])[0]
    d = r["deliveries"]
    print(f"| {setup} | {st.get('offered_publishes_per_sec')} | {r['connect']['connected']} | "
          f"{st.get('offered_deliveries_per_sec')} | {st.get('deliveries_per_sec')} | {st.get('p50_ms')} | "
          f"{st.get('p99_ms')} | {d['lost']} | {d['duplicates']} |")
PY

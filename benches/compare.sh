#!/usr/bin/env bash
# The same `rtctl bench` scenarios against `rtctl serve` and the Node reference server
# (tests/node/bench/node-server.mjs: socket.io 4.8 + @socket.io/redis-adapter, as the guide runs
# it) on this machine, in one run, in two configurations:
#   one  one node of each server;
#   two  two nodes of each server on one Redis (a private redis-server, no persistence): rtctl's
#        Redis-stream log, Node's Redis adapter. Devices are spread over the two nodes (device i on
#        node i mod 2, `--also-url`), publishes go through the first node; memory and CPU are the
#        two nodes' sum.
# Ratios, machine, versions and date go into BENCHMARKS.md between the `compare:begin` /
# `compare:end` markers (replaced on every run). It also runs benches/loopback-floor.py (the
# machine's floor for one write to each of 10k loopback sockets, no server) when FLOOR=1.
#
#   benches/compare.sh                      # 2,000 devices per scenario, both configurations
#   DEVICES=10000 WORKERS=2 benches/compare.sh
#   ONLY=rtctl CONFIGS=one benches/compare.sh   # one server, one configuration (no ratios)
#   SCENARIOS=throughput CONFIGS=one MD=/tmp/bm.md benches/compare.sh   # one scenario, scratch file
#
# Every process started here is stopped by its pid; every scenario is bounded (--settle,
# --connect-timeout, and `timeout` around each run). Results: one JSON report per configuration,
# server and scenario in $OUT/ (<server>-<config>-<scenario>.json) and an SVG chart beside it.
set -euo pipefail
cd "$(dirname "$0")/.."

DEVICES=${DEVICES:-2000}
WORKERS=${WORKERS:-1}
DEPARTMENTS=${DEPARTMENTS:-50}
RATE=${RATE:-20}          # jitter, avalanche: publishes/s of the mixed stream
# throughput, the same ramp for both servers: broadcasts/s from TP_RATE (1/s = DEVICES deliveries/s),
# times TP_FACTOR per step, for at most TP_STEPS steps; each server's ramp ends at its first step
# with any loss or p99 over P99_LIMIT ms (--stop-after-fail). Its sustained rate is its best step
# with 0 lost and p99 <= P99_LIMIT: the servers are compared at the same p99 limit.
TP_RATE=${TP_RATE:-1}
TP_FACTOR=${TP_FACTOR:-1.41421356}   # the square root of 2: two steps per doubling
TP_STEPS=${TP_STEPS:-24}   # a cap: 1 × 1.414^23 ≈ 2,900 broadcasts/s; the ramps normally end earlier
P99_LIMIT=${P99_LIMIT:-250}
DURATION=${DURATION:-3}   # seconds per throughput step; jitter's length; avalanche: RATE x this
HOLD=${HOLD:-3}           # idle: memory is read at the end of the hold
ONLY=${ONLY:-}
CONFIGS=${CONFIGS:-one two}
FLOOR=${FLOOR:-0}
BASE=${BASE:-3220}
REDIS_PORT=${REDIS_PORT:-26420}
RUN_TIMEOUT=${RUN_TIMEOUT:-600}   # seconds, per scenario run
OUT=${OUT:-target/compare}
MD=${MD:-BENCHMARKS.md}     # the file whose compare section is replaced
ALL_SCENARIOS="idle fanout throughput jitter avalanche"
read -r -a SCENARIOS <<<"${SCENARIOS:-$ALL_SCENARIOS}"   # e.g. SCENARIOS=throughput: only that one
for s in "${SCENARIOS[@]}"; do
  case " $ALL_SCENARIOS " in
    *" $s "*) ;;
    *) echo "SCENARIOS: expected some of '$ALL_SCENARIOS', got $s" >&2; exit 3 ;;
  esac
done

mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.log "$OUT"/*.svg
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 20000 ]; then ulimit -n "$hard"; else ulimit -n 20000; fi

echo "== build" >&2
cargo build --release --quiet --bin rtctl
if [ ! -d tests/node/bench/node_modules/@socket.io/redis-adapter ]; then
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

REDIS_PID=
start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$OUT" >"$OUT/redis.log" 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  local i
  for ((i = 0; i < 50; i++)); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "redis-server on $REDIS_PORT did not come up" >&2
  return 1
}

# run_server NAME CONFIG PORT...: starts the nodes, runs every scenario, stops them
run_server() {
  local name=$1 config=$2
  shift 2
  local ports=("$@") pids=() p s seed=0 i=0 redis_flags=() also=""
  [ "$config" = two ] && redis_flags=(--redis "redis://127.0.0.1:$REDIS_PORT")
  echo "== $name, $config: ${ports[*]}" >&2
  for p in "${ports[@]}"; do
    i=$((i + 1))
    case $name in
      rtctl) "$RTCTL" serve --listen "127.0.0.1:$p" --node-id "$name-$config-$i" --drain-timeout 2 \
               --namespace "compare-$config" "${redis_flags[@]}" >"$OUT/$name-$config-$i-server.log" 2>&1 & ;;
      node) node tests/node/bench/node-server.mjs --port "$p" "${redis_flags[@]}" \
              >"$OUT/$name-$config-$i-server.log" 2>&1 & ;;
    esac
    pids+=("$!")
    PIDS+=("$!")
  done
  for p in "${ports[@]}"; do wait_http "$p"; done
  for p in "${ports[@]:1}"; do also="$also,http://127.0.0.1:$p"; done
  also=${also#,}
  sleep 1
  for s in "${SCENARIOS[@]}"; do
    seed=$((seed + 1))
    local f="$OUT/$name-$config-$s.json" rate=(--rate "$RATE")
    [ "$s" = throughput ] && rate=(--rate "$TP_RATE" --rate-factor "$TP_FACTOR" --steps "$TP_STEPS"
                                   --stop-after-fail --p99-limit-ms "$P99_LIMIT")
    timeout "$RUN_TIMEOUT" "$RTCTL" bench "$s" -o json --url "http://127.0.0.1:${ports[0]}" \
      ${also:+--also-url "$also"} --server-pid "${pids[0]}" \
      -n "$DEVICES" --departments "$DEPARTMENTS" --workers "$WORKERS" --seed "$seed" \
      --hold "$HOLD" --rounds 5 "${rate[@]}" --duration "$DURATION" \
      --cut-every 0.5 --cut-fraction 0.1 --settle 60 --connect-timeout 120 \
      --chart "$OUT/$name-$config-$s.svg" >"$f" 2>>"$OUT/$name-$config-bench.log" || true
    python3 - "$f" "$name $config" "$s" >&2 <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"   {sys.argv[2]} {sys.argv[3]}: no report ({e})"); sys.exit()
d = r["deliveries"]
print(f"   {sys.argv[2]} {sys.argv[3]}: {r['connect']['connected']}/{r['devices']} connected, "
      f"{d['received']}/{d['expected']} delivered, {d['lost']} lost, per node {r.get('per_node')}")
for x in r.get("throughput") or []:
    print(f"     {x['offered_publishes_per_sec']:g} broadcasts/s: {x['deliveries_per_sec']:,.0f} deliveries/s, "
          f"p99 {x['p99_ms']} ms, lost {x['lost']}{'' if x.get('sustained') else ', not sustained'}")
PY
    sleep 2
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}

servers=()
for s in rtctl node; do
  if [ -z "$ONLY" ] || [ "$ONLY" = "$s" ]; then servers+=("$s"); fi
done
port=$BASE
for config in $CONFIGS; do
  case $config in
    one) ;;
    two) start_redis ;;
    *) echo "CONFIGS: expected 'one' and/or 'two', got $config" >&2; exit 3 ;;
  esac
  for s in "${servers[@]}"; do
    case $config in
      one) run_server "$s" one "$port"; port=$((port + 1)) ;;
      two) redis-cli -p "$REDIS_PORT" flushall >/dev/null
           run_server "$s" two "$port" "$((port + 1))"; port=$((port + 2)) ;;
    esac
  done
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; REDIS_PID=; fi
done

if [ "$FLOOR" = 1 ]; then
  echo "== loopback floor (no server: one write per socket, 10k sockets)" >&2
  timeout 300 python3 benches/loopback-floor.py 10000 5 "$((BASE + 100))" >"$OUT/floor.json" || true
  cat "$OUT/floor.json" >&2
fi

python3 benches/compare-report.py "$OUT" "$DEVICES" "$WORKERS" "$($RTCTL --version)" \
  "$(node -e 'console.log(require("./tests/node/bench/node_modules/socket.io/package.json").version)' 2>/dev/null || echo n/a)" \
  "$(node --version 2>/dev/null || echo n/a)" "$MD" "$CONFIGS" \
  "TP_RATE=$TP_RATE TP_FACTOR=$TP_FACTOR TP_STEPS=$TP_STEPS P99_LIMIT=$P99_LIMIT DURATION=$DURATION" \
  "${SCENARIOS[*]}"

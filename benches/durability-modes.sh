#!/usr/bin/env bash
# The cost of each --durability mode (issue 9): latency of one serial append to the Redis log
# (benches/append.rs: N appends, then N with an Idempotency-Key, then N bare XADDs for
# reference) on private redis-server processes on free loopback ports:
#   leader        a primary without persistence            --durability leader
#   aof-always    a primary with appendfsync always        --durability leader
#   replicated    a primary + one local replica             --durability replicated (WAIT 1)
# Every process started here is stopped by its pid. One JSON line per setup in $OUT/.
#
#   benches/durability-modes.sh            # ~1 minute on 2 cores
#   N=20000 OUT=target/durability-modes benches/durability-modes.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-5000}
OUT=${OUT:-target/durability-modes}
BASE=${BASE:-26410}
mkdir -p "$OUT"
rm -f "$OUT"/*.json

cargo bench --bench append --no-run --quiet 2>/dev/null
BIN=$(ls -t target/release/deps/append-* | grep -v '\.d$' | head -1)

PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT

redis() { # port dir args...
  local port=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --dir "$dir" "$@" >"$dir/redis.log" 2>&1 &
  PIDS+=("$!")
  for ((i = 0; i < 50; i++)); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "redis on $port did not come up" >&2
  return 1
}

redis $BASE "$OUT/leader" --appendonly no
redis $((BASE + 1)) "$OUT/aof" --appendonly yes --appendfsync always
redis $((BASE + 2)) "$OUT/primary" --appendonly no
redis $((BASE + 3)) "$OUT/replica" --appendonly no --replicaof 127.0.0.1 $((BASE + 2))
for ((i = 0; i < 100; i++)); do
  redis-cli -p $((BASE + 2)) info replication | grep -q 'state=online' && break
  sleep 0.1
done
echo "== $(redis-server --version | cut -d' ' -f3), $(nproc) cores, kernel $(uname -r), N=$N" >&2

"$BIN" "redis://127.0.0.1:$BASE/" leader "$N" >"$OUT/leader.json"
"$BIN" "redis://127.0.0.1:$((BASE + 1))/" leader "$N" >"$OUT/aof-always.json"
"$BIN" "redis://127.0.0.1:$((BASE + 2))/" replicated "$N" >"$OUT/replicated.json"

python3 - "$OUT" <<'PY'
import json, sys, os
print("| setup | bare XADD p50 / p99 ms | rtctl append p50 / p99 ms | with Idempotency-Key p50 / p99 ms | appends/s (one at a time) |")
print("|---|---:|---:|---:|---:|")
for name in ["leader", "aof-always", "replicated"]:
    r = json.load(open(os.path.join(sys.argv[1], name + ".json")))
    f = lambda k: f"{r[k]['p50_ms']} / {r[k]['p99_ms']}"
    print(f"| {name}: {r['durability']} | {f('bare_xadd')} | {f('append')} | {f('append_with_idempotency_key')} | {r['append']['per_s']:.0f} |")
PY

#!/usr/bin/env bash
# rtctl serve vs the Node socket.io reference server, side by side on this machine (issue 3).
#
#   benches/serve-vs-node.sh            # both servers, prints a table (~3-5 minutes on 2 cores)
#   ONLY=rtctl benches/serve-vs-node.sh # one server
#
# For each server, in the same run: start it on loopback; hold 1k / 5k / 10k / 19k idle
# subscribed devices with load-generator processes (examples/loadgen.rs; each process holds
# at most 9k sockets, with its own source address) and read the server's VmRSS at each
# step; then 10k devices receive BROADCASTS broadcasts (latency per receiver); then 10k devices
# under a stream of broadcasts offered at STREAM_RATE publishes/s for STREAM_SECS (deliveries/s,
# server CPU from /proc/PID/stat around the publishing). Every generator and server started
# here is stopped by its pid. Results: one JSON line per phase in $OUT/, the table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

ONLY=${ONLY:-}
BROADCASTS=${BROADCASTS:-5}       # broadcasts per generator run
BCAST_RUNS=${BCAST_RUNS:-3}       # generator runs (fresh 10k connections each)
STREAM_RUNS=${STREAM_RUNS:-2}
STREAM_RATE=${STREAM_RATE:-50}   # broadcasts/s to 10k devices = 500k deliveries/s offered
STREAM_SECS=${STREAM_SECS:-8}
RTCTL_PORT=${RTCTL_PORT:-3210}
NODE_PORT=${NODE_PORT:-3211}
OUT=${OUT:-target/serve-vs-node}
STEPS=(1000 4000 5000 9000)       # added per step: 1k, 5k, 10k, 19k held

mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.log

# one process may hold ~19.9k sockets under the 20,000 open-file limit
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 20000 ]; then ulimit -n "$hard"; else ulimit -n 20000; fi
echo "== open-file limit $(ulimit -n), $(nproc) cores, kernel $(uname -r)" >&2

echo "== build" >&2
cargo build --release --quiet --bin rtctl --example loadgen
if [ ! -d tests/node/bench/node_modules/socket.io ]; then
  npm ci --prefix tests/node/bench --no-audit --no-fund --loglevel=error >&2
fi
GEN=target/release/examples/loadgen

PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# waits (bounded) until FILE has a line
wait_line() {
  local file=$1 secs=$2 i
  for ((i = 0; i < secs * 10; i++)); do
    [ -s "$file" ] && return 0
    sleep 0.1
  done
  echo "timed out waiting for $file" >&2
  return 1
}

wait_http() {
  local port=$1 i
  for ((i = 0; i < 100; i++)); do
    curl -sf "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server on $port did not come up" >&2
  return 1
}

# source addresses: a fresh one per generator process (127.0.0.<ip>), so that no
# (source, destination) pair runs out of ephemeral ports or meets its own TIME_WAITs
ip=20
next_ip() { ip=$((ip + 1)); SRC="127.0.0.$ip"; }

run_server() {
  local name=$1 port=$2 pid
  echo "== $name on 127.0.0.1:$port" >&2
  case $name in
    rtctl)
      target/release/rtctl serve --listen "127.0.0.1:$port" --drain-timeout 2 \
        >"$OUT/$name-server.log" 2>&1 &
      ;;
    node)
      node tests/node/bench/node-server.mjs --port "$port" >"$OUT/$name-server.log" 2>&1 &
      ;;
  esac
  pid=$!
  PIDS+=("$pid")
  wait_http "$port"
  sleep 1
  echo "{\"server\":\"$name\",\"base_rss_kib\":$(rss_kib "$pid")}" >"$OUT/$name-base.json"

  # idle steps
  local held=0 gens=() n f
  for n in "${STEPS[@]}"; do
    next_ip
    f="$OUT/$name-idle-$((held + n)).json"
    "$GEN" --server "127.0.0.1:$port" --mode idle --conns "$n" --id-prefix "$name-i$held" \
      --src-ip "$SRC" --hold-secs 300 --label "$name idle +$n" >"$f" 2>>"$OUT/$name-gen.log" &
    gens+=("$!")
    PIDS+=("$!")
    wait_line "$f" 200
    held=$((held + n))
    sleep 3
    echo "{\"server\":\"$name\",\"held\":$held,\"rss_kib\":$(rss_kib "$pid")}" >"$OUT/$name-rss-$held.json"
    echo "   $held idle: VmRSS $(rss_kib "$pid") KiB" >&2
  done
  for g in "${gens[@]}"; do kill "$g" 2>/dev/null || true; done
  for g in "${gens[@]}"; do wait "$g" 2>/dev/null || true; done
  sleep 3

  # broadcast to 10k
  local r
  for ((r = 1; r <= BCAST_RUNS; r++)); do
    next_ip
    "$GEN" --server "127.0.0.1:$port" --mode broadcast --conns 10000 --id-prefix "$name-b$r" \
      --src-ip "$SRC" --broadcasts "$BROADCASTS" --interval-ms 1000 --server-pid "$pid" \
      --label "$name broadcast $r" >"$OUT/$name-broadcast-$r.json" 2>>"$OUT/$name-gen.log"
    echo "   broadcast $r: $(cut -c1-150 "$OUT/$name-broadcast-$r.json")" >&2
    sleep 2
  done

  # sustained stream of broadcasts to 10k
  for ((r = 1; r <= STREAM_RUNS; r++)); do
    next_ip
    "$GEN" --server "127.0.0.1:$port" --mode stream --conns 10000 --id-prefix "$name-s$r" \
      --src-ip "$SRC" --rate "$STREAM_RATE" --duration-secs "$STREAM_SECS" --settle-secs 30 \
      --server-pid "$pid" --label "$name stream $r" >"$OUT/$name-stream-$r.json" \
      2>>"$OUT/$name-gen.log"
    echo "   stream $r: $(cut -c1-150 "$OUT/$name-stream-$r.json")" >&2
    sleep 2
  done

  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

for s in rtctl node; do
  [ -n "$ONLY" ] && [ "$ONLY" != "$s" ] && continue
  case $s in
    rtctl) run_server rtctl "$RTCTL_PORT" ;;
    node) run_server node "$NODE_PORT" ;;
  esac
done

echo "== loopback floor (no server: one write per socket, 10k sockets)" >&2
python3 benches/loopback-floor.py 10000 5 "$((RTCTL_PORT + 100))" >"$OUT/floor.json"
cat "$OUT/floor.json" >&2

python3 benches/serve-vs-node-report.py "$OUT"

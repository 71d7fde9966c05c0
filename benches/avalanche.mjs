// Reconnect avalanche, side by side in one run (issue 8): N official socket.io-client devices
// (several processes of tests/node/devices.mjs, the guide's options, departments joined with
// `subscribe-department` on every connect) on one node, a steady stream of department, direct and
// broadcast notifications, then EVERY device connection cut at once (`ss -K`) — and, for rtctl on
// Redis, the node killed with SIGKILL and restarted. Measured per server: delivered / expected
// (by payload sequence number, duplicates counted), devices back (reconnects, sessions recovered),
// and the time from the cut to the last device receiving the notification published right
// after it (the last device caught up).
//
//   ulimit -n 20000; node benches/avalanche.mjs [--devices 10000] [--only rtctl|node]
//
// Needs: `cargo build --release`, `npm ci --prefix tests/node`, `npm ci --prefix tests/node/bench`,
// redis-server and ss (iproute2). Prints one JSON line per run and a Markdown table. Every process
// it starts is stopped at the end; every loop is bounded.
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const DEVICES = Number(opt("--devices", "10000"));
const ONLY = opt("--only", "");
const PER_PROCESS = 2500;
const DEPARTMENTS = 10;
const PUBLISHES = 100;
const CUT_AT = 40;
const children = [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
const device = (i) => `dev-${String(i).padStart(5, "0")}`;

function start(cmd, argv, opts = {}) {
  const c = spawn(cmd, argv, { stdio: ["pipe", "pipe", "inherit"], ...opts });
  children.push(c);
  return c;
}

async function waitLive(port) {
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health/live`);
      if (r.ok) return;
    } catch {}
    await sleep(50);
  }
  throw new Error(`server on ${port} did not come up`);
}

async function publish(port, target, payload) {
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/notifications`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ target, payload }),
      });
      if (r.status === 202) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`publish ${JSON.stringify(payload)} not accepted`);
}

// A device process: lines on stdout (READY, then the report).
function deviceProcess(cfg) {
  const c = start("node", [path.join(root, "tests/node/devices.mjs"), JSON.stringify(cfg)], {
    cwd: path.join(root, "tests/node"),
  });
  const lines = createInterface({ input: c.stdout });
  const queue = [];
  let wake = null;
  lines.on("line", (l) => {
    queue.push(l);
    if (wake) wake();
  });
  const next = async () => {
    while (!queue.length) await new Promise((r) => (wake = r));
    wake = null;
    return queue.shift();
  };
  return { c, next };
}

function target(k) {
  switch (k % 5) {
    case 0:
      return { all: true };
    case 1:
    case 3:
      return { department: `D${k % DEPARTMENTS}` };
    default:
      return { device: device((k * 37) % DEVICES) };
  }
}

function wants(t, i) {
  if (t.all) return true;
  if (t.department) return t.department === `D${i % DEPARTMENTS}`;
  return t.device === device(i);
}

// One run: `server` is {name, port, publishPort, kill?: async () => {...}}.
async function run(server, failure) {
  const procs = Math.ceil(DEVICES / PER_PROCESS);
  const groups = [];
  for (let p = 0; p < procs; p++) {
    const ids = [];
    const eventDepartments = {};
    for (let i = p; i < DEVICES; i += procs) {
      ids.push(device(i));
      eventDepartments[device(i)] = `D${i % DEPARTMENTS}`;
    }
    const d = deviceProcess({
      url: `http://127.0.0.1:${server.port}`,
      ids,
      eventDepartments,
      transports: ["websocket"],
      timeoutMs: 180000,
      connectPerTick: 50,
      retryConnectErrors: true,
    });
    groups.push({ ids, d });
  }
  for (const g of groups) {
    const l = await g.d.next();
    if (!l.startsWith("READY")) throw new Error(`devices: ${l}`);
  }
  const want = new Map();
  let cutAt = 0;
  for (let k = 0; k < PUBLISHES; k++) {
    if (k === CUT_AT) {
      cutAt = Date.now();
      await failure();
    }
    const t = target(k);
    const payload = k === CUT_AT ? { k, marker: true } : { k };
    await publish(server.publishPort, t, payload);
    for (let i = 0; i < DEVICES; i++) {
      if (wants(t, i)) {
        const id = device(i);
        if (!want.has(id)) want.set(id, []);
        want.get(id).push(k);
      }
    }
    await sleep(50);
  }
  const reports = [];
  for (const g of groups) {
    const expect = {};
    for (const id of g.ids) expect[id] = (want.get(id) || []).length;
    g.d.c.stdin.write(JSON.stringify({ expect }) + "\n");
  }
  for (const g of groups) reports.push(JSON.parse(await g.d.next()));
  let expected = 0, delivered = 0, lost = 0, dup = 0, recovered = 0, reconnects = 0, back = 0;
  const markerMs = [];
  for (const r of reports) {
    for (const [id, evs] of Object.entries(r.received)) {
      const ks = evs.map((e) => e[1] && e[1].k).filter((k) => typeof k === "number");
      const seen = new Set(ks);
      dup += ks.length - seen.size;
      const w = want.get(id) || [];
      expected += w.length;
      for (const k of w) {
        if (seen.has(k)) delivered += 1;
        else lost += 1;
      }
      const n = r.connects[id] || 0;
      reconnects += Math.max(0, n - 1);
      if (n > 1) back += 1;
      recovered += r.recovered[id] || 0;
      if (r.markers[id] !== undefined) markerMs.push(r.markers[id] - cutAt);
    }
  }
  markerMs.sort((a, b) => a - b);
  const q = (x) => (markerMs.length ? markerMs[Math.min(markerMs.length - 1, Math.floor(markerMs.length * x))] : NaN);
  for (const g of groups) g.d.c.kill();
  return {
    server: server.name,
    failure: failure.label,
    devices: DEVICES,
    expected,
    delivered,
    lost,
    duplicates: dup,
    devices_back: back,
    sessions_recovered: recovered,
    caught_up_p50_ms: q(0.5),
    caught_up_p99_ms: q(0.99),
    last_caught_up_ms: markerMs.length ? markerMs[markerMs.length - 1] : NaN,
    marker_received_by: markerMs.length,
  };
}

const cutAll = (port) => {
  const f = async () => {
    spawnSync("ss", ["-K", "dst", "127.0.0.1", "sport", "=", `:${port}`]);
  };
  f.label = "every connection cut at once";
  return f;
};

function rtctl(port, flags) {
  return start(path.join(root, "target/release/rtctl"), ["serve", "--listen", `127.0.0.1:${port}`, "--node-id", `n${port}`, ...flags], {
    env: { ...process.env, RUST_LOG: "warn" },
  });
}

const results = [];
try {
  if (ONLY !== "node") {
    // rtctl, embedded (one node, log in memory): cut every connection.
    const port = await freePort();
    const s = rtctl(port, []);
    await waitLive(port);
    results.push(await run({ name: "rtctl serve (embedded)", port, publishPort: port }, cutAll(port)));
    console.log(JSON.stringify(results.at(-1)));
    s.kill("SIGKILL");

    // rtctl on Redis: cut every connection; then kill -9 the node and restart it at once,
    // publishing through a second node meanwhile.
    const rport = await freePort();
    const redis = start("redis-server", ["--port", String(rport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
    await sleep(300);
    const flags = ["--redis", `redis://127.0.0.1:${rport}`, "--namespace", "avalanche"];
    const a = await freePort();
    const b = await freePort();
    let na = rtctl(a, flags);
    const nb = rtctl(b, flags);
    await waitLive(a);
    await waitLive(b);
    results.push(await run({ name: "rtctl serve (Redis)", port: a, publishPort: b }, cutAll(a)));
    console.log(JSON.stringify(results.at(-1)));
    const kill = async () => {
      const gone = new Promise((r) => na.once("exit", r));
      na.kill("SIGKILL");
      await gone;
      na = rtctl(a, flags);
    };
    kill.label = "node killed (SIGKILL) and restarted";
    results.push(await run({ name: "rtctl serve (Redis)", port: a, publishPort: b }, kill));
    console.log(JSON.stringify(results.at(-1)));
    na.kill("SIGKILL");
    nb.kill("SIGKILL");
    redis.kill("SIGKILL");
  }
  if (ONLY !== "rtctl") {
    const port = await freePort();
    const s = start("node", [path.join(root, "tests/node/bench/node-server.mjs"), "--port", String(port), "--recovery"]);
    await waitLive(port);
    results.push(await run({ name: "Node socket.io 4.8.4 + connection state recovery", port, publishPort: port }, cutAll(port)));
    console.log(JSON.stringify(results.at(-1)));
    s.kill("SIGKILL");
  }
} finally {
  for (const c of children) {
    try {
      c.kill("SIGKILL");
    } catch {}
  }
}

console.log("\n| server | failure | delivered / expected | duplicates | devices back | sessions recovered | last device caught up (p50 / p99 / last) |");
console.log("|---|---|---|---|---|---|---|");
for (const r of results) {
  console.log(
    `| ${r.server} | ${r.failure} | ${r.delivered.toLocaleString("en")} / ${r.expected.toLocaleString("en")} | ${r.duplicates} | ${r.devices_back.toLocaleString("en")} | ${r.sessions_recovered.toLocaleString("en")} | ${r.caught_up_p50_ms} / ${r.caught_up_p99_ms} / ${r.last_caught_up_ms} ms |`,
  );
}
process.exit(0);

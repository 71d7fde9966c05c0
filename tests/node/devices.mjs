// Devices as the guide's createSocket() makes them, driven by the Rust tests of `rtctl serve`.
// Usage: node devices.mjs '<json config>'
// config: {url, ids:[...], departments:{id: dept}, transports?, subscribe?: dept, expect: n,
//          timeoutMs, noIdentity?: bool, auth?: {...extra auth keys, e.g. offset}}
// Prints "READY <n>" once every device is connected (and subscribed), then one JSON line
// {"ok":true, received: {deviceId: [[event, payload, offset], ...]}} when every device has
// `expect` notifications (or on stdin EOF / timeout, with ok:false).
import { io } from "socket.io-client";

const cfg = JSON.parse(process.argv[2]);
const received = {};
let done = false;
function finish(ok, extra = {}) {
  if (done) return;
  done = true;
  // Exit only once the (possibly large) line is flushed: a pipe write is asynchronous.
  process.stdout.write(JSON.stringify({ ok, received, ...extra }) + "\n", () => process.exit(ok ? 0 : 1));
}
setTimeout(() => finish(false, { error: `timeout after ${cfg.timeoutMs} ms` }), cfg.timeoutMs);
process.stdin.on("end", () => finish(false, { error: "stdin closed" }));
// A line {"expect": {deviceId: n, ...}} on stdin sets per-device expectations.
let expectBy = null;
let pending = "";
process.stdin.on("data", (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line.trim()) {
      expectBy = JSON.parse(line).expect;
      if (typeof check === "function") check();
    }
  }
});
process.stdin.resume();
let check;

if (cfg.noIdentity) {
  const s = io(cfg.url, { reconnection: false, forceNew: true, transports: cfg.transports });
  s.on("connect", () => finish(false, { error: "connected without an identity" }));
  s.on("connect_error", (e) => finish(true, { connectError: e.message }));
} else {
  let ready = 0;
  check = () => {
    const enough = expectBy
      ? Object.entries(expectBy).every(([id, n]) => (received[id] || []).length >= n)
      : cfg.expect !== undefined && Object.values(received).every((r) => r.length >= cfg.expect);
    if (enough && ready === cfg.ids.length) finish(true);
  };
  for (const id of cfg.ids) {
    received[id] = [];
    const dept = cfg.departments?.[id];
    const s = io(cfg.url, {
      forceNew: true,
      transports: cfg.transports,
      extraHeaders: { "x-device-id": id, "x-device-type": "tablet", ...(dept ? { "x-department-id": dept } : {}) },
      query: { deviceId: id },
      auth: { token: "t", deviceId: id, ...(cfg.auth || {}) },
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
    });
    for (const ev of ["notification", "notification:direct", "notification:broadcast", "notification:gap"]) {
      s.on(ev, (...args) => {
        received[id].push([ev, ...args]);
        check();
      });
    }
    let first = true;
    s.on("connect", async () => {
      if (!first) return;
      first = false;
      if (cfg.subscribe) {
        const ack = await s.timeout(5000).emitWithAck("subscribe-department", { departmentId: cfg.subscribe });
        if (ack.status !== "subscribed" || ack.room !== `department:${cfg.subscribe}`) {
          finish(false, { error: `subscribe ack ${JSON.stringify(ack)}` });
        }
        const bad = await s.timeout(5000).emitWithAck("subscribe-department", { departmentId: "bad id!" });
        if (bad.status !== "error" || !bad.message) finish(false, { error: `bad subscribe ack ${JSON.stringify(bad)}` });
      }
      ready += 1;
      if (ready === cfg.ids.length) console.log(`READY ${ready}`);
      check();
    });
    s.on("connect_error", (e) => finish(false, { error: `connect_error ${id}: ${e.message}` }));
  }
}

// Devices as the guide's createSocket() makes them, driven by the Rust tests of `rtctl serve`.
// Usage: node devices.mjs '<json config>'
// config: {url, ids:[...], departments:{id: dept}, transports?, subscribe?: dept, expect: n,
//          timeoutMs, noIdentity?: bool, auth?: {...extra auth keys, e.g. offset},
//          connectPerTick?: n (open n sockets every 50 ms instead of all at once),
//          retryConnectErrors?: bool (a transport error while connecting is retried by the
//          client's own reconnection instead of failing; a refusal by the server still fails),
//          eventDepartments?: {id: dept} (as the guide's devices: no department header; the
//          device emits subscribe-department on EVERY connect, reconnects included),
//          offsets?: {id: offset} (per-device auth.offset, as an app restart would send)}
// Stdin lines: {"expect": {deviceId: n}} sets per-device expectations; {"unsubscribe": {id: dept}}
// makes those devices emit unsubscribe-department and prints "UNSUBSCRIBED <n>" once all are
// acked (their ack times are in the report's `unsubscribedAt`); {"exit": true} reports now.
// Prints "READY <n>" once every device is connected (and subscribed), then one JSON line
// {"ok":true, received: {deviceId: [[event, payload, offset], ...]}} when every device has
// `expect` notifications (or on stdin EOF / timeout, with ok:false).
import { io } from "socket.io-client";

const cfg = JSON.parse(process.argv[2]);
const received = {};
// Receipt time (ms since the epoch) of the notification whose payload has `marker: true`.
const markers = {};
// Connects whose CONNECT reply restored the session (socket.recovered), per device.
const recovered = {};
// Connects per device (the first one included).
const connects = {};
const unsubscribedAt = {};
const sockets = {};
let done = false;
function finish(ok, extra = {}) {
  if (done) return;
  done = true;
  // Exit only once the (possibly large) line is flushed: a pipe write is asynchronous.
  process.stdout.write(JSON.stringify({ ok, received, markers, recovered, connects, unsubscribedAt, ...extra }) + "\n", () => process.exit(ok ? 0 : 1));
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
      const cmd = JSON.parse(line);
      if (cmd.expect) {
        expectBy = cmd.expect;
        if (typeof check === "function") check();
      }
      if (cmd.unsubscribe) unsubscribe(cmd.unsubscribe);
      if (cmd.exit) finish(true);
    }
  }
});
process.stdin.resume();
let check;

async function unsubscribe(which) {
  const entries = Object.entries(which);
  await Promise.all(
    entries.map(async ([id, dept]) => {
      // An app that leaves a department stops re-joining it on reconnect.
      if (cfg.eventDepartments?.[id] === dept) delete cfg.eventDepartments[id];
      const ack = await sockets[id].timeout(10000).emitWithAck("unsubscribe-department", { departmentId: dept });
      if (ack.status !== "unsubscribed") finish(false, { error: `unsubscribe ack ${id} ${JSON.stringify(ack)}` });
      unsubscribedAt[id] = Date.now();
    }),
  );
  console.log(`UNSUBSCRIBED ${entries.length}`);
}

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
  const perTick = cfg.connectPerTick || cfg.ids.length;
  cfg.ids.forEach((id, i) => {
    received[id] = [];
    if (i < perTick) start(id);
    else setTimeout(() => start(id), 50 * Math.floor(i / perTick));
  });
  function start(id) {
    const dept = cfg.departments?.[id];
    const offset = cfg.offsets?.[id];
    const s = io(cfg.url, {
      forceNew: true,
      transports: cfg.transports,
      extraHeaders: { "x-device-id": id, "x-device-type": "tablet", ...(dept ? { "x-department-id": dept } : {}) },
      query: { deviceId: id },
      auth: { token: "t", deviceId: id, ...(cfg.auth || {}), ...(offset ? { offset } : {}) },
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
    });
    for (const ev of ["notification", "notification:direct", "notification:broadcast", "notification:gap"]) {
      s.on(ev, (...args) => {
        if (args[0] && args[0].marker === true && markers[id] === undefined) markers[id] = Date.now();
        received[id].push([ev, ...args]);
        check();
      });
    }
    sockets[id] = s;
    recovered[id] = 0;
    connects[id] = 0;
    let first = true;
    s.on("connect", async () => {
      connects[id] += 1;
      if (s.recovered) recovered[id] += 1;
      const eventDept = cfg.eventDepartments?.[id];
      if (eventDept) {
        // The guide's device: (re)join its department by event on every connect.
        try {
          const ack = await s.timeout(10000).emitWithAck("subscribe-department", { departmentId: eventDept });
          if (ack.status !== "subscribed") finish(false, { error: `subscribe ack ${id} ${JSON.stringify(ack)}` });
        } catch (e) {
          // the connection was cut before the ack: the next connect subscribes again
          if (first) return;
        }
      }
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
    s.on("connect_error", (e) => {
      // A transport error (e.g. a gateway answering 502 during a connect storm) is retried by
      // the client; anything the server itself refused is not.
      if (cfg.retryConnectErrors && ["websocket error", "timeout", "xhr poll error"].includes(e.message)) return;
      finish(false, { error: `connect_error ${id}: ${e.message}` });
    });
  }
}

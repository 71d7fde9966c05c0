// The guide's NestJS notification gateway, in plain socket.io 4.8 (no NestJS, no Redis adapter):
// the reference server that benches/compare.sh (and benches/durability.sh) run beside `rtctl serve`.
//
//   node tests/node/bench/node-server.mjs --port 3100 [--host 127.0.0.1] [--redis redis://127.0.0.1:6379] [--recovery]
//
// With --recovery, socket.io's own connection state recovery is on (in-memory adapter,
// maxDisconnectionDuration 2 min): the reference for benches/avalanche.mjs.
//
// With --redis, several of these processes form one cluster through @socket.io/redis-adapter 8.3
// (plain Redis pub/sub, at-most-once, key prefix "rtctl-bench-node"), node-redis 5 clients.
//
// Same wire behaviour as `rtctl serve` on one node:
// - identity: header x-device-id, else query deviceId, else auth.deviceId; refused without one;
// - every socket joins `device:<id>`, and `department:<x-department-id>` when the header is set;
// - `subscribe-department` {departmentId} joins `department:<id>` and acks
//   {status: "subscribed", room} (the guide's handler), `unsubscribe-department` leaves;
// - POST /api/v1/notifications {"target": {"department": D} | {"device": ID} | {"all": true},
//   "payload": …} → 202 {"id": "<n>"}, emitting `notification` / `notification:direct` /
//   `notification:broadcast` with the payload as the only argument (no offset argument:
//   there is no log here, which also makes this server's packets a few bytes shorter).
// Differences from the guide kept on purpose: a direct notification is one room lookup
// (`device:<id>`), not the guide's fetchSockets() scan, and nothing is logged per connection
// (the guide logs every connect through NestJS' Logger), so Node is measured at its best.
import http from "node:http";
import { Server } from "socket.io";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const port = Number(opt("--port", "3100"));
const host = opt("--host", "127.0.0.1");
const redisUrl = opt("--redis", "");
const recovery = args.includes("--recovery");
const MAX_BODY = 64 * 1024;
const ID = /^[A-Za-z0-9._:-]{1,50}$/;

let seq = 0;
const json = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
};

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/health/live") {
    return json(res, 200, { status: "ok" });
  }
  if (req.method !== "POST" || req.url !== "/api/v1/notifications") {
    return json(res, 404, { error: "not found" });
  }
  const chunks = [];
  let size = 0;
  let tooBig = false;
  req.on("data", (c) => {
    size += c.length;
    if (size > MAX_BODY) tooBig = true;
    else chunks.push(c);
  });
  req.on("end", () => {
    if (tooBig) return json(res, 413, { error: `body larger than ${MAX_BODY} bytes` });
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch (e) {
      return json(res, 400, { error: `invalid JSON: ${e.message}` });
    }
    const t = body && body.target;
    if (!t || typeof t !== "object" || Object.keys(t).length !== 1) {
      return json(res, 400, { error: "target must have exactly one of department, device, all" });
    }
    if (!("payload" in body)) return json(res, 400, { error: "missing payload" });
    const p = body.payload;
    if (typeof t.department === "string" && ID.test(t.department)) {
      io.to(`department:${t.department}`).emit("notification", p);
    } else if (typeof t.device === "string" && ID.test(t.device)) {
      io.to(`device:${t.device}`).emit("notification:direct", p);
    } else if (t.all === true) {
      io.emit("notification:broadcast", p);
    } else {
      return json(res, 400, { error: "unknown or invalid target" });
    }
    seq += 1;
    json(res, 202, { id: String(seq) });
  });
});

// The guide's gateway options (CORS, websocket + polling); Engine.IO defaults otherwise
// (pingInterval 25 s, pingTimeout 20 s, maxHttpBufferSize 1e6, no compression).
const io = new Server(server, {
  cors: { origin: true, credentials: true },
  transports: ["websocket", "polling"],
  ...(recovery ? { connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true } } : {}),
});

if (redisUrl) {
  const { createClient } = await import("redis");
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub, { key: "rtctl-bench-node" }));
}

io.use((socket, next) => {
  const h = socket.handshake;
  const deviceId = h.headers["x-device-id"] || h.query.deviceId || (h.auth && h.auth.deviceId);
  if (typeof deviceId !== "string" || !ID.test(deviceId)) {
    return next(new Error("missing or invalid device id (header x-device-id, query deviceId or auth.deviceId)"));
  }
  socket.data.deviceId = deviceId;
  socket.data.departmentId = h.headers["x-department-id"] || (h.auth && h.auth.departmentId);
  socket.data.userId = h.auth && h.auth.userId;
  next();
});

io.on("connection", (socket) => {
  socket.join(`device:${socket.data.deviceId}`);
  if (typeof socket.data.departmentId === "string" && ID.test(socket.data.departmentId)) {
    socket.join(`department:${socket.data.departmentId}`);
  }
  const dept = (data) =>
    data && typeof data.departmentId === "string" && ID.test(data.departmentId)
      ? data.departmentId
      : null;
  socket.on("subscribe-department", (data, ack) => {
    const d = dept(data);
    const reply = d
      ? (socket.join(`department:${d}`), { status: "subscribed", room: `department:${d}` })
      : { status: "error", message: "expected {departmentId: ID}" };
    if (typeof ack === "function") ack(reply);
  });
  socket.on("unsubscribe-department", (data, ack) => {
    const d = dept(data);
    const reply = d
      ? (socket.leave(`department:${d}`), { status: "unsubscribed", room: `department:${d}` })
      : { status: "error", message: "expected {departmentId: ID}" };
    if (typeof ack === "function") ack(reply);
  });
});

server.listen(port, host, () => {
  console.error(`node-server: socket.io 4.8 on ${host}:${port} (pid ${process.pid})${redisUrl ? " with the Redis adapter" : ""}`);
});
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => {
    io.close();
    process.exit(0);
  });
}

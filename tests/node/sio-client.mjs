// Drives the official socket.io-client / engine.io-client against an engine
// server. Usage: node sio-client.mjs <scenario> <base-url>
// Prints one JSON line {"ok":true,...} or {"ok":false,"error":...}; exit 0/1.
// Every scenario is bounded by a timeout.
import { io } from "socket.io-client";
import { Socket as EioSocket } from "engine.io-client";

const [, , scenario, base] = process.argv;
const TIMEOUT_MS = Number(process.env.SCENARIO_TIMEOUT_MS || 8000);

function fail(msg) {
  console.log(JSON.stringify({ ok: false, scenario, error: String(msg) }));
  process.exit(1);
}
function ok(extra = {}) {
  console.log(JSON.stringify({ ok: true, scenario, ...extra }));
  process.exit(0);
}
function assert(cond, msg) {
  if (!cond) fail(msg);
}
function deepEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
function once(emitter, ev) {
  return new Promise((resolve) => emitter.once(ev, (...args) => resolve(args)));
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

setTimeout(() => fail(`timeout after ${TIMEOUT_MS} ms`), TIMEOUT_MS);

function connect(opts = {}, nsp = "/") {
  return io(base + (nsp === "/" ? "" : nsp), {
    reconnection: false,
    forceNew: true,
    ...opts,
  });
}

async function connected(socket) {
  const [r] = await Promise.race([
    once(socket, "connect").then(() => ["connect"]),
    once(socket, "connect_error").then(([e]) => [`connect_error: ${e && e.message}`]),
  ]);
  if (r !== "connect") fail(r);
}

// message / message-back, message-with-ack, emit-with-ack on one socket
async function roundTrips(socket, tag) {
  const back = once(socket, "message-back");
  socket.emit("message", tag, 1, { b: 2, a: [true, null] });
  const [m0, m1, m2] = await back;
  assert(m0 === tag && m1 === 1 && deepEqual(m2, { b: 2, a: [true, null] }), `message-back ${JSON.stringify([m0, m1, m2])}`);
  // client -> server ack
  const acked = await socket.timeout(3000).emitWithAck("message-with-ack", tag, { x: "y" });
  assert(acked === tag, `ack ${JSON.stringify(acked)}`);
}

const scenarios = {
  // socket.io-client with the given transports; checks auth event, events, acks
  async polling() {
    const s = connect({ transports: ["polling"], auth: { token: "abc", deviceId: "D1" } });
    const authEv = once(s, "auth");
    await connected(s);
    const [auth] = await authEv;
    assert(deepEqual(auth, { token: "abc", deviceId: "D1" }), `auth ${JSON.stringify(auth)}`);
    assert(s.io.engine.transport.name === "polling", "transport");
    await roundTrips(s, "p");
    const transport = s.io.engine.transport.name;
    s.disconnect();
    ok({ transport, id: s.id === undefined });
  },
  async websocket() {
    const s = connect({ transports: ["websocket"] });
    const authEv = once(s, "auth");
    await connected(s);
    const [auth] = await authEv;
    assert(deepEqual(auth, {}), `auth ${JSON.stringify(auth)}`);
    await roundTrips(s, "w");
    const transport = s.io.engine.transport.name;
    s.disconnect();
    ok({ transport });
  },
  async upgrade() {
    const s = connect({ transports: ["polling", "websocket"] });
    await connected(s);
    const engine = s.io.engine;
    if (engine.transport.name !== "websocket") await once(engine, "upgrade");
    assert(engine.transport.name === "websocket", "not upgraded");
    await roundTrips(s, "u");
    // keep it open across a few heartbeats on the new transport
    await sleep(800);
    assert(s.connected, "disconnected after upgrade");
    await roundTrips(s, "u2");
    s.disconnect();
    ok({ transport: engine.transport.name });
  },
  // acks both ways, including the server asking the client for an ack
  async acks() {
    for (const transports of [["polling"], ["websocket"]]) {
      const s = connect({ transports });
      await connected(s);
      const r = await s.timeout(3000).emitWithAck("message-with-ack", 1, "2", { 3: [false] });
      assert(r === 1, `client->server ack first arg ${JSON.stringify(r)}`);
      // the server emits "emit-with-ack" asking for an ack, then echoes the ack args
      let step = 0;
      const done = new Promise((resolve) => {
        s.on("emit-with-ack", (...args) => {
          const cb = typeof args[args.length - 1] === "function" ? args.pop() : null;
          if (step === 0) {
            assert(cb, "server emit carried no ack callback");
            assert(deepEqual(args, ["q", { n: 1 }]), `server emit args ${JSON.stringify(args)}`);
            step = 1;
            cb("answer", { ok: true });
          } else {
            assert(deepEqual(args, ["answer", { ok: true }]), `echoed ack ${JSON.stringify(args)}`);
            resolve();
          }
        });
      });
      s.emit("emit-with-ack", "q", { n: 1 });
      await done;
      s.disconnect();
    }
    ok();
  },
  async binary() {
    for (const transports of [["polling"], ["websocket"]]) {
      const s = connect({ transports });
      await connected(s);
      const a = Buffer.from([1, 2, 3]);
      const b = Buffer.from([0, 255, 254, 253, 0]);
      const back = once(s, "message-back");
      s.emit("message", a, { nested: b, t: "x" }, "end");
      const [x, y, z] = await back;
      assert(Buffer.from(x).equals(a), "binary arg 0");
      assert(Buffer.from(y.nested).equals(b) && y.t === "x", "nested binary");
      assert(z === "end", "trailing arg");
      const big = Buffer.alloc(200000, 7);
      const r = await s.timeout(3000).emitWithAck("message-with-ack", big, "tail");
      assert(Buffer.from(r).equals(big), "binary ack");
      s.disconnect();
    }
    ok();
  },
  async "connect-error"() {
    const s = connect({ transports: ["websocket"] }, "/random");
    const [err] = await once(s, "connect_error");
    assert(err.message === "Invalid namespace", `message ${err.message}`);
    // the main namespace on a fresh manager still works
    const s2 = connect({ transports: ["polling"] });
    await connected(s2);
    s2.disconnect();
    s.close();
    ok({ message: err.message });
  },
  // the client stops answering pings: the server must close the connection
  async "ping-timeout"() {
    const s = connect({ transports: [process.env.TRANSPORT || "websocket"] });
    await connected(s);
    const engine = s.io.engine;
    const orig = engine._sendPacket.bind(engine);
    let stoppedAt = 0;
    engine._sendPacket = (type, ...rest) => {
      if (type === "pong") {
        if (!stoppedAt) stoppedAt = Date.now();
        return;
      }
      return orig(type, ...rest);
    };
    const [reason] = await once(s, "disconnect");
    const elapsed = Date.now() - stoppedAt;
    ok({ reason, elapsed });
  },
  // bare engine.io-client against the echo endpoint
  async "eio-echo"() {
    for (const transports of [["polling"], ["websocket"], ["polling", "websocket"]]) {
      const sock = new EioSocket(base, { path: "/engine.io/", transports });
      await once(sock, "open");
      if (transports.length === 2 && sock.transport.name !== "websocket") {
        await once(sock, "upgrade");
      }
      const got = [];
      const all = new Promise((resolve) =>
        sock.on("message", (m) => {
          got.push(m);
          if (got.length === 3) resolve();
        }),
      );
      sock.send("hello");
      sock.send(new Uint8Array([1, 2, 3, 4]));
      sock.send("é ✓ — sep");
      await all;
      assert(got[0] === "hello", `text ${got[0]}`);
      assert(Buffer.from(got[1]).equals(Buffer.from([1, 2, 3, 4])), "binary");
      assert(got[2] === "é ✓ — sep", `unicode ${got[2]}`);
      sock.close();
    }
    ok();
  },
};

const fn = scenarios[scenario];
if (!fn) fail(`unknown scenario ${scenario}`);
fn().catch((e) => fail(e && e.stack ? e.stack : e));

// One device id connected twice (two tabs, or a stale connection not yet timed out), with the
// official socket.io-client, against a running `rtctl serve`.
// Usage: node twins.mjs <node-url> [api-key]
// Prints one JSON line: {ok, steps: [...], got: {A: [...], B: [...]}, pids, ids} or
// {ok: false, error}. The script publishes through the node's API itself.
import { io } from "socket.io-client";

const [, , url, apiKey] = process.argv;
const DEVICE = "twin-1";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const got = { A: [], B: [] };
const steps = [];
function finish(ok, extra = {}) {
  process.stdout.write(JSON.stringify({ ok, steps, got, ...extra }) + "\n", () => process.exit(ok ? 0 : 1));
}
setTimeout(() => finish(false, { error: "timeout after 30000 ms" }), 30000);

async function publish(target, payload) {
  const res = await fetch(`${url}/api/v1/notifications`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({ target, payload }),
  });
  if (res.status !== 202) throw new Error(`publish ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

function tab(name, department) {
  const s = io(url, {
    forceNew: true,
    transports: ["websocket"],
    extraHeaders: { "x-device-id": DEVICE },
    auth: { deviceId: DEVICE },
    reconnectionDelay: 300,
    reconnectionDelayMax: 300,
  });
  s.connects = 0;
  s.on("connect", async () => {
    s.connects += 1;
    if (s.connects === 1) {
      const ack = await s.timeout(5000).emitWithAck("subscribe-department", { departmentId: department });
      if (ack.status !== "subscribed") finish(false, { error: `${name} subscribe ${JSON.stringify(ack)}` });
      s.subscribed = true;
    }
  });
  s.on("connect_error", (e) => finish(false, { error: `${name} connect_error ${e.message}` }));
  for (const ev of ["notification", "notification:direct", "notification:broadcast", "notification:gap"]) {
    s.on(ev, (payload, offset) => got[name].push([ev, payload, offset]));
  }
  return s;
}

async function until(what, cond, ms = 10000) {
  const t = Date.now();
  while (!cond()) {
    if (Date.now() - t > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

try {
  const A = tab("A", "dept-a");
  const B = tab("B", "dept-b");
  await until("both connected and subscribed", () => A.subscribed && B.subscribed);
  const first = { A: { id: A.id, pid: A._pid }, B: { id: B.id, pid: B._pid } };
  steps.push({ step: "connected", first });

  // 1. A direct notification reaches both connections, once each; departments stay per session.
  await publish({ device: DEVICE }, "d1");
  await publish({ department: "dept-a" }, "a1");
  await publish({ department: "dept-b" }, "b1");
  await until("d1 on both", () => got.A.length === 2 && got.B.length === 2);

  // 2. Cut A's connection (its transport closes, as a network cut does): B keeps receiving live,
  //    A resumes its own session (same pid, same socket id) and is replayed what it missed.
  A.io.engine.close();
  await publish({ device: DEVICE }, "d2");
  await until("A back", () => A.connects === 2 && A.connected);
  await until("d2 on both", () => got.A.length === 3 && got.B.length === 3);
  steps.push({ step: "A cut", recovered: A.recovered, id: A.id, pid: A._pid });

  // 3. The same for B.
  B.io.engine.close();
  await publish({ device: DEVICE }, "d3");
  await until("B back", () => B.connects === 2 && B.connected);
  await until("d3 on both", () => got.A.length === 4 && got.B.length === 4);
  steps.push({ step: "B cut", recovered: B.recovered, id: B.id, pid: B._pid });

  // Each restored session kept its own department.
  await publish({ department: "dept-a" }, "a2");
  await publish({ department: "dept-b" }, "b2");
  await until("a2 and b2", () => got.A.length === 5 && got.B.length === 5);

  // 4. A closes (the tab is closed): B keeps receiving, A gets nothing more.
  A.disconnect();
  await sleep(200);
  await publish({ device: DEVICE }, "d4");
  await until("d4 on B", () => got.B.length === 6);
  await sleep(500);
  B.disconnect();
  finish(true, { first });
} catch (e) {
  finish(false, { error: String(e && e.message) });
}

// The guide's device registration (useDeviceRegistration) and a connected device, driven by the
// Rust tests of the device registry (tests/integration/devices.rs).
// Usage: node registry.mjs register '<json {url, body, token?, deviceId?}>'
//          → one JSON line {status, body}: the guide's fetch, headers and body as it sends them
//        node registry.mjs connect '<json {url, deviceId, departmentId?, token?}>'
//          → prints "READY" once connected, stays connected until stdin closes
import { io } from "socket.io-client";

const [, , mode, arg] = process.argv;
const cfg = JSON.parse(arg);
setTimeout(() => {
  console.log(JSON.stringify({ error: "timeout" }));
  process.exit(1);
}, cfg.timeoutMs || 20000);

if (mode === "register") {
  const deviceInfo = cfg.body;
  if (deviceInfo.lastRegistered === true) deviceInfo.lastRegistered = new Date();
  const headers = { "Content-Type": "application/json", "x-device-id": cfg.deviceId ?? deviceInfo.id };
  if (cfg.token !== undefined) headers.Authorization = `Bearer ${cfg.token}`;
  const res = await fetch(cfg.url + "/api/v1/devices/register", {
    method: "POST",
    headers,
    body: JSON.stringify(deviceInfo),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  console.log(JSON.stringify({ status: res.status, body }));
  process.exit(0);
} else if (mode === "connect") {
  // As the guide's device: its id in a header, the official client's defaults (reconnection
  // on), and its department joined by event on every connect.
  const socket = io(cfg.url, {
    transports: ["websocket"],
    extraHeaders: { "x-device-id": cfg.deviceId },
    auth: cfg.token ? { token: cfg.token } : {},
  });
  let ready = false;
  socket.on("connect", async () => {
    if (cfg.departmentId) {
      const ack = await socket
        .timeout(5000)
        .emitWithAck("subscribe-department", { departmentId: cfg.departmentId })
        .catch((e) => ({ status: "error", message: String(e) }));
      if (ack?.status !== "subscribed") {
        console.log(JSON.stringify({ error: `subscribe-department: ${JSON.stringify(ack)}` }));
        process.exit(1);
      }
    }
    if (!ready) {
      ready = true;
      console.log("READY");
    }
  });
  socket.on("connect_error", (e) => {
    // before the first connect it is the answer under test; later the client retries, as
    // devices do when their node is gone
    if (!ready) {
      console.log(JSON.stringify({ error: `connect_error: ${e.message}` }));
      process.exit(1);
    }
  });
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
} else {
  console.log(JSON.stringify({ error: `unknown mode ${mode}` }));
  process.exit(1);
}

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
  const extraHeaders = { "x-device-id": cfg.deviceId };
  if (cfg.departmentId) extraHeaders["x-department-id"] = cfg.departmentId;
  const socket = io(cfg.url, {
    transports: ["websocket"],
    extraHeaders,
    auth: cfg.token ? { token: cfg.token } : {},
    reconnection: false,
  });
  socket.on("connect", () => console.log("READY"));
  socket.on("connect_error", (e) => {
    console.log(JSON.stringify({ error: `connect_error: ${e.message}` }));
    process.exit(1);
  });
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
} else {
  console.log(JSON.stringify({ error: `unknown mode ${mode}` }));
  process.exit(1);
}

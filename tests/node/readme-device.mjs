// One device on the official socket.io-client 4.x (Node 18+; in a browser, the same code from a
// bundle). The README shows this file; tests/integration/readme_devices.rs runs it.
import { io } from "socket.io-client";

const url = process.env.RTCTL_URL ?? "http://127.0.0.1:3000"; // the gateway (or one node)
const deviceId = process.env.DEVICE_ID ?? "tablet-0042";
const departments = ["D7"];
// The offset of the last notification received. Keep it (localStorage, a file) so that after an
// app restart the node replays what was missed; the client itself sends it on every reconnect.
let lastOffset = null;

const socket = io(url, {
  query: { deviceId }, // the gateway's sticky key: browsers cannot set headers on a WebSocket
  extraHeaders: { "x-device-id": deviceId }, // Node and polling only; the query is enough
  auth: (cb) => cb({ deviceId, departments, offset: lastOffset }), // read on every (re)connect
});

// Rooms belong to one connection: join the departments again on every connect.
socket.on("connect", async () => {
  for (const departmentId of departments) {
    const ack = await socket.emitWithAck("subscribe-department", { departmentId });
    console.log("subscribed", ack.room); // {status: "subscribed", room: "department:D7"}
  }
});

// Payload first, the log offset last.
for (const event of ["notification", "notification:direct", "notification:broadcast"]) {
  socket.on(event, (payload, offset) => {
    lastOffset = offset;
    console.log(event, JSON.stringify(payload), offset);
  });
}
// Part of what was missed is older than the log's retention: say so, never hide it.
socket.on("notification:gap", ({ from, to, message }) => console.log("gap", from, to, message));
socket.on("connect_error", (err) => console.log("refused:", err.message));

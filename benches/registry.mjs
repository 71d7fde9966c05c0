// Sequential device registrations against one node (the guide's body, 250 devices upserted in
// turn): registrations per second and latency percentiles. No dependencies (Node 20's fetch).
// Usage: node benches/registry.mjs http://127.0.0.1:PORT [N=1000]
const url = process.argv[2], n = Number(process.argv[3] || 1000);
const lat = [];
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  const body = { id: `pc-${i % 250}`, type: "pc", model: "m", os: "Windows", osVersion: "11", appVersion: "1", departmentId: "ER", lastRegistered: new Date() };
  const s = performance.now();
  const r = await fetch(url + "/api/v1/devices/register", { method: "POST", headers: { "content-type": "application/json", "x-device-id": body.id }, body: JSON.stringify(body) });
  await r.text();
  if (r.status >= 300) throw new Error(`HTTP ${r.status}`);
  lat.push(performance.now() - s);
}
const total = performance.now() - t0;
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2);
console.log(JSON.stringify({ n, per_sec: Math.round((n / total) * 1000), p50_ms: q(0.5), p99_ms: q(0.99) }));

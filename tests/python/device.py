"""One device on python-socketio's asyncio client, driven by the Rust tests of `rtctl serve`.

Usage: python3 device.py URL DEVICE_ID TRANSPORT EXPECT
Connects with header x-device-id and auth {deviceId}, subscribes to department D7 with an ack,
prints "READY", then prints one JSON line {"ok": true, "ack": ..., "received": [[event, *args]]}
once EXPECT notifications arrived (bounded by a 15 s timeout).
"""

import asyncio
import json
import sys

import socketio


async def main() -> int:
    url, device, transport, expect = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    sio = socketio.AsyncClient(reconnection=False)
    received = []
    done = asyncio.Event()

    def handler(event):
        async def on(*args):
            received.append([event, *args])
            if len(received) >= expect:
                done.set()

        return on

    for ev in ("notification", "notification:direct", "notification:broadcast"):
        sio.on(ev, handler(ev))
    await sio.connect(
        f"{url}?deviceId={device}",
        headers={"x-device-id": device},
        auth={"token": "t", "deviceId": device},
        transports=[transport],
        wait_timeout=10,
    )
    ack = await sio.call("subscribe-department", {"departmentId": "D7"}, timeout=5)
    print("READY", flush=True)
    try:
        await asyncio.wait_for(done.wait(), timeout=15)
        ok = True
    except asyncio.TimeoutError:
        ok = False
    print(json.dumps({"ok": ok, "ack": ack, "sid": sio.get_sid(), "received": received}), flush=True)
    await sio.disconnect()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

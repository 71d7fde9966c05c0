# One device on python-socketio 5.x (asyncio client). The README shows this file;
# tests/integration/readme_devices.rs runs it.
import asyncio
import json
import os

import socketio

URL = os.environ.get("RTCTL_URL", "http://127.0.0.1:3000")  # the gateway (or one node)
DEVICE_ID = os.environ.get("DEVICE_ID", "tablet-0042")
DEPARTMENTS = ["D7"]
last_offset = None  # keep it on disk to be replayed what was missed while the app was closed

sio = socketio.AsyncClient(reconnection=True)


@sio.event
async def connect():
    # Rooms belong to one connection: join the departments again on every connect.
    for department_id in DEPARTMENTS:
        await sio.emit("subscribe-department", {"departmentId": department_id},
                       callback=lambda ack: print("subscribed", ack["room"], flush=True))


def on(event):
    async def handler(payload, offset):  # payload first, the log offset last
        global last_offset
        last_offset = offset
        print(event, json.dumps(payload, separators=(",", ":")), offset, flush=True)
    return handler


for event in ("notification", "notification:direct", "notification:broadcast"):
    sio.on(event, on(event))


@sio.on("notification:gap")
async def gap(info):  # part of what was missed is older than the log's retention
    print("gap", info["from"], info["to"], info["message"], flush=True)


async def main():
    await sio.connect(
        f"{URL}?deviceId={DEVICE_ID}",  # the gateway's sticky key
        headers={"x-device-id": DEVICE_ID},
        # A function: read again on every reconnect, with the latest offset.
        auth=lambda: {"deviceId": DEVICE_ID, "departments": DEPARTMENTS, "offset": last_offset},
    )
    await sio.wait()


asyncio.run(main())

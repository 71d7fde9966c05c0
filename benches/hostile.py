#!/usr/bin/env python3
"""One hostile client against one `rtctl serve`: what it costs the node (issue 11).

Usage: benches/hostile.py BINARY [ATTACK...]
  BINARY  an rtctl binary (e.g. target/release/rtctl, or one built from an older commit)
  ATTACK  ping-flood ns-flood poll-pings attachments slow-bodies big-headers (default: all)

Each attack starts a fresh node on a free loopback port, measures the node's resident memory
(VmRSS) and open descriptors from /proc while the attack runs, and prints one JSON line.
Every loop is bounded in count and time; only 127.0.0.0/8 addresses are used.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

MIB = 1024 * 1024


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Node:
    def __init__(self, binary, extra=()):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--node-id", "bench", *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "RUST_LOG": "error"},
        )
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if self.get("/health/live", 1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("node did not start")

    def get(self, path, timeout=5):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=timeout) as r:
            return r.status, r.read()

    def rss(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        self.proc.kill()
        self.proc.wait()


class Sampler(threading.Thread):
    """Peak RSS and fds of the node, every 50 ms, until stopped."""

    def __init__(self, node):
        super().__init__(daemon=True)
        self.node, self.peak_rss, self.peak_fds, self.running = node, 0, 0, True

    def run(self):
        while self.running and self.node.alive():
            try:
                self.peak_rss = max(self.peak_rss, self.node.rss())
                self.peak_fds = max(self.peak_fds, self.node.fds())
            except OSError:
                pass
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.join()


def frame(op, payload):
    mask = b"\x37\xfa\x21\x3d"
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | op, 0x80 | n])
    elif n < 65536:
        head = bytes([0x80 | op, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x80 | op, 0x80 | 127]) + n.to_bytes(8, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def ws(port, query, rcvbuf=4096, src="127.0.0.1"):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    s.sendall(
        (
            f"GET /socket.io/?EIO=4&transport=websocket{query} HTTP/1.1\r\nHost: x\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        ).encode()
    )
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        b = s.recv(1)
        if not b:
            raise RuntimeError("no upgrade")
        head += b
    assert head.startswith(b"HTTP/1.1 101"), head
    return s


def flood(sock, chunk, secs):
    """Writes `chunk` without reading for at most `secs`; returns seconds until the node
    dropped the connection, or None."""
    start = time.time()
    sock.settimeout(0.5)
    while time.time() - start < secs:
        try:
            sock.sendall(chunk)
        except socket.timeout:
            continue
        except OSError:
            return round(time.time() - start, 2)
    return None


def attack_reply_flood(binary, payload, name):
    node = Node(binary)
    base = node.rss()
    smp = Sampler(node)
    smp.start()
    s = ws(node.port, "&deviceId=flood")
    chunk = b"".join(frame(1, payload) for _ in range(max(1, 200_000 // (len(payload) + 8))))
    closed = flood(s, chunk, 4.0)
    time.sleep(0.3)
    smp.stop()
    out = dict(attack=name, seconds=4, rss_before_mib=round(base / MIB), rss_peak_mib=round(smp.peak_rss / MIB),
               closed_after_s=closed, node_alive=node.alive())
    node.stop()
    return out


def attack_poll_pings(binary):
    node = Node(binary)
    base = node.rss()
    smp = Sampler(node)
    smp.start()
    st, body = node.get("/socket.io/?EIO=4&transport=polling&deviceId=p")
    sid = json.loads(body[1:].decode())["sid"]
    url = f"http://127.0.0.1:{node.port}/socket.io/?EIO=4&transport=polling&deviceId=p&sid={sid}"
    data = "\x1e".join(["2"] * 400_000).encode()
    statuses = []
    start = time.time()
    while time.time() - start < 4:
        try:
            req = urllib.request.Request(url, data=data, method="POST")
            with urllib.request.urlopen(req, timeout=10) as r:
                statuses.append(r.status)
        except urllib.error.HTTPError as e:
            statuses.append(e.code)
            break
        except (urllib.error.URLError, OSError):
            statuses.append("closed by the node")
            break
    smp.stop()
    out = dict(attack="poll-pings", posts=len(statuses), last_status=statuses[-1] if statuses else None,
               rss_before_mib=round(base / MIB), rss_peak_mib=round(smp.peak_rss / MIB), node_alive=node.alive())
    node.stop()
    return out


def attack_attachments(binary, conns=100):
    node = Node(binary)
    base = node.rss()
    ph = ",".join(f'{{"_placeholder":true,"num":{i}}}' for i in range(10))
    header = frame(1, f'4510-["upload",{ph}]'.encode())
    att = frame(2, bytes(900_000))
    socks = []
    for i in range(conns):
        try:
            s = ws(node.port, f"&deviceId=att-{i}", rcvbuf=65536)
            s.sendall(frame(1, f'40{{"deviceId":"att-{i}"}}'.encode()))
            s.sendall(header)
            s.settimeout(2)
            for _ in range(9):
                s.sendall(att)
            socks.append(s)
        except OSError:
            pass
    time.sleep(1)
    out = dict(attack="attachments", connections=conns, rss_before_mib=round(base / MIB),
               rss_after_mib=round(node.rss() / MIB), node_alive=node.alive())
    for s in socks:
        s.close()
    node.stop()
    return out


def attack_slow_bodies(binary, conns=5000):
    node = Node(binary)
    base_fds = node.fds()
    socks = []
    for i in range(conns):
        try:
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.connect(("127.0.0.1", node.port))
            s.sendall(b"POST /api/v1/notifications HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
                      b"content-length: 1000\r\n\r\n{\"target\":")
            socks.append(s)
        except OSError:
            break
    out = dict(attack="slow-bodies", connections=len(socks), fds_before=base_fds)
    t0 = time.time()
    try:
        node.get("/health/live", 5)
        out["health_live_s"] = round(time.time() - t0, 3)
    except OSError as e:
        out["health_live_s"] = f"failed: {e}"
    for at in (1, 5, 12, 30):
        time.sleep(max(0, at - (time.time() - t0)))
        out[f"fds_at_{at}s"] = node.fds()
    out["node_alive"] = node.alive()
    for s in socks:
        s.close()
    node.stop()
    return out


def attack_big_headers(binary, n=2000):
    node = Node(binary)
    base = node.rss()
    big = "x" * (190 * 1024)
    statuses = {}
    for i in range(n):
        try:
            s = socket.socket()
            s.connect(("127.0.0.1", node.port))
            s.sendall((f"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nx-device-id: {big}\r\n"
                       f"x-department-id: {big}\r\nConnection: close\r\n\r\n").encode())
            s.settimeout(5)
            resp = s.recv(64)
            code = resp[9:12].decode() if resp.startswith(b"HTTP/1.1") else "none"
            statuses[code] = statuses.get(code, 0) + 1
            s.close()
        except OSError:
            statuses["error"] = statuses.get("error", 0) + 1
    time.sleep(0.5)
    out = dict(attack="big-headers", handshakes=n, statuses=statuses, rss_before_mib=round(base / MIB),
               rss_after_mib=round(node.rss() / MIB), node_alive=node.alive())
    node.stop()
    return out


ATTACKS = {
    "ping-flood": lambda b: attack_reply_flood(b, b"2", "ping-flood"),
    "ns-flood": lambda b: attack_reply_flood(b, ("40/" + "n" * 20_000 + ",").encode(), "ns-flood"),
    "poll-pings": attack_poll_pings,
    "attachments": attack_attachments,
    "slow-bodies": attack_slow_bodies,
    "big-headers": attack_big_headers,
}

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    for name in sys.argv[2:] or list(ATTACKS):
        print(json.dumps(ATTACKS[name](binary)), flush=True)

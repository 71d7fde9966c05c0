#!/usr/bin/env python3
"""The machine's floor for a broadcast over loopback TCP, without any Socket.IO server.

One process accepts N loopback connections (TCP_NODELAY, as the servers set) and sends one
130-byte WebSocket text frame to each of them, K times; a forked reader holds the other ends
and reads everything with epoll. Prints the sender's kernel and user CPU time per send: on
loopback the kernel's receive path (softirq) runs in the sender's context too, so this is what
any server pays per delivery when it writes each socket once.

    python3 benches/loopback-floor.py [N] [K] [PORT]     # defaults 10000 5 3399
"""
import os
import resource
import select
import socket
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
K = int(sys.argv[2]) if len(sys.argv) > 2 else 5
PORT = int(sys.argv[3]) if len(sys.argv) > 3 else 3399
FRAME = b"\x81\x7e\x00\x80" + b"x" * 128

ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", PORT))
ls.listen(4096)
pid = os.fork()
if pid == 0:
    ls.close()
    cs = {}
    ep = select.epoll()
    for _ in range(N):
        s = socket.socket()
        s.bind(("127.0.0.9", 0))
        s.connect(("127.0.0.1", PORT))
        s.setblocking(False)
        cs[s.fileno()] = s
        ep.register(s.fileno(), select.EPOLLIN)
    want, got, t = N * K * len(FRAME), 0, time.time()
    while got < want and time.time() - t < 120:
        for fd, _ in ep.poll(1):
            try:
                got += len(cs[fd].recv(65536))
            except BlockingIOError:
                pass
    os._exit(0 if got >= want else 1)
ss = []
for _ in range(N):
    s, _ = ls.accept()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ss.append(s)
time.sleep(1)
r0 = resource.getrusage(resource.RUSAGE_SELF)
loops = []
for _ in range(K):
    t = time.perf_counter()
    for s in ss:
        s.send(FRAME)
    loops.append((time.perf_counter() - t) * 1e3)
    time.sleep(0.5)
r1 = resource.getrusage(resource.RUSAGE_SELF)
_, status = os.waitpid(pid, 0)
sends = N * K
loops.sort()
print(
    '{"floor_sys_us_per_send": %.2f, "floor_user_us_per_send": %.2f, "send_loop_ms_median": %.1f, '
    '"conns": %d, "rounds": %d, "reader_ok": %s}'
    % (
        (r1.ru_stime - r0.ru_stime) * 1e6 / sends,
        (r1.ru_utime - r0.ru_utime) * 1e6 / sends,
        loops[len(loops) // 2],
        N,
        K,
        "true" if status == 0 else "false",
    )
)

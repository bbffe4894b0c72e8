"""Slow clients: N connections that send a request line and then one header byte a second (well
inside the server's idle timeout) for up to SECONDS, when their headers would end. Exit 0 when the
server cut every one of them before that; prints how long each one lasted.
Usage: slowloris.py HOST PORT N SECONDS"""
import select
import socket
import sys
import time

host, port, n, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
start = time.monotonic()
socks = []
for i in range(n):
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(b"GET /api/v1/images HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    s.setblocking(False)
    socks.append(s)
cut = {}
while len(cut) < n and time.monotonic() - start < seconds:
    for i, s in enumerate(socks):
        if i in cut:
            continue
        try:
            s.send(b"a")
        except OSError:
            cut[i] = time.monotonic() - start
            continue
        r, _, _ = select.select([s], [], [], 0)
        if r:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                cut[i] = time.monotonic() - start
    time.sleep(1)
for i, s in enumerate(socks):
    if i not in cut:
        s.setblocking(True)
        try:
            s.sendall(b"\r\n\r\n")  # the headers end: the server would now answer
        except OSError:
            pass
    s.close()
print("cut %d of %d slow clients; held %s s" % (len(cut), n, sorted(round(v, 1) for v in cut.values())))
sys.exit(0 if len(cut) == n else 1)

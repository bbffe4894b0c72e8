#!/usr/bin/env python3
"""A WebSocket exec client for the parts kubectl does not show: subprotocol v4.channel.k8s.io
(no close signal), a stdin message split over fragments with a ping between them, and the
close handshake. Usage: honeypot_ws.py PORT POD. Prints what came back on stdout (channel 1);
exits non-zero on any protocol surprise."""
import base64, hashlib, os, socket, ssl, struct, sys

def frame(op, payload, fin=True):
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | op])
    if n < 126:
        head += bytes([0x80 | n])
    elif n <= 0xffff:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

def read_exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            raise SystemExit("connection closed early")
        b += d
    return b

def read_frame(s):
    h = read_exact(s, 2)
    if h[1] & 0x80:
        raise SystemExit("server frame masked")
    n = h[1] & 0x7f
    if n == 126:
        n = struct.unpack(">H", read_exact(s, 2))[0]
    elif n == 127:
        n = struct.unpack(">Q", read_exact(s, 8))[0]
    return h[0] & 0x0f, read_exact(s, n)

def main():
    port, pod = int(sys.argv[1]), sys.argv[2]
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /api/v1/namespaces/default/pods/{pod}/exec?command=sh&stdin=true&stdout=true"
               f"&stderr=true HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
               f"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Protocol: v4.channel.k8s.io, base64.channel.k8s.io\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += read_exact(s, 1)
    want = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                                         .encode()).digest()).decode()
    if not head.startswith(b"HTTP/1.1 101") or f"Sec-WebSocket-Accept: {want}".encode() not in head \
            or b"Sec-WebSocket-Protocol: v4.channel.k8s.io" not in head:
        raise SystemExit("bad upgrade answer: %r" % head)
    s.sendall(frame(2, b"\x00cat /etc/pa", fin=False) + frame(9, b"are you there")
              + frame(0, b"sswd\n"))
    out, pong = b"", False
    while b"root:x:0:0" not in out:
        op, data = read_frame(s)
        if op == 10:
            pong = data == b"are you there"
        elif op == 2 and data[:1] == b"\x01":
            out += data[1:]
        elif op != 2:
            raise SystemExit("unexpected opcode %d" % op)
    if not pong:
        raise SystemExit("no pong before the output")
    s.sendall(frame(8, struct.pack(">H", 1000)))
    op, data = read_frame(s)
    while op == 2:
        op, data = read_frame(s)
    if op != 8 or data[:2] != struct.pack(">H", 1000):
        raise SystemExit("no close answer: %d %r" % (op, data))
    sys.stdout.write(out.decode())

main()

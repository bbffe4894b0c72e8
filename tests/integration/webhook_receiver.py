#!/usr/bin/env python3
"""A webhook receiver for tests/integration/webhook.sh: listens on 127.0.0.1 (a free port, written
to PORT_FILE), checks X-Lading-Signature (HMAC-SHA256 of the raw body with the secret) as a real
receiver would, answers 500 to the very first request (so the sender's retry is exercised) and 200
afterwards, and records every request as one JSON line in LOG.

usage: webhook_receiver.py SECRET_FILE PORT_FILE LOG
"""
import hashlib
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY_MAX = 2 * 1024 * 1024

secret_file, port_file, log_path = sys.argv[1:4]
with open(secret_file, "rb") as f:
    SECRET = f.read().rstrip(b"\r\n")
lock = threading.Lock()
state = {"n": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(n, BODY_MAX))
        want = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Lading-Signature", "")
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        with lock:
            state["n"] += 1
            first = state["n"] == 1
            status = 500 if first else 200
            rec = {
                "n": state["n"],
                "path": self.path,
                "status": status,
                "sig_ok": hmac.compare_digest(want, got),
                "event_id": self.headers.get("X-Lading-Event-Id"),
                "event": self.headers.get("X-Lading-Event"),
                "timestamp": self.headers.get("X-Lading-Timestamp"),
                "delivery": self.headers.get("X-Lading-Delivery"),
                "attempt": self.headers.get("X-Lading-Attempt"),
                "content_type": self.headers.get("Content-Type"),
                "body": doc,
            }
            with open(log_path, "a") as f:
                f.write(json.dumps(rec) + "\n")
        answer = b'{"ok":false}' if first else b'{"ok":true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))

os.rename(port_file + ".tmp", port_file)
server.serve_forever()

#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of a test registry (docker-registry on 127.0.0.1).

Usage: proxy.py PORTFILE UPSTREAM_PORT RULES.json LOG.jsonl [STORAGE_PORTFILE [USER:PASSWORD]]

Every request is forwarded to 127.0.0.1:UPSTREAM_PORT unless a rule of RULES.json (re-read on each
request) matches "METHOD /path". A rule: {"match": REGEX, "times": N (-1 = always), "after": K
(the first K matches pass; default 0), "action": A}
with A one of:
  "status"   answer `status` (with `retry_after` as Retry-After when given) instead of forwarding
  "tamper"   forward, but flip one byte in the middle of the body
  "extra"    forward, then append `bytes` more bytes to the body
  "drop"     forward the headers and half the body, then close the connection
  "redirect" answer 307 to the storage port (blob storage elsewhere, like S3 behind a registry),
             or to `location` + the request path when the rule gives one
Each request is logged as one JSON line: method, path, whether it carried Authorization, status
and the action taken. The storage port serves redirected blobs by fetching them upstream with
USER:PASSWORD (the proxy's own credentials), logging whether the client sent Authorization to it.
"""
import base64
import http.client
import http.server
import json
import os
import re
import socketserver
import sys
import threading

PORTFILE, UPSTREAM, RULES, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
STORAGE_PORTFILE = sys.argv[5] if len(sys.argv) > 5 else None
STORAGE_CREDS = sys.argv[6] if len(sys.argv) > 6 else None
lock = threading.Lock()
applied = {}  # (rules mtime, index) -> times applied
storage_port = 0
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
       "proxy-authenticate"}


def log(entry):
    with lock:
        with open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")


def pick_rule(method, path):
    try:
        st = os.stat(RULES)
        rules = json.load(open(RULES))
    except (OSError, ValueError):
        return None
    for i, r in enumerate(rules):
        if not re.search(r["match"], method + " " + path):
            continue
        key = (st.st_mtime_ns, i)
        with lock:
            n = applied.get(key, 0)
            applied[key] = n + 1
            if n < r.get("after", 0):
                continue  # the first `after` matches pass untouched
            if r.get("times", -1) >= 0 and n - r.get("after", 0) >= r["times"]:
                continue
        return r
    return None


def upstream(method, path, headers):
    c = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
    c.request(method, path, headers=headers)
    return c, c.getresponse()


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, headers, body=b""):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        rule = pick_rule(self.command, self.path)
        action = rule["action"] if rule else "forward"
        entry = {"method": self.command, "path": self.path, "auth": "Authorization" in self.headers,
                 "action": action}
        if action == "status":
            hdrs = [("Content-Type", "application/json")]
            if "retry_after" in rule:
                hdrs.append(("Retry-After", str(rule["retry_after"])))
            entry["status"] = rule["status"]
            log(entry)
            return self.reply(rule["status"], hdrs, b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}')
        if action == "redirect":
            entry["status"] = 307
            log(entry)
            loc = rule.get("location", "http://127.0.0.1:%d/storage" % storage_port) + self.path
            return self.reply(307, [("Location", loc)])
        fwd = {k: v for k, v in self.headers.items() if k.lower() not in HOP and k.lower() != "host"}
        fwd["Host"] = "127.0.0.1:%d" % UPSTREAM
        conn, resp = upstream(self.command, self.path, fwd)
        body = resp.read()
        conn.close()
        entry["status"] = resp.status
        if resp.status == 200 and self.command == "GET" and body:
            if action == "tamper":
                b = bytearray(body)
                b[len(b) // 2] ^= 0xFF
                body = bytes(b)
            elif action == "extra":
                body += b"\0" * int(rule.get("bytes", 100))
        log(entry)
        hdrs = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP and k.lower() != "content-length"]
        if action == "drop" and self.command == "GET":
            self.send_response(resp.status)
            for k, v in hdrs:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.reply(resp.status, hdrs, body)

    do_GET = do_HEAD = handle_any


class Storage(http.server.BaseHTTPRequestHandler):
    """Blob storage on another port: what a registry redirects blob downloads to."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        path = self.path[len("/storage"):]
        log({"method": "GET", "path": self.path, "auth": "Authorization" in self.headers, "storage": True})
        hdrs = {"Host": "127.0.0.1:%d" % UPSTREAM}
        if STORAGE_CREDS:
            hdrs["Authorization"] = "Basic " + base64.b64encode(STORAGE_CREDS.encode()).decode()
        conn, resp = upstream("GET", path, hdrs)
        body = resp.read()
        conn.close()
        self.send_response(resp.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(handler, portfile):
    s = Server(("127.0.0.1", 0), handler)
    port = s.server_address[1]
    with open(portfile + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(portfile + ".tmp", portfile)
    return s, port


if STORAGE_PORTFILE:
    st, storage_port = serve(Storage, STORAGE_PORTFILE)
    threading.Thread(target=st.serve_forever, daemon=True).start()
main, _ = serve(Proxy, PORTFILE)
main.serve_forever()

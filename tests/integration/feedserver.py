#!/usr/bin/env python3
"""A small HTTP server for the `lading db update` tests.

Serves --root on 127.0.0.1 (port written to --port-file) with ETag and Last-Modified, answers
If-None-Match / If-Modified-Since with 304, logs one line per request to --log:
    <method> <path> <status> [gzip] [proxy]
and reads --control (JSON, re-read when it changes) for fault injection:
    {"delay": 0.0,                      # seconds before each answer
     "gzip": false,                     # Content-Encoding: gzip for clients that accept it
     "listing": false,                  # serve directories as python3 -m http.server does
     "faults": {"/kev/x.json": {"status": 503, "count": 1, "retry_after": 1}}}
count -1 = always. A fault's "kind" (default "status") picks what goes wrong:
    status      answer `status` (404, 500, 503 ...) with an empty body
    stall       accept the request, then send nothing for `seconds` and close
    stall_body  send the headers and half the body, then nothing for `seconds`, then close
    truncate    send the headers (full Content-Length) and half the body, then close
    corrupt     send the whole file with a block in its middle overwritten by NUL bytes
    cut         send the first half of the file as a complete answer (Content-Length of the half)
    html        answer 200 with an HTML error page (a proxy's or a captive portal's) Requests in absolute form ("GET http://host/path", as sent to a proxy) are
served from the same root, so the server doubles as an HTTP proxy for the proxy test.
"""
import argparse
import html
import socket
import email.utils
import gzip
import http.server
import json
import os
import posixpath
import sys
import threading
import time
import urllib.parse

LOCK = threading.Lock()
STATE = {"mtime": None, "control": {}, "left": {}}


def control(path):
    try:
        st = os.stat(path)
    except OSError:
        return {}
    with LOCK:
        if STATE["mtime"] != st.st_mtime_ns:
            with open(path) as f:
                STATE["control"] = json.load(f)
            STATE["mtime"] = st.st_mtime_ns
            STATE["left"] = {p: v.get("count", 1) for p, v in STATE["control"].get("faults", {}).items()}
        return STATE["control"]


def take_fault(path):
    with LOCK:
        f = STATE["control"].get("faults", {}).get(path)
        if not f:
            return None
        left = STATE["left"].get(path, 0)
        if left == 0:
            return None
        if left > 0:
            STATE["left"][path] = left - 1
        return f


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, status, *flags):
        with LOCK:
            with open(self.server.logfile, "a") as f:
                f.write(" ".join([self.command, self.url_path, str(status)] + list(flags)) + "\n")

    def send_simple(self, status, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        ctl = control(self.server.controlfile)
        proxied = self.path.startswith("http://") or self.path.startswith("https://")
        raw = urllib.parse.urlsplit(self.path).path if proxied else self.path.split("?", 1)[0]
        self.url_path = urllib.parse.unquote(raw)
        flags = ["proxy"] if proxied else []
        if ctl.get("delay"):
            time.sleep(float(ctl["delay"]))
        fault = take_fault(self.url_path)
        if fault and fault.get("kind", "status") != "status":
            self.record(fault["kind"], *flags)
            self.misbehave(fault)
            return
        if fault:
            hdrs = []
            if fault.get("retry_after") is not None:
                hdrs.append(("Retry-After", str(fault["retry_after"])))
            self.send_simple(int(fault.get("status", 503)), hdrs)
            self.record(int(fault.get("status", 503)), *flags)
            return
        rel = posixpath.normpath(self.url_path).lstrip("/")
        if rel.startswith("..") or "/../" in rel:
            self.send_simple(403)
            self.record(403, *flags)
            return
        full = os.path.join(self.server.root, rel)
        if ctl.get("listing") and self.url_path.endswith("/") and os.path.isdir(full):
            self.listing(full, flags)
            return
        if not os.path.isfile(full):
            self.send_simple(404)
            self.record(404, *flags)
            return
        st = os.stat(full)
        etag = '"%x-%x"' % (st.st_mtime_ns, st.st_size)
        lastmod = email.utils.formatdate(st.st_mtime, usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        not_modified = False
        if inm is not None:
            not_modified = etag in [t.strip() for t in inm.split(",")]
        elif ims is not None:
            try:
                not_modified = int(st.st_mtime) <= email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                pass
        if not_modified:
            self.send_simple(304, [("ETag", etag), ("Last-Modified", lastmod)])
            self.record(304, *flags)
            return
        with open(full, "rb") as f:
            body = f.read()
        if ctl.get("gzip") and "gzip" in self.headers.get("Accept-Encoding", "") and not full.endswith(".gz") \
                and not full.endswith(".zip"):
            body = gzip.compress(body)
            flags.append("gzip")
            enc = [("Content-Encoding", "gzip")]
        else:
            enc = []
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", lastmod)
        for k, v in enc:
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.record(200, *flags)


def body_of(handler):
    rel = posixpath.normpath(handler.url_path).lstrip("/")
    full = os.path.join(handler.server.root, rel)
    if os.path.isfile(full):
        with open(full, "rb") as f:
            return f.read()
    return b"x" * 4096


def misbehave(self, fault):
    kind = fault["kind"]
    secs = float(fault.get("seconds", 3))
    if kind == "stall":
        time.sleep(secs)
        self.close_connection = True
        return
    if kind == "html":
        body = b"<html><head><title>503</title></head><body><h1>Service unavailable</h1></body></html>\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return
    body = body_of(self)
    if kind == "corrupt":
        mid = len(body) // 2
        n = min(256, len(body) - mid)
        body = body[:mid] + b"\0" * n + body[mid + n:]
    if kind == "cut":
        body = body[:len(body) // 2]
    self.send_response(200)
    self.send_header("Content-Length", str(len(body)))
    self.end_headers()
    try:
        if kind in ("corrupt", "cut"):
            self.wfile.write(body)
            return
        self.wfile.write(body[:len(body) // 2])
        self.wfile.flush()
        if kind == "stall_body":
            time.sleep(secs)
        self.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    self.close_connection = True


def listing(self, full, flags):
    """The page python3 -m http.server serves for a directory."""
    names = sorted(os.listdir(full), key=lambda a: a.lower())
    r = ['<!DOCTYPE HTML>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
         '<title>Directory listing for %s</title>' % html.escape(self.url_path, quote=False),
         '</head>', '<body>', '<h1>Directory listing for %s</h1>' % html.escape(self.url_path, quote=False),
         '<hr>', '<ul>']
    for n in names:
        shown = n + "/" if os.path.isdir(os.path.join(full, n)) else n
        r.append('<li><a href="%s">%s</a></li>' % (urllib.parse.quote(shown, errors="surrogatepass"),
                                                   html.escape(shown, quote=False)))
    r += ['</ul>', '<hr>', '</body>', '</html>', '']
    body = "\n".join(r).encode("utf-8", "surrogateescape")
    self.send_response(200)
    self.send_header("Content-Type", "text/html; charset=utf-8")
    self.send_header("Content-Length", str(len(body)))
    self.end_headers()
    self.wfile.write(body)
    self.record(200, *flags)


Handler.misbehave = misbehave
Handler.listing = listing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--control", required=True)
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.root = os.path.abspath(a.root)
    srv.logfile = a.log
    srv.controlfile = a.control
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

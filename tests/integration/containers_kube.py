#!/usr/bin/env python3
"""A small Kubernetes API server for the containers_kube test: GET /api/v1/pods of all namespaces
from a recorded `kubectl get pods -A -o json` document, over TLS, with pagination (`limit`,
`continue`, metadata.continue) as the API server does it, and authentication by bearer token or
by a client certificate signed by the test CA. Requests are logged one per line (path and query)
so the test can count pages. --max-page caps a page below the client's limit (the API server may
return fewer items than asked); --break-page N answers page N with truncated JSON."""
import argparse
import base64
import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--client-ca", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--pods", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-page", type=int, default=500)
    ap.add_argument("--break-page", type=int, default=0)
    a = ap.parse_args()
    with open(a.pods) as f:
        pods = json.load(f)["items"]
    log = open(a.log, "a", buffering=1)

    class H(BaseHTTPRequestHandler):
        def send_json(self, code, body):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def authorized(self):
            if self.headers.get("Authorization") == "Bearer " + a.token:
                return "token"
            cert = self.connection.getpeercert()
            if cert:  # verified against --client-ca by the TLS layer
                return "cert"
            return None

        def do_GET(self):
            u = urlparse(self.path)
            who = self.authorized()
            log.write(f"{u.path}?{u.query} auth={who}\n")
            if not who:
                return self.send_json(401, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                            "message": "Unauthorized", "reason": "Unauthorized", "code": 401})
            if u.path != "/api/v1/pods":
                return self.send_json(404, {"kind": "Status", "status": "Failure", "code": 404})
            q = parse_qs(u.query)
            limit = min(int(q.get("limit", ["0"])[0] or 0) or len(pods), a.max_page)
            start = 0
            if "continue" in q:
                try:
                    start = json.loads(base64.urlsafe_b64decode(q["continue"][0]))["start"]
                except Exception:
                    return self.send_json(410, {"kind": "Status", "code": 410, "reason": "Expired"})
            page = start // max(limit, 1) + 1
            items = pods[start:start + limit]
            meta = {"resourceVersion": "482300"}
            if start + limit < len(pods):
                meta["continue"] = base64.urlsafe_b64encode(
                    json.dumps({"start": start + limit, "rv": 482300}).encode()).decode()
                meta["remainingItemCount"] = len(pods) - start - limit
            body = json.dumps({"kind": "PodList", "apiVersion": "v1", "metadata": meta, "items": items}).encode()
            if page == a.break_page:
                body = body[: len(body) // 2]
            self.send_json(200, body)

        def log_message(self, *args):
            pass

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.load_verify_locations(a.client_ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), H)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

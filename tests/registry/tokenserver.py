#!/usr/bin/env python3
"""A Bearer token server for the test registry (docker-registry's `auth: token`), standard library
only: RS256 JWTs signed with `openssl dgst`, the signing certificate in the `x5c` header (the
registry checks it against its rootcertbundle).

Usage: tokenserver.py PORTFILE KEY.pem CERT.pem USERS LOG.jsonl

USERS holds "user:password" lines. GET /token?service=S&scope=repository:NAME:ACTIONS (or
registry:catalog:*):
with Basic credentials of a listed user: a token granting the asked actions; with wrong ones: 401;
without any: a token granting nothing (anonymous), which the registry then refuses.
Each request is logged as one JSON line (user, whether credentials were valid, scope).
"""
import base64
import http.server
import json
import os
import socketserver
import subprocess
import sys
import time
import urllib.parse
import uuid

PORTFILE, KEY, CERT, USERS, LOG = sys.argv[1:6]
ISSUER = "lading-test-issuer"


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def cert_der():
    pem = open(CERT).read()
    body = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
    return body  # base64 of the DER, as x5c wants


X5C = cert_der()


def sign(data):
    p = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=data, capture_output=True, check=True)
    return p.stdout


def token(service, access):
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "x5c": [X5C]}
    claims = {"iss": ISSUER, "sub": "lading-test", "aud": service, "exp": now + 300, "nbf": now - 10,
              "iat": now, "jti": uuid.uuid4().hex, "access": access}
    signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
    return signing_input.decode() + "." + b64url(sign(signing_input))


def users():
    out = {}
    for line in open(USERS):
        line = line.strip()
        if ":" in line:
            u, p = line.split(":", 1)
            out[u] = p
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        service = q.get("service", [""])[0]
        scopes = q.get("scope", [])
        user, ok = None, False
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                user, pw = base64.b64decode(auth[6:]).decode().split(":", 1)
                ok = users().get(user) == pw
            except (ValueError, UnicodeDecodeError):
                ok = False
        with open(LOG, "a") as f:
            f.write(json.dumps({"path": url.path, "user": user, "valid": ok, "scope": scopes}) + "\n")
        if url.path != "/token":
            self.send_response(404)
            self.end_headers()
            return
        if user is not None and not ok:
            body = b'{"details":"incorrect username or password"}'
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        access = []
        if ok:
            for s in scopes:
                for one in s.split(" "):
                    parts = one.split(":")
                    if len(parts) >= 3 and parts[0] in ("repository", "registry"):
                        # registry:catalog:* is what listing /v2/_catalog needs
                        access.append({"type": parts[0], "name": ":".join(parts[1:-1]),
                                       "actions": parts[-1].split(",")})
        t = token(service, access)
        body = json.dumps({"token": t, "access_token": t, "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


s = Server(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
s.serve_forever()

#!/usr/bin/env python3
"""A registry front for inventory crawl's pagination tests: it serves a recorded catalog and
recorded tags lists page by page with Link headers of the kind MODE names, and passes every other
request (the /v2/ probe, manifests, blobs) to a real docker-registry.

Usage: linkserver.py PORTFILE UPSTREAM_PORT CATALOG.json MODE LOG.jsonl

CATALOG.json: {"repositories": {"NAME": ["tag", ...], ...}}. Pages hold 2 names whatever `n`
asks (a server may return fewer than asked). MODE:
  absolute  next = <http://127.0.0.1:PORT/v2/...?...>      (an absolute URL on this server)
  relative  next = <?last=...>, tags: <list?last=...>        (relative references)
  foreign   the catalog's next page is on another host (crawl must refuse to follow it)
  loop      the catalog's next page is the same page again
Each request is logged as one JSON line (method, path).
"""
import http.server
import json
import os
import socketserver
import sys
import urllib.parse
import urllib.request

PORTFILE, UPSTREAM, CATALOG, MODE, LOG = sys.argv[1:6]
DATA = json.load(open(CATALOG))["repositories"]
PAGE = 2


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def log(self):
        with open(LOG, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path}) + "\n")

    def page(self, names, key, extra, base_path):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        last = q.get("last", [""])[0]
        rest = [n for n in sorted(names) if n > last]
        page, more = rest[:PAGE], len(rest) > PAGE
        body = json.dumps(dict(extra, **{key: page})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if more:
            nq = "n=%d&last=%s" % (PAGE, urllib.parse.quote(page[-1]))
            port = self.server.server_address[1]
            if MODE == "absolute":
                link = "<http://127.0.0.1:%d%s?%s>" % (port, base_path, nq)
            elif MODE == "foreign" and key == "repositories":
                link = "<http://elsewhere.invalid:%d%s?%s>" % (port, base_path, nq)
            elif MODE == "loop" and key == "repositories":
                link = "<%s>" % self.path
            elif key == "tags":
                link = "<list?%s>" % nq
            else:
                link = "<?%s>" % nq
            # other link-values and parameters around the one that counts
            self.send_header("Link", '<%s>; rel="first"' % base_path)
            self.send_header("Link", '%s; title="next, page"; rel="next"' % link)
        self.end_headers()
        self.wfile.write(body)

    def proxy(self):
        req = urllib.request.Request("http://127.0.0.1:%s%s" % (UPSTREAM, self.path), method=self.command)
        for h in ("Accept", "Authorization"):
            if self.headers.get(h):
                req.add_header(h, self.headers[h])
        try:
            r = urllib.request.urlopen(req)
            status, headers, body = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read()
        self.send_response(status)
        for h in ("Content-Type", "Docker-Content-Digest", "WWW-Authenticate"):
            if headers.get(h):
                self.send_header(h, headers[h])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        self.log()
        path = urllib.parse.urlparse(self.path).path
        if path == "/v2/_catalog":
            return self.page(DATA.keys(), "repositories", {}, path)
        if path.startswith("/v2/") and path.endswith("/tags/list"):
            name = path[4:-len("/tags/list")]
            if name in DATA:
                return self.page(DATA[name], "tags", {"name": name}, path)
        return self.proxy()

    do_HEAD = do_GET


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


s = Server(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
s.serve_forever()

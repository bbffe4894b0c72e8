#!/usr/bin/env python3
"""Fake network services for the census tests and the probe benchmark.

Replays documented responses of services that have no Debian server here (MongoDB wire
protocol, Elasticsearch, Docker Engine, Kubernetes, Consul, CouchDB, Valkey), refusals that are
awkward to provoke from a real server (MySQL "host not allowed", PostgreSQL trust login), and
hostile servers (slow drip, endless banner, garbage, huge length fields, silence, resets).

usage: census_fake.py --ports-file FILE SPEC...
SPEC is NAME (a free port), NAME:PORT, or NAME*COUNT (COUNT free ports, for the benchmark).
FILE gets one "NAME PORT" line per listener (NAME#i for COUNT specs) once all listen.
Responses follow the projects' documentation:
  MongoDB OP_MSG / OP_QUERY: https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/
  Elasticsearch GET /: https://www.elastic.co/guide/en/elasticsearch/reference/current/rest-api-root.html
  Docker Engine GET /version: https://docs.docker.com/engine/api/v1.43/#tag/System/operation/SystemVersion
  Kubernetes GET /version: https://kubernetes.io/docs/reference/using-api/health-checks/ (version info)
  Consul GET /v1/agent/self: https://developer.hashicorp.com/consul/api-docs/agent#read-configuration
  CouchDB GET /: https://docs.couchdb.org/en/stable/api/server/common.html
"""
import argparse
import asyncio
import json
import os
import socket
import struct
import sys

# ------------------------------------------------------------------ BSON (just what we send/read)


def bson_doc(items):
    out = b""
    for k, v in items:
        key = k.encode() + b"\0"
        if isinstance(v, bool):
            out += b"\x08" + key + (b"\x01" if v else b"\x00")
        elif isinstance(v, int):
            out += b"\x10" + key + struct.pack("<i", v)
        elif isinstance(v, float):
            out += b"\x01" + key + struct.pack("<d", v)
        elif isinstance(v, str):
            s = v.encode() + b"\0"
            out += b"\x02" + key + struct.pack("<i", len(s)) + s
        elif isinstance(v, list):
            out += b"\x04" + key + bson_doc([(str(i), x) for i, x in enumerate(v)])
        elif isinstance(v, dict):
            out += b"\x03" + key + bson_doc(list(v.items()))
    return struct.pack("<i", len(out) + 5) + out + b"\0"


def bson_first_key(doc):
    # first element name of a document
    if len(doc) < 6:
        return ""
    end = doc.index(b"\0", 5)
    return doc[5:end].decode(errors="replace")


HELLO = [("helloOk", True), ("isWritablePrimary", True), ("topologyVersion", {"counter": 0}),
         ("maxBsonObjectSize", 16777216), ("maxMessageSizeBytes", 48000000),
         ("maxWriteBatchSize", 100000), ("localTime", 0), ("logicalSessionTimeoutMinutes", 30),
         ("connectionId", 7), ("minWireVersion", 0), ("maxWireVersion", 21), ("readOnly", False),
         ("ok", 1.0)]
BUILDINFO = [("version", "7.0.2"), ("gitVersion", "02b3c655e1302209ef046da6ba3ef6749dd0b62a"),
             ("modules", []), ("allocator", "tcmalloc"), ("javascriptEngine", "mozjs"),
             ("sysInfo", "deprecated"), ("versionArray", [7, 0, 2, 0]), ("bits", 64),
             ("debug", False), ("maxBsonObjectSize", 16777216), ("ok", 1.0)]
UNAUTHORIZED = [("ok", 0.0), ("errmsg", "command buildInfo requires authentication"),
                ("code", 13), ("codeName", "Unauthorized")]
MONGO_HTTP = (b"HTTP/1.0 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\n"
              b"Content-Length: 85\r\n\r\nIt looks like you are trying to access MongoDB over "
              b"HTTP on the native driver port.\r\n")


async def read_mongo(reader):
    head = await reader.readexactly(16)
    length, req, _, op = struct.unpack("<iiii", head)
    if length < 16 or length > 1 << 20:
        raise ConnectionError("bad length")
    body = await reader.readexactly(length - 16)
    return req, op, body


def op_msg(req, doc):
    payload = struct.pack("<I", 0) + b"\0" + doc
    return struct.pack("<iiii", 16 + len(payload), 100 + req, req, 2013) + payload


def op_reply(req, doc):
    payload = struct.pack("<iqii", 0, 0, 0, 1) + doc
    return struct.pack("<iiii", 16 + len(payload), 100 + req, req, 1) + payload


def mongodb(flavour):
    async def handler(reader, writer):
        first = await reader.readexactly(4)
        if first == b"GET ":
            writer.write(MONGO_HTTP)
            return
        rest = await reader.readexactly(12)
        length, req, _, op = struct.unpack("<iiii", first + rest)
        body = await reader.readexactly(length - 16)
        while True:
            if op == 2013:
                if flavour == "old":
                    return  # servers before 3.6 know no OP_MSG: they drop the connection
                cmd = bson_first_key(body[5:]).lower()
                if cmd in ("hello", "ismaster"):
                    writer.write(op_msg(req, bson_doc(HELLO)))
                elif cmd == "buildinfo":
                    writer.write(op_msg(req, bson_doc(UNAUTHORIZED if flavour == "auth" else BUILDINFO)))
                else:
                    writer.write(op_msg(req, bson_doc([("ok", 0.0), ("errmsg", "no such command")])))
            elif op == 2004:
                doc = [("version", "3.4.24"), ("gitVersion", "865b4f6a96d0f5425e39a18337105f33e8db504d"),
                       ("ok", 1.0)] if flavour == "old" else BUILDINFO
                writer.write(op_reply(req, bson_doc(doc)))
            else:
                return
            await writer.drain()
            req, op, body = await read_mongo(reader)
    return handler


# ------------------------------------------------------------------ HTTP services


def http_response(status, headers, body):
    reason = {200: "OK", 301: "Moved Permanently", 401: "Unauthorized", 403: "Forbidden",
              404: "Not Found"}[status]
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers = [("Content-Type", "application/json")] + headers
    head = f"HTTP/1.1 {status} {reason}\r\n"
    for k, v in headers + [("Content-Length", str(len(body))), ("Connection", "close")]:
        head += f"{k}: {v}\r\n"
    return head.encode() + b"\r\n" + body


ES_ROOT = {"name": "es01", "cluster_name": "docker-cluster", "cluster_uuid": "w1IkAAAAQ7KwEnVw",
           "version": {"number": "7.17.10", "build_flavor": "default", "build_type": "docker",
                       "build_hash": "fecd68e3150eda0c307ab9a9d7557f5d5fd71349",
                       "build_date": "2023-04-23T05:33:18.138275597Z", "build_snapshot": False,
                       "lucene_version": "8.11.1", "minimum_wire_compatibility_version": "6.8.0",
                       "minimum_index_compatibility_version": "6.0.0-beta1"},
           "tagline": "You Know, for Search"}
ES_401 = {"error": {"root_cause": [{"type": "security_exception",
                                    "reason": "missing authentication credentials for REST request [/]",
                                    "header": {"WWW-Authenticate": ["Basic realm=\"security\" charset=\"UTF-8\""]}}],
                    "type": "security_exception",
                    "reason": "missing authentication credentials for REST request [/]"},
          "status": 401}
DOCKER_VERSION = {"Platform": {"Name": "Docker Engine - Community"},
                  "Components": [{"Name": "Engine", "Version": "24.0.7",
                                  "Details": {"ApiVersion": "1.43", "Arch": "amd64",
                                              "GitCommit": "311b9ff", "GoVersion": "go1.20.10",
                                              "KernelVersion": "6.1.0-13-amd64", "Os": "linux"}}],
                  "Version": "24.0.7", "ApiVersion": "1.43", "MinAPIVersion": "1.12",
                  "GitCommit": "311b9ff", "GoVersion": "go1.20.10", "Os": "linux", "Arch": "amd64",
                  "KernelVersion": "6.1.0-13-amd64", "BuildTime": "2023-10-26T09:07:41.000000000+00:00"}
K8S_STATUS = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": "forbidden: User \"system:anonymous\" cannot get path \"/\"",
              "reason": "Forbidden", "details": {}, "code": 403}
K8S_VERSION = {"major": "1", "minor": "28", "gitVersion": "v1.28.2",
               "gitCommit": "89a4ea3e1e4ddd7f7572286090359983e0387b2f", "gitTreeState": "clean",
               "buildDate": "2023-09-13T09:29:07Z", "goVersion": "go1.20.8", "compiler": "gc",
               "platform": "linux/amd64"}
CONSUL_SELF = {"Config": {"Datacenter": "dc1", "PrimaryDatacenter": "dc1", "NodeName": "consul-1",
                          "NodeID": "9b2a9e8e-7d27-d40b-5b2a-9a4f2f1c1b0e", "Revision": "e5aed0d7",
                          "Server": True, "Version": "1.15.4", "BuildDate": "2023-06-26T15:40:00Z"},
               "Member": {"Name": "consul-1", "Port": 8301}}
COUCH_ROOT = {"couchdb": "Welcome", "version": "3.3.3", "git_sha": "40afbcfc7",
              "uuid": "6a3e4b7f0e8c4c9b8a1d2f3e4d5c6b7a", "features": ["access-ready", "scheduler"],
              "vendor": {"name": "The Apache Software Foundation"}}


def http_service(kind):
    def route(path):
        if kind == "elasticsearch":
            return http_response(200, [("X-elastic-product", "Elasticsearch")], ES_ROOT) if path == "/" \
                else http_response(404, [], {"error": "not found"})
        if kind == "elasticsearch-auth":
            return http_response(401, [("WWW-Authenticate", 'Basic realm="security" charset="UTF-8"')], ES_401)
        if kind == "docker":
            h = [("Server", "Docker/24.0.7 (linux)"), ("Api-Version", "1.43"), ("Ostype", "linux"),
                 ("Docker-Experimental", "false")]
            return http_response(200, h, DOCKER_VERSION) if path == "/version" \
                else http_response(404, h, {"message": "page not found"})
        if kind == "kubernetes":
            h = [("Audit-Id", "2f2a1d0e-4c5e-4b8b-9a43-1b2f0c7d9e11"), ("Cache-Control", "no-cache, private"),
                 ("X-Kubernetes-Pf-Flowschema-Uid", "b5f2e1b0-1c1e-4b6e-9e3f-8f8f0a4d1c2b")]
            return http_response(200, h, K8S_VERSION) if path == "/version" \
                else http_response(403, h, K8S_STATUS)
        if kind == "consul":
            if path == "/":
                return http_response(301, [("Location", "/ui/"), ("Content-Type", "text/html; charset=utf-8")],
                                     b'<a href="/ui/">Moved Permanently</a>.\n\n')
            if path == "/v1/agent/self":
                return http_response(200, [("X-Consul-Default-Acl-Policy", "allow")], CONSUL_SELF)
            return http_response(404, [("Content-Type", "text/plain; charset=utf-8")], b"404 page not found\n")
        if kind == "couchdb":
            return http_response(200, [("Server", "CouchDB/3.3.3 (Erlang OTP/24)")], COUCH_ROOT)
        if kind == "nginx":
            return http_response(200, [("Server", "nginx/1.24.0"), ("Content-Type", "text/html")],
                                 b"<html><body>Welcome to nginx!</body></html>\n")
        return http_response(404, [], b"")

    async def handler(reader, writer):
        line = await reader.readline()
        while True:
            h = await reader.readline()
            if h in (b"\r\n", b"\n", b""):
                break
        parts = line.split()
        path = parts[1].decode(errors="replace") if len(parts) > 1 else "/"
        writer.write(route(path))
    return handler


# ------------------------------------------------------------------ other replays


def greeting(data):
    async def handler(reader, writer):
        writer.write(data)
        await writer.drain()
        await reader.read(4096)
    return handler


def mysql_handshake(version):
    v = version.encode() + b"\0"
    payload = (b"\x0a" + v + struct.pack("<I", 11) + b"abcdefgh\0" + struct.pack("<H", 0xf7ff) + b"\x21"
               + struct.pack("<H", 2) + struct.pack("<H", 0x81ff) + b"\x15" + b"\0" * 10
               + b"ijklmnopqrst\0" + b"caching_sha2_password\0")
    return struct.pack("<I", len(payload))[:3] + b"\0" + payload


MYSQL_DENIED = (lambda msg: struct.pack("<I", len(msg) + 3)[:3] + b"\0" + b"\xff" + struct.pack("<H", 1130) + msg)(
    b"Host '127.0.0.1' is not allowed to connect to this MySQL server")


async def resp_command(reader):
    # one command, inline ("INFO server") or as a RESP array (*2 $4 INFO $6 server), as Redis reads
    line = await reader.readline()
    if not line:
        return None
    if line.startswith(b"*"):
        try:
            n = int(line[1:].strip())
        except ValueError:
            return b""
        words = []
        for _ in range(max(0, min(n, 64))):
            head = await reader.readline()
            if not head.startswith(b"$"):
                return b""
            words.append((await reader.readexactly(int(head[1:].strip()) + 2))[:-2])
        return words[0] if words else b""
    return line.strip().split(b" ")[0]


def resp_service(info):
    async def handler(reader, writer):
        while True:
            cmd = await resp_command(reader)
            if cmd is None:
                return
            cmd = cmd.upper()
            if cmd == b"INFO":
                writer.write(b"$%d\r\n%s\r\n" % (len(info), info))
            elif cmd == b"PING":
                writer.write(b"+PONG\r\n")
            else:
                writer.write(b"-ERR unknown command '%s'\r\n" % cmd[:40])
            await writer.drain()
    return handler


VALKEY_INFO = (b"# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.1\r\n"
               b"redis_mode:standalone\r\nos:Linux 6.1.0 x86_64\r\narch_bits:64\r\n")
REDIS_INFO = (b"# Server\r\nredis_version:6.2.14\r\nredis_git_sha1:00000000\r\nredis_mode:standalone\r\n"
              b"os:Linux 5.15.0 x86_64\r\narch_bits:64\r\ntcp_port:6379\r\n")


async def memcached_handler(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            return
        if line.strip() == b"version":
            writer.write(b"VERSION 1.6.21\r\n")
        else:
            writer.write(b"ERROR\r\n")
        await writer.drain()


async def postgres_trust(reader, writer):
    head = await reader.readexactly(8)
    n, code = struct.unpack(">ii", head)
    if code == 80877103:  # SSLRequest
        writer.write(b"N")
        await writer.drain()
        head = await reader.readexactly(8)
        n, code = struct.unpack(">ii", head)
    if n < 8 or n > 10000:
        return  # as PostgreSQL does: "invalid length of startup packet", connection closed
    await reader.readexactly(n - 8)

    def msg(t, body):
        return t + struct.pack(">i", len(body) + 4) + body
    out = msg(b"R", struct.pack(">i", 0))
    for k, v in ((b"server_version", b"16.1 (Debian 16.1-1.pgdg120+1)"), (b"server_encoding", b"UTF8"),
                 (b"client_encoding", b"UTF8")):
        out += msg(b"S", k + b"\0" + v + b"\0")
    out += msg(b"K", struct.pack(">ii", 4242, 1234)) + msg(b"Z", b"I")
    writer.write(out)
    await writer.drain()
    await reader.read(64)


# ------------------------------------------------------------------ hostile servers


async def drip(reader, writer):
    # slowloris: a never-ending greeting, one byte at a time
    while True:
        writer.write(b"S")
        await writer.drain()
        await asyncio.sleep(0.2)


async def endless(reader, writer):
    chunk = b"220 " + b"A" * 65532
    while True:
        writer.write(chunk)
        await writer.drain()


async def garbage(reader, writer):
    writer.write(os.urandom(4096))
    await writer.drain()
    await reader.read(4096)
    writer.write(os.urandom(4096))
    await writer.drain()
    await asyncio.sleep(30)


async def garbage_reply(reader, writer):
    # silent until asked, then answers every request with random bytes
    while True:
        data = await reader.read(4096)
        if not data:
            return
        writer.write(os.urandom(2048))
        await writer.drain()


async def hugelen_mysql(reader, writer):
    writer.write(b"\xff\xff\xff\x00\x0a8.0.36" + b"x" * 60000)
    await writer.drain()
    await asyncio.sleep(30)


async def hugelen_stream(reader, writer, head):
    await reader.read(4096)
    writer.write(head)
    while True:
        writer.write(b"a" * 65536)
        await writer.drain()


async def silent(reader, writer):
    await asyncio.sleep(3600)


async def closer(reader, writer):
    pass


async def reset(reader, writer):
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


HANDLERS = {
    "mongodb": mongodb("new"),
    "mongodb-old": mongodb("old"),
    "mongodb-auth": mongodb("auth"),
    "elasticsearch": http_service("elasticsearch"),
    "elasticsearch-auth": http_service("elasticsearch-auth"),
    "docker": http_service("docker"),
    "kubernetes": http_service("kubernetes"),
    "consul": http_service("consul"),
    "couchdb": http_service("couchdb"),
    "nginx": http_service("nginx"),
    "mysql-denied": greeting(MYSQL_DENIED),
    "mysql": greeting(mysql_handshake("8.0.36-0ubuntu0.22.04.1")),
    "postgres-trust": postgres_trust,
    "valkey": resp_service(VALKEY_INFO),
    "redis": resp_service(REDIS_INFO),
    "memcached": memcached_handler,
    "ssh": greeting(b"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n"),
    "ftp": greeting(b"220 (vsFTPd 3.0.3)\r\n"),
    "unknown-banner": greeting(b"WELCOME TO THE ACME CONTROL PORT v2 \x01\x02\r\n"),
    "drip": drip,
    "endless": endless,
    "garbage": garbage,
    "garbage-reply": garbage_reply,
    "hugelen-mysql": hugelen_mysql,
    "hugelen-redis": lambda r, w: hugelen_stream(r, w, b"$4294967295\r\n"),
    "hugelen-mongodb": lambda r, w: hugelen_stream(r, w, struct.pack("<iiii", 0x7fffffff, 1, 1, 2013)),
    "hugelen-http": lambda r, w: hugelen_stream(r, w, b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n"),
    "hugelen-chunked": lambda r, w: hugelen_stream(
        r, w, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n"),
    "silent": silent,
    "closer": closer,
    "reset": reset,
}


def wrap(handler):
    async def run(reader, writer):
        try:
            await handler(reader, writer)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass
    return run


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ports-file", required=True)
    ap.add_argument("specs", nargs="+")
    args = ap.parse_args()
    lines, servers = [], []
    for spec in args.specs:
        count, port = 1, 0
        if "*" in spec:
            spec, n = spec.split("*", 1)
            count = int(n)
        elif ":" in spec:
            spec, p = spec.split(":", 1)
            port = int(p)
        if spec not in HANDLERS:
            sys.exit(f"unknown fake service {spec}")
        for i in range(count):
            srv = await asyncio.start_server(wrap(HANDLERS[spec]), "127.0.0.1", port, backlog=1024)
            servers.append(srv)
            name = spec if count == 1 else f"{spec}#{i}"
            lines.append(f"{name} {srv.sockets[0].getsockname()[1]}\n")
    tmp = args.ports_file + ".tmp"
    with open(tmp, "w") as f:
        f.writelines(lines)
    os.rename(tmp, args.ports_file)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass

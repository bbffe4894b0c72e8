"""Evaluate JavaScript in a page opened by headless Chromium, over the DevTools protocol on a pipe
(--remote-debugging-pipe: commands on fd 3, answers on fd 4, NUL-separated JSON): no port, no
network, no third-party package. Used by the HTML report tests to click and read the page."""
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def evaluate(chrome, url, exprs, timeout=60):
    """Open url in headless Chromium over the DevTools pipe and evaluate each expression in the
    page (awaiting promises); returns their values."""
    ud = tempfile.mkdtemp()
    r1, w1 = os.pipe()  # we write commands -> chrome reads fd 3
    r2, w2 = os.pipe()  # chrome writes fd 4 -> we read
    # move both ends above 4 first, so that placing them on 3 and 4 cannot clobber each other
    hr, hw = os.dup(r1), os.dup(w2)
    hr2, hw2 = fcntl.fcntl(hr, fcntl.F_DUPFD, 10), fcntl.fcntl(hw, fcntl.F_DUPFD, 10)
    os.close(hr); os.close(hw)
    def pre():
        os.dup2(hr2, 3); os.dup2(hw2, 4)
    p = subprocess.Popen([chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={ud}",
                          "--remote-debugging-pipe", url], preexec_fn=pre,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False)
    os.close(r1); os.close(w2); os.close(hr2); os.close(hw2)
    buf = b""; n = [0]
    def send(method, params=None, session=None):
        n[0] += 1
        m = {"id": n[0], "method": method, "params": params or {}}
        if session: m["sessionId"] = session
        os.write(w1, json.dumps(m).encode() + b"\0")
        return n[0]
    def recv(want):
        nonlocal buf
        end = time.time() + timeout
        while time.time() < end:
            while b"\0" in buf:
                msg, buf = buf.split(b"\0", 1)
                d = json.loads(msg)
                if d.get("id") == want:
                    return d
            chunk = os.read(r2, 65536)
            if not chunk:
                break
            buf += chunk
        raise RuntimeError("no answer from chromium")
    try:
        targets = recv(send("Target.getTargets"))["result"]["targetInfos"]
        page = [t for t in targets if t["type"] == "page"][0]
        sess = recv(send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}))["result"]["sessionId"]
        out = []
        for e in exprs:
            for _ in range(50):
                res = recv(send("Runtime.evaluate", {"expression": e, "returnByValue": True, "awaitPromise": True}, sess))
                v = res.get("result", {}).get("result", {}).get("value")
                if v is not None: break
                time.sleep(0.1)
            out.append(v)
        return out
    finally:
        p.kill(); p.wait(); os.close(w1); os.close(r2); shutil.rmtree(ud, ignore_errors=True)


def visit(chrome, url, headers=None, png=None, timeout=60):
    """Load url in headless Chromium with extra request headers (an API token: a browser URL
    cannot carry one), wait for the load event, screenshot it into png. Returns a dict: status
    (of the document), console (console messages), errors (uncaught exceptions and error log
    entries), tables (<table> elements in the DOM)."""
    ud = tempfile.mkdtemp()
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    hr, hw = os.dup(r1), os.dup(w2)
    hr2, hw2 = fcntl.fcntl(hr, fcntl.F_DUPFD, 10), fcntl.fcntl(hw, fcntl.F_DUPFD, 10)
    os.close(hr); os.close(hw)
    def pre():
        os.dup2(hr2, 3); os.dup2(hw2, 4)
    p = subprocess.Popen([chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={ud}",
                          "--window-size=1280,1600", "--remote-debugging-pipe", "about:blank"], preexec_fn=pre,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False)
    os.close(r1); os.close(w2); os.close(hr2); os.close(hw2)
    buf = b""; n = [0]; events = []
    def send(method, params=None, session=None):
        n[0] += 1
        m = {"id": n[0], "method": method, "params": params or {}}
        if session: m["sessionId"] = session
        os.write(w1, json.dumps(m).encode() + b"\0")
        return n[0]
    def pump(until):
        """Read messages (events kept) until until(msg) is true for one; returns it."""
        nonlocal buf
        end = time.time() + timeout
        while time.time() < end:
            while b"\0" in buf:
                msg, buf = buf.split(b"\0", 1)
                d = json.loads(msg)
                if "method" in d:
                    events.append(d)
                if until(d):
                    return d
            chunk = os.read(r2, 65536)
            if not chunk:
                break
            buf += chunk
        raise RuntimeError("no answer from chromium")
    def call(method, params=None, session=None):
        i = send(method, params, session)
        return pump(lambda d: d.get("id") == i)
    try:
        targets = call("Target.getTargets")["result"]["targetInfos"]
        page = [t for t in targets if t["type"] == "page"][0]
        sess = call("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})["result"]["sessionId"]
        for dom in ("Page", "Runtime", "Log", "Network"):
            call(dom + ".enable", {}, sess)
        if headers:
            call("Network.setExtraHTTPHeaders", {"headers": headers}, sess)
        call("Page.navigate", {"url": url}, sess)
        pump(lambda d: d.get("method") == "Page.loadEventFired")
        tables = call("Runtime.evaluate", {"expression": "document.querySelectorAll('table').length",
                                           "returnByValue": True}, sess)["result"]["result"].get("value")
        shot = call("Page.captureScreenshot", {"format": "png"}, sess)["result"]["data"]
        if png:
            import base64
            with open(png, "wb") as f:
                f.write(base64.b64decode(shot))
        status = [e["params"]["response"]["status"] for e in events
                  if e["method"] == "Network.responseReceived" and e["params"].get("type") == "Document"]
        console = [e["params"] for e in events if e["method"] == "Runtime.consoleAPICalled"]
        errors = [e["params"] for e in events if e["method"] == "Runtime.exceptionThrown"]
        errors += [e["params"]["entry"] for e in events
                   if e["method"] == "Log.entryAdded" and e["params"]["entry"].get("level") == "error"]
        return {"status": status[0] if status else None, "console": console, "errors": errors, "tables": tables}
    finally:
        p.kill(); p.wait(); os.close(w1); os.close(r2); shutil.rmtree(ud, ignore_errors=True)


def binary():
    """The Chromium binary itself: Debian's /usr/bin/chromium wrapper does not pass fds 3 and 4."""
    for c in ("/usr/lib/chromium/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or ""):
        if c and os.access(c, os.X_OK):
            return c
    return None


if __name__ == "__main__":  # cdp.py URL EXPR...
    print(evaluate(binary(), sys.argv[1], sys.argv[2:]))

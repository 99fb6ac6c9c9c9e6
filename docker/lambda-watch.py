#!/usr/bin/env python3
"""lambda-watch: the project's functions served locally, rebuilt on save.

Serves the Lambda Invoke API (POST /2015-03-31/functions/<fn>/invocations, as
`aws lambda invoke --endpoint-url` and `cargo lambda invoke` send it) and
function URLs (/lambda-url/<fn>/<path>: an API Gateway v2 / function URL event,
the answer mapped back to HTTP) on --addr. The functions run warm in the dev
container against the Runtime API of lambda-runtime-api.py. The sources are
watched by content: the dev build's content key (make lambda-dev-key) is
polled, and checked again before each request is served; a changed key
rebuilds (make lambda-dev-update) and restarts the functions, and requests wait
for that. Ctrl-C (SIGINT) or SIGTERM stops the functions, and the dev
container if lambda-watch started it. Started by `make lambda-watch`.
"""

import argparse
import base64
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.realpath(__file__))
_spec = importlib.util.spec_from_file_location("lambda_runtime_api",
                                               os.path.join(HERE, "lambda-runtime-api.py"))
rt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rt)

POLL_S = 0.1
INVOKE = "/2015-03-31/functions/"
URL = "/lambda-url/"


def say(msg):
    sys.stderr.write("lambda-watch: %s\n" % msg)
    sys.stderr.flush()


class Watcher:
    """The build state and the warm function processes."""

    def __init__(self, a):
        self.a = a
        start = [os.path.join(HERE, "dev-container.sh"), "start", "--docker=" + a.docker,
                 "--dir=" + a.dir, "--arch=" + a.arch, "--container=" + a.container]
        start += ["--image=" + a.image] if a.image else []
        start += ["--cargo-home=" + a.cargo_home] if a.cargo_home else []
        start += ["--subdir=" + a.subdir] if a.subdir else []
        start += ["--path-dep=" + d for d in a.path_dep]
        self.container = rt.Container(a.docker, a.container, a.dir, a.bin_dir, start, a.subdir)
        self.lock = threading.RLock()  # held while the key is checked or a build runs
        self.key = None
        self.error = None  # the last build's failure, served until a build succeeds
        self.gateway = None
        self.started_container = False
        self.workers = {}
        self.stopping = False
        self.children = []

    def make(self, target, capture):
        """Run lambda.mk's target with the settings make lambda-watch had."""
        p = subprocess.Popen(self.a.make + [target], stdout=subprocess.PIPE if capture else
                             sys.stderr, stderr=subprocess.PIPE if capture else None,
                             stdin=subprocess.DEVNULL, text=True)
        self.children.append(p)
        out, err = p.communicate()
        self.children.remove(p)
        return p.returncode, (out or "").strip(), (err or "").strip()

    def current_key(self):
        rc, out, err = self.make("lambda-dev-key", True)
        if rc != 0:
            raise RuntimeError(err or "make lambda-dev-key failed (exit %d)" % rc)
        return out.split()[-1] if out else ""

    def sync(self):
        """Make the served binaries those of the sources as they are now: check
        the key, and rebuild + restart if it changed. Requests call this first,
        so one that arrives during a rebuild waits for it."""
        with self.lock:
            if self.stopping:
                return
            try:
                key = self.current_key()
            except RuntimeError as e:
                self.error = str(e)
                return
            if key == self.key:
                return
            t0 = time.monotonic()
            if self.key is not None:
                say("sources changed: rebuilding")
            rc, _, _ = self.make("lambda-dev-update", False)
            self.key = key
            if rc != 0:
                self.error = "the dev build failed (make lambda-dev-update: exit %d); " \
                             "fix the code and save again" % rc
                say(self.error)
                self.stop_workers()
                return
            self.error = None
            if self.gateway is None:
                self.gateway, _ = self.container.ensure()
                self.container.prepare(HERE, self.a.arch)
            self.restart_workers()
            say("serving %s (built in %.2f s)" % (", ".join(self.a.function),
                                                  time.monotonic() - t0))

    def stop_workers(self):
        for w in self.workers.values():
            w[1].stop()
            w[0].close()
        self.workers = {}

    def restart_workers(self):
        """New processes for the new binaries, warm before the next request."""
        self.stop_workers()
        for fn in self.a.function:
            api = rt.RuntimeAPI(self.gateway, fn)
            boot = os.path.join(self.a.dir, self.a.dev_dir, self.a.arch, fn, "bootstrap")
            proc = rt.Process(boot, self.a.arch, rt.lambda_env(fn, api.address),
                              self.container, os.environ.get("LAMBDA_ARM64_SYSROOT"))
            self.workers[fn] = (api, proc)

    def invoke(self, fn, event):
        """Run one event through fn; (Invocation or None, error text)."""
        self.sync()
        with self.lock:
            if self.error:
                return None, self.error
            w = self.workers.get(fn)
            if w and not w[1].alive():  # it crashed on an earlier event: a new one
                w[1].stop()
                w[0].close()
                api = rt.RuntimeAPI(self.gateway, fn)
                boot = os.path.join(self.a.dir, self.a.dev_dir, self.a.arch, fn,
                                    "bootstrap")
                w = (api, rt.Process(boot, self.a.arch, rt.lambda_env(fn, api.address),
                                     self.container, os.environ.get("LAMBDA_ARM64_SYSROOT")))
                self.workers[fn] = w
        if not w:
            return None, None
        inv = rt.run_once(w[0], w[1], rt.Invocation(event, self.a.timeout, fn))
        if inv.status == "timeout":  # Lambda stops a timed-out sandbox
            with self.lock:
                if self.workers.get(fn) is w:
                    w[1].stop()
        return inv, None

    def poll(self):
        while not self.stopping:
            time.sleep(POLL_S)
            self.sync()

    def shutdown(self):
        """Everything lambda-watch started: builds, functions, the container."""
        self.stopping = True
        for p in list(self.children):
            p.terminate()
        with self.lock:
            self.stop_workers()
        if self.started_container:
            say("stopping the dev container %s (started by lambda-watch)" % self.a.container)
            self.container.stop()


def fn_name(raw):
    """A function name, partial ARN or full ARN, with an optional qualifier."""
    name = urllib.parse.unquote(raw)
    if name.startswith("arn:"):
        parts = name.split(":")
        name = parts[6] if len(parts) > 6 else ""
    elif ":" in name:
        name = name.split(":")[0]
    return name


def url_event(h, fn, path, query, body):
    """The API Gateway v2 / function URL event (payload format 2.0)."""
    headers, cookies = {}, []
    for k, v in h.headers.items():
        k = k.lower()
        if k == "cookie":
            cookies += [c.strip() for c in v.split(";") if c.strip()]
            continue
        headers[k] = headers[k] + "," + v if k in headers else v
    try:
        text, b64 = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, b64 = base64.b64encode(body).decode(), True
    now = datetime.now(timezone.utc)
    ev = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": fn,
            "domainName": h.headers.get("Host", ""),
            "domainPrefix": fn,
            "http": {"method": h.command, "path": path, "protocol": h.request_version,
                     "sourceIp": h.client_address[0],
                     "userAgent": h.headers.get("User-Agent", "")},
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": b64,
    }
    if cookies:
        ev["cookies"] = cookies
    if query:
        qs = {}
        for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
            qs[k] = qs[k] + "," + v if k in qs else v
        ev["queryStringParameters"] = qs
    if body:
        ev["body"] = text
    return json.dumps(ev).encode()


def url_response(body):
    """The function's answer as HTTP, the function URL way: an object with
    statusCode is the response; anything else is a 200 JSON body."""
    try:
        r = json.loads(body or b"null")
    except ValueError:
        r = None
    if not (isinstance(r, dict) and "statusCode" in r):
        return 200, [("Content-Type", "application/json")], body
    headers = [(k, str(v)) for k, v in (r.get("headers") or {}).items()]
    for k, vs in (r.get("multiValueHeaders") or {}).items():
        headers += [(k, str(v)) for v in vs]
    headers += [("Set-Cookie", c) for c in r.get("cookies") or []]
    data = r.get("body") or ""
    if isinstance(data, str):
        data = base64.b64decode(data) if r.get("isBase64Encoded") else data.encode()
    else:
        data = json.dumps(data).encode()
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return int(r.get("statusCode", 200)), headers, data


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    watcher = None

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def json_error(self, status, etype, msg):
        self.send(status, json.dumps({"Type": "User", "message": msg}).encode(),
                  [("Content-Type", "application/json"), ("x-amzn-ErrorType", etype)])

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self):
        path, _, query = self.path.partition("?")
        data = self.body()
        if path.startswith(INVOKE) and path.endswith("/invocations") and self.command == "POST":
            return self.invoke_api(fn_name(path[len(INVOKE):-len("/invocations")]), data)
        if path.startswith(URL):
            fn, _, rest = path[len(URL):].partition("/")
            return self.function_url(fn, "/" + rest, query, data)
        self.json_error(404, "ResourceNotFoundException",
                        "lambda-watch serves POST %s<function>/invocations and %s<function>/..."
                        % (INVOKE, URL))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = handle_any

    def invoke_api(self, fn, event):
        kind = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if fn not in self.watcher.a.function:
            return self.json_error(404, "ResourceNotFoundException",
                                   "Function not found: %s (served: %s)"
                                   % (rt.arn(fn), ", ".join(self.watcher.a.function)))
        if kind == "DryRun":
            return self.send(204, b"")
        if kind == "Event":
            threading.Thread(target=self.watcher.invoke, args=(fn, event), daemon=True).start()
            return self.send(202, b"")
        inv, err = self.watcher.invoke(fn, event)
        if err:
            return self.json_error(502, "ServiceException", err)
        hdr = [("Content-Type", "application/json"), ("X-Amz-Executed-Version", "$LATEST")]
        if inv.status == "response":
            return self.send(200, inv.body, hdr)
        body = inv.body if inv.status == "error" and inv.body else json.dumps(
            {"errorMessage": rt.error_text(inv, self.watcher.a.timeout)}).encode()
        self.send(200, body, hdr + [("X-Amz-Function-Error", "Unhandled")])

    def function_url(self, fn, path, query, data):
        if fn not in self.watcher.a.function:
            return self.send(404, b'{"Message":"Not Found"}', [("Content-Type", "application/json")])
        inv, err = self.watcher.invoke(fn, url_event(self, fn, path, query, data))
        if err or inv.status != "response":
            say("%s: %s" % (fn, err or rt.error_text(inv, self.watcher.a.timeout)))
            return self.send(502, b'{"Message":"Internal Server Error"}',
                             [("Content-Type", "application/json")])
        status, headers, body = url_response(inv.body)
        self.send(status, body, headers)


def main():
    p = argparse.ArgumentParser(prog="lambda-watch.py", description=__doc__.splitlines()[0])
    p.add_argument("--addr", default="127.0.0.1:9000")
    p.add_argument("--docker", default="docker")
    p.add_argument("--dir", required=True)
    p.add_argument("--container", required=True)
    p.add_argument("--dev-dir", required=True, help="the dev build's dir below --dir")
    p.add_argument("--bin-dir", required=True, help="the launcher's dir below --dir")
    p.add_argument("--arch", default="x86_64", choices=["x86_64", "arm64"])
    p.add_argument("--timeout", type=float, default=3.0)
    p.add_argument("--image")
    p.add_argument("--cargo-home")
    p.add_argument("--subdir", default="")
    p.add_argument("--path-dep", action="append", default=[])
    p.add_argument("--function", action="append", default=[], required=True)
    p.add_argument("--make", action="append", default=[], required=True,
                   help="the make command line, one word each")
    a = p.parse_args()
    host, _, port = a.addr.rpartition(":")
    w = Watcher(a)
    Front.watcher = w
    try:
        server = ThreadingHTTPServer((host, int(port)), Front)
    except OSError as e:
        say("cannot listen on %s: %s (set LAMBDA_WATCH_ADDR)" % (a.addr, e.strerror))
        return 1
    server.daemon_threads = True
    done = threading.Event()

    def stop(signum, frame):
        done.set()

    # set explicitly: a job started in the background inherits an ignored SIGINT
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    w.started_container = not w.container.inspect()[0]
    try:
        w.sync()
        if w.error:
            say(w.error)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        threading.Thread(target=w.poll, daemon=True).start()
        say("Invoke API on http://%s%s<function>/invocations, function URLs on "
            "http://%s%s<function>/ (Ctrl-C stops)" % (a.addr, INVOKE, a.addr, URL))
        while not done.wait(0.5):
            pass
    finally:
        say("stopping")
        w.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The emulated AWS Lambda Runtime API (2018-06-01) and the function process.

One home for what Lambda's service side does to a custom runtime: hand out
events on GET /runtime/invocation/next with the Lambda-Runtime-* headers, take
POST .../<id>/response, .../<id>/error and /runtime/init/error, enforce the
deadline, and start/stop the bootstrap (on the host, or in the dev container,
arm64 under qemu-aarch64-static). lambda-invoke.sh runs it once
(`run`), lambda-watch.py imports it and keeps functions warm.

Usage:
  lambda-runtime-api.py EVENT OUT [--deadline-ms N]
      one event, no process: print the port, write the posted body to OUT,
      exit 0 (response) or 1 (error report). For tests that start the
      bootstrap themselves.
  lambda-runtime-api.py run [options] FUNCTION_OR_BOOTSTRAP
      run the function once for the event (--event FILE, - for stdin):
      response body on stdout, the function's output on stderr. Exit codes:
      0 response, 1 the function reported an error (handler or init),
      4 timed out, 5 the function exited without answering, 2 bad usage.
"""

import argparse
import collections
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid

API = "/2018-06-01/runtime"
ACCOUNT = "123456789012"
REGION = "us-east-1"
# The project, seen from the container (dev-container.sh bind-mounts it there).
WS = "/workspace"
# Every call of the container engine goes through engine.sh (beside this file,
# installed or not), run as a command: engine.sh CLIENT VERB ARGS...
ENGINE_SH = os.path.join(os.path.dirname(os.path.realpath(__file__)), "engine.sh")
E_OK, E_ERROR, E_USAGE, E_TIMEOUT, E_EXITED = 0, 1, 2, 4, 5


def arn(name):
    """The function ARN Lambda sends in Lambda-Runtime-Invoked-Function-Arn."""
    return "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name)


def trace_id():
    """An X-Ray trace header value of the documented shape."""
    return "Root=1-%08x-%s;Parent=%s;Sampled=0" % (
        int(time.time()), uuid.uuid4().hex[:24], uuid.uuid4().hex[:16])


class Invocation:
    """One event on its way through the function."""

    def __init__(self, event, timeout_s, name):
        self.id = str(uuid.uuid4())
        self.event = event
        self.timeout_s = timeout_s
        self.name = name
        self.deadline_ms = None  # set when the function takes it
        self.done = threading.Event()
        self.status = None  # response, error, timeout, exited
        self.body = b""
        self.error_type = ""

    def finish(self, status, body=b"", error_type=""):
        """First outcome wins: a late response after a timeout is dropped."""
        if self.done.is_set():
            return False
        self.status, self.body, self.error_type = status, body, error_type
        self.done.set()
        return True


class RuntimeAPI(http.server.ThreadingHTTPServer):
    """The Runtime API for one function process at a time."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, bind, name, quiet=True):
        super().__init__((bind, 0), Handler)
        self.name = name
        self.quiet = quiet
        self.cond = threading.Condition()
        self.pending = collections.deque()
        self.current = {}
        self.closed = False
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def address(self):
        """HOST:PORT for AWS_LAMBDA_RUNTIME_API."""
        return "%s:%d" % self.server_address[:2]

    def handle_error(self, request, client_address):
        """A function that went away mid-poll is no error worth a traceback."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)

    def submit(self, inv):
        """Queue an event for the function's next poll."""
        with self.cond:
            self.pending.append(inv)
            self.cond.notify_all()
        return inv

    def take(self):
        """Block until an event is queued (None when closing)."""
        with self.cond:
            while not self.pending and not self.closed:
                self.cond.wait(0.5)
            if self.closed:
                return None
            inv = self.pending.popleft()
            inv.deadline_ms = int(time.time() * 1000 + inv.timeout_s * 1000)
            self.current[inv.id] = inv
            return inv

    def settle(self, req_id, status, body, error_type=""):
        """Record the outcome of a handed-out invocation; False if unknown."""
        with self.cond:
            inv = self.current.pop(req_id, None)
        return inv is not None and (inv.finish(status, body, error_type) or True)

    def fail_all(self, status, body, error_type=""):
        """The process is gone or failed to init: every event it holds fails."""
        with self.cond:
            invs = list(self.current.values()) + list(self.pending)
            self.current.clear()
            self.pending.clear()
        for inv in invs:
            inv.finish(status, body, error_type)

    def close(self):
        """Stop serving; pollers return."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()
        self.shutdown()
        self.server_close()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if not self.server.quiet:
            sys.stderr.write("runtime-api: " + (fmt % args) + "\n")

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):
        if self.path != API + "/invocation/next":
            self.reply(404, b'{"errorMessage":"unknown path"}')
            return
        inv = self.server.take()
        if inv is None:
            self.reply(410, b'{"errorMessage":"shutting down"}')
            return
        self.reply(200, inv.event, {
            "Lambda-Runtime-Aws-Request-Id": inv.id,
            "Lambda-Runtime-Deadline-Ms": str(inv.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": arn(inv.name),
            "Lambda-Runtime-Trace-Id": trace_id(),
        })

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        etype = self.headers.get("Lambda-Runtime-Function-Error-Type", "")
        parts = self.path[len(API):].split("/") if self.path.startswith(API) else []
        if parts == ["", "init", "error"]:
            self.reply(202, b'{"status":"OK"}')
            self.server.fail_all("error", body, etype or "Runtime.InitError")
            return
        if len(parts) == 4 and parts[1] == "invocation" and parts[3] in ("response", "error"):
            status = "response" if parts[3] == "response" else "error"
            if self.server.settle(parts[2], status, body, etype):
                self.reply(202, b'{"status":"OK"}')
            else:
                self.reply(400, b'{"errorMessage":"unknown or finished request id",'
                                b'"errorType":"InvalidRequestID"}')
            return
        self.reply(404, b'{"errorMessage":"unknown path"}')


def lambda_env(name, api):
    """The environment Lambda gives a custom runtime (the parts a runtime reads)."""
    return {
        "AWS_LAMBDA_RUNTIME_API": api,
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/" + name,
        "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "_HANDLER": name,
        "LAMBDA_TASK_ROOT": "/var/task",
    }


class Container:
    """The dev container the functions run in (dev-container.sh made it)."""

    def __init__(self, docker, name, project, bin_dir, start_cmd=None, subdir=""):
        """bin_dir: where the launcher and the emulator go, below the project
        (.lambda/bin, the module's bin_dir)."""
        self.engine = ["bash", ENGINE_SH, docker]
        self.name, self.project, self.bin_dir = name, project, bin_dir
        self.start_cmd = start_cmd
        # a monorepo's project sits at /workspace/<subdir> (dev-container.sh --subdir)
        self.ws = WS + ("/" + subdir.strip("/") if subdir else "")

    def inspect(self):
        """(running, gateway IP of its network) or (False, '') if it is missing."""
        p = subprocess.run(self.engine + ["state", self.name], capture_output=True, text=True)
        words = p.stdout.split() if p.returncode == 0 else []
        return (bool(words) and words[0] == "true"), (words[1] if len(words) > 1 else "")

    def ensure(self):
        """Running, started by dev-container.sh if needed; returns the gateway IP
        (where the container reaches the host) and whether we started it."""
        running, gw = self.inspect()
        started = False
        if not running:
            if not self.start_cmd:
                raise SystemExit("lambda-make: the dev container %s is not running "
                                 "(make lambda-dev-start)" % self.name)
            p = subprocess.run(self.start_cmd, stdout=sys.stderr)
            if p.returncode != 0:
                raise SystemExit("lambda-make: cannot start the dev container %s "
                                 "(exit %d)" % (self.name, p.returncode))
            started = True
            running, gw = self.inspect()
        if not gw:
            raise SystemExit("lambda-make: the dev container %s has no bridge network "
                             "gateway: the function could not reach the Runtime API"
                             % self.name)
        return gw, started

    def stop(self):
        """Stop the container (only when we started it)."""
        subprocess.run(self.engine + ["stop", self.name],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def prepare(self, here, arch):
        """Put the launcher (and for arm64 the emulator) into bin_dir, which
        the container sees below /workspace; copied only when changed."""
        d = os.path.join(self.project, self.bin_dir)
        os.makedirs(d, exist_ok=True)
        files = [os.path.join(here, "lambda-exec.sh")]
        if arch == "arm64":
            qemu = shutil.which("qemu-aarch64-static")
            if not qemu:
                raise SystemExit("lambda-make: arm64 needs qemu-aarch64-static on the "
                                 "host (apt-get install qemu-user-static)")
            files.append(qemu)
        for f in files:
            dest = os.path.join(d, os.path.basename(f))
            st = os.stat(f)
            try:
                have = os.stat(dest)
                if have.st_size == st.st_size and int(have.st_mtime) == int(st.st_mtime):
                    continue
            except FileNotFoundError:
                pass
            tmp = "%s.%d" % (dest, os.getpid())
            shutil.copy2(f, tmp)
            os.chmod(tmp, 0o755)
            os.replace(tmp, dest)

    def in_ws(self, path):
        """A project path as the container sees it."""
        rel = os.path.relpath(os.path.realpath(path), os.path.realpath(self.project))
        if rel.startswith(".."):
            raise SystemExit("lambda-make: %s is outside the project %s" % (path, self.project))
        return self.ws + "/" + rel


class Process:
    """One bootstrap process: on the host, or in the container through the
    launcher (lambda-exec.sh), whose first stdout line is the pid to stop."""

    def __init__(self, bootstrap, arch, env, container=None, sysroot=None, log=None):
        self.container = container
        self.log = log or sys.stderr
        self.pid = None
        self.pid_seen = threading.Event()
        full = dict(os.environ)
        full.update(env)
        if container:
            argv = container.engine + ["exec"]
            for key in env:
                argv += ["-e", key]
            bin_dir = container.ws + "/" + container.bin_dir
            argv += ["--", container.name, "bash", bin_dir + "/lambda-exec.sh"]
            if arch == "arm64":
                argv += ["--qemu=" + bin_dir + "/qemu-aarch64-static",
                         "--sysroot=" + (sysroot or "/usr/aarch64-linux-gnu")]
            argv += ["--", container.in_ws(bootstrap)]
        else:
            argv = []
            if arch == "arm64":
                argv = ["qemu-aarch64-static", "-L", sysroot or "/usr/aarch64-linux-gnu"]
            argv.append(bootstrap)
            self.pid_seen.set()
        self.proc = subprocess.Popen(argv, env=full, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        threading.Thread(target=self._pump, args=(self.proc.stdout, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, False), daemon=True).start()

    def _pump(self, stream, first_is_pid):
        want_pid = first_is_pid and self.container is not None
        for line in iter(stream.readline, b""):
            if want_pid:
                want_pid = False
                text = line.decode(errors="replace").strip()
                if text.startswith("lambda-exec: pid "):
                    self.pid = text.split()[-1]
                    self.pid_seen.set()
                    continue
            try:
                self.log.buffer.write(line) if hasattr(self.log, "buffer") else \
                    self.log.write(line.decode(errors="replace"))
                self.log.flush()
            except (ValueError, OSError):
                return
        self.pid_seen.set()

    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        """The exit status, or None if it still runs after timeout seconds."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        """Kill the function (inside the container too: killing `docker exec`
        alone leaves the process running there)."""
        if self.container:
            self.pid_seen.wait(5)
            if self.pid and self.alive():
                subprocess.run(self.container.engine + ["exec", "--", self.container.name,
                                                        "kill", "-KILL", self.pid],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if self.alive():
            self.proc.kill()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass


def run_once(api, proc, inv, deadline_grace=0.0):
    """Hand inv to the running process; wait for its outcome, its death or the
    deadline (counted from the moment the function takes the event, plus the
    init time Lambda allows: the same timeout)."""
    api.submit(inv)
    t_end = time.monotonic() + inv.timeout_s * 2 + deadline_grace
    while not inv.done.wait(0.05):
        if inv.deadline_ms is not None and time.time() * 1000 > inv.deadline_ms:
            inv.finish("timeout", b"")
        elif not proc.alive():
            # let a last response that raced the exit land first
            if not inv.done.wait(0.2):
                inv.finish("exited", b"", str(proc.proc.returncode))
        elif time.monotonic() > t_end:
            inv.finish("timeout", b"")
    return inv


def error_text(inv, timeout_s):
    """One line for stderr describing a failed invocation."""
    if inv.status == "timeout":
        return "Task timed out after %.2f seconds" % timeout_s
    if inv.status == "exited":
        return "the function exited (status %s) without answering" % inv.error_type
    return "the function reported an error%s: %s" % (
        " (%s)" % inv.error_type if inv.error_type else "",
        inv.body.decode(errors="replace"))


def cmd_run(argv):
    p = argparse.ArgumentParser(prog="lambda-runtime-api.py run")
    p.add_argument("target", help="bootstrap path (host) or function name (--container)")
    p.add_argument("--event", required=True, help="event file, - for stdin")
    p.add_argument("--arch", default="x86_64", choices=["x86_64", "arm64"])
    p.add_argument("--timeout", type=float, default=3.0)
    p.add_argument("--name", help="function name (default: the bootstrap's dir name)")
    p.add_argument("--docker", default="docker")
    p.add_argument("--container")
    p.add_argument("--dir", help="the project (with --container)")
    p.add_argument("--dev-dir", help="the dev build's dir below --dir (with --container)")
    p.add_argument("--bin-dir", help="the launcher's dir below --dir (with --container)")
    p.add_argument("--start", action="append", default=[],
                   help="dev-container.sh start argv, one word each")
    p.add_argument("--subdir", default="", help="a monorepo: the project below the mount")
    p.add_argument("--sysroot")
    a = p.parse_args(argv)
    here = os.path.dirname(os.path.realpath(__file__))
    if a.event == "-":
        event = sys.stdin.buffer.read()
    else:
        with open(a.event, "rb") as f:
            event = f.read()
    container = None
    bind = "127.0.0.1"
    if a.container:
        if not (a.dir and a.dev_dir and a.bin_dir):
            p.error("--container needs --dir, --dev-dir and --bin-dir")
        container = Container(a.docker, a.container, a.dir, a.bin_dir, a.start or None, a.subdir)
        bootstrap = os.path.join(a.dir, a.dev_dir, a.arch, a.target, "bootstrap")
        name = a.name or a.target
        bind, _ = container.ensure()
        container.prepare(here, a.arch)
    else:
        bootstrap = a.target
        name = a.name or "lambda-make-test"
    if not (os.path.isfile(bootstrap) and os.access(bootstrap, os.X_OK)):
        sys.stderr.write("lambda-make: %s is not an executable file (build it first: "
                         "make lambda-dev)\n" % bootstrap)
        return E_USAGE
    api = RuntimeAPI(bind, name)
    proc = None
    try:
        proc = Process(bootstrap, a.arch, lambda_env(name, api.address), container, a.sysroot)
        inv = run_once(api, proc, Invocation(event, a.timeout, name))
    finally:  # Ctrl-C too: nothing of ours keeps running
        if proc:
            proc.stop()
        api.close()
    if inv.status == "response":
        sys.stdout.buffer.write(inv.body)
        sys.stdout.flush()
        return E_OK
    sys.stderr.write("lambda-make: %s\n" % error_text(inv, a.timeout))
    return {"timeout": E_TIMEOUT, "exited": E_EXITED}.get(inv.status, E_ERROR)


def cmd_oneshot(argv):
    """The original test helper: one event, the caller runs the bootstrap."""
    p = argparse.ArgumentParser(prog="lambda-runtime-api.py")
    p.add_argument("event", help="file holding the event JSON")
    p.add_argument("out", help="file the posted response/error body goes to")
    p.add_argument("--deadline-ms", type=int, default=30000)
    a = p.parse_args(argv)
    with open(a.event, "rb") as f:
        event = f.read()
    api = RuntimeAPI("127.0.0.1", "lambda-make-test")
    inv = api.submit(Invocation(event, a.deadline_ms / 1000.0, "lambda-make-test"))
    print(api.server_address[1], flush=True)
    inv.done.wait()
    # the function's reply was acknowledged before done was set: close after it
    time.sleep(0.05)
    with open(a.out, "wb") as out:
        out.write(inv.body)
    api.close()
    return E_OK if inv.status == "response" else E_ERROR


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "run":
        return cmd_run(sys.argv[2:])
    return cmd_oneshot(sys.argv[1:])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

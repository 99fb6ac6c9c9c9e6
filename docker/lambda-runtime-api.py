#!/usr/bin/env python3
"""A one-shot AWS Lambda Runtime API on loopback, for end-to-end tests.

Serves one event on GET /2018-06-01/runtime/invocation/next, waits for the
function's POST to .../invocation/<id>/response (or /error, or
/runtime/init/error), writes that body to OUT and exits: 0 for a response,
1 for an error report. The chosen port is printed on stdout, alone on a line,
as soon as the socket listens.
"""

import argparse
import http.server
import sys
import time

API = "/2018-06-01/runtime"
REQUEST_ID = "8f507cfc-0000-4000-8000-00000000c0de"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:lambda-make-test"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
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
        if self.path != API + "/invocation/next" or self.server.served:
            self.reply(404, b'{"errorMessage":"no such event"}')
            return
        self.server.served = True
        deadline = int(time.time() * 1000) + self.server.deadline_ms
        self.reply(200, self.server.event, {
            "Lambda-Runtime-Aws-Request-Id": REQUEST_ID,
            "Lambda-Runtime-Deadline-Ms": str(deadline),
            "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
            "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
        })

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        invocation = API + "/invocation/" + REQUEST_ID
        if self.path == invocation + "/response":
            outcome = 0
        elif self.path in (invocation + "/error", API + "/init/error"):
            outcome = 1
        else:
            self.reply(404, b'{"errorMessage":"unknown path"}')
            return
        # Close after this reply: the function's next poll must not block us.
        self.close_connection = True
        self.reply(202, b'{"status":"OK"}', {"Connection": "close"})
        with open(self.server.out, "wb") as out:
            out.write(body)
        self.server.outcome = outcome


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("event", help="file holding the event JSON")
    parser.add_argument("out", help="file the posted response/error body goes to")
    parser.add_argument("--deadline-ms", type=int, default=30000,
                        help="invocation deadline from now (default 30000)")
    args = parser.parse_args()

    with open(args.event, "rb") as event:
        body = event.read()
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    server.event = body
    server.out = args.out
    server.deadline_ms = args.deadline_ms
    server.served = False
    server.outcome = None
    print(server.server_address[1], flush=True)
    while server.outcome is None:
        server.handle_request()
    server.server_close()
    return server.outcome


if __name__ == "__main__":
    sys.exit(main())

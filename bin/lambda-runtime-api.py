#!/usr/bin/env python3
"""Minimal local emulator of the AWS Lambda Runtime API (version 2018-06-01).

Runs ONE invocation: starts the function process (the command after `--`) with
AWS_LAMBDA_RUNTIME_API pointing at this server, hands it the event on
GET .../invocation/next, and waits for .../response or .../error.

    lambda-runtime-api.py --handler NAME --event-file F|- [--timeout S] -- cmd args...

stdout carries only the result JSON; the function's own output and all of our
messages go to stderr.  Exit status: 0 on a response, 1 on an error, a crash
or a timeout, 2 on bad usage.
"""
import argparse
import http.server
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid

API = "/2018-06-01/runtime"


def log(msg):
    print(f"[lambda-runtime-api] {msg}", file=sys.stderr, flush=True)


def trace_id():
    # X-Ray format: Root=1-<epoch seconds hex>-<96-bit id>;Parent=<64-bit id>;Sampled=0
    return (f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};"
            f"Parent={uuid.uuid4().hex[:16]};Sampled=0")


class Invocation:
    """State shared between the HTTP handler threads and the main thread."""

    def __init__(self, event, function_arn, deadline):
        self.event = event
        self.function_arn = function_arn
        self.deadline = deadline          # epoch seconds
        self.request_id = str(uuid.uuid4())
        self.lock = threading.Lock()
        self.handed_out = False
        self.shutdown = threading.Event()  # releases runtimes blocked in /next
        self.outcomes = queue.Queue()      # ("response"|"error"|"init-error", bytes)


class Handler(http.server.BaseHTTPRequestHandler):
    inv: Invocation = None  # set before serving
    # HTTP/1.0 semantics (one request per connection) keep things simple; the
    # runtime clients open a new connection per call anyway.

    def log_message(self, fmt, *args):  # default logs every request to stderr
        pass

    def _reply(self, code, body=b"", headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()  # trailing CRLF (no trailers expected)
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self):
        inv = self.inv
        if self.path != f"{API}/invocation/next":
            return self._reply(404, b'{"errorMessage":"not found"}')
        with inv.lock:
            first = not inv.handed_out
            inv.handed_out = True
        if not first:
            # A runtime polls /next again right after answering.  Real Lambda
            # freezes the sandbox here; we block until we shut down (answering
            # non-200 would make Quarkus' poll loop spin).
            inv.shutdown.wait()
            return  # closes the connection without an answer
        self._reply(200, inv.event, {
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": inv.request_id,
            "Lambda-Runtime-Deadline-Ms": str(int(inv.deadline * 1000)),
            "Lambda-Runtime-Invoked-Function-Arn": inv.function_arn,
            "Lambda-Runtime-Trace-Id": trace_id(),
        })

    def do_POST(self):
        inv = self.inv
        body = self._read_body()
        if self.path == f"{API}/init/error":
            kind = "init-error"
        elif self.path == f"{API}/invocation/{inv.request_id}/response":
            kind = "response"
        elif self.path == f"{API}/invocation/{inv.request_id}/error":
            kind = "error"
        elif self.path.startswith(f"{API}/invocation/"):
            return self._reply(400, b'{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}')
        else:
            return self._reply(404, b'{"errorMessage":"not found"}')
        # Acknowledge before telling the main thread, so the runtime is not
        # stopped halfway through reading our answer (it would log a spurious error).
        try:
            self._reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})
        finally:
            inv.outcomes.put((kind, body))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a handler blocked in /next must not keep us alive


def stop(child, grace=3.0):
    """SIGTERM the function process (group), SIGKILL it if it lingers."""
    if child.poll() is not None:
        try:  # it is gone; anything it left in its group goes too
            os.killpg(child.pid, signal.SIGKILL)
        except OSError:
            pass
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(child.pid, sig)  # whole group: wrappers may fork the JVM
        except ProcessLookupError:
            return
        try:
            child.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            if sig == signal.SIGTERM:
                log(f"function did not stop within {grace:g}s of SIGTERM, killing it")


def pretty(body):
    if not body.strip():
        return "null"  # a handler returning null posts an empty body
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body.decode("utf-8", "replace")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                usage="%(prog)s --handler NAME --event-file F|- [--timeout S] -- cmd args...")
    p.add_argument("--handler", required=True)
    p.add_argument("--event-file", required=True, help="event JSON file, or - for stdin")
    p.add_argument("--timeout", type=float,
                   default=float(os.environ.get("INVOKE_TIMEOUT_SECONDS") or 900),
                   help="seconds (default: $INVOKE_TIMEOUT_SECONDS or 900)")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    args = p.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        p.error("missing function command after --")

    if args.event_file == "-":
        event = sys.stdin.buffer.read()
    else:
        with open(args.event_file, "rb") as f:
            event = f.read()

    function_name = f"taskmaster-backup-{args.handler}"
    region = os.environ.get("AWS_REGION") or "us-east-1"
    # One deadline for the whole run (start-up included): it is both what the
    # function sees as its remaining time and when we kill it.
    deadline = time.time() + args.timeout
    inv = Invocation(event, f"arn:aws:lambda:{region}:000000000000:function:{function_name}", deadline)
    Handler.inv = inv

    # Make `kill` of this emulator (not only Ctrl-C) run the cleanup below.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(143))

    server = Server(("127.0.0.1", 0), Handler)  # port 0: the OS picks a free port
    threading.Thread(target=server.serve_forever, daemon=True).start()

    env = dict(os.environ)
    env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{server.server_address[1]}"
    env["AWS_LAMBDA_FUNCTION_NAME"] = function_name
    env.setdefault("_HANDLER", args.handler)  # bin/invoke sets the Java runtime's Class::method
    env.setdefault("QUARKUS_LAMBDA_HANDLER", args.handler)
    env.setdefault("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
    env.setdefault("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
    env.setdefault("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{function_name}")
    env.setdefault("AWS_LAMBDA_LOG_STREAM_NAME", "local/invoke")

    try:
        # stdout=stderr: the function's logs must never mix with the result.
        # start_new_session: its own process group, so stop() gets all of it
        # and a Ctrl-C in the terminal reaches only us.
        child = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                 stdout=sys.stderr, stderr=sys.stderr,
                                 start_new_session=True)
    except OSError as e:
        log(f"cannot start {cmd[0]}: {e}")
        return 1

    outcome = None
    try:
        while outcome is None:
            try:
                outcome = inv.outcomes.get(timeout=0.1)
            except queue.Empty:
                if child.poll() is not None:
                    try:  # it may have answered just before exiting: allow the handler thread to catch up
                        outcome = inv.outcomes.get(timeout=1)
                    except queue.Empty:
                        log(f"function process exited with status {child.returncode} before answering")
                        return 1
                elif time.time() > deadline:
                    log(f"timed out after {args.timeout:g}s")
                    return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        stop(child)
        inv.shutdown.set()
        server.shutdown()

    kind, body = outcome
    if kind == "response":
        print(pretty(body), flush=True)
        return 0
    log(f"{'init error' if kind == 'init-error' else 'function error'}:")
    print(pretty(body), file=sys.stderr, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())

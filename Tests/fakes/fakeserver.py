"""Shared pieces of the fake CRM servers: a threaded loopback HTTP server that prints its port, request statistics
(every arrival time, how many were answered "slow down"), and a `/_stats` page the tests read. Standard library only."""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Stats:
    """Arrival times of every counted request and the answers that refused them for the rate limit."""

    def __init__(self):
        self.lock = threading.Lock()
        self.arrivals: list[float] = []
        self.limited = 0
        self.busy_answered = 0
        self.paths: dict[str, int] = {}

    def max_in_window(self, seconds: float) -> int:
        """The most arrivals within any window of `seconds` (half-open), over the whole run."""
        times = sorted(self.arrivals)
        best, j = 0, 0
        for i, t in enumerate(times):
            while times[j] <= t - seconds:
                j += 1
            best = max(best, i - j + 1)
        return best

    def snapshot(self) -> dict:
        with self.lock:
            times = sorted(self.arrivals)
            span = times[-1] - times[0] if len(times) > 1 else 0
            return {"requests": len(times), "limited": self.limited, "busy": self.busy_answered,
                    "max_per_second": self.max_in_window(1.0), "max_per_10s": self.max_in_window(10.0),
                    "span_seconds": span, "paths": dict(self.paths)}


def arguments(description: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one; printed on the first line)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--deals", type=int, default=600)
    p.add_argument("--secret", default="fake-secret", help="the token (amoCRM) or webhook key (Bitrix24) accepted")
    p.add_argument("--busy", type=int, default=0,
                   help="answer the 3rd to (3+N-1)th requests 'slow down' as if another integration had used the limit up")
    return p.parse_args()


def serve(handler: type[BaseHTTPRequestHandler], port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


class JSONHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: the tests read /_stats
        pass

    def reply(self, status: int, body=None, headers: dict | None = None) -> None:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""


def now() -> float:
    return time.monotonic()


def flush_stdout():
    sys.stdout.flush()

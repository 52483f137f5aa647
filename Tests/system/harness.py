"""Shared pieces of the system tests: the server binary, processes on free loopback ports, an admin token made with the
CLI, a small keep-alive JSON client, and a webhook receiver that checks Standard Webhooks signatures.

Everything listens on 127.0.0.1 only; every process and temporary directory is cleaned up by its owner."""
import base64
import hashlib
import hmac
import http.client
import http.server
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Figures the tests report (kills, deliveries, rates); conftest.py shows them after the run, passed or not.
FIGURES: list[str] = []


def report(line: str) -> None:
    print(line)
    FIGURES.append(line)


def binary() -> Path:
    """The server binary: $AUTOFUNNEL_BIN, else the debug build `scripts/test` makes. Missing is a failure, not a skip."""
    path = Path(os.environ.get("AUTOFUNNEL_BIN") or ROOT / ".build" / "debug" / "autofunnel")
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"no autofunnel binary at {path} (build it with `swift build` or set AUTOFUNNEL_BIN)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(args: list, database_url: str, stdin: str | None = None, timeout: float = 120) -> str:
    """Runs `autofunnel ARGS --database-url URL` and returns its standard output; a non-zero exit fails the test."""
    done = subprocess.run([str(binary()), *args, "--database-url", database_url], input=stdin, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        pytest.fail(f"autofunnel {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def admin_token(database_url: str, email: str = "system-test@autofunnel.test") -> str:
    """Creates an admin with a random password and an admin-scope API token through the CLI (this also migrates)."""
    password = "St-" + secrets.token_urlsafe(24)
    cli(["users", "create", "--admin", "--email", email], database_url, stdin=password + "\n")
    token = cli(["tokens", "create", "--user", email, "--name", "system-test", "--scope", "admin"], database_url).strip()
    assert token.startswith("aft_"), f"unexpected token output: {token!r}"
    return token


class Tls:
    """A throwaway certificate authority and a server certificate for 127.0.0.1 and localhost, made with the openssl
    command in `workdir`; clients trust `ca` (e.g. through REQUESTS_CA_BUNDLE / SSL_CERT_FILE)."""

    def __init__(self, workdir: Path):
        d = Path(workdir)
        self.ca, self.cert, self.key = d / "ca.pem", d / "server.pem", d / "server.key"
        ca_key, csr, ext = d / "ca.key", d / "server.csr", d / "server.ext"
        ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                       "extendedKeyUsage=serverAuth\n")
        for args in (
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", self.ca, "-days", "2", "-subj", "/CN=Autofunnel test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key, "-out", csr, "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", ca_key, "-CAcreateserial", "-out", self.cert, "-days", "2",
             "-extfile", ext],
        ):
            subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, timeout=60)

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))


def connection(host: str, port: int, timeout: float, tls: "Tls | None") -> http.client.HTTPConnection:
    """A plain connection, or an HTTPS one that trusts only the test CA."""
    if tls:
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=tls.context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


def preset_server(name: str, presets: list, email: str, tls: bool = False) -> dict:
    """A started server on a new SQLite file (over https with a throwaway CA when `tls`) with an admin (`email`),
    their admin token and the presets applied through the CLI: {"server", "api", "token", "uid", "url", "tls"}.
    Stop it with `["server"].stop()`."""
    tmp = Path(tempfile.mkdtemp(prefix=f"autofunnel-{name}-"))
    url = f"sqlite:{tmp / (name + '.sqlite')}"
    token = admin_token(url, email=email)
    cli(["presets", "apply", *presets], url)
    certificates = Tls(tmp) if tls else None
    srv = Server(url, tmp, name, tls=certificates)
    srv.start()
    api = Api(srv.base, token, tls=certificates)
    uid = next(u["id"] for u in api.ok("GET", "/users")["items"] if u["email"] == email)
    return {"server": srv, "api": api, "token": token, "uid": uid, "url": url, "tls": certificates}


class Server:
    """One `autofunnel serve` process on a fixed free loopback port; it can be killed and started again on the same
    port and database. Output goes to a log file in `workdir` (shown when a start fails)."""

    def __init__(self, database_url: str, workdir: Path, name: str = "server", env: dict | None = None, tls: "Tls | None" = None,
                 args: list | None = None, log_level: str | None = "warning"):
        """`args` are added to `serve` (e.g. ["--demo"]); `log_level` None leaves the server's default level."""
        self.database_url = database_url
        self.args = list(args or [])
        self.log_level = log_level
        self.workdir = Path(workdir)
        self.name = name
        self.port = free_port()
        self.tls = tls
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        # scripts/test collects every server's log in AUTOFUNNEL_LOG_DIR and checks afterwards that no credential
        # reached any of them.
        log_dir = os.environ.get("AUTOFUNNEL_LOG_DIR")
        self.log_path = Path(log_dir) / f"{name}-{self.port}.log" if log_dir else self.workdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout: float = 90) -> float:
        """Starts the process and waits for GET /health to answer 200; returns the seconds it took."""
        began = time.monotonic()
        log = open(self.log_path, "ab")
        log.write(f"--- start {self.starts + 1} ---\n".encode())
        log.flush()
        self.proc = subprocess.Popen(
            [str(binary()), "serve", "--database-url", self.database_url, "--host", "127.0.0.1", "--port", str(self.port),
             *(["--log-level", self.log_level] if self.log_level else []), *self.args,
             *(["--tls-cert", str(self.tls.cert), "--tls-key", str(self.tls.key)] if self.tls else [])],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.workdir, env=self.env)
        log.close()
        self.starts += 1
        deadline = began + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.proc.returncode} while starting:\n{self.log_tail()}")
            try:
                c = connection("127.0.0.1", self.port, 2, self.tls)
                c.request("GET", "/health")
                status = c.getresponse().status
                c.close()
                if status == 200:
                    return time.monotonic() - began
            except OSError:
                pass
            time.sleep(0.02)
        self.kill()
        pytest.fail(f"{self.name} did not answer /health within {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, nothing flushed."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM (graceful), SIGKILL after 20 s."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def metric(self, name: str) -> float:
        """The value of an unlabelled counter or gauge from GET /metrics (0 when not exposed yet)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request("GET", "/metrics")
        r = c.getresponse()
        text = r.read().decode()
        c.close()
        assert r.status == 200, f"/metrics answered {r.status}"
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total


class Api:
    """A JSON client with one keep-alive connection per thread; network errors raise OSError (ConnectionError etc.)."""

    def __init__(self, base: str, token: str, timeout: float = 30, tls: "Tls | None" = None):
        u = urllib.parse.urlparse(base)
        self.host, self.port, self.token, self.timeout, self.tls = u.hostname, u.port, token, timeout, tls
        self.local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        c = getattr(self.local, "conn", None)
        if c is None:
            c = connection(self.host, self.port, self.timeout, self.tls)
            self.local.conn = c
        return c

    def drop(self) -> None:
        c = getattr(self.local, "conn", None)
        if c is not None:
            c.close()
            self.local.conn = None

    def call(self, method: str, path: str, body=None, headers: dict | None = None, content_type: str = "application/json"):
        """Returns (status, headers, parsed JSON or text)."""
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        h = {"Authorization": f"Bearer {self.token}", "Accept": "application/json", **(headers or {})}
        if data is not None:
            h["Content-Type"] = content_type
        try:
            c = self._conn()
            c.request(method, "/api/v1" + path, body=data, headers=h)
            r = c.getresponse()
            raw = r.read()
        except (OSError, http.client.HTTPException) as e:
            self.drop()
            raise ConnectionError(f"{method} {path}: {e!r}") from e
        if r.getheader("Connection", "").lower() == "close":
            self.drop()
        text = raw.decode(errors="replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return r.status, {k.lower(): v for k, v in r.getheaders()}, parsed

    def ok(self, method: str, path: str, body=None, headers: dict | None = None, content_type: str = "application/json"):
        status, _, parsed = self.call(method, path, body, headers, content_type)
        assert 200 <= status < 300, f"{method} {path} answered {status}: {parsed}"
        return parsed


def refusal_texts(api: Api, deal_id: int, stage: str) -> set:
    """What the native API says when the same move is refused: our violation texts joined, in both languages (the other
    CRMs' dialects must answer a refused move with one of them)."""
    status, _, body = api.call("POST", f"/deals/{deal_id}/move", {"stage": stage})
    assert status == 422, body
    return {"; ".join(e["message"] for e in body["errors"]), "; ".join(e["messageRu"] for e in body["errors"])}


def verify_signature(secret: str, msg_id: str, timestamp: str, body: bytes, header: str) -> bool:
    """Standard Webhooks 1.0: base64(HMAC-SHA256(base64-decoded secret after whsec_, "id.timestamp.body")), prefixed v1,;
    the header may hold several space-separated signatures."""
    key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret)
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
    return any(part.startswith("v1,") and hmac.compare_digest(part[3:], expected) for part in header.split())


class WebhookReceiver:
    """A loopback HTTP server recording every delivery. Paths map to endpoint secrets (`secrets[path]`, set after the
    endpoints are created). `fail_first` is the share of message ids whose first delivery gets a 500; `delay` returns
    seconds to wait before answering, so that deliveries are in flight when the server is killed."""

    def __init__(self, fail_first: float = 0.0, delay=lambda: 0.0, seed: int = 1):
        import random
        self.random = random.Random(seed)
        self.fail_first = fail_first
        self.delay = delay
        self.secrets: dict[str, str] = {}
        self.lock = threading.Lock()
        self.deliveries: list[dict] = []  # every request answered 2xx
        self.failed_once: set[str] = set()  # ids answered 500 once
        self.bad_signatures: list[dict] = []
        self.unknown_paths: list[str] = []
        self.aborted = 0  # requests cut off by a killed sender
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:  # the sender died mid-request: nothing was delivered, nobody to answer
                    with receiver.lock:
                        receiver.aborted += 1
                    self.close_connection = True
                    return
                status = receiver.handle(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

        class Quiet(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a killed sender resets its connection; that is the point of the test

        self.server = Quiet(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def handle(self, path: str, headers: dict, body: bytes) -> int:
        msg_id = headers.get("webhook-id", "")
        ts = headers.get("webhook-timestamp", "")
        secret = self.secrets.get(path)
        with self.lock:
            if secret is None:
                self.unknown_paths.append(path)
                return 404
            good = bool(msg_id) and ts.isdigit() and verify_signature(secret, msg_id, ts, body, headers.get("webhook-signature", ""))
            if good and abs(time.time() - int(ts)) > 300:
                good = False
            if not good:
                self.bad_signatures.append({"path": path, "id": msg_id, "headers": headers, "body": body})
                return 400
            fail = msg_id not in self.failed_once and self.random.random() < self.fail_first
            if fail:
                self.failed_once.add(msg_id)
            wait = self.delay()
        if wait > 0:
            time.sleep(wait)
        if fail:
            return 500
        with self.lock:
            self.deliveries.append({"id": msg_id, "path": path, "body": body, "at": time.time()})
        return 204

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

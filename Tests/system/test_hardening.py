"""Regression tests for issue 16 on the real server: nothing a caller sends may stop the process, leak a credential
or tie the server up.

Every hostile input is sent to a running `autofunnel serve` and the test asserts what a user would notice: the answer
is a 4xx (not a 5xx, not a dropped connection), and afterwards the SAME process (same PID) still answers `/health`
and an authenticated call. Most cases share one module-scoped `serve --demo` server on a temporary SQLite file
(default log level, output captured to a file that the last test greps for credentials); a case that kills it is
reported with the crash lines from its output and the server is started again on the same file for the next case.
Cases where a restart matters (stored poison: a webhook's Retry-After, huge money sums) or that would leave a
dangerous definition behind (the YAML alias bomb) get their own servers.

HARDENING_KEEP=1 keeps the temporary directories (databases and server logs) for investigation; HARDENING_VERBOSE=1 with
`pytest -s` prints every hostile case's answer."""
import concurrent.futures
import decimal
import html.parser
import html as htmllib
import http.client
import http.server
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from harness import ROOT, Server, binary, cli, report

#: How long the server gives a client to finish its request head (RequestHeadDeadline.seconds), and the margin the test
#: allows on top (a busy machine); a connection still open after both fails the test.
SERVER_HEADER_TIMEOUT_SECONDS = 20.0
HEADER_TIMEOUT_SECONDS = float(os.environ.get("HARDENING_HEADER_TIMEOUT", str(SERVER_HEADER_TIMEOUT_SECONDS + 10)))
#: How long a hostile request may take to be refused ("quickly").
QUICK_SECONDS = 10.0
INT64_MAX = 9223372036854775807
INT64_MIN = -9223372036854775808
#: The largest amount `Money` accepts (14 whole digits, RUB has 2 minor digits).
MAX_AMOUNT = "99999999999999.99"
#: The Swift runtime's crash report: no colours, no prompts, only the crashed thread (keeps a dying debug build quick).
BACKTRACE_ENV = {"SWIFT_BACKTRACE": "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none"}
KEEP = os.environ.get("HARDENING_KEEP") == "1"
#: HARDENING_VERBOSE=1 (with pytest -s) prints every hostile case's answer.
VERBOSE = os.environ.get("HARDENING_VERBOSE") == "1"

POLICY = """policy:
  user: {forward: true, backward: true, skip: true, close: true}
  automation: {forward: true, backward: true, skip: true, close: true}
  api: {forward: true, backward: true, skip: true, close: true}
  import: {forward: true, backward: true, skip: true, close: true}
"""


def definition(key: str, fields: str = "", automations: str = "") -> str:
    """A small pipeline anyone may move freely in: first → second → won, or lost (which needs a comment)."""
    return (f"key: {key}\nname: {{ru: {key}, en: {key}}}\n" + POLICY + fields + """stages:
- {key: first, kind: process, name: {ru: Первый, en: First}, probability: 30}
- {key: second, kind: process, name: {ru: Второй, en: Second}, probability: 60}
- {key: won, kind: conversion, outcome: won, name: {ru: Успех, en: Won}}
- {key: lost, kind: conversion, outcome: lost, lossCommentRequired: true, name: {ru: Отказ, en: Lost}}
""" + automations)


HARD = definition("hard", fields="""fields:
- entity: deal
  key: hard_money
  type: money
  name: {ru: Сумма договора, en: Contract sum}
""")
HARD_COPY = definition("hard_copy")
DOCS = definition("docs", automations="""automations:
- key: make_offer
  trigger: {on: deal_created}
  actions:
  - {do: render_document, name: Offer, template: '<p>{{deal.title}}</p><a id="offer-link" href="{{deal.title}}">open</a>'}
""")
WAITS = definition("waits", automations="""automations:
- key: bank_check
  trigger: {on: deal_created}
  actions:
  - {do: call_and_wait, endpoint: bank, wait: 2h}
""")


# --- plain HTTP ------------------------------------------------------------------------------------------------------

class Reply:
    def __init__(self, status, headers: dict, raw: bytes, error: str | None = None, elapsed: float = 0.0):
        self.status, self.headers, self.raw, self.error, self.elapsed = status, headers, raw, error, elapsed

    @property
    def text(self) -> str:
        return self.raw.decode(errors="replace")

    @property
    def json(self):
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    def __repr__(self) -> str:
        if self.status is None:
            return f"no answer ({self.error}) after {self.elapsed:.1f} s"
        return f"{self.status} {self.text[:300]!r}"


def call(port: int, method: str, path: str, body=None, headers: dict | None = None, timeout: float = 30.0,
         source: str | None = None) -> Reply:
    """One request on a new connection; a dropped connection or a timeout is a Reply with status None."""
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode()
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = body
    h = dict(headers or {})
    if data is not None and not any(k.lower() == "content-type" for k in h):
        h["Content-Type"] = "application/json"
    began = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0) if source else None)
    try:
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, raw, elapsed=time.monotonic() - began)
    except (OSError, http.client.HTTPException) as e:
        return Reply(None, {}, b"", error=repr(e), elapsed=time.monotonic() - began)
    finally:
        c.close()


def four_xx(status) -> bool:
    return status is not None and 400 <= status < 500


def not_5xx(status) -> bool:
    return status is not None and status < 500


CRASH_LINE = re.compile(r"Fatal error|Program crashed|runtime failure|Illegal instruction|Segmentation fault|[Ss]tack overflow"
                        r"|Thread \d+ .*crashed|/Sources/Autofunnel\w+/\S+\.swift:\d+")


def crash_excerpt(srv: Server) -> str:
    """The crash lines (the runtime's message and our frames) of the current run's output."""
    try:
        text = srv.log_path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    section = text.rsplit(f"--- start {srv.starts} ---", 1)[-1]
    lines, frames = [], 0
    for line in section.splitlines():
        if not CRASH_LINE.search(line):
            continue
        if "/Sources/" in line and not re.search(r"Fatal error|crashed", line):
            frames += 1
            if frames > 5:
                continue
            found = re.search(r" in (.{0,120}?) at (/\S+/Sources/\S+\.swift:\d+)", line)
            line = f"  {found.group(2)} ({found.group(1)})" if found else line
        lines.append(line.strip()[:400])
    return "\n".join(lines[:14]) if lines else "(no crash lines; output tail)\n" + section[-1500:]


# --- a server with its credentials -----------------------------------------------------------------------------------

class Live:
    """A started server and how to call it: admin token (API, Bitrix24), amoCRM token, and an admin session (pages)."""

    def __init__(self, server: Server, token: str, workdir: Path):
        self.server, self.token, self.workdir = server, token, workdir
        self.cookie: str | None = None
        self.csrf: str | None = None
        self.amo: str | None = None
        self.users: dict[str, int] = {}
        self.passwords: dict[str, str] = {}
        self.restarts: list[str] = []
        self.loris = None

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def pid(self) -> int:
        return self.server.proc.pid

    def api(self, method: str, path: str, body=None, headers: dict | None = None, token: str | None = None, timeout: float = 30.0) -> Reply:
        h = {"Authorization": f"Bearer {token or self.token}", "Accept": "application/json", **(headers or {})}
        return call(self.port, method, "/api/v1" + path, body, h, timeout)

    def ok(self, method: str, path: str, body=None, headers: dict | None = None):
        r = self.api(method, path, body, headers)
        assert r.status is not None and 200 <= r.status < 300, f"{method} {path} answered {r}"
        return r.json

    def sign_in(self, email: str, password: str, source: str | None = None) -> tuple[str, str]:
        r = call(self.port, "POST", "/api/v1/session", {"email": email, "password": password}, source=source)
        assert r.status == 200, f"sign-in of {email} answered {r}"
        cookie = re.search(r"af_session=([^;]+)", r.headers.get("set-cookie", ""))
        assert cookie, f"no af_session cookie in {r.headers}"
        return cookie.group(1), r.json["csrfToken"]

    def session_api(self, method: str, path: str, body=None, cookie: str | None = None, csrf: str | None = None,
                    source: str | None = None) -> Reply:
        h = {"Cookie": f"af_session={cookie or self.cookie}", "X-CSRF-Token": csrf or self.csrf, "Accept": "application/json"}
        return call(self.port, method, "/api/v1" + path, body, h, source=source)

    def page(self, method: str, path: str, form: dict | None = None, timeout: float = 30.0) -> Reply:
        h = {"Cookie": f"af_session={self.cookie}", "Accept": "text/html"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        return call(self.port, method, path, body, h, timeout)

    def deal(self, pipeline: str, title: str, **extra) -> dict:
        return self.ok("POST", "/deals", {"pipeline": pipeline, "title": title, **extra})

    # Liveness.
    def alive_problem(self, pid: int) -> str | None:
        """None when process `pid` is still the server and answers /health and an authenticated call."""
        srv = self.server
        if srv.proc is None or srv.proc.pid != pid:
            return "the server is another process now"
        health = call(self.port, "GET", "/health", timeout=10)
        if srv.proc.poll() is None and health.status == 200:
            me = self.api("GET", "/session", timeout=10)
            if me.status == 200:
                return None
            return f"an authenticated call answered {me}"
        deadline = time.monotonic() + 45  # let a dying process finish its crash report
        while srv.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        rc = srv.proc.poll()
        state = f"the server process exited with {rc}" if rc is not None else f"the server stopped answering /health ({health})"
        return f"{state}\n{crash_excerpt(srv)}"

    def ensure(self) -> None:
        """Starts the server again (same port, same database) if an earlier case killed it."""
        if self.server.alive() and call(self.port, "GET", "/health", timeout=10).status == 200:
            return
        if self.server.alive():
            self.server.kill()
        self.restarts.append(crash_excerpt(self.server))
        self.server.start()

    def stop(self) -> None:
        self.server.stop()
        if not KEEP:
            shutil.rmtree(self.workdir, ignore_errors=True)


class Cases:
    """Runs hostile cases one after another on a Live server, restarting it after a case that killed it, and fails
    once at the end with every case that went wrong (its answer and, for a crash, the crash lines)."""

    def __init__(self, live: Live):
        self.live = live
        self.failures: list[str] = []

    def check(self, what: str, send, expect=four_xx, expected: str = "a 4xx") -> Reply | None:
        self.live.ensure()
        pid = self.live.pid
        reply = send()
        if VERBOSE:
            print(f"{what}: {reply}")
        problem = self.live.alive_problem(pid)
        if problem is None and expect(reply.status):
            return reply
        if problem is None:
            self.failures.append(f"{what}: answered {reply}, expected {expected}; the process survived")
        else:
            self.failures.append(f"{what}: answered {reply}; {problem}")
        return None

    def fail(self, what: str) -> None:
        self.failures.append(what)

    def done(self) -> None:
        if self.failures:
            pytest.fail(f"{len(self.failures)} case(s) failed:\n- " + "\n- ".join(self.failures), pytrace=False)


def admin_server(name: str, env: dict | None = None, log_level: str | None = None) -> Live:
    """A server on a new SQLite file with an admin (known password) and their admin token, made with the CLI."""
    tmp = Path(tempfile.mkdtemp(prefix=f"autofunnel-{name}-"))
    url = f"sqlite:{tmp / (name + '.sqlite')}"
    email, password = f"{name}@hardening.test", "Hd-" + secrets.token_urlsafe(18)
    cli(["users", "create", "--admin", "--email", email], url, stdin=password + "\n")
    token = cli(["tokens", "create", "--user", email, "--name", "hardening", "--scope", "admin"], url).strip()
    srv = Server(url, tmp, name, env={**BACKTRACE_ENV, **(env or {})}, log_level=log_level)
    srv.start()
    live = Live(srv, token, tmp)
    live.passwords[email] = password
    live.users = {u["email"]: u["id"] for u in live.ok("GET", "/users")["items"]}
    return live


def put_definition(live: Live, text: str, key: str) -> None:
    r = live.api("PUT", f"/pipelines/{key}/definition", text, {"Content-Type": "application/yaml"})
    assert r.status == 200, f"PUT /pipelines/{key}/definition answered {r}"


class Receiver:
    """A loopback HTTP endpoint answering every POST with `status` and `headers`, recording what it got."""

    def __init__(self, status: int = 204, headers: dict | None = None):
        self.status, self.headers = status, headers or {}
        self.got: list[dict] = []
        self.cond = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver.cond:
                    receiver.got.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
                    receiver.cond.notify_all()
                self.send_response(receiver.status)
                for k, v in receiver.headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", "0")
                self.end_headers()

        class Quiet(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass

        self.server = Quiet(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def wait(self, count: int, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: len(self.got) >= count, timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- the shared server -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live():
    """`serve --demo` on a temporary SQLite file at the default log level, loopback webhooks allowed; the demo admin's
    session, an admin token and an amoCRM token made through the API; the test pipelines, a webhook endpoint and two
    channels. A connection that never finishes its request headers is opened at once (test_unfinished_headers)."""
    tmp = Path(tempfile.mkdtemp(prefix="autofunnel-hardening-"))
    srv = Server(f"sqlite:{tmp / 'hardening.sqlite'}", tmp, "hardening", env={**BACKTRACE_ENV, "AUTOFUNNEL_WEBHOOK_ALLOW": "127.0.0.1"},
                 args=["--demo"], log_level=None)
    srv.start()
    loris = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    loris.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    loris_opened = time.monotonic()
    text = srv.log_path.read_text(errors="replace")
    passwords = {m.group(1): m.group(2) for m in re.finditer(r"^\s+\w+\s+(\S+@demo\.autofunnel)\s+(\S+)\s*$", text, re.M)}
    assert "admin@demo.autofunnel" in passwords, f"serve --demo printed no admin password:\n{text[-3000:]}"
    lv = Live(srv, "", tmp)
    lv.passwords = passwords
    lv.loris = (srv.proc.pid, loris_opened, loris)
    lv.cookie, lv.csrf = lv.sign_in("admin@demo.autofunnel", passwords["admin@demo.autofunnel"])
    made = lv.session_api("POST", "/tokens", {"name": "hardening", "scope": "admin"})
    assert made.status == 201, f"POST /tokens answered {made}"
    lv.token = made.json["secret"]
    amo = lv.session_api("POST", "/tokens", {"name": "hardening-amo", "scope": "write", "format": "amocrm"})
    assert amo.status == 201, f"POST /tokens (amocrm) answered {amo}"
    lv.amo = amo.json["secret"]
    lv.users = {u["email"]: u["id"] for u in lv.ok("GET", "/users")["items"]}
    receiver = Receiver(204)
    lv.receiver = receiver
    lv.ok("POST", "/webhooks", {"name": "bank", "url": receiver.url("/bank"), "events": ["deal.won"]})
    for key, text_ in (("hard", HARD), ("hard_copy", HARD_COPY), ("docs", DOCS), ("waits", WAITS)):
        put_definition(lv, text_, key)
    lv.ok("POST", "/channels", {"name": "hardmsg", "kind": "messenger", "url": receiver.url("/gateway")})
    lv.ok("POST", "/channels", {"name": "hardmail", "kind": "email", "url": "smtp://127.0.0.1:9", "sender": "crm@hardening.test"})
    yield lv
    loris.close()
    receiver.close()
    if lv.restarts:
        report(f"hardening: the shared server was restarted {len(lv.restarts)} time(s) after crashes")
    lv.stop()


# --- 1. signed inbound requests: the timestamp header ----------------------------------------------------------------

HOSTILE_TIMESTAMPS = [str(INT64_MIN), str(INT64_MAX), str(INT64_MIN + 1), "-9223372036854775807", "99999999999999999999", "1e300", ""]


def signed_headers(timestamp: str) -> dict:
    return {"webhook-id": "msg_" + secrets.token_hex(6), "webhook-timestamp": timestamp, "webhook-signature": "v1,AAAA"}


def test_channel_message_with_extreme_timestamps_is_refused(live):
    cases = Cases(live)
    for channel, sender in (("hardmsg", "+79120000000"), ("hardmail", "someone@example.com")):
        for ts in HOSTILE_TIMESTAMPS:
            cases.check(f"POST /channels/{channel}/messages webhook-timestamp={ts!r}",
                        lambda: call(live.port, "POST", f"/api/v1/channels/{channel}/messages", {"from": sender, "text": "hi"},
                                     signed_headers(ts)),
                        expect=lambda s: s in (400, 401), expected="400 or 401")
    cases.done()


def callback_token(live: Live) -> str:
    """A real call_and_wait token: a deal in `waits` posts itself to the `bank` endpoint with its callback URL."""
    deal = live.deal("waits", "waits for the bank")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for m in live.ok("GET", "/webhook-messages")["items"]:
            data = (json.loads(m["payload"]) or {}).get("data") or {}
            if data.get("id") == deal["id"] and "callback" in data:
                return data["callback"]["token"]
        time.sleep(0.2)
    pytest.fail("the call_and_wait rule enqueued no message with a callback token")


def test_callback_with_extreme_timestamps_is_refused(live):
    token = callback_token(live)
    cases = Cases(live)
    for path in (f"/api/v1/callbacks/{token}", "/api/v1/callbacks/cb_" + secrets.token_urlsafe(24)):
        for ts in HOSTILE_TIMESTAMPS:
            cases.check(f"POST {path.replace(token, 'REAL_TOKEN')} webhook-timestamp={ts!r}",
                        lambda: call(live.port, "POST", path, {"result": "approved"}, signed_headers(ts)),
                        expect=lambda s: s in (400, 401, 404), expected="400, 401 or (unknown token) 404")
    cases.done()


# --- 2. amoCRM dialect -------------------------------------------------------------------------------------------------

def amo(live: Live, method: str, path: str, body=None) -> Reply:
    return call(live.port, method, path, body, {"Authorization": f"Bearer {live.amo}", "Accept": "application/json"})


def test_amocrm_filters_with_extreme_numbers(live):
    assert amo(live, "GET", "/api/v4/leads").status in (200, 204)
    cases = Cases(live)
    for column in ("created_at", "updated_at"):
        for bound in ("from", "to"):
            for n in (INT64_MAX, INT64_MIN, 9223372036854776):
                q = f"filter[{column}][{bound}]={n}"
                cases.check(f"GET /api/v4/leads?{q}", lambda: amo(live, "GET", "/api/v4/leads?" + q))
        q = f"filter[{column}]={INT64_MAX}"
        cases.check(f"GET /api/v4/leads?{q}", lambda: amo(live, "GET", "/api/v4/leads?" + q), expect=not_5xx, expected="no 5xx")
    # Ids: Int64.max is a legal (if absent) id; a range to it must not overflow, a number past it must not crash.
    for q in (f"filter[id]={INT64_MAX}", f"filter[id][to]={INT64_MAX}", f"filter[id][from]={INT64_MAX}", f"filter[id][from]={INT64_MIN}",
              "filter[id]=99999999999999999999999", f"filter[id][0]={INT64_MAX}&filter[id][1]={INT64_MIN}"):
        cases.check(f"GET /api/v4/leads?{q}", lambda: amo(live, "GET", "/api/v4/leads?" + q), expect=not_5xx, expected="no 5xx")
    cases.check("GET /api/v4/contacts?filter[created_at][from]=INT64_MAX",
                lambda: amo(live, "GET", f"/api/v4/contacts?filter[created_at][from]={INT64_MAX}"))
    cases.done()


def test_amocrm_task_complete_till_extreme(live):
    deal = live.deal("hard", "amo task target")
    cases = Cases(live)
    for value in (INT64_MAX, INT64_MIN, "99999999999999999999999", "9223372036854775807", 1e300, 9223372036854775807000):
        body = [{"entity_type": "leads", "entity_id": deal["id"], "text": "call back", "complete_till": value}]
        cases.check(f"POST /api/v4/tasks complete_till={value!r}", lambda: amo(live, "POST", "/api/v4/tasks", body))
    cases.done()


# --- 3. web pages with numbers -----------------------------------------------------------------------------------------

def test_analytics_page_days_extreme(live):
    live.deal("hard", "analytics subject")
    assert live.page("GET", "/analytics/hard").status == 200
    cases = Cases(live)
    # Periods no clock can reach: refused. Numbers past Int64, or negative: not a crash (ignored or refused).
    for days in (str(INT64_MAX), "106751991167301", "106751991168"):
        cases.check(f"GET /analytics/hard?days={days}", lambda: live.page("GET", f"/analytics/hard?days={days}"))
        cases.check(f"GET /analytics/hard/conversion.csv?days={days}", lambda: live.page("GET", f"/analytics/hard/conversion.csv?days={days}"))
    for days in (str(INT64_MIN), "-1", "99999999999999999999"):
        cases.check(f"GET /analytics/hard?days={days}", lambda: live.page("GET", f"/analytics/hard?days={days}"),
                    expect=not_5xx, expected="no 5xx")
    cases.done()


def test_deal_card_add_task_days_extreme(live):
    deal = live.deal("hard", "card task target")
    card = live.page("GET", f"/deals/{deal['id']}")
    assert card.status == 200, card
    assert f'action="/deals/{deal["id"]}/tasks"' in card.text, "the card has no add-task form"
    csrf = re.search(r'name="_csrf" value="([^"]+)"', card.text).group(1)
    cases = Cases(live)
    for days in (str(INT64_MAX), "106751991167", "106751991167301"):
        cases.check(f"POST /deals/{{id}}/tasks days={days}",
                    lambda: live.page("POST", f"/deals/{deal['id']}/tasks", {"_csrf": csrf, "title": "huge", "days": days}))
    for days in (str(INT64_MIN), "99999999999999999999"):
        cases.check(f"POST /deals/{{id}}/tasks days={days}",
                    lambda: live.page("POST", f"/deals/{deal['id']}/tasks", {"_csrf": csrf, "title": "odd", "days": days}),
                    expect=not_5xx, expected="no 5xx")
    task = live.ok("POST", "/tasks", {"dealId": deal["id"], "title": "postpone me", "dueAt": "2030-01-01T00:00:00Z"})
    for days in (str(INT64_MAX), str(INT64_MIN)):
        cases.check(f"POST /tasks/{{id}}/postpone days={days}",
                    lambda: live.page("POST", f"/tasks/{task['id']}/postpone", {"_csrf": csrf, "days": days}))
    cases.check("POST /tasks/{id}/postpone days=99999999999999999999",
                lambda: live.page("POST", f"/tasks/{task['id']}/postpone", {"_csrf": csrf, "days": "99999999999999999999"}),
                expect=not_5xx, expected="no 5xx")
    cases.done()


# --- 6. Bitrix24 dialect -------------------------------------------------------------------------------------------

def b24(live: Live, method: str, body, content_type: str = "application/x-www-form-urlencoded") -> Reply:
    uid = live.users["admin@demo.autofunnel"]
    return call(live.port, "POST", f"/rest/{uid}/{live.token}/{method}", body, {"Content-Type": content_type}, timeout=60)


def test_bitrix24_deep_form_body(live):
    assert b24(live, "crm.deal.list.json", "").status == 200
    cases = Cases(live)
    cases.check("crm.deal.add form body fields[a]…[a] 50,000 deep",
                lambda: b24(live, "crm.deal.add.json", "fields" + "[a]" * 50_000 + "=1"))
    cases.check("crm.deal.add form body fields[]…[] 50,000 deep",
                lambda: b24(live, "crm.deal.add.json", "fields" + "[]" * 50_000 + "=1"))
    cases.check("crm.deal.list query filter[a]…[a] 2,000 deep",
                lambda: call(live.port, "GET", f"/rest/{live.users['admin@demo.autofunnel']}/{live.token}/crm.deal.list.json?filter"
                             + "[a]" * 2_000 + "=1"), expect=not_5xx, expected="no 5xx")
    cases.done()


def test_bitrix24_deep_json_body(live):
    cases = Cases(live)
    deep = '{"fields":' + '{"a":' * 50_000 + "1" + "}" * 50_000 + "}"
    cases.check("crm.deal.add JSON body 50,000 deep", lambda: b24(live, "crm.deal.add.json", deep, "application/json"))
    arrays = '{"fields":{"TITLE":' + "[" * 50_000 + "]" * 50_000 + "}}"
    cases.check("crm.deal.add JSON arrays 50,000 deep", lambda: b24(live, "crm.deal.add.json", arrays, "application/json"))
    cases.check("POST /api/v1/deals JSON 50,000 deep",
                lambda: live.api("POST", "/deals", '{"pipeline":"hard","title":"deep","fields":' + '{"a":' * 50_000 + "1" + "}" * 50_001))
    cases.done()


def test_bitrix24_batch_in_batch_is_refused(live):
    cases = Cases(live)
    inner = urllib.parse.urlencode({"cmd[y]": "crm.deal.list"})
    for method in ("batch.json", "BATCH", " batch ", "batch.JSON", "Batch.json"):
        body = urllib.parse.urlencode({"cmd[x]": f"{method}?{inner}", "cmd[z]": "crm.deal.fields"})
        reply = cases.check(f"batch with cmd[x]={method!r}?…", lambda: b24(live, "batch.json", body), expect=not_5xx, expected="no 5xx")
        if reply is None:
            continue
        if four_xx(reply.status):
            continue  # the whole batch refused
        result = (reply.json or {}).get("result", {})
        ran = result.get("result") or {}
        errors = result.get("result_error") or {}
        if "x" in ran or "x" not in errors:
            cases.fail(f"batch with cmd[x]={method!r}?…: the inner batch ran (result {json.dumps(ran)[:200]}, errors {json.dumps(errors)[:200]})")
    cases.done()


def test_bitrix24_money_custom_field_garbage(live):
    cases = Cases(live)
    for value in ("|", "||", "|RUB", "abc|RUB", "1e400|RUB", f"{INT64_MAX}|RUB"):
        body = urllib.parse.urlencode({"fields[TITLE]": "money garbage", "fields[CATEGORY_ID]": "0", "fields[UF_CRM_HARD_MONEY]": value})
        cases.check(f"crm.deal.add UF_CRM_HARD_MONEY={value!r}", lambda: b24(live, "crm.deal.add.json", body))
    cases.check("crm.deal.add JSON UF_CRM_HARD_MONEY='|'",
                lambda: b24(live, "crm.deal.add.json", {"fields": {"TITLE": "money garbage", "UF_CRM_HARD_MONEY": "|"}}, "application/json"))
    cases.done()


# --- the class: other numbers from outside -------------------------------------------------------------------------

def test_other_outside_numbers_at_their_bounds(live):
    """Beyond the issue's examples: paging, periods, limits and durations from every channel, at Int64's ends."""
    uid = live.users["admin@demo.autofunnel"]
    cases = Cases(live)
    for q in (f"page={INT64_MAX}&limit=250", "page=-1", f"limit={INT64_MAX}", "page=0"):
        for resource in ("leads", "contacts", "tasks"):
            cases.check(f"GET /api/v4/{resource}?{q}", lambda: amo(live, "GET", f"/api/v4/{resource}?{q}"))
    for price in (1e300, INT64_MAX, 99999999999999999999, "1e400", -1):
        cases.check(f"POST /api/v4/leads price={price!r}", lambda: amo(live, "POST", "/api/v4/leads", [{"name": "p", "price": price}]))
    for q in (f"start={INT64_MAX}", f"start={INT64_MAX - 10}", "start=-1", f"start={INT64_MIN}"):
        cases.check(f"crm.deal.list?{q}", lambda: call(live.port, "GET", f"/rest/{uid}/{live.token}/crm.deal.list.json?{q}"),
                    expect=not_5xx, expected="no 5xx")
    for v in ("1e400", "99999999999999999999", str(INT64_MAX), "NaN"):
        body = urllib.parse.urlencode({"fields[TITLE]": "x", "fields[OPPORTUNITY]": v, "fields[CURRENCY_ID]": "RUB"})
        cases.check(f"crm.deal.add OPPORTUNITY={v}", lambda: b24(live, "crm.deal.add.json", body))
    for q in (f"staleAfterDays={INT64_MAX}", "staleAfterDays=106751991168", "staleAfterDays=-1"):
        cases.check(f"GET reports/stage-times?{q}", lambda: live.api("GET", f"/pipelines/hard/reports/stage-times?{q}"))
    for q in ("to=275760-09-13T00:00:00Z", "from=-271821-04-20T00:00:00Z"):
        for r in ("conversion", "cohorts", "forecast", "revenue", "stage-times", "managers", "losses"):
            cases.check(f"GET reports/{r}?{q}", lambda: live.api("GET", f"/pipelines/hard/reports/{r}?{q}"))
    for q in (f"limit={INT64_MAX}", "limit=-1", "cursor=%FF%FE"):
        cases.check(f"GET /deals?{q}", lambda: live.api("GET", f"/deals?{q}"))
    deal = live.deal("hard", "due far away")
    cases.check("POST /tasks dueAt +275760", lambda: live.api("POST", "/tasks", {"dealId": deal["id"], "title": "x", "dueAt": "+275760-09-13T00:00:00Z"}))
    for duration in (f"{INT64_MAX}d", "106751991167301d", "99999999999999999999s", f"{INT64_MIN}d"):
        rules = f"""automations:
- key: slow
  trigger: {{on: time_in_stage, stage: first, after: {duration}}}
  actions:
  - {{do: create_task, title: t, due: {duration}}}
"""
        cases.check(f"PUT definition with after/due {duration}",
                    lambda: live.api("PUT", "/pipelines/durations/definition", definition("durations", automations=rules),
                                     {"Content-Type": "application/yaml"}))
        limited = definition("limits").replace("probability: 30}", f"probability: 30, maxTimeInStage: {duration}}}")
        cases.check(f"PUT definition with maxTimeInStage {duration}",
                    lambda: live.api("PUT", "/pipelines/limits/definition", limited, {"Content-Type": "application/yaml"}))
    cases.done()


# --- 12. data defects ------------------------------------------------------------------------------------------------

def test_deleting_a_contact_of_an_open_deal(live):
    contact = live.ok("POST", "/contacts", {"name": "Hard Contact", "phones": ["+79120000001"], "allowDuplicate": True})
    deal = live.deal("hard", "deal with a contact", contactId=contact["id"])
    gone = live.api("DELETE", f"/contacts/{contact['id']}")
    assert gone.status is not None and gone.status < 500, f"DELETE /contacts answered {gone}"
    moved = live.api("POST", f"/deals/{deal['id']}/move", {"stage": "second"})
    assert moved.status == 200, (f"DELETE /contacts/{{id}} of an open deal answered {gone.status}; the deal's move then answered {moved} "
                                 "(expected: the delete refused with a 4xx, or the deal still moves)")


def deals_titled(live: Live, pipeline: str, title: str) -> list:
    found, cursor = [], None
    while True:
        page = live.ok("GET", f"/deals?pipeline={pipeline}&limit=100" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""))
        found += [d for d in page["items"] if d["title"] == title]
        cursor = page.get("nextCursor")
        if not cursor:
            return found


def test_copy_to_pipeline_concurrently_makes_one_copy(live):
    title = "copy once " + secrets.token_hex(4)
    deal = live.deal("hard", title)
    barrier = threading.Barrier(6)

    def copy(_):
        barrier.wait()
        return live.api("POST", f"/deals/{deal['id']}/copy-to-pipeline", {"pipeline": "hard_copy"})

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(copy, range(6)))
    again = live.api("POST", f"/deals/{deal['id']}/copy-to-pipeline", {"pipeline": "hard_copy"})
    statuses = sorted(r.status for r in replies)
    assert all(not_5xx(r.status) for r in replies + [again]), f"answers {replies}, then {again}"
    copies = deals_titled(live, "hard_copy", title)
    assert len(copies) == 1, f"6 concurrent copies answered {statuses}, a 7th {again.status}: {len(copies)} copies in hard_copy"


def test_nul_byte_in_title_and_note(live):
    """A NUL byte is stored exactly or refused with a 4xx, never cut off."""
    problems = []
    title = "before\u0000after"
    r = live.api("POST", "/deals", {"pipeline": "hard", "title": title})
    if r.status == 201:
        stored = live.ok("GET", f"/deals/{r.json['id']}")["title"]
        if stored != title:
            problems.append(f"a deal title {title!r} was stored as {stored!r}")
    elif not four_xx(r.status):
        problems.append(f"a deal title with NUL answered {r}")
    deal = live.deal("hard", "notes with NUL")
    n = live.api("POST", f"/deals/{deal['id']}/notes", {"text": "note\u0000tail"})
    if n.status in (200, 201):
        texts = [x.get("text") for x in live.ok("GET", f"/deals/{deal['id']}/notes")["items"]]
        if "note\u0000tail" not in texts:
            problems.append(f"a note 'note\\x00tail' was stored as {texts!r}")
    elif not four_xx(n.status):
        problems.append(f"a note with NUL answered {n}")
    assert not problems, "; ".join(problems)


def test_invisible_loss_comment_is_missing(live):
    cases = Cases(live)
    for comment in ("\u200b", "\u200b\u200b\u200b", "\u2060\ufeff", "\u00a0\u200b\u3000", "\u200d\u180e"):
        deal = live.deal("hard", "invisible comment")
        cases.check(f"close lost with comment {comment.encode('unicode_escape').decode()}",
                    lambda: live.api("POST", f"/deals/{deal['id']}/close", {"result": "lost", "reason": "lost", "comment": comment}))
        still = live.ok("GET", f"/deals/{deal['id']}")
        if still["status"] != "open":
            cases.fail(f"comment {comment.encode('unicode_escape').decode()}: the deal was closed as {still['status']}")
    # The same rule through a move with lossComment.
    deal = live.deal("hard", "invisible move comment")
    cases.check("move to lost with lossComment U+200B",
                lambda: live.api("POST", f"/deals/{deal['id']}/move", {"stage": "lost", "lossComment": "\u200b"}))
    cases.done()


def run_binary(*args, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary()), *args], capture_output=True, text=True, timeout=timeout, cwd=tempfile.gettempdir())


def test_lint_of_a_missing_or_foreign_file_exits_2(tmp_path):
    missing = run_binary("lint", "/nonexistent/definition.yaml", "--database-url", "sqlite::memory:")
    foreign = tmp_path / "notes.txt"
    foreign.write_text("shopping: [milk, bread]\n")
    other = run_binary("lint", str(foreign), "--database-url", "sqlite::memory:")
    assert (missing.returncode, other.returncode) == (2, 2), (
        f"lint of a missing file exited {missing.returncode} ({missing.stderr.strip()[:200]}), "
        f"of a file that is not a definition {other.returncode} ({other.stderr.strip()[:200]}{other.stdout.strip()[:200]})")


def test_presets_list_shows_whole_keys():
    keys = [re.search(r"^key:\s*(\S+)", p.read_text(), re.M).group(1)
            for p in (ROOT / "Sources/AutofunnelEngine/Resources/presets").glob("*.yaml")]
    listed = run_binary("presets", "list")
    assert listed.returncode == 0, listed.stderr
    words = set(listed.stdout.split())
    assert [k for k in keys if k not in words] == [], f"`presets list` cuts keys:\n{listed.stdout}"


def test_yaml11_on_key_accepted(live):
    """A file saved by a YAML 1.1 library writes the trigger's `on:` as `true:`; both spellings are accepted."""
    text = definition("yaml11", automations="""automations:
- key: greet
  trigger: {true: deal_created}
  actions:
  - {do: create_task, title: greet, due: 1d}
""")
    r = live.api("PUT", "/pipelines/yaml11/definition", text, {"Content-Type": "application/yaml"})
    assert r.status == 200, f"a definition with `true:` for `on:` answered {r}"


# --- 13. idempotency ---------------------------------------------------------------------------------------------------

def race_idempotency(live: Live, rounds: int, pipeline: str) -> list[str]:
    problems = []
    for n in range(rounds):
        key = f"race-{secrets.token_hex(6)}"
        body = {"pipeline": pipeline, "title": key}
        barrier = threading.Barrier(2)

        def create(_):
            barrier.wait()
            return live.api("POST", "/deals", body, {"Idempotency-Key": key})

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            replies = list(pool.map(create, range(2)))
        statuses = sorted(r.status for r in replies)
        created = [r.json["id"] for r in replies if r.status == 201]
        if any(s is None or s not in (201, 409) for s in statuses) or len(set(created)) != 1:
            odd = next((r for r in replies if r.status != 201), replies[0])
            problems.append(f"round {n}: answered {statuses}, e.g. {str(odd)[:200]}")
        elif len(deals_titled(live, pipeline, key)) != 1:
            problems.append(f"round {n}: {len(deals_titled(live, pipeline, key))} deals for one key")
    return problems


def test_concurrent_idempotency_key_sqlite(live):
    problems = race_idempotency(live, 10, "hard")
    assert not problems, "\n".join(problems)


def test_concurrent_idempotency_key_postgres():
    admin_url = os.environ.get("AUTOFUNNEL_TEST_POSTGRES_URL")
    if not admin_url:
        if os.environ.get("AUTOFUNNEL_REQUIRE_POSTGRES") == "1":
            pytest.fail("AUTOFUNNEL_REQUIRE_POSTGRES=1 but AUTOFUNNEL_TEST_POSTGRES_URL is not set")
        pytest.skip("AUTOFUNNEL_TEST_POSTGRES_URL is not set")
    import psycopg

    name = "af_hardening_" + secrets.token_hex(4)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urllib.parse.urlunparse(urllib.parse.urlparse(admin_url)._replace(path="/" + name))
    tmp = Path(tempfile.mkdtemp(prefix="autofunnel-hardening-pg-"))
    srv = None
    try:
        email, password = "pg@hardening.test", "Hd-" + secrets.token_urlsafe(18)
        cli(["users", "create", "--admin", "--email", email], url, stdin=password + "\n")
        token = cli(["tokens", "create", "--user", email, "--name", "hardening", "--scope", "admin"], url).strip()
        srv = Server(url, tmp, "hardening-pg", env=BACKTRACE_ENV)
        srv.start()
        lv = Live(srv, token, tmp)
        put_definition(lv, HARD, "hard")
        pid = srv.proc.pid
        problems = race_idempotency(lv, 30, "hard")
        alive = lv.alive_problem(pid)
        log = srv.log_path.read_text(errors="replace").splitlines()
        clash = [line for line in log if "23505" in line or "idempotency_keys" in line]
        leaked = [line for line in log if token in line]
        assert not problems and alive is None and not leaked, (
            f"{len(problems)} of 30 rounds went wrong:\n" + "\n".join(problems[:5]) + f"\n{alive or ''}\n"
            + (f"server log ({len(clash)} such lines): {clash[0][:500]}\n" if clash else "")
            + (f"the admin token is in the log: {leaked[0][:300]}" if leaked else ""))
    finally:
        if srv:
            srv.stop()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not KEEP:
            shutil.rmtree(tmp, ignore_errors=True)


# --- 11. documents -----------------------------------------------------------------------------------------------------

class Hrefs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction", "xlink:href") and value is not None:
                self.urls.append(value)


def test_document_is_served_safely(live):
    deal = live.deal("docs", "javascript:alert(1)")
    docs = live.ok("GET", f"/deals/{deal['id']}/documents")["items"]
    assert docs, "render_document attached no document"
    r = live.api("GET", f"/documents/{docs[0]['id']}", headers={"Accept": "text/html"})
    assert r.status == 200, r
    problems = []
    if not r.headers.get("content-security-policy"):
        problems.append("no Content-Security-Policy header")
    if r.headers.get("x-content-type-options", "").lower() != "nosniff":
        problems.append(f"X-Content-Type-Options is {r.headers.get('x-content-type-options')!r}, not nosniff")
    if "charset" not in r.headers.get("content-type", "").lower():
        problems.append(f"Content-Type {r.headers.get('content-type')!r} names no charset")
    parser = Hrefs()
    parser.feed(r.text)
    for url in parser.urls:
        plain = re.sub(r"[\x00-\x20]", "", htmllib.unescape(url)).lower()
        if plain.startswith(("javascript:", "vbscript:", "data:")):
            problems.append(f"a URL attribute carries {url!r}")
    assert not problems, "; ".join(problems) + f"\nheaders {r.headers}\nbody {r.text[:300]!r}"


# --- 10. sign-in throttling --------------------------------------------------------------------------------------------

def test_parallel_wrong_passwords_are_throttled(live):
    """30 parallel wrong passwords for one account (from their own loopback address, so that the per-address limit
    of the other tests' address is untouched): at most 5 are evaluated, the rest are 429."""
    barrier = threading.Barrier(30)

    def attempt(_):
        barrier.wait()
        return call(live.port, "POST", "/api/v1/session", {"email": "marketer@demo.autofunnel", "password": "wrong-password-" + secrets.token_hex(4)},
                    source="127.0.0.2", timeout=120)

    pid = live.pid
    with concurrent.futures.ThreadPoolExecutor(30) as pool:
        replies = list(pool.map(attempt, range(30)))
    statuses = [r.status for r in replies]
    counts = {s: statuses.count(s) for s in sorted(set(statuses), key=str)}
    problem = live.alive_problem(pid)
    assert problem is None, problem
    assert set(statuses) <= {401, 429} and statuses.count(401) <= 5, f"30 parallel wrong passwords answered {counts}"


def test_current_password_guessing_is_throttled(live):
    email = "observer@demo.autofunnel"
    cookie, csrf = live.sign_in(email, live.passwords[email], source="127.0.0.3")
    uid = live.users[email]
    statuses = []
    for n in range(12):
        r = live.session_api("PUT", f"/users/{uid}/password", {"password": "Brand-new-" + secrets.token_hex(8), "currentPassword": f"guess-{n}-x"},
                             cookie=cookie, csrf=csrf, source="127.0.0.3")
        statuses.append(r.status)
        if r.status == 429:
            break
    assert all(four_xx(s) for s in statuses), f"wrong currentPassword answered {statuses}"
    assert 429 in statuses, f"12 wrong currentPassword guesses answered {statuses}: never throttled"


# --- 9. unfinished request headers -----------------------------------------------------------------------------------

def test_unfinished_headers_are_closed(live):
    """The connection opened when the server started sent `GET / HTTP/1.1\\r\\nHost: x\\r\\n` and nothing more."""
    pid, opened, sock = live.loris
    if live.pid != pid or not live.server.alive():
        live.ensure()
        sock = socket.create_connection(("127.0.0.1", live.port), timeout=10)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        opened = time.monotonic()
        live.loris = (live.pid, opened, sock)
    deadline = opened + HEADER_TIMEOUT_SECONDS
    closed_at = None
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, min(1.0, deadline - time.monotonic())))
        try:
            if sock.recv(4096) == b"":
                closed_at = time.monotonic()
                break
        except socket.timeout:
            continue
        except OSError:
            closed_at = time.monotonic()
            break
    assert closed_at is not None, f"a connection with unfinished headers was still open after {HEADER_TIMEOUT_SECONDS:.0f} s"
    report(f"hardening: unfinished headers closed after {closed_at - opened:.1f} s")
    problem = live.alive_problem(live.pid)
    assert problem is None, problem


# --- 8. credentials never in the log (last on the shared server: it reads the whole run's output) ---------------------

def test_tokens_never_reach_the_log(live):
    live.ensure()
    uid = live.users["admin@demo.autofunnel"]
    for path in (f"//rest/{uid}/{live.token}/crm.deal.list.json", f"/rest//{uid}/{live.token}/crm.deal.list.json",
                 f"/rest/{uid}//{live.token}/crm.deal.list.json", f"//rest//{uid}/{live.token}/crm.deal.fields",
                 f"/rest/{uid}/{live.token}/no.such.method", f"/rest/{uid + 1000}/{live.token}/crm.deal.list.json",
                 f"/rest/{uid}/{live.token}/crm.deal.get.json?id=999999999"):
        call(live.port, "GET", path)
    bearer = {"Authorization": f"Bearer {live.token}"}
    for method, path, body in (("GET", "/api/v1/deals?limit=abc", None), ("POST", "/api/v1/deals", "{"), ("GET", "/api/v1/no-such-route", None),
                               ("POST", "/api/v1/deals", {"pipeline": "hard", "title": "x", "amount": {"value": "1e5", "currency": "RUB"}}),
                               ("GET", "/api/v1/deals/99999999999999999999", None), ("GET", "/api/v1/pipelines/hard/reports/conversion?from=yesterday", None),
                               ("POST", "/api/v1/deals", '{"pipeline":"hard","title":' + "[" * 5000 + "]" * 5000 + "}")):
        call(live.port, method, path, body, bearer)
        call(live.port, method, path, body, {"Cookie": f"af_session={live.cookie}", "X-CSRF-Token": live.csrf})
    amo(live, "GET", f"/api/v4/leads?filter[id][from]=abc")
    time.sleep(0.5)
    log = live.server.log_path.read_text(errors="replace")
    leaks = [(name, line.strip()[:300]) for name, secret in (("admin token", live.token), ("amoCRM token", live.amo), ("session id", live.cookie))
             for line in log.splitlines() if secret and secret in line]
    assert not leaks, f"{len(leaks)} log line(s) carry a credential, e.g.:\n" + "\n".join(f"{n}: {l}" for n, l in leaks[:6])


# --- 4. Retry-After from a webhook receiver (own server: the poison is stored) --------------------------------------

def test_retry_after_huge_survives_and_restarts():
    receiver = Receiver(503, {"Retry-After": str(INT64_MAX)})
    lv = admin_server("hardening-retry", env={"AUTOFUNNEL_WEBHOOK_ALLOW": "127.0.0.1"})
    failures = []
    try:
        put_definition(lv, HARD_COPY, "hard_copy")
        lv.ok("POST", "/webhooks", {"name": "slow", "url": receiver.url("/slow"), "events": ["deal.created"]})
        pid = lv.pid
        lv.deal("hard_copy", "retry after forever")
        assert receiver.wait(1, 30), "the webhook receiver got no delivery within 30 s"
        # The attempt's outcome is recorded once the 503 is handled: poll for it while watching the process.
        deadline = time.monotonic() + 15
        recorded = None
        while time.monotonic() < deadline and lv.server.alive():
            r = lv.api("GET", "/webhook-messages", timeout=10)
            items = (r.json or {}).get("items", []) if r.status == 200 else []
            recorded = next((m for m in items if m["attempts"] >= 1), None)
            if recorded:
                break
            time.sleep(0.2)
        problem = lv.alive_problem(pid)
        if problem:
            failures.append(f"after the receiver answered 503 with Retry-After: {INT64_MAX}: {problem}")
        elif not recorded or recorded.get("lastStatus") != 503:
            failures.append(f"the 503 attempt was not recorded: {recorded}")
        # Restart on the same file: the stored message must not kill the server again.
        lv.server.stop()
        lv.server.start()
        pid = lv.pid
        for _ in range(8):
            time.sleep(0.4)
            problem = lv.alive_problem(pid)
            if problem:
                failures.append(f"after a restart with the message stored: {problem}")
                break
        msgs = lv.api("GET", "/webhook-messages")
        if msgs.status != 200:
            failures.append(f"GET /webhook-messages after the restart answered {msgs}")
        leaked = [line for line in lv.server.log_path.read_text(errors="replace").splitlines() if lv.token in line]
        if leaked:
            failures.append(f"the admin token is in the log: {leaked[0][:200]}")
    finally:
        lv.stop()
        receiver.close()
    assert not failures, "\n".join(failures)


# --- 5. money sums (own server: huge stored amounts reach every analytics view) ------------------------------------

REPORTS = ("conversion", "managers", "losses", "stage-times", "revenue", "cohorts", "forecast")


def money_views(lv: Live, key: str, cases: Cases, when: str) -> Reply | None:
    for report_ in REPORTS:
        cases.check(f"{when}: GET /pipelines/{key}/reports/{report_}", lambda: lv.api("GET", f"/pipelines/{key}/reports/{report_}"),
                    expect=lambda s: s == 200, expected="200")
    for report_ in ("revenue", "forecast", "losses"):
        cases.check(f"{when}: GET /pipelines/{key}/reports/{report_} as CSV",
                    lambda: lv.api("GET", f"/pipelines/{key}/reports/{report_}", headers={"Accept": "text/csv"}),
                    expect=lambda s: s == 200, expected="200")
    for path in (f"/board/{key}", f"/analytics/{key}", f"/analytics/{key}/stage-times.csv"):
        cases.check(f"{when}: GET {path}", lambda: lv.page("GET", path), expect=lambda s: s == 200, expected="200")
    return cases.check(f"{when}: revenue", lambda: lv.api("GET", f"/pipelines/{key}/reports/revenue"), expect=lambda s: s == 200)


def digits(text: str) -> str:
    """Page text with the digit group separators (spaces, narrow no-break spaces) taken out of numbers."""
    return re.sub(r"(?<=\d)[\s\u00a0\u202f\u2009](?=\d)", "", htmllib.unescape(text))


def check_money_figures(lv: Live, cases: Cases, revenue: Reply | None) -> None:
    """5 won, 3 open in `first` (30 %), 2 open in `second` (60 %), each of MAX_AMOUNT RUB: the sums, exact."""
    one = decimal.Decimal(MAX_AMOUNT)
    if revenue is not None:
        total = sum(decimal.Decimal(row["revenue"]["value"]) for row in revenue.json["rows"] if row.get("currency", "RUB") == "RUB")
        if total != one * 5:
            cases.fail(f"revenue of 5 won deals of {MAX_AMOUNT}: {total}, expected {one * 5}")
    forecast = lv.api("GET", "/pipelines/money/reports/forecast")
    if forecast.status == 200:
        rows = [r for r in forecast.json["rows"] if r["amount"]["currency"] == "RUB"]
        amount = sum(decimal.Decimal(r["amount"]["value"]) for r in rows)
        expected = sum(decimal.Decimal(r["expected"]["value"]) for r in rows)
        exact = one * 3 * decimal.Decimal("0.30") + one * 2 * decimal.Decimal("0.60")
        if amount != one * 5:
            cases.fail(f"forecast: open amount {amount}, expected {one * 5}")
        if abs(expected - exact) > decimal.Decimal("0.01"):
            cases.fail(f"forecast: expected revenue {expected}, exact {exact} (off by {expected - exact}: not exact money arithmetic)")
    board = lv.page("GET", "/board/money")
    if board.status == 200:
        for stage, n in (("first", 3), ("second", 2)):
            want = str(one * n)
            if want not in digits(board.text):
                cases.fail(f"board: the {stage} column does not show its sum {want}")


def test_huge_money_sums():
    lv = admin_server("hardening-money")
    cases = Cases(lv)
    try:
        email = next(iter(lv.passwords))
        lv.cookie, lv.csrf = lv.sign_in(email, lv.passwords[email])
        put_definition(lv, definition("money"), "money")
        too_big = lv.api("POST", "/deals", {"pipeline": "money", "title": "too big", "amount": {"value": "999999999999999.99", "currency": "RUB"}})
        if not four_xx(too_big.status):
            cases.fail(f"an amount of 15 whole digits answered {too_big}, expected a 4xx (Money's bound)")
        ids = []
        for n in range(10):
            r = lv.api("POST", "/deals", {"pipeline": "money", "title": f"huge {n}", "amount": {"value": MAX_AMOUNT, "currency": "RUB"}})
            if four_xx(r.status) and n == 0:
                report(f"hardening: {MAX_AMOUNT} RUB refused at creation: {r}")
                break
            assert r.status == 201, f"deal {n} of {MAX_AMOUNT} RUB answered {r}"
            ids.append(r.json["id"])
        for deal_id in ids[:5]:
            lv.ok("POST", f"/deals/{deal_id}/close", {"result": "won"})
        for deal_id in ids[5:7]:
            lv.ok("POST", f"/deals/{deal_id}/move", {"stage": "second"})
        revenue = money_views(lv, "money", cases, "10 × max amount")
        if ids:
            check_money_figures(lv, cases, revenue)
        lv.ensure()
        lv.server.stop()
        lv.server.start()
        money_views(lv, "money", cases, "after a restart")
        leaked = [line for line in lv.server.log_path.read_text(errors="replace").splitlines()
                  if lv.token in line or (lv.cookie and lv.cookie in line)]
        if leaked:
            cases.fail(f"{len(leaked)} log line(s) carry the admin token or session id, e.g. {leaked[0][:300]}")
    finally:
        lv.stop()
    cases.done()


# --- 7. YAML alias bomb (own server: an accepted bomb would be stored) ---------------------------------------------

def alias_bomb(levels: int = 6, width: int = 10) -> str:
    """About 1 KB that expands to `width ** levels` strings: the anchors sit in a trigger's `to`, a value the definition
    takes as it is (any JSON), so a parser without an alias limit builds every copy."""
    lines = ["    - &x0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"    - &x{i} [" + ", ".join([f"*x{i - 1}"] * width) + "]" for i in range(1, levels)]
    return definition("bomb", fields="""fields:
- entity: deal
  key: bomb_note
  type: text
  name: {ru: Заметка, en: Note}
""", automations="""automations:
- key: boom
  trigger:
    on: field_changed
    field: bomb_note
    to:
""" + "\n".join(lines) + """
  actions:
  - {do: create_task, title: boom, due: 1d}
""")


def test_yaml_alias_bomb_is_refused_quickly():
    lv = admin_server("hardening-yaml")
    cases = Cases(lv)
    bomb = alias_bomb()
    try:
        assert len(bomb.encode()) < 2048, len(bomb)
        for path, method in (("/lint", "POST"), ("/pipelines/bomb/definition", "PUT")):
            reply = cases.check(f"{method} {path} with a YAML alias bomb ({len(bomb)} bytes, 10^6 strings)",
                                lambda: lv.api(method, path, bomb, {"Content-Type": "application/yaml"}, timeout=120))
            if reply is not None and reply.elapsed > QUICK_SECONDS:
                cases.fail(f"{method} {path}: refused only after {reply.elapsed:.1f} s")
    finally:
        lv.stop()
    cases.done()


# --- 2. SSRF on the real server (loopback literals only; no name that would need DNS) ---------------------------------

SSRF_URLS = [
    "http://[::ffff:0.0.0.0]/hook", "http://[::ffff:169.254.169.254]/latest/meta-data", "http://[::ffff:a9fe:a9fe]/hook",
    "http://[::ffff:172.17.0.1]/hook", "http://100.64.0.1/hook", "http://198.18.0.1/hook", "http://[64:ff9b::a9fe:a9fe]/hook",
    "http://[2002:a9fe:a9fe::1]/hook", "http://[fec0::1]/hook", "http://169.254.169.254/hook", "http://2130706433/hook",
    "http://0x7f.1/hook", "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook",
]


def test_ssrf_destinations_are_refused(live):
    """Every form of a special-purpose address is refused when a webhook or a channel is registered (the server allows
    only the literal host 127.0.0.1), and the same process answers afterwards."""
    pid = live.pid
    wrong = []
    for url in SSRF_URLS:
        for path, body in (("/webhooks", {"name": "ssrf", "url": url, "events": ["*"]}),
                           ("/channels", {"name": "ssrf", "kind": "messenger", "url": url})):
            r = live.api("POST", path, body)
            if r.status != 422:
                wrong.append(f"POST {path} {url}: {r.status} {r.text[:200]}")
    problem = live.alive_problem(pid)
    assert not problem, problem
    assert not wrong, "\n".join(wrong)


def test_a_redirect_to_loopback_is_not_followed():
    """An allowed receiver answers 302 to another loopback listener: the delivery stops there (recorded as a failed
    attempt naming the redirect) and the second listener gets nothing."""
    inner = Receiver(204)
    outer = Receiver(302, {"Location": inner.url("/internal")})
    lv = admin_server("hardening-redirect", env={"AUTOFUNNEL_WEBHOOK_ALLOW": "127.0.0.1"})
    try:
        put_definition(lv, HARD_COPY, "hard_copy")
        lv.ok("POST", "/webhooks", {"name": "moved", "url": outer.url("/hook"), "events": ["deal.created"]})
        lv.deal("hard_copy", "redirected")
        assert outer.wait(1, 60), "the receiver got no delivery within 60 s"
        deadline = time.monotonic() + 30
        recorded = None
        while time.monotonic() < deadline and recorded is None:
            items = (lv.api("GET", "/webhook-messages").json or {}).get("items", [])
            recorded = next((m for m in items if m["attempts"] >= 1), None)
            time.sleep(0.2)
        assert recorded and recorded.get("lastStatus") == 302 and "not followed" in (recorded.get("lastError") or ""), recorded
        assert inner.got == [], f"the redirect was followed: {inner.got}"
    finally:
        lv.stop()
        inner.close()
        outer.close()

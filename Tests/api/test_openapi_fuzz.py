"""Schemathesis fuzzes every operation of the served OpenAPI spec against one real server process: no input may cause
a 5xx, the spec must say what the server enforces, and the process must survive the whole run.

The server runs `serve --demo`; the test signs in as the demo admin with the password `serve --demo` prints, makes an
admin-scope API token through the API (session cookie + CSRF token) and fuzzes with it. The runs, in order:

1. examples, coverage and fuzzing phases with positive and negative data (`--mode all`): boundary and out-of-range
   values of every parameter (int64 limits and one past them, one past maxLength, wrong types), `not_a_server_error`;
2. a sweep that sends extreme values (int64 limits, 2^64, 1e308, 40-digit numbers, 70,000-character strings, control
   characters) in every parameter and top-level body property of every operation: never a 5xx;
3. the stateful phase: chains of calls that follow the spec's links, so operations get real ids;
4. positive data only, with `positive_data_acceptance`: fails when an operation refuses most of the requests its
   schema calls valid for a reason the spec could state (refusals that depend on stored records are listed apart);
5. the operations that can end the fuzzer's own credential (revoke its token, disable or demote its user, …);
6. the server process is the same PID and answers /health.

FUZZ_EXAMPLES (default 15) sets the examples per operation and phase; the stateful phase gets 3 s per example.
The default run takes about 4 minutes on 2 cores. A long run (about an hour):

    FUZZ_EXAMPLES=500 .venv/bin/python -m pytest -q Tests/api/test_openapi_fuzz.py

AUTOFUNNEL_BIN picks another server binary; AUTOFUNNEL_OPENAPI fuzzes a spec file instead of the one the server serves
(to try an edited spec before rebuilding). Reports (NDJSON) are kept under FUZZ_REPORT_DIR when it is set."""
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("AUTOFUNNEL_BIN") or ROOT / ".build" / "debug" / "autofunnel")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
SEED = "20261123"
# Operations that can end the fuzzer's own credential run last, so the rest are fuzzed while it still works.
ENDERS = ["revokeToken", "updateUser", "setUserPassword", "createPasswordLink", "deleteSession"]
# Refusals that depend on stored records or on the state of a deal — which pipelines, stages, custom fields, users
# and ids exist, where the deal stands — and that no schema can state. `invalidDefinition` is the definition file's
# cross-references (unique stage and rule keys, declared fields, stage mappings), checked by the linter; the import
# rules are about the content of an uploaded file.
DATA_RULES = {
    "unknownReference", "unknownField", "unknownStage", "sameStage", "closedDeal", "notClosed", "notALostStage",
    "requiredField", "policyForbids", "lossCommentRequired", "reasonRequired", "stageHasDeals", "invalidDefinition",
    # What an uploaded import file and its mapping hold (a header, columns, YAML): content no schema of a form states.
    "unreadableFile", "invalidMapping", "unmappedColumn",
}
# Relations between two values that the spec can only state in words: the definition file's key is the URL's, a
# report's period starts before it ends, a copy goes to another pipeline than the deal's. Refusals naming only these
# fields are listed with the stored-data ones.
CROSS_FIELDS = {"PUT /pipelines/{key}/definition": {"key"}, "GET /pipelines/{key}/reports/": {"from"},
                "POST /deals/{id}/copy-to-pipeline": {"pipeline"}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, proc: subprocess.Popen, base: str, port: int, token: str, log: Path):
        self.proc, self.base, self.port, self.token, self.log = proc, base, port, token, log
        self.pid = proc.pid

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not BINARY.exists():
        pytest.fail(f"no autofunnel binary at {BINARY} (build it with `swift build` or set AUTOFUNNEL_BIN)")
    workdir = tmp_path_factory.mktemp("fuzz")
    port = free_port()
    log = Path(os.environ["AUTOFUNNEL_LOG_DIR"]) / f"openapi-fuzz-{port}.log" if os.environ.get("AUTOFUNNEL_LOG_DIR") else workdir / "server.log"
    # Output goes to a file: a pipe nobody reads would stall the server once its buffer fills.
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(BINARY), "serve", "--demo", "--database-url", "sqlite::memory:", "--port", str(port), "--log-level", "warning"],
            stdout=out, stderr=subprocess.STDOUT, text=True, cwd=workdir,
        )
    base = f"http://127.0.0.1:{port}"
    password = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and password is None:
        found = re.search(r"^\s+admin\s+admin@demo\.autofunnel\s+(\S+)", log.read_text(errors="replace"), re.M)
        if found:
            password = found.group(1)
        elif proc.poll() is not None:
            break
        else:
            time.sleep(0.1)
    if password is None:
        proc.kill()
        pytest.fail("serve --demo printed no admin password:\n" + log.read_text(errors="replace")[-3000:])
    for _ in range(200):
        try:
            with urllib.request.urlopen(base + "/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the server did not start: " + log.read_text(errors="replace")[-3000:])
    yield Server(proc, base, port, token_for(base, password), log)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def token_for(base: str, password: str) -> str:
    """Signs in with the browser's flow (cookie, then X-CSRF-Token on a change) and creates an API token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def call(method, path, body, headers=None):
        request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        with opener.open(request, timeout=10) as r:
            return json.loads(r.read())

    session = call("POST", "/api/v1/session", {"email": "admin@demo.autofunnel", "password": password})
    created = call("POST", "/api/v1/tokens", {"name": "schemathesis", "scope": "admin"}, {"X-CSRF-Token": session["csrfToken"]})
    return created["secret"]


def spec_location(server: Server) -> str:
    return os.environ.get("AUTOFUNNEL_OPENAPI") or server.base + "/api/v1/openapi.yaml"


def report_dir(name: str) -> Path:
    root = os.environ.get("FUZZ_REPORT_DIR")
    if root:
        path = Path(root) / name
        path.mkdir(parents=True, exist_ok=True)
        return path
    return Path(tempfile.mkdtemp(prefix=f"fuzz-{name}-"))


def run_schemathesis(server: Server, name: str, *options: str, config: str | None = None, env: dict | None = None):
    """One `schemathesis run`; returns the process and the events of its NDJSON report."""
    cli = Path(sys.executable).parent / "schemathesis"
    reports = report_dir(name)
    prefix = [str(cli)]
    if config:
        config_file = reports / "schemathesis.toml"
        config_file.write_text(config)
        prefix += ["--config-file", str(config_file)]
    done = subprocess.run(
        [*prefix, "run", spec_location(server), "-u", server.base + "/api/v1", "-H", f"Authorization: Bearer {server.token}",
         "--seed", SEED, "--no-color", "--report", "ndjson", "--report-dir", str(reports), *options],
        capture_output=True, text=True, timeout=1800, env={**os.environ, **(env or {})},
    )
    events = []
    for path in reports.glob("*.ndjson"):
        events += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if not os.environ.get("FUZZ_REPORT_DIR"):
        shutil.rmtree(reports, ignore_errors=True)
    return done, events


def interactions(events):
    """(case, response status, response body bytes, check results) of every request the run made."""
    import base64

    for event in events:
        finished = event.get("ScenarioFinished")
        if not finished or not finished.get("recorder"):
            continue
        recorder = finished["recorder"]
        for case_id, case in recorder.get("cases", {}).items():
            interaction = recorder.get("interactions", {}).get(case_id)
            if not interaction or not interaction.get("response"):
                continue
            response = interaction["response"]
            content = (response.get("content") or {}).get("$base64")
            yield case["value"], response["status_code"], base64.b64decode(content) if content else b"", recorder["checks"].get(case_id, [])


def failure_text(done: subprocess.CompletedProcess) -> str:
    return done.stdout[-6000:] + done.stderr[-2000:]


def assert_alive(server: Server):
    assert server.proc.poll() is None, "the server process ended:\n" + server.log_tail()


def test_anonymous_calls_are_refused(server):
    anonymous = urllib.request.Request(server.base + "/api/v1/deals")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(anonymous, timeout=10)
    assert refused.value.code == 401


def test_no_input_causes_a_server_error(server):
    done, _ = run_schemathesis(
        server, "all", "--phases", "examples,coverage,fuzzing", "--mode", "all", "-c", "not_a_server_error", "-n", str(EXAMPLES),
        *[arg for op in ENDERS for arg in ("--exclude-operation-id", op)])
    assert_alive(server)
    assert done.returncode == 0, failure_text(done)
    still = urllib.request.Request(server.base + "/api/v1/deals", headers={"Authorization": f"Bearer {server.token}"})
    with urllib.request.urlopen(still, timeout=10) as r:
        assert r.status == 200, "the run must stay authenticated to the end"


# ------------------------------------------------------------------------------------------------ extreme values

HUGE_NUMBERS = [2**63 - 1, -(2**63), 2**63, 2**64, -(2**63) - 1, 10**40, 1e308, -1e308, -1, 0]
HUGE_TEXTS = ["9" * 40, "-9223372036854775808", "9223372036854775807", "18446744073709551616", "1e308", "-1", "0",
              "x" * 70_000, "\u0000", "\u202e\u200b\ufeff", "%00", "{{" * 500, "[" * 5000]
# In a URL: long, but within what HTTP servers read (longer ones are refused before any handler).
PARAM_TEXTS = [t if len(t) < 8000 else t[:8000] for t in HUGE_TEXTS]
HEADER_TEXTS = ["9" * 40, "-9223372036854775808", "9223372036854775807", "18446744073709551616", "-1", "x" * 4000]


def resolve(spec: dict, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        node = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema or {}


def minimal(spec: dict, schema, depth: int = 0):
    """A small value of the schema's type with its required properties (not necessarily accepted)."""
    schema = resolve(spec, schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        props = schema.get("properties", {})
        return {name: minimal(spec, props.get(name, {}), depth + 1) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    return "a"


def extremes(spec: dict, schema, header: bool = False, param: bool = False) -> list:
    schema = resolve(spec, schema)
    texts = HEADER_TEXTS if header else PARAM_TEXTS if param else HUGE_TEXTS
    if schema.get("type") in ("integer", "number"):
        return (HEADER_TEXTS if header else HUGE_NUMBERS + ["9" * 40, None, [], {}])
    if schema.get("type") == "boolean":
        return ["true"] if header else [0, "true", None, 2**64]
    if schema.get("type") == "array" and not header:
        item = resolve(spec, schema.get("items", {}))
        return [[v] for v in extremes(spec, item)[:6]] + [["a"] * 20_000, [[[[[]]]]] * 10]
    if (schema.get("type") == "object" or "properties" in schema) and not header:
        return [{"a" * 300: "x" * 70_000}, {"k" + str(i): i for i in range(5000)}, json.loads("[" * 400 + "]" * 400), None]
    return texts


def api(server: Server, method: str, path: str, body=None):
    request = urllib.request.Request(server.base + "/api/v1" + path, data=None if body is None else json.dumps(body).encode(),
                                     method=method, headers={"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError:
        return None


def sweep_records(server: Server) -> dict:
    """Real records for the sweep's baseline: a path or header that names one gets past the lookup to the code that reads
    the value under test (a channel's signature check, a lead source's secret)."""
    def first(path, field="id", default=1):
        items = (api(server, "GET", path) or {}).get("items") or []
        return items[0][field] if items else default

    channel = api(server, "POST", "/channels", {"name": "sweep_sms", "kind": "messenger", "url": "https://example.com/sms"}) or {}
    source = api(server, "POST", "/inbound-sources", {"key": "sweep_form", "pipeline": first("/pipelines", "key", "sales")}) or {}
    webhook = api(server, "POST", "/webhooks", {"name": "sweep_hook", "url": "https://example.com/hook", "events": ["*"]}) or {}
    company = api(server, "POST", "/companies", {"name": "Sweep"}) or {}
    return {
        "ids": {"deals": first("/deals"), "contacts": first("/contacts"), "companies": company.get("id", 1), "tasks": first("/tasks"),
                "webhooks": (webhook.get("endpoint") or {}).get("id", 1), "users": 2},
        "path": {"key": first("/pipelines", "key", "sales"), "entity": "deal", "name": first("/presets", "name", "sales-002"),
                 "source": (source.get("source") or {}).get("key", "sweep_form"), "token": "cb_" + "a" * 32},
        "channel": ((channel.get("channel") or {}).get("name"), channel.get("secret")),
        "inbound_secret": source.get("secret", "ais_" + "a" * 32),
    }


def signed_headers(secret: str, body: bytes) -> dict:
    """Standard Webhooks headers for a channel message, as the channel's gateway signs them."""
    import base64
    import hashlib
    import hmac

    key = base64.b64decode(secret.removeprefix("whsec_"))
    message_id, timestamp = "msg_sweep_" + str(time.monotonic_ns()), str(int(time.time()))
    mac = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {"webhook-id": message_id, "webhook-timestamp": timestamp, "webhook-signature": "v1," + base64.b64encode(mac).decode()}


def test_extreme_values_on_every_parameter(server):
    """Every parameter and top-level body property of every operation, one at a time, gets each extreme value of its
    type; the other parameters keep plausible values of real records (a signed message to a real channel, a lead with
    its source's secret). No answer may be a 5xx and the server must stay up."""
    if os.environ.get("AUTOFUNNEL_OPENAPI"):
        spec = yaml.safe_load(Path(os.environ["AUTOFUNNEL_OPENAPI"]).read_text())
    else:
        with urllib.request.urlopen(server.base + "/api/v1/openapi.yaml", timeout=10) as r:
            spec = yaml.safe_load(r.read())
    records = sweep_records(server)
    channel_name, channel_secret = records["channel"]
    auth = {"Authorization": f"Bearer {server.token}"}
    failures, sent = [], 0

    def send(op, method, path, query, headers, body, tested):
        nonlocal sent
        url = server.base + "/api/v1" + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = None if body is None else json.dumps(body).encode()
        extra = {}
        if op == "receiveChannelMessage" and channel_secret and data is not None:
            extra = {k: v for k, v in signed_headers(channel_secret, data).items() if k != tested}
        request = urllib.request.Request(url, data=data, method=method.upper(),
                                         headers={**auth, **({"Content-Type": "application/json"} if data else {}), **headers, **extra})
        sent += 1
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except (urllib.error.URLError, ConnectionError, socket.timeout) as e:
            return f"no answer: {e}"

    for path, item in spec["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            name = op["operationId"]
            params = [resolve(spec, p) for p in item.get("parameters", []) + op.get("parameters", [])]
            json_body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            body_schema = resolve(spec, json_body) if json_body else None
            ender = name in ENDERS
            collection = path.strip("/").split("/")[0]

            def base_values():
                path_values = {}
                for p in params:
                    if p["in"] != "path":
                        continue
                    if resolve(spec, p["schema"]).get("type") == "integer":
                        path_values[p["name"]] = records["ids"].get(collection, 1)
                    elif collection == "channels" and channel_name:
                        path_values[p["name"]] = channel_name
                    else:
                        path_values[p["name"]] = records["path"].get(p["name"], "a")
                query = {p["name"]: minimal(spec, p["schema"]) for p in params if p["in"] == "query" and p.get("required")}
                if name == "lineageReport":
                    query["then"] = records["path"]["key"]
                headers = {p["name"]: str(minimal(spec, p["schema"])) for p in params if p["in"] == "header" and p.get("required")}
                if "X-Inbound-Secret" in headers:
                    headers["X-Inbound-Secret"] = records["inbound_secret"]
                body = minimal(spec, body_schema) if body_schema else None
                return path_values, query, headers, body

            def fill(template, values):
                return re.sub(r"\{(\w+)\}", lambda m: urllib.parse.quote(str(values[m.group(1)]), safe=""), template)

            for p in params:
                if ender and p["in"] != "path":
                    continue
                for value in extremes(spec, p["schema"], header=p["in"] == "header", param=True):
                    if value is None or isinstance(value, (list, dict)):
                        continue
                    path_values, query, headers, body = base_values()
                    if p["in"] == "path":
                        path_values[p["name"]] = value
                    elif p["in"] == "query":
                        query[p["name"]] = value
                    elif p["in"] == "header":
                        headers[p["name"]] = str(value)
                    else:
                        continue
                    status = send(name, method, fill(path, path_values), query, headers, body, p["name"])
                    if not isinstance(status, int) or status >= 500:
                        failures.append(f"{name} {p['in']} {p['name']}={str(value)[:60]!r}: {status}")
            if body_schema and not ender:
                for prop, prop_schema in (body_schema.get("properties") or {}).items():
                    for value in extremes(spec, prop_schema):
                        path_values, query, headers, body = base_values()
                        body = {**(body or {}), prop: value}
                        status = send(name, method, fill(path, path_values), query, headers, body, None)
                        if not isinstance(status, int) or status >= 500:
                            failures.append(f"{name} body {prop}={json.dumps(value)[:60]}: {status}")
            assert_alive(server)
    print(f"extreme values: {sent} requests")
    assert sent > 1000, f"only {sent} requests were sent"
    assert not failures, f"{len(failures)} of {sent} requests got a 5xx or no answer:\n" + "\n".join(failures[:80])


# ------------------------------------------------------------------------------------------------ stateful

def test_stateful_runs_reach_operations_through_links(server):
    """Chains of calls that follow the spec's links (create → read, change, move, delete; list → item), so that the
    operations taking ids get real ones. Only the declared links: inferred ones would dilute a short run."""
    config = "[phases.stateful]\nmax-steps = 10\ninference = { algorithms = [] }\n"
    done, events = run_schemathesis(
        server, "stateful", "--phases", "stateful", "-c", "not_a_server_error", "-n", str(max(EXAMPLES, 25)),
        "--max-time", str(3 * EXAMPLES), *[arg for op in ENDERS for arg in ("--exclude-operation-id", op)], config=config)
    assert_alive(server)
    assert done.returncode == 0, failure_text(done)
    reached = {f"{case['method']} {case['path']}" for case, status, _, _ in interactions(events) if 200 <= status < 300}
    # Operations that only take ids a link supplies; a run that reaches none of them follows no links.
    linked = {"GET /deals/{id}", "PATCH /deals/{id}", "POST /deals/{id}/notes", "GET /contacts/{id}", "GET /companies/{id}",
              "GET /users/{id}", "GET /pipelines/{key}", "POST /tasks/{id}/complete", "DELETE /webhooks/{id}"}
    assert len(reached & linked) >= len(linked) // 2, f"links reached only {sorted(reached & linked)}"


# ------------------------------------------------------------------------------------------------ the spec says what the server enforces

HOOKS = Path(__file__).with_name("fuzz_hooks.py")


def test_schema_valid_requests_are_accepted(server):
    """Positive data only, judged by schemathesis's `positive_data_acceptance` (a 4xx other than 401, 403, 404, 409,
    429 is a refusal). An operation fails when it refuses most of its requests for a reason the spec could state: a 400,
    or a 422 whose problems are not all of DATA_RULES, other than the relations in CROSS_FIELDS. Each request gets a
    fresh Idempotency-Key (fuzz_hooks.py): a key reused with another body is refused by design."""
    done, events = run_schemathesis(
        server, "positive", "--phases", "examples,coverage,fuzzing", "--mode", "positive", "-c", "positive_data_acceptance",
        "--continue-on-failure", "--no-shrink", "-n", str(EXAMPLES), *[arg for op in ENDERS for arg in ("--exclude-operation-id", op)],
        env={"SCHEMATHESIS_HOOKS": str(HOOKS)})
    assert_alive(server)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    total, gaps, data = Counter(), defaultdict(Counter), defaultdict(Counter)
    for case, status, body, checks in interactions(events):
        label = f"{case['method']} {case['path']}"
        total[label] += 1
        if not any(c["name"] == "positive_data_acceptance" and c["status"] == "failure" for c in checks):
            continue
        try:
            problem = json.loads(body)
        except ValueError:
            problem = {}
        errors = problem.get("errors") or []
        rules = {e.get("rule") for e in errors}
        fields = {e.get("field") for e in errors}
        crossed = set().union(*[f for prefix, f in CROSS_FIELDS.items() if label.startswith(prefix)])
        reason = f"{status} {(problem.get('detail') or problem.get('title') or '')[:90]}"
        if (status == 422 and rules and rules <= DATA_RULES) or (status in (400, 422) and fields and fields <= crossed):
            data[label][reason] += 1
        else:
            gaps[label][reason] += 1
    assert len(total) > 60, f"only {len(total)} operations answered:\n" + failure_text(done)
    refused = {label: sum(reasons.values()) for label, reasons in gaps.items() if sum(reasons.values()) * 2 > total[label]}
    summary = "\n".join(
        f"{label}: {sum(data[label].values())}/{total[label]} refused for stored data ({data[label].most_common(1)[0][0]})"
        for label in sorted(data) if sum(data[label].values()) * 2 > total[label])
    print("Refused mostly because of stored records, a deal's state or a relation between two values (links supply real\n"
          "records in the stateful run):\n" + summary)
    assert not refused, "the server refuses most schema-valid requests for reasons the spec does not state:\n" + "\n".join(
        f"{label}: {count}/{total[label]} refused, e.g. {gaps[label].most_common(3)}" for label, count in sorted(refused.items()))


# ------------------------------------------------------------------------------------------------ last

def test_operations_that_can_end_the_credential_run_last(server):
    done, _ = run_schemathesis(
        server, "enders", "--phases", "examples,coverage,fuzzing", "--mode", "all", "-c", "not_a_server_error", "-n", str(EXAMPLES),
        *[arg for op in ENDERS for arg in ("--include-operation-id", op)])
    assert_alive(server)
    assert done.returncode == 0, failure_text(done)


def listening_pid_inodes(port: int) -> set[str]:
    """Inodes of the sockets listening on `port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(fields[9])
    return inodes


def test_the_same_server_process_survived_every_run(server):
    assert server.proc.poll() is None, "the server process ended:\n" + server.log_tail()
    assert server.proc.pid == server.pid
    with urllib.request.urlopen(server.base + "/health", timeout=10) as r:
        assert r.status == 200
    inodes = listening_pid_inodes(server.port)
    if inodes and Path(f"/proc/{server.pid}/fd").exists():
        owned = {os.readlink(f"/proc/{server.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{server.pid}/fd")
                 if os.path.islink(f"/proc/{server.pid}/fd/{fd}")}
        assert any(f"socket:[{inode}]" in owned for inode in inodes), "another process answers on the server's port"

"""Schemathesis fuzzes every operation of the served OpenAPI spec against the real server: no input may cause a 5xx.

The server runs with demo data; the test signs in as the demo admin with the password `serve --demo` prints, makes an
admin-scope API token through the API (session cookie + CSRF token) and fuzzes with it."""
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / ".build" / "debug" / "autofunnel"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    proc = subprocess.Popen(
        [str(BINARY), "serve", "--demo", "--database-url", "sqlite::memory:", "--port", str(port), "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    password = None
    for line in proc.stdout:
        found = re.match(r"\s+admin\s+admin@demo\.autofunnel\s+(\S+)", line)
        if found:
            password = found.group(1)
            break
    assert password, "serve --demo printed no admin password"
    for _ in range(200):
        try:
            with urllib.request.urlopen(base + "/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the server did not start: " + proc.stderr.read())
    yield base, token_for(base, password)
    proc.terminate()
    proc.wait(timeout=10)


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


def run_schemathesis(base: str, token: str, *selection: str) -> subprocess.CompletedProcess:
    cli = Path(sys.executable).parent / "schemathesis"
    return subprocess.run(
        [str(cli), "run", base + "/api/v1/openapi.yaml", "-u", base + "/api/v1", "-c", "not_a_server_error",
         "-H", f"Authorization: Bearer {token}", "-n", os.environ.get("FUZZ_EXAMPLES", "25"), "--seed", "20261123", *selection],
        capture_output=True, text=True, timeout=600,
    )


def test_no_input_causes_a_server_error(server):
    base, token = server
    anonymous = urllib.request.Request(base + "/api/v1/deals")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(anonymous, timeout=10)
    assert refused.value.code == 401
    # Operations that can end the fuzzer's own credential run last, so the rest are fuzzed while it still works.
    enders = ["revokeToken", "updateUser", "setUserPassword", "deleteSession"]
    first = run_schemathesis(base, token, *[arg for op in enders for arg in ("--exclude-operation-id", op)])
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
    still = urllib.request.Request(base + "/api/v1/deals", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(still, timeout=10) as r:
        assert r.status == 200, "the first pass must run authenticated to the end"
    last = run_schemathesis(base, token, *[arg for op in enders for arg in ("--include-operation-id", op)])
    assert last.returncode == 0, last.stdout[-4000:] + last.stderr[-2000:]

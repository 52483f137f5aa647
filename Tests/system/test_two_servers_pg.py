"""Two server processes on one PostgreSQL database fire 10,000 durable timers: none fired twice, none missed.

A fresh database is made on the cluster of $AUTOFUNNEL_TEST_POSTGRES_URL (and dropped afterwards), migrated once with
`autofunnel migrate`, and served by two `autofunnel serve` processes. A pipeline's `time_in_stage` rule creates a task
20 s after a deal enters its first stage; 10,000 deals are created through both servers at once. The oracle is the
database (one rule task per deal) and the two processes' own `autofunnel_timers_fired_total` counters, which must add
up to exactly 10,000 with both processes taking part.

Skipped without $AUTOFUNNEL_TEST_POSTGRES_URL unless AUTOFUNNEL_REQUIRE_POSTGRES=1 (then it fails)."""
import contextlib
import os
import secrets
import shutil
import statistics
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from harness import Api, Server, admin_token, cli, report

DEALS = int(os.environ.get("TIMER_DEALS", "10000"))
AFTER_SECONDS = 20
CLIENTS_PER_SERVER = 2
METRIC = "autofunnel_timers_fired_total"

PIPELINE = f"""\
key: timers
name: {{ru: Таймеры, en: Timers}}
stages:
- {{key: waiting, kind: process, name: {{ru: Ждём, en: Waiting}}}}
- {{key: won, kind: conversion, outcome: won, name: {{ru: Успех, en: Won}}}}
- {{key: lost, kind: conversion, outcome: lost, name: {{ru: Отказ, en: Lost}}}}
automations:
- key: waited
  trigger: {{on: time_in_stage, stage: waiting, after: {AFTER_SECONDS}s}}
  actions:
  - {{do: create_task, title: waited long enough, due: 1d}}
"""


def postgres_url() -> str:
    url = os.environ.get("AUTOFUNNEL_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("AUTOFUNNEL_REQUIRE_POSTGRES") == "1":
            pytest.fail("AUTOFUNNEL_REQUIRE_POSTGRES=1 but AUTOFUNNEL_TEST_POSTGRES_URL is not set")
        pytest.skip("AUTOFUNNEL_TEST_POSTGRES_URL is not set")
    return url


def with_database(url: str, name: str) -> str:
    u = urllib.parse.urlparse(url)
    return urllib.parse.urlunparse(u._replace(path="/" + name))


@contextlib.contextmanager
def fresh_database(admin_url: str):
    """A new database on the test cluster: yields (autofunnel URL, psycopg connection); dropped afterwards."""
    import psycopg

    name = "af_timers_" + secrets.token_hex(4)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin_url, name)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            yield url, conn
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scalar(conn, sql: str, *args):
    return conn.execute(sql, args).fetchone()[0]


def test_two_servers_fire_ten_thousand_timers_exactly_once():
    with fresh_database(postgres_url()) as (url, conn):
        run(url, conn)


def run(url: str, conn) -> None:
    began = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="autofunnel-timers-"))
    servers: list[Server] = []
    try:
        # Migrations are not safe to run from two starting processes at once: migrate once, then start both.
        cli(["migrate"], url)
        token = admin_token(url)
        servers = [Server(url, tmp, f"server-{n}") for n in "ab"]
        for s in servers:
            s.start()
        apis = [Api(s.base, token) for s in servers]
        apis[0].ok("PUT", "/pipelines/timers/definition", PIPELINE, content_type="application/yaml")
        apis[0].drop()
        setup = time.monotonic() - began

        failures: list = []
        next_number = iter(range(DEALS))
        lock = threading.Lock()

        def client(api: Api, conn) -> None:
            while True:
                with lock:
                    n = next(next_number, None)
                if n is None or failures:
                    return
                title = f"timer-{n}"
                # No Idempotency-Key: it costs two more write transactions per create. Should a connection fail, the
                # database says whether the deal was made before the create is sent again.
                for attempt in range(5):
                    try:
                        status, _, answer = api.call("POST", "/deals", {"pipeline": "timers", "title": title})
                        break
                    except ConnectionError as e:
                        status, answer = None, repr(e)
                        time.sleep(1)
                        if conn.execute("SELECT 1 FROM deals WHERE title = %s", (title,)).fetchone():
                            status = 201
                            break
                if status != 201:
                    with lock:
                        failures.append((title, status, answer))

        import psycopg

        checks = [psycopg.connect(url, autocommit=True) for _ in range(len(apis) * CLIENTS_PER_SERVER)]
        threads = [threading.Thread(target=client, args=(api, checks[i * CLIENTS_PER_SERVER + j]), daemon=True)
                   for i, api in enumerate(apis) for j in range(CLIENTS_PER_SERVER)]
        created_at = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        creating = time.monotonic() - created_at
        for c in checks:
            c.close()
        assert not failures, f"{len(failures)} creates failed, e.g. {failures[:3]}"
        assert not any(t.is_alive() for t in threads), "creating deals took more than 10 minutes"
        report(f"two servers on PostgreSQL: created {DEALS} deals in {creating:.1f} s through two servers ({DEALS / creating:.0f}/s; set-up {setup:.1f} s)")

        # Every deal's timer is due 20 s after it was created; wait until all have fired (tasks made, timers gone).
        deadline = time.monotonic() + AFTER_SECONDS + 240
        while True:
            tasks = scalar(conn, "SELECT COUNT(*) FROM tasks WHERE rule_key = 'waited'")
            left = scalar(conn, "SELECT COUNT(*) FROM timers WHERE rule_key = 'waited'")
            if (tasks >= DEALS and left == 0) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        waited = time.monotonic() - created_at - creating
        assert left == 0 and tasks >= DEALS, (f"after {waited:.0f} s: {tasks} rule tasks, {left} timers not fired\n"
                                              + "\n".join(s.log_tail(2000) for s in servers))
        # The counter is bumped just after each firing commits: give it a moment, then make sure it stays put.
        for _ in range(50):
            fired = [s.metric(METRIC) for s in servers]
            if sum(fired) >= DEALS:
                break
            time.sleep(0.1)
        time.sleep(2)
        fired = [s.metric(METRIC) for s in servers]
        for s in servers:
            assert s.alive(), f"{s.name} died:\n{s.log_tail()}"

        deals = scalar(conn, "SELECT COUNT(*) FROM deals WHERE pipeline_key = 'timers'")
        titles = scalar(conn, "SELECT COUNT(DISTINCT title) FROM deals WHERE pipeline_key = 'timers'")
        per_deal = dict(conn.execute("""SELECT n, COUNT(*) FROM (SELECT d.id, COUNT(t.id) AS n FROM deals d
                                        LEFT JOIN tasks t ON t.deal_id = d.id AND t.rule_key = 'waited'
                                        WHERE d.pipeline_key = 'timers' GROUP BY d.id) per GROUP BY n""").fetchall())
        runs = scalar(conn, "SELECT COUNT(*) FROM automation_runs WHERE rule_key = 'waited'")
        lateness = [r[0] for r in conn.execute("""SELECT t.created_at - (d.stage_entered_at + %s) FROM tasks t
                                                  JOIN deals d ON d.id = t.deal_id WHERE t.rule_key = 'waited'""",
                                               (AFTER_SECONDS * 1000,))]
        first, last = conn.execute("SELECT MIN(created_at), MAX(created_at) FROM tasks WHERE rule_key = 'waited'").fetchone()
        lateness.sort()
        report(f"timers fired: {fired[0]:.0f} by server a + {fired[1]:.0f} by server b = {sum(fired):.0f}; "
              f"deals by tasks per deal {per_deal}; rule runs {runs}")
        report(f"firing: {len(lateness)} tasks over {(last - first) / 1000:.1f} s ({len(lateness) / max((last - first) / 1000, 0.001):.0f}/s); "
              f"lateness after due p50 {statistics.median(lateness) / 1000:.1f} s, "
              f"p99 {lateness[int(len(lateness) * 0.99) - 1] / 1000:.1f} s, max {lateness[-1] / 1000:.1f} s; "
              f"whole test {time.monotonic() - began:.0f} s")

        assert deals == DEALS and titles == DEALS, f"{deals} deals with {titles} distinct titles, expected {DEALS}"
        assert per_deal == {1: DEALS}, f"rule tasks per deal (count: deals) should be {{1: {DEALS}}}: {per_deal}"
        assert runs == DEALS, f"{runs} rule runs in the ledger, expected {DEALS}"
        assert min(lateness) >= 0, f"a timer fired {-min(lateness)} ms before it was due"
        assert sum(fired) == DEALS, f"the processes counted {fired} timers fired, {sum(fired):.0f} in all, expected exactly {DEALS}"
        assert all(f > 0 for f in fired), f"one process fired no timer: {fired}"
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)

"""Live imports against fake incumbents and against another Autofunnel.

`Tests/fakes/fake_amocrm.py` and `fake_bitrix24.py` serve the documented JSON (600 deals with contacts and several
stage changes each, the deals' notes (Bitrix24: activities) and tasks, generated from a seed) with paging and their
rate limits; each is told to answer two requests "slow down" as if another integration had used the limit up. Each
import is killed (SIGKILL) half-way through its fetch, run again to the end, then run a third time: every deal,
contact, stage change, note and task arrives with its stage, times and people, once; the third run creates nothing;
and the fake saw no more requests per second than its limit allows. The last test imports one Autofunnel
(`autofunnel generate`, then notes, tasks and contacts made through its API) into another through the first one's
amoCRM dialect, twice."""
import json
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

import harness

FAKES = harness.ROOT / "Tests" / "fakes"
sys.path.insert(0, str(FAKES))
import fake_amocrm  # noqa: E402
import fake_bitrix24  # noqa: E402


class Fake:
    """A fake CRM process on a free loopback port."""

    def __init__(self, script: str, secret: str, busy: int = 2):
        self.proc = subprocess.Popen([sys.executable, str(FAKES / script), "--port", "0", "--secret", secret, "--busy", str(busy)],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), f"the fake did not start: {line!r}"
        self.port = int(line.split()[1])

    def stats(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stats", timeout=10) as r:
            return json.load(r)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def database_with_users(tmp: Path, emails: list) -> str:
    url = f"sqlite:{tmp / 'target.sqlite'}"
    for email in emails:
        harness.cli(["users", "create", "--email", email], url, stdin="Pw-" + secrets.token_urlsafe(16) + "\n")
    return url


def command(args: list, url: str, work: Path) -> list:
    return [str(harness.binary()), "import", *args, "--work", str(work), "--database-url", url]


def run(args: list, url: str, work: Path) -> tuple[str, float]:
    began = time.monotonic()
    done = subprocess.run(command(args, url, work), capture_output=True, text=True, timeout=300, cwd=work.parent)
    if done.returncode != 0:
        pytest.fail(f"autofunnel import {' '.join(args[:1])} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout, time.monotonic() - began


def kill_half_way(args: list, url: str, work: Path, pages: int) -> int:
    """Starts the import and SIGKILLs it once `pages` page files are in the work folder; returns how many there were."""
    proc = subprocess.Popen(command(args, url, work), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work.parent)
    folder = work / "pages"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if folder.is_dir() and len(list(folder.glob("*.json"))) >= pages:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the import ended before it could be killed half-way"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return len(list(folder.glob("*.json")))


def table(url: str, sql: str, *args) -> list:
    with sqlite3.connect(url.removeprefix("sqlite:")) as db:
        return db.execute(sql, args).fetchall()


def stage_names(url: str) -> dict:
    """(pipeline key, stage key) → (pipeline name, stage name) (Russian names; an import names both alike)."""
    out = {}
    for key, definition in table(url, "SELECT key, definition FROM pipelines"):
        d = json.loads(definition)
        for s in d["stages"]:
            out[(key, s["key"])] = (d["name"]["ru"], s["name"]["ru"])
    return out


MONEY_SCALE = 10_000  # amounts are stored in ten-thousandths


def imported(url: str, source: str) -> tuple[dict, dict, dict]:
    """Deals by external id (pipeline, stage, created, closed, title, amount, responsible), the stage log of each
    (from, to, at, actor), and contacts by external id (name, phones, emails)."""
    names = stage_names(url)
    deals, logs = {}, {}
    for ext, did, p, s, created, closed, title, amount, who in table(
            url, "SELECT e.external_id, d.id, d.pipeline_key, d.stage_key, d.created_at, d.closed_at, d.title, d.amount, u.email "
                 "FROM external_ids e JOIN deals d ON d.id = e.local_id LEFT JOIN users u ON u.id = d.responsible_id "
                 "WHERE e.kind = 'deal' AND e.source = ?", source):
        deals[ext] = (names[(p, s)], created, closed, title, amount, who)
        logs[ext] = [(names[(p, f)][1] if f else None, names[(p, t)][1], at, actor) for f, t, at, actor in table(
            url, "SELECT l.from_stage, l.to_stage, l.at, u.email FROM stage_log l LEFT JOIN users u ON u.id = l.actor_id "
                 "WHERE l.deal_id = ? ORDER BY l.seq", did)]
    contacts = {ext: (name, json.loads(phones), json.loads(emails)) for ext, name, phones, emails in table(
        url, "SELECT e.external_id, c.name, c.phones, c.emails FROM external_ids e JOIN contacts c ON c.id = e.local_id "
             "WHERE e.kind = 'contact' AND e.source = ?", source)}
    return deals, logs, contacts


def digits(phone: str) -> str:
    """A phone as it is stored: the plus and the digits."""
    return re.sub(r"[^\d+]", "", phone)


def counts(url: str) -> tuple:
    return tuple(table(url, f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("deals", "stage_log", "contacts", "companies", "notes", "tasks", "timeline"))


def imported_notes(url: str, source: str) -> Counter:
    """The notes an import tied to their ids: (deal's id in the source, written at, author's e-mail, text), counted."""
    return Counter(table(
        url, "SELECT de.external_id, n.created_at, u.email, n.text FROM external_ids e JOIN notes n ON n.id = e.local_id "
             "JOIN external_ids de ON de.kind = 'deal' AND de.source = e.source AND de.local_id = n.deal_id "
             "LEFT JOIN users u ON u.id = n.author_id WHERE e.kind = 'note' AND e.source = ?", source))


def imported_tasks(url: str, source: str) -> Counter:
    """The tasks an import tied to their ids: (deal's id in the source, title, text, status, due, created, completed,
    assignee's and creator's e-mails), counted."""
    return Counter(table(
        url, "SELECT de.external_id, t.title, t.text, t.status, t.due_at, t.created_at, t.completed_at, ua.email, uc.email "
             "FROM external_ids e JOIN tasks t ON t.id = e.local_id "
             "JOIN external_ids de ON de.kind = 'deal' AND de.source = e.source AND de.local_id = t.deal_id "
             "LEFT JOIN users ua ON ua.id = t.assignee_id LEFT JOIN users uc ON uc.id = t.creator_id "
             "WHERE e.kind = 'task' AND e.source = ?", source))


def three_runs(args: list, url: str, work: Path, fake: Fake, kill_at: int) -> tuple[str, float]:
    """Killed half-way, run to the end, run again; checks no duplicates and that the third run creates nothing."""
    kept = kill_half_way(args, url, work, kill_at)
    second, seconds = run(args, url, work)
    reused = int(re.search(r"(\d+) pages from", second).group(1))
    assert reused >= kept, f"the resumed run fetched again pages the killed one had ({kept} kept, {reused} reused):\n{second}"
    after = counts(url)
    dupes = table(url, "SELECT external_id, COUNT(*) FROM external_ids WHERE kind = 'deal' GROUP BY external_id HAVING COUNT(*) > 1")
    assert dupes == [], f"deals imported twice: {dupes[:5]}"
    assert table(url, "SELECT COUNT(*) FROM deals")[0][0] == table(url, "SELECT COUNT(*) FROM external_ids WHERE kind = 'deal'")[0][0]
    for kind in ("note", "task"):
        dupes = table(url, "SELECT external_id FROM external_ids WHERE kind = ? GROUP BY external_id HAVING COUNT(*) > 1", kind)
        assert dupes == [], f"{kind}s imported twice: {dupes[:5]}"
    third, _ = run(args, url, work)
    assert "deals: created 0, updated 600, refused 0" in third, third
    assert re.search(r"^notes: (\d+) rows: created 0, imported before \1, refused 0$", third, re.M), third
    assert re.search(r"^tasks: (\d+) rows: created 0, imported before \1, refused 0$", third, re.M), third
    assert "contacts created 0 and companies created 0" in third, third
    assert counts(url) == after, "the third run changed the counts"
    return second, seconds


def test_amocrm_import_survives_a_kill_respects_the_limit_and_brings_every_deal_contact_and_move(tmp_path):
    data = fake_amocrm.generate(7, 600)
    fake = Fake("fake_amocrm.py", "amo-token")
    try:
        url = database_with_users(tmp_path, [u["email"] for u in data["users"]])
        args = ["amocrm", "--url", f"http://127.0.0.1:{fake.port}", "--token", "amo-token"]
        output, seconds = three_runs(args, url, tmp_path / "work", fake, kill_at=8)
        stats = fake.stats()
    finally:
        fake.stop()
    deals, logs, contacts = imported(url, "amocrm")
    users = {u["id"]: u["email"] for u in data["users"]}
    reasons = {r["id"]: r["name"] for r in data["reasons"]}
    pipelines = {p["id"]: p["name"] for p in data["pipelines"]}

    def name(lead, status):
        return reasons[lead["reason"]["id"]] if status == 143 and lead["reason"] else fake_amocrm.status_name(data, lead["pipeline"], status)

    assert len(deals) == 600
    for lead in data["leads"]:
        got = deals[str(lead["id"])]
        closed = lead["closed_at"] * 1000 if lead["closed_at"] else None
        assert got == ((pipelines[lead["pipeline"]], name(lead, lead["status"])), lead["created_at"] * 1000, closed, lead["name"],
                       lead["price"] * 10_000, users[lead["responsible"]]), lead["id"]
        moves = [e for e in data["events"] if e["lead"] == lead["id"]]
        first = fake_amocrm.status_name(data, lead["pipeline"], moves[0]["from"] if moves else lead["status"])
        expected = [(None, first, lead["created_at"] * 1000, None)] + [
            (name(lead, e["from"]), name(lead, e["to"]), e["at"] * 1000, users[e["by"]]) for e in moves]
        assert logs[str(lead["id"])] == expected, lead["id"]
    assert len(contacts) == 650, "the deals' contacts and those on no deal"
    for c in data["contacts"]:
        assert contacts[str(c["id"])] == (c["name"], [digits(c["phone"])], [c["email"]]), c["id"]

    def note_text(n):
        return n["text"] if n["type"] == "common" else f"Incoming call, {n['phone']}, {n['duration']} s, {n['link']}"

    expected_notes = Counter((str(n["lead"]), n["at"] * 1000, users[n["by"]], note_text(n)) for n in data["notes"] if n["imported"])
    assert imported_notes(url, "amocrm") == expected_notes, "common notes and calls, once, with their times and authors"
    lead_tasks = [t for t in data["tasks"] if t["entity_type"] == "leads"]
    assert imported_tasks(url, "amocrm") == Counter(
        (str(t["entity_id"]), t["text"], None, "done" if t["done"] else "open", t["due"] * 1000, t["at"] * 1000,
         t["done_at"] * 1000 if t["done"] else None, users[t["responsible"]], users[t["by"]]) for t in lead_tasks)
    results = Counter(table(url, "SELECT n.text, n.created_at FROM notes n LEFT JOIN external_ids e ON e.kind = 'note' AND e.local_id = n.id "
                                 "WHERE e.local_id IS NULL"))
    assert results == Counter((f"{t['text']}: {t['result']}", t["done_at"] * 1000) for t in lead_tasks if t["result"]), \
        "a completed task's result is a note at its completion, once"
    assert table(url, "SELECT COUNT(*) FROM timeline WHERE kind = 'note'")[0][0] == len(expected_notes)
    kept = sum(expected_notes.values())
    assert f"{kept} notes ({len(data['notes']) - kept} left out" in output, output
    assert stats["limited"] == stats["busy"] == 2, f"only the two 'busy' answers were refused: {stats}"
    assert stats["max_per_second"] <= fake_amocrm.LIMIT_PER_SECOND, stats
    harness.report(f"amoCRM live import: {stats['requests']} requests over three runs, at most {stats['max_per_second']} in any second "
                   f"(limit 7), 2 refused 'busy' and retried; the resumed run took {seconds:.1f} s")


def test_bitrix24_import_survives_a_kill_respects_the_limit_and_brings_every_deal_contact_and_move(tmp_path):
    data = fake_bitrix24.generate(7, 600)
    fake = Fake("fake_bitrix24.py", "b24key")
    try:
        url = database_with_users(tmp_path, [u["EMAIL"] for u in data["users"]])
        args = ["bitrix24", "--webhook", f"http://127.0.0.1:{fake.port}/rest/1/b24key/"]
        output, seconds = three_runs(args, url, tmp_path / "work", fake, kill_at=4)
        stats = fake.stats()
    finally:
        fake.stop()
    assert "b24key" not in output, "the webhook's key is never printed"
    deals, logs, contacts = imported(url, "bitrix24")
    users = {u["ID"]: u["EMAIL"] for u in data["users"]}
    names = {(c, s): n for c, stages in data["stages"].items() for s, n, _ in stages}
    categories = {c["id"]: c["name"] for c in data["categories"]}

    def ms(text):
        return int(fake_bitrix24.datetime.fromisoformat(text).timestamp() * 1000)

    assert len(deals) == 600
    for d in data["deals"]:
        cat = int(d["CATEGORY_ID"])
        got = deals[d["ID"]]
        assert got == ((categories[cat], names[(cat, d["STAGE_ID"])]), ms(d["DATE_CREATE"]), ms(d["CLOSEDATE"]) if d["CLOSED"] == "Y" else None,
                       d["TITLE"], round(float(d["OPPORTUNITY"]) * 10_000), users[d["ASSIGNED_BY_ID"]]), d["ID"]
        rows = [h for h in data["history"] if h["OWNER_ID"] == int(d["ID"])]
        expected = [(names[(cat, a["STAGE_ID"])] if a else None, names[(cat, h["STAGE_ID"])], ms(h["CREATED_TIME"]), None)
                    for a, h in zip([None] + rows, rows)]
        assert logs[d["ID"]] == expected, d["ID"]
    assert len(contacts) == 640
    for c in data["contacts"]:
        assert contacts[c["ID"]] == (f"{c['NAME']} {c['LAST_NAME']}", [digits(c["PHONE"][0]["VALUE"])], [c["EMAIL"][0]["VALUE"]]), c["ID"]
    assert imported_notes(url, "bitrix24") == Counter(
        (a["OWNER_ID"], ms(a["CREATED"]), users[a["AUTHOR_ID"]], a["note"]) for a in data["activities"] if a["note"]), \
        "deal activities as notes (subject, then the description without HTML), once; task and contact activities left out"
    statuses = {"2": "open", "5": "done", "7": "closed"}
    assert imported_tasks(url, "bitrix24") == Counter(
        (t["deal"], t["title"], t["description"], statuses[t["status"]], ms(t["deadline"]), ms(t["createdDate"]),
         ms(t["closedDate"]) if t["closedDate"] else None, users[t["responsibleId"]], users[t["createdBy"]])
        for t in data["tasks"] if t["deal"]), "tasks linked to a deal by UF_CRM_TASK, once"
    assert table(url, "SELECT COUNT(*) FROM tasks")[0][0] == sum(1 for t in data["tasks"] if t["deal"])
    assert stats["limited"] == stats["busy"] == 2, f"only the two 'busy' answers were refused: {stats}"
    assert stats["max_per_10s"] <= 2 * 10 + fake_bitrix24.BURST, stats
    harness.report(f"Bitrix24 live import: {stats['requests']} requests over three runs (batch), at most {stats['max_per_second']} in any "
                   f"second and {stats['max_per_10s']} in any ten (limit 2/s with a burst); the resumed run took {seconds:.1f} s")


def amocrm_patch(base: str, jwt: str, path: str, body) -> dict:
    """A PATCH to the amoCRM dialect of the server at `base`."""
    request = urllib.request.Request(base + "/api/v4" + path, data=json.dumps(body).encode(), method="PATCH",
                                     headers={"Authorization": f"Bearer {jwt}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.load(r)


def make_notes_tasks_and_contacts(api: "harness.Api", url: str, base: str, jwt: str) -> None:
    """Notes, tasks (open, completed, completed with a result through the dialect) and contacts on no deal, through
    the API of the server on `url`."""
    deals = [d for (d,) in table(url, "SELECT id FROM deals WHERE deleted_at IS NULL ORDER BY id LIMIT 3")]
    users = [u for (u,) in table(url, "SELECT id FROM users ORDER BY id")]
    for n, deal in enumerate(deals):
        api.ok("POST", f"/deals/{deal}/notes", {"text": f"Заметка {n}"})
    api.ok("POST", f"/deals/{deals[0]}/notes", {"text": 'Две строки,\n"в кавычках"; =1+1'})
    made = [api.ok("POST", "/tasks", {"dealId": deal, "title": f"Задача {n}", "dueAt": f"2031-0{n + 1}-15T09:30:00Z",
                                      "assigneeId": users[n % len(users)]})["id"] for n, deal in enumerate(deals)]
    api.ok("POST", f"/tasks/{made[1]}/complete")
    amocrm_patch(base, jwt, f"/tasks/{made[2]}", {"is_completed": True, "result": {"text": "Договорились"}})
    api.ok("POST", "/contacts", {"name": "Анна Переезжая", "phones": ["+7 912 000-11-22"], "emails": ["anna@moving.test"],
                                 "allowDuplicate": True})
    api.ok("POST", "/contacts", {"name": "Борис Переезжий", "phones": ["+7 912 000-33-44"], "allowDuplicate": True})


def test_one_autofunnel_imports_another_through_its_amocrm_dialect(tmp_path):
    source = tmp_path / "a"
    source.mkdir()
    url_a = f"sqlite:{source / 'a.sqlite'}"
    email = "exporter@autofunnel.test"
    token = harness.admin_token(url_a, email=email)
    harness.cli(["generate", "--deals", "150", "--seed", "5"], url_a, timeout=300)
    jwt = harness.cli(["tokens", "create", "--user", email, "--name", "import", "--scope", "admin", "--format", "amocrm"], url_a).strip()
    server = harness.Server(url_a, source, "amocrm-dialect")
    server.start()
    try:
        make_notes_tasks_and_contacts(harness.Api(server.base, token), url_a, server.base, jwt)
        # The same people on the other side (matched by e-mail, as a team moving over would set them up).
        target = tmp_path / "b"
        target.mkdir()
        url_b = database_with_users(target, [e for (e,) in table(url_a, "SELECT email FROM users")])
        args = ["amocrm", "--url", server.base, "--token", jwt]
        output, seconds = run(args, url_b, tmp_path / "work")
        after = counts(url_b)
        again, _ = run(args, url_b, tmp_path / "work")
    finally:
        server.stop()

    def by_names(url, locale_names):
        deals = Counter(locale_names[(p, s)] for p, s in table(url, "SELECT pipeline_key, stage_key FROM deals WHERE deleted_at IS NULL"))
        log = Counter((locale_names[(p, t)], f is None) for p, f, t in table(
            url, "SELECT l.pipeline_key, l.from_stage, l.to_stage FROM stage_log l JOIN deals d ON d.id = l.deal_id WHERE d.deleted_at IS NULL"))
        return deals, log

    def names(url, locale):
        out = {}
        for key, definition in table(url, "SELECT key, definition FROM pipelines"):
            d = json.loads(definition)
            for s in d["stages"]:
                out[(key, s["key"])] = (d["name"][locale], s["name"][locale])
        return out

    got = by_names(url_b, names(url_b, "ru"))
    expected = [by_names(url_a, names(url_a, locale)) for locale in ("ru", "en")]
    assert got[0] and got[1], output
    assert got in expected, f"deals or stage-log rows differ per pipeline and stage:\n{got}\n{expected[0]}"

    def seconds_of(ms):  # the dialect says times in seconds, as amoCRM does
        return ms // 1000 * 1000 if ms is not None else None

    notes_a = Counter((str(d), seconds_of(at), who, text) for d, at, who, text in table(
        url_a, "SELECT n.deal_id, n.created_at, u.email, n.text FROM notes n JOIN deals d ON d.id = n.deal_id "
               "LEFT JOIN users u ON u.id = n.author_id WHERE d.deleted_at IS NULL"))
    assert sum(notes_a.values()) >= 5, "four notes and a completed task's result"
    assert imported_notes(url_b, "amocrm") == notes_a, "every note, with its deal, time, author and text"
    tasks_a = Counter((str(d), title, None, "open" if status == "open" else "done", seconds_of(due), seconds_of(created), seconds_of(done), a, c)
                      for d, title, status, due, created, done, a, c in table(
        url_a, "SELECT t.deal_id, t.title, t.status, t.due_at, t.created_at, t.completed_at, ua.email, uc.email FROM tasks t "
               "JOIN deals d ON d.id = t.deal_id LEFT JOIN users ua ON ua.id = t.assignee_id LEFT JOIN users uc ON uc.id = t.creator_id "
               "WHERE d.deleted_at IS NULL"))
    assert sum(tasks_a.values()) >= 3
    assert imported_tasks(url_b, "amocrm") == tasks_a, "every task, open or done, with its times and people"
    assert table(url_b, "SELECT COUNT(*) FROM notes")[0][0] == sum(notes_a.values()), "no result note made twice"
    contacts_a = Counter(table(url_a, "SELECT name, phones, emails FROM contacts WHERE deleted_at IS NULL"))
    assert contacts_a and Counter(table(url_b, "SELECT name, phones, emails FROM contacts WHERE deleted_at IS NULL")) == contacts_a
    assert counts(url_b) == after, f"the second run duplicated something:\n{again}"
    assert re.search(r"^deals: created 0, updated \d+, refused 0", again, re.M), again
    assert re.search(r"^notes: (\d+) rows: created 0, imported before \1, refused 0$", again, re.M), again
    assert re.search(r"^tasks: (\d+) rows: created 0, imported before \1, refused 0$", again, re.M), again
    total = table(url_b, "SELECT COUNT(*) FROM stage_log")[0][0]
    harness.report(f"Autofunnel → Autofunnel through the amoCRM dialect: {sum(got[0].values())} deals, {total} stage-log rows, "
                   f"{sum(notes_a.values())} notes, {sum(tasks_a.values())} tasks and {sum(contacts_a.values())} contacts in {seconds:.1f} s; "
                   f"a second run changed nothing")

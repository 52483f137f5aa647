#!/usr/bin/env python3
"""A fake amoCRM (API v4) for the live-import tests: pipelines with statuses (142 won, 143 lost in each), loss
reasons, users, leads (`with=contacts,loss_reason`), contacts, companies, `lead_status_changed` events, the leads'
notes (`/api/v4/leads/notes`: `common` and `call_in` ones, which an import brings, and `service_message` ones and one
on a lead that does not exist, which it leaves out) and tasks (`/api/v4/tasks`: on leads, open or completed with a
`result`, and some on contacts, which it leaves out), generated from a seed; page-numbered lists with `_links.next` and 204 for an empty page, `Authorization: Bearer` checked, and
amoCRM's limit: more than 7 requests in any second is answered 429 with `Retry-After: 1`.

    python3 fake_amocrm.py --port 0 --seed 7 --deals 600 --secret TOKEN [--busy 2]

prints `PORT n`; `GET /_stats` (not counted) says how many requests came, how many were refused, and the most in any
second. `generate(seed, deals)` gives the same data to the tests."""
import random
import sys
import threading
import urllib.parse
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fakeserver  # noqa: E402

LIMIT_PER_SECOND = 7
T0 = 1_700_000_000


def generate(seed: int = 7, deals: int = 600) -> dict:
    rnd = random.Random(seed)
    pipelines = [
        {"id": 1001, "name": "Продажи", "is_main": True, "open": [(10011, "Первичный контакт"), (10012, "Переговоры"),
                                                                  (10013, "Принимают решение"), (10014, "Согласование договора")]},
        {"id": 1002, "name": "Partners", "is_main": False, "open": [(10021, "New"), (10022, "Qualified"), (10023, "Proposal")]},
    ]
    reasons = [{"id": 501, "name": "Дорого"}, {"id": 502, "name": "Не отвечает"}]
    users = [{"id": 11 + i, "name": f"Manager {i + 1}", "email": f"manager{i + 1}@fake-amo.test"} for i in range(5)]
    companies = [{"id": 5001 + i, "name": f"Company {i + 1}", "created_at": T0 + i * 60} for i in range(40)]
    contacts, leads, events = [], [], []
    for i in range(deals + 50):
        company = companies[i % 40]["id"] if i % 3 == 0 else None
        contacts.append({"id": 3001 + i, "name": f"Contact {i + 1}", "phone": f"+7 999 {100 + i // 1000:03d}-{i % 1000:03d}-01",
                         "email": f"contact{i + 1}@example.test", "company": company, "created_at": T0 + i * 3600})
    for i in range(deals):
        p = pipelines[0] if i % 3 else pipelines[1]
        created = T0 + i * 3600 + 30
        steps = rnd.randint(0, len(p["open"]) - 1)
        path = [s for s, _ in p["open"][: steps + 1]]
        ending = rnd.choice(["open", "won", "lost"])
        reason = None
        if ending == "won":
            path.append(142)
        elif ending == "lost":
            path.append(143)
            reason = rnd.choice(reasons)
        at = created
        for a, b in zip(path, path[1:]):
            at += rnd.randint(600, 86_400)
            events.append({"lead": 20001 + i, "pipeline": p["id"], "from": a, "to": b, "at": at, "by": users[rnd.randrange(5)]["id"]})
        leads.append({"id": 20001 + i, "name": f"Deal {i + 1}", "price": rnd.randint(1, 5000) * 100, "pipeline": p["id"],
                      "status": path[-1], "reason": reason, "responsible": users[i % 5]["id"], "contact": 3001 + i,
                      "company": contacts[i]["company"], "created_at": created, "closed_at": at if ending != "open" else None})
    events.sort(key=lambda e: (e["at"], e["lead"]))
    for n, e in enumerate(events):
        e["id"] = f"01ev{n:022d}"
    notes, tasks = activities(random.Random(seed + 1), leads, users)
    return {"pipelines": pipelines, "reasons": reasons, "users": users, "companies": companies, "contacts": contacts,
            "leads": leads, "events": events, "notes": notes, "tasks": tasks}


def activities(rnd: random.Random, leads: list, users: list) -> tuple[list, list]:
    """Notes and tasks on the leads (a separate random stream, so the leads stay those of the seed).

    A note: {"id", "lead", "type" (common, call_in, service_message), "text" (common), "phone", "duration", "link" (call),
    "at", "by"}; `imported` says whether an import brings it. A task: {"id", "entity_type", "entity_id", "text", "due",
    "responsible", "by", "at", "done", "done_at", "result"}."""
    notes, tasks = [], []
    for i, lead in enumerate(leads):
        at = lead["created_at"]
        if i % 2 == 0:
            notes.append({"type": "common", "lead": lead["id"], "text": f"Позвонить после обеда, {i}\nвторая строка, \"кавычки\", запятая",
                          "at": at + 600 + i, "by": users[rnd.randrange(5)]["id"], "imported": True})
        if i % 5 == 0:
            notes.append({"type": "call_in", "lead": lead["id"], "phone": "+79990001122", "duration": 30 + i % 90,
                          "link": f"https://records.example.test/{i}.mp3", "at": at + 900 + i, "by": users[i % 5]["id"], "imported": True})
        if i % 7 == 0:
            notes.append({"type": "service_message", "lead": lead["id"], "text": "Робот изменил поле", "at": at + 1200, "by": 0,
                          "imported": False})
        if i % 3 == 0:
            done = i % 6 == 0
            tasks.append({"entity_type": "leads", "entity_id": lead["id"], "text": f"Связаться с клиентом {i}", "due": at + 86_400 * (1 + i % 4),
                          "responsible": users[i % 5]["id"], "by": users[(i + 1) % 5]["id"], "at": at + 60, "done": done,
                          "done_at": at + 7200 if done else None, "result": f"Договорились о встрече {i}" if done else None})
        if i % 50 == 0:
            tasks.append({"entity_type": "contacts", "entity_id": lead["contact"], "text": "Задача по контакту", "due": at + 86_400,
                          "responsible": users[0]["id"], "by": users[0]["id"], "at": at + 60, "done": False, "done_at": None, "result": None})
    notes.append({"type": "common", "lead": 999_999, "text": "На удалённой сделке", "at": 1_700_000_000, "by": users[0]["id"],
                  "imported": False})
    for n, note in enumerate(notes):
        note["id"] = 70_001 + n
    for n, task in enumerate(tasks):
        task["id"] = 90_001 + n
    return notes, tasks


def status_name(data: dict, pipeline: int, status: int) -> str:
    """The name a status has in the fake (142/143 as amoCRM names them)."""
    if status == 142:
        return "Успешно реализовано"
    if status == 143:
        return "Закрыто и не реализовано"
    p = next(p for p in data["pipelines"] if p["id"] == pipeline)
    return dict(p["open"])[status]


class State:
    def __init__(self, args):
        self.args = args
        self.data = generate(args.seed, args.deals)
        self.stats = fakeserver.Stats()
        self.window: deque[float] = deque()
        self.lock = threading.Lock()
        self.counted = 0


def handler_for(state: State):
    d = state.data

    class Handler(fakeserver.JSONHandler):
        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/_stats":
                return self.reply(200, state.stats.snapshot())
            with state.lock:
                t = fakeserver.now()
                state.counted += 1
                n = state.counted
                with state.stats.lock:
                    state.stats.arrivals.append(t)
                    state.stats.paths[url.path] = state.stats.paths.get(url.path, 0) + 1
                while state.window and state.window[0] <= t - 1.0:
                    state.window.popleft()
                over = len(state.window) >= LIMIT_PER_SECOND
                state.window.append(t)
                busy = 3 <= n < 3 + state.args.busy
                if over or busy:
                    with state.stats.lock:
                        state.stats.limited += 1
                        state.stats.busy_answered += 1 if busy else 0
            if over or busy:
                return self.reply(429, {"title": "Too Many Requests", "status": 429}, {"Retry-After": "1"})
            if self.headers.get("Authorization") != f"Bearer {state.args.secret}":
                return self.reply(401, {"title": "Unauthorized", "status": 401, "detail": "Invalid token"})
            q = urllib.parse.parse_qs(url.query)
            base = f"http://{self.headers.get('Host')}"
            path = url.path
            if path == "/api/v4/leads/pipelines":
                return self.reply(200, {"_total_items": len(d["pipelines"]), "_embedded": {"pipelines": [self.pipeline(p) for p in d["pipelines"]]}})
            if path == "/api/v4/leads/loss_reasons":
                return self.reply(200, {"_embedded": {"loss_reasons": [{**r, "sort": 10} for r in d["reasons"]]}})
            lists = {"/api/v4/users": ("users", d["users"], self.user, 250),
                     "/api/v4/leads": ("leads", d["leads"], self.lead, 250),
                     "/api/v4/contacts": ("contacts", d["contacts"], self.contact, 250),
                     "/api/v4/companies": ("companies", d["companies"], self.company, 250),
                     "/api/v4/events": ("events", d["events"], self.event, 100),
                     "/api/v4/leads/notes": ("notes", d["notes"], self.note, 250),
                     "/api/v4/tasks": ("tasks", d["tasks"], self.task, 250)}
            if path not in lists:
                return self.reply(404, {"title": "Not Found", "status": 404})
            key, items, shape, most = lists[path]
            if key == "events" and q.get("filter[type]", ["lead_status_changed"])[0] != "lead_status_changed":
                return self.reply(204)
            try:
                limit = min(int(q.get("limit", ["50"])[0]), most)
                page = int(q.get("page", ["1"])[0])
            except ValueError:
                return self.reply(400, {"title": "Bad Request", "status": 400})
            chunk = items[(page - 1) * limit: page * limit]
            if not chunk:
                return self.reply(204)
            links = {"self": {"href": f"{base}{path}?limit={limit}&page={page}"}}
            if page * limit < len(items):
                links["next"] = {"href": f"{base}{path}?limit={limit}&page={page + 1}"}
            with_ = q.get("with", [""])[0].split(",")
            return self.reply(200, {"_page": page, "_links": links, "_embedded": {key: [shape(x, with_) for x in chunk]}})

        def pipeline(self, p):
            statuses = [{"id": 142, "name": "Успешно реализовано", "sort": 10000, "pipeline_id": p["id"], "type": 0},
                        {"id": 143, "name": "Закрыто и не реализовано", "sort": 11000, "pipeline_id": p["id"], "type": 0}]
            statuses = [{"id": s, "name": n, "sort": (i + 1) * 10, "pipeline_id": p["id"], "type": 0} for i, (s, n) in enumerate(p["open"])] + statuses
            return {"id": p["id"], "name": p["name"], "sort": 1, "is_main": p["is_main"], "_embedded": {"statuses": statuses[::-1][:2] + statuses[:-2]}}

        def user(self, u, _):
            return {"id": u["id"], "name": u["name"], "email": u["email"], "lang": "ru", "rights": {}}

        def lead(self, l, with_):
            embedded = {"tags": [], "companies": [{"id": l["company"]}] if l["company"] else []}
            if "contacts" in with_:
                embedded["contacts"] = [{"id": l["contact"], "is_main": True}]
            if "loss_reason" in with_:
                embedded["loss_reason"] = [l["reason"]] if l["reason"] else []
            return {"id": l["id"], "name": l["name"], "price": l["price"], "responsible_user_id": l["responsible"], "group_id": 0,
                    "status_id": l["status"], "pipeline_id": l["pipeline"], "loss_reason_id": l["reason"]["id"] if l["reason"] else None,
                    "created_by": 0, "updated_by": 0, "created_at": l["created_at"], "updated_at": l["created_at"],
                    "closed_at": l["closed_at"], "is_deleted": False, "custom_fields_values": None, "account_id": 1,
                    "_embedded": embedded}

        def contact(self, c, _):
            return {"id": c["id"], "name": c["name"], "created_at": c["created_at"], "custom_fields_values": [
                {"field_id": 1, "field_name": "Телефон", "field_code": "PHONE", "values": [{"value": c["phone"], "enum_code": "WORK"}]},
                {"field_id": 2, "field_name": "Email", "field_code": "EMAIL", "values": [{"value": c["email"], "enum_code": "WORK"}]}],
                "_embedded": {"companies": [{"id": c["company"]}] if c["company"] else []}}

        def company(self, c, _):
            return {"id": c["id"], "name": c["name"], "created_at": c["created_at"], "custom_fields_values": None}

        def note(self, n, _):
            if n["type"] == "call_in":
                params = {"uniq": f"call-{n['id']}", "duration": n["duration"], "source": "telephony", "link": n["link"], "phone": n["phone"]}
            else:
                params = {"text": n["text"]}
            return {"id": n["id"], "entity_id": n["lead"], "created_by": n["by"], "updated_by": n["by"], "created_at": n["at"],
                    "updated_at": n["at"], "responsible_user_id": n["by"], "group_id": 0, "note_type": n["type"], "params": params,
                    "account_id": 1, "_links": {"self": {"href": f"/api/v4/leads/{n['lead']}/notes/{n['id']}"}}}

        def task(self, t, _):
            return {"id": t["id"], "created_by": t["by"], "updated_by": t["by"], "created_at": t["at"],
                    "updated_at": t["done_at"] or t["at"], "responsible_user_id": t["responsible"], "group_id": 0,
                    "entity_id": t["entity_id"], "entity_type": t["entity_type"], "duration": 0, "is_completed": t["done"],
                    "task_type_id": 1, "text": t["text"], "result": {"text": t["result"]} if t["result"] else [],
                    "complete_till": t["due"], "account_id": 1}

        def event(self, e, _):
            return {"id": e["id"], "type": "lead_status_changed", "entity_id": e["lead"], "entity_type": "lead", "created_by": e["by"],
                    "created_at": e["at"], "account_id": 1,
                    "value_before": [{"lead_status": {"id": e["from"], "pipeline_id": e["pipeline"]}}],
                    "value_after": [{"lead_status": {"id": e["to"], "pipeline_id": e["pipeline"]}}],
                    "_embedded": {"entity": {"id": e["lead"]}}}

    return Handler


if __name__ == "__main__":
    args = fakeserver.arguments("A fake amoCRM API v4 with paging and a 7 requests/s limit.")
    fakeserver.serve(handler_for(State(args)), args.port)

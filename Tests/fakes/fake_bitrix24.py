#!/usr/bin/env python3
"""A fake Bitrix24 REST portal for the live-import tests, reached through an inbound webhook
`http://127.0.0.1:PORT/rest/1/SECRET/`: categories, stages (`crm.status.list`), users, deals, contacts, companies,
`crm.stagehistory.list`, `crm.activity.list` (deal activities with `SUBJECT` and `DESCRIPTION`, some in HTML, which an
import brings as notes; task activities and a contact's, which it leaves out; `filter[OWNER_TYPE_ID]` honoured) and
`tasks.task.list` (`{"tasks": [...]}` in camelCase, linked to deals by `ufCrmTask: ["D_<id>"]`, open, completed
(status 5) or declined (7); some on a contact only, which an import leaves out), generated from a seed; 50 a page by `start` with `total` and `next`; `batch` of up to 50
commands; and Bitrix24's leaky bucket (drains 2 requests a second, a burst of 4 more): a request over it is answered
503 `{"error": "QUERY_LIMIT_EXCEEDED"}`.

    python3 fake_bitrix24.py --port 0 --seed 7 --deals 600 --secret KEY [--busy 2]

prints `PORT n`; `GET /_stats` (not counted) says how many requests came, how many were refused, and the most in any
second and ten seconds. `generate(seed, deals)` gives the same data to the tests."""
import json
import random
import re
import sys
import threading
import urllib.parse
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fakeserver  # noqa: E402

DRAIN_PER_SECOND = 2.0
BURST = 4.0
PAGE = 50
ZONE = timezone(timedelta(hours=3))
T0 = datetime(2024, 1, 10, 9, 0, tzinfo=ZONE)


def iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def generate(seed: int = 7, deals: int = 600) -> dict:
    rnd = random.Random(seed)
    categories = [{"id": 0, "name": "Общая", "sort": 100, "isDefault": "Y"}, {"id": 3, "name": "Партнёры", "sort": 200, "isDefault": "N"}]
    stages = {
        0: [("NEW", "Новая", "P"), ("PREPARATION", "Подготовка документов", "P"), ("EXECUTING", "В работе", "P"),
            ("WON", "Сделка успешна", "S"), ("LOSE", "Сделка провалена", "F"), ("APOLOGY", "Анализ причины провала", "F")],
        3: [("C3:NEW", "Заявка", "P"), ("C3:PROPOSAL", "Предложение", "P"), ("C3:WON", "Договор", "S"), ("C3:LOSE", "Отказ", "F")],
    }
    users = [{"ID": str(i + 1), "NAME": f"Manager{i + 1}", "LAST_NAME": "Fake", "EMAIL": f"manager{i + 1}@fake-b24.test"} for i in range(5)]
    companies = [{"ID": str(1 + i), "TITLE": f"Компания {i + 1}", "DATE_CREATE": iso(T0 + timedelta(minutes=i))} for i in range(30)]
    contacts, deal_rows, history = [], [], []
    for i in range(deals + 40):
        contacts.append({"ID": str(1 + i), "NAME": f"Имя{i + 1}", "LAST_NAME": "Фамилия", "COMPANY_ID": str(1 + i % 30) if i % 4 == 0 else None,
                         "DATE_CREATE": iso(T0 + timedelta(hours=i)),
                         "PHONE": [{"ID": str(i), "VALUE_TYPE": "WORK", "VALUE": f"+7 912 {200 + i // 1000:03d}-{i % 1000:03d}-02", "TYPE_ID": "PHONE"}],
                         "EMAIL": [{"ID": str(i), "VALUE_TYPE": "WORK", "VALUE": f"b24contact{i + 1}@example.test", "TYPE_ID": "EMAIL"}]})
    for i in range(deals):
        cat = 0 if i % 4 else 3
        opened = [s for s in stages[cat] if s[2] == "P"]
        won = [s for s in stages[cat] if s[2] == "S"]
        lost = [s for s in stages[cat] if s[2] == "F"]
        path = opened[: rnd.randint(1, len(opened))]
        ending = rnd.choice(["open", "won", "lost"])
        if ending == "won":
            path = path + won
        elif ending == "lost":
            path = path + [rnd.choice(lost)]
        created = T0 + timedelta(hours=i, minutes=5)
        at = created
        for n, s in enumerate(path):
            if n:
                at = at + timedelta(seconds=rnd.randint(600, 86_400))
            history.append({"OWNER_ID": i + 1, "TYPE_ID": 1 if n == 0 else (3 if s[2] != "P" else 2), "CREATED_TIME": at,
                            "CATEGORY_ID": cat, "STAGE_SEMANTIC_ID": s[2], "STAGE_ID": s[0]})
        deal_rows.append({"ID": str(i + 1), "TITLE": f"Сделка {i + 1}", "CATEGORY_ID": str(cat), "STAGE_ID": path[-1][0],
                          "OPPORTUNITY": f"{rnd.randint(1, 9000) * 10}.00", "CURRENCY_ID": "RUB", "ASSIGNED_BY_ID": str(1 + i % 5),
                          "CONTACT_ID": str(i + 1), "COMPANY_ID": contacts[i]["COMPANY_ID"], "DATE_CREATE": iso(created),
                          "CLOSED": "Y" if ending != "open" else "N", "CLOSEDATE": iso(at), "STAGE_SEMANTIC_ID": path[-1][2]})
    history.sort(key=lambda h: (h["CREATED_TIME"], h["OWNER_ID"]))
    for n, h in enumerate(history):
        h["ID"] = n + 1
        h["CREATED_TIME"] = iso(h["CREATED_TIME"])
    activities, tasks = deal_activities(random.Random(seed + 1), deal_rows, users)
    return {"categories": categories, "stages": stages, "users": users, "companies": companies, "contacts": contacts,
            "deals": deal_rows, "history": history, "activities": activities, "tasks": tasks}


def deal_activities(rnd: random.Random, deals: list, users: list) -> tuple[list, list]:
    """Activities and tasks (a separate random stream, so the deals stay those of the seed). Each activity has
    `note`: the note text an import makes of it, or None when it leaves it out; each task `deal` (None when on no deal)."""
    activities, tasks = [], []
    for i, d in enumerate(deals):
        created = datetime.fromisoformat(d["DATE_CREATE"])
        author = users[rnd.randrange(5)]["ID"]
        if i % 2 == 0:
            html = i % 10 == 0
            description = f"<p>Клиент просит <b>скидку</b> {i}</p><p>Перезвонить &amp; уточнить</p>" if html else f"Клиент просит скидку {i}\nПерезвонить"
            note = f"Звонок клиенту {i}\n" + (f"Клиент просит скидку {i}\nПерезвонить & уточнить" if html else description)
            activities.append({"OWNER_TYPE_ID": "2", "OWNER_ID": d["ID"], "TYPE_ID": "2", "PROVIDER_ID": "VOXIMPLANT_CALL",
                               "SUBJECT": f"Звонок клиенту {i}", "DESCRIPTION": description, "DESCRIPTION_TYPE": "3" if html else "1",
                               "CREATED": iso(created + timedelta(minutes=30)), "AUTHOR_ID": author, "RESPONSIBLE_ID": d["ASSIGNED_BY_ID"],
                               "COMPLETED": "Y", "note": note})
        if i % 3 == 0:
            done = i % 6 == 0
            declined = i % 9 == 3
            status = "5" if done else "7" if declined else "2"
            tasks.append({"id": str(5001 + len(tasks)), "title": f"Подготовить КП {i}", "description": f"Описание задачи {i}",
                          "responsibleId": d["ASSIGNED_BY_ID"], "createdBy": author, "createdDate": iso(created + timedelta(minutes=10)),
                          "deadline": iso(created + timedelta(days=2)), "status": status,
                          "closedDate": iso(created + timedelta(days=1)) if status != "2" else None,
                          "ufCrmTask": [f"D_{d['ID']}", f"C_{d['CONTACT_ID']}"], "deal": d["ID"]})
            activities.append({"OWNER_TYPE_ID": "2", "OWNER_ID": d["ID"], "TYPE_ID": "3", "PROVIDER_ID": "TASKS_TASK",
                               "SUBJECT": f"Подготовить КП {i}", "DESCRIPTION": "", "DESCRIPTION_TYPE": "1",
                               "CREATED": iso(created + timedelta(minutes=10)), "AUTHOR_ID": author, "RESPONSIBLE_ID": d["ASSIGNED_BY_ID"],
                               "COMPLETED": "N", "note": None})
        if i % 40 == 0:
            activities.append({"OWNER_TYPE_ID": "3", "OWNER_ID": d["CONTACT_ID"], "TYPE_ID": "4", "PROVIDER_ID": "CRM_EMAIL",
                               "SUBJECT": "Письмо контакту", "DESCRIPTION": "", "DESCRIPTION_TYPE": "1",
                               "CREATED": iso(created), "AUTHOR_ID": author, "RESPONSIBLE_ID": author, "COMPLETED": "Y", "note": None})
            tasks.append({"id": str(5001 + len(tasks)), "title": "Задача по контакту", "description": "", "responsibleId": author,
                          "createdBy": author, "createdDate": iso(created), "deadline": None, "status": "2", "closedDate": None,
                          "ufCrmTask": [f"C_{d['CONTACT_ID']}"], "deal": None})
    for n, a in enumerate(activities):
        a["ID"] = str(700_001 + n)
    return activities, tasks


def php_query(text: str) -> dict:
    """A PHP-bracket query (`filter[ENTITY_ID]=X&select[0]=*`) as nested dicts."""
    out: dict = {}
    for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        node = out
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return out


class State:
    def __init__(self, args):
        self.args = args
        self.data = generate(args.seed, args.deals)
        self.stats = fakeserver.Stats()
        self.lock = threading.Lock()
        self.level = 0.0
        self.last = fakeserver.now()
        self.counted = 0


def handler_for(state: State):
    d = state.data

    def page(items: list, params: dict) -> dict:
        try:
            start = max(0, int(params.get("start", 0) or 0))
        except (TypeError, ValueError):
            start = 0
        chunk = items[start: start + PAGE]
        out = {"result": chunk, "total": len(items)}
        if start + PAGE < len(items):
            out["next"] = start + PAGE
        return out

    def call(method: str, params: dict) -> dict:
        m = method.lower().removesuffix(".json")
        if m == "crm.category.list":
            return {"result": {"categories": d["categories"]}, "total": len(d["categories"])}
        if m == "crm.status.list":
            entity = (params.get("filter") or {}).get("ENTITY_ID", "DEAL_STAGE")
            cat = 0 if entity == "DEAL_STAGE" else int(entity.rsplit("_", 1)[-1])
            rows = [{"ID": str(n + 1), "ENTITY_ID": entity, "STATUS_ID": s, "NAME": name, "SORT": str((n + 1) * 10), "CATEGORY_ID": str(cat),
                     "SEMANTICS": sem if sem != "P" else None} for n, (s, name, sem) in enumerate(d["stages"].get(cat, []))]
            return {"result": rows, "total": len(rows)}
        if m == "user.get":
            return page(d["users"], params)
        if m == "crm.deal.list":
            return page(d["deals"], params)
        if m == "crm.contact.list":
            return page(d["contacts"], params)
        if m == "crm.company.list":
            return page(d["companies"], params)
        if m == "crm.activity.list":
            owner = (params.get("filter") or {}).get("OWNER_TYPE_ID")
            rows = [{k: v for k, v in a.items() if k != "note"} for a in d["activities"] if owner is None or str(owner) == a["OWNER_TYPE_ID"]]
            return page(rows, params)
        if m == "tasks.task.list":
            out = page([{k: v for k, v in t.items() if k != "deal"} for t in d["tasks"]], params)
            out["result"] = {"tasks": out["result"]}
            return out
        if m == "crm.stagehistory.list":
            if str(params.get("entityTypeId")) != "2":
                return {"result": {"items": []}, "total": 0}
            out = page(d["history"], params)
            out["result"] = {"items": out["result"]}
            return out
        raise KeyError(method)

    class Handler(fakeserver.JSONHandler):
        def do_GET(self):
            if self.path == "/_stats":
                return self.reply(200, state.stats.snapshot())
            self.handle_call({})

        def do_POST(self):
            raw = self.body()
            try:
                params = json.loads(raw) if raw.strip().startswith(b"{") else php_query(raw.decode())
            except ValueError:
                return self.reply(400, {"error": "INVALID_REQUEST", "error_description": "unreadable body"})
            self.handle_call(params)

        def handle_call(self, params: dict):
            url = urllib.parse.urlsplit(self.path)
            params = {**php_query(url.query), **params}
            with state.lock:
                t = fakeserver.now()
                state.level = max(0.0, state.level - (t - state.last) * DRAIN_PER_SECOND)
                state.last = t
                state.counted += 1
                n = state.counted
                with state.stats.lock:
                    state.stats.arrivals.append(t)
                    state.stats.paths[url.path.rsplit("/", 1)[-1]] = state.stats.paths.get(url.path.rsplit("/", 1)[-1], 0) + 1
                busy = 3 <= n < 3 + state.args.busy
                over = state.level + 1 > BURST + 1
                if over or busy:
                    with state.stats.lock:
                        state.stats.limited += 1
                        state.stats.busy_answered += 1 if busy else 0
                else:
                    state.level += 1
            if over or busy:
                return self.reply(503, {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"})
            m = re.fullmatch(r"/rest/(\d+)/([^/]+)/([A-Za-z0-9_.]+)", url.path)
            if not m or m.group(2) != state.args.secret:
                return self.reply(401, {"error": "INVALID_CREDENTIALS", "error_description": "Invalid request credentials"})
            method = m.group(3).removesuffix(".json")
            if method.lower() == "batch":
                return self.reply(200, self.batch(params))
            try:
                return self.reply(200, call(method, params))
            except KeyError:
                return self.reply(404, {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"})

        def batch(self, params: dict) -> dict:
            cmd = params.get("cmd") or {}
            if isinstance(cmd, list):
                cmd = {str(i): c for i, c in enumerate(cmd)}
            if len(cmd) > 50:
                return {"error": "MAX_BATCH_LENGTH_EXCEEDED", "error_description": "Max batch length exceeded"}
            result, errors, totals, nexts = {}, {}, {}, {}
            for label, command in cmd.items():
                method, _, query = command.partition("?")
                try:
                    r = call(method, php_query(query))
                except KeyError:
                    errors[label] = {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}
                    continue
                result[label] = r["result"]
                if "total" in r:
                    totals[label] = r["total"]
                if "next" in r:
                    nexts[label] = r["next"]
            return {"result": {"result": result or [], "result_error": errors or [], "result_total": totals or [],
                               "result_next": nexts or [], "result_time": []}}

    return Handler


if __name__ == "__main__":
    args = fakeserver.arguments("A fake Bitrix24 REST portal with paging, batch and a leaky-bucket limit.")
    fakeserver.serve(handler_for(State(args)), args.port)

"""The server side of the browser tests: a SQLite file database with an admin (known password, English) and an
admin-scope API token made with the CLI, `autofunnel serve` on a free loopback port, the test pipeline applied
through the API, and helpers that seed contacts, deals and tasks through the API and read them back."""
import datetime
import http.client
import secrets
import urllib.parse
from decimal import Decimal
from pathlib import Path

import harness  # Tests/system/harness.py (conftest puts Tests/system on sys.path)

SESSION_COOKIE = "af_session"
EMAIL = "browser-admin@autofunnel.test"
NAME = "Browser Admin"
KEY = "browser_flow"

#: Open stages in board order, then the closing ones.
OPEN_STAGES = ["lead", "qualified", "meeting"]
KEY_STAGES = {"meeting"}
LOST_STAGES = ["lost_price", "lost_silent"]
STAGE_NAMES = {
    "lead": {"en": "New lead", "ru": "Новый лид"},
    "qualified": {"en": "Qualified", "ru": "Квалифицирован"},
    "meeting": {"en": "Meeting held", "ru": "Встреча проведена"},
    "won": {"en": "Paid", "ru": "Оплачено"},
    "lost_price": {"en": "Too expensive", "ru": "Дорого"},
    "lost_silent": {"en": "Stopped answering", "ru": "Пропал"},
}
LEAD_INSTRUCTIONS = {"en": "Call the customer within an hour and write down what they need.",
                     "ru": "Позвоните клиенту в течение часа и запишите, что ему нужно."}
#: What leaving the first stage needs; a deal seeded with a named contact misses all but contact.name.
LEAD_REQUIRED = ["amount", "bt_notes", "bt_channel", "contact.name", "contact.phone"]
CHANNELS = {"web": "Website", "phone": "Phone call"}

# Users may only move forward one stage at a time (no backward moves, no skips) and close deals; the API may do
# anything, so that tests can seed deals in any stage.
PIPELINE = f"""\
key: {KEY}
name: {{ru: Воронка браузерного теста, en: Browser test funnel}}
policy:
  user: {{forward: true, backward: false, skip: false, close: true}}
  automation: {{forward: true, backward: true, skip: true, close: true}}
  api: {{forward: true, backward: true, skip: true, close: true}}
  import: {{forward: true, backward: true, skip: true, close: true}}
fields:
- entity: deal
  key: bt_notes
  type: text
  name: {{ru: Заметки о клиенте, en: Customer notes}}
- entity: deal
  key: bt_channel
  type: enum
  name: {{ru: Канал, en: Channel}}
  options:
  - key: web
    name: {{ru: Сайт, en: {CHANNELS["web"]}}}
  - key: phone
    name: {{ru: Звонок, en: {CHANNELS["phone"]}}}
stages:
- key: lead
  kind: conversion
  name: {{ru: {STAGE_NAMES["lead"]["ru"]}, en: {STAGE_NAMES["lead"]["en"]}}}
  instructions: {{ru: {LEAD_INSTRUCTIONS["ru"]}, en: {LEAD_INSTRUCTIONS["en"]}}}
  requiredToLeave: [{", ".join(LEAD_REQUIRED)}]
  probability: 10
- key: qualified
  kind: conversion
  name: {{ru: {STAGE_NAMES["qualified"]["ru"]}, en: {STAGE_NAMES["qualified"]["en"]}}}
  instructions: {{ru: Договоритесь о встрече., en: Arrange a meeting.}}
  maxTimeInStage: 2d
  probability: 30
- key: meeting
  kind: conversion
  keyStage: true
  name: {{ru: {STAGE_NAMES["meeting"]["ru"]}, en: {STAGE_NAMES["meeting"]["en"]}}}
  instructions: {{ru: Отправьте предложение в тот же день., en: Send the proposal the same day.}}
  maxTimeInStage: 3d
  probability: 60
- key: won
  kind: conversion
  outcome: won
  name: {{ru: {STAGE_NAMES["won"]["ru"]}, en: {STAGE_NAMES["won"]["en"]}}}
  probability: 100
- key: lost_price
  kind: conversion
  outcome: lost
  lossCommentRequired: true
  name: {{ru: {STAGE_NAMES["lost_price"]["ru"]}, en: {STAGE_NAMES["lost_price"]["en"]}}}
- key: lost_silent
  kind: conversion
  outcome: lost
  name: {{ru: {STAGE_NAMES["lost_silent"]["ru"]}, en: {STAGE_NAMES["lost_silent"]["en"]}}}
"""


class WebApp:
    def __init__(self, workdir: Path, server: "harness.Server", api: "harness.Api", password: str):
        self.workdir = workdir
        self.server = server
        self.api = api
        self.base = server.base
        self.email = EMAIL
        self.password = password
        self.key = KEY
        self.serial = 0

    @classmethod
    def start(cls, workdir: Path) -> "WebApp":
        url = f"sqlite:{workdir / 'browser.sqlite'}"
        password = "Browser-" + secrets.token_urlsafe(18)
        harness.cli(["users", "create", "--admin", "--email", EMAIL, "--name", NAME, "--locale", "en"], url, stdin=password + "\n")
        token = harness.cli(["tokens", "create", "--user", EMAIL, "--name", "browser-test", "--scope", "admin"], url).strip()
        assert token.startswith("aft_"), f"unexpected token output: {token!r}"
        server = harness.Server(url, workdir, "browser-server")
        server.start()
        try:
            api = harness.Api(server.base, token)
            api.ok("PUT", f"/pipelines/{KEY}/definition", PIPELINE, content_type="application/yaml")
            web = cls(workdir, server, api, password)
            # A few deals so that the board is not empty when the first test looks at it.
            web.deal("Kitchen set for a cafe", amount="150000")
            web.deal("Office chairs", amount="42000", phone="+7 901 000-11-22")
            web.deal("Shop shelving", stage="qualified", filled=True, amount="80000.50")
            web.deal("Showroom lighting", stage="meeting", filled=True, amount="20000")
        except BaseException:
            server.stop()
            raise
        return web

    def stop(self) -> None:
        self.server.stop()

    def unique(self, text: str) -> str:
        self.serial += 1
        return f"{text} #{self.serial}"

    # --- seeding through the API -------------------------------------------------------------------------------

    def contact(self, name: str, phone: str | None = None) -> dict:
        # Seeded deals share phones on purpose: a contact of each, not the one that already has the phone.
        body = {"name": name, "allowDuplicate": True}
        if phone:
            body["phones"] = [phone]
        return self.api.ok("POST", "/contacts", body)

    def deal(self, title: str, stage: str | None = None, amount: str | None = None, contact: str | None = "Anna Petrova",
             phone: str | None = None, fields: dict | None = None, filled: bool = False) -> dict:
        """A deal in the test pipeline with a contact named `contact` (none when None). `filled` gives it every value
        the first stage requires (amount, the two fields, a contact phone), which a deal starting past it needs."""
        body: dict = {"pipeline": KEY, "title": title}
        if stage:
            body["stage"] = stage
        if filled:
            amount = amount or "1000"
            phone = phone or "+7 900 555-00-11"
            fields = {"bt_notes": "Seeded", "bt_channel": "web", **(fields or {})}
        if amount:
            body["amount"] = {"value": amount, "currency": "RUB"}
        if contact:
            body["contactId"] = self.contact(contact, phone)["id"]
        if fields:
            body["fields"] = fields
        return self.api.ok("POST", "/deals", body)

    def task(self, deal_id: int, title: str) -> dict:
        """A task due an hour ago (overdue, so on the assignee's list today), or in two minutes when the API refuses
        a due time in the past."""
        last = None
        for hours in (-1, 2 / 60):
            due = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=hours)
            status, _, body = self.api.call("POST", "/tasks", {"dealId": deal_id, "title": title,
                                                               "dueAt": due.strftime("%Y-%m-%dT%H:%M:%SZ")})
            if status == 201:
                return body
            last = (status, body)
        raise AssertionError(f"POST /tasks answered {last}")

    def move(self, deal_id: int, stage: str) -> dict:
        return self.api.ok("POST", f"/deals/{deal_id}/move", {"stage": stage})

    # --- reading back --------------------------------------------------------------------------------------------

    def get_deal(self, deal_id: int) -> dict:
        return self.api.ok("GET", f"/deals/{deal_id}")

    def get_contact(self, contact_id: int) -> dict:
        return self.api.ok("GET", f"/contacts/{contact_id}")

    def tasks_of(self, deal_id: int) -> list[dict]:
        return self.api.ok("GET", f"/tasks?dealId={deal_id}")["items"]

    def open_deals(self) -> list[dict]:
        deals, cursor = [], None
        while True:
            query = {"pipeline": KEY, "status": "open", "limit": "200", **({"cursor": cursor} if cursor else {})}
            page = self.api.ok("GET", "/deals?" + urllib.parse.urlencode(query))
            deals += page["items"]
            cursor = page.get("nextCursor")
            if not cursor:
                return deals

    def conversion(self) -> dict:
        return self.api.ok("GET", f"/pipelines/{KEY}/reports/conversion")

    def fetch_as_browser(self, driver, url: str, accept: str) -> tuple[int, dict, bytes]:
        """GET `url` with the browser's cookies for this server, as a click on a link would send it."""
        u = urllib.parse.urlparse(urllib.parse.urljoin(self.base + "/", url))
        assert (u.hostname, u.port) == ("127.0.0.1", self.server.port), f"{url} leaves the server"
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        try:
            conn.request("GET", u.path + (f"?{u.query}" if u.query else ""), headers={
                "Cookie": cookie, "Accept": accept, "User-Agent": driver.execute_script("return navigator.userAgent")})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()


def money(deal: dict) -> tuple[Decimal, str] | None:
    a = deal.get("amount")
    return (Decimal(a["value"]), a["currency"]) if a else None


def sign_in(driver, app: WebApp) -> None:
    """Signs in through the form at /login and waits for the session cookie."""
    import af_browser
    from selenium.webdriver.common.by import By

    driver.get(app.base + "/login")
    af_browser.until(driver, lambda d: d.find_element(By.ID, "email").is_displayed(), "the sign-in form shows")
    driver.find_element(By.ID, "email").clear()
    driver.find_element(By.ID, "email").send_keys(app.email)
    driver.find_element(By.ID, "password").send_keys(app.password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    af_browser.until(driver, lambda d: d.get_cookie(SESSION_COOKIE) is not None and "/login" not in d.current_url,
                     "signing in sets the session cookie and leaves /login")


def set_locale(app: WebApp, locale: str) -> None:
    """Puts the test admin's language back through the API (after the locale test)."""
    users = app.api.ok("GET", "/users")["items"]
    me = next(u for u in users if u["email"] == app.email)
    if me["locale"] != locale:
        app.api.ok("PATCH", f"/users/{me['id']}", {"locale": locale})


def user_locale(app: WebApp) -> str:
    return next(u for u in app.api.ok("GET", "/users")["items"] if u["email"] == app.email)["locale"]

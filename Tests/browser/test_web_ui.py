"""The web UI in a real browser (headless Chromium through Selenium), checked for what a user notices: signing in, the
board of the test pipeline with its counts and sums, dragging cards (the required-fields dialog, refused moves, losing
a deal with a comment), the deal card (tasks, timeline), analytics with its CSV, text typed into every field staying
text, the language switch and a phone-width deal card. The DOM contract is docs of the pages (ids and classes);
the test pipeline and the server come from conftest.py / af_browser_app.py.

Screenshots (board, deal card, required-fields dialog, lost dialog, analytics) go to $AUTOFUNNEL_SCREENSHOTS or
.build/screenshots/."""
import re
import urllib.parse
from decimal import Decimal

import harness  # Tests/system/harness.py (conftest puts Tests/system on sys.path)
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from af_browser import (PAYLOADS, assert_no_injection, column_of, dialog_open, digits, drag_and_drop, parse_money,
                        screenshot, text_of, until, wait_for_page)
from af_browser_app import (CHANNELS, KEY_STAGES, LEAD_INSTRUCTIONS, LOST_STAGES, OPEN_STAGES, STAGE_NAMES, money,
                            set_locale, sign_in, user_locale)

PHONE = "+7 900 123-45-67"
PHONE_DIGITS = "79001234567"
#: What a click on a link sends (Chromium's Accept for a navigation).
NAVIGATION_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
                     "application/signed-exchange;v=b3;q=0.7")


# --- page helpers --------------------------------------------------------------------------------------------------

def open_board(d, app, query: str = ""):
    d.get(f"{app.base}/board/{app.key}{query}")
    wait_for_page(d, "section.column", f"the board of {app.key} shows its columns")


def open_card(d, app, deal_id: int):
    d.get(f"{app.base}/deals/{deal_id}")
    wait_for_page(d, "h1#deal-title", f"the card of deal {deal_id}")


def card(d, deal_id: int):
    return d.find_element(By.ID, f"deal-{deal_id}")


def column(d, stage: str):
    return d.find_element(By.CSS_SELECTOR, f'section.column[data-stage="{stage}"]')


def value_of(d, element_id: str) -> str:
    return d.find_element(By.ID, element_id).get_attribute("value")


def type_into(d, element_id: str, text: str) -> None:
    el = d.find_element(By.ID, element_id)
    el.clear()
    el.send_keys(text)


def drag(d, deal_id: int, target) -> None:
    seen = drag_and_drop(d, card(d, deal_id), target)
    assert seen["started"], f"the card of deal {deal_id} refused to start a drag: {seen}"


DIALOG_INPUTS_JS = r"""
const dlg = document.getElementById(arguments[0]);
return Array.from(dlg.querySelectorAll('input, select, textarea'))
  .filter(e => !['hidden', 'submit', 'button', 'reset'].includes(e.type))
  .map(e => ({id: e.id, name: e.name, tag: e.tagName.toLowerCase(), type: e.type,
              label: e.id ? ((document.querySelector('label[for="' + CSS.escape(e.id) + '"]') || {}).textContent || '').trim() : '',
              options: e.tagName === 'SELECT' ? Array.from(e.options).map(o => o.value) : null}));
"""


def dialog_fields(d) -> dict[str, dict]:
    """The inputs of the open #fields-dialog by name, without the currency of the amount."""
    inputs = d.execute_script(DIALOG_INPUTS_JS, "fields-dialog")
    return {i["name"]: i for i in inputs if i["id"] != "fill-amount-currency"}


def set_currency(d, currency: str = "RUB") -> None:
    found = d.find_elements(By.ID, "fill-amount-currency")
    if not found:
        return
    el = found[0]
    if el.tag_name.lower() == "select":
        options = [o.get_attribute("value") for o in Select(el).options]
        assert currency in options, f"#fill-amount-currency has no {currency}: {options}"
        Select(el).select_by_value(currency)
    else:
        el.clear()
        el.send_keys(currency)


def drag_to_stage_expecting_dialog(d, deal_id: int, stage: str) -> dict[str, dict]:
    drag(d, deal_id, column(d, stage))
    until(d, lambda d: dialog_open(d, "fields-dialog"), f"dropping deal {deal_id} on '{stage}' opens #fields-dialog")
    return dialog_fields(d)


def submit_fields_dialog(d, deal_id: int, stage: str) -> None:
    d.find_element(By.ID, "fields-submit").click()
    until(d, lambda d: not dialog_open(d, "fields-dialog") and column_of(d, deal_id) == stage,
          f"after #fields-submit the dialog closes and deal {deal_id} is in column '{stage}'")


def lose_on_board(d, deal_id: int, reason: str, comment: str | None) -> None:
    """Drops the card on #drop-lost, picks `reason`, types `comment` and submits; does not wait for the outcome."""
    drag(d, deal_id, d.find_element(By.ID, "drop-lost"))
    until(d, lambda d: dialog_open(d, "lost-dialog"), f"dropping deal {deal_id} on #drop-lost opens #lost-dialog")
    reasons = Select(d.find_element(By.ID, "lost-reason"))
    values = [o.get_attribute("value") for o in reasons.options]
    assert set(LOST_STAGES) <= set(values), f"#lost-reason offers {values}, not every lost stage {LOST_STAGES}"
    assert "won" not in values and not set(OPEN_STAGES) & set(values), f"#lost-reason offers more than loss reasons: {values}"
    reasons.select_by_value(reason)
    type_into(d, "lost-comment", comment or "")
    d.find_element(By.ID, "lost-submit").click()


def wait_card_gone(d, deal_id: int, what: str) -> None:
    until(d, lambda d: not dialog_open(d, "lost-dialog") and column_of(d, deal_id) is None, what)


def board_columns(d) -> list[dict]:
    return d.execute_script(r"""
      const t = (root, css) => { const e = root.querySelector(css); return e ? (e.innerText || e.textContent || '').trim() : null; };
      return Array.from(document.querySelectorAll('section.column')).map(c => ({
        stage: c.dataset.stage, keyStage: c.classList.contains('key-stage'), name: t(c, '.column-name'),
        count: t(c, '.column-count'), sum: t(c, '.column-sum'),
        cards: Array.from(c.querySelectorAll('.column-cards article.card')).map(a => Number(a.dataset.deal)),
        more: !!c.querySelector('a.column-more')}));
    """)


def column_name(text: str | None) -> str:
    """A column's name as shown, without a decorative mark such as the key stage's star."""
    return re.sub(r"[^\w\s'’.,()-]", "", text or "").strip()


def nonzero(sums: dict) -> dict:
    return {k: v for k, v in sums.items() if v != 0}


# --- the tests -----------------------------------------------------------------------------------------------------

def test_sign_in_and_board_columns(app, chromium):
    d = chromium
    d.set_window_size(1280, 900)
    d.get(app.base + "/login")
    d.delete_all_cookies()
    d.get(f"{app.base}/board/{app.key}")
    until(d, lambda d: urllib.parse.urlparse(d.current_url).path == "/login", "without a session the board sends to /login")

    sign_in(d, app)
    d.get(app.base + "/")
    until(d, lambda d: urllib.parse.urlparse(d.current_url).path == f"/board/{app.key}",
          f"GET / after signing in opens the board of the only pipeline, /board/{app.key}")
    wait_for_page(d, "section.column", "the board's columns")

    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "the admin was created with --locale en"
    csrf = d.find_element(By.CSS_SELECTOR, 'meta[name="csrf-token"]').get_attribute("content")
    assert csrf and len(csrf) >= 16, f"the page's csrf-token meta is {csrf!r}"
    for element_id in ("nav", "nav-board", "nav-tasks", "nav-analytics", "nav-settings", "locale-switch", "logout",
                       "new-deal-title", "filters", "drop-won", "drop-lost"):
        assert d.find_element(By.ID, element_id).is_displayed(), f"#{element_id} is not shown on the board"

    deals = app.open_deals()
    columns = board_columns(d)
    assert [c["stage"] for c in columns] == OPEN_STAGES, "one column per open stage, in order"
    assert [column_name(c["name"]) for c in columns] == [STAGE_NAMES[s]["en"] for s in OPEN_STAGES]
    assert {c["stage"] for c in columns if c["keyStage"]} == KEY_STAGES, "only the key stage's column has class key-stage"
    for c in columns:
        here = [x for x in deals if x["stage"] == c["stage"]]
        assert c["count"] is not None and digits(c["count"]) == str(len(here)), \
            f"column {c['stage']}: .column-count says {c['count']!r}, the API has {len(here)} open deals there"
        expected: dict[str, Decimal] = {}
        for x in here:
            if money(x):
                value, currency = money(x)
                expected[currency] = expected.get(currency, Decimal(0)) + value
        shown = parse_money(c["sum"] or "")
        assert nonzero(shown) == nonzero(expected), f"column {c['stage']}: .column-sum says {c['sum']!r}, expected {expected}"
        assert sorted(c["cards"]) == sorted(x["id"] for x in here), f"column {c['stage']} shows cards {c['cards']}"
        assert not c["more"], f"column {c['stage']} has fewer than 50 deals but shows a.column-more"

    seeded = next(x for x in deals if x["title"] == "Kitchen set for a cafe")
    el = card(d, seeded["id"])
    assert el.get_attribute("draggable") == "true"
    link = el.find_element(By.CSS_SELECTOR, "a.card-title")
    assert link.text.strip() == "Kitchen set for a cafe"
    assert urllib.parse.urlparse(link.get_attribute("href")).path == f"/deals/{seeded['id']}"
    assert digits(el.find_element(By.CSS_SELECTOR, ".card-amount").text) == "150000", "the card shows the amount"
    assert "Anna Petrova" in el.find_element(By.CSS_SELECTOR, ".card-contact").text
    screenshot(d, "board.png")


def test_drag_to_next_stage_asks_for_missing_fields(app, browser):
    d = browser
    deal = app.deal(app.unique("Conference room chairs"), contact="Boris Ivanov")  # a contact without a phone
    open_board(d, app)
    assert column_of(d, deal["id"]) == "lead"

    fields = drag_to_stage_expecting_dialog(d, deal["id"], "qualified")
    assert set(fields) == {"amount", "bt_notes", "bt_channel", "contact.phone"}, \
        f"#fields-dialog lists {sorted(fields)}; missing are amount, bt_notes, bt_channel, contact.phone"
    for name, f in fields.items():
        assert f["id"] == "fill-" + name.replace(".", "-"), f"the input for {name} has id {f['id']!r}"
        assert f["label"], f"the input for {name} has no <label for>"
    assert fields["bt_channel"]["tag"] == "select", "an enum field is a <select>"
    assert set(CHANNELS) <= set(fields["bt_channel"]["options"]), f"channel options: {fields['bt_channel']['options']}"
    screenshot(d, "fields-dialog.png")

    notes = "Wants twelve chairs, grey fabric"
    type_into(d, "fill-amount", "150000")
    set_currency(d)
    type_into(d, "fill-bt_notes", notes)
    Select(d.find_element(By.ID, "fill-bt_channel")).select_by_value("phone")
    type_into(d, "fill-contact-phone", PHONE)
    submit_fields_dialog(d, deal["id"], "qualified")

    moved = app.get_deal(deal["id"])
    assert moved["stage"] == "qualified" and moved["status"] == "open"
    assert money(moved) == (Decimal("150000"), "RUB")
    assert moved["fields"].get("bt_notes") == notes
    assert moved["fields"].get("bt_channel") == "phone"
    contact = app.get_contact(moved["contactId"])
    assert contact["name"] == "Boris Ivanov", "filling the phone keeps the deal's contact"
    assert any(digits(p) == PHONE_DIGITS for p in contact.get("phones", [])), f"contact phones: {contact.get('phones')}"
    open_board(d, app)
    assert column_of(d, deal["id"]) == "qualified"
    assert digits(card(d, deal["id"]).find_element(By.CSS_SELECTOR, ".card-amount").text) == "150000"


def test_refused_moves_show_the_violation_and_keep_the_card(app, browser):
    d = browser
    back = app.deal(app.unique("Reception desk"), stage="qualified", filled=True)
    open_board(d, app)
    assert column_of(d, back["id"]) == "qualified"
    drag(d, back["id"], column(d, "lead"))
    until(d, lambda d: text_of(d, "#board-error"), "a backward move by a user shows the refusal in #board-error")
    error = d.find_element(By.ID, "board-error")
    assert error.is_displayed() and error.get_attribute("role") == "alert"
    assert re.search(r"move deals backward|двигать сделки назад", error.text), f"#board-error says {error.text!r}"
    until(d, lambda d: column_of(d, back["id"]) == "qualified", "the refused card is back in its column")
    assert not dialog_open(d, "fields-dialog")
    assert app.get_deal(back["id"])["stage"] == "qualified"

    skip = app.deal(app.unique("Waiting area sofa"), filled=True)
    open_board(d, app)
    drag(d, skip["id"], column(d, "meeting"))
    until(d, lambda d: re.search(r"skip stages|перескакивать этапы", text_of(d, "#board-error")),
          "skipping a stage shows the refusal in #board-error")
    until(d, lambda d: column_of(d, skip["id"]) == "lead", "the refused card is back in its column")
    assert app.get_deal(skip["id"])["stage"] == "lead"


def test_lose_deal_needs_the_comment_its_reason_asks_for(app, browser):
    d = browser
    deal = app.deal(app.unique("Bar stools"), amount="30000")
    open_board(d, app)
    lose_on_board(d, deal["id"], "lost_price", None)
    until(d, lambda d: text_of(d, "#lost-error"), "a missing comment shows #lost-error")
    error = d.find_element(By.ID, "lost-error")
    assert error.is_displayed() and error.get_attribute("role") == "alert"
    assert d.execute_script("return !!document.querySelector('#lost-dialog #lost-error')"), "#lost-error is inside the dialog"
    assert dialog_open(d, "lost-dialog"), "the dialog stays open for the comment"
    assert re.search(r"needs a comment|нужен комментарий", error.text), f"#lost-error says {error.text!r}"
    screenshot(d, "lost-dialog.png")
    assert app.get_deal(deal["id"])["status"] == "open"

    comment = "Found the same stools 20% cheaper at the market"
    Select(d.find_element(By.ID, "lost-reason")).select_by_value("lost_price")
    type_into(d, "lost-comment", comment)
    d.find_element(By.ID, "lost-submit").click()
    wait_card_gone(d, deal["id"], "with the comment the dialog closes and the card leaves the board")
    lost = app.get_deal(deal["id"])
    assert (lost["status"], lost["stage"], lost.get("lossComment")) == ("lost", "lost_price", comment)


def test_deal_card_tasks_and_timeline(app, browser):
    d = browser
    title = app.unique("Meeting room table")
    deal = app.deal(title, filled=True, amount="64000", contact="Chris Morgan", phone=PHONE)
    open_card(d, app, deal["id"])
    assert_no_injection(d, "deal card")
    assert text_of(d, "h1#deal-title") == title
    assert text_of(d, "#deal-stage") == STAGE_NAMES["lead"]["en"]
    path = d.execute_script("return Array.from(document.querySelectorAll('ol#stage-path > li[data-stage]'))"
                            ".map(li => [li.dataset.stage, li.classList.contains('current')])")
    assert [s for s, _ in path if s in OPEN_STAGES] == OPEN_STAGES, f"#stage-path: {path}"
    assert [s for s, current in path if current] == ["lead"], f"#stage-path marks {path} as current"
    assert LEAD_INSTRUCTIONS["en"] in text_of(d, "#instructions")
    assert value_of(d, "field-title") == title and digits(value_of(d, "field-amount")).startswith("64000")
    contact = text_of(d, "#contact")
    assert "Chris Morgan" in contact and PHONE_DIGITS in digits(contact), f"#contact shows {contact!r}"

    task_title = "Send the price list"
    type_into(d, "task-title", task_title)
    d.find_element(By.ID, "task-submit").click()
    find_task = "return Array.from(document.querySelectorAll('ul#tasks > li.task')).filter(li => " \
                "(li.querySelector('.task-title') || {}).textContent?.trim() === arguments[0])" \
                ".map(li => [li.dataset.task, li.className, !!li.querySelector('.task-complete')])"
    rows = until(d, lambda d: d.execute_script(find_task, task_title), f"the new task {task_title!r} is listed in ul#tasks")
    task_id = int(rows[0][0])
    assert [t["status"] for t in app.tasks_of(deal["id"]) if t["id"] == task_id] == ["open"]
    d.find_element(By.CSS_SELECTOR, f'ul#tasks > li.task[data-task="{task_id}"] .task-complete').click()
    until(d, lambda d: all(re.search(r"(^|[\s-])done\b", cls) and not complete
                           for _, cls, complete in d.execute_script(find_task, task_title)),
          "the completed task leaves the open tasks, or stays marked done (class done / status-done) without its button")
    assert [t["status"] for t in app.tasks_of(deal["id"]) if t["id"] == task_id] == ["done"]

    Select(d.find_element(By.ID, "move-stage")).select_by_value("qualified")
    d.find_element(By.ID, "move-submit").click()
    until(d, lambda d: text_of(d, "#deal-stage") == STAGE_NAMES["qualified"]["en"], "#move-submit moves the deal on")
    entries = until(d, lambda d: [t for t in d.execute_script(
        "return Array.from(document.querySelectorAll('ol#timeline > li')).map(li => li.innerText.trim())")
        if STAGE_NAMES["lead"]["en"] in t and STAGE_NAMES["qualified"]["en"] in t],
        "the timeline lists the stage change from New lead to Qualified")
    assert entries
    assert app.get_deal(deal["id"])["stage"] == "qualified"
    screenshot(d, "deal-card.png", full_page=True)


def test_analytics_funnel_and_csv(app, browser):
    d = browser
    deal = app.deal(app.unique("Analytics sample"), filled=True, amount="5000")
    app.move(deal["id"], "qualified")
    open_board(d, app)
    d.find_element(By.ID, "nav-analytics").click()
    wait_for_page(d, "svg#funnel-chart", "#nav-analytics opens the funnel chart")
    assert urllib.parse.urlparse(d.current_url).path == f"/analytics/{app.key}"

    report = app.conversion()
    steps = d.execute_script("return Array.from(document.querySelectorAll('svg#funnel-chart g.step')).map(g => "
                             "({stage: g.dataset.stage, widening: g.classList.contains('widening'), text: g.textContent}))")
    assert [s["stage"] for s in steps] == [s["stage"] for s in report["steps"]], "one g.step per step of the report, in order"
    assert set(OPEN_STAGES) <= {s["stage"] for s in steps}
    for shown, step in zip(steps, report["steps"]):
        assert str(step["reached"]) in shown["text"], f"g.step {step['stage']} does not show its count {step['reached']}"
        assert shown["widening"] == step["widens"], f"g.step {step['stage']}: widening class vs report {step['widens']}"
    for table in ("table#loss-reasons", "table#managers", "table#stage-times", "#forecast"):
        assert d.find_elements(By.CSS_SELECTOR, table), f"analytics has no {table}"
    screenshot(d, "analytics.png", full_page=True)

    links = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "a.csv-download")]
    assert links, "analytics has no a.csv-download"
    for href in links:
        status, headers, body = app.fetch_as_browser(d, href, NAVIGATION_ACCEPT)
        text = body.decode("utf-8-sig", errors="replace")
        assert status == 200, f"GET {href} as a click answered {status}: {text[:300]}"
        assert "csv" in headers.get("content-type", ""), f"GET {href} as a click is {headers.get('content-type')}: {text[:200]}"
        header = text.splitlines()[0] if text else ""
        assert re.fullmatch(r"[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)+", header), f"{href} does not start with a header row: {text[:200]!r}"
        if re.search(r"conversion", urllib.parse.urlparse(href).path):
            assert header.startswith("stage,")
            rows = [line.split(",")[0] for line in text.splitlines()[1:] if line]
            assert rows == [s["stage"] for s in report["steps"]]


FRAGMENTS = ("<script", "<img", "<svg", "onerror", "onload", "7*7", "__xss")


def shown_whole(text: str, payload: str, where: str) -> None:
    """Where a piece of the payload shows, the whole payload shows: it was neither cut up as markup nor evaluated."""
    pieces = [f for f in FRAGMENTS if f in payload and f in text]
    if pieces:
        assert payload in text, f"{where} shows {pieces} of the payload but not the payload itself: {text[:500]!r}"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_typed_text_stays_text(app, browser, payload):
    d = browser
    edited = payload + " (edited)"

    # The new-deal form on the board, then the deal card.
    open_board(d, app)
    type_into(d, "new-deal-title", payload)
    d.find_element(By.ID, "new-deal-submit").click()
    found = until(d, lambda d: re.search(r"/deals/(\d+)$", urllib.parse.urlparse(d.current_url).path),
                  "the new-deal form opens the new deal's card")
    deal_id = int(found.group(1))
    wait_for_page(d, "h1#deal-title", "the new deal's card")
    assert_no_injection(d, "new deal's card")
    assert text_of(d, "h1#deal-title") == payload
    assert value_of(d, "field-title") == payload

    # The card's title and the text custom field.
    type_into(d, "field-title", edited)
    type_into(d, "field-bt_notes", payload)
    d.find_element(By.ID, "deal-save").click()
    until(d, lambda d: text_of(d, "h1#deal-title") == edited, "#deal-save shows the edited title in the heading")
    wait_for_page(d, "h1#deal-title", "the saved deal card")
    assert_no_injection(d, "saved deal card")
    assert value_of(d, "field-title") == edited and value_of(d, "field-bt_notes") == payload

    # A task made on the card.
    type_into(d, "task-title", payload)
    d.find_element(By.ID, "task-submit").click()
    until(d, lambda d: payload in d.execute_script(
        "return Array.from(document.querySelectorAll('ul#tasks > li.task .task-title')).map(e => e.textContent.trim())"),
        "the new task's title shows in ul#tasks as typed")
    assert_no_injection(d, "deal card with the task")

    # The board card, and the contact's name typed into the required-fields dialog.
    open_board(d, app)
    assert_no_injection(d, "board")
    assert card(d, deal_id).find_element(By.CSS_SELECTOR, "a.card-title").text.strip() == edited
    fields = drag_to_stage_expecting_dialog(d, deal_id, "qualified")
    assert "contact.name" in fields and "contact.phone" in fields, f"a deal without a contact: the dialog lists {sorted(fields)}"
    assert "bt_notes" not in fields, "bt_notes was saved on the card"
    if "amount" in fields:
        type_into(d, "fill-amount", "1000")
        set_currency(d)
    if "bt_channel" in fields:
        Select(d.find_element(By.ID, "fill-bt_channel")).select_by_value("web")
    type_into(d, "fill-contact-name", payload)
    type_into(d, "fill-contact-phone", PHONE)
    submit_fields_dialog(d, deal_id, "qualified")
    assert_no_injection(d, "board after the dialog")
    open_board(d, app)
    assert_no_injection(d, "board with the contact")
    el = card(d, deal_id)
    assert el.find_element(By.CSS_SELECTOR, "a.card-title").text.strip() == edited
    contact_on_card = el.find_element(By.CSS_SELECTOR, ".card-contact").text
    assert payload in contact_on_card, f".card-contact shows {contact_on_card!r}, not the name as typed"
    shown_whole(contact_on_card, payload, ".card-contact")

    stored = app.get_deal(deal_id)
    assert stored["title"] == edited and stored["fields"].get("bt_notes") == payload
    assert app.get_contact(stored["contactId"])["name"] == payload

    # Everything on the deal card.
    open_card(d, app, deal_id)
    assert_no_injection(d, "deal card with the contact")
    assert text_of(d, "h1#deal-title") == edited
    assert value_of(d, "field-title") == edited and value_of(d, "field-bt_notes") == payload
    assert payload in text_of(d, "#contact")
    shown_whole(text_of(d, "ol#timeline"), payload, "the timeline")
    shown_whole(text_of(d, "body"), payload, "the deal card")

    # The tasks page (a task due an hour ago is on the admin's list).
    app.task(deal_id, payload)
    d.get(app.base + "/tasks")
    wait_for_page(d, "#my-tasks", "the tasks page")
    assert_no_injection(d, "tasks page")
    titles = d.execute_script("return Array.from(document.querySelectorAll('#my-tasks li.task')).map(li => "
                              "((li.querySelector('.task-title') || li).innerText || '').trim())")
    assert any(payload in t for t in titles), f"#my-tasks does not show the task {payload!r} as text: {titles}"
    shown_whole(text_of(d, "#my-tasks"), payload, "#my-tasks")

    # The loss comment.
    open_board(d, app)
    lose_on_board(d, deal_id, "lost_price", payload)
    wait_card_gone(d, deal_id, "the deal lost with the payload as comment leaves the board")
    assert_no_injection(d, "board after losing")
    lost = app.get_deal(deal_id)
    assert (lost["status"], lost.get("lossComment")) == ("lost", payload)
    open_card(d, app, deal_id)
    assert_no_injection(d, "card of the lost deal")
    shown_whole(text_of(d, "body"), payload, "the lost deal's card")
    d.get(f"{app.base}/analytics/{app.key}")
    wait_for_page(d, "svg#funnel-chart", "analytics")
    assert_no_injection(d, "analytics with the loss comment")


SEARCHES = [pytest.param(None, id="title-with-spaces")] + PAYLOADS


@pytest.mark.parametrize("typed", SEARCHES)
def test_board_search_keeps_what_was_typed(app, browser, typed):
    """The search box (#filter-q) shows what was typed after the search, as text, and finds a deal by its title."""
    d = browser
    title = typed if typed is not None else app.unique("Walnut bookcase with glass doors")
    wanted = app.deal(title)
    other = app.deal(app.unique("Pine wardrobe"))
    open_board(d, app)
    type_into(d, "filter-q", title)
    d.find_element(By.ID, "filter-apply").click()
    until(d, lambda d: "q=" in d.current_url and d.find_elements(By.ID, "filter-q"), "the search applies")
    wait_for_page(d, "#filter-q", "the board found by the search")
    assert_no_injection(d, "board searched for the text")
    assert value_of(d, "filter-q") == title, "the search box shows the text as typed"
    assert column_of(d, wanted["id"]) == "lead", f"searching for {title!r} does not show the deal with that title"
    assert column_of(d, other["id"]) is None, "the search shows a deal that does not match"


def test_locale_switch(app, browser):
    d = browser
    open_board(d, app)
    html = lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang")  # noqa: E731
    start = html(d)
    other = {"en": "ru", "ru": "en"}[start]
    nav = text_of(d, "#nav-board")
    assert column_name(text_of(d, 'section.column[data-stage="lead"] .column-name')) == STAGE_NAMES["lead"][start]
    try:
        d.find_element(By.ID, "locale-switch").click()
        until(d, lambda d: html(d) == other and d.find_elements(By.ID, "nav-board"), f"#locale-switch turns html[lang] to {other}")
        flipped = text_of(d, "#nav-board")
        assert flipped and flipped != nav, f"#nav-board reads {flipped!r} in {other} as in {start}"
        assert user_locale(app) == other, "the language is saved for the user"
        open_board(d, app)
        assert html(d) == other
        assert column_name(text_of(d, 'section.column[data-stage="lead"] .column-name')) == STAGE_NAMES["lead"][other]

        d.find_element(By.ID, "locale-switch").click()
        until(d, lambda d: html(d) == start and d.find_elements(By.ID, "nav-board"), f"#locale-switch turns html[lang] back to {start}")
        assert text_of(d, "#nav-board") == nav
    finally:
        set_locale(app, start)


def test_deal_card_fits_phone_width(app, browser):
    d = browser
    deal = app.deal(app.unique("Furniture for the new branch office in Yekaterinburg"), filled=True, amount="1250000",
                    contact="Ekaterina Konstantinopolskaya", phone=PHONE, fields={"bt_notes": "Needs delivery to the third floor"})
    app.task(deal["id"], "Call back about the delivery date and the payment terms")
    app.move(deal["id"], "qualified")
    d.set_window_size(375, 800)
    until(d, lambda d: d.execute_script("return window.innerWidth") <= 375, "the window is 375 px wide")
    open_card(d, app, deal["id"])
    width = d.execute_script("return document.documentElement.scrollWidth")
    wide = d.execute_script(r"""
      const out = [];
      for (const e of document.body.querySelectorAll('*')) {
        const r = e.getBoundingClientRect();
        if (r.right > 380 && r.width > 0) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
          (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' right=' + Math.round(r.right));
      }
      return out.slice(0, 15);""")
    assert width <= 380, f"at 375 px the deal card scrolls sideways: scrollWidth {width}; elements past 380 px: {wide}"


def test_a_card_moves_with_the_keyboard_alone(app, browser):
    """Tab to a card's ⇄ button, Enter opens the move dialog with focus inside, a stage is chosen, Tab and Enter on Move
    move the card; Escape on the lost dialog puts the card back and focus on it."""
    from selenium.webdriver.common.keys import Keys
    d = browser
    deal = app.deal(app.unique("Keyboard desk"), filled=True)
    open_board(d, app)
    button = card(d, deal["id"]).find_element(By.CSS_SELECTOR, "button.card-move")
    d.execute_script("arguments[0].focus()", button)
    d.switch_to.active_element.send_keys(Keys.ENTER)
    until(d, lambda d: dialog_open(d, "move-dialog"), "Enter on ⇄ opens the move dialog")
    assert d.switch_to.active_element.get_attribute("id") == "move-select", "focus is inside the dialog"
    Select(d.find_element(By.ID, "move-select")).select_by_value("qualified")
    d.switch_to.active_element.send_keys(Keys.TAB)
    assert d.switch_to.active_element.get_attribute("id") == "move-submit", "Tab goes from the stage to the Move button"
    d.switch_to.active_element.send_keys(Keys.ENTER)
    until(d, lambda d: column_of(d, deal["id"]) == "qualified" and not dialog_open(d, "move-dialog"),
          "Enter on Move moves the card")
    until(d, lambda d: app.get_deal(deal["id"])["stage"] == "qualified", "the move reached the server")

    button = card(d, deal["id"]).find_element(By.CSS_SELECTOR, "button.card-move")
    d.execute_script("arguments[0].focus()", button)
    d.switch_to.active_element.send_keys(Keys.ENTER)
    until(d, lambda d: dialog_open(d, "move-dialog"), "the move dialog opens again")
    Select(d.find_element(By.ID, "move-select")).select_by_value("lost")
    d.find_element(By.ID, "move-submit").send_keys(Keys.ENTER)
    until(d, lambda d: dialog_open(d, "lost-dialog"), "choosing lost asks for the reason")
    d.switch_to.active_element.send_keys(Keys.ESCAPE)
    until(d, lambda d: not dialog_open(d, "lost-dialog"), "Escape closes the lost dialog")
    assert column_of(d, deal["id"]) == "qualified", "the card stays where it was"
    assert d.switch_to.active_element.get_attribute("id") == f"deal-{deal['id']}", "focus returns to the card"
    assert app.get_deal(deal["id"])["status"] == "open"


def test_api_token_page_shows_the_secret_once_and_revokes(app, browser):
    d = browser
    open_board(d, app)
    d.find_element(By.ID, "nav-tokens").click()
    wait_for_page(d, "form#token-form", "the API token page opens from the navigation")
    name = app.unique("Export to the warehouse system")
    type_into(d, "token-name", name)
    Select(d.find_element(By.ID, "token-scope")).select_by_value("read")
    d.find_element(By.ID, "token-create").click()
    wait_for_page(d, "#token-secret", "the new token's secret is shown")
    secret = text_of(d, "#token-secret")
    assert secret.startswith("aft_"), f"the secret reads {secret!r}"
    screenshot(d, "api-tokens.png")
    client = harness.Api(app.base, secret)
    status, _, _ = client.call("GET", "/deals?limit=1")
    assert status == 200, f"the new read token lists deals: {status}"
    status, _, _ = client.call("POST", "/contacts", {"name": "Anna"})
    assert status == 403, f"a read token changes nothing: {status}"

    d.get(f"{app.base}/tokens")
    wait_for_page(d, "table#tokens", "the token list")
    assert secret not in d.page_source, "the secret is shown only on the answer to the form"
    row = until(d, lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "table#tokens tbody tr") if name in r.text], f"a row for {name}")[0]
    assert secret[:10] in row.text, f"the row shows how the token starts: {row.text!r}"
    row.find_element(By.CSS_SELECTOR, "button.token-revoke").click()
    until(d, lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "table#tokens tbody tr.revoked") if name in r.text],
          f"the row for {name} shows the token revoked")
    client.drop()
    status, _, _ = client.call("GET", "/deals?limit=1")
    assert status == 401, f"a revoked token is refused: {status}"

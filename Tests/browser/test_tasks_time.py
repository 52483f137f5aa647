"""The tasks page, the profile and the calendar feed in a real browser: tasks grouped by day on the user's clock,
filtered by kind, moved to a time typed on that clock and completed in place; the user picks another time zone and
every time follows; the secret calendar address serves the open tasks to a calendar program. Task titles carry the
XSS payloads and stay text. Both pages fit a phone's width.

Screenshots (the tasks page and the profile) go to $AUTOFUNNEL_SCREENSHOTS or .build/screenshots/."""
import datetime
import urllib.request
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from af_browser import PAYLOADS, assert_no_injection, screenshot, text_of, until, wait_for_page

TEXTS = [p.values[0] for p in PAYLOADS]


def task_at(app, deal_id: int, title: str, due: datetime.datetime, kind: str = "task") -> dict:
    return app.api.ok("POST", "/tasks", {"dealId": deal_id, "title": title, "kind": kind,
                                        "dueAt": due.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})


def open_tasks(d, app, query: str = "") -> None:
    d.get(f"{app.base}/tasks{query}")
    wait_for_page(d, "#my-tasks", "the tasks page")


def row(d, task_id: int):
    return d.find_element(By.CSS_SELECTOR, f'li.task[data-task="{task_id}"]')


def group_of(d, task_id: int) -> str | None:
    return d.execute_script(
        "const li = document.querySelector(arguments[0]); const s = li && li.closest('section.task-group');"
        "return s ? s.id : null;", f'li.task[data-task="{task_id}"]')


def wall(due: str, zone: str) -> str:
    moment = datetime.datetime.fromisoformat(due.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def test_tasks_by_day_filtered_moved_and_completed_on_the_users_clock(app, browser):
    d = browser
    deal = app.deal(app.unique("Задачи"))
    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    overdue = [task_at(app, deal["id"], p, now - datetime.timedelta(hours=1), kind="call") for p in TEXTS]
    later = task_at(app, deal["id"], app.unique("Через две недели"), now + datetime.timedelta(days=15), kind="meeting")
    open_tasks(d, app)
    assert_no_injection(d, "the tasks page")
    for task, payload in zip(overdue, TEXTS):
        assert group_of(d, task["id"]) == "tasks-overdue", f"an overdue task is not in the overdue group: {payload!r}"
        assert row(d, task["id"]).find_element(By.CSS_SELECTOR, ".task-title").text == payload.strip()
    assert group_of(d, later["id"]) == "tasks-later"
    zone = text_of(d, "#tasks-zone")
    assert "Europe/Moscow" in zone, f"the installation's zone is named on the page: {zone!r}"
    assert row(d, later["id"]).find_element(By.CSS_SELECTOR, ".task-due").text == wall(later["dueAt"], "Europe/Moscow")

    Select(d.find_element(By.ID, "tasks-kind")).select_by_value("meeting")
    d.find_element(By.ID, "tasks-apply").click()
    until(d, lambda d: "kind=meeting" in d.current_url, "the kind filter applies")
    wait_for_page(d, "#my-tasks", "the filtered tasks page")
    shown = [li.get_attribute("data-task") for li in d.find_elements(By.CSS_SELECTOR, "li.task")]
    assert str(later["id"]) in shown and not any(str(t["id"]) in shown for t in overdue), f"meetings only: {shown}"

    # Move the first overdue call to a time typed on the user's clock: it lands there, in its group, the filter kept.
    open_tasks(d, app, "?kind=call")
    target = (now + datetime.timedelta(days=20)).astimezone(ZoneInfo("Europe/Moscow")).replace(hour=9, minute=30)
    until_input = row(d, overdue[0]["id"]).find_element(By.CSS_SELECTOR, "input.task-until")
    d.execute_script("arguments[0].value = arguments[1]", until_input, target.strftime("%Y-%m-%dT%H:%M"))
    row(d, overdue[0]["id"]).find_element(By.CSS_SELECTOR, ".task-postpone-submit").click()
    until(d, lambda d: group_of(d, overdue[0]["id"]) == "tasks-later", "the moved task is in the later group")
    assert "kind=call" in d.current_url, "moving a task comes back to the same filtered list"
    assert row(d, overdue[0]["id"]).find_element(By.CSS_SELECTOR, ".task-due").text == target.strftime("%Y-%m-%d 09:30")
    stored = [t for t in app.tasks_of(deal["id"]) if t["id"] == overdue[0]["id"]][0]
    assert wall(stored["dueAt"], "Europe/Moscow") == target.strftime("%Y-%m-%d 09:30")

    row(d, overdue[1]["id"]).find_element(By.CSS_SELECTOR, ".task-complete").click()
    until(d, lambda d: group_of(d, overdue[1]["id"]) is None, "the completed task leaves the list")
    assert [t for t in app.tasks_of(deal["id"]) if t["id"] == overdue[1]["id"]][0]["status"] == "done"
    screenshot(d, "tasks.png", full_page=True)


def test_a_chosen_time_zone_moves_every_time_and_the_calendar_serves_the_tasks(app, browser):
    d = browser
    deal = app.deal(app.unique("Календарь"))
    due = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0) + datetime.timedelta(days=9)
    title = app.unique("Встреча, у клиента")
    task = task_at(app, deal["id"], title, due, kind="meeting")

    d.get(app.base + "/profile")
    wait_for_page(d, "#profile-form", "the profile")
    Select(d.find_element(By.ID, "profile-zone")).select_by_value("Asia/Vladivostok")
    d.find_element(By.ID, "profile-save").click()
    wait_for_page(d, "#profile-saved", "the saved profile")
    open_tasks(d, app)
    assert "Asia/Vladivostok" in text_of(d, "#tasks-zone")
    assert row(d, task["id"]).find_element(By.CSS_SELECTOR, ".task-due").text == wall(task["dueAt"], "Asia/Vladivostok")
    d.get(f"{app.base}/deals/{deal['id']}")
    wait_for_page(d, "#task-form", "the deal card")
    default = d.find_element(By.ID, "task-due").get_attribute("value")
    tomorrow = (datetime.datetime.now(ZoneInfo("Asia/Vladivostok")) + datetime.timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    assert default == tomorrow, f"a new task defaults to tomorrow 10:00 on the user's clock: {default!r}"

    d.get(app.base + "/profile")
    wait_for_page(d, "#calendar", "the calendar section")
    d.find_element(By.ID, "calendar-create").click()
    address = until(d, lambda d: d.find_elements(By.ID, "calendar-url") and d.find_element(By.ID, "calendar-url").text,
                    "the calendar address is shown once")
    assert address.startswith(app.base + "/calendar/") and address.endswith(".ics")
    screenshot(d, "profile.png", full_page=True)
    with urllib.request.urlopen(address, timeout=30) as response:  # no cookie: the address is the credential
        assert response.headers["Content-Type"].startswith("text/calendar")
        calendar = response.read().decode("utf-8").replace("\r\n ", "")
    assert "SUMMARY:" + title.replace(",", "\\,") in calendar
    assert "DTSTART:" + due.strftime("%Y%m%dT%H%M%SZ") in calendar and "CATEGORIES:MEETING" in calendar

    d.get(app.base + "/profile")
    wait_for_page(d, "#calendar-revoke", "the calendar section with an address")
    d.find_element(By.ID, "calendar-revoke").click()
    wait_for_page(d, "#calendar-none", "the calendar section without an address")
    status, _, _ = app.fetch_as_browser(d, address, "text/calendar")
    assert status == 404, "a turned-off address serves nothing"

    Select(d.find_element(By.ID, "profile-zone")).select_by_value("")
    d.find_element(By.ID, "profile-save").click()
    wait_for_page(d, "#profile-saved", "the saved profile")


def test_tasks_and_profile_fit_a_phone(app, browser):
    d = browser
    d.set_window_size(375, 800)
    for path, css in (("/tasks", "#my-tasks"), ("/profile", "#profile-form")):
        d.get(app.base + path)
        wait_for_page(d, css, path)
        width = d.execute_script("return document.documentElement.scrollWidth")
        assert width <= 380, f"at 375 px {path} scrolls sideways: scrollWidth {width}"

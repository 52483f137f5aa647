"""Notices in a real browser: a rule that fails on the user's deal rings the bell in the navigation; the notices page
shows it (the deal's title, an XSS payload, stays text), marks it read (the count drops), marks all read (the number
goes), and keeps the kinds chosen for e-mail. The page fits a phone's width.

A screenshot of the notices page goes to $AUTOFUNNEL_SCREENSHOTS or .build/screenshots/."""
from selenium.webdriver.common.by import By

from af_browser import PAYLOADS, assert_no_injection, screenshot, until, wait_for_page
from af_browser_app import KEY, PIPELINE

# A rule that cannot do its action (no such user): every new deal gets an automation error, its responsible a notice.
FAILING_RULE = """automations:
- key: ghost_owner
  trigger: {on: deal_created}
  actions:
  - {do: set_responsible, users: [ghost@example.com]}
"""


def bell(d) -> int:
    counts = d.find_elements(By.ID, "bell-count")
    return int(counts[0].text) if counts else 0


def test_a_failed_rule_rings_the_bell_and_the_notice_is_read(app, browser):
    d = browser
    app.api.ok("PUT", f"/pipelines/{KEY}/definition", PIPELINE + FAILING_RULE, content_type="application/yaml")
    try:
        texts = [p.values[0] for p in PAYLOADS]
        deals = [app.deal(text) for text in texts]
    finally:
        app.api.ok("PUT", f"/pipelines/{KEY}/definition", PIPELINE, content_type="application/yaml")
    d.get(app.base + "/tasks")
    wait_for_page(d, "#nav-bell", "a page with the bell")
    before = bell(d)
    assert before >= len(deals), f"the bell counts the unread notices: {before}"
    d.find_element(By.ID, "nav-bell").click()
    wait_for_page(d, "#notices", "the notices page")
    assert_no_injection(d, "the notices page")
    rows = d.find_elements(By.CSS_SELECTOR, "li.notice-row.unread")
    shown = " ".join(r.find_element(By.CSS_SELECTOR, ".notice-text").text for r in rows)
    for text in texts:
        assert text.strip() in shown, f"the notice names the deal {text!r} as text"
    assert all(str(deal["id"]) in d.page_source for deal in deals)
    screenshot(d, "notices.png", full_page=True)

    rows[0].find_element(By.CSS_SELECTOR, ".notice-read").click()
    wait_for_page(d, "#notices", "the notices page again")
    assert bell(d) == before - 1, "reading one notice takes one off the bell"
    d.find_element(By.ID, "notices-read-all-submit").click()
    wait_for_page(d, "#notices", "the notices page again")
    assert bell(d) == 0 and not d.find_elements(By.CSS_SELECTOR, "li.notice-row.unread")

    d.find_element(By.ID, "mail-deal_assigned").click()
    d.find_element(By.ID, "notice-mail-save").click()
    wait_for_page(d, "#notice-mail-saved", "the saved e-mail choice")
    assert d.find_element(By.ID, "mail-deal_assigned").is_selected()
    assert not d.find_element(By.ID, "mail-task_overdue").is_selected()


def test_notices_fit_a_phone(app, browser):
    d = browser
    d.set_window_size(375, 800)
    d.get(app.base + "/notices")
    wait_for_page(d, "#notice-mail-form", "the notices page")
    width = d.execute_script("return document.documentElement.scrollWidth")
    assert width <= 380, f"at 375 px /notices scrolls sideways: scrollWidth {width}"
    until(d, lambda d: d.find_element(By.ID, "nav-bell").is_displayed(), "the bell shows at phone width")

"""People and access in a real browser: an admin creates a user and gets a one-time link; the user opens it, sets a
password and is signed in; the user sees no board until the admin grants the pipeline in the matrix, then sees it;
once disabled, the user is signed out and cannot sign in again; the audit log shows these actions and downloads them
as CSV; every XSS payload typed as a user's name stays text on each page that shows it.

Screenshots (the users page, the grants matrix, the audit log, the users page at phone width) go to
$AUTOFUNNEL_SCREENSHOTS or .build/screenshots/."""
import csv
import io
import urllib.parse

import pytest
from selenium.webdriver.common.by import By

import af_browser_app
from af_browser import PAYLOADS, assert_no_injection, screenshot, text_of, until, wait_for_page
from af_browser_app import KEY

PASSWORD = "Newcomer-Pass-2026"


@pytest.fixture(scope="module")
def newcomer():
    """What the steps of the flow hand on to the next ones."""
    return {}


def create_user(d, app, name: str, email: str, role: str = "observer") -> str:
    """Creates a user on /people through the form; returns the one-time link the page shows."""
    d.get(app.base + "/people")
    wait_for_page(d, "#people-form", "the users page with the new-user form")
    d.find_element(By.ID, "people-name").send_keys(name)
    d.find_element(By.ID, "people-email").send_keys(email)
    d.find_element(By.CSS_SELECTOR, f'#people-role option[value="{role}"]').click()
    d.find_element(By.ID, "people-create").click()
    wait_for_page(d, "#people-link", "the one-time link of the new user")
    link = text_of(d, "#people-link")
    assert link.startswith(app.base + "/welcome?token="), f"the link {link!r} is not a set-password link of this server"
    return link


def user_id(app, email: str) -> int:
    return next(u["id"] for u in app.api.ok("GET", "/users")["items"] if u["email"] == email)


def test_an_admin_creates_a_user_who_sets_a_password_with_the_link(app, browser, other, newcomer):
    d = browser
    d.get(app.base + "/settings")
    wait_for_page(d, "#settings-users", "the link to the users page in settings")
    d.find_element(By.ID, "settings-users").click()
    wait_for_page(d, "#people", "the users page")
    assert d.find_elements(By.ID, "nav-people"), "the admin's navigation links the users page"
    name = app.unique("Olga Newcomer")
    email = f"olga{app.serial}@autofunnel.test"
    link = create_user(d, app, name, email)
    screenshot(d, "people.png", full_page=True)
    row = d.find_element(By.CSS_SELECTOR, f'#people tr[data-user="{user_id(app, email)}"]')
    assert email in row.text and "observer" in row.text

    o = other
    o.delete_all_cookies()
    o.get(link)
    wait_for_page(o, "#welcome-form", "the set-password form the link opens")
    assert text_of(o, "#welcome-email") == email and text_of(o, "#welcome-name") == name
    o.find_element(By.ID, "password").send_keys(PASSWORD)
    o.find_element(By.ID, "repeat").send_keys(PASSWORD)
    o.find_element(By.ID, "welcome-save").click()
    until(o, lambda o: o.get_cookie(af_browser_app.SESSION_COOKIE) is not None and "/welcome" not in o.current_url,
          "setting the password signs the user in")
    wait_for_page(o, "#user-name", "a signed-in page")
    assert text_of(o, "#user-name") == name
    # The link works once.
    o.get(link)
    wait_for_page(o, "#welcome-closed", "the used link says so")
    newcomer.update(name=name, email=email, id=user_id(app, email))


def test_the_board_appears_once_the_admin_grants_the_pipeline(app, browser, other, newcomer):
    d, o = browser, other
    o.get(f"{app.base}/board/{KEY}")
    wait_for_page(o, "main", "the board address before the grant")
    assert not o.find_elements(By.CSS_SELECTOR, "section.column"), "an observer without a grant sees the board"
    assert "404" in o.title or "404" in text_of(o, "main"), f"expected a 404 page, got {o.title!r}"

    d.get(app.base + "/grants")
    cell = f"g.{newcomer['id']}.{KEY}"
    wait_for_page(d, f'select[name="{cell}"]', "the matrix cell of the new user and the test pipeline")
    d.find_element(By.CSS_SELECTOR, f'select[name="{cell}"] option[value="read_all"]').click()
    screenshot(d, "grants.png", full_page=True)
    d.find_element(By.ID, "grants-save").click()
    wait_for_page(d, "#notice", "the matrix says it saved")
    assert d.find_element(By.CSS_SELECTOR, f'select[name="{cell}"]').get_attribute("value") == "read_all"

    o.get(app.base + "/")
    wait_for_page(o, "section.column", "the board of the granted pipeline")
    assert f"/board/{KEY}" in o.current_url


def test_a_disabled_user_is_signed_out_and_cannot_sign_in(app, browser, other, newcomer):
    d, o = browser, other
    d.get(f"{app.base}/people/{newcomer['id']}")
    wait_for_page(d, "#person-disable", "the user's card with the disable button")
    d.find_element(By.ID, "person-disable").click()
    wait_for_page(d, "#person-enable", "the user's card says disabled")
    o.get(f"{app.base}/board/{KEY}")
    until(o, lambda o: "/login" in o.current_url, "the disabled user's session ends")
    wait_for_page(o, "#email", "the sign-in form")
    o.find_element(By.ID, "email").send_keys(newcomer["email"])
    o.find_element(By.ID, "password").send_keys(PASSWORD)
    o.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_page(o, ".error[role=alert]", "the refusal")
    assert "/login" in o.current_url, f"the sign-in form let a disabled user in: {o.current_url}"
    o.get(f"{app.base}/board/{KEY}")
    until(o, lambda o: "/login" in o.current_url, "still signed out after the refused sign-in")


def test_the_audit_log_shows_the_actions_and_downloads_them(app, browser, newcomer):
    d = browser
    d.get(app.base + "/audit")
    wait_for_page(d, "#audit", "the audit log")
    actions = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#audit td.audit-action")]
    for action in ("user_created", "password_link_issued", "password_changed", "grants_changed", "user_disabled"):
        assert action in actions, f"the audit log does not show {action}: {actions[:20]}"
    screenshot(d, "audit.png", full_page=True)
    d.find_element(By.CSS_SELECTOR, '#audit-action option[value="user_disabled"]').click()
    d.find_element(By.ID, "audit-apply").click()
    until(d, lambda d: "action=user_disabled" in d.current_url, "the filter is applied")
    wait_for_page(d, "#audit", "the filtered audit log")
    shown = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#audit td.audit-action")]
    assert shown and set(shown) == {"user_disabled"}, f"the filter shows {shown}"
    href = d.find_element(By.ID, "audit-csv").get_attribute("href")
    status, headers, body = app.fetch_as_browser(d, href, "text/csv")
    assert status == 200 and headers["content-type"].startswith("text/csv"), (status, headers)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["seq", "at", "action"] and len(rows) == len(shown) + 1
    assert any(r[2] == "user_disabled" and r[5] == newcomer["email"] for r in rows[1:]), rows


def test_the_users_page_fits_a_phone(app, browser):
    d = browser
    d.set_window_size(375, 800)
    until(d, lambda d: d.execute_script("return window.innerWidth") <= 375, "the window is 375 px wide")
    for path in ("/people", "/grants", "/audit"):
        d.get(app.base + path)
        wait_for_page(d, "main h1", f"{path} at phone width")
        width = d.execute_script("return document.documentElement.scrollWidth")
        assert width <= 380, f"at 375 px {path} scrolls sideways: scrollWidth {width}"
    d.get(app.base + "/people")
    wait_for_page(d, "#people", "the users page at phone width")
    screenshot(d, "people-phone.png")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_name_stays_text_everywhere(app, browser, other, payload):
    d = browser
    email = f"xss{app.serial}-{len(payload)}@autofunnel.test"
    app.serial += 1
    link = create_user(d, app, payload, email)
    assert_no_injection(d, "the users page after creating")
    uid = user_id(app, email)
    assert d.find_element(By.CSS_SELECTOR, f'#people tr[data-user="{uid}"] td').text == payload
    for path, css in ((f"/people/{uid}", "#person-name"), ("/grants", "#grants"), ("/audit", "#audit")):
        d.get(app.base + path)
        wait_for_page(d, css, path)
        assert_no_injection(d, path)
    d.get(f"{app.base}/people/{uid}")
    wait_for_page(d, "#person-name", "the user's card")
    assert text_of(d, "#person-name") == payload
    other.delete_all_cookies()
    other.get(link)
    wait_for_page(other, "#welcome-name", "the set-password page")
    assert_no_injection(other, "the set-password page")
    assert text_of(other, "#welcome-name") == payload
    assert urllib.parse.urlparse(link).path == "/welcome"

"""Fixtures of the browser tests: one server per test module on a SQLite file with an admin, an API token and the test
pipeline; one headless Chromium per module; per test a browser that is signed in at desktop size. A failed test leaves
a screenshot (failed-<test>.png) next to the others and shows the server log's tail.

The server pieces (binary lookup, free ports, the CLI, `Server`, the JSON client) come from Tests/system/harness.py,
imported under its own name, as Tests/system's conftest imports it: one module object for both suites."""
import sys
import urllib.parse
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "system"))

import af_browser  # noqa: E402
import af_browser_app  # noqa: E402


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, "af_report_" + report.when, report)
    return report


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    af_browser.browser_paths()  # skip (or fail) before building anything when there is no browser
    web = af_browser_app.WebApp.start(tmp_path_factory.mktemp("browser"))
    yield web
    web.stop()


@pytest.fixture(scope="module")
def chromium(app):
    driver = af_browser.start_chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def other(app):
    """A second Chromium with its own cookies, for a second user (a newcomer, a mentioned colleague)."""
    driver = af_browser.start_chromium()
    yield driver
    driver.quit()


@pytest.fixture
def browser(app, chromium):
    """The module's Chromium at 1280x900, signed in as the test admin, with no alert left open."""
    from selenium.common.exceptions import NoAlertPresentException

    try:
        chromium.switch_to.alert.accept()
    except NoAlertPresentException:
        pass
    chromium.set_window_size(1280, 900)
    if not chromium.current_url.startswith(app.base) or chromium.get_cookie(af_browser_app.SESSION_COOKIE) is None:
        af_browser_app.sign_in(chromium, app)
    return chromium


@pytest.fixture(autouse=True)
def failure_evidence(request):
    """After a failed test that used the browser: a screenshot failed-<test>.png, the page's address and the tail of
    the server log in the test's output."""
    yield
    report = getattr(request.node, "af_report_call", None)
    if report is None or not report.failed or "chromium" not in request.fixturenames:
        return
    chromium = request.getfixturevalue("chromium")
    app = request.getfixturevalue("app")
    name = "failed-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in request.node.name)[:80] + ".png"
    try:
        chromium.switch_to.alert.accept()
    except Exception:
        pass
    try:
        af_browser.screenshot(chromium, name)
        print(f"screenshot: {af_browser.screenshot_dir() / name}")
        print(f"page: {urllib.parse.unquote(chromium.current_url)}")
    except Exception as e:  # the evidence is a help, not the verdict
        print(f"no failure screenshot: {e!r}")
    print("server log tail:\n" + app.server.log_tail(3000))

"""Pieces of the browser tests: headless Debian Chromium through Selenium, the HTML5 drag-and-drop simulation, the
checks that typed text came back as text (no markup, no script), and the directory the screenshots go to.

The module name is unique on purpose: `scripts/test` runs every Python suite in one pytest process, where plain
names such as `helpers` or `support` would clash with other suites' modules."""
import os
import shutil
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM = os.environ.get("AUTOFUNNEL_CHROMIUM") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("AUTOFUNNEL_CHROMEDRIVER") or "/usr/bin/chromedriver"

#: How long an explicit wait waits for the page to react (a debug build on a small machine is slow).
WAIT = float(os.environ.get("AUTOFUNNEL_BROWSER_WAIT", "20"))


def browser_paths() -> tuple[str, str]:
    """The Chromium and ChromeDriver executables. Missing ones fail the test when AUTOFUNNEL_REQUIRE_BROWSER=1 (CI,
    `scripts/test`), and skip it otherwise."""
    chromium = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium") or shutil.which("chromium-browser")
    driver = CHROMEDRIVER if os.access(CHROMEDRIVER, os.X_OK) else shutil.which("chromedriver")
    if not chromium or not driver:
        missing = ", ".join(n for n, p in (("chromium", chromium), ("chromedriver", driver)) if not p)
        message = f"no {missing} (apt-get install chromium chromium-driver)"
        if os.environ.get("AUTOFUNNEL_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; AUTOFUNNEL_REQUIRE_BROWSER=1", pytrace=False)
        pytest.skip(message)
    return chromium, driver


def start_chromium(width: int = 1280, height: int = 900):
    """A headless Chromium with a fresh profile. Prompts (alert, confirm) are left open, not dismissed, so that a test
    can see an alert an injected script opened."""
    chromium, driver_path = browser_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                 "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=en-US"):
        options.add_argument(flag)
    options.unhandled_prompt_behavior = "ignore"
    log = os.environ.get("AUTOFUNNEL_CHROMEDRIVER_LOG")
    service = Service(executable_path=driver_path, log_output=log) if log else Service(executable_path=driver_path)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_window_size(width, height)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    return driver


def screenshot_dir() -> Path:
    """$AUTOFUNNEL_SCREENSHOTS, else `<repo>/.build/screenshots/`; created when missing."""
    path = Path(os.environ.get("AUTOFUNNEL_SCREENSHOTS") or ROOT / ".build" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def screenshot(driver, name: str, full_page: bool = False) -> Path:
    """Saves a PNG of the window, or with `full_page` of the whole page (the window is made as tall as the page for
    the picture, up to 4000 px, and put back)."""
    path = screenshot_dir() / name
    size = driver.get_window_size()
    if full_page:
        chrome = size["height"] - driver.execute_script("return window.innerHeight")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(size["width"], min(4000, height + chrome))
    try:
        assert driver.save_screenshot(str(path)), f"could not save {path}"
    finally:
        if full_page:
            driver.set_window_size(size["width"], size["height"])
    return path


# --- HTML5 drag and drop -------------------------------------------------------------------------------------------
#
# Selenium's ActionChains drag moves the pointer, which in Chromium does not start an HTML5 drag (no dragstart,
# dragover or drop reach the page). The helper dispatches the events a real drag makes, in order, with one shared
# DataTransfer: dragstart and drag on the card; dragenter, dragover and drop on the target; dragend on the card. A
# DataTransfer made with `new DataTransfer()` stays writable, so what the page's dragstart handler stores with
# setData is what its drop handler reads with getData. The target events go to the innermost drop area (the
# column's `.column-cards` when there is one) so that they bubble through the column to listeners on the column or on
# the document. Coordinates are the centres of the elements, for handlers that look at them.
DRAG_AND_DROP_JS = r"""
const source = arguments[0], target = arguments[1];
const dt = new DataTransfer();
const centre = el => { const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + Math.min(r.height / 2, 40)]; };
const fire = (el, type) => {
  const [x, y] = centre(el);
  const ev = new DragEvent(type, {bubbles: true, cancelable: true, composed: true, dataTransfer: dt,
                                  clientX: x, clientY: y, screenX: x, screenY: y});
  el.dispatchEvent(ev);
  return ev;
};
const start = fire(source, 'dragstart');
if (start.defaultPrevented) return {started: false};
fire(source, 'drag');
fire(target, 'dragenter');
const over = fire(target, 'dragover');
const drop = fire(target, 'drop');
fire(source, 'dragend');
return {started: true, overPrevented: over.defaultPrevented, dropPrevented: drop.defaultPrevented, types: Array.from(dt.types)};
"""


def drag_and_drop(driver, source, target) -> dict:
    """Drags `source` (a WebElement) onto `target` with HTML5 drag events; returns what the events saw."""
    inner = target.find_elements("css selector", ".column-cards")
    return driver.execute_script(DRAG_AND_DROP_JS, source, inner[0] if inner else target)


# --- injection checks ----------------------------------------------------------------------------------------------

#: The XSS payloads every browser test types into each text field it adds.
PAYLOADS = [
    pytest.param("<script>alert(1)</script>", id="script-alert"),
    pytest.param('"><img src=x onerror=alert(1)>', id="attribute-break-img-alert"),
    pytest.param("{{7*7}}", id="template-braces"),
    pytest.param('<img src=x onerror="window.__xss=1">', id="img-onerror-probe"),
    pytest.param('"><script>window.__xss=1</script>', id="attribute-break-script-probe"),
    pytest.param("'><svg onload=window.__xss=1>", id="single-quote-svg-probe"),
]


#: Finds markup a payload could have injected: elements made from it and scripts carrying its code.
INJECTED_JS = r"""
const found = [];
for (const el of document.querySelectorAll('img[src="x"]')) found.push(el.outerHTML.slice(0, 200));
for (const el of document.querySelectorAll('[onerror], [onload], [onfocus], [onmouseover]')) {
  const code = ['onerror', 'onload', 'onfocus', 'onmouseover'].map(a => el.getAttribute(a) || '').join(' ');
  if (code.includes('alert(1)') || code.includes('__xss')) found.push(el.outerHTML.slice(0, 200));
}
for (const s of document.scripts) {
  const t = s.text || '';
  if (t.includes('alert(1)') || t.includes('__xss')) found.push('script: ' + t.slice(0, 200));
}
return {xss: typeof window.__xss === 'undefined' ? null : String(window.__xss), found: found};
"""


def assert_no_injection(driver, where: str) -> None:
    """No alert is open, no probe set `window.__xss`, and the page holds no element or script a payload made."""
    from selenium.common.exceptions import NoAlertPresentException

    try:
        alert = driver.switch_to.alert
        text = alert.text
        alert.accept()
        pytest.fail(f"{where}: an alert fired ({text!r}) — a payload ran as script")
    except NoAlertPresentException:
        pass
    seen = driver.execute_script(INJECTED_JS)
    assert seen["xss"] is None, f"{where}: window.__xss = {seen['xss']} — a payload ran as script"
    assert not seen["found"], f"{where}: markup from a payload is in the page: {seen['found']}"


# --- reading what the board shows ----------------------------------------------------------------------------------

def parse_money(text: str) -> dict[str, Decimal]:
    """Sums per currency from a column header text such as "150 000 RUB", "150,000.50 RUB · 20 USD" or "" (none).
    Group separators (spaces, no-break spaces, commas before three digits) are dropped; a comma before one or two
    final digits is a decimal comma."""
    import re

    sums: dict[str, Decimal] = {}
    for number, currency in re.findall(r"([0-9][0-9\s\u00a0\u202f.,']*)\s*([A-Z]{3}|₽|\$|€)", text):
        currency = {"₽": "RUB", "$": "USD", "€": "EUR"}.get(currency, currency)
        n = re.sub(r"[\s\u00a0\u202f']", "", number).rstrip(".,")
        if re.fullmatch(r"\d+,\d{1,2}", n) or re.fullmatch(r"\d{1,3}(\.\d{3})+,\d{1,2}", n):
            n = n.replace(".", "").replace(",", ".")
        else:
            n = n.replace(",", "")
        try:
            sums[currency] = sums.get(currency, Decimal(0)) + Decimal(n)
        except InvalidOperation:
            raise AssertionError(f"cannot read the amount {number!r} in {text!r}")
    return sums


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


# --- waiting -------------------------------------------------------------------------------------------------------

ALERTS_JS = r"""
return Array.from(document.querySelectorAll('[role=alert]'))
  .map(e => (e.id ? '#' + e.id + ': ' : '') + (e.innerText || e.textContent || '').trim()).filter(t => !/^(#[\w-]+: )?$/.test(t));
"""


def page_state(driver) -> str:
    """Where the browser is and what the page says went wrong, for failure messages."""
    import urllib.parse

    try:
        alerts = driver.execute_script(ALERTS_JS)
        title = driver.title
        body = driver.execute_script("return document.body ? document.body.innerText.trim().replace(/\\s+/g, ' ') : ''")
    except Exception as e:  # an open alert or a page being replaced
        alerts, title, body = [f"({type(e).__name__})"], "", ""
    return (f"page {urllib.parse.unquote(driver.current_url)} «{title}»; role=alert texts: {alerts}\n"
            f"page text: {body[:400]}")


def until(driver, condition, what: str, timeout: float = WAIT):
    """Waits until `condition(driver)` is truthy (elements missing or replaced while the page changes count as not
    yet) and returns its value; otherwise fails with `what` and the state of the page."""
    from selenium.common.exceptions import (JavascriptException, NoSuchElementException, StaleElementReferenceException,
                                            TimeoutException)
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=(
            NoSuchElementException, StaleElementReferenceException, JavascriptException)).until(condition)
    except TimeoutException:
        pass
    pytest.fail(f"waited {timeout:.0f} s for: {what}\n{page_state(driver)}", pytrace=False)


def text_of(driver, css: str) -> str:
    """The visible text of the first element matching `css` ("" when there is none)."""
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? (e.innerText || e.textContent || '').trim() : '';", css)


def dialog_open(driver, dialog_id: str) -> bool:
    return bool(driver.execute_script("const d = document.getElementById(arguments[0]); return !!(d && d.open);", dialog_id))


def column_of(driver, deal_id: int):
    """The stage key of the board column the deal's card is in; None when the card is not on the board."""
    return driver.execute_script(
        "const c = document.getElementById('deal-' + arguments[0]); const col = c && c.closest('section.column');"
        "return c ? (col ? col.dataset.stage : '(outside any column)') : null;", deal_id)


def wait_for_page(driver, css: str, what: str):
    """Waits for the document to finish loading and for `css` to be in it; returns the element."""
    from selenium.webdriver.common.by import By

    until(driver, lambda d: d.execute_script("return document.readyState") == "complete" and d.find_elements(By.CSS_SELECTOR, css),
          what)
    return driver.find_element(By.CSS_SELECTOR, css)

"""The search box in the navigation, in a real browser: a contact found by a phone typed another way than it was
saved, a deal found by a Cyrillic word in another case, the results grouped by kind with links, the query shown back
as text for every XSS payload, and the results page at phone width.

Screenshots (the results page, wide and at phone width) go to $AUTOFUNNEL_SCREENSHOTS or .build/screenshots/."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from af_browser import assert_no_injection, screenshot, text_of, until, wait_for_page
from test_web_ui import FRAGMENTS, PAYLOADS


def search_from_nav(d, app, text: str) -> None:
    """Types `text` into the navigation's search box of the board and presses Enter."""
    d.get(f"{app.base}/board/{app.key}")
    wait_for_page(d, "#nav-search-q", "the board with the search box in the navigation")
    box = d.find_element(By.ID, "nav-search-q")
    box.clear()
    box.send_keys(text + Keys.ENTER)
    wait_for_page(d, "#search-form", "the search results page")


def results(d, kind: str) -> list[dict]:
    return d.execute_script(
        "return Array.from(document.querySelectorAll('#search-' + arguments[0] + ' li.result a'))"
        ".map(a => ({text: a.textContent.trim(), href: a.getAttribute('href')}));", kind)


def test_a_contact_is_found_by_a_phone_typed_differently(app, browser):
    d = browser
    name = app.unique("Зоя Телефонова")
    contact = app.contact(name, "+7 (916) 321-54-76")
    for typed in ("89163215476", "916 321", "+7 916 321 54 76"):
        search_from_nav(d, app, typed)
        assert_no_injection(d, f"results for {typed!r}")
        found = results(d, "contacts")
        assert {"text": name, "href": f"/contacts/{contact['id']}"} in found, f"{typed!r} finds {found}, not {name!r}"
        assert d.find_element(By.ID, "search-q").get_attribute("value") == typed


def test_a_deal_is_found_by_a_cyrillic_word_in_another_case(app, browser):
    d = browser
    title = app.unique("Поставка ЁЛОЧНЫХ игрушек Скворцовым")
    deal = app.deal(title, contact=None)
    other = app.deal(app.unique("Поставка мишуры"), contact=None)
    search_from_nav(d, app, "ёлочных скворцовым")
    found = results(d, "deals")
    assert {"text": title, "href": f"/deals/{deal['id']}"} in found, f"the search finds {found}, not {title!r}"
    assert all(r["href"] != f"/deals/{other['id']}" for r in found), "a deal without the words is found"
    # The link opens the deal card.
    d.find_element(By.CSS_SELECTOR, f'#search-deals a[href="/deals/{deal["id"]}"]').click()
    wait_for_page(d, "h1#deal-title", "the deal card opened from the results")
    assert text_of(d, "h1#deal-title") == title
    screenshot_page(d, app, "постав")


def screenshot_page(d, app, query: str) -> None:
    """The results page wide and at phone width (where it must not scroll sideways)."""
    app.contact(app.unique("Анна Поставкина"), "+7 903 555-12-34")
    app.api.ok("POST", "/companies", {"name": app.unique("ООО «Поставщик»")})
    search_from_nav(d, app, query)
    screenshot(d, "search.png", full_page=True)
    d.set_window_size(375, 800)
    until(d, lambda d: d.execute_script("return window.innerWidth") <= 375, "the window is 375 px wide")
    d.refresh()
    wait_for_page(d, "#search-form", "the results page at phone width")
    width = d.execute_script("return document.documentElement.scrollWidth")
    assert width <= 380, f"at 375 px the results page scrolls sideways: scrollWidth {width}"
    screenshot(d, "search-phone.png")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_query_stays_text(app, browser, payload):
    d = browser
    deal = app.deal(payload + " " + app.unique("поиск"), contact=payload)
    search_from_nav(d, app, payload)
    assert_no_injection(d, "the results page")
    assert d.find_element(By.ID, "search-q").get_attribute("value") == payload, "the search box shows the query as typed"
    found = results(d, "deals")
    assert any(r["href"] == f"/deals/{deal['id']}" for r in found), f"the deal titled with the payload is not found: {found}"
    shown = text_of(d, "#search-deals")
    pieces = [f for f in FRAGMENTS if f in payload and f in shown]
    if pieces:
        assert payload in shown, f"the results show {pieces} of the payload but not the payload itself"

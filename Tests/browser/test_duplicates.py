"""The duplicates and merge pages in a real browser: an admin finds two contacts sharing a phone (typed two ways) on
the duplicates page, opens the merge, keeps the other one's name, merges, and sees the kept contact's card with the
deals of both, the old number opening it; text typed into every new field stays text.

Screenshots (the duplicates page and the merge page) go to $AUTOFUNNEL_SCREENSHOTS or .build/screenshots/."""
import urllib.parse

import pytest
from selenium.webdriver.common.by import By

from af_browser import PAYLOADS, assert_no_injection, screenshot, text_of, until, wait_for_page
from af_browser_app import KEY


def twins(app, first: str, second: str, phone: str, other_phone: str) -> tuple[dict, dict]:
    a = app.api.ok("POST", "/contacts", {"name": first, "phones": [phone], "allowDuplicate": True})
    b = app.api.ok("POST", "/contacts", {"name": second, "phones": [other_phone], "emails": ["twin@example.com"],
                                         "allowDuplicate": True})
    return a, b


def deal_of(app, title: str, contact_id: int) -> dict:
    return app.api.ok("POST", "/deals", {"pipeline": KEY, "title": title, "contactId": contact_id})


def open_merge_from_duplicates(d, app, kept: dict, merged: dict) -> None:
    d.get(f"{app.base}/contacts")
    wait_for_page(d, "#party-duplicates", "the contacts list's link to the duplicates")
    d.find_element(By.ID, "party-duplicates").click()
    wait_for_page(d, "table#duplicate-list", "the duplicates page")
    row = d.find_element(By.CSS_SELECTOR, f'tr.duplicate-pair[data-first="{kept["id"]}"][data-second="{merged["id"]}"]')
    assert "phone" in row.find_element(By.CSS_SELECTOR, ".duplicate-why").text
    row.find_element(By.CSS_SELECTOR, "a.duplicate-merge").click()
    wait_for_page(d, "form#merge-form", "the merge page")


def test_find_a_duplicate_merge_it_keeping_the_other_name_and_see_the_deals_move(app, browser):
    d = browser
    kept, merged = twins(app, app.unique("Maria Ivanova"), app.unique("Maria Ivanova-Petrova"), "+7 912 777-01-01",
                         "8 (912) 777 01 01")
    own = deal_of(app, app.unique("Kitchen"), kept["id"])
    moving = [deal_of(app, app.unique("Wardrobe"), merged["id"]), deal_of(app, app.unique("Shelves"), merged["id"])]
    app.task(moving[0]["id"], "Call about the wardrobe")

    open_merge_from_duplicates(d, app, kept, merged)
    assert text_of(d, "#merge-merged-deals") == "2" and text_of(d, "#merge-kept-deals") == "1"
    d.find_element(By.ID, "pick-name-merged").click()
    screenshot(d, "merge.png", full_page=True)
    d.find_element(By.ID, "merge-submit").click()

    until(d, lambda d: urllib.parse.urlparse(d.current_url).path == f"/contacts/{kept['id']}", "the merge opens the kept contact")
    wait_for_page(d, "h1#party-name", "the kept contact's card")
    assert text_of(d, "h1#party-name") == merged["name"], "the name picked from the other contact"
    open_deals = text_of(d, "#open-deals")
    for deal in [own] + moving:
        assert deal["title"] in open_deals, f"{deal['title']} is not on the kept card: {open_deals!r}"
        assert app.get_deal(deal["id"]).get("contactId") == kept["id"]
    assert "Call about the wardrobe" in text_of(d, "#tasks")
    contact = app.get_contact(merged["id"])
    assert contact["id"] == kept["id"] and contact["emails"] == ["twin@example.com"], "the old id answers the kept one"
    d.get(f"{app.base}/contacts/{merged['id']}")
    until(d, lambda d: urllib.parse.urlparse(d.current_url).path == f"/contacts/{kept['id']}", "the old number opens the kept card")


def test_the_duplicates_page_screenshot(app, browser):
    d = browser
    twins(app, app.unique("Oleg Sokolov"), app.unique("O. Sokolov"), "+7 912 777-02-02", "89127770202")
    d.get(f"{app.base}/duplicates")
    wait_for_page(d, "table#duplicate-list", "the duplicates page")
    assert d.find_elements(By.CSS_SELECTOR, "tr.duplicate-pair a.duplicate-merge")
    screenshot(d, "duplicates.png", full_page=True)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_typed_text_stays_text_on_the_duplicates_and_merge_pages(app, browser, payload):
    d = browser
    app.unique("payload pair")  # a number of its own for this pair's phone
    n = app.serial
    kept, merged = twins(app, payload, payload + " (2)", f"+7 912 778-{n:04d}", f"8 912 778 {n:04d}")
    d.get(f"{app.base}/duplicates")
    wait_for_page(d, "table#duplicate-list", "the duplicates page")
    assert_no_injection(d, "the duplicates page")
    assert payload in text_of(d, f'tr.duplicate-pair[data-first="{kept["id"]}"]')
    open_merge_from_duplicates(d, app, kept, merged)
    assert_no_injection(d, "the merge page")
    d.find_element(By.ID, "pick-name-merged").click()
    d.find_element(By.ID, "merge-submit").click()
    wait_for_page(d, "h1#party-name", "the kept contact's card")
    assert_no_injection(d, "the merged contact's card")
    assert text_of(d, "h1#party-name") == payload + " (2)"

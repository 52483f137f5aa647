"""Tags in a real browser: a deal tagged on its card shows the tag as a chip and the board's filter by that tag keeps
it and leaves other deals out; contacts checked in the list get a tag with one form and the list's filter finds them;
every XSS payload set as a tag stays text; the card with tags fits a phone's width.

Screenshot (a deal card with tags) goes to $AUTOFUNNEL_SCREENSHOTS or .build/screenshots/."""
import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of

from af_browser import PAYLOADS, assert_no_injection, screenshot, text_of, until, wait_for_page


def chips(d) -> list[str]:
    return d.execute_script("return Array.from(document.querySelectorAll('#tags li.chip a.chip-link')).map(a => a.textContent)")


def reloaded(d, before, what: str) -> None:
    """Waits until the page that held `before` is gone (the form's post answered with a new page)."""
    until(d, lambda d: staleness_of(before)(d), what)
    wait_for_page(d, "#tags", what)


def add_tags(d, text: str) -> None:
    box = d.find_element(By.ID, "tag-input")
    box.clear()
    box.send_keys(text)
    d.find_element(By.ID, "tag-add-submit").click()
    reloaded(d, box, "the card after adding tags")


def listed(d) -> list[str]:
    return d.execute_script("return Array.from(document.querySelectorAll('#party-list a.party-name')).map(a => a.textContent)")


def bulk(d, ids: list[int], tag: str, button_id: str) -> None:
    """Checks the rows of `ids` in the list shown, types the tag and presses the bulk form's button."""
    for record_id in ids:
        d.find_element(By.CSS_SELECTOR, f'tr[data-party="{record_id}"] input.party-select').click()
    d.find_element(By.ID, "bulk-tag").send_keys(tag)
    button = d.find_element(By.ID, button_id)
    button.click()
    until(d, lambda d: staleness_of(button)(d), "the list comes back after the bulk change")
    wait_for_page(d, "#party-list", "the list after the bulk change")


def test_tag_a_deal_on_its_card_and_filter_the_board_by_it(app, browser):
    d = browser
    tagged = app.deal(app.unique("Oak wardrobe"))
    other = app.deal(app.unique("Pine shelf"))
    tag = app.unique("Hot lead")
    d.get(f"{app.base}/deals/{tagged['id']}")
    wait_for_page(d, "#tag-input", "the deal card's tag form")
    add_tags(d, f"{tag}, Exhibition")
    # Tags put on together are listed by name.
    until(d, lambda d: chips(d) == ["Exhibition", tag], "the card shows both tags as chips")
    assert app.get_deal(tagged["id"])["tags"] == ["Exhibition", tag]

    # The same tag typed in another case is the same tag: nothing is added.
    add_tags(d, tag.upper())
    assert chips(d) == ["Exhibition", tag], "a repeat adds nothing"

    # The chip opens the board filtered by the tag: the tagged deal is there, the other is not.
    d.find_element(By.CSS_SELECTOR, f'#tags li.chip[data-tag="{tag}"] a.chip-link').click()
    wait_for_page(d, "#filter-tag", "the board filtered by the tag")
    assert d.find_element(By.ID, "filter-tag").get_attribute("value") == tag
    assert d.find_elements(By.CSS_SELECTOR, f'article[data-deal="{tagged["id"]}"]')
    assert not d.find_elements(By.CSS_SELECTOR, f'article[data-deal="{other["id"]}"]')

    # The board's filter form: typing the tag in lower case filters the same way.
    box = d.find_element(By.ID, "filter-tag")
    box.clear()
    box.send_keys("exhibition")
    d.find_element(By.ID, "filter-apply").click()
    until(d, lambda d: "tag=exhibition" in d.current_url, "the filter applies")
    wait_for_page(d, "#filter-tag", "the board filtered by the typed tag")
    assert d.find_elements(By.CSS_SELECTOR, f'article[data-deal="{tagged["id"]}"]')
    assert not d.find_elements(By.CSS_SELECTOR, f'article[data-deal="{other["id"]}"]')

    # Removing a tag on the card.
    d.get(f"{app.base}/deals/{tagged['id']}")
    wait_for_page(d, "#tags", "the card")
    screenshot(d, "deal-card-tags.png", full_page=True)
    button = d.find_element(By.CSS_SELECTOR, '#tags li.chip[data-tag="Exhibition"] form.chip-remove button')
    button.click()
    reloaded(d, button, "the card after removing a tag")
    assert chips(d) == [tag], "the removed tag is gone"

    # At phone width the tag block fits the screen.
    d.set_window_size(390, 844)
    d.get(f"{app.base}/deals/{tagged['id']}")
    wait_for_page(d, "#tags", "the card at phone width")
    wide = d.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not wide, "the card with tags scrolls sideways at phone width"


def test_bulk_tag_contacts_from_the_list_and_filter_by_it(app, browser):
    d = browser
    names = [app.unique("Bulk Anna"), app.unique("Bulk Boris"), app.unique("Bulk Vera")]
    ids = [app.contact(n)["id"] for n in names]
    tag = app.unique("Fair 2026")
    d.get(f"{app.base}/contacts?q=" + urllib.parse.quote("Bulk"))
    wait_for_page(d, "#bulk-tags", "the contacts list with its tag form")
    bulk(d, ids[:2], tag, "bulk-add")

    d.get(f"{app.base}/contacts?tag=" + urllib.parse.quote(tag.lower()))
    wait_for_page(d, "#party-list", "the list filtered by the tag")
    assert sorted(listed(d)) == sorted(names[:2]), f"the filter shows {listed(d)}"
    assert app.get_contact(ids[0])["tags"] == [tag]

    # Take it off one of them with the same form.
    bulk(d, ids[:1], tag, "bulk-remove")
    assert listed(d) == [names[1]], "the filtered list keeps only the one still tagged"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_set_as_a_tag_stays_text(app, browser, payload):
    d = browser
    deal = app.deal(app.unique("Tag payload"))
    d.get(f"{app.base}/deals/{deal['id']}")
    wait_for_page(d, "#tag-input", "the deal card's tag form")
    add_tags(d, payload)
    assert chips(d) == [payload.strip()], "the payload shows as a chip"
    assert_no_injection(d, "the deal card with the payload as a tag")
    d.get(f"{app.base}/board/{app.key}?tag=" + urllib.parse.quote(payload))
    wait_for_page(d, "#filter-tag", "the board filtered by the payload")
    assert_no_injection(d, "the board filtered by the payload")
    assert d.find_element(By.ID, "filter-tag").get_attribute("value") == payload.strip()
    assert d.find_elements(By.CSS_SELECTOR, f'article[data-deal="{deal["id"]}"]')

"""The contacts and companies pages in a real browser: an admin creates a contact, finds it in the list by a phone
typed another way, opens its card and sees its deals with their stages, edits it, and tries to delete one an open
deal uses (refused, the deal named; allowed once the deal is closed). Text typed into every new field stays text, and
the list and the card fit a phone's width; a contact with a phone another one has offers that one first.

Screenshots (the contacts list and a contact's card) go to $AUTOFUNNEL_SCREENSHOTS or .build/screenshots/."""
import re
import urllib.parse

import pytest
from selenium.webdriver.common.by import By

from af_browser import PAYLOADS, assert_no_injection, screenshot, text_of, until, wait_for_page
from af_browser_app import KEY, STAGE_NAMES


def type_into(d, element_id: str, text: str) -> None:
    el = d.find_element(By.ID, element_id)
    el.clear()
    el.send_keys(text)


def value_of(d, element_id: str) -> str:
    return d.find_element(By.ID, element_id).get_attribute("value")


def card_id(d, kind: str) -> int:
    found = until(d, lambda d: re.search(rf"/{kind}/(\d+)$", urllib.parse.urlparse(d.current_url).path),
                  f"the form opens the new record's card under /{kind}/")
    wait_for_page(d, "h1#party-name", "the card")
    return int(found.group(1))


def listed(d) -> list[str]:
    return d.execute_script("return Array.from(document.querySelectorAll('#party-list a.party-name')).map(a => a.textContent)")


def open_list(d, app, kind: str, query: str = "") -> None:
    d.get(f"{app.base}/{kind}{query}")
    wait_for_page(d, "table#party-list", f"the {kind} list")


def create_contact(d, app, name: str, phones: str = "", emails: str = "", company: str = "") -> None:
    open_list(d, app, "contacts")
    type_into(d, "new-name", name)
    for element_id, text in (("new-phones", phones), ("new-emails", emails), ("new-company", company)):
        if text:
            type_into(d, element_id, text)
    d.find_element(By.ID, "new-submit").click()


def deal_for(app, title: str, contact_id: int, amount: str | None = None) -> dict:
    body = {"pipeline": KEY, "title": title, "contactId": contact_id}
    if amount:
        body["amount"] = {"value": amount, "currency": "RUB"}
    return app.api.ok("POST", "/deals", body)


def test_create_find_by_phone_open_the_card_and_edit(app, browser):
    d = browser
    name = app.unique("Ekaterina Smirnova")
    company = app.api.ok("POST", "/companies", {"name": app.unique("Oak and Walnut Ltd")})
    create_contact(d, app, name, phones="+7 912 555-01-02", emails="Ekaterina@Example.com", company=company["name"])
    contact_id = card_id(d, "contacts")
    assert text_of(d, "h1#party-name") == name and text_of(d, "#party-company") == company["name"]
    phone = d.find_element(By.CSS_SELECTOR, "a.party-phone")
    assert phone.get_attribute("href") == "tel:+79125550102" and phone.text == "+79125550102"
    assert d.find_element(By.CSS_SELECTOR, "a.party-email").get_attribute("href") == "mailto:ekaterina@example.com"

    open_deal = deal_for(app, app.unique("Dining table"), contact_id, amount="64000")
    closed = deal_for(app, app.unique("Bar stools"), contact_id, amount="12500")
    app.task(open_deal["id"], "Send the dining table proposal")
    app.api.ok("POST", f"/deals/{open_deal['id']}/notes", {"text": "Wants oak, seats eight"})
    app.api.ok("POST", f"/deals/{closed['id']}/close", {"result": "lost", "reason": "lost_silent"})
    app.deal(app.unique("Someone else's sofa"), contact=app.unique("Other Person"), phone="+7 912 555-09-09")

    # The list finds the contact by the phone typed with the national prefix and other punctuation.
    open_list(d, app, "contacts")
    assert name in listed(d)
    screenshot(d, "contacts-list.png", full_page=True)
    type_into(d, "filter-q", "8 (912) 555 01 02")
    d.find_element(By.ID, "filter-apply").click()
    until(d, lambda d: "q=" in d.current_url and d.find_elements(By.ID, "party-list"), "the search applies")
    wait_for_page(d, "table#party-list", "the list found by the phone")
    assert listed(d) == [name], f"searching by the phone shows {listed(d)}"
    assert value_of(d, "filter-q") == "8 (912) 555 01 02"
    # The open-deals filter keeps it; "none" leaves it out.
    open_list(d, app, "contacts", "?open=no&q=" + urllib.parse.quote(name))
    assert listed(d) == []
    open_list(d, app, "contacts", "?open=yes&q=" + urllib.parse.quote(name))
    assert listed(d) == [name]

    # The card: its deals with their stages, each a link to the deal's card.
    d.find_element(By.CSS_SELECTOR, "#party-list a.party-name").click()
    wait_for_page(d, "h1#party-name", "the contact's card from the list")
    assert urllib.parse.urlparse(d.current_url).path == f"/contacts/{contact_id}"
    open_row = d.find_element(By.CSS_SELECTOR, f'#open-deals li[data-deal="{open_deal["id"]}"]')
    assert open_deal["title"] in open_row.text and STAGE_NAMES["lead"]["en"] in open_row.text
    closed_row = d.find_element(By.CSS_SELECTOR, f'#closed-deals li[data-deal="{closed["id"]}"]')
    assert STAGE_NAMES["lost_silent"]["en"] in closed_row.text
    assert "Someone else's sofa" not in text_of(d, "body")
    assert "Send the dining table proposal" in text_of(d, "#tasks") and "Wants oak" in text_of(d, "#deal-notes")
    screenshot(d, "contact-card.png", full_page=True)
    open_row.find_element(By.TAG_NAME, "a").click()
    wait_for_page(d, "h1#deal-title", "the deal's card from the contact's card")
    assert text_of(d, "h1#deal-title") == open_deal["title"]

    # Edit: a new name and a second phone.
    d.get(f"{app.base}/contacts/{contact_id}")
    wait_for_page(d, "h1#party-name", "the contact's card")
    renamed = name + " (Petrova)"
    type_into(d, "field-name", renamed)
    type_into(d, "field-phones", "+7 912 555-01-02, +7 912 555-01-03")
    d.find_element(By.ID, "party-save").click()
    until(d, lambda d: text_of(d, "h1#party-name") == renamed, "saving shows the new name")
    stored = app.get_contact(contact_id)
    assert stored["name"] == renamed and stored["phones"] == ["+79125550102", "+79125550103"]


def test_deleting_a_contact_an_open_deal_uses_is_refused_naming_the_deal(app, browser):
    d = browser
    name = app.unique("Contact in use")
    create_contact(d, app, name, phones="+7 912 555-02-02")
    contact_id = card_id(d, "contacts")
    deal = deal_for(app, app.unique("Wardrobe"), contact_id)
    d.get(f"{app.base}/contacts/{contact_id}")
    wait_for_page(d, "#party-delete-submit", "the card's delete button")
    d.find_element(By.ID, "party-delete-submit").click()
    wait_for_page(d, "#party-errors", "the refusal above the card")
    refusal = text_of(d, "#party-errors")
    assert f"№{deal['id']}" in refusal and deal["title"] in refusal, f"the refusal does not name the deal: {refusal!r}"
    assert app.get_contact(contact_id)["name"] == name, "the contact is still there"
    assert app.get_deal(deal["id"]).get("contactId") == contact_id, "the deal keeps its contact"

    app.api.ok("POST", f"/deals/{deal['id']}/close", {"result": "lost", "reason": "lost_silent"})
    d.get(f"{app.base}/contacts/{contact_id}")
    wait_for_page(d, "#party-delete-submit", "the card's delete button")
    d.find_element(By.ID, "party-delete-submit").click()
    until(d, lambda d: urllib.parse.urlparse(d.current_url).path == "/contacts", "the delete goes back to the list")
    wait_for_page(d, "table#party-list", "the list after the delete")
    assert name not in listed(d)
    status, _, _ = app.api.call("GET", f"/contacts/{contact_id}")
    assert status == 404


@pytest.mark.parametrize("payload", PAYLOADS)
def test_typed_text_stays_text_on_the_contacts_and_companies_pages(app, browser, payload):
    d = browser
    # A company named by the payload, through its list's form.
    open_list(d, app, "companies")
    type_into(d, "new-name", payload)
    d.find_element(By.ID, "new-submit").click()
    company_id = card_id(d, "companies")
    assert_no_injection(d, "the new company's card")
    assert text_of(d, "h1#party-name") == payload

    # Phones and e-mails that are not ones: refused, the text shown back as text.
    for field in ("new-phones", "new-emails"):
        create_contact(d, app, payload, **{field.removeprefix("new-"): payload})
        wait_for_page(d, "#party-errors", f"the refusal of {field}")
        assert_no_injection(d, f"the refusal of {field}")
        assert payload in text_of(d, "#party-errors")

    # A contact named by the payload in that company.
    create_contact(d, app, payload, company=payload)
    contact_id = card_id(d, "contacts")
    assert_no_injection(d, "the new contact's card")
    assert text_of(d, "h1#party-name") == payload and text_of(d, "#party-company") == payload
    type_into(d, "field-name", payload + " (edited)")
    d.find_element(By.ID, "party-save").click()
    until(d, lambda d: text_of(d, "h1#party-name") == payload + " (edited)", "the edited name shows")
    assert_no_injection(d, "the edited contact's card")
    assert app.get_contact(contact_id)["name"] == payload + " (edited)"

    # The company's card lists the contact; the lists search and filter by the text.
    d.get(f"{app.base}/companies/{company_id}")
    wait_for_page(d, "#company-contacts", "the company's contacts")
    assert_no_injection(d, "the company's card with its contact")
    assert payload + " (edited)" in text_of(d, "#company-contacts")
    for kind in ("contacts", "companies"):
        open_list(d, app, kind)
        type_into(d, "filter-q", payload)
        if kind == "contacts":
            type_into(d, "filter-segment", payload)
        d.find_element(By.ID, "filter-apply").click()
        until(d, lambda d: "q=" in d.current_url and d.find_elements(By.ID, "party-list"), f"the {kind} search applies")
        wait_for_page(d, "table#party-list", f"the {kind} list searched")
        assert_no_injection(d, f"the {kind} list searched for the text")
        assert value_of(d, "filter-q") == payload
        if kind == "companies":
            assert payload in listed(d)


def test_the_list_and_the_card_fit_a_phone(app, browser):
    d = browser
    name = app.unique("Konstantin Konstantinopolsky-Rimsky")
    create_contact(d, app, name, phones="+7 912 555-03-03, +7 912 555-03-04", emails="konstantin.konstantinopolsky@example.com")
    contact_id = card_id(d, "contacts")
    deal_for(app, app.unique("Furniture for the new branch office in Yekaterinburg"), contact_id)
    d.set_window_size(375, 800)
    until(d, lambda d: d.execute_script("return window.innerWidth") <= 375, "the window is 375 px wide")
    for path in ("/contacts", f"/contacts/{contact_id}", "/companies"):
        d.get(app.base + path)
        wait_for_page(d, "main", path)
        width = d.execute_script("return document.documentElement.scrollWidth")
        assert width <= 380, f"at 375 px {path} scrolls sideways: scrollWidth {width}"


def test_a_contact_with_a_known_phone_offers_the_existing_one_or_create_anyway(app, browser):
    d = browser
    first = app.unique("Galina Orlova")
    create_contact(d, app, first, phones="+7 912 555-04-04")
    first_id = card_id(d, "contacts")

    # The same phone typed another way: the page names the existing contact instead of creating a second.
    again = app.unique("Galina O.")
    create_contact(d, app, again, phones="8 912 555 04 04", emails="galina@example.com")
    wait_for_page(d, "#party-duplicate", "the offer to open the existing contact")
    assert first in text_of(d, "#party-duplicate")
    assert_no_injection(d, "the duplicate offer")
    open_list(d, app, "contacts", "?q=" + urllib.parse.quote("555 04 04"))
    assert listed(d) == [first], "nothing was created yet"

    # "Open it" goes to the existing card; "create anyway" makes the second one with what was typed.
    create_contact(d, app, again, phones="8 912 555 04 04", emails="galina@example.com")
    wait_for_page(d, "#duplicate-open", "the link to the existing contact")
    d.find_element(By.ID, "duplicate-open").click()
    wait_for_page(d, "h1#party-name", "the existing contact's card")
    assert urllib.parse.urlparse(d.current_url).path == f"/contacts/{first_id}"
    create_contact(d, app, again, phones="8 912 555 04 04", emails="galina@example.com")
    wait_for_page(d, "#duplicate-submit", "the create-anyway button")
    d.find_element(By.ID, "duplicate-submit").click()
    second_id = card_id(d, "contacts")
    assert second_id != first_id and text_of(d, "h1#party-name") == again
    assert app.get_contact(second_id)["emails"] == ["galina@example.com"]

"""Notes in a real browser: the admin writes a note on a deal card that @mentions a head of sales, pins it (it moves
to the top, marked), and the head of sales, signed in in a second browser, finds the notice on the bell and the
notices page. Every XSS payload typed into a note (on a deal card and a contact card) stays text, also in its edit
box. The deal card with a pinned note fits a phone's width.

A screenshot of a deal card with a pinned note goes to $AUTOFUNNEL_SCREENSHOTS or .build/screenshots/."""
import pytest
from selenium.webdriver.common.by import By

import af_browser_app
from af_browser import PAYLOADS, assert_no_injection, screenshot, text_of, until, wait_for_page

PASSWORD = "Mentioned-Pass-2026"


def write_note(d, text: str) -> None:
    wait_for_page(d, "#note-form", "the new-note form")
    before = len(notes(d))
    d.find_element(By.ID, "note-text").send_keys(text)
    d.find_element(By.ID, "note-submit").click()
    until(d, lambda d: len(notes(d)) == before + 1, "the card with the new note")


def notes(d) -> list:
    return d.find_elements(By.CSS_SELECTOR, "#notes li.note")


def test_a_mention_in_a_pinned_note_reaches_the_colleague(app, browser, other):
    d = browser
    login = f"rita{app.serial}"
    email = f"{login}@autofunnel.test"
    app.api.ok("POST", "/users", {"email": email, "name": "Rita Head", "role": "head_of_sales", "locale": "en", "password": PASSWORD})
    deal = app.deal(app.unique("Wardrobe with a mirror"))
    d.get(f"{app.base}/deals/{deal['id']}")
    write_note(d, "The client called twice, no answer")
    write_note(d, f"@{login} please approve the 7% discount.\nSecond line")
    newest = notes(d)[0]
    assert newest.find_element(By.CSS_SELECTOR, "mark.mention").text == f"@{login}", "the mention is highlighted"
    assert "Second line" in newest.find_element(By.CSS_SELECTOR, ".note-text").text

    # Pinning the older note puts it on top, marked.
    older = notes(d)[1]
    note_id = older.get_attribute("data-note")
    older.find_element(By.CSS_SELECTOR, ".note-pin").click()
    until(d, lambda d: notes(d)[0].get_attribute("data-note") == note_id and "pinned" in notes(d)[0].get_attribute("class"),
          "the pinned note moves to the top")
    assert "Pinned" in notes(d)[0].text
    assert "Note pinned" in text_of(d, "#timeline"), "the timeline shows the pin"
    screenshot(d, "deal-notes.png", full_page=True)

    o = other
    o.delete_all_cookies()
    o.get(app.base + "/login")
    wait_for_page(o, "#email", "the sign-in form")
    o.find_element(By.ID, "email").send_keys(email)
    o.find_element(By.ID, "password").send_keys(PASSWORD)
    o.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    until(o, lambda o: o.get_cookie(af_browser_app.SESSION_COOKIE) is not None and "/login" not in o.current_url,
          "the colleague signs in")
    wait_for_page(o, "#nav-bell", "a page with the bell")
    assert text_of(o, "#bell-count") == "1", "one unread notice: the mention"
    o.find_element(By.ID, "nav-bell").click()
    wait_for_page(o, "#notices", "the notices page")
    row = o.find_element(By.CSS_SELECTOR, "li.notice-row.unread")
    assert "Mentioned in a note" in row.text
    assert "approve the 7% discount" in row.find_element(By.CSS_SELECTOR, ".notice-text").text
    row.find_element(By.LINK_TEXT, "Open the deal").click()
    wait_for_page(o, "#notes", "the deal card from the notice")
    assert f"/deals/{deal['id']}" in o.current_url
    # The colleague may pin but not edit the admin's note.
    assert not o.find_elements(By.CSS_SELECTOR, "#notes .note-edit")
    assert o.find_elements(By.CSS_SELECTOR, "#notes .note-pin")


def test_the_author_edits_their_note(app, browser):
    d = browser
    deal = app.deal(app.unique("Shelves"))
    d.get(f"{app.base}/deals/{deal['id']}")
    write_note(d, "Measure on Tuesdy")
    note = notes(d)[0]
    note.find_element(By.CSS_SELECTOR, ".note-edit summary").click()
    box = note.find_element(By.CSS_SELECTOR, ".note-edit textarea")
    box.clear()
    box.send_keys("Measure on Tuesday")
    note.find_element(By.CSS_SELECTOR, ".note-save").click()
    until(d, lambda d: "Measure on Tuesday" in notes(d)[0].text and "edited" in notes(d)[0].text, "the edited note")
    assert "Note edited" in text_of(d, "#timeline")


@pytest.mark.parametrize("payload", [p.values[0] for p in PAYLOADS], ids=[p.id for p in PAYLOADS])
def test_a_note_stays_text(app, browser, payload):
    d = browser
    deal = app.deal(app.unique("XSS note"))
    d.get(f"{app.base}/deals/{deal['id']}")
    write_note(d, payload + " @admin")
    assert_no_injection(d, "the deal card with the note")
    assert payload in notes(d)[0].find_element(By.CSS_SELECTOR, ".note-text").text
    box = notes(d)[0].find_element(By.CSS_SELECTOR, ".note-edit textarea")
    assert box.get_attribute("value").startswith(payload), "the edit box holds the text as it was written"
    contact = app.contact(app.unique("Note contact"))
    d.get(f"{app.base}/contacts/{contact['id']}")
    write_note(d, payload)
    assert_no_injection(d, "the contact card with the note")
    assert payload in notes(d)[0].find_element(By.CSS_SELECTOR, ".note-text").text
    assert payload in text_of(d, "#timeline"), "the contact's own note is in its timeline"


def test_a_card_with_notes_fits_a_phone(app, browser):
    d = browser
    deal = app.deal(app.unique("Phone width"))
    d.get(f"{app.base}/deals/{deal['id']}")
    write_note(d, "A long note " + "word " * 60)
    d.set_window_size(375, 800)
    d.get(f"{app.base}/deals/{deal['id']}")
    wait_for_page(d, "#notes", "the deal card")
    width = d.execute_script("return document.documentElement.scrollWidth")
    assert width <= 380, f"at 375 px the deal card scrolls sideways: scrollWidth {width}"

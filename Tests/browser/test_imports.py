"""The import page in a real browser, in Russian: an admin uploads a small CSV, sees the proposed mapping and the
first rows as they map, checks the file without writing, runs the import, watches it end and downloads the refused
rows; the deals are then on the board. The page also fits a phone's width.

Screenshots (the preview and the result) go to $AUTOFUNNEL_SCREENSHOTS or .build/screenshots/."""
from selenium.webdriver.common.by import By

from af_browser import screenshot, text_of, until, wait_for_page
from af_browser_app import set_locale, user_locale


def job_ended(d) -> bool:
    box = d.find_elements(By.ID, "import-job")
    return bool(box) and box[0].get_attribute("data-status") in ("finished", "failed")


def test_an_admin_imports_a_csv_on_the_page_in_russian(app, browser, tmp_path):
    d = browser
    start = user_locale(app)
    set_locale(app, "ru")
    try:
        kitchen, wardrobe = app.unique("Импорт: кухня"), app.unique("Импорт: шкаф")
        deals = tmp_path / "сделки.csv"
        deals.write_text(
            "id,pipeline,stage,title,amount,currency,contact_name,contact_phones\n"
            f"BR-{app.serial}-1,{app.key},lead,{kitchen},150000,RUB,Анна Петрова,+7 901 555-01-01\n"
            f"BR-{app.serial}-2,{app.key},lead,{wardrobe},\"48 500,50\",RUB,Борис,+7 901 555-01-02\n"
            f"BR-{app.serial}-3,{app.key},lead,Без суммы,много,RUB,Вера,+7 901 555-01-03\n", encoding="utf-8")

        d.get(f"{app.base}/settings")
        wait_for_page(d, "#settings-imports", "the settings page links the import")
        d.find_element(By.ID, "settings-imports").click()
        wait_for_page(d, "form#import-form", "the import page opens from the settings")
        assert text_of(d, "h1") == "Импорт сделок", "the page speaks the admin's language"
        d.find_element(By.ID, "import-file").send_keys(str(deals))
        d.find_element(By.ID, "import-upload").click()

        wait_for_page(d, "table#import-preview", "the preview of the uploaded file")
        assert "сделки.csv" in text_of(d, "h1")
        assert "source: autofunnel" in d.find_element(By.ID, "import-mapping-text").get_attribute("value"), \
            "our own export's header is mapped without a mapping file"
        rows = d.find_elements(By.CSS_SELECTOR, "table#import-preview tbody tr")
        assert len(rows) == 3, f"the preview shows the file's three rows: {[r.text for r in rows]}"
        assert kitchen in rows[0].text and "будет импортирована" in rows[0].text
        assert "48 500.50 RUB" in rows[1].text.replace("\u202f", " ").replace("\u00a0", " "), rows[1].text
        assert "error" in rows[2].get_attribute("class") and "is no amount" in rows[2].text, rows[2].text
        screenshot(d, "import-preview.png", full_page=True)

        d.find_element(By.ID, "import-check").click()
        until(d, job_ended, "the dry run ends and its page shows the result")
        assert text_of(d, "#import-status") == "завершён", text_of(d, "#import-status")
        assert "Будет создано" in text_of(d, "#import-summary") and text_of(d, "#import-created") == "2"
        assert text_of(d, "#import-refused") == "1"
        assert "is no amount" in text_of(d, "#import-refused-rows")
        assert not [x for x in app.open_deals() if x["title"] in (kitchen, wardrobe)], "the dry run wrote nothing"

        d.find_element(By.ID, "import-run").click()
        until(d, lambda d: job_ended(d) and d.find_elements(By.ID, "import-created") and "Создано" in text_of(d, "#import-summary"),
              "the import runs and its page shows what it made")
        assert text_of(d, "#import-status") == "завершён"
        assert text_of(d, "#import-created") == "2" and text_of(d, "#import-refused") == "1"
        screenshot(d, "import-result.png", full_page=True)

        link = d.find_element(By.ID, "import-errors-csv").get_attribute("href")
        status, headers, body = app.fetch_as_browser(d, link, "text/csv")
        assert status == 200 and headers["content-type"].startswith("text/csv"), (status, headers)
        text = body.decode("utf-8")
        assert text.startswith("row,column,reason") and "4,amount," in text, text

        imported = {x["title"]: x for x in app.open_deals()}
        assert kitchen in imported and wardrobe in imported, "the imported deals are in the pipeline"
        assert imported[wardrobe]["amount"] == {"value": "48500.50", "currency": "RUB"}, imported[wardrobe]["amount"]

        # At a phone's width the page scrolls its tables, not itself.
        d.set_window_size(390, 844)
        d.get(f"{app.base}/imports")
        wait_for_page(d, "table#import-jobs", "the import page at phone width")
        wide = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 1, f"the page is {wide}px wider than the phone"
        assert d.find_element(By.ID, "import-upload").is_displayed()
    finally:
        d.set_window_size(1280, 900)
        set_locale(app, start)


def test_the_job_page_follows_a_long_import_by_itself(app, browser):
    """A file of a few thousand rows, sent through the API: its job page shows a progress bar over the file's rows,
    and the page's script brings the result without a click."""
    d = browser
    rows = 3000
    lines = ["id,pipeline,stage,title,amount,currency"]
    lines += [f"LONG-{app.serial}-{i},{app.key},lead,Long import {app.serial} #{i},{1000 + i},RUB" for i in range(rows)]
    boundary = "----autofunnel-browser-import"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"long.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            + "\n".join(lines) + f"\r\n--{boundary}--\r\n")
    status, headers, job = app.api.call("POST", "/imports", body, content_type=f"multipart/form-data; boundary={boundary}")
    assert status == 202, (status, job)
    assert headers["location"] == f"/api/v1/imports/{job['id']}"
    d.get(f"{app.base}/imports/jobs/{job['id']}")
    wait_for_page(d, "#import-job", "the job page")
    if not job_ended(d):
        # Loaded while it runs: the bar is there, with a refresh link for a browser without the script.
        assert d.find_elements(By.ID, "import-progress") and d.find_elements(By.ID, "import-refresh")
        until(d, lambda d: (d.find_elements(By.ID, "import-progress") and d.find_element(By.ID, "import-progress").get_attribute("max") == str(rows))
              or job_ended(d), "the bar learns how many rows the file has")
        if not job_ended(d):
            assert text_of(d, "#import-total") == f"/ {rows}", "the row count says how many there are"
            screenshot(d, "import-progress.png")
    until(d, job_ended, "the page shows the end of the import without a click", timeout=120)
    assert text_of(d, "#import-created") == str(rows), text_of(d, "#import-summary")
    screenshot(d, "import-long.png")

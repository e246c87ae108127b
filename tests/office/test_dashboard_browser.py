"""The office dashboard in headless Chromium (Debian's chromium + chromium-driver,
installed by .ci/run) on SQLite and PostgreSQL: log in, see the silent kiosk
flagged, open history, download a CSV, no console errors. Screenshots at phone
and desktop widths go to /tmp/shots/dashboard/."""
import base64
import re
import shutil
from pathlib import Path

import pytest
from dashboard_helpers import PASSWORD, fill, serve

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from browser_helpers import needs_chromium, start_chromium  # noqa: E402

SHOTS = Path("/tmp/shots/dashboard")
pytestmark = needs_chromium
PHONE, DESKTOP = (390, 844), (1366, 900)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = start_chromium(browser_log=True)
    driver.downloads = tmp_path_factory.mktemp("downloads")
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(driver.downloads)})
    yield driver
    driver.quit()


def shot(browser, name, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(*size)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(size[0], min(max(size[1], height), 4000))
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


def errors(browser):
    return [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def test_dashboard_in_chromium(browser, office_db, request):
    fill(office_db)
    server = serve(office_db)
    backend = office_db.backend
    try:
        browser.delete_all_cookies()
        browser.set_window_size(*DESKTOP)
        browser.get(server.base + "/devices")
        assert browser.current_url.endswith("/login")
        shot(browser, f"{backend}-login-phone", PHONE)
        browser.find_element(By.NAME, "user").send_keys("kepala")
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.login button").click()
        WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/devices"))
        row = browser.find_element(By.CSS_SELECTOR, 'tr[data-device="gudang"]')
        assert "row-bad" in row.get_attribute("class")
        assert "Diam (tidak ada kontak)" in row.text and "Kertas habis" in row.text
        colour = row.find_element(By.CSS_SELECTOR, "td").value_of_css_property("background-color")
        assert colour == "rgba(253, 231, 228, 1)"  # the red row, not the plain white
        shot(browser, f"{backend}-devices-desktop", DESKTOP)
        shot(browser, f"{backend}-devices-phone", PHONE)
        browser.find_element(By.LINK_TEXT, "Hari ini").click()
        WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/today"))
        shot(browser, f"{backend}-today-phone", PHONE)
        browser.get(server.base + "/history?from=2026-04-01&to=2026-04-30")
        assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) == 4
        shot(browser, f"{backend}-history-desktop", DESKTOP)
        shot(browser, f"{backend}-history-phone", PHONE)
        for old in browser.downloads.iterdir():
            old.unlink()
        browser.find_element(By.CSS_SELECTOR, 'a[href^="/export/counters.csv"]').click()
        WebDriverWait(browser, 10).until(lambda b: any(p.suffix == ".csv" for p in b.downloads.iterdir()))
        (csv,) = [p for p in browser.downloads.iterdir() if p.suffix == ".csv"]
        assert csv.read_text("utf-8-sig").startswith("counter,called,served,skipped,avg_service_min")
        # The print stylesheet: A4 pages without navigation or forms.
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        assert not browser.find_element(By.CSS_SELECTOR, "nav").is_displayed()
        assert not browser.find_element(By.CSS_SELECTOR, "form.period").is_displayed()
        shot(browser, f"{backend}-history-print", (794, 1123))
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
        SHOTS.joinpath(f"{backend}-report.pdf").write_bytes(pdf)
        sizes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf))
        assert sizes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in sizes), sizes
        assert errors(browser) == []
    finally:
        server.close()

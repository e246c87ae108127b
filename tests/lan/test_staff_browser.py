"""The staff page in headless Chromium (Debian's chromium + chromium-driver,
installed by .ci/run), against the real LAN server, machine and store.

Screenshots at phone and tablet widths go to /tmp/shots/staff/.
"""
import shutil
from pathlib import Path

import pytest

from kiosk.bench.staff import HeadlessKiosk, staff_config
from kiosk.core.staff_pin import hash_pin
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402

from browser_helpers import needs_chromium, start_chromium  # noqa: E402

PIN = "2468"
SHOTS = Path("/tmp/shots/staff")
pytestmark = needs_chromium
PHONE, TABLET = (390, 844), (820, 1180)


@pytest.fixture(scope="module")
def browser():
    driver = start_chromium("--lang=id")
    yield driver
    driver.quit()


@pytest.fixture
def kiosk(tmp_path, browser):
    cfg = staff_config(tmp_path / "kiosk.db", hash_pin(PIN, n=2 ** 10))
    store = Store(cfg.storage.database)
    queue = QueueService(cfg, store)
    for code in ("barang", "kunjungan", "barang", "informasi"):
        queue.printed(queue.issue(code).ticket.id)
    store.close()
    browser.delete_all_cookies()
    with HeadlessKiosk(cfg) as k:
        yield k


def wait_for(browser, condition, timeout=10):
    return WebDriverWait(browser, timeout).until(condition)


def shot(browser, name, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(*size)
    # The window includes the browser's frame: size the page, not the window.
    inner = browser.execute_script("return [window.innerWidth, window.innerHeight];")
    browser.set_window_size(size[0] * 2 - inner[0], size[1] * 2 - inner[1])
    browser.save_screenshot(str(SHOTS / f"{name}-{size[0]}.png"))


def type_pin(browser, pin):
    """Type on the keypad and log in; returns once the answer page has loaded."""
    for digit in pin:
        browser.find_element(By.CSS_SELECTOR, f'.keypad .key[data-key="{digit}"]').click()
    form = browser.find_element(By.ID, "login")
    browser.find_element(By.ID, "login-button").click()
    wait_for(browser, gone(form))  # the old page is gone: no stale reads


def gone(element):
    """Like EC.staleness_of, but a busy Chromium may answer "does not belong to
    the document" instead of "stale": that also means the page was replaced."""
    def check(_):
        try:
            element.is_enabled()
        except WebDriverException:  # StaleElementReferenceException is one
            return True
        return False
    return check


def message(browser, contains):
    wait_for(browser, EC.text_to_be_present_in_element((By.ID, "message"), contains))
    return browser.find_element(By.ID, "message").text


def test_given_a_phone_when_staff_log_in_call_next_and_transfer_then_the_kiosk_follows(browser, kiosk):
    browser.set_window_size(*PHONE)
    browser.get(f"{kiosk.url}/1/")
    shot(browser, "login", PHONE)
    type_pin(browser, PIN)
    wait_for(browser, EC.element_to_be_clickable((By.ID, "next")))

    browser.find_element(By.ID, "next").click()
    message(browser, "B-001 dipanggil")
    assert browser.find_element(By.ID, "current-label").text == "B-001"
    _, feed = kiosk.state.current()
    assert feed["calls"][0]["label"] == "B-001"
    shot(browser, "counter", PHONE)
    shot(browser, "counter", TABLET)

    browser.find_element(By.ID, "transfer").click()
    wait_for(browser, EC.visibility_of_element_located((By.ID, "transfer-panel")))
    shot(browser, "transfer", PHONE)
    browser.find_element(By.CSS_SELECTOR, '#transfer-services [data-service="informasi"]').click()
    message(browser, "B-001 dialihkan ke Informasi & Pengaduan")

    store = Store(kiosk.cfg.storage.database)
    moved = store.find("B-001")
    assert (moved.state, moved.current_service) == ("waiting", "informasi")
    assert browser.find_element(By.ID, "current-label").text == "-"


def test_given_the_keypad_when_a_number_is_called_then_that_ticket_is_served_at_this_counter(browser, kiosk):
    browser.set_window_size(*TABLET)
    browser.get(f"{kiosk.url}/1/")
    type_pin(browser, PIN)
    wait_for(browser, EC.element_to_be_clickable((By.ID, "callnum")))

    browser.find_element(By.ID, "callnum").click()
    browser.find_element(By.XPATH, '//div[@id="keypad-prefixes"]/button[text()="B"]').click()
    browser.find_element(By.CSS_SELECTOR, '#keypad-digits [data-digit="2"]').click()
    shot(browser, "keypad", TABLET)
    shot(browser, "keypad", PHONE)
    browser.find_element(By.ID, "keypad-call").click()

    message(browser, "B-002 dipanggil")
    assert Store(kiosk.cfg.storage.database).find("B-002").state == "called"

    browser.find_element(By.ID, "toggle").click()
    message(browser, "Loket ditutup; B-002 selesai")
    assert browser.find_element(By.ID, "next").get_attribute("disabled") == "true"
    shot(browser, "closed", PHONE)

    browser.get(f"{kiosk.url}/1/?lang=en")
    wait_for(browser, EC.text_to_be_present_in_element((By.ID, "open-state"), "Counter closed"))
    assert browser.find_element(By.ID, "toggle").text == "Open counter"
    shot(browser, "closed-en", PHONE)


def test_given_a_wrong_pin_typed_n_times_when_the_right_one_follows_then_the_counter_stays_locked(browser, kiosk):
    browser.set_window_size(*PHONE)
    browser.get(f"{kiosk.url}/2/")
    for _ in range(kiosk.cfg.staff.max_failures - 1):
        type_pin(browser, "9999")
        assert "PIN salah" in browser.find_element(By.ID, "login-error").text

    type_pin(browser, "9999")
    type_pin(browser, PIN)

    assert "Terlalu banyak PIN salah" in browser.find_element(By.ID, "login-error").text
    assert not browser.find_elements(By.ID, "next")
    shot(browser, "locked", PHONE)


def test_given_a_script_without_the_csrf_token_when_it_posts_then_the_kiosk_refuses(browser, kiosk):
    browser.get(f"{kiosk.url}/1/")
    type_pin(browser, PIN)
    wait_for(browser, EC.element_to_be_clickable((By.ID, "next")))

    status = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('action', {method: 'POST', headers: {'Content-Type': 'application/json'},"
        " body: JSON.stringify({action: 'next'})}).then(r => done(r.status));")

    assert status == 403
    assert Store(kiosk.cfg.storage.database).events(types=("called",)) == []

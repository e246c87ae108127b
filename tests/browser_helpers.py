"""Headless Chromium for the browser tests (Debian's chromium + chromium-driver)."""
import shutil

import pytest

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
needs_chromium = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium and chromium-driver are not "
                                    "installed (apt-get install chromium chromium-driver; .ci/run does it)")
# No network beyond 127.0.0.1 here: without these Chromium keeps calling Google's hosts.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage")


def start_chromium(*extra_flags, browser_log=False):
    """A headless Chromium driven through selenium; the caller quits it."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + extra_flags:
        options.add_argument(flag)
    if browser_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=options)

"""Headless Chromium for the console's browser tests (Debian's chromium,
chromium-driver and python3-selenium), and the console login line.

Contract: missing() names what is not installed (the caller skips, never
passes); start_chromium() returns a Selenium driver with its own profile
under `profile_dir` and a 30 s page-load timeout; the caller quits it.
Not thread-safe (one driver per test class).
"""

import os
import subprocess

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:
    webdriver = None

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def missing():
    """What the browser tests need and this host lacks ([] when all is there)."""
    out = [] if webdriver is not None else ["python3-selenium"]
    return out + [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]


def start_chromium(profile_dir, window="1280,1000"):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--user-data-dir={profile_dir}", f"--window-size={window}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


def console_user_line(user, password):
    """A console users-file line (`sendguard console-passwd`, argon2id)."""
    r = subprocess.run([os.environ["SENDGUARD_BIN"], "console-passwd", user], input=password + "\n",
                       capture_output=True, text=True, timeout=30, check=True)
    return r.stdout

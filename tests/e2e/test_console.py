"""The web console in a real browser: headless Chromium driven by Selenium
(Debian's chromium, chromium-driver, python3-selenium), against the daemon
behind a private Postfix.

An admin logs in (a wrong password is refused; the session cookie is
Secure, HttpOnly, SameSite=Strict), the overview chart renders with the
messages just sent, an account that the abuse rules suspended (one message
to 12 distinct recipients) is listed among the restricted accounts and
released with the button, and `sendguard abuse show` agrees; a POST without
the CSRF token is refused; without a session every page redirects to the
login and every action answers 401; failed logins are rate limited.
Screenshots go to obj/results/console/."""

import http.client
import json
import os
import re
import time
import unittest
import urllib.parse

from sgbed import bed, browser, procs

try:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # browser.missing() says so: a skip, below
    pass

ALICE, ALICE_PW = "alice@example.org", "alice-pw"
MALLORY, MALLORY_PW = "mallory@example.org", "mallory-pw"
ADMIN, ADMIN_PW = "admin", "correct horse battery staple"
HERE = os.path.dirname(os.path.abspath(__file__))
SHOTS = os.environ.get("SG_E2E_SCREENSHOTS", os.path.join(HERE, "..", "..", "obj", "results", "console"))
ABUSE_CONF = """\
condition fanout distinct_recipients >= 12 and >= 3x baseline -> suspend
default_baseline messages 3 recipients 3
duration suspend 1d
suspend_text 550 5.7.1 account suspended (console e2e)
"""


class ConsoleTest(bed.BedTestCase):
    http_port = procs.free_port()
    bed_options = bed.BedOptions(
        users={ALICE: ALICE_PW, MALLORY: MALLORY_PW},
        user="nobody",
        workers=2,
        audit_log="${files}/audit.jsonl",
        files={"quota.conf": "class default { messages 100/1h }\n", "abuse.conf": ABUSE_CONF},
        extra_toml=f"""
[quota]
policy_file = "${{files}}/quota.conf"

[abuse]
policy_file = "${{files}}/abuse.conf"

[http]
listen = "127.0.0.1:{http_port}"
console_users_file = "${{files}}/console-users"
login_attempts = 5
""")

    @classmethod
    def setUpClass(cls):
        if browser.missing():
            raise unittest.SkipTest(f"no browser: {browser.missing()}")
        cls.bed_options.files["console-users"] = browser.console_user_line(ADMIN, ADMIN_PW)
        super().setUpClass()
        os.makedirs(SHOTS, exist_ok=True)
        try:
            cls.driver = browser.start_chromium(f"{cls.bed.root}/chromium")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "driver", None) is not None:
            cls.driver.quit()
        super().tearDownClass()

    # -- helpers ----------------------------------------------------------

    def url(self, path):
        return f"http://127.0.0.1:{self.http_port}{path}"

    def request(self, method, path, body=None, cookie=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        if cookie:
            headers["Cookie"] = cookie
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        out = (r.status, r.getheaders(), r.read().decode(errors="replace"))
        conn.close()
        return out

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))

    def login(self, password=ADMIN_PW):
        d = self.driver
        d.get(self.url("/console/login"))
        d.find_element(By.ID, "user").send_keys(ADMIN)
        d.find_element(By.ID, "password").send_keys(password)
        d.find_element(By.ID, "login").click()

    def send(self, user, password, rcpts):
        message, message_id = bed.submit.make_message(user, rcpts)
        return self.bed.submit(user, rcpts, message, user=user, password=password), message_id

    def abuse_show(self, user):
        sg = self.bed.sendguard
        r = sg.command("abuse", "show", user, "-c", sg.config_path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout.splitlines()[0]

    def wait_state(self, state):
        """Waits for the account page (reloaded after a button) to show `state`."""
        WebDriverWait(self.driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: d.find_element(By.ID, "state").text == state)

    def session_cookie(self):
        for c in self.driver.get_cookies():
            if c["name"] == "sg_session":
                return c
        return None

    # -- tests (in order: they share the browser) --------------------------

    def test_1_without_a_session_nothing_is_served(self):
        for path in ("/console/", "/console/senders", f"/console/account?id={MALLORY}"):
            status, headers, _ = self.request("GET", path)
            self.assertEqual(status, 303, path)
            self.assertEqual(dict(headers)["Location"], "/console/login")
        self.assertEqual(self.request("GET", "/console/api/history?range=hour")[0], 401)
        for path in ("/console/account/suspend", "/console/account/release", "/console/logout"):
            self.assertEqual(self.request("POST", path, f"id={ALICE}")[0], 401, path)
        self.assertEqual(self.request("GET", "/console/senders", cookie="sg_session=forged")[0], 303)

    def test_2_wrong_password_is_refused(self):
        self.login(password="not the password")
        error = WebDriverWait(self.driver, 10).until(lambda d: d.find_element(By.ID, "login-error"))
        self.assertIn("Wrong user or password", error.text)
        self.assertIsNone(self.session_cookie())
        self.shot("login-refused")

    def test_3_login_and_the_overview_chart_renders_with_data(self):
        for _ in range(3):
            outcome, message_id = self.send(ALICE, ALICE_PW, ["bob@example.net"])
            self.assertTrue(outcome.accepted, str(outcome))
        time.sleep(6)  # the history ring samples every 5 s
        self.login()
        d = self.driver
        WebDriverWait(d, 10).until(lambda d: d.current_url.endswith("/console/"))
        cookie = self.session_cookie()
        self.assertIsNotNone(cookie)
        self.assertEqual((cookie["httpOnly"], cookie["secure"], cookie.get("sameSite")), (True, True, "Strict"))
        canvas = d.find_element(By.ID, "history")
        WebDriverWait(d, 15).until(lambda d: canvas.get_attribute("data-rendered") in ("yes", "error"))
        self.assertEqual(canvas.get_attribute("data-rendered"), "yes", d.find_element(By.ID, "history-error").text)
        self.assertGreaterEqual(int(canvas.get_attribute("data-total")), 3)
        self.assertGreater(canvas.size["height"], 50)
        self.shot("overview")

    def test_4_suspended_account_is_shown_and_released_with_the_button(self):
        rcpts = [f"friend{i}@example.net" for i in range(12)]
        outcome, _ = self.send(MALLORY, MALLORY_PW, rcpts)
        self.assertTrue(outcome.accepted, str(outcome))
        procs.wait_until(lambda: self.abuse_show(MALLORY).startswith(f"{MALLORY}: suspend"), 10,
                         "the abuse rules to suspend mallory")
        refused, _ = self.send(MALLORY, MALLORY_PW, ["bob@example.net"])
        self.assertFalse(refused.accepted, str(refused))
        d = self.driver
        d.get(self.url("/console/senders?restricted=1"))
        table = d.find_element(By.ID, "senders").text
        self.assertIn(MALLORY, table)
        self.assertNotIn(ALICE, table)
        self.shot("restricted")
        d.find_element(By.LINK_TEXT, MALLORY).click()
        self.assertEqual(d.find_element(By.ID, "state").text, "suspend")
        self.assertIn("fanout", d.find_element(By.ID, "history-table").text)
        self.shot("account-suspended")
        d.find_element(By.ID, "release").click()
        self.wait_state("none")
        self.assertIn("console:admin", d.find_element(By.ID, "history-table").text)
        with open(os.path.join(self.bed.sendguard.files_dir, "audit.jsonl")) as f:
            audit = [json.loads(line) for line in f]
        actions = [(e["identity"], e["action"], e["by"]) for e in audit]
        self.assertIn((MALLORY, "suspend", "sendguard"), actions)
        self.assertIn((MALLORY, "release", "console:admin"), actions)  # written by the parent for the HTTP child
        self.shot("account-released")
        self.assertEqual(self.abuse_show(MALLORY), f"{MALLORY}: none")
        again, _ = self.send(MALLORY, MALLORY_PW, ["bob@example.net"])
        self.assertTrue(again.accepted, str(again))
        d.find_element(By.ID, "suspend").click()
        self.wait_state("suspend")
        self.assertTrue(self.abuse_show(MALLORY).startswith(f"{MALLORY}: suspend"))

    def test_5_post_without_csrf_token_is_refused(self):
        cookie = f"sg_session={self.session_cookie()['value']}"
        before = self.abuse_show(ALICE)
        for body in (f"id={ALICE}", f"id={ALICE}&csrf=0000", f"id={ALICE}&csrf="):
            status, _, text = self.request("POST", "/console/account/suspend", body, cookie=cookie)
            self.assertEqual(status, 403, f"{body}: {status} {text}")
        self.assertEqual(self.abuse_show(ALICE), before)
        self.assertEqual(before, f"{ALICE}: none")
        # The same request with the page's token works: the refusal was the token's.
        self.driver.get(self.url(f"/console/account?id={urllib.parse.quote(ALICE)}"))
        token = self.driver.find_element(By.NAME, "csrf").get_attribute("value")
        status, _, _ = self.request("POST", "/console/account/release", f"id={ALICE}&csrf={token}", cookie=cookie)
        self.assertEqual(status, 303)

    def test_6_failed_logins_are_rate_limited(self):
        status, headers, _ = self.request("GET", "/console/login")
        login_cookie = re.search(r"sg_login=([0-9a-f]+)", dict(headers)["Set-Cookie"]).group(1)
        set_cookie = dict(headers)["Set-Cookie"]
        for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/console"):
            self.assertIn(flag, set_cookie)

        def attempt(password):
            body = urllib.parse.urlencode({"csrf": login_cookie, "user": ADMIN, "password": password})
            return self.request("POST", "/console/login", body, cookie=f"sg_login={login_cookie}")

        self.assertEqual(attempt("nope")[0], 401)  # test_2 failed once already
        for _ in range(3):
            self.assertEqual(attempt("nope")[0], 401)
        status, _, text = attempt(ADMIN_PW)
        self.assertEqual(status, 429, text)
        self.assertIn("Too many failed logins", text)
        self.assertEqual(self.request("POST", "/console/login", "user=admin&password=x")[0], 403, "no login token")

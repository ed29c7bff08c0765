"""The console's rules page in a real browser (headless Chromium driven by
Selenium, all from Debian), against the daemon behind a private Postfix with
two workers.

N messages that hit a known rule go through Postfix (a worker is SIGKILLed
half way: the counts live in the parent's shared table, not in a worker);
the page shows exactly N for that rule and 0 for a rule nothing hit. Search
(case-insensitive), sort by name and paging work over 1,500 rules. A reload
with a broken rule file shows the failed result with its file:line and the
previous rules still listed (and still counting); a good reload afterwards
keeps the counts and lists the new rule at 0. Screenshots go to
obj/results/console/."""

import http.client
import os
import signal
import unittest

from sgbed import bed, browser, procs

try:
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # browser.missing() says so: a skip, below
    pass

ALICE, ALICE_PW = "alice@example.org", "alice-pw"
RCPT = "bob@example.net"
ADMIN, ADMIN_PW = "admin", "rules page e2e password"
HERE = os.path.dirname(os.path.abspath(__file__))
SHOTS = os.environ.get("SG_E2E_SCREENSHOTS", os.path.join(HERE, "..", "..", "obj", "results", "console"))

N = 5  # messages that hit COUNTED
COUNTED = "SG_E2E_COUNTED"
COUNTED_TEXT = "Please read: xyzzy-count-me-7q.\n"
BULK = 1500
LOCAL_RULES = f"""\
# e2e: the rule the test counts, and one nothing hits
body     {COUNTED}   /xyzzy-count-me-7q/
describe {COUNTED}   Counted <b>by</b> the e2e test & escaped
score    {COUNTED}   0.5
body     SG_E2E_IDLE      /sendguard-e2e-never-matches-q7z/
score    SG_E2E_IDLE      0.1
"""
BULK_RULES = "".join(f"body SG_E2E_BULK_{i:04d} /zz-never-{i:04d}-qx/\nscore SG_E2E_BULK_{i:04d} 0.01\n"
                     for i in range(BULK))
RULES_TOTAL = BULK + 2
BROKEN_RULE = """\
# e2e: a broken rule file; line 3 has an unterminated group
describe SG_E2E_BROKEN  broken on purpose
body     SG_E2E_BROKEN  /unterminated (group/
score    SG_E2E_BROKEN  1.0
"""
BROKEN_LINE = 3
ADDED_RULE = "body SG_E2E_ADDED /xyzzy-added-rule/\nscore SG_E2E_ADDED 0.2\n"


class ConsoleRulesTest(bed.BedTestCase):
    http_port = procs.free_port()
    bed_options = bed.BedOptions(
        users={ALICE: ALICE_PW},
        user="nobody",
        workers=2,
        files={"actions.conf": "score default tag 50 quarantine 60 reject 70\n",
               "rules/50_e2e.cf": LOCAL_RULES, "rules/40_bulk.cf": BULK_RULES},
        extra_toml=f"""
[rules]
paths = ["${{files}}/rules"]
actions_file = "${{files}}/actions.conf"

[http]
listen = "127.0.0.1:{http_port}"
console_users_file = "${{files}}/console-users"
""")

    @classmethod
    def setUpClass(cls):
        if browser.missing():
            raise unittest.SkipTest(f"no browser: {browser.missing()}")
        cls.bed_options.files["console-users"] = browser.console_user_line(ADMIN, ADMIN_PW)
        super().setUpClass()
        os.makedirs(SHOTS, exist_ok=True)
        try:
            cls.driver = browser.start_chromium(f"{cls.bed.root}/chromium-rules", window="1400,1000")
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

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))

    def rules_dir(self):
        return os.path.join(self.bed.sendguard.files_dir, "rules")

    def send_text(self, text):
        message, message_id = bed.submit.make_message(ALICE, [RCPT], body=text)
        outcome = self.bed.submit(ALICE, [RCPT], message, user=ALICE, password=ALICE_PW)
        self.assertTrue(outcome.accepted, str(outcome))
        self.bed.sink.wait_for_message_id(message_id)

    def open_rules(self, query=""):
        """Opens the rules page (retrying while the HTTP process restarts
        after a reload); returns {rule: row cells}."""
        def opened():
            try:
                self.driver.get(self.url("/console/rules" + query))
                if self.driver.current_url.endswith("/console/login"):
                    self.login()  # sessions live in the HTTP process: a good reload replaces it
                    return False
                return self.driver.find_element(By.ID, "rules") and True
            except Exception:  # connection refused while the server restarts
                return False
        procs.wait_until(opened, 15, "the rules page", interval=0.3)
        return self.rows()

    def rows(self):
        """{rule: [cell texts]} of the table as the browser renders it."""
        return dict(self.driver.execute_script(
            "return Array.from(document.querySelectorAll('#rules tr[data-rule]'), tr =>"
            " [tr.dataset.rule, Array.from(tr.cells, td => td.innerText)]);"))

    def row_names(self):
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll('#rules tr[data-rule]'), tr => tr.dataset.rule);")

    def login(self):
        d = self.driver
        d.get(self.url("/console/login"))
        d.find_element(By.ID, "user").send_keys(ADMIN)
        d.find_element(By.ID, "password").send_keys(ADMIN_PW)
        d.find_element(By.ID, "login").click()
        WebDriverWait(d, 10).until(lambda d: d.current_url.endswith("/console/"))

    def hits(self, rule):
        row = self.open_rules(f"?q={rule}").get(rule)
        self.assertIsNotNone(row, f"{rule} is not listed")
        return row[3]

    def text(self, element_id):
        try:
            return self.driver.find_element(By.ID, element_id).text
        except NoSuchElementException:
            return None

    # -- tests (in order: they share the browser and the counts) -----------

    def test_1_without_a_session_the_page_redirects_to_the_login(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        conn.request("GET", "/console/rules?q=SG")
        r = conn.getresponse()
        self.assertEqual((r.status, r.getheader("Location")), (303, "/console/login"))
        self.assertNotIn(COUNTED, r.read().decode(errors="replace"))
        conn.close()
        self.login()

    def test_2_hits_of_n_messages_show_exactly_n(self):
        sg = self.bed.sendguard
        self.assertEqual(self.hits(COUNTED), "0")
        for i in range(N):
            if i == 2:  # a worker dies: its hits so far are not lost
                victim = sg.workers()[0][0]
                os.kill(victim, signal.SIGKILL)
                procs.wait_until(lambda: len(sg.workers()) == 2 and victim not in [p for p, _ in sg.workers()],
                                 15, "the killed worker to be replaced")
            self.send_text(COUNTED_TEXT)
        self.send_text("A clean message.\n")
        rows = self.open_rules(f"?q={COUNTED}")
        self.assertEqual(rows[COUNTED][3], str(N), rows)
        self.assertEqual(rows[COUNTED][1], "body")
        self.assertEqual(rows[COUNTED][2], "0.5")
        self.assertEqual(rows[COUNTED][4], "Counted <b>by</b> the e2e test & escaped")  # shown as text, not markup
        self.assertTrue(rows[COUNTED][5].endswith("rules/50_e2e.cf:2"), rows[COUNTED][5])
        self.assertEqual(self.text("reload-result"), "ok")
        self.assertIn("Loaded at start", self.text("rule-load"))
        self.assertRegex(self.text("rules-version"), r"^[0-9a-f]{16}$")
        self.assertEqual(self.hits("SG_E2E_IDLE"), "0")
        self.shot("rules-counted")

    def test_3_default_order_paging_search_and_sort(self):
        d = self.driver
        self.open_rules()
        self.assertEqual(self.row_names()[0], COUNTED, "the most hit rule comes first")
        self.assertEqual(len(self.row_names()), 100)
        self.assertIn(f"{RULES_TOTAL} of {RULES_TOTAL} rules; page 1 of 16", self.text("rules-count"))
        d.find_element(By.ID, "next").click()
        WebDriverWait(d, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: "page 2 of 16" in d.find_element(By.ID, "rules-count").text)
        self.assertNotIn(COUNTED, self.row_names())
        search = d.find_element(By.ID, "q")
        search.clear()
        search.send_keys("e2e_counted")
        d.find_element(By.ID, "search").click()
        WebDriverWait(d, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: "1 of" in d.find_element(By.ID, "rules-count").text)
        self.assertEqual(self.row_names(), [COUNTED])
        self.shot("rules-search")
        search = d.find_element(By.ID, "q")
        search.clear()
        search.send_keys("bulk_14")
        Select(d.find_element(By.ID, "sort")).select_by_value("name")
        d.find_element(By.ID, "search").click()
        WebDriverWait(d, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: d.find_element(By.ID, "rules-count").text.startswith("100 of"))
        self.assertEqual(self.row_names(), [f"SG_E2E_BULK_{i:04d}" for i in range(1400, 1500)])

    def test_4_a_broken_reload_shows_its_error_and_keeps_the_old_rules(self):
        sg = self.bed.sendguard
        broken = os.path.join(self.rules_dir(), "70_broken.cf")
        added = os.path.join(self.rules_dir(), "60_added.cf")
        self.addCleanup(_remove, broken, added)
        self.open_rules()
        version = self.text("rules-version")
        _write(broken, BROKEN_RULE)
        offset = sg.reload()
        where = f"{broken}:{BROKEN_LINE}"
        procs.wait_until(lambda: "reload failed" in sg.log_since(offset), 15, "the reload to fail")
        rows = self.open_rules(f"?q={COUNTED}")
        self.assertEqual(self.text("reload-result"), "failed")
        self.assertIn(where, self.text("reload-error"))
        self.assertIn("previous rules", self.text("reload-kept"))
        self.assertEqual(self.text("rules-version"), version)
        self.assertEqual(rows[COUNTED][3], str(N))
        self.shot("rules-reload-failed")
        self.send_text(COUNTED_TEXT)  # the old rules still run and count
        self.assertEqual(self.hits(COUNTED), str(N + 1))
        self.assertEqual(self.open_rules("?q=SG_E2E_BROKEN"), {})
        self.assertIn(f"{RULES_TOTAL} rules", self.text("rule-load"))

        _remove(broken)
        _write(added, ADDED_RULE)
        offset = sg.reload()
        procs.wait_until(lambda: "reloaded" in sg.log_since(offset), 20, "the good reload")
        procs.wait_until(lambda: self.open_rules("?q=SG_E2E_ADDED").get("SG_E2E_ADDED"), 15,
                         "the new HTTP process to list the added rule", interval=0.5)
        self.assertEqual(self.rows()["SG_E2E_ADDED"][3], "0")
        self.assertEqual(self.text("reload-result"), "ok")
        self.assertIn("Last reload", self.text("rule-load"))
        self.assertNotEqual(self.text("rules-version"), version)
        self.assertEqual(self.hits(COUNTED), str(N + 1), "a reload keeps the counts")
        self.shot("rules-reloaded")


def _write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)  # the daemon never sees half a file


def _remove(*paths):
    for p in paths:
        if os.path.exists(p):
            os.remove(p)

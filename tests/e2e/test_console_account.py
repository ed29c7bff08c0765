"""The console's account page in a real browser (headless Chromium driven by
Selenium), against the daemon behind a private Postfix.

dave sends one message to ten distinct recipients: the abuse rules put his
account on hold, and his next two messages go to the Postfix hold queue;
erin does the same, for a held message of another account. The page shows
dave's quota windows with the exact used counts (messages, recipients) and
his recent decisions with their reasons (the held ones with the hold
reason); the Deliver button sends a held message on (it leaves the hold
queue and reaches the sink), the Delete button removes the other one (gone
from the queue, never delivered), each with the parent's audit line naming
the console user. A held-mail POST without the CSRF token is refused, and
the parent refuses a queue id that is not the account's held mail (erin's
under dave's name) or not a queue id at all. The HTTP server runs as
`nobody` for its whole life: postsuper runs in the privileged parent.
Screenshots go to obj/results/console/."""

import os
import tempfile
import unittest
import urllib.parse

from sgbed import bed, browser, procs
from test_console import ADMIN, ADMIN_PW, SHOTS, StaleElementReferenceException, By, WebDriverWait
import test_console

DAVE, ERIN, PW = "dave@example.org", "erin@example.org", "secret-pw"
FANOUT = [f"friend{i}@example.net" for i in range(10)]
ABUSE_CONF = """\
condition fanout distinct_recipients >= 10 and >= 3x baseline -> hold
default_baseline messages 3 recipients 3
duration hold 1d
"""
QUOTA_CONF = "class default {\n    messages 100/1h\n    recipients 500/1h\n}\n"
HOLD_REASON = "account held for review (abuse: fanout)"


class ConsoleAccountTest(unittest.TestCase):
    http_port = procs.free_port()

    @classmethod
    def setUpClass(cls):
        if browser.missing():
            raise unittest.SkipTest(f"no browser: {browser.missing()}")
        root = tempfile.mkdtemp(prefix="sendguard-e2e-console-account-")
        postfix_config = os.path.join(root, "postfix", "config")
        options = bed.BedOptions(
            users={DAVE: PW, ERIN: PW}, user="nobody", workers=2,
            files={"quota.conf": QUOTA_CONF, "abuse.conf": ABUSE_CONF, "console-users": browser.console_user_line(ADMIN, ADMIN_PW)},
            extra_toml=f"""
[quota]
policy_file = "${{files}}/quota.conf"

[abuse]
policy_file = "${{files}}/abuse.conf"
postfix_config_dir = "{postfix_config}"

[http]
listen = "127.0.0.1:{cls.http_port}"
console_users_file = "${{files}}/console-users"
""")
        cls.bed = bed.TestBed(options, root=root)
        cls.addClassCleanup(cls.bed.stop)
        cls.bed.start()
        os.makedirs(SHOTS, exist_ok=True)
        cls.driver = browser.start_chromium(f"{root}/chromium", window="1400,1200")
        cls.addClassCleanup(cls.driver.quit)
        cls.held = {DAVE: cls.hold(DAVE), ERIN: cls.hold(ERIN)}

    # -- helpers ----------------------------------------------------------

    url = test_console.ConsoleTest.url
    request = test_console.ConsoleTest.request
    shot = test_console.ConsoleTest.shot
    login = test_console.ConsoleTest.login
    session_cookie = test_console.ConsoleTest.session_cookie

    @classmethod
    def send(cls, login, rcpts):
        message, message_id = bed.submit.make_message(login, rcpts)
        return cls.bed.submit(login, rcpts, message, user=login, password=PW), message_id

    @classmethod
    def hold(cls, login):
        """The fan-out puts `login` on hold; its next two messages are held:
        [(queue id, message id), ...]."""
        outcome, _ = cls.send(login, FANOUT)
        assert outcome.accepted, str(outcome)
        held = []
        for n in range(2):
            outcome, message_id = cls.send(login, [f"later{n}@example.net"])
            assert outcome.accepted, str(outcome)
            procs.wait_until(lambda: outcome.queue_id in cls.bed.postfix.held_ids(), 10,
                             f"{outcome.queue_id} of {login} in the hold queue")
            held.append((outcome.queue_id, message_id))
        return held

    def open_account(self, login):
        self.driver.get(self.url(f"/console/account?id={urllib.parse.quote(login)}"))

    def cell(self, table_id, row_text, cls):
        for row in self.driver.find_element(By.ID, table_id).find_elements(By.TAG_NAME, "tr"):
            if row_text in row.text:
                return row.find_element(By.CLASS_NAME, cls).text
        self.fail(f"no row with {row_text!r} in #{table_id}")

    def held_post(self, body):
        cookie = f"sg_session={self.session_cookie()['value']}"
        return self.request("POST", "/console/account/held", body, cookie=cookie)

    def token(self):
        self.open_account(DAVE)
        return self.driver.find_element(By.NAME, "csrf").get_attribute("value")

    def wait_gone_from_page(self, queue_id):
        WebDriverWait(self.driver, 15, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: d.current_url.endswith(f"/console/account?id={DAVE}") and
            not d.find_elements(By.ID, f"held-{queue_id}"))

    # -- tests (in order: they share the browser) --------------------------

    def test_1_page_shows_quota_windows_and_decisions_with_reasons(self):
        self.login()
        WebDriverWait(self.driver, 10).until(lambda d: d.current_url.endswith("/console/"))
        self.open_account(DAVE)
        d = self.driver
        self.assertEqual(d.find_element(By.ID, "state").text, "hold")
        self.assertEqual(d.find_element(By.ID, "quota-class").text, "default")
        self.assertEqual(self.cell("quota-table", "100 messages/1h", "used"), "3")
        self.assertEqual(self.cell("quota-table", "500 recipients/1h", "used"), "12")
        self.assertEqual(self.cell("quota-table", "100 messages/1h", "frees"), "fits now")
        decisions = d.find_element(By.ID, "decisions-table")
        rows = decisions.find_elements(By.TAG_NAME, "tr")[1:]
        self.assertEqual(len(rows), 3, decisions.text)
        for queue_id, _ in self.held[DAVE]:
            row = [r for r in rows if queue_id in r.text]
            self.assertEqual(len(row), 1, f"{queue_id} in {decisions.text}")
            self.assertIn("quarantine", row[0].text)
            self.assertIn(HOLD_REASON, row[0].text)
            self.assertIn("abuse=hold", row[0].text)
        first = rows[-1].text  # oldest last: the fan-out itself, accepted
        self.assertIn("accept", first)
        self.assertIn("(+7 more)", first)
        self.assertIn("abuse=none", first)
        held_table = d.find_element(By.ID, "held-table").text
        for queue_id, _ in self.held[DAVE]:
            self.assertIn(queue_id, held_table)
        self.assertNotIn(self.held[ERIN][0][0], held_table)
        self.shot("account-held")

    def test_2_deliver_button_releases_a_held_message_to_the_sink(self):
        queue_id, message_id = self.held[DAVE][0]
        log_at = self.bed.sendguard.log_size()
        self.open_account(DAVE)
        self.driver.find_element(By.ID, f"deliver-{queue_id}").click()
        self.wait_gone_from_page(queue_id)
        self.assertNotIn(queue_id, self.bed.postfix.held_ids())
        received = self.bed.sink.wait_for_message_id(message_id)
        self.assertIsNotNone(received)
        self.assertIn(f"abuse: identity={DAVE} action=deliver-held by=console:{ADMIN} condition=manual from=none to=none until=- queue_ids={queue_id}",
                      self.bed.sendguard.log_since(log_at))
        self.shot("account-delivered")

    def test_3_delete_button_removes_the_other_held_message(self):
        queue_id, message_id = self.held[DAVE][1]
        log_at = self.bed.sendguard.log_size()
        self.open_account(DAVE)
        self.driver.find_element(By.ID, f"delete-{queue_id}").click()
        self.wait_gone_from_page(queue_id)
        procs.wait_until(lambda: queue_id not in self.bed.postfix.queue_ids(), 10, f"{queue_id} deleted")
        self.assertEqual(self.bed.sink.with_message_id(message_id), [])
        self.assertIn(f"abuse: identity={DAVE} action=delete-held by=console:{ADMIN} condition=manual from=none to=none until=- queue_ids={queue_id}",
                      self.bed.sendguard.log_since(log_at))
        self.assertIn("0 in the hold queue", self.driver.page_source)

    def test_4_held_post_without_csrf_token_is_refused(self):
        queue_id = self.held[ERIN][0][0]
        for body in (f"id={ERIN}&queue_id={queue_id}&action=delete",
                     f"id={ERIN}&queue_id={queue_id}&action=delete&csrf=0000"):
            status, _, text = self.held_post(body)
            self.assertEqual(status, 403, f"{body}: {status} {text}")
        self.assertIn(queue_id, self.bed.postfix.held_ids())

    def test_5_parent_refuses_a_queue_id_that_is_not_the_accounts_held_mail(self):
        erins, _ = self.held[ERIN][0]
        token = self.token()
        log_at = self.bed.sendguard.log_size()
        status, _, text = self.held_post(f"id={DAVE}&queue_id={erins}&action=delete&csrf={token}")
        self.assertEqual((status, text.strip()), (403, f"{erins} is not held mail of {DAVE}"))
        status, _, text = self.held_post(f"id={ERIN}&queue_id=..%2Fetc%2Fpasswd&action=deliver&csrf={token}")
        self.assertEqual((status, text.strip()), (403, "'../etc/passwd' is not a Postfix queue id"))
        status, _, text = self.held_post(f"id={ERIN}&queue_id=-d%20ALL&action=delete&csrf={token}")
        self.assertEqual(status, 400, text)  # a space would change the parent's line: not even sent
        self.assertIn("held-mail request refused: '../etc/passwd' is not a Postfix queue id",
                      self.bed.sendguard.log_since(log_at))
        self.assertIn(erins, self.bed.postfix.held_ids())
        # The same request under erin's name is hers to act on: the refusal was the ownership's.
        status, _, text = self.held_post(f"id={ERIN}&queue_id={erins}&action=delete&csrf={token}")
        self.assertEqual(status, 303, text)
        procs.wait_until(lambda: erins not in self.bed.postfix.queue_ids(), 10, f"{erins} deleted")


if __name__ == "__main__":
    unittest.main()

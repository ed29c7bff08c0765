"""Compromised accounts through real Postfix: an account that sent normally
bursts phishing to many distinct recipients from several client addresses
(XCLIENT ADDR, then AUTH) and is suspended within 20 messages of the burst; the suspension
refuses it at MAIL FROM with the policy's text, shows in `sendguard abuse
show`, survives a restart, and `sendguard abuse release` lifts it. An
account whose content keeps being rejected is held: its next mail goes to
the Postfix hold queue unsigned, and `release --deliver-held` delivers it,
`--delete-held` deletes it. Baselines come from old Postfix logs (`abuse
learn`); a bulk sender (an exempt class, a large learned baseline) sending
as much is never restricted. Every change is POSTed to a webhook, signed
with HMAC-SHA256, and retried from the outbox while the receiver is down,
and mailed to the abuse desk through the local sendmail(1). Every action,
automatic or by hand, held mail included, is a line of the audit log, which
follows a rotation (`sendguard reopen-logs`)."""

import hashlib
import hmac
import http.server
import json
import os
import tempfile
import threading

from sgbed import bed, messages, procs

PW = "pw"
CAROL, DAVE, ERIN, BULK = "carol@example.org", "dave@example.org", "erin@example.org", "news@example.org"
FRANK, GRACE = "frank@example.org", "grace@example.org"
SECRET = "e2e-webhook-secret"
ABUSE_DESK, ALERTS_FROM = "abuse-desk@example.net", "sendguard-alerts@example.org"
RCPT = "friend@example.net"
SUSPEND_TEXT = "account suspended (e2e), write to abuse@example.org"

QUOTA_CONF = f"""\
class default {{
    messages 10000/1h
}}
class bulk {{
    messages 10000/1h
}}
users {{
    {BULK} bulk
}}
"""
ACTIONS_CONF = """\
score default tag 1.5 quarantine 40 reject 6.5
reject_text refused as spam (e2e)
"""
ABUSE_CONF = f"""\
condition fanout         distinct_recipients >= 12 and >= 3x baseline -> suspend
condition many_addresses client_addresses    >= 4                      -> suspend
condition spam_content   content_rejected    >= 2                      -> hold
default_baseline messages 3 recipients 3
duration suspend 1d
duration hold 1d
suspend_text 550 5.7.1 {SUSPEND_TEXT}
exempt_class bulk
"""


def _postfix_log():
    """Old Postfix logs: carol sent 2 messages an hour to 2 friends for 50
    hours; the newsletter 300 an hour to 300 subscribers for 20 hours."""
    lines, n = [], 0
    for login, hours, per_hour, rcpts in ((CAROL, 50, 2, 2), (BULK, 20, 300, 300)):
        for h in range(hours):
            stamp = f"Nov {1 + h // 24:2d} {h % 24:02d}:10:00"
            for m in range(per_hour):
                n += 1
                q = f"4Q{n:06d}A"
                lines.append(f"{stamp} relay postfix/submission/smtpd[7]: {q}: client=pc[192.0.2.10], "
                             f"sasl_method=PLAIN, sasl_username={login}")
                lines.append(f"{stamp} relay postfix/qmgr[8]: {q}: from=<{login}>, size=999, nrcpt={1} (queue active)")
                r = (m % rcpts) if login == CAROL else m
                lines.append(f"{stamp} relay postfix/smtp[9]: {q}: to=<friend{r}@example.net>, relay=mx[192.0.2.1]:25, "
                             "status=sent (250 ok)")
    return "\n".join(lines) + "\n"


class Receiver:
    """The abuse desk's webhook endpoint: records every POST (headers, body)
    and answers 200. stop() takes it down; start() brings it back on the
    same port."""

    def __init__(self):
        self.port = procs.free_port()
        self.posts = []
        self.server = None

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.posts.append((dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def alerts(self, identity, action):
        """The JSON bodies of alerts about `identity` with `action`, each
        checked against its HMAC-SHA256 signature header."""
        found = []
        for headers, body in list(self.posts):
            want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            if headers.get("X-Sendguard-Signature") != want:
                raise AssertionError(f"bad signature {headers.get('X-Sendguard-Signature')} on {body[:200]!r}")
            alert = json.loads(body)
            if alert["identity"] == identity and alert["action"] == action:
                found.append(alert)
        return found


class AbuseTest(bed.BedTestCase):
    @classmethod
    def setUpClass(cls):
        root = tempfile.mkdtemp(prefix="sendguard-e2e-abuse-")
        postfix_config = os.path.join(root, "postfix", "config")
        cls.receiver = Receiver()
        cls.receiver.start()
        cls.addClassCleanup(cls.receiver.stop)
        secret_file = os.path.join(root, "webhook.secret")
        with open(secret_file, "w") as f:
            f.write(SECRET + "\n")
        os.chmod(secret_file, 0o600)
        options = bed.BedOptions(
            users={CAROL: PW, DAVE: PW, ERIN: PW, BULK: PW, FRANK: PW, GRACE: PW},
            audit_log="${files}/audit.jsonl",
            extra_main_cf="smtpd_authorized_xclient_hosts = 127.0.0.1\n",
            files={"quota.conf": QUOTA_CONF, "actions.conf": ACTIONS_CONF, "abuse.conf": ABUSE_CONF},
            extra_toml=f"""\
[quota]
policy_file = "${{files}}/quota.conf"

[rules]
paths = ["{messages.RULES_DIR}"]
actions_file = "${{files}}/actions.conf"

[abuse]
policy_file = "${{files}}/abuse.conf"
postfix_config_dir = "{postfix_config}"
webhook_url = "http://127.0.0.1:{cls.receiver.port}/abuse"
webhook_secret_file = "{secret_file}"
webhook_timeout_ms = 1000
alert_mail_to = ["{ABUSE_DESK}"]
alert_mail_from = "{ALERTS_FROM}"
""")
        cls.bed = bed.TestBed(options, root=root)
        cls.bed.start()
        cls.log_path = os.path.join(root, "maillog.old")
        with open(cls.log_path, "w") as f:
            f.write(_postfix_log())
        sg = cls.bed.sendguard
        cls.learned = sg.command("abuse", "learn", "--postfix-log", cls.log_path, "-c", sg.config_path)

    def send(self, login, rcpt=RCPT, client="192.0.2.10", body="Hello.\n", rule=None):
        if rule:
            message, message_id = messages.hit_message(rule, login, [rcpt])
        else:
            message, message_id = bed.submit.make_message(login, [rcpt], subject="abuse e2e", body=body)
        outcome = bed.submit.submit(self.bed.postfix.port, login, [rcpt], message, user=login, password=PW,
                                    xclient=f"ADDR={client}")
        return outcome, message_id

    def abuse(self, *args):
        sg = self.bed.sendguard
        return sg.command("abuse", *args, "-c", sg.config_path)

    def audit_path(self):
        return os.path.join(self.bed.sendguard.files_dir, "audit.jsonl")

    def audit(self, identity, action, path=None):
        """The audit log's entries about `identity` with `action` (each line
        must be one JSON object)."""
        try:
            with open(path or self.audit_path()) as f:
                entries = [json.loads(line) for line in f]
        except FileNotFoundError:
            return []
        for e in entries:
            self.assertEqual(e["type"], "sendguard.audit", e)
        return [e for e in entries if e["identity"] == identity and e["action"] == action]

    def assert_suspended_reply(self, outcome):
        self.assertFalse(outcome.accepted, str(outcome))
        self.assertEqual((outcome.stage, outcome.code), ("MAIL", 550), str(outcome))
        self.assertIn(SUSPEND_TEXT, outcome.reply)

    def test_baselines_learned_from_postfix_logs(self):
        self.assertEqual(self.learned.returncode, 0, self.learned.stdout + self.learned.stderr)
        self.assertIn(f"{CAROL}: 100 messages in 50 active hours, 2 messages and 2 recipients", self.learned.stdout)
        shown = self.abuse("show", BULK)
        self.assertIn("baseline over 20 active hours", shown.stdout)

    def test_burst_from_many_addresses_is_suspended_then_released(self):
        self.assertIn("baseline over 50 active hours", self.abuse("show", CAROL).stdout)
        for i in range(3):  # a normal start: one friend, one address
            outcome, _ = self.send(CAROL)
            self.assertTrue(outcome.accepted, str(outcome))
        burst = 0
        outcome = None
        for i in range(40):
            outcome, _ = self.send(CAROL, rcpt=f"victim{i}@d{i}.example", client=f"198.51.100.{1 + i % 6}",
                                   rule="SG_PHISH_VERIFY_ACCOUNT")
            burst += 1
            if not outcome.accepted:
                break
        self.assert_suspended_reply(outcome)
        self.assertLessEqual(burst, 20, f"suspended only after {burst} burst messages")
        shown = self.abuse("show", CAROL)
        self.assertEqual(shown.returncode, 0, shown.stdout + shown.stderr)
        self.assertIn(f"{CAROL}: suspend", shown.stdout)
        listed = self.abuse("list")
        self.assertIn(CAROL, listed.stdout)
        log = self.bed.sendguard.log_since(0)
        self.assertIn(f"abuse: identity={CAROL} action=suspend by=sendguard", log)
        entry = procs.wait_until(lambda: self.audit(CAROL, "suspend"), 5, "the audit entry of the suspension")[0]
        self.assertEqual((entry["by"], entry["to"], entry["result"]), ("sendguard", "suspend", "ok"), entry)
        self.assertIn(entry["condition"], ("fanout", "many_addresses"), entry)
        self.assertTrue(entry["queue_ids"] and entry["queue_ids"][0] != "NOQUEUE", entry)
        self.assertGreater(entry["until"], entry["time"], entry)
        self.assertGreaterEqual(entry["signals"]["messages"], 3, entry)

        alerts = procs.wait_until(lambda: self.receiver.alerts(CAROL, "suspend"), 15, "the webhook alert")
        self.assertEqual(alerts[0]["to"], "suspend")
        self.assertGreaterEqual(alerts[0]["signals"]["client_addresses"], 4)
        self.assertTrue(alerts[0]["evidence"], alerts[0])
        subject = f"sendguard: {CAROL} suspend"

        def alert_mail():
            return [m for m in self.bed.sink.messages()
                    if any(subject in v for v in m.header_values("Subject")) and ABUSE_DESK in m.rcpt_tos]
        mails = procs.wait_until(alert_mail, 20, "the alert mail at the sink")
        self.assertIn(b"sendguard abuse release", mails[0].raw)

        sg = self.bed.sendguard
        sg.stop()
        sg.start()
        self.assert_suspended_reply(self.send(CAROL)[0])

        released = self.abuse("release", CAROL)
        self.assertEqual(released.returncode, 0, released.stdout + released.stderr)
        self.assertIn(f"abuse: identity={CAROL} action=release by=cli:", released.stderr)
        entry = self.audit(CAROL, "release")[0]
        self.assertTrue(entry["by"].startswith("cli:"), entry)
        self.assertEqual((entry["condition"], entry["from"], entry["to"]), ("manual", "suspend", "none"), entry)
        self.assertTrue(self.send(CAROL)[0].accepted)
        procs.wait_until(lambda: self.receiver.alerts(CAROL, "release"), 15, "the webhook alert of the release")
        history = self.abuse("history", CAROL)
        self.assertIn("suspend", history.stdout)
        self.assertIn("release manual by cli:", history.stdout)

    def hold_with_content(self, login):
        for _ in range(2):
            outcome, _ = self.send(login, rule="SG_URI_PHISH_COMBO")
            self.assertEqual((outcome.stage, outcome.code), ("DATA", 550), str(outcome))
        outcome, message_id = self.send(login, body="A message that waits for review.\n")
        self.assertTrue(outcome.accepted, str(outcome))
        procs.wait_until(lambda: outcome.queue_id in self.bed.postfix.held_ids(), 10,
                         f"{outcome.queue_id} in the hold queue")
        return outcome.queue_id, message_id

    def test_held_mail_is_delivered_on_release(self):
        queue_id, message_id = self.hold_with_content(DAVE)
        self.assertEqual(self.bed.sink.with_message_id(message_id), [])
        released = self.abuse("release", DAVE, "--deliver-held")
        self.assertEqual(released.returncode, 0, released.stdout + released.stderr)
        self.assertIn("released 1 held message", released.stdout)
        received = self.bed.sink.wait_for_message_id(message_id)
        self.assertEqual(received.header_values("DKIM-Signature"), [])
        self.assertEqual(self.audit(DAVE, "hold")[0]["by"], "sendguard")
        entry = self.audit(DAVE, "deliver-held")[0]
        self.assertEqual((entry["queue_ids"], entry["result"]), ([queue_id], "ok"), entry)

    def test_held_mail_is_deleted_on_release(self):
        queue_id, message_id = self.hold_with_content(ERIN)
        released = self.abuse("release", ERIN, "--delete-held")
        self.assertEqual(released.returncode, 0, released.stdout + released.stderr)
        procs.wait_until(lambda: queue_id not in self.bed.postfix.queue_ids(), 10, f"{queue_id} deleted")
        self.assertEqual(self.bed.sink.with_message_id(message_id), [])
        entry = self.audit(ERIN, "delete-held")[0]
        self.assertEqual((entry["queue_ids"], entry["result"]), ([queue_id], "ok"), entry)

    def test_audit_log_follows_a_rotation_and_suspend_needs_it(self):
        sg = self.bed.sendguard
        suspended = self.abuse("suspend", GRACE, "--for", "1h", "--reason", "reported by a customer")
        self.assertEqual(suspended.returncode, 0, suspended.stdout + suspended.stderr)
        entry = self.audit(GRACE, "suspend")[0]
        self.assertEqual((entry["reason"], entry["condition"]), ("reported by a customer", "manual"), entry)
        self.assertEqual(entry["until"], entry["time"] + 3600, entry)
        self.assertEqual(os.stat(self.audit_path()).st_mode & 0o777, 0o640)
        rotated = self.audit_path() + ".1"
        os.rename(self.audit_path(), rotated)
        reopened = sg.command("reopen-logs", "-c", sg.config_path)
        self.assertEqual(reopened.returncode, 0, reopened.stdout + reopened.stderr)
        self.assertIn("audit.jsonl", reopened.stdout)
        self.assertEqual(self.abuse("release", GRACE).returncode, 0)
        self.hold_with_content(GRACE)  # an automatic action: written by the daemon
        procs.wait_until(lambda: self.audit(GRACE, "hold"), 10, "the hold in the reopened audit log")
        self.assertEqual(len(self.audit(GRACE, "release")), 1)
        self.assertEqual([e["action"] for e in self.audit(GRACE, "suspend", rotated)], ["suspend"])
        self.assertEqual(self.audit(GRACE, "hold", rotated), [], "the daemon wrote on to the rotated file")
        # A command that would act but cannot write its audit entry does not act.
        os.rename(self.audit_path(), rotated)
        os.mkdir(self.audit_path())
        try:
            refused = self.abuse("suspend", GRACE)
        finally:
            os.rmdir(self.audit_path())
            os.rename(rotated, self.audit_path())
        self.assertNotEqual(refused.returncode, 0, refused.stdout + refused.stderr)
        self.assertIn("[log] audit_log", refused.stderr)
        self.assertIn(f"{GRACE}: hold", self.abuse("show", GRACE).stdout)

    def test_exempt_bulk_sender_with_a_large_baseline_is_not_restricted(self):
        for i in range(30):
            outcome, _ = self.send(BULK, rcpt=f"subscriber{i}@list{i}.example", client=f"203.0.113.{1 + i % 6}")
            self.assertTrue(outcome.accepted, f"bulk message {i}: {outcome}")
        shown = self.abuse("show", BULK)
        self.assertIn(f"{BULK}: none", shown.stdout)

    def test_webhook_alert_is_retried_after_the_receiver_was_down(self):
        self.receiver.stop()
        try:
            self.hold_with_content(FRANK)
            procs.wait_until(lambda: any(n.endswith(".alert") for n in os.listdir(self.outbox())), 10,
                             "the alert to wait in the outbox")
        finally:
            self.receiver.start()
        alerts = procs.wait_until(lambda: self.receiver.alerts(FRANK, "hold"), 20, "the retried alert")
        self.assertEqual(len(alerts), 1, alerts)

    def outbox(self):
        return os.path.join(self.bed.sendguard.state_dir, "outbox")

    def test_broken_abuse_policy_refuses_a_start_and_a_reload_keeps_the_old_one(self):
        sg = self.bed.sendguard
        path = os.path.join(sg.files_dir, "abuse.conf")
        with open(path) as f:
            good = f.read()
        self.addCleanup(lambda: open(path, "w").write(good))
        with open(path, "w") as f:
            f.write(good + "condition oops messages >= many -> suspend\n")
        where = f"{path}:{good.count(chr(10)) + 1}"
        checked = sg.command("check-config", "-c", sg.config_path)
        self.assertEqual(checked.returncode, 78, checked.stdout + checked.stderr)
        self.assertIn(where, checked.stderr)
        reload = sg.command("reload", "-c", sg.config_path, timeout=60)
        self.assertNotEqual(reload.returncode, 0, reload.stdout + reload.stderr)
        self.assertIn(where, reload.stderr)
        self.assertTrue(self.send(DAVE, body="Still served by the old policy.\n")[0].accepted)

"""A real Sendmail: Debian's sendmail-bin (unpacked, as sgbed/sendmail.py
says why) with sendguard attached by the lines of contrib/sendmail/sendguard.mc,
built into sendmail.cf by Debian's sendmail-cf m4 macros. An authenticated
submission carries its SASL login as identity and gets an RSA and an Ed25519
signature both verifiers accept; a quota refusal and a content reject come
back with their SMTP replies; while sendguard is down, F=T makes Sendmail
answer 4xx and deliver nothing."""

import os
import shutil
import tempfile
import time
import unittest

from sgbed import bed, dkimkeys, messages, procs, sendmail

ALICE, ALICE_PW = "alice@example.org", "alice-pw"
DAVE, DAVE_PW = "dave@example.org", "dave-pw"
RCPT = "bob@example.net"
DOMAIN = "example.org"
REJECT_TEXT = "e2e content policy: refused as spam"

ACTIONS_CONF = f"""\
score default tag 1.5 quarantine 100 reject 6.5
reject_text {REJECT_TEXT}
"""

QUOTA_CONF = f"""\
class default {{
    messages 1000/1h
}}
class tiny {{
    messages 1/1h
}}
users {{
    {DAVE} tiny
}}
"""


class SendmailTest(bed.BedTestCase):
    @classmethod
    def setUpClass(cls):
        missing = sendmail.missing_parts()
        if missing:
            raise unittest.SkipTest(missing)
        keydir = tempfile.mkdtemp(prefix="sendguard-e2e-keys-")
        if not os.environ.get("SG_E2E_KEEP"):
            cls.addClassCleanup(shutil.rmtree, keydir, ignore_errors=True)
        binary = os.path.abspath(os.environ["SENDGUARD_BIN"])
        cls.keys = [dkimkeys.make_key(binary, keydir, DOMAIN, "rsa", "rsa"),
                    dkimkeys.make_key(binary, keydir, DOMAIN, "ed", "ed25519")]
        key_table, signing_table = dkimkeys.write_tables(keydir, cls.keys, [DOMAIN])
        cls.dns_file = dkimkeys.write_dns_file(os.path.join(keydir, "dns.txt"), cls.keys)
        cls.bed_options = bed.BedOptions(
            mta="sendmail", users={ALICE: ALICE_PW, DAVE: DAVE_PW},
            files={"actions.conf": ACTIONS_CONF, "quota.conf": QUOTA_CONF},
            extra_toml=f"""\
[quota]
policy_file = "${{files}}/quota.conf"

[rules]
paths = ["{messages.RULES_DIR}"]
actions_file = "${{files}}/actions.conf"

[dkim]
key_table = "{key_table}"
signing_table = "{signing_table}"
""")
        super().setUpClass()

    def send(self, message, user=ALICE, password=ALICE_PW, mail_from=ALICE):
        return self.bed.submit(mail_from, [RCPT], message, user=user, password=password)

    def identity(self, received):
        values = received.header_values("X-Sendguard")
        self.assertEqual(len(values), 1, f"want one X-Sendguard header, got {values}")
        return values[0].split()[-1]

    def test_sendmail_cf_has_the_shipped_filter(self):
        with open(self.bed.mta.cf_path) as f:
            cf = f.read()
        socket_path = self.bed.sendguard.socket_path
        self.assertIn(f"Xsendguard, S=unix:{socket_path}, F=T, T=C:10s;S:30s;R:30s;E:2m", cf)
        self.assertIn("O InputMailFilters=sendguard", cf)
        self.assertIn("{auth_authen}", cf.split("O Milter.macros.envfrom=")[1].split("\n")[0])

    def test_authenticated_submission_is_signed_with_its_login_as_identity(self):
        message, message_id = bed.submit.make_message(ALICE, [RCPT], subject="sendmail auth")
        outcome = self.send(message)
        self.assertTrue(outcome.accepted, str(outcome))
        received = self.bed.sink.wait_for_message_id(message_id)
        self.assertEqual(self.identity(received), ALICE)
        signatures = received.header_values("DKIM-Signature")
        self.assertEqual(len(signatures), 2, f"want RSA + Ed25519 signatures: {signatures}")
        for verify in (dkimkeys.verify_dkimpy, dkimkeys.verify_opendkim):
            ok, output = verify(received.path, self.dns_file, expected=2)
            self.assertTrue(ok, f"{verify.__name__} rejects {received.path}:\n{output}")

    def test_quota_refusal(self):
        first, first_id = bed.submit.make_message(DAVE, [RCPT], subject="quota 1")
        self.assertTrue(self.send(first, DAVE, DAVE_PW, DAVE).accepted)
        self.bed.sink.wait_for_message_id(first_id)
        second, second_id = bed.submit.make_message(DAVE, [RCPT], subject="quota 2")
        outcome = self.send(second, DAVE, DAVE_PW, DAVE)
        self.assertFalse(outcome.accepted, str(outcome))
        self.assertEqual((outcome.stage, outcome.code), ("RCPT", 451), str(outcome))
        self.assertIn("quota", outcome.reply)
        self.assertIn(DAVE, outcome.reply)
        time.sleep(1)
        self.assertEqual(self.bed.sink.with_message_id(second_id), [])

    def test_content_reject(self):
        message, message_id = messages.hit_message("SG_URI_PHISH_COMBO", ALICE, [RCPT])
        outcome = self.send(message)
        self.assertFalse(outcome.accepted, f"spam accepted: {outcome}")
        self.assertEqual((outcome.stage, outcome.code), ("DATA", 550), str(outcome))
        self.assertIn(REJECT_TEXT, outcome.reply)
        time.sleep(1)
        self.assertEqual(self.bed.sink.with_message_id(message_id), [])

    def test_sendguard_down_tempfails_with_f_t(self):
        sg = self.bed.sendguard
        self.assertEqual(sg.stop(), 0)
        try:
            message, message_id = bed.submit.make_message(ALICE, [RCPT], subject="while down")
            outcome = self.send(message)
            self.assertFalse(outcome.accepted, f"accepted while sendguard is down: {outcome}")
            self.assertTrue(400 <= outcome.code < 500, f"want 4xx (F=T), got {outcome}")
            time.sleep(1)
            self.assertEqual(self.bed.sink.with_message_id(message_id), [])
        finally:
            sg.start()
        message, message_id = bed.submit.make_message(ALICE, [RCPT], subject="after restart")
        procs.wait_until(lambda: self.send(message).accepted, 20, "sendmail to accept again")
        self.bed.sink.wait_for_message_id(message_id)

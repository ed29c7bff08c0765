"""Internationalised domains through real Postfix (smtputf8_enable = yes): a
login in one spelling of an IDN domain sending with a From in the other is
accepted and DKIM-signed with the A-label d= (checked by dkimpy and
OpenDKIM's verifier), and the quota counts of both spellings land in one
identity, which `sendguard quota show` finds under either spelling."""

import json
import os
import shutil
import tempfile

from sgbed import bed, dkimkeys

A_LABEL = "xn--exmple-cua.org"
U_LABEL = "exämple.org"
LOGIN_A = f"demo@{A_LABEL}"
LOGIN_U = f"demo@{U_LABEL}"
PASSWORD = "demo-pw"
RCPT = "bob@example.net"

QUOTA_CONF = """\
class default {
    messages 1000/1h
}
"""


def _xtext(text):
    """RFC 1891 xtext, as XCLIENT attribute values are written."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        out.append(char if 33 <= byte <= 126 and char not in "+=" else f"+{byte:02X}")
    return "".join(out)


def _message(from_header, subject):
    message_id = f"<idna-{os.urandom(6).hex()}@{A_LABEL}>"
    text = (f"From: Demo <{from_header}>\r\nTo: <{RCPT}>\r\nSubject: {subject}\r\n"
            f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "Grüße from an IDN domain.\r\n")
    return text.encode(), message_id


class IdnaTest(bed.BedTestCase):

    @classmethod
    def setUpClass(cls):
        keydir = tempfile.mkdtemp(prefix="sendguard-e2e-idna-")
        if not os.environ.get("SG_E2E_KEEP"):
            cls.addClassCleanup(shutil.rmtree, keydir, ignore_errors=True)
        binary = os.path.abspath(os.environ["SENDGUARD_BIN"])
        cls.keys = [dkimkeys.make_key(binary, keydir, A_LABEL, "rsa", "rsa"),
                    dkimkeys.make_key(binary, keydir, A_LABEL, "ed", "ed25519")]
        # The signing table names the domain as people write it.
        key_table, signing_table = dkimkeys.write_tables(keydir, cls.keys, [U_LABEL])
        cls.dns_file = dkimkeys.write_dns_file(os.path.join(keydir, "dns.txt"), cls.keys)
        cls.bed_options = bed.BedOptions(
            users={LOGIN_A: PASSWORD},
            files={"quota.conf": QUOTA_CONF},
            extra_main_cf="smtputf8_enable = yes\nsmtpd_authorized_xclient_hosts = 127.0.0.1\n",
            extra_toml=f"""\
[quota]
policy_file = "${{files}}/quota.conf"

[dkim]
key_table = "{key_table}"
signing_table = "{signing_table}"
""")
        super().setUpClass()

    def quota_used(self, who):
        sg = self.bed.sendguard
        result = sg.command("quota", "show", who, "--json", "-c", sg.config_path)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        shown = json.loads(result.stdout)
        return shown["user"], max(l["used"] for l in shown["limits"] if l["metric"] == "messages")

    def assert_signed_by_a_label(self, received):
        signatures = received.header_values("DKIM-Signature")
        self.assertEqual(len(signatures), 2, f"want 2 DKIM-Signature headers: {signatures}")
        for s in signatures:
            self.assertRegex(s, rf"(^|;)\s*d={A_LABEL}\s*;", s)
        for verify in (dkimkeys.verify_dkimpy, dkimkeys.verify_opendkim):
            ok, output = verify(received.path, self.dns_file, expected=2)
            self.assertTrue(ok, f"{verify.__name__} rejects {received.path}:\n{output}")

    def test_one_identity_in_both_spellings(self):
        sg = self.bed.sendguard
        sg.command("quota", "reset", LOGIN_A, "-c", sg.config_path)
        # AUTH as the A-label, From in the U-label (an SMTPUTF8 header).
        message, message_id = _message(LOGIN_U, "a-label login, u-label From")
        outcome = self.bed.submit(LOGIN_A, [RCPT], message, user=LOGIN_A, password=PASSWORD)
        self.assertTrue(outcome.accepted, str(outcome))
        self.assert_signed_by_a_label(self.bed.sink.wait_for_message_id(message_id))
        # The U-label login (XCLIENT LOGIN, xtext), From in the A-label.
        log_offset = sg.log_size()
        message, message_id = _message(LOGIN_A, "u-label login, a-label From")
        outcome = self.bed.submit(LOGIN_A, [RCPT], message, starttls=False,
                                  xclient=f"LOGIN={_xtext(LOGIN_U)}")
        self.assertTrue(outcome.accepted, str(outcome))
        self.assert_signed_by_a_label(self.bed.sink.wait_for_message_id(message_id))
        # The decision log names the identity in both forms.
        self.assertIn(f"decision identity={LOGIN_A} login_as_sent={LOGIN_U} ", sg.log_since(log_offset))
        # Both messages count for one identity, shown under either spelling.
        self.assertEqual(self.quota_used(LOGIN_U), (LOGIN_A, 2))
        self.assertEqual(self.quota_used(LOGIN_A), (LOGIN_A, 2))
        self.assertEqual(self.quota_used("DEMO@EXÄMPLE.ORG")[1], 2)

    def test_other_domain_is_still_refused(self):
        message, message_id = _message("demo@example.org", "not our domain")
        outcome = self.bed.submit(LOGIN_A, [RCPT], message, user=LOGIN_A, password=PASSWORD)
        self.assertFalse(outcome.accepted, str(outcome))
        self.assertIn(f"<{LOGIN_A}> is not authorised to send as <demo@example.org>", outcome.reply)

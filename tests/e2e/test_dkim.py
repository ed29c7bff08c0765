"""DKIM signing through real Postfix, checked by two independent verifiers
(dkimpy and OpenDKIM's), with keys made at test time by `sendguard keygen`:
dual RSA + Ed25519 signatures in relaxed/relaxed and simple/simple over
awkward messages (folded headers, 8-bit UTF-8 body, long lines, empty body);
a tagged message still verifies; quarantined and refused messages are never
signed; a login sending as a domain it does not own is refused and the
refusal releases its quota reservation."""

import os
import re
import shutil
import tempfile
import time

from sgbed import bed, dkimkeys, messages, procs

ALICE, ALICE_PW = "alice@example.org", "alice-pw"
DAVE, DAVE_PW = "dave@example.org", "dave-pw"
RCPT = "bob@example.net"
DOMAIN = "example.org"
DAVE_LIMIT = 2

ACTIONS_CONF = """\
score default tag 1.5 quarantine 4 reject 6.5
reject_text refused as spam (e2e)
"""

QUOTA_CONF = f"""\
class default {{
    messages 1000/1h
}}
class tiny {{
    messages {DAVE_LIMIT}/1h
}}
users {{
    {DAVE} tiny
}}
"""

LONG_LINE = "x" * 40 + " " + "The quick brown fox jumps over the lazy dog. " * 20  # ~950 bytes

SHAPES = {
    "plain": ([], "Hello,\n\na plain message.\n"),
    "folded_headers": (
        [("Subject", "A subject that is long enough to be folded by a mail client\r\n"
                     "\tonto a second line\r\n  and a third one"),
         ("X-Folded", "first part   \r\n second part\twith a tab  "),
         ("Cc", "carol@example.net,\r\n    dave@example.net")],
        "Body after folded headers.\n"),
    "utf8_8bit_body": (
        [("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=utf-8"),
         ("Content-Transfer-Encoding", "8bit")],
        "Grüße aus Köln — naïve café, 日本語のテキスト, emoji 📬.\n\nZweite Zeile.\n"),
    "long_lines_and_trailing_space": (
        [], f"{LONG_LINE}\n{LONG_LINE[::-1]}\n\nline with trailing spaces   \n\t\n\n\n"),
    "empty_body": ([], ""),
}


def _extra_toml(key_table, signing_table, canonicalization):
    return f"""\
[quota]
policy_file = "${{files}}/quota.conf"

[rules]
paths = ["{messages.RULES_DIR}"]
actions_file = "${{files}}/actions.conf"

[dkim]
key_table = "{key_table}"
signing_table = "{signing_table}"
canonicalization = "{canonicalization}"
"""


class _SigningBed(bed.BedTestCase):
    """Makes an RSA and an Ed25519 key for example.org with `sendguard keygen`
    before the bed starts; subclasses choose the canonicalization."""

    canonicalization = "relaxed/relaxed"

    @classmethod
    def setUpClass(cls):
        keydir = tempfile.mkdtemp(prefix="sendguard-e2e-keys-")
        if not os.environ.get("SG_E2E_KEEP"):
            cls.addClassCleanup(shutil.rmtree, keydir, ignore_errors=True)
        binary = os.path.abspath(os.environ["SENDGUARD_BIN"])
        cls.keys = [dkimkeys.make_key(binary, keydir, DOMAIN, "rsa", "rsa"),
                    dkimkeys.make_key(binary, keydir, DOMAIN, "ed", "ed25519")]
        key_table, signing_table = dkimkeys.write_tables(keydir, cls.keys, [DOMAIN])
        cls.dns_file = dkimkeys.write_dns_file(os.path.join(keydir, "dns.txt"), cls.keys)
        cls.bed_options = bed.BedOptions(
            users={ALICE: ALICE_PW, DAVE: DAVE_PW},
            files={"actions.conf": ACTIONS_CONF, "quota.conf": QUOTA_CONF},
            extra_toml=_extra_toml(key_table, signing_table, cls.canonicalization))
        super().setUpClass()

    def send(self, message, mail_from=ALICE, user=ALICE, password=ALICE_PW, rcpts=(RCPT,)):
        return self.bed.submit(mail_from, list(rcpts), message, user=user, password=password)

    def assert_signed_and_verified(self, received):
        """Both signatures are there (RSA + Ed25519, d=example.org, our c=) and both
        verifiers pass them."""
        signatures = received.header_values("DKIM-Signature")
        self.assertEqual(len(signatures), 2, f"want 2 DKIM-Signature headers: {signatures}")
        tags = [dict(_tags(s)) for s in signatures]
        self.assertEqual(sorted(t.get("a") for t in tags), ["ed25519-sha256", "rsa-sha256"])
        for t in tags:
            self.assertEqual(t.get("d"), DOMAIN)
            self.assertEqual(t.get("c", "simple/simple"), self.canonicalization)
        for verify in (dkimkeys.verify_dkimpy, dkimkeys.verify_opendkim):
            ok, output = verify(received.path, self.dns_file, expected=2)
            self.assertTrue(ok, f"{verify.__name__} rejects {received.path}:\n{output}\n"
                                f"--- message ---\n{received.raw[:3000].decode(errors='replace')}")

    def check_shape(self, shape):
        headers, body = SHAPES[shape]
        message, message_id = bed.submit.make_message(ALICE, [RCPT], subject=f"dkim {shape}",
                                                       body=body)
        if headers:
            message = _with_headers(message, headers)
        outcome = self.send(message)
        self.assertTrue(outcome.accepted, str(outcome))
        self.assert_signed_and_verified(self.bed.sink.wait_for_message_id(message_id))


class _ShapeCases:
    """Message shapes every canonicalization must sign verifiably."""

    def test_plain_message_gets_rsa_and_ed25519_signatures(self):
        self.check_shape("plain")

    def test_folded_headers(self):
        self.check_shape("folded_headers")

    def test_utf8_8bit_body(self):
        self.check_shape("utf8_8bit_body")

    def test_long_lines_and_trailing_whitespace(self):
        self.check_shape("long_lines_and_trailing_space")

    def test_empty_body(self):
        self.check_shape("empty_body")


class RelaxedSigningTest(_ShapeCases, _SigningBed):
    canonicalization = "relaxed/relaxed"

    def test_tagged_message_still_verifies(self):
        message, message_id = messages.hit_message("SG_PHISH_VERIFY_ACCOUNT", ALICE, [RCPT])
        outcome = self.send(message)
        self.assertTrue(outcome.accepted, str(outcome))
        received = self.bed.sink.wait_for_message_id(message_id)
        self.assertTrue(received.header_values("X-Spam-Status"), "the message was not tagged")
        self.assertTrue(received.header_values("X-Spam-Status")[0].startswith("Yes, "))
        self.assert_signed_and_verified(received)

    def test_quarantined_message_is_not_signed(self):
        message, message_id = messages.hit_message("SG_PHISH_WITH_DEADLINE", ALICE, [RCPT])
        outcome = self.send(message)
        self.assertTrue(outcome.accepted and outcome.queue_id, str(outcome))
        pf = self.bed.postfix
        procs.wait_until(lambda: outcome.queue_id in pf.held_ids(), 10,
                         f"{outcome.queue_id} in the hold queue")
        held = pf.queued_message(outcome.queue_id)
        self.assertIn("X-Spam-Status: Yes", held, "held message lacks the spam headers")
        self.assertNotRegex(held, r"(?im)^DKIM-Signature:", "a quarantined message was signed")
        self.assertEqual(self.decision_field(outcome.queue_id, "dkim"), "0")

    def test_refused_message_is_not_signed_or_delivered(self):
        offset = self.bed.sendguard.log_size()
        message, message_id = messages.hit_message("SG_URI_PHISH_COMBO", ALICE, [RCPT])
        outcome = self.send(message)
        self.assertEqual((outcome.stage, outcome.code), ("DATA", 550), str(outcome))
        line = procs.wait_until(lambda: _decision_lines(self.bed.sendguard.log_since(offset)),
                                5, "the decision log line")[-1]
        self.assertIn("action=reject", line)
        self.assertIn(" dkim=0", line, f"the refused message was signed: {line}")
        time.sleep(0.5)
        self.assertEqual(self.bed.sink.with_message_id(message_id), [])

    def test_sending_as_foreign_domain_is_refused_and_releases_quota(self):
        sg = self.bed.sendguard
        reset = sg.command("quota", "reset", DAVE, "-c", sg.config_path)
        self.assertEqual(reset.returncode, 0, reset.stdout + reset.stderr)
        for _ in range(DAVE_LIMIT):
            message, message_id = bed.submit.make_message("ceo@bank.example", [RCPT],
                                                          subject="wire transfer")
            outcome = self.send(message, mail_from=DAVE, user=DAVE, password=DAVE_PW)
            self.assertFalse(outcome.accepted, f"foreign From accepted: {outcome}")
            self.assertEqual((outcome.stage, outcome.code), ("DATA", 550), str(outcome))
            self.assertRegex(outcome.reply, r"^5\.7\.1 <?dave@example\.org>? is not authorised to "
                                            r"send as <?ceo@bank\.example>?")
        for i in range(DAVE_LIMIT):
            message, message_id = bed.submit.make_message(DAVE, [RCPT], subject=f"good {i}")
            outcome = self.send(message, mail_from=DAVE, user=DAVE, password=DAVE_PW)
            self.assertTrue(outcome.accepted, f"good message {i + 1} after refused ones: {outcome}")
        self.assert_signed_and_verified(self.bed.sink.wait_for_message_id(message_id))
        message, _ = bed.submit.make_message(DAVE, [RCPT], subject="one too many")
        outcome = self.send(message, mail_from=DAVE, user=DAVE, password=DAVE_PW)
        self.assertEqual((outcome.stage, outcome.code), ("RCPT", 451),
                         f"the quota is not enforced at all: {outcome}")

    def test_foreign_envelope_sender_is_refused(self):
        message, _ = bed.submit.make_message(ALICE, [RCPT], subject="envelope")
        outcome = self.send(message, mail_from="billing@bank.example")
        self.assertFalse(outcome.accepted, f"foreign envelope sender accepted: {outcome}")
        self.assertEqual(outcome.code, 550, str(outcome))
        self.assertIn("not authorised to send as", outcome.reply)

    def decision_field(self, queue_id, field):
        def find():
            for line in _decision_lines(self.bed.sendguard.log_since(0)):
                if queue_id in line:
                    return line
            return None
        line = procs.wait_until(find, 5, f"the decision log line of {queue_id}")
        match = re.search(rf"\b{field}=(\S+)", line)
        self.assertIsNotNone(match, f"no {field}= in {line}")
        return match.group(1)


class SimpleSigningTest(_ShapeCases, _SigningBed):
    canonicalization = "simple/simple"


def _tags(signature):
    """(tag, value) pairs of a DKIM-Signature value, whitespace removed."""
    for part in signature.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            yield name.strip(), re.sub(r"\s+", "", value)


def _with_headers(message, headers):
    """Adds header fields (value may contain CRLF folding) after the first line."""
    head, sep, body = message.partition(b"\r\n\r\n")
    extra = b"".join(f"{name}: {value}\r\n".encode() for name, value in headers)
    names = {name.lower().encode() for name, _ in headers}
    kept = [line for line in head.split(b"\r\n")
            if line.split(b":", 1)[0].lower() not in names]
    return b"\r\n".join(kept) + b"\r\n" + extra.rstrip(b"\r\n") + sep + body


def _decision_lines(log_text):
    return [line for line in log_text.splitlines() if ": decision " in line]

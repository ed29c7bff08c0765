"""Foundation: mail flows Postfix -> sendguard -> sink with the right identity,
and nothing is lost or duplicated while sendguard is down."""

import os
import re
import shutil
import tempfile
import time
import unittest

from sgbed import bed, procs, sendguard

ALICE, ALICE_PW = "alice@example.org", "alice-pw"
RCPT = "bob@example.net"


class MailFlowTest(bed.BedTestCase):
    bed_options = bed.BedOptions(users={ALICE: ALICE_PW})

    def send(self, mail_from=ALICE, user=None, password=None, subject="e2e"):
        message, message_id = bed.submit.make_message(mail_from, [RCPT], subject=subject)
        outcome = self.bed.submit(mail_from, [RCPT], message, user=user, password=password)
        return outcome, message_id

    def trace_identity(self, received):
        """The identity in the single X-Sendguard header; checks the version part too."""
        values = received.header_values("X-Sendguard")
        self.assertEqual(len(values), 1, f"want one X-Sendguard header, got {values}")
        match = re.fullmatch(r"(\S+) (\S+)", values[0])
        self.assertIsNotNone(match, f"X-Sendguard is not '<version> <identity>': {values[0]!r}")
        version = self.bed.sendguard.command("--version")
        self.assertIn(match.group(1), version.stdout + version.stderr,
                      "X-Sendguard version differs from `sendguard --version`")
        return match.group(2)

    def test_authenticated_message_carries_sasl_login(self):
        outcome, message_id = self.send(user=ALICE, password=ALICE_PW)
        self.assertTrue(outcome.accepted, str(outcome))
        received = self.bed.sink.wait_for_message_id(message_id)
        self.assertEqual(received.mail_from, ALICE)
        self.assertEqual(received.rcpt_tos, [RCPT])
        self.assertEqual(self.trace_identity(received), ALICE)

    def test_trusted_network_message_carries_client_address(self):
        outcome, message_id = self.send(mail_from="webapp@example.org")
        self.assertTrue(outcome.accepted, str(outcome))
        received = self.bed.sink.wait_for_message_id(message_id)
        self.assertEqual(self.trace_identity(received), "127.0.0.1")

    def test_wrong_password_is_refused_by_postfix(self):
        outcome, _ = self.send(user=ALICE, password="not-" + ALICE_PW)
        self.assertFalse(outcome.accepted)
        self.assertEqual((outcome.stage, outcome.code), ("AUTH", 535), str(outcome))

    def test_sendmail_command_passes_through_milter(self):
        message, message_id = bed.submit.make_message(ALICE, [RCPT], subject="via sendmail")
        self.bed.postfix.sendmail(ALICE, [RCPT], message)
        received = self.bed.sink.wait_for_message_id(message_id)
        # Postfix presents sendmail(1) mail to the milter as from localhost[127.0.0.1].
        self.assertEqual(self.trace_identity(received), "127.0.0.1")

    def test_sendguard_down_mail_stays_queued_then_arrives_once(self):
        pf, sg = self.bed.postfix, self.bed.sendguard
        self.assertEqual(sg.stop(), 0, "sendguard must exit 0 on SIGTERM")
        try:
            message, message_id = bed.submit.make_message(ALICE, [RCPT], subject="while down")
            pf.sendmail(ALICE, [RCPT], message)
            outcome, smtp_id = self.send(user=ALICE, password=ALICE_PW)
            self.assertFalse(outcome.accepted, f"accepted without milter: {outcome}")
            self.assertTrue(400 <= outcome.code < 500, f"want a 4xx reply, got {outcome}")
            procs.wait_until(lambda: _pickup_refused_by_milter(pf), 20,
                             "cleanup to log a milter failure for the sendmail message")
            self.assertTrue(pf.queue_ids(), "postqueue shows nothing queued without sendguard")
            self.assertTrue(pf.maildrop_files(), "the sendmail message left maildrop unchecked")
            self.assertEqual(self.bed.sink.with_message_id(message_id), [])
        finally:
            sg.start()
        pf.flush()
        self.bed.sink.wait_for_message_id(message_id, timeout=30)
        procs.wait_until(lambda: not pf.queue_ids(), 20, "the queue to drain")
        time.sleep(0.5)  # a duplicate would arrive right behind the first copy
        self.assertEqual(len(self.bed.sink.with_message_id(message_id)), 1)
        self.assertEqual(self.bed.sink.with_message_id(smtp_id), [],
                         "the 4xx-refused SMTP message must not arrive")


def _pickup_refused_by_milter(pf):
    """True once cleanup logged a milter-reject for locally submitted mail."""
    return any("/cleanup[" in line and "milter-reject" in line
               for line in pf.log_tail(400).splitlines())



class CheckConfigTest(unittest.TestCase):
    """`sendguard check-config` names file:line for an unknown key and a bad value."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sendguard-e2e-cfg-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def check(self, extra_daemon_line=None, replace=None):
        text = sendguard.render_config(listen=f"unix:{self.dir}/s.sock",
                                       state_dir=f"{self.dir}/state")
        lines = text.splitlines()
        if extra_daemon_line:
            lines.insert(1, extra_daemon_line)  # right after [daemon]
        if replace:
            lines = [replace[1] if line.startswith(replace[0]) else line for line in lines]
        path = os.path.join(self.dir, "sendguard.toml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        result = procs.run([os.environ["SENDGUARD_BIN"], "check-config", "-c", path], check=False)
        return path, lines, result

    def test_valid_config_passes(self):
        _, _, result = self.check()
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)

    def test_unknown_key_names_file_and_line(self):
        unknown = 'bogus_key = "x"'
        path, lines, result = self.check(extra_daemon_line=unknown)
        self.assertNotEqual(result.returncode, 0, "unknown key accepted")
        self.assertIn(f"{path}:{lines.index(unknown) + 1}", result.stderr + result.stdout)

    def test_bad_value_names_file_and_line(self):
        bad = 'failure_action = "sometimes"'
        path, lines, result = self.check(replace=("failure_action", bad))
        self.assertNotEqual(result.returncode, 0, "bad failure_action accepted")
        self.assertIn(f"{path}:{lines.index(bad) + 1}", result.stderr + result.stdout)


class InetTransportTest(bed.BedTestCase):
    """The same flow with sendguard listening on TCP loopback (listen = inet:PORT@127.0.0.1)."""

    bed_options = bed.BedOptions(users={ALICE: ALICE_PW}, transport="inet")

    def test_authenticated_message_over_tcp_milter(self):
        message, message_id = bed.submit.make_message(ALICE, [RCPT], subject="inet")
        outcome = self.bed.submit(ALICE, [RCPT], message, user=ALICE, password=ALICE_PW)
        self.assertTrue(outcome.accepted, str(outcome))
        received = self.bed.sink.wait_for_message_id(message_id)
        self.assertEqual(len(received.header_values("X-Sendguard")), 1)
        self.assertTrue(received.header_values("X-Sendguard")[0].endswith(" " + ALICE))

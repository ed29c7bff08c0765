"""Postfix as Debian ships it: smtpd and cleanup chrooted in the queue
directory (chroot column "y"), sendguard attached as the README and the
Debian package say, `smtpd_milters = unix:sendguard/sendguard.sock` with the
socket in queue/sendguard/. Submissions over SMTP (smtpd) and through
sendmail(1) (cleanup) both reach sendguard; with sendguard down, mail waits."""

import os

from sgbed import bed

ALICE, ALICE_PW = "alice@example.org", "alice-pw"
RCPT = "bob@example.net"


class ChrootedPostfixTest(bed.BedTestCase):
    bed_options = bed.BedOptions(users={ALICE: ALICE_PW}, chroot=True, user="nobody")

    def identity(self, received):
        values = received.header_values("X-Sendguard")
        self.assertEqual(len(values), 1, f"want one X-Sendguard header, got {values}")
        return values[0].split()[-1]

    def submit(self, subject):
        message, message_id = bed.submit.make_message(ALICE, [RCPT], subject=subject)
        return self.bed.submit(ALICE, [RCPT], message, user=ALICE, password=ALICE_PW), message_id

    def test_master_cf_chroots_smtpd_and_cleanup(self):
        with open(os.path.join(self.bed.postfix.config_dir, "master.cf")) as f:
            rows = [line.split() for line in f if line[:1] not in ("#", " ", "\n")]
        chroot = {row[7]: row[4] for row in rows}
        self.assertEqual((chroot["smtpd"], chroot["cleanup"]), ("y", "y"), str(rows))
        with open(os.path.join(self.bed.postfix.config_dir, "main.cf")) as f:
            self.assertIn("smtpd_milters = unix:sendguard/sendguard.sock", f.read())

    def test_authenticated_submission_through_chrooted_smtpd(self):
        outcome, message_id = self.submit("chrooted smtpd")
        self.assertTrue(outcome.accepted, str(outcome))
        received = self.bed.sink.wait_for_message_id(message_id)
        self.assertEqual(self.identity(received), ALICE)
        roots = self.bed.postfix.process_roots("smtpd")
        self.assertTrue(roots, "no smtpd process of this instance found")
        self.assertEqual(set(roots), {self.bed.postfix.queue_dir},
                         "smtpd does not run chrooted in the queue directory")

    def test_sendmail_through_chrooted_cleanup(self):
        message, message_id = bed.submit.make_message(ALICE, [RCPT], subject="chrooted cleanup")
        self.bed.postfix.sendmail(ALICE, [RCPT], message)
        received = self.bed.sink.wait_for_message_id(message_id)
        self.assertEqual(self.identity(received), "127.0.0.1")
        self.assertEqual(set(self.bed.postfix.process_roots("cleanup")), {self.bed.postfix.queue_dir})

    def test_sendguard_down_is_a_tempfail_then_mail_flows(self):
        sg = self.bed.sendguard
        self.assertEqual(sg.stop(), 0)
        try:
            outcome, _ = self.submit("while down")
            self.assertFalse(outcome.accepted, f"accepted without the milter: {outcome}")
            self.assertTrue(400 <= outcome.code < 500, str(outcome))
        finally:
            sg.start()
        outcome, message_id = self.submit("after restart")
        self.assertTrue(outcome.accepted, str(outcome))
        self.bed.sink.wait_for_message_id(message_id)

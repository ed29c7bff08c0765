"""Content rules through real Postfix: the shipped rule set (rules/*.cf) with
test thresholds rejects, quarantines (Postfix hold queue) and tags the
starter rule set's hit messages, leaves a clean message untouched, releases
the quota reservation of a refused message, and survives a broken reload."""

import os
import time

from sgbed import bed, messages, procs

ALICE, ALICE_PW = "alice@example.org", "alice-pw"
CAROL, CAROL_PW = "carol@example.org", "carol-pw"
RCPT = "bob@example.net"
CAROL_LIMIT = 3
REJECT_TEXT = "e2e content policy: refused as spam, write to abuse@example.org"

# Scores of the starter rules (rules/*.cf) the hit messages trigger:
#   SG_PHISH_VERIFY_ACCOUNT  2.0                               -> tag band
#   SG_PHISH_WITH_DEADLINE   2.0 + 2.5 (meta)            = 4.5 -> quarantine band
#   SG_URI_PHISH_COMBO       2.0 + 2.0 (raw IP) + 3.0    = 7.0 -> reject band
ACTIONS_CONF = f"""\
score default tag 1.5 quarantine 4 reject 6.5
reject_text {REJECT_TEXT}
reveal_rules no
"""

QUOTA_CONF = f"""\
class default {{
    messages 1000/1h
}}
class tiny {{
    messages {CAROL_LIMIT}/1h
}}
users {{
    {CAROL} tiny
}}
"""

# A local rules directory next to the shipped one; the reload test adds files.
LOCAL_RULE = """\
# e2e: a rule that never matches, so that the directory is never empty
body     SG_E2E_NEVER   /sendguard-e2e-never-matches-q7z/
score    SG_E2E_NEVER   0.1
"""
MARKER_RULE = """\
# e2e: added by the reload test
body     SG_E2E_MARKER  /xyzzy-reload-marker/
score    SG_E2E_MARKER  9.0
"""
BROKEN_RULE = """\
# e2e: a broken rule file; line 3 has an unterminated group
describe SG_E2E_BROKEN  broken on purpose
body     SG_E2E_BROKEN  /unterminated (group/
score    SG_E2E_BROKEN  1.0
"""
BROKEN_LINE = 3
# SpamAssassin's relay pseudo-header as the daemon builds it from what the
# milter saw: one trusted, internal, authenticated handover from loopback.
RELAY_RULE = r"""
body     __SG_E2E_RELAY_MARK  /relay-pseudo-header-marker/
header   __SG_E2E_RELAY_AUTH  X-Spam-Relays-Trusted =~ /^\[ ip=127\.0\.0\.1 rdns=\S* helo=\S+ by=\S+ ident= envfrom= intl=1 id=\S+ auth=ESMTPS?A msa=0 \]$/
meta     SG_E2E_RELAY_AUTH    __SG_E2E_RELAY_MARK && __SG_E2E_RELAY_AUTH
score    SG_E2E_RELAY_AUTH    2.0
"""

# Headers sendguard (and Postfix's own Received:) may add to a clean message.
ADDED_TO_CLEAN = {"received", "x-sendguard"}


class ContentTest(bed.BedTestCase):
    bed_options = bed.BedOptions(
        users={ALICE: ALICE_PW, CAROL: CAROL_PW},
        files={"actions.conf": ACTIONS_CONF, "quota.conf": QUOTA_CONF,
               "local-rules/50_e2e.cf": LOCAL_RULE,
               "local-rules/55_relay.cf": RELAY_RULE},
        extra_toml=f"""\
[quota]
policy_file = "${{files}}/quota.conf"

[rules]
paths = ["{messages.RULES_DIR}", "${{files}}/local-rules"]
actions_file = "${{files}}/actions.conf"
""")

    def send_hit(self, rule, user=ALICE, password=ALICE_PW):
        message, message_id = messages.hit_message(rule, user, [RCPT])
        return self.bed.submit(user, [RCPT], message, user=user, password=password), message_id

    def send_text(self, body, user=ALICE, password=ALICE_PW):
        message, message_id = bed.submit.make_message(user, [RCPT], subject="e2e", body=body)
        return self.bed.submit(user, [RCPT], message, user=user, password=password), message_id

    def assert_rejected_as_spam(self, outcome):
        self.assertFalse(outcome.accepted, f"spam accepted: {outcome}")
        self.assertEqual((outcome.stage, outcome.code), ("DATA", 550), str(outcome))
        self.assertEqual(outcome.reply, f"5.7.1 {REJECT_TEXT}")

    def assert_not_delivered(self, message_id, wait=1.5):
        time.sleep(wait)  # delivery to the sink takes well under a second here
        self.assertEqual(self.bed.sink.with_message_id(message_id), [],
                         "the message reached the sink")

    def test_phishing_is_rejected_with_reply_text(self):
        outcome, message_id = self.send_hit("SG_URI_PHISH_COMBO")
        self.assert_rejected_as_spam(outcome)
        self.assertNotIn("SG_", outcome.reply, "reveal_rules no, but the reply names rules")
        self.assert_not_delivered(message_id, wait=0.5)

    def test_borderline_message_is_tagged(self):
        outcome, message_id = self.send_hit("SG_PHISH_VERIFY_ACCOUNT")
        self.assertTrue(outcome.accepted, str(outcome))
        received = self.bed.sink.wait_for_message_id(message_id)
        self.assertEqual(received.header_values("X-Spam-Score"), ["2.0"])
        self.assertEqual(received.header_values("X-Spam-Status"),
                         ["Yes, score=2.0 required=1.5 tests=SG_PHISH_VERIFY_ACCOUNT"])

    def test_relay_rules_see_the_authenticated_client(self):
        outcome, message_id = self.send_text("Hi, relay-pseudo-header-marker here.\n")
        self.assertTrue(outcome.accepted, str(outcome))
        received = self.bed.sink.wait_for_message_id(message_id)
        self.assertEqual(received.header_values("X-Spam-Status"),
                         ["Yes, score=2.0 required=1.5 tests=SG_E2E_RELAY_AUTH"])

    def test_quarantined_message_is_held_not_delivered(self):
        outcome, message_id = self.send_hit("SG_PHISH_WITH_DEADLINE")
        self.assertTrue(outcome.accepted, f"quarantine must accept (250): {outcome}")
        queue_id = outcome.queue_id
        self.assertTrue(queue_id, f"no queue ID in {outcome.reply!r}")
        pf = self.bed.postfix
        procs.wait_until(lambda: queue_id in pf.held_ids(), 10,
                         f"{queue_id} in the hold queue; postqueue -j: {pf.queue_entries()}")
        self.assertIn("!", pf.queue_listing(), "postqueue -p does not mark the held message")
        held = pf.queued_message(queue_id)
        self.assertRegex(held, r"X-Spam-Status: Yes, score=4\.5 required=1\.5 "
                               r"tests=SG_PHISH_(VERIFY_ACCOUNT,SG_PHISH_WITH_DEADLINE|"
                               r"WITH_DEADLINE,SG_PHISH_VERIFY_ACCOUNT)")
        self.assert_not_delivered(message_id)

    def test_clean_message_is_delivered_untouched(self):
        sent, message_id = messages.data_message("clean.eml", ALICE, [RCPT])
        outcome = self.bed.submit(ALICE, [RCPT], sent, user=ALICE, password=ALICE_PW)
        self.assertTrue(outcome.accepted, str(outcome))
        received = self.bed.sink.wait_for_message_id(message_id)
        sent_head, _, sent_body = sent.partition(b"\r\n\r\n")
        got_head, _, got_body = received.raw.partition(b"\r\n\r\n")
        self.assertEqual(got_body, sent_body, "the body changed on the way")
        got_fields = messages._fields(got_head)
        added = [f for f in got_fields if _field_name(f) in ADDED_TO_CLEAN]
        self.assertEqual([f for f in got_fields if f not in added], messages._fields(sent_head),
                         "original headers changed, were reordered, or unexpected ones added")
        self.assertEqual(len([f for f in added if _field_name(f) == "x-sendguard"]), 1)

    def test_refused_messages_release_quota_reservation(self):
        sg = self.bed.sendguard
        reset = sg.command("quota", "reset", CAROL, "-c", sg.config_path)
        self.assertEqual(reset.returncode, 0, reset.stdout + reset.stderr)
        for i in range(CAROL_LIMIT):
            outcome, _ = self.send_hit("SG_URI_PHISH_COMBO", CAROL, CAROL_PW)
            self.assert_rejected_as_spam(outcome)
        for i in range(CAROL_LIMIT):
            outcome, _ = self.send_text("Good message %d.\n" % i, CAROL, CAROL_PW)
            self.assertTrue(outcome.accepted, f"good message {i + 1} after {CAROL_LIMIT} "
                                              f"refused ones: {outcome}")
        outcome, _ = self.send_text("One too many.\n", CAROL, CAROL_PW)
        self.assertEqual((outcome.stage, outcome.code), ("RCPT", 451),
                         f"the quota is not enforced at all: {outcome}")

    def test_reload_takes_good_rules_and_keeps_them_on_a_broken_file(self):
        sg = self.bed.sendguard
        local = os.path.join(sg.files_dir, "local-rules")
        marker_path = os.path.join(local, "60_marker.cf")
        broken_path = os.path.join(local, "70_broken.cf")
        self.addCleanup(_remove, marker_path, broken_path)
        marker_text = "Please read: xyzzy-reload-marker.\n"

        outcome, _ = self.send_text(marker_text)
        self.assertTrue(outcome.accepted, f"marker refused before the rule exists: {outcome}")
        _write(marker_path, MARKER_RULE)
        result = sg.command("reload", "-c", sg.config_path)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.wait_for_marker(marker_text, refused=True)

        _write(broken_path, BROKEN_RULE)
        offset = sg.reload()
        where = f"{broken_path}:{BROKEN_LINE}"
        procs.wait_until(lambda: where in sg.log_since(offset), 10,
                         f"the log to name {where}; log since the reload:\n"
                         f"{sg.log_since(offset)[-2000:]}")
        self.assertTrue(sg.running(), "a broken rule file stopped the daemon")
        self.assert_rejected_as_spam(self.send_text(marker_text)[0])
        self.assert_rejected_as_spam(self.send_hit("SG_URI_PHISH_COMBO")[0])

        _remove(marker_path, broken_path)
        sg.reload()
        self.wait_for_marker(marker_text, refused=False)
        self.assert_rejected_as_spam(self.send_hit("SG_URI_PHISH_COMBO")[0])

    def wait_for_marker(self, marker_text, refused):
        """Sends the marker message until the daemon's answer shows the reload."""
        def reloaded():
            outcome, _ = self.send_text(marker_text)
            return (not outcome.accepted) == refused and outcome
        outcome = procs.wait_until(reloaded, 10, "the reload to take effect", interval=0.2)
        if refused:
            self.assert_rejected_as_spam(outcome)


def _field_name(field):
    return field.split(b":", 1)[0].strip().lower().decode()


def _write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)  # the daemon never sees half a file


def _remove(*paths):
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass

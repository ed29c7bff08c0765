"""Quotas through real Postfix: a SASL user sends until the limit and gets the
4xx reply naming it, other users are unaffected, `sendguard quota reset`
lets the user send again, and counts survive restarts including kill -9."""

import json

from sgbed import bed

ALICE, ALICE_PW = "alice@example.org", "alice-pw"
BOB, BOB_PW = "bob@example.org", "bob-pw"
DAVE, DAVE_PW = "dave@example.org", "dave-pw"
RCPT = "carol@example.net"
LIMIT = 3

QUOTA_CONF = f"""
class default {{
    messages {LIMIT}/1h
    rcpt_per_msg 5
}}
"""


class QuotaTest(bed.BedTestCase):
    bed_options = bed.BedOptions(
        users={ALICE: ALICE_PW, BOB: BOB_PW, DAVE: DAVE_PW},
        files={"quota.conf": QUOTA_CONF},
        extra_toml='[quota]\npolicy_file = "${files}/quota.conf"\n')

    def send(self, user, password, rcpts=(RCPT,)):
        message, message_id = bed.submit.make_message(user, list(rcpts), subject="quota")
        return self.bed.submit(user, list(rcpts), message, user=user, password=password), message_id

    def quota(self, *args):
        sg = self.bed.sendguard
        result = sg.command("quota", *args, "-c", sg.config_path)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return result.stdout

    def used_messages(self, user):
        shown = json.loads(self.quota("show", user, "--json"))
        return max(l["used"] for l in shown["limits"] if l["metric"] == "messages")

    def reset(self, user):
        self.quota("reset", user)
        self.assertEqual(self.used_messages(user), 0)

    def test_limit_reached_then_reset(self):
        self.reset(ALICE)
        for i in range(LIMIT):
            outcome, message_id = self.send(ALICE, ALICE_PW)
            self.assertTrue(outcome.accepted, f"message {i + 1}: {outcome}")
            self.bed.sink.wait_for_message_id(message_id)
        outcome, message_id = self.send(ALICE, ALICE_PW)
        self.assertFalse(outcome.accepted)
        self.assertEqual((outcome.stage, outcome.code), ("RCPT", 451), str(outcome))
        self.assertRegex(outcome.reply, rf"4\.7\.1 {ALICE}: quota {LIMIT} messages/1h reached, "
                                        r"retry after \d\d:\d\d UTC")
        self.reset(DAVE)
        other, _ = self.send(DAVE, DAVE_PW)
        self.assertTrue(other.accepted, f"another user was affected: {other}")
        self.assertEqual(self.used_messages(ALICE), LIMIT, "a refused message was counted")
        self.reset(ALICE)
        again, _ = self.send(ALICE, ALICE_PW)
        self.assertTrue(again.accepted, f"still refused after quota reset: {again}")

    def test_counts_survive_restart_and_kill_9(self):
        self.reset(BOB)
        sg = self.bed.sendguard
        self.assertTrue(self.send(BOB, BOB_PW)[0].accepted)
        self.assertEqual(sg.stop(), 0)
        sg.start()
        self.assertTrue(self.send(BOB, BOB_PW)[0].accepted)
        sg.crash()              # kill -9: no chance to flush anything
        sg.start()
        self.assertEqual(self.used_messages(BOB), 2)
        self.assertTrue(self.send(BOB, BOB_PW)[0].accepted)
        refused, _ = self.send(BOB, BOB_PW)
        self.assertFalse(refused.accepted, f"counts were lost across restarts: {refused}")
        self.assertEqual(refused.code, 451)

    def test_recipients_per_message(self):
        self.reset(ALICE)
        rcpts = [f"r{i}@example.net" for i in range(6)]
        message, _ = bed.submit.make_message(ALICE, rcpts, subject="six")
        outcome = self.bed.submit(ALICE, rcpts, message, user=ALICE, password=ALICE_PW)
        self.assertEqual((outcome.stage, outcome.code), ("RCPT", 452), str(outcome))
        self.assertIn("4.5.3", outcome.reply)
        self.assertIn("at most 5 recipients per message", outcome.reply)
        message, message_id = bed.submit.make_message(ALICE, rcpts[:5], subject="five")
        outcome = self.bed.submit(ALICE, rcpts[:5], message, user=ALICE, password=ALICE_PW)
        self.assertTrue(outcome.accepted, str(outcome))
        self.assertEqual(len(self.bed.sink.wait_for_message_id(message_id).rcpt_tos), 5)

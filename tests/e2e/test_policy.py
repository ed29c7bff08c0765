"""The Postfix SMTPD policy service through real Postfix, with
check_policy_service in smtpd_recipient_restrictions and
smtpd_end_of_data_restrictions: parallel submitters hit the recipient window
at exactly the limit, the quota reply reaches the SMTP client, a message that
fails after RCPT is not counted, `quota show` agrees; with the milter attached
too ([policy] with_milter) each message is counted once, and sendmail(1) mail
(which never meets the policy service) is counted by the milter. check-config
reads the bed's main.cf and names a stage where the service cannot work."""

import json
import os
import re
import shutil
import smtplib
import threading

from sgbed import bed, procs

USERS = {f"u{i}@example.org": f"pw{i}" for i in range(6)}
RACER, RACER_PW = "racer@example.org", "racer-pw"
ABORT, ABORT_PW = "abort@example.org", "abort-pw"
BOTH, BOTH_PW = "both@example.org", "both-pw"
USERS.update({RACER: RACER_PW, ABORT: ABORT_PW, BOTH: BOTH_PW})
RCPT = "carol@example.net"
LIMIT = 8

QUOTA_CONF = f"""
class default {{
    recipients 50/1h
}}
class race {{
    recipients {LIMIT}/1h
}}
class tight {{
    messages 3/1h
}}
users {{
    {RACER} race
    {BOTH}  tight
}}
"""


def options(port, attach_milter, with_milter):
    service = f"inet:127.0.0.1:{port}"
    return bed.BedOptions(
        users=USERS, attach_milter=attach_milter, files={"quota.conf": QUOTA_CONF},
        extra_toml=(f'[quota]\npolicy_file = "${{files}}/quota.conf"\n'
                    f'[policy]\nlisten = ["{service}"]\nwith_milter = {"true" if with_milter else "false"}\n'),
        extra_main_cf=(f"smtpd_recipient_restrictions = check_policy_service {service}\n"
                       f"smtpd_end_of_data_restrictions = check_policy_service {service}\n"
                       "smtpd_policy_service_default_action = 451 4.3.5 policy service unavailable\n"
                       "message_size_limit = 100000\n"))


class PolicyBase(bed.BedTestCase):
    def send(self, user, password, rcpts=(RCPT,), body="policy e2e\n"):
        message, message_id = bed.submit.make_message(user, list(rcpts), subject="policy", body=body)
        return self.bed.submit(user, list(rcpts), message, user=user, password=password), message_id

    def shown(self, user):
        sg = self.bed.sendguard
        result = sg.command("quota", "show", user, "-c", sg.config_path, "--json")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return json.loads(result.stdout)

    def used(self, user, metric):
        return [l["used"] for l in self.shown(user)["limits"] if l["metric"] == metric][0]


class PolicyOnlyTest(PolicyBase):
    bed_options = options(procs.free_port(), attach_milter=False, with_milter=False)

    def test_parallel_submitters_hit_the_window_exactly_at_the_limit(self):
        outcomes = []
        lock = threading.Lock()

        def submitter():
            for _ in range(3):
                outcome, message_id = self.send(RACER, RACER_PW)
                with lock:
                    outcomes.append((outcome, message_id))
        threads = [threading.Thread(target=submitter) for _ in range(4)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        accepted = [m for o, m in outcomes if o.accepted]
        refused = [o for o, _ in outcomes if not o.accepted]
        self.assertEqual(len(accepted), LIMIT, [str(o) for o, _ in outcomes])
        for o in refused:
            self.assertEqual((o.stage, o.code), ("RCPT", 451), str(o))
            self.assertRegex(o.reply, rf"4\.7\.1 .*{RACER}: quota {LIMIT} recipients/1h reached, "
                                      r"retry after \d\d:\d\d UTC")
        for message_id in accepted:
            self.bed.sink.wait_for_message_id(message_id)
        self.assertEqual(self.used(RACER, "recipients"), LIMIT)
        self.assertEqual(self.shown(RACER)["last_hour"]["messages"], LIMIT)

    def test_message_failing_after_rcpt_is_not_counted(self):
        # DATA refused by Postfix (message_size_limit): END-OF-MESSAGE never comes.
        outcome, _ = self.send(ABORT, ABORT_PW, rcpts=(RCPT, "dave@example.net"), body="x" * 150000)
        self.assertFalse(outcome.accepted, str(outcome))
        self.assertEqual(outcome.code, 552, str(outcome))
        # RSET after RCPT: the client gave up.
        client = smtplib.SMTP("127.0.0.1", self.bed.postfix.port, timeout=30)
        client.ehlo("client.e2e.sendguard.test")
        client.starttls(context=bed.submit._insecure_context())
        client.ehlo("client.e2e.sendguard.test")
        client.login(ABORT, ABORT_PW)
        client.mail(ABORT)
        self.assertEqual(client.rcpt(RCPT)[0], 250)
        client.rset()
        client.quit()
        self.assertEqual(self.used(ABORT, "recipients"), 0, "a message that never arrived was counted")
        ok, message_id = self.send(ABORT, ABORT_PW)
        self.assertTrue(ok.accepted, str(ok))
        self.bed.sink.wait_for_message_id(message_id)
        shown = self.shown(ABORT)
        self.assertEqual((self.used(ABORT, "recipients"), shown["last_hour"]["messages"]), (1, 1), shown)
        self.assertGreater(shown["last_hour"]["bytes"], 0, "END-OF-MESSAGE brought no size")


class PolicyWithMilterTest(PolicyBase):
    bed_options = options(procs.free_port(), attach_milter=True, with_milter=True)

    def test_each_message_counted_once(self):
        for i in range(3):
            outcome, message_id = self.send(BOTH, BOTH_PW, rcpts=(RCPT, "dave@example.net"))
            self.assertTrue(outcome.accepted, f"message {i + 1}: {outcome}")
            self.bed.sink.wait_for_message_id(message_id)
        shown = self.shown(BOTH)
        self.assertEqual(self.used(BOTH, "messages"), 3, shown)
        self.assertEqual(shown["last_hour"]["recipients"], 6, shown)
        refused, _ = self.send(BOTH, BOTH_PW)
        self.assertEqual((refused.stage, refused.code), ("RCPT", 451), str(refused))
        self.assertIn(f"{BOTH}: quota 3 messages/1h reached", refused.reply)
        log = self.bed.sendguard.log_since(0)
        self.assertEqual(len(re.findall(rf"decision identity={re.escape(BOTH)} .*quota=policy", log)), 3, log[-3000:])

    def test_sendmail_mail_is_counted_by_the_milter(self):
        message, message_id = bed.submit.make_message("webapp@example.org", [RCPT], subject="via sendmail")
        self.bed.postfix.sendmail("webapp@example.org", [RCPT], message)
        self.bed.sink.wait_for_message_id(message_id)
        self.assertEqual(self.shown("ip:127.0.0.1")["last_hour"]["messages"], 1)

    def test_check_config_reads_main_cf(self):
        sg, pf = self.bed.sendguard, self.bed.postfix
        good = sg.command("check-config", "-c", sg.config_path, "--postfix-config", pf.config_dir)
        self.assertEqual(good.returncode, 0, good.stdout + good.stderr)
        self.assertNotIn("warning", good.stderr)
        bad_dir = os.path.join(self.bed.root, "bad-postfix")
        shutil.copytree(pf.config_dir, bad_dir)
        with open(os.path.join(bad_dir, "main.cf"), "a") as f:
            port = sg.options.extra_toml.split("inet:127.0.0.1:")[1].split('"')[0]
            f.write(f"smtpd_recipient_restrictions =\nsmtpd_end_of_data_restrictions =\n"
                    f"smtpd_client_restrictions = check_policy_service inet:127.0.0.1:{port}\n")
        bad = sg.command("check-config", "-c", sg.config_path, "--postfix-config", bad_dir)
        self.assertIn("only in smtpd_client_restrictions", bad.stderr, bad.stdout + bad.stderr)

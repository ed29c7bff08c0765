"""The JSON-lines decision log through real Postfix: one object per decided
message with each check's outcome, written by two workers (as nobody) into
a file the root parent opened; rotated by a real logrotate(8) run with the
shipped contrib/logrotate/sendguard snippet (its postrotate runs `sendguard
reopen-logs`): nothing is lost, nothing written to the rotated file after
the rotation; a reload reopens it too."""

import json
import os
import shutil
import subprocess
import unittest

from sgbed import bed, procs

ALICE, ALICE_PW = "alice@example.org", "alice-pw"
RCPT = "bob@example.net"
HERE = os.path.dirname(os.path.abspath(__file__))
SNIPPET = os.path.join(HERE, "..", "..", "contrib", "logrotate", "sendguard")


class DecisionLogTest(bed.BedTestCase):
    bed_options = bed.BedOptions(
        users={ALICE: ALICE_PW},
        user="nobody",
        workers=2,
        files={"quota.conf": "class default { messages 100/1h }\n", "log/.keep": ""},
        extra_toml="""
[quota]
policy_file = "${files}/quota.conf"
""",
        decision_log="${files}/log/decisions.jsonl")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.log_path = os.path.join(cls.bed.sendguard.files_dir, "log", "decisions.jsonl")

    def send(self, from_header=ALICE, subject="e2e test"):
        message, message_id = bed.submit.make_message(from_header, [RCPT], subject=subject)
        return self.bed.submit(ALICE, [RCPT], message, user=ALICE, password=ALICE_PW), message_id

    def lines(self, path=None):
        with open(path or self.log_path) as f:
            return [json.loads(line) for line in f]

    def wait_lines(self, n, path=None):
        procs.wait_until(lambda: os.path.exists(path or self.log_path) and len(self.lines(path)) >= n, 10,
                         f"{n} decision log lines")
        return self.lines(path)

    def test_1_one_object_per_decision(self):
        start = len(self.lines()) if os.path.exists(self.log_path) else 0
        accepted, message_id = self.send()
        self.assertTrue(accepted.accepted, str(accepted))
        refused, _ = self.send(from_header="ceo@bank.example")
        self.assertEqual((refused.stage, refused.code), ("DATA", 550), str(refused))
        got = self.wait_lines(start + 2)[start:]
        self.assertEqual(len(got), 2, got)
        ok, bad = got
        for entry in got:
            self.assertEqual(entry["identity"], ALICE)
            self.assertEqual(entry["from"], f"<{ALICE}>")
            self.assertEqual(entry["rcpts"], 1)
            self.assertGreater(entry["size"], 100)
            self.assertEqual(set(entry["checks"]), {"quota", "sender", "content", "spf", "dkim", "abuse"})
            self.assertRegex(entry["queue_id"], r"^[0-9A-F]{6,}$")
            self.assertGreaterEqual(entry["decision_ms"], 0)
            self.assertGreaterEqual(entry["message_ms"], entry["decision_ms"])
        self.assertEqual((ok["action"], ok["checks"]["sender"], ok["checks"]["quota"], ok["reply"]),
                         ("accept", "ok", "ok", ""))
        self.assertEqual((bad["action"], bad["checks"]["sender"]), ("reject", "reject"))
        self.assertTrue(bad["reply"].startswith("550 5.7.1"), bad["reply"])
        self.assertIn("ceo@bank.example", bad["sender_reason"])
        st = os.stat(self.log_path)
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (0, 0o640), "the parent (root) opens the log")

    def test_2_logrotate_and_reopen_logs(self):
        if shutil.which("logrotate") is None:
            self.skipTest("logrotate is not installed (contrib/debian-packages.txt)")
        sg = self.bed.sendguard
        self.send()
        before = self.wait_lines(1)
        with open(SNIPPET) as f:
            snippet = f.read()
        snippet = (snippet.replace("/var/log/sendguard/decisions.jsonl", self.log_path)
                   .replace("/var/log/sendguard/audit.jsonl", os.path.join(sg.files_dir, "audit.jsonl"))
                   .replace("/usr/local/sbin/sendguard", sg.options.binary)
                   .replace("/etc/sendguard/sendguard.conf", sg.config_path)
                   .replace(">/dev/null || true", f"> {self.log_path}.reopen 2>&1")
                   .replace("create 0640 root adm", "create 0640 root root"))
        conf = os.path.join(sg.files_dir, "logrotate.conf")
        with open(conf, "w") as f:
            f.write(snippet)
        r = subprocess.run(["logrotate", "-f", "-s", os.path.join(sg.files_dir, "logrotate.state"), conf],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(self.log_path + ".reopen") as f:
            self.assertIn("ok reopened", f.read())
        rotated = self.log_path + ".1"
        self.assertEqual(len(self.lines(rotated)), len(before), "the rotated file lost lines")
        for i in range(4):  # both workers get some of them
            outcome, _ = self.send(subject=f"after rotation {i}")
            self.assertTrue(outcome.accepted, str(outcome))
        self.assertEqual(len(self.wait_lines(4)), 4)
        self.assertEqual(len(self.lines(rotated)), len(before), "a worker still wrote to the rotated file")
        # A reload opens the path again too.
        os.rename(self.log_path, self.log_path + ".2")
        r = sg.command("reload", "-c", sg.config_path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        outcome, _ = self.send(subject="after reload")
        self.assertTrue(outcome.accepted, str(outcome))
        self.assertEqual(len(self.wait_lines(1)), 1)
        self.assertEqual(len(self.lines(self.log_path + ".2")), 4)

    def test_3_reopen_logs_answers(self):
        sg = self.bed.sendguard
        r = sg.command("reopen-logs", "-c", sg.config_path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("reopened", r.stdout)

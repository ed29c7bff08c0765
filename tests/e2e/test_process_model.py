"""The process model through real Postfix, set up as the README tells an
admin: the parent runs as root, the workers as daemon.user = "nobody", the
DKIM keys are root-owned 0600 files made by `sendguard keygen`, SPF helpers
run as spf.helper_user. A reload that adds a rule and a second key takes
effect (the rule hits; both keys sign, checked by dkimpy and OpenDKIM's
verifier); a broken reload changes nothing and `sendguard reload` exits
non-zero naming file:line; a worker killed with SIGKILL after a reload is
replaced by one serving the new snapshot; an SPF helper killed with SIGKILL
is replaced by one the parent started as helper_user; `sendguard status`
lists the workers; with 4 submitters and a worker killed every second, no
accepted message is lost or duplicated, every delivered one passed the
filter, and at most 15% of submissions are turned away."""

import os
import pwd
import shutil
import signal
import stat
import tempfile

from sgbed import bed, crashload, dkimkeys, messages, procs

ALICE, ALICE_PW = "alice@example.org", "alice-pw"
RCPT = "bob@example.net"
DOMAIN = "example.org"
WORKER_USER = "nobody"
# Not the workers' user, so the test tells who started a helper: a helper a
# worker started itself could only run as the worker's user.
HELPER_USER = "daemon"
WORKERS = 2

ACTIONS_CONF = """\
score default tag 5 quarantine 7 reject 8
reject_text refused as spam (process model e2e)
"""
NEVER_RULE = """\
body     SG_E2E_NEVER   /sendguard-e2e-never-matches-q7z/
score    SG_E2E_NEVER   0.1
"""
MARKER_RULE = """\
body     SG_E2E_MARKER  /xyzzy-process-marker/
score    SG_E2E_MARKER  9.0
"""
BROKEN_RULE = """\
# broken on purpose; line 3 has an unterminated group
describe SG_E2E_BROKEN  broken
body     SG_E2E_BROKEN  /unterminated (group/
"""
BROKEN_LINE = 3
MARKER_TEXT = "Please read: xyzzy-process-marker.\n"
ZONE = f"""\
{DOMAIN}   TXT   "v=spf1 ip4:192.0.2.0/28 -all"
"""


def _write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def _skip_reason():
    if os.geteuid() != 0:
        return "needs root (the parent keeps root, the workers run as nobody)"
    for user in (WORKER_USER, HELPER_USER):
        try:
            pwd.getpwnam(user)
        except KeyError:
            return f"needs a user {user}"
    return None


class ProcessModelTest(bed.BedTestCase):
    @classmethod
    def setUpClass(cls):
        why = _skip_reason()
        if why:
            raise __import__("unittest").SkipTest(why)
        keydir = tempfile.mkdtemp(prefix="sendguard-e2e-proc-keys-")  # 0700, root's
        cls.addClassCleanup(shutil.rmtree, keydir, ignore_errors=True)
        binary = os.path.abspath(os.environ["SENDGUARD_BIN"])
        cls.rsa = dkimkeys.make_key(binary, keydir, DOMAIN, "rsa", "rsa")
        cls.ed = dkimkeys.make_key(binary, keydir, DOMAIN, "ed", "ed25519")
        cls.keydir = keydir
        cls.key_table, cls.signing_table = dkimkeys.write_tables(keydir, [cls.rsa], [DOMAIN])
        cls.dns_file = dkimkeys.write_dns_file(os.path.join(keydir, "dns.txt"), [cls.rsa, cls.ed])
        cls.bed_options = bed.BedOptions(
            users={ALICE: ALICE_PW}, user=WORKER_USER, workers=WORKERS,
            extra_main_cf="smtpd_authorized_xclient_hosts = 127.0.0.1\n",
            files={"actions.conf": ACTIONS_CONF, "local-rules/50_e2e.cf": NEVER_RULE,
                   "dns.zone": ZONE},
            extra_toml=f"""\
[rules]
paths = ["{messages.RULES_DIR}", "${{files}}/local-rules"]
actions_file = "${{files}}/actions.conf"

[dkim]
key_table = "{cls.key_table}"
signing_table = "{cls.signing_table}"

[spf]
enabled = true
egress_ips = ["192.0.2.10"]
dns_data_file = "${{files}}/dns.zone"
helpers = 1
helper_user = "{HELPER_USER}"
""")
        super().setUpClass()
        cls.local_rules = os.path.join(cls.bed.sendguard.files_dir, "local-rules")

    def setUp(self):
        self.sg = self.bed.sendguard
        self.addCleanup(self.restore_start_state)

    def restore_start_state(self):
        for name in ("60_marker.cf", "70_broken.cf"):
            path = os.path.join(self.local_rules, name)
            if os.path.exists(path):
                os.remove(path)
        dkimkeys.write_tables(self.keydir, [self.rsa], [DOMAIN])
        self.reload_ok()

    def reload_ok(self):
        result = self.sg.command("reload", "-c", self.sg.config_path, timeout=90)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return result

    def send_text(self, body):
        message, message_id = bed.submit.make_message(ALICE, [RCPT], subject="process model", body=body)
        return self.bed.submit(ALICE, [RCPT], message, user=ALICE, password=ALICE_PW), message_id

    def assert_marker_refused(self):
        outcome, _ = self.send_text(MARKER_TEXT)
        self.assertFalse(outcome.accepted, f"the marker rule did not hit: {outcome}")
        self.assertEqual((outcome.stage, outcome.code), ("DATA", 550), str(outcome))

    def assert_signed_by(self, algorithms):
        outcome, message_id = self.send_text("A clean message.\n")
        self.assertTrue(outcome.accepted, str(outcome))
        received = self.bed.sink.wait_for_message_id(message_id)
        signatures = received.header_values("DKIM-Signature")
        found = sorted("ed25519-sha256" if "a=ed25519-sha256" in s.replace(" ", "") else "rsa-sha256"
                       for s in signatures)
        self.assertEqual(found, sorted(algorithms), f"signatures: {signatures}")
        for verify in (dkimkeys.verify_dkimpy, dkimkeys.verify_opendkim):
            ok, output = verify(received.path, self.dns_file, expected=len(algorithms))
            self.assertTrue(ok, f"{verify.__name__}: {output}")

    def add_marker_and_second_key(self):
        _write(os.path.join(self.local_rules, "60_marker.cf"), MARKER_RULE)
        dkimkeys.write_tables(self.keydir, [self.rsa, self.ed], [DOMAIN])
        return self.reload_ok()

    def wait_for_workers(self, avoid=()):
        """The WORKERS workers, none of them in `avoid`, all running as
        WORKER_USER. (A child the parent has just forked is root for the few
        microseconds before it switches: a worker or helper that stays root
        makes this time out.)"""
        nobody = pwd.getpwnam(WORKER_USER).pw_uid

        def settled():
            ws = self.sg.workers()
            pids = {pid for pid, _ in ws}
            uids = {uid for _, uid in ws}
            return len(ws) == WORKERS and not pids & set(avoid) and uids == {nobody} and ws
        return procs.wait_until(settled, 20, f"{WORKERS} workers as {WORKER_USER} (not {sorted(avoid)}); "
                                             f"children now: {self.sg.children()}")

    def test_keys_are_root_only_and_workers_run_as_daemon_user(self):
        st = os.stat(self.rsa.private_path)
        self.assertEqual((st.st_uid, stat.S_IMODE(st.st_mode)), (0, 0o600))
        nobody = pwd.getpwnam(WORKER_USER).pw_uid
        workers = self.wait_for_workers()
        self.assertEqual([uid for _, uid in workers], [nobody] * WORKERS, str(workers))
        self.assert_signed_by(["rsa-sha256"])

    def test_reload_adds_a_rule_and_a_second_key(self):
        outcome, _ = self.send_text(MARKER_TEXT)
        self.assertTrue(outcome.accepted, f"marker refused before the rule exists: {outcome}")
        before = {pid for pid, _ in self.wait_for_workers()}
        result = self.add_marker_and_second_key()
        self.assertIn("ok", result.stdout)
        self.wait_for_workers(avoid=before)  # the old generation retired
        self.assert_marker_refused()
        self.assert_signed_by(["rsa-sha256", "ed25519-sha256"])

    def test_broken_reload_changes_nothing_and_names_file_and_line(self):
        self.add_marker_and_second_key()
        workers = {pid for pid, _ in self.wait_for_workers()}
        broken = os.path.join(self.local_rules, "70_broken.cf")
        _write(broken, BROKEN_RULE)
        result = self.sg.command("reload", "-c", self.sg.config_path, timeout=90)
        self.assertNotEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(f"{broken}:{BROKEN_LINE}", result.stderr)
        self.assertEqual({pid for pid, _ in self.sg.workers()}, workers, "a broken reload replaced workers")
        self.assert_marker_refused()
        self.assert_signed_by(["rsa-sha256", "ed25519-sha256"])

    def test_worker_killed_after_reload_is_replaced_with_the_new_snapshot(self):
        self.add_marker_and_second_key()
        workers = [pid for pid, _ in self.wait_for_workers()]
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        replacements = self.wait_for_workers(avoid=workers)
        nobody = pwd.getpwnam(WORKER_USER).pw_uid
        self.assertEqual([uid for _, uid in replacements], [nobody] * WORKERS)
        for _ in range(4):  # whichever replacement takes the connection
            self.assert_marker_refused()
        self.assert_signed_by(["rsa-sha256", "ed25519-sha256"])

    def test_killed_spf_helper_is_replaced_as_helper_user(self):
        helper_uid = pwd.getpwnam(HELPER_USER).pw_uid
        helpers = procs.wait_until(lambda: len(self.sg.spf_helpers()) >= WORKERS and self.sg.spf_helpers(),
                                   20, "an SPF helper per worker")
        self.assertEqual({uid for _, uid in helpers}, {helper_uid}, str(helpers))
        for pid, _ in helpers:
            os.kill(pid, signal.SIGKILL)
        old = {pid for pid, _ in helpers}

        def replaced():
            self.send_text("Makes the workers ask their helpers.\n")
            now = self.sg.spf_helpers()
            return len(now) >= WORKERS and not {pid for pid, _ in now} & old and now
        now = procs.wait_until(replaced, 30, "replacement SPF helpers", interval=0.3)
        self.assertEqual({uid for _, uid in now}, {helper_uid}, str(now))

    def test_status_lists_the_workers(self):
        workers = self.wait_for_workers()
        result = self.sg.command("status", "-c", self.sg.config_path)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        for pid, _ in workers:
            self.assertIn(str(pid), result.stdout)
        self.assertIn(self.sg.listen, result.stdout)

    def test_workers_killed_every_second_cost_only_their_connections(self):
        self.wait_for_workers()
        result = crashload.run(self.bed, ALICE, RCPT, seconds=5, submitters=4, kill_every=1.0)
        report = str(result)
        self.assertGreaterEqual(result["kills"], 3, report)
        self.assertGreater(result["accepted"], 0, report)
        self.assertEqual((result["lost"], result["duplicated"], result["unfiltered"]), (0, 0, 0), report)
        self.assertLessEqual(result["turned_away_pct"], 15.0, report)

"""DKIM key lifecycle through real Postfix, with DNS from a static data file
(spf.dns_data_file) and both verifiers (dkimpy, OpenDKIM) reading the same
published records: a require-published key whose record is missing does not
sign while the other key does; once the record appears the periodic check
lets it sign; a whole rotation (`keys rotate` -> publish -> switch -> grace
-> `keys retire`) never leaves a message unsigned nor signed by an
unpublished key; `keys check` exit statuses and JSON; a key whose lookup
times out never delays a message."""

import json
import os
import re
import shutil
import tempfile
import time
import urllib.request

from sgbed import bed, dkimkeys, procs

ALICE, ALICE_PW = "alice@example.org", "alice-pw"
RCPT = "bob@example.net"
DOMAIN = "example.org"
RESOLVER_TIMEOUT = 4  # seconds the TIMEOUT record stalls each round


def _selectors(received):
    out = []
    for sig in received.header_values("DKIM-Signature"):
        match = re.search(r"(?:^|;)\s*s=\s*([^;\s]+)", sig)
        out.append(match.group(1) if match else "?")
    return sorted(out)


class KeyLifecycleTest(bed.BedTestCase):
    """The tests run in name order on one bed: each step builds on the last."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="sendguard-e2e-keylife-")
        os.chmod(cls.dir, 0o755)  # the checks run as spf.helper_user: the zone must be readable
        if not os.environ.get("SG_E2E_KEEP"):
            cls.addClassCleanup(shutil.rmtree, cls.dir, ignore_errors=True)
        binary = os.path.abspath(os.environ["SENDGUARD_BIN"])
        cls.rsa = dkimkeys.make_key(binary, cls.dir, DOMAIN, "rsa1", "rsa")
        cls.ed = dkimkeys.make_key(binary, cls.dir, DOMAIN, "ed1", "ed25519")
        cls.slow = dkimkeys.make_key(binary, cls.dir, DOMAIN, "slow1", "ed25519")
        cls.key_table = os.path.join(cls.dir, "keys.conf")
        cls.signing_table = os.path.join(cls.dir, "signing.conf")
        with open(cls.key_table, "w") as f:
            f.write(f"# a key from before require-published: signs unchecked\n"
                    f"{cls.rsa.name} {DOMAIN}:rsa1:{cls.rsa.private_path}\n"
                    f"{cls.ed.name} {DOMAIN}:ed1:{cls.ed.private_path} require-published\n"
                    f"{cls.slow.name} {DOMAIN}:slow1:{cls.slow.private_path} require-published\n")
        with open(cls.signing_table, "w") as f:
            f.write(f"{DOMAIN} {cls.rsa.name} {cls.ed.name} {cls.slow.name}\n")
        cls.zone = os.path.join(cls.dir, "dns.zone")
        cls.verifier_dns = os.path.join(cls.dir, "verifier-dns.txt")
        cls.published = [cls.rsa]
        cls.publish()
        cls.http_port = procs.free_port()
        cls.bed_options = bed.BedOptions(
            users={ALICE: ALICE_PW},
            extra_toml=f"""\
[http]
listen = "127.0.0.1:{cls.http_port}"

[dkim]
key_table = "{cls.key_table}"
signing_table = "{cls.signing_table}"
key_check_interval = 1
key_check_timeout = {RESOLVER_TIMEOUT + 6}

[spf]
dns_data_file = "{cls.zone}"
resolver_timeout = {RESOLVER_TIMEOUT}
""")
        super().setUpClass()

    @classmethod
    def publish(cls, *more):
        """Writes what "DNS" holds: the published keys, split into <= 255-byte
        strings as keygen prints them, and a lookup of slow1 that never answers."""
        cls.published += list(more)
        with open(cls.zone + ".tmp", "w") as f:
            for k in cls.published:
                strings = re.findall(r'"((?:[^"\\]|\\.)*)"', k.record)
                f.write(f"{k.dns_name} TXT " + " ".join(f'"{s}"' for s in strings) + "\n")
            f.write(f"{cls.slow.dns_name} TIMEOUT\n")
        os.chmod(cls.zone + ".tmp", 0o644)
        os.rename(cls.zone + ".tmp", cls.zone)
        dkimkeys.write_dns_file(cls.verifier_dns, cls.published)

    def keys(self, *args):
        sg = self.bed.sendguard
        return sg.command("keys", *args, "-c", sg.config_path, timeout=60)

    def send_and_receive(self, subject):
        message, message_id = bed.submit.make_message(ALICE, [RCPT], subject=subject)
        start = time.monotonic()
        outcome = self.bed.submit(ALICE, [RCPT], message, user=ALICE, password=ALICE_PW)
        elapsed = time.monotonic() - start
        self.assertTrue(outcome.accepted, str(outcome))
        return self.bed.sink.wait_for_message_id(message_id), outcome, elapsed

    def assert_verified(self, received, selectors):
        """Signed by exactly these selectors, each published, both verifiers pass."""
        self.assertEqual(_selectors(received), sorted(selectors))
        for verify in (dkimkeys.verify_dkimpy, dkimkeys.verify_opendkim):
            ok, output = verify(received.path, self.verifier_dns, expected=len(selectors))
            self.assertTrue(ok, f"{verify.__name__}:\n{output}")

    def wait_log(self, offset, text, timeout=30):
        return procs.wait_until(lambda: text in self.bed.sendguard.log_since(offset), timeout,
                                f"'{text}' in sendguard's log")

    def decision_line(self, queue_id):
        def find():
            for line in self.bed.sendguard.log_since(0).splitlines():
                if ": decision " in line and queue_id in line:
                    return line
            return None
        return procs.wait_until(find, 5, f"the decision line of {queue_id}")

    def unused_keys_metric(self):
        """sendguard_dkim_keys_unused as the metrics endpoint says now."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=10) as r:
            m = re.search(r"(?m)^sendguard_dkim_keys_unused (\d+)$", r.read().decode())
        self.assertIsNotNone(m, "sendguard_dkim_keys_unused is not exported")
        return int(m.group(1))

    def test_1_unpublished_key_does_not_sign_the_other_does(self):
        self.wait_log(0, f"key {self.ed.name} (ed1._domainkey.{DOMAIN}) not used: record missing")
        received, outcome, _ = self.send_and_receive("ed1 unpublished")
        self.assert_verified(received, ["rsa1"])
        line = self.decision_line(outcome.queue_id)
        self.assertIn(f"dkim=1 dkim_unused={self.ed.name}(record missing),{self.slow.name}(record unreachable)",
                      line)
        self.assertEqual(self.unused_keys_metric(), 2)  # ed1 and slow1

    def test_2_keys_check_exit_status_and_json(self):
        result = self.keys("check", "--json")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        report = json.loads(result.stdout)
        states = {k["key"]: k["state"] for k in report["keys"]}
        self.assertEqual(states, {self.rsa.name: "match", self.ed.name: "missing", self.slow.name: "unreachable"})
        self.assertEqual(report["problems"], 2)
        text = self.keys("check")
        self.assertEqual(text.returncode, 1)
        self.assertRegex(text.stdout, rf"(?m)^match\s+rsa1\._domainkey\.{DOMAIN}\s+key={self.rsa.name} rsa-2048$")
        self.assertEqual(self.keys("check", "--bogus").returncode, 64)

    def test_3_a_timeout_never_delays_a_message(self):
        # Rounds run back to back (interval 1 s, each stalls RESOLVER_TIMEOUT s on slow1).
        offset = self.bed.sendguard.log_size()
        for i in range(3):
            received, _, elapsed = self.send_and_receive(f"during a stalled check {i}")
            self.assertLess(elapsed, RESOLVER_TIMEOUT / 2, "a message waited for the key check")
            self.assert_verified(received, ["rsa1"])
        self.assertNotIn("signs again", self.bed.sendguard.log_since(offset))

    def test_4_published_record_is_picked_up_by_the_periodic_check(self):
        offset = self.bed.sendguard.log_size()
        self.publish(self.ed)
        self.wait_log(offset, f"key {self.ed.name} (ed1._domainkey.{DOMAIN}) signs again")
        self.wait_log(offset, "reloaded ")
        received, _, _ = self.send_and_receive("ed1 published")
        self.assert_verified(received, ["ed1", "rsa1"])
        procs.wait_until(lambda: self.unused_keys_metric() == 1, 10, "sendguard_dkim_keys_unused 1 (slow1 only)")
        result = self.keys("check")
        self.assertEqual(result.returncode, 1, result.stdout)  # slow1 is still unreachable
        self.assertRegex(result.stdout, rf"(?m)^match\s+ed1\._domainkey")

    def test_5_rotation_from_rotate_to_retire(self):
        sg = self.bed.sendguard
        offset = sg.log_size()
        rotate = self.keys("rotate", "--domain", DOMAIN, "--key", self.rsa.name, "--selector", "rsa2",
                           "--grace", "6s")
        self.assertEqual(rotate.returncode, 0, rotate.stdout + rotate.stderr)
        self.assertIn("daemon: ok reloaded", rotate.stdout)
        name, value = dkimkeys.parse_txt_record(rotate.stdout)
        self.assertEqual(name, f"rsa2._domainkey.{DOMAIN}")
        for s in re.findall(r'"([^"]*)"', rotate.stdout):
            self.assertLessEqual(len(s), 255)
        new = dkimkeys.Key(name=f"rsa2._domainkey.{DOMAIN}", domain=DOMAIN, selector="rsa2", key_type="rsa",
                           private_path=os.path.join(self.dir, "rsa2.private"), dns_name=name, txt_value=value,
                           record=rotate.stdout)
        self.assertIn(" publish: ", self.keys("status").stdout)
        self.assertEqual(self.keys("retire", "--domain", DOMAIN).returncode, 1)  # nothing seen yet
        # Not yet published: the old key signs, the new one does not.
        received, _, _ = self.send_and_receive("rotation: before publishing")
        self.assert_verified(received, ["ed1", "rsa1"])
        self.publish(new)
        self.wait_log(offset, "a rotation's new key is published")
        self.wait_log(offset, f"key {self.rsa.name} (rsa1._domainkey.{DOMAIN}) not used: retired by the rotation")
        procs.wait_until(lambda: sg.log_since(offset).count("reloaded ") >= 2, 30, "the switch's workers")
        received, _, _ = self.send_and_receive("rotation: switched")
        self.assert_verified(received, ["ed1", "rsa2"])
        status = json.loads(self.keys("status", "--json").stdout)
        self.assertEqual(status["domains"][0]["stage"], "grace")
        early = self.keys("retire", "--domain", DOMAIN)
        self.assertEqual(early.returncode, 1, early.stdout + early.stderr)
        self.assertIn("receivers may still verify mail signed by", early.stderr)
        procs.wait_until(lambda: " retire: " in self.keys("status").stdout, 15, "the grace period to end")
        retire = self.keys("retire", "--domain", DOMAIN)
        self.assertEqual(retire.returncode, 0, retire.stdout + retire.stderr)
        self.assertIn(f"The record rsa1._domainkey.{DOMAIN} may now be removed from DNS", retire.stdout)
        self.assertIn("daemon: ok reloaded", retire.stdout)
        self.published.remove(self.rsa)
        self.publish()
        received, _, _ = self.send_and_receive("rotation: retired")
        self.assert_verified(received, ["ed1", "rsa2"])
        self.assertIn(" steady: ", self.keys("status").stdout)
        with open(self.signing_table) as f:
            self.assertNotIn(self.rsa.name, f.read())
        # Every message of the whole run was signed, and only by published keys.
        self.assertNotRegex(sg.log_since(0), r": decision .* dkim=0 ")

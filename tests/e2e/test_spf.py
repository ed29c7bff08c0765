"""SPF/DMARC pre-flight through real Postfix, DNS answered from a static zone
(tests/e2e/data/preflight-e2e.zone; the relay's egress address is 192.0.2.10):
a customer whose SPF lacks the relay is refused with a reply naming what to
publish, an aligned domain passes, a From that would fail DMARC is tagged
with Authentication-Results, a trusted-network web server (no AUTH, seen
through XCLIENT) spoofing a domain is refused, and a DNS timeout is answered
promptly with a tempfail."""

import os
import time

from sgbed import bed, messages

RCPT = "someone@example.net"
MISSING, ALIGNED, SLOW = "alice@missing.example", "bob@aligned.example", "tim@slow.example"
PASSWORD = "pw"
WEB_SERVER = "198.51.100.77"   # trusted network, sends without AUTH
EGRESS = "192.0.2.10"
INCLUDE_HINT = "include:_spf.relay.example"
TIMEOUT_MS = 300

SENDERS_CONF = f"""\
# {ALIGNED} may also send as the partner domain
{ALIGNED}   @partner.example
"""


def _zone():
    with open(os.path.join(messages.DATA_DIR, "preflight-e2e.zone")) as f:
        return f.read()


class SpfPreflightTest(bed.BedTestCase):
    bed_options = bed.BedOptions(
        users={MISSING: PASSWORD, ALIGNED: PASSWORD, SLOW: PASSWORD},
        trusted_networks=("127.0.0.0/8", "::1/128", "198.51.100.0/24"),
        extra_main_cf="mynetworks = 127.0.0.0/8 198.51.100.0/24\n"
                      "smtpd_authorized_xclient_hosts = 127.0.0.1\n",
        files={"dns.zone": _zone(), "senders.conf": SENDERS_CONF},
        extra_toml=f"""\
[senders]
policy = "${{files}}/senders.conf"

[spf]
enabled = true
egress_ips = ["{EGRESS}"]
dns_data_file = "${{files}}/dns.zone"
timeout_ms = {TIMEOUT_MS}
include_hint = "{INCLUDE_HINT}"
egress_fail_action = "reject"
dmarc_action = "tag"
spoof_action = "reject"
temperror_action = "tempfail"
""")

    def send(self, login, header_from=None, envelope=None, xclient=None):
        header_from = header_from or login
        envelope = envelope or login
        message, message_id = bed.submit.make_message(header_from, [RCPT], subject="spf")
        user = login if xclient is None else None
        outcome = self.bed.submit(envelope, [RCPT], message, user=user,
                                  password=PASSWORD if user else None, xclient=xclient)
        return outcome, message_id

    def test_customer_without_relay_in_spf_is_refused_with_what_to_publish(self):
        outcome, _ = self.send(MISSING)
        self.assertFalse(outcome.accepted, f"accepted although SPF fails: {outcome}")
        self.assertEqual((outcome.stage, outcome.code), ("DATA", 550), str(outcome))
        self.assertTrue(outcome.reply.startswith("5.7.1 "), outcome.reply)
        for part in ("missing.example", EGRESS, f"ip4:{EGRESS}", INCLUDE_HINT, "publish"):
            self.assertIn(part, outcome.reply, f"the reply does not name {part!r}")

    def test_aligned_domain_passes(self):
        outcome, message_id = self.send(ALIGNED)
        self.assertTrue(outcome.accepted, str(outcome))
        received = self.bed.sink.wait_for_message_id(message_id)
        for value in received.header_values("Authentication-Results"):
            self.assertNotRegex(value, r"(spf|dmarc)=(fail|softfail|temperror|permerror)", value)

    def test_from_failing_dmarc_is_tagged(self):
        outcome, message_id = self.send(ALIGNED, header_from="news@partner.example")
        self.assertTrue(outcome.accepted, f"dmarc_action = tag must accept: {outcome}")
        received = self.bed.sink.wait_for_message_id(message_id)
        results = received.header_values("Authentication-Results")
        self.assertEqual(len(results), 1, f"want one Authentication-Results: {results}")
        self.assertTrue(results[0].startswith("sendguard;"), results[0])
        self.assertIn("dmarc=fail", results[0])
        self.assertIn("header.from=partner.example", results[0])
        self.assertIn("spf=pass", results[0])

    def test_trusted_network_script_spoofing_a_domain_is_refused(self):
        outcome, _ = self.send("webshop@bank.example", xclient=f"ADDR={WEB_SERVER}")
        self.assertNotEqual(outcome.stage, "XCLIENT", f"Postfix refused XCLIENT: {outcome}")
        self.assertFalse(outcome.accepted, f"spoofed mail accepted: {outcome}")
        self.assertEqual((outcome.stage, outcome.code), ("DATA", 550), str(outcome))
        self.assertIn(f"does not authorise {WEB_SERVER} to send as bank.example", outcome.reply)

    def test_trusted_network_script_with_own_domain_passes(self):
        outcome, message_id = self.send("orders@shop.example", xclient=f"ADDR={WEB_SERVER}")
        self.assertTrue(outcome.accepted, str(outcome))
        received = self.bed.sink.wait_for_message_id(message_id)
        self.assertEqual(received.header_values("X-Sendguard")[0].split()[-1], WEB_SERVER,
                         "sendguard did not see the XCLIENT address as the client")

    def test_dns_timeout_is_answered_promptly_with_tempfail(self):
        started = time.monotonic()
        outcome, _ = self.send(SLOW)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, 3.0, f"the SMTP transaction took {elapsed:.1f}s")
        self.assertFalse(outcome.accepted, f"accepted without an SPF answer: {outcome}")
        self.assertEqual((outcome.stage, outcome.code), ("DATA", 451), str(outcome))
        self.assertTrue(outcome.reply.startswith("4.4.3 "), outcome.reply)

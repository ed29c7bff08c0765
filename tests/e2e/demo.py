"""demo.py SENDGUARD_BIN [SAMPLES_TOML] — the newcomer's first look at sendguard.

Starts a private Postfix on 127.0.0.1:2525 (SASL user demo@example.org,
password demo) with sendguard attached over a unix socket and a local sink as
next hop. sendguard runs with the shipped rules (rules/), the shipped score
thresholds (policies/actions.conf), a small demo quota class for
demo@example.org (5 messages per hour) and two DKIM keys for example.org
(RSA and Ed25519, made with `sendguard keygen` in the demo's temp dir).
Sends every sample of demo_samples.toml and prints each outcome (SMTP reply;
for delivered mail the headers the sink received, with the ones sendguard
added marked "+"; with verify_dkim, what dkimpy says of the signatures).
Then stays up, printing whatever else reaches the sink, until Ctrl-C; every
process it started is stopped on the way out.
"""

import email.parser
import email.policy
import os
import shutil
import sys
import tempfile
import time
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sgbed import bed, dkimkeys, messages, procs, submit  # noqa: E402

PORT = 2525
USER, PASSWORD = "demo@example.org", "demo"
DOMAIN = "example.org"
HERE = os.path.dirname(os.path.abspath(__file__))
COLOR = sys.stdout.isatty()
SHOWN_VALUE_CHARS = 110   # long header values (DKIM-Signature) are cut when printed

DEMO_QUOTA = f"""\
# The demo's quota policy (format: policies/quota.conf).
class default {{
    messages 100/1h
}}
class demo {{
    messages 5/1h
}}
users {{
    {USER} demo
}}
"""



def demo_toml(key_table, signing_table):
    """sendguard config for the demo: shipped rules and thresholds, the demo's
    quota policy, the demo's DKIM keys."""
    return f"""\
[quota]
policy_file = "${{files}}/quota.conf"

[rules]
paths = ["{messages.RULES_DIR}"]
actions_file = "{os.path.join(messages.REPO, "policies", "actions.conf")}"

[dkim]
key_table = "{key_table}"
signing_table = "{signing_table}"
"""


def style(text, code):
    return f"\033[{code}m{text}\033[0m" if COLOR else text


def load_samples(path):
    with open(path, "rb") as f:
        samples = tomllib.load(f).get("sample", [])
    for i, sample in enumerate(samples, 1):
        missing = [k for k in ("name", "explain", "from", "to", "subject", "body") if k not in sample]
        if missing:
            raise SystemExit(f"{path}: sample #{i}: missing {', '.join(missing)}")
        if not isinstance(sample.get("repeat", 1), int) or sample.get("repeat", 1) < 1:
            raise SystemExit(f"{path}: sample #{i}: repeat must be a positive integer")
        if sample.get("repeat", 1) > 1 and sample.get("via", "smtp") != "smtp":
            raise SystemExit(f"{path}: sample #{i}: repeat needs via = \"smtp\"")
    return samples


def send_sample(test_bed, sample):
    """Sends one sample; returns (Outcome or None for sendmail, Message-ID, message bytes)."""
    headers = [tuple(h.split(":", 1)) for h in sample.get("headers", [])]
    message, message_id = submit.make_message(sample["from"], [sample["to"]], sample["subject"],
                                              sample["body"], [(n, v.strip()) for n, v in headers])
    if sample.get("via", "smtp") == "sendmail":
        test_bed.postfix.sendmail(sample["from"], [sample["to"]], message)
        return None, message_id, message
    user = sample.get("user")
    password = sample.get("password", PASSWORD) if user else None
    return test_bed.submit(sample["from"], [sample["to"]], message, user, password), message_id, message


def print_received(received, sent_bytes=None):
    """Prints the headers the sink got; '+' marks lines sendguard added."""
    sent = set()
    if sent_bytes is not None:
        parsed = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(sent_bytes)
        sent = {(k.lower(), " ".join(str(v).split())) for k, v in parsed.items()}
    print(f"  sink received: MAIL FROM:<{received.mail_from}> RCPT TO:"
          + ", ".join(f"<{r}>" for r in received.rcpt_tos))
    for name, value in received.header_lines():
        added = _added_by_sendguard(name, value, sent, sent_bytes is not None)
        if len(value) > SHOWN_VALUE_CHARS:
            value = value[:SHOWN_VALUE_CHARS] + " ..."
        line = f"{name}: {value}"
        print(style(f"  + {line}", "1;32") if added else f"    {line}")


def _added_by_sendguard(name, value, sent, know_sent):
    if name.lower() == "received":  # Postfix's own trace header
        return False
    if know_sent:
        return (name.lower(), value) not in sent
    return name.lower().startswith(("x-sendguard", "dkim-signature", "x-spam-",
                                    "authentication-results"))


def run_samples(test_bed, samples, dns_file):
    for i, sample in enumerate(samples, 1):
        print(style(f"\n[{i}/{len(samples)}] {sample['name']}", "1"))
        print(f"  {sample['explain']}")
        if sample.get("reset_quota"):
            reset_quota(test_bed, sample.get("user", USER))
        if sample.get("repeat", 1) > 1:
            send_repeatedly(test_bed, sample)
            continue
        outcome, message_id, message = send_sample(test_bed, sample)
        if outcome is not None:
            print(f"  SMTP reply ({outcome.stage}): {outcome.code} {outcome.reply}")
            if not outcome.accepted:
                continue
        else:
            print("  submitted with sendmail(1)")
        try:
            received = test_bed.sink.wait_for_message_id(message_id, timeout=15)
        except TimeoutError:
            print(style("  not at the sink after 15s; queue:", "1;31"))
            print("    " + test_bed.postfix.queue_listing().strip().replace("\n", "\n    "))
            continue
        print_received(received, message)
        if sample.get("verify_dkim"):
            print_dkim_verdict(received, dns_file)


def reset_quota(test_bed, user):
    sg = test_bed.sendguard
    result = sg.command("quota", "reset", user, "-c", sg.config_path)
    state = "done" if result.returncode == 0 else f"failed: {result.stderr.strip()}"
    print(f"  $ sendguard quota reset {user}   ({state})")


def send_repeatedly(test_bed, sample):
    """Sends the sample `repeat` times; one line per SMTP reply."""
    delivered = []
    for n in range(1, sample["repeat"] + 1):
        outcome, message_id, _ = send_sample(test_bed, sample)
        text = f"  #{n}: ({outcome.stage}) {outcome.code} {outcome.reply}"
        print(text if outcome.accepted else style(text, "1;33"))
        if outcome.accepted:
            delivered.append(message_id)
    try:
        for message_id in delivered:
            test_bed.sink.wait_for_message_id(message_id, timeout=15)
        print(f"  the sink received the {len(delivered)} accepted message(s)")
    except TimeoutError as exc:
        print(style(f"  {exc}", "1;31"))


def print_dkim_verdict(received, dns_file):
    """Runs dkimpy (tests/dkim/verify_dkimpy.py) on the bytes the sink got."""
    ok, output = dkimkeys.verify_dkimpy(received.path, dns_file)
    if ok:
        algorithms = ", ".join(dkimkeys.passed_algorithms(output))
        print(style(f"  DKIM: pass ({algorithms})", "1;32") + "   checked by dkimpy, keys from "
              "the TXT records keygen printed")
    else:
        print(style("  DKIM: FAIL", "1;31"))
        print("    " + output.replace("\n", "\n    "))


def watch_sink(test_bed, seen):
    """Prints messages that reach the sink after the samples, until Ctrl-C."""
    while True:
        for received in test_bed.sink.messages():
            if received.name not in seen:
                seen.add(received.name)
                print(style(f"\nnew message at the sink ({received.message_id}):", "1"))
                print_received(received)
        time.sleep(0.5)


def main(binary, samples_path):
    if os.geteuid() != 0:
        raise SystemExit("demo: run as root (it starts a private Postfix instance)")
    if not procs.port_is_free(PORT):
        raise SystemExit(f"demo: 127.0.0.1:{PORT} is already in use")
    samples = load_samples(samples_path)
    procs.exit_on_sigterm()
    root = tempfile.mkdtemp(prefix="sendguard-demo-")
    test_bed = None
    try:
        keys, key_table, signing_table, dns_file = make_dkim_keys(binary, os.path.join(root, "keys"))
        options = bed.BedOptions(
            users={USER: PASSWORD}, smtp_port=PORT, binary=binary,
            files={"quota.conf": DEMO_QUOTA},
            extra_toml=demo_toml(key_table, signing_table))
        test_bed = bed.TestBed(options, root=root)
        print("starting sink, sendguard and a private Postfix on 127.0.0.1:2525 ...")
        test_bed.start()
        print(f"  work dir:  {test_bed.root}\n  sendguard: {test_bed.sendguard.log_path}\n"
              f"  postfix:   {test_bed.postfix.maillog}\n  config:    "
              f"{test_bed.sendguard.config_path}")
        print("  DKIM keys made with `sendguard keygen`; the DNS records to publish:")
        for key in keys:
            print(f"    {key.dns_name}. IN TXT \"{key.txt_value[:60]}...\"")
        run_samples(test_bed, samples, dns_file)
        print(style("\nTry it yourself (Ctrl-C stops everything):", "1"))
        print(f"  swaks --server 127.0.0.1:{PORT} --tls --auth-user {USER} --auth-password "
              f"{PASSWORD} --to someone@example.net --from {USER}")
        watch_sink(test_bed, {m.name for m in test_bed.sink.messages()})
    except KeyboardInterrupt:
        print("\nstopping ...")
    finally:
        if test_bed is not None:
            test_bed.stop()
        elif not os.environ.get("SG_E2E_KEEP"):
            shutil.rmtree(root, ignore_errors=True)
        procs.stop_all()
    return 0


def make_dkim_keys(binary, directory):
    """RSA + Ed25519 keys for example.org, key and signing tables, and the DNS
    file the verifier reads; returns (keys, key_table, signing_table, dns_file)."""
    keys = [dkimkeys.make_key(binary, directory, DOMAIN, "rsa", "rsa"),
            dkimkeys.make_key(binary, directory, DOMAIN, "ed", "ed25519")]
    key_table, signing_table = dkimkeys.write_tables(directory, keys, [DOMAIN])
    dns_file = dkimkeys.write_dns_file(os.path.join(directory, "dns.txt"), keys)
    return keys, key_table, signing_table, dns_file


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit("usage: demo.py SENDGUARD_BIN [SAMPLES_TOML]")
    sys.exit(main(os.path.abspath(sys.argv[1]),
                  sys.argv[2] if len(sys.argv) == 3 else os.path.join(HERE, "demo_samples.toml")))

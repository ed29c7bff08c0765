"""demo.py SENDGUARD_BIN [SAMPLES_TOML] — the newcomer's first look at sendguard.

Starts a private Postfix on 127.0.0.1:2525 (SASL user demo@example.org,
password demo) with sendguard attached over a unix socket and a local sink as
next hop; sends every sample of demo_samples.toml and prints each outcome
(SMTP reply; for delivered mail the headers the sink received, with the ones
sendguard added marked "+"). Then stays up, printing whatever else reaches
the sink, until Ctrl-C; every process it started is stopped on the way out.
"""

import email.parser
import email.policy
import os
import sys
import time
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sgbed import bed, procs, submit  # noqa: E402

PORT = 2525
USER, PASSWORD = "demo@example.org", "demo"
HERE = os.path.dirname(os.path.abspath(__file__))
COLOR = sys.stdout.isatty()


def style(text, code):
    return f"\033[{code}m{text}\033[0m" if COLOR else text


def load_samples(path):
    with open(path, "rb") as f:
        samples = tomllib.load(f).get("sample", [])
    for i, sample in enumerate(samples, 1):
        missing = [k for k in ("name", "explain", "from", "to", "subject", "body") if k not in sample]
        if missing:
            raise SystemExit(f"{path}: sample #{i}: missing {', '.join(missing)}")
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
        line = f"{name}: {value}"
        print(style(f"  + {line}", "1;32") if added else f"    {line}")


def _added_by_sendguard(name, value, sent, know_sent):
    if name.lower() == "received":  # Postfix's own trace header
        return False
    if know_sent:
        return (name.lower(), value) not in sent
    return name.lower().startswith(("x-sendguard", "dkim-signature"))


def run_samples(test_bed, samples):
    for i, sample in enumerate(samples, 1):
        print(style(f"\n[{i}/{len(samples)}] {sample['name']}", "1"))
        print(f"  {sample['explain']}")
        outcome, message_id, message = send_sample(test_bed, sample)
        if outcome is not None:
            print(f"  SMTP reply ({outcome.stage}): {outcome.code} {outcome.reply}")
            if not outcome.accepted:
                continue
        else:
            print("  submitted with sendmail(1)")
        try:
            print_received(test_bed.sink.wait_for_message_id(message_id, timeout=15), message)
        except TimeoutError:
            print(style("  not at the sink after 15s; queue:", "1;31"))
            print("    " + test_bed.postfix.queue_listing().strip().replace("\n", "\n    "))


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
    options = bed.BedOptions(users={USER: PASSWORD}, smtp_port=PORT, binary=binary)
    test_bed = bed.TestBed(options)
    try:
        print("starting sink, sendguard and a private Postfix on 127.0.0.1:2525 ...")
        test_bed.start()
        print(f"  work dir:  {test_bed.root}\n  sendguard: {test_bed.sendguard.log_path}\n"
              f"  postfix:   {test_bed.postfix.maillog}")
        run_samples(test_bed, samples)
        print(style("\nTry it yourself (Ctrl-C stops everything):", "1"))
        print(f"  swaks --server 127.0.0.1:{PORT} --tls --auth-user {USER} --auth-password "
              f"{PASSWORD} --to someone@example.net --from {USER}")
        watch_sink(test_bed, {m.name for m in test_bed.sink.messages()})
    except KeyboardInterrupt:
        print("\nstopping ...")
    finally:
        test_bed.stop()
        procs.stop_all()
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit("usage: demo.py SENDGUARD_BIN [SAMPLES_TOML]")
    sys.exit(main(os.path.abspath(sys.argv[1]),
                  sys.argv[2] if len(sys.argv) == 3 else os.path.join(HERE, "demo_samples.toml")))

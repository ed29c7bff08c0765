"""Test messages taken from the repository: the starter rule set's hit
messages (tests/rules/hit/RULE.eml) and files under tests/e2e/data/.

Contract: from_file() returns the message with CRLF line ends, its From/To
headers replaced by the given addresses and a fresh unique Message-ID and
Date, so that sender authorization lets it through and the sink can find it;
everything else (Subject, body, other headers) is kept byte for byte.
Stateless; safe from any thread.
"""

import email.utils
import os
import re
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
HIT_DIR = os.path.join(REPO, "tests", "rules", "hit")
DATA_DIR = os.path.join(REPO, "tests", "e2e", "data")
RULES_DIR = os.path.join(REPO, "rules")


def hit_message(rule, mail_from, rcpts):
    """(bytes, Message-ID) of tests/rules/hit/RULE.eml, readdressed."""
    return from_file(os.path.join(HIT_DIR, rule + ".eml"), mail_from, rcpts)


def data_message(name, mail_from, rcpts):
    """(bytes, Message-ID) of tests/e2e/data/NAME, readdressed."""
    return from_file(os.path.join(DATA_DIR, name), mail_from, rcpts)


def from_file(path, mail_from, rcpts):
    with open(path, "rb") as f:
        raw = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    head, sep, body = raw.partition(b"\r\n\r\n")
    message_id = f"<{uuid.uuid4().hex}@e2e.sendguard.test>"
    fresh = {"From": mail_from, "To": ", ".join(rcpts), "Message-ID": message_id,
             "Date": email.utils.formatdate(localtime=False)}
    replaced = {name.lower().encode() for name in fresh}
    kept = [f for f in _fields(head) if f.split(b":", 1)[0].strip().lower() not in replaced]
    new = [f"{name}: {value}".encode() for name, value in fresh.items()]
    return b"\r\n".join(new + kept) + (sep or b"\r\n\r\n") + body, message_id


def _fields(head):
    """Header fields of a header block, each with its folded continuation lines."""
    fields = []
    for line in head.split(b"\r\n"):
        if fields and re.match(rb"[ \t]", line):
            fields[-1] += b"\r\n" + line
        elif line:
            fields.append(line)
    return fields

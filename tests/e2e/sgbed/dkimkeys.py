"""DKIM keys and verification for the e2e tests and the demo.

Contract: make_key() runs `sendguard keygen` for one key and returns a Key
with the DNS name and TXT value parsed from the record keygen prints;
write_tables() writes a key table and a signing table in the formats of
policies/keys.conf and policies/signing.conf; write_dns_file() writes the
"name TXT-value" file both verifiers read instead of DNS (no network).
verify_dkimpy() / verify_opendkim() run tests/dkim's verifier scripts on a
message file and return (ok, output). Raises RuntimeError when keygen fails or
prints something that is not a TXT record. Stateless; safe from any thread.
"""

import dataclasses
import os
import re

from . import procs

from .messages import REPO  # noqa: E402
VERIFY_DKIMPY = os.path.join(REPO, "tests", "dkim", "verify_dkimpy.py")
VERIFY_OPENDKIM = os.path.join(REPO, "tests", "dkim", "verify_opendkim.sh")


@dataclasses.dataclass
class Key:
    name: str          # key-table name, e.g. "example.org-rsa"
    domain: str
    selector: str
    key_type: str      # "rsa" or "ed25519"
    private_path: str
    dns_name: str      # SELECTOR._domainkey.DOMAIN
    txt_value: str     # "v=DKIM1; k=...; p=..."
    record: str        # the zone-file record as keygen printed it


def make_key(binary, directory, domain, selector, key_type):
    """`BIN keygen --domain D --selector S --type T --dir DIR`; the Key made."""
    os.makedirs(directory, exist_ok=True)
    result = procs.run([binary, "keygen", "--domain", domain, "--selector", selector,
                        "--type", key_type, "--dir", directory], check=False)
    if result.returncode != 0:
        raise RuntimeError(f"sendguard keygen --type {key_type} exited {result.returncode}: "
                           f"{(result.stderr or result.stdout).strip()}")
    name, value = parse_txt_record(result.stdout)
    return Key(name=f"{domain}-{selector}", domain=domain, selector=selector, key_type=key_type,
               private_path=os.path.join(directory, f"{selector}.private"),
               dns_name=name, txt_value=value, record=result.stdout)


def parse_txt_record(text):
    """(name, joined TXT strings) of a zone-file record `NAME [TTL] IN TXT ( "..." ... )`."""
    match = re.search(r"^\s*(\S+)\s+(?:\d+\s+)?IN\s+TXT\s", text, re.M)
    if not match:
        raise RuntimeError(f"no TXT record in keygen output: {text.strip()[:300]!r}")
    strings = re.findall(r'"((?:[^"\\]|\\.)*)"', text[match.end():])
    if not strings:
        raise RuntimeError(f"TXT record without strings: {text.strip()[:300]!r}")
    return match.group(1).rstrip("."), "".join(strings)


def write_tables(directory, keys, patterns):
    """keys.conf (name domain:selector:keyfile) and signing.conf (pattern -> every
    key's name) in `directory`; returns (key_table_path, signing_table_path)."""
    key_table = os.path.join(directory, "keys.conf")
    signing_table = os.path.join(directory, "signing.conf")
    with open(key_table, "w") as f:
        for k in keys:
            f.write(f"{k.name} {k.domain}:{k.selector}:{k.private_path}\n")
    with open(signing_table, "w") as f:
        for pattern in patterns:
            f.write(f"{pattern} {' '.join(k.name for k in keys)}\n")
    return key_table, signing_table


def write_dns_file(path, keys):
    """The verifiers' DNS answers: one "name TXT-value" line per key."""
    with open(path, "w") as f:
        for k in keys:
            f.write(f"{k.dns_name} {k.txt_value}\n")
    return path


def verify_dkimpy(message_path, dns_file, expected=None):
    """(ok, output) of tests/dkim/verify_dkimpy.py: all signatures pass (and
    exactly `expected` of them when given)."""
    argv = ["/usr/bin/python3", VERIFY_DKIMPY, message_path, dns_file]
    return _verify(argv + ([str(expected)] if expected is not None else []))


def verify_opendkim(message_path, dns_file, expected=None):
    """(ok, output) of tests/dkim/verify_opendkim.sh (OpenDKIM's verifier)."""
    argv = ["/bin/sh", VERIFY_OPENDKIM, message_path, dns_file]
    return _verify(argv + ([str(expected)] if expected is not None else []))


def _verify(argv):
    result = procs.run(argv, check=False, timeout=60)
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def passed_algorithms(dkimpy_output):
    """["rsa", "ed25519"] from verify_dkimpy.py's "pass d=... s=... a=rsa-sha256" lines."""
    return [m.split("-")[0] for m in re.findall(r"^pass .*\ba=(\S+)", dkimpy_output, re.M)]

#!/usr/bin/python3
"""verify_dkimpy.py MESSAGE KEYS [EXPECTED] — verify every DKIM-Signature of MESSAGE
with dkimpy, answering DNS from KEYS (lines: "name TXT-value"), no network.

Prints one verdict line per signature, "pass d=DOMAIN s=SELECTOR a=ALGORITHM"
or "fail d=... s=... a=..." (the form verify_opendkim.sh uses), and
"signatures: N". Exit status 0 only if there is at least one signature (or
exactly EXPECTED) and all of them verify; 1 if not; 2 if dkimpy cannot run.
"""
import sys

try:
    import dkim
except ImportError as e:
    print("error: cannot import dkimpy (python3-dkim, make deps): %s" % e)
    sys.exit(2)


def load_keys(path):
    keys = {}
    with open(path, encoding="ascii") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, value = line.split(None, 1)
                keys[name.rstrip(".").lower()] = value.encode("ascii")
    return keys


def main():
    message = open(sys.argv[1], "rb").read()
    keys = load_keys(sys.argv[2])

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode("ascii")
        return keys.get(name.rstrip(".").lower())

    d = dkim.DKIM(message)
    count = len([h for h in d.headers if h[0].lower() == b"dkim-signature"])
    ok = count > 0
    for i in range(count):
        try:
            good = d.verify(idx=i, dnsfunc=dnsfunc)
        except dkim.DKIMException as e:
            good, d.signature_fields = False, getattr(d, "signature_fields", {})
            print("error: %s" % e)
        fields = d.signature_fields or {}
        tag = " ".join("%s=%s" % (k, fields.get(k.encode(), b"?").decode())
                       for k in ("d", "s", "a"))
        print(("pass " if good else "fail ") + tag)
        ok = ok and good
    print("signatures: %d" % count)
    if len(sys.argv) > 3 and count != int(sys.argv[3]):
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""crash_bench.py OUT.json BIN [LABEL=BIN...] — crash isolation through real
Postfix, for `make bench`: per binary, a private bed (sendguard with
daemon.user = nobody, Postfix, sink), 4 authenticated submitters (XCLIENT
LOGIN) for CRASH_SECONDS (default 8), first with no kill, then with one
worker killed (SIGKILL) every second. Writes {label: {"calm": ..., "kills":
...}} (sgbed/crashload.py's figures) to OUT.json and prints a table. A
binary without the daemon.workers key (an older sendguard: one worker per
socket) is run without it; CRASH_WORKERS sets daemon.workers for the others
(default 0: one per core), CRASH_RUNS=calm or =kills only one of the two.
Needs root. Exit status 0 when every run
finished with nothing lost, duplicated or unfiltered."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sgbed import bed, crashload, procs  # noqa: E402

LOGIN = "alice@example.org"
RCPT = "bob@example.net"


def knows_workers_key(binary):
    help_text = procs.run([binary, "help", "config"], check=False).stdout
    return "workers" in help_text


def measure(binary, seconds):
    options = bed.BedOptions(
        binary=binary, users={LOGIN: "pw"}, user="nobody",
        workers=int(os.environ.get("CRASH_WORKERS", "0")) if knows_workers_key(binary) else None,
        extra_main_cf="smtpd_authorized_xclient_hosts = 127.0.0.1\n")
    result = {}
    runs = (("calm", 0), ("kills", 1.0))
    if os.environ.get("CRASH_RUNS"):
        runs = tuple(r for r in runs if r[0] in os.environ["CRASH_RUNS"].split(","))
    for name, kill_every in runs:
        b = bed.TestBed(options)
        b.start()
        try:
            result[name] = crashload.run(b, LOGIN, RCPT, seconds=seconds, submitters=4, kill_every=kill_every)
        finally:
            b.stop()
    return result


def main(argv):
    out, binaries = argv[1], argv[2:]
    seconds = float(os.environ.get("CRASH_SECONDS", "8"))
    results = {}
    for spec in binaries:
        label, _, binary = spec.rpartition("=")
        results[label or "sendguard"] = measure(os.path.abspath(binary), seconds)
    with open(out, "w") as f:
        json.dump(results, f, indent=2)
    print(f"{'binary':<12} {'run':<6} {'subm':>6} {'acc':>6} {'away%':>7} {'kills':>6} {'lost':>5} {'dup':>4} {'unfilt':>6}")
    ok = True
    for label, runs in results.items():
        for name, r in runs.items():
            print(f"{label:<12} {name:<6} {r['submissions']:>6} {r['accepted']:>6} {r['turned_away_pct']:>7} "
                  f"{r['kills']:>6} {r['lost']:>5} {r['duplicated']:>4} {r['unfiltered']:>6}")
            ok = ok and r["lost"] == 0 and r["duplicated"] == 0 and r["unfiltered"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

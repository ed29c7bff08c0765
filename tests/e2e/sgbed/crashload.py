"""Crash isolation under load: authenticated submitters (XCLIENT LOGIN=...)
send through the bed's Postfix while one sendguard worker is killed with
SIGKILL every `kill_every` seconds.

Contract: run() needs a started bed whose Postfix allows XCLIENT from
127.0.0.1 and a sendguard that adds its X-Sendguard trace header. It returns
a dict: submissions, accepted, turned_away (4xx/5xx or a broken SMTP
session), turned_away_pct, kills, delivered (distinct Message-IDs at the
sink), lost (accepted, never delivered), duplicated (delivered more than
once), unfiltered (delivered without the trace header), and the per-code
counts of what was turned away. Every submission has its own Message-ID.
Each submitter is one thread; run() joins them all before it returns.
"""

import collections
import os
import random
import signal
import threading
import time

from . import submit


def run(bed, login, rcpt, seconds=6.0, submitters=4, kill_every=1.0, settle=30.0):
    stop = threading.Event()
    lock = threading.Lock()
    accepted, refusals = [], collections.Counter()
    counts = {"submissions": 0, "kills": 0}

    def submitter():
        while not stop.is_set():
            message, message_id = submit.make_message(login, [rcpt], subject="crash load")
            try:
                outcome = submit.submit(bed.postfix.port, login, [rcpt], message, starttls=False,
                                        xclient=f"LOGIN={login}", timeout=20)
                key = None if outcome.accepted else f"{outcome.stage} {outcome.code}"
            except OSError as exc:  # the SMTP session broke: the client would retry
                key = f"session {type(exc).__name__}"
            with lock:
                counts["submissions"] += 1
                if key is None:
                    accepted.append(message_id)
                else:
                    refusals[key] += 1

    def killer():
        rng = random.Random(7)
        while not stop.wait(kill_every):
            workers = bed.sendguard.workers()
            if workers:
                try:
                    os.kill(rng.choice(workers)[0], signal.SIGKILL)
                    counts["kills"] += 1
                except ProcessLookupError:
                    pass

    threads = [threading.Thread(target=submitter, daemon=True) for _ in range(submitters)]
    if kill_every > 0:
        threads.append(threading.Thread(target=killer, daemon=True))
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(60)
    return _tally(bed, accepted, refusals, counts, settle)


def _tally(bed, accepted, refusals, counts, settle):
    wanted = set(accepted)
    deadline = time.time() + settle
    while True:
        delivered = collections.Counter()
        unfiltered = 0
        for m in bed.sink.messages():
            if m.message_id in wanted or "crash load" in m.raw[:2000].decode(errors="replace"):
                delivered[m.message_id] += 1
                unfiltered += 0 if m.header_values("X-Sendguard") else 1
        if wanted <= set(delivered) or time.time() > deadline:
            break
        bed.postfix.flush()
        time.sleep(0.5)
    turned_away = sum(refusals.values())
    submissions = counts["submissions"]
    return {
        "submissions": submissions,
        "accepted": len(accepted),
        "turned_away": turned_away,
        "turned_away_pct": round(100.0 * turned_away / submissions, 2) if submissions else 0.0,
        "kills": counts["kills"],
        "delivered": len(delivered),
        "lost": len(wanted - set(delivered)),
        "duplicated": sum(1 for n in delivered.values() if n > 1),
        "unfiltered": unfiltered,
        "refusals": dict(refusals),
    }

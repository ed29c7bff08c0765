#!/usr/bin/python3
# policy_test.py SENDGUARD_BIN TMPDIR — the Postfix SMTPD policy service
# against a running daemon (started here, stopped at the end), with our own
# client (policy_client.py): every protocol_state, pipelined requests, the
# quota window exactly at the limit under parallel clients, the end of
# message committing the real amounts, suspended senders, and hostile
# clients (garbage, over-long lines, attribute floods, slow and half-open
# clients, too many connections) that lose their own connection only while
# the others are served and the worker's memory stays bounded. Prints
# "ok   NAME" / "FAIL NAME: why" per case and "N passed, M failed".
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import policy_client as pc  # noqa: E402

SG, TMP = sys.argv[1], sys.argv[2]
RESULTS = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def start_daemon(name, extra_conf, quota_conf):
    d = os.path.join(TMP, name)
    os.makedirs(d + "/state", exist_ok=True)
    port = free_port()
    write(d + "/quota.conf", quota_conf)
    write(d + "/abuse.conf", "suspend_text 550 5.7.1 account suspended; contact abuse@example.org\n")
    conf = write(d + "/sendguard.conf", f"""
[daemon]
listen = ["unix:{d}/milter.sock"]
state_dir = "{d}/state"
user = ""
workers = 2
[log]
target = "stderr"
level = "info"
[identity]
trusted_networks = ["127.0.0.0/8"]
[quota]
policy_file = "quota.conf"
reservation_ttl = 60
[abuse]
policy_file = "abuse.conf"
[policy]
listen = ["inet:127.0.0.1:{port}", "unix:{d}/policy.sock"]
request_timeout = 2
idle_timeout = 4
max_connections = 20
{extra_conf}
""")
    log = open(d + "/log", "w")
    proc = subprocess.Popen([SG, "run", "-c", conf, "--foreground"], stdout=log, stderr=subprocess.STDOUT)
    spec = f"inet:127.0.0.1:{port}"
    for _ in range(100):
        try:
            pc.connect(spec, 1).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, spec, conf, d


def stop_daemon(proc):
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def case(name):
    def wrap(fn):
        try:
            fn()
            RESULTS.append(True)
            print(f"ok   {name}", flush=True)
        except Exception as e:  # noqa: BLE001  (a failed case, reported)
            RESULTS.append(False)
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
        return fn
    return wrap


def check(cond, why):
    if not cond:
        raise AssertionError(why)


def quota_json(conf, user):
    out = subprocess.run([SG, "quota", "show", user, "-c", conf, "--json"], capture_output=True, text=True, timeout=30)
    check(out.returncode == 0, f"quota show: {out.stderr}")
    return json.loads(out.stdout)


def used(conf, user, metric):
    for limit in quota_json(conf, user)["limits"]:
        if limit["metric"] == metric:
            return limit["used"], limit["pending"]
    raise AssertionError(f"no {metric} limit in quota show")


def worker_pids(proc):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(proc.pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def rss_kb(pids):
    total = 0
    for p in pids:
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def served(spec):
    """A fresh client gets an answer at once."""
    c = pc.Client(spec, timeout=2)
    t = time.monotonic()
    a = c.ask(pc.request("CONNECT"))
    c.close()
    return a == "DUNNO" and time.monotonic() - t < 1.0


QUOTA = """
class default { recipients 10/1h; messages 100/1h; rcpt_per_msg 50; max_size 10MB }
class held { messages 1/1h; action quarantine }
class race { recipients 40/1h }
users {
  bulk@example.org held
  @race.example race
}
"""

proc, SPEC, CONF, DIR = start_daemon("main", "", QUOTA)
UNIX_SPEC = f"unix:{DIR}/policy.sock"
try:
    @case("every_protocol_state_gets_an_answer")
    def _():
        c = pc.Client(SPEC)
        for state in ["CONNECT", "EHLO", "HELO", "MAIL", "RCPT", "DATA", "END-OF-MESSAGE", "VRFY", "ETRN"]:
            a = c.ask(pc.request(state, "states@example.org", "r@example.net", instance="st1",
                                 recipient_count=1 if state in ("DATA", "END-OF-MESSAGE") else 0, size=10))
            check(a == "DUNNO", f"{state}: {a}")
        c.close()
        log = open(DIR + "/log").read()
        check("protocol_state=CONNECT: sendguard counts only at RCPT and END-OF-MESSAGE" in log, "no stage warning logged")
        check("protocol_state=RCPT" not in log, "warned about RCPT")
        check("protocol_state=MAIL" not in log, "warned about MAIL (suspensions are checked there)")

    @case("unix_socket_serves_too")
    def _():
        check(served(UNIX_SPEC), "no answer on the unix socket")

    @case("pipelined_requests_answered_in_order")
    def _():
        c = pc.Client(SPEC)
        inst = "pipe1"
        reqs = [pc.request("RCPT", "pipe@example.org", f"r{i}@example.net", instance=inst) for i in range(12)]
        reqs.append(pc.request("END-OF-MESSAGE", "pipe@example.org", instance=inst, recipient_count=10, size=100))
        c.send_raw(b"".join(pc.encode(r) for r in reqs))
        answers = [c.read_answer() for _ in reqs]
        c.close()
        check(answers[:10] == ["DUNNO"] * 10, f"first ten: {answers[:10]}")
        check(answers[10].startswith("451 4.7.1 pipe@example.org: quota 10 recipients/1h reached, retry after "),
              f"11th: {answers[10]}")
        check(answers[12] == "DUNNO", f"end: {answers[12]}")
        check(used(CONF, "pipe@example.org", "recipients") == (10, 0), "quota show disagrees")

    @case("unknown_attributes_are_ignored")
    def _():
        c = pc.Client(SPEC)
        a = c.ask(pc.request("RCPT", "attrs@example.org", "r@example.net", instance="u1",
                             some_future_attribute="1", another="x=y"))
        check(a == "DUNNO", a)
        c.close()

    @case("parallel_clients_hit_the_window_exactly_at_the_limit")
    def _():
        # 8 connections, 10 messages of 2 recipients each: exactly 40 fit.
        results = []
        lock = threading.Lock()

        def sender(k):
            c = pc.Client(SPEC)
            for m in range(10):
                answers, end = pc.message(c, "racer@race.example", ["a@example.net", "b@example.net"], size=500)
                with lock:
                    results.append((answers, end))
            c.close()
        threads = [threading.Thread(target=sender, args=(k,)) for k in range(8)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        accepted = sum(a.count("DUNNO") for a, _ in results)
        refused = [x for a, _ in results for x in a if x != "DUNNO"]
        check(accepted == 40, f"{accepted} recipients accepted, want 40")
        check(all(r.startswith("451 4.7.1 racer@race.example: quota 40 recipients/1h reached") for r in refused),
              f"refusals: {set(refused)}")
        check(used(CONF, "racer@race.example", "recipients") == (40, 0), "quota show disagrees")

    @case("message_without_end_of_message_is_not_counted")
    def _():
        c = pc.Client(SPEC)
        pc.message(c, "abort@example.org", ["a@example.net", "b@example.net"], with_end=False)
        check(used(CONF, "abort@example.org", "recipients") == (0, 2), "pending while the message is open")
        pc.message(c, "abort@example.org", ["c@example.net"])  # the next message: the first one's DATA failed
        check(used(CONF, "abort@example.org", "recipients") == (1, 0), "aborted message counted")
        pc.message(c, "abort@example.org", ["d@example.net"], with_end=False)
        c.close()  # the client went away mid-message
        time.sleep(0.5)
        check(used(CONF, "abort@example.org", "recipients") == (1, 0), "unfinished message counted after close")

    @case("end_of_message_counts_recipient_count_and_size")
    def _():
        c = pc.Client(SPEC)
        answers, end = pc.message(c, "sizes@example.org", ["a@example.net", "b@example.net", "c@example.net"],
                                  size=12345)
        check(end == "DUNNO", end)
        c.close()
        q = quota_json(CONF, "sizes@example.org")
        check(q["last_hour"]["recipients"] == 3 and q["last_hour"]["bytes"] == 12345, f"last hour {q['last_hour']}")

    @case("quarantine_class_answers_hold")
    def _():
        c = pc.Client(SPEC)
        pc.message(c, "bulk@example.org", ["a@example.net"])
        answers, end = pc.message(c, "bulk@example.org", ["a@example.net", "b@example.net"])
        check(answers[0].startswith("HOLD sendguard: bulk@example.org: quota 1 messages/1h"), answers[0])
        check(answers[1] == "DUNNO" and end == "DUNNO", f"{answers} {end}")
        c.close()

    @case("suspended_sender_refused_with_the_abuse_policy_text")
    def _():
        out = subprocess.run([SG, "abuse", "suspend", "mallory@example.org", "-c", CONF], capture_output=True,
                             text=True, timeout=30)
        check(out.returncode == 0, f"abuse suspend: {out.stdout} {out.stderr}")
        c = pc.Client(SPEC)
        want = "550 5.7.1 account suspended; contact abuse@example.org"
        a = c.ask(pc.request("MAIL", "mallory@example.org", instance="sus1"))
        check(a == want, f"MAIL: {a}")
        answers, end = pc.message(c, "mallory@example.org", ["a@example.net"])
        check(answers == [want] and end == want, f"{answers} {end}")
        c.close()

    def hostile(payload, name):
        c = pc.Client(SPEC)
        c.send_raw(payload)
        closed = c.closed_by_server(1)  # at once, not at request_timeout (2 s)
        check(closed, f"{name}: the connection stayed open")
        check(served(SPEC), f"{name}: others not served")

    @case("garbage_closes_the_connection")
    def _():
        hostile(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "http")
        hostile(b"\x00\x01\x02binary\n\n", "binary")
        log = open(DIR + "/log").read()
        check("protocol error: not a name=value line" in log, "no log line naming the error")

    @case("over_long_line_closes_the_connection")
    def _():
        hostile(b"sasl_username=" + b"a" * 100000, "long line")

    @case("attribute_flood_closes_the_connection")
    def _():
        hostile(b"".join(b"attr%d=x\n" % i for i in range(5000)), "flood of names")
        hostile(b"sasl_username=xxxxxxxxxxxxxxxxxxxx\n" * 5000, "flood of one name")

    @case("slow_client_is_cut_and_others_are_served_meanwhile")
    def _():
        slow = pc.Client(SPEC)
        slow.send_raw(b"request=smtpd_access_policy\nprotocol_state=RC")  # and nothing more
        t = time.monotonic()
        for _ in range(5):
            check(served(SPEC), "another client waited")
        check(slow.closed_by_server(5), "slow client not cut")
        dt = time.monotonic() - t
        check(1.5 < dt < 4.5, f"cut after {dt:.1f}s, want request_timeout=2s")

    @case("half_open_client_is_closed_after_idle_timeout")
    def _():
        idle = pc.Client(SPEC)
        t = time.monotonic()
        check(served(SPEC), "another client waited")
        check(idle.closed_by_server(8), "idle client kept")
        dt = time.monotonic() - t
        check(3.5 < dt < 6.5, f"closed after {dt:.1f}s, want idle_timeout=4s")

    @case("too_many_connections_are_refused_and_memory_stays_bounded")
    def _():
        pids = worker_pids(proc)
        before = rss_kb(pids)
        hogs = []
        for _ in range(60):  # 2 workers x max_connections 20 = 40 at most
            try:
                h = pc.Client(SPEC, timeout=2)
                h.send_raw(b"sasl_username=" + b"u" * 3000 + b"\n" + b"x=" + b"y" * 3000)
                hogs.append(h)
            except OSError:
                pass
        time.sleep(0.5)
        closed = sum(1 for h in hogs if h.closed_by_server(0.2))
        check(closed >= 15, f"only {closed} of 60 connections closed at once")
        during = rss_kb(pids)
        for h in hogs:
            h.close()
        time.sleep(0.5)
        check(served(SPEC), "not served after the storm")
        check(during - before < 20000, f"workers grew by {during - before} kB with 60 hostile connections")

    @case("reload_retires_idle_connections_and_new_workers_serve")
    def _():
        c = pc.Client(SPEC)
        check(c.ask(pc.request("CONNECT")) == "DUNNO", "before the reload")
        out = subprocess.run([SG, "reload", "-c", CONF], capture_output=True, text=True, timeout=60)
        check(out.returncode == 0, f"reload: {out.stdout} {out.stderr}")
        check(c.closed_by_server(1.5), "the old worker kept its idle connection")  # idle_timeout is 4 s
        check(served(SPEC) and served(UNIX_SPEC), "not served after the reload")

    @case("reload_serves_a_connection_accepted_before_its_first_request")
    def _():
        # Postfix connects, then writes: a worker retiring in between must
        # answer that first request, not reset the connection unread.
        c = pc.Client(SPEC)
        time.sleep(0.5)  # accepted by a worker (it polls every 200 ms)
        out = subprocess.run([SG, "reload", "-c", CONF], capture_output=True, text=True, timeout=60)
        check(out.returncode == 0, f"reload: {out.stdout} {out.stderr}")
        time.sleep(0.5)  # the old worker is retiring now
        try:
            answer = c.ask(pc.request("CONNECT"))
        except OSError as e:
            answer = f"{type(e).__name__}: {e}"
        check(answer == "DUNNO", f"first request after the reload: {answer}")
        check(c.closed_by_server(1.5), "the retiring worker kept the connection after answering")
finally:
    stop_daemon(proc)

log = open(DIR + "/log").read()
if "sessions live=0" in log.splitlines()[-1] if log.splitlines() else False:
    RESULTS.append(True)
    print("ok   policy_stop_leaves_no_session")
else:
    RESULTS.append(False)
    print("FAIL policy_stop_leaves_no_session: " + (log.splitlines() or ["(empty log)"])[-1])

# A store that cannot answer: the configured outage policy (fail-closed) answers.
proc, SPEC, CONF, DIR = start_daemon("down", f"""
[quota]
""".replace("[quota]\n", ""), QUOTA)
stop_daemon(proc)
redis_port = free_port()
with open(CONF) as f:
    text = f.read().replace("reservation_ttl = 60\n", f"reservation_ttl = 60\nstore = \"redis\"\nredis_port = {redis_port}\n"
                            "redis_outage = \"fail-closed\"\nredis_connect_timeout_ms = 200\n")
write(CONF, text)
log = open(DIR + "/log", "w")
proc = subprocess.Popen([SG, "run", "-c", CONF, "--foreground"], stdout=log, stderr=subprocess.STDOUT)
try:
    for _ in range(100):
        try:
            pc.connect(SPEC, 1).close()
            break
        except OSError:
            time.sleep(0.1)

    @case("only_mail_requests_are_warned_about")
    def _():
        c = pc.Client(SPEC)
        for i in range(22):  # a fresh daemon: no RCPT request yet
            check(c.ask(pc.request("MAIL", "early@example.org", instance=f"mailonly{i}")) == "DUNNO", "MAIL answer")
        c.close()
        time.sleep(0.3)
        check("messages had only MAIL requests" in open(DIR + "/log").read(), "no warning about MAIL-only requests")

    @case("store_down_answers_the_outage_policy")
    def _():
        c = pc.Client(SPEC)
        a = c.ask(pc.request("RCPT", "alice@example.org", "r@example.net", instance="down1"))
        check(a.startswith("451 4.3.0 "), a)
        c.close()
finally:
    stop_daemon(proc)

print(f"{sum(RESULTS)} passed, {len(RESULTS) - sum(RESULTS)} failed")
sys.exit(0 if all(RESULTS) else 1)

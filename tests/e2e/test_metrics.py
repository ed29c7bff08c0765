"""Metrics through real Postfix, scraped by a real Prometheus (Debian's
package, a private instance on loopback with its own config and data dir).

Two workers as nobody; messages go through Postfix (accepted, refused by the
sender check, refused at RCPT by the quota); a worker is killed with
SIGKILL mid-way and the daemon is reloaded, so the totals Prometheus reads
from its HTTP API must cover live, crashed and retired workers exactly. The
exposition passes `promtool check metrics`; /metrics honours its bearer
token, or basic auth (a second Prometheus scrapes with a password; wrong
credentials get 401, then 429 after [http] login_attempts); the HTTP server runs as nobody in its own process; hostile clients
(a huge header, slow clients, a connection flood) are refused or dropped
while mail keeps flowing and the server keeps serving."""

import os
import signal
import socket
import time
import unittest
import urllib.error
import urllib.request

from sgbed import bed, procs, prometheus

ALICE, ALICE_PW = "alice@example.org", "alice-pw"
RCPT = "bob@example.net"
LIMIT = 4
TOKEN = "e2e-metrics-token-5f1c"


class ScrapedBed(bed.BedTestCase):
    """A bed whose /metrics a private Prometheus scrapes (prometheus_auth:
    the Prometheus() keyword arguments, paths relative to the bed's files)."""
    prometheus_auth = {}

    @classmethod
    def setUpClass(cls):
        if not prometheus.available():
            raise unittest.SkipTest("prometheus is not installed (contrib/debian-packages.txt)")
        cls.prepare_files()
        super().setUpClass()
        files = cls.bed.sendguard.files_dir
        auth = {k: (v[0], os.path.join(files, v[1])) if isinstance(v, tuple) else os.path.join(files, v)
                for k, v in cls.prometheus_auth.items()}
        cls.prom = prometheus.Prometheus(os.path.join(cls.bed.root, "prometheus"), f"127.0.0.1:{cls.http_port}", **auth)
        try:
            cls.prom.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def prepare_files(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "prom", None) is not None:
            cls.prom.stop()
        super().tearDownClass()


class MetricsTest(ScrapedBed):
    http_port = procs.free_port()
    bed_options = bed.BedOptions(
        users={ALICE: ALICE_PW},
        user="nobody",
        workers=2,
        files={"quota.conf": f"class default {{ messages {LIMIT}/1h }}\n", "token": TOKEN + "\n"},
        extra_toml=f"""
[quota]
policy_file = "${{files}}/quota.conf"

[http]
listen = "127.0.0.1:{http_port}"
metrics_token_file = "${{files}}/token"
timeout = 3
per_ip_connections = 16
max_connections = 32
""")
    prometheus_auth = {"token_file": "token"}

    def get(self, path="/metrics", token=TOKEN):
        req = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}")
        if token is not None:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def answers(self):
        try:
            return self.get()[0] == 200
        except OSError:  # reset or refused
            return False

    def send(self, from_header=ALICE):
        message, message_id = bed.submit.make_message(from_header, [RCPT])
        return self.bed.submit(ALICE, [RCPT], message, user=ALICE, password=ALICE_PW), message_id

    def accept_one(self):
        outcome, message_id = self.send()
        self.assertTrue(outcome.accepted, str(outcome))
        self.bed.sink.wait_for_message_id(message_id)

    def kill_a_worker(self):
        sg = self.bed.sendguard
        victim = sg.workers()[0][0]
        os.kill(victim, signal.SIGKILL)
        procs.wait_until(lambda: len(sg.workers()) == 2 and victim not in [p for p, _ in sg.workers()],
                         15, "the killed worker to be replaced")
        procs.wait_until(lambda: "all 2 worker(s) serve" in sg.log_since() or
                         sg.log_since().count("serve") > 0, 5, "workers to serve")
        time.sleep(0.5)

    def assert_value(self, expr, expected):
        name = expr.split("{")[0].split("(")[-1]
        scraped = [line for line in self.get()[2].splitlines() if line.startswith(name)]
        self.assertEqual(self.prom.value(expr), expected, f"{expr}; /metrics now: {scraped}")

    def test_1_prometheus_reads_exact_totals_across_crash_and_reload(self):
        outcome, _ = self.send(from_header="ceo@bank.example")
        self.assertEqual((outcome.stage, outcome.code), ("DATA", 550), str(outcome))
        self.accept_one()
        self.accept_one()
        self.kill_a_worker()
        self.accept_one()
        self.accept_one()
        outcome, _ = self.send()
        self.assertEqual((outcome.stage, outcome.code), ("RCPT", 451), str(outcome))
        self.prom.wait_for_scrape_after(time.time())
        self.assert_value('sendguard_messages_total{action="accept"}', LIMIT)
        self.assert_value('sendguard_messages_total{action="reject"}', 1)
        self.assert_value('sum(sendguard_messages_total)', LIMIT + 1)
        self.assert_value('sendguard_check_outcomes_total{check="sender",outcome="reject"}', 1)
        self.assert_value('sendguard_check_outcomes_total{check="sender",outcome="ok"}', LIMIT)
        self.assert_value('sendguard_check_outcomes_total{check="quota",outcome="ok"}', LIMIT + 1)
        for check in ("quota", "sender", "content", "spf", "dkim", "abuse"):
            self.assert_value(f'sum(sendguard_check_outcomes_total{{check="{check}"}})', LIMIT + 1)
        self.assert_value('sendguard_quota_refusals_total{kind="over-window-limit"}', 1)
        self.assert_value('sendguard_decision_duration_seconds_count', LIMIT + 1)
        # The sender check refused one message before its content was scanned.
        self.assert_value('sendguard_stage_duration_seconds_count{stage="content"}', LIMIT)
        self.assert_value('sendguard_stage_duration_seconds_count{stage="sender"}', LIMIT + 1)
        self.assert_value('sendguard_worker_restarts_total', 1)
        self.assert_value('sendguard_workers', 2)
        self.assertGreaterEqual(self.prom.value('sendguard_milter_connections_total'), LIMIT + 2)
        self.assertEqual(self.prom.value('sendguard_build_info{version!=""}'), 1)
        self.assertGreater(self.prom.value('process_start_time_seconds'), time.time() - 3600)
        # A reload retires both workers: their counts stay in the totals.
        sg = self.bed.sendguard
        r = sg.command("reload", "-c", sg.config_path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        procs.wait_until(lambda: len(sg.workers()) == 2, 20, "the old workers to retire")
        self.prom.wait_for_scrape_after(time.time())
        self.assert_value('sendguard_reloads_total{result="ok"}', 1)
        self.assert_value('sendguard_reloads_total{result="failed"}', 0)
        self.assert_value('sendguard_messages_total{action="accept"}', LIMIT)
        self.assert_value('sendguard_decision_duration_seconds_count', LIMIT + 1)
        procs.wait_until(lambda: self.prom.value('sendguard_open_connections') == 0, 10,
                         "open connections to drop to 0")

    def test_2_exposition_passes_promtool(self):
        status, headers, text = self.get()
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers)
        rc, out = prometheus.check_metrics(text)
        self.assertEqual((rc, out.strip()), (0, ""), out)
        self.assertNotIn(ALICE, text, "a per-user label")
        self.assertNotIn("example.org", text, "a per-domain label")

    def test_3_token_is_required(self):
        for token in (None, "wrong", TOKEN + "x"):
            status, headers, text = self.get(token=token)
            self.assertEqual(status, 401, f"token {token!r}: {status}")
            self.assertTrue(headers.get("WWW-Authenticate", "").startswith("Bearer"), headers)
            self.assertNotIn("sendguard_messages_total", text)
        self.assertEqual(self.get()[0], 200)

    def test_4_http_server_is_its_own_unprivileged_process(self):
        sg = self.bed.sendguard
        servers = sg.http_server()
        self.assertEqual(len(servers), 1, sg.children())
        self.assertEqual(servers[0][1], 65534, "the HTTP server must run as nobody")
        self.assertNotIn(servers[0][0], [pid for pid, _ in sg.workers()])

    def test_5_hostile_clients_are_refused_and_mail_keeps_flowing(self):
        sg = self.bed.sendguard
        server_pid = sg.http_server()[0][0]
        # A header far beyond the request-head cap: 431, not a crash.
        status, _, _ = self.get_raw_status("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a" * 200000 + "\r\n\r\n")
        self.assertIn(status, (431, 413), f"huge header answered {status}")
        # Slow clients: each sends a byte a second and never finishes; a flood
        # of idle connections on top. The milter is not the HTTP server's.
        slow = [socket.create_connection(("127.0.0.1", self.http_port)) for _ in range(16)]
        flood = []
        for _ in range(40):
            try:
                flood.append(socket.create_connection(("127.0.0.1", self.http_port), timeout=2))
            except OSError:
                break
        try:
            started = time.monotonic()
            for i, s in enumerate(slow):
                s.sendall(b"GET /metrics HTTP/1.1\r\nX-Slow-%d: " % i)
            self.reset_quota()
            self.accept_one()
            self.assertLess(time.monotonic() - started, 10, "mail waited for the HTTP server")
        finally:
            for s in slow + flood:
                s.close()
        # Until the server has seen those closes, a new connection may be over
        # the connection limit and reset: that is refusal, not an answer.
        procs.wait_until(self.answers, 10, "the server to answer again")
        # An idle connection is dropped after [http] timeout (3 s), not at once.
        idle = socket.create_connection(("127.0.0.1", self.http_port))
        idle.settimeout(10)
        started = time.monotonic()
        try:
            got = idle.recv(1)
        except ConnectionResetError:  # libmicrohttpd may reset a timed-out connection
            got = b""
        self.assertEqual(got, b"", "the idle connection was not closed")
        self.assertGreater(time.monotonic() - started, 2)
        self.assertLess(time.monotonic() - started, 8)
        idle.close()
        self.assertEqual(sg.http_server()[0][0], server_pid, "the HTTP server was restarted")

    def get_raw_status(self, request):
        with socket.create_connection(("127.0.0.1", self.http_port), timeout=10) as s:
            try:
                s.sendall(request.encode())
            except OSError:
                pass
            data = b""
            try:
                while b"\r\n" not in data:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
        line = data.split(b"\r\n", 1)[0].decode(errors="replace")
        return (int(line.split()[1]) if line.startswith("HTTP/") else 0), line, data

    def reset_quota(self):
        sg = self.bed.sendguard
        r = sg.command("quota", "reset", ALICE, "-c", sg.config_path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


class TlsMetricsTest(bed.BedTestCase):
    """[http] tls_cert_file/tls_key_file: HTTPS only, the key read by the root
    parent (0600), the token still asked for."""
    http_port = procs.free_port()
    bed_options = bed.BedOptions(
        user="nobody",
        workers=1,
        files={"token": TOKEN + "\n"},
        extra_toml=f"""
[http]
listen = "{http_port}"
metrics_token_file = "${{files}}/token"
tls_cert_file = "${{files}}/cert.pem"
tls_key_file = "${{files}}/key.pem"
""")

    @classmethod
    def setUpClass(cls):
        import tempfile
        keydir = tempfile.mkdtemp(prefix="sendguard-e2e-tls-")
        procs.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                   "-addext", "subjectAltName=IP:127.0.0.1",
                   "-keyout", f"{keydir}/key.pem", "-out", f"{keydir}/cert.pem"])
        for name in ("cert.pem", "key.pem"):
            with open(f"{keydir}/{name}") as f:
                cls.bed_options.files[name] = f.read()
        cls.cafile = f"{keydir}/cert.pem"
        super().setUpClass()
        os.chmod(os.path.join(cls.bed.sendguard.files_dir, "key.pem"), 0o600)

    def test_https_with_token(self):
        import ssl
        ctx = ssl.create_default_context(cafile=self.cafile)
        req = urllib.request.Request(f"https://127.0.0.1:{self.http_port}/metrics",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
            self.assertIn("sendguard_build_info", r.read().decode())
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"https://127.0.0.1:{self.http_port}/metrics", timeout=10, context=ctx)
        self.assertEqual(e.exception.code, 401)
        with self.assertRaises((urllib.error.URLError, ConnectionError, http_client_errors())):
            urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=5)


class BasicAuthMetricsTest(ScrapedBed):
    """[http] metrics_users_file: a real Prometheus scrapes with basic auth
    (a `sendguard console-passwd` line); wrong credentials are refused and,
    after login_attempts failures, the address is refused outright."""
    http_port = procs.free_port()
    bed_options = bed.BedOptions(
        user="nobody",
        workers=1,
        files={"prom-password": "pr0m-pw\n"},
        extra_toml=f"""
[http]
listen = "127.0.0.1:{http_port}"
metrics_users_file = "${{files}}/metrics-users"
login_attempts = 3
""")
    prometheus_auth = {"basic_auth": ("prom", "prom-password")}

    @classmethod
    def prepare_files(cls):
        import subprocess
        line = subprocess.run([os.environ["SENDGUARD_BIN"], "console-passwd", "prom"], input="pr0m-pw\n",
                              capture_output=True, text=True, timeout=30, check=True).stdout
        cls.bed_options.files["metrics-users"] = line

    def status(self, authorization=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.http_port}/metrics")
        if authorization:
            req.add_header("Authorization", authorization)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers.get_all("WWW-Authenticate") or []
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get_all("WWW-Authenticate") or []

    def test_1_prometheus_scrapes_with_a_password(self):
        self.prom.wait_for_scrape_after(time.time())
        self.assertEqual(self.prom.value('sendguard_build_info{job="sendguard"}'), 1)

    def test_2_wrong_credentials_are_refused_then_limited(self):
        import base64
        def basic(user, password):
            return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        code, offered = self.status()
        self.assertEqual(code, 401)
        self.assertTrue(any(o.startswith("Basic ") for o in offered), offered)
        self.assertEqual(self.status(basic("prom", "pr0m-pw"))[0], 200)
        for _ in range(3):
            self.assertEqual(self.status(basic("prom", "guess"))[0], 401)
        self.assertEqual(self.status(basic("prom", "guess"))[0], 429)
        self.assertEqual(self.status("Bearer pr0m-pw")[0], 429, "no token is configured")
        # Prometheus scrapes from the same address with a password that
        # verified before: the guesser does not lock it out.
        self.prom.wait_for_scrape_after(time.time())


def http_client_errors():
    import http.client
    return http.client.HTTPException

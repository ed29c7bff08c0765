"""Prometheus: a private instance of Debian's prometheus on loopback that
scrapes one target every second.

Contract: start() writes its own prometheus.yml and data dir under `root`
(never the system service's), starts /usr/bin/prometheus on a free port of
127.0.0.1 and waits until it is ready; stop() stops it by PID. query()
returns the instant vector of a PromQL expression as {labels-tuple: value};
wait_for_scrape_after(t) waits until the target was scraped after the unix
time t. available() says whether the package is installed (a test without
it is a skip). Not thread-safe.
"""

import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

from . import procs

BINARY = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"

CONFIG = """\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: sendguard
    metrics_path: /metrics
{auth}    static_configs:
      - targets: ["{target}"]
"""


def available():
    return os.access(BINARY, os.X_OK) and os.access(PROMTOOL, os.X_OK)


class Prometheus:
    def __init__(self, root, target, token_file=None, basic_auth=None):
        """basic_auth: (username, password_file) for the scrape."""
        self.root = root
        self.target = target
        self.token_file = token_file
        self.basic_auth = basic_auth
        self.port = procs.free_port()
        self.proc = None
        self._stop_entry = None
        self.log_path = os.path.join(root, "prometheus.log")

    def start(self, timeout=30):
        os.makedirs(os.path.join(self.root, "data"), exist_ok=True)
        auth = ""
        if self.token_file:
            auth = f"    authorization:\n      type: Bearer\n      credentials_file: {self.token_file}\n"
        elif self.basic_auth:
            user, password_file = self.basic_auth
            auth = f"    basic_auth:\n      username: {user}\n      password_file: {password_file}\n"
        config = os.path.join(self.root, "prometheus.yml")
        with open(config, "w") as f:
            f.write(CONFIG.format(auth=auth, target=self.target))
        procs.run([PROMTOOL, "check", "config", config])
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [BINARY, f"--config.file={config}", f"--storage.tsdb.path={self.root}/data",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=log, stderr=subprocess.STDOUT)
        self._stop_entry = procs.register_stop(f"prometheus {self.proc.pid}", self.stop)
        procs.wait_until(self._ready, timeout, "prometheus to be ready", interval=0.2)

    def _ready(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def api(self, path, **params):
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=5) as r:
            body = json.load(r)
        if body.get("status") != "success":
            raise RuntimeError(f"prometheus {path}: {body}")
        return body["data"]

    def query(self, expr):
        data = self.api("query", query=expr)
        out = {}
        for sample in data["result"]:
            labels = tuple(sorted((k, v) for k, v in sample["metric"].items()
                                  if k not in ("job", "instance")))
            out[labels] = float(sample["value"][1])
        return out

    def value(self, expr):
        """The value of an expression that selects one series (None if none)."""
        result = self.query(expr)
        if len(result) > 1:
            raise AssertionError(f"{expr} selects {len(result)} series: {result}")
        return next(iter(result.values()), None)

    def wait_for_scrape_after(self, when, timeout=20):
        """Waits until a successful scrape later than unix time `when` (+ 0.2 s).
        (timestamp() of a plain selector is the sample's time; of `up == 1` it
        would be the query's.)"""
        def scraped():
            data = self.api("query", query='timestamp(up{job="sendguard"})')
            return (data["result"] and float(data["result"][0]["value"][1]) > when + 0.2
                    and self.value('up{job="sendguard"}') == 1)
        procs.wait_until(scraped, timeout, "a scrape after the last message", interval=0.3)

    def stop(self):
        if self._stop_entry is not None:
            procs.unregister_stop(self._stop_entry)
            self._stop_entry = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_tail(self, lines=20):
        return procs.tail(self.log_path, lines)


def check_metrics(text):
    """promtool check metrics on an exposition: (exit code, its output)."""
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(), capture_output=True, timeout=30)
    return r.returncode, (r.stdout + r.stderr).decode(errors="replace")


def cleanup(root):
    shutil.rmtree(root, ignore_errors=True)

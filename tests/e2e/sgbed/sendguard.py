"""Sendguard: runs the daemon under test in the foreground, as a child process.

Contract: start() writes sendguard.toml (the minimal config plus the caller's
extra TOML and policy files) under `root`, starts `BIN run -c FILE
--foreground` with stdout/stderr appended to sendguard.log, and returns once
the milter socket accepts connections (raising, with the log tail, if the
process exits first or the socket never appears). reload() sends SIGUSR1;
command("reload", ...) waits for the outcome. workers() lists the parent's
worker processes, spf_helpers() its SPF helpers (pid, uid).
stop() sends SIGTERM, waits, then SIGKILL, always by PID; it returns the exit
status. start() may be called again after stop() (same config, same socket).
Not thread-safe.
"""

import dataclasses
import os
import signal
import socket
import stat
import subprocess

from . import procs

CONFIG_TEMPLATE = """\
[daemon]
listen = ["{listen}"]
state_dir = "{state_dir}"
user = "{user}"
{workers_line}socket_group = "postfix"     # smtpd runs as the postfix user
failure_action = "{failure_action}"

[log]
target = "stderr"
level = "{log_level}"
{log_lines}
[identity]
trusted_networks = [{trusted_networks}]
"""

DEFAULT_TRUSTED_NETWORKS = ("127.0.0.0/8", "::1/128")


def render_config(listen, state_dir, failure_action="tempfail", log_level="info",
                  trusted_networks=DEFAULT_TRUSTED_NETWORKS, user="", workers=0, decision_log="", audit_log=""):
    """The bed's base config (the [daemon], [log] and [identity] tables)."""
    log_lines = "".join(f'{key} = "{path}"\n' for key, path in (("decision_log", decision_log),
                                                                ("audit_log", audit_log)) if path)
    return CONFIG_TEMPLATE.format(
        listen=listen, state_dir=state_dir, failure_action=failure_action, log_level=log_level,
        user=user, workers_line="" if workers is None else f"workers = {workers}\n",
        log_lines=log_lines,
        trusted_networks=", ".join(f'"{n}"' for n in trusted_networks))


@dataclasses.dataclass
class SendguardOptions:
    binary: str                      # path of the sendguard executable; required
    transport: str = "unix"          # "unix" (socket file under root) or "inet" (127.0.0.1, free port)
    failure_action: str = "tempfail"  # [daemon] failure_action
    log_level: str = "info"          # [log] level
    extra_toml: str = ""             # appended to the config; "${files}" becomes files_dir
    trusted_networks: tuple = DEFAULT_TRUSTED_NETWORKS  # [identity] trusted_networks
    files: dict = dataclasses.field(default_factory=dict)  # name -> text, written to files_dir
    user: str = ""                   # [daemon] user: the workers' account ("" = the parent's)
    workers: int = 0                 # [daemon] workers per socket (0 = one per core; None = no key)
    decision_log: str = ""           # [log] decision_log ("${files}" = files_dir); "" = none
    audit_log: str = ""              # [log] audit_log ("${files}" = files_dir); "" = none
    socket_path: str = ""            # unix socket path ("" = sendguard.sock under root)
    postfix_milter: str = ""         # how Postfix names that socket ("" = unix:<socket_path>)


class Sendguard:
    def __init__(self, root, options):
        self.root = os.path.abspath(root)
        self.options = options
        self.config_path = os.path.join(self.root, "sendguard.toml")
        self.log_path = os.path.join(self.root, "sendguard.log")
        self.files_dir = os.path.join(self.root, "files")
        self.state_dir = os.path.join(self.root, "state")
        if options.transport == "unix":
            self.socket_path = options.socket_path or os.path.join(self.root, "sendguard.sock")
            self.listen = f"unix:{self.socket_path}"
            self.postfix_milter = options.postfix_milter or f"unix:{self.socket_path}"
        else:
            self.port = procs.free_port()
            self.listen = f"inet:{self.port}@127.0.0.1"
            self.postfix_milter = f"inet:127.0.0.1:{self.port}"
        self.proc = None
        self.last_exit = None
        self._stop_entry = None
        self._write_files()

    def _write_files(self):
        os.makedirs(self.files_dir, exist_ok=True)
        os.makedirs(self.state_dir, exist_ok=True)
        for name, text in self.options.files.items():
            path = os.path.join(self.files_dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        config = render_config(self.listen, self.state_dir, self.options.failure_action,
                               self.options.log_level, self.options.trusted_networks,
                               self.options.user, self.options.workers,
                               self.options.decision_log.replace("${files}", self.files_dir),
                               self.options.audit_log.replace("${files}", self.files_dir))
        extra = self.options.extra_toml.replace("${files}", self.files_dir)
        with open(self.config_path, "w") as f:
            f.write(config + ("\n" + extra if extra else ""))

    def command(self, *args, timeout=30):
        """Runs `BIN args...` to completion (e.g. check-config); CompletedProcess."""
        return procs.run([self.options.binary, *args], timeout=timeout, check=False)

    def start(self, timeout=15):
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [self.options.binary, "run", "-c", self.config_path, "--foreground"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        finally:
            log.close()
        self._stop_entry = procs.register_stop(f"sendguard pid {self.proc.pid}", self.stop)
        procs.wait_until(self._listening, timeout, f"sendguard to listen on {self.listen}")

    def _listening(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"sendguard exited with status {self.proc.returncode} "
                               f"before listening; log tail:\n{self.log_tail()}")
        return self._answers()

    def _answers(self):
        """Whether something accepts connections on the milter socket."""
        try:
            if self.options.transport == "unix":
                if not stat.S_ISSOCK(os.stat(self.socket_path).st_mode):
                    return False
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.socket_path)
            else:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def crash(self, timeout=10):
        """kill -9 of the daemon, as a crash would. Returns once its workers
        (which die with it: PR_SET_PDEATHSIG) no longer answer on the socket,
        so a start() that follows cannot mistake them for the new daemon."""
        procs.unregister_stop(self._stop_entry)
        self.proc.kill()
        self.proc.wait()
        self.last_exit = self.proc.returncode
        self.proc = None
        procs.wait_until(lambda: not self._answers(), timeout,
                         "sendguard's workers to die with the killed daemon")

    def reload(self):
        """SIGUSR1 to the daemon (what `sendguard reload` and systemd's reload do).
        Returns the byte offset of the log before the signal, for log_since()."""
        offset = self.log_size()
        self.proc.send_signal(signal.SIGUSR1)
        return offset

    def children(self):
        """(pid, uid, argv) of each live child of the parent."""
        out = []
        if self.proc is None:
            return out
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/status") as f:
                    status = dict(line.split(":", 1) for line in f if ":" in line)
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if int(status["PPid"]) != self.proc.pid or status["State"].strip().startswith("Z"):
                continue
            if status["Name"].strip() == "sendguard-http":
                argv.append(b"(http)")
            out.append((int(entry), int(status["Uid"].split()[0]), [a.decode() for a in argv if a]))
        return out

    def workers(self):
        """(pid, uid) of the worker processes."""
        return [(pid, uid) for pid, uid, argv in self.children()
                if "spf-helper" not in argv and "(http)" not in argv]

    def http_server(self):
        """(pid, uid) of the HTTP server's process ([http] listen), if any."""
        return [(pid, uid) for pid, uid, argv in self.children() if "(http)" in argv]

    def spf_helpers(self):
        """(pid, uid) of the SPF helper processes (the parent starts them)."""
        return [(pid, uid) for pid, uid, argv in self.children() if "spf-helper" in argv]

    def log_since(self, offset=0):
        """The log text written after byte `offset` (whole log by default)."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def log_size(self):
        return os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, term_timeout=20):
        """SIGTERM, then SIGKILL after term_timeout seconds; returns the exit status."""
        procs.unregister_stop(self._stop_entry)
        if self.proc is None:
            return self.last_exit
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(term_timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.last_exit = self.proc.returncode
        self.proc = None
        return self.last_exit

    def log_tail(self, lines=40):
        return procs.tail(self.log_path, lines)

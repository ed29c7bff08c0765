"""TestBed: sink + sendguard + private Postfix, wired together under one temp dir.

Contract: start() brings the three up in dependency order (sink, sendguard,
Postfix) and, if any step fails, stops what it started before re-raising.
stop() stops them in reverse order, keeps a snapshot of the log tails for
failure reports (log_report() still works afterwards) and removes the temp
dir unless SG_E2E_KEEP is set. BedTestCase runs one bed per test class.
Not thread-safe.
"""

import dataclasses
import os
import shutil
import tempfile
import unittest

from . import postfix, procs, sendguard, sendmail, sink, submit

last_bed = None  # the bed most recently started in this process (for failure reports)


@dataclasses.dataclass
class BedOptions:
    users: dict = dataclasses.field(default_factory=lambda: {"alice@example.org": "alice-pw"})
    smtp_port: int = 0                  # Postfix smtpd port on 127.0.0.1; 0 = free port
    with_sendguard: bool = True         # False = Postfix without milter (debugging the bed)
    attach_milter: bool = True          # False = sendguard runs, Postfix has no milter (policy service only)
    transport: str = "unix"             # milter socket: "unix" or "inet"
    milter_default_action: str = "tempfail"
    extra_main_cf: str = ""             # appended to Postfix's main.cf
    extra_toml: str = ""                # appended to sendguard's config ("${files}" = files dir)
    files: dict = dataclasses.field(default_factory=dict)  # policy files for sendguard
    trusted_networks: tuple = sendguard.DEFAULT_TRUSTED_NETWORKS  # sendguard's [identity]
    binary: str = ""                    # sendguard executable; "" = $SENDGUARD_BIN
    user: str = ""                      # sendguard's [daemon] user ("" = as the parent)
    workers: int = 0                    # sendguard's [daemon] workers (0 = one per core)
    decision_log: str = ""              # sendguard's [log] decision_log ("${files}" = files dir)
    audit_log: str = ""                 # sendguard's [log] audit_log ("${files}" = files dir)
    mta: str = "postfix"                # or "sendmail": Debian's sendmail-bin, unpacked (sendmail.py)
    chroot: bool = False                # Postfix as Debian runs it: smtpd, cleanup, ... chrooted in
                                        # the queue dir; sendguard's socket in queue/sendguard/,
                                        # named unix:sendguard/sendguard.sock in main.cf


# The socket as the README and the Debian package attach it: relative to
# Postfix's queue directory, so it is the same path chrooted or not.
CHROOT_MILTER = "unix:sendguard/sendguard.sock"


def make_chroot_socket_dir(queue_dir):
    """queue/sendguard/ as the Debian package makes it (root:postfix 0750: the
    parent makes the socket, Postfix may enter); returns the socket's path."""
    path = os.path.join(queue_dir, "sendguard")
    os.makedirs(path, exist_ok=True)
    shutil.chown(path, "root", "postfix")
    os.chmod(path, 0o750)
    return os.path.join(path, "sendguard.sock")


class TestBed:
    def __init__(self, options=None, root=None):
        self.options = options or BedOptions()
        # Sendmail refuses sockets and queues below a world-writable directory (/tmp).
        parent = "/run" if self.options.mta == "sendmail" else None
        self.root = root or tempfile.mkdtemp(prefix="sendguard-e2e-", dir=parent)
        os.chmod(self.root, 0o755)
        self.sink = None
        self.sendguard = None
        self.postfix = None
        self.mta = None                 # self.postfix, or the Sendmail instance
        self._snapshot = None

    def start(self):
        global last_bed
        last_bed = self
        entry = procs.register_stop(f"test bed {self.root}", self.stop)
        try:
            self._start_parts()
        except BaseException:
            procs.unregister_stop(entry)
            self.stop()
            raise

    def _start_parts(self):
        o = self.options
        self.sink = sink.Sink(os.path.join(self.root, "sink"))
        milter = ""
        postfix_root = os.path.join(self.root, "postfix")
        socket_path = postfix_milter = ""
        if o.chroot:
            socket_path = make_chroot_socket_dir(os.path.join(postfix_root, "queue"))
            postfix_milter = CHROOT_MILTER
        if o.with_sendguard:
            binary = os.path.abspath(o.binary or os.environ["SENDGUARD_BIN"])
            self.sendguard = sendguard.Sendguard(os.path.join(self.root, "sendguard"),
                                                 sendguard.SendguardOptions(
                                                     binary=binary, transport=o.transport,
                                                     extra_toml=o.extra_toml, files=o.files,
                                                     trusted_networks=o.trusted_networks,
                                                     user=o.user, workers=o.workers,
                                                     decision_log=o.decision_log, audit_log=o.audit_log,
                                                     socket_path=socket_path,
                                                     postfix_milter=postfix_milter))
            self.sendguard.start()
            milter = self.sendguard.postfix_milter if o.attach_milter else ""
        if o.mta == "sendmail":
            self.mta = sendmail.Sendmail(os.path.join(self.root, "sendmail"), sendmail.SendmailOptions(
                relay_port=self.sink.port, socket_path=self.sendguard.socket_path,
                port=o.smtp_port, users=o.users))
            self.mta.start()
            return
        self.postfix = self.mta = postfix.Postfix(postfix_root, postfix.PostfixOptions(
            relay_port=self.sink.port, milter=milter, port=o.smtp_port, users=o.users,
            milter_default_action=o.milter_default_action, extra_main_cf=o.extra_main_cf,
            chroot=o.chroot))
        self.postfix.start()

    def stop(self):
        for part in (self.mta, self.sendguard, self.sink):
            if part is not None:
                try:
                    part.stop()
                except Exception as exc:
                    print(f"cleanup: {type(part).__name__}: {exc}", flush=True)
        if self._snapshot is None:
            self._snapshot = self._live_log_report()
        if not os.environ.get("SG_E2E_KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)

    def submit(self, mail_from, rcpts, message, user=None, password=None, starttls=True,
               xclient=None):
        """SMTP submission to this bed's Postfix (AUTH over STARTTLS when user is set;
        `xclient` e.g. "ADDR=192.0.2.7" needs smtpd_authorized_xclient_hosts)."""
        starttls = starttls and self.mta.cert_file is not None
        return submit.submit(self.mta.port, mail_from, rcpts, message, user=user,
                             password=password, starttls=starttls,
                             cafile=self.mta.cert_file, xclient=xclient)

    def log_report(self, lines=25):
        """Tails of the sendguard and Postfix logs, as text for a failure report."""
        return self._snapshot if self._snapshot is not None else self._live_log_report(lines)

    def _live_log_report(self, lines=25):
        parts = []
        if self.sendguard is not None:
            parts.append(("sendguard log", self.sendguard.log_tail(lines)))
        if self.postfix is not None:
            parts.append(("postfix maillog", self.postfix.log_tail(lines)))
        elif self.mta is not None:
            parts.append(("sendmail SMTP trace", self.mta.log_tail(lines)))
        return "\n".join(f"--- {title} (last {lines} lines) ---\n{text}" for title, text in parts)


class BedTestCase(unittest.TestCase):
    """One TestBed per test class; set `bed_options` in the subclass."""

    bed_options = None
    bed = None

    @classmethod
    def setUpClass(cls):
        cls.bed = TestBed(cls.bed_options or BedOptions())
        cls.bed.start()

    @classmethod
    def tearDownClass(cls):
        if cls.bed is not None:
            cls.bed.stop()

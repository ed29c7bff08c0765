"""The Debian package installed as an admin would: `dpkg -i` (then
`apt-get -f install`), the user and directories its postinst makes,
`systemd-analyze verify` on the installed unit, `sendguard check-config` on
the configuration as shipped, the daemon started with the unit's ExecStart
command line and capability bounding set (systemd does not run here: the
unit's RuntimeDirectory and StateDirectory are made as systemd would), one
SASL-authenticated message through a private Postfix chrooted as Debian runs
it and attached at the packaged socket, then `dpkg --purge` and nothing left
running or behind. $SENDGUARD_DEB names the package. Runs with
tests/e2e/runner.py (its sgbed package)."""

import grp
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import unittest

from sgbed import bed, postfix, procs, sink

DEB = os.environ.get("SENDGUARD_DEB", "")
UNIT = "/lib/systemd/system/sendguard.service"
CONF = "/etc/sendguard/sendguard.conf"
SOCKET = "/var/spool/postfix/sendguard/sendguard.sock"
ALICE, ALICE_PW = "alice@example.org", "alice-pw"
RCPT = "bob@example.net"


def unit_setting(name):
    with open(UNIT) as f:
        values = re.findall(rf"^{name}=(.*)$", f.read(), re.M)
    if not values:
        raise AssertionError(f"{UNIT} has no {name}=")
    return values[0].strip()


def installed():
    out = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "sendguard"],
                         capture_output=True, text=True).stdout
    return out.endswith(" installed")


def sendguard_processes():
    pids = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.readlink(f"/proc/{entry}/exe").startswith("/usr/sbin/sendguard"):
                pids.append(int(entry))
        except OSError:
            pass
    return pids


class InstalledPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not DEB or not os.path.exists(DEB):
            raise unittest.SkipTest("no package: set SENDGUARD_DEB (make test-package builds it)")
        if installed() or os.path.exists("/etc/sendguard"):
            raise AssertionError("sendguard is installed on this machine already; "
                                 "the package test installs and purges it")
        cls.addClassCleanup(cls.purge)
        result = procs.run(["dpkg", "-i", DEB], check=False, timeout=120)
        if result.returncode != 0:
            procs.run(["apt-get", "-f", "install", "-y", "-qq"], timeout=300,
                      env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        cls.daemon = None

    @classmethod
    def purge(cls):
        if getattr(cls, "daemon", None) is not None and cls.daemon.poll() is None:
            cls.daemon.kill()
            cls.daemon.wait()
        if installed() or os.path.exists("/etc/sendguard"):
            procs.run(["dpkg", "--purge", "sendguard"], check=False, timeout=120)
        shutil.rmtree("/run/sendguard", ignore_errors=True)

    def test_1_postinst_made_user_and_directories(self):
        self.assertTrue(installed(), "dpkg -i did not leave sendguard installed")
        self.assertEqual(pwd.getpwnam("sendguard").pw_shell, "/usr/sbin/nologin")
        st = os.stat(os.path.dirname(SOCKET))
        self.assertEqual((st.st_uid, grp.getgrgid(st.st_gid).gr_name, stat.S_IMODE(st.st_mode)),
                         (0, "postfix", 0o750))
        self.assertEqual(stat.S_IMODE(os.stat("/etc/sendguard/keys").st_mode), 0o700)
        verify = procs.run(["systemd-analyze", "verify", UNIT], check=False)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        self.assertEqual((verify.stdout + verify.stderr).strip(), "")

    def test_2_shipped_configuration_loads(self):
        result = procs.run(["/usr/sbin/sendguard", "check-config", "-c", CONF], check=False)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_3_unit_command_line_serves_a_chrooted_postfix(self):
        root = tempfile.mkdtemp(prefix="sendguard-pkg-", dir="/var/tmp")  # same fs as the spool
        if not os.environ.get("SG_E2E_KEEP"):
            self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        os.chmod(root, 0o755)
        self.start_like_the_unit()
        the_sink = sink.Sink(os.path.join(root, "sink"))
        self.addCleanup(the_sink.stop)
        # The private Postfix reaches the packaged socket through a hard link
        # in its own queue: the same socket, at the path main.cf names.
        queue = os.path.join(root, "postfix", "queue")
        os.link(SOCKET, bed.make_chroot_socket_dir(queue))
        mta = postfix.Postfix(os.path.join(root, "postfix"), postfix.PostfixOptions(
            relay_port=the_sink.port, milter=bed.CHROOT_MILTER, users={ALICE: ALICE_PW},
            chroot=True))
        mta.start()
        self.addCleanup(mta.stop)
        message, message_id = bed.submit.make_message(ALICE, [RCPT], subject="installed")
        outcome = bed.submit.submit(mta.port, ALICE, [RCPT], message, user=ALICE,
                                    password=ALICE_PW, cafile=mta.cert_file)
        self.assertTrue(outcome.accepted, f"{outcome}\n{mta.log_tail()}")
        received = the_sink.wait_for_message_id(message_id)
        self.assertEqual(received.header_values("X-Sendguard")[0].split()[-1], ALICE)
        workers = [p for p in sendguard_processes() if p != self.daemon.pid]
        self.assertTrue(workers)
        for pid in workers:
            self.assertEqual(os.stat(f"/proc/{pid}").st_uid, pwd.getpwnam("sendguard").pw_uid)
        self.daemon.send_signal(signal.SIGTERM)
        self.assertEqual(self.daemon.wait(30), 0, "the daemon did not stop cleanly on SIGTERM")

    def start_like_the_unit(self):
        """ExecStartPre and ExecStart, root with the unit's capability bounding set."""
        for directory in ("/run/sendguard", "/var/lib/sendguard"):  # Runtime/StateDirectory
            os.makedirs(directory, mode=0o755, exist_ok=True)
        caps = unit_setting("CapabilityBoundingSet").lower().replace("cap_", "+").split()
        setpriv = ["setpriv", "--bounding-set", ",".join(["-all"] + caps), "--"]
        pre = procs.run(setpriv + unit_setting("ExecStartPre").split(), check=False)
        self.assertEqual(pre.returncode, 0, pre.stdout + pre.stderr)
        type(self).daemon = subprocess.Popen(setpriv + unit_setting("ExecStart").split(),
                                             stdin=subprocess.DEVNULL, start_new_session=True)
        procs.wait_until(lambda: self.daemon.poll() is not None or _is_socket(SOCKET), 20,
                         f"the installed daemon to listen on {SOCKET}")
        self.assertIsNone(self.daemon.poll(), f"the daemon exited {self.daemon.returncode}")

    def test_4_purge_leaves_nothing(self):
        result = procs.run(["dpkg", "--purge", "sendguard"], check=False, timeout=120)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(sendguard_processes(), [], "sendguard processes survive the purge")
        for path in ("/etc/sendguard", "/var/lib/sendguard", os.path.dirname(SOCKET),
                     "/usr/sbin/sendguard", UNIT):
            self.assertFalse(os.path.exists(path), f"{path} is left after the purge")


def _is_socket(path):
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False

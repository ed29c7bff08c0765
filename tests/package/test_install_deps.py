"""install-deps.sh (what `make`, `make run` and `make deps` run) on a machine
with a configured, running Postfix: it installs what is missing and leaves
the host's services alone. A private Postfix instance plays the running
relay. apt-get is replaced, for this test only, by a recorder on PATH (a real
install cannot be repeated on every run); service, systemctl, invoke-rc.d and
postfix get recorders too, so any attempt to stop, start or reconfigure a
service is seen. Checks: apt-get was asked for exactly the missing package,
noninteractively; while it ran, policy-rc.d refused service actions; nothing
called service/systemctl/invoke-rc.d/postfix/debconf-set-selections; the
Postfix master still runs with the same PID and still answers. And `make`
and `make run` ask install-deps.sh for the build list only, which names no
package of the test beds' list."""

import os
import shutil
import tempfile
import unittest

from sgbed import postfix, procs, sink

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(REPO, "contrib", "scripts", "install-deps.sh")
MISSING = "sendguard-test-package-that-is-not-installed"

RECORDER = """#!/bin/sh
echo "$(basename "$0") $* DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-} policy=$(/usr/sbin/policy-rc.d x start >/dev/null 2>&1; echo $?)" >> "%s"
exit 0
"""


class InstallDepsTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="sendguard-deps-")
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        os.chmod(self.root, 0o755)
        self.sink = sink.Sink(os.path.join(self.root, "sink"))
        self.addCleanup(self.sink.stop)
        self.relay = postfix.Postfix(os.path.join(self.root, "postfix"),
                                     postfix.PostfixOptions(relay_port=self.sink.port))
        self.relay.start()
        self.addCleanup(self.relay.stop)
        self.calls = os.path.join(self.root, "calls.log")
        self.bin = os.path.join(self.root, "bin")
        os.makedirs(self.bin)
        for name in ("apt-get", "service", "systemctl", "invoke-rc.d", "postfix", "deb-systemd-invoke",
                     "debconf-set-selections"):
            path = os.path.join(self.bin, name)
            with open(path, "w") as f:
                f.write(RECORDER % self.calls)
            os.chmod(path, 0o755)
        self.list = os.path.join(self.root, "packages.txt")
        with open(self.list, "w") as f:
            f.write(f"# test list\nprocps\n{MISSING}\n")

    def test_installs_the_missing_package_and_leaves_services_alone(self):
        master = self.relay._read_master_pid()
        env = dict(os.environ, PATH=f"{self.bin}:{os.environ['PATH']}")
        result = procs.run(["/bin/sh", SCRIPT, os.path.relpath(self.list, REPO)], env=env,
                           timeout=60, check=False)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        with open(self.calls) as f:
            calls = f.read().splitlines()
        installs = [c for c in calls if c.startswith("apt-get install")]
        self.assertEqual(len(installs), 1, calls)
        self.assertIn(f" {MISSING} ", installs[0] + " ")
        self.assertNotIn(" procps ", installs[0], "asked for a package that is installed")
        self.assertIn("DEBIAN_FRONTEND=noninteractive", installs[0])
        self.assertIn("policy=101", installs[0], "services could start while apt-get ran")
        others = [c for c in calls if not c.startswith("apt-get")]
        self.assertEqual(others, [], "install-deps.sh touched services")
        self.assertEqual(self.relay._read_master_pid(), master, "the running Postfix was restarted")
        self.assertTrue(self.relay._smtpd_answers(), "the running Postfix no longer answers")

    def test_make_and_make_run_install_only_the_build_packages(self):
        build = os.path.join(self.root, "obj")  # a fresh build dir: every step is shown
        for target in ("all", "run"):
            result = procs.run(["make", "-n", "-C", REPO, f"BUILD={build}", target], timeout=120, check=False)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            installs = [l for l in result.stdout.splitlines() if "install-deps.sh" in l]
            self.assertTrue(installs, f"make {target} installs nothing: the build packages are needed")
            for line in installs:
                lists = [w for w in line.split() if w.endswith(".txt")]
                self.assertEqual(lists, ["contrib/debian-build-packages.txt"], f"make {target}: {line}")
        self.assertEqual(package_names("debian-build-packages.txt") & package_names("debian-packages.txt"), set())


def package_names(list_name):
    with open(os.path.join(REPO, "contrib", list_name)) as f:
        return {line.split()[0] for line in f if line.strip() and not line.startswith("#")}


if __name__ == "__main__":
    unittest.main()

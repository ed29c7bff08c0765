"""`sendguard keys check` through the system resolver (libc res_nquery, as a
relay without spf.dns_data_file uses it): in private mount and network
namespaces (unshare -mn; nothing of the host changes), /etc/resolv.conf
points at a small DNS server on the namespace's own loopback
(data/txt_dns_server.py). A record split into several strings behind a
CNAME matches, NXDOMAIN is missing, p= empty is revoked, a server that never
answers is unreachable within the resolver timeout; the exit status is 1."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from sgbed import dkimkeys

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "data", "txt_dns_server.py")
DOMAIN = "example.org"

SCRIPT = """\
set -e
ip link set lo up
mount --bind "$DIR/resolv.conf" /etc/resolv.conf
/usr/bin/python3 "$SERVER" 127.0.0.1 "$DIR/zone.json" > "$DIR/server.log" 2>&1 &
for i in $(seq 50); do grep -q ready "$DIR/server.log" && break; sleep 0.1; done
set +e
"$BIN" keys check --json -c "$DIR/sendguard.toml"
echo "rc=$?"
"""


def _chunks(text, size):
    return [text[i:i + size] for i in range(0, len(text), size)]


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip"),
                     "needs root, unshare and ip for private namespaces")
class SystemResolverKeyCheckTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sendguard-e2e-resolver-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.binary = os.path.abspath(os.environ["SENDGUARD_BIN"])

    def test_keys_check_with_the_system_resolver(self):
        keys = {sel: dkimkeys.make_key(self.binary, self.dir, DOMAIN, sel, kind)
                for sel, kind in (("rsa1", "rsa"), ("ed1", "ed25519"), ("slow1", "ed25519"),
                                  ("gone1", "ed25519"))}
        with open(os.path.join(self.dir, "keys.conf"), "w") as f:
            for sel, k in keys.items():
                f.write(f"{sel} {DOMAIN}:{sel}:{k.private_path} require-published\n")
        with open(os.path.join(self.dir, "signing.conf"), "w") as f:
            f.write(f"{DOMAIN} {' '.join(keys)}\n")
        target = "rsa1-example-org._domainkey.provider.example"
        zone = {
            keys["rsa1"].dns_name: {"cname": target},
            target: {"txt": [_chunks(keys["rsa1"].txt_value, 200)]},
            keys["slow1"].dns_name: {"silent": True},
            keys["gone1"].dns_name: {"txt": [["v=DKIM1; k=ed25519; p="]]},
        }
        with open(os.path.join(self.dir, "zone.json"), "w") as f:
            json.dump(zone, f)
        with open(os.path.join(self.dir, "resolv.conf"), "w") as f:
            f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
        with open(os.path.join(self.dir, "sendguard.toml"), "w") as f:
            f.write(f'[daemon]\nstate_dir = "{self.dir}/state"\n[dkim]\nkey_table = "keys.conf"\n'
                    f'signing_table = "signing.conf"\n[spf]\nresolver_timeout = 1\n')
        os.makedirs(os.path.join(self.dir, "state"))
        env = dict(os.environ, DIR=self.dir, SERVER=SERVER, BIN=self.binary)
        start = time.monotonic()
        run = subprocess.run(["unshare", "-mn", "sh", "-c", SCRIPT], env=env, capture_output=True,
                             text=True, timeout=60)
        elapsed = time.monotonic() - start
        match = re.search(r"^rc=(\d+)$", run.stdout, re.M)
        self.assertIsNotNone(match, run.stdout + run.stderr)
        self.assertEqual(match.group(1), "1", run.stdout + run.stderr)
        report = json.loads(run.stdout.splitlines()[0])
        by_key = {k["key"]: k for k in report["keys"]}
        self.assertEqual({k: v["state"] for k, v in by_key.items()},
                         {"rsa1": "match", "ed1": "missing", "slow1": "unreachable", "gone1": "revoked"},
                         run.stdout)
        self.assertEqual(by_key["rsa1"]["cname"], [target])
        self.assertEqual(report["problems"], 3)
        self.assertLess(elapsed, 20, "the silent server held keys check far beyond its timeout")


if __name__ == "__main__":
    unittest.main()

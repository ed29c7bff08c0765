#!/bin/sh
# run.sh TALLY SENDGUARD_BIN MAN_DIR DEB — what `make test-package` runs: the
# man pages (man_checks.sh), the .deb (deb_checks.sh: lintian, contents,
# Depends), the package installed, run and purged (test_installed.py), and
# install-deps.sh leaving the host's services alone (test_install_deps.py).
# Prints one line per case and writes "passed failed skipped" to TALLY;
# exits non-zero when a case failed. Needs root (dpkg -i, a private Postfix).
set -u
here=$(cd "$(dirname "$0")" && pwd)
tally=$1 bin=$2 man_dir=$3 deb=$4
passed=0 failed=0 skipped=0
pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

. "$here/man_checks.sh"
. "$here/deb_checks.sh"
run_man_checks "$bin" "$man_dir"
run_deb_checks "$deb" "$here/../../contrib/debian-runtime-packages.txt"

for test in "$here"/test_*.py; do
  result=$(mktemp)
  SENDGUARD_BIN=$bin SENDGUARD_DEB=$deb PYTHONDONTWRITEBYTECODE=1 \
    timeout -s TERM -k 20 300 /usr/bin/python3 "$here/../e2e/runner.py" "$test" "$result"
  if read -r p f s < "$result" 2>/dev/null && [ -n "$p" ]; then :; else
    p=0; f=1; s=0; echo "FAIL $(basename "$test"): runner died"
  fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
  rm -f "$result"
done

echo "package: $passed passed, $failed failed, $skipped skipped"
echo "$passed $failed $skipped" > "$tally"
[ "$failed" -eq 0 ]

#!/bin/sh
# run.sh TALLY SENDGUARD_BIN — runs every tests/e2e/test_*.py against a private
# Postfix + sendguard + sink, one line per test case, and writes "passed
# failed skipped" (counted in test cases) to TALLY. Exits non-zero when any
# case failed. Needs root (the private Postfix instance is started as root).
# Each test file gets at most SG_E2E_FILE_TIMEOUT seconds (default 300).
set -u
here=$(cd "$(dirname "$0")" && pwd)
tally=$1
bin=$2
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
per_file=${SG_E2E_FILE_TIMEOUT:-300}

fail_all() {
  echo "FAIL e2e: $1"
  echo "0 1" > "$tally"
  exit 1
}
[ "$(id -u)" -eq 0 ] || fail_all "must run as root (private Postfix instance)"
[ -x "$bin" ] || fail_all "sendguard binary not found or not executable: $bin"
[ -x /usr/sbin/postfix ] || fail_all "postfix is not installed (see contrib/debian-packages.txt)"

export SENDGUARD_BIN="$bin"
export PYTHONDONTWRITEBYTECODE=1
passed=0
failed=0
skipped=0
for test in "$here"/test_*.py; do
  [ -e "$test" ] || continue
  result=$(mktemp)
  timeout -s TERM -k 20 "$per_file" /usr/bin/python3 "$here/runner.py" "$test" "$result"
  rc=$?
  if read -r p f s < "$result" 2>/dev/null && [ -n "$p" ]; then :; else
    p=0; f=1; s=0
    echo "FAIL $(basename "$test"): runner died (exit $rc, timeout ${per_file}s?)"
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1; echo "FAIL $(basename "$test"): runner exited $rc"
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + ${s:-0}))
  rm -f "$result"
done
echo "e2e: $passed passed, $failed failed, $skipped skipped"
echo "$passed $failed $skipped" > "$tally"
[ "$failed" -eq 0 ]

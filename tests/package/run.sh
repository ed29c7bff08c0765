#!/bin/sh
# run.sh TALLY SENDGUARD_BIN MAN_DIR — what `make test-package` runs: the man
# pages (man_checks.sh). Prints one line per case and writes "passed failed
# skipped" to TALLY; exits non-zero when a case failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tally=$1 bin=$2 man_dir=$3
passed=0 failed=0 skipped=0
pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "skip $1: $2"; skipped=$((skipped + 1)); }

. "$here/man_checks.sh"
run_man_checks "$bin" "$man_dir"

echo "package: $passed passed, $failed failed, $skipped skipped"
echo "$passed $failed $skipped" > "$tally"
[ "$failed" -eq 0 ]

#!/bin/sh
# run_unit.sh TALLY BIN... — runs Boost.Test binaries, prints each one's
# outcome, and writes "passed failed" (counted in test cases) to TALLY.
# Exits non-zero when any test case failed or a binary crashed.
set -u
tally=$1; shift
passed=0; failed=0
for bin in "$@"; do
  name=$(basename "$bin")
  report=$(mktemp)
  "$bin" --report_format=XML --report_level=short --report_sink="$report" \
         --log_level=error >"$report.log" 2>&1
  rc=$?
  p=$(grep -o 'test_cases_passed="[0-9]*"' "$report" | head -1 | grep -o '[0-9]*')
  f=$(grep -o 'test_cases_failed="[0-9]*"' "$report" | head -1 | grep -o '[0-9]*')
  a=$(grep -o 'test_cases_aborted="[0-9]*"' "$report" | head -1 | grep -o '[0-9]*')
  p=${p:-0}; f=$(( ${f:-0} + ${a:-0} ))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or sanitizer exit
  if [ "$f" -ne 0 ]; then
    echo "FAIL $name: $p passed, $f failed"
    sed 's/^/    /' "$report.log" | tail -40
  else
    echo "ok   $name: $p passed"
  fi
  passed=$((passed + p)); failed=$((failed + f))
  rm -f "$report" "$report.log"
done
echo "$passed $failed" > "$tally"
[ "$failed" -eq 0 ]

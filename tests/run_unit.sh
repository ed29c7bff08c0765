#!/bin/sh
# run_unit.sh TALLY BIN... — runs Boost.Test binaries, prints each one's
# outcome and a "skip BIN/CASE: reason" line per skipped case (a case whose
# boost::unit_test::precondition is false, e.g. its dependency is absent),
# and writes "passed failed skipped" (counted in test cases) to TALLY.
# Exits non-zero when any test case failed or a binary crashed.
set -u
tally=$1; shift
passed=0; failed=0; skipped=0
count() {  # count ATTRIBUTE REPORT
  n=$(grep -o "$1=\"[0-9]*\"" "$2" | head -1 | grep -o '[0-9]*')
  echo "${n:-0}"
}
for bin in "$@"; do
  name=$(basename "$bin")
  report=$(mktemp)
  # Errors to the log shown on failure; test-unit events (which carry the
  # reason of each skip) to a second log, in XML (one logger per format).
  "$bin" --report_format=XML --report_level=short --report_sink="$report" --color_output=no \
         --logger="HRF,error,stdout:XML,test_suite,$report.units" >"$report.log" 2>&1
  rc=$?
  p=$(count test_cases_passed "$report")
  f=$(( $(count test_cases_failed "$report") + $(count test_cases_aborted "$report") ))
  s=$(count test_cases_skipped "$report")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or sanitizer exit
  if [ "$f" -ne 0 ]; then
    echo "FAIL $name: $p passed, $f failed, $s skipped"
    # The failed assertions first (a long log would push them out of the tail).
    grep -E 'error: in|fatal error: in|critical check|exception' "$report.log" | head -20 | sed 's/^/  ! /'
    sed 's/^/    /' "$report.log" | tail -40
  else
    extra=""; [ "$s" -eq 0 ] || extra=", $s skipped"
    echo "ok   $name: $p passed$extra"
  fi
  grep -o '<TestCase name="[^"]*" skipped="yes" reason="[^"]*"' "$report.units" 2>/dev/null |
    sed "s/^<TestCase name=\"\(.*\)\" skipped=\"yes\" reason=\"\(.*\)\"$/skip $name\/\1: \2/"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  rm -f "$report" "$report.log" "$report.units"
done
echo "$passed $failed $skipped" > "$tally"
[ "$failed" -eq 0 ]

#!/bin/sh
# run_fuzz.sh TALLY SECONDS BIN... — runs each libFuzzer binary for SECONDS
# over its seed corpus (tests/fuzz/<module>/<name>_corpus, copied so the
# tree is not written to); a crash, leak or timeout is a failure.
set -u
tally=$1; secs=$2; shift 2
passed=0; failed=0
root=$(cd "$(dirname "$0")/.." && pwd)
for bin in "$@"; do
  name=$(basename "$bin")
  module=$(basename "$(dirname "$bin")")
  work=$(mktemp -d)
  seeds="$root/tests/fuzz/$module/${name%_fuzz}_corpus"
  [ -d "$seeds" ] || seeds="$root/tests/fuzz/$module/${name}_corpus"
  [ -d "$seeds" ] && cp -r "$seeds/." "$work/"
  if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
       "$work" >"$work.log" 2>&1; then
    echo "ok   fuzz $name ($secs s, $(grep -c '' "$work.log") log lines)"
    passed=$((passed + 1))
  else
    echo "FAIL fuzz $name"; tail -30 "$work.log" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
  rm -rf "$work" "$work.log"
done
echo "$passed $failed" > "$tally"
[ "$failed" -eq 0 ]

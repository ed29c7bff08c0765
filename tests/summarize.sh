#!/bin/sh
# summarize.sh DIR PHASE... — adds up the PHASE.tally files ("passed failed
# [skipped]", skipped 0 when absent) the test phases wrote into DIR, prints one
# line per phase and the closing "N passed, N failed, N skipped" line; exits
# non-zero if anything failed or a phase left no tally (it crashed or did not
# build). A skipped case did not run: it is never counted as passed.
set -u
dir=$1; shift
total_p=0; total_f=0; total_s=0
for phase in "$@"; do
  if [ -f "$dir/$phase.tally" ]; then
    read -r p f s < "$dir/$phase.tally"
  else
    echo "phase $phase: did not complete"; p=0; f=1
  fi
  s=${s:-0}
  echo "phase $phase: $p passed, $f failed, $s skipped"
  total_p=$((total_p + p)); total_f=$((total_f + f)); total_s=$((total_s + s))
  s=""
done
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]

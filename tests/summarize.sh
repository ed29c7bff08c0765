#!/bin/sh
# summarize.sh DIR PHASE... — adds up the PHASE.tally files ("passed failed")
# the test phases wrote into DIR, prints one line per phase and the closing
# "N passed, N failed" line; exits non-zero if anything failed or a phase left
# no tally (it crashed or did not build).
set -u
dir=$1; shift
total_p=0; total_f=0
for phase in "$@"; do
  if [ -f "$dir/$phase.tally" ]; then
    read -r p f < "$dir/$phase.tally"
  else
    echo "phase $phase: did not complete"; p=0; f=1
  fi
  echo "phase $phase: $p passed, $f failed"
  total_p=$((total_p + p)); total_f=$((total_f + f))
done
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]

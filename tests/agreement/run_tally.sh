#!/bin/sh
# run_tally.sh TALLY SENDGUARD OUTDIR [compare.py options...] — the agreement
# run as one test case of `make test`: writes "1 0 0" (passed), "0 1 0"
# (failed) or "0 0 1" (skipped: SpamAssassin or the corpus missing) to TALLY.
set -u
tally=$1; shift
"$(dirname "$0")/run.sh" "$@"
rc=$?
case $rc in
  0) echo "ok   agreement"; echo "1 0 0" > "$tally" ;;
  77) echo "skip agreement"; echo "0 0 1" > "$tally" ;;
  *) echo "FAIL agreement (report: $3/report.md)"; echo "0 1 0" > "$tally" ;;
esac
[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]

#!/bin/sh
# tests/agreement/run.sh — sendguard's rule hits against SpamAssassin's on
# real-world mail that was not written for sendguard, with the same rule
# files on both sides (Debian's /usr/share/spamassassin).
#
#   tests/agreement/run.sh SENDGUARD OUTDIR [compare.py options...]
#
# The corpus is read where Debian packages install it (see corpus.txt);
# nothing of it is copied into the tree. Writes OUTDIR/sa.jsonl (the
# oracle), OUTDIR/sendguard.tsv, OUTDIR/loaded.tsv and OUTDIR/report.md, and
# exits with compare.py's status (77 when SpamAssassin or the corpus is
# missing: a skip, never a pass).
set -eu
sendguard=$1 out=$2
shift 2
here=$(dirname "$0")
rules=${AGREEMENT_RULES:-/usr/share/spamassassin}
mkdir -p "$out"
if ! perl -MMail::SpamAssassin -e1 2>/dev/null || [ ! -f "$rules/72_active.cf" ]; then
  echo "skip: Mail::SpamAssassin or $rules missing (apt-get install spamassassin)"; exit 77
fi
files=$(grep -v '^#' "$here/corpus.txt" | while read -r pattern; do
          [ -n "$pattern" ] && ls $pattern 2>/dev/null || true; done)
count=$(echo "$files" | grep -c . || true)
if [ "$count" -lt "${AGREEMENT_MIN_MESSAGES:-100}" ]; then
  echo "skip: only $count corpus messages found (make deps installs the packages of corpus.txt)"; exit 77
fi
# shellcheck disable=SC2086
perl "$here/sa_oracle.pl" --rules "$rules" $files > "$out/sa.jsonl"
"$sendguard" lint --lenient --list "$rules" > "$out/loaded.tsv" || true
# shellcheck disable=SC2086
"$sendguard" scan --list --run nonzero --lenient --rules "$rules" $files > "$out/sendguard.tsv"
exec /usr/bin/python3 "$here/compare.py" --sa "$out/sa.jsonl" --sendguard "$out/sendguard.tsv" \
  --loaded "$out/loaded.tsv" --report "$out/report.md" "$@"

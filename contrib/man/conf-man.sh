#!/bin/sh
# conf-man.sh SENDGUARD_BIN TEMPLATE — writes sendguard.conf(5) to stdout:
# TEMPLATE with its @KEYS@ line replaced by every key of the key table, as
# `sendguard help config` prints it (a "# doc" line, then "key = default",
# grouped under "[section]"). The page cannot drift from the daemon: both
# come from the one table in src/config/config.cc.
set -eu
bin=$1
template=$2
keys=$(mktemp)
trap 'rm -f "$keys"' EXIT
"$bin" help config | awk '
  # roff: a backslash is \e; "-" is a hyphen unless escaped.
  function roff(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); return s }
  /^\[/ { section = substr($0, 2, length($0) - 2); print ".SS [" section "]"; next }
  /^# / && section != "" { doc = substr($0, 3); next }
  / = / && section != "" {
    eq = index($0, " = ")
    key = substr($0, 1, eq - 1); value = substr($0, eq + 3)
    print ".TP"
    print "\\fB" roff(key) "\\fR = \\fI" roff(value) "\\fR"
    print "\\&" roff(doc)
    doc = ""
  }' > "$keys"
[ -s "$keys" ] || { echo "conf-man.sh: '$bin help config' printed no keys" >&2; exit 1; }
awk -v keys="$keys" '
  $0 == "@KEYS@" { while ((getline line < keys) > 0) print line; next }
  { print }' "$template"

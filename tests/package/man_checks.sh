#!/bin/sh
# man_checks.sh SENDGUARD_BIN MAN_DIR — checks the built man pages; one line
# per case ("ok NAME" or "FAIL NAME: why") on stdout. Sourced by run.sh.
#
# Cases: each page renders with `man -l` and passes `groff -ww` and
# `mandoc -T lint` without a single warning; sendguard.conf(5) names every
# key of `sendguard help config` (the key table) under its section, with the
# default the daemon uses.

# check_man_page PAGE: the three linters say nothing.
check_man_page() {
  page=$1
  out=$( { groff -ww -z -man "$page"; mandoc -T lint -W warning "$page";
           MANWIDTH=80 man --warnings -l "$page" >/dev/null; } 2>&1)
  if [ -z "$out" ]; then pass "man $(basename "$page")"
  else fail "man $(basename "$page")" "$(echo "$out" | head -5)"; fi
}

# check_conf_keys BIN PAGE: every [section] key = default of the key table is
# in the page, in that section.
check_conf_keys() {
  missing=$("$1" help config | awk -v page="$2" '
    BEGIN { while ((getline l < page) > 0) text[++n] = l }
    /^\[/ { section = $0; next }
    / = / && section != "" && !/^#/ {
      eq = index($0, " = "); key = substr($0, 1, eq - 1)
      found = 0; insec = 0
      for (i = 1; i <= n; i++) {
        if (text[i] ~ /^\.SS /) insec = (text[i] == ".SS " section)
        if (insec && index(text[i], "\\fB" key "\\fR = ") == 1) found = 1
      }
      if (!found) print section " " key
    }')
  if [ -z "$missing" ]; then pass "man sendguard.conf.5 has every key"
  else fail "man sendguard.conf.5 has every key" "missing: $(echo $missing)"; fi
}

run_man_checks() {
  for page in "$2"/*.[58]; do check_man_page "$page"; done
  check_conf_keys "$1" "$2/sendguard.conf.5"
}

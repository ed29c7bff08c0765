#!/bin/sh
# deb_checks.sh — checks of the built .deb; sourced by run.sh, one line per
# case. Cases: lintian reports nothing (no error, warning or info tag; the
# package's overrides state their reasons); the package holds the binary,
# the man pages, the unit, the configuration as conffiles, and nothing of the
# build or test trees; its Depends names exactly the runtime packages of
# contrib/debian-runtime-packages.txt.

check_lintian() {
  out=$(lintian --pedantic "$1" 2>&1 | grep -v '^running with root privileges')
  if [ -z "$out" ]; then pass "deb lintian clean"; else fail "deb lintian clean" "$out"; fi
}

check_contents() {
  files=$(dpkg-deb -c "$1" | awk '{print $6}' | sed 's|^\./|/|')
  missing=""
  for want in /usr/sbin/sendguard /lib/systemd/system/sendguard.service \
      /usr/share/man/man8/sendguard.8.gz /usr/share/man/man5/sendguard.conf.5.gz \
      /usr/share/man/man5/sendguard-rules.5.gz /usr/share/man/man5/sendguard-policies.5.gz \
      /etc/sendguard/sendguard.conf /etc/sendguard/policies/quota.conf \
      /etc/sendguard/policies/keys.conf /etc/sendguard/rules/10_credential_phishing.cf \
      /usr/share/doc/sendguard/copyright; do
    echo "$files" | grep -qx "$want" || missing="$missing $want"
  done
  stray=$(echo "$files" | grep -E '/tests?/|\.o$|/obj/|/var/' || true)
  conffiles=$(dpkg-deb --ctrl-tarfile "$1" | tar -xO ./conffiles 2>/dev/null)
  etc=$(echo "$files" | grep '^/etc/.*[^/]$')
  notconf=$(for f in $etc; do echo "$conffiles" | grep -qx "$f" || echo "$f"; done)
  if [ -z "$missing$stray$notconf" ]; then pass "deb contents and conffiles"
  else fail "deb contents and conffiles" "missing:$missing stray: $stray not conffiles: $notconf"; fi
}

check_depends() {
  arch=$(dpkg --print-architecture)
  got=$(dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/(.*//; s/ //g' | grep . | sort)
  want=$(grep -v '^#' "$2" | while read -r name archs; do
    case "$archs" in "" | *"$arch"*) echo "$name" ;; esac; done | sort)
  if [ "$got" = "$want" ]; then pass "deb Depends = runtime packages"
  else fail "deb Depends = runtime packages" "$(echo "$got" > /tmp/.sg-got.$$; echo "$want" | diff - /tmp/.sg-got.$$ | grep '^[<>]' | tr '\n' ' '; rm -f /tmp/.sg-got.$$)"; fi
}

run_deb_checks() {
  check_lintian "$1"
  check_contents "$1"
  check_depends "$1" "$2"
}

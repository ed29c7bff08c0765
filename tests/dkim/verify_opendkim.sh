#!/bin/sh
# verify_opendkim.sh MESSAGE KEYS [EXPECTED] — verify MESSAGE with OpenDKIM's
# own verifier (`opendkim -t`), public keys from KEYS ("name TXT-value" lines,
# OpenDKIM's TestPublicKeys format), no network. `opendkim -t` exits 0 even
# when a signature fails, so the Authentication-Results it would add is read
# instead: exit 0 only if it has EXPECTED (default: at least one) "dkim=pass"
# results and no other dkim= result.
set -u
msg=$1; keys=$2; expected=${3:-}
dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT
cat > "$dir/opendkim.conf" <<CONF
Mode v
TestPublicKeys $keys
AlwaysAddARHeader yes
Syslog no
CONF
opendkim -x "$dir/opendkim.conf" -vvv -t "$msg" > "$dir/out" 2>&1
sed -n "/hname='Authentication-Results'/,/'\$/p" "$dir/out" > "$dir/ar"
cat "$dir/ar"
pass=$(grep -o 'dkim=pass' "$dir/ar" | wc -l)
other=$(grep -oE 'dkim=[a-z]+' "$dir/ar" | grep -vc 'dkim=pass')
echo "opendkim: $pass pass, $other other"
[ "$other" -eq 0 ] || exit 1
[ "$pass" -gt 0 ] || exit 1
[ -z "$expected" ] || [ "$pass" -eq "$expected" ] || exit 1
exit 0

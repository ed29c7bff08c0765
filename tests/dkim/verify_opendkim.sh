#!/bin/sh
# verify_opendkim.sh MESSAGE KEYS [EXPECTED] — verify MESSAGE with OpenDKIM's
# own verifier (`opendkim -t`), public keys from KEYS ("name TXT-value" lines,
# OpenDKIM's TestPublicKeys format), no network. `opendkim -t` exits 0 even
# when a signature fails, so the Authentication-Results it would add is read
# instead. Prints what OpenDKIM said (the header, why a signature failed),
# then one verdict line per signature in the form verify_dkimpy.py uses,
# "RESULT d=DOMAIN s=SELECTOR a=ALGORITHM" with OpenDKIM's dkim= result
# (pass, fail, permerror, ...), then "opendkim: N pass, N other".
# Exit 0 only if it has EXPECTED (default: at least one) pass results and no
# other; 1 if some signature did not pass; 2 if OpenDKIM gave no verdict.
set -u
msg=$1; keys=$2; expected=${3:-}
command -v opendkim >/dev/null 2>&1 || { echo "error: no opendkim binary (make deps)"; exit 2; }
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
grep -v 'returned SMFIS_' "$dir/out"
# One "dkim=RESULT ... header.d=D ... header.s=S" clause per signature.
tr '\n' ' ' < "$dir/ar" | tr ';' '\n' | awk '
  match($0, /dkim=[a-z]+/) {
    result = substr($0, RSTART + 5, RLENGTH - 5); d = s = a = "?"
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^header\.d=/) d = substr($i, 10)
      if ($i ~ /^header\.s=/) s = substr($i, 10)
      if ($i ~ /^header\.a=/) a = substr($i, 10)
    }
    print result " d=" d " s=" s " a=" a
  }' > "$dir/verdicts"
cat "$dir/verdicts"
pass=$(grep -c '^pass ' "$dir/verdicts")
other=$(grep -vc '^pass ' "$dir/verdicts")
echo "opendkim: $pass pass, $other other"
[ $((pass + other)) -gt 0 ] || exit 2
[ "$other" -eq 0 ] || exit 1
[ -z "$expected" ] || [ "$pass" -eq "$expected" ] || exit 1
exit 0

#!/bin/sh
# dev-run.sh SENDGUARD_BIN — what `make run` does: prepares var/ (state dir
# and development DKIM keys), prints how to attach Postfix and the DNS records
# of the keys, and runs the daemon in the foreground with contrib/sendguard.conf.
#
# Development keys: an RSA and an Ed25519 key for example.org, made with
# `sendguard keygen` under var/keys/ when missing (never overwritten), with the
# key table var/keys/keys.conf and the signing table var/keys/signing.conf
# (formats: policies/keys.conf, policies/signing.conf). The TXT records keygen
# printed are kept next to the keys (var/keys/SELECTOR.txt) and shown each run;
# for a key made some other way the record is derived from the key with openssl.
set -eu
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
conf="$root/contrib/sendguard.conf"
keys="$root/var/keys"
domain=example.org
mkdir -p "$root/var/state" "$keys"

# make_dev_key SELECTOR TYPE: keygen once; the DNS record goes to SELECTOR.txt.
make_dev_key() {
  [ -f "$keys/$1.private" ] && return 0
  if ! "$bin" keygen --domain "$domain" --selector "$1" --type "$2" --dir "$keys" \
        > "$keys/$1.txt.tmp" 2> "$keys/$1.err"; then
    cat "$keys/$1.err" >&2
    rm -f "$keys/$1.txt.tmp" "$keys/$1.err"
    echo "dev-run: could not make the development DKIM key $1" >&2
    exit 1
  fi
  mv "$keys/$1.txt.tmp" "$keys/$1.txt"
  rm -f "$keys/$1.err"
}
make_dev_key rsa rsa
make_dev_key ed ed25519

if [ ! -f "$keys/keys.conf" ]; then
  cat > "$keys/keys.conf" <<KEYS
# Development DKIM keys made by contrib/scripts/dev-run.sh (make run).
# name     domain:selector:keyfile (relative to this file)
rsa    $domain:rsa:rsa.private
ed     $domain:ed:ed.private
KEYS
fi
if [ ! -f "$keys/signing.conf" ]; then
  cat > "$keys/signing.conf" <<SIGNING
# Development signing table made by contrib/scripts/dev-run.sh (make run):
# mail From $domain gets an RSA and an Ed25519 signature.
$domain   rsa ed
SIGNING
fi

"$bin" check-config -c "$conf" >/dev/null
cat <<INFO
sendguard is starting in the foreground (Ctrl-C stops it).
  listening on  unix:$root/var/sendguard.sock  and  inet:8891@127.0.0.1
Attach Postfix (main.cf), then 'postfix reload':
  smtpd_milters = inet:127.0.0.1:8891
  non_smtpd_milters = inet:127.0.0.1:8891
  milter_default_action = tempfail
  milter_protocol = 6
(see contrib/postfix/ for the full snippet, README.md for Sendmail)
Development DKIM keys for $domain in $keys; publish these TXT records
for receivers to verify the signatures:
INFO
# print_record SELECTOR K: keygen's record, or one derived from the key.
print_record() {
  if [ -s "$keys/$1.txt" ]; then
    sed 's/^/  /' "$keys/$1.txt"
  elif [ "$2" = rsa ]; then
    p=$(openssl pkey -in "$keys/$1.private" -pubout -outform DER | base64 -w0)
    # DNS strings hold at most 255 bytes: split the record into several
    strings=$(printf 'v=DKIM1; k=rsa; p=%s\n' "$p" | fold -w 250 | sed 's/.*/"&"/' | tr '\n' ' ')
    echo "  $1._domainkey.$domain. IN TXT ( $strings)"
  else  # Ed25519: the raw 32-byte public key ends the DER form
    p=$(openssl pkey -in "$keys/$1.private" -pubout -outform DER | tail -c 32 | base64 -w0)
    echo "  $1._domainkey.$domain. IN TXT \"v=DKIM1; k=ed25519; p=$p\""
  fi
}
print_record rsa rsa
print_record ed ed25519
exec "$bin" run -c "$conf" --foreground

#!/bin/sh
# dev-run.sh SENDGUARD_BIN — what `make run` does: prepares var/ (state dir
# and development DKIM keys when signing is configured), prints how to attach
# Postfix, and runs the daemon in the foreground with contrib/sendguard.conf.
set -eu
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
conf="$root/contrib/sendguard.conf"
mkdir -p "$root/var/state" "$root/var/keys"
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
INFO
exec "$bin" run -c "$conf" --foreground

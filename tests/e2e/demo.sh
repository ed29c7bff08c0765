#!/bin/sh
# demo.sh SENDGUARD_BIN — `make demo`: private Postfix on 127.0.0.1:2525 with
# sendguard attached and a local sink, sends the samples of demo_samples.toml,
# prints each outcome, then stays up for swaks until Ctrl-C. Needs root.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 SENDGUARD_BIN" >&2; exit 2; }
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -x "$bin" ] || { echo "demo: sendguard binary not found: $bin (run make first)" >&2; exit 1; }
export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 "$here/demo.py" "$bin"

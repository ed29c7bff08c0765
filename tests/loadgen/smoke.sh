#!/bin/bash
# smoke.sh SENDGUARD_BIN MILTERGEN_BIN — keeps the load generator from rotting:
# starts a fresh sendguard on a unix socket in a temp dir, plays a few hundred
# messages at 4 connections, and fails (non-zero exit) unless there were zero
# protocol errors, every message was accepted with an X-Sendguard header, and
# the daemon logged "sessions live=0" at SIGTERM. Stops what it started.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../daemons.sh"
sg=$1; gen=$2
messages=${SMOKE_MESSAGES:-300}
case $sg in /*) ;; *) sg=$(pwd)/$sg ;; esac
case $gen in /*) ;; *) gen=$(pwd)/$gen ;; esac

fail() { echo "FAIL smoke: $*"; exit 1; }
[ -x "$sg" ] || fail "sendguard binary not found: $sg"
[ -x "$gen" ] || fail "miltergen binary not found: $gen"

tmp=$(mktemp -d /tmp/sendguard-smoke.XXXXXX)
cleanup() { daemon_stop_all; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

spec="unix:$tmp/sendguard.sock"
daemon_sendguard_config "$tmp/sendguard.toml" "$spec" "$tmp/state" info
daemon_start_sendguard "$sg" "$tmp/sendguard.toml" "$spec" "$tmp/sendguard.log" \
  || fail "sendguard did not start"
pid=$DAEMON_LAST_PID

timeout -k 5 120 "$gen" --socket "$spec" --connections 4 --messages "$messages" \
  --corpus "$here/../milterclient/corpus" --json "$tmp/smoke.json"
rc=$?

daemon_stop "$pid" 15 || fail "sendguard ignored SIGTERM for 15 s"
DAEMON_PIDS=""
live=$(daemon_sessions_live "$tmp/sendguard.log")

/usr/bin/python3 - "$tmp/smoke.json" "$messages" <<'EOF' || fail "generator results (see above)"
import json, sys
r = json.load(open(sys.argv[1]))
want = int(sys.argv[2])
problems = []
if r["errors"]:
    problems.append(f"{r['errors']} protocol errors: {r['error_samples']}")
if r["messages"] != want:
    problems.append(f"{r['messages']} of {want} messages completed")
if r["verdicts"].get("accept", 0) != want:
    problems.append(f"verdicts {r['verdicts']}, want accept={want}")
if r["headers_added"].get("X-Sendguard", 0) != want:
    problems.append(f"X-Sendguard on {r['headers_added'].get('X-Sendguard', 0)} of {want} messages")
for p in problems:
    print("  " + p)
sys.exit(1 if problems else 0)
EOF
[ "$rc" -eq 0 ] || fail "miltergen exited $rc"
[ "$live" = 0 ] || { tail -5 "$tmp/sendguard.log"; fail "at SIGTERM: sessions live=$live (want 0)"; }
echo "ok   smoke: $messages messages, 4 connections, 0 errors, sessions live=0"

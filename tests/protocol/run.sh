#!/bin/bash
# run.sh TALLY SENDGUARD_BIN [MILTERGEN_BIN] — protocol-level tests: builds
# milter_client_test (tests/milterclient) and protocol_test next to
# SENDGUARD_BIN, runs the client's own tests against a scripted filter, then
# starts a fresh sendguard on a unix socket and then on TCP loopback, plays
# the scenarios of protocol_test.cc against each, then checks that the daemon
# is still alive and logs "sessions live=0" at SIGTERM. Writes "passed failed
# skipped" (test cases) to TALLY; exits non-zero when anything failed. Stops
# what it started.
# Then the Postfix SMTPD policy service's cases (policy_test.py, our own
# policy client) against a daemon of their own.
# With MILTERGEN_BIN it also runs the generator smoke test
# (tests/loadgen/smoke.sh: a few hundred messages, zero errors allowed) as one
# more case, so `make test` keeps the load generator working.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/daemons.sh"
tally=$1; sg=$2; gen=${3:-}
case $sg in /*) ;; *) sg=$(pwd)/$sg ;; esac
case $gen in /*|"") ;; *) gen=$(pwd)/$gen ;; esac
build=$(dirname "$sg")
passed=0; failed=0; skipped=0

finish() {
  echo "protocol: $passed passed, $failed failed, $skipped skipped"
  echo "$passed $failed $skipped" > "$tally"
}
fail_all() { echo "FAIL protocol: $1"; failed=$((failed + 1)); finish; exit 1; }
[ -x "$sg" ] || fail_all "sendguard binary not found: $sg"

# Build the test program with the same BUILD dir as the daemon.
mk="make --no-print-directory -C $root BUILD=$build"
$mk "$build/protocol_test" "$build/milter_client_test" >/dev/null || fail_all "cannot build the protocol tests"

tmp=$(mktemp -d /tmp/sendguard-protocol.XXXXXX)
cleanup() { daemon_stop_all; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

# run_against NAME SPEC — one daemon, all scenarios, liveness and leak check.
run_against() {
  local name=$1 spec=$2 live
  daemon_sendguard_config "$tmp/$name.toml" "$spec" "$tmp/state-$name" info
  if ! daemon_start_sendguard "$sg" "$tmp/$name.toml" "$spec" "$tmp/$name.log"; then
    echo "FAIL $name: sendguard did not start"; failed=$((failed + 1)); return
  fi
  local pid=$DAEMON_LAST_PID
  count_cases "$name" "$(timeout -k 5 120 "$build/protocol_test" --socket "$spec" \
                          --corpus "$root/tests/milterclient/corpus" --check-identity)"
  if daemon_alive "$pid"; then
    passed=$((passed + 1)); echo "ok   $name/daemon_alive_after_scenarios"
  else
    failed=$((failed + 1)); echo "FAIL $name/daemon_alive_after_scenarios: sendguard died"; tail -20 "$tmp/$name.log"
  fi
  if daemon_stop "$pid" 15; then
    live=$(daemon_sessions_live "$tmp/$name.log")
  else
    live="(ignored SIGTERM, killed)"
  fi
  if [ "$live" = 0 ]; then
    passed=$((passed + 1)); echo "ok   $name/no_leaked_sessions_at_sigterm"
  else
    failed=$((failed + 1)); echo "FAIL $name/no_leaked_sessions_at_sigterm: sessions live=$live"
    tail -5 "$tmp/$name.log"
  fi
}

# count_cases NAME OUTPUT — adds the "N passed, M failed" of a test program.
count_cases() {
  local p f
  echo "$2" | grep -v ' passed, ' | sed "s/^\(ok  \|FAIL\) /\1 $1\//"
  read -r p f <<<"$(echo "$2" | tail -1 | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')"
  if [ -z "${p:-}" ]; then echo "FAIL $1: test program died"; p=0; f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
}

# The client itself, against a scripted filter: no daemon involved.
count_cases client "$(timeout -k 5 60 "$build/milter_client_test")"
run_against unix "unix:$tmp/sendguard.sock"
run_against tcp "inet:$(daemon_free_port)@127.0.0.1"
# Privileges: as root the daemon opens its socket, then its worker runs as
# daemon.user; the socket belongs to that user and socket_group, mode 0660.
privilege_drop() {
  local spec="unix:$tmp/priv/sendguard.sock" pid worker uid owner
  mkdir -p "$tmp/priv"
  chmod 0755 "$tmp" "$tmp/priv"
  daemon_sendguard_config "$tmp/priv.toml" "$spec" "$tmp/priv/state" info
  sed -i 's/^user = ""$/user = "nobody"\nsocket_group = "postfix"/' "$tmp/priv.toml"
  daemon_start_sendguard "$sg" "$tmp/priv.toml" "$spec" "$tmp/priv.log" || { echo "start failed"; tail -5 "$tmp/priv.log"; return 1; }
  pid=$DAEMON_LAST_PID
  worker=$(pgrep -P "$pid" | head -1)
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$worker/status" 2>/dev/null)
  owner=$(stat -c '%U:%G %a' "$tmp/priv/sendguard.sock")
  daemon_stop "$pid" 15 >/dev/null
  [ "$uid" = "$(id -u nobody)" ] || { echo "worker uid $uid, want nobody"; return 1; }
  [ "$owner" = "nobody:postfix 660" ] || { echo "socket $owner, want nobody:postfix 660"; return 1; }
}
# Graceful stop: a message in flight when SIGTERM arrives is still served to
# the end (miltertest pauses between headers and body), a connection opened
# during the drain is refused, and the daemon then exits 0.
drain_on_sigterm() {
  local spec="unix:$tmp/drain.sock" pid rc
  daemon_sendguard_config "$tmp/drain.toml" "$spec" "$tmp/drain-state" info
  daemon_start_sendguard "$sg" "$tmp/drain.toml" "$spec" "$tmp/drain.log" || return 1
  pid=$DAEMON_LAST_PID
  cat > "$tmp/slow.lua" <<LUA
conn = mt.connect("$spec")
mt.conninfo(conn, "client.example", "127.0.0.1")
mt.helo(conn, "client.example")
mt.macro(conn, SMFIC_MAIL, "{auth_authen}", "alice@example.org")
mt.mailfrom(conn, "<alice@example.org>")
mt.rcptto(conn, "<bob@example.net>")
mt.header(conn, "From", "alice@example.org")
mt.eoh(conn)
mt.sleep(2)
mt.bodystring(conn, "in flight at SIGTERM\r\n")
mt.eom(conn)
if mt.getreply(conn) ~= SMFIR_ACCEPT then error("in-flight message not accepted") end
if not mt.eom_check(conn, MT_HDRADD, "X-Sendguard") then error("no trace header") end
mt.disconnect(conn)
LUA
  timeout 20 miltertest -s "$tmp/slow.lua" >"$tmp/slow.out" 2>&1 &
  local mt_pid=$!
  sleep 0.7
  kill -TERM "$pid"
  sleep 0.3
  if timeout 5 /usr/bin/python3 "$root/tests/protocol/negotiate_probe.py" "$tmp/drain.sock" >"$tmp/probe.out" 2>&1; then
    echo "a new connection was served during the drain: $(cat "$tmp/probe.out")"; return 1
  fi
  wait "$mt_pid"; rc=$?
  [ "$rc" -eq 0 ] || { echo "in-flight message: $(tail -3 "$tmp/slow.out")"; return 1; }
  wait "$pid"; rc=$?
  DAEMON_PIDS=""
  [ "$rc" -eq 0 ] || { echo "daemon exit status $rc"; return 1; }
  grep -q "sessions live=0" "$tmp/drain.log" || { echo "no clean stop line"; tail -3 "$tmp/drain.log"; return 1; }
}
if why=$(drain_on_sigterm 2>&1); then passed=$((passed + 1)); echo "ok   sigterm_drains_message_in_flight"
else failed=$((failed + 1)); echo "FAIL sigterm_drains_message_in_flight: $why"; fi
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 && getent group postfix >/dev/null; then
  if why=$(privilege_drop 2>&1); then passed=$((passed + 1)); echo "ok   privilege_drop_and_socket_owner"
  else failed=$((failed + 1)); echo "FAIL privilege_drop_and_socket_owner: $why"; fi
else
  skipped=$((skipped + 1))
  echo "skip privilege_drop_and_socket_owner: needs root, user nobody and group postfix"
fi
# Several workers share one embedded quota store (LMDB is multi-process
# safe): 4 workers, 32 concurrent connections, one user with a limit of 100
# messages/1h, 160 sent: exactly 100 accepted, all others tempfailed at RCPT.
lmdb_shared_by_workers() {
  local spec="unix:$tmp/lmdb.sock" pid
  printf 'class default { messages 100/1h }\n' > "$tmp/lmdb-quota.conf"
  daemon_sendguard_config "$tmp/lmdb.toml" "$spec" "$tmp/lmdb-state" info
  sed -i 's/^user = ""$/user = ""\nworkers = 4/' "$tmp/lmdb.toml"
  printf '[quota]\npolicy_file = "%s"\n[senders]\nenabled = false\n' "$tmp/lmdb-quota.conf" >> "$tmp/lmdb.toml"
  daemon_start_sendguard "$sg" "$tmp/lmdb.toml" "$spec" "$tmp/lmdb.log" || { tail -5 "$tmp/lmdb.log"; return 1; }
  pid=$DAEMON_LAST_PID
  [ "$(pgrep -c -P "$pid")" -ge 4 ] || { echo "want 4 workers, have $(pgrep -c -P "$pid")"; return 1; }
  timeout -k 5 120 "$gen" --socket "$spec" --connections 32 --messages 160 --users 1 \
    --login-domain example.org --corpus "$root/tests/milterclient/corpus" --json "$tmp/lmdb.json" \
    --quiet >"$tmp/lmdb.out" 2>&1
  daemon_stop "$pid" 15 >/dev/null
  /usr/bin/python3 - "$tmp/lmdb.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
v = r["verdicts"]
if r["errors"] or v.get("accept") != 100 or sum(v.values()) != 160:
    sys.exit(f"verdicts {v}, errors {r['errors']}: want accept=100 of 160")
PY
}
mkdir -p "$tmp/policy"
count_cases policy "$(timeout -k 5 300 /usr/bin/python3 "$root/tests/protocol/policy_test.py" "$sg" "$tmp/policy" 2>&1)"
if [ -n "$gen" ]; then
  if why=$(lmdb_shared_by_workers 2>&1); then passed=$((passed + 1)); echo "ok   lmdb_quota_exact_across_4_workers"
  else failed=$((failed + 1)); echo "FAIL lmdb_quota_exact_across_4_workers: $why"; fi
  if out=$("$root/tests/loadgen/smoke.sh" "$sg" "$gen" 2>&1); then
    passed=$((passed + 1)); echo "ok   generator_smoke"
  else
    failed=$((failed + 1)); echo "FAIL generator_smoke:"; echo "$out" | tail -20 | sed 's/^/    /'
  fi
fi
finish
[ "$failed" -eq 0 ]

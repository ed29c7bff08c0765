#!/bin/bash
# run.sh TALLY SENDGUARD_BIN MILTERGEN_BIN — quotas shared by two relays
# through a real Redis, at the milter protocol level:
#   1. two sendguard daemons share one redis-server (loopback, temp dir, own
#      port, no persistence); 32 concurrent milter connections spread over
#      both, all for one user with a limit of 100 messages/1h: exactly 100
#      messages are accepted;
#   2. Redis paused (SIGSTOP), then killed: with redis_outage = "fail-closed"
#      every message is tempfailed at RCPT (all 20, nothing else), promptly
#      (command timeout 200 ms);
#   3. Redis back on the same port: decisions resume without a restart;
#   4. abuse tracking costs no Redis round trip of its own: the same
#      messages cost as many Redis commands with it as without it;
#   5. tests/redis/sentinel.sh: the same through a Sentinel failover.
# Writes "passed failed skipped" to TALLY. Stops everything it started, by PID.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/daemons.sh"
tally=$1; sg=$2; gen=$3
case $sg in /*) ;; *) sg=$(pwd)/$sg ;; esac
case $gen in /*) ;; *) gen=$(pwd)/$gen ;; esac
passed=0; failed=0
tmp=$(mktemp -d /tmp/sendguard-redis.XXXXXX)
redis_pid=""
cleanup() {
  daemon_stop_all
  if [ -n "$redis_pid" ]; then kill -CONT "$redis_pid" 2>/dev/null; kill -9 "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ok() { passed=$((passed + 1)); echo "ok   redis/$1"; }
bad() { failed=$((failed + 1)); echo "FAIL redis/$1"; }
finish() { echo "redis: $passed passed, $failed failed, 0 skipped"; echo "$passed $failed 0" > "$tally"; }

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_redis() {
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" \
    --daemonize no >"$tmp/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}
start_redis || { bad "redis_server_starts"; finish; exit 1; }

printf 'class default { messages 100/1h }\n' > "$tmp/quota.conf"
# Abuse detection on, with a condition that never fires: only manual actions.
printf 'condition never messages >= 1000000 -> suspend\nsuspend_text 550 5.7.1 suspended (redis test)\n' > "$tmp/abuse.conf"
write_config() {  # write_config NAME [noabuse]
  {
    printf '[daemon]\nlisten = ["unix:%s/%s.sock"]\nstate_dir = "%s/state-%s"\n' "$tmp" "$1" "$tmp" "$1"
    printf '[log]\ntarget = "stderr"\nlevel = "info"\n'
    printf '[quota]\npolicy_file = "%s/quota.conf"\nstore = "redis"\nredis_port = %s\n' "$tmp" "$port"
    printf 'redis_command_timeout_ms = 200\nredis_backoff_min_ms = 100\nredis_backoff_max_ms = 500\n'
    printf 'redis_outage = "fail-closed"\n'
    printf '[senders]\nenabled = false\n'
    [ "${2:-}" = noabuse ] || printf '[abuse]\npolicy_file = "%s/abuse.conf"\n' "$tmp"
  } > "$tmp/$1.toml"
}
for n in a b; do
  write_config "$n"
  if ! daemon_start_sendguard "$sg" "$tmp/$n.toml" "unix:$tmp/$n.sock" "$tmp/$n.log"; then
    bad "sendguard_$n_starts"; cat "$tmp/$n.log"; finish; exit 1
  fi
done

# play CONNECTIONS MESSAGES TAG — the same load on both daemons at once, one user.
play() {
  local pids="" n
  for n in a b; do
    timeout -k 5 120 "$gen" --socket "unix:$tmp/$n.sock" --connections "$1" --messages "$2" \
      --users 1 --login-domain example.org --corpus "$root/tests/milterclient/corpus" \
      --json "$tmp/$3-$n.json" --quiet >"$tmp/$3-$n.out" 2>&1 &
    pids="$pids $!"
  done
  wait $pids
}
# verdicts TAG -> "accepted refused errors VERDICTS", VERDICTS being every
# verdict with its count over both daemons, e.g. "accept=3,tempfail@rcpt=17".
verdicts() {
  /usr/bin/python3 -c '
import collections, json, sys
acc = ref = err = 0
seen = collections.Counter()
for p in sys.argv[1:]:
    try:
        r = json.load(open(p))
    except Exception:
        err += 1
        continue
    err += r["errors"]
    for k, v in r["verdicts"].items():
        seen[k] += v
        if k == "accept": acc += v
        else: ref += v
print(acc, ref, err, ",".join("%s=%d" % kv for kv in sorted(seen.items())) or "none")' "$tmp/$1-a.json" "$tmp/$1-b.json"
}

play 16 160 shared
read -r acc ref err seen <<<"$(verdicts shared)"
if [ "$acc" = 100 ] && [ "$err" = 0 ]; then ok "two_relays_32_connections_exactly_100_accepted ($ref refused)"
else bad "two_relays_32_connections_exactly_100_accepted: accepted=$acc refused=$ref errors=$err"; fi

# The quota CLI reads and resets the shared counts in Redis.
user=user1@example.org
used=$("$sg" quota show "$user" -c "$tmp/a.toml" --json 2>&1 | /usr/bin/python3 -c '
import json, sys
print(max(l["used"] for l in json.load(sys.stdin)["limits"] if l["metric"] == "messages"))' 2>&1)
if [ "$used" = 100 ]; then ok "cli_shows_shared_count"; else bad "cli_shows_shared_count: used=$used"; fi
"$sg" quota reset "$user" -c "$tmp/b.toml" >/dev/null 2>&1
play 2 5 afterreset
read -r acc ref err seen <<<"$(verdicts afterreset)"
if [ "$acc" = 10 ] && [ "$err" = 0 ]; then ok "cli_reset_on_one_relay_frees_both"; else bad "cli_reset_on_one_relay_frees_both: accepted=$acc refused=$ref errors=$err"; fi

# A suspension made through one relay refuses the account on both, at once.
"$sg" abuse suspend "$user" --for 1h --reason "redis test" -c "$tmp/a.toml" >/dev/null 2>&1
play 1 2 suspended
read -r acc ref err seen <<<"$(verdicts suspended)"
if [ "$seen" = "reject@mail=4" ] && [ "$err" = 0 ]; then ok "suspension_on_one_relay_refuses_on_both ($seen)"
else bad "suspension_on_one_relay_refuses_on_both: verdicts $seen (want reject@mail=4) errors=$err"; fi
"$sg" abuse release "$user" -c "$tmp/b.toml" >/dev/null 2>&1
play 1 2 released
read -r acc ref err seen <<<"$(verdicts released)"
if [ "$acc" = 4 ] && [ "$err" = 0 ]; then ok "release_on_the_other_relay_lifts_it"; else bad "release_on_the_other_relay_lifts_it: verdicts $seen"; fi

# commands NAME TAG — Redis commands the client sent (not those scripts ran,
# not SCRIPT LOAD: what MONITOR shows from a client address) for 10 messages
# (one connection, one user, after one warm-up message) sent to daemon NAME.
commands() {
  timeout -k 5 60 "$gen" --socket "unix:$tmp/$1.sock" --connections 1 --messages 1 --users 1 \
    --login-domain cost.example --corpus "$root/tests/milterclient/corpus" --quiet >/dev/null 2>&1
  redis-cli -p "$port" monitor > "$tmp/$2.monitor" 2>/dev/null &
  local mon=$!
  sleep 0.3
  timeout -k 5 60 "$gen" --socket "unix:$tmp/$1.sock" --connections 1 --messages 10 --users 1 \
    --login-domain cost.example --corpus "$root/tests/milterclient/corpus" \
    --json "$tmp/$2.json" --quiet >/dev/null 2>&1
  sleep 0.3
  kill "$mon" 2>/dev/null; wait "$mon" 2>/dev/null
  grep -v ' lua\]' "$tmp/$2.monitor" | grep -v -i '"script"' | grep -c '^[0-9]'
}
write_config c noabuse
if daemon_start_sendguard "$sg" "$tmp/c.toml" "unix:$tmp/c.sock" "$tmp/c.log"; then
  redis-cli -p "$port" flushall >/dev/null
  with=$(commands a cost-abuse)
  redis-cli -p "$port" flushall >/dev/null
  without=$(commands c cost-plain)
  acc=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdicts"].get("accept", 0))' "$tmp/cost-abuse.json" 2>/dev/null)
  if [ -n "$with" ] && [ "$with" = "$without" ] && [ "$acc" = 10 ]; then
    ok "abuse_tracking_adds_no_redis_round_trip ($with commands for 10 messages, with and without)"
  else
    bad "abuse_tracking_adds_no_redis_round_trip: $with commands with abuse tracking, $without without (accepted $acc of 10)"
  fi
else
  bad "sendguard_c_starts"; cat "$tmp/c.log"
fi

redis-cli -p "$port" flushall >/dev/null
kill -STOP "$redis_pid"
start=$(date +%s%N)
play 2 10 paused
ms=$(( ($(date +%s%N) - start) / 1000000 ))
read -r acc ref err seen <<<"$(verdicts paused)"
# 20 messages, 4 connections; each decision waits at most the 200 ms command
# timeout, later ones fail fast during the backoff. Fail-closed means every
# one of them is tempfailed (Postfix keeps it queued), at RCPT, where the
# quota is reserved: no accept, no reject, no other answer.
all_tempfailed=tempfail@rcpt=20
if [ "$seen" = "$all_tempfailed" ] && [ "$err" = 0 ] && [ "$ms" -lt 6000 ]; then ok "redis_paused_fail_closed_within_timeout (${ms} ms for 20 messages, $seen)"
else bad "redis_paused_fail_closed_within_timeout: verdicts $seen (want $all_tempfailed) errors=$err ${ms} ms"; fi
kill -CONT "$redis_pid"; kill -9 "$redis_pid"; wait "$redis_pid" 2>/dev/null; redis_pid=""

play 2 10 down
read -r acc ref err seen <<<"$(verdicts down)"
if [ "$seen" = "$all_tempfailed" ] && [ "$err" = 0 ]; then ok "redis_down_fail_closed ($seen)"
else bad "redis_down_fail_closed: verdicts $seen (want $all_tempfailed) errors=$err"; fi

start_redis || bad "redis_server_restarts"
# "Resume within a few seconds": pooled connections from before the restart
# fail once each (they are then replaced) — in every worker process of both
# daemons — so wait until two probe rounds in a row are accepted whole,
# then every decision must go through.
resumed=""; clean=0
for i in $(seq 20); do
  play 2 4 probe$i
  read -r acc ref err seen <<<"$(verdicts probe$i)"
  if [ "$acc" = 8 ]; then clean=$((clean + 1)); else clean=0; fi
  if [ "$clean" = 2 ]; then resumed=$i; break; fi
  sleep 0.3
done
[ -n "$resumed" ] && echo "    decisions resumed after $resumed probe round(s)"
play 2 10 back
read -r acc ref err seen <<<"$(verdicts back)"
if [ "$acc" = 20 ] && [ "$err" = 0 ]; then ok "redis_back_decisions_resume"; else bad "redis_back_decisions_resume: accepted=$acc refused=$ref errors=$err"; fi
if [ "$failed" -ne 0 ]; then grep -h -i "redis\|quota" "$tmp/a.log" | tail -8 | sed 's/^/    /'; fi
daemon_stop_all
# The Sentinel failover test (its own Redis servers, sentinels and daemons).
"$here/sentinel.sh" "$tmp/sentinel.tally" "$sg" "$gen"
read -r sp sf < "$tmp/sentinel.tally" 2>/dev/null || { sp=0; sf=1; }
passed=$((passed + sp)); failed=$((failed + sf))
finish
[ "$failed" -eq 0 ]

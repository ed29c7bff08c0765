#!/bin/bash
# sentinel.sh TALLY SENDGUARD_BIN MILTERGEN_BIN — shared quotas through a
# Redis Sentinel failover, with real processes on loopback (temp dir, own
# ports, no persistence): one master, one replica, three sentinels (quorum
# 2, down-after 1000 ms, failover-timeout 3000 ms) and two sendguard daemons
# finding the master through the sentinels. One user, 100 messages/1h, a
# steady load on both daemons (small miltergen runs in a loop). Two rounds:
#   1. WAIT off: kill -9 the master at about 40 accepted; the replica is
#      promoted; both daemons accept again within the failover time plus one
#      backoff; tempfails during the switch are counted; no message waited
#      longer than its store calls' timeouts; total accepted = 100 + the
#      overshoot (counts the old master acknowledged but never replicated),
#      measured and reported; the old master, restarted, rejoins as a
#      replica and serves no client script.
#   2. redis_wait_replicas = 1, key prefix of its own, the roles swapped: kill
#      -9 the master; with no replica left, counting writes cannot be
#      confirmed and tempfail; the old master restarts and rejoins, decisions
#      resume; total accepted never exceeds 100 and accepted + the
#      reservations still pending from messages cut off by the crash = 100.
# Prints one "ok"/"FAIL" line per check and the numbers; writes "passed
# failed" to TALLY. Stops everything it started, by PID.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/daemons.sh"
tally=$1; sg=$2; gen=$3
case $sg in /*) ;; *) sg=$(pwd)/$sg ;; esac
case $gen in /*) ;; *) gen=$(pwd)/$gen ;; esac
passed=0; failed=0
tmp=$(mktemp -d /tmp/sendguard-sentinel.XXXXXX)
declare -A pid_of=()   # redis name (m, r, s1..s3) -> PID
cleanup() {
  touch "$tmp/stop"
  wait_load 2>/dev/null
  daemon_stop_all
  for n in "${!pid_of[@]}"; do kill -9 "${pid_of[$n]}" 2>/dev/null; wait "${pid_of[$n]}" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ok() { passed=$((passed + 1)); echo "ok   redis/sentinel/$1"; }
bad() { failed=$((failed + 1)); echo "FAIL redis/sentinel/$1"; }
finish() { echo "redis/sentinel: $passed passed, $failed failed"; echo "$passed $failed" > "$tally"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# until_ok SECONDS CMD... — polls CMD every 50 ms; false after SECONDS.
until_ok() {
  local limit=$(( $1 * 20 )) i=0; shift
  until "$@" >/dev/null 2>&1; do
    [ "$i" -lt "$limit" ] || return 1
    sleep 0.05; i=$((i + 1))
  done
}

declare -A port_of=()
for n in m r s1 s2 s3; do port_of[$n]=$(daemon_free_port); done
cli() { redis-cli -h 127.0.0.1 -p "${port_of[$1]}" "${@:2}"; }

start_redis() {  # start_redis NAME [replicaof NAME]
  mkdir -p "$tmp/$1"
  local extra=()
  [ $# -gt 1 ] && extra=(--replicaof 127.0.0.1 "${port_of[$2]}")
  redis-server --port "${port_of[$1]}" --bind 127.0.0.1 --save '' --appendonly no \
    --repl-diskless-sync-delay 0 --dir "$tmp/$1" --daemonize no "${extra[@]}" \
    >>"$tmp/$1/redis.log" 2>&1 &
  pid_of[$1]=$!
  until_ok 5 cli "$1" ping
}
start_sentinel() {  # start_sentinel NAME
  mkdir -p "$tmp/$1"
  cat > "$tmp/$1/sentinel.conf" <<EOF
port ${port_of[$1]}
bind 127.0.0.1
daemonize no
dir $tmp/$1
sentinel monitor mymaster 127.0.0.1 ${port_of[m]} 2
sentinel down-after-milliseconds mymaster 1000
sentinel failover-timeout mymaster 3000
EOF
  redis-server "$tmp/$1/sentinel.conf" --sentinel >>"$tmp/$1/sentinel.log" 2>&1 &
  pid_of[$1]=$!
  until_ok 5 cli "$1" ping
}
kill_redis() { kill -9 "${pid_of[$1]}"; wait "${pid_of[$1]}" 2>/dev/null; unset "pid_of[$1]"; }
role_of() { cli "$1" info replication 2>/dev/null | tr -d '\r' | sed -n 's/^role://p'; }
link_up() { cli "$1" info replication 2>/dev/null | grep -q 'master_link_status:up'; }
master_port() { cli s1 sentinel get-master-addr-by-name mymaster 2>/dev/null | sed -n 2p; }
master_is() { [ "$(master_port)" = "$1" ]; }
role_is() { [ "$(role_of "$1")" = "$2" ]; }
quorum_ok() { cli s1 sentinel ckquorum mymaster 2>/dev/null | grep -q '^OK 3 usable'; }
replica_known() { cli s1 sentinel replicas mymaster 2>/dev/null | grep -qx 'slave'; }
# Script runs clients sent to NAME (EVALSHA/EVAL are never replicated).
scripts_served() {
  cli "$1" info commandstats | tr -d '\r' |
    awk -F'[=,:]' '/^cmdstat_(evalsha|eval):/ {n += $3} END {print n + 0}'
}

start_redis m && start_redis r m || { bad "redis_servers_start"; finish; exit 1; }
until_ok 10 link_up r || { bad "replica_syncs"; finish; exit 1; }
for s in s1 s2 s3; do start_sentinel "$s" || { bad "sentinel_${s}_starts"; finish; exit 1; }; done
if until_ok 20 quorum_ok && until_ok 10 replica_known; then ok "three_sentinels_see_master_and_replica"
else bad "three_sentinels_see_master_and_replica: $(cli s1 sentinel ckquorum mymaster)"; finish; exit 1; fi

printf 'class default { messages 100/1h }\n' > "$tmp/quota.conf"
write_config() {  # write_config NAME PREFIX WAIT_REPLICAS
  {
    printf '[daemon]\nlisten = ["unix:%s/%s.sock"]\nstate_dir = "%s/state-%s"\n' "$tmp" "$1" "$tmp" "$1"
    printf '[log]\ntarget = "stderr"\nlevel = "info"\n'
    printf '[quota]\npolicy_file = "%s/quota.conf"\nstore = "redis"\n' "$tmp"
    printf 'redis_sentinels = ["127.0.0.1:%s", "127.0.0.1:%s", "127.0.0.1:%s"]\n' \
      "${port_of[s1]}" "${port_of[s2]}" "${port_of[s3]}"
    printf 'redis_master_name = "mymaster"\nredis_key_prefix = "%s"\n' "$2"
    printf 'redis_command_timeout_ms = 200\nredis_backoff_min_ms = 100\nredis_backoff_max_ms = 500\n'
    printf 'redis_wait_replicas = %s\nredis_wait_timeout_ms = 100\n' "$3"
    printf 'redis_outage = "fail-closed"\n'
    printf '[senders]\nenabled = false\n'
  } > "$tmp/$1.toml"
}
start_daemons() {  # start_daemons PREFIX WAIT_REPLICAS
  local n
  for n in a b; do
    write_config "$n" "$1" "$2"
    daemon_start_sendguard "$sg" "$tmp/$n.toml" "unix:$tmp/$n.sock" "$tmp/$n-$1.log" || return 1
  done
}

# The load: per daemon, runs of 2 messages (1 connection, one user) until
# $tmp/stop exists; each run's JSON is named by its end time in ms.
load_pids=""
start_load() {  # start_load ROUND
  local n
  rm -f "$tmp/stop"; mkdir -p "$tmp/$1"
  for n in a b; do
    (
      while [ ! -e "$tmp/stop" ]; do
        timeout -k 2 20 "$gen" --socket "unix:$tmp/$n.sock" --connections 1 --messages 2 \
          --per-connection 2 --users 1 --login-domain example.org \
          --corpus "$root/tests/milterclient/corpus" --json "$tmp/$1/run-$n.json" --quiet >/dev/null 2>&1
        mv "$tmp/$1/run-$n.json" "$tmp/$1/$n-$(now_ms).json" 2>/dev/null
        sleep 0.05
      done
    ) &
    load_pids="$load_pids $!"
  done
}
wait_load() { touch "$tmp/stop"; [ -n "$load_pids" ] && wait $load_pids; load_pids=""; }
# Store errors the daemons turned into 451 4.3.0 (fail-closed), from their logs.
store_tempfails() { cat "$tmp"/[ab]-"$1".log | grep -c 'quota store error'; }
# tally ROUND [SINCE_MS] -> "accepted tempfailed refused errors max_latency_ms"
# (the load generator counts every 4xx as "tempfail": the over-quota 4.7.1
# and the store's 4.3.0 alike; store_tempfails separates them)
tally_round() {
  /usr/bin/python3 - "$tmp/$1" "${2:-0}" <<'EOF'
import glob, json, os, sys
acc = temp = ref = err = 0
worst = 0.0
for p in glob.glob(os.path.join(sys.argv[1], "[ab]-*.json")):
    if int(p.rsplit("-", 1)[1][:-5]) < int(sys.argv[2]):
        continue
    r = json.load(open(p))
    err += r["errors"]
    worst = max(worst, r["latency_ms"]["max"])
    for k, v in r["verdicts"].items():
        if k == "accept": acc += v
        elif k == "tempfail": temp += v
        else: ref += v
print(acc, temp, ref, err, int(worst))
EOF
}
# first_accept_after ROUND DAEMON MS -> end time of the first run with an
# acceptance after the daemon's first run without one after MS (a run that
# began before the kill does not count), -1 if none
first_accept_after() {
  /usr/bin/python3 - "$tmp/$1" "$2" "$3" <<'EOF'
import glob, json, os, sys
d, daemon, since = sys.argv[1], sys.argv[2], int(sys.argv[3])
times = sorted(int(p.rsplit("-", 1)[1][:-5]) for p in glob.glob(os.path.join(d, daemon + "-*.json")))
failed = False
for t in times:
    if t <= since:
        continue
    accepted = json.load(open(os.path.join(d, "%s-%d.json" % (daemon, t))))["verdicts"].get("accept", 0)
    if not accepted:
        failed = True
    elif failed:
        print(t)
        break
else:
    print(-1)
EOF
}
pending_of() {  # pending_of CONFIG -> "committed pending" of user1's message window
  "$sg" quota show user1@example.org -c "$1" --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
l = [x for x in json.load(sys.stdin)["limits"] if x["metric"] == "messages"][0]
print(l["used"], l["pending"])'
}
# Each message makes up to 3 store calls (RCPT, end of message, commit),
# each bounded by the 200 ms command timeout; 400 ms for the rest.
latency_bound=$((3 * 200 + 400))

# kill_master_under_load ROUND — kills the current master once ~40 messages
# were accepted; sets killed_at, promoted_at (ms), old (name), new (name).
kill_master_under_load() {
  local i acc old_port
  for i in $(seq 200); do
    read -r acc _ <<<"$(tally_round "$1")"
    [ "$acc" -ge 40 ] && break
    sleep 0.05
  done
  old_port=$(master_port)
  if [ "$old_port" = "${port_of[m]}" ]; then old=m; new=r; else old=r; new=m; fi
  accepted_before_kill=$acc
  kill_redis "$old"; killed_at=$(now_ms)
  until_ok 30 master_is "${port_of[$new]}"; promoted_at=$(now_ms)
}
# restart_old_master — the killed node comes back as it was configured (a
# master with no data); the sentinels must turn it into a replica.
restart_old_master() {
  start_redis "$old" || return 1
  until_ok 40 role_is "$old" slave && until_ok 10 link_up "$old"
}

# --- round 1: WAIT off --------------------------------------------------------
start_daemons r1: 0 || { bad "daemons_start"; finish; exit 1; }
start_load r1
kill_master_under_load r1
failover_ms=$((promoted_at - killed_at))
if [ "$(role_of "$new")" = master ]; then ok "kill_master_replica_promoted (in $failover_ms ms)"
else bad "kill_master_replica_promoted: role $(role_of "$new")"; fi
sleep 4   # load continues on the new master
for n in a b; do
  t=$(first_accept_after r1 "$n" "$killed_at")
  moved=$((t - killed_at))
  # one backoff (500 ms max) plus one load run (about 300 ms) after the sentinels named it
  if [ "$t" -gt 0 ] && [ "$((t - promoted_at))" -le 900 ]; then ok "daemon_${n}_accepts_on_new_master (${moved} ms after the kill, $((t - promoted_at)) ms after the promotion)"
  else bad "daemon_${n}_accepts_on_new_master: first acceptance at ${moved} ms after the kill, failover took $failover_ms ms"; fi
done
echo "    round 1: failover $failover_ms ms; tempfailed during the switch (store errors): $(store_tempfails r1:)"
restart_old_master && ok "old_master_rejoins_as_replica" || bad "old_master_rejoins_as_replica: role $(role_of "$old")"
before=$(scripts_served "$old")
sleep 1
wait_load
read -r acc temp ref err worst <<<"$(tally_round r1)"
after=$(scripts_served "$old")
if [ "$after" = "$before" ] && [ "$after" = 0 ]; then ok "nothing_goes_back_to_the_old_master"
else bad "nothing_goes_back_to_the_old_master: $after scripts served there"; fi
read -r committed pending <<<"$(pending_of "$tmp/a.toml")"
overshoot=$((acc - 100))
echo "    round 1 (WAIT off): accepted $acc (overshoot $overshoot; $accepted_before_kill before the kill), store tempfails $(store_tempfails r1:), tempfails (all 4xx) $temp, rejects $ref, errors $err, slowest message $worst ms"
echo "    round 1: on the new master: committed $committed, pending $pending"
# The new master counts 100 (committed + pending); what it lost (acknowledged
# by the old master, not yet replicated) is accepted on top. With one
# connection per daemon at most 2 messages are in flight at the crash.
if [ "$err" = 0 ] && [ "$((committed + pending))" = 100 ] && [ "$acc" -le $((100 + 2)) ]; then
  ok "wait_off_accepted_within_bound (accepted $acc: overshoot $overshoot, bound 2 in-flight messages)"
else bad "wait_off_accepted_within_bound: accepted=$acc committed=$committed pending=$pending errors=$err"; fi
if [ "$worst" -le "$latency_bound" ]; then ok "wait_off_no_message_waits_past_the_timeouts (slowest $worst ms)"
else bad "wait_off_no_message_waits_past_the_timeouts: slowest $worst ms > $latency_bound"; fi
daemon_stop_all

# --- round 2: WAIT on ---------------------------------------------------------
until_ok 20 replica_known
start_daemons r2: 1 || { bad "daemons_start_wait_on"; finish; exit 1; }
start_load r2
kill_master_under_load r2
failover2_ms=$((promoted_at - killed_at))
if [ "$(role_of "$new")" = master ]; then ok "wait_on_kill_master_replica_promoted (in $failover2_ms ms)"
else bad "wait_on_kill_master_replica_promoted: role $(role_of "$new")"; fi
sleep 1
restart_old_master && ok "wait_on_old_master_rejoins_as_replica" || bad "wait_on_old_master_rejoins_as_replica"
rejoined_at=$(now_ms)
sleep 3
wait_load
read -r acc temp ref err worst <<<"$(tally_round r2)"
read -r committed pending <<<"$(pending_of "$tmp/a.toml")"
echo "    round 2 (WAIT on): accepted $acc ($accepted_before_kill before the kill), store tempfails $(store_tempfails r2:) (the old master back as replica $((rejoined_at - killed_at)) ms after the kill), tempfails (all 4xx) $temp, rejects $ref, errors $err, slowest message $worst ms"
echo "    round 2: on the new master: committed $committed, pending $pending (reservations of attempts tempfailed because no replica could confirm them; they count until reservation_ttl)"
if [ "$err" = 0 ] && [ "$acc" -le 100 ] && [ "$acc" -le "$committed" ] && [ "$((committed + pending))" = 100 ]; then
  ok "wait_on_never_over_100 (accepted $acc; counted $committed + $pending pending = 100)"
else bad "wait_on_never_over_100: accepted=$acc committed=$committed pending=$pending errors=$err"; fi
if [ "$worst" -le "$latency_bound" ]; then ok "wait_on_no_message_waits_past_the_timeouts (slowest $worst ms)"
else bad "wait_on_no_message_waits_past_the_timeouts: slowest $worst ms > $latency_bound"; fi
if [ "$failed" -ne 0 ]; then
  for f in "$tmp"/a-*.log; do grep -h -i "redis\|quota" "$f" | tail -6 | sed 's/^/    /'; done
fi
finish
[ "$failed" -eq 0 ]

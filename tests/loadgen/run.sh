#!/bin/bash
# run.sh SENDGUARD_BIN MILTERGEN_BIN — what `make bench` runs.
#
# In a temp dir: writes a full-pipeline bench config for sendguard (quota
# store, sender check, starter rules + SpamAssassin corpus, RSA-2048 and
# Ed25519 signatures) and a sign-only config for OpenDKIM (RSA-2048; both
# keys made here), then measures both daemons with the same generator over
# {unix socket, TCP loopback} x {1, 8, 32} connections (BENCH_SECONDS per
# cell, default 6), plus one cell of 32 connections all sending the 200 KB
# message (peak RSS must stay bounded), plus the core-scaling pair: sendguard
# over unix at 8 connections pinned to CPU 0 (taskset) with the generator
# pinned to CPU 1, then both unpinned (twice, interleaved), plus the same cell with parts of the
# pipeline left out (stages skeleton, base, no-rules, no-dkim, no-abuse: where the CPU
# goes). Per cell: msgs/s, p50/p90/p99
# latency, verdicts, errors, daemon CPU per message (utime+stime from
# /proc/PID/stat of its whole process tree) and peak RSS (VmHWM summed over
# the tree). Then runs the micro-benchmarks ($BUILD/bench/*_bench, built by
# `make bench-tools`) and `openssl speed rsa2048 ed25519`.
# Writes bench/results/latest.{json,md,png}, prints one table, and stops
# every process it started (by PID). Exit status 0 only when every daemon
# started, no cell had errors, every micro-benchmark ran and sendguard ended
# with no live session (its "sessions live=N" line is logged at warning
# level only when N != 0, so at level warning its absence means 0).
#
# Environment: BENCH_SECONDS (per cell, default 6), BENCH_CONNECTIONS
# (default "1 8 32"), BENCH_DAEMONS (default "sendguard opendkim"), BENCH_RESULTS
# (default bench/results: where the report goes),
# BENCH_MICRO (default 1; 0 skips the micro-benchmarks), BENCH_OBS_ROUNDS
# (default 2).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/daemons.sh"
corpus_dir=$root/tests/milterclient/corpus
sg=${1:?usage: run.sh SENDGUARD_BIN MILTERGEN_BIN}
gen=${2:?usage: run.sh SENDGUARD_BIN MILTERGEN_BIN}
case $sg in /*) ;; *) sg=$(pwd)/$sg ;; esac
case $gen in /*) ;; *) gen=$(pwd)/$gen ;; esac
build=$(dirname "$sg")
cell_seconds=${BENCH_SECONDS:-6}
connections=${BENCH_CONNECTIONS:-"1 8 32"}
daemons=${BENCH_DAEMONS:-"sendguard opendkim"}
micro=${BENCH_MICRO:-1}
results=${BENCH_RESULTS:-$root/bench/results}
status=0

tmp=$(mktemp -d /tmp/sendguard-bench.XXXXXX)
cleanup() { daemon_stop_all; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
cells=$tmp/cells; keys=$tmp/keys
mkdir -p "$cells" "$keys" "$results"
[ -x "$gen" ] || { echo "bench: miltergen not found: $gen" >&2; exit 1; }

# --- keys ------------------------------------------------------------------
make_keys() {
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/rsa.pem" 2>/dev/null &&
  openssl genpkey -algorithm ED25519 -out "$keys/ed25519.pem" 2>/dev/null &&
  chmod 600 "$keys"/*.pem
}

# --- sendguard ---------------------------------------------------------------
# The full pipeline: every message takes the quota path (limits it never
# reaches), the sender check (the generator logs in as userN@<From domain>,
# which the default same-domain rule allows), the starter rules plus the
# SpamAssassin corpus, the X-Sendguard header and two DKIM signatures
# (RSA-2048 and Ed25519, d= the From domain). SPF stays off (default): with
# static DNS data it would measure the helper round trip, not a resolver.

# The domains of the corpus's From headers (the generator's login domains).
corpus_from_domains() {
  awk 'FNR == 1 {h = 1} /^\r?$/ {h = 0} h && /^[Ff][Rr][Oo][Mm]:/' "$corpus_dir"/*.eml |
    sed -n 's/.*@\([A-Za-z0-9.-]*\).*/\1/p' | tr 'A-Z' 'a-z' | sort -u
}

write_sendguard_policies() {
  local d
  {
    echo "# Limits no bench reaches. Every login domain of the generator is mapped:"
    echo "# an unmapped login would be an unknown user and show up as tempfails."
    echo "class bench {"
    echo "    messages     10000000/1h"
    echo "    recipients   100000000/1d"
    echo "    bytes        10000GB/1d"
    echo "    rcpt_per_msg 100"
    echo "    max_size     25MB"
    echo "}"
    echo "domain * {"
    echo "    messages     100000000/1h"
    echo "}"
    echo "users {"
    for d in $(corpus_from_domains); do echo "    @$d bench"; done
    echo "    ip:127.0.0.1/32 bench"
    echo "}"
  } > "$tmp/quota.conf"
  # The shipped abuse policy, with the bench class exempt: every message
  # still updates its identity's signals and is evaluated (what costs), but
  # a generator that sends thousands an hour per login is not suspended.
  { cat "$root/policies/abuse.conf"; echo "exempt_class bench"; } > "$tmp/abuse.conf"
  {
    echo "bench-rsa  %:bench-rsa:$keys/rsa.pem"
    echo "bench-ed   %:bench-ed:$keys/ed25519.pem"
  } > "$tmp/keys.conf"
  echo "*  bench-rsa bench-ed" > "$tmp/signing.conf"
}

# write_sendguard_config FILE SPEC — the config of stage $SG_STAGE:
#   full (default)  quota + senders + abuse + rules + dkim
#   no-rules        without [rules]         no-dkim   without [dkim]
#   no-abuse        without [abuse] (what compromised-account detection costs)
#   base            quota + senders only    skeleton  nothing, senders off
#   observed        full + the decision log + the HTTP server (scraped each second)
write_sendguard_config() {
  local stage=${SG_STAGE:-full}
  daemon_sendguard_config "$1" "$2" "$tmp/sendguard-state" warning
  if [ "$stage" = skeleton ]; then printf '\n[senders]\nenabled = false\n' >> "$1"; return; fi
  if [ "$stage" = observed ]; then
    sed -i "/^level = /a decision_log = \"$tmp/decisions.jsonl\"" "$1"
    printf '\n[http]\nlisten = "127.0.0.1:%s"\n' "$BENCH_HTTP_PORT" >> "$1"
    stage=full
  fi
  cat >> "$1" <<EOF

[quota]
policy_file = "$tmp/quota.conf"
store = "lmdb"

[senders]
enabled = true
EOF
  case $stage in full|no-rules|no-dkim) cat >> "$1" <<EOF

[abuse]
policy_file = "$tmp/abuse.conf"
EOF
  esac
  case $stage in full|no-dkim|no-abuse) cat >> "$1" <<EOF

[rules]
paths = ["$root/rules", "/usr/share/spamassassin"]
strict = false
EOF
  esac
  case $stage in full|no-rules|no-abuse) cat >> "$1" <<EOF

[dkim]
key_table = "$tmp/keys.conf"
signing_table = "$tmp/signing.conf"
EOF
  esac
}

# --- OpenDKIM (sign only, RSA-2048, no DNS) ----------------------------------
write_opendkim_config() {  # FILE SOCKET PIDFILE
  echo "bench._domainkey.example.com example.com:bench:$keys/rsa.pem" > "$tmp/keytable"
  echo "* bench._domainkey.example.com" > "$tmp/signingtable"
  cat > "$1" <<EOF
Mode                 s
Syslog               no
Background           no
Canonicalization     relaxed/relaxed
SignatureAlgorithm   rsa-sha256
KeyTable             refile:$tmp/keytable
SigningTable         refile:$tmp/signingtable
RequireSafeKeys      no
Socket               $2
PidFile              $3
UserID               $(id -un)
UMask                007
EOF
}

# start_daemon DAEMON TRANSPORT [CPUS] — sets PID, SPEC, LOG; returns 1 on
# failure. CPUS (sendguard only): run it under `taskset -c CPUS`.
start_daemon() {
  local d=$1 t=$2 cpus=${3:-} socket
  LOG=$tmp/$d-$t${cpus:+-cpu$cpus}.log
  if [ "$t" = unix ]; then SPEC=unix:$tmp/$d.sock; socket=local:$tmp/$d.sock
  else SPEC=inet:$(daemon_free_port)@127.0.0.1; socket=$SPEC; fi
  rm -f "$tmp/$d.sock"
  if [ "$d" = sendguard ]; then
    [ -x "$sg" ] || { echo "bench: sendguard binary not found: $sg" >&2; return 1; }
    write_sendguard_config "$tmp/sendguard.toml" "$SPEC"
    [ "${SG_STAGE:-full}" = full ] &&
      grep -o '^\[[a-z_.]*\]' "$tmp/sendguard.toml" > "$tmp/sendguard-sections.txt"
    daemon_start_sendguard "$sg" "$tmp/sendguard.toml" "$SPEC" "$LOG" $cpus || return 1
    PID=$DAEMON_LAST_PID
  else
    write_opendkim_config "$tmp/opendkim.conf" "$socket" "$tmp/opendkim.pid"
    opendkim -x "$tmp/opendkim.conf" -f >"$LOG" 2>&1 &
    PID=$!
    DAEMON_PIDS="$DAEMON_PIDS $PID"
    daemon_wait_listen "$SPEC" 15 || { echo "bench: opendkim did not start:" >&2; tail "$LOG" >&2; return 1; }
  fi
  # Warm-up (not recorded): caches, thread pools, key loading.
  "$gen" --socket "$SPEC" --connections 4 --seconds 1 --corpus "$corpus_dir" --quiet >/dev/null 2>&1
  return 0
}

# stop_daemon DAEMON TRANSPORT — records exit facts in $cells/DAEMON-TRANSPORT.daemon.
stop_daemon() {
  local d=$1 t=$2 hwm live=null clean=true
  hwm=$(daemon_rss_kb "$PID" VmHWM)
  daemon_stop "$PID" 15 || clean=false
  if [ "$d" = sendguard ]; then
    live=$(daemon_sessions_live "$LOG")
    # At log level "warning" the daemon logs its "sendguard stopped: ...
    # sessions live=N" line only when N != 0: absent means 0. Absent after a
    # SIGKILL means nothing, though.
    if [ "$live" = missing ]; then
      if $clean; then live=0; else live='"unknown (killed)"'; status=1; fi
    elif [ "$live" != 0 ]; then echo "bench: sendguard at SIGTERM: sessions live=$live" >&2; status=1; fi
  fi
  printf '{"daemon": "%s", "transport": "%s", "peak_rss_kb": %s, "stopped_on_sigterm": %s, "sessions_live_at_stop": %s}\n' \
    "$d" "$t" "${hwm:-null}" "$clean" "$live" > "$cells/$d-$t.daemon"
}

# run_cell DAEMON TRANSPORT CONNECTIONS WORKLOAD CORPUS_DIR [GENERATOR_CPUS]
run_cell() {
  local d=$1 t=$2 c=$3 w=$4 corpus=$5 cpus=${6:-} label t0 t1 rc hwm load pin=()
  label=$d-$t-$c-$w
  [ -n "$cpus" ] && pin=(taskset -c "$cpus")
  load=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(daemon_cpu_ticks "$PID")
  timeout -k 5 $((cell_seconds + 60)) "${pin[@]}" "$gen" --socket "$SPEC" --connections "$c" \
    --seconds "$cell_seconds" --corpus "$corpus" --json "$cells/$label.json" --quiet
  rc=$?
  t1=$(daemon_cpu_ticks "$PID")
  hwm=$(daemon_rss_kb "$PID" VmHWM)
  [ "$rc" -eq 0 ] || { echo "bench: $label: generator exit $rc" >&2; status=1; }
  printf '{"daemon": "%s", "transport": "%s", "workload": "%s", "cpu_ticks": %s, "clk_tck": %s, "peak_rss_kb": %s, "generator_exit": %s, "loadavg_1m_at_start": %s}\n' \
    "$d" "$t" "$w" "$((t1 - t0))" "$(getconf CLK_TCK)" "${hwm:-null}" "$rc" "$load" > "$cells/$label.meta"
  echo "  $label done"
}

# --- micro-benchmarks --------------------------------------------------------
# micro "PROGRAM [LABEL]" ARGS... — runs $build/bench/PROGRAM (stdout kept,
# one "PROGRAM [LABEL]<TAB>line" per output line in micro.txt; stderr to a log).
micro() {
  local name=$1 prog=${1%% *} rc out; shift
  if [ ! -x "$build/bench/$prog" ]; then
    printf '%s\t(not built: make bench-tools)\n' "$name" >> "$tmp/micro.txt"; status=1; return
  fi
  out=$(cd "$root" && timeout -k 5 120 "$build/bench/$prog" "$@" 2>>"$tmp/micro-$prog.log")
  rc=$?
  [ -n "$out" ] || out="(no output)"
  [ "$rc" -eq 0 ] || { out="$out"$'\n'"(exit $rc; stderr: $(tail -c 300 "$tmp/micro-$prog.log" | tr '\n' ' '))"; status=1; }
  printf '%s\n' "$out" | grep -v '^ *$' | sed "s/^/$name\t/" >> "$tmp/micro.txt"
}

# Rule scanning side by side with SpamAssassin 4 itself, one core each, on
# the agreement corpus (real mail from Debian packages) and Debian's rules:
# sendguard's rules_bench, then tests/agreement/sa_oracle.pl --time (check()
# alone), and the ratio of messages/s. MB/s is decoded body text as
# sendguard counts it (rules_bench's body_bytes) per second of each.
rules_side_by_side() {
  local files sg sa
  files=$(grep -v '^#' "$root/tests/agreement/corpus.txt" | while read -r p; do [ -n "$p" ] && ls $p 2>/dev/null; done)
  [ -n "$files" ] || { printf 'rules_vs_spamassassin	(corpus missing: make deps)\n' >> "$tmp/micro.txt"; status=1; return; }
  # shellcheck disable=SC2086
  micro "rules_bench corpus" "$root/rules" /usr/share/spamassassin $files
  sg=$(grep '^rules_bench corpus' "$tmp/micro.txt" | tail -1)
  # shellcheck disable=SC2086
  sa=$(taskset -c 0 perl "$root/tests/agreement/sa_oracle.pl" --rules /usr/share/spamassassin --time $files 2>/dev/null | tail -1)
  SG="$sg" SA="$sa" /usr/bin/python3 - >> "$tmp/micro.txt" <<'PY' || status=1
import json, os, re
sg, sa = os.environ["SG"], json.loads(os.environ["SA"] or "{}")
msgs = float(re.search(r"msgs/s spamassassin: ([0-9.]+)", sg).group(1))
body = float(re.search(r"body_bytes: ([0-9]+)", sg).group(1))
sa_rate = sa["messages"] / sa["seconds"]
print(f"rules_vs_spamassassin\tSpamAssassin 4: {sa_rate:.1f} msgs/s, "
      f"{body / sa['seconds'] / 1e6:.3f} MB/s; sendguard: {msgs:.0f} msgs/s; "
      f"ratio {msgs / sa_rate:.0f}x ({sa['messages']} messages)")
PY
}

# redis_bench forks its own redis-server (working directory a temp dir
# sgredis.*) and kills it by PID; checked here (read only): none of those may
# outlive the benchmark.
count_bench_redis() {
  local p n=0
  for p in $(pgrep -x redis-server); do
    case $(readlink "/proc/$p/cwd" 2>/dev/null) in */sgredis.*) n=$((n + 1)) ;; esac
  done
  echo "$n"
}

run_micro_benchmarks() {
  local before after
  : > "$tmp/micro.txt"
  micro quota_bench
  micro rules_bench "$root/rules" /usr/share/spamassassin "$root/tests/rules/bench"
  rules_side_by_side
  micro dkim_bench 2 50000
  # The compromised-account simulation in its short mode (a few seconds):
  # detection, escaped messages, false restrictions and engine events/s of
  # the shipped abuse.conf; the full run is documented in its source.
  micro "abuse_sim short" policies/abuse.conf --identities 2000 --weeks 1
  before=$(count_bench_redis)
  micro "redis_bench tcp" 8 3 tcp
  micro "redis_bench unix" 8 3 unix
  micro "redis_bench sentinel" 8 3 sentinel
  after=$(count_bench_redis)
  printf 'redis_bench\tredis-server processes left running by it: %s\n' "$((after - before))" >> "$tmp/micro.txt"
  [ "$after" -le "$before" ] || status=1
  openssl speed -seconds 1 rsa2048 ed25519 2>/dev/null \
    | grep -E '^(rsa  *2048|sign|verify| *253 bits)|ed25519' > "$tmp/openssl-speed.txt" || status=1
}

echo "bench: ${cell_seconds}s per cell, connections: $connections, daemons: $daemons"
make_keys || { echo "bench: cannot make keys" >&2; exit 1; }
write_sendguard_policies
mkdir -p "$tmp/corpus-200k"
cp "$corpus_dir/03-attachment-200k.eml" "$tmp/corpus-200k/"
for d in $daemons; do
  for t in unix tcp; do
    echo "bench: $d over $t"
    if ! start_daemon "$d" "$t"; then
      echo "{\"daemon\": \"$d\", \"transport\": \"$t\", \"error\": \"did not start\"}" > "$cells/$d-$t.daemon"
      status=1; daemon_stop_all; continue
    fi
    for c in $connections; do run_cell "$d" "$t" "$c" mix "$corpus_dir"; done
    stop_daemon "$d" "$t"
  done
  # A fresh daemon for the 200 KB cell, so its VmHWM is that workload's peak.
  echo "bench: $d, 32 connections of 200 KB messages"
  if start_daemon "$d" unix; then
    run_cell "$d" unix 32 200k "$tmp/corpus-200k"
    stop_daemon "$d" unix-200k
  else
    echo "{\"daemon\": \"$d\", \"transport\": \"unix-200k\", \"error\": \"did not start\"}" > "$cells/$d-unix-200k.daemon"
    status=1; daemon_stop_all
  fi
done
# Core scaling: the same cell with sendguard on one core (CPU 0, the
# generator on CPU 1) and on both (nothing pinned, the generator shares),
# interleaved twice (workloads coresN-rR); the report keeps each one's best
# round, so a burst of other work on the machine does not decide the ratio.
if [[ " $daemons " == *" sendguard "* ]] && [ "$(nproc)" -ge 2 ]; then
  for round in 1 2; do
    for pin in 0 ""; do
      if [ -n "$pin" ]; then where="daemon on CPU 0, generator on CPU 1"; else where="unpinned"; fi
      echo "bench: sendguard over unix, 8 connections, $where (round $round)"
      if start_daemon sendguard unix "$pin"; then
        if [ -n "$pin" ]; then run_cell sendguard unix 8 "cores1-r$round" "$corpus_dir" 1
        else run_cell sendguard unix 8 "cores2-r$round" "$corpus_dir"; fi
        stop_daemon sendguard "$([ -n "$pin" ] && echo unix-cpu0 || echo unix-unpinned)-r$round"
      else
        status=1; daemon_stop_all
      fi
    done
  done
fi

# What metrics, the decision log and a scraped HTTP server cost: the full
# pipeline without them (obs-off-rN: no [http], no decision log; the
# counters themselves are always kept) and with them (obs-on-rN, scraped
# every second); and what compromised-account detection costs: the full
# pipeline without [abuse] (abuse-off-rN) against obs-off-rN. Interleaved
# BENCH_OBS_ROUNDS times (default 2); the report compares best rounds.
if [[ " $daemons " == *" sendguard "* ]]; then
  BENCH_HTTP_PORT=$(daemon_free_port)
  for round in $(seq 1 "${BENCH_OBS_ROUNDS:-2}"); do
    for SG_STAGE in full observed no-abuse; do
      case $SG_STAGE in
        full) cell="obs-off-r$round"; what="metrics endpoint + decision log off" ;;
        observed) cell="obs-on-r$round"; what="metrics endpoint + decision log on" ;;
        no-abuse) cell="abuse-off-r$round"; what="compromised-account detection off" ;;
      esac
      echo "bench: sendguard over unix, 8 connections, $what (round $round)"
      if start_daemon sendguard unix; then
        scraper=""
        if [ "$SG_STAGE" = observed ]; then
          (while sleep 1; do curl -s -o /dev/null "http://127.0.0.1:$BENCH_HTTP_PORT/metrics"; done) &
          scraper=$!
        fi
        run_cell sendguard unix 8 "$cell" "$corpus_dir"
        [ -n "$scraper" ] && kill "$scraper" 2>/dev/null && wait "$scraper" 2>/dev/null
        stop_daemon sendguard "unix-$cell"
      else
        status=1; daemon_stop_all
      fi
    done
  done
  [ -s "$tmp/decisions.jsonl" ] || { echo "bench: the decision log stayed empty" >&2; status=1; }
  SG_STAGE=full
fi

# Where the CPU goes: the same cell (unix, 8 connections) with stages of the
# pipeline left out; workload "stage-NAME" (see write_sendguard_config).
if [[ " $daemons " == *" sendguard "* ]]; then
  for SG_STAGE in skeleton base no-rules no-dkim no-abuse; do
    echo "bench: sendguard over unix, 8 connections, stage $SG_STAGE"
    if start_daemon sendguard unix; then
      run_cell sendguard unix 8 "stage-$SG_STAGE" "$corpus_dir"
      stop_daemon sendguard "unix-stage-$SG_STAGE"
    else
      status=1; daemon_stop_all
    fi
  done
  SG_STAGE=full
fi

if [ "$micro" = 1 ]; then
  echo "bench: micro-benchmarks"
  run_micro_benchmarks
fi

/usr/bin/python3 "$here/report.py" "$tmp" "$results" "$cell_seconds" || status=1
exit $status

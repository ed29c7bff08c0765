#!/bin/bash
# run.sh SENDGUARD_BIN MILTERGEN_BIN — what `make bench` runs.
#
# In a temp dir: writes a bench config for sendguard and a sign-only config
# for OpenDKIM (RSA-2048 key made here), then measures both daemons with the
# same generator over {unix socket, TCP loopback} x {1, 8, 32} connections
# (BENCH_SECONDS per cell, default 6), plus one cell of 32 connections all
# sending the 200 KB message (peak RSS must stay bounded). Per cell: msgs/s,
# p50/p90/p99 latency, errors, daemon CPU per message (utime+stime from
# /proc/PID/stat of its whole process tree) and peak RSS (VmHWM summed over
# the tree). Then runs
# the micro-benchmarks ($BUILD/bench/* programs, if any) and `openssl speed`.
# Writes bench/results/latest.{json,md,png}, prints one table, and stops
# every process it started (by PID). Exit status 0 only when every daemon
# started, no cell had errors and sendguard logged "sessions live=0".
#
# Environment: BENCH_SECONDS (per cell, default 6), BENCH_CONNECTIONS
# (default "1 8 32"), BENCH_DAEMONS (default "sendguard opendkim").
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
sg=${1:?usage: run.sh SENDGUARD_BIN MILTERGEN_BIN}
gen=${2:?usage: run.sh SENDGUARD_BIN MILTERGEN_BIN}
case $sg in /*) ;; *) sg=$(pwd)/$sg ;; esac
case $gen in /*) ;; *) gen=$(pwd)/$gen ;; esac
build=$(dirname "$sg")
cell_seconds=${BENCH_SECONDS:-6}
connections=${BENCH_CONNECTIONS:-"1 8 32"}
daemons=${BENCH_DAEMONS:-"sendguard opendkim"}
results=$root/bench/results
status=0

tmp=$(mktemp -d /tmp/sendguard-bench.XXXXXX)
cleanup() { bench_stop_all; rm -rf "$tmp"; }
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
write_sendguard_config() {  # FILE SPEC
  bench_sendguard_config "$1" "$2" "$tmp/sendguard-state" warning
  cat >> "$1" <<EOF

# ---- BENCH: module sections go here as the modules land -------------------
# quota: embedded store under state_dir, limits far above what a bench sends
#   (so every message takes the full quota path but none is refused).
# rules: the starter rules ($root/rules/*.cf) plus the SpamAssassin corpus
#   (/usr/share/spamassassin/*.cf).
# dkim:  sign everything with both keys made above:
#   RSA-2048 $keys/rsa.pem, Ed25519 $keys/ed25519.pem (domain example.com,
#   selectors bench-rsa / bench-ed).
# ---------------------------------------------------------------------------
EOF
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

# start_daemon DAEMON TRANSPORT — sets PID, SPEC, LOG; returns 1 on failure.
start_daemon() {
  local d=$1 t=$2 socket
  LOG=$tmp/$d-$t.log
  if [ "$t" = unix ]; then SPEC=unix:$tmp/$d.sock; socket=local:$tmp/$d.sock
  else SPEC=inet:$(bench_free_port)@127.0.0.1; socket=$SPEC; fi
  rm -f "$tmp/$d.sock"
  if [ "$d" = sendguard ]; then
    [ -x "$sg" ] || { echo "bench: sendguard binary not found: $sg" >&2; return 1; }
    write_sendguard_config "$tmp/sendguard.toml" "$SPEC"
    grep -o '^\[[a-z_.]*\]' "$tmp/sendguard.toml" > "$tmp/sendguard-sections.txt"
    bench_start_sendguard "$sg" "$tmp/sendguard.toml" "$SPEC" "$LOG" || return 1
    PID=$BENCH_LAST_PID
  else
    write_opendkim_config "$tmp/opendkim.conf" "$socket" "$tmp/opendkim.pid"
    opendkim -x "$tmp/opendkim.conf" -f >"$LOG" 2>&1 &
    PID=$!
    BENCH_PIDS="$BENCH_PIDS $PID"
    bench_wait_listen "$SPEC" 15 || { echo "bench: opendkim did not start:" >&2; tail "$LOG" >&2; return 1; }
  fi
  # Warm-up (not recorded): caches, thread pools, key loading.
  "$gen" --socket "$SPEC" --connections 4 --seconds 1 --corpus "$here/corpus" --quiet >/dev/null 2>&1
  return 0
}

# stop_daemon DAEMON TRANSPORT — records exit facts in $cells/DAEMON-TRANSPORT.daemon.
stop_daemon() {
  local d=$1 t=$2 hwm live=null clean=true
  hwm=$(bench_rss_kb "$PID" VmHWM)
  bench_stop "$PID" 15 || clean=false
  if [ "$d" = sendguard ]; then
    live=$(bench_sessions_live "$LOG")
    # At log level "warning" the daemon may not print its final info line;
    # smoke.sh and tests/protocol check it at level info.
    if [ "$live" = missing ]; then live='"not logged at level warning"'
    elif [ "$live" != 0 ]; then echo "bench: sendguard at SIGTERM: sessions live=$live" >&2; status=1; fi
  fi
  printf '{"daemon": "%s", "transport": "%s", "peak_rss_kb": %s, "stopped_on_sigterm": %s, "sessions_live_at_stop": %s}\n' \
    "$d" "$t" "${hwm:-null}" "$clean" "$live" > "$cells/$d-$t.daemon"
}

# run_cell DAEMON TRANSPORT CONNECTIONS WORKLOAD CORPUS_DIR
run_cell() {
  local d=$1 t=$2 c=$3 w=$4 corpus=$5 label t0 t1 rc hwm
  label=$d-$t-$c-$w
  t0=$(bench_cpu_ticks "$PID")
  timeout -k 5 $((cell_seconds + 60)) "$gen" --socket "$SPEC" --connections "$c" \
    --seconds "$cell_seconds" --corpus "$corpus" --json "$cells/$label.json" --quiet
  rc=$?
  t1=$(bench_cpu_ticks "$PID")
  hwm=$(bench_rss_kb "$PID" VmHWM)
  [ "$rc" -eq 0 ] || { echo "bench: $label: generator exit $rc" >&2; status=1; }
  printf '{"daemon": "%s", "transport": "%s", "workload": "%s", "cpu_ticks": %s, "clk_tck": %s, "peak_rss_kb": %s, "generator_exit": %s}\n' \
    "$d" "$t" "$w" "$((t1 - t0))" "$(getconf CLK_TCK)" "${hwm:-null}" "$rc" > "$cells/$label.meta"
  echo "  $label done"
}

# --- micro-benchmarks: each $build/bench/* program prints one result line ---
run_micro_benchmarks() {
  local prog line
  : > "$tmp/micro.txt"
  for prog in "$build"/bench/*; do
    [ -f "$prog" ] && [ -x "$prog" ] || continue
    line=$(timeout -k 5 120 "$prog" 2>/dev/null | tail -1)
    [ -n "$line" ] || { line="(failed or no output)"; status=1; }
    printf '%s\t%s\n' "$(basename "$prog")" "$line" >> "$tmp/micro.txt"
  done
  openssl speed -seconds 1 rsa2048 ed25519 2>/dev/null \
    | grep -E '^(rsa  *2048|sign|verify| *253 bits)|ed25519' > "$tmp/openssl-speed.txt" || true
}

echo "bench: ${cell_seconds}s per cell, connections: $connections, daemons: $daemons"
make_keys || { echo "bench: cannot make keys" >&2; exit 1; }
mkdir -p "$tmp/corpus-200k"
cp "$here/corpus/03-attachment-200k.eml" "$tmp/corpus-200k/"
for d in $daemons; do
  for t in unix tcp; do
    echo "bench: $d over $t"
    if ! start_daemon "$d" "$t"; then
      echo "{\"daemon\": \"$d\", \"transport\": \"$t\", \"error\": \"did not start\"}" > "$cells/$d-$t.daemon"
      status=1; bench_stop_all; continue
    fi
    for c in $connections; do run_cell "$d" "$t" "$c" mix "$here/corpus"; done
    stop_daemon "$d" "$t"
  done
  # A fresh daemon for the 200 KB cell, so its VmHWM is that workload's peak.
  echo "bench: $d, 32 connections of 200 KB messages"
  if start_daemon "$d" unix; then
    run_cell "$d" unix 32 200k "$tmp/corpus-200k"
    stop_daemon "$d" unix-200k
  else
    echo "{\"daemon\": \"$d\", \"transport\": \"unix-200k\", \"error\": \"did not start\"}" > "$cells/$d-unix-200k.daemon"
    status=1; bench_stop_all
  fi
done
echo "bench: micro-benchmarks"
run_micro_benchmarks

/usr/bin/python3 "$here/report.py" "$tmp" "$results" "$cell_seconds" || status=1
exit $status

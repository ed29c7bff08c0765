# daemons.sh — shell helpers to run private daemons (sendguard, OpenDKIM)
# from the protocol, Redis and benchmark scripts (tests/protocol/run.sh,
# tests/redis/run.sh, tests/loadgen/*.sh; sourced, bash). Starting a daemon
# records its PID in $DAEMON_PIDS; daemon_stop_all (meant for `trap ... EXIT`)
# stops exactly those PIDs, TERM first and KILL after a grace period.
# Nothing is killed by name.

DAEMON_PIDS=""

# daemon_free_port — prints a TCP port on 127.0.0.1 that is free right now.
daemon_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# daemon_wait_listen SPEC SECONDS — waits until unix:/path exists as a socket or
# inet:PORT@HOST is in LISTEN state (read from ss, no connection is made).
daemon_wait_listen() {
  local spec=$1 limit=$(( $2 * 10 )) i=0 port
  while :; do  # checks at least once (SECONDS 0: check now, do not wait)
    case $spec in
      unix:*|local:*) [ -S "${spec#*:}" ] && return 0 ;;
      inet:*) port=${spec#inet:}; port=${port%@*}
              ss -Hltn "sport = :$port" 2>/dev/null | grep -q LISTEN && return 0 ;;
    esac
    [ "$i" -lt "$limit" ] || return 1
    sleep 0.1; i=$((i + 1))
  done
}

# daemon_alive PID — true while PID runs (and is not a zombie).
daemon_alive() {
  [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# daemon_stop PID [SECONDS] — SIGTERM, wait up to SECONDS (default 15), SIGKILL.
# Returns 0 if the process ended on SIGTERM, 1 if it had to be killed.
daemon_stop() {
  local pid=$1 limit=$(( ${2:-15} * 10 )) i=0
  DAEMON_PIDS=$(echo " $DAEMON_PIDS " | sed "s/ $pid / /; s/^ *//; s/ *$//")
  daemon_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
  kill -TERM "$pid" 2>/dev/null
  while daemon_alive "$pid" && [ "$i" -lt "$limit" ]; do sleep 0.1; i=$((i + 1)); done
  if daemon_alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; return 1
  fi
  wait "$pid" 2>/dev/null
  return 0
}

daemon_stop_all() {
  local p
  for p in $DAEMON_PIDS; do daemon_stop "$p" 5 || true; done
  DAEMON_PIDS=""
}

# daemon_tree_pids PID — PID and all its descendants (the daemon may fork
# helpers or a privilege-separated worker).
daemon_tree_pids() {
  local c
  echo "$1"
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do daemon_tree_pids "$c"; done
}

# daemon_cpu_ticks PID — user+sys time of PID's process tree in clock ticks
# (getconf CLK_TCK per second): each live process's own time plus what its
# already reaped children used (cutime+cstime).
daemon_cpu_ticks() {
  local p total=0 t
  for p in $(daemon_tree_pids "$1"); do
    # The command name (field 2) may hold spaces: cut after the last ')'.
    t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}')
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

# daemon_rss_kb PID FIELD — VmHWM (peak) or VmRSS in kB, summed over PID's
# process tree (an upper bound of the simultaneous peak).
daemon_rss_kb() {
  local p total=0 v
  for p in $(daemon_tree_pids "$1"); do
    v=$(awk -v f="$2:" '$1 == f {print $2}' "/proc/$p/status" 2>/dev/null)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# daemon_sendguard_config FILE SPEC STATE_DIR LEVEL — the skeleton config.
daemon_sendguard_config() {
  cat > "$1" <<EOF
# sendguard config written by the test and benchmark scripts
[daemon]
listen = ["$2"]
state_dir = "$3"
user = ""

[log]
target = "stderr"
level = "$4"

[identity]
trusted_networks = ["127.0.0.0/8", "::1/128"]
EOF
  mkdir -p "$3"
}

# daemon_start_sendguard BIN CONFIG SPEC LOG [CPUS] — starts the daemon in the
# foreground (as our child), waits for its socket; sets DAEMON_LAST_PID. With
# CPUS it runs under `taskset -c CPUS` (which execs it: same PID).
# Call it directly, not in $(...): the daemon must be this shell's child.
daemon_start_sendguard() {
  local pin=()
  [ -n "${5:-}" ] && pin=(taskset -c "$5")
  "${pin[@]}" "$1" run -c "$2" --socket "$3" --foreground >"$4" 2>&1 &
  DAEMON_LAST_PID=$!
  DAEMON_PIDS="$DAEMON_PIDS $DAEMON_LAST_PID"
  local i=0
  # Up to 15 s, but give up as soon as the daemon died (bad config...).
  while [ "$i" -lt 15 ] && daemon_alive "$DAEMON_LAST_PID" && ! daemon_wait_listen "$3" 1; do
    i=$((i + 1))
  done
  if ! daemon_wait_listen "$3" 0 || ! daemon_alive "$DAEMON_LAST_PID"; then
    echo "sendguard did not start listening on $3; log:" >&2
    tail -20 "$4" >&2
    return 1
  fi
}

# daemon_sessions_live LOG — N from the final "sendguard stopped: sessions
# live=N" line, or "missing".
daemon_sessions_live() {
  local n
  n=$(grep -o 'sendguard stopped:.*sessions live=[0-9]*' "$1" | tail -1 | sed 's/.*=//')
  echo "${n:-missing}"
}

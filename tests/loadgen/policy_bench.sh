#!/bin/bash
# policy_bench.sh SENDGUARD_BIN POLICYGEN_BIN [OUT_PREFIX] — the Postfix
# policy service benchmark of `make bench`: sendguard's [policy] listen,
# postfwd (postfwd2) and policyd-rate-limit, side by side in one run, each
# enforcing the same per-SASL-user rate rule (100000 recipients per hour,
# so every request is checked and counted, none refused), driven by the same
# generator (policygen: RCPT then END-OF-MESSAGE per message, 1000 users)
# over TCP loopback at 1, 8 and 32 connections for POLICY_BENCH_SECONDS
# (default 5) per cell. The peers run from their Debian packages unpacked
# into a temp dir (apt-get download + dpkg -x: nothing is installed, no
# service of theirs starts); a peer that cannot be fetched or started is
# reported as skipped. Writes OUT_PREFIX.json and OUT_PREFIX.md (default
# bench/results/policy) with requests/s and p50/p99 per cell, and the
# targets: sendguard >= 5x the faster peer's requests/s, p99 < 1 ms at 8
# connections. Stops what it started, by PID.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/daemons.sh"
sg=${1:?usage: policy_bench.sh SENDGUARD_BIN POLICYGEN_BIN [OUT_PREFIX]}
gen=${2:?usage: policy_bench.sh SENDGUARD_BIN POLICYGEN_BIN [OUT_PREFIX]}
out=${3:-$root/bench/results/policy}
seconds=${POLICY_BENCH_SECONDS:-5}
tmp=$(mktemp -d /tmp/sendguard-policy-bench.XXXXXX)
peer_pids=""
cleanup() {
  daemon_stop_all
  for p in $peer_pids; do kill -TERM "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$(dirname "$out")" "$tmp/cells"

wait_port() {  # wait_port PORT: up to 10 s
  local i=0
  while [ "$i" -lt 100 ]; do
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q LISTEN && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}

run_cells() {  # run_cells NAME PORT
  local c
  for c in 1 8 32; do
    "$gen" --socket "inet:127.0.0.1:$2" --connections "$c" --seconds "$seconds" --users 1000 \
      --json "$tmp/cells/$1-$c.json" >/dev/null || echo "{\"error\": \"policygen failed\"}" > "$tmp/cells/$1-$c.json"
  done
}

# sendguard: LMDB store, the rate rule as a quota class.
sg_port=$(daemon_free_port)
printf 'class default { recipients 100000/1h }\n' > "$tmp/quota.conf"
daemon_sendguard_config "$tmp/sg.toml" "unix:$tmp/sg.sock" "$tmp/sg-state" warning
printf '[quota]\npolicy_file = "%s"\n[senders]\nenabled = false\n[policy]\nlisten = ["inet:127.0.0.1:%s"]\n' \
  "$tmp/quota.conf" "$sg_port" >> "$tmp/sg.toml"
if daemon_start_sendguard "$sg" "$tmp/sg.toml" "unix:$tmp/sg.sock" "$tmp/sg.log" && wait_port "$sg_port"; then
  run_cells sendguard "$sg_port"
else
  echo "sendguard did not start"; tail -5 "$tmp/sg.log"; exit 1
fi
daemon_stop_all

# The peers, from their packages.
(cd "$tmp" && apt-get download postfwd policyd-rate-limit >/dev/null 2>&1)
for deb in "$tmp"/*.deb; do [ -e "$deb" ] && dpkg -x "$deb" "$tmp/peers"; done

pf_port=$(daemon_free_port)
if [ -x "$tmp/peers/usr/sbin/postfwd2" ]; then
  printf 'id=RATE01; protocol_state==RCPT; sasl_username=~/./; action=rate(sasl_username/100000/3600/450 4.7.1 rate limit reached)\n' > "$tmp/postfwd.cf"
  user=$(id -un); group=$(id -gn)
  perl -T "$tmp/peers/usr/sbin/postfwd2" -f "$tmp/postfwd.cf" -i 127.0.0.1 -p "$pf_port" -u "$user" -g "$group" \
    --pidfile "$tmp/postfwd.pid" --cache_socket "unix::$tmp/postfwd-cache.sock" --perfmon >"$tmp/postfwd.log" 2>&1
  if wait_port "$pf_port" && [ -s "$tmp/postfwd.pid" ]; then
    peer_pids="$peer_pids $(cat "$tmp/postfwd.pid")"
    run_cells postfwd "$pf_port"
    kill -TERM "$(cat "$tmp/postfwd.pid")"
  else
    echo "postfwd did not start: $(tail -3 "$tmp/postfwd.log")"
  fi
fi

prl_port=$(daemon_free_port)
if [ -f "$tmp/peers/usr/bin/policyd-rate-limit" ]; then
  cat > "$tmp/prl.yaml" <<YAML
debug: False
user: "$(id -un)"
group: "$(id -gn)"
pidfile: "$tmp/prl.pid"
sqlite_config:
    database: "$tmp/prl.sqlite3"
backend: 0
SOCKET: ["127.0.0.1", $prl_port]
socket_permission: 0666
limits:
    - [100000, 3600]
limits_by_id: {}
limit_by_sasl: True
limit_by_sender: False
limit_by_ip: False
limited_networks: []
success_action: "dunno"
fail_action: "defer_if_permit Rate limit reach, retry later"
db_error_action: "dunno"
report: False
delay_to_close: 300
YAML
  PYTHONPATH="$tmp/peers/usr/lib/python3/dist-packages" /usr/bin/python3 "$tmp/peers/usr/bin/policyd-rate-limit" \
    --file "$tmp/prl.yaml" >"$tmp/prl.log" 2>&1 &
  peer_pids="$peer_pids $!"
  if wait_port "$prl_port"; then
    run_cells policyd-rate-limit "$prl_port"
  else
    echo "policyd-rate-limit did not start: $(tail -3 "$tmp/prl.log")"
  fi
  [ -s "$tmp/prl.pid" ] && peer_pids="$peer_pids $(cat "$tmp/prl.pid")"
fi

/usr/bin/python3 - "$tmp/cells" "$out" <<'PY'
import glob, json, os, platform, sys, time
cells, out = sys.argv[1], sys.argv[2]
results = {}
for path in sorted(glob.glob(os.path.join(cells, "*.json"))):
    name, conns = os.path.basename(path)[:-5].rsplit("-", 1)
    results.setdefault(name, {})[conns] = json.load(open(path))
def rps(name, c):
    return results.get(name, {}).get(c, {}).get("requests_per_s", 0)
peers = [p for p in ("postfwd", "policyd-rate-limit") if p in results]
best_peer = max((rps(p, c) for p in peers for c in ("1", "8", "32")), default=0)
best_sg = max((rps("sendguard", c) for c in ("1", "8", "32")), default=0)
p99_8 = results.get("sendguard", {}).get("8", {}).get("p99_us", 0)
targets = {
    "ratio_vs_faster_peer": round(best_sg / best_peer, 1) if best_peer else None,
    "ratio_target_met": bool(best_peer) and best_sg >= 5 * best_peer,
    "p99_at_8_us": p99_8, "p99_target_met": 0 < p99_8 < 1000,
}
doc = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": platform.node(),
       "cpus": os.cpu_count(), "rule": "100000 recipients/1h per sasl_username", "results": results,
       "targets": targets, "skipped_peers": [p for p in ("postfwd", "policyd-rate-limit") if p not in results]}
json.dump(doc, open(out + ".json", "w"), indent=1)
lines = [f"# Policy service benchmark ({doc['when']}, {doc['cpus']} CPUs)", "",
         "Same per-SASL-user rate rule in each daemon; policygen over TCP loopback, RCPT + END-OF-MESSAGE per message.", "",
         "| daemon | conns | requests/s | p50 µs | p99 µs | errors |", "|---|---|---|---|---|---|"]
for name, by_c in results.items():
    for c in ("1", "8", "32"):
        r = by_c.get(c, {})
        lines.append(f"| {name} | {c} | {r.get('requests_per_s', '-')} | {r.get('p50_us', '-')} | {r.get('p99_us', '-')} | {r.get('errors', r.get('error', '-'))} |")
lines += ["", f"sendguard / faster peer (best cells): {targets['ratio_vs_faster_peer']}x "
          f"(target >= 5x: {'met' if targets['ratio_target_met'] else 'MISSED'}); "
          f"p99 at 8 connections {p99_8} µs (target < 1000: {'met' if targets['p99_target_met'] else 'MISSED'})"]
if doc["skipped_peers"]:
    lines.append(f"skipped peers (not fetched or not started): {', '.join(doc['skipped_peers'])}")
open(out + ".md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY

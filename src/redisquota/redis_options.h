// redisquota/redis_options.h — which quota store to open, how to reach the
// shared Redis store and what to do when it cannot answer. The daemon's
// configuration fills them (config/config.cc names the key of each field).
//
// Contract: plain values; every field has a documented default. Validate()
// names the first bad field. Transport security: Debian 12's hiredis 0.14 has
// no TLS, so Redis must be reached over loopback, a unix socket, or a TLS
// tunnel (stunnel / spiped) that listens on loopback.
// Thread-safety: immutable once handed to the store.
#ifndef SENDGUARD_REDISQUOTA_REDIS_OPTIONS_H_
#define SENDGUARD_REDISQUOTA_REDIS_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace sendguard {
namespace redisquota {

struct RedisOptions {
  // TCP endpoint (ignored when unix_socket or sentinels are set).
  std::string host = "127.0.0.1";
  int port = 6379;

  // unix socket path; "" (default) means TCP.
  std::string unix_socket;

  // SELECTed after connecting (0..15 by default).
  int database = 0;

  // prepended to every key, so that several
  // installations (or tests) can share one Redis.
  std::string key_prefix = "sg:";

  // AUTH. Empty password: no AUTH.
  // Empty username with a password: legacy `AUTH password` (requirepass);
  // both set: Redis 6+ ACL `AUTH username password`.
  std::string username;
  std::string password;

  // bound on establishing a connection
  // (TCP connect + AUTH + SELECT). A reconnect inside a mail decision is also
  // bounded by what is left of that call's command timeout.
  int connect_timeout_ms = 200;

  // the most any store call waits, pool
  // wait included. A connection that timed out is discarded (its reply
  // stream is no longer in sync).
  int command_timeout_ms = 100;

  // connections shared by all milter threads.
  int pool_size = 4;

  // after a failure,
  // calls fail fast (no connect attempt) until the retry time; the delay
  // doubles from min to max while Redis stays unreachable.
  int backoff_min_ms = 100;
  int backoff_max_ms = 5000;

  // Sentinel discovery: "host:port" (or "[v6]:port") of each Sentinel; empty
  // (default) means connect to host/port or unix_socket directly. When set,
  // the master's address is asked of the sentinels in turn (SENTINEL
  // get-master-addr-by-name master_name), checked with ROLE, and asked again
  // after any failure. host, port and unix_socket are then not used.
  std::vector<std::string> sentinels;
  // the name the sentinels monitor the master under (default "mymaster").
  std::string master_name = "mymaster";
  // AUTH sent to the sentinels (their own requirepass / ACL user), as for
  // username/password above. Empty (default): no AUTH. The master itself is
  // authenticated with username/password.
  std::string sentinel_username;
  std::string sentinel_password;

  // WAIT after each counting write (Reserve, Commit): 0 (default) = off;
  // N > 0 = a decision counts only when N replicas acknowledged it within
  // wait_timeout_ms, otherwise the call is Unavailable (outage policy). On
  // makes a failover lose no count, at the price of one replica round trip
  // per decision and of tempfails while fewer than N replicas are up.
  int wait_replicas = 0;
  // WAIT's bound (default 50); must leave room in command_timeout_ms.
  int wait_timeout_ms = 50;

  // "redis" (default): windows, deadlines and retry
  // times use Redis's own clock (TIME), so relay clock skew does not matter
  // and request.now_seconds is ignored. "caller": use request.now_seconds
  // (single relay with a trusted clock, and deterministic tests).
  bool use_redis_time = true;

  Status Validate() const;
  bool UsesSentinels() const { return !sentinels.empty(); }
  // "unix:/run/redis/redis.sock", "127.0.0.1:6379" or "sentinel master
  // mymaster", for log lines.
  std::string Endpoint() const;
};

// A TCP endpoint named in the config ("10.0.0.5:26379", "[::1]:26379").
struct HostPort {
  std::string host;
  int port = 0;
  std::string ToString() const;
};
// The host may be a name, IPv4, or IPv6 in brackets; the port 1..65535.
Result<HostPort> ParseHostPort(const std::string& text);

// What ResilientQuotaStore does while Redis cannot answer.
enum class OutagePolicy {
  kFailClosed,  // the store error goes to the caller: the session tempfails
  kFailOpen,    // accept uncounted, with a warning
  kFallback,    // count in the embedded store, limits divided by node_count
};

// "fail-closed" (default), "fail-open", "fallback".
Status ParseOutagePolicy(const std::string& name, OutagePolicy* out);
const char* OutagePolicyName(OutagePolicy policy);

struct ResilienceOptions {
  // see OutagePolicy. Default: fail-closed.
  OutagePolicy policy = OutagePolicy::kFailClosed;
  // relays sharing the Redis; fallback limits
  // are limit / node_count, rounded up. Default 1 (>= 1).
  int node_count = 1;
};

struct StoreConfig {
  std::string backend = "lmdb";  // "lmdb" (embedded) or "redis" (shared)
  RedisOptions redis;
  ResilienceOptions resilience;
};

}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_REDISQUOTA_REDIS_OPTIONS_H_

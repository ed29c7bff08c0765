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

#include "core/status.h"

namespace sendguard {
namespace redisquota {

struct RedisOptions {
  // TCP endpoint (ignored when unix_socket is set).
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

  // "redis" (default): windows, deadlines and retry
  // times use Redis's own clock (TIME), so relay clock skew does not matter
  // and request.now_seconds is ignored. "caller": use request.now_seconds
  // (single relay with a trusted clock, and deterministic tests).
  bool use_redis_time = true;

  Status Validate() const;
  // "unix:/run/redis/redis.sock" or "127.0.0.1:6379", for log lines.
  std::string Endpoint() const;
};

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

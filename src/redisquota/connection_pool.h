// redisquota/connection_pool.h — a small pool of Redis connections shared by
// all milter threads, with reconnect backoff.
//
// Contract: Run() sends one command on a pooled connection and never takes
// longer than `options.command_timeout_ms` in total (waiting for a free
// connection, reconnecting and the command itself share that budget). After
// a connect failure, timeout or I/O error, the pool is "down": every call
// fails fast with Unavailable (no network wait) until the retry time; then
// one call probes, and the delay doubles (backoff_min_ms .. backoff_max_ms)
// while the probe keeps failing. A failure discards every idle connection,
// since they most likely point at the same dead server.
//
// With options.sentinels, new connections go to the master the sentinels
// name (SentinelLocator), checked with ROLE first; a failure, or a
// READONLY reply (the master was demoted), also makes the next probe ask the
// sentinels again, so the pool follows a failover within the failover time
// plus one backoff period, and never waits past the command timeout for it.
// WatchFailovers() adds a SentinelWatcher thread: on +switch-master the pool
// drops its connections to the old master at once and the next call (even
// during a backoff) connects to the new one.
// Thread-safety: safe for concurrent use by any number of threads.
#ifndef SENDGUARD_REDISQUOTA_CONNECTION_POOL_H_
#define SENDGUARD_REDISQUOTA_CONNECTION_POOL_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "redisquota/redis_connection.h"
#include "redisquota/redis_options.h"
#include "redisquota/sentinel_locator.h"
#include "redisquota/sentinel_watcher.h"

namespace sendguard {
namespace redisquota {

class ConnectionPool {
 public:
  explicit ConnectionPool(const RedisOptions& options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  Result<RedisReply> Run(const std::vector<std::string>& argv);
  // Like Run() with a caller-chosen budget (the CLI's first connect).
  Result<RedisReply> RunWithin(const std::vector<std::string>& argv, int budget_ms);
  // Several commands on one connection in one round trip (e.g. a script and
  // the WAIT that must follow it on the same connection); replies in order.
  Result<std::vector<RedisReply>> RunPipelineWithin(
      const std::vector<std::vector<std::string>>& commands, int budget_ms);

  // Commands sent to Redis so far (each one is one network round trip).
  uint64_t round_trips() const;

  // Sentinel mode only (no-op otherwise); at most once, after any fork().
  void WatchFailovers();

 private:
  using Clock = std::chrono::steady_clock;
  struct Lease {
    std::unique_ptr<RedisConnection> connection;
    uint64_t generation = 0;
  };

  Result<Lease> Acquire(Clock::time_point deadline);
  Result<Lease> ConnectNew(Clock::time_point deadline, uint64_t generation);
  Result<std::unique_ptr<RedisConnection>> Open(Clock::time_point deadline);
  Result<std::unique_ptr<RedisConnection>> OpenMaster(Clock::time_point deadline);
  void Return(Lease lease);
  void MarkDown(const Status& why);
  void SwitchedTo(const HostPort& master);
  int RemainingMs(Clock::time_point deadline) const;

  const RedisOptions options_;
  std::unique_ptr<SentinelLocator> locator_;  // set when options_.sentinels is
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<Lease> idle_;
  int open_ = 0;                 // connections idle or lent out
  uint64_t generation_ = 0;      // bumped on failure: older leases are dropped
  bool down_ = false;
  Clock::time_point retry_at_;   // while down: fail fast until then
  int backoff_ms_ = 0;
  uint64_t round_trips_ = 0;
  std::unique_ptr<SentinelWatcher> watcher_;  // last: stopped before the rest goes
};

}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_REDISQUOTA_CONNECTION_POOL_H_

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

  // Commands sent to Redis so far (each one is one network round trip).
  uint64_t round_trips() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Lease {
    std::unique_ptr<RedisConnection> connection;
    uint64_t generation = 0;
  };

  Result<Lease> Acquire(Clock::time_point deadline);
  Result<Lease> ConnectNew(Clock::time_point deadline, uint64_t generation);
  void Return(Lease lease);
  void MarkDown(const Status& why);
  int RemainingMs(Clock::time_point deadline) const;

  const RedisOptions options_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<Lease> idle_;
  int open_ = 0;                 // connections idle or lent out
  uint64_t generation_ = 0;      // bumped on failure: older leases are dropped
  bool down_ = false;
  Clock::time_point retry_at_;   // while down: fail fast until then
  int backoff_ms_ = 0;
  uint64_t round_trips_ = 0;
};

}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_REDISQUOTA_CONNECTION_POOL_H_

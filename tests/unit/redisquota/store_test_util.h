// Helpers for the redisquota tests: the quota tests' request builders, a temp
// dir, and a process-wide Redis shared by the semantic tests (each test gets its own
// key prefix).
#ifndef SENDGUARD_TESTS_UNIT_REDISQUOTA_STORE_TEST_UTIL_H_
#define SENDGUARD_TESTS_UNIT_REDISQUOTA_STORE_TEST_UTIL_H_

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "../quota/quota_test_util.h"
#include "../temp_dir.h"
#include "quota/lmdb_quota_store.h"
#include "quota/quota_store.h"
#include "redis_server.h"
#include "redisquota/redis_quota_store.h"

namespace sendguard {
namespace redisquota {
namespace testing {

using quota::Metric;
using quota::WindowLimit;
using quota::testing::CommitOf;
using quota::testing::kNow;
using quota::testing::Limit;
using quota::testing::Messages;
using quota::testing::OneMessage;
using TempDir = ::sendguard::test::TempDir;

// One redis-server for the whole test binary, started on first use.
inline RedisServer& SharedServer() {
  static RedisServer server;
  return server;
}

// A fresh key space on the shared server; caller-supplied time unless
// `redis_time`.
inline RedisOptions FreshOptions(bool redis_time = false) {
  static std::atomic<int> counter{0};
  RedisOptions o = SharedServer().Options();
  o.key_prefix = "t" + std::to_string(++counter) + ":";
  o.use_redis_time = redis_time;
  o.command_timeout_ms = 2000;  // semantics tests: no flakiness under ASan
  return o;
}

inline std::unique_ptr<RedisQuotaStore> MustOpenRedis(const RedisOptions& o) {
  auto store = RedisQuotaStore::Open(o);
  if (!store.ok()) throw std::runtime_error(store.status().ToString());
  return std::move(store).value();
}

inline std::unique_ptr<quota::LmdbQuotaStore> MustOpenLmdb(const std::string& dir) {
  auto store = quota::LmdbQuotaStore::Open(dir, quota::LmdbStoreOptions());
  if (!store.ok()) throw std::runtime_error(store.status().ToString());
  return std::move(store).value();
}

// Both backends, for tests that must hold for each: the embedded store in
// `dir`, and Redis with the caller's clock (so tests can move time).
struct StorePair {
  TempDir dir;
  std::unique_ptr<quota::QuotaStore> lmdb = MustOpenLmdb(dir.path());
  std::unique_ptr<quota::QuotaStore> redis = MustOpenRedis(FreshOptions());
};

}  // namespace testing
}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_TESTS_UNIT_REDISQUOTA_STORE_TEST_UTIL_H_

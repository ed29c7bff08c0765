// redisquota/redis_quota_store.h — the quota store kept in Redis, shared by
// every relay of a cluster. One Redis endpoint, or the master that Redis
// Sentinel names (options.sentinels: the pool follows failovers, see
// connection_pool.h). No Redis Cluster support.
//
// Contract: see quota/quota_store.h; same semantics as the embedded LMDB
// store (sliding windows of quota/limits.h, pending reservations with
// deadlines, Commit counting even when the reservation vanished, idempotent
// Release). Each Reserve / Commit / Release / Read / Reset is one Lua script
// run with EVALSHA — one network round trip, atomic in Redis (NOSCRIPT after a
// Redis restart or a failover falls back to EVAL once, which also caches the
// script on that server). With options.wait_replicas > 0, Reserve (when it
// accepts) and Commit pipeline a WAIT after the script and fail Unavailable
// unless that many replicas acknowledged: an accepted decision then survives
// a failover. Without it, replication is asynchronous and a failover may
// lose the last counts the old master acknowledged (see README). Time comes from Redis (TIME) unless
// options.use_redis_time is false: then request.now_seconds is used;
// reservation deadlines are sent relative (deadline - now_seconds), so relay
// clocks never matter. Outcomes carry Redis-clock times (retry_after).
// CollectGarbage() is a no-op returning 0: keys carry TTLs and scripts drop
// expired buckets/reservations whenever they touch them.
//
// Subjects of one request (user and domain aggregate) live under different
// hash tags: one script touching both is fine on a single Redis (or a
// replicated primary behind one address), which is what this store
// supports. For Redis Cluster, the domain aggregate would have to move under
// the user's tag or the decision be split into two scripts (losing
// all-or-nothing across user and domain).
//
// Errors: unreachable / timed out / LOADING / BUSY ... -> Unavailable (the
// caller's outage policy applies); script or protocol failures -> Internal.
// A command that timed out may still run later in a Redis that was only
// slow: a Reserve then leaves a pending entry that counts until its deadline
// (errs towards counting more, never less); a Commit may count once in Redis
// and once more in a fallback store.
// Thread-safety: safe for concurrent use by any number of threads (a pool of
// options.pool_size connections). Do not carry across fork().
#ifndef SENDGUARD_REDISQUOTA_REDIS_QUOTA_STORE_H_
#define SENDGUARD_REDISQUOTA_REDIS_QUOTA_STORE_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "quota/quota_store.h"
#include "redisquota/connection_pool.h"
#include "redisquota/redis_options.h"

namespace sendguard {
namespace redisquota {

class RedisQuotaStore final : public quota::QuotaStore {
 public:
  // Validates `options` and creates the pool; does not need Redis to be up
  // (calls fail with Unavailable until it is). Use Ping() to check at start.
  static Result<std::unique_ptr<RedisQuotaStore>> Open(const RedisOptions& options);
  ~RedisQuotaStore() override;

  // One PING within the connect timeout: ok, or why Redis cannot be used.
  Status Ping();
  // Sentinel mode: follow +switch-master announcements with a thread (see
  // sentinel_watcher.h); for the long-running daemon, after any fork().
  void WatchFailovers() { pool_.WatchFailovers(); }
  // Commands sent to Redis by this store so far (network round trips).
  uint64_t round_trips() const { return pool_.round_trips(); }

  Result<quota::ReserveOutcome> Reserve(const quota::ReserveRequest& request) override;
  Status Commit(const quota::CommitRequest& request) override;
  Status Release(uint64_t id, const std::vector<std::string>& subjects, quota::RecordWrite* record) override;
  Result<std::vector<quota::LimitUsage>> Read(const quota::SubjectLimits& subject,
                                              int64_t now_seconds) override;
  Status Reset(const std::string& subject) override;
  Result<std::vector<quota::TopEntry>> Top(size_t n, int64_t now_seconds) override;
  Result<size_t> CollectGarbage(int64_t now_seconds) override;
  Result<std::optional<std::string>> GetOverride(const std::string& identity) override;
  Status SetOverride(const std::string& identity, const std::string& class_name) override;
  Status ClearOverride(const std::string& identity) override;
  // Records live in one hash, versioned; an update is a conditional write
  // (after a read unless the caller knows the record), again when another
  // relay changed the record in between (at most a few times).
  Result<std::string> UpdateRecordFrom(const std::string& key, const quota::RecordUpdate& update,
                                       const quota::StoredRecord* known) override;
  Result<quota::StoredRecord> ReadRecord(const std::string& key) override;
  Status WriteRecord(quota::RecordWrite* write) override;
  Result<quota::IdentityView> ReadIdentity(const std::string& identity, const std::string& record_key) override;
  Result<std::vector<std::string>> RecordKeys(const std::string& prefix) override;

  // The base key of a subject ("sg:{u:alice@example.org}"); public for tests.
  std::string BaseKey(const std::string& subject) const;

 private:
  struct Script {
    const char* text;
    std::string sha;  // learnt with SCRIPT LOAD on first use
  };
  enum ScriptId { kReserve, kCommit, kRelease, kRead, kReset, kRecordWrite, kIdentity, kScriptCount };

  explicit RedisQuotaStore(const RedisOptions& options);
  Result<RedisReply> Eval(ScriptId id, const std::vector<std::string>& keys,
                          const std::vector<std::string>& args, Status* replicated = nullptr);
  Result<std::vector<RedisReply>> RunScript(const std::vector<std::string>& argv, bool wait,
                                            std::chrono::steady_clock::time_point deadline);
  Status CheckReplicated(const RedisReply& wait_reply) const;
  Result<std::string> ScriptSha(ScriptId id, std::chrono::steady_clock::time_point deadline);
  static int MillisLeft(std::chrono::steady_clock::time_point deadline);
  Result<RedisReply> Command(const std::vector<std::string>& argv);
  static void AppendRecordWrite(const quota::RecordWrite* write, std::vector<std::string>* args);
  std::string NowArg(int64_t now_seconds) const;
  Result<std::vector<int64_t>> ReadCounts(const std::vector<std::string>& bases,
                                          const std::vector<quota::WindowLimit>& limits,
                                          int64_t now_seconds);
  Status ScanSubjects(std::vector<std::string>* subjects);

  const RedisOptions options_;
  ConnectionPool pool_;
  std::mutex sha_mu_;
  Script scripts_[kScriptCount];
};

}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_REDISQUOTA_REDIS_QUOTA_STORE_H_

// redisquota/resilient_quota_store.h — applies the configured outage policy
// around a shared (Redis) quota store.
//
// Contract: every call goes to the primary store first. When it answers
// Unavailable (unreachable, timed out, loading...), the policy decides:
//   kFailClosed  the Unavailable status goes to the caller (the session
//                tempfails with 451 4.3.0: nothing is lost, the MTA retries);
//   kFailOpen    Reserve accepts, Commit/Release succeed, GetOverride finds
//                nothing — mail flows uncounted;
//   kFallback    Reserve/Commit/Release go to the embedded fallback store with
//                every limit divided by node_count (rounded up), so N relays
//                that each count alone still allow about the shared limit.
// A reservation made in the fallback is committed/released there even if
// Redis comes back in between. Other errors (Internal...) pass through
// unchanged. Admin calls (Read, Reset, Top, overrides writes) always go to the
// primary: the CLI must see the shared truth or fail. CollectGarbage() runs
// on both stores. The first failure of an outage and the recovery are logged
// once each; outages and calls handled by the policy are counted (stats()).
// The primary is expected to fail fast while it is known down (the Redis
// pool does), so the policy costs no waiting.
// Thread-safety: safe for concurrent use if both stores are.
#ifndef SENDGUARD_REDISQUOTA_RESILIENT_QUOTA_STORE_H_
#define SENDGUARD_REDISQUOTA_RESILIENT_QUOTA_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "quota/quota_store.h"
#include "redisquota/redis_options.h"

namespace sendguard {
namespace redisquota {

struct OutageStats {
  uint64_t outages = 0;               // transitions from healthy to unavailable
  uint64_t calls_under_policy = 0;    // calls answered by the outage policy
  bool primary_down = false;          // the last call found the primary down
};

class ResilientQuotaStore final : public quota::QuotaStore {
 public:
  // `fallback` is required for kFallback and ignored (may be null) otherwise.
  static Result<std::unique_ptr<ResilientQuotaStore>> Create(
      std::unique_ptr<quota::QuotaStore> primary, std::unique_ptr<quota::QuotaStore> fallback,
      const ResilienceOptions& options);

  OutageStats stats() const;

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
  // Records are the primary's: during an outage they fail (the caller
  // decides what an unknown abuse state means), they are never kept locally.
  Result<std::string> UpdateRecordFrom(const std::string& key, const quota::RecordUpdate& update,
                                       const quota::StoredRecord* known) override;
  Result<quota::StoredRecord> ReadRecord(const std::string& key) override;
  Status WriteRecord(quota::RecordWrite* write) override;
  Result<quota::IdentityView> ReadIdentity(const std::string& identity, const std::string& record_key) override;
  Result<std::vector<std::string>> RecordKeys(const std::string& prefix) override;

 private:
  ResilientQuotaStore(std::unique_ptr<quota::QuotaStore> primary,
                      std::unique_ptr<quota::QuotaStore> fallback,
                      const ResilienceOptions& options);
  // Records a primary answer; true if `st` is an outage the policy handles.
  bool Outage(const Status& st);
  void Healthy();
  bool TakeFallbackId(uint64_t id);
  std::vector<quota::SubjectLimits> Divided(const std::vector<quota::SubjectLimits>& s) const;

  std::unique_ptr<quota::QuotaStore> primary_;
  std::unique_ptr<quota::QuotaStore> fallback_;
  const ResilienceOptions options_;
  std::atomic<bool> down_{false};
  std::atomic<uint64_t> outages_{0};
  std::atomic<uint64_t> calls_under_policy_{0};
  std::mutex ids_mu_;
  std::set<uint64_t> fallback_ids_;  // reservations held by the fallback store
};

}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_REDISQUOTA_RESILIENT_QUOTA_STORE_H_

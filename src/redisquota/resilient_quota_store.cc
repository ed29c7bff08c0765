// redisquota/resilient_quota_store.cc — outage policy around the primary
// store: fail closed, fail open, or count locally with divided limits.
#include "redisquota/resilient_quota_store.h"

#include "core/log.h"
#include "metrics/metrics.h"

namespace sendguard {
namespace redisquota {

namespace {

constexpr size_t kMaxFallbackIds = 100000;  // bound if callers never finish

}  // namespace

Result<std::unique_ptr<ResilientQuotaStore>> ResilientQuotaStore::Create(
    std::unique_ptr<quota::QuotaStore> primary, std::unique_ptr<quota::QuotaStore> fallback,
    const ResilienceOptions& options) {
  if (primary == nullptr) return Status::InvalidArgument("quota: no primary store");
  if (options.node_count < 1) {
    return Status::InvalidArgument("quota redis_fallback_nodes: must be >= 1");
  }
  if (options.policy == OutagePolicy::kFallback && fallback == nullptr) {
    return Status::InvalidArgument("quota redis_outage = fallback needs the embedded store");
  }
  return std::unique_ptr<ResilientQuotaStore>(
      new ResilientQuotaStore(std::move(primary), std::move(fallback), options));
}

ResilientQuotaStore::ResilientQuotaStore(std::unique_ptr<quota::QuotaStore> primary,
                                         std::unique_ptr<quota::QuotaStore> fallback,
                                         const ResilienceOptions& options)
    : primary_(std::move(primary)), fallback_(std::move(fallback)), options_(options) {}

OutageStats ResilientQuotaStore::stats() const {
  OutageStats s;
  s.outages = outages_.load();
  s.calls_under_policy = calls_under_policy_.load();
  s.primary_down = down_.load();
  return s;
}

bool ResilientQuotaStore::Outage(const Status& st) {
  if (!st.IsUnavailable()) return false;
  if (!down_.exchange(true)) {
    ++outages_;
    metrics::Count(metrics::Family::kRedisOutages);
    metrics::SetGauge(metrics::Family::kRedisOutage, 1);
    SG_LOG(kWarning) << "quota: shared store unavailable (" << st.message()
                     << "); outage policy " << OutagePolicyName(options_.policy);
  }
  ++calls_under_policy_;
  return true;
}

void ResilientQuotaStore::Healthy() {
  if (down_.exchange(false)) {
    metrics::SetGauge(metrics::Family::kRedisOutage, 0);
    SG_LOG(kInfo) << "quota: shared store is back; " << calls_under_policy_.load()
                  << " calls so far were answered by the outage policy";
  }
}

bool ResilientQuotaStore::TakeFallbackId(uint64_t id) {
  std::lock_guard<std::mutex> lock(ids_mu_);
  return fallback_ids_.erase(id) > 0;
}

std::vector<quota::SubjectLimits> ResilientQuotaStore::Divided(
    const std::vector<quota::SubjectLimits>& subjects) const {
  std::vector<quota::SubjectLimits> out = subjects;
  int64_t n = options_.node_count;
  for (quota::SubjectLimits& s : out) {
    for (quota::WindowLimit& w : s.limits) w.limit = (w.limit + n - 1) / n;
  }
  return out;
}

Result<quota::ReserveOutcome> ResilientQuotaStore::Reserve(const quota::ReserveRequest& request) {
  Result<quota::ReserveOutcome> outcome = primary_->Reserve(request);
  if (outcome.ok()) {
    Healthy();
    return outcome;
  }
  if (!Outage(outcome.status())) return outcome;
  switch (options_.policy) {
    case OutagePolicy::kFailClosed:
      return outcome;
    case OutagePolicy::kFailOpen:
      return quota::ReserveOutcome();
    case OutagePolicy::kFallback:
      break;
  }
  quota::ReserveRequest local = request;
  local.subjects = Divided(request.subjects);
  Result<quota::ReserveOutcome> fallback = fallback_->Reserve(local);
  if (fallback.ok() && fallback->accepted) {
    std::lock_guard<std::mutex> lock(ids_mu_);
    if (fallback_ids_.size() >= kMaxFallbackIds) fallback_ids_.clear();
    fallback_ids_.insert(request.id);
  }
  return fallback;
}

// Records live in the primary only: a commit or release that goes to the
// fallback leaves the record write undone (the caller then tries it alone).
Status ResilientQuotaStore::Commit(const quota::CommitRequest& request) {
  quota::CommitRequest local = request;
  local.record = nullptr;
  if (TakeFallbackId(request.id)) return fallback_->Commit(local);
  Status st = primary_->Commit(request);
  if (st.ok()) {
    Healthy();
    return st;
  }
  if (!Outage(st)) return st;
  switch (options_.policy) {
    case OutagePolicy::kFailClosed: return st;
    case OutagePolicy::kFailOpen: return Status::Ok();
    case OutagePolicy::kFallback: return fallback_->Commit(local);
  }
  return st;
}

Status ResilientQuotaStore::Release(uint64_t id, const std::vector<std::string>& subjects,
                                    quota::RecordWrite* record) {
  if (TakeFallbackId(id)) return fallback_->Release(id, subjects, nullptr);
  Status st = primary_->Release(id, subjects, record);
  if (st.ok()) {
    Healthy();
    return st;
  }
  // The reservation in Redis stops counting at its deadline anyway.
  if (!Outage(st) || options_.policy == OutagePolicy::kFailClosed) return st;
  return Status::Ok();
}

Result<std::vector<quota::LimitUsage>> ResilientQuotaStore::Read(
    const quota::SubjectLimits& subject, int64_t now_seconds) {
  return primary_->Read(subject, now_seconds);
}

Status ResilientQuotaStore::Reset(const std::string& subject) {
  return primary_->Reset(subject);
}

Result<std::vector<quota::TopEntry>> ResilientQuotaStore::Top(size_t n, int64_t now_seconds) {
  return primary_->Top(n, now_seconds);
}

Result<size_t> ResilientQuotaStore::CollectGarbage(int64_t now_seconds) {
  Result<size_t> collected = primary_->CollectGarbage(now_seconds);
  if (!collected.ok() || fallback_ == nullptr) return collected;
  Result<size_t> local = fallback_->CollectGarbage(now_seconds);
  if (!local.ok()) return local;
  return *collected + *local;
}

Result<std::optional<std::string>> ResilientQuotaStore::GetOverride(const std::string& identity) {
  Result<std::optional<std::string>> found = primary_->GetOverride(identity);
  if (found.ok()) {
    Healthy();
    return found;
  }
  if (!Outage(found.status()) || options_.policy == OutagePolicy::kFailClosed) return found;
  return std::optional<std::string>();  // the class from the user map applies
}

Status ResilientQuotaStore::SetOverride(const std::string& identity,
                                        const std::string& class_name) {
  return primary_->SetOverride(identity, class_name);
}

Status ResilientQuotaStore::ClearOverride(const std::string& identity) {
  return primary_->ClearOverride(identity);
}

Result<std::string> ResilientQuotaStore::UpdateRecordFrom(const std::string& key, const quota::RecordUpdate& update,
                                                          const quota::StoredRecord* known) {
  return primary_->UpdateRecordFrom(key, update, known);
}

Result<quota::StoredRecord> ResilientQuotaStore::ReadRecord(const std::string& key) {
  return primary_->ReadRecord(key);
}

Status ResilientQuotaStore::WriteRecord(quota::RecordWrite* write) { return primary_->WriteRecord(write); }

// An outage is the caller's to handle: the record is unknown, and the
// override is then read through GetOverride (with the outage policy).
Result<quota::IdentityView> ResilientQuotaStore::ReadIdentity(const std::string& identity,
                                                              const std::string& record_key) {
  Result<quota::IdentityView> view = primary_->ReadIdentity(identity, record_key);
  if (view.ok()) Healthy();
  return view;
}

Result<std::vector<std::string>> ResilientQuotaStore::RecordKeys(const std::string& prefix) {
  return primary_->RecordKeys(prefix);
}

}  // namespace redisquota
}  // namespace sendguard

// quota/message_quota.cc — reserve at RCPT, commit or release at the end.
// Store failures become kStoreError decisions (fail-open/closed per options).
#include "quota/message_quota.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>

#include "core/log.h"
#include "quota/units.h"

namespace sendguard {
namespace quota {

namespace {

// Unique across threads (counter) and processes (random start per process).
uint64_t NextReservationId() {
  static std::atomic<uint64_t> next([] {
    std::random_device rd;
    uint64_t seed = (uint64_t{rd()} << 32) ^ rd();
    seed ^= static_cast<uint64_t>(getpid()) << 16;
    seed ^= static_cast<uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count());
    return seed;
  }());
  return next.fetch_add(1) + 1;
}

}  // namespace

const char* VerdictName(QuotaVerdict v) {
  switch (v) {
    case QuotaVerdict::kAccepted: return "accepted";
    case QuotaVerdict::kOverMessageLimit: return "over-message-limit";
    case QuotaVerdict::kOverWindowLimit: return "over-window-limit";
    case QuotaVerdict::kUnknownUser: return "unknown-user";
    case QuotaVerdict::kStoreError: return "store-error";
  }
  return "?";
}

MessageQuota::MessageQuota(std::shared_ptr<const QuotaPolicy> policy, QuotaStore* store,
                           Identity identity, const Clock& clock, const QuotaOptions& options)
    : policy_(std::move(policy)),
      store_(store),
      identity_(std::move(identity)),
      clock_(clock),
      options_(options),
      id_(NextReservationId()) {}

MessageQuota::~MessageQuota() {
  if (finished_) return;
  Status st = Release();
  if (!st.ok()) {
    SG_LOG(kWarning) << "quota: release for " << identity_.name() << " failed ("
                     << st.ToString() << "); the reservation expires by itself";
  }
}

QuotaDecision MessageQuota::Refuse(QuotaVerdict verdict, const char* code, const char* xcode,
                                   const std::string& text) {
  QuotaDecision d;
  d.verdict = verdict;
  d.allow = false;
  if (class_ != nullptr) d.action = class_->action;
  d.reply = {code, xcode, text};
  return d;
}

QuotaDecision MessageQuota::StoreError(const Status& error) {
  SG_LOG(kWarning) << "quota: store error for " << identity_.name() << ": "
                   << error.ToString() << (options_.fail_open ? " (fail open)" : "");
  QuotaDecision d = Refuse(QuotaVerdict::kStoreError, "451", "4.3.0",
                           "quota service temporarily unavailable, try again later");
  d.allow = options_.fail_open;
  d.error = error;
  return d;
}

QuotaDecision MessageQuota::ResolveClass() {
  if (resolved_) return QuotaDecision();
  if (!forced_class_.empty()) class_ = policy_->FindClass(forced_class_);
  Result<std::optional<std::string>> override_name =
      known_override_ ? Result<std::optional<std::string>>(override_) : store_->GetOverride(identity_.name());
  if (!override_name.ok()) return StoreError(override_name.status());
  if (class_ == nullptr && override_name->has_value()) {
    class_ = policy_->FindClass(**override_name);
    if (class_ == nullptr) {
      SG_LOG(kWarning) << "quota: override class '" << **override_name << "' of "
                       << identity_.name() << " is not in the policy; using the map";
    }
  }
  if (class_ == nullptr) class_ = policy_->ClassFor(identity_.name(), nullptr);
  domain_limits_ = policy_->DomainLimits(identity_.domain());
  resolved_ = true;
  return QuotaDecision();
}

std::vector<SubjectLimits> MessageQuota::Subjects() const {
  std::vector<SubjectLimits> subjects;
  subjects.push_back({identity_.UserSubject(), class_->limits});
  if (domain_limits_ != nullptr) subjects.push_back({identity_.DomainSubject(), *domain_limits_});
  return subjects;
}

std::vector<std::string> MessageQuota::SubjectNames() const {
  std::vector<std::string> names;
  for (const SubjectLimits& s : Subjects()) names.push_back(s.subject);
  return names;
}

QuotaDecision MessageQuota::OverWindow(const ReserveOutcome& outcome) {
  std::string who = outcome.subject == identity_.UserSubject()
                        ? identity_.name()
                        : identity_.domain() + " (domain)";
  int64_t now = clock_.NowSeconds();
  std::string text = who + ": quota " + outcome.limit.Describe() + " reached, retry after " +
                     FormatRetryTime(outcome.retry_after_seconds, now);
  if (class_->action == OverQuotaAction::kQuarantine) {
    Status st = Release();  // held mail is not counted
    finished_ = false;
    if (!st.ok()) return StoreError(st);
    quarantined_ = true;
    QuotaDecision d;
    d.verdict = QuotaVerdict::kOverWindowLimit;
    d.quarantine = true;
    d.action = OverQuotaAction::kQuarantine;
    d.reply = {"250", "2.0.0", text};
    return d;
  }
  bool reject = class_->action == OverQuotaAction::kReject;
  return Refuse(QuotaVerdict::kOverWindowLimit, reject ? "550" : "451",
                reject ? "5.7.1" : "4.7.1", text);
}

QuotaDecision MessageQuota::Reserve(const Amounts& delta) {
  ReserveRequest request;
  request.id = id_;
  request.subjects = Subjects();
  request.delta = delta;
  request.now_seconds = clock_.NowSeconds();
  request.deadline_seconds = request.now_seconds + options_.reservation_ttl_seconds;
  Result<ReserveOutcome> outcome = store_->Reserve(request);
  if (!outcome.ok()) return StoreError(outcome.status());
  if (!outcome->accepted) return OverWindow(*outcome);
  reserved_.Add(delta);
  QuotaDecision d;
  d.action = class_->action;
  return d;
}

QuotaDecision MessageQuota::TooManyRecipients(const std::string& what) {
  return Refuse(QuotaVerdict::kOverMessageLimit, "452", "4.5.3",
                identity_.name() + ": at most " + std::to_string(class_->rcpt_per_msg) +
                    " recipients per message, " + what + " not accepted");
}

bool MessageQuota::OverMaxSize(int64_t message_bytes, QuotaDecision* refusal) {
  if (class_->max_size < 0 || message_bytes <= class_->max_size) return false;
  *refusal = Refuse(QuotaVerdict::kOverMessageLimit, "552", "5.3.4",
                    identity_.name() + ": message size exceeds the limit of " + FormatSize(class_->max_size));
  refusal->action = OverQuotaAction::kReject;
  return true;
}

QuotaDecision MessageQuota::Quarantined() const {
  QuotaDecision d;
  d.quarantine = true;
  d.action = OverQuotaAction::kQuarantine;
  return d;
}

QuotaDecision MessageQuota::AddRecipient(const std::string& recipient) {
  QuotaDecision resolved = ResolveClass();
  if (resolved.verdict != QuotaVerdict::kAccepted) return resolved;
  if (class_ == nullptr) {
    return Refuse(QuotaVerdict::kUnknownUser, "451", "4.7.1",
                  identity_.name() + ": no quota class configured for this sender");
  }
  if (quarantined_) return Quarantined();
  if (class_->rcpt_per_msg >= 0 && reserved_.recipients >= class_->rcpt_per_msg) {
    return TooManyRecipients(recipient);
  }
  Amounts delta;
  delta.messages = reserved_.recipients == 0 ? 1 : 0;
  delta.recipients = 1;
  return Reserve(delta);
}

QuotaDecision MessageQuota::CheckSize(int64_t message_bytes) {
  QuotaDecision resolved = ResolveClass();
  if (resolved.verdict != QuotaVerdict::kAccepted) return resolved;
  if (class_ == nullptr) {
    return Refuse(QuotaVerdict::kUnknownUser, "451", "4.7.1",
                  identity_.name() + ": no quota class configured for this sender");
  }
  QuotaDecision refusal;
  if (OverMaxSize(message_bytes, &refusal)) return refusal;
  if (quarantined_) return Quarantined();
  Amounts delta;
  delta.bytes = message_bytes - reserved_.bytes;  // idempotent if called twice
  if (delta.bytes <= 0) return QuotaDecision();
  return Reserve(delta);
}

QuotaDecision MessageQuota::CheckFinalAmounts(int64_t recipients, int64_t message_bytes) {
  QuotaDecision resolved = ResolveClass();
  if (resolved.verdict != QuotaVerdict::kAccepted) return resolved;
  if (class_ == nullptr) {
    return Refuse(QuotaVerdict::kUnknownUser, "451", "4.7.1",
                  identity_.name() + ": no quota class configured for this sender");
  }
  if (class_->rcpt_per_msg >= 0 && recipients > class_->rcpt_per_msg) {
    return TooManyRecipients("the message with " + std::to_string(recipients));
  }
  QuotaDecision refusal;
  if (OverMaxSize(message_bytes, &refusal)) return refusal;
  if (quarantined_) return Quarantined();
  Amounts delta;
  delta.messages = reserved_.messages == 0 ? 1 : 0;
  delta.recipients = std::max<int64_t>(0, recipients - reserved_.recipients);
  delta.bytes = std::max<int64_t>(0, message_bytes - reserved_.bytes);
  if (!delta.IsZero()) {
    QuotaDecision d = Reserve(delta);
    if (!d.allow || d.quarantine || d.verdict != QuotaVerdict::kAccepted) return d;
  }
  reserved_.recipients = recipients;
  reserved_.bytes = message_bytes;
  QuotaDecision d;
  d.action = class_->action;
  return d;
}

Status MessageQuota::Commit(RecordWrite* record) {
  if (finished_) return Status::Ok();
  if (quarantined_ || reserved_.IsZero()) return Release(record);
  CommitRequest request;
  request.id = id_;
  request.subjects = Subjects();
  request.amounts = reserved_;
  request.now_seconds = clock_.NowSeconds();
  request.record = record;
  Status st = store_->Commit(request);
  if (st.ok()) finished_ = true;
  return st;
}

Status MessageQuota::Release(RecordWrite* record) {
  if (finished_) return Status::Ok();
  finished_ = true;
  if (!resolved_ || class_ == nullptr || reserved_.IsZero()) return Status::Ok();
  reserved_ = Amounts();
  return store_->Release(id_, SubjectNames(), record);
}

}  // namespace quota
}  // namespace sendguard

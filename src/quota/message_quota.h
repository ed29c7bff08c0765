// quota/message_quota.h — the quota side of one SMTP transaction, as the
// session layer sees it:
//
//   MessageQuota q(policy, store, identity, clock, options);  // at MAIL FROM
//   QuotaDecision d = q.AddRecipient(rcpt);    // each RCPT: reply if !d.allow
//   QuotaDecision s = q.CheckSize(bytes);      // end of message
//   ... other checks ...
//   QuotaDecision f = q.CheckFinalAmounts(rcpts, bytes);  // instead of
//                 // CheckSize when the end of message brings the real
//                 // amounts (the Postfix policy service's END-OF-MESSAGE)
//   q.Commit();   // only when the message is finally accepted
//   q.Release();  // rejected / tempfailed / aborted / connection lost
//                 // (the destructor releases if neither was called)
//
// Semantics: each accepted recipient is reserved at once in the store (the
// first one also reserves the message), so concurrent messages of one user
// never overshoot a limit. Reservations become counts only on Commit(), at
// the commit time. A quarantine class accepts over-quota mail but marks it
// for hold (smfi_quarantine) and counts nothing for it.
// Replies: per-message recipient limit 452 4.5.3; window limit 451 4.7.1
// (action tempfail) or 550 5.7.1 (action reject), text naming the limit and
// the UTC time it frees up; max_size 552 5.3.4; unknown user 451 4.7.1;
// store error 451 4.3.0 unless options.fail_open.
// Thread-safety: one MessageQuota per message, used by one thread at a time
// (it may move between threads). The policy, store and clock it points to
// must outlive it.
#ifndef SENDGUARD_QUOTA_MESSAGE_QUOTA_H_
#define SENDGUARD_QUOTA_MESSAGE_QUOTA_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/smtp_reply.h"
#include "core/status.h"
#include "quota/identity.h"
#include "quota/quota_options.h"
#include "quota/quota_policy.h"
#include "quota/quota_store.h"

namespace sendguard {
namespace quota {

enum class QuotaVerdict {
  kAccepted,          // within every limit
  kOverMessageLimit,  // rcpt_per_msg or max_size of the class
  kOverWindowLimit,   // a messages/recipients/bytes window of user or domain
  kUnknownUser,       // no class for this identity (and no "default")
  kStoreError,        // the store could not answer (see `error`)
};
const char* VerdictName(QuotaVerdict v);

struct QuotaDecision {
  QuotaVerdict verdict = QuotaVerdict::kAccepted;
  bool allow = true;        // accept this recipient / message?
  bool quarantine = false;  // accepted, but hold the message; reason = reply.text
  OverQuotaAction action = OverQuotaAction::kTempfail;  // the class's action
  SmtpReply reply;          // what to answer when !allow (or the hold reason)
  Status error;             // the store error for kStoreError
};

class MessageQuota {
 public:
  MessageQuota(std::shared_ptr<const QuotaPolicy> policy, QuotaStore* store,
               Identity identity, const Clock& clock, const QuotaOptions& options);
  ~MessageQuota();
  MessageQuota(const MessageQuota&) = delete;
  MessageQuota& operator=(const MessageQuota&) = delete;

  // Counts this message in class `name` instead of the identity's own
  // (abuse/: a throttled identity); ignored when the policy has no such
  // class. Call before the first AddRecipient.
  void ForceClass(const std::string& name) { forced_class_ = name; }
  // The identity's class override, already read with its record
  // (QuotaStore::ReadIdentity): the first AddRecipient does not read it again.
  // Call before the first AddRecipient.
  void UseOverride(std::optional<std::string> override_class) {
    known_override_ = true;
    override_ = std::move(override_class);
  }
  QuotaDecision AddRecipient(const std::string& recipient);
  QuotaDecision CheckSize(int64_t message_bytes);
  // Checks rcpt_per_msg and max_size against the message's real amounts,
  // reserves what is not reserved yet (everything when no recipient was,
  // e.g. the RCPT requests went to another process), and makes Commit()
  // count exactly these amounts (fewer recipients than were reserved when
  // the MTA refused some after they were reserved).
  QuotaDecision CheckFinalAmounts(int64_t recipients, int64_t message_bytes);
  // `record`, when not null, is written in the same step as the commit or
  // release (see QuotaStore); when nothing is counted or reserved it is left
  // undone (record->done false) for the caller to write.
  Status Commit(RecordWrite* record = nullptr);
  Status Release(RecordWrite* record = nullptr);

  // Who is counted (the override's and the CLI's key).
  std::string identity_name() const { return identity_.name(); }
  // The class in force (after the first call); nullptr for an unknown user.
  const QuotaClass* quota_class() const { return class_; }
  int64_t accepted_recipients() const { return reserved_.recipients; }
  bool quarantined() const { return quarantined_; }

 private:
  QuotaDecision ResolveClass();
  QuotaDecision Reserve(const Amounts& delta);
  QuotaDecision OverWindow(const ReserveOutcome& outcome);
  QuotaDecision StoreError(const Status& error);
  QuotaDecision TooManyRecipients(const std::string& what);
  bool OverMaxSize(int64_t message_bytes, QuotaDecision* refusal);
  QuotaDecision Quarantined() const;
  QuotaDecision Refuse(QuotaVerdict verdict, const char* code, const char* xcode,
                       const std::string& text);
  std::vector<SubjectLimits> Subjects() const;
  std::vector<std::string> SubjectNames() const;

  std::shared_ptr<const QuotaPolicy> policy_;
  QuotaStore* store_;
  Identity identity_;
  const Clock& clock_;
  QuotaOptions options_;
  uint64_t id_;
  std::string forced_class_;
  bool known_override_ = false;
  std::optional<std::string> override_;
  bool resolved_ = false;
  const QuotaClass* class_ = nullptr;
  const std::vector<WindowLimit>* domain_limits_ = nullptr;
  Amounts reserved_;
  bool quarantined_ = false;
  bool finished_ = false;
};

}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_QUOTA_MESSAGE_QUOTA_H_

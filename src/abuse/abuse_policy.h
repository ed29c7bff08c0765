// abuse/abuse_policy.h — policies/abuse.conf: when an identity looks
// compromised and what happens then.
//
// Contract: Load() reads the whole file or fails with a Status naming
// file:line and why; there are no partial policies. A condition compares one
// signal over the last hour (or, for the *_24h signals, the last day;
// abuse/signals.h) with an absolute minimum and, optionally, with a multiple
// of the identity's hourly (daily) baseline; when it holds, its
// action applies: notify (an alert, nothing else), throttle (the quota class
// `throttle_class` for `duration throttle`), hold (accepted into the Postfix
// hold queue, never signed), suspend (refused at MAIL FROM with
// `suspend_text`), or escalate (one rung above where the identity is now).
// Exempt identities and classes are only ever notified about. A block
// "class NAME { condition ... }" gives the identities of a quota class their
// own conditions (the same name replaces a global one).
// Thread-safety: immutable after Load().
#ifndef SENDGUARD_ABUSE_ABUSE_POLICY_H_
#define SENDGUARD_ABUSE_ABUSE_POLICY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "abuse/signals.h"
#include "core/smtp_reply.h"
#include "core/status.h"

namespace sendguard::abuse {

enum class Signal {
  kMessages, kRecipients, kDistinctRecipients, kDistinctDomains, kClientAddresses,
  kContentTagged, kContentQuarantined, kContentRejected, kSenderRefusals, kQuotaHits,
  kMessages24h, kRecipients24h, kTopRuleHits,
};

enum class Action { kNotify, kThrottle, kHold, kSuspend, kEscalate };
const char* ActionName(Action action);

struct Condition {
  std::string name;
  Signal signal = Signal::kMessages;
  int64_t at_least = 0;         // the signal must reach this
  double baseline_factor = 0;   // > 0: and reach factor x baseline too
  Action action = Action::kNotify;
  int line = 0;
};

struct AbusePolicy {
  std::string path;
  std::vector<Condition> conditions;             // file order
  // Per quota class: conditions that replace the global one of the same
  // name, or add to them, for identities of that class ("class NAME { }").
  std::map<std::string, std::vector<Condition>> class_conditions;
  std::map<Level, int64_t> durations = {{Level::kThrottled, 3600}, {Level::kHeld, 4 * 3600},
                                        {Level::kSuspended, 24 * 3600}};
  int64_t manual_release_after = 3;    // from this many restricting actions on: no automatic expiry
  SmtpReply suspend_reply{"550", "5.7.1", "account suspended for sending spam; contact your provider"};
  std::string throttle_class;          // "" = throttle acts as hold
  std::vector<std::string> exempt_identities;  // exact, lower case
  std::vector<std::string> exempt_classes;
  double default_messages_per_hour = 10;   // baseline of an identity not yet learned
  double default_recipients_per_hour = 10;
  double default_messages_per_day = 80;    // the same for the *_24h signals
  double default_recipients_per_day = 80;
  int64_t alert_interval = 3600;           // at most one notify alert per identity per interval

  static Result<std::shared_ptr<const AbusePolicy>> Load(const std::string& path);
  static Result<std::shared_ptr<const AbusePolicy>> Parse(const std::string& text, const std::string& path);

  bool Exempt(const std::string& identity, const std::string& quota_class) const;
  // The conditions that apply to an identity of `quota_class`, global ones
  // first (file order), a class's own replacing those of the same name.
  std::vector<const Condition*> ConditionsFor(const std::string& quota_class) const;
};

int64_t SignalValue(const Signals& s, Signal signal);
const char* SignalName(Signal signal);

}  // namespace sendguard::abuse

#endif  // SENDGUARD_ABUSE_ABUSE_POLICY_H_

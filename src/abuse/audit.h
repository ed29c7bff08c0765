// abuse/audit.h — one audit entry per action on an identity's abuse state,
// automatic (a condition of policies/abuse.conf fired, a restriction
// expired) or by a person (`sendguard abuse`, the console), including what
// was done to its held mail; and the two ways it is written.
//
// Contract: AuditJson() is one JSON object on one line:
// {"type": "sendguard.audit", "time" (unix seconds), "relay", "identity",
// "action" (notify|throttle|hold|suspend|release|expire|deliver-held|
// delete-held), "by" ("sendguard" for automatic actions, "cli:LOGIN",
// "console:USER"), "condition" (the policy's name, "manual", "" for an
// expiry), "from", "to" (levels), "until" (unix seconds, 0 = until
// released or no restriction), "reason", "queue_ids" (the evidence of an
// automatic action, the held messages of a held-mail action), "result"
// ("ok" or what failed), "signals" (the identity's at the time, for
// changes of its state; absent for held-mail actions)}. Strings are
// valid JSON whatever bytes the identity holds. AuditText() is the same as
// key=value words for syslog. FromChange() fills an entry from a ladder
// Change.
// Thread-safety: pure functions.
#ifndef SENDGUARD_ABUSE_AUDIT_H_
#define SENDGUARD_ABUSE_AUDIT_H_

#include <optional>
#include <string>
#include <vector>

#include "abuse/ladder.h"
#include "abuse/signals.h"

namespace sendguard::abuse {

inline constexpr const char* kAutomatic = "sendguard";  // `by` of automatic actions

struct AuditEntry {
  int64_t time = 0;
  std::string identity;
  std::string action;
  std::string by = kAutomatic;
  std::string condition;
  Level from = Level::kNone;
  Level to = Level::kNone;
  int64_t until = 0;
  std::string reason;
  std::vector<std::string> queue_ids;
  std::string result = "ok";
  std::optional<Signals> signals;
};

AuditEntry FromChange(const std::string& identity, const Change& change, int64_t now, const std::string& by,
                      const std::string& reason = "");
std::string AuditJson(const AuditEntry& entry, const std::string& relay);
std::string AuditText(const AuditEntry& entry);

}  // namespace sendguard::abuse

#endif  // SENDGUARD_ABUSE_AUDIT_H_

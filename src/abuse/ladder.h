// abuse/ladder.h — deciding, per message, whether an identity's state
// changes: expiry, the conditions of the policy, escalation, manual actions.
//
// Contract: Evaluate() is pure given its inputs (time is passed in). It first
// lets an expired restriction lapse, then takes the strongest action among
// the conditions that hold; a restricting action applies only when it is
// above the identity's current level, for the policy's duration of that
// level; from the policy's manual_release_after-th restricting action on,
// the restriction has no expiry (released by hand only). An exempt identity
// only ever gets notify. Every change is appended to the record's history.
// Change says what happened, for the audit log and the alert; notify is set
// at most once per alert_interval unless the level changed.
// EffectiveLevel() is the level that applies at `now` (expired = none).
// Thread-safety: none (works on values).
#ifndef SENDGUARD_ABUSE_LADDER_H_
#define SENDGUARD_ABUSE_LADDER_H_

#include <string>

#include "abuse/abuse_policy.h"
#include "abuse/signals.h"

namespace sendguard::abuse {

struct Change {
  bool level_changed = false;
  bool notify = false;          // an alert should go out
  Level from = Level::kNone;
  Level to = Level::kNone;
  std::string condition;        // what fired ("" = expiry)
  std::string what;             // "suspend", "expire", "notify", ...
  int64_t until = 0;
  Signals signals;
};

Level EffectiveLevel(const Record& record, int64_t now);

// `quota_class`: the identity's class, for the policy's per-class conditions.
Change Evaluate(Record* record, const AbusePolicy& policy, int64_t now, bool exempt,
                const std::string& quota_class = "");

// Manual actions (the CLI). `until` 0 = until released.
Change Suspend(Record* record, Level level, int64_t now, int64_t until, const std::string& reason,
               const std::string& by);
Change Release(Record* record, int64_t now, const std::string& by);

}  // namespace sendguard::abuse

#endif  // SENDGUARD_ABUSE_LADDER_H_

// abuse/alert.h — what the abuse desk is told when an identity's state
// changes: a JSON object for the webhook and a plain-text mail.
//
// Contract: AlertJson() is one JSON object: {"type": "sendguard.abuse",
// "identity", "action" (notify|throttle|hold|suspend|release|expire),
// "condition", "from", "to", "until" (unix seconds, 0 = until released),
// "relay", "time", "signals": {every signal of the last hour and the
// baseline}, "evidence": [queue ids of its recent messages]}. Strings are
// JSON-escaped. AlertId() is unique per identity and change, and safe as a
// file name. AlertMailBody() says the same for a person.
// Thread-safety: pure functions.
#ifndef SENDGUARD_ABUSE_ALERT_H_
#define SENDGUARD_ABUSE_ALERT_H_

#include <string>

#include "abuse/ladder.h"
#include "abuse/signals.h"

namespace sendguard::abuse {

std::string AlertJson(const std::string& identity, const Change& change, const Record& record,
                      const std::string& relay, int64_t now);
// Every signal of the last hour and the baseline, as a JSON object.
std::string SignalsJson(const Signals& signals);
std::string AlertId(const std::string& identity, int64_t now_us);
std::string AlertMailSubject(const std::string& identity, const Change& change);
std::string AlertMailBody(const std::string& identity, const Change& change, const Record& record,
                          const std::string& relay);

}  // namespace sendguard::abuse

#endif  // SENDGUARD_ABUSE_ALERT_H_

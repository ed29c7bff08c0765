// abuse/decisions.h — the last decisions about one identity, kept in its
// abuse record (abuse/signals.h) so an admin can see why its mail went
// where it went: time, queue id, envelope sender, recipients, action, each
// check's outcome, score and rules, the hold reason and the SMTP reply.
//
// Why in the record and not read back from the decision log: the record is
// already read at MAIL FROM and written with the quota commit, in the same
// store round trip (one Redis round trip per decision stays one), by every
// worker process and, with Redis, every relay; the decision log is optional,
// per relay, and rotated away. The cost is the bytes: at most kMaxDecisions
// entries, each with bounded fields (AddDecision trims them), about 250
// bytes each in the encoded record.
//
// Contract: AddDecision() trims every field to its bound, encodes the
// decision and keeps the newest kMaxDecisions encoded ones (oldest first):
// the record carries them as text, parsed only when someone reads them.
// EncodeDecision()/DecodeDecision() are one line of the record's text form
// (after "dec "); DecodeDecision() of a line it did not write returns false,
// never crashes; DecodeDecisions() skips such lines.
// Thread-safety: none (values).
#ifndef SENDGUARD_ABUSE_DECISIONS_H_
#define SENDGUARD_ABUSE_DECISIONS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace sendguard::abuse {

constexpr size_t kMaxDecisions = 20;
constexpr size_t kMaxDecisionRecipients = 3;  // addresses kept; the count is exact
constexpr size_t kMaxDecisionRules = 5;
constexpr size_t kMaxDecisionText = 160;      // from, reply, hold reason, each check

struct Decision {
  int64_t at = 0;
  std::string queue_id;
  std::string from;
  int64_t recipient_count = 0;
  std::vector<std::string> recipients;  // the first kMaxDecisionRecipients
  std::string action;                   // accept, quarantine, reject, tempfail, discard
  std::string checks;                   // "quota=ok sender=ok content=reject ..."
  double score = 0;
  std::vector<std::string> rules;       // the first kMaxDecisionRules that hit
  std::string hold_reason;              // why it went to the hold queue ("" none)
  std::string reply;                    // the SMTP reply sent ("" = the MTA's own)
};

void AddDecision(std::vector<std::string>* encoded, Decision d);

std::string EncodeDecision(const Decision& d);
bool DecodeDecision(const std::string& line, Decision* out);
std::vector<Decision> DecodeDecisions(const std::vector<std::string>& encoded);

}  // namespace sendguard::abuse

#endif  // SENDGUARD_ABUSE_DECISIONS_H_

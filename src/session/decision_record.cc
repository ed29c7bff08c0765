// session/decision_record.cc — what one decided message amounts to, check
// by check (DecisionOutcomes), and its count in the metrics.
#include <string_view>

#include "metrics/metrics.h"
#include "session/message_state.h"

namespace sendguard {
namespace {

std::string SenderOutcome(const sender::SenderCheck& c) {
  return c.action == sender::SenderAction::kAccept ? "ok" : sender::SenderActionConfigName(c.action);
}

std::string DkimOutcome(bool has_keys, bool failed, int signatures) {
  if (failed) return "error";
  if (signatures > 0) return "signed";
  return has_keys ? "unsigned" : "off";
}

// "suspend(burst)" -> "suspend"; "own-alert" is not tracked: "off".
std::string AbuseOutcome(const std::string& note) {
  std::string level = note.substr(0, note.find('('));
  return level == "own-alert" ? "off" : level;
}

int CountSignatures(const EndOfMessage& result, int* ed25519) {
  int n = 0;
  for (const HeaderEdit& e : result.edits) {
    if (e.name != "DKIM-Signature") continue;
    ++n;
    if (e.value.find("a=ed25519-sha256") != std::string::npos) ++*ed25519;
  }
  return n;
}

}  // namespace

DecisionOutcomes Session::Outcomes(const EndOfMessage& result) const {
  const Message& m = *message_;
  DecisionOutcomes o;
  o.action = result.verdict.IsRefusal() ? VerdictName(result.verdict)
             : !result.quarantine_reason.empty() ? "quarantine" : "accept";
  o.quota = m.quota ? (m.quota_note.empty() ? "ok" : m.quota_note) : "off";
  o.sender = m.sender_checked ? SenderOutcome(m.sender_check) : "off";
  o.content = m.content_outcome_name;
  o.spf = m.spf_outcome;
  int ed25519 = 0;
  o.signatures = CountSignatures(result, &ed25519);
  o.ed25519_signatures = ed25519;
  o.dkim = DkimOutcome(m.snapshot->keys != nullptr, m.dkim_failed, o.signatures);
  o.abuse = AbuseOutcome(m.abuse_note);
  return o;
}

void Session::CountDecision(const DecisionOutcomes& o) const {
  using metrics::Family;
  metrics::Count(Family::kMessages, {o.action});
  metrics::Count(Family::kCheckOutcomes, {"quota", o.quota});
  metrics::Count(Family::kCheckOutcomes, {"sender", o.sender});
  metrics::Count(Family::kCheckOutcomes, {"content", o.content});
  metrics::Count(Family::kCheckOutcomes, {"spf", o.spf});
  metrics::Count(Family::kCheckOutcomes, {"dkim", o.dkim});
  metrics::Count(Family::kCheckOutcomes, {"abuse", o.abuse});
  if (o.signatures > o.ed25519_signatures) {
    metrics::Count(Family::kSignatures, {"rsa-sha256"}, o.signatures - o.ed25519_signatures);
  }
  if (o.ed25519_signatures > 0) metrics::Count(Family::kSignatures, {"ed25519-sha256"}, o.ed25519_signatures);
}

}  // namespace sendguard

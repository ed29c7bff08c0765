// session/decision_record.cc — what one decided message amounts to, check
// by check (DecisionOutcomes), and its count in the metrics.
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <string_view>

#include "metrics/metrics.h"
#include "session/line_log.h"
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

std::string UtcNow() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char buf[96];  // what the compiler allows for any int; 24 bytes in practice
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
  return buf;
}

std::string Millis(int64_t us) {
  char buf[32];
  snprintf(buf, sizeof buf, "%" PRId64 ".%03" PRId64, us / 1000, us % 1000);  // us >= 0 (steady clock)
  return buf;
}

std::string Number(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string JsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& i : items) out += (out.size() > 1 ? "," : "") + Quoted(i);
  return out + "]";
}

// "key": "value" pairs joined into one object, in order.
class JsonObject {
 public:
  JsonObject& Str(const char* key, std::string_view value) { return Raw(key, Quoted(value)); }
  JsonObject& Raw(const char* key, const std::string& json) {
    text_ += (text_.size() > 1 ? "," : "") + Quoted(key) + ":" + json;
    return *this;
  }
  std::string Close() const { return text_ + "}"; }

 private:
  std::string text_ = "{";
};

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

void Session::WriteDecisionLog(const EndOfMessage& result, const DecisionOutcomes& o) const {
  if (runtime_ == nullptr || !runtime_->decision_log) return;
  const Message& m = *message_;
  JsonObject checks;
  checks.Str("quota", o.quota).Str("sender", o.sender).Str("content", o.content).Str("spf", o.spf)
      .Str("dkim", o.dkim).Str("abuse", o.abuse);
  JsonObject line;
  line.Str("time", UtcNow()).Str("queue_id", m.queue_id).Str("identity", m.identity.ToString())
      .Str("login", m.login).Str("client", m.client_addr).Str("from", m.sender).Str("header_from_domain", m.from_domain)
      .Raw("rcpts", std::to_string(m.recipients.size())).Raw("size", std::to_string(m.header_bytes + m.body_bytes))
      .Raw("checks", checks.Close()).Str("quota_detail", m.quota_note)
      .Str("sender_reason", m.sender_checked ? m.sender_check.reason : "").Raw("score", Number(m.score))
      .Raw("rules", JsonList(m.rule_names)).Str("spf_detail", m.spf_note == "off" ? "" : m.spf_note)
      .Raw("signatures", std::to_string(o.signatures)).Str("abuse_state", m.abuse_note).Str("action", o.action)
      .Str("reply", result.verdict.reply.empty() ? "" : result.verdict.reply.ToString())
      .Raw("decision_ms", Millis(o.decision_us)).Raw("message_ms", Millis(SteadyNowMicros() - m.started_us));
  runtime_->decision_log->Write(line.Close());
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

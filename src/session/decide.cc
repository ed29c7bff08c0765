// session/decide.cc — the end-of-message pipeline of a Session. Checks run
// cheapest first and the first refusal wins: sender authorization, quota
// size, content rules, SPF/DMARC pre-flight. Then the trace header, then the
// DKIM signatures (last, over the message as it will leave), then the quota
// is committed for accepted mail or released for refused mail.
#include <cstdio>
#include <sstream>

#include <strings.h>

#include "core/log.h"
#include "core/version.h"
#include "core/strings.h"
#include "idna/idna.h"
#include "mime/address.h"
#include "metrics/metrics.h"
#include "metrics/rule_hits.h"
#include "mime/parser.h"
#include "policy/actions.h"
#include "rules/relays.h"
#include "session/message_state.h"
#include "spf/decide.h"

namespace sendguard {

namespace {

std::string QuotaClassName(const quota::MessageQuota* q) {
  return q && q->quota_class() ? q->quota_class()->name : "default";
}

// "<a@B.org>" -> "b.org".
std::string EnvelopeDomain(std::string address) {
  if (!address.empty() && address.front() == '<') address = address.substr(1);
  if (!address.empty() && address.back() == '>') address.pop_back();
  Result<std::string> canonical = idna::CanonicalAddress(address);
  return DomainOf(canonical.ok() ? *canonical : address);
}

std::string FormatScore(double v) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

abuse::ContentOutcome ContentOutcomeOf(policy::ContentAction a) {
  switch (a) {
    case policy::ContentAction::kReject: return abuse::ContentOutcome::kRejected;
    case policy::ContentAction::kQuarantine: return abuse::ContentOutcome::kQuarantined;
    case policy::ContentAction::kTag: return abuse::ContentOutcome::kTagged;
    default: return abuse::ContentOutcome::kClean;
  }
}

// The hit that weighs most.
std::string TopRule(const rules::ScanResult& scan) {
  const rules::RuleHit* top = &scan.hits.front();
  for (const rules::RuleHit& h : scan.hits) {
    if (h.score > top->score) top = &h;
  }
  return top->name;
}

// One hit per message for each rule that matched, scoring or not, into the
// daemon's per-rule table (metrics/rule_hits.h; the console's rules page).
void CountRuleHits(const rules::ScanResult& scan) {
  for (const rules::RuleHit& h : scan.hits) metrics::CountRuleHit(h.name);
  for (const rules::RuleHit& h : scan.subrules) metrics::CountRuleHit(h.name);
}

}  // namespace

bool Session::RefusedBySender(EndOfMessage* result) {
  Message& m = *message_;
  if (m.snapshot->senders && !m.sender_checked && m.identity.kind != Identity::Kind::kUntrusted) {
    CheckSender();  // the MTA sent no end-of-headers event
  }
  if (!m.sender_checked) return false;
  const sender::SenderCheck& c = m.sender_check;
  if (c.action == sender::SenderAction::kSendUnsigned) m.signer.reset();
  if (c.action != sender::SenderAction::kReject && c.action != sender::SenderAction::kTempfail) return false;
  const SmtpReply& r = c.reply;
  result->verdict = c.action == sender::SenderAction::kReject ? Verdict::Reject(r) : Verdict::Tempfail(r);
  m.sender_refused = true;
  return true;
}

bool Session::RefusedByQuotaSize(EndOfMessage* result) {
  Message& m = *message_;
  if (!m.quota) return false;
  Verdict refusal;
  if (!RefuseFromQuota(m.quota->CheckSize(static_cast<int64_t>(m.header_bytes + m.body_bytes)), &refusal)) {
    return false;
  }
  result->verdict = refusal;
  return true;
}

// The line for this handover, unless the MTA already showed the milter the
// Received header it adds (Sendmail does; its top Received header then
// names the client's address).
std::vector<std::string> Session::ClientHandover(const mime::ParsedMessage& parsed) const {
  const Message& m = *message_;
  if (m.client_addr.empty()) return {};
  for (const mime::Header& h : parsed.headers) {
    if (strcasecmp(h.name.c_str(), "Received") != 0) continue;
    if (h.decoded.find("[" + m.client_addr + "]") != std::string::npos) return {};
    break;
  }
  bool no_rdns = hostname_.empty() || hostname_[0] == '[' || hostname_ == "unknown";
  return {rules::ReceivedForClient(helo_, no_rdns ? "" : hostname_, m.client_addr,
                                   m.mta_name.empty() ? "localhost" : m.mta_name, !m.login.empty(), m.tls,
                                   m.queue_id)};
}

// Scans what was kept of the message; maps the score to an action through
// the thresholds of the sender's quota class. An engine error is never read
// as "no match": it becomes the failure action.
bool Session::RefusedByContent(EndOfMessage* result) {
  Message& m = *message_;
  const Snapshot& snap = *m.snapshot;
  if (!snap.rules) return false;
  mime::ParsedMessage parsed = mime::Parse(m.scan_text, snap.config.scan_limits, snap.rules->tlds());
  // SpamAssassin's default inference (no trusted_networks) over the
  // message as delivered: this handover on top of its own Received headers.
  const std::vector<std::string>& wanted = snap.rules->relay_headers_read();
  if (!wanted.empty()) rules::AddRelayPseudoHeaders(&parsed, rules::TrustNetworks(), wanted, ClientHandover(parsed));
  rules::ScanResult scan;
  Status s = snap.rules->Scan(parsed, &scan);
  if (!s.ok()) {
    m.content_outcome_name = "error";
    result->verdict = FailureVerdict(snap.config, "content scan: " + s.ToString());
    return true;
  }
  std::vector<std::string> names;
  for (const rules::RuleHit& h : scan.hits) names.push_back(h.name);
  CountRuleHits(scan);
  policy::ContentDecision d = policy::DecideContent(*snap.actions, QuotaClassName(m.quota.get()), scan.score, names);
  m.score = scan.score;
  m.content_outcome_name = policy::ContentActionName(d.action);
  m.rule_names = names;
  m.content_note = std::string(policy::ContentActionName(d.action)) + " score=" + FormatScore(scan.score);
  for (const std::string& n : names) m.content_note += (&n == &names.front() ? " rules=" : ",") + n;
  m.content_outcome = ContentOutcomeOf(d.action);
  if (!scan.hits.empty()) m.top_rule = TopRule(scan);
  if (d.action == policy::ContentAction::kReject) {
    result->verdict = Verdict::Reject(d.reply);
    return true;
  }
  for (HeaderEdit& h : d.headers) result->edits.push_back(std::move(h));
  if (!d.quarantine_reason.empty()) result->quarantine_reason = d.quarantine_reason;
  return false;
}

// SPF / DMARC pre-flight in the unprivileged helpers.
bool Session::RefusedBySpf(EndOfMessage* result) {
  Message& m = *message_;
  const Snapshot& snap = *m.snapshot;
  if (runtime_ == nullptr || !runtime_->spf || m.identity.kind == Identity::Kind::kUntrusted) return false;
  spf::PreflightRequest req;
  req.envelope_domain = EnvelopeDomain(m.sender);
  req.from_domain = m.from_domain;
  req.client_ip = m.client_addr;
  req.check_client = m.identity.kind == Identity::Kind::kTrustedAddress;
  if (m.signer && snap.keys) {
    for (const dkim::KeyEntry* k : snap.keys->KeysFor(m.from_domain)) {
      req.dkim_domains.push_back(k->domain == "%" ? m.from_domain : k->domain);
    }
  }
  Result<spf::PreflightResult> res = runtime_->spf->Check(req);
  if (!res.ok()) {
    m.spf_outcome = "error";
    result->verdict = FailureVerdict(snap.config, "spf pre-flight: " + res.status().ToString());
    return true;
  }
  spf::Decision d = spf::Decide(req, *res, snap.config.spf);
  m.spf_note = res->LogFields() + " action=" + spf::ActionName(d.action);
  m.spf_outcome = spf::ActionName(d.action);
  if (d.action == spf::Action::kReject || d.action == spf::Action::kTempFail) {
    const SmtpReply& r = d.reply;
    result->verdict = d.action == spf::Action::kReject ? Verdict::Reject(r) : Verdict::Tempfail(r);
    return true;
  }
  if (d.action == spf::Action::kTag && !res->auth_results.empty()) {
    result->edits.push_back({HeaderEdit::Where::kAppend, "Authentication-Results", res->auth_results});
  }
  return false;
}

// Runs one check of the pipeline, timed as its stage.
template <typename Check>
bool Timed(std::string_view stage, Check check) {
  metrics::ScopedTimer timer(metrics::Family::kStageSeconds, stage);
  return check();
}

void Session::Decide(EndOfMessage* result) {
  if (Timed("sender", [&] { return RefusedBySender(result); }) ||
      Timed("quota_size", [&] { return RefusedByQuotaSize(result); }) ||
      Timed("content", [&] { return RefusedByContent(result); }) ||
      Timed("spf", [&] { return RefusedBySpf(result); })) {
    result->edits.clear();
    result->quarantine_reason.clear();
    return;
  }
  Message& m = *message_;
  if (!m.hold_reason.empty() && result->quarantine_reason.empty()) result->quarantine_reason = m.hold_reason;
  result->edits.push_back({HeaderEdit::Where::kAppend, "X-Sendguard",
                           std::string(kSendguardVersion) + " " + m.identity.ToString()});
}

// DKIM-signs accepted, not quarantined mail. The signatures go on top, in
// signing-table order. A signing failure is an internal error: never send
// unsigned what should have been signed without saying so.
void Session::Sign(EndOfMessage* result) {
  Message& m = *message_;
  if (result->verdict.IsRefusal() || !result->quarantine_reason.empty()) return;
  if (!m.signer_error.ok()) {
    m.dkim_failed = true;
    result->edits.clear();
    result->verdict = FailureVerdict(m.snapshot->config, "dkim: " + m.signer_error.ToString());
    return;
  }
  if (!m.signer) return;
  Result<std::vector<std::string>> sigs = m.signer->Finish();
  if (!sigs.ok()) {
    m.dkim_failed = true;
    result->edits.clear();
    result->verdict = FailureVerdict(m.snapshot->config, "dkim: " + sigs.status().ToString());
    return;
  }
  for (auto it = sigs->rbegin(); it != sigs->rend(); ++it) {
    std::string value = dkim::ToMilterValue(*it);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);  // the milter layer adds it back
    result->edits.push_back({HeaderEdit::Where::kFirst, "DKIM-Signature", value});
  }
}

// Commits the quota of accepted mail; releases it otherwise; either carries
// the abuse record's write when there is one. A commit that fails is a store
// error: fail closed unless the admin chose fail_open.
void Session::Settle(EndOfMessage* result, quota::RecordWrite* abuse_write) {
  Message& m = *message_;
  if (!m.quota) return;
  if (result->verdict.IsRefusal()) {
    m.quota->Release(abuse_write);
    return;
  }
  Status s = m.quota->Commit(abuse_write);
  if (s.ok() || m.snapshot->config.quota.fail_open) {
    if (!s.ok()) {
      SG_LOG(kError) << "quota commit failed (fail_open: accepting): " << s.ToString();
    }
    return;
  }
  result->edits.clear();
  result->quarantine_reason.clear();
  result->verdict = FailureVerdict(m.snapshot->config, "quota commit: " + s.ToString());
}

void Session::LogDecision(const EndOfMessage& result, const DecisionOutcomes& o) const {
  const Message& m = *message_;
  // Keys held back (record not published, or retired by a rotation): named,
  // and a warning when the message leaves unsigned because of them.
  std::string unused;
  if (m.snapshot->keys && o.action != "reject" && o.action != "tempfail")
    for (const dkim::HeldKey& h : m.snapshot->keys->HeldFor(m.from_domain))
      unused += (unused.empty() ? " dkim_unused=" : ",") + h.entry->name + "(" + h.reason.substr(0, h.reason.find(" (")) + ")";
  LogLevel level = !unused.empty() && o.signatures == 0 && o.action == "accept" ? LogLevel::kWarning : LogLevel::kInfo;
  std::ostringstream line;
  line << (m.queue_id.empty() ? "NOQUEUE" : m.queue_id)
                << ": decision identity=" << m.identity.ToString()
                << (m.identity.written.empty() || m.identity.written == m.identity.name
                        ? "" : " login_as_sent=" + m.identity.written)
                << " from=" << m.sender
                << " rcpts=" << m.recipients.size() << " size=" << (m.header_bytes + m.body_bytes)
                << " quota=" << (m.quota ? (m.quota_note.empty() ? "ok" : m.quota_note) : m.quota_note.empty() ? "off" : m.quota_note)
                << " sender=" << (m.sender_checked ? m.sender_check.reason.empty() ? "ok" : m.sender_check.reason : "off")
                << " content=" << m.content_note << " spf=" << m.spf_note << " dkim=" << o.signatures << unused
                << " abuse=" << m.abuse_note
                << " action=" << o.action
                << (result.verdict.reply.empty() ? "" : " reply=\"" + result.verdict.reply.ToString() + "\"");
  Log(level, line.str());
}

}  // namespace sendguard

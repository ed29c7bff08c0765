// session/session.cc — the per-connection event handlers: identify the
// sender, reserve quota per recipient, collect headers and body for the
// signer and the scanner. The end-of-message decision is in decide.cc.
#include "session/session.h"

#include <strings.h>

#include "core/log.h"
#include "core/strings.h"
#include "idna/idna.h"
#include "metrics/metrics.h"
#include "mime/address.h"
#include "session/message_state.h"
#include "session/policy_tie.h"

namespace sendguard {

std::atomic<long> Session::live_{0};

namespace {

// MTAs hand folded header values to milters with bare LF at the folds
// (Postfix stores lines without CR) but send them with CRLF; DKIM hashes
// what leaves, so the folds become CRLF again before signing.
std::string WithCrlfFolds(const std::string& value) {
  if (value.find('\n') == std::string::npos) return value;
  std::string out;
  out.reserve(value.size() + 8);
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r')) out += '\r';
    out += value[i];
  }
  return out;
}

Verdict RefusalFor(const SmtpReply& reply) {
  return reply.permanent() ? Verdict::Reject(reply) : Verdict::Tempfail(reply);
}

}  // namespace

Verdict FailureVerdict(const Config& config, const std::string& why) {
  SG_LOG(kError) << "internal error, applying failure_action: " << why;
  switch (config.daemon.failure_action) {
    case FailureAction::kAccept: return Verdict::Accept();
    case FailureAction::kReject:
      return Verdict::Reject({"550", "5.3.0", "sendguard: internal error, message refused"});
    case FailureAction::kTempfail: break;
  }
  return Verdict::Tempfail({"451", "4.3.0", "sendguard: temporary internal error, please retry later"});
}

Session::Session(const SnapshotHolder* snapshots, Runtime* runtime, SessionRole role)
    : snapshots_(snapshots), runtime_(runtime), role_(role) {
  live_.fetch_add(1);
}

Session::~Session() {
  ResetMessage();
  live_.fetch_sub(1);
}

void Session::Connect(const std::string& hostname, const std::string& client_addr) {
  hostname_ = hostname;
  client_addr_ = client_addr;
}

void Session::Helo(const std::string& helo) { helo_ = helo; }

// A transaction that ended without its end of message (RSET, a new MAIL,
// QUIT, a lost connection) still counts its quota-refused recipients; its
// unsettled quota releases itself.
void Session::ResetMessage() {
  if (message_ && !message_->abuse_saved && !message_->refused_recipients.empty()) FinishAbuseWrite(nullptr);
  message_.reset();
}

Verdict Session::MailFrom(const std::string& sender, const Macros& macros) {
  metrics::ScopedTimer timer(metrics::Family::kStageSeconds, "mail_from");
  ResetMessage();
  message_ = std::make_unique<Message>();
  message_->started_us = SteadyNowMicros();
  message_->snapshot = snapshots_->Current();
  message_->client_addr = client_addr_.empty() ? macros.client_addr : client_addr_;
  message_->login = macros.auth_authen;
  message_->client_port = macros.client_port;
  message_->mta_name = macros.mta_name;
  message_->tls = !macros.tls_version.empty();
  message_->identity = DetermineIdentity(message_->snapshot->config, macros.auth_authen, message_->client_addr);
  message_->sender = sender;
  if (IsOwnAlertMail(message_->snapshot->config, message_->identity, sender)) {
    message_->own_alert = true;
    message_->abuse_note = "own-alert";
    return Verdict::Continue();
  }
  Verdict v = StartQuota();
  return v.kind == Verdict::Kind::kContinue ? CheckAbuse() : v;
}

// Creates the message's quota transaction when quotas are on and the sender
// is one we count (a login or a trusted-network address).
Verdict Session::StartQuota() {
  const Snapshot& snap = *message_->snapshot;
  if (!snap.quota_policy || runtime_ == nullptr || !runtime_->quota_store) return Verdict::Continue();
  const Identity& id = message_->identity;
  if (id.kind == Identity::Kind::kUntrusted) return Verdict::Continue();
  Result<quota::Identity> qid = id.kind == Identity::Kind::kLogin
                                    ? quota::Identity::FromLogin(id.name, snap.config.quota)
                                    : quota::Identity::FromClientAddress(id.name, snap.config.quota);
  if (!qid.ok()) return FailureVerdict(snap.config, "quota identity: " + qid.status().message());
  message_->quota = std::make_unique<quota::MessageQuota>(snap.quota_policy, runtime_->quota_store.get(),
                                                          *qid, *runtime_->clock, snap.config.quota);
  return Verdict::Continue();
}

// True (and *out set) when the quota decision refuses; records a hold.
bool Session::RefuseFromQuota(const quota::QuotaDecision& d, Verdict* out) {
  if (d.verdict == quota::QuotaVerdict::kStoreError) {
    SG_LOG(kError) << "quota store error for " << message_->identity.ToString() << ": "
                   << d.error.ToString() << (d.allow ? " (fail_open: accepting)" : "");
  }
  if (d.quarantine && message_->hold_reason.empty()) {
    message_->hold_reason = d.reply.text.empty() ? "sendguard: over quota" : "sendguard: " + d.reply.text;
  }
  if (d.verdict != quota::QuotaVerdict::kAccepted) message_->quota_note = quota::VerdictName(d.verdict);
  if (d.allow) return false;
  metrics::Count(metrics::Family::kQuotaRefusals, {quota::VerdictName(d.verdict)});
  message_->quota_hit = true;
  *out = RefusalFor(d.reply);
  return true;
}

Verdict Session::Rcpt(const std::string& recipient) {
  metrics::ScopedTimer timer(metrics::Family::kStageSeconds, "rcpt");
  if (!message_) return Verdict::Tempfail({"451", "4.3.0", "sendguard: RCPT before MAIL"});
  if (message_->recipients.empty()) TieToPolicyService();
  if (message_->quota) {
    Verdict refusal;
    if (RefuseFromQuota(message_->quota->AddRecipient(recipient), &refusal)) {
      SG_LOG(kInfo) << "quota: " << message_->identity.ToString() << " rcpt=" << recipient << " refused: "
                    << refusal.reply.ToString();
      RecordRefusedRecipient(recipient);
      return refusal;
    }
  }
  message_->recipients.push_back(recipient);
  return Verdict::Continue();
}

// Keeps at most max_scan_bytes + 1 bytes: the extra byte tells the MIME
// layer that the message was longer than what it sees.
void Session::AppendScanText(std::string_view text) {
  Message& m = *message_;
  if (!m.snapshot->rules) return;
  size_t cap = m.snapshot->config.scan_limits.max_scan_bytes + 1;
  if (m.scan_text.size() >= cap) return;
  m.scan_text.append(text.substr(0, cap - m.scan_text.size()));
}

void Session::Header(const std::string& name, const std::string& value) {
  if (!message_) return;
  message_->header_bytes += name.size() + value.size() + 3;
  std::string wire_value = WithCrlfFolds(value);
  AppendScanText(name);
  AppendScanText(":");
  AppendScanText(wire_value);
  AppendScanText("\r\n");
  if (message_->headers.size() < 10000) message_->headers.emplace_back(name, std::move(wire_value));
}

// Who may use which From: decided once the headers are complete.
void Session::CheckSender() {
  Message& m = *message_;
  std::vector<std::string> from_values;
  for (const auto& [name, value] : m.headers) {
    if (strcasecmp(name.c_str(), "From") == 0) from_values.push_back(value);
  }
  // Untrusted clients (inbound mail) are not ours to police.
  if (m.snapshot->senders && m.identity.kind != Identity::Kind::kUntrusted) {
    std::string login = m.identity.kind == Identity::Kind::kLogin ? m.identity.name : "";
    m.sender_check = m.snapshot->senders->Check({login, m.client_addr}, m.sender, from_values);
    m.sender_checked = true;
    m.from_domain = m.sender_check.from_domain;
  } else if (from_values.size() == 1) {
    std::vector<mime::Address> addrs = mime::ParseAddressList(from_values[0]);
    if (addrs.size() == 1) {
      Result<std::string> domain = idna::CanonicalDomain(DomainOf(addrs[0].address));
      if (domain.ok()) m.from_domain = *domain;
    }
  }
}

// Signing starts once the From domain is known; headers seen so far are fed
// now, body chunks as they arrive.
void Session::StartSigner(const std::string& from_domain) {
  Message& m = *message_;
  if (!m.snapshot->keys || from_domain.empty() || m.identity.kind == Identity::Kind::kUntrusted) return;
  if (m.sender_checked && m.sender_check.action != sender::SenderAction::kAccept) return;
  auto signer = dkim::MessageSigner::Begin(m.snapshot->keys, from_domain, runtime_ ? runtime_->clock->NowSeconds()
                                                                                   : SystemClock::Instance().NowSeconds());
  if (!signer.ok()) {
    m.signer_error = signer.status();
    return;
  }
  m.signer = std::move(signer).value();
  if (!m.signer) return;
  for (const auto& [name, value] : m.headers) {
    Status s = m.signer->AddHeader(name, value);
    if (!s.ok() && m.signer_error.ok()) m.signer_error = s;
  }
  Status s = m.signer->EndHeaders();
  if (!s.ok() && m.signer_error.ok()) m.signer_error = s;
}

void Session::EndOfHeaders() {
  if (!message_) return;
  AppendScanText("\r\n");
  CheckSender();
  StartSigner(message_->from_domain);
}

void Session::Body(const char* data, size_t len) {
  if (!message_) return;
  message_->body_bytes += len;
  AppendScanText(std::string_view(data, len));
  if (message_->signer && message_->signer_error.ok()) {
    message_->signer_error = message_->signer->AddBody(std::string_view(data, len));
  }
}

EndOfMessage Session::EndOfMessageReached(const Macros& macros) {
  EndOfMessage result;
  if (!message_) {
    result.verdict = Verdict::Tempfail({"451", "4.3.0", "sendguard: end of message without MAIL"});
    return result;
  }
  message_->queue_id = macros.queue_id;
  int64_t decision_start = SteadyNowMicros();
  {
    metrics::ScopedTimer whole(metrics::Family::kDecisionSeconds);
    Decide(&result);
    metrics::ScopedTimer signing(metrics::Family::kStageSeconds, "dkim");
    Sign(&result);
  }
  {
    metrics::ScopedTimer settle(metrics::Family::kStageSeconds, "settle");
    Settle(&result, PrepareAbuseWrite(result));
  }
  {
    metrics::ScopedTimer abuse(metrics::Family::kStageSeconds, "abuse");
    FinishAbuseWrite(&result);
  }
  DecisionOutcomes outcomes = Outcomes(result);
  outcomes.decision_us = SteadyNowMicros() - decision_start;
  CountDecision(outcomes);
  LogDecision(result, outcomes);
  WriteDecisionLog(result, outcomes);
  ResetMessage();
  return result;
}

// [policy] with_milter: the policy service marks the message's connection,
// the milter finds the mark and leaves the counting to it (policy_tie.h). A
// store that cannot answer leaves the milter counting: twice is safer than
// never.
void Session::TieToPolicyService() {
  Message& m = *message_;
  if (!m.snapshot->config.policy.with_milter || !m.quota || runtime_ == nullptr || !runtime_->quota_store) return;
  if (m.client_port.empty()) {
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true)) {
      SG_LOG(kWarning) << "[policy] with_milter: no client port from the MTA ({client_port} / client_port); "
                          "milter and policy service cannot tell each other's messages, both count";
    }
    return;
  }
  std::string key = PolicyTieKey(m.client_addr, m.client_port);
  int64_t now = runtime_->clock->NowSeconds();
  if (role_ == SessionRole::kPolicy) {
    Status s = MarkCountedByPolicy(runtime_->quota_store.get(), key, now);
    if (!s.ok()) SG_LOG(kWarning) << "policy: cannot mark " << key << " for the milter: " << s.ToString();
    return;
  }
  Result<bool> taken = TakePolicyMark(runtime_->quota_store.get(), key, now, m.snapshot->config.quota.reservation_ttl_seconds);
  if (!taken.ok()) {
    SG_LOG(kWarning) << "milter: cannot read the policy service's mark " << key << ": " << taken.status().ToString();
    return;
  }
  if (!*taken) return;
  m.quota.reset();
  m.quota_note = "policy";
}

EndOfMessage Session::EndOfEnvelope(const Macros& macros, int64_t recipients, int64_t size) {
  EndOfMessage result;
  if (!message_) {
    result.verdict = Verdict::Tempfail({"451", "4.3.0", "sendguard: end of message without MAIL"});
    return result;
  }
  Message& m = *message_;
  m.queue_id = macros.queue_id;
  m.body_bytes = size > 0 ? static_cast<size_t>(size) : 0;
  Verdict refusal;
  if (m.quota && RefuseFromQuota(m.quota->CheckFinalAmounts(recipients, size), &refusal)) result.verdict = refusal;
  if (!result.verdict.IsRefusal()) result.quarantine_reason = m.hold_reason;
  // With the milter attached too, it records the message (it knows the
  // content); only the recipients refused here, which it never sees, are
  // recorded by this side (when the transaction is reset).
  bool milter_records = m.snapshot->config.policy.with_milter;
  Settle(&result, milter_records ? nullptr : PrepareAbuseWrite(result));
  if (!milter_records) FinishAbuseWrite(&result);
  else if (m.refused_recipients.empty()) m.abuse_saved = true;
  DecisionOutcomes outcomes = Outcomes(result);
  LogDecision(result, outcomes);
  // An accepted message goes on to the milter, which counts and logs its
  // decision; one the policy service refuses ends here.
  if (!milter_records || result.verdict.IsRefusal()) {
    CountDecision(outcomes);
    WriteDecisionLog(result, outcomes);
  }
  ResetMessage();
  return result;
}

std::string Session::HoldReason() const { return message_ ? message_->hold_reason : ""; }

void Session::Abort() { ResetMessage(); }

}  // namespace sendguard

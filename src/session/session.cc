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

Session::Session(const SnapshotHolder* snapshots, Runtime* runtime)
    : snapshots_(snapshots), runtime_(runtime) {
  live_.fetch_add(1);
}

Session::~Session() { live_.fetch_sub(1); }

void Session::Connect(const std::string& hostname, const std::string& client_addr) {
  hostname_ = hostname;
  client_addr_ = client_addr;
}

void Session::ResetMessage() { message_.reset(); }  // an unsettled quota releases itself

Verdict Session::MailFrom(const std::string& sender, const Macros& macros) {
  metrics::ScopedTimer timer(metrics::Family::kStageSeconds, "mail_from");
  ResetMessage();
  message_ = std::make_unique<Message>();
  message_->started_us = SteadyNowMicros();
  message_->snapshot = snapshots_->Current();
  message_->client_addr = client_addr_.empty() ? macros.client_addr : client_addr_;
  message_->login = macros.auth_authen;
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
    Settle(&result);
  }
  {
    metrics::ScopedTimer abuse(metrics::Family::kStageSeconds, "abuse");
    RecordAbuse(result);
  }
  DecisionOutcomes outcomes = Outcomes(result);
  outcomes.decision_us = SteadyNowMicros() - decision_start;
  CountDecision(outcomes);
  LogDecision(result, outcomes);
  WriteDecisionLog(result, outcomes);
  ResetMessage();
  return result;
}

void Session::Abort() { ResetMessage(); }

}  // namespace sendguard

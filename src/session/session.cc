// session/session.cc — per-message bookkeeping and the decision pipeline:
// identify the sender, reserve quota per recipient, decide at end of message
// (quota size, then content), commit or release the reservation, and add the
// trace header. Every refusal releases the quota reservation.
#include "session/session.h"

#include "core/log.h"
#include "session/version.h"

namespace sendguard {

std::atomic<long> Session::live_{0};

struct Session::Message {
  std::shared_ptr<const Snapshot> snapshot;
  Identity identity;
  std::string sender;
  std::string queue_id;  // Postfix {i}, known at end of message
  std::vector<std::string> recipients;
  size_t header_bytes = 0;
  size_t body_bytes = 0;
  std::unique_ptr<quota::MessageQuota> quota;  // null: not counted
  std::string hold_reason;                     // quarantine requested by quota
  std::string quota_note;                      // for the decision log
};

namespace {

Reply ToReply(const quota::SmtpReply& r) { return Reply{r.code, r.xcode, r.text}; }

Verdict RefusalFor(const Reply& reply) {
  return !reply.rcode.empty() && reply.rcode[0] == '5' ? Verdict::Reject(reply) : Verdict::Tempfail(reply);
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
  ResetMessage();
  message_ = std::make_unique<Message>();
  message_->snapshot = snapshots_->Current();
  const std::string& addr = client_addr_.empty() ? macros.client_addr : client_addr_;
  message_->identity = DetermineIdentity(message_->snapshot->config, macros.auth_authen, addr);
  message_->sender = sender;
  return StartQuota();
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
  *out = RefusalFor(ToReply(d.reply));
  return true;
}

Verdict Session::Rcpt(const std::string& recipient) {
  if (!message_) return Verdict::Tempfail({"451", "4.3.0", "sendguard: RCPT before MAIL"});
  if (message_->quota) {
    Verdict refusal;
    if (RefuseFromQuota(message_->quota->AddRecipient(recipient), &refusal)) {
      SG_LOG(kInfo) << "quota: " << message_->identity.ToString() << " rcpt=" << recipient << " refused: "
                    << refusal.reply.ToString();
      return refusal;
    }
  }
  message_->recipients.push_back(recipient);
  return Verdict::Continue();
}

void Session::Header(const std::string& name, const std::string& value) {
  if (message_) message_->header_bytes += name.size() + value.size() + 3;
}

void Session::EndOfHeaders() {}

void Session::Body(const char* /*data*/, size_t len) {
  if (message_) message_->body_bytes += len;
}

// Runs the end-of-message checks in order; the first refusal wins.
void Session::Decide(EndOfMessage* result) {
  Message& m = *message_;
  if (m.quota) {
    Verdict refusal;
    if (RefuseFromQuota(m.quota->CheckSize(static_cast<int64_t>(m.header_bytes + m.body_bytes)), &refusal)) {
      result->verdict = refusal;
      return;
    }
  }
  if (!m.hold_reason.empty()) result->quarantine_reason = m.hold_reason;
  HeaderEdit trace;
  trace.name = "X-Sendguard";
  trace.value = std::string(kSendguardVersion) + " " + m.identity.ToString();
  result->edits.push_back(trace);
}

// Commits the quota of accepted mail; releases it otherwise. A commit that
// fails is a store error: fail closed unless the admin chose fail_open.
void Session::Settle(EndOfMessage* result) {
  Message& m = *message_;
  if (!m.quota) return;
  if (result->verdict.IsRefusal()) {
    m.quota->Release();
    return;
  }
  Status s = m.quota->Commit();
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

EndOfMessage Session::EndOfMessageReached(const Macros& macros) {
  EndOfMessage result;
  if (!message_) {
    result.verdict = Verdict::Tempfail({"451", "4.3.0", "sendguard: end of message without MAIL"});
    return result;
  }
  message_->queue_id = macros.queue_id;
  Decide(&result);
  Settle(&result);
  LogDecision(result);
  ResetMessage();
  return result;
}

void Session::Abort() { ResetMessage(); }

void Session::LogDecision(const EndOfMessage& result) const {
  const Message& m = *message_;
  std::string action = result.verdict.IsRefusal() ? VerdictName(result.verdict)
                       : !result.quarantine_reason.empty() ? "quarantine" : "accept";
  SG_LOG(kInfo) << (m.queue_id.empty() ? "NOQUEUE" : m.queue_id)
                << ": decision identity=" << m.identity.ToString() << " from=" << m.sender
                << " rcpts=" << m.recipients.size() << " size=" << (m.header_bytes + m.body_bytes)
                << " quota=" << (m.quota ? (m.quota_note.empty() ? "ok" : m.quota_note) : "off")
                << " action=" << action
                << (result.verdict.reply.empty() ? "" : " reply=\"" + result.verdict.reply.ToString() + "\"");
}

}  // namespace sendguard

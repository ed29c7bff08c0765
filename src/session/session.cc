// session/session.cc — per-message bookkeeping and the decision pipeline.
// Today the pipeline is: identify the sender, accept, add the trace header.
#include "session/session.h"

#include <algorithm>
#include <cctype>

#include "core/log.h"
#include "core/net.h"
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
};

namespace {
std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
}  // namespace

std::string Identity::ToString() const {
  switch (kind) {
    case Kind::kLogin: return name;
    case Kind::kTrustedAddress: return name;
    case Kind::kUntrusted: return name.empty() ? "unknown (untrusted)" : name + " (untrusted)";
  }
  return name;
}

Identity DetermineIdentity(const Config& config, const std::string& auth_authen,
                           const std::string& client_addr) {
  Identity id;
  if (!auth_authen.empty()) {
    id.kind = Identity::Kind::kLogin;
    id.name = config.identity.fold_case ? Lower(auth_authen) : auth_authen;
    return id;
  }
  id.name = client_addr;
  Result<IpAddress> addr = IpAddress::Parse(client_addr);
  if (addr.ok()) {
    id.name = addr->ToString();
    if (InAnyPrefix(config.identity.trusted_networks, *addr)) id.kind = Identity::Kind::kTrustedAddress;
  }
  return id;
}

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

Session::Session(const SnapshotHolder* snapshots) : snapshots_(snapshots) { live_.fetch_add(1); }

Session::~Session() { live_.fetch_sub(1); }

void Session::Connect(const std::string& hostname, const std::string& client_addr) {
  hostname_ = hostname;
  client_addr_ = client_addr;
}

void Session::ResetMessage() { message_.reset(); }

Verdict Session::MailFrom(const std::string& sender, const Macros& macros) {
  ResetMessage();
  message_ = std::make_unique<Message>();
  message_->snapshot = snapshots_->Current();
  const std::string& addr = client_addr_.empty() ? macros.client_addr : client_addr_;
  message_->identity = DetermineIdentity(message_->snapshot->config, macros.auth_authen, addr);
  message_->sender = sender;
  return Verdict::Continue();
}

Verdict Session::Rcpt(const std::string& recipient) {
  if (!message_) return Verdict::Tempfail({"451", "4.3.0", "sendguard: RCPT before MAIL"});
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

EndOfMessage Session::EndOfMessageReached(const Macros& macros) {
  EndOfMessage result;
  if (!message_) {
    result.verdict = Verdict::Tempfail({"451", "4.3.0", "sendguard: end of message without MAIL"});
    return result;
  }
  HeaderEdit trace;
  trace.name = "X-Sendguard";
  trace.value = std::string(kSendguardVersion) + " " + message_->identity.ToString();
  result.edits.push_back(trace);
  message_->queue_id = macros.queue_id;
  LogDecision(result);
  ResetMessage();
  return result;
}

void Session::Abort() { ResetMessage(); }

void Session::LogDecision(const EndOfMessage& result) const {
  SG_LOG(kInfo) << (message_->queue_id.empty() ? "NOQUEUE" : message_->queue_id)
                << ": decision identity=" << message_->identity.ToString()
                << " from=" << message_->sender << " rcpts=" << message_->recipients.size()
                << " size=" << (message_->header_bytes + message_->body_bytes)
                << " action=" << (result.verdict.kind == Verdict::Kind::kContinue ? "accept"
                                                                                   : VerdictName(result.verdict));
}

}  // namespace sendguard

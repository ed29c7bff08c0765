// session/session.h — one milter connection's state machine, free of
// libmilter: the milter layer feeds it events, it returns Verdicts.
//
// Contract: events arrive in SMTP order (Connect, Helo*, then per message
// MailFrom, Rcpt+, Header*, EndOfHeaders, Body*, EndOfMessage or Abort, and
// finally Close). The Postfix policy service (role kPolicy) sees no content:
// per message MailFrom, Rcpt*, then EndOfEnvelope (the real recipient count
// and size) or Abort; it counts the quota, the milter does the rest. A connection may carry several messages; Abort resets the
// message but keeps the connection. Methods do not throw on bad input; an
// exception escaping them is a bug that the milter layer turns into the
// configured failure action. Every message ends in exactly one decision log
// line (EndOfMessage) or is released (Abort/Close).
// Thread-safety: none; one Session is used by one thread at a time (libmilter
// may move a connection between threads between callbacks, never during one).
#ifndef SENDGUARD_SESSION_SESSION_H_
#define SENDGUARD_SESSION_SESSION_H_

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quota/message_quota.h"
#include "dkim/message_signer.h"
#include "mime/parsed_message.h"
#include "session/identity.h"
#include "session/runtime.h"
#include "session/snapshot.h"
#include "policy/verdict.h"

namespace sendguard {

// Macros the MTA sent; empty when absent.
struct Macros {
  std::string auth_authen;   // {auth_authen}: SASL login
  std::string auth_type;     // {auth_type}
  std::string client_addr;   // {client_addr}
  std::string queue_id;      // {i}
  std::string tls_version;   // {tls_version}
  std::string client_port;   // {client_port}: ties milter and policy service
  std::string mta_name;      // j: the MTA's own host name (Received "by")
};

// Who feeds the session. With [policy] with_milter both see a message of
// smtpd: the policy service counts it and marks its SMTP connection in the
// store (session/policy_tie.h), the milter finds the mark and counts nothing.
enum class SessionRole { kMilter, kPolicy };
struct DecisionOutcomes;

class Session {
 public:
  // Both must outlive the session.
  Session(const SnapshotHolder* snapshots, Runtime* runtime, SessionRole role = SessionRole::kMilter);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // `hostname`: the client's name as the MTA resolved it ("[ip]" or
  // "unknown" when it has none).
  void Connect(const std::string& hostname, const std::string& client_addr);
  void Helo(const std::string& helo);
  Verdict MailFrom(const std::string& sender, const Macros& macros);
  Verdict Rcpt(const std::string& recipient);
  // `value` exactly as received (with SMFIP_HDR_LEADSPC: leading space kept).
  void Header(const std::string& name, const std::string& value);
  void EndOfHeaders();
  void Body(const char* data, size_t len);
  EndOfMessage EndOfMessageReached(const Macros& macros);
  // The policy service's end of message: settles the quota with the real
  // amounts; no content, sender or SPF checks (the milter's part).
  EndOfMessage EndOfEnvelope(const Macros& macros, int64_t recipients, int64_t size);
  void Abort();

  // True while a message is open (between MailFrom and its end).
  bool InMessage() const { return message_ != nullptr; }
  // The hold queue reason of the open message so far ("" = none).
  std::string HoldReason() const;

  // Sessions alive in this process (leak detection at shutdown).
  static long LiveCount() { return live_.load(); }

 private:
  struct Message;
  void ResetMessage();
  Verdict StartQuota();
  bool RefuseFromQuota(const quota::QuotaDecision& d, Verdict* out);
  void CheckSender();
  void StartSigner(const std::string& from_domain);
  void AppendScanText(std::string_view text);
  bool RefusedBySender(EndOfMessage* result);
  bool RefusedByQuotaSize(EndOfMessage* result);
  bool RefusedByContent(EndOfMessage* result);
  std::vector<std::string> ClientHandover(const mime::ParsedMessage& parsed) const;
  bool RefusedBySpf(EndOfMessage* result);
  void Decide(EndOfMessage* result);
  void Sign(EndOfMessage* result);
  void Settle(EndOfMessage* result, quota::RecordWrite* abuse_write);
  void TieToPolicyService();
  void LogDecision(const EndOfMessage& result, const DecisionOutcomes& o) const;
  DecisionOutcomes Outcomes(const EndOfMessage& result) const;  // decision_record.cc
  void CountDecision(const DecisionOutcomes& o) const;
  void WriteDecisionLog(const EndOfMessage& result, const DecisionOutcomes& o) const;
  // abuse_tracking.cc
  bool TracksAbuse() const;
  Verdict CheckAbuse();
  abuse::MessageEvent AbuseEventOf(const EndOfMessage* result) const;
  quota::RecordWrite* PrepareAbuseWrite(const EndOfMessage& result);
  abuse::Decision DecisionOf(const EndOfMessage& result, int64_t now_s) const;
  void FinishAbuseWrite(const EndOfMessage* result);
  void RecordRefusedRecipient(const std::string& recipient);

  const SnapshotHolder* snapshots_;
  Runtime* runtime_;
  SessionRole role_;
  std::string hostname_;
  std::string helo_;
  std::string client_addr_;
  std::unique_ptr<Message> message_;
  static std::atomic<long> live_;
};

// sendguard's own abuse alert mail (from [abuse] alert_mail_from, submitted
// locally): neither counted nor restricted, or alerts could feed themselves.
bool IsOwnAlertMail(const Config& config, const Identity& id, const std::string& sender);

// The reply and verdict for "sendguard itself failed" under `config`.
Verdict FailureVerdict(const Config& config, const std::string& why);

}  // namespace sendguard

#endif  // SENDGUARD_SESSION_SESSION_H_

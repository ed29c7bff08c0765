// policyd/responder.cc — protocol_state dispatch onto the Session.
#include "policyd/responder.h"

#include <atomic>
#include <exception>
#include <mutex>
#include <set>

#include "core/log.h"

namespace sendguard::policyd {
namespace {

std::string Bracketed(const std::string& address) { return "<" + address + ">"; }

Macros MacrosOf(const PolicyRequest& r) {
  Macros m;
  m.auth_authen = r.Get("sasl_username");
  m.auth_type = r.Get("sasl_method");
  m.client_addr = r.Get("client_address");
  m.client_port = r.Get("client_port");
  m.queue_id = r.Get("queue_id");
  m.tls_version = r.Get("encryption_protocol");
  return m;
}

int64_t Number(const std::string& text) {
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  return end == text.c_str() || v < 0 ? 0 : v;
}

// Messages whose RCPTs were answered but that never reached END-OF-MESSAGE
// here; with no END-OF-MESSAGE ever, nothing is counted: say so once.
std::atomic<long> g_unfinished{0};
std::atomic<long> g_mail_only{0};  // messages with a MAIL request and no RCPT
std::atomic<bool> g_seen_rcpt{false};
std::atomic<bool> g_warned_mail_only{false};
std::atomic<bool> g_seen_end_of_message{false};
std::atomic<bool> g_warned_no_end{false};
constexpr long kUnfinishedBeforeWarning = 20;

}  // namespace

std::string ActionFor(const Verdict& v) {
  switch (v.kind) {
    case Verdict::Kind::kContinue:
    case Verdict::Kind::kAccept: return "DUNNO";
    case Verdict::Kind::kDiscard: return "DISCARD";
    case Verdict::Kind::kTempfail:
      return v.reply.empty() ? "DEFER_IF_PERMIT" : v.reply.ToString();
    case Verdict::Kind::kReject:
      return v.reply.empty() ? "REJECT" : v.reply.ToString();
  }
  return "DUNNO";
}

void NoteStageForWarnings(const std::string& state) {
  static std::mutex mu;
  static std::set<std::string> warned;
  if (state == "RCPT" || state == "END-OF-MESSAGE" || state == "MAIL") {
    if (state == "END-OF-MESSAGE") g_seen_end_of_message = true;
    if (state == "RCPT") g_seen_rcpt = true;
    return;  // MAIL (suspensions) is fine alongside RCPT: NoteMessageEnded judges it
  }
  std::lock_guard<std::mutex> lock(mu);
  if (warned.size() > 16 || !warned.insert(state).second) return;
  SG_LOG(kWarning) << "policy: request at protocol_state=" << (state.empty() ? "(none)" : state)
                   << ": sendguard counts only at RCPT and END-OF-MESSAGE; put check_policy_service in "
                      "smtpd_recipient_restrictions and smtpd_end_of_data_restrictions (answering DUNNO here)";
}

void NoteMessageEnded(bool reached_end, bool reached_rcpt) {
  if (!reached_end && !reached_rcpt) {
    if (++g_mail_only < kUnfinishedBeforeWarning || g_seen_rcpt || g_warned_mail_only.exchange(true)) return;
    SG_LOG(kWarning) << "policy: " << g_mail_only.load() << " messages had only MAIL requests: sendguard refuses "
                     << "suspended senders there but counts only at RCPT and END-OF-MESSAGE; put "
                        "check_policy_service in smtpd_recipient_restrictions and smtpd_end_of_data_restrictions";
    return;
  }
  if (reached_end) return;
  if (++g_unfinished < kUnfinishedBeforeWarning || g_seen_end_of_message || g_warned_no_end.exchange(true)) return;
  SG_LOG(kWarning) << "policy: " << g_unfinished.load() << " messages had RCPT requests and no END-OF-MESSAGE: "
                   << "nothing is counted unless check_policy_service is in smtpd_end_of_data_restrictions too";
}

Responder::Responder(const SnapshotHolder* snapshots, Runtime* runtime)
    : snapshots_(snapshots), session_(snapshots, runtime, SessionRole::kPolicy) {}

Responder::~Responder() { EndMessage(); }

void Responder::EndMessage() {
  if (instance_.empty()) return;
  NoteMessageEnded(false, reached_rcpt_);
  session_.Abort();
  instance_.clear();
}

std::string Responder::Answer(const PolicyRequest& r) {
  try {
    return AnswerOrThrow(r);
  } catch (const std::exception& e) {
    return ActionFor(FailureVerdict(snapshots_->Current()->config, std::string("policy request: ") + e.what()));
  } catch (...) {
    return ActionFor(FailureVerdict(snapshots_->Current()->config, "policy request: unknown exception"));
  }
}

std::string Responder::AnswerOrThrow(const PolicyRequest& r) {
  const std::string& state = r.Get("protocol_state");
  NoteStageForWarnings(state);
  if (r.Get("request") != "smtpd_access_policy") {
    SG_LOG(kWarning) << "policy: unknown request '" << r.Get("request") << "' answered DUNNO";
    return "DUNNO";
  }
  if (state == "RCPT") return AtRcpt(r);
  if (state == "END-OF-MESSAGE") return AtEndOfMessage(r);
  if (state == "MAIL") return AtMail(r);
  return Other(r);
}

// A new instance is a new message: the old one ended without END-OF-MESSAGE
// (RSET, DATA refused or aborted) and its reservation goes.
Verdict Responder::StartMessage(const PolicyRequest& r) {
  if (!instance_.empty() && r.Get("instance") == instance_ && session_.InMessage()) return mail_verdict_;
  EndMessage();
  instance_ = r.Get("instance").empty() ? "-" : r.Get("instance");
  hold_answered_ = false;
  reached_rcpt_ = false;
  session_.Connect(r.Get("client_name"), r.Get("client_address"));
  mail_verdict_ = session_.MailFrom(Bracketed(r.Get("sender")), MacrosOf(r));
  return mail_verdict_;
}

std::string Responder::AtMail(const PolicyRequest& r) { return ActionFor(StartMessage(r)); }

std::string Responder::AtRcpt(const PolicyRequest& r) {
  Verdict mail = StartMessage(r);
  if (mail.IsRefusal()) return ActionFor(mail);
  reached_rcpt_ = true;
  Verdict v = session_.Rcpt(Bracketed(r.Get("recipient")));
  if (v.IsRefusal()) return ActionFor(v);
  std::string hold = session_.HoldReason();
  if (!hold.empty() && !hold_answered_) {
    hold_answered_ = true;
    return "HOLD " + hold;
  }
  return "DUNNO";
}

std::string Responder::AtEndOfMessage(const PolicyRequest& r) {
  Verdict mail = StartMessage(r);
  if (mail.IsRefusal()) {
    EndMessage();
    return ActionFor(mail);
  }
  EndOfMessage end = session_.EndOfEnvelope(MacrosOf(r), Number(r.Get("recipient_count")), Number(r.Get("size")));
  instance_.clear();
  if (end.verdict.IsRefusal()) return ActionFor(end.verdict);
  if (!end.quarantine_reason.empty() && !hold_answered_) return "HOLD " + end.quarantine_reason;
  return "DUNNO";
}

std::string Responder::Other(const PolicyRequest&) { return "DUNNO"; }

}  // namespace sendguard::policyd

// policyd/responder.h — one policy connection's answers: SMTPD policy
// requests in, Postfix actions out, decided by the same Session, quota store,
// classes, identity rules and suspensions as the milter.
//
// Semantics per protocol_state:
//   RCPT            the first request of a message (a new `instance`) starts
//                   it (suspended sender: refused with the abuse policy's
//                   text; held: HOLD), then the recipient is reserved against
//                   the sender's windows: "451 4.7.1 ..." or "550 5.7.1 ..."
//                   as the milter replies, HOLD for a quarantine class, DUNNO
//                   otherwise.
//   END-OF-MESSAGE  (smtpd_end_of_data_restrictions) commits the quota with
//                   the real `recipient_count` and `size`, reserving first
//                   what no RCPT here reserved (the RCPTs may have gone to
//                   another connection); over a limit: the message is refused.
//   MAIL            starts the message early (a suspended sender is refused
//                   at MAIL FROM); nothing is counted yet.
//   others          DUNNO, and a warning (once per process and state) that
//                   sendguard cannot work there.
// Only MAIL requests (20 messages, no RCPT ever) or RCPT without any
// END-OF-MESSAGE (20 messages) are warned about once per process too.
// A message that never reaches END-OF-MESSAGE (DATA aborted, client gone) is
// released when the next message starts on the connection or the connection
// closes, else its reservation expires ([quota] reservation_ttl). Internal
// errors (exceptions) answer the configured failure action.
// Thread-safety: one responder per connection, used by one thread at a time.
#ifndef SENDGUARD_POLICYD_RESPONDER_H_
#define SENDGUARD_POLICYD_RESPONDER_H_

#include <string>

#include "policy/verdict.h"
#include "policyd/request.h"
#include "session/runtime.h"
#include "session/session.h"
#include "session/snapshot.h"

namespace sendguard::policyd {

class Responder {
 public:
  // Both must outlive the responder.
  Responder(const SnapshotHolder* snapshots, Runtime* runtime);
  ~Responder();

  // The action for one request (without "action=").
  std::string Answer(const PolicyRequest& request);

 private:
  std::string AnswerOrThrow(const PolicyRequest& r);
  Verdict StartMessage(const PolicyRequest& r);
  std::string AtMail(const PolicyRequest& r);
  std::string AtRcpt(const PolicyRequest& r);
  std::string AtEndOfMessage(const PolicyRequest& r);
  std::string Other(const PolicyRequest& r);
  void EndMessage();

  const SnapshotHolder* snapshots_;
  Session session_;
  std::string instance_;    // of the open message ("" = none)
  Verdict mail_verdict_;    // the open message's MAIL FROM decision
  bool hold_answered_ = false;
  bool reached_rcpt_ = false;
};

// Postfix's spelling of a verdict: "DUNNO", "HOLD text", "451 4.7.1 text".
std::string ActionFor(const Verdict& verdict);

// Warnings about the stage the service is attached at; the process-wide
// tallies behind them.
void NoteStageForWarnings(const std::string& protocol_state);
void NoteMessageEnded(bool reached_end_of_message, bool reached_rcpt);

}  // namespace sendguard::policyd

#endif  // SENDGUARD_POLICYD_RESPONDER_H_

// policy/verdict.h — what the session tells the milter layer to do: the
// protocol-neutral form of an SMTP decision and of header edits.
//
// Contract: plain values. The milter layer maps Kind to sfsistat and the reply to
// smfi_setreply; it never makes a decision of its own.
// Thread-safety: plain values.
#ifndef SENDGUARD_POLICY_VERDICT_H_
#define SENDGUARD_POLICY_VERDICT_H_

#include <string>
#include <vector>

#include "core/smtp_reply.h"

namespace sendguard {

struct Verdict {
  enum class Kind { kContinue, kAccept, kTempfail, kReject, kDiscard };
  Kind kind = Kind::kContinue;
  SmtpReply reply;  // for kTempfail / kReject; empty = MTA default text

  static Verdict Continue() { return Verdict(); }
  static Verdict Accept() { return Verdict{Kind::kAccept, {}}; }
  static Verdict Tempfail(SmtpReply r) { return Verdict{Kind::kTempfail, std::move(r)}; }
  static Verdict Reject(SmtpReply r) { return Verdict{Kind::kReject, std::move(r)}; }
  bool IsRefusal() const { return kind == Kind::kTempfail || kind == Kind::kReject || kind == Kind::kDiscard; }
};

struct HeaderEdit {
  enum class Where { kAppend, kFirst };  // end of header block / very top
  Where where = Where::kAppend;
  std::string name;
  std::string value;  // without the leading space (the milter layer adds it)
};

struct EndOfMessage {
  Verdict verdict;                  // kContinue here means "accept as edited"
  std::vector<HeaderEdit> edits;    // applied in order, before the verdict
  std::string quarantine_reason;    // non-empty: put the message on hold
};

const char* VerdictName(const Verdict& v);

}  // namespace sendguard

#endif  // SENDGUARD_POLICY_VERDICT_H_

// core/smtp_reply.h — an SMTP reply: the one type every check (quota, sender,
// spf, content policy) uses to say what the client should be told.
//
// Contract: plain value. `code` is the three-digit reply code ("451"),
// `xcode` the RFC 3463 enhanced status code ("4.7.1"), `text` the
// human-readable part without CR/LF. An empty code means "no reply" (the
// MTA's default text). Thread-safety: plain value.
#ifndef SENDGUARD_CORE_SMTP_REPLY_H_
#define SENDGUARD_CORE_SMTP_REPLY_H_

#include <string>

namespace sendguard {

struct SmtpReply {
  std::string code;   // "451"
  std::string xcode;  // "4.7.1"
  std::string text;   // "alice@example.org: quota 100 messages/1h reached, ..."

  bool empty() const { return code.empty(); }
  // A 5xx reply: the client must not retry.
  bool permanent() const { return !code.empty() && code[0] == '5'; }
  // "451 4.7.1 text".
  std::string ToString() const { return code + " " + xcode + " " + text; }
};

}  // namespace sendguard

#endif  // SENDGUARD_CORE_SMTP_REPLY_H_

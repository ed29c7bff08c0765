// notify/abuse_mail.h — a plain-text mail to the abuse desk through the local
// sendmail(1) (Postfix's or Sendmail's; anything that reads a message on
// stdin and takes "-oi -f FROM -- TO...").
//
// Contract: SendAbuseMail builds an RFC 5322 message (From, To, Subject,
// Date, Message-ID, MIME-Version, a text/plain UTF-8 body,
// "Auto-Submitted: auto-generated" and "X-Sendguard-Alert: yes"), runs
// `sendmail -oi -f FROM -- TO...` with the message on stdin and returns Ok
// when sendmail exits 0. Otherwise the Status names sendmail's exit code (or
// the signal that ended it) and the first lines it wrote to stderr. It never
// waits longer than timeout_ms: sendmail is then killed (SIGKILL) and the
// result is kUnavailable. Line breaks in the subject are replaced by spaces
// (no header injection); a non-ASCII subject is RFC 2047-encoded; addresses
// with spaces, control characters or a leading '-' are refused.
// Thread-safety: may be called from any thread, concurrently (each call has
// its own child process). Safe in a multi-threaded daemon: the child only
// calls async-signal-safe functions before exec, and a sendmail that dies
// early cannot raise SIGPIPE in the caller.
#ifndef SENDGUARD_NOTIFY_ABUSE_MAIL_H_
#define SENDGUARD_NOTIFY_ABUSE_MAIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace sendguard::notify {

struct MailOptions {
  std::string sendmail = "/usr/sbin/sendmail";
  std::string from;             // envelope sender and From: header
  std::vector<std::string> to;  // envelope recipients and To: header; at least one
  int timeout_ms = 30000;       // sendmail is killed after this long
  std::vector<std::string> sendmail_args;  // before -oi, e.g. {"-C", "/etc/postfix-out"}
};

Status SendAbuseMail(const MailOptions& options, const std::string& subject,
                     const std::string& body);

// The message SendAbuseMail pipes to sendmail, for a given time (microseconds
// since the epoch) and Message-ID (without the angle brackets). Lines end in
// "\n" (sendmail's local convention).
std::string BuildAbuseMessage(const MailOptions& options, const std::string& subject,
                              const std::string& body, int64_t now_micros,
                              const std::string& message_id);

}  // namespace sendguard::notify

#endif  // SENDGUARD_NOTIFY_ABUSE_MAIL_H_

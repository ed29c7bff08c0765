// spf/decide.h — maps a PreflightResult to the action the options ask for,
// with an SMTP reply that tells the customer what to fix.
//
// Contract: pure. The most severe action among the egress, DMARC, spoofing and
// temperror checks wins; its reason provides the reply text. Action kNone
// means "nothing to do" (reply empty). Thread-safety: pure function.
#ifndef SENDGUARD_SPF_DECIDE_H_
#define SENDGUARD_SPF_DECIDE_H_

#include <string>

#include "core/smtp_reply.h"

#include "spf/preflight.h"
#include "spf/spf_options.h"
#include "spf/spf_types.h"

namespace sendguard::spf {

struct Decision {
  Action action = Action::kNone;
  std::string reason;         // short token for the log: "spf-egress", "dmarc", "spoof", "temperror"
  // code "550" / "451" and xcode "5.7.1" / "4.7.1" / "4.4.3" unless the
  // action is kNone or kTag (then only the text, for the log); the text has
  // control chars replaced by "?" ("%" is not escaped: the milter layer does).
  SmtpReply reply;

  // "550 5.7.1 <text>", or "" when there is no reply.
  std::string ReplyLine() const;
};

Decision Decide(const PreflightRequest& request, const PreflightResult& result,
                const SpfOptions& options);

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_DECIDE_H_

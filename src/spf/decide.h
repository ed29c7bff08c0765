// spf/decide.h — maps a PreflightResult to the action the options ask for,
// with an SMTP reply that tells the customer what to fix.
//
// Contract: pure. The most severe action among the egress, DMARC, spoofing and
// temperror checks wins; its reason provides the reply text. Action kNone
// means "nothing to do" (reply empty). Thread-safety: pure function.
#ifndef SENDGUARD_SPF_DECIDE_H_
#define SENDGUARD_SPF_DECIDE_H_

#include <string>

#include "spf/preflight.h"
#include "spf/spf_options.h"
#include "spf/spf_types.h"

namespace sendguard::spf {

struct Decision {
  Action action = Action::kNone;
  std::string reason;         // short token for the log: "spf-egress", "dmarc", "spoof", "temperror"
  std::string smtp_code;      // "550" / "451"; "" unless tempfail/reject
  std::string enhanced_code;  // "5.7.1" / "4.7.1" / "4.4.3"; "" unless tempfail/reject
  std::string text;           // human text for the reply, control chars replaced by "?"
                              // ("%" is not escaped: do that for smfi_setreply)

  // "550 5.7.1 <text>", or "" when there is no reply.
  std::string ReplyLine() const;
};

Decision Decide(const PreflightRequest& request, const PreflightResult& result,
                const SpfOptions& options);

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_DECIDE_H_

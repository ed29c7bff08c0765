// master/held_mail_service.h — the parent's side of the console's held-mail
// buttons: the HTTP child (daemon.user for its whole life) asks over its
// channel, the parent, which alone may run postsuper, validates and acts.
//
// Request (one channel message): "TAG held deliver|delete QUEUEID BY USER",
// BY the console user ("console:NAME", no space), USER the identity (the
// rest of the line). Answer: "TAG ok TEXT", "TAG refused TEXT" (malformed
// request, bad queue id, not this account's held mail) or "TAG error TEXT"
// (store or postsuper failure, too many in flight).
//
// Contract: StartHeldMailAction() answers a malformed request at once;
// otherwise it forks a child (still root: postsuper needs it) that closes
// `close_in_child`, opens the shared store and runs ActOnHeldMessage
// (session/held_mail.h: the queue id must be in the account's held list;
// the audit line names BY), writes the answer on `channel` and exits, so the
// parent's loop never waits for the store or for Postfix. At most
// kMaxHeldMailActions run at once; `running` holds their pids for reaping.
// Thread-safety: the parent's loop only.
#ifndef SENDGUARD_MASTER_HELD_MAIL_SERVICE_H_
#define SENDGUARD_MASTER_HELD_MAIL_SERVICE_H_

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

#include "config/config.h"

namespace sendguard {

constexpr size_t kMaxHeldMailActions = 4;

struct HeldMailRequest {
  std::string tag;
  bool deliver = false;
  std::string queue_id;
  std::string by;
  std::string identity;
};

// False (and `why`) for a line that is not a well-formed request.
bool ParseHeldMailRequest(const std::string& line, HeldMailRequest* out, std::string* why);
std::string FormatHeldMailRequest(const HeldMailRequest& request);

void StartHeldMailAction(const Config& config, const std::string& request, int channel,
                         const std::vector<int>& close_in_child, std::set<pid_t>* running);

}  // namespace sendguard

#endif  // SENDGUARD_MASTER_HELD_MAIL_SERVICE_H_

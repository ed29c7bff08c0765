// session/held_mail.h — delivering or deleting an identity's mail in the
// Postfix hold queue (put there by the abuse ladder's hold level or by a
// quarantine action), for `sendguard abuse release --deliver-held|
// --delete-held` and the console's per-message buttons (which ask the
// privileged parent: postsuper needs root).
//
// Contract: IsQueueId() accepts Postfix queue ids (short hex or long
// format: 5 to 32 letters and digits) and nothing else, so no id can be
// taken for an option. RunHeldMailTool() runs postsuper -H (then postqueue
// -i, so it leaves at once) or postsuper -d for the ids, with [abuse]
// postfix_config_dir; an error says which tool failed. ActOnHeldMessage()
// checks that `queue_id` is well formed and in the held list of `user`'s
// abuse record, runs the tool, takes the id out of the list and logs the
// audit entry naming `by` (HeldMailEntry: action deliver-held or
// delete-held, the ids, the tool's result); a refusal is InvalidArgument (bad id) or NotFound
// (not this account's held mail), a store or tool failure Unavailable /
// Internal. Returns what was done, for the admin.
// Thread-safety: safe for concurrent calls (forks and waits for its tools).
#ifndef SENDGUARD_SESSION_HELD_MAIL_H_
#define SENDGUARD_SESSION_HELD_MAIL_H_

#include <string>
#include <vector>

#include "abuse/audit.h"
#include "config/config.h"
#include "core/status.h"
#include "quota/quota_store.h"

namespace sendguard {

bool IsQueueId(const std::string& id);

Status RunHeldMailTool(const Config& config, bool deliver, const std::vector<std::string>& ids);

abuse::AuditEntry HeldMailEntry(const std::string& user, bool deliver, const std::vector<std::string>& ids,
                                const std::string& by, int64_t now, const Status& result);

Result<std::string> ActOnHeldMessage(const Config& config, quota::QuotaStore* store, const std::string& user,
                                     const std::string& queue_id, bool deliver, const std::string& by);

}  // namespace sendguard

#endif  // SENDGUARD_SESSION_HELD_MAIL_H_

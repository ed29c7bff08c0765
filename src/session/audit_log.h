// session/audit_log.h — where the audit entries of abuse actions go
// (abuse/audit.h), in every process that acts on an identity's state.
//
// Contract: Audit() always writes AuditText() to the daemon's log (warning;
// error when the entry's result is not ok) and, once a sink is set, hands
// the entry's AuditJson() line to it. The sink is per process and set at
// its start, before its threads: in the parent, the [log] audit_log file;
// in a worker and in the HTTP child, a message to the parent over their
// channel (they never hold the file, so `sendguard reopen-logs` concerns the
// parent alone); in `sendguard abuse`, the file opened by the command. A
// sink must not block for long: audit entries are written from milter
// threads. RelayName() is this host's name, as alerts and entries give it.
// IsAuditLine() checks a line a child sent before the parent writes it.
// Thread-safety: Audit() is safe from any thread; SetAuditSink() is not
// (call it before threads start).
#ifndef SENDGUARD_SESSION_AUDIT_LOG_H_
#define SENDGUARD_SESSION_AUDIT_LOG_H_

#include <functional>
#include <string>

#include "abuse/audit.h"

namespace sendguard {

using AuditSink = std::function<void(const std::string& line)>;

void SetAuditSink(AuditSink sink);
void Audit(const abuse::AuditEntry& entry);
bool IsAuditLine(const std::string& line);
std::string RelayName();

}  // namespace sendguard

#endif  // SENDGUARD_SESSION_AUDIT_LOG_H_

// cli/abuse_command.h — `sendguard abuse ...`: see and change the abuse state
// of identities, in the store every relay shares (so it works over Redis and
// while the daemon runs).
//
//   abuse learn --postfix-log FILE... [--dry-run]  day-one baselines from Postfix logs
//   abuse list [--all]                  restricted identities (--all: every one known)
//   abuse show USER [--json]            signals of the last hour vs baseline, state, history
//   abuse history USER                  the audit trail
//   abuse suspend USER [--for 24h] [--level suspend|hold|throttle] [--reason TEXT]
//   abuse release USER [--deliver-held | --delete-held]
//
// Contract: returns the exit code (0 ok, 1 store or postsuper error, 64 bad
// usage, 78 configuration). Every change is appended to the identity's
// history with the invoking user and logged. Held mail is released
// (postsuper -H) or deleted (postsuper -d) by the queue ids recorded while
// the identity was held.
// Thread-safety: a command-line entry point.
#ifndef SENDGUARD_CLI_ABUSE_COMMAND_H_
#define SENDGUARD_CLI_ABUSE_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace sendguard {

int RunAbuseCommand(const std::vector<std::string>& args, const std::string& config_path, std::ostream& out,
                    std::ostream& err);

}  // namespace sendguard

#endif  // SENDGUARD_CLI_ABUSE_COMMAND_H_

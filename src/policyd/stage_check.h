// policyd/stage_check.h — is the policy service attached where it can work?
// Reads Postfix's parameters (`postconf -x`, and `postconf -P -x` for
// master.cf overrides) and names the known traps of policy daemons:
//   - check_policy_service only in smtpd_client/helo/sender/data_restrictions
//     (no recipient, nothing to count);
//   - in smtpd_recipient_restrictions but not smtpd_end_of_data_restrictions
//     (reservations are never committed: nothing is ever counted);
//   - only in smtpd_end_of_data_restrictions (counted, but refused only after
//     the whole message was transferred);
//   - after permit_sasl_authenticated / permit_mynetworks / permit in the same
//     list (those senders never reach it);
//   - no check_policy_service names a [policy] listen socket at all.
// Restriction classes (smtpd_restriction_classes) are followed.
// Contract: pure functions over text; warnings are full sentences.
// Thread-safety: plain functions.
#ifndef SENDGUARD_POLICYD_STAGE_CHECK_H_
#define SENDGUARD_POLICYD_STAGE_CHECK_H_

#include <map>
#include <string>
#include <vector>

namespace sendguard::policyd {

// "name = value" lines (postconf output) into a map; a "service/type/name"
// name (postconf -P) keeps its prefix.
std::map<std::string, std::string> ParsePostconf(const std::string& text);

// `sockets` in Postfix's spelling, as in [policy] listen.
std::vector<std::string> StageWarnings(const std::map<std::string, std::string>& main_cf,
                                       const std::map<std::string, std::string>& master_overrides,
                                       const std::vector<std::string>& sockets);

}  // namespace sendguard::policyd

#endif  // SENDGUARD_POLICYD_STAGE_CHECK_H_

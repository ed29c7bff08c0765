// proc/privileges.h — the fixed identities children run as.
//
// Contract: LookupAccount() resolves a user name once, in the parent, so a
// child never needs the user database. BecomeAccount() is for a child right
// after fork: when running as root it sets the supplementary groups, gid and
// uid, then checks that root cannot be regained; without root it succeeds
// only when the process already runs as that account (a child never runs as
// someone other than it was asked to, silently). An empty account keeps the
// current identity.
// Thread-safety: call BecomeAccount() in a single-threaded child.
#ifndef SENDGUARD_PROC_PRIVILEGES_H_
#define SENDGUARD_PROC_PRIVILEGES_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/status.h"

namespace sendguard::proc {

struct Account {
  std::string name;  // "" = keep the current identity
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups of `name`
};

Result<Account> LookupAccount(const std::string& name);

Status BecomeAccount(const Account& account);

// The account of the running process (for messages and status).
std::string CurrentAccountName();

}  // namespace sendguard::proc

#endif  // SENDGUARD_PROC_PRIVILEGES_H_

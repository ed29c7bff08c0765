// proc/privileges.cc — user lookup and the one-way switch to an account.
#include "proc/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sendguard::proc {

Result<Account> LookupAccount(const std::string& name) {
  Account a;
  if (name.empty()) return a;
  const struct passwd* pw = getpwnam(name.c_str());
  if (pw == nullptr) return Status::NotFound("user '" + name + "' does not exist");
  a.name = name;
  a.uid = pw->pw_uid;
  a.gid = pw->pw_gid;
  int n = 64;
  a.groups.resize(n);
  if (getgrouplist(pw->pw_name, pw->pw_gid, a.groups.data(), &n) < 0) {
    a.groups.resize(n);
    getgrouplist(pw->pw_name, pw->pw_gid, a.groups.data(), &n);
  }
  a.groups.resize(n);
  return a;
}

Status BecomeAccount(const Account& a) {
  if (a.name.empty()) return Status::Ok();
  if (geteuid() != 0) {
    if (geteuid() == a.uid) return Status::Ok();
    return Status::Internal("not root, so cannot run as '" + a.name + "'");
  }
  if (setgroups(a.groups.size(), a.groups.data()) != 0 || setgid(a.gid) != 0 || setuid(a.uid) != 0) {
    return Status::Internal("cannot switch to user '" + a.name + "': " + strerror(errno));
  }
  if (a.uid != 0 && setuid(0) == 0) return Status::Internal("could regain root after switching to '" + a.name + "'");
  return Status::Ok();
}

std::string CurrentAccountName() {
  const struct passwd* pw = getpwuid(geteuid());
  return pw ? pw->pw_name : "uid " + std::to_string(geteuid());
}

}  // namespace sendguard::proc

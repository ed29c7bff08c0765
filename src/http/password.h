// http/password.h — console logins: argon2id password hashes (libargon2,
// the only file that includes <argon2.h>) in a users file.
//
// Contract: the users file has one "user:HASH" per line (HASH as
// HashPassword writes it: "$argon2id$v=19$m=19456,t=2,p=1$..."); blank lines
// and '#' comments are ignored; a bad line is an error naming file:line.
// VerifyPassword is false for a wrong password and for a malformed hash.
// Thread-safety: all functions are safe for concurrent use.
#ifndef SENDGUARD_HTTP_PASSWORD_H_
#define SENDGUARD_HTTP_PASSWORD_H_

#include <map>
#include <string>

#include "core/status.h"

namespace sendguard::http {

Result<std::string> HashPassword(const std::string& password);
bool VerifyPassword(const std::string& hash, const std::string& password);

using Users = std::map<std::string, std::string>;  // user -> hash
Result<Users> LoadUsers(const std::string& path);

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_PASSWORD_H_

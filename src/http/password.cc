// http/password.cc — argon2id (RFC 9106) with OWASP's minimum parameters:
// 19 MiB, 2 passes, 1 lane; a 16-byte random salt.
#include "http/password.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <fstream>

namespace sendguard::http {
namespace {

constexpr uint32_t kPasses = 2;
constexpr uint32_t kMemoryKiB = 19456;
constexpr uint32_t kLanes = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

}  // namespace

Result<std::string> HashPassword(const std::string& password) {
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) return Status::Internal("no random bytes for the salt");
  size_t len = argon2_encodedlen(kPasses, kMemoryKiB, kLanes, kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(len, '\0');
  int rc = argon2id_hash_encoded(kPasses, kMemoryKiB, kLanes, password.data(), password.size(), salt, sizeof salt,
                                 kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return Status::Internal(std::string("argon2: ") + argon2_error_message(rc));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  if (hash.compare(0, 10, "$argon2id$") != 0) return false;
  return argon2id_verify(hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

Result<Users> LoadUsers(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError(path + ": cannot read the console users file");
  Users users;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(':');
    if (colon == 0 || colon == std::string::npos || line.compare(colon + 1, 10, "$argon2id$") != 0) {
      return Status::InvalidArgument(path + ":" + std::to_string(n) +
                                     ": expected user:$argon2id$... (make one with `sendguard console-passwd USER`)");
    }
    users[line.substr(0, colon)] = line.substr(colon + 1);
  }
  return users;
}

}  // namespace sendguard::http

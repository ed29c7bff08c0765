// http/sessions.h — console sessions and the login rate limit, in the HTTP
// server's memory (a restart of the server logs everyone out).
//
// Contract: Create() makes a session of 256 random bits with its own CSRF
// token (256 bits), valid for `lifetime_s`; Find() returns it while valid.
// LoginLimiter allows at most `attempts` failed logins per client address in
// any 5 minutes; the table of addresses is bounded (oldest dropped).
// Thread-safety: both classes are safe for concurrent use.
#ifndef SENDGUARD_HTTP_SESSIONS_H_
#define SENDGUARD_HTTP_SESSIONS_H_

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace sendguard::http {

struct ConsoleSession {
  std::string user;
  std::string csrf;
  int64_t expires_s = 0;
};

class SessionTable {
 public:
  explicit SessionTable(int64_t lifetime_s) : lifetime_s_(lifetime_s) {}
  std::string Create(const std::string& user, int64_t now_s);  // the session token
  std::optional<ConsoleSession> Find(const std::string& token, int64_t now_s);
  void Remove(const std::string& token);

 private:
  const int64_t lifetime_s_;
  std::mutex mu_;
  std::map<std::string, ConsoleSession> sessions_;  // guarded by mu_
};

class LoginLimiter {
 public:
  explicit LoginLimiter(int attempts) : attempts_(attempts) {}
  bool Allowed(const std::string& client, int64_t now_s);
  void Failed(const std::string& client, int64_t now_s);

 private:
  static constexpr int64_t kWindowS = 300;
  static constexpr size_t kMaxClients = 10000;
  const int attempts_;
  std::mutex mu_;
  std::map<std::string, std::deque<int64_t>> failures_;  // guarded by mu_
};

// 32 random bytes, hex.
std::string RandomToken();

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_SESSIONS_H_

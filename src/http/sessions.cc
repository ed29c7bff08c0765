// http/sessions.cc — session table and login limiter.
#include "http/sessions.h"

#include <openssl/rand.h>

#include <cstdio>
#include <stdexcept>

namespace sendguard::http {

std::string RandomToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes");
  std::string hex;
  char buf[3];
  for (unsigned char b : bytes) {
    snprintf(buf, sizeof buf, "%02x", b);
    hex += buf;
  }
  return hex;
}

std::string SessionTable::Create(const std::string& user, int64_t now_s) {
  std::string token = RandomToken();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.expires_s <= now_s ? sessions_.erase(it) : std::next(it);
  }
  sessions_[token] = {user, RandomToken(), now_s + lifetime_s_};
  return token;
}

std::optional<ConsoleSession> SessionTable::Find(const std::string& token, int64_t now_s) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end() || it->second.expires_s <= now_s) return std::nullopt;
  return it->second;
}

void SessionTable::Remove(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(token);
}

bool LoginLimiter::Allowed(const std::string& client, int64_t now_s) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(client);
  if (it == failures_.end()) return true;
  while (!it->second.empty() && it->second.front() <= now_s - kWindowS) it->second.pop_front();
  return static_cast<int>(it->second.size()) < attempts_;
}

void LoginLimiter::Failed(const std::string& client, int64_t now_s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (failures_.size() >= kMaxClients && !failures_.count(client)) failures_.erase(failures_.begin());
  failures_[client].push_back(now_s);
}

}  // namespace sendguard::http

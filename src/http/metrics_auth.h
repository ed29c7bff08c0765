// http/metrics_auth.h — who may scrape /metrics: a bearer token
// ([http] metrics_token_file) and/or HTTP basic auth against argon2id users
// ([http] metrics_users_file, the console's "user:HASH" format); with
// neither configured /metrics is open (bound to loopback by default).
//
// Contract: Refusal() returns nothing for an allowed request, else the
// answer to send: 401 with WWW-Authenticate naming each accepted scheme, or
// 429 once a client address has failed `attempts` times in 5 minutes (a
// password guesser gets no more argon2 work out of the server; credentials
// that verified before still pass). Secrets are
// compared in constant time. A basic credential that verified once is
// remembered by its SHA-256 (at most kRemembered of them), so a scraper
// costs one argon2 verification per HTTP-process lifetime, not per scrape.
// Thread-safety: Refusal() is safe for concurrent calls.
#ifndef SENDGUARD_HTTP_METRICS_AUTH_H_
#define SENDGUARD_HTTP_METRICS_AUTH_H_

#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "http/password.h"
#include "http/server.h"
#include "http/sessions.h"

namespace sendguard::http {

class MetricsAuth {
 public:
  MetricsAuth(std::string token, Users users, int attempts);
  std::optional<Response> Refusal(const Request& request);
  bool open() const { return token_.empty() && users_.empty(); }

 private:
  static constexpr size_t kRemembered = 64;
  bool Remembered(const std::string& credentials);  // verified before
  bool Verify(const std::string& credentials);      // argon2; remembered when right
  Response Unauthorized() const;

  const std::string token_;
  const Users users_;
  LoginLimiter limiter_;
  std::mutex mu_;
  std::set<std::string> verified_;  // SHA-256 of "user:password"; guarded by mu_
};

// Constant-time comparison of secrets.
bool SecretEquals(const std::string& a, const std::string& b);

// "user:password" from the value of an "Authorization: Basic ..." header;
// nothing if it is not one (or not valid base64, or has no ':').
std::optional<std::string> BasicCredentials(const std::string& header_value);

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_METRICS_AUTH_H_

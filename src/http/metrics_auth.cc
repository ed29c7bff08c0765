// http/metrics_auth.cc — bearer token and basic auth for the scrape.
#include "http/metrics_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <ctime>

namespace sendguard::http {
namespace {

std::string Sha256(const std::string& s) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

bool StartsWithNoCase(const std::string& s, const std::string& prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool SecretEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> BasicCredentials(const std::string& value) {
  if (!StartsWithNoCase(value, "Basic ")) return std::nullopt;
  std::string encoded = value.substr(6);
  while (!encoded.empty() && encoded.back() == ' ') encoded.pop_back();
  if (encoded.empty() || encoded.size() % 4 != 0 || encoded.size() > 4096) return std::nullopt;
  std::string decoded(encoded.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                          reinterpret_cast<const unsigned char*>(encoded.data()), static_cast<int>(encoded.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t padding = encoded.size() - encoded.find_last_not_of('=') - 1;
  if (padding > 2) return std::nullopt;
  decoded.resize(static_cast<size_t>(n) - padding);
  if (decoded.find(':') == std::string::npos) return std::nullopt;
  return decoded;
}

MetricsAuth::MetricsAuth(std::string token, Users users, int attempts)
    : token_(std::move(token)), users_(std::move(users)), limiter_(attempts) {}

std::optional<Response> MetricsAuth::Refusal(const Request& req) {
  if (open()) return std::nullopt;
  auto header = req.headers.find("authorization");
  std::string value = header == req.headers.end() ? "" : header->second;
  if (!token_.empty() && SecretEquals(value, "Bearer " + token_)) return std::nullopt;
  if (value.empty()) return Unauthorized();  // costs nothing, so not limited
  std::optional<std::string> credentials = users_.empty() ? std::nullopt : BasicCredentials(value);
  // A scraper whose password verified before is not locked out by a guesser
  // on the same address.
  if (credentials && Remembered(*credentials)) return std::nullopt;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (!limiter_.Allowed(req.client_ip, now)) {
    Response r = TextResponse(429, "too many failed attempts from this address; try again in a few minutes\n");
    r.headers.push_back({"Retry-After", "300"});
    return r;
  }
  if (credentials && Verify(*credentials)) return std::nullopt;
  limiter_.Failed(req.client_ip, now);
  return Unauthorized();
}

bool MetricsAuth::Remembered(const std::string& credentials) {
  std::string digest = Sha256(credentials);
  std::lock_guard<std::mutex> lock(mu_);
  return verified_.count(digest) > 0;
}

bool MetricsAuth::Verify(const std::string& credentials) {
  std::string digest = Sha256(credentials);
  size_t colon = credentials.find(':');
  auto user = users_.find(credentials.substr(0, colon));
  if (user == users_.end() || !VerifyPassword(user->second, credentials.substr(colon + 1))) return false;
  std::lock_guard<std::mutex> lock(mu_);
  if (verified_.size() >= kRemembered) verified_.erase(verified_.begin());
  verified_.insert(digest);
  return true;
}

Response MetricsAuth::Unauthorized() const {
  Response r = TextResponse(401, users_.empty() ? "a bearer token is required\n"
                                                : (token_.empty() ? "basic authentication is required\n"
                                                                  : "a bearer token or basic authentication is required\n"));
  if (!token_.empty()) r.headers.push_back({"WWW-Authenticate", "Bearer realm=\"sendguard metrics\""});
  if (!users_.empty()) r.headers.push_back({"WWW-Authenticate", "Basic realm=\"sendguard metrics\", charset=\"UTF-8\""});
  return r;
}

}  // namespace sendguard::http

// quota/identity.cc — normalisation of logins and client addresses.
#include "quota/identity.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace sendguard {
namespace quota {

namespace {

constexpr size_t kMaxLogin = 320;  // RFC 5321 path limits; keeps store keys small

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

void MaskBits(unsigned char* bytes, int total_bits, int prefix) {
  for (int bit = prefix; bit < total_bits; ++bit) {
    bytes[bit / 8] &= static_cast<unsigned char>(~(0x80u >> (bit % 8)));
  }
}

}  // namespace

Result<Identity> Identity::FromLogin(const std::string& login, const QuotaOptions& options) {
  std::string name = Trim(login);
  if (name.empty()) return Status::InvalidArgument("empty login");
  if (name.size() > kMaxLogin) return Status::InvalidArgument("login longer than 320 bytes");
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("control character in login");
    }
  }
  if (options.case_fold) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  Identity id;
  id.name_ = name;
  size_t at = name.rfind('@');
  if (at != std::string::npos && at + 1 < name.size()) {
    id.domain_ = name.substr(at + 1);
    std::transform(id.domain_.begin(), id.domain_.end(), id.domain_.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  return id;
}

Result<Identity> Identity::FromClientAddress(const std::string& address,
                                             const QuotaOptions& options) {
  std::string text = Trim(address);
  if (!text.empty() && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.rfind("IPv6:", 0) == 0) text = text.substr(5);
  unsigned char bytes[16];
  char out[INET6_ADDRSTRLEN];
  int family = AF_INET, bits = 32, prefix = options.ipv4_prefix;
  if (inet_pton(AF_INET, text.c_str(), bytes) != 1) {
    if (inet_pton(AF_INET6, text.c_str(), bytes) != 1) {
      return Status::InvalidArgument("not an IP address: '" + address + "'");
    }
    family = AF_INET6;
    bits = 128;
    prefix = options.ipv6_prefix;
  }
  prefix = std::max(0, std::min(prefix, bits));
  MaskBits(bytes, bits, prefix);
  inet_ntop(family, bytes, out, sizeof out);
  Identity id;
  id.name_ = "ip:" + std::string(out) + "/" + std::to_string(prefix);
  return id;
}

Result<Identity> Identity::FromCliArgument(const std::string& text, const QuotaOptions& options) {
  if (text.rfind("ip:", 0) != 0) return FromLogin(text, options);
  std::string address = text.substr(3);
  size_t slash = address.find('/');
  if (slash != std::string::npos) address = address.substr(0, slash);
  return FromClientAddress(address, options);
}

std::string Identity::UserSubject() const { return "u:" + name_; }

std::string Identity::DomainSubject() const {
  return domain_.empty() ? std::string() : "d:" + domain_;
}

}  // namespace quota
}  // namespace sendguard

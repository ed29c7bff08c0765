// quota/identity.cc — normalisation of logins and client addresses.
#include "quota/identity.h"

#include <algorithm>

#include "core/net.h"
#include "core/strings.h"
#include "idna/idna.h"

namespace sendguard {
namespace quota {

namespace {

constexpr size_t kMaxLogin = 320;  // RFC 5321 path limits; keeps store keys small

}  // namespace

std::string NormalizeLogin(std::string_view login, bool fold_case) {
  std::string_view trimmed = Trim(login);
  std::string name = fold_case ? Lower(trimmed) : std::string(trimmed);
  Result<std::string> canonical = idna::CanonicalAddress(name);
  return canonical.ok() ? *canonical : name;  // not IDNA: counted as written
}

Result<Identity> Identity::FromLogin(const std::string& login, const QuotaOptions& options) {
  std::string name = NormalizeLogin(login, options.case_fold);
  if (name.empty()) return Status::InvalidArgument("empty login");
  if (name.size() > kMaxLogin) return Status::InvalidArgument("login longer than 320 bytes");
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("control character in login");
    }
  }
  Identity id;
  id.name_ = name;
  id.domain_ = DomainOf(name);
  return id;
}

Result<Identity> Identity::FromClientAddress(const std::string& address,
                                             const QuotaOptions& options) {
  std::string text(Trim(address));
  if (!text.empty() && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.rfind("IPv6:", 0) == 0) text = text.substr(5);
  Result<IpAddress> ip = IpAddress::Parse(text);
  if (!ip.ok()) return Status::InvalidArgument("not an IP address: '" + address + "'");
  int bits = ip->v6 ? 128 : 32;
  int prefix = std::max(0, std::min(ip->v6 ? options.ipv6_prefix : options.ipv4_prefix, bits));
  Identity id;
  id.name_ = "ip:" + ip->Masked(prefix).ToString() + "/" + std::to_string(prefix);
  return id;
}

Result<Identity> Identity::FromCliArgument(const std::string& text, const QuotaOptions& options) {
  if (text.rfind("ip:", 0) != 0) return FromLogin(text, options);
  std::string address = text.substr(3);
  size_t slash = address.find('/');
  if (slash != std::string::npos) address = address.substr(0, slash);
  return FromClientAddress(address, options);
}

std::string Identity::DisplayName() const {
  if (domain_.empty()) return name_;
  return name_.substr(0, name_.size() - domain_.size()) + idna::DisplayDomain(domain_);
}

std::string Identity::UserSubject() const { return "u:" + name_; }

std::string Identity::DomainSubject() const {
  return domain_.empty() ? std::string() : "d:" + domain_;
}

}  // namespace quota
}  // namespace sendguard

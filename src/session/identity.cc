// session/identity.cc — login / trusted address / untrusted.
#include "session/identity.h"

#include <algorithm>
#include <cctype>

#include "core/net.h"

namespace sendguard {

namespace {
std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
}  // namespace

std::string Identity::ToString() const {
  if (kind == Kind::kUntrusted) return name.empty() ? "unknown (untrusted)" : name + " (untrusted)";
  return name;
}

Identity DetermineIdentity(const Config& config, const std::string& auth_authen,
                           const std::string& client_addr) {
  Identity id;
  if (!auth_authen.empty()) {
    id.kind = Identity::Kind::kLogin;
    id.name = config.identity.fold_case ? Lower(auth_authen) : auth_authen;
    return id;
  }
  id.name = client_addr;
  Result<IpAddress> addr = IpAddress::Parse(client_addr);
  if (addr.ok()) {
    id.name = addr->ToString();
    if (InAnyPrefix(config.identity.trusted_networks, *addr)) id.kind = Identity::Kind::kTrustedAddress;
  }
  return id;
}

}  // namespace sendguard

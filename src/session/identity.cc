// session/identity.cc — login / trusted address / untrusted.
#include "session/identity.h"

#include "core/net.h"
#include "quota/identity.h"

namespace sendguard {

std::string Identity::ToString() const {
  if (kind == Kind::kUntrusted) return name.empty() ? "unknown (untrusted)" : name + " (untrusted)";
  return name;
}

Identity DetermineIdentity(const Config& config, const std::string& auth_authen,
                           const std::string& client_addr) {
  Identity id;
  if (!auth_authen.empty()) {
    id.kind = Identity::Kind::kLogin;
    id.name = quota::NormalizeLogin(auth_authen, config.identity.fold_case);
    id.written = auth_authen;
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

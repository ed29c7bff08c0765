// spf/spf_options.cc — range and syntax checks of SpfOptions.
#include "spf/spf_options.h"

#include <arpa/inet.h>

namespace sendguard::spf {
namespace {

bool IsIp(const std::string& ip) {
  unsigned char buf[16];
  return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

Status Bad(const std::string& key, const std::string& why) {
  return Status::InvalidArgument("spf_" + key + ": " + why);
}

}  // namespace

Status ValidateSpfOptions(const SpfOptions& o) {
  for (const std::string& ip : o.egress_ips) {
    if (!IsIp(ip)) return Bad("egress_ips", "'" + ip + "' is not an IP address");
  }
  if (o.egress_ips.size() > 32) return Bad("egress_ips", "more than 32 addresses");
  if (o.timeout_ms < 10 || o.timeout_ms > 60000) return Bad("timeout_ms", "must be 10..60000");
  if (o.helpers < 1 || o.helpers > 64) return Bad("helpers", "must be 1..64");
  if (o.cache_bits < 1 || o.cache_bits > 20) return Bad("cache_bits", "must be 1..20");
  if (o.resolver_timeout_s < 1 || o.resolver_timeout_s > 30) {
    return Bad("resolver_timeout_s", "must be 1..30");
  }
  if (o.include_hint.find_first_of("\"\r\n") != std::string::npos) {
    return Bad("include_hint", "must not contain quotes or line breaks");
  }
  if (o.authserv_id.empty() || o.authserv_id.find_first_of(" ;\r\n") != std::string::npos) {
    return Bad("authserv_id", "must be one token");
  }
  return Status::Ok();
}

}  // namespace sendguard::spf

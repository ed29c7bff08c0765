// Fuzz target: the quota policy parser must return a policy or a file:line
// error for any input, and lookups on a parsed policy must not crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "quota/quota_policy.h"

using namespace sendguard::quota;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto policy = QuotaPolicy::Parse(text, "fuzz.conf");
  if (!policy.ok()) return 0;
  (*policy)->ClassFor("alice@example.org", nullptr);
  (*policy)->ClassFor("ip:192.0.2.0/24", nullptr);
  (*policy)->DomainLimits("example.org");
  return 0;
}

// session/policy_tie.cc — marks are records "t:ADDR/PORT" holding the unix
// time they were set.
#include "session/policy_tie.h"

#include <cstdlib>

namespace sendguard {
namespace {

constexpr char kPrefix[] = "t:";

bool Fresh(const std::string& stored, int64_t now, int64_t max_age) {
  if (stored.empty()) return false;
  int64_t at = std::strtoll(stored.c_str(), nullptr, 10);
  return at > 0 && now - at <= max_age;
}

}  // namespace

std::string PolicyTieKey(const std::string& client_addr, const std::string& client_port) {
  return kPrefix + client_addr + "/" + client_port;
}

Status MarkCountedByPolicy(quota::QuotaStore* store, const std::string& key, int64_t now) {
  std::string value = std::to_string(now);
  Result<std::string> saved = store->UpdateRecord(key, [&](const std::string&) { return value; });
  return saved.ok() ? Status::Ok() : saved.status();
}

Result<bool> TakePolicyMark(quota::QuotaStore* store, const std::string& key, int64_t now, int64_t max_age) {
  bool fresh = false;
  Result<std::string> saved = store->UpdateRecord(key, [&](const std::string& stored) {
    fresh = Fresh(stored, now, max_age);  // the last run's answer counts
    return std::string();
  });
  if (!saved.ok()) return saved.status();
  return fresh;
}

Result<size_t> PrunePolicyMarks(quota::QuotaStore* store, int64_t now, int64_t max_age) {
  Result<std::vector<std::string>> keys = store->RecordKeys(kPrefix);
  if (!keys.ok()) return keys.status();
  size_t pruned = 0;
  for (const std::string& key : *keys) {
    bool stale = false;
    Result<std::string> saved = store->UpdateRecord(key, [&](const std::string& stored) {
      stale = !Fresh(stored, now, max_age);
      return stale ? std::string() : stored;
    });
    if (!saved.ok()) return saved.status();
    pruned += stale;
  }
  return pruned;
}

}  // namespace sendguard

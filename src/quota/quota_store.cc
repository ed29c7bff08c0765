// quota/quota_store.cc — parts of the store contract shared by all backends.
#include "quota/quota_store.h"

#include <algorithm>

namespace sendguard {
namespace quota {

std::vector<WindowLimit> StatisticsSeries() {
  std::vector<WindowLimit> series;
  for (Metric m : {Metric::kMessages, Metric::kRecipients, Metric::kBytes}) {
    WindowLimit w;
    w.metric = m;
    w.limit = 0;
    w.window_seconds = 3600;
    w.resolution_seconds = 60;
    series.push_back(w);
  }
  return series;
}

std::vector<WindowLimit> SeriesToCount(const std::vector<WindowLimit>& limits) {
  std::vector<WindowLimit> out;
  auto add = [&out](const WindowLimit& w) {
    for (const WindowLimit& have : out) {
      if (have.SameSeries(w)) return;
    }
    out.push_back(w);
  };
  for (const WindowLimit& w : limits) add(w);
  for (const WindowLimit& w : StatisticsSeries()) add(w);
  return out;
}

void KeepHeaviest(size_t n, std::vector<TopEntry>* entries) {
  auto heavier = [](const TopEntry& a, const TopEntry& b) {
    if (a.last_hour.messages != b.last_hour.messages) return a.last_hour.messages > b.last_hour.messages;
    if (a.last_hour.recipients != b.last_hour.recipients) return a.last_hour.recipients > b.last_hour.recipients;
    return a.subject < b.subject;
  };
  std::sort(entries->begin(), entries->end(), heavier);
  if (entries->size() > n) entries->resize(n);
}

std::string VersionedValue(uint64_t version, const std::string& bytes) {
  return std::to_string(version) + "\n" + bytes;
}

StoredRecord ParseVersionedValue(const std::string& value) {
  size_t digits = 0;
  while (digits < value.size() && digits < 20 && value[digits] >= '0' && value[digits] <= '9') ++digits;
  if (digits == 0 || digits >= value.size() || value[digits] != '\n') return {value, 0};
  return {value.substr(digits + 1), std::stoull(value.substr(0, digits))};
}

Result<std::string> QuotaStore::GetRecord(const std::string& key) {
  Result<StoredRecord> r = ReadRecord(key);
  if (!r.ok()) return r.status();
  return r->bytes;
}

}  // namespace quota
}  // namespace sendguard

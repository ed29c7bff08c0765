// quota/limits.cc — names and arithmetic of quota quantities.
#include "quota/limits.h"

#include "quota/units.h"

namespace sendguard {
namespace quota {

const char* MetricName(Metric m) {
  switch (m) {
    case Metric::kMessages: return "messages";
    case Metric::kRecipients: return "recipients";
    case Metric::kBytes: return "bytes";
  }
  return "?";
}

int64_t Amounts::Of(Metric m) const {
  switch (m) {
    case Metric::kMessages: return messages;
    case Metric::kRecipients: return recipients;
    case Metric::kBytes: return bytes;
  }
  return 0;
}

void Amounts::Add(const Amounts& other) {
  messages += other.messages;
  recipients += other.recipients;
  bytes += other.bytes;
}

std::string WindowLimit::Describe() const {
  std::string amount = metric == Metric::kBytes
                           ? FormatSize(limit)
                           : std::to_string(limit) + " " + MetricName(metric);
  return amount + "/" + FormatDuration(window_seconds);
}

int64_t DefaultResolution(int64_t window_seconds) {
  int64_t r = window_seconds / 60;
  return r < 1 ? 1 : r;
}

}  // namespace quota
}  // namespace sendguard

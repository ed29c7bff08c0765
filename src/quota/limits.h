// quota/limits.h — the vocabulary shared by policy, store and message layer:
// what is counted (Metric), how much of it (Amounts) and over which sliding
// window (WindowLimit).
//
// Sliding-window semantics (exact to the resolution): a window of W seconds
// with resolution R is kept as buckets of R seconds. An event stops counting
// when the bucket it fell into is more than W seconds old, i.e. each event
// counts for at least W and at most W + R seconds. Hence no interval of W
// seconds ever holds more than the limit (no burst at a window edge), and
// quota frees up at most R seconds later than an ideal log would.
// Thread-safety: plain values.
#ifndef SENDGUARD_QUOTA_LIMITS_H_
#define SENDGUARD_QUOTA_LIMITS_H_

#include <cstdint>
#include <string>

namespace sendguard {
namespace quota {

enum class Metric : uint8_t { kMessages = 0, kRecipients = 1, kBytes = 2 };

const char* MetricName(Metric m);  // "messages", "recipients", "bytes"

struct Amounts {
  int64_t messages = 0;
  int64_t recipients = 0;
  int64_t bytes = 0;

  int64_t Of(Metric m) const;
  void Add(const Amounts& other);
  bool IsZero() const { return messages == 0 && recipients == 0 && bytes == 0; }
};

struct WindowLimit {
  Metric metric = Metric::kMessages;
  int64_t limit = 0;             // events allowed per window; 0 = none at all
  int64_t window_seconds = 3600;
  int64_t resolution_seconds = 60;  // bucket size, >= 1

  // "100 messages/1h", "50MB/1d" -> human text for replies and the CLI.
  std::string Describe() const;
  bool SameSeries(const WindowLimit& o) const {
    return metric == o.metric && window_seconds == o.window_seconds &&
           resolution_seconds == o.resolution_seconds;
  }
};

// Default resolution for a window: window / 60, at least one second.
int64_t DefaultResolution(int64_t window_seconds);

}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_QUOTA_LIMITS_H_

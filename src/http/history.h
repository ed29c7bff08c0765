// http/history.h — the console's on-disk ring of per-minute counters: one
// week of minutes (messages accepted, quarantined, tempfailed, rejected, and
// quota refusals at RCPT), kept in a fixed-size file so the charts survive
// restarts of the daemon and of the HTTP server.
//
// Contract: Sample() takes the daemon's current totals (metrics sums) and
// adds what grew since the last sample to the current minute (a total below
// the last one means the daemon restarted: all of it is new). The last totals
// are kept in the file too. Range() returns `points` buckets covering the
// last `minutes`, oldest first, with each series summed per bucket. A file of
// the wrong size or magic is started afresh (and said so in the Status of
// Open only when it cannot be written).
// Thread-safety: safe for concurrent use.
#ifndef SENDGUARD_HTTP_HISTORY_H_
#define SENDGUARD_HTTP_HISTORY_H_

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"

namespace sendguard::http {

constexpr size_t kHistorySeries = 5;
extern const char* const kHistorySeriesNames[kHistorySeries];  // accept, quarantine, tempfail, reject, quota_refusal
using Totals = std::array<uint64_t, kHistorySeries>;

struct HistoryPoint {
  int64_t start_s = 0;  // unix seconds of the bucket's first minute
  Totals values{};
};

class HistoryRing {
 public:
  static constexpr int64_t kMinutes = 7 * 24 * 60;
  static Result<std::unique_ptr<HistoryRing>> Open(const std::string& path);
  ~HistoryRing();

  void Sample(const Totals& totals, int64_t now_s);
  std::vector<HistoryPoint> Range(int64_t now_s, int64_t minutes, int64_t points);

 private:
  struct Record {
    int64_t minute;
    Totals values;
  };
  explicit HistoryRing(int fd) : fd_(fd) {}
  Record Read(int64_t minute);
  void Write(const Record& r);

  std::mutex mu_;
  const int fd_;
  Totals last_{};  // guarded by mu_
};

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_HISTORY_H_

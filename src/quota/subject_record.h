// quota/subject_record.h — everything the store keeps about one counted
// subject (a user, a client network or a sender domain): committed counts in
// sliding-window buckets, and pending reservations of messages in flight.
//
// Contract: pure logic, no I/O, time passed in. Any store backend keeps one
// encoded SubjectRecord per subject and runs Reserve/Commit/Release on it
// inside one atomic read-modify-write, which is what makes concurrent
// reservations exact. Decode() rejects malformed bytes with a Status, never
// crashes. Memory is bounded: buckets older than their window and pending
// entries past their deadline are dropped by Prune().
// Thread-safety: a plain value; callers synchronise.
#ifndef SENDGUARD_QUOTA_SUBJECT_RECORD_H_
#define SENDGUARD_QUOTA_SUBJECT_RECORD_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "quota/limits.h"

namespace sendguard {
namespace quota {

struct PendingEntry {
  uint64_t id = 0;
  int64_t deadline_seconds = 0;  // stops counting at this time
  Amounts amounts;
};

struct Series {
  Metric metric = Metric::kMessages;
  int64_t window_seconds = 0;
  int64_t resolution_seconds = 1;
  std::vector<std::pair<int64_t, int64_t>> buckets;  // (bucket index, count), ascending
};

// Result of checking one limit.
struct LimitCheck {
  bool fits = true;
  int64_t used = 0;             // committed + pending, before the new amount
  int64_t retry_after_seconds = 0;  // unix time when the new amount would fit
};

class SubjectRecord {
 public:
  // Committed events of `limit`'s metric counted in its window at `now`.
  int64_t Committed(const WindowLimit& limit, int64_t now) const;
  // Pending (not yet committed, not expired) amount of `metric`.
  int64_t Pending(Metric metric, int64_t now) const;
  // Whether `extra` more fits under `limit`; when not, when it will.
  LimitCheck Check(const WindowLimit& limit, int64_t extra, int64_t now) const;

  // Adds `delta` to the pending entry `id` (creating it), deadline refreshed.
  void AddPending(uint64_t id, const Amounts& delta, int64_t deadline);
  // Drops pending entry `id` if present.
  void RemovePending(uint64_t id);
  // Counts `amounts` at `now` into the series of every limit in `limits`.
  void AddCommitted(const std::vector<WindowLimit>& limits, const Amounts& amounts,
                    int64_t now);

  // Drops expired buckets, empty series and expired pending entries.
  void Prune(int64_t now);
  // True when nothing in the record counts any more (it can be deleted).
  bool Empty() const { return pending_.empty() && series_.empty(); }
  // Unix time after which the record is certainly empty.
  int64_t ExpiresAt() const;

  const std::vector<PendingEntry>& pending() const { return pending_; }
  const std::vector<Series>& series() const { return series_; }

  std::string Encode() const;
  static Result<SubjectRecord> Decode(const void* data, size_t size);
  // Reads only the expiry from an encoded record (cheap garbage collection).
  static Result<int64_t> DecodeExpiresAt(const void* data, size_t size);

 private:
  const Series* FindSeries(const WindowLimit& limit) const;
  Series* FindOrAddSeries(const WindowLimit& limit);

  std::vector<PendingEntry> pending_;
  std::vector<Series> series_;
};

}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_QUOTA_SUBJECT_RECORD_H_

// quota/subject_record.cc — sliding-window buckets and pending reservations
// of one subject, and their compact binary encoding. Malformed input fails
// with Status::Internal naming what is wrong.
#include "quota/subject_record.h"

#include <algorithm>
#include <cstring>

namespace sendguard {
namespace quota {

namespace {

constexpr uint32_t kMagic = 0x31514753;  // "SGQ1"
// Sums of at most kMaxEntries counts of at most kMaxCount never overflow.
constexpr int64_t kMaxCount = int64_t{1} << 40;
constexpr uint32_t kMaxEntries = uint32_t{1} << 20;

constexpr int64_t kMaxWindow = int64_t{1} << 32;      // seconds; policies allow 1 year
constexpr int64_t kMaxTime = int64_t{1} << 42;        // seconds since the epoch

bool CountOk(int64_t v) { return v >= 0 && v <= kMaxCount; }

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t BucketsPerWindow(int64_t window, int64_t resolution) {
  return (window + resolution - 1) / resolution;
}

// Oldest bucket index still counting at `now`.
int64_t OldestLiveBucket(const Series& s, int64_t now) {
  return FloorDiv(now, s.resolution_seconds) -
         BucketsPerWindow(s.window_seconds, s.resolution_seconds);
}

// Time at which bucket `index` stops counting.
int64_t BucketExpiry(const Series& s, int64_t index) {
  return (index + BucketsPerWindow(s.window_seconds, s.resolution_seconds) + 1) *
         s.resolution_seconds;
}

class Writer {
 public:
  template <typename T>
  void Put(T v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  Reader(const void* data, size_t size)
      : p_(static_cast<const char*>(data)), left_(size) {}
  template <typename T>
  bool Get(T* v) {
    if (left_ < sizeof *v) return false;
    std::memcpy(v, p_, sizeof *v);
    p_ += sizeof *v;
    left_ -= sizeof *v;
    return true;
  }
  size_t left() const { return left_; }

 private:
  const char* p_;
  size_t left_;
};

Status Corrupt(const char* what) {
  return Status::Internal(std::string("corrupt quota record: ") + what);
}

bool ReadPending(Reader* r, PendingEntry* e) {
  return r->Get(&e->id) && r->Get(&e->deadline_seconds) && r->Get(&e->amounts.messages) &&
         r->Get(&e->amounts.recipients) && r->Get(&e->amounts.bytes) &&
         CountOk(e->amounts.messages) && CountOk(e->amounts.recipients) &&
         CountOk(e->amounts.bytes) && e->deadline_seconds >= 0 &&
         e->deadline_seconds <= kMaxTime;
}

Status ReadSeries(Reader* r, Series* s) {
  uint8_t metric;
  uint32_t n;
  if (!r->Get(&metric) || !r->Get(&s->window_seconds) || !r->Get(&s->resolution_seconds) ||
      !r->Get(&n)) {
    return Corrupt("truncated series header");
  }
  if (metric > static_cast<uint8_t>(Metric::kBytes)) return Corrupt("bad metric");
  if (s->window_seconds <= 0 || s->resolution_seconds <= 0 ||
      s->window_seconds > kMaxWindow || s->resolution_seconds > s->window_seconds) {
    return Corrupt("bad window");
  }
  if (n > r->left() / 16 || n > kMaxEntries) return Corrupt("bucket count exceeds record");
  s->metric = static_cast<Metric>(metric);
  s->buckets.resize(n);
  int64_t previous = -1;
  for (auto& b : s->buckets) {
    r->Get(&b.first);
    r->Get(&b.second);
    if (b.first <= previous || b.first < 0 || b.first > kMaxTime / s->resolution_seconds ||
        !CountOk(b.second)) {
      return Corrupt("bad bucket");
    }
    previous = b.first;
  }
  return Status::Ok();
}

}  // namespace

const Series* SubjectRecord::FindSeries(const WindowLimit& limit) const {
  for (const Series& s : series_) {
    if (s.metric == limit.metric && s.window_seconds == limit.window_seconds &&
        s.resolution_seconds == limit.resolution_seconds) {
      return &s;
    }
  }
  return nullptr;
}

Series* SubjectRecord::FindOrAddSeries(const WindowLimit& limit) {
  if (const Series* found = FindSeries(limit)) return const_cast<Series*>(found);
  Series s;
  s.metric = limit.metric;
  s.window_seconds = limit.window_seconds;
  s.resolution_seconds = limit.resolution_seconds;
  series_.push_back(std::move(s));
  return &series_.back();
}

int64_t SubjectRecord::Committed(const WindowLimit& limit, int64_t now) const {
  const Series* s = FindSeries(limit);
  if (s == nullptr) return 0;
  int64_t oldest = OldestLiveBucket(*s, now);
  int64_t sum = 0;
  for (const auto& b : s->buckets) {
    if (b.first >= oldest) sum += b.second;
  }
  return sum;
}

int64_t SubjectRecord::Pending(Metric metric, int64_t now) const {
  int64_t sum = 0;
  for (const PendingEntry& e : pending_) {
    if (e.deadline_seconds > now) sum += e.amounts.Of(metric);
  }
  return sum;
}

LimitCheck SubjectRecord::Check(const WindowLimit& limit, int64_t extra, int64_t now) const {
  LimitCheck check;
  check.used = Committed(limit, now) + Pending(limit.metric, now);
  if (check.used + extra <= limit.limit) return check;
  check.fits = false;
  int64_t need = check.used + extra - limit.limit;
  const Series* s = FindSeries(limit);
  if (s != nullptr && extra <= limit.limit) {
    int64_t oldest = OldestLiveBucket(*s, now);
    for (const auto& b : s->buckets) {
      if (b.first < oldest) continue;
      need -= b.second;
      if (need <= 0) {
        check.retry_after_seconds = BucketExpiry(*s, b.first);
        return check;
      }
    }
  }
  // Only pending reservations (which end soon) or an amount larger than the
  // whole limit stand in the way: suggest one resolution step / one window.
  bool pending_blocks = extra <= limit.limit && Pending(limit.metric, now) > 0;
  check.retry_after_seconds =
      now + (pending_blocks ? limit.resolution_seconds : limit.window_seconds);
  return check;
}

void SubjectRecord::AddPending(uint64_t id, const Amounts& delta, int64_t deadline) {
  for (PendingEntry& e : pending_) {
    if (e.id == id) {
      e.amounts.Add(delta);
      e.deadline_seconds = deadline;
      return;
    }
  }
  PendingEntry e;
  e.id = id;
  e.deadline_seconds = deadline;
  e.amounts = delta;
  pending_.push_back(e);
}

void SubjectRecord::RemovePending(uint64_t id) {
  pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                [id](const PendingEntry& e) { return e.id == id; }),
                 pending_.end());
}

void SubjectRecord::AddCommitted(const std::vector<WindowLimit>& limits,
                                 const Amounts& amounts, int64_t now) {
  for (const WindowLimit& limit : limits) {
    int64_t count = amounts.Of(limit.metric);
    if (count == 0) continue;
    Series* s = FindOrAddSeries(limit);
    int64_t index = FloorDiv(now, s->resolution_seconds);
    auto it = std::lower_bound(s->buckets.begin(), s->buckets.end(),
                               std::make_pair(index, INT64_MIN));
    if (it != s->buckets.end() && it->first == index) {
      it->second += count;
    } else {
      s->buckets.insert(it, {index, count});
    }
  }
}

void SubjectRecord::Prune(int64_t now) {
  for (Series& s : series_) {
    int64_t oldest = OldestLiveBucket(s, now);
    auto keep = std::lower_bound(s.buckets.begin(), s.buckets.end(),
                                 std::make_pair(oldest, INT64_MIN));
    s.buckets.erase(s.buckets.begin(), keep);
  }
  series_.erase(std::remove_if(series_.begin(), series_.end(),
                               [](const Series& s) { return s.buckets.empty(); }),
                series_.end());
  pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                [now](const PendingEntry& e) {
                                  return e.deadline_seconds <= now;
                                }),
                 pending_.end());
}

int64_t SubjectRecord::ExpiresAt() const {
  int64_t at = 0;
  for (const PendingEntry& e : pending_) at = std::max(at, e.deadline_seconds);
  for (const Series& s : series_) {
    if (!s.buckets.empty()) at = std::max(at, BucketExpiry(s, s.buckets.back().first));
  }
  return at;
}

std::string SubjectRecord::Encode() const {
  Writer w;
  w.Put(kMagic);
  w.Put(ExpiresAt());
  w.Put(static_cast<uint32_t>(pending_.size()));
  for (const PendingEntry& e : pending_) {
    w.Put(e.id);
    w.Put(e.deadline_seconds);
    w.Put(e.amounts.messages);
    w.Put(e.amounts.recipients);
    w.Put(e.amounts.bytes);
  }
  w.Put(static_cast<uint32_t>(series_.size()));
  for (const Series& s : series_) {
    w.Put(static_cast<uint8_t>(s.metric));
    w.Put(s.window_seconds);
    w.Put(s.resolution_seconds);
    w.Put(static_cast<uint32_t>(s.buckets.size()));
    for (const auto& b : s.buckets) {
      w.Put(b.first);
      w.Put(b.second);
    }
  }
  return w.Take();
}

Result<int64_t> SubjectRecord::DecodeExpiresAt(const void* data, size_t size) {
  Reader r(data, size);
  uint32_t magic;
  int64_t expires;
  if (!r.Get(&magic) || magic != kMagic) return Corrupt("bad magic");
  if (!r.Get(&expires)) return Corrupt("truncated header");
  return expires;
}

Result<SubjectRecord> SubjectRecord::Decode(const void* data, size_t size) {
  Reader r(data, size);
  uint32_t magic, n;
  int64_t expires;
  if (!r.Get(&magic) || magic != kMagic) return Corrupt("bad magic");
  if (!r.Get(&expires) || !r.Get(&n)) return Corrupt("truncated header");
  if (n > r.left() / 40 || n > kMaxEntries) return Corrupt("pending count exceeds record");
  SubjectRecord record;
  record.pending_.resize(n);
  for (PendingEntry& e : record.pending_) {
    if (!ReadPending(&r, &e)) return Corrupt("bad pending entry");
  }
  if (!r.Get(&n)) return Corrupt("truncated series count");
  if (n > r.left() / 21) return Corrupt("series count exceeds record");
  record.series_.resize(n);
  for (Series& s : record.series_) {
    Status st = ReadSeries(&r, &s);
    if (!st.ok()) return st;
  }
  if (r.left() != 0) return Corrupt("trailing bytes");
  return record;
}

}  // namespace quota
}  // namespace sendguard

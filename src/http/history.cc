// http/history.cc — the ring file: a header (magic, last totals), then one
// record per minute of the week at minute % kMinutes.
#include "http/history.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sendguard::http {

const char* const kHistorySeriesNames[kHistorySeries] = {"accept", "quarantine", "tempfail", "reject",
                                                         "quota_refusal"};

namespace {

constexpr uint64_t kMagic = 0x53474849535431ULL;  // "SGHIST1"
struct Header {
  uint64_t magic;
  Totals last;
};

}  // namespace

Result<std::unique_ptr<HistoryRing>> HistoryRing::Open(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Status::IoError("console history " + path + ": " + strerror(errno));
  std::unique_ptr<HistoryRing> ring(new HistoryRing(fd));
  Header h{};
  off_t size = static_cast<off_t>(sizeof(Header) + sizeof(Record) * kMinutes);
  if (pread(fd, &h, sizeof h, 0) != sizeof h || h.magic != kMagic || lseek(fd, 0, SEEK_END) != size) {
    h = Header{kMagic, {}};
    if (ftruncate(fd, 0) != 0 || ftruncate(fd, size) != 0 || pwrite(fd, &h, sizeof h, 0) != sizeof h) {
      return Status::IoError("console history " + path + ": " + strerror(errno));
    }
  }
  ring->last_ = h.last;
  return ring;
}

HistoryRing::~HistoryRing() { close(fd_); }

HistoryRing::Record HistoryRing::Read(int64_t minute) {
  Record r{};
  off_t at = static_cast<off_t>(sizeof(Header) + sizeof(Record) * (minute % kMinutes));
  if (pread(fd_, &r, sizeof r, at) != sizeof r || r.minute != minute) r = Record{minute, {}};
  return r;
}

void HistoryRing::Write(const Record& r) {
  off_t at = static_cast<off_t>(sizeof(Header) + sizeof(Record) * (r.minute % kMinutes));
  (void)!pwrite(fd_, &r, sizeof r, at);
}

void HistoryRing::Sample(const Totals& totals, int64_t now_s) {
  std::lock_guard<std::mutex> lock(mu_);
  Record r = Read(now_s / 60);
  bool grew = false;
  for (size_t i = 0; i < kHistorySeries; ++i) {
    uint64_t delta = totals[i] >= last_[i] ? totals[i] - last_[i] : totals[i];
    r.values[i] += delta;
    grew |= delta != 0;
  }
  last_ = totals;
  if (!grew) return;
  Write(r);
  Header h{kMagic, last_};
  (void)!pwrite(fd_, &h, sizeof h, 0);
}

std::vector<HistoryPoint> HistoryRing::Range(int64_t now_s, int64_t minutes, int64_t points) {
  std::lock_guard<std::mutex> lock(mu_);
  minutes = std::min(minutes, kMinutes);
  int64_t per = std::max<int64_t>(1, minutes / std::max<int64_t>(1, points));
  int64_t first = now_s / 60 - minutes + 1;
  std::vector<HistoryPoint> out;
  for (int64_t m = first; m <= now_s / 60; ++m) {
    if (out.empty() || (m - first) % per == 0) out.push_back({m * 60, {}});
    Record r = Read(m);
    for (size_t i = 0; i < kHistorySeries; ++i) out.back().values[i] += r.values[i];
  }
  return out;
}

}  // namespace sendguard::http

// session/decision_log.cc — appending lines; JSON strings.
#include "session/line_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "core/log.h"
#include "metrics/metrics.h"

namespace sendguard {

Result<int> OpenLogFile(const std::string& path, const std::string& key) {
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Status::IoError(key + ": cannot open " + path + ": " + strerror(errno));
  return fd;
}

LineLog::~LineLog() {
  if (fd_ >= 0) close(fd_);
}

void LineLog::Write(std::string line) {
  line += '\n';
  ssize_t n;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = write(fd_, line.data(), line.size());
  }
  if (n == static_cast<ssize_t>(line.size())) return;
  int err = errno;
  metrics::Count(errors_);
  int64_t now = time(nullptr), last = last_complaint_s_.load();
  if (now - last >= 60 && last_complaint_s_.compare_exchange_strong(last, now)) {
    SG_LOG(kError) << name_ << ": a line was not written: " << (n < 0 ? strerror(err) : "short write");
  }
}

int LineLog::fd() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fd_;
}

void LineLog::Replace(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

}  // namespace sendguard

// session/decision_log.cc — appending lines; JSON strings.
#include "session/decision_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "core/log.h"
#include "metrics/metrics.h"

namespace sendguard {
namespace {

// Length of the UTF-8 sequence at s[i], or 0 if it is not one.
size_t Utf8Length(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size() || (n == 2 && c < 0xc2)) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

Result<int> OpenDecisionLogFile(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Status::IoError("[log] decision_log: cannot open " + path + ": " + strerror(errno));
  return fd;
}

DecisionLog::~DecisionLog() {
  if (fd_ >= 0) close(fd_);
}

void DecisionLog::Write(std::string line) {
  line += '\n';
  ssize_t n;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = write(fd_, line.data(), line.size());
  }
  if (n == static_cast<ssize_t>(line.size())) return;
  int err = errno;
  metrics::Count(metrics::Family::kDecisionLogErrors);
  int64_t now = time(nullptr), last = last_complaint_s_.load();
  if (now - last >= 60 && last_complaint_s_.compare_exchange_strong(last, now)) {
    SG_LOG(kError) << "decision log: a line was not written: " << (n < 0 ? strerror(err) : "short write");
  }
}

void DecisionLog::Replace(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = Utf8Length(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out + "\"";
}

}  // namespace sendguard

// proc/restart_backoff.cc — crash-loop detection over a sliding window.
#include "proc/restart_backoff.h"

#include <algorithm>

namespace sendguard::proc {

void RestartBackoff::Forget(int64_t now_us) const {
  while (!deaths_.empty() && now_us - deaths_.front() >= kCrashLoopWindow) deaths_.pop_front();
}

int64_t RestartBackoff::OnDeath(int64_t now_us) {
  Forget(now_us);
  deaths_.push_back(now_us);
  int n = static_cast<int>(deaths_.size());
  if (n < kCrashLoopDeaths) return 0;
  int shift = std::min(n - kCrashLoopDeaths, 5);
  return std::min<int64_t>(kMaxDelay, int64_t{1000000} << shift);
}

int RestartBackoff::RecentDeaths(int64_t now_us) const {
  Forget(now_us);
  return static_cast<int>(deaths_.size());
}

bool RestartBackoff::InCrashLoop(int64_t now_us) const { return RecentDeaths(now_us) >= kCrashLoopDeaths; }

}  // namespace sendguard::proc

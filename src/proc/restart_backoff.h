// proc/restart_backoff.h — when to start a worker again after it died.
//
// Contract: a worker that dies now and then is restarted at once: a crash
// must cost only the connections it had. A slot whose workers keep dying
// (kCrashLoopDeaths or more deaths within kCrashLoopWindow) is in a crash
// loop: the next start waits 1 s, then 2, 4, ... up to kMaxDelay, so a
// worker that cannot live does not eat the machine while the others serve.
// The loop ends once the slot has gone kCrashLoopWindow without a death.
// Times are steady-clock microseconds passed in, so it is testable without
// sleeping.
// Thread-safety: none; one per worker slot, owned by the parent's loop.
#ifndef SENDGUARD_PROC_RESTART_BACKOFF_H_
#define SENDGUARD_PROC_RESTART_BACKOFF_H_

#include <cstdint>
#include <deque>

namespace sendguard::proc {

class RestartBackoff {
 public:
  static constexpr int kCrashLoopDeaths = 3;
  static constexpr int64_t kCrashLoopWindow = 30 * 1000000LL;
  static constexpr int64_t kMaxDelay = 30 * 1000000LL;

  // Records a death; returns how long to wait before the next start (us).
  int64_t OnDeath(int64_t now_us);
  bool InCrashLoop(int64_t now_us) const;
  int RecentDeaths(int64_t now_us) const;

 private:
  void Forget(int64_t now_us) const;
  mutable std::deque<int64_t> deaths_;
};

}  // namespace sendguard::proc

#endif  // SENDGUARD_PROC_RESTART_BACKOFF_H_

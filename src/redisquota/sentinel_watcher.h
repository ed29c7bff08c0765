// redisquota/sentinel_watcher.h — one thread that listens to the sentinels'
// +switch-master announcements, so a failover (planned or not) is followed
// the moment the sentinels decide it, not when the old master first fails.
//
// Contract: subscribes to +switch-master on one sentinel at a time (in the
// locator's order, moving on when one fails, pausing retry_ms between
// attempts); after each (re)subscription it also asks that sentinel for the
// master once, in case it missed an announcement. Each announcement for our
// master name that names a new address goes to `on_switch`, called on the
// watcher thread. Without the watcher, the pool still follows failovers by
// asking again after a failure; the watcher only makes it faster, and closes
// the window in which a demoted-but-alive old master still takes writes.
// The thread blocks every signal. The destructor stops it and joins (within
// about one poll period plus one connect timeout). Not for use across fork().
// Thread-safety: construct and destroy from one thread; `on_switch` must be
// safe to call concurrently with the pool's users.
#ifndef SENDGUARD_REDISQUOTA_SENTINEL_WATCHER_H_
#define SENDGUARD_REDISQUOTA_SENTINEL_WATCHER_H_

#include <atomic>
#include <functional>
#include <thread>

#include "redisquota/sentinel_locator.h"

namespace sendguard {
namespace redisquota {

class SentinelWatcher {
 public:
  SentinelWatcher(SentinelLocator* locator, std::function<void(const HostPort&)> on_switch,
                  int retry_ms);
  ~SentinelWatcher();
  SentinelWatcher(const SentinelWatcher&) = delete;
  SentinelWatcher& operator=(const SentinelWatcher&) = delete;

 private:
  void Loop();
  void WatchOne(const HostPort& sentinel);
  void Announce(const HostPort& master);
  void Pause(int ms) const;

  SentinelLocator* locator_;
  std::function<void(const HostPort&)> on_switch_;
  const int retry_ms_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_REDISQUOTA_SENTINEL_WATCHER_H_

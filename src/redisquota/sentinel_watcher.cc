// redisquota/sentinel_watcher.cc — the +switch-master subscriber thread.
#include "redisquota/sentinel_watcher.h"

#include <signal.h>

#include <chrono>

#include "core/log.h"

namespace sendguard {
namespace redisquota {

namespace {
constexpr int kPollMs = 200;  // how often the thread checks for stop
}  // namespace

SentinelWatcher::SentinelWatcher(SentinelLocator* locator,
                                 std::function<void(const HostPort&)> on_switch, int retry_ms)
    : locator_(locator), on_switch_(std::move(on_switch)), retry_ms_(retry_ms) {
  thread_ = std::thread([this] { Loop(); });
}

SentinelWatcher::~SentinelWatcher() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void SentinelWatcher::Pause(int ms) const {
  for (int waited = 0; waited < ms && !stop_; waited += kPollMs) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(kPollMs, ms - waited)));
  }
}

void SentinelWatcher::Loop() {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  while (!stop_) {
    for (const HostPort& sentinel : locator_->sentinels()) {
      if (stop_) break;
      WatchOne(sentinel);
      Pause(retry_ms_);
    }
  }
}

void SentinelWatcher::Announce(const HostPort& master) {
  if (!locator_->Learn(master)) return;
  SG_LOG(kInfo) << "redis sentinel: master " << locator_->master_name() << " switched to "
                << master.ToString();
  on_switch_(master);
}

// Returns when the subscription breaks or the watcher stops.
void SentinelWatcher::WatchOne(const HostPort& sentinel) {
  RedisOptions o = locator_->sentinel_options();
  o.host = sentinel.host;
  o.port = sentinel.port;
  auto conn = RedisConnection::Connect(o, o.connect_timeout_ms);
  if (!conn.ok()) return;
  Result<RedisReply> subscribed = (*conn)->Run({"SUBSCRIBE", "+switch-master"},
                                               o.connect_timeout_ms);
  if (!subscribed.ok() || subscribed->IsError()) return;
  Result<HostPort> now = locator_->Ask(sentinel, o.connect_timeout_ms);
  if (now.ok()) Announce(*now);
  while (!stop_) {
    Result<std::optional<RedisReply>> pushed = (*conn)->ReadPushed(kPollMs);
    if (!pushed.ok()) return;
    if (!pushed->has_value()) continue;
    const RedisReply& m = **pushed;
    if (m.kind != RedisReply::Kind::kArray || m.elements.size() != 3 ||
        m.elements[0].text != "message") {
      continue;
    }
    Result<HostPort> master = ParseSwitchMaster(m.elements[2].text, locator_->master_name());
    if (master.ok()) Announce(*master);
  }
}

}  // namespace redisquota
}  // namespace sendguard

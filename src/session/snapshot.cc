// session/snapshot.cc — building and swapping snapshots.
#include "session/snapshot.h"

#include "core/clock.h"
#include "core/log.h"

namespace sendguard {

Result<std::shared_ptr<const Snapshot>> LoadSnapshot(const std::string& config_path) {
  Result<Config> config = LoadConfig(config_path);
  if (!config.ok()) return config.status();
  auto snap = std::make_shared<Snapshot>();
  snap->config = std::move(config).value();
  if (snap->config.quota_enabled()) {
    auto policy = quota::QuotaPolicy::Load(snap->config.quota.policy_file);
    if (!policy.ok()) return policy.status();
    snap->quota_policy = *policy;
  }
  snap->loaded_at_us = SystemClock::Instance().NowMicros();
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

Status SnapshotHolder::Reload(const std::string& config_path) {
  Result<std::shared_ptr<const Snapshot>> next = LoadSnapshot(config_path);
  if (!next.ok()) return next.status();
  Replace(std::move(next).value());
  return Status::Ok();
}

}  // namespace sendguard

// redisquota/store_factory.cc — the backend chosen by `[quota] backend`.
#include "redisquota/store_factory.h"

#include "core/log.h"
#include "quota/lmdb_quota_store.h"
#include "redisquota/redis_quota_store.h"

namespace sendguard {
namespace redisquota {

namespace {

Result<std::unique_ptr<quota::QuotaStore>> OpenLmdb(const quota::QuotaOptions& options) {
  auto store = quota::LmdbQuotaStore::Open(options.state_dir,
                                           quota::LmdbStoreOptions::From(options));
  if (!store.ok()) return store.status();
  return std::unique_ptr<quota::QuotaStore>(std::move(store).value());
}

}  // namespace

Result<std::unique_ptr<quota::QuotaStore>> OpenQuotaStore(const quota::QuotaOptions& options,
                                                          const StoreConfig& config,
                                                          bool for_cli) {
  if (config.backend == "lmdb") return OpenLmdb(options);
  if (config.backend != "redis") {
    return Status::InvalidArgument("quota backend: '" + config.backend +
                                   "' is not lmdb or redis");
  }
  auto redis = RedisQuotaStore::Open(config.redis);
  if (!redis.ok()) return redis.status();
  Status ping = (*redis)->Ping();
  if (for_cli) {
    if (!ping.ok()) return ping;
    return std::unique_ptr<quota::QuotaStore>(std::move(redis).value());
  }
  (*redis)->WatchFailovers();
  if (!ping.ok()) {
    SG_LOG(kWarning) << "quota: " << ping.message() << " at startup; outage policy "
                     << OutagePolicyName(config.resilience.policy) << " applies";
  }
  std::unique_ptr<quota::QuotaStore> fallback;
  if (config.resilience.policy == OutagePolicy::kFallback) {
    auto local = OpenLmdb(options);
    if (!local.ok()) return local.status();
    fallback = std::move(local).value();
  }
  auto store = ResilientQuotaStore::Create(std::move(redis).value(), std::move(fallback),
                                           config.resilience);
  if (!store.ok()) return store.status();
  return std::unique_ptr<quota::QuotaStore>(std::move(store).value());
}

}  // namespace redisquota
}  // namespace sendguard

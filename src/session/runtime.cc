// session/runtime.cc — opening a worker's long-lived services.
#include "session/runtime.h"

#include "quota/lmdb_quota_store.h"

namespace sendguard {

Result<std::unique_ptr<quota::QuotaStore>> OpenQuotaStore(const Config& config) {
  if (config.quota_store != "lmdb") {
    return Status::InvalidArgument(config.path + ": [quota] store '" + config.quota_store +
                                   "' is not available in this build");
  }
  auto store = quota::LmdbQuotaStore::Open(config.quota.state_dir,
                                           quota::LmdbStoreOptions::From(config.quota));
  if (!store.ok()) return store.status();
  return std::unique_ptr<quota::QuotaStore>(std::move(store).value());
}

Result<std::unique_ptr<Runtime>> OpenRuntime(const Config& config) {
  auto runtime = std::make_unique<Runtime>();
  if (config.quota_enabled()) {
    auto store = OpenQuotaStore(config);
    if (!store.ok()) return store.status();
    runtime->quota_store = std::move(store).value();
  }
  return runtime;
}

}  // namespace sendguard

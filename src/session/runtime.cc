// session/runtime.cc — opening a worker's long-lived services.
#include "session/runtime.h"

#include "redisquota/store_factory.h"

namespace sendguard {

Result<std::unique_ptr<quota::QuotaStore>> OpenQuotaStore(const Config& config, bool for_cli) {
  return redisquota::OpenQuotaStore(config.quota, config.redis, for_cli);
}

Result<std::unique_ptr<Runtime>> OpenRuntime(const Config& config,
                                             std::unique_ptr<spf::HelperLauncher> spf_launcher) {
  auto runtime = std::make_unique<Runtime>();
  if (config.quota_enabled()) {
    auto store = OpenQuotaStore(config, /*for_cli=*/false);
    if (!store.ok()) return store.status();
    runtime->quota_store = std::move(store).value();
  }
  if (config.spf_enabled) {
    auto client = spf::SpfClient::Start(config.spf, std::move(spf_launcher));
    if (!client.ok()) return client.status();
    runtime->spf = std::move(client).value();
  }
  return runtime;
}

}  // namespace sendguard

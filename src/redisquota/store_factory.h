// redisquota/store_factory.h — builds the quota store the config asks for:
// the embedded LMDB store (default), or Redis wrapped in the outage policy
// (with the embedded store as fallback when the policy is "fallback").
//
//   [quota]
//   backend = "redis"                 # "lmdb" (default) or "redis"
//   redis_host = "127.0.0.1"  redis_port = 6379  redis_socket = ""
//   redis_database = 0  redis_key_prefix = "sg:"
//   redis_username = ""  redis_password = ""
//   redis_connect_timeout_ms = 200  redis_command_timeout_ms = 100
//   redis_pool_size = 4  redis_backoff_min_ms = 100  redis_backoff_max_ms = 5000
//   redis_time = "redis"              # or "caller"
//   redis_outage = "fail-closed"      # or "fail-open", "fallback"
//   redis_fallback_nodes = 1
//
// Contract: returns a ready store or an InvalidArgument/IoError naming the
// bad setting. A Redis that is down at startup is not an error (it is logged;
// the outage policy applies until it answers). The daemon opens one store
// and shares it between all milter threads; the CLI opens its own with
// `for_cli = true` (no outage policy: it reports Redis errors).
// Thread-safety: the returned store is safe for concurrent use.
#ifndef SENDGUARD_REDISQUOTA_STORE_FACTORY_H_
#define SENDGUARD_REDISQUOTA_STORE_FACTORY_H_

#include <memory>
#include <string>

#include "quota/quota_options.h"
#include "quota/quota_store.h"
#include "redisquota/redis_options.h"
#include "redisquota/resilient_quota_store.h"

namespace sendguard {
namespace redisquota {

struct StoreConfig {
  std::string backend = "lmdb";  // [quota] backend: "lmdb" or "redis"
  RedisOptions redis;
  ResilienceOptions resilience;
};

Result<std::unique_ptr<quota::QuotaStore>> OpenQuotaStore(const quota::QuotaOptions& options,
                                                          const StoreConfig& config,
                                                          bool for_cli);

}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_REDISQUOTA_STORE_FACTORY_H_

// redisquota/store_factory.h — builds the quota store the config asks for:
// the embedded LMDB store (default), or Redis wrapped in the outage policy
// (with the embedded store as fallback when the policy is "fallback"), as
// StoreConfig (redis_options.h) says.
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

Result<std::unique_ptr<quota::QuotaStore>> OpenQuotaStore(const quota::QuotaOptions& options,
                                                          const StoreConfig& config,
                                                          bool for_cli);

}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_REDISQUOTA_STORE_FACTORY_H_

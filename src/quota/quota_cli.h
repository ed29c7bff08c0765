// quota/quota_cli.h — `sendguard quota ...`: inspect and adjust quotas while
// the daemon runs (the embedded store is safe to share).
//
//   show USER [--json]        class, limits, usage and when quota frees up
//   top [-n N] [--json]       heaviest senders by messages in the last hour
//   reset USER                forget USER's counts and pending reservations
//   set-class USER CLASS      per-user override (CLASS must be in the policy)
//   clear-class USER          remove the override
//
// USER is a login ("alice@example.org") or a client network ("ip:192.0.2.7").
// Contract: returns the process exit code — 0 success, 1 runtime failure
// (policy or store error, message on `err`), 2 usage error. Never throws.
// Thread-safety: opens its own store handle; safe to run beside the daemon.
#ifndef SENDGUARD_QUOTA_QUOTA_CLI_H_
#define SENDGUARD_QUOTA_QUOTA_CLI_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "quota/quota_options.h"
#include "quota/quota_store.h"

namespace sendguard {
namespace quota {

// `args` starts after "quota", e.g. {"show", "alice@example.org", "--json"}.
int RunQuotaCommand(const std::vector<std::string>& args, const QuotaOptions& options,
                    std::ostream& out, std::ostream& err);
// The same with an injected clock (tests).
int RunQuotaCommand(const std::vector<std::string>& args, const QuotaOptions& options,
                    const Clock& clock, std::ostream& out, std::ostream& err);

// The same against any store (e.g. Redis): `open_store` is called once per
// command; an empty opener means the embedded store of `options`.
using StoreOpener = std::function<Result<std::unique_ptr<QuotaStore>>()>;
int RunQuotaCommand(const std::vector<std::string>& args, const QuotaOptions& options,
                    const StoreOpener& open_store, const Clock& clock, std::ostream& out,
                    std::ostream& err);

}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_QUOTA_QUOTA_CLI_H_

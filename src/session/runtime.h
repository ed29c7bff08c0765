// session/runtime.h — the long-lived services of one worker process that a
// reload does not replace: the quota store (embedded, or Redis with its
// outage policy) and the SPF helper processes.
//
// Contract: OpenRuntime() opens what the configuration asks for, or fails
// with a Status naming what could not be opened; a null member means that
// service is off. Open it in the process that serves (after fork, as the
// user it serves as), before starting threads. SPF helpers are started by
// `spf_launcher` (in the daemon: the privileged parent), or as children of
// this process when it is null.
// Thread-safety: the members are safe for concurrent use by milter threads.
#ifndef SENDGUARD_SESSION_RUNTIME_H_
#define SENDGUARD_SESSION_RUNTIME_H_

#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "quota/quota_store.h"
#include "session/line_log.h"
#include "spf/spf_client.h"

namespace sendguard {

struct Runtime {
  const Clock* clock = &SystemClock::Instance();
  // Hands an abuse alert mail to whoever sends it (in the daemon: the
  // parent); null: no mail. Must not block.
  std::function<void(const std::string& subject, const std::string& body)> send_alert_mail;
  std::unique_ptr<quota::QuotaStore> quota_store;
  std::unique_ptr<spf::SpfClient> spf;
  std::shared_ptr<LineLog> decision_log;  // null: no decision log
};

Result<std::unique_ptr<Runtime>> OpenRuntime(const Config& config,
                                             std::unique_ptr<spf::HelperLauncher> spf_launcher = nullptr);

// Opens the quota store the configuration names. for_cli: report Redis
// errors instead of applying the outage policy.
Result<std::unique_ptr<quota::QuotaStore>> OpenQuotaStore(const Config& config, bool for_cli);

}  // namespace sendguard

#endif  // SENDGUARD_SESSION_RUNTIME_H_

// cli/daemon.h — `sendguard run`, `reload` and `status`.
//
// Contract: RunDaemon() loads the snapshot (errors on stderr, exit 78
// (EX_CONFIG)), then hands over to the privileged parent (master/master.h)
// and returns its exit code. SendReload() and SendStatus() talk to the
// running parent over its control socket: they print its answer and return
// 0 when it says ok, 1 otherwise (a failed reload names file:line), 78 when
// the configuration itself does not load.
// Thread-safety: call from main() before starting any thread.
#ifndef SENDGUARD_CLI_DAEMON_H_
#define SENDGUARD_CLI_DAEMON_H_

#include <string>

#include "master/master.h"

namespace sendguard {

using RunOptions = MasterOptions;

int RunDaemon(const RunOptions& options);

// `sendguard reload -c FILE`: waits for the outcome.
int SendReload(const std::string& config_path);

// `sendguard status -c FILE`: workers per socket, crash loops, helpers.
int SendStatus(const std::string& config_path);
// The parent opens the decision log again (after logrotate) and hands it to
// every worker.
int SendReopenLogs(const std::string& config_path);

}  // namespace sendguard

#endif  // SENDGUARD_CLI_DAEMON_H_

// master/master.h — the privileged parent (Postfix's master(8) is the
// model): it opens the listen sockets, reads the keys and builds every
// snapshot, spawns all children with fixed privileges, restarts them, and
// parses no mail.
//
// Contract: RunMaster() serves until stopped and returns the exit code: 0
// after a clean stop, kExitConfig when the first workers cannot start.
//   - Each listen socket is shared by config.WorkersPerSocket() workers,
//     running as daemon.user for their whole life. A worker that dies is
//     replaced at once from the current snapshot; one that keeps dying is
//     restarted with a growing delay (proc/restart_backoff.h) while the
//     others serve, and `sendguard status` says so.
//   - Reload (SIGUSR1, or "reload" on the control socket): the parent loads
//     and checks the new snapshot; on success new workers start with it and,
//     once all serve, the old ones retire (finish what they have, then exit),
//     so a message in flight ends with the snapshot it started with. If the
//     files do not load, or the new workers do not start, nothing changes and
//     the control client is told why (file:line).
//   - SPF helpers are started by the parent as spf.helper_user on a worker's
//     request (helper_service.h).
//   - SIGTERM/SIGINT/SIGHUP/SIGUSR2: every worker drains (milter.h), workers
//     still alive drain_timeout + 10 s later are killed, then the sockets and
//     the control socket are removed.
// Thread-safety: single-threaded by design (it forks); call from main().
#ifndef SENDGUARD_MASTER_MASTER_H_
#define SENDGUARD_MASTER_MASTER_H_

#include <memory>
#include <string>

#include "session/snapshot.h"

namespace sendguard {

struct MasterOptions {
  std::string config_path;
  std::string socket_override;  // --socket: replaces daemon.listen
  bool foreground = false;      // without it: detach (fork, setsid)
};

int RunMaster(const MasterOptions& options, std::shared_ptr<const Snapshot> initial);

}  // namespace sendguard

#endif  // SENDGUARD_MASTER_MASTER_H_

// milter/milter.h — the libmilter boundary: registers sendguard's callbacks,
// opens the listen socket, and runs libmilter's loop until a stop signal.
//
// Contract: RunMilter() owns the process's single libmilter instance (one
// filter per process). It opens `options.socket`, makes a unix socket
// `socket_mode` and owned by `user`, drops privileges to `user` (if set and
// running as root), serves until SIGTERM/SIGINT/SIGHUP (libmilter's signal
// thread), then waits up to drain_timeout_s for open connections to finish.
// SIGUSR1 reloads the snapshot through `holder` (a failed reload is logged and
// the old snapshot stays). Every callback is a few lines: fetch the Session,
// call one method, translate the result; nothing crosses into libmilter as an
// exception — an escaping exception becomes the configured failure action.
// Thread-safety: call once per process, from the main thread, before any
// other thread is started (it blocks the signals it handles).
#ifndef SENDGUARD_MILTER_MILTER_H_
#define SENDGUARD_MILTER_MILTER_H_

#include <sys/types.h>

#include <functional>
#include <string>

#include "core/exit_codes.h"
#include "session/runtime.h"
#include "session/snapshot.h"

namespace sendguard {

struct MilterOptions {
  std::string socket;          // libmilter spelling: unix:/path, inet:PORT@HOST
  mode_t socket_mode = 0660;
  std::string socket_group;    // "" = the group of `user` (or unchanged)
  std::string user;            // "" = keep current user
  int timeout_s = 300;
  int backlog = 128;
  int drain_timeout_s = 10;
  std::string config_path;     // reloaded on SIGUSR1
};

// Exit code of a worker that could not start serving: socket in use, unknown
// user, ... Restarting it would not help.
constexpr int kStartupFailure = kExitConfig;

// Returns the process exit code: 0 after a clean stop, kStartupFailure.
// SIGUSR2 stops gracefully (new connections refused, open ones finished,
// bounded by drain_timeout_s); SIGTERM/SIGINT/SIGHUP go to libmilter, which
// stops at once.
// `runtime` (quota store, ...) must outlive the call.
int RunMilter(const MilterOptions& options, SnapshotHolder* holder, Runtime* runtime);

// Blocks the signals libmilter and the reload thread handle, and ignores
// SIGPIPE. Call in the serving process before starting any thread.
void BlockDaemonSignals();

// Number of milter connections currently open in this process.
long OpenMilterConnections();

}  // namespace sendguard

#endif  // SENDGUARD_MILTER_MILTER_H_

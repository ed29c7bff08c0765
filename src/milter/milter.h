// milter/milter.h — the libmilter boundary of one worker process: registers
// sendguard's callbacks, serves the listen socket the parent opened, and
// runs libmilter's loop until the parent says stop or retire.
//
// Contract: RunMilter() owns the process's single libmilter instance (one
// filter per process). The listen socket is the parent's (proc/
// listen_socket.h): it is shared by every worker of that socket, and no
// worker ever removes its path. Signals (sent by the parent):
//   SIGUSR2  stop: new connections are refused (421 4.3.2 at connect), open
//            ones are served to the end, bounded by drain_timeout_s; exit 0.
//   SIGUSR1  retire (the worker's part of a reload): stop taking connections
//            from the shared socket, so the workers of the new snapshot get
//            them, serve the open ones to the end (same bound); exit 0.
//   SIGWINCH reopen logs: calls MilterHooks::on_reopen_logs, serving goes on.
//   SIGTERM/SIGINT/SIGHUP  libmilter's own handling: stop at once.
// Every callback is a few lines: fetch the Session, call one method,
// translate the result; nothing crosses into libmilter as an exception — an
// escaping exception becomes the configured failure action.
// Thread-safety: call once per process, from the main thread, before any
// other thread is started (it blocks the signals it handles).
#ifndef SENDGUARD_MILTER_MILTER_H_
#define SENDGUARD_MILTER_MILTER_H_

#include <functional>
#include <string>

#include "core/exit_codes.h"
#include "session/runtime.h"
#include "session/snapshot.h"

namespace sendguard {

struct MilterOptions {
  int listen_fd = -1;          // the parent's listening socket
  int listen_family = 0;       // its address family (AF_UNIX, AF_INET, AF_INET6)
  std::string socket;          // its spec, for log lines
  int timeout_s = 300;
  int drain_timeout_s = 10;
};

// Exit code of a worker that could not start serving: its runtime does not
// open, libmilter refuses the socket, ... Restarting it at once would not help.
constexpr int kStartupFailure = kExitConfig;

// What the worker tells its parent.
struct MilterHooks {
  std::function<void()> on_serving;               // the socket is libmilter's, serving starts
  std::function<void(long live)> on_stopped;      // drained; sessions still live (0 = clean)
  std::function<void()> on_reopen_logs;           // SIGWINCH: the parent reopened the decision log
};

// Returns the process exit code: 0 after a clean stop, kStartupFailure when
// it could not start serving (why is logged). `runtime` (quota store, ...)
// must outlive the call.
int RunMilter(const MilterOptions& options, const SnapshotHolder* holder, Runtime* runtime,
              const MilterHooks& hooks);

// Blocks the signals libmilter and the control thread handle, and ignores
// SIGPIPE. Call in the serving process before starting any thread.
void BlockDaemonSignals();

// Number of milter connections currently open in this process.
long OpenMilterConnections();

}  // namespace sendguard

#endif  // SENDGUARD_MILTER_MILTER_H_

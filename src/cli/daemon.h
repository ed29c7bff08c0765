// cli/daemon.h — `sendguard run`: load the snapshot, then serve one milter
// socket in this process, or several through one supervised worker process
// per socket (libmilter allows one listener per process).
//
// Contract: returns the process exit code: 0 after a clean stop, 78
// (EX_CONFIG) when the configuration, policies, rules or keys do not load,
// 1 on other startup failures. A worker that dies unexpectedly is restarted
// after a short backoff; SIGTERM/SIGINT/SIGHUP stop, SIGUSR1 reloads (both
// forwarded to workers by the supervisor).
// Thread-safety: call from main() before starting any thread.
#ifndef SENDGUARD_CLI_DAEMON_H_
#define SENDGUARD_CLI_DAEMON_H_

#include <string>

namespace sendguard {

struct RunOptions {
  std::string config_path;
  std::string socket_override;  // --socket: replaces daemon.listen
  bool foreground = false;      // without it: detach (fork, setsid)
};

int RunDaemon(const RunOptions& options);

// `sendguard reload -c FILE`: SIGUSR1 to the pid in the configured pid file.
int SendReload(const std::string& config_path);

}  // namespace sendguard

#endif  // SENDGUARD_CLI_DAEMON_H_

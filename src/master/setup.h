// master/setup.h — what the parent prepares with its privileges before it
// serves: accounts, state directories, listen sockets, control socket,
// detaching, pid file, and the signal descriptor.
//
// Contract: PrepareDaemon() does all of it or fails with a Status naming
// what and why (then nothing it opened stays open). daemon.user and
// spf.helper_user must exist; a daemon.user other than the current user
// needs root. The quota directory is handed to daemon.user (workers open the
// store); the state directory, pid file and control socket stay the
// parent's. ReleaseDaemon() closes and removes what PrepareDaemon made.
// Thread-safety: single-threaded startup only.
#ifndef SENDGUARD_MASTER_SETUP_H_
#define SENDGUARD_MASTER_SETUP_H_

#include <string>
#include <vector>

#include "config/config.h"
#include "master/master.h"
#include "proc/listen_socket.h"
#include "proc/privileges.h"

namespace sendguard {

struct DaemonSetup {
  std::vector<proc::ListenSocket> sockets;
  proc::ListenSocket http_socket;  // fd -1: no HTTP server
  proc::Account worker_account;
  proc::Account helper_account;
  int control_fd = -1;
  int signal_fd = -1;
  std::string control_path;
  std::string pid_file;
  int decision_log_fd = -1;  // [log] decision_log, opened as root; -1: none
  int audit_log_fd = -1;     // [log] audit_log, opened as root (the Master takes it); -1: none
};

Result<DaemonSetup> PrepareDaemon(const MasterOptions& options, const Config& config);
void ReleaseDaemon(DaemonSetup* setup);

// Keys a reload cannot change (sockets, workers, users, ...): logs which
// changed and that they take effect at the next restart.
void WarnAboutRestartOnlyKeys(const Config& running, const Config& next, const MasterOptions& options);

}  // namespace sendguard

#endif  // SENDGUARD_MASTER_SETUP_H_

// cli/daemon.cc — the daemon commands: start the parent, or talk to it.
#include "cli/daemon.h"

#include <cstdio>

#include "core/exit_codes.h"
#include "core/log.h"
#include "proc/control_socket.h"
#include "session/snapshot.h"

namespace sendguard {
namespace {

// A reload loads every rule and key file and starts workers: allow time.
constexpr int kReloadTimeoutS = 60;

int AskDaemon(const std::string& config_path, const std::string& request, int timeout_s) {
  Result<Config> config = LoadConfig(config_path);
  if (!config.ok()) {
    fprintf(stderr, "sendguard: %s\n", config.status().message().c_str());
    return kExitConfig;
  }
  Result<std::string> answer = proc::RequestControl(config->ControlSocket(), request, timeout_s);
  if (!answer.ok()) {
    fprintf(stderr, "sendguard: %s\n", answer.status().message().c_str());
    return 1;
  }
  bool ok = proc::ControlAnswerOk(*answer);
  fprintf(ok ? stdout : stderr, "%s", answer->c_str());
  return ok ? kExitOk : 1;
}

}  // namespace

int RunDaemon(const RunOptions& options) {
  Result<std::shared_ptr<const Snapshot>> snap = LoadSnapshot(options.config_path);
  if (!snap.ok()) {
    SG_LOG(kError) << snap.status().message();
    return kExitConfig;
  }
  LogOptions log;
  log.to_syslog = (*snap)->config.log.to_syslog;
  log.min_level = (*snap)->config.log.level;
  ConfigureLogging(log);
  return RunMaster(options, *snap);
}

int SendReload(const std::string& config_path) { return AskDaemon(config_path, "reload", kReloadTimeoutS); }

int SendStatus(const std::string& config_path) { return AskDaemon(config_path, "status", 10); }

int SendReopenLogs(const std::string& config_path) { return AskDaemon(config_path, "reopen-logs", 10); }

}  // namespace sendguard

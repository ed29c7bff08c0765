// cli/daemon.cc — startup, pid file, detaching, and the per-socket worker
// supervisor.
#include "cli/daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>
#include <vector>

#include "core/exit_codes.h"
#include "core/log.h"
#include "milter/milter.h"
#include "session/runtime.h"
#include "session/snapshot.h"

namespace sendguard {

namespace {

MilterOptions WorkerOptions(const Config& c, const std::string& socket) {
  MilterOptions o;
  o.socket = socket;
  o.socket_mode = c.daemon.socket_mode;
  o.socket_group = c.daemon.socket_group;
  o.user = c.daemon.user;
  o.timeout_s = c.daemon.milter_timeout_s;
  o.backlog = c.daemon.backlog;
  o.drain_timeout_s = c.daemon.drain_timeout_s;
  o.config_path = c.path;
  return o;
}

// Background upkeep: drops expired quota records once a minute.
void MaintenanceLoop(Runtime* runtime) {
  for (;;) {
    std::this_thread::sleep_for(std::chrono::seconds(60));
    if (!runtime->quota_store) continue;
    Result<size_t> dropped = runtime->quota_store->CollectGarbage(runtime->clock->NowSeconds());
    if (!dropped.ok()) SG_LOG(kWarning) << "quota garbage collection: " << dropped.status().ToString();
  }
}

void EnsureDir(const std::string& dir) {
  if (!dir.empty() && mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
    SG_LOG(kWarning) << "cannot create " << dir << ": " << strerror(errno);
  }
}

void WritePidFile(const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) {
    SG_LOG(kWarning) << "cannot write pid file " << path;
    return;
  }
  out << getpid() << "\n";
}

bool Detach() {
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid > 0) _exit(0);
  setsid();
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    if (null > 2) close(null);
  }
  return true;
}

// Serves one socket in this process: opens the worker's runtime (quota
// store, ...) and hands over to libmilter.
int RunWorker(const Config& config, const std::string& socket, SnapshotHolder* holder) {
  BlockDaemonSignals();
  Result<std::unique_ptr<Runtime>> runtime = OpenRuntime(config);
  if (!runtime.ok()) {
    SG_LOG(kError) << runtime.status().ToString();
    return kExitConfig;
  }
  std::thread(MaintenanceLoop, runtime->get()).detach();
  return RunMilter(WorkerOptions(config, socket), holder, runtime->get());
}

pid_t StartWorker(const Config& config, const std::string& socket, SnapshotHolder* holder) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // supervisor killed: the whole daemon is gone, as with kill -9
  if (getppid() == 1) _exit(1);      // it died before prctl took effect
  setpgid(0, 0);                     // Ctrl-C reaches the supervisor, which drains us
  _exit(RunWorker(config, socket, holder));
}

void SignalAll(const std::map<pid_t, std::string>& workers, int sig) {
  for (const auto& [pid, socket] : workers) kill(pid, sig);
}

// Supervisor loop: one worker process per socket. Signals are blocked and
// collected with sigtimedwait. SIGTERM/SIGINT/SIGHUP become SIGUSR2 for the
// workers (drain, then stop); workers still alive long after the drain
// timeout are killed. Dead workers are restarted unless we are stopping.
int Supervise(const Config& config, SnapshotHolder* holder) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGUSR1, SIGUSR2, SIGHUP, SIGTERM, SIGINT, SIGCHLD}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  std::map<pid_t, std::string> workers;
  for (const std::string& socket : config.daemon.listen) workers[StartWorker(config, socket, holder)] = socket;
  bool stopping = false, startup_failed = false;
  auto kill_at = std::chrono::steady_clock::time_point::max();
  while (!workers.empty()) {
    struct timespec tick = {0, 200 * 1000 * 1000};
    int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig == SIGUSR1) SignalAll(workers, SIGUSR1);
    if (!stopping && (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGUSR2)) {
      stopping = true;
      SignalAll(workers, SIGUSR2);
      kill_at = std::chrono::steady_clock::now() + std::chrono::seconds(config.daemon.drain_timeout_s + 10);
    }
    if (stopping && std::chrono::steady_clock::now() > kill_at) SignalAll(workers, SIGKILL);
    int status = 0;
    pid_t dead;
    while ((dead = waitpid(-1, &status, WNOHANG)) > 0) {
      std::string socket = workers[dead];
      workers.erase(dead);
      if (stopping) continue;
      if (WIFEXITED(status) && WEXITSTATUS(status) == kStartupFailure) {
        SG_LOG(kError) << "worker for " << socket << " cannot start; stopping";
        startup_failed = stopping = true;
        SignalAll(workers, SIGUSR2);
        continue;
      }
      SG_LOG(kError) << "worker for " << socket << " exited (status " << status << "); restarting";
      std::this_thread::sleep_for(std::chrono::seconds(1));
      workers[StartWorker(config, socket, holder)] = socket;
    }
  }
  return startup_failed ? kExitConfig : 0;
}

}  // namespace

int RunDaemon(const RunOptions& options) {
  Result<std::shared_ptr<const Snapshot>> snap = LoadSnapshot(options.config_path);
  if (!snap.ok()) {
    SG_LOG(kError) << snap.status().message();
    return kExitConfig;
  }
  Config config = (*snap)->config;
  if (!options.socket_override.empty()) config.daemon.listen = {options.socket_override};
  LogOptions log;
  log.to_syslog = config.log.to_syslog;
  log.min_level = config.log.level;
  ConfigureLogging(log);
  if (!options.foreground && !Detach()) return 1;
  EnsureDir(config.daemon.state_dir);
  WritePidFile(config.PidFile());
  SnapshotHolder holder(*snap);
  int rc = Supervise(config, &holder);
  unlink(config.PidFile().c_str());
  return rc;
}

int SendReload(const std::string& config_path) {
  Result<Config> config = LoadConfig(config_path);
  if (!config.ok()) {
    fprintf(stderr, "sendguard: %s\n", config.status().message().c_str());
    return kExitConfig;
  }
  std::ifstream in(config->PidFile());
  long pid = 0;
  if (!(in >> pid) || pid <= 1) {
    fprintf(stderr, "sendguard: no running daemon (cannot read %s)\n", config->PidFile().c_str());
    return 1;
  }
  if (kill(static_cast<pid_t>(pid), SIGUSR1) != 0) {
    fprintf(stderr, "sendguard: cannot signal pid %ld: %s\n", pid, strerror(errno));
    return 1;
  }
  printf("sendguard: reload requested (pid %ld); the log tells whether it succeeded\n", pid);
  return 0;
}

}  // namespace sendguard

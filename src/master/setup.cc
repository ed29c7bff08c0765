// master/setup.cc — the parent's privileged startup.
#include "master/setup.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/log.h"
#include "proc/control_socket.h"
#include "session/line_log.h"

namespace sendguard {
namespace {

Status MakeDirs(const std::string& dir, mode_t mode) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i != dir.size() && dir[i] != '/') continue;
    std::string partial = dir.substr(0, i);
    if (mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      return Status::IoError("cannot create " + partial + ": " + strerror(errno));
    }
  }
  return Status::Ok();
}

// The workers open the embedded quota store as daemon.user: its directory
// and files are theirs (files left by a version that opened it as root too).
// Files first, then the directory, and nothing once the directory is the
// worker's: under the systemd unit the parent is root without
// CAP_DAC_READ_SEARCH and cannot enter the worker's 0750 directory.
Status HandOverQuotaDir(const Config& c, const proc::Account& worker) {
  if (!c.quota_enabled() || c.redis.backend != "lmdb") return Status::Ok();
  Status s = MakeDirs(c.quota.state_dir, 0750);
  if (!s.ok() || worker.name.empty() || geteuid() != 0) return s;
  struct stat dir;
  if (stat(c.quota.state_dir.c_str(), &dir) == 0 && dir.st_uid == worker.uid) return Status::Ok();
  for (const std::string& name : {std::string("/data.mdb"), std::string("/lock.mdb"), std::string()}) {
    std::string path = c.quota.state_dir + name;
    if (chown(path.c_str(), worker.uid, worker.gid) != 0 && errno != ENOENT) {
      return Status::IoError("cannot give " + path + " to user '" + worker.name + "': " + strerror(errno));
    }
  }
  return Status::Ok();
}

// A directory the workers (or the HTTP server) write as daemon.user.
Status HandOverDir(const std::string& dir, const proc::Account& worker) {
  Status s = MakeDirs(dir, 0750);
  if (!s.ok() || worker.name.empty() || geteuid() != 0) return s;
  if (chown(dir.c_str(), worker.uid, worker.gid) != 0) {
    return Status::IoError("cannot give " + dir + " to user '" + worker.name + "': " + strerror(errno));
  }
  return Status::Ok();
}

// Abuse alerts wait in the outbox, written and sent by the workers.
Status HandOverOutbox(const Config& c, const proc::Account& worker) {
  if (c.abuse.policy_file.empty() || c.abuse.webhook_url.empty()) return Status::Ok();
  Status s = MakeDirs(c.abuse.outbox_dir, 0700);
  return s.ok() ? HandOverDir(c.abuse.outbox_dir, worker) : s;
}

// The console keeps its per-minute history there.
Status HandOverConsoleDir(const Config& c, const proc::Account& worker) {
  if (c.http.listen.empty() || c.http.console_users_file.empty()) return Status::Ok();
  return HandOverDir(c.http.console_dir, worker);
}

Status OpenHttpSocket(const Config& c, DaemonSetup* d) {
  if (c.HttpListenSpec().empty()) return Status::Ok();
  Result<proc::ListenSocket> s = proc::OpenListenSocket(c.HttpListenSpec(), c.daemon.backlog, {});
  if (!s.ok()) return Status::IoError(c.path + ": [http] listen: " + s.status().message());
  d->http_socket = *s;
  return Status::Ok();
}

Result<proc::Account> WorkerAccount(const Config& c) {
  Result<proc::Account> a = proc::LookupAccount(c.daemon.user);
  if (!a.ok()) return Status::InvalidArgument(c.path + ": [daemon] user: " + a.status().message());
  if (!a->name.empty() && geteuid() != 0 && geteuid() != a->uid) {
    return Status::InvalidArgument(c.path + ": [daemon] user = \"" + a->name + "\" needs sendguard started as root (it runs as '" +
                                   proc::CurrentAccountName() + "')");
  }
  return a;
}

// An empty spf.helper_user: the helpers run as the workers do.
Result<proc::Account> HelperAccount(const Config& c, const proc::Account& worker) {
  if (c.spf.helper_user.empty()) return worker;
  Result<proc::Account> a = proc::LookupAccount(c.spf.helper_user);
  if (!a.ok()) return Status::InvalidArgument(c.path + ": [spf] helper_user: " + a.status().message());
  return a;
}

Result<proc::SocketOwnership> Ownership(const Config& c, const proc::Account& worker) {
  proc::SocketOwnership o;
  o.mode = c.daemon.socket_mode;
  if (!worker.name.empty()) {
    o.uid = worker.uid;
    o.gid = worker.gid;
  }
  if (!c.daemon.socket_group.empty()) {
    const struct group* gr = getgrnam(c.daemon.socket_group.c_str());
    if (gr == nullptr) {
      return Status::InvalidArgument(c.path + ": [daemon] socket_group '" + c.daemon.socket_group + "' does not exist");
    }
    o.gid = gr->gr_gid;
  }
  return o;
}

Status OpenSockets(const std::vector<std::string>& listen, const Config& c, DaemonSetup* d) {
  Result<proc::SocketOwnership> owner = Ownership(c, d->worker_account);
  if (!owner.ok()) return owner.status();
  for (const std::string& spec : listen) {
    Result<proc::ListenSocket> s = proc::OpenListenSocket(spec, c.daemon.backlog, *owner);
    if (!s.ok()) return s.status();
    d->sockets.push_back(*s);
  }
  return Status::Ok();
}

// The Postfix policy service's sockets, served by workers of their own.
Status OpenPolicySockets(const Config& c, DaemonSetup* d) {
  Result<proc::SocketOwnership> owner = Ownership(c, d->worker_account);
  if (!owner.ok()) return owner.status();
  for (const std::string& postfix_spec : c.policy.listen) {
    Result<std::string> spec = proc::PolicySocketSpec(postfix_spec);
    if (!spec.ok()) return Status::InvalidArgument(c.path + ": [policy] listen: " + spec.status().message());
    Result<proc::ListenSocket> s = proc::OpenListenSocket(*spec, c.daemon.backlog, *owner);
    if (!s.ok()) return Status::IoError("[policy] listen: " + s.status().message());
    s->spec = postfix_spec;
    s->protocol = proc::SocketProtocol::kPolicy;
    d->sockets.push_back(*s);
  }
  return Status::Ok();
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

void WritePidFile(const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) {
    SG_LOG(kWarning) << "cannot write pid file " << path;
    return;
  }
  out << getpid() << "\n";
}

Result<int> OpenSignalFd() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGUSR1, SIGUSR2, SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return Status::IoError(std::string("signalfd: ") + strerror(errno));
  return fd;
}

Status Prepare(const MasterOptions& options, const Config& c, DaemonSetup* d) {
  Result<proc::Account> worker = WorkerAccount(c);
  if (!worker.ok()) return worker.status();
  d->worker_account = *worker;
  Result<proc::Account> helper = HelperAccount(c, d->worker_account);
  if (!helper.ok()) return helper.status();
  d->helper_account = *helper;
  Status s = MakeDirs(c.daemon.state_dir, 0755);
  if (s.ok()) s = HandOverQuotaDir(c, d->worker_account);
  if (s.ok()) s = HandOverOutbox(c, d->worker_account);
  if (s.ok()) s = HandOverConsoleDir(c, d->worker_account);
  if (s.ok()) s = OpenSockets(options.socket_override.empty() ? c.daemon.listen
                                                               : std::vector<std::string>{options.socket_override},
                              c, d);
  if (s.ok()) s = OpenPolicySockets(c, d);
  if (s.ok()) s = OpenHttpSocket(c, d);
  if (!s.ok()) return s;
  if (!c.log.decision_log.empty()) {
    Result<int> log = OpenLogFile(c.log.decision_log, "[log] decision_log");
    if (!log.ok()) return log.status();
    d->decision_log_fd = *log;
  }
  if (!c.log.audit_log.empty()) {
    Result<int> log = OpenLogFile(c.log.audit_log, "[log] audit_log");
    if (!log.ok()) return log.status();
    d->audit_log_fd = *log;
  }
  Result<int> control = proc::OpenControlSocket(c.ControlSocket());
  if (!control.ok()) return control.status();
  d->control_fd = *control;
  d->control_path = c.ControlSocket();
  if (!options.foreground && !Detach()) return Status::Internal(std::string("cannot detach: ") + strerror(errno));
  d->pid_file = c.PidFile();
  WritePidFile(d->pid_file);
  Result<int> sig = OpenSignalFd();
  if (!sig.ok()) return sig.status();
  d->signal_fd = *sig;
  return Status::Ok();
}

}  // namespace

Result<DaemonSetup> PrepareDaemon(const MasterOptions& options, const Config& config) {
  DaemonSetup d;
  Status s = Prepare(options, config, &d);
  if (s.ok()) return d;
  ReleaseDaemon(&d);
  return s;
}

void ReleaseDaemon(DaemonSetup* d) {
  for (proc::ListenSocket& s : d->sockets) proc::CloseListenSocket(&s);
  if (d->http_socket.fd >= 0) proc::CloseListenSocket(&d->http_socket);
  if (d->control_fd >= 0) {
    close(d->control_fd);
    unlink(d->control_path.c_str());
  }
  if (d->signal_fd >= 0) close(d->signal_fd);
  if (d->decision_log_fd >= 0) close(d->decision_log_fd);
  d->decision_log_fd = -1;
  if (d->audit_log_fd >= 0) close(d->audit_log_fd);
  d->audit_log_fd = -1;
  if (!d->pid_file.empty()) unlink(d->pid_file.c_str());
  d->control_fd = d->signal_fd = -1;
}

void WarnAboutRestartOnlyKeys(const Config& running, const Config& next, const MasterOptions& options) {
  const DaemonConfig& a = running.daemon;
  const DaemonConfig& b = next.daemon;
  std::string changed;
  if (options.socket_override.empty() && a.listen != b.listen) changed += " listen";
  if (a.workers != b.workers) changed += " workers";
  if (a.user != b.user) changed += " user";
  if (a.socket_mode != b.socket_mode || a.socket_group != b.socket_group) changed += " socket_mode/socket_group";
  if (a.state_dir != b.state_dir || a.pid_file != b.pid_file || a.control_socket != b.control_socket) {
    changed += " state_dir/pid_file/control_socket";
  }
  if (running.spf.helper_user != next.spf.helper_user) changed += " spf.helper_user";
  if (running.policy.listen != next.policy.listen) changed += " policy.listen";
  if (running.http.listen != next.http.listen) changed += " http.listen";
  if (!changed.empty()) {
    SG_LOG(kWarning) << "reload: [daemon]" << changed << " changed; these take effect at the next restart";
  }
}

}  // namespace sendguard

// milter/server.cc — process-level plumbing around libmilter: socket setup,
// privilege drop, SIGUSR1 reloads, and the bounded drain at stop.
#include <grp.h>
#include <libmilter/mfapi.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/log.h"
#include "milter/callbacks.h"
#include "milter/milter.h"
#include "session/session.h"

namespace sendguard {

namespace {

std::string UnixPath(const std::string& spec) {
  for (const char* p : {"unix:", "local:"}) {
    size_t n = strlen(p);
    if (spec.compare(0, n, p) == 0) return spec.substr(n);
  }
  return "";
}

// libmilter gives no handle on its listening socket. Find it and set
// TCP_NODELAY, which accepted sockets inherit on Linux: libmilter writes a
// header change and the final verdict as separate small packets, and with
// Nagle on, the second waits for the MTA's delayed ACK (~40 ms).
void DisableNagleOnListener() {
  for (int fd = 3; fd < 1024; ++fd) {
    int listening = 0;
    socklen_t len = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    struct sockaddr_storage ss;
    socklen_t slen = sizeof(ss);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &slen) != 0) continue;
    if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) continue;
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
      SG_LOG(kWarning) << "cannot set TCP_NODELAY on the milter socket: " << strerror(errno);
    }
  }
}

Status PrepareUnixSocket(const std::string& path, const MilterOptions& o, const struct passwd* pw) {
  if (chmod(path.c_str(), o.socket_mode) != 0) {
    return Status::IoError("chmod " + path + ": " + strerror(errno));
  }
  uid_t uid = pw ? pw->pw_uid : static_cast<uid_t>(-1);
  gid_t gid = pw ? pw->pw_gid : static_cast<gid_t>(-1);
  if (!o.socket_group.empty()) {
    const struct group* gr = getgrnam(o.socket_group.c_str());
    if (gr == nullptr) return Status::InvalidArgument("socket_group '" + o.socket_group + "' does not exist");
    gid = gr->gr_gid;
  }
  if ((pw != nullptr || !o.socket_group.empty()) && chown(path.c_str(), uid, gid) != 0) {
    return Status::IoError("chown " + path + ": " + strerror(errno));
  }
  return Status::Ok();
}

Status DropPrivileges(const struct passwd* pw) {
  if (pw == nullptr || geteuid() != 0) return Status::Ok();
  if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
    return Status::Internal(std::string("cannot switch to user ") + pw->pw_name + ": " + strerror(errno));
  }
  return Status::Ok();
}

// libmilter removes an existing unix socket before binding, which would
// silently steal the socket of a sendguard that is still running.
bool SomeoneListensOn(const std::string& path) {
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof(sun));
  sun.sun_family = AF_UNIX;
  strncpy(sun.sun_path, path.c_str(), sizeof(sun.sun_path) - 1);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return false;
  bool live = connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof(sun)) == 0;
  close(fd);
  return live;
}

Status OpenSocket(const MilterOptions& o, const struct passwd* pw) {
  std::string path = UnixPath(o.socket);
  if (!path.empty() && SomeoneListensOn(path)) {
    return Status::Unavailable(path + " is in use by a running filter; stop it first");
  }
  if (smfi_setconn(const_cast<char*>(o.socket.c_str())) != MI_SUCCESS ||
      smfi_settimeout(o.timeout_s) != MI_SUCCESS || smfi_setbacklog(o.backlog) != MI_SUCCESS) {
    return Status::InvalidArgument("libmilter refused socket '" + o.socket + "'");
  }
  if (smfi_opensocket(true) != MI_SUCCESS) {
    return Status::IoError("cannot listen on " + o.socket + " (in use, or directory missing?)");
  }
  if (!path.empty()) return PrepareUnixSocket(path, o, pw);
  DisableNagleOnListener();
  return Status::Ok();
}

void Drain(int timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (OpenMilterConnections() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (OpenMilterConnections() > 0) {
    SG_LOG(kWarning) << "stopping with " << OpenMilterConnections()
                     << " connection(s) still open after " << timeout_s << "s";
  }
}

void LogStopped() {
  if (Session::LiveCount() == 0) {
    SG_LOG(kInfo) << "sendguard stopped: connections open=" << OpenMilterConnections()
                  << " sessions live=0";
  } else {
    SG_LOG(kWarning) << "sendguard stopped: connections open=" << OpenMilterConnections()
                     << " sessions live=" << Session::LiveCount();
  }
}

// Waits for SIGUSR1 (reload) and SIGUSR2 (graceful stop), which are blocked
// in every thread. A graceful stop must not go through libmilter's own
// SIGTERM handling: once smfi_main returns, Debian's libmilter no longer
// serves the connections that are still open. So: refuse new connections
// (421 at connect), let open ones finish (bounded), then exit.
void ControlLoop(const MilterOptions& options, SnapshotHolder* holder) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    if (sig == SIGUSR2) break;
    Status s = holder->Reload(options.config_path);
    if (s.ok()) {
      SG_LOG(kInfo) << "reloaded " << options.config_path;
    } else {
      SG_LOG(kError) << "reload failed, keeping the previous configuration: " << s.ToString();
    }
  }
  SetDraining();
  SG_LOG(kInfo) << "stopping: refusing new connections, waiting for " << OpenMilterConnections()
                << " open one(s), at most " << options.drain_timeout_s << "s";
  Drain(options.drain_timeout_s);
  // Nothing is left to serve: finish here. (smfi_stop would block until
  // libmilter's accept loop reaches its next 5 s poll timeout.)
  LogStopped();
  std::string path = UnixPath(options.socket);
  if (!path.empty()) unlink(path.c_str());
  _exit(0);
}

}  // namespace

void BlockDaemonSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGUSR1, SIGUSR2, SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int RunMilter(const MilterOptions& options, SnapshotHolder* holder, Runtime* runtime) {
  BlockDaemonSignals();
  const struct passwd* pw = nullptr;
  if (!options.user.empty()) {
    pw = getpwnam(options.user.c_str());
    if (pw == nullptr) {
      SG_LOG(kError) << "user '" << options.user << "' does not exist";
      return kStartupFailure;
    }
  }
  if (!RegisterCallbacks(holder, runtime)) {
    SG_LOG(kError) << "smfi_register failed";
    return kStartupFailure;
  }
  Status s = OpenSocket(options, pw);
  if (s.ok()) s = DropPrivileges(pw);
  if (!s.ok()) {
    SG_LOG(kError) << s.ToString();
    return kStartupFailure;
  }
  std::thread(ControlLoop, options, holder).detach();
  SG_LOG(kInfo) << "listening on " << options.socket;
  int rc = smfi_main();
  LogStopped();
  std::string path = UnixPath(options.socket);
  if (!path.empty()) unlink(path.c_str());
  return rc == MI_SUCCESS ? 0 : 1;
}

}  // namespace sendguard

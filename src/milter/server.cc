// milter/server.cc — process-level plumbing around libmilter: serving the
// parent's shared listen socket, stop and retire signals, and the bounded
// drain.
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
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

int g_milter_fd = -1;  // libmilter's listening descriptor, once adopted

bool IsListening(int fd) {
  int listening = 0;
  socklen_t len = sizeof(listening);
  return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening;
}

// A listening socket of `family` that libmilter may open here and that no
// MTA will ever use. For unix sockets: a path in a fresh private directory.
std::string PlaceholderSpec(int family, std::string* dir) {
  if (family == AF_INET) return "inet:0@127.0.0.1";
  if (family == AF_INET6) return "inet6:0@::1";
  char tmpl[] = "/tmp/sendguard-worker.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return "";
  *dir = tmpl;
  return "unix:" + *dir + "/placeholder";
}

// libmilter has no call to serve a socket it did not open, and it opens at
// most one per process (later calls are no-ops while one is open). So it
// opens a placeholder of the same address family (it checks each accepted
// peer against that family), and the shared socket is then put on the
// placeholder's descriptor number with dup2(2).
Status AdoptListenSocket(const MilterOptions& o) {
  std::string dir;
  std::string spec = PlaceholderSpec(o.listen_family, &dir);
  if (spec.empty()) return Status::IoError(std::string("mkdtemp: ") + strerror(errno));
  bool opened = smfi_setconn(const_cast<char*>(spec.c_str())) == MI_SUCCESS &&
                smfi_settimeout(o.timeout_s) == MI_SUCCESS && smfi_opensocket(false) == MI_SUCCESS;
  if (!dir.empty()) {
    unlink((dir + "/placeholder").c_str());
    rmdir(dir.c_str());
  }
  if (!opened) return Status::IoError("libmilter cannot open a placeholder socket (" + spec + ")");
  for (int fd = 3; fd < 4096 && g_milter_fd < 0; ++fd) {
    if (fd != o.listen_fd && IsListening(fd)) g_milter_fd = fd;
  }
  if (g_milter_fd < 0) return Status::Internal("cannot find libmilter's listening socket");
  if (dup2(o.listen_fd, g_milter_fd) < 0) return Status::IoError(std::string("dup2: ") + strerror(errno));
  close(o.listen_fd);
  return Status::Ok();
}

// Points libmilter's descriptor at a listening socket nobody can reach
// (Linux gives an unbound unix socket an abstract address at listen(2)), so
// this worker takes no more connections from the shared socket.
void DetachFromListenSocket() {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && listen(fd, 1) == 0 && dup2(fd, g_milter_fd) >= 0) {
    close(fd);
    return;
  }
  SG_LOG(kWarning) << "cannot detach from the listen socket: " << strerror(errno);
  SetDraining();  // second best: refuse what still arrives
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
    SG_LOG(kInfo) << "worker stopped: connections open=" << OpenMilterConnections() << ", sessions live=0";
  } else {
    SG_LOG(kWarning) << "worker stopped: connections open=" << OpenMilterConnections() << ","
                     << " sessions live=" << Session::LiveCount();
  }
}

// Waits for SIGUSR1 (retire) or SIGUSR2 (stop), blocked in every thread. A
// graceful stop must not go through libmilter's own SIGTERM handling: once
// smfi_main returns, Debian's libmilter no longer serves the connections
// that are still open. So: stop taking new connections, let open ones finish
// (bounded), then exit.
void ControlLoop(MilterOptions options, MilterHooks hooks) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  sigaddset(&set, SIGWINCH);
  int sig = 0;
  while (sigwait(&set, &sig) != 0 || sig == SIGWINCH) {
    if (sig == SIGWINCH && hooks.on_reopen_logs) hooks.on_reopen_logs();
    sig = 0;
  }
  if (sig == SIGUSR1) {
    DetachFromListenSocket();
    SG_LOG(kInfo) << "retiring: finishing " << OpenMilterConnections() << " open connection(s), at most "
                  << options.drain_timeout_s << "s";
  } else {
    SetDraining();
    SG_LOG(kInfo) << "stopping: refusing new connections, waiting for " << OpenMilterConnections()
                  << " open one(s), at most " << options.drain_timeout_s << "s";
  }
  Drain(options.drain_timeout_s);
  // Nothing is left to serve: finish here. (smfi_stop would block until
  // libmilter's accept loop reaches its next 5 s poll timeout.)
  LogStopped();
  if (hooks.on_stopped) hooks.on_stopped(Session::LiveCount());
  _exit(0);
}

}  // namespace

void BlockDaemonSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGUSR1, SIGUSR2, SIGHUP, SIGTERM, SIGINT, SIGWINCH}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int RunMilter(const MilterOptions& options, const SnapshotHolder* holder, Runtime* runtime,
              const MilterHooks& hooks) {
  BlockDaemonSignals();
  if (!RegisterCallbacks(holder, runtime)) {
    SG_LOG(kError) << "smfi_register failed";
    return kStartupFailure;
  }
  Status s = AdoptListenSocket(options);
  if (!s.ok()) {
    SG_LOG(kError) << "worker for " << options.socket << ": " << s.ToString();
    return kStartupFailure;
  }
  std::thread(ControlLoop, options, hooks).detach();
  if (hooks.on_serving) hooks.on_serving();
  int rc = smfi_main();
  LogStopped();
  return rc == MI_SUCCESS ? 0 : 1;
}

}  // namespace sendguard

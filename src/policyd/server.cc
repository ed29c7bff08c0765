// policyd/server.cc — accept loop, connection threads with timeouts, and the
// retire/stop drain.
#include "policyd/server.h"

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/clock.h"
#include "core/log.h"
#include "policyd/request.h"
#include "policyd/responder.h"
#include "session/session.h"

namespace sendguard::policyd {
namespace {

std::atomic<long> g_open{0};
std::atomic<bool> g_stopping{false};
constexpr int kSliceMs = 200;  // how often a waiting connection looks at g_stopping

std::string PeerOf(int fd) {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
    return std::string(buf) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
    return "[" + std::string(buf) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return "unix socket";
}

bool WriteAll(int fd, const std::string& data, int timeout_ms) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p = {fd, POLLOUT, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return false;  // the client does not read its answers
      continue;
    }
    return false;
  }
  return true;
}

// One client: read, answer every complete request, until it leaves, errs,
// times out or the worker stops while it is idle.
class Connection {
 public:
  Connection(int fd, const ServerOptions& o, const SnapshotHolder* holder, Runtime* runtime)
      : fd_(fd), options_(o), responder_(holder, runtime) {}
  ~Connection() { close(fd_); }

  void Serve() {
    char buf[8192];
    int64_t idle_since = SteadyNowMicros();
    for (;;) {
      if (g_stopping && IdleWithNothingPending()) return;  // Postfix reconnects elsewhere
      pollfd p = {fd_, POLLIN, 0};
      int ready = poll(&p, 1, kSliceMs);
      if (ready < 0 && errno != EINTR) return;
      if (ready <= 0) {
        if (TimedOut(idle_since)) return Drop(reader_.Partial() ? "request not finished in time" : "idle too long");
        continue;
      }
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n == 0) return;  // the client closed
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return;
      }
      if (!reader_.Partial()) partial_since_ = SteadyNowMicros();
      reader_.Feed(buf, static_cast<size_t>(n));
      if (!AnswerComplete()) return;
      idle_since = SteadyNowMicros();
    }
  }

 private:
  // A stopping worker closes a connection only between requests and only once
  // it has answered one: a client accepted in the moment of a retire, or one
  // whose next request is already in the socket, would otherwise be reset with
  // its request unread.
  bool IdleWithNothingPending() const {
    if (reader_.Partial() || !answered_any_) return false;
    pollfd p = {fd_, POLLIN, 0};
    return poll(&p, 1, 0) == 0;
  }

  // A started request must be finished within request_timeout of its first
  // byte; between requests a client may stay idle_timeout.
  bool TimedOut(int64_t idle_since) const {
    int64_t now = SteadyNowMicros();
    if (reader_.Partial()) return now - partial_since_ > int64_t{options_.request_timeout_s} * 1000000;
    return now - idle_since > int64_t{options_.idle_timeout_s} * 1000000;
  }

  bool AnswerComplete() {
    PolicyRequest request;
    RequestReader::State s;
    std::string answers;
    while ((s = reader_.Next(&request)) == RequestReader::State::kRequest) {
      answers += FormatAnswer(responder_.Answer(request));
      partial_since_ = SteadyNowMicros();  // what follows is the next request
    }
    if (!answers.empty()) answered_any_ = true;
    if (!answers.empty() && !WriteAll(fd_, answers, options_.request_timeout_s * 1000)) {
      Drop("does not read its answers");
      return false;
    }
    if (s == RequestReader::State::kError) {
      Drop("protocol error: " + reader_.error());
      return false;
    }
    return true;
  }

  void Drop(const std::string& why) {
    SG_LOG(kWarning) << "policy: closing the connection of " << PeerOf(fd_) << ": " << why;
  }

  int fd_;
  const ServerOptions& options_;
  Responder responder_;
  RequestReader reader_;
  int64_t partial_since_ = 0;  // first byte of the request in progress
  bool answered_any_ = false;
};

void ServeConnection(int fd, const ServerOptions* o, const SnapshotHolder* holder, Runtime* runtime) {
  try {
    Connection(fd, *o, holder, runtime).Serve();
  } catch (const std::exception& e) {
    SG_LOG(kError) << "policy connection: " << e.what();
  }
  g_open.fetch_sub(1);
}

void AcceptOne(int listen_fd, const ServerOptions& o, const SnapshotHolder* holder, Runtime* runtime) {
  int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;  // another worker won the race, or the client left
  if (g_open.load() >= o.max_connections) {
    SG_LOG(kWarning) << "policy: " << g_open.load() << " connections open (max_connections); closing "
                     << PeerOf(fd);
    close(fd);
    return;
  }
  g_open.fetch_add(1);
  try {
    std::thread(ServeConnection, fd, &o, holder, runtime).detach();
  } catch (const std::system_error& e) {
    g_open.fetch_sub(1);
    close(fd);
    SG_LOG(kError) << "policy: cannot start a connection thread: " << e.what();
  }
}

std::atomic<int> g_signal{0};

void WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  g_signal = sig;
}

void Drain(const ServerOptions& o) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.drain_timeout_s);
  while (g_open.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (g_open.load() > 0) {
    SG_LOG(kWarning) << "stopping with " << g_open.load() << " policy connection(s) still open after "
                     << o.drain_timeout_s << "s";
  }
}

}  // namespace

long OpenPolicyConnections() { return g_open.load(); }

int RunPolicyServer(const ServerOptions& options, const SnapshotHolder* holder, Runtime* runtime,
                    const ServerHooks& hooks) {
  // Connection threads keep a reference for the life of the process.
  static const ServerOptions o = options;
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGUSR1, SIGUSR2, SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  std::thread(WaitForSignal).detach();
  if (hooks.on_serving) hooks.on_serving();
  SG_LOG(kDebug) << "policy worker serving " << o.socket;
  while (g_signal.load() == 0) {
    pollfd p = {o.listen_fd, POLLIN, 0};
    if (poll(&p, 1, kSliceMs) > 0) AcceptOne(o.listen_fd, o, holder, runtime);
  }
  close(o.listen_fd);  // our copy: the other workers keep taking connections
  g_stopping = true;
  SG_LOG(kInfo) << (g_signal.load() == SIGUSR1 ? "retiring" : "stopping") << ": policy worker finishes "
                << g_open.load() << " connection(s), at most " << o.drain_timeout_s << "s";
  Drain(o);
  long live = Session::LiveCount();
  if (live == 0) SG_LOG(kInfo) << "worker stopped: connections open=" << g_open.load() << ", sessions live=0";
  else SG_LOG(kWarning) << "worker stopped: connections open=" << g_open.load() << ", sessions live=" << live;
  if (hooks.on_stopped) hooks.on_stopped(live);
  _exit(0);
}

}  // namespace sendguard::policyd

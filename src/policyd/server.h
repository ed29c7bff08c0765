// policyd/server.h — a worker process serving Postfix SMTPD policy clients on
// the listen socket the parent opened (proc/listen_socket.h), the policy
// service's counterpart of milter/milter.h.
//
// Contract: RunPolicyServer() serves until the parent says stop or retire,
// then ends the process with _exit(0) (connection threads may still hold
// the runtime). Call it once per process. One thread per connection
// (a blocking store call — Redis — delays only its own client), at most
// `max_connections` at once: more are closed as soon as they are accepted.
// Each connection keeps at most one request in memory (policyd/request.h).
// A client that starts a request must finish it within request_timeout_s; an
// idle one is closed after idle_timeout_s; garbage closes the connection
// (logged with the peer and the reason). So slow, half-open and hostile
// clients cost only their own connection. Signals (from the parent):
//   SIGUSR1  retire: stop accepting, answer what has been asked, close idle
//            connections (Postfix reconnects to the workers of the new
//            snapshot), exit once none is left or drain_timeout_s passed.
//   SIGUSR2  stop: the same, for the daemon's stop.
// Thread-safety: call once per process, from the main thread, before any
// other thread is started.
#ifndef SENDGUARD_POLICYD_SERVER_H_
#define SENDGUARD_POLICYD_SERVER_H_

#include <functional>
#include <string>

#include "session/runtime.h"
#include "session/snapshot.h"

namespace sendguard::policyd {

struct ServerOptions {
  int listen_fd = -1;          // the parent's listening socket (non-blocking)
  std::string socket;          // its spec, for log lines
  int request_timeout_s = 10;
  int idle_timeout_s = 600;
  int max_connections = 512;
  int drain_timeout_s = 10;
};

struct ServerHooks {
  std::function<void()> on_serving;           // accepting starts
  std::function<void(long live)> on_stopped;  // drained; sessions still live (0 = clean)
};

int RunPolicyServer(const ServerOptions& options, const SnapshotHolder* holder, Runtime* runtime,
                    const ServerHooks& hooks);

// Policy connections open in this process.
long OpenPolicyConnections();

}  // namespace sendguard::policyd

#endif  // SENDGUARD_POLICYD_SERVER_H_

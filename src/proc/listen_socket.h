// proc/listen_socket.h — the listen sockets (milter, and Postfix SMTPD
// policy service), opened by the privileged parent and shared by every
// worker process of that socket.
//
// Contract: OpenListenSocket() parses libmilter's spelling ("unix:/path",
// "local:/path", "inet:PORT@HOST", "inet6:PORT@HOST", "inet:PORT" for every
// IPv4 address), refuses a unix path on which a live filter answers (a stale
// socket file is replaced), binds, listens, and for unix sockets applies the
// mode and owner. TCP sockets get TCP_NODELAY, which accepted sockets inherit
// on Linux: libmilter writes a header change and the verdict as two small
// packets, and Nagle plus the MTA's delayed ACK would stall the second by
// ~40 ms. The socket is non-blocking, so a worker that loses the race for a
// connection to another worker goes back to waiting instead of blocking in
// accept(2), and close-on-exec, so exec'd helpers never hold it.
// Errors name the socket and the reason. PolicySocketSpec() turns Postfix's
// spelling of a policy socket ("inet:HOST:PORT", "inet:[V6]:PORT",
// "unix:/path") into the one OpenListenSocket() reads.
// Thread-safety: plain functions; ListenSocket is a value owned by one thread.
#ifndef SENDGUARD_PROC_LISTEN_SOCKET_H_
#define SENDGUARD_PROC_LISTEN_SOCKET_H_

#include <sys/types.h>

#include <string>

#include "core/status.h"

namespace sendguard::proc {

// What is spoken on a socket: it picks what its workers serve.
enum class SocketProtocol { kMilter, kPolicy };

struct ListenSocket {
  std::string spec;       // as configured
  SocketProtocol protocol = SocketProtocol::kMilter;
  std::string unix_path;  // "" for TCP
  int family = 0;         // AF_UNIX, AF_INET or AF_INET6
  int fd = -1;
};

struct SocketOwnership {
  mode_t mode = 0660;
  uid_t uid = static_cast<uid_t>(-1);  // -1: unchanged
  gid_t gid = static_cast<gid_t>(-1);
};

Result<ListenSocket> OpenListenSocket(const std::string& spec, int backlog,
                                      const SocketOwnership& owner);

Result<std::string> PolicySocketSpec(const std::string& postfix_spec);

// Closes the socket and, for a unix socket, removes its path.
void CloseListenSocket(ListenSocket* socket);

}  // namespace sendguard::proc

#endif  // SENDGUARD_PROC_LISTEN_SOCKET_H_

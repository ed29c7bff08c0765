// proc/listen_socket.cc — parsing libmilter socket specs, bind/listen, and
// unix socket permissions.
#include "proc/listen_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sendguard::proc {
namespace {

std::string Errno(const std::string& what) { return what + ": " + strerror(errno); }

bool StripPrefix(const std::string& s, const char* prefix, std::string* rest) {
  size_t n = strlen(prefix);
  if (s.compare(0, n, prefix) != 0) return false;
  *rest = s.substr(n);
  return true;
}

// True when a filter answers on the path (connect succeeds).
bool SomeoneListensOn(const sockaddr_un& sun) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool live = connect(fd, reinterpret_cast<const sockaddr*>(&sun), sizeof(sun)) == 0;
  close(fd);
  return live;
}

Status ListenOn(int fd, const sockaddr* addr, socklen_t len, int backlog, const std::string& spec) {
  if (bind(fd, addr, len) != 0) return Status::IoError(Errno("cannot bind " + spec));
  if (listen(fd, backlog) != 0) return Status::IoError(Errno("cannot listen on " + spec));
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    return Status::IoError(Errno("cannot make " + spec + " non-blocking"));
  }
  return Status::Ok();
}

Status OpenUnix(ListenSocket* s, int backlog, const SocketOwnership& owner) {
  sockaddr_un sun;
  memset(&sun, 0, sizeof(sun));
  sun.sun_family = AF_UNIX;
  if (s->unix_path.empty() || s->unix_path.size() >= sizeof(sun.sun_path)) {
    return Status::InvalidArgument("socket path of '" + s->spec + "' is empty or too long");
  }
  memcpy(sun.sun_path, s->unix_path.data(), s->unix_path.size());
  if (SomeoneListensOn(sun)) {
    return Status::Unavailable(s->unix_path + " is in use by a running filter; stop it first");
  }
  unlink(s->unix_path.c_str());  // a stale socket file of a filter that died
  s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->fd < 0) return Status::IoError(Errno("socket"));
  Status st = ListenOn(s->fd, reinterpret_cast<sockaddr*>(&sun), sizeof(sun), backlog, s->spec);
  if (!st.ok()) return st;
  if (chmod(s->unix_path.c_str(), owner.mode) != 0) return Status::IoError(Errno("chmod " + s->unix_path));
  bool change_owner = owner.uid != static_cast<uid_t>(-1) || owner.gid != static_cast<gid_t>(-1);
  if (change_owner && chown(s->unix_path.c_str(), owner.uid, owner.gid) != 0) {
    return Status::IoError(Errno("chown " + s->unix_path));
  }
  return Status::Ok();
}

// "PORT@HOST" or "PORT"; HOST may be a name or an address.
Status OpenInet(ListenSocket* s, const std::string& rest, int backlog) {
  size_t at = rest.find('@');
  std::string port = rest.substr(0, at);
  std::string host = at == std::string::npos ? "" : rest.substr(at + 1);
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("socket '" + s->spec + "': port must be a number");
  }
  addrinfo hints;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = s->family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) return Status::InvalidArgument("socket '" + s->spec + "': " + gai_strerror(rc));
  s->fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  Status st = s->fd < 0 ? Status::IoError(Errno("socket")) : Status::Ok();
  int one = 1;
  if (st.ok()) {
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    st = ListenOn(s->fd, res->ai_addr, res->ai_addrlen, backlog, s->spec);
  }
  freeaddrinfo(res);
  return st;
}

}  // namespace

Result<ListenSocket> OpenListenSocket(const std::string& spec, int backlog,
                                      const SocketOwnership& owner) {
  ListenSocket s;
  s.spec = spec;
  std::string rest;
  Status st;
  if (StripPrefix(spec, "unix:", &rest) || StripPrefix(spec, "local:", &rest)) {
    s.family = AF_UNIX;
    s.unix_path = rest;
    st = OpenUnix(&s, backlog, owner);
  } else if (StripPrefix(spec, "inet:", &rest)) {
    s.family = AF_INET;
    st = OpenInet(&s, rest, backlog);
  } else if (StripPrefix(spec, "inet6:", &rest)) {
    s.family = AF_INET6;
    st = OpenInet(&s, rest, backlog);
  } else {
    st = Status::InvalidArgument("socket '" + spec + "': want unix:/path, inet:PORT@HOST or inet6:PORT@HOST");
  }
  if (st.ok()) return s;
  if (s.fd >= 0) close(s.fd);
  return st;
}

Result<std::string> PolicySocketSpec(const std::string& spec) {
  std::string rest;
  if (StripPrefix(spec, "unix:", &rest)) return spec;
  size_t colon = spec.rfind(':');
  if (!StripPrefix(spec, "inet:", &rest) || colon <= 5) {
    return Status::InvalidArgument("policy socket '" + spec + "': want inet:HOST:PORT or unix:/path");
  }
  std::string host = spec.substr(5, colon - 5), port = spec.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return "inet6:" + port + "@" + host.substr(1, host.size() - 2);
  }
  return "inet:" + port + "@" + host;
}

void CloseListenSocket(ListenSocket* socket) {
  if (socket->fd < 0) return;
  close(socket->fd);
  socket->fd = -1;
  if (!socket->unix_path.empty()) unlink(socket->unix_path.c_str());
}

}  // namespace sendguard::proc

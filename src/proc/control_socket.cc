// proc/control_socket.cc — request/answer lines over a unix socket.
#include "proc/control_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/clock.h"

namespace sendguard::proc {
namespace {

Result<sockaddr_un> Address(const std::string& path) {
  sockaddr_un sun;
  memset(&sun, 0, sizeof(sun));
  sun.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(sun.sun_path)) {
    return Status::InvalidArgument("control socket path '" + path + "' is empty or too long");
  }
  memcpy(sun.sun_path, path.data(), path.size());
  return sun;
}

// Reads until EOF, `stop` seen, or the deadline.
Result<std::string> ReadUntil(int fd, int64_t deadline_us, size_t max, char stop) {
  std::string out;
  while (out.size() < max && (stop == 0 || out.find(stop) == std::string::npos)) {
    int64_t left = deadline_us - SteadyNowMicros();
    if (left <= 0) return Status::Unavailable("control socket: no complete answer in time");
    struct pollfd p = {fd, POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>((left + 999) / 1000));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

bool WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

Result<int> OpenControlSocket(const std::string& path) {
  Result<sockaddr_un> sun = Address(path);
  if (!sun.ok()) return sun.status();
  unlink(path.c_str());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Status::IoError(std::string("socket: ") + strerror(errno));
  mode_t old = umask(0077);
  int rc = bind(fd, reinterpret_cast<const sockaddr*>(&*sun), sizeof(*sun));
  umask(old);
  if (rc != 0 || chmod(path.c_str(), 0600) != 0 || listen(fd, 8) != 0) {
    std::string why = strerror(errno);
    close(fd);
    return Status::IoError("cannot listen on control socket " + path + ": " + why);
  }
  return fd;
}

Result<std::string> ReadControlRequest(int client_fd) {
  Result<std::string> line = ReadUntil(client_fd, SteadyNowMicros() + 2000000, kMaxControlRequest, '\n');
  if (!line.ok()) return line.status();
  size_t nl = line->find('\n');
  if (nl == std::string::npos) return Status::InvalidArgument("control request without end of line");
  return line->substr(0, nl);
}

void AnswerControl(int client_fd, const std::string& answer) {
  WriteAll(client_fd, answer);
  close(client_fd);
}

Result<std::string> RequestControl(const std::string& path, const std::string& request, int timeout_s) {
  Result<sockaddr_un> sun = Address(path);
  if (!sun.ok()) return sun.status();
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::string("socket: ") + strerror(errno));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&*sun), sizeof(*sun)) != 0) {
    std::string why = strerror(errno);
    close(fd);
    return Status::Unavailable("no running daemon answers on " + path + ": " + why);
  }
  Result<std::string> answer = WriteAll(fd, request + "\n")
                                   ? ReadUntil(fd, SteadyNowMicros() + int64_t{timeout_s} * 1000000, 1 << 20, 0)
                                   : Result<std::string>(Status::IoError("cannot send to " + path));
  close(fd);
  return answer;
}

bool ControlAnswerOk(const std::string& answer) {
  std::string a = answer;
  while (!a.empty() && a.back() == '\n') a.pop_back();
  size_t nl = a.rfind('\n');
  std::string last = nl == std::string::npos ? a : a.substr(nl + 1);
  return last.compare(0, 2, "ok") == 0;
}

}  // namespace sendguard::proc

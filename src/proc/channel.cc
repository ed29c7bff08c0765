// proc/channel.cc — SOCK_SEQPACKET messages with SCM_RIGHTS.
#include "proc/channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/clock.h"

namespace sendguard::proc {
namespace {

Status WaitReadable(int fd, int64_t deadline_us) {
  for (;;) {
    int timeout_ms = -1;
    if (deadline_us >= 0) {
      int64_t left = deadline_us - SteadyNowMicros();
      if (left <= 0) return Status::Unavailable("no answer on the parent channel before the deadline");
      timeout_ms = static_cast<int>((left + 999) / 1000);
    }
    struct pollfd p = {fd, POLLIN, 0};
    int rc = poll(&p, 1, timeout_ms);
    if (rc > 0) return Status::Ok();
    if (rc < 0 && errno != EINTR) return Status::IoError(std::string("poll: ") + strerror(errno));
  }
}

int TakePassedFd(msghdr* msg) {
  int passed = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(msg); c != nullptr; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const int* fds = reinterpret_cast<const int*>(CMSG_DATA(c));
    for (size_t i = 0; i < n; ++i) {
      if (passed < 0) passed = fds[i];
      else close(fds[i]);  // more than we asked for
    }
  }
  return passed;
}

}  // namespace

Status MakeChannel(int ends[2]) {
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
    return Status::IoError(std::string("socketpair: ") + strerror(errno));
  }
  return Status::Ok();
}

Status SendMessage(int fd, const std::string& text, int pass_fd) {
  if (text.size() > kMaxChannelMessage) return Status::InvalidArgument("channel message too long");
  iovec iov = {const_cast<char*>(text.data()), text.size()};
  msghdr msg;
  memset(&msg, 0, sizeof(msg));
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (pass_fd >= 0) {
    memset(control, 0, sizeof(control));
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
  }
  ssize_t n;
  do {
    n = sendmsg(fd, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Status::IoError(std::string("channel send: ") + strerror(errno));
  return Status::Ok();
}

Result<ChannelMessage> ReceiveMessage(int fd, int64_t deadline_us) {
  Status s = WaitReadable(fd, deadline_us);
  if (!s.ok()) return s;
  char buf[kMaxChannelMessage];
  iovec iov = {buf, sizeof(buf)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  msghdr msg;
  memset(&msg, 0, sizeof(msg));
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReceiveMessage(fd, deadline_us);
  if (n < 0) return Status::IoError(std::string("channel receive: ") + strerror(errno));
  ChannelMessage m;
  m.fd = TakePassedFd(&msg);
  if (n == 0 && m.fd < 0) return Status::IoError("the other end of the channel has gone");
  m.text.assign(buf, static_cast<size_t>(n));
  return m;
}

}  // namespace sendguard::proc

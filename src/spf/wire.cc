// spf/wire.cc — length-prefixed frames over a stream socket, with deadlines
// enforced by poll(). Never blocks past the deadline, never raises SIGPIPE.
#include "spf/wire.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace sendguard::spf {
namespace {

void PutU32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

uint32_t GetU32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

// Waits until fd is readable; Unavailable on deadline.
Status WaitReadable(int fd, int64_t deadline_us) {
  for (;;) {
    int timeout_ms = -1;
    if (deadline_us != 0) {
      int64_t left_us = deadline_us - SteadyNowMicros();
      if (left_us <= 0) return Status::Unavailable("SPF helper timed out");
      timeout_ms = static_cast<int>((left_us + 999) / 1000);
    }
    pollfd p{fd, POLLIN, 0};
    int n = poll(&p, 1, timeout_ms);
    if (n > 0) return Status::Ok();
    if (n < 0 && errno != EINTR) return Status::IoError(std::string("poll: ") + strerror(errno));
  }
}

Status ReadExactly(int fd, char* buf, size_t len, int64_t deadline_us) {
  size_t got = 0;
  while (got < len) {
    Status s = WaitReadable(fd, deadline_us);
    if (!s.ok()) return s;
    ssize_t n = recv(fd, buf + got, len - got, MSG_DONTWAIT);
    if (n == 0) return Status::IoError("SPF helper closed the connection");
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return Status::IoError(std::string("recv: ") + strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeFrame(const Fields& fields) {
  std::string payload;
  for (const std::string& f : fields) {
    PutU32(&payload, static_cast<uint32_t>(f.size()));
    payload += f;
  }
  std::string frame;
  PutU32(&frame, static_cast<uint32_t>(payload.size()));
  return frame + payload;
}

Result<Fields> DecodePayload(const std::string& payload) {
  Fields fields;
  size_t pos = 0;
  while (pos < payload.size()) {
    if (payload.size() - pos < 4) return Status::InvalidArgument("truncated field header");
    uint32_t len = GetU32(payload.data() + pos);
    pos += 4;
    if (len > payload.size() - pos) return Status::InvalidArgument("field longer than frame");
    if (fields.size() >= kMaxFields) return Status::InvalidArgument("too many fields");
    fields.push_back(payload.substr(pos, len));
    pos += len;
  }
  return fields;
}

Status WriteFrame(int fd, const Fields& fields) {
  std::string frame = EncodeFrame(fields);
  if (frame.size() > kMaxFrameBytes + 4) return Status::InvalidArgument("frame too large");
  size_t sent = 0;
  while (sent < frame.size()) {
    ssize_t n = send(fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(std::string("send: ") + strerror(errno));
    }
    sent += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<Fields> ReadFrame(int fd, int64_t deadline_steady_us) {
  char header[4];
  Status s = ReadExactly(fd, header, 4, deadline_steady_us);
  if (!s.ok()) return s;
  uint32_t len = GetU32(header);
  if (len > kMaxFrameBytes) return Status::InvalidArgument("frame of " + std::to_string(len) + " bytes");
  std::string payload(len, '\0');
  s = ReadExactly(fd, payload.data(), len, deadline_steady_us);
  if (!s.ok()) return s;
  return DecodePayload(payload);
}

}  // namespace sendguard::spf

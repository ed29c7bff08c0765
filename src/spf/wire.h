// spf/wire.h — the tiny framing used between SpfClient and the SPF helper
// process: a frame is a 4-byte big-endian length and a payload made of
// fields, each a 4-byte big-endian length and that many bytes.
//
// Contract: ReadFrame never trusts the peer: sizes are capped (kMaxFrameBytes,
// kMaxFields) and a malformed frame is an InvalidArgument. Timeouts come back
// as Unavailable, end-of-stream and socket errors as IoError. Writes use
// MSG_NOSIGNAL, so a dead peer is an IoError, never a SIGPIPE.
// Thread-safety: functions are reentrant; one fd must not be shared by two
// concurrent readers or writers.
#ifndef SENDGUARD_SPF_WIRE_H_
#define SENDGUARD_SPF_WIRE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace sendguard::spf {

using Fields = std::vector<std::string>;

constexpr size_t kMaxFrameBytes = 1 << 20;
constexpr size_t kMaxFields = 4096;

std::string EncodeFrame(const Fields& fields);
// Decodes a payload (without the outer length).
Result<Fields> DecodePayload(const std::string& payload);

// Writes the whole frame to a socket.
Status WriteFrame(int fd, const Fields& fields);

// Reads one frame. `deadline_steady_us` is a std::chrono::steady_clock time in
// microseconds since its epoch; 0 means wait forever.
Result<Fields> ReadFrame(int fd, int64_t deadline_steady_us);

using sendguard::SteadyNowMicros;  // deadlines are steady-clock microseconds

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_WIRE_H_

// proc/channel.h — the parent's private line to each child: short text
// messages over a SOCK_SEQPACKET socket pair, optionally carrying one file
// descriptor (SCM_RIGHTS).
//
// Contract: a message is at most kMaxChannelMessage bytes and arrives whole
// or not at all. Receive() waits until the deadline (steady-clock
// microseconds, core/clock.h SteadyNowMicros; <0 = forever) and returns
// Unavailable on timeout, IoError when the peer has gone. A received
// descriptor is close-on-exec and owned by the caller.
// Thread-safety: one sender and one receiver per end at a time; callers
// that share an end serialize their request/answer pairs.
#ifndef SENDGUARD_PROC_CHANNEL_H_
#define SENDGUARD_PROC_CHANNEL_H_

#include <cstdint>
#include <string>

#include "core/status.h"

namespace sendguard::proc {

constexpr size_t kMaxChannelMessage = 4096;

struct ChannelMessage {
  std::string text;
  int fd = -1;  // -1: none
};

// Both ends close-on-exec; [0] for the parent, [1] for the child.
Status MakeChannel(int ends[2]);

Status SendMessage(int fd, const std::string& text, int pass_fd = -1);

Result<ChannelMessage> ReceiveMessage(int fd, int64_t deadline_us);

}  // namespace sendguard::proc

#endif  // SENDGUARD_PROC_CHANNEL_H_

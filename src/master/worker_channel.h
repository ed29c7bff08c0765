// master/worker_channel.h — a worker's end of its channel to the parent, and
// the SPF helper launcher that goes through it.
//
// Contract: the parent never speaks first; it answers each Ask() with one
// message. Notify() sends a message that gets no answer ("ready",
// "startup-error WHY"). Ask() returns IoError when the parent has gone and
// Unavailable when it does not answer within the timeout. The launcher
// asks the parent to start helpers ("spf-launch" -> "spf-launched PID" plus
// the helper's socket), to kill them ("spf-kill PID") and for their exit
// status ("spf-status PID" -> "running" | "exited STATUS"): a worker has no
// privilege over helpers, which run as spf.helper_user.
// Thread-safety: WorkerChannel and the launcher are safe for concurrent use
// (one request/answer at a time on the channel).
#ifndef SENDGUARD_MASTER_WORKER_CHANNEL_H_
#define SENDGUARD_MASTER_WORKER_CHANNEL_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "proc/channel.h"
#include "spf/helper_launcher.h"

namespace sendguard {

class WorkerChannel {
 public:
  explicit WorkerChannel(int fd) : fd_(fd) {}
  Status Notify(const std::string& message);
  Result<proc::ChannelMessage> Ask(const std::string& request, int timeout_ms);

 private:
  const int fd_;
  std::mutex mu_;
  uint64_t seq_ = 0;  // guarded by mu_
};

// `channel` must outlive the launcher.
std::unique_ptr<spf::HelperLauncher> MakeParentHelperLauncher(WorkerChannel* channel);

}  // namespace sendguard

#endif  // SENDGUARD_MASTER_WORKER_CHANNEL_H_

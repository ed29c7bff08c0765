// master/worker_channel.cc — request/answer to the parent over the channel.
#include "master/worker_channel.h"

#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"

namespace sendguard {
namespace {

constexpr int kLaunchTimeoutMs = 10000;
constexpr int kQuickTimeoutMs = 5000;

class ParentHelperLauncher final : public spf::HelperLauncher {
 public:
  explicit ParentHelperLauncher(WorkerChannel* channel) : channel_(channel) {}

  Result<spf::HelperProcess> Launch() override {
    Result<proc::ChannelMessage> m = channel_->Ask("spf-launch", kLaunchTimeoutMs);
    if (!m.ok()) return m.status();
    long pid = 0;
    if (sscanf(m->text.c_str(), "spf-launched %ld", &pid) == 1 && pid > 0 && m->fd >= 0) {
      return spf::HelperProcess{static_cast<pid_t>(pid), m->fd};
    }
    if (m->fd >= 0) close(m->fd);
    return Status::Unavailable(m->text.compare(0, 6, "error ") == 0 ? m->text.substr(6)
                                                                    : "unexpected answer '" + m->text + "'");
  }

  void Kill(pid_t pid) override {
    Result<proc::ChannelMessage> m = channel_->Ask("spf-kill " + std::to_string(pid), kQuickTimeoutMs);
    if (!m.ok()) SG_LOG(kWarning) << "cannot have SPF helper " << pid << " killed: " << m.status().ToString();
  }

  std::optional<int> ExitStatus(pid_t pid) override {
    Result<proc::ChannelMessage> m = channel_->Ask("spf-status " + std::to_string(pid), kQuickTimeoutMs);
    int status = 0;
    if (m.ok() && sscanf(m->text.c_str(), "exited %d", &status) == 1) return status;
    return std::nullopt;
  }

 private:
  WorkerChannel* const channel_;
};

}  // namespace

Status WorkerChannel::Notify(const std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
  return proc::SendMessage(fd_, message);
}

// Each request carries a sequence number that the parent echoes, so a late
// answer to a request that timed out is recognised and dropped.
Result<proc::ChannelMessage> WorkerChannel::Ask(const std::string& request, int timeout_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string tag = std::to_string(++seq_) + " ";
  Status s = proc::SendMessage(fd_, tag + request);
  if (!s.ok()) return s;
  int64_t deadline = SteadyNowMicros() + int64_t{timeout_ms} * 1000;
  for (;;) {
    Result<proc::ChannelMessage> m = proc::ReceiveMessage(fd_, deadline);
    if (!m.ok()) return m;
    if (m->text.compare(0, tag.size(), tag) == 0) {
      m->text.erase(0, tag.size());
      return m;
    }
    if (m->fd >= 0) close(m->fd);  // the answer to an earlier, abandoned request
  }
}

std::unique_ptr<spf::HelperLauncher> MakeParentHelperLauncher(WorkerChannel* channel) {
  return std::make_unique<ParentHelperLauncher>(channel);
}

}  // namespace sendguard

// spf/spf_client.h — the daemon's side of the SPF/DMARC pre-flight: a small
// pool of isolated helper processes (spf_helper.h) and the Check() call a
// milter session makes per message.
//
// Contract: Check() returns within options.timeout_ms (plus a few ms of
// bookkeeping) whatever the DNS or the helper does. A helper that stalls past
// the deadline is killed (SIGKILL) and the answer is temperror
// (result.helper_failed); a helper that crashed or died is restarted on next
// use. Check() returns an error Status (InvalidArgument) only for a request
// it cannot evaluate: client_ip not an address, a domain longer than 253
// bytes or containing spaces/control/8-bit characters. Everything else,
// including "no helper could be started", is a result with temperrors.
// Never throws.
// Thread-safety: Check() may be called concurrently from any number of
// threads; up to options.helpers checks run in parallel, the others wait
// (within their deadline). Start() and the destructor: one thread.
#ifndef SENDGUARD_SPF_SPF_CLIENT_H_
#define SENDGUARD_SPF_SPF_CLIENT_H_

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "core/status.h"
#include "spf/helper_launcher.h"
#include "spf/helper_protocol.h"
#include "spf/preflight.h"
#include "spf/public_suffix.h"
#include "spf/spf_options.h"

namespace sendguard::spf {

class SpfClient {
 public:
  // Validates options, loads the public suffix list and the static DNS file
  // (so their errors name file:line here), and starts every helper through
  // `launcher` (null: a local one running options.helper_command).
  static Result<std::unique_ptr<SpfClient>> Start(const SpfOptions& options,
                                                  std::unique_ptr<HelperLauncher> launcher = nullptr);
  ~SpfClient();  // kills and reaps the helpers
  SpfClient(const SpfClient&) = delete;
  SpfClient& operator=(const SpfClient&) = delete;

  Result<PreflightResult> Check(const PreflightRequest& request) const;

  const SpfOptions& options() const { return options_; }
  const PublicSuffixList& public_suffixes() const { return *psl_; }
  // Live helper pids (monitoring, tests); -1 for a slot waiting for restart.
  std::vector<pid_t> HelperPids() const;

 private:
  struct Slot {
    std::atomic<pid_t> pid{-1};  // atomic only so HelperPids() may peek
    int fd = -1;
    bool busy = false;
    bool started = false;  // a helper ran here before (the next start is a restart)
  };

  SpfClient(SpfOptions options, std::shared_ptr<const PublicSuffixList> psl,
            std::unique_ptr<HelperLauncher> launcher);
  Status Spawn(Slot* slot, int64_t deadline_us) const;
  void Kill(Slot* slot) const;
  Result<Slot*> Acquire(int64_t deadline_us) const;
  void Release(Slot* slot) const;
  RawAnswers Ask(const PreflightRequest& request, const std::vector<std::string>& txt_names,
                 int64_t deadline_us) const;
  Result<HelperResponse> RoundTrip(Slot* slot, const HelperRequest& request,
                                   int64_t deadline_us) const;
  Result<HelperResponse> TryOnce(Slot* slot, const HelperRequest& request, int64_t deadline_us,
                                 bool* killed_from_outside) const;
  Status EnsureRunning(Slot* slot, int64_t deadline_us) const;
  bool ReapAfterEof(Slot* slot, int64_t deadline_us) const;

  const SpfOptions options_;
  const std::shared_ptr<const PublicSuffixList> psl_;
  const std::unique_ptr<HelperLauncher> launcher_;
  mutable std::mutex mu_;
  mutable std::condition_variable slot_free_;
  mutable std::vector<Slot> slots_;  // guarded by mu_ (busy flags); a busy slot belongs to its user
  mutable uint64_t next_seq_ = 1;    // guarded by mu_
};

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_SPF_CLIENT_H_

// spf/helper_launcher.h — who starts, kills and reaps SPF helper processes.
//
// Contract: Launch() returns a helper that is waiting for its "init" frame on
// `fd` (the caller owns fd), or an error Status saying why none could be
// started. Kill() ends a helper for good (SIGKILL) and reaps it.
// ExitStatus() reaps a helper that has exited and returns its wait(2)
// status; nullopt while it runs (or when it is not the launcher's).
// LocalHelperLauncher forks the helpers itself (the CLI, tests); in the
// daemon the privileged parent launches them as spf.helper_user on a
// worker's request (master/helper_requests.h), since a worker has no
// privilege to give them.
// Thread-safety: implementations serialize their own calls.
#ifndef SENDGUARD_SPF_HELPER_LAUNCHER_H_
#define SENDGUARD_SPF_HELPER_LAUNCHER_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace sendguard::spf {

struct HelperProcess {
  pid_t pid = -1;
  int fd = -1;
};

class HelperLauncher {
 public:
  virtual ~HelperLauncher() = default;
  virtual Result<HelperProcess> Launch() = 0;
  virtual void Kill(pid_t pid) = 0;
  virtual std::optional<int> ExitStatus(pid_t pid) = 0;
};

// helper_command empty: fork and run the helper in the child without exec
// (tests and single-threaded tools only: the child inherits our memory).
// Otherwise fork+exec it with its socket as fd kSpfHelperFd.
std::unique_ptr<HelperLauncher> MakeLocalHelperLauncher(std::vector<std::string> helper_command);

// The child side of a launch, between fork and exec: resets signal handling
// and the mask, puts `fd` at kSpfHelperFd, closes every other descriptor and
// execs argv — or, with exe_fd >= 0, the program open on exe_fd (fexecve:
// no path lookup, so the binary need not be reachable by the helper's user
// and an upgrade on disk does not change what runs). Exits 127 on failure.
// Only async-signal-safe calls.
[[noreturn]] void ExecSpfHelper(int fd, char* const* argv, int exe_fd = -1);

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_HELPER_LAUNCHER_H_

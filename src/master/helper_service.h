// master/helper_service.h — the parent's side of SPF helper launching: it
// starts helpers for workers, always as spf.helper_user, and kills and reaps
// them on the workers' behalf.
//
// Contract: Answer() handles one worker request (worker_channel.h) and
// returns the answer, with the helper's socket to pass when one was started.
// A helper is started only if it will run as helper_user: when the parent is
// not root and helper_user is someone else, every launch is refused with the
// reason (the worker's check answers temperror), and the reason is logged
// once. A worker may kill or ask about only the helpers started for it.
// NoteExit() is called for every reaped child: true when it was a helper.
// Thread-safety: none; the parent's single-threaded loop owns it.
#ifndef SENDGUARD_MASTER_HELPER_SERVICE_H_
#define SENDGUARD_MASTER_HELPER_SERVICE_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "proc/channel.h"
#include "proc/privileges.h"

namespace sendguard {

class HelperService {
 public:
  // `command`: spf.helper_command; "/proc/self/exe" as argv[0] runs this
  // very binary (opened now, so an upgrade on disk does not change it).
  HelperService(std::vector<std::string> command, proc::Account helper_account);
  ~HelperService();
  HelperService(const HelperService&) = delete;
  HelperService& operator=(const HelperService&) = delete;

  proc::ChannelMessage Answer(pid_t worker, const std::string& request);
  bool NoteExit(pid_t pid, int status);
  void KillHelpersOf(pid_t worker);  // the worker has died
  size_t Running() const { return owner_.size(); }
  int exe_fd() const { return exe_fd_; }  // for children that must not keep it

 private:
  proc::ChannelMessage Launch(pid_t worker);
  proc::ChannelMessage KillOne(pid_t worker, pid_t helper);
  proc::ChannelMessage StatusOf(pid_t worker, pid_t helper);
  std::string RefusalReason() const;

  const std::vector<std::string> command_;
  const proc::Account account_;
  int exe_fd_ = -1;
  std::map<pid_t, pid_t> owner_;    // running helper -> worker
  std::map<pid_t, int> exited_;     // reaped, not yet asked about -> wait status
  std::map<pid_t, pid_t> exited_owner_;
  bool refusal_logged_ = false;
};

}  // namespace sendguard

#endif  // SENDGUARD_MASTER_HELPER_SERVICE_H_

// master/key_watch.h — the parent's DNS checks of the DKIM keys: at start,
// at each reload and every dkim.key_check_interval seconds.
//
// Contract: Start() forks one short-lived child for a round of checks of the
// keys that need one (dkim/rotation.h NeedsCheck); the child runs as
// spf.helper_user, holds only the public halves, and writes one line per key
// to a pipe. No milter thread and no worker waits for DNS: the parent polls
// fd() with its other descriptors, and a round that is not over by
// dkim.key_check_timeout is killed, its unanswered keys "unreachable".
// Apply() turns the results into the snapshot to serve: an unreachable
// answer keeps a key's last known state (cached by key fingerprint, so a
// changed key file is checked afresh), rotations advance from publish to
// grace (rotation file rewritten), and the keys that must not sign are held
// back (KeySet::WithHeldBack). Each change of a key's use is logged once:
// "dkim: key NAME (RECORD) not used: WHY" / "... signs again".
// Thread-safety: single-threaded, the parent's loop only.
#ifndef SENDGUARD_MASTER_KEY_WATCH_H_
#define SENDGUARD_MASTER_KEY_WATCH_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dkim/key_check.h"
#include "proc/privileges.h"
#include "session/snapshot.h"

namespace sendguard {

class KeyWatch {
 public:
  explicit KeyWatch(proc::Account run_as) : run_as_(std::move(run_as)) {}
  ~KeyWatch() { Abandon(); }

  // false: no key of `snap` needs a check (then Apply() needs no round).
  bool Start(const Snapshot& snap, const std::vector<int>& close_in_child);
  bool running() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  int64_t deadline_us() const { return deadline_us_; }
  // Reads what the child wrote; true when the round is over (all answered,
  // end of file, or the deadline passed: then the child is killed).
  bool OnReadable(int64_t now_us);
  void Abandon();
  bool NoteExit(pid_t pid);

  std::shared_ptr<const Snapshot> Apply(const std::shared_ptr<const Snapshot>& snap);

 private:
  void Finish();
  void Record(size_t index, const dkim::KeyCheck& check);

  proc::Account run_as_;
  std::vector<dkim::KeyProbe> probes_;     // of the round in progress
  std::map<std::string, dkim::KeyCheck> cache_;  // fingerprint -> last known state
  std::string buffer_;
  std::vector<bool> answered_;
  pid_t pid_ = -1;
  int fd_ = -1;
  int64_t deadline_us_ = 0;
};

}  // namespace sendguard

#endif  // SENDGUARD_MASTER_KEY_WATCH_H_

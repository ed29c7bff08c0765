// dkim/rotation.h — selector rotations without a gap, and which keys sign.
//
// A rotation of a domain goes through two stages, recorded one line per
// domain in the rotation file (<daemon.state_dir>/dkim-rotation):
//   publish  `keys rotate` made the new key (require-published, listed after
//            the old one in the signing table); the old key signs, the new
//            one waits until DNS shows its record.
//   grace    the new record was seen (by the daemon's periodic check or by
//            `keys check`): the new key signs, the old one no longer does,
//            but its record must stay published for `grace` seconds so
//            receivers can still verify mail already sent. After that,
//            `keys retire` removes the old key and says the record may go.
// Contract: LoadRotations/SaveRotations read and replace the file (missing =
// no rotations; writes are atomic: temporary file, fsync, rename); errors
// name file:line. RotationLock serializes read-modify-write between the
// daemon and the CLI (flock on FILE.lock). AdvanceRotations and KeysToHold
// are pure: what changes when checks come in, and which keys must not sign.
// Thread-safety: pure functions and plain values; the lock is per process.
#ifndef SENDGUARD_DKIM_ROTATION_H_
#define SENDGUARD_DKIM_ROTATION_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "dkim/key_check.h"

namespace sendguard::dkim {

struct RotationPlan {
  enum class Stage { kPublish, kGrace };
  std::string domain;
  Stage stage = Stage::kPublish;
  std::string old_key;      // key table names
  std::string new_key;
  int64_t grace_s = 7 * 86400;
  int64_t since = 0;        // unix time the stage began

  bool RetireReady(int64_t now) const { return stage == Stage::kGrace && now >= since + grace_s; }
};

const char* StageName(RotationPlan::Stage stage);

// "<state_dir>/dkim-rotation".
std::string RotationFilePath(const std::string& state_dir);

Result<std::vector<RotationPlan>> LoadRotations(const std::string& path);
Status SaveRotations(const std::string& path, const std::vector<RotationPlan>& plans);

class RotationLock {
 public:
  // blocking false: fails at once (kUnavailable) when another process holds it.
  static Result<RotationLock> Acquire(const std::string& rotation_path, bool blocking);
  RotationLock(RotationLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RotationLock(const RotationLock&) = delete;
  RotationLock& operator=(const RotationLock&) = delete;
  ~RotationLock();

 private:
  explicit RotationLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Key name -> its last check (only the keys that were checked).
using ChecksByKey = std::map<std::string, KeyCheck>;

// publish -> grace for each plan whose new key is now usable; true if any
// plan changed. The old key's record is then still needed for grace_s.
bool AdvanceRotations(const ChecksByKey& checks, int64_t now, std::vector<RotationPlan>* plans);

// Key name -> why it must not sign: a key that needs its record (flagged
// require-published with require_published on, or the new key of a plan)
// and whose last check is not usable (or that was never checked); the old
// key of a plan in grace, as long as the new key may sign.
std::map<std::string, std::string> KeysToHold(const std::vector<KeyProbe>& probes, const ChecksByKey& checks,
                                              const std::vector<RotationPlan>& plans, bool require_published);

// Whether the daemon must check this key's record at all.
bool NeedsCheck(const KeyProbe& probe, const std::vector<RotationPlan>& plans, bool require_published);

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_ROTATION_H_

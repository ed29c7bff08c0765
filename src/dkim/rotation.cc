// dkim/rotation.cc — the rotation file, its lock, and the signing decision.
#include "dkim/rotation.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "dkim/table_file.h"

namespace sendguard::dkim {
namespace {

constexpr const char* kHeader =
    "# sendguard DKIM rotations (written by sendguard; see `sendguard keys status`)\n"
    "# domain  stage  old_key  new_key  grace_seconds  stage_since_unix_time\n";

bool ParseInt(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  *out = std::stoll(s);
  return true;
}

Result<RotationPlan> ParsePlan(const TableLine& line, const std::string& where) {
  const std::vector<std::string>& f = line.fields;
  RotationPlan p;
  if (f.size() != 6) return Status::InvalidArgument(where + "expected 6 fields, got " + std::to_string(f.size()));
  p.domain = f[0];
  if (f[1] == "publish") p.stage = RotationPlan::Stage::kPublish;
  else if (f[1] == "grace") p.stage = RotationPlan::Stage::kGrace;
  else return Status::InvalidArgument(where + "unknown stage '" + f[1] + "' (publish, grace)");
  p.old_key = f[2];
  p.new_key = f[3];
  if (!ParseInt(f[4], &p.grace_s) || !ParseInt(f[5], &p.since))
    return Status::InvalidArgument(where + "grace_seconds and stage_since must be numbers");
  return p;
}

bool IsUsable(const ChecksByKey& checks, const std::string& key) {
  auto it = checks.find(key);
  return it != checks.end() && Usable(it->second.state);
}

std::string HoldReason(const ChecksByKey& checks, const std::string& key) {
  auto it = checks.find(key);
  if (it == checks.end()) return "record not checked yet";
  std::string why = std::string("record ") + KeyStateName(it->second.state);
  return it->second.detail.empty() ? why : why + " (" + it->second.detail + ")";
}

const RotationPlan* PlanWithNewKey(const std::vector<RotationPlan>& plans, const std::string& key) {
  for (const RotationPlan& p : plans)
    if (p.new_key == key) return &p;
  return nullptr;
}

}  // namespace

const char* StageName(RotationPlan::Stage stage) {
  return stage == RotationPlan::Stage::kPublish ? "publish" : "grace";
}

std::string RotationFilePath(const std::string& state_dir) { return state_dir + "/dkim-rotation"; }

Result<std::vector<RotationPlan>> LoadRotations(const std::string& path) {
  std::vector<RotationPlan> plans;
  if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) return plans;
  Result<std::vector<TableLine>> lines = ReadTableFile(path);
  if (!lines.ok()) return lines.status();
  for (const TableLine& line : *lines) {
    Result<RotationPlan> plan = ParsePlan(line, path + ":" + std::to_string(line.number) + ": ");
    if (!plan.ok()) return plan.status();
    plans.push_back(*plan);
  }
  return plans;
}

Status SaveRotations(const std::string& path, const std::vector<RotationPlan>& plans) {
  std::ostringstream text;
  text << kHeader;
  for (const RotationPlan& p : plans)
    text << p.domain << " " << StageName(p.stage) << " " << p.old_key << " " << p.new_key << " " << p.grace_s
         << " " << p.since << "\n";
  return ReplaceFile(path, text.str(), 0644);
}

Result<RotationLock> RotationLock::Acquire(const std::string& rotation_path, bool blocking) {
  std::string lock_path = rotation_path + ".lock";
  int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::IoError(lock_path + ": cannot open: " + std::strerror(errno));
  if (flock(fd, LOCK_EX | (blocking ? 0 : LOCK_NB)) != 0) {
    int saved = errno;
    close(fd);
    if (saved == EWOULDBLOCK) return Status::Unavailable(lock_path + ": held by another sendguard process");
    return Status::IoError(lock_path + ": flock: " + std::strerror(saved));
  }
  return RotationLock(fd);
}

RotationLock::~RotationLock() {
  if (fd_ >= 0) close(fd_);
}

bool AdvanceRotations(const ChecksByKey& checks, int64_t now, std::vector<RotationPlan>* plans) {
  bool changed = false;
  for (RotationPlan& p : *plans) {
    if (p.stage != RotationPlan::Stage::kPublish || !IsUsable(checks, p.new_key)) continue;
    p.stage = RotationPlan::Stage::kGrace;
    p.since = now;
    changed = true;
  }
  return changed;
}

bool NeedsCheck(const KeyProbe& probe, const std::vector<RotationPlan>& plans, bool require_published) {
  return (probe.require_published && require_published) || PlanWithNewKey(plans, probe.name) != nullptr;
}

std::map<std::string, std::string> KeysToHold(const std::vector<KeyProbe>& probes, const ChecksByKey& checks,
                                              const std::vector<RotationPlan>& plans, bool require_published) {
  std::map<std::string, std::string> held;
  for (const KeyProbe& probe : probes)
    if (NeedsCheck(probe, plans, require_published) && !IsUsable(checks, probe.name))
      held[probe.name] = HoldReason(checks, probe.name);
  for (const RotationPlan& p : plans)
    if (p.stage == RotationPlan::Stage::kGrace && !held.count(p.new_key))
      held[p.old_key] = "retired by the rotation to " + p.new_key;
  return held;
}

}  // namespace sendguard::dkim

// master/key_watch.cc — the check child and turning its answers into held keys.
#include "master/key_watch.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/child.h"
#include "core/clock.h"
#include "core/log.h"
#include "dkim/rotation.h"

namespace sendguard {
namespace {

std::vector<dkim::RotationPlan> CurrentPlans(const Config& c) {
  auto plans = dkim::LoadRotations(dkim::RotationFilePath(c.daemon.state_dir));
  if (plans.ok()) return *plans;
  SG_LOG(kError) << "dkim: " << plans.status().message() << "; rotations ignored until it is fixed";
  return {};
}

std::vector<dkim::KeyProbe> ProbesToCheck(const Snapshot& snap, const std::vector<dkim::RotationPlan>& plans) {
  std::vector<dkim::KeyProbe> out;
  if (!snap.keys) return out;
  auto probes = dkim::ProbesOf(*snap.keys);
  if (!probes.ok()) return out;
  for (const dkim::KeyProbe& p : *probes)
    if (dkim::NeedsCheck(p, plans, snap.config.dkim.require_published_key)) out.push_back(p);
  return out;
}

[[noreturn]] void CheckAndExit(const Config& c, const proc::Account& account, const std::vector<dkim::KeyProbe>& probes,
                               int out) {
  Status s = proc::BecomeAccount(account);
  auto resolver = s.ok() ? dns::OpenTxtResolver(c.spf.dns_data_file, c.spf.resolver_timeout_s) : s;
  if (!resolver.ok()) {
    SG_LOG(kError) << "dkim: key check: " << resolver.status().message();
    _exit(1);
  }
  for (size_t i = 0; i < probes.size(); ++i) {
    std::string line = dkim::EncodeCheck(i, dkim::CheckKey(probes[i], **resolver));
    if (write(out, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(1);
  }
  _exit(0);
}

void LogChanges(const std::map<std::string, std::string>& before, const std::map<std::string, std::string>& after,
                const dkim::KeySet& keys) {
  for (const dkim::KeyEntry& e : keys.entries()) {
    std::string record = e.selector + "._domainkey." + e.domain;
    auto was = before.find(e.name), now = after.find(e.name);
    if (now != after.end() && (was == before.end() || was->second != now->second))
      SG_LOG(kWarning) << "dkim: key " << e.name << " (" << record << ") not used: " << now->second;
    else if (now == after.end() && was != before.end())
      SG_LOG(kInfo) << "dkim: key " << e.name << " (" << record << ") signs again";
  }
}

}  // namespace

bool KeyWatch::Start(const Snapshot& snap, const std::vector<int>& close_in_child) {
  Abandon();
  probes_ = ProbesToCheck(snap, CurrentPlans(snap.config));
  if (probes_.empty()) return false;
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) {
    SG_LOG(kError) << "dkim: key check: pipe: " << strerror(errno);
    return false;
  }
  pid_t pid = fork();
  if (pid == 0) {
    for (int fd : close_in_child) close(fd);
    close(ends[0]);
    ResetSignalsInChild();
    CheckAndExit(snap.config, run_as_, probes_, ends[1]);
  }
  close(ends[1]);
  if (pid < 0) {
    close(ends[0]);
    SG_LOG(kError) << "dkim: key check: fork: " << strerror(errno);
    return false;
  }
  pid_ = pid;
  fd_ = ends[0];
  buffer_.clear();
  answered_.assign(probes_.size(), false);
  deadline_us_ = SteadyNowMicros() + int64_t{snap.config.dkim.key_check_timeout_s} * 1000000;
  return true;
}

bool KeyWatch::OnReadable(int64_t now_us) {
  char buf[4096];
  ssize_t n = fd_ >= 0 && now_us < deadline_us_ ? read(fd_, buf, sizeof buf) : 0;
  if (n < 0 && errno == EINTR) return false;
  if (n > 0) buffer_.append(buf, static_cast<size_t>(n));
  for (size_t nl; (nl = buffer_.find('\n')) != std::string::npos; buffer_.erase(0, nl + 1)) {
    size_t index = 0;
    dkim::KeyCheck check;
    if (dkim::DecodeCheck(buffer_.substr(0, nl), &index, &check) && index < probes_.size()) Record(index, check);
  }
  if (n > 0) return false;
  Finish();
  return true;
}

void KeyWatch::Record(size_t index, const dkim::KeyCheck& check) {
  answered_[index] = true;
  std::string fp = probes_[index].Fingerprint();
  auto known = cache_.find(fp);
  if (check.state == dkim::KeyState::kUnreachable && known != cache_.end() &&
      known->second.state != dkim::KeyState::kUnreachable) {
    SG_LOG(kWarning) << "dkim: key " << probes_[index].name << ": " << check.detail << "; keeping its last state ("
                     << dkim::KeyStateName(known->second.state) << ")";
    return;
  }
  cache_[fp] = check;
}

void KeyWatch::Finish() {
  for (size_t i = 0; i < probes_.size(); ++i) {
    if (answered_[i]) continue;
    Record(i, dkim::KeyCheck{dkim::KeyState::kUnreachable, "no answer within dkim.key_check_timeout", {}, false});
  }
  Abandon();
}

void KeyWatch::Abandon() {
  if (pid_ > 0) kill(pid_, SIGKILL);  // reaped by the parent's loop (NoteExit)
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool KeyWatch::NoteExit(pid_t pid) {
  if (pid != pid_) return false;
  pid_ = -1;
  return true;
}

std::shared_ptr<const Snapshot> KeyWatch::Apply(const std::shared_ptr<const Snapshot>& snap) {
  if (!snap->keys) return snap;
  const Config& c = snap->config;
  std::string path = dkim::RotationFilePath(c.daemon.state_dir);
  auto lock = dkim::RotationLock::Acquire(path, false);
  std::vector<dkim::RotationPlan> plans = CurrentPlans(c);
  auto probes = dkim::ProbesOf(*snap->keys);
  if (!probes.ok()) return snap;
  dkim::ChecksByKey checks;
  for (const dkim::KeyProbe& p : *probes) {
    auto it = cache_.find(p.Fingerprint());
    if (it != cache_.end()) checks[p.name] = it->second;
  }
  if (lock.ok() && dkim::AdvanceRotations(checks, time(nullptr), &plans)) {
    Status s = dkim::SaveRotations(path, plans);
    if (!s.ok()) SG_LOG(kError) << "dkim: " << s.message();
    else SG_LOG(kInfo) << "dkim: a rotation's new key is published; it signs now (`sendguard keys status`)";
  }
  auto held = dkim::KeysToHold(*probes, checks, plans, c.dkim.require_published_key);
  if (held == snap->keys->held_back()) return snap;
  LogChanges(snap->keys->held_back(), held, *snap->keys);
  auto next = std::make_shared<Snapshot>(*snap);
  next->keys = snap->keys->WithHeldBack(std::move(held));
  return next;
}

}  // namespace sendguard

// master/master.cc — the parent's event loop: signals, the control socket,
// worker channels, reaping, restarts, reloads and the stop.
#include "master/master.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "core/clock.h"
#include "core/exit_codes.h"
#include "core/log.h"
#include "core/version.h"
#include "master/alert_mailer.h"
#include "master/held_mail_service.h"
#include "master/helper_service.h"
#include "master/key_watch.h"
#include "master/http_child.h"
#include "master/setup.h"
#include "master/worker.h"
#include "master/snapshot_metrics.h"
#include "metrics/metrics.h"
#include "metrics/rule_hits.h"
#include "metrics/segment.h"
#include "milter/milter.h"
#include "proc/channel.h"
#include "proc/control_socket.h"
#include "proc/restart_backoff.h"
#include "session/audit_log.h"
#include "session/line_log.h"

namespace sendguard {
namespace {

constexpr int64_t kReloadTimeout = 30 * 1000000LL;
constexpr int64_t kStopGrace = 10 * 1000000LL;

struct WorkerRecord {
  size_t socket = 0;
  int slot = 0;
  uint64_t generation = 0;
  int channel = -1;
  bool serving = false;
  bool retiring = false;  // told to retire (or killed): its exit is expected
  long reported_live = -1;  // sessions live at its stop, as it reported
  std::string startup_error;
  int metrics_slot = -1;
};

struct SlotState {
  proc::RestartBackoff backoff;
  int64_t start_at_us = 0;
};

// A reload whose keys are being checked before its workers start.
struct KeyCheckedReload {
  std::shared_ptr<const Snapshot> snapshot;
  std::vector<int> clients;
  uint64_t rules_version = 0;
};

struct PendingReload {
  uint64_t generation = 0;
  uint64_t previous_generation = 0;
  int64_t deadline_us = 0;
  std::vector<int> clients;
};

std::string DescribeExit(int status) {
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + std::to_string(WTERMSIG(status));
  return "exit status " + std::to_string(WEXITSTATUS(status));
}

class Master {
 public:
  Master(const MasterOptions& options, std::shared_ptr<const Snapshot> snapshot, DaemonSetup setup,
         std::unique_ptr<metrics::Segment> segment, std::unique_ptr<metrics::RuleHitTable> rule_hits)
      : options_(options), snapshot_(std::move(snapshot)), setup_(std::move(setup)), metrics_(std::move(segment)),
        rule_hits_(std::move(rule_hits)) {
    per_socket_ = snapshot_->config.WorkersPerSocket();
    slots_.assign(setup_.sockets.size(), std::vector<SlotState>(per_socket_));
    helpers_ = std::make_unique<HelperService>(snapshot_->config.spf.helper_command, setup_.helper_account);
    key_watch_ = std::make_unique<KeyWatch>(setup_.helper_account);
    if (setup_.audit_log_fd >= 0) {
      audit_log_ = std::make_shared<LineLog>(setup_.audit_log_fd, "audit log", metrics::Family::kAuditLogErrors);
      setup_.audit_log_fd = -1;  // the LineLog's now
    }
    // The parent's own entries, those of the children it forks for held
    // mail (they inherit this), and the lines workers and the HTTP child send.
    SetAuditSink([this](const std::string& line) {
      if (audit_log_) audit_log_->Write(line);
    });
  }

  int Run();

 private:
  // The loop.
  void PollOnce();
  int PollTimeoutMs() const;
  void OnSignal();
  void OnControlClient();
  void OnChannel(pid_t pid);
  void OnHttpChannel();
  void ReapChildren();
  void ReadLastWords(pid_t pid);

  // Workers.
  void EnsureWorkers();
  bool SlotCovered(size_t socket, int slot, uint64_t generation, bool need_serving) const;
  void StartWorker(size_t socket, int slot);
  std::vector<int> FdsToCloseInChild(int own_channel) const;
  void OnWorkerExit(pid_t pid, const WorkerRecord& w, int status);
  void ScheduleRestart(const WorkerRecord& w, int status);
  void SignalWorkers(int sig, bool include_retiring);

  // DKIM key checks (master/key_watch.h).
  void StartKeyCheck(const Snapshot& snap);
  void MaybeStartPeriodicKeyCheck();
  void OnKeyCheckDone();
  // The HTTP server's process.
  void EnsureHttp();
  void OnHttpExit(int status);
  void RestartHttp();
  void PublishGauges() const;
  std::string ReopenLogs();
  std::string ReopenAuditLog();
  std::string ReopenDecisionLog();
  void WriteChildAudit(const std::string& line);

  // Reload and stop.
  void BeginReload(int client);
  void StartGeneration(std::shared_ptr<const Snapshot> next, std::vector<int> clients, uint64_t rules_version);
  void CheckReload();
  void FinishReload(bool ok, const std::string& message);
  void BeginStop();
  std::string StatusText() const;
  void LogStopped() const;

  const MasterOptions options_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::shared_ptr<const Snapshot> previous_;  // during a reload
  DaemonSetup setup_;
  int per_socket_ = 1;
  uint64_t generation_ = 1;       // the generation new workers get
  uint64_t next_generation_ = 2;
  std::vector<std::vector<SlotState>> slots_;
  std::map<pid_t, WorkerRecord> workers_;
  std::unique_ptr<HelperService> helpers_;
  std::unique_ptr<metrics::Segment> metrics_;
  std::unique_ptr<metrics::RuleHitTable> rule_hits_;  // per-rule hits, last rule load (console)
  uint64_t rules_version_ = 0;          // fingerprint of snapshot_'s rule files, taken at its load
  uint64_t previous_rules_version_ = 0;  // during a reload
  pid_t http_pid_ = -1;
  int http_channel_ = -1;       // to the HTTP server: the console's held-mail requests
  std::set<pid_t> held_actions_;  // held-mail actions in flight (held_mail_service.h)
  bool http_retiring_ = false;  // told to stop for a reload: start the next at once
  int64_t http_start_at_us_ = 0;
  proc::RestartBackoff http_backoff_;
  std::set<pid_t> mailers_;  // alert mails in flight
  std::shared_ptr<LineLog> audit_log_;  // [log] audit_log; null: none
  std::optional<PendingReload> reload_;
  std::unique_ptr<KeyWatch> key_watch_;
  std::optional<KeyCheckedReload> key_reload_;
  bool awaiting_start_keys_ = false;  // the first workers wait for the first key check
  int64_t next_key_check_us_ = 0;
  bool starting_ = true;  // until every slot has served once
  bool stopping_ = false;
  bool startup_failed_ = false;
  int64_t kill_at_us_ = 0;
  int stopped_workers_ = 0;   // during the stop
  int unreported_stops_ = 0;  // killed or crashed before telling
  long live_at_stop_ = 0;
};

int Master::Run() {
  SG_LOG(kInfo) << "sendguard " << kSendguardVersion << " started: " << setup_.sockets.size() << " socket(s), "
                << per_socket_ << " worker(s) each, workers run as "
                << (setup_.worker_account.name.empty() ? proc::CurrentAccountName() : setup_.worker_account.name);
  metrics::SetGauge(metrics::Family::kStartTime, SystemClock::Instance().NowSeconds());
  metrics::SetGauge(metrics::Family::kLastReloadOk, 1);
  StartKeyCheck(*snapshot_);
  awaiting_start_keys_ = key_watch_->running();
  if (!awaiting_start_keys_) snapshot_ = key_watch_->Apply(snapshot_);
  PublishSnapshotMetrics(*snapshot_);
  rules_version_ = RuleFilesFingerprint(snapshot_->config.rule_paths);
  RegisterRules(*snapshot_, rule_hits_.get());
  RecordRuleLoad(*snapshot_, rules_version_, true, "", rule_hits_.get());
  while (!(stopping_ && workers_.empty() && http_pid_ < 0)) {
    if (!stopping_ && !awaiting_start_keys_) EnsureWorkers();
    if (!stopping_) EnsureHttp();
    if (!stopping_) MaybeStartPeriodicKeyCheck();
    PublishGauges();
    CheckReload();
    PollOnce();
    ReapChildren();
    if (stopping_ && SteadyNowMicros() > kill_at_us_) {
      SignalWorkers(SIGKILL, true);
      if (http_pid_ > 0) kill(http_pid_, SIGKILL);
    }
  }
  LogStopped();
  return startup_failed_ ? kExitConfig : kExitOk;
}

// One line for the whole daemon; tests and admins read "sessions live=0".
void Master::LogStopped() const {
  std::string live = unreported_stops_ ? "unknown (" + std::to_string(unreported_stops_) + " worker(s) did not report)"
                                       : std::to_string(live_at_stop_);
  if (live == "0") SG_LOG(kInfo) << "sendguard stopped: " << stopped_workers_ << " worker(s), sessions live=0";
  else SG_LOG(kWarning) << "sendguard stopped: " << stopped_workers_ << " worker(s), sessions live=" << live;
}

int Master::PollTimeoutMs() const {
  int64_t now = SteadyNowMicros(), next = now + 1000000;
  for (const auto& sockets : slots_) {
    for (const SlotState& s : sockets) {
      if (s.start_at_us > now && s.start_at_us < next) next = s.start_at_us;
    }
  }
  if (reload_ && reload_->deadline_us < next) next = reload_->deadline_us;
  if (key_watch_->running()) next = std::min(next, key_watch_->deadline_us());
  else if (next_key_check_us_ > 0) next = std::min(next, next_key_check_us_);
  if (http_pid_ < 0 && http_start_at_us_ > now && http_start_at_us_ < next) next = http_start_at_us_;
  if (stopping_) next = std::min(next, now + 100000);
  return static_cast<int>(std::max<int64_t>(0, (next - now + 999) / 1000));
}

void Master::PollOnce() {
  std::vector<pollfd> fds = {{setup_.signal_fd, POLLIN, 0}, {setup_.control_fd, POLLIN, 0}};
  std::vector<pid_t> owners = {0, 0};
  if (key_watch_->running()) {
    fds.push_back({key_watch_->fd(), POLLIN, 0});
    owners.push_back(-1);
  }
  for (const auto& [pid, w] : workers_) {
    if (w.channel < 0) continue;
    fds.push_back({w.channel, POLLIN, 0});
    owners.push_back(pid);
  }
  if (http_channel_ >= 0) {
    fds.push_back({http_channel_, POLLIN, 0});
    owners.push_back(-2);
  }
  int ready = poll(fds.data(), fds.size(), PollTimeoutMs());
  if (key_watch_->running() && SteadyNowMicros() >= key_watch_->deadline_us() &&
      key_watch_->OnReadable(SteadyNowMicros())) {
    OnKeyCheckDone();
  }
  if (ready <= 0) return;
  if (fds[0].revents) OnSignal();
  if (fds[1].revents) OnControlClient();
  for (size_t i = 2; i < fds.size(); ++i) {
    if (!fds[i].revents) continue;
    if (owners[i] > 0) OnChannel(owners[i]);
    else if (owners[i] == -2) OnHttpChannel();
    else if (key_watch_->running() && fds[i].fd == key_watch_->fd() && key_watch_->OnReadable(SteadyNowMicros()))
      OnKeyCheckDone();
  }
}

void Master::OnSignal() {
  signalfd_siginfo info;
  while (read(setup_.signal_fd, &info, sizeof(info)) == sizeof(info)) {
    int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGUSR1) BeginReload(-1);
    if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGUSR2) BeginStop();
  }
}

void Master::OnControlClient() {
  int client = accept4(setup_.control_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (client < 0) return;
  Result<std::string> request = proc::ReadControlRequest(client);
  if (!request.ok()) return proc::AnswerControl(client, "error " + request.status().message() + "\n");
  if (*request == "reload") return BeginReload(client);
  if (*request == "status") return proc::AnswerControl(client, StatusText());
  if (*request == "reopen-logs") return proc::AnswerControl(client, ReopenLogs());
  proc::AnswerControl(client, "error unknown request '" + *request + "' (reload, status, reopen-logs)\n");
}

void Master::OnChannel(pid_t pid) {
  WorkerRecord& w = workers_[pid];
  Result<proc::ChannelMessage> m = proc::ReceiveMessage(w.channel, SteadyNowMicros() + 100000);  // readable now
  if (!m.ok()) {
    if (m.status().code() == Status::Code::kIoError) {
      close(w.channel);
      w.channel = -1;  // the worker has gone; ReapChildren learns how
    }
    return;
  }
  if (m->fd >= 0) close(m->fd);  // workers pass nothing
  if (m->text == "ready") {
    w.serving = true;
    return;
  }
  if (m->text.compare(0, 11, "alert-mail ") == 0) {
    StartAlertMail(snapshot_->config, setup_.worker_account, m->text.substr(11), FdsToCloseInChild(-1), &mailers_);
    return;
  }
  if (m->text.compare(0, 8, "stopped ") == 0) {
    w.reported_live = atol(m->text.c_str() + 8);
    return;
  }
  if (m->text.compare(0, 14, "startup-error ") == 0) {
    w.startup_error = m->text.substr(14);
    return;
  }
  if (m->text.compare(0, 6, "audit ") == 0) return WriteChildAudit(m->text.substr(6));
  size_t space = m->text.find(' ');
  if (space == std::string::npos) return;
  if (m->text.compare(space + 1, std::string::npos, "decision-log") == 0) {
    (void)proc::SendMessage(w.channel, m->text.substr(0, space + 1) + "decision-log", setup_.decision_log_fd);
    return;
  }
  proc::ChannelMessage answer = helpers_->Answer(pid, m->text.substr(space + 1));
  (void)proc::SendMessage(w.channel, m->text.substr(0, space + 1) + answer.text, answer.fd);
  if (answer.fd >= 0) close(answer.fd);
}

// The console asks to deliver or delete a held message; a child of ours
// checks and runs postsuper (held_mail_service.h).
void Master::OnHttpChannel() {
  Result<proc::ChannelMessage> m = proc::ReceiveMessage(http_channel_, SteadyNowMicros() + 100000);
  if (!m.ok()) {
    if (m.status().code() == Status::Code::kIoError) {
      close(http_channel_);
      http_channel_ = -1;
    }
    return;
  }
  if (m->fd >= 0) close(m->fd);
  if (m->text.compare(0, 6, "audit ") == 0) return WriteChildAudit(m->text.substr(6));
  std::vector<int> close = FdsToCloseInChild(-1);
  for (const proc::ListenSocket& l : setup_.sockets) close.push_back(l.fd);
  if (audit_log_) close.erase(std::remove(close.begin(), close.end(), audit_log_->fd()), close.end());  // it audits
  StartHeldMailAction(snapshot_->config, m->text, http_channel_, close, &held_actions_);
}

// What a worker wrote just before it exited ("stopped N") may still be
// unread when it is reaped.
void Master::ReadLastWords(pid_t pid) {
  for (int i = 0; i < 16; ++i) {
    int fd = workers_[pid].channel;
    struct pollfd p = {fd, POLLIN, 0};
    if (fd < 0 || poll(&p, 1, 0) <= 0) return;
    OnChannel(pid);
  }
}

void Master::ReapChildren() {
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (helpers_->NoteExit(pid, status) || mailers_.erase(pid) || held_actions_.erase(pid) ||
        key_watch_->NoteExit(pid)) {
      continue;
    }
    if (pid == http_pid_) {
      OnHttpExit(status);
      continue;
    }
    auto it = workers_.find(pid);
    if (it == workers_.end()) continue;
    ReadLastWords(pid);
    WorkerRecord w = it->second;
    workers_.erase(it);
    metrics_->Retire(w.metrics_slot);
    if (w.channel >= 0) close(w.channel);
    helpers_->KillHelpersOf(pid);
    OnWorkerExit(pid, w, status);
  }
}

bool Master::SlotCovered(size_t socket, int slot, uint64_t generation, bool need_serving) const {
  for (const auto& [pid, w] : workers_) {
    if (w.socket == socket && w.slot == slot && w.generation == generation && !w.retiring &&
        (w.serving || !need_serving)) {
      return true;
    }
  }
  return false;
}

void Master::EnsureWorkers() {
  int64_t now = SteadyNowMicros();
  for (size_t s = 0; s < slots_.size(); ++s) {
    for (int i = 0; i < per_socket_; ++i) {
      if (!SlotCovered(s, i, generation_, false) && now >= slots_[s][i].start_at_us) StartWorker(s, i);
    }
  }
  if (!starting_) return;
  for (size_t s = 0; s < slots_.size(); ++s) {
    for (int i = 0; i < per_socket_; ++i) {
      if (!SlotCovered(s, i, generation_, true)) return;
    }
  }
  starting_ = false;
  SG_LOG(kInfo) << "all " << workers_.size() << " worker(s) serve";
}

std::vector<int> Master::FdsToCloseInChild(int own_channel) const {
  std::vector<int> fds = {setup_.signal_fd,          setup_.control_fd,        own_channel,
                          helpers_->exe_fd(),        setup_.http_socket.fd,    setup_.decision_log_fd,
                          http_channel_,             audit_log_ ? audit_log_->fd() : -1};
  for (const auto& [pid, w] : workers_) fds.push_back(w.channel);
  if (reload_) fds.insert(fds.end(), reload_->clients.begin(), reload_->clients.end());
  if (key_reload_) fds.insert(fds.end(), key_reload_->clients.begin(), key_reload_->clients.end());
  if (key_watch_->running()) fds.push_back(key_watch_->fd());
  return fds;
}

void Master::StartWorker(size_t socket, int slot) {
  int ends[2];
  Status s = proc::MakeChannel(ends);
  if (!s.ok()) {
    SG_LOG(kError) << "cannot start a worker: " << s.ToString();
    slots_[socket][slot].start_at_us = SteadyNowMicros() + 1000000;
    return;
  }
  WorkerSetup ws;
  ws.parent = getpid();
  ws.snapshot = snapshot_;
  ws.socket = setup_.sockets[socket];
  ws.channel_fd = ends[1];
  ws.account = setup_.worker_account;
  ws.run_maintenance = socket == 0 && slot == 0;
  ws.metrics = metrics_.get();
  ws.metrics_slot = metrics_->Acquire();
  if (ws.metrics_slot < 0) SG_LOG(kWarning) << "metrics: no free slot; this worker's counts are not exported";
  ws.parent_fds = FdsToCloseInChild(ends[0]);
  ws.decision_log_fd = setup_.decision_log_fd;
  ws.parent_fds.erase(std::remove(ws.parent_fds.begin(), ws.parent_fds.end(), ws.decision_log_fd), ws.parent_fds.end());
  for (size_t i = 0; i < setup_.sockets.size(); ++i) {
    if (i != socket) ws.parent_fds.push_back(setup_.sockets[i].fd);
  }
  pid_t pid = fork();
  if (pid == 0) RunWorkerProcess(ws);
  close(ends[1]);
  if (pid < 0) {
    close(ends[0]);
    metrics_->Retire(ws.metrics_slot);
    SG_LOG(kError) << "cannot start a worker: fork: " << strerror(errno);
    slots_[socket][slot].start_at_us = SteadyNowMicros() + 1000000;
    return;
  }
  WorkerRecord w;
  w.socket = socket;
  w.slot = slot;
  w.generation = generation_;
  w.channel = ends[0];
  w.metrics_slot = ws.metrics_slot;
  workers_[pid] = w;
}

void Master::OnWorkerExit(pid_t pid, const WorkerRecord& w, int status) {
  if (stopping_) {
    ++stopped_workers_;
    if (w.reported_live < 0) ++unreported_stops_;
    else live_at_stop_ += w.reported_live;
    return;
  }
  if (w.retiring) return;
  const std::string& spec = setup_.sockets[w.socket].spec;
  std::string why = w.startup_error.empty() ? DescribeExit(status) : w.startup_error;
  if (!w.serving && starting_ && w.generation == 1) {
    SG_LOG(kError) << "worker for " << spec << " cannot start (" << why << "); stopping";
    startup_failed_ = true;
    return BeginStop();
  }
  if (!w.serving && reload_ && w.generation == reload_->generation) {
    return FinishReload(false, "a worker with the new configuration did not start: " + why);
  }
  SG_LOG(kError) << "worker " << pid << " for " << spec << " " << (w.serving ? "died" : "did not start")
                 << " (" << why << ")";
  if (w.generation == generation_) ScheduleRestart(w, status);
}

void Master::ScheduleRestart(const WorkerRecord& w, int) {
  metrics::Count(metrics::Family::kWorkerRestarts);
  SlotState& slot = slots_[w.socket][w.slot];
  int64_t now = SteadyNowMicros();
  int64_t delay = slot.backoff.OnDeath(now);
  slot.start_at_us = now + delay;
  if (delay == 0) return;
  SG_LOG(kWarning) << "crash loop: worker slot " << w.slot << " of " << setup_.sockets[w.socket].spec
                   << " died " << slot.backoff.RecentDeaths(now) << " times in "
                   << proc::RestartBackoff::kCrashLoopWindow / 1000000 << " s; next start in "
                   << delay / 1000000 << " s, the other workers keep serving";
}

void Master::SignalWorkers(int sig, bool include_retiring) {
  for (const auto& [pid, w] : workers_) {
    if (include_retiring || !w.retiring) kill(pid, sig);
  }
}

void Master::BeginReload(int client) {
  auto answer = [client](const std::string& text) {
    if (client >= 0) proc::AnswerControl(client, text);
  };
  if (stopping_) return answer("error sendguard is stopping\n");
  if (reload_ || key_reload_ || awaiting_start_keys_)
    return answer("error a reload is already in progress; try again when it is done\n");
  metrics::SetGauge(metrics::Family::kLastReloadTime, SystemClock::Instance().NowSeconds());
  Result<std::shared_ptr<const Snapshot>> next = LoadSnapshot(options_.config_path);
  Status secrets = next.ok() ? LoadHttpSecrets((*next)->config).status() : next.status();
  if (!secrets.ok()) {
    SG_LOG(kError) << "reload failed, keeping the previous configuration: " << secrets.message();
    metrics::Count(metrics::Family::kReloads, {"failed"});
    metrics::SetGauge(metrics::Family::kLastReloadOk, 0);
    RecordRuleLoad(*snapshot_, rules_version_, false, secrets.message(), rule_hits_.get());
    return answer("error " + secrets.message() + "\n");
  }
  uint64_t next_version = RuleFilesFingerprint((*next)->config.rule_paths);
  RegisterRules(**next, rule_hits_.get());
  WarnAboutRestartOnlyKeys(snapshot_->config, (*next)->config, options_);
  std::vector<int> clients;
  if (client >= 0) clients.push_back(client);
  StartKeyCheck(**next);
  if (key_watch_->running()) {
    key_reload_ = KeyCheckedReload{*next, clients, next_version};
    return;
  }
  StartGeneration(key_watch_->Apply(*next), clients, next_version);
}

// New workers with `next`; the old ones retire once these serve (CheckReload).
void Master::StartGeneration(std::shared_ptr<const Snapshot> next, std::vector<int> clients, uint64_t rules_version) {
  previous_ = snapshot_;
  snapshot_ = std::move(next);
  previous_rules_version_ = rules_version_;
  rules_version_ = rules_version;
  uint64_t previous_generation = generation_;
  generation_ = next_generation_++;
  reload_ = PendingReload{generation_, previous_generation, SteadyNowMicros() + kReloadTimeout, std::move(clients)};
  SG_LOG(kInfo) << "reload: " << options_.config_path << " loaded; starting workers with it";
}

void Master::StartKeyCheck(const Snapshot& snap) {
  key_watch_->Start(snap, FdsToCloseInChild(-1));
  next_key_check_us_ = SteadyNowMicros() + int64_t{snap.config.dkim.key_check_interval_s} * 1000000;
}

void Master::MaybeStartPeriodicKeyCheck() {
  if (key_watch_->running() || reload_ || key_reload_ || SteadyNowMicros() < next_key_check_us_) return;
  StartKeyCheck(*snapshot_);
}

// A round is over: the first workers, a waiting reload, or (when a key's use
// changed) a new generation get the snapshot with the keys it allows.
void Master::OnKeyCheckDone() {
  if (awaiting_start_keys_) {
    awaiting_start_keys_ = false;
    snapshot_ = key_watch_->Apply(snapshot_);
    return;
  }
  if (key_reload_) {
    KeyCheckedReload pending = std::move(*key_reload_);
    key_reload_.reset();
    return StartGeneration(key_watch_->Apply(pending.snapshot), pending.clients, pending.rules_version);
  }
  if (reload_ || stopping_) return;
  std::shared_ptr<const Snapshot> next = key_watch_->Apply(snapshot_);
  if (next == snapshot_) return;
  SG_LOG(kInfo) << "dkim: the keys in use changed; starting workers with them";
  StartGeneration(next, {}, rules_version_);
}

void Master::CheckReload() {
  if (!reload_) return;
  for (size_t s = 0; s < slots_.size(); ++s) {
    for (int i = 0; i < per_socket_; ++i) {
      if (!SlotCovered(s, i, reload_->generation, true)) {
        if (SteadyNowMicros() > reload_->deadline_us) {
          FinishReload(false, "the workers with the new configuration did not get ready in time");
        }
        return;
      }
    }
  }
  FinishReload(true, "");
}

// ok: the new workers serve, the old ones retire. Otherwise the new ones go
// and everything stays as it was.
void Master::FinishReload(bool ok, const std::string& message) {
  size_t retiring = 0;
  for (auto& [pid, w] : workers_) {
    bool old = w.generation != reload_->generation;
    if (w.retiring || old != ok) continue;
    kill(pid, ok ? SIGUSR1 : SIGKILL);
    w.retiring = true;
    ++retiring;
  }
  std::string answer;
  metrics::Count(metrics::Family::kReloads, {ok ? "ok" : "failed"});
  metrics::SetGauge(metrics::Family::kLastReloadOk, ok ? 1 : 0);
  if (ok) {
    PublishSnapshotMetrics(*snapshot_);
    RestartHttp();
    (void)ReopenLogs();
    SG_LOG(kInfo) << "reloaded " << options_.config_path << "; " << retiring << " old worker(s) retire";
    answer = "ok reloaded " + options_.config_path + "\n";
  } else {
    SG_LOG(kError) << "reload failed, keeping the previous configuration: " << message;
    snapshot_ = previous_;
    rules_version_ = previous_rules_version_;
    generation_ = reload_->previous_generation;
    answer = "error " + message + "\n";
  }
  RecordRuleLoad(*snapshot_, rules_version_, false, message, rule_hits_.get());
  for (int client : reload_->clients) proc::AnswerControl(client, answer);
  reload_.reset();
  previous_.reset();
}

void Master::BeginStop() {
  if (stopping_) return;
  stopping_ = true;
  if (reload_) FinishReload(false, "sendguard is stopping");
  if (key_reload_) {
    for (int client : key_reload_->clients) proc::AnswerControl(client, "error sendguard is stopping\n");
    key_reload_.reset();
  }
  awaiting_start_keys_ = false;
  key_watch_->Abandon();
  SG_LOG(kInfo) << "stopping: " << workers_.size() << " worker(s) drain, at most "
                << snapshot_->config.daemon.drain_timeout_s << " s";
  SignalWorkers(SIGUSR2, true);
  if (http_pid_ > 0) kill(http_pid_, SIGTERM);
  kill_at_us_ = SteadyNowMicros() + int64_t{snapshot_->config.daemon.drain_timeout_s} * 1000000 + kStopGrace;
}

void Master::EnsureHttp() {
  if (setup_.http_socket.fd < 0 || http_pid_ > 0 || SteadyNowMicros() < http_start_at_us_) return;
  Result<HttpSecrets> secrets = LoadHttpSecrets(snapshot_->config);
  if (!secrets.ok()) {
    SG_LOG(kError) << "http: " << secrets.status().message() << "; trying again in 10 s";
    http_start_at_us_ = SteadyNowMicros() + 10000000;
    return;
  }
  int ends[2];
  Status channel = proc::MakeChannel(ends);
  if (!channel.ok()) {
    SG_LOG(kError) << "http: cannot start the server: " << channel.ToString();
    http_start_at_us_ = SteadyNowMicros() + 1000000;
    return;
  }
  HttpChildSetup hs;
  hs.parent = getpid();
  hs.channel_fd = ends[1];
  hs.snapshot = snapshot_;
  hs.listen_fd = setup_.http_socket.fd;
  hs.account = setup_.worker_account;
  hs.segment = metrics_.get();
  hs.rule_hits = rule_hits_.get();
  hs.secrets = *secrets;
  for (int fd : FdsToCloseInChild(-1)) {
    if (fd != hs.listen_fd) hs.parent_fds.push_back(fd);
  }
  for (const proc::ListenSocket& s : setup_.sockets) hs.parent_fds.push_back(s.fd);
  hs.parent_fds.push_back(ends[0]);
  pid_t pid = fork();
  if (pid == 0) RunHttpProcess(hs);
  close(ends[1]);
  if (pid < 0) {
    close(ends[0]);
    SG_LOG(kError) << "http: cannot start the server: fork: " << strerror(errno);
    http_start_at_us_ = SteadyNowMicros() + 1000000;
    return;
  }
  http_pid_ = pid;
  http_channel_ = ends[0];
}

void Master::OnHttpExit(int status) {
  pid_t pid = http_pid_;
  http_pid_ = -1;
  if (http_channel_ >= 0) close(http_channel_);
  http_channel_ = -1;
  if (stopping_) return;
  if (http_retiring_) {
    http_retiring_ = false;
    http_start_at_us_ = 0;
    return;
  }
  int64_t now = SteadyNowMicros();
  int64_t delay = std::max<int64_t>(http_backoff_.OnDeath(now), 1000000);
  http_start_at_us_ = now + delay;
  SG_LOG(kError) << "http server " << pid << " died (" << DescribeExit(status) << "); starting it again in "
                 << delay / 1000000 << " s";
}

// After a reload the server starts again with the new snapshot (token,
// TLS files, console settings).
void Master::RestartHttp() {
  if (http_pid_ <= 0) return;
  http_retiring_ = true;
  kill(http_pid_, SIGTERM);
}

// A child's audit line (session/audit_log.h); the child has logged its text.
void Master::WriteChildAudit(const std::string& line) {
  if (!IsAuditLine(line)) {
    SG_LOG(kWarning) << "audit: a child sent a malformed audit line; not written";
    return;
  }
  if (audit_log_) audit_log_->Write(line);
}

// The audit log's path opened again (rotated, or named or renamed by a
// reload); if it does not open, the old file stays in use.
std::string Master::ReopenAuditLog() {
  const std::string& path = snapshot_->config.log.audit_log;
  if (path.empty()) {
    if (audit_log_) SG_LOG(kInfo) << "audit log off";
    audit_log_.reset();
    return "";
  }
  Result<int> fd = OpenLogFile(path, "[log] audit_log");
  if (!fd.ok()) {
    SG_LOG(kError) << "reopen-logs: " << fd.status().message() << (audit_log_ ? "; writing on to the old file" : "");
    return "error " + fd.status().message() + "\n";
  }
  if (audit_log_) audit_log_->Replace(*fd);
  else audit_log_ = std::make_shared<LineLog>(*fd, "audit log", metrics::Family::kAuditLogErrors);
  SG_LOG(kInfo) << "reopened the audit log " << path;
  return "ok reopened " + path + "\n";
}

// The decision log's path is opened again (logrotate moved the file, or a
// reload named another); every worker is told to fetch the new descriptor.
// If it does not open, the old one stays in use.
std::string Master::ReopenDecisionLog() {
  const std::string& path = snapshot_->config.log.decision_log;
  if (path.empty() || setup_.decision_log_fd < 0) return "";
  Result<int> fd = OpenLogFile(path, "[log] decision_log");
  if (!fd.ok()) {
    SG_LOG(kError) << "reopen-logs: " << fd.status().message() << "; writing on to the old file";
    return "error " + fd.status().message() + "\n";
  }
  dup2(*fd, setup_.decision_log_fd);  // same number: new workers inherit it, close lists stay true
  close(*fd);
  for (const auto& [pid, w] : workers_) {
    if (!w.retiring) kill(pid, SIGWINCH);
  }
  SG_LOG(kInfo) << "reopened the decision log " << path;
  return "ok reopened " + path + "\n";
}

// Both logs, each on its own: one that does not open leaves the other
// reopened. The answer is the first error, else what was reopened.
std::string Master::ReopenLogs() {
  std::string decision = ReopenDecisionLog(), audit = ReopenAuditLog();
  for (const std::string* a : {&decision, &audit}) {
    if (a->compare(0, 6, "error ") == 0) return *a;
  }
  if (decision.empty() && audit.empty()) return "ok no decision or audit log to reopen\n";
  if (decision.empty() || audit.empty()) return decision + audit;
  return "ok reopened " + snapshot_->config.log.decision_log + " and " + snapshot_->config.log.audit_log + "\n";
}

void Master::PublishGauges() const {
  int serving = 0;
  for (const auto& [pid, w] : workers_) serving += w.serving && !w.retiring;
  metrics::SetGauge(metrics::Family::kWorkers, serving);
  metrics::SetGauge(metrics::Family::kDkimKeysUnused,
                    snapshot_ && snapshot_->keys ? static_cast<int64_t>(snapshot_->keys->held_back().size()) : 0);
}

std::string Master::StatusText() const {
  std::ostringstream out;
  int64_t now = SteadyNowMicros();
  out << "sendguard " << kSendguardVersion << ", parent pid " << getpid() << ", configuration " << options_.config_path
      << " (generation " << generation_ << ")\n";
  for (size_t s = 0; s < setup_.sockets.size(); ++s) {
    out << "socket " << setup_.sockets[s].spec << ":";
    size_t retiring = 0;
    for (const auto& [pid, w] : workers_) {
      if (w.socket != s) continue;
      if (w.retiring) ++retiring;
      else out << " " << pid << (w.serving ? "" : "(starting)");
    }
    out << (retiring ? " + " + std::to_string(retiring) + " retiring" : "") << "\n";
    for (int i = 0; i < per_socket_; ++i) {
      const SlotState& slot = slots_[s][i];
      if (!slot.backoff.InCrashLoop(now)) continue;
      out << "  crash loop: worker slot " << i << " died " << slot.backoff.RecentDeaths(now)
          << " times in the last " << proc::RestartBackoff::kCrashLoopWindow / 1000000 << " s"
          << (slot.start_at_us > now ? "; next start in " + std::to_string((slot.start_at_us - now) / 1000000 + 1) + " s" : "")
          << "\n";
    }
  }
  out << "SPF helpers running: " << helpers_->Running() << "\n";
  out << (reload_ ? "ok (a reload is in progress)\n" : "ok\n");
  return out.str();
}

}  // namespace

int RunMaster(const MasterOptions& options, std::shared_ptr<const Snapshot> initial) {
  Result<DaemonSetup> setup = PrepareDaemon(options, initial->config);
  if (!setup.ok()) {
    SG_LOG(kError) << setup.status().message();
    return kExitConfig;
  }
  DaemonSetup prepared = *setup;
  int children = static_cast<int>(prepared.sockets.size()) * initial->config.WorkersPerSocket() * 3 + 4;
  Result<std::unique_ptr<metrics::Segment>> segment = metrics::Segment::Create(children);
  if (!segment.ok()) {
    SG_LOG(kError) << segment.status().message();
    ReleaseDaemon(&prepared);
    return kExitConfig;
  }
  metrics::UseSlot((*segment)->Slot(metrics::kParentSlot));
  Result<std::unique_ptr<metrics::RuleHitTable>> rule_hits = metrics::RuleHitTable::Create();
  if (!rule_hits.ok()) {
    SG_LOG(kError) << rule_hits.status().message();
    ReleaseDaemon(&prepared);
    return kExitConfig;
  }
  metrics::UseRuleHits(rule_hits->get());  // the workers inherit it when forked
  int rc = Master(options, initial, prepared, std::move(segment).value(), std::move(rule_hits).value()).Run();
  ReleaseDaemon(&prepared);
  return rc;
}

}  // namespace sendguard

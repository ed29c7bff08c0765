// master/worker.cc — a worker: drop to its account, open the runtime, serve.
#include "master/worker.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/log.h"
#include "master/worker_channel.h"
#include "metrics/metrics.h"
#include "milter/milter.h"
#include "notify/outbox.h"
#include "policyd/server.h"
#include "session/audit_log.h"
#include "session/policy_tie.h"
#include "session/runtime.h"

namespace sendguard {
namespace {

constexpr int64_t kPolicyMarkMaxAge = 86400;  // far beyond any reservation_ttl in use

// Background upkeep: drops expired quota records and stale policy marks
// (session/policy_tie.h) once a minute.
void MaintenanceLoop(Runtime* runtime) {
  for (;;) {
    std::this_thread::sleep_for(std::chrono::seconds(60));
    if (!runtime->quota_store) continue;
    int64_t now = runtime->clock->NowSeconds();
    Result<size_t> dropped = runtime->quota_store->CollectGarbage(now);
    if (!dropped.ok()) SG_LOG(kWarning) << "quota garbage collection: " << dropped.status().ToString();
    Result<size_t> marks = PrunePolicyMarks(runtime->quota_store.get(), now, kPolicyMarkMaxAge);
    if (!marks.ok()) SG_LOG(kWarning) << "policy marks: " << marks.status().ToString();
  }
}

// Delivers the webhook outbox, in the one worker that does upkeep. A worker
// of the previous snapshot may still hold the outbox while it retires, so
// the start is retried until it is ours.
void OutboxLoop(notify::WebhookOptions options) {
  for (;;) {
    Result<std::unique_ptr<notify::OutboxSender>> sender = notify::OutboxSender::Start(options);
    if (sender.ok()) {
      static std::unique_ptr<notify::OutboxSender> keep;  // lives until the process ends
      keep = std::move(sender).value();
      return;
    }
    if (!sender.status().IsUnavailable()) {
      SG_LOG(kError) << "abuse alerts: cannot deliver the outbox: " << sender.status().ToString();
      return;
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

// The worker writes its own slot of the shared segment and cannot touch the
// others.
void UseMetricsSlot(const WorkerSetup& w) {
  if (w.metrics == nullptr || w.metrics_slot < 0) return metrics::UseSlot(nullptr);
  w.metrics->RestrictTo(w.metrics_slot);
  metrics::UseSlot(w.metrics->Slot(w.metrics_slot));
}

// The parent reopened the decision log: its new descriptor comes over the
// channel.
void TakeReopenedLog(WorkerChannel* channel, Runtime* runtime) {
  if (!runtime->decision_log) return;
  Result<proc::ChannelMessage> m = channel->Ask("decision-log", 5000);
  if (m.ok() && m->fd >= 0 && m->text == "decision-log") return runtime->decision_log->Replace(m->fd);
  if (m.ok() && m->fd >= 0) close(m->fd);
  SG_LOG(kWarning) << "decision log: the reopened file did not arrive; writing on to the old one";
}

[[noreturn]] void FailStartup(WorkerChannel* channel, const std::string& socket, const Status& why) {
  SG_LOG(kError) << "worker for " << socket << " cannot start: " << why.ToString();
  (void)channel->Notify("startup-error " + why.ToString());
  _exit(kStartupFailure);
}

MilterOptions ServeOptions(const WorkerSetup& w) {
  MilterOptions o;
  o.listen_fd = w.socket.fd;
  o.listen_family = w.socket.family;
  o.socket = w.socket.spec;
  o.timeout_s = w.snapshot->config.daemon.milter_timeout_s;
  o.drain_timeout_s = w.snapshot->config.daemon.drain_timeout_s;
  return o;
}

policyd::ServerOptions PolicyServeOptions(const WorkerSetup& w) {
  const Config& c = w.snapshot->config;
  policyd::ServerOptions o;
  o.listen_fd = w.socket.fd;
  o.socket = w.socket.spec;
  o.request_timeout_s = c.policy.request_timeout_s;
  o.idle_timeout_s = c.policy.idle_timeout_s;
  o.max_connections = c.policy.max_connections;
  o.drain_timeout_s = c.daemon.drain_timeout_s;
  return o;
}

[[noreturn]] void ServePolicy(const WorkerSetup& w, SnapshotHolder* holder, Runtime* runtime, WorkerChannel* channel) {
  policyd::ServerHooks hooks;
  hooks.on_serving = [&] { (void)channel->Notify("ready"); };
  hooks.on_stopped = [&](long live) { (void)channel->Notify("stopped " + std::to_string(live)); };
  _exit(policyd::RunPolicyServer(PolicyServeOptions(w), holder, runtime, hooks));
}

}  // namespace

void RunWorkerProcess(const WorkerSetup& w) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // the parent killed: the whole daemon is gone, as with kill -9
  if (getppid() != w.parent) _exit(1);  // it died before prctl took effect
  setpgid(0, 0);                        // Ctrl-C reaches the parent, which drains us
  for (int fd : w.parent_fds) close(fd);
  UseMetricsSlot(w);
  WorkerChannel channel(w.channel_fd);
  Status s = proc::BecomeAccount(w.account);
  if (s.ok() && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) s = Status::Internal("PR_SET_NO_NEW_PRIVS failed");
  if (!s.ok()) FailStartup(&channel, w.socket.spec, s);
  BlockDaemonSignals();
  Result<std::unique_ptr<Runtime>> runtime = OpenRuntime(w.snapshot->config, MakeParentHelperLauncher(&channel));
  if (!runtime.ok()) FailStartup(&channel, w.socket.spec, runtime.status());
  (*runtime)->send_alert_mail = [&channel](const std::string& subject, const std::string& body) {
    std::string message = "alert-mail " + subject + "\n" + body;
    if (message.size() > proc::kMaxChannelMessage) message.resize(proc::kMaxChannelMessage);
    (void)channel.Notify(message);
  };
  SetAuditSink([&channel](const std::string& line) { (void)channel.Notify("audit " + line); });
  if (w.decision_log_fd >= 0) (*runtime)->decision_log = std::make_shared<LineLog>(w.decision_log_fd);
  if (w.run_maintenance) std::thread(MaintenanceLoop, runtime->get()).detach();
  if (w.run_maintenance && w.snapshot->abuse && !w.snapshot->config.abuse.webhook_url.empty()) {
    std::thread(OutboxLoop, WebhookOptionsOf(*w.snapshot)).detach();
  }
  SnapshotHolder holder(w.snapshot);
  if (w.socket.protocol == proc::SocketProtocol::kPolicy) ServePolicy(w, &holder, runtime->get(), &channel);
  MilterHooks hooks;
  hooks.on_serving = [&] { (void)channel.Notify("ready"); };
  hooks.on_stopped = [&](long live) { (void)channel.Notify("stopped " + std::to_string(live)); };
  hooks.on_reopen_logs = [&] { TakeReopenedLog(&channel, runtime->get()); };
  int rc = RunMilter(ServeOptions(w), &holder, runtime->get(), hooks);
  _exit(rc);
}

}  // namespace sendguard

// master/http_child.cc — the HTTP server's process.
#include "master/http_child.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/exit_codes.h"
#include "core/log.h"
#include "core/clock.h"
#include "http/console.h"
#include "http/metrics_auth.h"
#include "master/held_mail_service.h"
#include "proc/channel.h"
#include "http/server.h"
#include "http/site.h"
#include "metrics/metrics.h"
#include "session/audit_log.h"
#include "session/runtime.h"

namespace sendguard {
namespace {

Status ReadWhole(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return Status::IoError(path + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return Status::Ok();
}

http::ServerOptions ServerOptionsOf(const HttpChildSetup& s) {
  const HttpConfig& c = s.snapshot->config.http;
  http::ServerOptions o;
  o.listen_fd = s.listen_fd;
  o.threads = c.threads;
  o.max_connections = c.max_connections;
  o.per_ip_connections = c.per_ip_connections;
  o.timeout_s = c.timeout_s;
  o.tls_cert_pem = s.secrets.tls_cert_pem;
  o.tls_key_pem = s.secrets.tls_key_pem;
  return o;
}

[[noreturn]] void Fail(const std::string& why) {
  SG_LOG(kError) << "http: cannot serve: " << why;
  _exit(kExitConfig);
}

// What the console's history ring records: messages by action and quota
// refusals, summed over the daemon.
http::Totals HistoryTotals(const metrics::Values& v) {
  using metrics::Family;
  auto at = [&v](Family f, std::string_view label) { return v[metrics::IndexOf(f, {label})]; };
  http::Totals t = {at(Family::kMessages, "accept"), at(Family::kMessages, "quarantine"),
                    at(Family::kMessages, "tempfail"), at(Family::kMessages, "reject"), 0};
  const metrics::FamilySpec& refusals = metrics::SpecOf(Family::kQuotaRefusals);
  for (const auto& labels : refusals.values) t[4] += at(Family::kQuotaRefusals, labels[0]);
  return t;
}

void SampleHistory(http::HistoryRing* ring, const metrics::Segment* segment) {
  for (;;) {
    ring->Sample(HistoryTotals(segment->Sum()), SystemClock::Instance().NowSeconds());
    std::this_thread::sleep_for(std::chrono::seconds(5));
  }
}

// The console's line to the parent for held mail: one request at a time
// (the answers come back tagged; a late answer to an abandoned request is
// skipped). postsuper on one message takes well under a second; the wait is
// bounded so a stuck parent does not hold an HTTP thread forever.
class ParentLine {
 public:
  explicit ParentLine(int fd) : fd_(fd) {}

  Result<std::string> Ask(const http::HeldMailAsk& ask) {
    std::lock_guard<std::mutex> lock(mu_);
    HeldMailRequest q{std::to_string(++serial_), ask.deliver, ask.queue_id, ask.by, ask.identity};
    Status sent = proc::SendMessage(fd_, FormatHeldMailRequest(q));
    if (!sent.ok()) return Status::Unavailable("the parent does not answer: " + sent.message());
    int64_t deadline = SteadyNowMicros() + kAnswerTimeoutUs;
    for (;;) {
      Result<proc::ChannelMessage> m = proc::ReceiveMessage(fd_, deadline);
      if (!m.ok()) return Status::Unavailable("no answer from the parent: " + m.status().message());
      if (m->fd >= 0) close(m->fd);
      if (m->text.compare(0, q.tag.size() + 1, q.tag + " ") != 0) continue;  // an older request's
      std::string rest = m->text.substr(q.tag.size() + 1);
      std::string kind = rest.substr(0, rest.find(' '));
      std::string text = rest.size() > kind.size() ? rest.substr(kind.size() + 1) : "";
      if (kind == "ok") return text;
      if (kind == "refused") return Status::InvalidArgument(text);
      return Status::Unavailable(text);
    }
  }

  // A message that gets no answer (an audit line). Not behind mu_: a
  // SOCK_SEQPACKET message goes whole, and an audit entry must not wait for
  // a held-mail answer that may take a minute.
  void Tell(const std::string& text) {
    Status sent = proc::SendMessage(fd_, text);
    if (!sent.ok()) SG_LOG(kError) << "audit: the parent did not take an audit line: " << sent.message();
  }

 private:
  static constexpr int64_t kAnswerTimeoutUs = 60 * 1000000LL;
  std::mutex mu_;
  const int fd_;
  uint64_t serial_ = 0;  // guarded by mu_
};

// The console works on the shared store as daemon.user, as the workers do.
std::shared_ptr<http::Console> OpenConsole(const HttpChildSetup& s) {
  const Config& c = s.snapshot->config;
  std::unique_ptr<quota::QuotaStore> store;
  if (c.quota_enabled()) {
    Result<std::unique_ptr<quota::QuotaStore>> opened = OpenQuotaStore(c, /*for_cli=*/true);
    if (!opened.ok()) Fail("console: " + opened.status().ToString());
    store = std::move(opened).value();
  }
  Result<std::unique_ptr<http::HistoryRing>> ring = http::HistoryRing::Open(c.http.console_dir + "/history.ring");
  if (!ring.ok()) Fail(ring.status().ToString());
  http::AccountServices services;
  services.policy = s.snapshot->quota_policy;
  if (s.channel_fd >= 0) {
    auto line = std::make_shared<ParentLine>(s.channel_fd);
    services.held_mail = [line](const http::HeldMailAsk& ask) { return line->Ask(ask); };
    SetAuditSink([line](const std::string& audit) { line->Tell("audit " + audit); });
  }
  auto console = std::make_shared<http::Console>(c, s.secrets.console_users, std::move(store), std::move(ring).value(),
                                                 std::move(services));
  console->SetRulesPage(std::make_unique<http::RulesPage>(s.snapshot->rules, s.rule_hits));
  std::thread(SampleHistory, console->history(), s.segment).detach();
  return console;
}

}  // namespace

Result<HttpSecrets> LoadHttpSecrets(const Config& c) {
  HttpSecrets s;
  if (!c.http.metrics_token_file.empty()) {
    Status st = ReadWhole(c.http.metrics_token_file, &s.metrics_token);
    if (!st.ok()) return st;
    s.metrics_token = s.metrics_token.substr(0, s.metrics_token.find_first_of("\r\n"));
    if (s.metrics_token.empty()) return Status::InvalidArgument(c.http.metrics_token_file + ":1: the token is empty");
  }
  if (!c.http.metrics_users_file.empty()) {
    Result<http::Users> users = http::LoadUsers(c.http.metrics_users_file);
    if (!users.ok()) return users.status();
    if (users->empty()) return Status::InvalidArgument(c.http.metrics_users_file + ": no metrics user");
    s.metrics_users = *users;
  }
  if (c.http.tls_cert_file.empty() != c.http.tls_key_file.empty()) {
    return Status::InvalidArgument(c.path + ": [http] tls_cert_file and tls_key_file go together");
  }
  if (!c.http.tls_cert_file.empty()) {
    Status st = ReadWhole(c.http.tls_cert_file, &s.tls_cert_pem);
    if (st.ok()) st = ReadWhole(c.http.tls_key_file, &s.tls_key_pem);
    if (!st.ok()) return st;
  }
  if (!c.http.console_users_file.empty()) {
    Result<http::Users> users = http::LoadUsers(c.http.console_users_file);
    if (!users.ok()) return users.status();
    if (users->empty()) return Status::InvalidArgument(c.http.console_users_file + ": no console user");
    s.console_users = *users;
  }
  return s;
}

void RunHttpProcess(const HttpChildSetup& s) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != s.parent) _exit(1);
  setpgid(0, 0);
  prctl(PR_SET_NAME, "sendguard-http");  // tells it from the workers in ps and /proc
  for (int fd : s.parent_fds) close(fd);
  metrics::UseSlot(nullptr);  // counts nothing into the parent's slot
  s.segment->MakeReadOnly();
  metrics::UseRuleHits(nullptr);
  if (s.rule_hits != nullptr) s.rule_hits->MakeReadOnly();
  Status st = proc::BecomeAccount(s.account);
  if (st.ok() && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) st = Status::Internal("PR_SET_NO_NEW_PRIVS failed");
  if (!st.ok()) Fail(st.ToString());
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  http::SiteOptions site;
  site.metrics_auth = std::make_shared<http::MetricsAuth>(s.secrets.metrics_token, s.secrets.metrics_users,
                                                         s.snapshot->config.http.login_attempts);
  site.segment = s.segment;
  if (!s.secrets.console_users.empty()) site.console = OpenConsole(s);
  Result<std::unique_ptr<http::Server>> server = http::Server::Start(ServerOptionsOf(s), http::MakeSite(site));
  if (!server.ok()) Fail(server.status().ToString());
  SG_LOG(kInfo) << "http: serving " << s.snapshot->config.http.listen
                << (s.secrets.tls_cert_pem.empty() ? "" : " (TLS)") << " as "
                << (s.account.name.empty() ? proc::CurrentAccountName() : s.account.name);
  int sig = 0;
  while (sigwait(&set, &sig) != 0 || sig == SIGUSR1) {
  }
  // No orderly MHD_stop_daemon: it shuts the listening socket down, and that
  // socket is shared with the parent and the next server process.
  _exit(0);
}

}  // namespace sendguard

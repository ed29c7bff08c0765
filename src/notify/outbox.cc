// notify/outbox.cc — Enqueue (write one file) and OutboxSender (one thread
// that scans the outbox, POSTs what is due and renames, deletes or moves
// each file according to the answer).
#include "notify/outbox.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "notify/http_post.h"
#include "notify/outbox_files.h"
#include "notify/signature.h"

namespace sendguard::notify {
namespace {

constexpr int64_t kRescanIntervalMs = 1000;    // picks up other processes' alerts
constexpr int64_t kStaleTempFileAgeS = 600;
constexpr const char kLockFile[] = ".sender.lock";
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

int64_t WallNowMs() { return SystemClock::Instance().NowMicros() / 1000; }

std::string FailedDir(const WebhookOptions& o) { return o.outbox_dir + "/" + kFailedSubdir; }

bool HasEntryWithId(const std::vector<OutboxEntry>& entries, const std::string& id) {
  return std::any_of(entries.begin(), entries.end(),
                     [&](const OutboxEntry& e) { return e.id == id; });
}

enum class Outcome { kDelivered, kRetry, kPermanentFailure };

Outcome Classify(const HttpAnswer& answer) {
  if (!answer.transport.ok()) return Outcome::kRetry;
  long code = answer.http_status;
  if (code >= 200 && code < 300) return Outcome::kDelivered;
  if (code >= 400 && code < 500 && code != 408 && code != 429) return Outcome::kPermanentFailure;
  return Outcome::kRetry;
}

std::string Describe(const HttpAnswer& answer) {
  if (!answer.transport.ok()) return answer.transport.message();
  return "HTTP status " + std::to_string(answer.http_status);
}

// Logging every retry of every alert would flood syslog while a receiver is
// down: log the 1st, 2nd, 4th, 8th... failure of each alert.
bool WorthLoggingAttempt(int attempts) { return (attempts & (attempts - 1)) == 0; }

Status CheckSenderOptions(const WebhookOptions& o) {
  if (o.url.empty()) return Status::InvalidArgument("webhook: no url configured");
  if (o.outbox_dir.empty()) return Status::InvalidArgument("webhook: no outbox_dir configured");
  if (o.timeout_ms <= 0) return Status::InvalidArgument("webhook: timeout_ms must be > 0");
  if (o.backoff_min_ms <= 0 || o.backoff_max_ms < o.backoff_min_ms) {
    return Status::InvalidArgument("webhook: need 0 < backoff_min_ms <= backoff_max_ms");
  }
  return Status::Ok();
}

// The outbox's lock, held for the sender's life: one sender per outbox.
Result<int> LockOutbox(const std::string& dir) {
  std::string path = dir + "/" + kLockFile;
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("open " + path + ": " + strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(fd);
    if (err == EWOULDBLOCK) return Status::Unavailable("another sender delivers " + dir);
    return Status::IoError("flock " + path + ": " + strerror(err));
  }
  return fd;
}

}  // namespace

int64_t RetryDelayMs(const WebhookOptions& options, int failed_attempts) {
  int64_t delay = options.backoff_min_ms;
  for (int i = 1; i < failed_attempts && delay < options.backoff_max_ms; ++i) delay *= 2;
  return std::min<int64_t>(delay, options.backoff_max_ms);
}

Status Enqueue(const WebhookOptions& options, const Alert& alert) {
  if (options.url.empty()) return Status::Ok();
  if (!IsValidAlertId(alert.id)) {
    return Status::InvalidArgument("alert id '" + alert.id + "': want 1-128 of [A-Za-z0-9_-]");
  }
  Status s = EnsureDirectory(options.outbox_dir);
  if (!s.ok()) return s;
  Result<std::vector<OutboxEntry>> entries = ListEntries(options.outbox_dir);
  if (!entries.ok()) return entries.status();
  if (HasEntryWithId(*entries, alert.id)) return Status::Ok();
  if (entries->size() >= options.max_pending) {
    RecordRefusal(options.outbox_dir);
    SG_LOG(kWarning) << "notify: outbox " << options.outbox_dir << " full ("
                     << entries->size() << " alerts waiting): alert " << alert.id << " refused";
    return Status::Unavailable("outbox " + options.outbox_dir + " is full (" +
                               std::to_string(options.max_pending) + " alerts waiting)");
  }
  return WriteFileDurably(options.outbox_dir, EntryFileName(alert.id, 0, 0), alert.json);
}

class OutboxSender::Impl {
 public:
  Impl(WebhookOptions options, int lock_fd) : options_(std::move(options)), lock_fd_(lock_fd) {}
  ~Impl() {
    Stop();
    close(lock_fd_);
  }

  Status StartThread();
  void Wake();
  Stats GetStats() const;

 private:
  void Stop();
  void RunSafely();
  void Run();
  // Attempts every due alert; returns the earliest next_try_ms still waiting.
  int64_t DeliverDue();
  // Returns when the alert is due again, or kNever if it left the outbox.
  int64_t DeliverOne(const OutboxEntry& entry);
  int64_t Reschedule(const OutboxEntry& entry, const HttpAnswer& answer);
  void MoveToFailed(const OutboxEntry& entry, const HttpAnswer& answer);
  void SleepUntil(int64_t next_due_ms);
  std::vector<std::string> HeadersFor(const OutboxEntry& entry, const std::string& body) const;

  const WebhookOptions options_;
  const int lock_fd_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable wake_cv_;
  bool wake_requested_ = false;  // guarded by mu_
  std::atomic<uint64_t> delivered_{0}, retried_{0}, failed_{0};
};

Status OutboxSender::Impl::StartThread() {
  // The daemon's signals (SIGTERM, SIGHUP, ...) belong to its main loop:
  // the new thread starts with all of them blocked.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  Status s;
  try {
    thread_ = std::thread([this] { RunSafely(); });
  } catch (const std::exception& e) {
    s = Status::Internal(std::string("notify: cannot start the sender thread: ") + e.what());
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return s;
}

void OutboxSender::Impl::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OutboxSender::Impl::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_requested_ = true;
  }
  wake_cv_.notify_all();
}

OutboxSender::Stats OutboxSender::Impl::GetStats() const {
  Stats s;
  s.delivered = delivered_.load();
  s.retried = retried_.load();
  s.failed = failed_.load();
  s.refused_full = ReadRefusalCount(options_.outbox_dir);
  Result<std::vector<OutboxEntry>> entries = ListEntries(options_.outbox_dir);
  s.pending = entries.ok() ? entries->size() : 0;
  return s;
}

void OutboxSender::Impl::RunSafely() {
  try {
    Run();
  } catch (const std::exception& e) {
    SG_LOG(kError) << "notify: sender thread stopped: " << e.what();
  }
}

void OutboxSender::Impl::Run() {
  while (!stop_) {
    int64_t next_due_ms = DeliverDue();
    SleepUntil(next_due_ms);
  }
}

void OutboxSender::Impl::SleepUntil(int64_t next_due_ms) {
  int64_t wait_ms = std::clamp<int64_t>(next_due_ms - WallNowMs(), 0, kRescanIntervalMs);
  std::unique_lock<std::mutex> lock(mu_);
  wake_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                    [this] { return stop_ || wake_requested_; });
  wake_requested_ = false;
}

int64_t OutboxSender::Impl::DeliverDue() {
  int64_t earliest = kNever;
  Result<std::vector<OutboxEntry>> entries = ListEntries(options_.outbox_dir);
  if (!entries.ok()) {
    SG_LOG(kError) << "notify: " << entries.status().message();
    return earliest;
  }
  for (const OutboxEntry& entry : *entries) {
    if (stop_) break;
    int64_t due = entry.next_try_ms <= WallNowMs() ? DeliverOne(entry) : entry.next_try_ms;
    earliest = std::min(earliest, due);
  }
  return earliest;
}

std::vector<std::string> OutboxSender::Impl::HeadersFor(const OutboxEntry& entry,
                                                        const std::string& body) const {
  std::vector<std::string> headers = {"X-Sendguard-Alert-Id: " + entry.id};
  if (!options_.secret.empty()) {
    headers.push_back("X-Sendguard-Signature: " + SignatureHeaderValue(options_.secret, body));
  }
  return headers;
}

int64_t OutboxSender::Impl::DeliverOne(const OutboxEntry& entry) {
  Result<std::string> body = ReadWholeFile(options_.outbox_dir + "/" + entry.file_name);
  if (!body.ok()) {  // e.g. removed by hand meanwhile
    SG_LOG(kWarning) << "notify: alert " << entry.id << ": " << body.status().message();
    return kNever;
  }
  HttpAnswer answer = PostJson(options_.url, HeadersFor(entry, *body), *body,
                               options_.timeout_ms, &stop_);
  if (stop_ && !answer.transport.ok()) return kNever;  // abandoned at shutdown: not an attempt
  switch (Classify(answer)) {
    case Outcome::kDelivered:
      if (unlink((options_.outbox_dir + "/" + entry.file_name).c_str()) != 0) {
        SG_LOG(kError) << "notify: alert " << entry.id << " delivered but not removed: "
                       << strerror(errno) << " (it will be sent again)";
      }
      ++delivered_;
      SG_LOG(kInfo) << "notify: alert " << entry.id << " delivered (" << Describe(answer) << ")";
      return kNever;
    case Outcome::kRetry:
      return Reschedule(entry, answer);
    case Outcome::kPermanentFailure:
      MoveToFailed(entry, answer);
      return kNever;
  }
  return kNever;
}

int64_t OutboxSender::Impl::Reschedule(const OutboxEntry& entry, const HttpAnswer& answer) {
  int attempts = entry.attempts + 1;
  int64_t delay_ms = RetryDelayMs(options_, attempts);
  int64_t next_try_ms = WallNowMs() + delay_ms;
  std::string next = EntryFileName(entry.id, attempts, next_try_ms);
  Status s = MoveFileDurably(options_.outbox_dir, entry.file_name, options_.outbox_dir, next);
  ++retried_;
  if (!s.ok()) {
    SG_LOG(kError) << "notify: alert " << entry.id << ": cannot record the retry: " << s.message();
  } else if (WorthLoggingAttempt(attempts)) {
    SG_LOG(kWarning) << "notify: alert " << entry.id << " not delivered (attempt " << attempts
                     << "): " << Describe(answer) << "; next try in " << delay_ms << " ms";
  }
  return next_try_ms;
}

void OutboxSender::Impl::MoveToFailed(const OutboxEntry& entry, const HttpAnswer& answer) {
  Status s = MoveFileDurably(options_.outbox_dir, entry.file_name, FailedDir(options_),
                             entry.file_name);
  ++failed_;
  SG_LOG(kError) << "notify: alert " << entry.id << " refused by " << options_.url << " ("
                 << Describe(answer) << "): "
                 << (s.ok() ? "moved to " + FailedDir(options_) : "not moved: " + s.message());
}

Result<std::unique_ptr<OutboxSender>> OutboxSender::Start(const WebhookOptions& options) {
  Status s = CheckSenderOptions(options);
  if (s.ok()) s = EnsureDirectory(options.outbox_dir);
  if (s.ok()) s = EnsureDirectory(FailedDir(options));
  if (!s.ok()) return s;
  Result<int> lock_fd = LockOutbox(options.outbox_dir);
  if (!lock_fd.ok()) return lock_fd.status();
  RemoveStaleTempFiles(options.outbox_dir, kStaleTempFileAgeS);
  ResetRefusalCount(options.outbox_dir);
  auto impl = std::make_unique<Impl>(options, *lock_fd);
  s = impl->StartThread();
  if (!s.ok()) return s;
  return std::unique_ptr<OutboxSender>(new OutboxSender(std::move(impl)));
}

OutboxSender::OutboxSender(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OutboxSender::~OutboxSender() = default;
void OutboxSender::DeliverNow() { impl_->Wake(); }
OutboxSender::Stats OutboxSender::stats() const { return impl_->GetStats(); }

}  // namespace sendguard::notify

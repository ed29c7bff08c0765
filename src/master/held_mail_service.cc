// master/held_mail_service.cc — one forked root child per held-mail action.
#include "master/held_mail_service.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.h"
#include "proc/channel.h"
#include "session/held_mail.h"
#include "session/runtime.h"

namespace sendguard {
namespace {

std::string Word(const std::string& line, size_t* at) {
  size_t end = line.find(' ', *at);
  std::string w = line.substr(*at, end == std::string::npos ? std::string::npos : end - *at);
  *at = end == std::string::npos ? line.size() : end + 1;
  return w;
}

void Answer(int channel, const std::string& tag, const char* kind, const std::string& text) {
  std::string line = tag + " " + kind + " " + text;
  if (line.size() > proc::kMaxChannelMessage) line.resize(proc::kMaxChannelMessage);
  Status s = proc::SendMessage(channel, line);
  if (!s.ok()) SG_LOG(kError) << "console: cannot answer the HTTP server: " << s.ToString();
}

[[noreturn]] void ActAndExit(const Config& config, const HeldMailRequest& q, int channel) {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_UNBLOCK, &all, nullptr);  // the parent's mask is for its signalfd
  Result<std::unique_ptr<quota::QuotaStore>> store = OpenQuotaStore(config, /*for_cli=*/true);
  Result<std::string> done = store.ok() ? ActOnHeldMessage(config, store->get(), q.identity, q.queue_id, q.deliver, q.by)
                                        : Result<std::string>(store.status());
  if (done.ok()) Answer(channel, q.tag, "ok", *done);
  else {
    bool refused = done.status().code() == Status::Code::kInvalidArgument || done.status().IsNotFound();
    Answer(channel, q.tag, refused ? "refused" : "error", done.status().message());
  }
  _exit(done.ok() ? 0 : 1);
}

}  // namespace

bool ParseHeldMailRequest(const std::string& line, HeldMailRequest* q, std::string* why) {
  size_t at = 0;
  q->tag = Word(line, &at);
  std::string verb = Word(line, &at), action = Word(line, &at);
  q->queue_id = Word(line, &at);
  q->by = Word(line, &at);
  q->identity = line.substr(at);
  q->deliver = action == "deliver";
  if (verb != "held" || (action != "deliver" && action != "delete") || q->by.empty() || q->identity.empty()) {
    *why = "malformed held-mail request";
    return false;
  }
  if (!IsQueueId(q->queue_id)) {
    *why = "'" + q->queue_id + "' is not a Postfix queue id";
    return false;
  }
  return true;
}

std::string FormatHeldMailRequest(const HeldMailRequest& q) {
  return q.tag + " held " + (q.deliver ? "deliver " : "delete ") + q.queue_id + " " + q.by + " " + q.identity;
}

void StartHeldMailAction(const Config& config, const std::string& request, int channel,
                         const std::vector<int>& close_in_child, std::set<pid_t>* running) {
  HeldMailRequest q;
  std::string why;
  if (!ParseHeldMailRequest(request, &q, &why)) {
    SG_LOG(kWarning) << "console: held-mail request refused: " << why;
    return Answer(channel, q.tag, "refused", why);
  }
  if (!config.quota_enabled()) return Answer(channel, q.tag, "refused", "quotas are off: no held-mail records");
  if (running->size() >= kMaxHeldMailActions) {
    return Answer(channel, q.tag, "error", "too many held-mail actions in flight; try again");
  }
  pid_t pid = fork();
  if (pid == 0) {
    for (int fd : close_in_child) {
      if (fd != channel) close(fd);
    }
    ActAndExit(config, q, channel);
  }
  if (pid < 0) {
    SG_LOG(kError) << "console: cannot act on held mail: fork: " << strerror(errno);
    return Answer(channel, q.tag, "error", "fork failed");
  }
  running->insert(pid);
}

}  // namespace sendguard

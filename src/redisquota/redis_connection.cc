// redisquota/redis_connection.cc — the only file that includes
// <hiredis/hiredis.h>. Failures become Status values naming the endpoint.
#include "redisquota/redis_connection.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <signal.h>
#include <sys/time.h>

#include <ctime>

#include "core/clock.h"
#include "metrics/metrics.h"

namespace sendguard {
namespace redisquota {

namespace {

timeval Millis(int ms) {
  if (ms < 1) ms = 1;
  timeval tv;
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.kind = RedisReply::Kind::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      out.kind = r->type == REDIS_REPLY_STRING   ? RedisReply::Kind::kString
                 : r->type == REDIS_REPLY_STATUS ? RedisReply::Kind::kStatus
                                                 : RedisReply::Kind::kError;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = RedisReply::Kind::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.kind = RedisReply::Kind::kNil;
  }
  return out;
}

// Blocks SIGPIPE on this thread while hiredis writes, and swallows one that
// the write raised, so a vanished server is an error, not a dead daemon.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec zero{0, 0};
        sigtimedwait(&pipe_, nullptr, &zero);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_, old_;
  bool was_pending_ = false;
};

}  // namespace

struct RedisConnection::Context {
  redisContext* c = nullptr;
  ~Context() {
    if (c != nullptr) redisFree(c);
  }
};

RedisConnection::RedisConnection(std::unique_ptr<Context> context)
    : context_(std::move(context)) {}
RedisConnection::~RedisConnection() = default;

Result<std::unique_ptr<RedisConnection>> RedisConnection::Connect(const RedisOptions& options,
                                                                  int timeout_ms) {
  auto context = std::make_unique<Context>();
  timeval tv = Millis(timeout_ms);
  context->c = options.unix_socket.empty()
                   ? redisConnectWithTimeout(options.host.c_str(), options.port, tv)
                   : redisConnectUnixWithTimeout(options.unix_socket.c_str(), tv);
  std::string endpoint = options.Endpoint();
  if (context->c == nullptr) {
    return Status::Unavailable("redis " + endpoint + ": cannot allocate a connection");
  }
  if (context->c->err != 0) {
    return Status::Unavailable("redis " + endpoint + ": connect: " + context->c->errstr);
  }
  std::unique_ptr<RedisConnection> conn(new RedisConnection(std::move(context)));
  conn->endpoint_ = endpoint;
  Status st = conn->Handshake(options, timeout_ms);
  if (!st.ok()) return st;
  return conn;
}

Status RedisConnection::Handshake(const RedisOptions& options, int timeout_ms) {
  std::vector<std::vector<std::string>> commands;
  if (!options.password.empty()) {
    if (options.username.empty()) {
      commands.push_back({"AUTH", options.password});
    } else {
      commands.push_back({"AUTH", options.username, options.password});
    }
  }
  if (options.database != 0) commands.push_back({"SELECT", std::to_string(options.database)});
  for (const auto& command : commands) {
    Result<RedisReply> reply = Run(command, timeout_ms);
    if (!reply.ok()) return reply.status();
    if (reply->IsError()) return ErrorReplyStatus(command[0], *reply);
  }
  return Status::Ok();
}

Result<RedisReply> RedisConnection::Run(const std::vector<std::string>& argv, int timeout_ms) {
  Result<std::vector<RedisReply>> replies = RunPipeline({argv}, timeout_ms);
  if (!replies.ok()) return replies.status();
  return std::move(replies->front());
}

// Counted in the metrics: round trips, their time, and the failed ones.
Result<std::vector<RedisReply>> RedisConnection::RunPipeline(
    const std::vector<std::vector<std::string>>& commands, int timeout_ms) {
  int64_t start = SteadyNowMicros();
  Result<std::vector<RedisReply>> replies = Exchange(commands, timeout_ms);
  metrics::Count(metrics::Family::kRedisRoundTrips);
  metrics::Observe(metrics::Family::kRedisSeconds, SteadyNowMicros() - start);
  if (!replies.ok()) metrics::Count(metrics::Family::kRedisErrors);
  return replies;
}

Result<std::vector<RedisReply>> RedisConnection::Exchange(
    const std::vector<std::vector<std::string>>& commands, int timeout_ms) {
  if (broken_) return Status::Unavailable("redis " + endpoint_ + ": connection is broken");
  redisContext* c = context_->c;
  if (redisSetTimeout(c, Millis(timeout_ms)) != REDIS_OK) {
    broken_ = true;
    return Status::Unavailable("redis " + endpoint_ + ": cannot set timeout");
  }
  for (const std::vector<std::string>& argv : commands) {
    std::vector<const char*> args;
    std::vector<size_t> lengths;
    for (const std::string& a : argv) {
      args.push_back(a.data());
      lengths.push_back(a.size());
    }
    if (redisAppendCommandArgv(c, static_cast<int>(args.size()), args.data(), lengths.data()) !=
        REDIS_OK) {
      broken_ = true;
      return Status::Unavailable("redis " + endpoint_ + ": " + argv[0] + ": cannot queue");
    }
  }
  std::vector<RedisReply> out;
  SigpipeGuard guard;  // the first redisGetReply writes the queued commands
  for (const std::vector<std::string>& argv : commands) {
    void* raw = nullptr;
    if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) {
      broken_ = true;
      std::string why = c->err != 0 ? c->errstr : "no reply";
      return Status::Unavailable("redis " + endpoint_ + ": " + argv[0] + ": " + why);
    }
    redisReply* reply = static_cast<redisReply*>(raw);
    out.push_back(Convert(reply));
    freeReplyObject(reply);
  }
  return out;
}

Result<std::optional<RedisReply>> RedisConnection::ReadPushed(int timeout_ms) {
  if (broken_) return Status::Unavailable("redis " + endpoint_ + ": connection is broken");
  redisContext* c = context_->c;
  void* raw = nullptr;
  if (redisGetReplyFromReader(c, &raw) == REDIS_OK && raw == nullptr) {  // nothing buffered
    pollfd p = {c->fd, POLLIN, 0};
    int ready = poll(&p, 1, timeout_ms < 0 ? 0 : timeout_ms);
    if (ready <= 0) return std::optional<RedisReply>();  // timeout or EINTR: ask again
    if (redisBufferRead(c) == REDIS_OK) redisGetReplyFromReader(c, &raw);
  }
  if (c->err != 0) {
    broken_ = true;
    return Status::Unavailable("redis " + endpoint_ + ": " + c->errstr);
  }
  if (raw == nullptr) return std::optional<RedisReply>();  // part of a message so far
  RedisReply out = Convert(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return std::optional<RedisReply>(std::move(out));
}

Status ErrorReplyStatus(const std::string& what, const RedisReply& reply) {
  static const char* const kTransient[] = {"LOADING", "BUSY", "MASTERDOWN", "READONLY", "OOM",
                                           "TRYAGAIN", "CLUSTERDOWN", "NOAUTH", "WRONGPASS"};
  std::string message = "redis " + what + ": " + reply.text;
  for (const char* prefix : kTransient) {
    if (reply.text.rfind(prefix, 0) == 0) return Status::Unavailable(message);
  }
  return Status::Internal(message);
}

}  // namespace redisquota
}  // namespace sendguard

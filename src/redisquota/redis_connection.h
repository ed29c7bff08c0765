// redisquota/redis_connection.h — one synchronous connection to Redis, and
// the reply value it returns. The only interface to hiredis.
//
// Contract: Connect() connects (TCP or unix socket), AUTHs and SELECTs within
// the given time or fails with Unavailable naming the endpoint and the cause.
// Run() sends one command and waits at most `timeout_ms` for its reply;
// RunPipeline() sends several in one write and reads their replies in order
// (one round trip), `timeout_ms` bounding each read. ReadPushed() waits up to
// `timeout_ms` for a message the server sends unasked (after SUBSCRIBE) and
// returns nullopt if none came; that is not a failure. An
// I/O error, EOF or timeout marks the connection broken() (its reply stream
// is no longer in sync): the caller must discard it. Error replies from
// Redis ("-NOSCRIPT ...") are returned as a RedisReply of kind kError, not as
// a failed Status — the connection stays usable. SIGPIPE from a peer that
// went away is absorbed, never delivered to the process.
// Thread-safety: a connection is used by one thread at a time.
#ifndef SENDGUARD_REDISQUOTA_REDIS_CONNECTION_H_
#define SENDGUARD_REDISQUOTA_REDIS_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "redisquota/redis_options.h"

namespace sendguard {
namespace redisquota {

struct RedisReply {
  enum class Kind { kNil, kInteger, kString, kStatus, kError, kArray };
  Kind kind = Kind::kNil;
  int64_t integer = 0;
  std::string text;                 // kString / kStatus / kError
  std::vector<RedisReply> elements;  // kArray

  bool IsError() const { return kind == Kind::kError; }
  // True for "-NOSCRIPT ..." replies.
  bool IsNoScript() const { return IsError() && text.rfind("NOSCRIPT", 0) == 0; }
  // True for "-READONLY ..." (a replica, e.g. a demoted master).
  bool IsReadOnly() const { return IsError() && text.rfind("READONLY", 0) == 0; }
};

class RedisConnection {
 public:
  static Result<std::unique_ptr<RedisConnection>> Connect(const RedisOptions& options,
                                                          int timeout_ms);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  Result<RedisReply> Run(const std::vector<std::string>& argv, int timeout_ms);
  Result<std::vector<RedisReply>> RunPipeline(
      const std::vector<std::vector<std::string>>& commands, int timeout_ms);
  Result<std::optional<RedisReply>> ReadPushed(int timeout_ms);
  bool broken() const { return broken_; }

 private:
  struct Context;
  explicit RedisConnection(std::unique_ptr<Context> context);
  Status Handshake(const RedisOptions& options, int timeout_ms);
  Result<std::vector<RedisReply>> Exchange(const std::vector<std::vector<std::string>>& commands, int timeout_ms);

  std::unique_ptr<Context> context_;
  std::string endpoint_;
  bool broken_ = false;
};

// Turns an error reply into a Status: errors that mean "Redis cannot answer
// right now" (LOADING, BUSY, MASTERDOWN, READONLY, OOM, TRYAGAIN, CLUSTERDOWN,
// NOAUTH, WRONGPASS) are Unavailable, anything else Internal.
Status ErrorReplyStatus(const std::string& what, const RedisReply& reply);

}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_REDISQUOTA_REDIS_CONNECTION_H_

// redisquota/sentinel_locator.h — finds the current Redis master through
// Redis Sentinel, as the Sentinel client guidelines describe.
//
// Contract: Master() returns the address found last, or, the first time and
// after Forget(), asks the sentinels in turn (SENTINEL
// get-master-addr-by-name, after AUTH if configured) until one names an
// address; that sentinel is asked first next time. A sentinel that is
// unreachable, answers an error or does not know the name is skipped. Every
// network wait shares the caller's deadline; when no sentinel answers in
// time the result is Unavailable naming what each one said. The caller must
// check the address with VerifyMaster() (ROLE) before using it: a sentinel
// may still name a master that was just demoted, and must call Forget() when
// the master fails, so that the next call asks again (how a failover is
// followed even without SentinelWatcher's +switch-master subscription).
// Thread-safety: safe for concurrent use; concurrent lookups may each ask.
#ifndef SENDGUARD_REDISQUOTA_SENTINEL_LOCATOR_H_
#define SENDGUARD_REDISQUOTA_SENTINEL_LOCATOR_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "redisquota/redis_connection.h"
#include "redisquota/redis_options.h"

namespace sendguard {
namespace redisquota {

class SentinelLocator {
 public:
  using Clock = std::chrono::steady_clock;

  // `options.sentinels` must be valid (RedisOptions::Validate()).
  explicit SentinelLocator(const RedisOptions& options);

  Result<HostPort> Master(Clock::time_point deadline);
  void Forget();
  // A master announced by a sentinel (+switch-master); true if it differs
  // from the one known so far.
  bool Learn(const HostPort& master);
  // One sentinel's answer now, within `timeout_ms`.
  Result<HostPort> Ask(const HostPort& sentinel, int timeout_ms) const;
  const std::string& master_name() const { return master_name_; }
  // The configured sentinels, in the order they are asked.
  std::vector<HostPort> sentinels() const;
  // AUTH options for connecting to a sentinel.
  const RedisOptions& sentinel_options() const { return sentinel_options_; }
  // Lookups that went to the sentinels so far (for tests and logs).
  uint64_t lookups() const;

  // ROLE on `connection`: ok if it is a master, else Unavailable naming the
  // role found (a replica, a sentinel...).
  static Status VerifyMaster(RedisConnection& connection, const std::string& where,
                             int timeout_ms);

 private:
  Result<HostPort> AskAll(Clock::time_point deadline);

  RedisOptions sentinel_options_;  // AUTH of the sentinels, no database
  std::string master_name_;
  mutable std::mutex mu_;
  std::vector<HostPort> sentinels_;  // the last one that answered first
  std::optional<HostPort> master_;
  uint64_t lookups_ = 0;
};

// Parsers of the two replies, public for tests.
// get-master-addr-by-name: ["host", "port"] -> address; nil -> NotFound
// (the sentinel does not monitor that name); anything else Internal.
Result<HostPort> ParseMasterAddrReply(const RedisReply& reply);
// ROLE: the first element, "master", "slave" or "sentinel".
Result<std::string> ParseRoleReply(const RedisReply& reply);
// A +switch-master payload ("<name> <old-ip> <old-port> <new-ip> <new-port>"):
// the new address if it is about `master_name`, NotFound if about another
// master, Internal if malformed.
Result<HostPort> ParseSwitchMaster(const std::string& payload, const std::string& master_name);

}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_REDISQUOTA_SENTINEL_LOCATOR_H_

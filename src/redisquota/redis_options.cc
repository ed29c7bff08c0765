// redisquota/redis_options.cc — validation and names of the Redis options.
#include "redisquota/redis_options.h"

namespace sendguard {
namespace redisquota {

namespace {

Status Bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument("quota redis option " + field + ": " + why);
}

}  // namespace

Status RedisOptions::Validate() const {
  if (unix_socket.empty() && host.empty()) return Bad("redis_host", "empty");
  if (unix_socket.empty() && (port <= 0 || port > 65535)) {
    return Bad("redis_port", "must be 1..65535");
  }
  if (database < 0) return Bad("redis_database", "must be >= 0");
  if (key_prefix.find_first_of("{}") != std::string::npos) {
    return Bad("redis_key_prefix", "must not contain '{' or '}' (hash tags)");
  }
  if (!username.empty() && password.empty()) {
    return Bad("redis_username", "set without redis_password");
  }
  if (connect_timeout_ms <= 0) return Bad("redis_connect_timeout_ms", "must be > 0");
  if (command_timeout_ms <= 0) return Bad("redis_command_timeout_ms", "must be > 0");
  if (pool_size <= 0 || pool_size > 256) return Bad("redis_pool_size", "must be 1..256");
  if (backoff_min_ms <= 0 || backoff_max_ms < backoff_min_ms) {
    return Bad("redis_backoff_min_ms/redis_backoff_max_ms", "need 0 < min <= max");
  }
  return Status::Ok();
}

std::string RedisOptions::Endpoint() const {
  if (!unix_socket.empty()) return "unix:" + unix_socket;
  return host + ":" + std::to_string(port);
}

Status ParseOutagePolicy(const std::string& name, OutagePolicy* out) {
  if (name == "fail-closed") {
    *out = OutagePolicy::kFailClosed;
  } else if (name == "fail-open") {
    *out = OutagePolicy::kFailOpen;
  } else if (name == "fallback") {
    *out = OutagePolicy::kFallback;
  } else {
    return Status::InvalidArgument("quota redis_outage: '" + name +
                                   "' is not fail-closed, fail-open or fallback");
  }
  return Status::Ok();
}

const char* OutagePolicyName(OutagePolicy policy) {
  switch (policy) {
    case OutagePolicy::kFailClosed: return "fail-closed";
    case OutagePolicy::kFailOpen: return "fail-open";
    case OutagePolicy::kFallback: return "fallback";
  }
  return "?";
}

}  // namespace redisquota
}  // namespace sendguard

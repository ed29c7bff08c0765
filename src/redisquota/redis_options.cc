// redisquota/redis_options.cc — validation and names of the Redis options.
#include "redisquota/redis_options.h"

namespace sendguard {
namespace redisquota {

namespace {

Status Bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument("quota redis option " + field + ": " + why);
}

Status ValidateSentinels(const RedisOptions& o) {
  for (const std::string& s : o.sentinels) {
    Result<HostPort> parsed = ParseHostPort(s);
    if (!parsed.ok()) return Bad("redis_sentinels", parsed.status().message());
  }
  if (o.master_name.empty()) return Bad("redis_master_name", "empty (needed with redis_sentinels)");
  if (!o.sentinel_username.empty() && o.sentinel_password.empty()) {
    return Bad("redis_sentinel_username", "set without redis_sentinel_password");
  }
  return Status::Ok();
}

}  // namespace

std::string HostPort::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<HostPort> ParseHostPort(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::InvalidArgument("'" + text + "' is not host:port");
  }
  HostPort out;
  out.host = text.substr(0, colon);
  if (out.host.front() == '[' || out.host.back() == ']') {
    if (out.host.size() < 3 || out.host.front() != '[' || out.host.back() != ']') {
      return Status::InvalidArgument("'" + text + "': unbalanced [ ] around the address");
    }
    out.host = out.host.substr(1, out.host.size() - 2);
  } else if (out.host.find(':') != std::string::npos) {
    return Status::InvalidArgument("'" + text + "': write an IPv6 address as [addr]:port");
  }
  std::string port = text.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("'" + text + "': port is not a number");
  }
  out.port = std::stoi(port);
  if (out.port <= 0 || out.port > 65535) {
    return Status::InvalidArgument("'" + text + "': port must be 1..65535");
  }
  return out;
}

Status RedisOptions::Validate() const {
  if (UsesSentinels()) {
    Status st = ValidateSentinels(*this);
    if (!st.ok()) return st;
  } else if (unix_socket.empty() && host.empty()) {
    return Bad("redis_host", "empty");
  }
  if (!UsesSentinels() && unix_socket.empty() && (port <= 0 || port > 65535)) {
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
  if (wait_replicas < 0) return Bad("redis_wait_replicas", "must be >= 0");
  if (wait_replicas > 0 && (wait_timeout_ms <= 0 || wait_timeout_ms >= command_timeout_ms)) {
    return Bad("redis_wait_timeout_ms", "must be > 0 and below redis_command_timeout_ms");
  }
  return Status::Ok();
}

std::string RedisOptions::Endpoint() const {
  if (UsesSentinels()) return "sentinel master " + master_name;
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

// redisquota/sentinel_locator.cc — master discovery through the sentinels.
#include "redisquota/sentinel_locator.h"

#include <algorithm>

#include "core/log.h"

namespace sendguard {
namespace redisquota {

namespace {

int MillisLeft(SentinelLocator::Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - SentinelLocator::Clock::now());
  return static_cast<int>(left.count());
}

RedisOptions SentinelOptions(const RedisOptions& options) {
  RedisOptions o;
  o.username = options.sentinel_username;
  o.password = options.sentinel_password;
  o.database = 0;
  o.connect_timeout_ms = options.connect_timeout_ms;
  return o;
}

}  // namespace

Result<HostPort> ParseMasterAddrReply(const RedisReply& reply) {
  if (reply.kind == RedisReply::Kind::kNil) {
    return Status::NotFound("does not monitor that master name");
  }
  if (reply.IsError()) return Status::Unavailable(reply.text);
  if (reply.kind != RedisReply::Kind::kArray || reply.elements.size() != 2 ||
      reply.elements[0].kind != RedisReply::Kind::kString ||
      reply.elements[1].kind != RedisReply::Kind::kString || reply.elements[0].text.empty()) {
    return Status::Internal("unexpected reply to get-master-addr-by-name");
  }
  const std::string& host = reply.elements[0].text;
  bool v6 = host.find(':') != std::string::npos;
  Result<HostPort> parsed =
      ParseHostPort((v6 ? "[" + host + "]" : host) + ":" + reply.elements[1].text);
  if (!parsed.ok()) return Status::Internal("get-master-addr-by-name: " + parsed.status().message());
  return parsed;
}

Result<std::string> ParseRoleReply(const RedisReply& reply) {
  if (reply.IsError()) return Status::Unavailable("ROLE: " + reply.text);
  if (reply.kind != RedisReply::Kind::kArray || reply.elements.empty() ||
      (reply.elements[0].kind != RedisReply::Kind::kString &&
       reply.elements[0].kind != RedisReply::Kind::kStatus)) {
    return Status::Internal("unexpected reply to ROLE");
  }
  return reply.elements[0].text;
}

Result<HostPort> ParseSwitchMaster(const std::string& payload, const std::string& master_name) {
  std::vector<std::string> words;
  size_t at = 0;
  while (at < payload.size()) {
    size_t end = payload.find(' ', at);
    if (end == std::string::npos) end = payload.size();
    if (end > at) words.push_back(payload.substr(at, end - at));
    at = end + 1;
  }
  if (words.size() != 5) return Status::Internal("malformed +switch-master: " + payload);
  if (words[0] != master_name) return Status::NotFound("+switch-master of " + words[0]);
  RedisReply addr;
  addr.kind = RedisReply::Kind::kArray;
  for (int i : {3, 4}) {
    RedisReply part;
    part.kind = RedisReply::Kind::kString;
    part.text = words[i];
    addr.elements.push_back(part);
  }
  Result<HostPort> parsed = ParseMasterAddrReply(addr);
  if (!parsed.ok()) return Status::Internal("malformed +switch-master: " + payload);
  return parsed;
}

SentinelLocator::SentinelLocator(const RedisOptions& options)
    : sentinel_options_(SentinelOptions(options)), master_name_(options.master_name) {
  for (const std::string& s : options.sentinels) {
    Result<HostPort> parsed = ParseHostPort(s);
    if (parsed.ok()) sentinels_.push_back(*parsed);
  }
}

uint64_t SentinelLocator::lookups() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lookups_;
}

std::vector<HostPort> SentinelLocator::sentinels() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sentinels_;
}

bool SentinelLocator::Learn(const HostPort& master) {
  std::lock_guard<std::mutex> lock(mu_);
  bool changed = !master_ || master_->host != master.host || master_->port != master.port;
  master_ = master;
  return changed;
}

void SentinelLocator::Forget() {
  std::lock_guard<std::mutex> lock(mu_);
  master_.reset();
}

Result<HostPort> SentinelLocator::Master(Clock::time_point deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (master_) return *master_;
  }
  return AskAll(deadline);
}

Result<HostPort> SentinelLocator::AskAll(Clock::time_point deadline) {
  std::vector<HostPort> order;
  {
    std::lock_guard<std::mutex> lock(mu_);
    order = sentinels_;
    ++lookups_;
  }
  std::string failures;
  for (const HostPort& sentinel : order) {
    int left = std::min(MillisLeft(deadline), sentinel_options_.connect_timeout_ms);
    if (left < 1) {
      failures += (failures.empty() ? "" : "; ") + std::string("no time left");
      break;
    }
    Result<HostPort> master = Ask(sentinel, left);
    if (!master.ok()) {
      failures += (failures.empty() ? "" : "; ") + sentinel.ToString() + " " +
                  master.status().message();
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto it = std::find_if(sentinels_.begin(), sentinels_.end(), [&](const HostPort& h) {
      return h.host == sentinel.host && h.port == sentinel.port;
    });
    if (it != sentinels_.end()) std::rotate(sentinels_.begin(), it, it + 1);
    if (!master_ || master_->host != master->host || master_->port != master->port) {
      SG_LOG(kInfo) << "redis sentinel " << sentinel.ToString() << ": master " << master_name_
                    << " is " << master->ToString();
    }
    master_ = *master;
    return master;
  }
  return Status::Unavailable("redis sentinels know no master " + master_name_ + ": " + failures);
}

Result<HostPort> SentinelLocator::Ask(const HostPort& sentinel, int timeout_ms) const {
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  RedisOptions o = sentinel_options_;
  o.host = sentinel.host;
  o.port = sentinel.port;
  auto conn = RedisConnection::Connect(o, timeout_ms);
  if (!conn.ok()) return conn.status();
  int left = std::max(1, MillisLeft(deadline));
  Result<RedisReply> reply =
      (*conn)->Run({"SENTINEL", "get-master-addr-by-name", master_name_}, left);
  if (!reply.ok()) return reply.status();
  return ParseMasterAddrReply(*reply);
}

Status SentinelLocator::VerifyMaster(RedisConnection& connection, const std::string& where,
                                     int timeout_ms) {
  Result<RedisReply> reply = connection.Run({"ROLE"}, timeout_ms);
  if (!reply.ok()) return reply.status();
  Result<std::string> role = ParseRoleReply(*reply);
  if (!role.ok()) {
    std::string why = "redis " + where + ": " + role.status().message();
    return role.status().IsUnavailable() ? Status::Unavailable(why) : Status::Internal(why);
  }
  if (*role != "master") {
    return Status::Unavailable("redis " + where + " is a " + *role + ", not the master");
  }
  return Status::Ok();
}

}  // namespace redisquota
}  // namespace sendguard

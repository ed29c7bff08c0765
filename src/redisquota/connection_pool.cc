// redisquota/connection_pool.cc — pooled connections, deadlines and backoff.
#include "redisquota/connection_pool.h"

#include <algorithm>

#include "core/log.h"

namespace sendguard {
namespace redisquota {

ConnectionPool::ConnectionPool(const RedisOptions& options)
    : options_(options),
      locator_(options.UsesSentinels() ? std::make_unique<SentinelLocator>(options) : nullptr),
      backoff_ms_(options.backoff_min_ms) {}

ConnectionPool::~ConnectionPool() { watcher_.reset(); }

void ConnectionPool::WatchFailovers() {
  if (locator_ == nullptr || watcher_ != nullptr) return;
  watcher_ = std::make_unique<SentinelWatcher>(
      locator_.get(), [this](const HostPort& master) { SwitchedTo(master); },
      options_.backoff_min_ms);
}

// The sentinels announced a new master: connections to the old one are
// dropped (leases in use when they come back), and a pool in backoff may
// try the new master right away.
void ConnectionPool::SwitchedTo(const HostPort&) {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
  if (down_) retry_at_ = Clock::now();
  freed_.notify_all();
}

int ConnectionPool::RemainingMs(Clock::time_point deadline) const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(left.count());
}

uint64_t ConnectionPool::round_trips() const {
  std::lock_guard<std::mutex> lock(mu_);
  return round_trips_;
}

Result<RedisReply> ConnectionPool::Run(const std::vector<std::string>& argv) {
  return RunWithin(argv, options_.command_timeout_ms);
}

Result<RedisReply> ConnectionPool::RunWithin(const std::vector<std::string>& argv,
                                             int budget_ms) {
  Result<std::vector<RedisReply>> replies = RunPipelineWithin({argv}, budget_ms);
  if (!replies.ok()) return replies.status();
  return std::move(replies->front());
}

Result<std::vector<RedisReply>> ConnectionPool::RunPipelineWithin(
    const std::vector<std::vector<std::string>>& commands, int budget_ms) {
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(budget_ms);
  Result<Lease> lease = Acquire(deadline);
  if (!lease.ok()) return lease.status();
  int left = RemainingMs(deadline);
  if (left < 1) left = 1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++round_trips_;
  }
  Result<std::vector<RedisReply>> replies = lease->connection->RunPipeline(commands, left);
  if (!replies.ok()) {
    MarkDown(replies.status());
  } else if (locator_ != nullptr) {
    for (const RedisReply& r : *replies) {
      if (!r.IsReadOnly()) continue;
      MarkDown(Status::Unavailable("the master turned replica: " + r.text));
      break;
    }
  }
  Return(std::move(lease).value());
  return replies;
}

Result<ConnectionPool::Lease> ConnectionPool::Acquire(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (down_ && Clock::now() < retry_at_) {
      return Status::Unavailable("redis " + options_.Endpoint() +
                                 ": unreachable, next retry in " +
                                 std::to_string(RemainingMs(retry_at_)) + " ms");
    }
    if (!idle_.empty()) {
      Lease lease = std::move(idle_.back());
      idle_.pop_back();
      return lease;
    }
    if (open_ < options_.pool_size) {
      ++open_;
      uint64_t generation = generation_;
      if (down_) {  // this call is the probe; the others keep failing fast
        retry_at_ = Clock::now() + std::chrono::milliseconds(backoff_ms_);
      }
      lock.unlock();
      return ConnectNew(deadline, generation);
    }
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      return Status::Unavailable("redis " + options_.Endpoint() + ": all " +
                                 std::to_string(options_.pool_size) +
                                 " connections busy for the whole command timeout");
    }
  }
}

Result<std::unique_ptr<RedisConnection>> ConnectionPool::Open(Clock::time_point deadline) {
  int budget = std::min(options_.connect_timeout_ms, RemainingMs(deadline));
  if (budget < 1) {
    return Status::Unavailable("redis " + options_.Endpoint() + ": no time left to connect");
  }
  if (locator_ == nullptr) return RedisConnection::Connect(options_, budget);
  return OpenMaster(deadline);
}

// Sentinel mode: ask (or remember) where the master is, connect, check ROLE.
Result<std::unique_ptr<RedisConnection>> ConnectionPool::OpenMaster(Clock::time_point deadline) {
  Result<HostPort> master = locator_->Master(deadline);
  if (!master.ok()) return master.status();
  RedisOptions direct = options_;
  direct.host = master->host;
  direct.port = master->port;
  direct.unix_socket.clear();
  direct.sentinels.clear();  // errors name the master's address
  int budget = std::min(options_.connect_timeout_ms, RemainingMs(deadline));
  if (budget < 1) {
    return Status::Unavailable("redis " + master->ToString() + ": no time left to connect");
  }
  auto conn = RedisConnection::Connect(direct, budget);
  if (!conn.ok()) return conn.status();
  Status role = SentinelLocator::VerifyMaster(**conn, master->ToString(),
                                              std::max(1, RemainingMs(deadline)));
  if (!role.ok()) return role;
  return conn;
}

Result<ConnectionPool::Lease> ConnectionPool::ConnectNew(Clock::time_point deadline,
                                                         uint64_t generation) {
  Result<std::unique_ptr<RedisConnection>> conn = Open(deadline);
  if (!conn.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --open_;
    }
    freed_.notify_one();
    MarkDown(conn.status());
    return conn.status();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) {
    SG_LOG(kInfo) << "redis " << options_.Endpoint() << ": reconnected";
    down_ = false;
    backoff_ms_ = options_.backoff_min_ms;
  }
  Lease lease;
  lease.connection = std::move(conn).value();
  lease.generation = generation;
  return lease;
}

void ConnectionPool::Return(Lease lease) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (lease.connection->broken() || lease.generation != generation_) {
      --open_;
      lease.connection.reset();
    } else {
      idle_.push_back(std::move(lease));
    }
  }
  freed_.notify_one();
}

void ConnectionPool::MarkDown(const Status& why) {
  if (locator_ != nullptr) locator_->Forget();
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
  if (!down_) {
    SG_LOG(kWarning) << "redis " << options_.Endpoint() << " down: " << why.message()
                     << "; retrying with backoff from " << options_.backoff_min_ms << " ms";
    down_ = true;
    backoff_ms_ = options_.backoff_min_ms;
  } else {
    backoff_ms_ = std::min(backoff_ms_ * 2, options_.backoff_max_ms);
  }
  retry_at_ = Clock::now() + std::chrono::milliseconds(backoff_ms_);
  freed_.notify_all();
}

}  // namespace redisquota
}  // namespace sendguard

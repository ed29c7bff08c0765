// Outage behaviour against a real redis-server that is killed, paused
// (SIGSTOP) and restarted: each policy, bounded latency, fail-fast while
// down, and recovery without restarting the store.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

#include "redisquota/resilient_quota_store.h"
#include "store_test_util.h"

using namespace sendguard::quota;
using namespace sendguard::redisquota;
using namespace sendguard::redisquota::testing;
using sendguard::Result;
using sendguard::Status;

namespace {

using Clock = std::chrono::steady_clock;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

struct Relay {
  Relay(RedisServer& server, OutagePolicy policy, int node_count = 1) {
    RedisOptions o = server.Options();
    o.command_timeout_ms = 100;
    o.connect_timeout_ms = 200;
    std::unique_ptr<QuotaStore> fallback;
    if (policy == OutagePolicy::kFallback) fallback = MustOpenLmdb(dir.path());
    ResilienceOptions r;
    r.policy = policy;
    r.node_count = node_count;
    auto created = ResilientQuotaStore::Create(MustOpenRedis(o), std::move(fallback), r);
    if (!created.ok()) throw std::runtime_error(created.status().ToString());
    store = std::move(created).value();
  }
  Result<ReserveOutcome> Reserve(uint64_t id, int64_t limit) {
    return store->Reserve(OneMessage(id, "u:a", limit, 0));
  }
  TempDir dir;
  std::unique_ptr<ResilientQuotaStore> store;
};

// Polls until a reservation succeeds against Redis again; returns the time.
int64_t MillisUntilRecovered(Relay& relay, uint64_t id) {
  Clock::time_point start = Clock::now();
  while (MillisSince(start) < 10000) {
    auto outcome = relay.Reserve(id, 1000);
    if (outcome.ok() && !relay.store->stats().primary_down) return MillisSince(start);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(redisquota_outage_fail_closed_then_recovers) {
  RedisServer server;
  Relay relay(server, OutagePolicy::kFailClosed);
  BOOST_TEST(relay.Reserve(1, 1000)->accepted);
  server.Kill();
  Clock::time_point start = Clock::now();
  auto outcome = relay.Reserve(2, 1000);
  BOOST_TEST(MillisSince(start) < 100 + 150);
  BOOST_REQUIRE(!outcome.ok());
  BOOST_TEST(outcome.status().IsUnavailable(), outcome.status().ToString());
  BOOST_TEST(!relay.store->Commit(CommitOf(OneMessage(1, "u:a", 1000, 0))).ok());
  // While known down, calls fail fast: no connect attempt per message.
  start = Clock::now();
  for (uint64_t id = 10; id < 60; ++id) BOOST_TEST(!relay.Reserve(id, 1000).ok());
  BOOST_TEST(MillisSince(start) < 100);
  OutageStats stats = relay.store->stats();
  BOOST_TEST(stats.outages == 1u);
  BOOST_TEST(stats.calls_under_policy >= 52u);
  BOOST_TEST(stats.primary_down);
  server.Start();  // same port and socket, empty data
  int64_t recovered = MillisUntilRecovered(relay, 100);
  BOOST_TEST(recovered >= 0);
  BOOST_TEST(recovered < 3000);
  BOOST_TEST(relay.store->stats().outages == 1u);
}

BOOST_AUTO_TEST_CASE(redisquota_outage_fail_open_accepts) {
  RedisServer server;
  Relay relay(server, OutagePolicy::kFailOpen);
  BOOST_TEST(relay.Reserve(1, 1)->accepted);
  BOOST_TEST(!relay.Reserve(2, 1)->accepted);  // healthy: the limit holds
  server.Kill();
  for (uint64_t id = 3; id < 8; ++id) {
    auto outcome = relay.Reserve(id, 1);
    BOOST_REQUIRE(outcome.ok());
    BOOST_TEST(outcome->accepted);
    BOOST_TEST(relay.store->Commit(CommitOf(OneMessage(id, "u:a", 1, 0))).ok());
  }
  BOOST_TEST(relay.store->Release(9, {"u:a"}, nullptr).ok());
  BOOST_TEST(!relay.store->GetOverride("a")->has_value());
  BOOST_TEST(relay.store->stats().outages == 1u);
  server.Start();
  BOOST_TEST(MillisUntilRecovered(relay, 100) >= 0);
  BOOST_TEST(!relay.Reserve(101, 1)->accepted);  // fresh Redis, 100 took the slot
}

BOOST_AUTO_TEST_CASE(redisquota_outage_fallback_divides_limits) {
  RedisServer server;
  Relay relay(server, OutagePolicy::kFallback, /*node_count=*/3);
  BOOST_TEST(relay.Reserve(1, 100)->accepted);
  server.Kill();
  // ceil(5 / 3) = 2 messages per relay while Redis is down.
  ReserveRequest a = OneMessage(2, "u:a", 5, 0), b = OneMessage(3, "u:a", 5, 0),
                 c = OneMessage(4, "u:a", 5, 0);
  int64_t now = static_cast<int64_t>(time(nullptr));
  for (ReserveRequest* r : {&a, &b, &c}) {
    r->now_seconds = now;
    r->deadline_seconds = now + 600;
  }
  BOOST_TEST(relay.store->Reserve(a)->accepted);
  BOOST_TEST(relay.store->Reserve(b)->accepted);
  auto over = relay.store->Reserve(c);
  BOOST_REQUIRE(over.ok());
  BOOST_TEST(!over->accepted);
  BOOST_TEST(over->limit.limit == 2);
  BOOST_TEST(relay.store->Commit(CommitOf(a)).ok());
  BOOST_TEST(relay.store->Release(b.id, {"u:a"}, nullptr).ok());
  server.Start();
  BOOST_TEST(MillisUntilRecovered(relay, 100) >= 0);
  // Reservations made in the fallback were finished there.
  auto local = MustOpenLmdb(relay.dir.path());
  auto usage = local->Read({"u:a", {Messages(5)}}, now);
  BOOST_REQUIRE(usage.ok());
  BOOST_TEST((*usage)[0].committed == 1);
  BOOST_TEST((*usage)[0].pending == 0);
}

// A paused server accepts connections (kernel backlog) but never answers.
BOOST_AUTO_TEST_CASE(redisquota_paused_server_answers_within_timeout) {
  RedisServer server;
  Relay closed(server, OutagePolicy::kFailClosed);
  Relay open(server, OutagePolicy::kFailOpen);
  BOOST_TEST(closed.Reserve(1, 1000)->accepted);
  BOOST_TEST(open.Reserve(2, 1000)->accepted);
  server.Pause();
  std::vector<std::thread> threads;
  std::atomic<int64_t> slowest{0};
  std::atomic<int> closed_errors{0}, open_accepts{0};
  for (int t = 0; t < 8; ++t) {  // more threads than pool connections
    threads.emplace_back([&, t] {
      Relay& relay = t % 2 ? closed : open;
      Clock::time_point start = Clock::now();
      auto outcome = relay.Reserve(static_cast<uint64_t>(10 + t), 1000);
      int64_t took = MillisSince(start);
      int64_t seen = slowest.load();
      while (took > seen && !slowest.compare_exchange_weak(seen, took)) {
      }
      if (t % 2 && !outcome.ok() && outcome.status().IsUnavailable()) ++closed_errors;
      if (t % 2 == 0 && outcome.ok() && outcome->accepted) ++open_accepts;
    });
  }
  for (std::thread& t : threads) t.join();
  BOOST_TEST(slowest.load() < 100 + 150);
  BOOST_TEST(closed_errors.load() == 4);
  BOOST_TEST(open_accepts.load() == 4);
  BOOST_TEST(closed.store->stats().outages == 1u);
  server.Resume();
  BOOST_TEST(MillisUntilRecovered(closed, 100) >= 0);
  BOOST_TEST(MillisUntilRecovered(open, 101) >= 0);
}

BOOST_AUTO_TEST_CASE(redisquota_unreachable_at_start_is_not_fatal) {
  RedisOptions o;
  o.port = FreeLoopbackPort();  // nothing listens there
  auto store = MustOpenRedis(o);
  Clock::time_point start = Clock::now();
  Status st = store->Ping();
  BOOST_TEST(st.IsUnavailable(), st.ToString());
  BOOST_TEST(MillisSince(start) < 300 + 150);
  BOOST_TEST(!store->Reserve(OneMessage(1, "u:a", 5, 0)).ok());
}

// Redis busy for 600 ms (DEBUG SLEEP): decisions still come within the
// command timeout, by the policy, and resume when Redis answers again.
BOOST_AUTO_TEST_CASE(redisquota_slow_server_answers_within_timeout) {
  RedisServer server({"--enable-debug-command", "yes"});
  Relay relay(server, OutagePolicy::kFailOpen);
  BOOST_TEST(relay.Reserve(1, 1)->accepted);
  std::thread sleeper([&server] {
    auto c = server.Connect();
    c->Run({"DEBUG", "SLEEP", "0.6"}, 5000);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Clock::time_point start = Clock::now();
  auto outcome = relay.Reserve(2, 1);  // over the limit, but Redis cannot say so
  int64_t took = MillisSince(start);
  BOOST_TEST(took < 100 + 150);
  BOOST_TEST(took >= 90);  // it did wait for the command timeout, not less
  BOOST_REQUIRE(outcome.ok());
  BOOST_TEST(outcome->accepted);
  BOOST_TEST(relay.store->stats().primary_down);
  sleeper.join();
  BOOST_TEST(MillisUntilRecovered(relay, 100) >= 0);
  BOOST_TEST(!relay.Reserve(3, 1)->accepted);  // the limit holds again
}

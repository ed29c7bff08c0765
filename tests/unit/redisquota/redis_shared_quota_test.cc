// Two relays (two RedisQuotaStore instances, each with its own pool) share
// one Redis: 32 concurrent connections of one user with a limit of 100 get
// exactly 100 messages through.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

#include "store_test_util.h"

using namespace sendguard::quota;
using namespace sendguard::redisquota;
using namespace sendguard::redisquota::testing;

BOOST_AUTO_TEST_CASE(redisquota_two_relays_32_connections_exactly_100) {
  RedisOptions o = FreshOptions(/*redis_time=*/true);
  o.command_timeout_ms = 2000;  // exactness, not timeouts, is tested here
  auto relay1 = MustOpenRedis(o);
  auto relay2 = MustOpenRedis(o);
  std::atomic<int> accepted{0}, rejected{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 32; ++t) {
    threads.emplace_back([&, t] {
      RedisQuotaStore* store = t % 2 ? relay1.get() : relay2.get();
      for (int m = 0; m < 10; ++m) {
        ReserveRequest r = OneMessage(static_cast<uint64_t>(t * 100 + m + 1), "u:a", 100);
        r.subjects.push_back({"d:example.org", {Messages(1000)}});
        auto outcome = store->Reserve(r);
        if (!outcome.ok()) {
          ++errors;
        } else if (!outcome->accepted) {
          ++rejected;
        } else if (store->Commit(CommitOf(r)).ok()) {
          ++accepted;
        } else {
          ++errors;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  BOOST_TEST(errors.load() == 0);
  BOOST_TEST(accepted.load() == 100);
  BOOST_TEST(rejected.load() == 220);
  auto usage = relay1->Read({"u:a", {Messages(100)}}, 0);
  BOOST_REQUIRE(usage.ok());
  BOOST_TEST((*usage)[0].committed == 100);
  BOOST_TEST((*usage)[0].pending == 0);
  BOOST_TEST((*relay2->Read({"d:example.org", {Messages(1000)}}, 0))[0].committed == 100);
}

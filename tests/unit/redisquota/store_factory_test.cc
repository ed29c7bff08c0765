// OpenQuotaStore: the backend named in the config, the outage policy around
// Redis, and the CLI's stricter handling of an unreachable Redis.
#include <boost/test/unit_test.hpp>

#include "redisquota/store_factory.h"
#include "store_test_util.h"

using namespace sendguard::quota;
using namespace sendguard::redisquota;
using namespace sendguard::redisquota::testing;

BOOST_AUTO_TEST_CASE(redisquota_factory_backends) {
  TempDir dir;
  QuotaOptions q;
  q.state_dir = dir.path() + "/state";
  StoreConfig config;
  auto lmdb = OpenQuotaStore(q, config, false);
  BOOST_REQUIRE(lmdb.ok());
  BOOST_TEST((*lmdb)->Reserve(OneMessage(1, "u:a", 1))->accepted);

  config.backend = "memcached";
  auto bad = OpenQuotaStore(q, config, false);
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.status().message().find("memcached") != std::string::npos);

  config.backend = "redis";
  config.redis = FreshOptions(true);
  auto redis = OpenQuotaStore(q, config, true);
  BOOST_REQUIRE(redis.ok());
  BOOST_TEST((*redis)->Reserve(OneMessage(1, "u:a", 1))->accepted);
  BOOST_TEST(!(*redis)->Reserve(OneMessage(2, "u:a", 1))->accepted);
}

BOOST_AUTO_TEST_CASE(redisquota_factory_unreachable_redis) {
  TempDir dir;
  QuotaOptions q;
  q.state_dir = dir.path() + "/state";
  StoreConfig config;
  config.backend = "redis";
  config.redis.port = FreeLoopbackPort();  // nothing listens
  auto cli = OpenQuotaStore(q, config, /*for_cli=*/true);
  BOOST_REQUIRE(!cli.ok());
  BOOST_TEST(cli.status().IsUnavailable(), cli.status().ToString());
  config.resilience.policy = OutagePolicy::kFallback;
  config.resilience.node_count = 2;
  auto daemon = OpenQuotaStore(q, config, /*for_cli=*/false);
  BOOST_REQUIRE(daemon.ok());
  BOOST_TEST((*daemon)->Reserve(OneMessage(1, "u:a", 3))->accepted);  // limit 2 locally
  BOOST_TEST((*daemon)->Reserve(OneMessage(2, "u:a", 3))->accepted);
  BOOST_TEST(!(*daemon)->Reserve(OneMessage(3, "u:a", 3))->accepted);
}

// Redis-only properties of RedisQuotaStore: Redis's clock, TTLs on every key,
// one round trip per decision, NOSCRIPT recovery, AUTH (password and ACL
// user), database selection, unix socket, options validation.
#include <boost/test/unit_test.hpp>

#include <ctime>

#include "store_test_util.h"

using namespace sendguard::quota;
using namespace sendguard::redisquota;
using namespace sendguard::redisquota::testing;
using sendguard::Status;

namespace {

int64_t Ttl(RedisConnection& c, const std::string& key) {
  auto reply = c.Run({"TTL", key}, 1000);
  return reply.ok() ? reply->integer : -100;
}

}  // namespace

BOOST_AUTO_TEST_CASE(redisquota_uses_redis_time_not_the_callers) {
  auto store = MustOpenRedis(FreshOptions(/*redis_time=*/true));
  // A relay whose clock is years off: its now_seconds must not matter.
  ReserveRequest a = OneMessage(1, "u:a", 1, /*now=*/1000);
  ReserveRequest b = OneMessage(2, "u:a", 1, /*now=*/1000);
  BOOST_TEST(store->Reserve(a)->accepted);
  BOOST_TEST(store->Commit(CommitOf(a)).ok());
  auto over = store->Reserve(b);
  BOOST_REQUIRE(over.ok());
  BOOST_TEST(!over->accepted);
  int64_t real = static_cast<int64_t>(time(nullptr));
  BOOST_TEST(over->retry_after_seconds > real + 3500);
  BOOST_TEST(over->retry_after_seconds < real + 3600 + 120);
}

BOOST_AUTO_TEST_CASE(redisquota_every_key_has_a_ttl) {
  RedisOptions o = FreshOptions(true);
  auto store = MustOpenRedis(o);
  ReserveRequest r = OneMessage(1, "u:a", 10);
  r.deadline_seconds = r.now_seconds + 600;  // relative: 600 s from Redis's now
  BOOST_TEST(store->Reserve(r)->accepted);
  BOOST_TEST(store->Reserve(OneMessage(2, "u:a", 10))->accepted);
  BOOST_TEST(store->Commit(CommitOf(r)).ok());
  auto c = SharedServer().Connect();
  std::string base = store->BaseKey("u:a");
  BOOST_TEST(base == o.key_prefix + "{u:a}");
  int64_t pending = Ttl(*c, base + ":p");
  BOOST_TEST(pending > 590);
  BOOST_TEST(pending <= 601);
  int64_t series = Ttl(*c, base + ":w:0:3600:60");
  BOOST_TEST(series > 3600);
  BOOST_TEST(series <= 3600 + 2 * 60 + 1);
  BOOST_TEST(Ttl(*c, base + ":w:1:3600:60") > 3600);  // statistics series
  BOOST_TEST(Ttl(*c, base + ":i") > 3600);
  auto keys = c->Run({"KEYS", o.key_prefix + "*"}, 1000);
  BOOST_REQUIRE(keys.ok());
  for (const RedisReply& k : keys->elements) {
    BOOST_TEST_CONTEXT(k.text) { BOOST_TEST(Ttl(*c, k.text) > 0); }
  }
  BOOST_TEST(store->Reset("u:a").ok());
  keys = c->Run({"KEYS", o.key_prefix + "*"}, 1000);
  BOOST_TEST(keys->elements.empty());
}

BOOST_AUTO_TEST_CASE(redisquota_one_round_trip_per_decision) {
  auto store = MustOpenRedis(FreshOptions(true));
  ReserveRequest warm = OneMessage(1, "u:a", 100);
  warm.subjects.push_back({"d:example.org", {Messages(1000), Limit(Metric::kBytes, 1 << 30)}});
  BOOST_TEST(store->Reserve(warm)->accepted);  // loads the script (SCRIPT LOAD)
  BOOST_TEST(store->Commit(CommitOf(warm)).ok());
  BOOST_TEST(store->Release(99, {"u:a"}, nullptr).ok());
  uint64_t before = store->round_trips();
  ReserveRequest r = warm;
  r.id = 2;
  BOOST_TEST(store->Reserve(r)->accepted);
  BOOST_TEST(store->round_trips() - before == 1u);
  BOOST_TEST(store->Commit(CommitOf(r)).ok());
  BOOST_TEST(store->round_trips() - before == 2u);
  BOOST_TEST(store->Release(3, {"u:a", "d:example.org"}, nullptr).ok());
  BOOST_TEST(store->round_trips() - before == 3u);
}

BOOST_AUTO_TEST_CASE(redisquota_recovers_from_script_flush) {
  auto store = MustOpenRedis(FreshOptions(true));
  BOOST_TEST(store->Reserve(OneMessage(1, "u:a", 2))->accepted);
  auto c = SharedServer().Connect();
  BOOST_REQUIRE(c->Run({"SCRIPT", "FLUSH"}, 1000).ok());
  uint64_t before = store->round_trips();
  BOOST_TEST(store->Reserve(OneMessage(2, "u:a", 2))->accepted);  // NOSCRIPT -> EVAL
  BOOST_TEST(store->round_trips() - before == 2u);
  before = store->round_trips();
  BOOST_TEST(!store->Reserve(OneMessage(3, "u:a", 2))->accepted);  // EVALSHA works again
  BOOST_TEST(store->round_trips() - before == 1u);
}

BOOST_AUTO_TEST_CASE(redisquota_password_and_acl_user) {
  RedisServer server({"--requirepass", "s3cret", "--user", "relay", "on", ">relaypw", "~*", "+@all"});
  RedisOptions o = server.Options();
  o.use_redis_time = true;
  auto anonymous = MustOpenRedis(o);
  Status st = anonymous->Ping();
  BOOST_TEST(st.IsUnavailable(), st.ToString());
  BOOST_TEST(st.message().find("NOAUTH") != std::string::npos, st.message());
  o.password = "wrong";
  st = MustOpenRedis(o)->Ping();
  BOOST_TEST(st.IsUnavailable(), st.ToString());
  o.password = "s3cret";
  auto legacy = MustOpenRedis(o);
  BOOST_TEST(legacy->Ping().ok());
  BOOST_TEST(legacy->Reserve(OneMessage(1, "u:a", 5))->accepted);
  o.username = "relay";
  o.password = "relaypw";
  auto acl = MustOpenRedis(o);
  BOOST_TEST(acl->Ping().ok());
  auto usage = acl->Read({"u:a", {Messages(5)}}, 0);
  BOOST_REQUIRE(usage.ok());
  BOOST_TEST((*usage)[0].pending == 1);
}

BOOST_AUTO_TEST_CASE(redisquota_database_and_unix_socket) {
  RedisOptions o = FreshOptions(true);
  o.unix_socket = SharedServer().socket_path();
  o.database = 3;
  auto store = MustOpenRedis(o);
  BOOST_TEST(store->Reserve(OneMessage(1, "u:a", 5))->accepted);
  auto c = SharedServer().Connect();
  BOOST_TEST(c->Run({"EXISTS", store->BaseKey("u:a") + ":p"}, 1000)->integer == 0);
  BOOST_TEST(c->Run({"SELECT", "3"}, 1000).ok());
  BOOST_TEST(c->Run({"EXISTS", store->BaseKey("u:a") + ":p"}, 1000)->integer == 1);
}

BOOST_AUTO_TEST_CASE(redisquota_invalid_options_are_named) {
  RedisOptions o;
  o.key_prefix = "a{b";
  auto store = RedisQuotaStore::Open(o);
  BOOST_REQUIRE(!store.ok());
  BOOST_TEST(store.status().message().find("redis_key_prefix") != std::string::npos);
  o = RedisOptions();
  o.pool_size = 0;
  BOOST_TEST(RedisQuotaStore::Open(o).status().message().find("redis_pool_size") !=
             std::string::npos);
  OutagePolicy policy;
  BOOST_TEST(!ParseOutagePolicy("maybe", &policy).ok());
  BOOST_TEST(ParseOutagePolicy("fallback", &policy).ok());
  BOOST_TEST(OutagePolicyName(policy) == std::string("fallback"));
}

BOOST_AUTO_TEST_CASE(redisquota_script_errors_are_internal_not_outages) {
  auto store = MustOpenRedis(FreshOptions(true));
  auto c = SharedServer().Connect();
  // Something else wrote a string where a reservation hash belongs.
  BOOST_REQUIRE(c->Run({"SET", store->BaseKey("u:bad") + ":p", "x"}, 1000).ok());
  auto outcome = store->Reserve(OneMessage(1, "u:bad", 5));
  BOOST_REQUIRE(!outcome.ok());
  BOOST_TEST((outcome.status().code() == Status::Code::kInternal),
             outcome.status().ToString());
  BOOST_TEST(store->Ping().ok());  // the connection stays usable
}

BOOST_AUTO_TEST_CASE(redisquota_top_scans_many_subjects) {
  auto store = MustOpenRedis(FreshOptions(true));
  for (int i = 0; i < 250; ++i) {
    ReserveRequest r = OneMessage(static_cast<uint64_t>(i + 1), "u:" + std::to_string(i), 10);
    BOOST_REQUIRE(store->Reserve(r)->accepted);
    BOOST_REQUIRE(store->Commit(CommitOf(r)).ok());
  }
  ReserveRequest extra = OneMessage(1000, "u:17", 10);
  BOOST_REQUIRE(store->Commit(CommitOf(extra)).ok());
  auto top = store->Top(5, 0);
  BOOST_REQUIRE(top.ok());
  BOOST_REQUIRE(top->size() == 5u);
  BOOST_TEST((*top)[0].subject == "u:17");
  BOOST_TEST((*top)[0].last_hour.messages == 2);
  BOOST_TEST((*top)[1].subject == "u:0");  // ties by name
  auto all = store->Top(1000, 0);
  BOOST_TEST(all->size() == 250u);
}

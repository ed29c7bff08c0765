// Redis Sentinel discovery: the reply parsers, option checks, and the store
// against real redis-server / redis-sentinel processes on loopback
// (discovery, a dead sentinel skipped, ROLE refusing a replica, sentinel
// AUTH, a forced failover followed within the command timeout, NOSCRIPT on
// the promoted replica, WAIT).
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

#include "sentinel_server.h"
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

RedisReply Str(const std::string& s) {
  RedisReply r;
  r.kind = RedisReply::Kind::kString;
  r.text = s;
  return r;
}

RedisReply Array(std::vector<RedisReply> elements) {
  RedisReply r;
  r.kind = RedisReply::Kind::kArray;
  r.elements = std::move(elements);
  return r;
}

RedisReply Error(const std::string& text) {
  RedisReply r;
  r.kind = RedisReply::Kind::kError;
  r.text = text;
  return r;
}

// Masters (and replicas that may become one) sync replicas at once, not
// after the default 5 s of diskless-sync delay.
const std::vector<std::string> kReplicated = {"--repl-diskless-sync-delay", "0"};

RedisOptions ThroughSentinels(std::vector<std::string> sentinels, const std::string& name) {
  RedisOptions o;
  o.sentinels = std::move(sentinels);
  o.master_name = name;
  o.command_timeout_ms = 200;
  o.connect_timeout_ms = 200;
  o.backoff_min_ms = 50;
  o.backoff_max_ms = 200;
  return o;
}

// The count of u:a's message window as the store sees it.
int64_t Used(QuotaStore& store, int64_t limit) {
  auto usage = store.Read({"u:a", {Messages(limit)}}, 0);
  if (!usage.ok()) return -1;
  return (*usage)[0].committed + (*usage)[0].pending;
}

// INFO section text of `server` (e.g. "errorstats").
std::string Info(const RedisServer& server, const std::string& section) {
  auto reply = server.Connect()->Run({"INFO", section}, 1000);
  return reply.ok() ? reply->text : "";
}

bool SentinelKnowsReplica(SentinelServer& sentinel, const std::string& name) {
  auto reply = sentinel.Run({"SENTINEL", "replicas", name});
  if (!reply.ok() || reply->kind != RedisReply::Kind::kArray || reply->elements.empty()) return false;
  const RedisReply& fields = reply->elements[0];
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].text == "flags") return fields.elements[i + 1].text == "slave";
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(redisquota_parse_host_port) {
  auto v4 = ParseHostPort("127.0.0.1:26379");
  BOOST_REQUIRE(v4.ok());
  BOOST_TEST(v4->host == "127.0.0.1");
  BOOST_TEST(v4->port == 26379);
  auto v6 = ParseHostPort("[::1]:5000");
  BOOST_REQUIRE(v6.ok());
  BOOST_TEST(v6->host == "::1");
  BOOST_TEST(v6->ToString() == "[::1]:5000");
  BOOST_TEST(ParseHostPort("sentinel-1.example:1")->host == "sentinel-1.example");
  for (const char* bad : {"nohost", ":1", "h:", "h:0", "h:65536", "h:12a", "::1:5", "[::1:5",
                          "[]:5", "h:123456"}) {
    BOOST_TEST(!ParseHostPort(bad).ok(), bad);
  }
}

BOOST_AUTO_TEST_CASE(redisquota_parse_master_addr_reply) {
  auto ok = ParseMasterAddrReply(Array({Str("10.0.0.5"), Str("6380")}));
  BOOST_REQUIRE(ok.ok());
  BOOST_TEST(ok->ToString() == "10.0.0.5:6380");
  auto v6 = ParseMasterAddrReply(Array({Str("::1"), Str("6380")}));
  BOOST_REQUIRE(v6.ok());
  BOOST_TEST(v6->host == "::1");
  BOOST_TEST(ParseMasterAddrReply(RedisReply()).status().IsNotFound());  // nil
  BOOST_TEST(ParseMasterAddrReply(Error("NOAUTH Authentication required.")).status().IsUnavailable());
  for (const RedisReply& bad : {Array({Str("10.0.0.5")}), Array({Str(""), Str("6380")}),
                                Array({Str("h"), Str("port")}), Str("10.0.0.5:6380")}) {
    auto parsed = ParseMasterAddrReply(bad);
    BOOST_TEST(!parsed.ok());
    BOOST_TEST((parsed.status().code() == Status::Code::kInternal));
  }
}

BOOST_AUTO_TEST_CASE(redisquota_parse_role_reply) {
  RedisReply offset;
  offset.kind = RedisReply::Kind::kInteger;
  BOOST_TEST(*ParseRoleReply(Array({Str("master"), offset, Array({})})) == "master");
  BOOST_TEST(*ParseRoleReply(Array({Str("slave"), Str("127.0.0.1")})) == "slave");
  BOOST_TEST(ParseRoleReply(Error("NOAUTH x")).status().IsUnavailable());
  BOOST_TEST(!ParseRoleReply(Array({})).ok());
  BOOST_TEST(!ParseRoleReply(Array({offset})).ok());
}

BOOST_AUTO_TEST_CASE(redisquota_sentinel_options_are_checked) {
  RedisOptions o = ThroughSentinels({"127.0.0.1:26379", "nope"}, "mymaster");
  Status st = o.Validate();
  BOOST_TEST(!st.ok());
  BOOST_TEST(st.message().find("redis_sentinels") != std::string::npos, st.message());
  o.sentinels = {"127.0.0.1:26379"};
  BOOST_TEST(o.Validate().ok());
  BOOST_TEST(o.Endpoint() == "sentinel master mymaster");
  o.master_name = "";
  BOOST_TEST(o.Validate().message().find("redis_master_name") != std::string::npos);
  o.master_name = "m";
  o.sentinel_username = "u";
  BOOST_TEST(!o.Validate().ok());
  o.sentinel_username = "";
  o.wait_replicas = 1;
  o.wait_timeout_ms = o.command_timeout_ms;
  BOOST_TEST(o.Validate().message().find("redis_wait_timeout_ms") != std::string::npos);
  o.wait_timeout_ms = o.command_timeout_ms - 1;
  BOOST_TEST(o.Validate().ok());
}

BOOST_AUTO_TEST_CASE(redisquota_sentinel_finds_master_past_a_dead_sentinel) {
  RedisServer master(kReplicated);
  SentinelServer sentinel(master.port(), "mymaster");
  std::string dead = "127.0.0.1:" + std::to_string(FreeLoopbackPort());
  auto store = MustOpenRedis(ThroughSentinels({dead, sentinel.address()}, "mymaster"));
  BOOST_TEST(store->Ping().ok());
  BOOST_TEST(store->Reserve(OneMessage(1, "u:a", 5, 0))->accepted);
  RedisOptions direct = master.Options();
  auto on_master = MustOpenRedis(direct);
  BOOST_TEST(Used(*on_master, 5) == 1);
}

BOOST_AUTO_TEST_CASE(redisquota_sentinel_unknown_name_is_unavailable_promptly) {
  RedisServer master(kReplicated);
  SentinelServer sentinel(master.port(), "mymaster");
  auto store = MustOpenRedis(ThroughSentinels({sentinel.address()}, "othername"));
  Clock::time_point start = Clock::now();
  auto outcome = store->Reserve(OneMessage(1, "u:a", 5, 0));
  BOOST_TEST(MillisSince(start) < 200 + 150);
  BOOST_REQUIRE(!outcome.ok());
  BOOST_TEST(outcome.status().IsUnavailable());
  BOOST_TEST(outcome.status().message().find("othername") != std::string::npos,
             outcome.status().message());
}

// A sentinel that names a replica (stale view, or misconfigured): ROLE says
// so and the store refuses to write there.
BOOST_AUTO_TEST_CASE(redisquota_sentinel_named_replica_is_refused_by_role) {
  RedisServer master(kReplicated);
  auto replica = StartReplica(master);
  SentinelServer sentinel(replica->port(), "stale");
  auto store = MustOpenRedis(ThroughSentinels({sentinel.address()}, "stale"));
  auto outcome = store->Reserve(OneMessage(1, "u:a", 5, 0));
  BOOST_REQUIRE(!outcome.ok());
  BOOST_TEST(outcome.status().IsUnavailable());
  BOOST_TEST(outcome.status().message().find("not the master") != std::string::npos,
             outcome.status().message());
}

BOOST_AUTO_TEST_CASE(redisquota_sentinel_auth) {
  RedisServer master(kReplicated);
  SentinelServer sentinel(master.port(), "mymaster", {"requirepass s3cret"});
  RedisOptions o = ThroughSentinels({sentinel.address()}, "mymaster");
  auto without = MustOpenRedis(o);
  Status st = without->Ping();
  BOOST_TEST(st.IsUnavailable());
  BOOST_TEST(st.message().find("NOAUTH") != std::string::npos, st.message());
  o.sentinel_password = "s3cret";
  BOOST_TEST(MustOpenRedis(o)->Ping().ok());
}

// SENTINEL FAILOVER: the replica is promoted and announced (+switch-master),
// the old master demoted some seconds later. Every call during the switch
// returns within the command timeout; the store moves to the new master on
// the announcement, loading the script there after NOSCRIPT, and the counts
// replicated before the switch hold.
BOOST_AUTO_TEST_CASE(redisquota_sentinel_follows_a_failover) {
  RedisServer master(kReplicated);
  auto replica = StartReplica(master);
  SentinelServer sentinel(master.port(), "mymaster");
  BOOST_REQUIRE(WaitFor([&] { return SentinelKnowsReplica(sentinel, "mymaster"); }, 15));
  auto store = MustOpenRedis(ThroughSentinels({sentinel.address()}, "mymaster"));
  store->WatchFailovers();
  for (uint64_t id = 1; id <= 3; ++id) BOOST_TEST(store->Reserve(OneMessage(id, "u:a", 5, 0))->accepted);
  RedisServer& r = *replica;
  BOOST_REQUIRE(WaitFor([&] { return Used(*MustOpenRedis(r.Options()), 5) == 3; }, 5));

  auto failover = sentinel.Run({"SENTINEL", "FAILOVER", "mymaster"});
  BOOST_REQUIRE(failover.ok());
  BOOST_REQUIRE_MESSAGE(!failover->IsError(), failover->text);
  std::string new_master = "127.0.0.1:" + std::to_string(replica->port());
  int64_t slowest = 0;
  int failed = 0;
  uint64_t probe = 100;
  // Writes of another subject until one lands on the promoted replica
  // (seen there as the NOSCRIPT that made the store send the script).
  Clock::time_point announced;
  bool seen = false;
  bool moved = WaitFor([&] {
    Clock::time_point start = Clock::now();
    auto outcome = store->Reserve(OneMessage(++probe, "u:probe", 1000000, 0));
    slowest = std::max(slowest, MillisSince(start));
    if (!outcome.ok()) ++failed;
    if (!seen && sentinel.MasterAddress() == new_master) {
      seen = true;
      announced = Clock::now();
    }
    return outcome.ok() && seen &&
           Info(r, "errorstats").find("errorstat_NOSCRIPT") != std::string::npos;
  }, kFailoverWaitSeconds);
  BOOST_REQUIRE_MESSAGE(moved, "no write reached the promoted replica; sentinel log:\n" << sentinel.LogTail());
  int64_t lag = MillisSince(announced);
  BOOST_TEST_MESSAGE("failover: " << failed << " of " << probe - 100 << " writes failed, slowest "
                                  << slowest << " ms, on the new master " << lag
                                  << " ms after the sentinel named it");
  BOOST_TEST(slowest < 200 + 150);
  // At the announcement, not when the old master drops its clients seconds later.
  BOOST_TEST(lag < 1000);
  BOOST_TEST(ReplicationField(r, "role") == "master");
  BOOST_TEST(store->Reserve(OneMessage(4, "u:a", 5, 0))->accepted);
  BOOST_TEST(store->Reserve(OneMessage(5, "u:a", 5, 0))->accepted);
  BOOST_TEST(!store->Reserve(OneMessage(6, "u:a", 5, 0))->accepted);  // 3 before + 2 after
  BOOST_TEST(Used(*MustOpenRedis(r.Options()), 5) == 5);
}

BOOST_AUTO_TEST_CASE(redisquota_wait_replicas) {
  RedisServer master(kReplicated);
  auto replica = StartReplica(master);
  RedisOptions o = master.Options();
  o.command_timeout_ms = 200;
  o.wait_replicas = 1;
  o.wait_timeout_ms = 50;
  auto store = MustOpenRedis(o);
  // The replica may still be syncing on a loaded machine: until it
  // acknowledges, a counting write is (rightly) Unavailable — and it still
  // counts on the master. So warm up on subjects of their own, then count.
  auto warm = store->Reserve(OneMessage(100, "u:warm0", 5, 0));
  for (int i = 1; i < 40 && !warm.ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    warm = store->Reserve(OneMessage(100 + i, "u:warm" + std::to_string(i), 5, 0));
  }
  BOOST_REQUIRE_MESSAGE(warm.ok(), warm.status().ToString());
  auto first = store->Reserve(OneMessage(1, "u:a", 5, 0));
  BOOST_REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  BOOST_TEST(first->accepted);
  BOOST_TEST(store->Commit(CommitOf(OneMessage(1, "u:a", 5, 0))).ok());
  replica->Pause();  // connected, but acknowledges nothing
  Clock::time_point start = Clock::now();
  auto unsure = store->Reserve(OneMessage(2, "u:a", 5, 0));
  BOOST_TEST(MillisSince(start) < 200 + 150);
  BOOST_REQUIRE(!unsure.ok());
  BOOST_TEST(unsure.status().IsUnavailable());
  BOOST_TEST(unsure.status().message().find("0 of 1 replicas") != std::string::npos,
             unsure.status().message());
  replica->Resume();
  o.wait_replicas = 2;  // more than there are
  auto two = MustOpenRedis(o);
  BOOST_TEST(two->Reserve(OneMessage(3, "u:a", 5, 0)).status().message().find("1 of 2") !=
             std::string::npos);
  // A refusal counts nothing, so it needs no replica.
  BOOST_TEST(!two->Reserve(OneMessage(4, "u:a", 1, 0))->accepted);
}

BOOST_AUTO_TEST_CASE(redisquota_parse_switch_master) {
  auto moved = ParseSwitchMaster("mymaster 127.0.0.1 6379 127.0.0.1 6380", "mymaster");
  BOOST_REQUIRE(moved.ok());
  BOOST_TEST(moved->ToString() == "127.0.0.1:6380");
  BOOST_TEST(ParseSwitchMaster("other 127.0.0.1 6379 127.0.0.1 6380", "mymaster").status().IsNotFound());
  for (const char* bad : {"", "mymaster 127.0.0.1 6379 127.0.0.1", "mymaster a b c x",
                          "mymaster 1 2 3 4 5"}) {
    auto parsed = ParseSwitchMaster(bad, "mymaster");
    BOOST_TEST((parsed.status().code() == Status::Code::kInternal), bad);
  }
}

// No watcher: the master is killed; the sentinels promote the replica
// (down-after 1000 ms) and the store finds it by asking again after its
// calls fail, each call within the command timeout meanwhile.
BOOST_AUTO_TEST_CASE(redisquota_sentinel_master_killed_store_asks_again) {
  RedisServer master(kReplicated);
  auto replica = StartReplica(master);
  SentinelServer sentinel(master.port(), "mymaster");
  BOOST_REQUIRE(WaitFor([&] { return SentinelKnowsReplica(sentinel, "mymaster"); }, 15));
  auto store = MustOpenRedis(ThroughSentinels({sentinel.address()}, "mymaster"));
  BOOST_TEST(store->Reserve(OneMessage(1, "u:a", 5, 0))->accepted);
  RedisServer& r = *replica;
  BOOST_REQUIRE(WaitFor([&] { return Used(*MustOpenRedis(r.Options()), 5) == 1; }, 5));
  master.Kill();
  Clock::time_point killed = Clock::now();
  int64_t slowest = 0;
  uint64_t id = 100;
  bool moved = WaitFor([&] {
    Clock::time_point start = Clock::now();
    auto outcome = store->Reserve(OneMessage(++id, "u:probe", 1000000, 0));
    slowest = std::max(slowest, MillisSince(start));
    return outcome.ok();
  }, kFailoverWaitSeconds);
  BOOST_TEST_MESSAGE("master killed: writes resumed after " << MillisSince(killed) << " ms, slowest call "
                     << slowest << " ms");
  BOOST_REQUIRE_MESSAGE(moved, "writes never resumed; sentinel log:\n" << sentinel.LogTail());
  BOOST_TEST(slowest < 200 + 150);
  BOOST_TEST(ReplicationField(r, "role") == "master");
  BOOST_TEST(Used(*store, 5) == 1);
}

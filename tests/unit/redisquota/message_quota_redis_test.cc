// The daemon's view: quota::MessageQuota (one SMTP transaction) on top of the
// Redis store, alone and behind ResilientQuotaStore with Redis killed.
#include <boost/test/unit_test.hpp>

#include "core/clock.h"
#include "quota/message_quota.h"
#include "quota/quota_policy.h"
#include "redisquota/resilient_quota_store.h"
#include "store_test_util.h"

using namespace sendguard::quota;
using namespace sendguard::redisquota;
using namespace sendguard::redisquota::testing;
using sendguard::ManualClock;

namespace {

const char* kPolicy = R"(
class default {
  messages 3/1h
  recipients 6/1h
  rcpt_per_msg 4
}
domain shared.example { messages 4/1h }
)";

std::shared_ptr<const QuotaPolicy> Policy() {
  auto policy = QuotaPolicy::Parse(kPolicy, "test.conf");
  if (!policy.ok()) throw std::runtime_error(policy.status().ToString());
  return *policy;
}

QuotaDecision Send(QuotaStore* store, const ManualClock& clock, const std::string& login) {
  QuotaOptions options;
  auto id = Identity::FromLogin(login, options);
  if (!id.ok()) throw std::runtime_error(id.status().ToString());
  MessageQuota q(Policy(), store, *id, clock, options);
  QuotaDecision d = q.AddRecipient("r@dest.example");
  if (!d.allow) return d;
  d = q.CheckSize(100);
  if (d.allow && !q.Commit().ok()) d.allow = false;
  return d;
}

}  // namespace

BOOST_AUTO_TEST_CASE(redisquota_message_quota_replies_like_lmdb) {
  auto store = MustOpenRedis(FreshOptions(/*redis_time=*/false));
  ManualClock clock(1700000000LL * 1000000);  // 22:13:20 UTC
  for (int i = 0; i < 3; ++i) BOOST_TEST(Send(store.get(), clock, "alice@example.org").allow);
  QuotaDecision d = Send(store.get(), clock, "alice@example.org");
  BOOST_TEST(!d.allow);
  BOOST_TEST((d.verdict == QuotaVerdict::kOverWindowLimit));
  BOOST_TEST(d.reply.ToString() ==
             "451 4.7.1 alice@example.org: quota 3 messages/1h reached, retry after 23:14 UTC");
  // The domain aggregate counts every user of shared.example.
  for (const char* user : {"a@shared.example", "b@shared.example", "c@shared.example",
                           "d@shared.example"}) {
    BOOST_TEST(Send(store.get(), clock, user).allow);
  }
  d = Send(store.get(), clock, "e@shared.example");
  BOOST_TEST(!d.allow);
  BOOST_TEST(d.reply.text.find("shared.example") != std::string::npos, d.reply.text);
}

BOOST_AUTO_TEST_CASE(redisquota_message_quota_fail_closed_tempfails) {
  RedisServer server;
  RedisOptions o = server.Options();
  auto created = ResilientQuotaStore::Create(MustOpenRedis(o), nullptr, ResilienceOptions());
  BOOST_REQUIRE(created.ok());
  ManualClock clock;
  BOOST_TEST(Send(created->get(), clock, "alice@example.org").allow);
  server.Kill();
  QuotaDecision d = Send(created->get(), clock, "alice@example.org");
  BOOST_TEST(!d.allow);
  BOOST_TEST((d.verdict == QuotaVerdict::kStoreError));
  BOOST_TEST(d.reply.code == "451");
  BOOST_TEST(d.reply.xcode == "4.3.0");
  BOOST_TEST(d.error.IsUnavailable(), d.error.ToString());
}
